module github.com/pycov-harvest/pycov-harvest/clients/go

go 1.21

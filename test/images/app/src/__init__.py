"""Sample FastAPI service for the pycov-harvest e2e tests."""

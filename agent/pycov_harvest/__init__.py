"""pycov-harvest agent: coverage in every process of a running service, saved on demand."""

__version__ = "0.1.0"

"""Switch the coverage context of the services under test per pytest test (see plugin.py)."""

from .client import Client, StartError, SwitchError

__all__ = ["Client", "StartError", "SwitchError"]

"""The program version, read from the installed package's metadata."""

from functools import cache
from importlib import metadata


@cache
def program_version() -> str:
    """The installed version of this program (heartbeats, the service worker's cache name)."""
    try:
        return metadata.version("mittendrin-kiosk")
    except metadata.PackageNotFoundError:
        return "unbekannt"

"""Durable file writes: a file appears whole or not at all, and its name survives a power cut."""

import contextlib
import os
import uuid


def write_atomically(path: str, data: bytes) -> None:
    """A temporary file in the same folder, synced, then renamed over the target."""
    temporary = f"{path}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with open(temporary, "wb") as target:
            target.write(data)
            target.flush()
            os.fsync(target.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise
    sync_folder(os.path.dirname(path))


def sync_folder(folder: str) -> None:
    """Make a rename in `folder` durable; where folders cannot be synced (Windows, some USB
    file systems) the rename is only as durable as the system makes it."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

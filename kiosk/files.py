"""Durable file writes: a file appears whole or not at all, and its name survives a power cut.
And private files: what holds personal data (the database, backups, the config with its secret)
is readable by the kiosk's own user only, in a folder only that user may enter.
"""

import contextlib
import logging
import os
import uuid

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
# What SQLite keeps beside a database file: the write-ahead log, its index, a rollback journal.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
logger = logging.getLogger(__name__)


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


def private_folder(path: str) -> None:
    """Create `path` (and its parents) for this user only, or make an existing one so."""
    os.makedirs(path, mode=PRIVATE_FOLDER, exist_ok=True)
    make_private(path, PRIVATE_FOLDER)


def create_private_file(path: str) -> None:
    """An empty file only this user may read, unless `path` exists; SQLite takes an empty file
    as a new database and gives its -wal and -shm files the database file's mode."""
    if not os.path.exists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))


def private_database_files(path: str) -> None:
    """Make an SQLite database and the files beside it private, where they exist (instances
    made before their files were created private)."""
    for name in (path, *(path + suffix for suffix in SQLITE_COMPANIONS)):
        make_private(name, PRIVATE_FILE)


def make_private(path: str, mode: int) -> None:
    """chmod `path` to `mode` if it exists and has other bits; a file or folder owned by someone
    else is reported, not fatal: the kiosk still starts. File modes are POSIX only."""
    if os.name != "posix":
        return
    try:
        if os.stat(path).st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        pass
    except OSError as problem:
        logger.warning("Could not make %s private (mode %o): %s", path, mode, problem)

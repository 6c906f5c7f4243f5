"""Backups of the SQLite database while the kiosk runs, and bringing one back after checking it.

A backup is `VACUUM INTO` a new file: one consistent snapshot of the database, written beside
the running server (readers never block writers in WAL mode), without the free pages that
could still hold erased rows. It is checked, made private (0600) and only then given its
final name, so a half-written file never looks like a backup.

The files the instance keeps beside the database, the recordings that read texts aloud
(CARRIED_FOLDERS: `audio/`, with the takes waiting for approval), travel inside the backup file,
in a table of its own (FILES_TABLE): one file is one backup, checked, private and rotated as
before. A restore puts them back in place of the current ones and drops the table; a backup made
before they were carried leaves the folder as it is.

`kiosk serve` holds a shared lock on `serve.lock` in the instance folder while it runs, and a
restore needs that lock exclusively: a database is never replaced under a running server.
"""

import contextlib
import os
import shutil
import sqlite3
from datetime import UTC, datetime

from flask import Flask

from ..files import PRIVATE_FILE, PRIVATE_FOLDER, sync_folder
from ..migrations import available

SQLITE_HEADER = b"SQLite format 3\x00"
BACKUP_PREFIX, BACKUP_SUFFIX = "kiosk-", ".sqlite3"
LOCK_NAME = "serve.lock"
# Instance folders whose files a backup carries: kiosk/visitor/audio.py's AUDIO_FOLDER.
CARRIED_FOLDERS = ("audio",)
FILES_TABLE = "backup_carried_file"

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; restore then cannot see a running server
    fcntl = None

_server_lock = None  # the open lock file of `kiosk serve`, held until the process ends


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is German, for the person at the CLI."""


# --- Where things are -----------------------------------------------------------------------------


def database_path(app: Flask) -> str:
    if app.config.get("DATABASE_URL"):
        raise BackupError(
            "Die Datenbank ist PostgreSQL (DATABASE_URL): sichern Sie sie mit pg_dump und"
            " spielen Sie sie mit pg_restore zurück; `kiosk backup` sichert nur SQLite."
        )
    return os.path.join(app.instance_path, app.config["DATABASE"])


def backup_folder(app: Flask) -> str:
    """BACKUP_DIR, relative to the instance folder; default: instance/backups."""
    return os.path.join(app.instance_path, app.config.get("BACKUP_DIR") or "backups")


def backups(folder: str) -> list[str]:
    """Paths of the backups in `folder`, oldest first (their names sort by time)."""
    if not os.path.isdir(folder):
        return []
    names = sorted(
        name
        for name in os.listdir(folder)
        if name.startswith(BACKUP_PREFIX) and name.endswith(BACKUP_SUFFIX)
    )
    return [os.path.join(folder, name) for name in names]


# --- Backup -----------------------------------------------------------------------------------


def create_backup(app: Flask) -> str:
    """Write a checked copy of the live database to BACKUP_DIR; keep the last BACKUP_KEEP.

    Returns the path of the new backup.
    """
    source = database_path(app)
    if not os.path.exists(source):
        raise BackupError(f"Es gibt noch keine Datenbank unter {source}: zuerst `kiosk init`.")
    folder = backup_folder(app)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    now = datetime.now(UTC)
    final = os.path.join(folder, f"{BACKUP_PREFIX}{now:%Y%m%dT%H%M%S.%f}Z{BACKUP_SUFFIX}")
    partial = os.path.join(folder, f".partial-{os.path.basename(final)}")
    try:
        snapshot_into(source, partial)
        pack_files(app.instance_path, partial)
        problem = integrity_problem(partial)
        if problem:
            raise BackupError(f"Die neue Sicherung ist beschädigt ({problem}); nichts gespeichert.")
        os.replace(partial, final)
        sync_folder(folder)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(partial)
    prune_backups(folder, app.config["BACKUP_KEEP"])
    return final


def snapshot_into(source: str, target: str) -> None:
    """VACUUM INTO an empty file created private, then flush it to the disk."""
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    connection = sqlite3.connect(source, timeout=30, isolation_level=None)
    try:
        connection.execute("VACUUM INTO ?", (target,))
    finally:
        connection.close()
    descriptor = os.open(target, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def prune_backups(folder: str, keep: int) -> list[str]:
    """Delete all but the newest `keep` backups; returns the deleted paths."""
    old = backups(folder)[: -max(keep, 1)]
    for path in old:
        os.remove(path)
    return old


# --- Checking a file ------------------------------------------------------------------------------


def integrity_problem(path: str) -> str | None:
    """None when `PRAGMA integrity_check` says ok, else its first complaint."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()
    return None if result == "ok" else result


def check_backup(path: str) -> list[str]:
    """Refuse anything but an intact kiosk database this code can run; returns its migrations."""
    if not os.path.isfile(path):
        raise BackupError(f"Die Datei {path} gibt es nicht.")
    with open(path, "rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path} ist keine SQLite-Datenbank.")
    try:
        problem = integrity_problem(path)
        migrations = applied_migrations(path)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} lässt sich nicht lesen: {error}.") from error
    if problem:
        raise BackupError(f"{path} ist beschädigt: {problem}.")
    if migrations is None:
        raise BackupError(
            f"{path} ist keine Datenbank des Kiosks (keine Tabelle schema_migration)."
        )
    unknown = sorted(set(migrations) - set(available()))
    if unknown:
        raise BackupError(
            f"{path} stammt von einer neueren Version des Kiosks (Migration {', '.join(unknown)})."
            " Bitte erst den Kiosk aktualisieren."
        )
    return migrations


def applied_migrations(path: str) -> list[str] | None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migration'"
        ).fetchone()
        if not found:
            return None
        return [row[0] for row in connection.execute("SELECT name FROM schema_migration")]
    finally:
        connection.close()


# --- The running server's lock ----------------------------------------------------------------


def hold_server_lock(app: Flask) -> None:
    """Called by `kiosk serve`: a shared lock for the life of the process (a restore waits).

    The kernel drops the lock when the process ends in any way, SIGKILL included.
    """
    global _server_lock
    if fcntl is None or _server_lock is not None:
        return
    lock = open(os.path.join(app.instance_path, LOCK_NAME), "a")  # noqa: SIM115
    fcntl.flock(lock, fcntl.LOCK_SH)
    _server_lock = lock


@contextlib.contextmanager
def server_stopped(app: Flask):
    """Hold the lock exclusively, or refuse when a `kiosk serve` is running on this instance."""
    if fcntl is None:
        yield
        return
    with open(os.path.join(app.instance_path, LOCK_NAME), "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(
                "Der Kiosk-Server läuft noch auf dieser Instanz. Bitte beenden Sie `kiosk serve`"
                " und versuchen Sie es dann noch einmal."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# --- Restore ----------------------------------------------------------------------------------


def restore_backup(app: Flask, path: str) -> str:
    """Replace the live database with the checked backup at `path`, with the server stopped.

    The current database goes into BACKUP_DIR as `kiosk-<time>Z-before-restore.sqlite3`: a
    backup like the others, so it can be brought back and is deleted with them (it holds
    personal data, which must not outlive the backups' rotation). Returns its path, or ""
    when there was no database.
    """
    check_backup(path)
    live = database_path(app)
    with server_stopped(app):
        kept = set_aside(live, backup_folder(app))
        if kept:
            pack_files(app.instance_path, kept)  # a backup like the others: with its recordings
        incoming = f"{live}.restoring"
        snapshot_into(path, incoming)
        unpack_files(incoming, app.instance_path)
        os.replace(incoming, live)
        sync_folder(os.path.dirname(live))
    return kept


def set_aside(live: str, folder: str) -> str:
    """Fold the WAL into the live database, then move it into `folder` under a backup's name;
    stale -wal/-shm files go."""
    if not os.path.exists(live):
        return ""
    connection = sqlite3.connect(live, isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    os.makedirs(folder, mode=0o700, exist_ok=True)
    name = f"{BACKUP_PREFIX}{datetime.now(UTC):%Y%m%dT%H%M%S.%f}Z-before-restore{BACKUP_SUFFIX}"
    kept = os.path.join(folder, name)
    os.chmod(live, 0o600)  # it holds personal data like the backups do
    shutil.move(live, kept)  # a rename, or a copy when BACKUP_DIR is on another drive
    sync_folder(folder)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(live + suffix)
    return kept


# --- The files beside the database ------------------------------------------------------------


def carried_files(instance_path: str):
    """(path inside the instance with "/", path on disk) of every file of CARRIED_FOLDERS;
    half-written temporary files are left out."""
    for folder in CARRIED_FOLDERS:
        for root, _, names in os.walk(os.path.join(instance_path, folder)):
            for name in sorted(names):
                path = os.path.join(root, name)
                if name.endswith(".tmp") or not os.path.isfile(path) or os.path.islink(path):
                    continue
                yield os.path.relpath(path, instance_path).replace(os.sep, "/"), path


def pack_files(instance_path: str, target: str) -> int:
    """Copy the carried files into the backup file `target`; returns how many."""
    connection = sqlite3.connect(target, isolation_level=None)
    count = 0
    try:
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS {FILES_TABLE} (path TEXT PRIMARY KEY, data BLOB NOT NULL)"
        )
        connection.execute("BEGIN")
        for relative, path in carried_files(instance_path):
            with open(path, "rb") as file:
                connection.execute(
                    f"INSERT OR REPLACE INTO {FILES_TABLE} VALUES (?, ?)", (relative, file.read())
                )
            count += 1
        connection.execute("COMMIT")
    finally:
        connection.close()
    return count


def unpack_files(source: str, instance_path: str) -> int | None:
    """Replace the carried folders with the files the database copy `source` carries, then drop
    them from it; None (nothing changed) for a backup that carries none."""
    connection = sqlite3.connect(source, isolation_level=None)
    try:
        found = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FILES_TABLE,)
        ).fetchone()
        if not found:
            return None
        rows = connection.execute(f"SELECT path, data FROM {FILES_TABLE}").fetchall()
        for folder in CARRIED_FOLDERS:
            inside = [(path, data) for path, data in rows if path.startswith(f"{folder}/")]
            replace_folder(instance_path, folder, inside)
        connection.execute(f"DROP TABLE {FILES_TABLE}")
        connection.execute("VACUUM")  # the live database holds no copy of them
    finally:
        connection.close()
    return len(rows)


def replace_folder(instance_path: str, folder: str, files: list[tuple[str, bytes]]) -> None:
    """Write `files` into a new folder, then swap it for `folder` (private, like the instance)."""
    live = os.path.join(instance_path, folder)
    staging, old = f"{live}.restoring", f"{live}.old"
    for leftover in (staging, old):
        shutil.rmtree(leftover, ignore_errors=True)
    os.makedirs(staging, mode=PRIVATE_FOLDER)
    for relative, data in files:
        parts = relative.split("/")[1:]
        if not parts or any(part in ("", ".", "..") for part in parts):
            continue  # never outside the folder, whatever a backup file says
        path = os.path.join(staging, *parts)
        os.makedirs(os.path.dirname(path), mode=PRIVATE_FOLDER, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    if os.path.exists(live):
        os.replace(live, old)
    os.replace(staging, live)
    sync_folder(instance_path)
    shutil.rmtree(old, ignore_errors=True)

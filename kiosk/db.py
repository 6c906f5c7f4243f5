"""The database chosen by config (SQLite file or URL): connections, migrations, this site's row.

Connections: on SQLite every thread keeps its connection open between requests (waitress
serves from a fixed pool of threads, so that is one connection per thread for the life of the
process). Opening one costs five PRAGMAs, and closing the last one checkpoints the WAL and
deletes the -wal and -shm files, which the next request would create again: that was almost half
of a visitor step's server time. SQLite's auto-checkpoint and the scheduler's passive
`checkpoint_wal` keep the WAL short instead; erasures and the nightly purge empty it at once.
Other databases (PostgreSQL) still connect per request, as before.

Each app has its own database object; the global `kiosk.extensions.db` proxy points at the one
of the app whose request runs, so two apps in one thread (tests) never share a connection.
"""

import os
import weakref
from collections.abc import Callable
from contextlib import contextmanager

from flask import Flask, current_app
from peewee import Database, Query, SqliteDatabase
from playhouse.db_url import connect

from .directory.builtin import install_builtin
from .extensions import db
from .files import create_private_file, private_database_files
from .migrations import apply_migrations
from .models import DirectoryEntry, FormVersion, Site
from .models.base import write_transaction as write_transaction  # where writers find it

# WAL lets the review pages read while a visitor's answers are written; synchronous=FULL makes a
# commit that returned survive a power cut, not just a crash; secure_delete overwrites erased rows.
# Connections stay open, so no last close deletes the WAL: journal_size_limit makes SQLite cut the
# file back to 4 MiB whenever it starts the log from the beginning again.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "full",
    "secure_delete": "on",
    "journal_size_limit": 4 * 1024 * 1024,
}
DATABASE_KEY = "kiosk_database"  # the app's own database object in app.extensions

# What this process has read or built for one database object and may keep: rows that never
# change (form versions) and SQL texts. Per database object, because ids differ between
# databases (two apps in one test); `prepare_database` empties it, as after a restore.
_caches: "weakref.WeakKeyDictionary[Database, dict]" = weakref.WeakKeyDictionary()


class PrivateSqliteDatabase(SqliteDatabase):
    """An SQLite file that is created readable by this user only (0600), as the backups are:
    SQLite would create it 0644 (minus the umask), and its -wal and -shm files take its mode."""

    def _connect(self):
        if self.database != ":memory:" and not self.database.startswith("file:"):
            create_private_file(self.database)
        return super()._connect()


def make_database(config: dict, instance_path: str) -> Database:
    """A peewee database for DATABASE_URL, or else the SQLite file DATABASE in the instance."""
    if config.get("DATABASE_URL"):
        return connect(config["DATABASE_URL"])
    path = os.path.join(instance_path, config["DATABASE"])
    return PrivateSqliteDatabase(path, pragmas=SQLITE_PRAGMAS)


def checkpoint_wal(mode: str = "TRUNCATE") -> None:
    """Copy the write-ahead log into the database file (SQLite only).

    TRUNCATE (erasure, purge) also empties the log: erased rows would otherwise stay readable
    in old WAL frames until those are reused; secure_delete overwrites them in the database file
    itself. It holds new writers back until every reader is done, so the scheduler's regular run
    uses PASSIVE, which never blocks a visitor's write (a backup's VACUUM INTO can read for
    seconds); once all of the log is in the file, the next writer starts it from the beginning.
    """
    if isinstance(db.obj, SqliteDatabase):
        db.execute_sql(f"PRAGMA wal_checkpoint({mode})")


@contextmanager
def unsynced_commits():
    """Commits inside skip the fsync (SQLite's synchronous=NORMAL), for writes that promise
    nobody anything: a draft's answers while the visitor is still answering.

    Why this is safe: in WAL mode, NORMAL only leaves the last commits in the operating system's
    cache, so a crash or kill -9 of the server loses nothing and a power cut loses at most those
    last draft answers; the database can never be corrupted by it. The commit that stores a
    submission runs with FULL again and its fsync of the WAL file also makes every earlier frame
    durable, so "thank you" is still said only after a durable commit.
    """
    database = db.obj
    if not isinstance(database, SqliteDatabase):
        yield
        return
    connection = database.connection()
    connection.execute("PRAGMA synchronous = NORMAL")
    try:
        yield
    finally:
        connection.execute("PRAGMA synchronous = FULL")


def database_cache() -> dict:
    """The current database's cache (see `_caches`); its users key it by kind, e.g. ("sql", …)."""
    database = db.obj
    cache = _caches.get(database)
    if cache is None:
        cache = _caches[database] = {}
    return cache


def built_sql(name: str, build: Callable[[], Query]) -> str:
    """The SQL text of the query `build()` makes, built by peewee once per database and then
    reused with new parameters: on a visitor's step, building SQL was most of peewee's time."""
    cache = database_cache()
    sql = cache.get(("sql", name))
    if sql is None:
        sql = cache["sql", name] = build().sql()[0]
    return sql


def use_database(database: Database) -> None:
    """Point `db` at `database`; this thread's connection to the previous one is closed first,
    so that nothing of another app's file stays open behind it."""
    previous = db.obj
    if previous is database:
        return
    if previous is not None and not previous.is_closed() and not previous.in_transaction():
        previous.close()
    db.initialize(database)


def end_request(error: BaseException | None) -> None:
    """After each request: keep an SQLite connection for this thread's next request.

    It is closed anyway after an unhandled error (a connection in a doubtful state is not
    reused) or with a transaction left open (which would hold the write lock), and always on
    other databases, which connect per request.
    """
    database = db.obj
    if database is None or database.is_closed():
        return
    connection = database.connection()
    left_open = database.in_transaction() or getattr(connection, "in_transaction", False)
    if isinstance(database, SqliteDatabase) and error is None and not left_open:
        return
    if left_open:
        database.dispose()  # forget it, and the transaction peewee may still count as open
        connection.close()  # which rolls back what was not committed
    else:
        database.close()


def init_app(app: Flask) -> None:
    database = make_database(app.config, app.instance_path)
    app.extensions[DATABASE_KEY] = database
    use_database(database)

    @app.before_request
    def open_connection():
        """This app's database, and this thread's connection to it (open from the last time)."""
        if db.obj is not database:
            use_database(database)
        database.connect(reuse_if_open=True)

    app.teardown_request(end_request)


def close_connection() -> None:
    """Close this thread's connection, if open and outside a transaction; the next use opens a
    fresh one (e.g. after `kiosk restore` replaced the file under it)."""
    if db.obj is not None and not db.is_closed() and not db.in_transaction():
        db.close()


def prepare_database(app: Flask) -> list[str]:
    """Apply pending migrations, record this site and the current version of every form, and
    install the help lines shipped with the program (kiosk/directory/builtin.py).

    An SQLite file and its -wal and -shm made readable by others (before they were created
    private) are made private first."""
    use_database(app.extensions[DATABASE_KEY])
    close_connection()  # the file may have been replaced (restore) since it was opened
    if isinstance(db.obj, SqliteDatabase) and db.obj.database != ":memory:":
        private_database_files(db.obj.database)
    _caches.pop(db.obj, None)
    with db.connection_context():
        applied = apply_migrations(db.obj)
        app.extensions["kiosk_site"] = Site.local(app.config["SITE_SLUG"], app.config["SITE_NAME"])
        for spec in app.extensions["kiosk_forms"].values():
            FormVersion.for_spec(spec)
        if DirectoryEntry.table_exists():  # not while a test stops the migrations early
            install_builtin()  # writes only when the shipped help lines changed
    return applied


def this_site() -> Site:
    """This Treffpunkt's row: looked up once per app (or made by prepare_database), not per use."""
    site = current_app.extensions.get("kiosk_site")
    if site is None:
        config = current_app.config
        site = current_app.extensions["kiosk_site"] = Site.local(
            config["SITE_SLUG"], config["SITE_NAME"]
        )
    return site

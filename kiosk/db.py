"""The database chosen by config (SQLite file or URL), opened per request and closed on teardown."""

import os

from flask import Flask
from peewee import Database, SqliteDatabase
from playhouse.db_url import connect

from .extensions import db

# WAL lets the review pages read while a visitor's answers are written; synchronous=FULL makes a
# commit that returned survive a power cut, not just a crash; secure_delete overwrites erased rows.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "full",
    "secure_delete": "on",
}


def make_database(config: dict, instance_path: str) -> Database:
    """A peewee database for DATABASE_URL, or else the SQLite file DATABASE in the instance."""
    if config.get("DATABASE_URL"):
        return connect(config["DATABASE_URL"])
    path = os.path.join(instance_path, config["DATABASE"])
    return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS)


def checkpoint_wal() -> None:
    """Copy the write-ahead log into the database file and empty it (SQLite only).

    Erased rows would otherwise stay readable in old WAL frames until those are reused;
    secure_delete overwrites them in the database file itself.
    """
    if isinstance(db.obj, SqliteDatabase):
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def write_transaction():
    """A transaction that will write: on SQLite it takes the write lock at once (BEGIN IMMEDIATE),
    so a second writer waits (busy_timeout) instead of failing when its read turns into a write.
    """
    if isinstance(db.obj, SqliteDatabase):
        return db.atomic(lock_type="IMMEDIATE")
    return db.atomic()


def init_app(app: Flask) -> None:
    db.initialize(make_database(app.config, app.instance_path))

    @app.before_request
    def open_connection():
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def close_connection(exc):
        if not db.is_closed():
            db.close()

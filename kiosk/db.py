"""The database chosen by config (SQLite file or URL): connections, migrations, this site's row."""

import os

from flask import Flask, current_app
from peewee import Database, SqliteDatabase
from playhouse.db_url import connect

from .extensions import db
from .migrations import apply_migrations
from .models import FormVersion, Site

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


def prepare_database(app: Flask) -> list[str]:
    """Apply pending migrations and record this site and the current version of every form."""
    with db.connection_context():
        applied = apply_migrations(db.obj)
        app.extensions["kiosk_site"] = Site.local(app.config["SITE_SLUG"], app.config["SITE_NAME"])
        for spec in app.extensions["kiosk_forms"].values():
            FormVersion.for_spec(spec)
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

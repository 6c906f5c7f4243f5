"""The instance holds personal data: its folder is 0700 and the database with its -wal and
-shm files 0600, like the config and the backups; an older, readable instance is fixed at start.

The tests set the usual umask 022 themselves, under which files are created readable by all
unless the program says otherwise.
"""

import os
import sqlite3
import stat

import pytest

from kiosk import create_app
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.models import Site

import pg_support

CONFIG = {"SECRET_KEY": "test-secret", "TESTING": True}


@pytest.fixture(autouse=True)
def usual_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def database_files(instance) -> dict[str, int]:
    """The mode of the database and each file SQLite keeps beside it."""
    names = ("kiosk.sqlite3", "kiosk.sqlite3-wal", "kiosk.sqlite3-shm")
    return {name: mode(instance / name) for name in names if (instance / name).exists()}


def test_kiosk_init_makes_a_private_instance(instance):
    app = create_app()
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    with app.app_context(), db.connection_context():
        Site.update(name="Treffpunkt West").execute()  # a write: the WAL is in use
        files = database_files(instance)
    assert mode(instance) == 0o700
    assert mode(instance / "config.py") == 0o600
    assert files == {
        "kiosk.sqlite3": 0o600,
        "kiosk.sqlite3-wal": 0o600,
        "kiosk.sqlite3-shm": 0o600,
    }


def test_an_older_readable_instance_is_made_private_at_start(instance):
    instance.mkdir(mode=0o755)
    older = sqlite3.connect(instance / "kiosk.sqlite3", isolation_level=None)
    try:  # another process holds it open in WAL mode: -wal and -shm exist, all 0644
        older.execute("PRAGMA journal_mode = wal")
        older.execute("CREATE TABLE earlier (id INTEGER)")
        assert set(database_files(instance).values()) == {0o644}
        app = create_app(CONFIG)
        assert mode(instance) == 0o700
        prepare_database(app)
        assert set(database_files(instance).values()) == {0o600}
        assert len(database_files(instance)) == 3
    finally:
        older.close()


def test_a_database_file_that_went_missing_comes_back_private(app, instance):
    """The file is made private whenever a connection creates it, not only by `kiosk init`."""
    with app.app_context():
        db.close()
        for name in database_files(instance):
            os.remove(instance / name)
        with db.connection_context():
            db.execute_sql("CREATE TABLE again (id INTEGER)")
            assert set(database_files(instance).values()) == {0o600}


def test_postgresql_leaves_the_instance_without_database_files(instance):
    app = create_app(CONFIG | {"DATABASE_URL": pg_support.server().new_database()})
    prepare_database(app)
    with app.app_context(), db.connection_context():
        assert Site.select().count() == 1
    assert database_files(instance) == {}
    assert mode(instance) == 0o700

"""Numbered schema migrations: each `NNNN_name.py` has `apply(database)`; each runs once, in order.

A migration keeps frozen copies of the models as they were when it was written, so that
later changes to `kiosk.models` never change what an old migration does.
"""

import contextlib
import importlib
import pkgutil
from datetime import UTC, datetime

from peewee import CharField, Database, DateTimeField, Model, PostgresqlDatabase, SqliteDatabase


def _history_model(database: Database) -> type[Model]:
    class SchemaMigration(Model):
        name = CharField(unique=True)
        applied_at = DateTimeField()

        class Meta:
            table_name = "schema_migration"

    SchemaMigration.bind(database)
    return SchemaMigration


def available() -> list[str]:
    """Names of the migration modules in this package, in the order they apply."""
    names = (info.name for info in pkgutil.iter_modules(__path__))
    return sorted(name for name in names if name[:4].isdigit())


def pending(database: Database) -> list[str]:
    history = _history_model(database)
    if not history.table_exists():
        return available()
    done = {row.name for row in history.select(history.name)}
    return [name for name in available() if name not in done]


# Any fixed number: PostgreSQL's advisory lock that one migrating process holds at a time.
POSTGRES_LOCK = 20260406


@contextlib.contextmanager
def _one_process_at_a_time(database: Database):
    """On PostgreSQL, a second process waits here until the first has applied everything."""
    if not isinstance(database, PostgresqlDatabase):
        yield
        return
    database.execute_sql("SELECT pg_advisory_lock(%s)", (POSTGRES_LOCK,))
    try:
        yield
    finally:
        database.execute_sql("SELECT pg_advisory_unlock(%s)", (POSTGRES_LOCK,))


def apply_migrations(database: Database) -> list[str]:
    """Apply every pending migration, each in its own transaction; returns the applied names."""
    with _one_process_at_a_time(database):
        return _apply_pending(database)


def _apply_pending(database: Database) -> list[str]:
    history = _history_model(database)
    history.create_table(safe=True)
    applied = []
    for name in available():
        # An IMMEDIATE transaction makes a second process wait here instead of applying it twice.
        lock = {"lock_type": "IMMEDIATE"} if isinstance(database, SqliteDatabase) else {}
        with database.atomic(**lock):
            if history.get_or_none(history.name == name):
                continue
            importlib.import_module(f"{__name__}.{name}").apply(database)
            history.create(name=name, applied_at=datetime.now(UTC).replace(tzinfo=None))
        applied.append(name)
    return applied

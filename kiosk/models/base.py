"""The base of every model, JSON stored as text, and the transaction of a writer."""

import json

from peewee import Model, SqliteDatabase, TextField

from ..extensions import db


class JSONField(TextField):
    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


def write_transaction():
    """A transaction that will write: on SQLite it takes the write lock at once (BEGIN IMMEDIATE),
    so a second writer waits (busy_timeout) instead of failing when its read turns into a write.
    """
    if isinstance(db.obj, SqliteDatabase):
        return db.atomic(lock_type="IMMEDIATE")
    return db.atomic()

"""Visitor codes: `submission.visitor_code` (e.g. "K7-42"), indexed for the inbox search.

The thank-you of a form with `visitor_code = true` shows the code, which volunteers type into the
inbox search. Submissions stored before this migration keep NULL: no visitor was ever shown a
code for them, so none will be asked for, and computing them would only add false matches to
the search. A code is not unique (kiosk/formspec/visitor_code.py): a plain index.
"""

from peewee import CharField, Database
from playhouse.migrate import SchemaMigrator, migrate


def apply(database: Database) -> None:
    migrator = SchemaMigrator.from_database(database)
    migrate(
        migrator.add_column("submission", "visitor_code", CharField(null=True)),
        migrator.add_index("submission", ("visitor_code",), False),
    )

"""Drafts belong to one browser: `draft.browser` and `draft.address` (kiosk/visitor/drafts.py).

`browser` is the SHA-256 of the secret in the cookie of the browser that started the draft, and
only that browser sees or continues it; `address` is a keyed hash of the client's address, for
the limit of unfinished answers per address. Drafts stored before this migration have no owner,
so no browser could ever continue them: they are deleted here rather than left to expire
(DRAFT_MAX_AGE_HOURS) with a visitor's name in them. Submissions and queued offline submissions
(which need no draft) are not touched.
"""

from peewee import CharField, Database
from playhouse.migrate import SchemaMigrator, migrate


def apply(database: Database) -> None:
    database.execute_sql("DELETE FROM draft")
    migrator = SchemaMigrator.from_database(database)
    migrate(
        migrator.add_column("draft", "browser", CharField(null=True)),
        migrator.add_column("draft", "address", CharField(null=True)),
        migrator.add_index("draft", ("browser",), False),
    )

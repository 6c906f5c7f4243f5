"""The inbox's "Zu tun": an index of submissions by (status, assigned_to_id, created_at, id,
form_version_id).

"Zu tun" (kiosk/review/inbox_views.py) lists the new submissions nobody has taken and those
assigned to the reader and not done. With this index each of the two is one range of it, read
in order and without the rows; without it, the rows of every unassigned submission were read.
"""

from peewee import Database
from playhouse.migrate import SchemaMigrator, migrate


def apply(database: Database) -> None:
    migrator = SchemaMigrator.from_database(database)
    migrate(
        migrator.add_index(
            "submission", ("status", "assigned_to_id", "created_at", "id", "form_version_id"), False
        ),
    )

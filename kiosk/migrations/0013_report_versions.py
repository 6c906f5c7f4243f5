"""Versions of a report: the hub keeps each received report's version and when a higher one
superseded it; a site remembers the reports it must build again (`report_rebuild`).

`received_report` gains `version` (1 for every report received so far: their records name none)
and `superseded_at`. A report already superseded counts as superseded from this migration on, so
the nightly maintenance deletes it HUB_SUPERSEDED_DAYS later, not at once.

`report_rebuild`: one row per site and period whose built report still shows an erased
submission or a comment whose approval was withdrawn, until a new version is built.
"""

from datetime import UTC, datetime

from peewee import (
    CharField,
    Database,
    DateTimeField,
    IntegerField,
    Model,
    TextField,
    UUIDField,
)
from playhouse.migrate import SchemaMigrator, migrate


def apply(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    # The table as far as this migration needs it (made by 0004).
    class ReceivedReport(Base):
        superseded_by = UUIDField(null=True)
        superseded_at = DateTimeField(null=True)

    class ReportRebuild(Base):
        site_slug = CharField()
        period_key = CharField()
        requested_at = DateTimeField()
        requests = IntegerField(default=1)
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField()
        last_error = TextField(default="")

        class Meta:
            indexes = ((("site_slug", "period_key"), True),)

    migrator = SchemaMigrator.from_database(database)
    migrate(
        migrator.add_column("received_report", "version", IntegerField(default=1)),
        migrator.add_column("received_report", "superseded_at", DateTimeField(null=True)),
    )
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    database.bind([ReceivedReport, ReportRebuild])
    ReceivedReport.update(superseded_at=now).where(
        ReceivedReport.superseded_by.is_null(False)
    ).execute()
    database.create_tables([ReportRebuild])

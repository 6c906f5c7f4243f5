"""Delivery to the Stadthaus: targets, the outbox and the once-a-day job claims (frozen copies)."""

from peewee import CharField, Database, DateField, DateTimeField, IntegerField, Model, TextField


def apply(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    class SyncTarget(Base):
        name = CharField(unique=True)
        kind = CharField()
        added_at = DateTimeField()
        skipped_reports = TextField()
        heartbeat_at = DateTimeField(null=True)
        heartbeat_ok_at = DateTimeField(null=True)
        heartbeat_error = TextField()

    class OutboxItem(Base):
        report_uuid = CharField()
        target = CharField(index=True)
        site_slug = CharField()
        period_key = CharField()
        period_start = DateField()
        enqueued_at = DateTimeField()
        attempts = IntegerField()
        next_attempt_at = DateTimeField()
        last_attempt_at = DateTimeField(null=True)
        last_error = TextField()
        lease_until = DateTimeField(null=True)
        delivered_at = DateTimeField(null=True, index=True)
        receipt = TextField()
        superseded_by = CharField(null=True)

        class Meta:
            table_name = "outbox"
            indexes = ((("report_uuid", "target"), True),)

    class ScheduledRun(Base):
        job = CharField()
        day = DateField()
        started_at = DateTimeField()
        finished_at = DateTimeField(null=True)
        error = TextField()

        class Meta:
            indexes = ((("job", "day"), True),)

    tables = [SyncTarget, OutboxItem, ScheduledRun]
    database.bind(tables)
    database.create_tables(tables)

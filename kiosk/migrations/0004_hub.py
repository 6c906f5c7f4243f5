"""The hub at the Stadthaus: sites and their token hashes, received reports and PDFs, heartbeats."""

from peewee import (
    BlobField,
    CharField,
    Database,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    UUIDField,
)


def apply(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    class HubSite(Base):
        slug = CharField(unique=True)
        name = CharField()
        token_hash = CharField(unique=True)
        created_at = DateTimeField()
        revoked_at = DateTimeField(null=True)

    class ReceivedReport(Base):
        uuid = UUIDField(unique=True)
        site = ForeignKeyField(HubSite, on_delete="RESTRICT")
        sha256 = CharField(max_length=64)
        period_key = CharField(index=True)
        period_start = DateField()
        period_end = DateField()
        created = DateTimeField()
        received_at = DateTimeField()
        record = TextField()
        replaces = UUIDField(null=True, index=True)
        superseded_by = UUIDField(null=True)

    class ReceivedPdf(Base):
        report = ForeignKeyField(ReceivedReport, primary_key=True, on_delete="CASCADE")
        data = BlobField()

    class Heartbeat(Base):
        site = ForeignKeyField(HubSite, unique=True, on_delete="CASCADE")
        received_at = DateTimeField()
        sent_at = DateTimeField(null=True)
        version = CharField()
        last_submission_at = DateTimeField(null=True)
        outbox_length = IntegerField()
        last_report_uuid = CharField(null=True)
        last_report_period = CharField(null=True)
        last_report_created = DateTimeField(null=True)

    models = [HubSite, ReceivedReport, ReceivedPdf, Heartbeat]
    database.bind(models)
    database.create_tables(models)

"""Forms from the Stadthaus: the hub's published versions (`hub_form`), what each site reports
it runs (`hub_site_forms`), and on a site its pulls (`form_pull_state`) and the hub versions it
took (`received_hub_form`). New tables only; SQLite and PostgreSQL alike.
"""

from datetime import UTC, datetime

from peewee import (
    BooleanField,
    CharField,
    Database,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def apply(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    # The table as far as this migration needs it (made by 0004).
    class HubSite(Base):
        slug = CharField(unique=True)

    class HubForm(Base):
        slug = CharField()
        number = IntegerField()
        checksum = CharField(max_length=64)
        package = TextField()
        all_sites = BooleanField(default=True)
        sites = TextField(default="[]")
        title = CharField(default="")
        published_by = CharField()
        published_at = DateTimeField(default=now)

        class Meta:
            indexes = ((("slug", "number"), True),)

    class HubSiteForms(Base):
        site = ForeignKeyField(HubSite, unique=True, on_delete="CASCADE")
        forms = TextField(default="[]")
        reported_at = DateTimeField(default=now)

    class FormPullState(Base):
        target = CharField(unique=True)
        version = CharField(default="")
        forms = IntegerField(default=0)
        attempted_at = DateTimeField(null=True)
        fetched_at = DateTimeField(null=True)
        applied_at = DateTimeField(null=True)
        error = TextField(default="")

    class ReceivedHubForm(Base):
        slug = CharField()
        number = IntegerField()
        checksum = CharField(max_length=64)
        local_number = IntegerField(null=True)
        received_at = DateTimeField(default=now)

        class Meta:
            indexes = ((("slug", "checksum"), True),)

    tables = [HubForm, HubSiteForms, FormPullState, ReceivedHubForm]
    database.bind([HubSite, *tables])
    database.create_tables(tables)

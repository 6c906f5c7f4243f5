"""Published form versions (kiosk/publishing/): `published_form`, one row per version of a form
that came as a package (an XLSForm upload or the hub) with its state, and `form_pin`, a form held
at a chosen version.
"""

from peewee import CharField, Database, DateTimeField, IntegerField, Model, TextField


def apply(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    class PublishedForm(Base):
        slug = CharField()
        number = IntegerField()
        checksum = CharField(max_length=64)
        package = TextField()
        origin = CharField(default="upload")
        state = CharField(default="pending")
        published_by = CharField()
        published_at = DateTimeField()
        activated_at = DateTimeField(null=True)
        note = TextField(default="")

        class Meta:
            table_name = "published_form"
            indexes = ((("slug", "number"), True), (("slug", "checksum"), False))

    class FormPin(Base):
        slug = CharField(unique=True)
        number = IntegerField()
        pinned_by = CharField()
        pinned_at = DateTimeField()

        class Meta:
            table_name = "form_pin"

    database.bind([PublishedForm, FormPin])
    database.create_tables([PublishedForm, FormPin])

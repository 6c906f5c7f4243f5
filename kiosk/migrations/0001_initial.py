"""The first schema: site, form versions, drafts, submissions and answers (frozen copies)."""

from peewee import (
    BooleanField,
    CharField,
    Database,
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

    class Site(Base):
        slug = CharField(unique=True)
        name = CharField()

    class FormVersion(Base):
        slug = CharField()
        number = IntegerField()
        version_hash = CharField()
        spec = TextField()
        created_at = DateTimeField()

        class Meta:
            indexes = ((("slug", "version_hash"), True), (("slug", "number"), True))

    class Draft(Base):
        uuid = UUIDField(primary_key=True)
        form_version = ForeignKeyField(FormVersion, on_delete="CASCADE")
        lang = CharField(max_length=8)
        answers = TextField()
        created_at = DateTimeField()
        updated_at = DateTimeField()

    class Submission(Base):
        uuid = UUIDField(unique=True)
        site = ForeignKeyField(Site, on_delete="RESTRICT")
        form_version = ForeignKeyField(FormVersion, on_delete="RESTRICT")
        lang = CharField(max_length=8)
        created_at = DateTimeField(index=True)

    class Answer(Base):
        submission = ForeignKeyField(Submission, on_delete="CASCADE")
        field = CharField()
        value = TextField()
        position = IntegerField(null=True)
        personal = BooleanField()

        class Meta:
            indexes = ((("field", "value"), False),)

    models = [Site, FormVersion, Draft, Submission, Answer]
    database.bind(models)
    database.create_tables(models)

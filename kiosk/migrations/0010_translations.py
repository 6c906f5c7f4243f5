"""Sprachpaten: checks and corrections of the catalogs' translations (`translation_override`).

One row per language, text and origin ("local": made on this kiosk; "hub": from the Stadthaus
with the directory pull): who said the text is right ("geprüft") or gave another one
("geändert"), when, and the catalog's translation it was made against. Nothing else changes.
"""

from peewee import CharField, Database, DateTimeField, Model, TextField


def apply(database: Database) -> None:
    class TranslationOverride(Model):
        lang = CharField(max_length=16)
        key = CharField(max_length=24)
        msgctxt = TextField(default="")
        msgid = TextField()
        msgid_plural = TextField(default="")
        forms = TextField()
        state = CharField()
        checked_by = CharField()
        checked_at = DateTimeField()
        origin = CharField(default="local")
        catalog_forms = TextField(default="[]")

        class Meta:
            table_name = "translation_override"
            indexes = ((("lang", "key", "origin"), True),)

    database.bind([TranslationOverride])
    database.create_tables([TranslationOverride])

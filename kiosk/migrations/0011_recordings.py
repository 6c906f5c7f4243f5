"""Sprachpaten: recordings made in the browser (`recording`) and German renderings of comments
(`comment_rendering`).

`recording`: one row per take of one text in one language: the hash of the words it says, what
the text is whatever its wording (its key), who recorded it and when, and, once a second person
approved it, who and when. Only approved takes play.

The recordings store before this migration was the instance folder alone: files
`<instance>/audio/<lang>/<hash>.<ext>` copied there by `kiosk audio import`. They stay where they
are and are approved recordings as they were: a file there is what the speaker button plays,
with or without a row, and the staff page shows one without a row as "freigegeben
(importiert)". They get no row here: a migration sees the database, not the instance folder,
and a row could not name the text a file was made for anyway (its hash names only the words).

`comment_rendering`: the German rendering of a free-text answer, one per answer, deleted with it.
"""

from peewee import (
    CharField,
    Database,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def apply(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    # The table this migration points at, as far as it needs it (never created here).
    class Answer(Base):
        pass

    class Recording(Base):
        lang = CharField(max_length=8)
        text_hash = CharField(max_length=16)
        text_key = TextField()
        text = TextField()
        ext = CharField(max_length=8)
        size = IntegerField()
        duration_ms = IntegerField()
        state = CharField()
        recorded_by = CharField()
        recorded_at = DateTimeField()
        approved_by = CharField(null=True)
        approved_at = DateTimeField(null=True)

        class Meta:
            indexes = ((("lang", "text_hash", "state"), False),)

    class CommentRendering(Base):
        answer = ForeignKeyField(Answer, unique=True, on_delete="CASCADE")
        text = TextField()
        by = CharField()
        at = DateTimeField()

    database.bind([Recording, CommentRendering])
    database.create_tables([Recording, CommentRendering])

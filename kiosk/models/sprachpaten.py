"""Sprachpaten (migration 0010): a bilingual volunteer's check or correction of one catalog text.

A `TranslationOverride` is the word of one person on one text in one language: "geprüft" (the
catalog's translation is right, recorded as it was) or "geändert" (this text instead). It keeps
the catalog's translation it was made against, so a later catalog update shows which checks and
corrections to look at again. Corrections apply on top of the catalogs (kiosk/i18n/overrides.py)
and survive program updates, since they live here and not in the .po files.

Rows of origin "local" are this kiosk's own; on a site, rows of origin "hub" came from the
Stadthaus with the directory pull and are replaced whole by the next pull. For one text, the
local row wins over the hub's.
"""

import hashlib

from peewee import CharField, DateTimeField, TextField, fn

from ..clock import utcnow
from .base import BaseModel, JSONField

CONFIRMED, CORRECTED = "geprüft", "geändert"
STATES = (CONFIRMED, CORRECTED)
OVERRIDE_ORIGINS = ("local", "hub")


def message_key(msgid: str, msgctxt: str = "") -> str:
    """A short fixed name of a catalog text (its context and singular msgid): for URLs and the
    unique index, since a msgid may be longer than PostgreSQL indexes."""
    return hashlib.sha256(f"{msgctxt}\x04{msgid}".encode()).hexdigest()[:24]


class TranslationOverride(BaseModel):
    lang = CharField(max_length=16)  # the catalog's language code: "ar", "fa", "ti"
    key = CharField(max_length=24)  # message_key(msgid, msgctxt)
    msgctxt = TextField(default="")
    msgid = TextField()
    msgid_plural = TextField(default="")
    forms = JSONField()  # the translation: [text], or one text per plural form
    state = CharField()  # CONFIRMED or CORRECTED
    checked_by = CharField()
    checked_at = DateTimeField(default=utcnow)
    origin = CharField(default="local")  # OVERRIDE_ORIGINS
    catalog_forms = JSONField(default=list)  # the catalog's translation then ([] when missing)

    class Meta:
        table_name = "translation_override"
        indexes = ((("lang", "key", "origin"), True),)

    @property
    def corrects(self) -> bool:
        return self.state == CORRECTED

    @classmethod
    def of_language(cls, lang: str) -> dict[str, "TranslationOverride"]:
        """{key: the row in force} for one language: the local row, else the hub's."""
        rows = cls.select().where(cls.lang == lang).order_by(cls.origin)  # "local" after "hub"
        return {row.key: row for row in rows}

    @classmethod
    def in_force(cls) -> list["TranslationOverride"]:
        """The row in force for every text of every language (local over hub)."""
        winners: dict[tuple[str, str], TranslationOverride] = {}
        for row in cls.select().order_by(cls.origin):  # "local" after "hub"
            winners[row.lang, row.key] = row
        return list(winners.values())

    @classmethod
    def held(cls, lang: str, key: str, origin: str = "local") -> "TranslationOverride | None":
        return cls.get_or_none(cls.lang == lang, cls.key == key, cls.origin == origin)

    @classmethod
    def change_key(cls, origin: str | None = None) -> tuple:
        """A summary that changes whenever a row (of `origin`) is added, removed or saved."""
        query = cls.select(fn.COUNT(cls.id), fn.MAX(cls.id), fn.SUM(cls.id), fn.MAX(cls.checked_at))
        if origin is not None:
            query = query.where(cls.origin == origin)
        return tuple(str(value) for value in query.tuples().get())

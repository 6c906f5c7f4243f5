"""The directory of offices and services (the Wegweiser), events, and the state of its pull.

It replaces the free-text routing table (`need_route`: one office name and a contact text per
need): each office named there becomes a local directory entry covering the needs it was named
for, with the contact texts kept as the entry's note for volunteers. The table then goes.
"""

import json
import re
import unicodedata
from datetime import UTC, datetime

from peewee import (
    BooleanField,
    CharField,
    Database,
    DateTimeField,
    IntegerField,
    Model,
    TextField,
    UUIDField,
)

UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slug(name: str) -> str:
    """`Jobcenter Wildeshausen` as `jobcenter-wildeshausen`."""
    text = unicodedata.normalize("NFKD", name.lower().translate(UMLAUTS))
    text = text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "stelle"


def apply(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    class DirectoryEntry(Base):
        key = CharField()
        origin = CharField()
        kind = CharField()
        name = CharField()
        texts = TextField()
        needs = TextField()
        street = CharField()
        postcode = CharField()
        city = CharField()
        phone = CharField()
        email = CharField()
        website = CharField()
        languages = TextField()
        appointment = CharField()
        hours = TextField()
        open_on_holidays = BooleanField()
        icon = CharField()
        position = IntegerField()
        example = BooleanField()
        confirmed_by = CharField()
        confirmed_at = DateTimeField(null=True)
        staff_note = TextField()
        updated_by = CharField()
        updated_at = DateTimeField()

        class Meta:
            indexes = ((("origin", "key"), True),)

    class Event(Base):
        uid = UUIDField(unique=True)
        texts = TextField()
        starts_at = DateTimeField(index=True)
        ends_at = DateTimeField()
        icon = CharField()
        updated_by = CharField()
        updated_at = DateTimeField()

    class DirectorySync(Base):
        target = CharField(unique=True)
        version = CharField()
        entries = IntegerField()
        attempted_at = DateTimeField(null=True)
        fetched_at = DateTimeField(null=True)
        applied_at = DateTimeField(null=True)
        error = TextField()

    database.bind([DirectoryEntry, Event, DirectorySync])
    database.create_tables([DirectoryEntry, Event, DirectorySync])
    if "need_route" not in database.get_tables():
        return
    offices: dict[str, dict] = {}
    for need, office, contact in database.execute_sql(
        "SELECT need, office, contact FROM need_route ORDER BY need"
    ):
        entry = offices.setdefault(office, {"needs": [], "notes": []})
        entry["needs"].append(need)
        if contact and contact not in entry["notes"]:
            entry["notes"].append(contact)
    now = datetime.now(UTC).replace(tzinfo=None)
    keys: set[str] = set()
    for office, entry in sorted(offices.items()):
        key, number = slug(office), 2
        while key in keys:
            key, number = f"{slug(office)}-{number}", number + 1
        keys.add(key)
        DirectoryEntry.create(
            key=key,
            origin="local",
            kind="office",
            name=office,
            texts="{}",
            needs=json.dumps(entry["needs"], ensure_ascii=False),
            street="",
            postcode="",
            city="",
            phone="",
            email="",
            website="",
            languages="[]",
            appointment="",
            hours="{}",
            open_on_holidays=False,
            icon="",
            position=0,
            example=False,
            confirmed_by="",
            staff_note="\n".join(entry["notes"]),
            updated_by="Zuständigkeiten (übernommen)",
            updated_at=now,
        )
    database.execute_sql('DROP TABLE "need_route"')

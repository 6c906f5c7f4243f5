"""The directory in and out as a JSON document (docs/directory.md): export, import, replace.

- `export_document` writes the entries of some origins (one per key, the most local) and the
  events, in display order, so the same directory always gives the same document (the hub's
  ETag is a hash of it).
- `import_document` checks a whole document first and then applies it in one transaction:
  entries by key into origin "local", events by UID. A problem anywhere changes nothing.
- `replace_origin` makes the entries of one origin exactly the given ones ("hub" after a pull,
  "builtin" for the shipped help lines); the other origins are never touched.
- `export_translations` and `replace_translations`: the Sprachpaten's checks and corrections
  that a hub sends with its directory, and a site keeps as origin "hub" beside its own.

Times are stored as naive UTC; documents carry them on Wildeshausen's clock with their offset.
"""

import copy
import json
import uuid
from collections.abc import Iterable
from datetime import datetime

from ..clock import local_time, utcnow
from ..i18n.corrections import CorrectionError, check_text
from ..i18n.overrides import invalidate as translations_changed
from ..models import DirectoryEntry, Event
from ..models.base import write_transaction
from ..models.directory import ORIGINS
from ..models.sprachpaten import TranslationOverride, message_key
from .entries import winning
from .hours import HoursError, check_hours
from .schema import (
    ENTRY_DEFAULTS,
    ENTRY_FIELDS,
    EVENT_DEFAULTS,
    FORMAT,
    FORMAT_VERSION,
    DirectoryError,
    event_uid,
    to_utc,
    validate,
)

ALL_KINDS = ("office", "helpline", "treffpunkt")
# Who changed an entry, for the staff pages: a pull or the program itself, not a person.
ORIGIN_AUTHORS = {"hub": "Stadthaus (Hub)", "builtin": "mitgeliefert"}
EVENT_FIELDS = ("texts", "starts_at", "ends_at", "icon")
JSON_ERRORS = (  # the json module's messages, as a coordinator would say them
    ("Expecting value", "ein Wert fehlt"),
    (
        "Expecting property name",
        "ein Feldname in doppelten Anführungszeichen fehlt, oder ein Komma zu viel",
    ),
    ("Expecting ',' delimiter", "ein Komma fehlt"),
    ("Expecting ':' delimiter", "ein Doppelpunkt fehlt"),
    ("Unterminated string", "ein Text endet nicht mit Anführungszeichen"),
    ("Invalid control character", "ein Zeilenumbruch oder Steuerzeichen mitten im Text"),
    ("Invalid \\escape", "ein ungültiges Zeichen nach \\"),
    ("Extra data", "nach dem Ende steht noch etwas"),
)


# --- One entry or event, as a dict ----------------------------------------------------------


def moment_text(moment: datetime | None) -> str | None:
    """A stored (naive UTC) time as Wildeshausen's wall clock with its offset."""
    return None if moment is None else local_time(moment).isoformat(timespec="seconds")


def entry_to_dict(entry: DirectoryEntry) -> dict:
    """An entry as the document holds it: every field of the schema, in the schema's order."""
    data = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    data["confirmed_at"] = moment_text(entry.confirmed_at)
    return data


def entry_from_dict(data: dict, origin: str) -> DirectoryEntry:
    """An unsaved entry of `origin` from a checked document's entry (missing fields: defaults)."""
    values = copy.deepcopy({**ENTRY_DEFAULTS, **data})
    try:
        values["hours"] = check_hours(values["hours"])
        confirmed_at = values["confirmed_at"]
        values["confirmed_at"] = None if confirmed_at is None else to_utc(confirmed_at)
    except (HoursError, ValueError) as error:
        message = getattr(error, "message", str(error))
        raise DirectoryError(f"Eintrag „{values.get('key')}“: {message}") from None
    fields = {name: values[name] for name in ENTRY_FIELDS}
    return DirectoryEntry(origin=origin, updated_at=utcnow(), **fields)


def event_to_dict(event: Event) -> dict:
    return {
        "uid": str(event.uid),
        "texts": event.texts,
        "starts_at": moment_text(event.starts_at),
        "ends_at": moment_text(event.ends_at),
        "icon": event.icon,
    }


def event_from_dict(data: dict) -> Event:
    """An unsaved event from a checked document's event (its UID: see schema.event_uid)."""
    values = copy.deepcopy({**EVENT_DEFAULTS, **data})
    return Event(
        uid=uuid.UUID(event_uid(values)),
        texts=values["texts"],
        starts_at=to_utc(values["starts_at"]),
        ends_at=to_utc(values["ends_at"]),
        icon=values["icon"],
        updated_at=utcnow(),
    )


def differs(held, new, fields: Iterable[str]) -> bool:
    return any(getattr(held, name) != getattr(new, name) for name in fields)


# --- Whole documents --------------------------------------------------------------------------


def export_document(
    origins: Iterable[str] = ("local",), kinds: Iterable[str] = ALL_KINDS, events: bool = True
) -> dict:
    """The entries of `origins` and `kinds` (for a key held by several origins, the one in
    force) and, with `events`, every event of this Treffpunkt."""
    query = DirectoryEntry.select().where(
        DirectoryEntry.origin.in_(list(origins)), DirectoryEntry.kind.in_(list(kinds))
    )
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": moment_text(utcnow().replace(microsecond=0)),
        "entries": [entry_to_dict(entry) for entry in winning(query)],
        "events": [],
    }
    if events:
        ordered = Event.select().order_by(Event.starts_at, Event.uid)
        document["events"] = [event_to_dict(event) for event in ordered]
    return document


def import_document(document: dict, user_name: str) -> tuple[int, int]:
    """Check `document`, then apply it in one transaction: entries by key into origin "local",
    events by UID. Returns (created, updated), entries and events together; unchanged ones
    are left as they are. DirectoryError (nothing applied) for any problem."""
    checked = validate(document)
    return apply_document(checked, user_name, overwrite=True)


def apply_document(checked: dict, user_name: str, overwrite: bool) -> tuple[int, int]:
    """Apply a checked document to origin "local"; without `overwrite` only what is missing."""
    entries = [entry_from_dict(data, "local") for data in checked["entries"]]
    events = [event_from_dict(data) for data in checked["events"]]
    created = updated = 0
    with write_transaction():
        keys = [entry.key for entry in entries]
        same_keys = list(DirectoryEntry.select().where(DirectoryEntry.key.in_(keys)))
        held_entries = {entry.key: entry for entry in same_keys if entry.origin == "local"}
        # An entry that only repeats the hub's or the shipped one in force (an export with
        # --all) becomes no local copy, which would hide the hub's later changes.
        given = {entry.key: entry for entry in winning(same_keys) if entry.origin != "local"}
        for entry in entries:
            held = held_entries.get(entry.key)
            if held is not None and not (overwrite and differs(held, entry, ENTRY_FIELDS)):
                continue
            if (
                held is None
                and entry.key in given
                and not differs(given[entry.key], entry, ENTRY_FIELDS)
            ):
                continue
            new, changed = stored(entry, held, user_name)
            created, updated = created + new, updated + changed
        held_events = {
            event.uid: event
            for event in Event.select().where(Event.uid.in_([event.uid for event in events]))
        }
        for event in events:
            held = held_events.get(event.uid)
            if held is not None and not (overwrite and differs(held, event, EVENT_FIELDS)):
                continue
            new, changed = stored(event, held, user_name)
            created, updated = created + new, updated + changed
    return created, updated


def stored(row, held, user_name: str) -> tuple[int, int]:
    """Save an imported entry or event over the row it replaces (`held`) or as a new one;
    (1, 0) when created, (0, 1) when updated."""
    row.updated_by = user_name
    if held is None:
        row.save(force_insert=True)
        return 1, 0
    row.id = held.id
    row.save()
    return 0, 1


def replace_origin(entries: list[dict], origin: str, updated_by: str | None = None) -> int:
    """Make the entries of `origin` exactly `entries` (checked dicts) in one transaction: new
    keys are added, changed ones saved, missing ones removed, unchanged rows left alone. Entries
    of the other origins are never touched. Returns how many entries `origin` now has."""
    if origin not in ORIGINS:
        raise ValueError(f"unknown origin {origin!r}")
    rows = [entry_from_dict(data, origin) for data in entries]
    keys = [row.key for row in rows]
    if len(set(keys)) != len(keys):
        twice = next(key for key in keys if keys.count(key) > 1)
        raise DirectoryError(f"Der Schlüssel „{twice}“ kommt mehrmals vor.")
    author = updated_by if updated_by is not None else ORIGIN_AUTHORS.get(origin, origin)
    with write_transaction():
        held = {
            row.key: row for row in DirectoryEntry.select().where(DirectoryEntry.origin == origin)
        }
        for row in rows:
            before = held.pop(row.key, None)
            if before is not None and not differs(before, row, ENTRY_FIELDS):
                continue
            row.updated_by = author
            if before is None:
                row.save(force_insert=True)
            else:
                row.id = before.id
                row.save()
        if held:
            gone = [row.id for row in held.values()]
            DirectoryEntry.delete().where(DirectoryEntry.id.in_(gone)).execute()
    return len(rows)


# --- The Sprachpaten's checks and corrections -------------------------------------------------

TRANSLATION_FIELDS = ("lang", "msgctxt", "msgid", "msgid_plural", "forms", "state", "checked_by")


def export_translations() -> list[dict]:
    """This kiosk's own checks and corrections (on a hub: the Stadthaus's), in a fixed order."""
    rows = (
        TranslationOverride.select()
        .where(TranslationOverride.origin == "local")
        .order_by(TranslationOverride.lang, TranslationOverride.key)
    )
    return [
        {name: getattr(row, name) for name in TRANSLATION_FIELDS}
        | {"checked_at": moment_text(row.checked_at), "catalog_forms": row.catalog_forms}
        for row in rows
    ]


def checked_translations(items: list[dict]) -> list[dict]:
    """Translations of a document (already checked against the schema) checked as a correction
    is: placeholders as in the German, no stray control characters; DirectoryError otherwise."""
    seen = set()
    checked = []
    for number, item in enumerate(items, start=1):
        values = {"msgctxt": "", "msgid_plural": "", "catalog_forms": [], **item}
        where = f"Übersetzung {number} ({values['lang']}, „{values['msgid'][:40]}“)"
        name = (values["lang"], values["msgctxt"], values["msgid"])
        if name in seen:
            raise DirectoryError(f"{where}: steht zweimal in der Datei.")
        seen.add(name)
        if not values["msgid_plural"] and len(values["forms"]) != 1:
            raise DirectoryError(f"{where}: ein Text ohne Mehrzahl hat genau eine Übersetzung.")
        try:
            for form in values["forms"]:
                check_text(values["msgid"], values["msgid_plural"], form)
        except CorrectionError as error:
            raise DirectoryError(f"{where}: {error.message}") from None
        checked.append(values)
    return checked


def replace_translations(items: list[dict]) -> int:
    """Make the checks and corrections of origin "hub" exactly `items` (checked); this kiosk's
    own (origin "local") stay and go before them. Returns how many there are now."""
    rows = [
        {
            **{name: item[name] for name in TRANSLATION_FIELDS},
            "key": message_key(item["msgid"], item["msgctxt"]),
            "checked_at": to_utc(item["checked_at"]),
            "catalog_forms": item["catalog_forms"],
            "origin": "hub",
        }
        for item in items
    ]
    with write_transaction():
        TranslationOverride.delete().where(TranslationOverride.origin == "hub").execute()
        for row in rows:
            TranslationOverride.create(**row)
    translations_changed()
    return len(rows)


# --- Files --------------------------------------------------------------------------------------


def read_document(data: bytes, max_bytes: int) -> object:
    """The JSON of a directory file, not yet checked; DirectoryError (German) when it is too
    large, not UTF-8, not JSON, or names a field twice in one object."""
    if len(data) > max_bytes:
        size, limit = (
            f"{value / 1024 / 1024:.1f}".replace(".", ",") for value in (len(data), max_bytes)
        )
        raise DirectoryError(
            f"Die Datei ist zu groß: {size} MB, höchstens {limit} MB sind erlaubt "
            "(DIRECTORY_MAX_BYTES)."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DirectoryError("Die Datei ist nicht in UTF-8 geschrieben.") from None
    try:
        return json.loads(text, object_pairs_hook=unique_names)
    except json.JSONDecodeError as error:
        what = next(
            (German for English, German in JSON_ERRORS if error.msg.startswith(English)), ""
        )
        raise DirectoryError(
            f"Die Datei ist kein gültiges JSON: Zeile {error.lineno}, Spalte {error.colno}"
            + (f" ({what})." if what else ".")
        ) from None


def unique_names(pairs: list[tuple[str, object]]) -> dict:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen = set()
        twice = next(name for name, _ in pairs if name in seen or seen.add(name))
        raise DirectoryError(f"Das Feld „{twice}“ steht zweimal im selben Objekt der Datei.")
    return data

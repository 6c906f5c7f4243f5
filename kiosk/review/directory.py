"""Changes to the directory from the staff pages (kiosk/views/directory.py), each audited.

Coordinators keep offices and help lines; the Treffpunkt's own times and its events are edited on
site by volunteers too (the views check the roles). A site changes only its own entries
(`origin = "local"`): one from the hub or one shipped with the program is first copied into a
local entry of the same key ("Hier anpassen"), which then wins (kiosk/directory/entries.py);
deleting that copy brings the original back.

Translations follow the rules of kiosk/directory/texts.py. What the staff form sends for one
language is its text and whether "geprüft" is ticked (`Typed`); `merged_texts` turns that into
the stored texts: a text typed by hand is confirmed by whoever typed it if the box is ticked
(it is, for a translation that was confirmed), ticking the box of an unconfirmed or out-of-date
translation confirms it for today's German text, and untouched translations keep their state, so
a changed German text leaves them "veraltet".
"""

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time

from ..clock import TIMEZONE, utcnow
from ..directory import texts as per_language
from ..directory.entries import slug, winning
from ..extensions import db
from ..i18n import LANGUAGES, describe
from ..models import DirectoryEntry, Event
from ..models.directory import ENTRY_TEXTS
from .auth import audit

TREFFPUNKT = "treffpunkt"  # the key (and kind) of this Treffpunkt's own entry
KIND_NAMES = {"office": "Stelle oder Dienst", "helpline": "Hilfetelefon", TREFFPUNKT: "Treffpunkt"}
ORIGIN_NAMES = {
    "local": "hier angelegt",
    "hub": "vom Stadthaus",
    "builtin": "mit dem Programm geliefert",
}
# "die Fassung vom Stadthaus": what a local copy replaces, and what applies again without it.
ORIGIN_VERSIONS = {"hub": "vom Stadthaus", "builtin": "aus dem Programm"}
TEXT_NAMES = {
    "summary": "Kurzbeschreibung", "directions": "Weg vom Treffpunkt",
    "bring": "Bitte mitbringen", "hours_note": "Hinweis zu den Zeiten",
    "title": "Titel", "text": "Beschreibung", "place": "Ort",
}  # fmt: skip
# The German names of an entry's and an event's fields, for the audit line of a change.
FIELD_NAMES = {
    "kind": "Art", "name": "Name", "needs": "Anliegen", "street": "Straße",
    "postcode": "Postleitzahl", "city": "Ort", "phone": "Telefon", "email": "E-Mail",
    "website": "Webseite", "languages": "Sprachen vor Ort", "appointment": "Termin",
    "hours": "Öffnungszeiten", "open_on_holidays": "an Feiertagen", "icon": "Piktogramm",
    "position": "Reihenfolge", "staff_note": "Notiz", "starts_at": "Beginn", "ends_at": "Ende",
}  # fmt: skip
APPOINTMENT_NAMES = {"": "unbekannt", "needed": "nötig", "not_needed": "nicht nötig"}
# The fields a copy of an entry takes over ("Hier anpassen"): all but its identity and history.
NOT_COPIED = ("id", "key", "origin", "updated_by", "updated_at")


# --- Texts per language ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Typed:
    """One translation as the staff form sent it: its text and whether "geprüft" is ticked."""

    text: str
    checked: bool


def merged_texts(texts: dict, german: dict, typed: dict, checker: str, today: str) -> dict:
    """`texts` with the German texts of `german` ({field: text}) and the translations of
    `typed` ({(field, lang): Typed}), checked by `checker` on `today` (an ISO date)."""
    merged = texts or {}
    for field, text in german.items():
        if text != per_language.german(texts, field):
            merged = per_language.with_german(merged, field, text)
    for (field, lang), sent in typed.items():
        merged = merged_translation(texts, merged, field, lang, sent, checker, today)
    return {field: per_lang for field, per_lang in merged.items() if per_lang}


def merged_translation(
    before: dict, texts: dict, field: str, lang: str, sent: Typed, checker: str, today: str
) -> dict:
    """`texts` (German already new) with `lang`'s translation as sent; `before` as stored."""
    if not sent.text:
        return per_language.with_translation(texts, field, lang, "")
    was = per_language.state(before, field, lang).state
    if sent.text != per_language.translation(before, field, lang).get("text", ""):
        # Typed by hand: confirmed by this person if the box is ticked (as it is when it was).
        by = checker if sent.checked else ""
        return per_language.with_translation(texts, field, lang, sent.text, by, today if by else "")
    if sent.checked and was != "geprüft":  # ticked now: confirmed for today's German text
        return per_language.with_translation(texts, field, lang, sent.text, checker, today)
    german_changed = per_language.german(texts, field) != per_language.german(before, field)
    if not sent.checked and was == "geprüft" and not german_changed:
        return per_language.with_translation(texts, field, lang, sent.text)  # unticked
    return texts  # as it was; after a new German text it is out of date ("veraltet")


@dataclasses.dataclass(frozen=True)
class Progress:
    """How far an entry's texts are translated into the visitor languages."""

    done: int  # languages with every German text translated and up to date
    checked: int  # of those, languages whose every translation a person confirmed
    stale: int  # languages with an out-of-date translation
    total: int  # visitor languages
    has_texts: bool

    @property
    def label(self) -> str:
        if not self.has_texts:
            return "noch keine Texte"
        return f"{self.done} von {self.total} Sprachen"


USABLE = ("maschinell", "geprüft")


def shown_state(texts: dict, field: str, lang: str) -> str:
    """The state of what visitors of `lang` see: a variant ("fa-AF") without a usable text of
    its own shows the language it is a variant of ("fa"), as the Wegweiser does."""
    found = per_language.state(texts, field, lang).state
    base = lang.split("-")[0]
    if found not in USABLE and base != lang:
        return per_language.state(texts, field, base).state
    return found


def progress(texts: dict, fields: Iterable[str], languages: Sequence[str]) -> Progress:
    written = [field for field in fields if per_language.german(texts, field)]
    if not written:
        return Progress(0, 0, 0, len(languages), False)
    done = checked = stale = 0
    for lang in languages:
        states = {shown_state(texts, field, lang) for field in written}
        done += states <= set(USABLE)
        checked += states <= {"geprüft"}
        stale += "veraltet" in states
    return Progress(done, checked, stale, len(languages), True)


def changed_texts(before: dict, after: dict) -> list[str]:
    """ "Titel (Arabisch)" for each text that differs between the two, for the audit line."""
    changed = []
    for field in dict.fromkeys([*(before or {}), *(after or {})]):
        langs = dict.fromkeys([*(before or {}).get(field, {}), *(after or {}).get(field, {})])
        for lang in langs:
            old, new = (per_language.translation(t, field, lang) for t in (before, after))
            if old != new:
                changed.append(f"{TEXT_NAMES.get(field, field)} ({spoken_name(lang)})")
    return changed


def spoken_name(code: str) -> str:
    """The German name of a language code: "Arabisch" for "ar", the code if unknown."""
    language = LANGUAGES.get(code) or describe(code)
    return language.german_name if language else code


def spoken_code(typed: str) -> str | None:
    """A language code as typed ("AR", "fa-af") in its usual form ("ar", "fa-AF"); None if no
    language has it."""
    base, _, region = typed.strip().partition("-")
    if not (base.isascii() and base.isalpha() and 2 <= len(base) <= 3):
        return None
    if region and not (region.isascii() and region.isalpha() and len(region) == 2):
        return None
    code = base.lower() + (f"-{region.upper()}" if region else "")
    return code if describe(code) else None


# --- Entries --------------------------------------------------------------------------------------


def changes(entry, values: dict) -> list[str]:
    """German names of the fields of `values` that differ from `entry`'s (texts apart)."""
    names = []
    for name, value in values.items():
        if name == "texts":
            names += changed_texts(entry.texts, value)
        elif getattr(entry, name) != value:
            names.append(FIELD_NAMES.get(name, name))
    return names


def unique_key(name: str) -> str:
    """A key for a new entry, from its name; taken by no entry of any origin, so that a new
    entry never silently replaces one from the hub or the program ("Hier anpassen" does)."""
    base = slug(name)
    taken = {row.key for row in DirectoryEntry.select(DirectoryEntry.key)}
    key, number = base, 2
    while key in taken or key == TREFFPUNKT:
        key, number = f"{base[:56]}-{number}", number + 1
    return key


def target(key: str) -> str:
    return f"wegweiser/{key}"


def only_local(entry: DirectoryEntry) -> None:
    if entry.origin != "local":
        raise ValueError(f"entry {entry.key} of origin {entry.origin} is read-only here")


def new_local(key: str, user_name: str, **fields) -> DirectoryEntry:
    return DirectoryEntry.create(
        key=key, origin="local", updated_by=user_name, updated_at=utcnow(), **fields
    )


def saved(row: DirectoryEntry | Event, values: dict, user_name: str) -> list[str]:
    """`values` set on an entry or event and saved if any differ; the German names of those."""
    changed = changes(row, values)
    if changed:
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_by, row.updated_at = user_name, utcnow()
        row.save()
    return changed


def create_entry(values: dict, user_name: str) -> DirectoryEntry:
    """A new local office or help line from `values` (model fields, `texts` included)."""
    with db.atomic():
        entry = new_local(unique_key(values["name"]), user_name, **values)
        audit("directory_created", target(entry.key), f"{entry.name} ({KIND_NAMES[entry.kind]})")
    return entry


def update_entry(entry: DirectoryEntry, values: dict, user_name: str) -> list[str]:
    """Save `values` into the local `entry`; returns the German names of what changed."""
    only_local(entry)
    with db.atomic():
        changed = saved(entry, values, user_name)
        if changed:
            audit("directory_changed", target(entry.key), f"{entry.name}: {', '.join(changed)}")
    return changed


def adapt_entry(original: DirectoryEntry, user_name: str) -> DirectoryEntry:
    """A local copy of a hub's or shipped entry, under its key: it wins from now on."""
    names = DirectoryEntry._meta.sorted_field_names
    fields = {name: getattr(original, name) for name in names if name not in NOT_COPIED}
    with db.atomic():
        local = DirectoryEntry.get_or_none(key=original.key, origin="local")
        if local is not None:
            return local
        entry = new_local(original.key, user_name, **fields)
        detail = f"{entry.name} ({ORIGIN_NAMES[original.origin]})"
        audit("directory_adapted", target(entry.key), detail)
    return entry


def original_of(entry: DirectoryEntry) -> DirectoryEntry | None:
    """The hub's or shipped entry a local one overrides (it comes back when that is deleted)."""
    others = DirectoryEntry.select().where(
        DirectoryEntry.key == entry.key, DirectoryEntry.origin != "local"
    )
    found = winning(others)
    return found[0] if found else None


def delete_entry(entry: DirectoryEntry) -> DirectoryEntry | None:
    """Delete the local `entry`; returns the original that applies again, if there is one."""
    only_local(entry)
    original = original_of(entry)
    back = f"; es gilt wieder die Fassung {ORIGIN_VERSIONS[original.origin]}" if original else ""
    with db.atomic():
        entry.delete_instance()
        audit("directory_deleted", target(entry.key), f"{entry.name}{back}")
    return original


def confirm_entry(entry: DirectoryEntry, user_name: str) -> None:
    """An example entry checked by a coordinator: no longer marked "Beispiel - bitte prüfen"."""
    only_local(entry)
    entry.example, entry.confirmed_by, entry.confirmed_at = False, user_name, utcnow()
    with db.atomic():
        entry.save()
        audit("directory_confirmed", target(entry.key), entry.name)


def local_treffpunkt() -> DirectoryEntry | None:
    return DirectoryEntry.get_or_none(key=TREFFPUNKT, origin="local")


def save_treffpunkt(values: dict, name: str, user_name: str) -> DirectoryEntry:
    """This Treffpunkt's own times (and their texts), its entry made on the first save."""
    entry = local_treffpunkt()
    if entry is not None:
        update_entry(entry, values, user_name)
        return entry
    with db.atomic():
        entry = new_local(TREFFPUNKT, user_name, kind=TREFFPUNKT, name=name, **values)
        audit("directory_created", target(TREFFPUNKT), f"{name} ({KIND_NAMES[TREFFPUNKT]})")
    return entry


# --- Overview -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Listed:
    """An entry in force as the overview lists it."""

    entry: DirectoryEntry
    overrides: str  # the origin of the entry this local one replaces, else ""
    progress: Progress


@dataclasses.dataclass(frozen=True)
class Overview:
    by_need: list[tuple[str, str, list[Listed]]]  # (need, German label, offices)
    without_need: list[Listed]  # offices covering none of the intake form's needs
    helplines: list[Listed]
    treffpunkt: DirectoryEntry | None


def overview(needs: Sequence[tuple[str, str]], languages: Sequence[str]) -> Overview:
    everything = list(DirectoryEntry.select())
    origins: dict[str, set[str]] = {}
    for entry in everything:
        origins.setdefault(entry.key, set()).add(entry.origin)

    def listed(entry: DirectoryEntry) -> Listed:
        others = origins[entry.key] - {"local"}
        overrides = next((o for o in ("hub", "builtin") if o in others), "")
        shown = progress(entry.texts, ENTRY_TEXTS, languages)
        return Listed(entry, overrides if entry.origin == "local" else "", shown)

    in_force = [listed(entry) for entry in winning(everything)]
    offices = [item for item in in_force if item.entry.kind == "office"]
    known = {need for need, _ in needs}
    return Overview(
        by_need=[
            (need, label, [item for item in offices if need in item.entry.needs])
            for need, label in needs
        ],
        without_need=[item for item in offices if not known & set(item.entry.needs)],
        helplines=[item for item in in_force if item.entry.kind == "helpline"],
        treffpunkt=next((i.entry for i in in_force if i.entry.kind == TREFFPUNKT), None),
    )


# --- Events ---------------------------------------------------------------------------------------


def stored_time(day: date, at: time) -> datetime:
    """A time on the Treffpunkt's clock as stored: naive UTC."""
    return datetime.combine(day, at, TIMEZONE).astimezone(UTC).replace(tzinfo=None)


def event_title(event: Event) -> str:
    return per_language.german(event.texts, "title")


def event_target(event: Event) -> str:
    return f"termin/{event.id}"


def create_event(values: dict, user_name: str) -> Event:
    """A new event from `values` (texts, starts_at, ends_at as stored)."""
    with db.atomic():
        event = Event.create(updated_by=user_name, updated_at=utcnow(), **values)
        detail = f"{event_title(event)}, {event.starts_at:%Y-%m-%d}"
        audit("event_created", event_target(event), detail)
    return event


def update_event(event: Event, values: dict, user_name: str) -> list[str]:
    with db.atomic():
        changed = saved(event, values, user_name)
        if changed:
            detail = f"{event_title(event)}: {', '.join(changed)}"
            audit("event_changed", event_target(event), detail)
    return changed


def delete_event(event: Event) -> None:
    with db.atomic():
        detail = f"{event_title(event)}, {event.starts_at:%Y-%m-%d}"
        audit("event_deleted", event_target(event), detail)
        event.delete_instance()


def past_events(now: datetime | None = None) -> list[Event]:
    """Events that are over, the latest first (the Wegweiser no longer shows them)."""
    now = now or utcnow()
    query = Event.select().where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id)
    return list(query)

"""The directory as a JSON document: its documented schema (schema.json) and what it cannot say.

`validate` checks a document first against schema.json (JSON Schema draft 2020-12, with the
`jsonschema` library), then what a schema cannot express: keys and event UIDs used twice, needs
that the intake form does not ask for, language codes nobody knows, opening hours that overlap
(kiosk/directory/hours.py), events ending before they start, pictograms without a file. The first
problem becomes one German sentence naming the entry and the field ("Eintrag 3 „jobcenter“, Feld
hours.mo[1]: …"), so a coordinator can find it in the file. docs/directory.md explains the format.
"""

import copy
import uuid
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from flask import current_app, has_app_context
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..clock import TIMEZONE
from ..formspec import ICONS_DIR
from ..i18n import describe
from ..json_schema import join_path, load_schema, make_validator, named_field, problem, shown
from ..models.directory import WEEKDAYS
from .hours import EXAMPLE as HOURS_INPUT_EXAMPLE
from .hours import HoursError, check_hours
from .texts import SOURCE

SCHEMA_PATH = Path(__file__).with_name("schema.json")
SCHEMA = load_schema(SCHEMA_PATH)
FORMAT = "mittendrin-directory"
FORMAT_VERSION = 1
ENTRY_FIELDS = tuple(SCHEMA["$defs"]["entry"]["properties"])
EVENT_FIELDS = tuple(SCHEMA["$defs"]["event"]["properties"])
# The defaults of the optional fields, written once: in schema.json.
ENTRY_DEFAULTS, EVENT_DEFAULTS = (
    {name: spec["default"] for name, spec in SCHEMA["$defs"][part]["properties"].items()
     if "default" in spec}
    for part in ("entry", "event")
)  # fmt: skip
MAX_ENTRIES = SCHEMA["properties"]["entries"]["maxItems"]
MAX_EVENTS = SCHEMA["properties"]["events"]["maxItems"]


class DirectoryError(ValueError):
    """A document that does not fit; `message` is one German sentence naming entry and field."""

    def __init__(self, message: str, where: str = "", field: str = ""):
        super().__init__(message)
        self.message = message
        self.where = where  # "Eintrag 3 „jobcenter“", "Termin 2", or "" for the document
        self.field = field  # the field's path inside it: "hours.mo[1]"


def validate(document: object, needs: set[str] | None = None) -> dict:
    """The document checked, with every optional field filled in and hours normalised.

    `needs` are the allowed need codes; None takes them from the intake form loaded in the app
    (its question "needs"), and skips that check where there is no such form.
    """
    if not isinstance(document, dict):
        raise DirectoryError(
            "Die Datei enthält kein Wegweiser-Verzeichnis: erwartet wird ein JSON-Objekt mit "
            f"„format“: „{FORMAT}“ und einer Liste „entries“."
        )
    errors = list(validator().iter_errors(document))
    if errors:
        raise schema_error(document, min(errors, key=error_order))
    needs = intake_needs() if needs is None else set(needs)
    seen: dict[tuple[str, str], int] = {}  # (what, value) -> the number of its first item
    entries = [check_entry(document, i, needs, seen) for i in range(len(document["entries"]))]
    events = [check_event(document, i, seen) for i in range(len(document.get("events", [])))]
    if "exported_at" in document:
        parse_datetime(document["exported_at"], Where(document, "", "exported_at"))
    head = {name: document[name] for name in ("format", "format_version", "exported_at")
            if name in document}  # fmt: skip
    return {**head, "entries": entries, "events": events}


@cache
def validator() -> Draft202012Validator:
    return make_validator(SCHEMA)


def intake_needs() -> set[str] | None:
    """The values of the intake form's "needs" question, or None without that form."""
    if not has_app_context():
        return None
    spec = current_app.extensions.get("kiosk_forms", {}).get("intake")
    try:
        field = spec.field("needs") if spec else None
    except KeyError:
        return None
    return {option.value for option in field.options} if field else None


# --- Where a problem is, in words ---------------------------------------------------------------


class Where:
    """An entry or event of `document` and a field path inside it, as the message names them."""

    def __init__(self, document: dict, collection: str, field: str, index: int | None = None):
        self.document, self.collection, self.index = document, collection, index
        self.field = field

    def item(self) -> str:
        if self.index is None:
            return ""
        number = self.index + 1
        item = self.document[self.collection][self.index]
        if self.collection == "entries":
            key = item.get("key") if isinstance(item, dict) else None
            shown_key = f" „{key}“" if isinstance(key, str) and key else ""
            return f"Eintrag {number}{shown_key}"
        title = title_of(item)
        return f"Termin {number} „{title}“" if title else f"Termin {number}"

    def fail(self, what: str) -> DirectoryError:
        item = self.item()
        where = ", ".join(
            part for part in (item, f"Feld {self.field}" if self.field else "") if part
        )
        return DirectoryError(f"{where}: {what}" if where else what, item, self.field)

    def inside(self, *path) -> "Where":
        return Where(self.document, self.collection, join_path([self.field, *path]), self.index)


def title_of(event: object) -> str:
    try:
        title = event["texts"]["title"][SOURCE]["text"]
    except (KeyError, TypeError):
        return ""
    return title[:40] if isinstance(title, str) else ""


def locate(document: dict, path: list) -> Where:
    if len(path) >= 2 and path[0] in ("entries", "events") and isinstance(path[1], int):
        return Where(document, path[0], join_path(path[2:]), path[1])
    return Where(document, "", join_path(path))


# --- Schema errors in German --------------------------------------------------------------------


def error_order(error: ValidationError) -> tuple:
    """The first problem as a reader meets it: the document's own fields, then entry by entry
    and event by event, within one the outermost field first, in the schema's field order."""
    path = list(error.absolute_path)
    inside = len(path) >= 2 and isinstance(path[1], int)
    if not inside:  # "format" first: a file of another kind is best told so
        name = path[0] if path else named_field(error)
        top = tuple(SCHEMA["properties"])
        return (0, 0, top.index(name) if name in top else len(top), len(path), 0)
    fields = ENTRY_FIELDS if path[0] == "entries" else EVENT_FIELDS
    field = path[2] if len(path) > 2 else ""
    rank = fields.index(field) if field in fields else -1
    return (1, 0 if path[0] == "entries" else 1, path[1], rank, len(path))


def schema_error(document: dict, error: ValidationError) -> DirectoryError:
    """The directory's own wording where it has one, else the shared one (kiosk/json_schema.py)."""
    path = list(error.absolute_path)
    keyword, value, instance = error.validator, error.validator_value, error.instance
    where = locate(document, path)
    if keyword == "const" and path == ["format_version"]:
        return where.fail(f"Version {shown(instance)} kennt dieses Programm nicht; es liest 1.")
    if keyword == "maxItems" and path in (["entries"], ["events"]):
        return where.fail(f"Das sind {len(instance)}, höchstens {value} sind erlaubt.")
    if keyword in ("minItems", "maxItems") and "prefixItems" in error.schema:
        return where.fail(f"{shown(instance)} ist keine Zeitspanne [von, bis] aus zwei Uhrzeiten.")
    if keyword == "anyOf":  # confirmed_at: a date and time or null
        return where.fail(
            f"{shown(instance)} ist kein Zeitpunkt wie „2026-12-08T15:00:00+01:00“ (oder null)."
        )
    field, sentence = problem(error)
    return locate(document, field).fail(sentence)


# --- What the schema cannot say -----------------------------------------------------------------


def check_entry(document: dict, index: int, needs: set[str] | None, seen: dict) -> dict:
    data = document["entries"][index]
    where = Where(document, "entries", "", index)
    earlier = seen.setdefault(("key", data["key"]), index + 1)
    if earlier != index + 1:
        raise where.inside("key").fail(
            f"Den Schlüssel „{data['key']}“ hat schon Eintrag {earlier}; jeder Schlüssel darf "
            "nur einmal vorkommen."
        )
    if data["kind"] == "treffpunkt":
        earlier = seen.setdefault(("kind", "treffpunkt"), index + 1)
        if earlier != index + 1:
            raise where.inside("kind").fail(
                f"Eintrag {earlier} ist schon der Treffpunkt selbst; es gibt nur einen."
            )
    entry = copy.deepcopy({**ENTRY_DEFAULTS, **data})
    if needs is not None:
        for position, need in enumerate(entry["needs"]):
            if need not in needs:
                allowed = f"möglich sind: {', '.join(sorted(needs))}" if needs else "hier keine"
                raise where.inside("needs", position).fail(
                    f"„{need}“ ist kein Anliegen des Aufnahmebogens; {allowed}."
                )
    for position, code in enumerate(entry["languages"]):
        check_language(code, where.inside("languages", position))
    check_texts(entry["texts"], where.inside("texts"))
    check_icon(entry["icon"], where.inside("icon"))
    entry["hours"] = checked_hours(entry["hours"], where.inside("hours"))
    if entry["confirmed_at"] is not None:
        parse_datetime(entry["confirmed_at"], where.inside("confirmed_at"))
    return {name: entry[name] for name in ENTRY_FIELDS}


def check_event(document: dict, index: int, seen: dict) -> dict:
    data = document["events"][index]
    where = Where(document, "events", "", index)
    event = copy.deepcopy({**EVENT_DEFAULTS, **data})
    if not event["texts"]["title"].get(SOURCE):
        raise where.inside("texts", "title", SOURCE).fail("Der deutsche Titel fehlt.")
    check_texts(event["texts"], where.inside("texts"))
    check_icon(event["icon"], where.inside("icon"))
    starts = parse_datetime(event["starts_at"], where.inside("starts_at"))
    ends = parse_datetime(event["ends_at"], where.inside("ends_at"))
    if ends <= starts:
        raise where.inside("ends_at").fail("Das Ende muss nach dem Beginn liegen.")
    event["uid"] = event_uid(event)
    earlier = seen.setdefault(("uid", event["uid"]), index + 1)
    if earlier != index + 1:
        raise (where.inside("uid") if "uid" in data else where).fail(
            f"Das ist derselbe Termin wie Termin {earlier} (dieselbe UID, oder ohne UID "
            "derselbe Titel zur selben Zeit)."
        )
    return {name: event[name] for name in EVENT_FIELDS}


def event_uid(event: dict) -> str:
    """The event's UID; without one, one made from its German title and start, so importing
    the same hand-written file twice does not list an event twice."""
    if event.get("uid"):
        return str(uuid.UUID(event["uid"]))
    title = event["texts"]["title"][SOURCE]["text"]
    start = to_utc(event["starts_at"]).isoformat()
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:mittendrin:event:{title}|{start}"))


def check_language(code: str, where: Where) -> None:
    if known_language(code) is None:
        raise where.fail(f"„{code}“ ist kein bekannter Sprachcode (zum Beispiel ar, fa, uk, ti).")


@cache
def known_language(code: str):
    return describe(code)


def check_texts(texts: dict, where: Where) -> None:
    for field, per_language in texts.items():
        if per_language and SOURCE not in per_language:
            raise where.inside(field).fail(
                "Übersetzungen ohne deutschen Text: bitte zuerst den deutschen Text (de) angeben."
            )
        for lang, item in per_language.items():
            here = where.inside(field, lang)
            check_language(lang, here)
            if ("checked_by" in item) != ("checked_at" in item):
                raise here.fail("„checked_by“ und „checked_at“ gehören zusammen: beide oder keins.")
            if "checked_at" in item:
                try:
                    date.fromisoformat(item["checked_at"])
                except ValueError:
                    raise here.inside("checked_at").fail(
                        f"„{item['checked_at']}“ ist kein Datum wie „2026-12-03“."
                    ) from None


def check_icon(icon: str, where: Where) -> None:
    if icon and not (ICONS_DIR / f"{icon}.svg").is_file():
        raise where.fail(f"Das Piktogramm „{icon}“ gibt es nicht in static/icons/.")


def checked_hours(hours: dict, where: Where) -> dict:
    """The hours normalised by check_hours; its refusal names the day and, where one span
    alone brings the problem, that span's place in the file ("hours.mo[1]")."""
    try:
        return check_hours(hours)
    except HoursError as error:
        day = error.day if error.day in WEEKDAYS else None
        field = where.inside(day, culprit(hours[day], day)) if day in hours else where
        sentence = error.message.replace(HOURS_INPUT_EXAMPLE, "").strip()  # for the staff form
        raise field.fail(sentence.rstrip(".") + ".") from None


def culprit(spans: list, day: str) -> int | str:
    """The index of the first span with which the day's spans stop being acceptable."""
    for count in range(1, len(spans) + 1):
        try:
            check_hours({day: spans[:count]})
        except HoursError:
            return count - 1
    return ""


# Events lie within the years the staff's dates accept (kiosk/dates.py): an event in year 1 or
# 9999 is a typo, and times at the ends of the calendar cannot be moved between time zones.
EVENT_YEARS = (2000, 2099)


def parse_datetime(text: str, where: Where) -> datetime:
    try:
        moment = to_utc(text)
    except (ValueError, OverflowError):
        raise where.fail(f"„{text}“ ist kein gültiger Zeitpunkt.") from None
    if not EVENT_YEARS[0] <= moment.year <= EVENT_YEARS[1]:
        raise where.fail(f"„{text}“ liegt nicht zwischen {EVENT_YEARS[0]} und {EVENT_YEARS[1]}.")
    return moment


def to_utc(text: str) -> datetime:
    """An ISO date and time as naive UTC; without an offset it is Wildeshausen's wall clock."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TIMEZONE) if TIMEZONE else moment.astimezone()
    return moment.astimezone(UTC).replace(tzinfo=None)

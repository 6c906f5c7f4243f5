"""What ships with the program: the help lines of all Germany, and the demo's example offices.

data/helplines.json holds the numbers that are the same everywhere in Germany (110, 112,
116 117, …) as origin "builtin": facts, not examples. `install_builtin` runs with every
`prepare_database` and writes them only when the shipped entries differ from the installed ones
(a hash of each side, so an unchanged start costs one small query). A site that needs something
else adds a local entry with the same key, which wins (kiosk/directory/entries.py).

data/examples.json holds example offices of Wildeshausen and the Landkreis Oldenburg for every
need of the intake form, the Treffpunkt's own entry and three events in a reference week.
`fill_demo_directory` (`kiosk demo`) adds them as local entries marked `example`: visitors see
"Beispiel - bitte prüfen" and no QR code until a coordinator confirms an entry. The events are
moved to their next date from `now`, with a UID per date, so a second run adds nothing twice.
"""

import hashlib
import json
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

from flask import current_app, has_app_context

from ..clock import local_time, utcnow
from ..models import DirectoryEntry
from .schema import validate
from .transfer import apply_document, entry_from_dict, entry_to_dict, replace_origin

DATA = Path(__file__).with_name("data")
HELPLINES_PATH = DATA / "helplines.json"
EXAMPLES_PATH = DATA / "examples.json"
DEMO_AUTHOR = "Demo (kiosk demo)"


def fingerprint(entries: list[dict]) -> str:
    """A hash of entries as the database holds them (key order and spelling do not count)."""
    canonical = sorted(
        json.dumps(entry, ensure_ascii=False, sort_keys=True, default=str) for entry in entries
    )
    return hashlib.sha256("\n".join(canonical).encode()).hexdigest()


_shipped: dict[str, tuple[list[dict], str]] = {}  # {sha256 of a file: shipped(file)}


def shipped(content: bytes) -> tuple[list[dict], str]:
    """The checked entries of a shipped file and their fingerprint, worked out once per
    content in this process."""
    digest = hashlib.sha256(content).hexdigest()
    if digest not in _shipped:
        document = validate(json.loads(content.decode("utf-8")), needs=set())
        entries = document["entries"]
        as_stored = [entry_to_dict(entry_from_dict(entry, "builtin")) for entry in entries]
        _shipped[digest] = entries, fingerprint(as_stored)
    return _shipped[digest]


def install_builtin(path: Path | None = None) -> int:
    """Install the shipped help lines as origin "builtin" when they changed; returns how many
    are installed now, or 0 when the installed ones were the shipped ones already."""
    entries, wanted = shipped((path or HELPLINES_PATH).read_bytes())
    held = DirectoryEntry.select().where(DirectoryEntry.origin == "builtin")
    if fingerprint([entry_to_dict(entry) for entry in held]) == wanted:
        return 0
    return replace_origin(entries, "builtin")


# --- The demo -----------------------------------------------------------------------------------


def fill_demo_directory(now: datetime | None = None) -> int:
    """Add the example offices, the Treffpunkt's entry and the next dates of the example events
    as local entries; what exists already (same key, same event UID) is left as it is.
    Returns how many entries and events were added."""
    now = now or utcnow()
    document = json.loads(EXAMPLES_PATH.read_text(encoding="utf-8"))
    if has_app_context():
        with_site_name(document, current_app.config["SITE_NAME"])
    document["events"] = [next_date(event, now) for event in document["events"]]
    created, _ = apply_document(validate(document), DEMO_AUTHOR, overwrite=False)
    return created


def with_site_name(document: dict, name: str) -> None:
    """The Treffpunkt's entry and the events' place carry this site's own name."""
    for entry in document["entries"]:
        if entry["kind"] == "treffpunkt":
            entry["name"] = name
    for event in document["events"]:
        for item in event["texts"].get("place", {}).values():
            item["text"] = name
            if "source" in item:
                item["source"] = name


def next_date(event: dict, now: datetime) -> dict:
    """The example `event` moved by whole weeks to its first start after `now` (same weekday
    and wall-clock time in Wildeshausen), with a UID made from its own and the new date."""
    starts, ends = (datetime.fromisoformat(event[name]) for name in ("starts_at", "ends_at"))
    today = local_time(now)
    weeks = (today.date() - starts.date()).days // 7  # negative before the reference week
    day = starts.date() + timedelta(weeks=weeks)
    while datetime.combine(day, starts.time()) <= today.replace(tzinfo=None):
        day += timedelta(weeks=1)
    shift = day - starts.date()
    return {
        **event,
        "uid": str(uuid.uuid5(uuid.UUID(event["uid"]), day.isoformat())),
        "starts_at": wall_clock(day, starts.time()),
        "ends_at": wall_clock(ends.date() + shift, ends.time()),
    }


def wall_clock(day: date, moment: time) -> str:
    """A date and time on Wildeshausen's clock, written without offset (see schema.to_utc)."""
    return datetime.combine(day, moment).isoformat(timespec="seconds")

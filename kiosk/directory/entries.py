"""Directory entries as the Wegweiser and the follow-up see them: one per key, the most local.

For one key a local entry wins over the hub's, and the hub's over the one shipped with the program
(`builtin`): a site can correct or replace anything it is given, and its own entries are never
overwritten by a pull (kiosk/sync/directory.py replaces only `origin = "hub"`).
"""

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from ..clock import utcnow
from ..models import DirectoryEntry, Event
from ..models.directory import ORIGINS

PRECEDENCE = {origin: rank for rank, origin in enumerate(ORIGINS)}
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slug(name: str) -> str:
    """`Jobcenter Wildeshausen` as `jobcenter-wildeshausen`: a key for a new entry."""
    text = unicodedata.normalize("NFKD", name.lower().translate(UMLAUTS))
    text = text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "stelle"


def ordered(entries: Iterable[DirectoryEntry]) -> list[DirectoryEntry]:
    return sorted(entries, key=lambda entry: (entry.position, entry.name.casefold(), entry.key))


def winning(entries: Iterable[DirectoryEntry]) -> list[DirectoryEntry]:
    """Of entries sharing a key, the one of the highest precedence; in display order."""
    best: dict[str, DirectoryEntry] = {}
    for entry in entries:
        held = best.get(entry.key)
        if held is None or PRECEDENCE[entry.origin] < PRECEDENCE[held.origin]:
            best[entry.key] = entry
    return ordered(best.values())


def current(kind: str | None = None) -> list[DirectoryEntry]:
    """The entries in force (of one kind), in display order."""
    query = DirectoryEntry.select()
    if kind:
        query = query.where(DirectoryEntry.kind == kind)
    return winning(query)


def entry(key: str) -> DirectoryEntry | None:
    """The entry in force for `key`, or None."""
    found = winning(DirectoryEntry.select().where(DirectoryEntry.key == key))
    return found[0] if found else None


def offices_for(needs: Iterable[str]) -> dict[str, list[DirectoryEntry]]:
    """{need: the offices covering it, in display order} for each of `needs` (none: [])."""
    wanted = list(dict.fromkeys(needs))
    offices = current("office")
    return {need: [office for office in offices if need in office.needs] for need in wanted}


def office_names_by_need() -> dict[str, str]:
    """{need: the name of the first office covering it}: the Zuständigkeit of each need."""
    names: dict[str, str] = {}
    for office in current("office"):
        for need in office.needs:
            names.setdefault(need, office.name)
    return names


def treffpunkt() -> DirectoryEntry | None:
    """This Treffpunkt's own entry (its opening times), if it has one."""
    found = current("treffpunkt")
    return found[0] if found else None


def upcoming_events(now: datetime | None = None) -> list[Event]:
    """Events not yet over, soonest first; past ones drop out by themselves."""
    now = now or utcnow()
    query = Event.select().where(Event.ends_at >= now).order_by(Event.starts_at, Event.id)
    return list(query)

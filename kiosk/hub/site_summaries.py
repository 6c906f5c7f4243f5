"""Reading the sites' report records: which periods and sites, and which summaries can be added up.

A site sends only protected counts (kiosk/reports/disclosure.py; see combine.py for what follows
from that), so the hub never knows a count hidden as "<k", "•" or a dash. Each published count
stands for the range of values it can have (bounds.py adds them up):

    shown "12"           12 to 12
    small "<k"           1 to k-1
    hidden "•"           k or more
    withheld (a dash)    0 or more
    no report ("kein Bericht") for a site and period: 0 or more (never counted as zero)

and no count of a table is larger than the table's printed total (or number of respondents).

Weekly and monthly (or any differently long) reports are never added up together, and only
periods that follow one another without a gap are combined.

One site's report never stops the town's: a summary that does not fit the schema of what sites
send (wire.py; checked on receipt, and here again for reports stored before that check, or
changed since) is left out, named, and counted as missing.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from ..reports.periods import Period, PeriodError, date_range, period_of
from .bounds import Range
from .wire import WireError, check

TOPICS = (
    ("reasons", "Besuche nach Anlass"),
    ("languages", "Besuche nach Sprache"),
    ("needs", "Anliegen"),
    ("followup", "Stand der Anmeldungen"),
    ("satisfaction", "Zufriedenheit"),
    ("forms", "Eingaben nach Formular"),
)
# Five years of months, or a year of weeks: more is not a report anyone reads.
MAX_PERIODS = 60


class CombineError(ValueError):
    """Reports that cannot be added up (mixed period lengths, a gap, two reports of one site)."""


def published_range(cell: dict, k: int, most: int | None = None) -> Range:
    """The values a published cell ({"value", "text", "kind"}) can stand for.

    `most`: the most any count of its table can be, from the printed total (None: unknown).
    """
    kind = cell.get("kind")
    value = cell.get("value")
    if kind == "shown" and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return Range(cell["value"], cell["value"])
    if kind == "small":
        return Range(1, k - 1)
    if kind == "hidden":
        return Range(k, most)
    if kind == "withheld":
        return Range(0, most)
    raise CombineError(f"eine unbekannte Zelle {str(cell)[:80]}")


@dataclass(frozen=True)
class Part:
    """One site's summary for one period: the unit that is added up."""

    slug: str
    period: str
    uuid: str
    summary: dict


def periods_between(first: Period, last: Period) -> list[Period]:
    """`first`, `last` and every period of the same length between them, oldest first."""
    if first.kind != last.kind:
        raise CombineError(
            f"{first.label} und {last.label} sind verschieden lange Zeiträume; "
            "sie werden nicht zusammengezählt."
        )
    if last.start < first.start:
        raise CombineError(f"{last.label} liegt vor {first.label}.")
    if first.kind == "range":
        if first != last:
            raise CombineError("Freie Zeiträume lassen sich nur einzeln zusammenfassen.")
        return [first]
    periods = [last]
    while periods[0].start > first.start:
        if len(periods) == MAX_PERIODS:
            raise CombineError(f"Höchstens {MAX_PERIODS} Zeiträume lassen sich zusammenzählen.")
        periods.insert(0, periods[0].previous())
    if periods[0] != first:
        raise CombineError(f"{first.label} und {last.label} passen nicht zueinander.")
    return periods


@dataclass(frozen=True)
class Identity:
    """Whose report a record is, and of which period."""

    slug: str
    name: str
    period: Period


def record_identity(record) -> Identity:
    """The site and period a record names; CombineError if it names none that can be read."""
    try:
        site, key = record["site"], record["period"]["key"]
        slug, name = site["slug"], site.get("name") or site["slug"]
        if not all(isinstance(text, str) and text for text in (slug, name, key)):
            raise TypeError("no text")
        return Identity(slug, name, period_of(key))
    except (KeyError, TypeError, AttributeError, PeriodError, ValueError, OverflowError):
        raise CombineError("ein Bericht ohne lesbaren Treffpunkt oder Zeitraum") from None


def readable_identities(records: Sequence[dict]) -> list[Identity]:
    identities = []
    for record in records:
        try:
            identities.append(record_identity(record))
        except CombineError:
            continue
    return identities


def chosen_periods(records: Sequence[dict], periods: Sequence[Period] | None) -> list[Period]:
    """The periods asked for, or those of the records with any gap between them filled in."""
    if periods:
        return periods_between(periods[0], periods[-1]) if len(periods) > 1 else list(periods)
    found = sorted({who.period for who in readable_identities(records)}, key=lambda p: p.start)
    if not found:
        raise CombineError("Es liegen keine Berichte vor.")
    kinds = {period.kind for period in found}
    if len(kinds) > 1:
        raise CombineError(
            "Wöchentliche und monatliche (oder anders lange) Berichte werden nicht zusammengezählt."
        )
    return periods_between(found[0], found[-1])


def collect_parts(
    records: Sequence[dict], periods: Sequence[Period]
) -> tuple[dict[tuple, Part], list[dict]]:
    """{(site slug, period key): Part}, and the reports that cannot be read.

    A report whose summary cannot be read counts as missing (and is named), so one broken
    delivery neither stops the town's report nor is counted as zero. A record of a period not
    asked for, or a second one of a site and period, is the caller's mistake and refused.
    """
    keys = {period.key for period in periods}
    parts: dict[tuple, Part] = {}
    unreadable = []
    for record in records:
        try:
            who = record_identity(record)
        except CombineError as error:
            unreadable.append(left_out("", "unbekannt", "unbekannt", error))
            continue
        if who.period.key not in keys:
            raise CombineError(
                f"Der Bericht für {who.period.label} gehört nicht zu den gewählten Zeiträumen."
            )
        if (who.slug, who.period.key) in parts:
            raise CombineError(f"Zwei Berichte von {who.slug} für {who.period.label}.")
        try:
            check_summary(record.get("summary"))
        except CombineError as error:
            unreadable.append(left_out(who.slug, who.name, who.period.label, error))
            continue
        parts[who.slug, who.period.key] = Part(
            who.slug, who.period.key, str(record.get("uuid", "")), record["summary"]
        )
    return parts, unreadable


def left_out(slug: str, name: str, period: str, problem: CombineError) -> dict:
    """A report the combined report names as left out, and why."""
    return {"slug": slug, "name": name, "period": period, "problem": str(problem)}


def check_summary(summary) -> None:
    """Raises CombineError unless `summary` has the shape kiosk/reports/summary.py gives it."""
    if summary is None:
        raise CombineError("Feld summary: Dieses Pflichtfeld fehlt.")
    try:
        check("summary", summary, prefix="summary")
    except WireError as error:
        raise CombineError(error.message) from None


def site_list(records: Sequence[dict], sites: Sequence[dict] | None) -> list[dict]:
    """Every site known (registered or reporting), by name."""
    named = {site["slug"]: site["name"] for site in sites or ()}
    for who in readable_identities(records):
        named.setdefault(who.slug, who.name)
    return [
        {"slug": slug, "name": name}
        for slug, name in sorted(named.items(), key=lambda item: (item[1].casefold(), item[0]))
    ]


def combined_period(periods: Sequence[Period]) -> dict:
    """The whole span as one period for the cover: "Oktober 2026" or "4. Quartal 2026"."""
    first, last = periods[0], periods[-1]
    span = date_range(first.start, last.end)
    if len(periods) == 1 or span.kind != "range":
        label = span.label
    else:
        label = f"{first.label} bis {last.label}"
    return {
        **span.to_dict(),
        "label": label,
        "kind": first.kind,
        "count": len(periods),
        "unit": {"month": "Monat", "week": "Woche", "quarter": "Quartal"}.get(first.kind, ""),
    }

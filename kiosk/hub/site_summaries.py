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
"""

from collections.abc import Sequence
from dataclasses import dataclass

from ..reports.disclosure import MAX_MIN_CELL
from ..reports.periods import Period, PeriodError, date_range, period_of
from .bounds import Range

SUMMARY_VERSIONS = (1,)
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


def record_period(record: dict) -> Period:
    try:
        return period_of(record["period"]["key"])
    except (KeyError, TypeError, PeriodError) as error:
        raise CombineError(f"Bericht ohne lesbaren Zeitraum: {error}") from None


def chosen_periods(records: Sequence[dict], periods: Sequence[Period] | None) -> list[Period]:
    """The periods asked for, or those of the records with any gap between them filled in."""
    if periods:
        return periods_between(periods[0], periods[-1]) if len(periods) > 1 else list(periods)
    found = sorted({record_period(record) for record in records}, key=lambda p: p.start)
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
        period = record_period(record)
        if period.key not in keys:
            raise CombineError(
                f"Der Bericht für {period.label} gehört nicht zu den gewählten Zeiträumen."
            )
        slug = record["site"]["slug"]
        if (slug, period.key) in parts:
            raise CombineError(f"Zwei Berichte von {slug} für {period.label}.")
        try:
            check_summary(record.get("summary"))
        except CombineError as error:
            name = record["site"].get("name") or slug
            unreadable.append(
                {"slug": slug, "name": name, "period": period.label, "problem": str(error)}
            )
            continue
        parts[slug, period.key] = Part(
            slug, period.key, str(record.get("uuid", "")), record["summary"]
        )
    return parts, unreadable


def check_summary(summary) -> None:
    """Raises CombineError unless `summary` has the shape kiosk/reports/summary.py gives it."""
    if not isinstance(summary, dict) or summary.get("version") not in SUMMARY_VERSIONS:
        raise CombineError("unbekannte Form der Zusammenfassung")
    k = summary.get("min_cell")
    if not isinstance(k, int) or isinstance(k, bool) or not 1 < k <= MAX_MIN_CELL:
        raise CombineError("keine gültige Schwelle für kleine Zahlen (min_cell)")
    tables = summary.get("tables")
    if not isinstance(tables, dict):
        raise CombineError("keine Tabellen")
    for topic, _ in TOPICS:
        table = summary.get("forms") if topic == "forms" else tables.get(topic)
        if table is not None:
            check_table(table, k)


def check_table(table, k: int) -> None:
    try:
        cells = [row["current"] for row in table["rows"]]
        labels = [(row["value"], row["label"]) for row in table["rows"]]
        cells += [table[extra]["current"] for extra in ("total", "respondents") if table.get(extra)]
        mean = (table.get("mean") or {}).get("current")
    except (KeyError, TypeError, AttributeError):
        raise CombineError("eine Tabelle ohne Zeilen oder Zellen") from None
    if not all(isinstance(part, str) for pair in labels for part in pair):
        raise CombineError("eine Zeile ohne Bezeichnung")
    for cell in cells:
        if not isinstance(cell, dict):
            raise CombineError("eine Zelle ist kein Objekt")
        published_range(cell, k)
    if mean is not None and not (
        isinstance(mean, dict)
        and isinstance(mean.get("value"), int | float)
        and 1 <= mean["value"] <= 5
    ):
        raise CombineError("ein ungültiger Durchschnitt")


def site_list(records: Sequence[dict], sites: Sequence[dict] | None) -> list[dict]:
    """Every site known (registered or reporting), by name."""
    named = {site["slug"]: site["name"] for site in sites or ()}
    for record in records:
        named.setdefault(record["site"]["slug"], record["site"]["name"])
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

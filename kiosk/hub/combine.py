"""The town-wide summary: the sites' published summaries added up, never uncovering a hidden count.

What the hub adds up is what the sites published, nothing more: a site sends only protected
counts (kiosk/reports/disclosure.py), so the hub never knows a count hidden as "<k", "•" or a dash.
Every combined figure is therefore worked out from figures that are printed in the sites'
reports anyway, and a reader who holds every site report learns nothing new from the combined
report: in particular no hidden site count can be recovered from it by adding or subtracting.

What remains is to print honest figures, never an exact-looking sum of inexact parts. Each
published count stands for the range of values it can have:

    shown "12"           12 to 12
    small "<k"           1 to k-1
    hidden "•"           k or more
    withheld (a dash)    0 or more
    no report ("kein Bericht") for a site and period: 0 or more (never counted as zero)

and no count of a table is larger than the table's printed total (or number of respondents).

A combined count is the sum of the ranges of its parts (over sites, and over periods when several
are combined) and is printed as

    the number           when every part is exact (then no part was suppressed);
    "<K"                 when the sum is below K for certain (including an exact sum from 1 to K-1:
                         K is the largest `min_cell` of all reports combined, so a threshold is
                         never lowered by combining);
    "mind. N"            otherwise, where N adds up the exact parts and the least possible value of
                         every suppressed part (1 for "<k", k for "•"): a lower bound that anyone
                         can work out from the site reports, so it cannot give away a hidden value;
    a dash               when nothing is known (every part is missing or could be zero).

A table's total is combined the same way from the sites' published totals, so it too is exact
only when each site's total is printed exactly. Since all figures derive from published ones,
the row sums and the total together tell nothing about a hidden cell that the site's own report
(whose secondary suppression was chosen for exactly that) did not already allow.

The mean rating is the average of the sites' printed means, weighted by their printed number of
ratings (so it may differ from the exact mean by the rounding of those, at most 0.05). A part
with ratings but without a printed mean (too few, or dropped to protect a small count) cannot be
in it; the mean is then marked with "*" and the report says what it leaves out.

Weekly and monthly (or any differently long) reports are never added up together, and only
periods that follow one another without a gap are combined.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..reports.disclosure import MAX_MIN_CELL, german_decimal, german_number
from ..reports.periods import Period, PeriodError, date_range, period_of

COMBINED_VERSION = 1
SUMMARY_VERSIONS = (1,)
TOPICS = (
    ("reasons", "Besuche nach Anlass"),
    ("languages", "Besuche nach Sprache"),
    ("needs", "Anliegen"),
    ("followup", "Stand der Anmeldungen"),
    ("satisfaction", "Zufriedenheit"),
    ("forms", "Eingaben nach Formular"),
)
# The forms table's rows that are key figures, with their label for the city.
FIGURES = (("visit", "Besuche"), ("intake", "Anmeldungen"), ("feedback", "Rückmeldungen"))
# Five years of months, or a year of weeks: more is not a report anyone reads.
MAX_PERIODS = 60
NOT_REPORTED_TEXT = "kein Bericht"
UNKNOWN_TEXT = "\N{EN DASH}"


class CombineError(ValueError):
    """Reports that cannot be added up (mixed period lengths, a gap, two reports of one site)."""


@dataclass(frozen=True)
class Range:
    """What a reader knows about a count: at least `low`, at most `high` (None: no bound)."""

    low: int
    high: int | None

    @property
    def exact(self) -> bool:
        return self.low == self.high

    def __add__(self, other: "Range") -> "Range":
        high = None if self.high is None or other.high is None else self.high + other.high
        return Range(self.low + other.low, high)


ZERO = Range(0, 0)
NOT_REPORTED = Range(0, None)


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


def total_range(ranges: Iterable[Range]) -> Range:
    result = ZERO
    for part in ranges:
        result = result + part
    return result


def combined_cell(value: Range, k: int) -> dict:
    """A combined count as printed, with the range it stands for (see the module docstring)."""
    if value.exact and not 0 < value.low < k:
        kind, text, shown = "shown", german_number(value.low), value.low
    elif value.high is not None and value.high < k:
        kind, text, shown = "small", f"<{k}", None
    elif value.low > 0:
        kind, text, shown = "at_least", f"mind. {german_number(value.low)}", None
    else:
        kind, text, shown = "unknown", UNKNOWN_TEXT, None
    return {"value": shown, "text": text, "kind": kind, "low": value.low, "high": value.high}


NOT_REPORTED_CELL = {
    "value": None,
    "text": NOT_REPORTED_TEXT,
    "kind": "missing",
    "low": 0,
    "high": None,
}


# --- Which reports: periods and sites -------------------------------------------------------------


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


# --- Adding up ------------------------------------------------------------------------------------


def table_of(part: Part, topic: str) -> dict | None:
    if topic == "forms":
        return part.summary.get("forms")
    return part.summary.get("tables", {}).get(topic)


def row_ranges(part: Part, topic: str) -> dict[str, Range]:
    """{row value: range} of one table; a row a site does not list was counted zero times."""
    table = table_of(part, topic)
    own_k = part.summary["min_cell"]
    total = total_of(part, topic)
    most = total.high if total else None
    return {row["value"]: published_range(row["current"], own_k, most) for row in table["rows"]}


def part_range(part: Part | None, topic: str, value: str) -> Range:
    if part is None or table_of(part, topic) is None:
        return NOT_REPORTED
    return row_ranges(part, topic).get(value, ZERO)


def total_of(part: Part | None, topic: str) -> Range | None:
    """The part's published total of a table (or its respondents); None if it has none."""
    if part is None or table_of(part, topic) is None:
        return NOT_REPORTED
    table = table_of(part, topic)
    own_k = part.summary["min_cell"]
    if table.get("total"):
        return published_range(table["total"]["current"], own_k)
    if table.get("respondents"):
        return published_range(table["respondents"]["current"], own_k)
    return None


def rows_of(parts: Iterable[Part], topic: str) -> list[tuple[str, str]]:
    """(value, label) of every row any part lists, in the order the reports list them."""
    rows: dict[str, str] = {}
    for part in parts:
        for row in (table_of(part, topic) or {}).get("rows", []):
            rows.setdefault(row["value"], row["label"])
    return list(rows.items())


def printed_mean(part: Part) -> tuple[Fraction, int] | None:
    """(printed mean, number of ratings) of a part; None where either is not printed exactly."""
    table = table_of(part, "satisfaction") or {}
    if not table.get("total"):
        return None
    ratings = published_range(table["total"]["current"], part.summary["min_cell"])
    mean = (table.get("mean") or {}).get("current")
    if mean is None or not ratings.exact:
        return None
    return Fraction(str(mean["value"])), ratings.low


def mean_of(parts: Sequence[Part | None]) -> dict | None:
    """The printed means weighted by their printed number of ratings.

    "complete" is False when some part has ratings but no printed mean (too few, or withheld
    to protect a small count) or sent no report: its ratings are then not in the average.
    """
    weighted, count, complete = Fraction(0), 0, True
    for part in parts:
        if part is None:
            complete = False
            continue
        if total_of(part, "satisfaction") in (None, ZERO):
            continue
        mean = printed_mean(part)
        if mean is None:
            complete = False
            continue
        weighted += mean[0] * mean[1]
        count += mean[1]
    if not count:
        return None
    value = weighted / count
    return {"value": float(round(value, 1)), "text": german_decimal(value), "complete": complete}


def mean_cell(mean: dict | None) -> dict:
    """A mean as a figure; "4,2*" where some ratings are not in it (explained in the report)."""
    if mean is None:
        return {"value": None, "text": UNKNOWN_TEXT, "kind": "unknown"}
    if not mean["complete"]:
        return {"value": mean["value"], "text": mean["text"] + "*", "kind": "partial_mean"}
    return {"value": mean["value"], "text": mean["text"], "kind": "shown"}


class Combination:
    """The parts to add up: one per site and period, None where a site sent no report."""

    def __init__(self, parts: dict[tuple, Part], sites: list[dict], periods: list[Period], k: int):
        self.parts = parts
        self.sites = sites
        self.periods = periods
        self.k = k

    def of(self, slugs: Sequence[str], keys: Sequence[str]) -> list[Part | None]:
        return [self.parts.get((slug, key)) for slug in slugs for key in keys]

    @property
    def all_slugs(self) -> list[str]:
        return [site["slug"] for site in self.sites]

    @property
    def all_keys(self) -> list[str]:
        return [period.key for period in self.periods]

    def cell(self, parts: Sequence[Part | None], topic: str, value: str) -> dict:
        return combined_cell(total_range(part_range(p, topic, value) for p in parts), self.k)

    def total(self, parts: Sequence[Part | None], topic: str) -> dict | None:
        totals = [total_of(part, topic) for part in parts]
        if any(total is None for total in totals):
            return None
        return combined_cell(total_range(totals), self.k)

    def table(self, topic: str, title: str) -> dict:
        parts = self.of(self.all_slugs, self.all_keys)
        present = [part for part in parts if part is not None]
        rows = [
            {"value": value, "label": label, "cell": self.cell(parts, topic, value)}
            for value, label in rows_of(present, topic)
        ]
        total_label = next(
            (
                table["total"]["label"]
                for part in present
                if (table := table_of(part, topic)) and table.get("total")
            ),
            None,
        )
        result = {"key": topic, "title": title, "rows": rows, "total": None}
        total = self.total(parts, topic)
        if total is not None and total_label:
            result["total"] = {"label": total_label, "cell": total}
        elif total is not None:
            result["respondents"] = total
        if topic == "satisfaction":
            result["mean"] = mean_of(parts)
        offices = {
            row["value"]: row.get("office", "")
            for part in present
            for row in (table_of(part, topic) or {}).get("rows", [])
            if row.get("office")
        }
        for row in rows:
            row["office"] = offices.get(row["value"], "")
        return result

    def figures(self, parts: Sequence[Part | None]) -> list[dict]:
        """The key figures of some parts: visits, intakes, ratings, mean rating, still open."""
        figures = [
            {"key": key, "label": label, "cell": self.cell(parts, "forms", key)}
            for key, label in FIGURES
        ]
        figures.append(
            {
                "key": "satisfaction",
                "label": "Zufriedenheit",
                "unit": "von 5",
                "cell": mean_cell(mean_of(parts)),
            }
        )
        figures.append(
            {
                "key": "open",
                "label": "Anmeldungen offen",
                "cell": self.cell(parts, "followup", "open"),
            }
        )
        return figures

    def site_row(self, site: dict) -> dict:
        reported = [key for key in self.all_keys if (site["slug"], key) in self.parts]
        missing = [period for period in self.periods if period.key not in reported]
        row = {
            **site,
            "reported": reported,
            "missing": [period.key for period in missing],
            "missing_labels": [period.label for period in missing],
            "status": "complete" if not missing else "partial" if reported else "none",
            "reports": [
                {"period": key, "uuid": self.parts[site["slug"], key].uuid} for key in reported
            ],
        }
        if reported:
            row["figures"] = self.figures(self.of([site["slug"]], self.all_keys))
        else:
            row["figures"] = [{**figure, "cell": NOT_REPORTED_CELL} for figure in self.figures([])]
        return row

    def trend(self) -> list[dict]:
        """The town's mean rating per period (None where it cannot be given)."""
        return [
            {
                "key": period.key,
                "label": period.short_label,
                "mean": mean_of(self.of(self.all_slugs, [period.key])),
            }
            for period in self.periods
        ]


def combine_summaries(
    records: Sequence[dict],
    periods: Sequence[Period] | None = None,
    sites: Sequence[dict] | None = None,
) -> dict:
    """The town's summary from the sites' report records (as kiosk/reports/store.py writes them).

    `periods`: the consecutive periods to combine (default: those of the records, gaps filled);
    `sites`: every site expected to report ({"slug", "name"}), so a silent one is listed too.
    Visitor comments are never taken over: the combined report holds numbers only.
    """
    chosen = chosen_periods(records, periods)
    parts, unreadable = collect_parts(records, chosen)
    if not parts:
        raise CombineError("Für den gewählten Zeitraum liegen keine lesbaren Berichte vor.")
    k = max(part.summary["min_cell"] for part in parts.values())
    combination = Combination(parts, site_list(records, sites), chosen, k)
    site_rows = [combination.site_row(site) for site in combination.sites]
    everything = combination.of(combination.all_slugs, combination.all_keys)
    return {
        "version": COMBINED_VERSION,
        "period": combined_period(chosen),
        "periods": [period.to_dict() for period in chosen],
        "min_cell": k,
        "min_cells": sorted({part.summary["min_cell"] for part in parts.values()}),
        "sites": site_rows,
        "complete": all(row["status"] == "complete" for row in site_rows),
        "key_figures": combination.figures(everything),
        "tables": {topic: combination.table(topic, title) for topic, title in TOPICS},
        "trend": combination.trend(),
        "reports": len(parts),
        "unreadable": unreadable,
    }

"""Adding up the parts: the town's tables and totals, key figures, per-site rows and mean rating.

A table's total is combined like any count (bounds.py) from the sites' published totals, so it
too is exact only when each site's total is printed exactly. Since all figures derive from
published ones, the row sums and the total together tell nothing about a hidden cell that the
site's own report (whose secondary suppression was chosen for exactly that) did not already allow.

The mean rating is the average of the sites' printed means, weighted by their printed number of
ratings (so it may differ from the exact mean by the rounding of those, at most 0.05). A part
with ratings but without a printed mean (too few, or dropped to protect a small count) cannot be
in it; the mean is then marked with "*" and the report says what it leaves out.
"""

from collections.abc import Iterable, Sequence
from fractions import Fraction

from ..reports.disclosure import german_decimal
from ..reports.periods import Period
from .bounds import (
    NOT_REPORTED,
    NOT_REPORTED_CELL,
    UNKNOWN_TEXT,
    ZERO,
    Range,
    combined_cell,
    total_range,
)
from .site_summaries import Part, published_range

# The forms table's rows that are key figures, with their label for the city.
FIGURES = (("visit", "Besuche"), ("intake", "Anmeldungen"), ("feedback", "Rückmeldungen"))


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

"""Adding up the ranges of published counts, and what a combined count may be printed as.

What remains, once the hub holds only published figures (site_summaries.py), is to print honest
figures, never an exact-looking sum of inexact parts.

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
"""

from collections.abc import Iterable
from dataclasses import dataclass

from ..reports.disclosure import german_number

NOT_REPORTED_TEXT = "kein Bericht"
UNKNOWN_TEXT = "\N{EN DASH}"


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

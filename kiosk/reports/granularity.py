"""How long a report's period is, so that it says something without uncovering a small count.

Published cells. A report's published cells are every count cell of every table of its summary
for its own period: each row of the submissions per form, the visits by reason and by language,
the needs (with each need's "weitergegeben" and "erledigt"), the state of the intakes and the
ratings; each table's total; and the number of intakes that named needs. A cell is hidden when it
is printed as "<k" (a small count), "•" (hidden so that no small count can be worked back) or a dash
(a table withheld). Means, the previous period's column and the trend are not counted.

The schedule "auto" (kiosk/reports/due.py) reports a finished month on its own where that hides
at most a quarter of its published cells; otherwise the month waits, and the next report covers
"the quarter so far": from the quarter's first day not yet reported to the end of a later month,
once that says enough, and at the latest with the quarter's last month. Its cover names the
months that waited (`period_note`), but not how many cells they would have hidden: that number,
next to the report's own cells, can give a small count away.

Why a month waits instead of being reported twice: the reports of one site never overlap. A
report of October and November next to a report of October would give November's counts by
subtraction, exactly where November's own report hides them; to stay exact, the longer report
would have to hide every such cell again, and would say no more than November alone. Disjoint
periods, each protected on its own (kiosk/reports/disclosure.py), leave nothing to subtract.

The same holds for what a report prints about other periods: the previous period's column and
the trend's means. Such a period is printed only where it is the period of a built report (it then
adds nothing that report did not print) or touches no period printed so far (`Published`);
otherwise its column stays empty (a dash). A report by hand whose period overlaps a printed period
without being it is refused (`conflicts`).
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..clock import MONTHS
from ..models import Site
from .disclosure import german_number
from .periods import Period, PeriodError, date_range, month_of, period_of, quarter, quarter_start
from .tables import (
    NEED_STATES,
    Counts,
    followup_table,
    forms_table,
    languages_table,
    needs_table,
    reasons_table,
    satisfaction_table,
)

WITHHELD_CELL = {"value": None, "text": "\N{EN DASH}", "kind": "withheld"}


# --- Published cells --------------------------------------------------------------------------


def protected_tables(counts: Counts, k: int) -> tuple[dict, dict]:
    """(forms, tables): every table of a summary, protected with threshold `k`."""
    forms = forms_table(counts, k)
    tables = {
        "reasons": reasons_table(counts, k),
        "languages": languages_table(counts, k),
        "needs": needs_table(counts, k),
        "followup": followup_table(counts, k),
        "satisfaction": satisfaction_table(counts, k),
    }
    return forms, tables


def published_cells(forms: dict, tables: dict) -> list[dict]:
    """Every count cell the report prints for its own period (see the module's docstring)."""
    cells = []
    for table in (forms, *tables.values()):
        for row in table["rows"]:
            cells.append(row["current"])
            cells.extend(row[state] for state, _ in NEED_STATES if state in row)
        if table.get("total"):
            cells.append(table["total"]["current"])
        if "respondents" in table:
            cells.append(table["respondents"]["current"])
    return cells


@dataclass(frozen=True)
class Coverage:
    """How many of a period's published cells its report would hide."""

    period: Period
    hidden: int
    cells: int

    @property
    def says_enough(self) -> bool:
        """At most a quarter of the published cells hidden."""
        return self.hidden * 4 <= self.cells

    @property
    def text(self) -> str:
        """ "9 von 20"."""
        return f"{german_number(self.hidden)} von {german_number(self.cells)}"

    def to_dict(self) -> dict:
        return {
            "key": self.period.key,
            "label": self.period.label,
            "hidden": self.hidden,
            "cells": self.cells,
        }


def coverage_of(period: Period, forms: dict, tables: dict) -> Coverage:
    cells = published_cells(forms, tables)
    hidden = sum(1 for cell in cells if cell["kind"] != "shown")
    return Coverage(period, hidden, len(cells))


def coverage(site: Site, period: Period, k: int) -> Coverage:
    """The published cells of `site`'s report of `period`, from its real tables."""
    return coverage_of(period, *protected_tables(Counts(site, period), k))


# --- Which period a finished month goes into (REPORT_SCHEDULE = "auto") ----------------------


@dataclass(frozen=True)
class Decision:
    """What "auto" does with a finished month: the report built now, or None (it waits)."""

    month: Period
    alone: Coverage  # the month on its own ("Monat")
    so_far: Coverage  # the quarter so far ("Quartal bisher"); the month itself if nothing waits
    period: Period | None

    @property
    def choice(self) -> str:
        """ "month", "quarter_so_far" or "wait"."""
        if self.period is None:
            return "wait"
        return "month" if self.period == self.month else "quarter_so_far"


def stretch_start(month: Period, reported: Iterable[Period], earliest: date | None = None) -> date:
    """The first day of `month`'s quarter that no report covers yet, and not before the month
    of `earliest` (the first day reports are made for at all)."""
    start = quarter_start(month.start)
    if earliest is not None:
        start = max(start, min(month_of(earliest).start, month.start))
    for period in reported:
        if start <= period.end < month.start:
            start = period.end + timedelta(days=1)
    return start


def decide(
    month: Period,
    reported: Sequence[Period],
    measure: Callable[[Period], Coverage],
    earliest: date | None = None,
) -> Decision:
    """Auto's choice for a finished `month` none of whose days is reported yet."""
    alone = measure(month)
    start = stretch_start(month, reported, earliest)
    so_far = alone if start == month.start else measure(date_range(start, month.end))
    quarter_over = month.end == quarter(quarter_start(month.start)).end
    period = so_far.period if so_far.says_enough or quarter_over else None
    return Decision(month, alone, so_far, period)


def auto_periods(
    months: Sequence[Period],
    reported: Sequence[Period],
    measure: Callable[[Period], Coverage],
    earliest: date | None = None,
) -> list[Period]:
    """The reports "auto" builds for these finished months (oldest first), given the periods
    already reported; months reported (in part) already are left as they are."""
    reported = list(reported)
    built = []
    for month in months:
        if any(month.overlaps(period) for period in reported):
            continue
        chosen = decide(month, reported, measure, earliest).period
        if chosen is not None:
            built.append(chosen)
            reported.append(chosen)
    return built


# --- What the cover says about the period ------------------------------------------------------


def period_note(period: Period, too_much: Sequence[Coverage], together: Coverage) -> str:
    """For a report of several months whose first months alone would have hidden too much, e.g.
    "Quartal bis Ende November: im Oktober allein wäre mehr als ein Viertel der Zahlen
    verborgen geblieben; in diesem Bericht sind es 9 von 62." ("" otherwise).

    `too_much`: the report's first month, the first two, …, as far as each would have hidden
    more than a quarter. The cover says no more than that: how many cells a month alone would
    hide is not printed, as together with the report's own cells it can give a small count away
    (tests/test_report_schedule.py, the brute force). That the months waited, the period of an
    "auto" report tells anyway.
    """
    if period.months < 2 or not too_much:
        return ""
    if period.quarter_so_far:
        lead = f"Quartal bis Ende {MONTHS[period.end.month - 1]}"
    elif period.kind == "quarter":
        lead = "Ganzes Quartal"
    else:
        lead = period.label
    first, *longer = too_much
    parts = [f"im {MONTHS[first.period.start.month - 1]} allein"]
    parts += [f"bis Ende {MONTHS[c.period.end.month - 1]}" for c in longer]
    each = " jeweils" if longer else ""
    return (
        f"{lead}: {' und '.join(parts)} wäre{each} mehr als ein Viertel der Zahlen verborgen "
        f"geblieben; in diesem Bericht sind es {together.text}."
    )


def first_months_hiding_too_much(
    period: Period, measure: Callable[[Period], Coverage]
) -> list[Coverage]:
    """The period's first month, first two months, … (never all of it), as long as each would
    have hidden more than a quarter of its cells: what "auto" waited for."""
    found = []
    for month in months_of(period)[:-1] if period.months > 1 else []:
        so_far = measure(date_range(period.start, month.end))
        if so_far.says_enough:
            break
        found.append(so_far)
    return found


def months_of(period: Period) -> list[Period]:
    months = [month_of(period.start)]
    while months[-1].end < period.end:
        months.append(month_of(months[-1].end + timedelta(days=1)))
    return months


def granularity(site: Site, period: Period, k: int, together: Coverage) -> dict:
    """The summary's "granularity": the report's hidden cells (as its own cells show them), the
    first months that alone would have hidden too much, and the cover's sentence."""
    too_much = first_months_hiding_too_much(period, lambda p: coverage(site, p, k))
    return {
        "hidden": together.hidden,
        "cells": together.cells,
        "waited": [{"key": c.period.key, "label": c.period.label} for c in too_much],
        "note": period_note(period, too_much, together),
    }


# --- Periods printed before --------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """What a site's built reports printed: their periods (`reports`), and every period whose
    counts or mean they print at all (`printed`: also the previous period's column and the
    trend's means)."""

    reports: tuple[Period, ...] = ()
    printed: frozenset[Period] = field(default_factory=frozenset)

    @classmethod
    def from_records(cls, records: Iterable[dict], leave_out: Period | None = None) -> "Published":
        """From the store's records (kiosk/reports/store.py), without `leave_out`'s own."""
        reports, printed = [], set()
        for record in records:
            try:
                own = period_of(record["period"]["key"])
                if own == leave_out:
                    continue
                summary = record.get("summary") or {}
                reports.append(own)
                printed.add(own)
                previous = summary.get("previous")
                if previous and previous.get("printed", True):
                    printed.add(period_of(previous["key"]))
                for point in summary.get("trend") or []:
                    if point.get("mean") is not None:
                        printed.add(period_of(point["key"]))
            except (PeriodError, KeyError, TypeError, AttributeError, ValueError):
                continue  # a damaged record: its period is not known, so nothing is assumed
        return cls(tuple(sorted(reports, key=lambda p: (p.start, p.end))), frozenset(printed))

    def printable(self, period: Period) -> bool:
        """Whether a report may print `period`'s counts: it was printed already, or it touches
        no period printed so far."""
        return period in self.printed or not any(period.overlaps(p) for p in self.printed)

    def conflicts(self, period: Period) -> list[Period]:
        """The printed periods that `period` overlaps without being one of them, oldest first."""
        if period in self.printed:
            return []
        return sorted(
            (p for p in self.printed if period.overlaps(p)), key=lambda p: (p.start, p.end)
        )


def limit_to_published(summary: dict, period: Period, published: Published) -> None:
    """Empty the previous period's column and the trend's means that `published` does not allow
    (in place, before the key figures and sentences are written from the tables)."""
    previous = period.previous()
    allowed = published.printable(previous)
    summary["previous"]["printed"] = allowed
    if not allowed:
        for table in (summary["forms"], *summary["tables"].values()):
            _withhold_previous(table)
        summary["tables"]["satisfaction"]["mean"]["previous"] = None
    for point in summary["trend"]:
        if point["key"] != period.key and not published.printable(period_of(point["key"])):
            point["mean"] = None


def _withhold_previous(table: dict) -> None:
    table["withheld"]["previous"] = True
    for row in table["rows"]:
        row["previous"], row["change"] = dict(WITHHELD_CELL), None
    if table.get("total"):
        table["total"]["previous"], table["total"]["change"] = dict(WITHHELD_CELL), None
    if "respondents" in table:
        table["respondents"]["previous"] = dict(WITHHELD_CELL)

"""Report periods: a month, an ISO week, a quarter or any date range, with German labels."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Periods are days in Wildeshausen; submissions are stored in UTC.
from ..clock import MONTHS, german_date, utc_midnight

# Typed periods are read like every typed date (any script's digits, years 2000 to 2099).
from ..dates import DateInputError, check_year, parse_day, plain

MONTH_KEY = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
WEEK_KEY = re.compile(r"(\d{4})-W(\d{2})", re.ASCII | re.IGNORECASE)
QUARTER_KEY = re.compile(r"(\d{4})-Q([1-4])", re.ASCII | re.IGNORECASE)

KINDS_OF_PERIOD = (
    "Bitte einen Zeitraum wie 2026-10 (ein Monat), 2026-W43 (eine Kalenderwoche) oder"
    " 2026-Q3 (ein Quartal) eingeben."
)
YEARS = "Bitte einen Zeitraum in den Jahren 2000 bis 2099 eingeben."


class PeriodError(DateInputError):
    """A period that cannot be read, e.g. "2026-13", or lies outside the years 2000 to 2099;
    the message is German, for the person who typed it."""


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day
    end: date  # last day, included

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def key(self) -> str:
        """ "2026-11", "2026-W47", "2026-Q4" or "2026-11-01_2026-11-15": part of file names."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def months(self) -> int:
        """How many whole months the period spans; 0 if it is not made of whole months."""
        if self.kind == "week" or self.start.day != 1 or (self.end + timedelta(1)).day != 1:
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def quarter_so_far(self) -> bool:
        """A range from a quarter's first day to the end of one of its later months (the
        schedule "auto"'s "Quartal bisher"; the whole quarter is kind "quarter")."""
        return (
            self.kind == "range"
            and self.months > 1
            and self.start == quarter_start(self.start)
            and quarter_start(self.end) == self.start
        )

    @property
    def label(self) -> str:
        """German, e.g. "November 2026", "KW 47/2026", "4. Quartal 2026", "4. Quartal 2026 bis
        Ende November", "November bis Dezember 2026", or a range of days."""
        if self.kind == "month":
            return f"{MONTHS[self.start.month - 1]} {self.start.year}"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"KW {week}/{year}"
        if self.kind == "quarter":
            return f"{(self.start.month - 1) // 3 + 1}. Quartal {self.start.year}"
        if self.quarter_so_far:
            return f"{quarter(self.start).label} bis Ende {MONTHS[self.end.month - 1]}"
        if self.months:
            first, last = MONTHS[self.start.month - 1], MONTHS[self.end.month - 1]
            if self.start.year == self.end.year:
                return f"{first} bis {last} {self.end.year}"
            return f"{first} {self.start.year} bis {last} {self.end.year}"
        return f"{german_date(self.start)} \N{EN DASH} {german_date(self.end)}"

    @property
    def previous_name(self) -> str:
        """What the period before this one is called in a table header."""
        return {"month": "Vormonat", "week": "Vorwoche", "quarter": "Vorquartal"}.get(
            self.kind, "Zeitraum davor"
        )

    @property
    def phrase(self) -> str:
        """For a sentence: "im November 2026", "in der KW 47/2026", "vom 1. … bis 15. …"."""
        if self.kind == "week":
            return f"in der {self.label}"
        if self.kind == "range" and self.months and not self.quarter_so_far:
            return f"von {self.label}"
        if self.kind == "range" and not self.months:
            return f"vom {german_date(self.start)} bis {german_date(self.end)}"
        return f"im {self.label}"

    @property
    def short_label(self) -> str:
        """For chart axes: "Nov 26", "KW 47", "Q4/26", "Okt-Nov 26" (an en dash), or a day."""
        if self.kind == "month":
            return f"{MONTHS[self.start.month - 1][:3]} {self.start:%y}"
        if self.kind == "week":
            return f"KW {self.start.isocalendar()[1]}"
        if self.kind == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1}/{self.start:%y}"
        if self.months:
            first, last = MONTHS[self.start.month - 1][:3], MONTHS[self.end.month - 1][:3]
            return f"{first}\N{EN DASH}{last} {self.end:%y}"
        return f"{self.start:%d.%m.}"

    def previous(self) -> "Period":
        """The period of equal length just before: the previous month, week, quarter or range
        (of as many whole months, for a range of whole months)."""
        if self.kind == "month":
            return month(shift_month(self.start, -1))
        if self.kind == "quarter":
            return quarter(shift_month(self.start, -3))
        if self.months:
            return date_range(shift_month(self.start, -self.months), self.start - timedelta(1))
        return Period(self.kind, self.start - timedelta(days=self.days), self.start - timedelta(1))

    def recent(self, count: int) -> list["Period"]:
        """This period and the `count - 1` before it, oldest first."""
        periods = [self]
        while len(periods) < count:
            periods.insert(0, periods[0].previous())
        return periods

    def overlaps(self, other: "Period") -> bool:
        return self.start <= other.end and other.start <= self.end

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in naive UTC, as submissions store their time."""
        return utc_midnight(self.start), utc_midnight(self.end + timedelta(1))

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "key": self.key,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "label": self.label,
            "range_label": f"{german_date(self.start)} bis {german_date(self.end)}",
            "previous_name": self.previous_name,
        }


def shift_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month(first: date) -> Period:
    return Period("month", first, shift_month(first, 1) - timedelta(1))


def quarter(first: date) -> Period:
    return Period("quarter", first, shift_month(first, 3) - timedelta(1))


def quarter_start(day: date) -> date:
    """The first day of the quarter `day` is in."""
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def month_of(day: date) -> Period:
    return month(day.replace(day=1))


def parse_period(text: str) -> Period:
    """A period from "2026-11", "2026-W47" or "2026-Q4"."""
    text = plain(text)
    match = MONTH_KEY.fullmatch(text) or WEEK_KEY.fullmatch(text) or QUARTER_KEY.fullmatch(text)
    if not match:
        raise PeriodError(KINDS_OF_PERIOD)
    year, number = check_period_year(int(match[1])), int(match[2])
    if match.re is QUARTER_KEY:
        return quarter(date(year, (number - 1) * 3 + 1, 1))
    if match.re is MONTH_KEY:
        if not 1 <= number <= 12:
            raise PeriodError(f"Einen Monat {number} gibt es nicht. {KINDS_OF_PERIOD}")
        return month(date(year, number, 1))
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise PeriodError(f"Die Kalenderwoche {number} gibt es {year} nicht.") from None
    return Period("week", monday, monday + timedelta(6))


def check_period_year(year: int) -> int:
    try:
        return check_year(year)
    except DateInputError:
        raise PeriodError(YEARS) from None


def date_range(first: date, last: date) -> Period:
    """Any range of days; whole months, weeks and quarters are recognised as such."""
    if last < first:
        raise PeriodError(
            f"Der Zeitraum endet am {german_date(last)}, vor seinem Beginn am {german_date(first)}."
        )
    candidates = [month(first.replace(day=1))]
    if first.month % 3 == 1:
        candidates.append(quarter(first.replace(day=1)))
    for candidate in candidates:
        if (candidate.start, candidate.end) == (first, last):
            return candidate
    if first.weekday() == 0 and (last - first).days == 6:
        return Period("week", first, last)
    return Period("range", first, last)


def period_of(key: str) -> Period:
    """A period from its key, ranges ("2026-11-01_2026-11-15") included."""
    if "_" in key:
        first, _, last = key.partition("_")
        try:
            return date_range(parse_day(first), parse_day(last))
        except PeriodError:
            raise
        except DateInputError as error:
            raise PeriodError(str(error)) from None
    return parse_period(key)


def last_complete_month(today: date | None = None) -> Period:
    return month(shift_month((today or date.today()).replace(day=1), -1))

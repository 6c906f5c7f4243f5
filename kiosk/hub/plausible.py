"""Which times and periods a site can really send: none before 2020, none ahead of the hub's clock.

A site's clock may be wrong (a tablet that lost its time, a typo in a test), and a year 1 or
9999 breaks every date sum and display that meets it. So the hub takes a time only between
1 January 2020 (before the program existed) and one day after its own clock (a site's clock may
run a little ahead), and a report's period only when it starts on or after 1 January 2020 and has
ended by that same day: a site builds a report only after its period is over.
"""

from datetime import date, datetime, timedelta

from ..clock import german_date, local_time, utcnow
from ..reports.periods import Period

EARLIEST = datetime(2020, 1, 1)  # naive UTC, as stored
AHEAD = timedelta(days=1)  # how far a site's clock may run ahead of the hub's


def latest(now: datetime | None = None) -> datetime:
    """The latest time a site may send: one day after the hub's clock (naive UTC)."""
    return (now or utcnow()) + AHEAD


def moment_problem(moment: datetime, now: datetime | None = None) -> str | None:
    """Why `moment` (naive UTC) cannot be a site's time, in German; None if it can."""
    if moment < EARLIEST:
        return f"liegt vor dem {german_date(EARLIEST.date())}"
    if moment > latest(now):
        return "liegt mehr als einen Tag nach der Uhrzeit des Hubs"
    return None


def last_plausible_day(now: datetime | None = None) -> date:
    return local_time(latest(now)).date()


def period_problem(period: Period, now: datetime | None = None) -> str | None:
    """Why a site cannot have reported `period`, in German; None if it can."""
    if period.start < EARLIEST.date():
        return f"beginnt vor dem {german_date(EARLIEST.date())}"
    if period.end > last_plausible_day(now):
        return "ist nach der Uhrzeit des Hubs noch nicht vorbei"
    return None

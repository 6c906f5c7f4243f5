"""Which reports are due: the periods of REPORT_SCHEDULE since the first submission, built once.

Safe from several processes at once: each report is built under the store's file lock.
"""

from datetime import date, datetime, timedelta

from flask import current_app
from peewee import fn

from ..clock import local_time
from ..db import this_site
from ..models import Site, Submission
from .periods import Period, month, shift_month
from .store import build_report, load_record

# A kiosk that was off catches up on at most this many missed periods.
CATCH_UP_PERIODS = 12


def report_day(now: datetime, report_hour: int) -> date:
    """The day whose due reports may be built: today from REPORT_HOUR on, else yesterday."""
    local = local_time(now)
    return local.date() if local.hour >= report_hour else local.date() - timedelta(days=1)


def last_complete_period(today: date, schedule: str) -> Period:
    """The month or ISO week before the one `today` is in."""
    if schedule == "weekly":
        monday = today - timedelta(days=today.weekday())
        return Period("week", monday - timedelta(days=7), monday - timedelta(days=1))
    return month(shift_month(today.replace(day=1), -1))


def first_submission_day(site: Site) -> date | None:
    first = Submission.select(fn.MIN(Submission.created_at)).where(Submission.site == site).scalar()
    return local_time(first).date() if first else None


def due_periods(today: date, schedule: str, first_day: date | None) -> list[Period]:
    """The last complete period, and the ones before it back to the first submission (at most
    CATCH_UP_PERIODS in all), oldest first; none before the first submission."""
    if first_day is None or first_day >= today:
        return []  # nothing to report yet: a new kiosk gets no empty report of a time before it
    periods = [last_complete_period(today, schedule)]
    while len(periods) < CATCH_UP_PERIODS and periods[0].start > first_day:
        periods.insert(0, periods[0].previous())
    return periods


def due_reports(today: date) -> list[Period]:
    """Periods that are due on `today` and have no report yet, oldest first."""
    site = this_site()
    schedule = current_app.config["REPORT_SCHEDULE"]
    periods = due_periods(today, schedule, first_submission_day(site))
    return [p for p in periods if load_record(current_app.instance_path, site.slug, p) is None]


def build_due_reports(today: date) -> list[dict]:
    """Build every due report (each under the store's lock); the records built now."""
    site = this_site()
    built = []
    for period in due_reports(today):
        result = build_report(site, period, today=today)
        if result.built:
            built.append(result.record)
    return built

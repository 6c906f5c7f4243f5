"""Which reports are due: the periods of REPORT_SCHEDULE since the first submission, built once,
REPORT_GRACE_DAYS after a period's end (so that comments approved in those days still count).

- "weekly", "monthly", "quarterly": the last complete ISO week, month or quarter, and the ones
  missed before it;
- "auto": month by month, each finished month on its own where that says enough, else with the
  quarter so far (kiosk/reports/granularity.py); a month that waits is built with a later one.

A kiosk that was off catches up, at most CATCH_UP_PERIODS periods (months for "auto") back, and
never builds a report of a time before its first submission. Safe from several processes at
once: each report is built under the store's file lock. A report built by hand (the coordinator's
page, `kiosk report build`) is never delayed: the grace days are the schedule's.
"""

import os
from datetime import date, datetime, timedelta

from flask import current_app
from peewee import fn

from ..clock import german_date, local_time
from ..db import this_site
from ..models import Site, Submission
from .disclosure import min_cell
from .granularity import auto_periods, coverage
from .periods import Period, PeriodError, month, period_of, quarter, quarter_start, shift_month
from .store import build_report, load_record, reports_dir

SCHEDULES = ("auto", "monthly", "quarterly", "weekly")
# A kiosk that was off catches up on at most this many missed periods.
CATCH_UP_PERIODS = 12


def report_day(now: datetime, report_hour: int) -> date:
    """The day whose due reports may be built: today from REPORT_HOUR on, else yesterday."""
    local = local_time(now)
    return local.date() if local.hour >= report_hour else local.date() - timedelta(days=1)


def last_complete_period(today: date, schedule: str) -> Period:
    """The ISO week, quarter or month (also for "auto") before the one `today` is in."""
    if schedule == "weekly":
        monday = today - timedelta(days=today.weekday())
        return Period("week", monday - timedelta(days=7), monday - timedelta(days=1))
    if schedule == "quarterly":
        return quarter(shift_month(quarter_start(today), -3))
    return month(shift_month(today.replace(day=1), -1))


def first_submission_day(site: Site) -> date | None:
    first = Submission.select(fn.MIN(Submission.created_at)).where(Submission.site == site).scalar()
    return local_time(first).date() if first else None


def due_periods(
    today: date, schedule: str, first_day: date | None, grace_days: int = 0
) -> list[Period]:
    """The last period over for `grace_days` by `today`, and the ones before it back to the first
    submission (at most CATCH_UP_PERIODS in all), oldest first; none before the first submission.
    For "auto" these are the months it decides on."""
    counted = today - timedelta(days=grace_days)  # a period ending before this day is due
    if first_day is None or first_day >= counted:
        return []  # nothing to report yet: a new kiosk gets no empty report of a time before it
    periods = [last_complete_period(counted, schedule)]
    while len(periods) < CATCH_UP_PERIODS and periods[0].start > first_day:
        periods.insert(0, periods[0].previous())
    return [period for period in periods if period.end >= first_day]


def grace_days(config) -> int:
    return config.get("REPORT_GRACE_DAYS", 0)


def due_reports(today: date) -> list[Period]:
    """Periods that are due on `today` and have no report yet, oldest first."""
    site = this_site()
    schedule = current_app.config["REPORT_SCHEDULE"]
    first_day = first_submission_day(site)
    periods = due_periods(today, schedule, first_day, grace_days(current_app.config))
    if schedule == "auto" and periods:
        k = min_cell(current_app.config)
        return auto_periods(
            periods,
            reported_periods(current_app.instance_path, site.slug),
            lambda period: coverage(site, period, k),
            earliest=periods[0].start,
        )
    return [p for p in periods if load_record(current_app.instance_path, site.slug, p) is None]


def reported_periods(instance_path: str, site_slug: str) -> list[Period]:
    """The periods of the site's built reports, oldest first, read from their file names alone
    (the scheduler asks every minute; the records' summaries are not needed for it)."""
    try:
        names = os.listdir(reports_dir(instance_path, site_slug))
    except FileNotFoundError:
        return []
    periods = []
    for name in names:
        stem, dot, extension = name.rpartition(".")
        if dot and extension == "json":
            try:
                periods.append(period_of(stem))
            except (PeriodError, ValueError):
                continue
    return sorted(periods, key=lambda period: (period.start, period.end))


def build_due_reports(today: date) -> list[dict]:
    """Build every due report (each under the store's lock); the records built now."""
    site = this_site()
    built = []
    for period in due_reports(today):
        result = build_report(site, period, today=today)
        if result.built:
            built.append(result.record)
    return built


def why_none_due(today: date) -> str:
    """Why `kiosk report due` built nothing today, in one German sentence for the coordinator."""
    site, config = this_site(), current_app.config
    schedule, grace = config["REPORT_SCHEDULE"], grace_days(config)
    if first_submission_day(site) is None:
        return "Kein Bericht fällig: es gibt noch keine Einträge."
    last = last_complete_period(today, "monthly" if schedule == "auto" else schedule)
    reported = reported_periods(current_app.instance_path, site.slug)
    if any(last.overlaps(period) for period in reported):
        return "Kein Bericht fällig: die fälligen Berichte sind schon erstellt."
    ready = last.end + timedelta(days=grace + 1)
    if today < ready:
        return (
            f"Kein Bericht fällig: der Bericht {last.label} wird ab dem {german_date(ready)} "
            f"erstellt (REPORT_GRACE_DAYS = {grace}), damit Kommentare bis dahin freigegeben "
            "werden können."
        )
    if schedule == "auto":
        return (
            f"Kein Bericht fällig: {last.label} allein würde mehr als ein Viertel der Zahlen "
            "verbergen; der Monat kommt in den nächsten Bericht, das Quartal bis dahin "
            '(REPORT_SCHEDULE = "auto").'
        )
    return "Kein Bericht fällig: die fälligen Berichte sind schon erstellt."

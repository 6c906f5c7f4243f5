"""Comments still waiting for approval for a report that is not built yet, and until when an
approval counts: "3 Kommentare warten auf Freigabe für den Bericht Oktober 2026 -- bis
7. November 2026" on the staff's Eingang and Versand pages.

The report a comment goes into is the one of REPORT_SCHEDULE that covers its day; the last day an
approval counts is that period's end plus REPORT_GRACE_DAYS (the scheduled build runs the day
after). With "auto" a finished month that waits (kiosk/reports/granularity.py) goes into the
quarter so far that is open now. Periods whose last day has passed are being built: not named.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from peewee import JOIN

from ..clock import local_time, utc_midnight
from ..formspec import NO_ANSWER
from ..models import Answer, CommentApproval, FormVersion, Site, Submission
from .due import last_complete_period
from .granularity import stretch_start
from .periods import Period, date_range, month_of, quarter, quarter_start

# How far back a waiting comment can still go into a report not built: a quarter that waited,
# its grace days, and room to spare (comments are deleted after their form's retention anyway).
LOOK_BACK_DAYS = 190


@dataclass(frozen=True)
class Waiting:
    """Comments waiting for approval for one report not built yet."""

    period: Period
    count: int
    until: date  # the last day an approval counts for it

    @property
    def text(self) -> str:
        waits = "Kommentar wartet" if self.count == 1 else "Kommentare warten"
        return f"{self.count} {waits} auf Freigabe für den Bericht {self.period.label}"


def comment_fields() -> dict[int, list[str]]:
    """{form version id: its free-text fields for comments (type "textarea")}."""
    fields = {}
    for version in FormVersion.select(FormVersion.id, FormVersion.spec):
        names = [f["name"] for f in version.spec.get("fields", []) if f.get("type") == "textarea"]
        if names:
            fields[version.id] = names
    return fields


def waiting_days(site: Site, since: date) -> list[date]:
    """The local day of each comment since `since` that no one has approved for the report."""
    fields = comment_fields()
    if not fields:
        return []
    of_a_comment = None
    for version_id, names in fields.items():
        condition = (Submission.form_version == version_id) & Answer.field.in_(names)
        of_a_comment = condition if of_a_comment is None else of_a_comment | condition
    query = (
        Answer.select(Submission.created_at)
        .join(Submission)
        .switch(Answer)
        .join(CommentApproval, JOIN.LEFT_OUTER, on=(CommentApproval.answer == Answer.id))
        .where(
            (Submission.site == site)
            & (Submission.created_at >= utc_midnight(since))
            & of_a_comment
            & Answer.position.is_null()
            & Answer.value.not_in(["", NO_ANSWER])
            & CommentApproval.id.is_null()
        )
    )
    return [local_time(created).date() for (created,) in query.tuples()]


def target(
    day: date,
    schedule: str,
    grace: int,
    today: date,
    reported: list[Period],
    earliest: date | None = None,
) -> tuple[Period, date] | None:
    """(the report a comment of `day` goes into, the last day an approval counts), or None if
    that report is built or being built."""
    if schedule != "auto":
        period = last_complete_period(_after(day, schedule), schedule)
        until = period.end + timedelta(days=grace)
        if until < today or any(period.overlaps(p) for p in reported):
            return None
        return period, until
    month = month_of(day)
    if any(month.overlaps(p) for p in reported):
        return None
    last_of_quarter = quarter(quarter_start(day)).end
    while month.end + timedelta(days=grace) < today:  # it waited: the next month's report
        if month.end >= last_of_quarter:
            return None  # the quarter's report is due: being built
        month = month_of(month.end + timedelta(days=1))
    start = stretch_start(month, reported, earliest)
    return date_range(start, month.end), month.end + timedelta(days=grace)


def _after(day: date, schedule: str) -> date:
    """A day in the period after the one holding `day`, so that last_complete_period gives it."""
    if schedule == "weekly":
        return day + timedelta(days=7)
    if schedule == "quarterly":
        return quarter(quarter_start(day)).end + timedelta(days=1)
    return month_of(day).end + timedelta(days=1)


def waiting_comments(
    site: Site,
    today: date,
    schedule: str,
    grace: int,
    reported: list[Period],
    earliest: date | None = None,
) -> list[Waiting]:
    """The reports not built yet that comments wait for, the soonest first."""
    counts: dict[tuple[Period, date], int] = {}
    for day in waiting_days(site, today - timedelta(days=LOOK_BACK_DAYS)):
        found = target(day, schedule, grace, today, reported, earliest)
        if found:
            counts[found] = counts.get(found, 0) + 1
    waiting = [Waiting(period, count, until) for (period, until), count in counts.items()]
    return sorted(waiting, key=lambda w: (w.until, w.period.start))

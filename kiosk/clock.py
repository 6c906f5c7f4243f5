"""The Treffpunkt's clock: its time zone, UTC as stored, local days and German dates, once."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    # Wildeshausen's clock; the database stores naive UTC.
    TIMEZONE = ZoneInfo("Europe/Berlin")
except ZoneInfoNotFoundError:  # no tz database (Windows without tzdata): the server's own zone
    TIMEZONE = None

MONTHS = (
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
)  # fmt: skip


def utcnow() -> datetime:
    """Now in naive UTC, as every stored time."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_time(moment: datetime) -> datetime:
    """A stored UTC time as the time on the clock at the Treffpunkt."""
    return moment.replace(tzinfo=UTC).astimezone(TIMEZONE)


def local_today(now: datetime | None = None) -> date:
    """The date on the Treffpunkt's clock (now, or at the stored UTC time `now`)."""
    return local_time(now or utcnow()).date()


def utc_midnight(day: date) -> datetime:
    """Local midnight at the start of `day`, in naive UTC as stored."""
    return datetime.combine(day, time(), TIMEZONE).astimezone(UTC).replace(tzinfo=None)


def german_date(day: date) -> str:
    """ "3. Dezember 2026"."""
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"

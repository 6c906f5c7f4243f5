"""The scheduler inside `kiosk serve`: build due reports, deliver, send heartbeats, nightly jobs.

Every SCHEDULER_INTERVAL_SECONDS a daemon thread runs `run_once(app, now)`. Every step is
safe to run from several processes at once (the server and `kiosk sync` or `kiosk report due`
from cron): reports are built under the store's file lock, outbox rows are leased, heartbeats
and the nightly jobs are claimed by a conditional UPDATE or a unique row. A failing step is
logged and the next one still runs; the thread itself never dies of it.
"""

import logging
import os
import threading
from datetime import UTC, date, datetime, timedelta

from flask import Flask, current_app
from peewee import IntegrityError, fn

from .. import program_version
from ..extensions import db
from ..inbox import local_time
from ..models import ScheduledRun, Site, Submission, SyncTarget, utcnow
from ..reports.periods import Period, month, shift_month
from ..reports.store import build_report, list_records, load_record
from . import configured_targets
from .outbox import (
    deliver_outbox,
    enqueue_reports,
    known_target,
    outbox_length,
    register_targets,
)
from .transports import DeliveryError, send_heartbeat

log = logging.getLogger(__name__)

# A kiosk that was off catches up on at most this many missed periods.
CATCH_UP_PERIODS = 12


# --- Which reports are due ------------------------------------------------------------------------


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
    config = current_app.config
    site = Site.get(Site.slug == config["SITE_SLUG"])
    periods = due_periods(today, config["REPORT_SCHEDULE"], first_submission_day(site))
    return [p for p in periods if load_record(current_app.instance_path, site.slug, p) is None]


def build_due_reports(today: date) -> list[dict]:
    """Build every due report (each under the store's lock); the records built now."""
    site = Site.get(Site.slug == current_app.config["SITE_SLUG"])
    built = []
    for period in due_reports(today):
        result = build_report(site, period, today=today)
        if result.built:
            built.append(result.record)
    return built


# --- Heartbeats ---------------------------------------------------------------------------------


def claim_heartbeat(name: str, now: datetime, minutes: float) -> bool:
    """True for the one process that sends this target's next heartbeat."""
    claimed = (
        SyncTarget.update(heartbeat_at=now)
        .where(
            SyncTarget.name == name,
            SyncTarget.heartbeat_at.is_null()
            | (SyncTarget.heartbeat_at <= now - timedelta(minutes=minutes)),
        )
        .execute()
    )
    return claimed == 1


def iso(moment: datetime | None) -> str | None:
    return moment.replace(tzinfo=UTC).isoformat() if moment else None


def heartbeat_payload(now: datetime, records: list[dict]) -> dict:
    latest = max(records, key=lambda r: r["created"], default=None)
    last_report = None
    if latest:
        last_report = {
            "uuid": latest["uuid"],
            "period": latest["period"]["key"],
            "created": latest["created"],
        }
    return {
        "version": program_version(),
        "sent_at": iso(now),
        "last_submission_at": iso(Submission.select(fn.MAX(Submission.created_at)).scalar()),
        "outbox_length": outbox_length(),
        "last_report": last_report,
    }


def record_heartbeat(name: str, error: str, now: datetime) -> None:
    """Keep the outcome for the status page: the error, or the time it arrived."""
    arrived = {} if error else {"heartbeat_ok_at": now}
    SyncTarget.update(heartbeat_error=error, **arrived).where(SyncTarget.name == name).execute()


def send_heartbeats(now: datetime, force: bool = False) -> dict[str, str]:
    """A heartbeat to every hub target that is due one; per target "" or the error.

    A heartbeat is never queued: a failure is only recorded for the status page.
    """
    minutes = 0 if force else current_app.config["HEARTBEAT_MINUTES"]
    records = list_records(current_app.instance_path, current_app.config["SITE_SLUG"])
    results = {}
    for target in configured_targets():
        if target["type"] != "hub":
            continue
        known_target(target, records, now)
        if not claim_heartbeat(target["name"], now, minutes):
            continue
        try:
            send_heartbeat(target, heartbeat_payload(now, records))
        except DeliveryError as error:
            results[target["name"]] = error.message
        else:
            results[target["name"]] = ""
        record_heartbeat(target["name"], results[target["name"]], now)
    return results


# --- Nightly jobs -------------------------------------------------------------------------------


def claim_day(job: str, day: date, now: datetime) -> ScheduledRun | None:
    """The job's row for `day` if this process is the first to claim it."""
    try:
        with db.atomic():
            return ScheduledRun.create(job=job, day=day, started_at=now)
    except IntegrityError:
        return None


def purge_job(app: Flask, now: datetime) -> str:
    from ..retention import purge_expired

    if app.config["ROLE"] != "hub":
        # A report still due needs the approved comments and exact times that purge removes,
        # so it is built first, even before REPORT_HOUR.
        build_due_reports(local_time(now).date())
    counts = purge_expired(now)
    return ", ".join(f"{kind}: {count}" for kind, count in counts.items() if count)


def backup_job(app: Flask, now: datetime) -> str:
    from ..auth import audit
    from ..backup import create_backup

    if app.config.get("DATABASE_URL"):
        return "übersprungen: PostgreSQL wird mit pg_dump gesichert"
    path = create_backup(app)
    audit("backup", "", os.path.basename(path), user_name="scheduler")
    return path


NIGHTLY_JOBS = {"purge": purge_job, "backup": backup_job}


def run_nightly(app: Flask, now: datetime) -> list[str]:
    """Purge and backup, each once per day from NIGHTLY_HOUR on (German time)."""
    local = local_time(now)
    if local.hour < app.config["NIGHTLY_HOUR"]:
        return []
    ran = []
    for job, function in NIGHTLY_JOBS.items():
        claimed = claim_day(job, local.date(), now)
        if claimed is None:
            continue
        try:
            outcome = function(app, now)
        except Exception as error:
            log.exception("Nächtliche Aufgabe %s fehlgeschlagen", job)
            claimed.error = f"{type(error).__name__}: {error}"
        else:
            log.info("Nächtliche Aufgabe %s erledigt: %s", job, outcome)
        claimed.finished_at = utcnow()
        claimed.save()
        ran.append(job)
    return ran


# --- One run, and the thread ----------------------------------------------------------------------


def run_step(name: str, step, *args):
    """Run one step; log and carry on when it fails."""
    try:
        return step(*args)
    except Exception:
        log.exception("Geplanter Schritt %s fehlgeschlagen", name)
        return None


def run_once(app: Flask, now: datetime | None = None) -> dict:
    """Everything that is due at `now` (naive UTC); what each step did, for logs and tests."""
    now = now or utcnow()
    done: dict = {}
    with app.app_context(), db.connection_context():
        if app.config["ROLE"] != "hub":
            day = report_day(now, app.config["REPORT_HOUR"])
            # Targets first, so that a new target is offered the reports built in this run.
            if configured_targets():
                run_step("Ziele erfassen", register_targets, now)
            done["built"] = run_step("Berichte erstellen", build_due_reports, day)
        if app.config["ROLE"] != "hub" and configured_targets():
            done["queued"] = run_step("Berichte einreihen", enqueue_reports, now)
            done["delivered"] = run_step("Versand", deliver_outbox, now)
            done["heartbeats"] = run_step("Lebenszeichen", send_heartbeats, now)
        done["nightly"] = run_step("Nächtliche Aufgaben", run_nightly, app, now)
    return done


class Scheduler(threading.Thread):
    """A daemon thread running `run_once` every SCHEDULER_INTERVAL_SECONDS until stopped."""

    def __init__(self, app: Flask, interval: float):
        super().__init__(name="kiosk-scheduler", daemon=True)
        self.app = app
        self.interval = interval
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                run_once(self.app)
            except Exception:  # e.g. the database locked for longer than busy_timeout
                log.exception("Geplanter Lauf fehlgeschlagen")
            self.stopped.wait(self.interval)

    def stop(self, timeout: float | None = None) -> None:
        self.stopped.set()
        self.join(timeout)


def start_scheduler(app: Flask) -> Scheduler:
    """Start the background thread of `kiosk serve` (not when the interval is 0)."""
    scheduler = Scheduler(app, float(app.config["SCHEDULER_INTERVAL_SECONDS"]))
    if scheduler.interval > 0:
        scheduler.start()
    return scheduler

"""The scheduler inside `kiosk serve`: build due reports, deliver, send heartbeats, pull the
town-wide directory from the hub, nightly jobs.

Every SCHEDULER_INTERVAL_SECONDS a daemon thread runs `run_once(app, now)`. Every step is
safe to run from several processes at once (the server and `kiosk sync` or `kiosk report due`
from cron): reports are built under the store's file lock, outbox rows are leased, heartbeats
and the nightly jobs are claimed by a conditional UPDATE or a unique row, and a directory pull
applies a version in one transaction (two at once only apply the same version twice). A failing
step is logged and the next one still runs; the thread itself never dies of it.
"""

import logging
import os
import threading
from datetime import date, datetime

from flask import Flask
from peewee import IntegrityError

from .clock import local_time, utcnow
from .db import checkpoint_wal
from .extensions import db
from .maintenance.backup import create_backup
from .maintenance.retention import purge_expired, purge_superseded_reports
from .models import ScheduledRun
from .publishing import activate_ready
from .reports.due import build_due_reports, report_day
from .reports.versions import rebuild_pending
from .review.auth import audit
from .sync import configured_targets
from .sync.directory import pull_if_due
from .sync.forms_pull import pull_forms_if_due
from .sync.heartbeat import send_heartbeats
from .sync.outbox import deliver_outbox, enqueue_reports, register_targets

log = logging.getLogger(__name__)

# --- Nightly jobs -------------------------------------------------------------------------------


def claim_day(job: str, day: date, now: datetime) -> ScheduledRun | None:
    """The job's row for `day` if this process is the first to claim it."""
    try:
        with db.atomic():
            return ScheduledRun.create(job=job, day=day, started_at=now)
    except IntegrityError:
        return None


def purge_job(app: Flask, now: datetime) -> str:
    if app.config["ROLE"] != "hub":
        # A report still due needs the approved comments and exact times that purge removes,
        # so it is built first, even before REPORT_HOUR.
        build_due_reports(local_time(now).date())
    counts = purge_expired(now)
    return ", ".join(f"{kind}: {count}" for kind, count in counts.items() if count)


def backup_job(app: Flask, now: datetime) -> str:
    if app.config.get("DATABASE_URL"):
        return "übersprungen: PostgreSQL wird mit pg_dump gesichert"
    path = create_backup(app)
    audit("backup", "", os.path.basename(path), user_name="scheduler")
    return path


def superseded_job(app: Flask, now: datetime) -> str:
    return f"{purge_superseded_reports(now)} ersetzte Berichte gelöscht"  # on the hub


NIGHTLY_JOBS = {"purge": purge_job, "superseded": superseded_job, "backup": backup_job}


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
            # Reports still showing an erased submission or comment (reports/versions.py).
            done["rebuilt"] = run_step("Berichte neu erstellen", rebuild_pending, now)
            # A published form version waiting for visitors' unfinished answers (kiosk/publishing).
            done["forms"] = run_step("Formulare umstellen", activate_ready)
        if app.config["ROLE"] != "hub" and configured_targets():
            done["queued"] = run_step("Berichte einreihen", enqueue_reports, now)
            done["delivered"] = run_step("Versand", deliver_outbox, now)
            done["heartbeats"] = run_step("Lebenszeichen", send_heartbeats, now)
            # At the first run of this process, then every DIRECTORY_PULL_MINUTES.
            done["directory"] = run_step("Verzeichnis abrufen", pull_if_due, now)
            done["form_pull"] = run_step("Formulare abrufen", pull_forms_if_due, now)  # likewise
        done["nightly"] = run_step("Nächtliche Aufgaben", run_nightly, app, now)
        # The server's connections stay open, so no last close folds the WAL into the database:
        # besides SQLite's auto-checkpoint (every 1000 pages), once a run, without blocking.
        run_step("WAL zurückschreiben", checkpoint_wal, "PASSIVE")
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

"""Heartbeats to hub targets: a small sign of life, claimed once per interval across processes.

A heartbeat is never queued: a failure is only recorded for the status page.
"""

from datetime import UTC, datetime, timedelta

from flask import current_app
from peewee import fn

from ..models import Submission, SyncTarget
from ..reports.store import list_records
from ..version import program_version
from . import configured_targets
from .forms_pull import running_forms
from .outbox import known_target, outbox_length
from .transports import DeliveryError, send_heartbeat


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
        "forms": running_forms(),  # the Stadthaus's versions this site runs (kiosk/hub/forms.py)
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

"""The outbox: one row per report and target, kept until delivered, retried with backoff.

Nothing is ever dropped: a failed attempt only moves the row's next attempt back, 5 s after
the first failure, doubling up to SYNC_RETRY_CAP_SECONDS; errors that waiting will not fix
(a refused token) wait the full cap at once. Before sending, a deliverer claims the row with a
lease (an UPDATE that only succeeds while nobody else holds it), so the server's scheduler and
a `kiosk sync` from cron never send the same row at the same time.

Which reports go to a target: every report built after the target first appeared in
SYNC_TARGETS, plus the latest one that existed then (so a new email address does not get a
year of old reports at once). A report built again (a new version of its period, after an
erasure, a withdrawn approval or `kiosk report build --rebuild`) has a new UUID, so it is
queued for every target like a new report, and an older version still waiting is not sent.

Delivery is at least once: should a lease run out while its deliverer still works, the hub
stores a report once by its UUID, and an email keeps its Message-ID.
"""

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from peewee import fn

from ..models import OutboxItem, SyncTarget, utcnow
from ..reports.periods import period_of
from ..reports.store import list_records, load_record, report_paths
from . import configured_targets
from .transports import DeliveryError, deliver

log = logging.getLogger(__name__)

BASE_DELAY_SECONDS = 5
# Longer than the slowest delivery (a few network steps of at most 30 s each), so a lease
# only runs out when its deliverer died.
LEASE_SECONDS = 300


def retry_delay(attempts: int, cap: float, rng: random.Random | None = None) -> float:
    """Seconds after the `attempts`-th failure: 5, 10, 20, … up to `cap`, less up to a fifth.

    The random fifth keeps the sites of a town from all retrying in the same second.
    """
    base = min(cap, BASE_DELAY_SECONDS * 2 ** max(attempts - 1, 0))
    return base * (rng or random).uniform(0.8, 1.0)


def retry_cap() -> float:
    return float(current_app.config["SYNC_RETRY_CAP_SECONDS"])


# --- Putting reports in -----------------------------------------------------------------------


def enqueue(record: dict, target_name: str, now: datetime | None = None) -> bool:
    """Queue a report for a target; True if new. The same report and target stay one row."""
    if (
        OutboxItem.select()
        .where(OutboxItem.report_uuid == record["uuid"], OutboxItem.target == target_name)
        .exists()
    ):
        return False
    now = now or utcnow()
    period = record["period"]
    # INSERT OR IGNORE: a second process enqueueing the same row at once adds nothing.
    OutboxItem.insert(
        report_uuid=record["uuid"],
        target=target_name,
        site_slug=record["site"]["slug"],
        period_key=period["key"],
        period_start=period["start"],
        enqueued_at=now,
        next_attempt_at=now,
    ).on_conflict_ignore().execute()
    supersede_older(record, target_name)
    return True


def supersede_older(record: dict, target_name: str) -> None:
    """A new version of a period's report (built again after an erasure, say) takes the place
    of an older one still waiting for the target: only the new one is sent."""
    OutboxItem.update(superseded_by=record["uuid"], lease_until=None).where(
        OutboxItem.target == target_name,
        OutboxItem.site_slug == record["site"]["slug"],
        OutboxItem.period_key == record["period"]["key"],
        OutboxItem.report_uuid != record["uuid"],
        OutboxItem.delivered_at.is_null(),
        OutboxItem.superseded_by.is_null(),
    ).execute()


def known_target(target: dict, records: list[dict], now: datetime) -> SyncTarget:
    """The target's row; made when it first appears, remembering which reports it skips."""
    row = SyncTarget.get_or_none(SyncTarget.name == target["name"])
    if row is None:
        older = [record["uuid"] for record in records[1:]]  # records: newest period first
        SyncTarget.insert(
            name=target["name"], kind=target["type"], added_at=now, skipped_reports=older
        ).on_conflict_ignore().execute()
        row = SyncTarget.get(SyncTarget.name == target["name"])
    return row


def site_records() -> list[dict]:
    return list_records(current_app.instance_path, current_app.config["SITE_SLUG"])


def register_targets(
    now: datetime | None = None, records: list[dict] | None = None
) -> dict[str, SyncTarget]:
    """Every configured target's row, made when it first appears.

    Runs before due reports are built, so the reports a run builds count as built after the
    target appeared (a new kiosk's catch-up reports are all sent).
    """
    now = now or utcnow()
    records = site_records() if records is None else records
    return {target["name"]: known_target(target, records, now) for target in configured_targets()}


def enqueue_reports(now: datetime | None = None) -> list[tuple[dict, str]]:
    """Queue every stored report of this site for every target it is meant for.

    Cheap and idempotent, so it runs before every delivery: a report built by hand, or by a
    process that died before queueing it, is queued on the next run.
    """
    now = now or utcnow()
    records = site_records()
    rows = register_targets(now, records)
    added = []
    for target in configured_targets():
        skipped = set(rows[target["name"]].skipped_reports)
        for record in reversed(records):  # oldest first, so they are delivered in order
            if record["uuid"] not in skipped and enqueue(record, target["name"], now):
                added.append((record, target["name"]))
    return added


# --- Reading the queue --------------------------------------------------------------------------


def undelivered():
    return OutboxItem.select().where(
        OutboxItem.delivered_at.is_null(), OutboxItem.superseded_by.is_null()
    )


def outbox_length() -> int:
    """How many deliveries are waiting, over all configured targets."""
    query = undelivered()
    if has_app_context():
        names = [target["name"] for target in configured_targets()]
        query = query.where(OutboxItem.target.in_(names))
    return query.count()


def due_items(now: datetime, force: bool = False) -> list[OutboxItem]:
    names = [target["name"] for target in configured_targets()]
    query = undelivered().where(OutboxItem.target.in_(names))
    if not force:
        query = query.where(OutboxItem.next_attempt_at <= now)
    return list(query.order_by(OutboxItem.period_start, OutboxItem.id))


# --- Delivering ---------------------------------------------------------------------------------


def claim(item: OutboxItem, now: datetime) -> bool:
    """Take the row for LEASE_SECONDS; False when another deliverer has it or it is done."""
    taken = (
        OutboxItem.update(lease_until=now + timedelta(seconds=LEASE_SECONDS))
        .where(
            OutboxItem.id == item.id,
            OutboxItem.delivered_at.is_null(),
            OutboxItem.superseded_by.is_null(),
            OutboxItem.lease_until.is_null() | (OutboxItem.lease_until < now),
        )
        .execute()
    )
    return taken == 1


def mark_delivered(item: OutboxItem, receipt: str, now: datetime) -> None:
    OutboxItem.update(
        delivered_at=now,
        receipt=receipt,
        attempts=OutboxItem.attempts + 1,
        last_attempt_at=now,
        last_error="",
        lease_until=None,
    ).where(OutboxItem.id == item.id).execute()


def mark_failed(item: OutboxItem, error: DeliveryError, now: datetime) -> None:
    delay = retry_cap() if error.permanent else retry_delay(item.attempts + 1, retry_cap())
    OutboxItem.update(
        attempts=OutboxItem.attempts + 1,
        last_attempt_at=now,
        last_error=error.message,
        next_attempt_at=now + timedelta(seconds=delay),
        lease_until=None,
    ).where(OutboxItem.id == item.id).execute()


def mark_superseded(item: OutboxItem, newer_uuid: str) -> None:
    OutboxItem.update(superseded_by=newer_uuid, lease_until=None).where(
        OutboxItem.id == item.id
    ).execute()


def report_files(item: OutboxItem) -> tuple[dict, str]:
    """The stored record and PDF path of the row's report; DeliveryError if they are gone."""
    period = period_of(item.period_key)
    record = load_record(current_app.instance_path, item.site_slug, period)
    pdf_path, _ = report_paths(current_app.instance_path, item.site_slug, period)
    if record is None:
        raise DeliveryError(f"Bericht {item.period_key} fehlt im Ordner instance/reports")
    return record, pdf_path


@dataclass
class TargetRun:
    """What one delivery run did for one target."""

    delivered: list[str] = field(default_factory=list)  # period keys
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def as_delivery_error(error: Exception) -> DeliveryError:
    if isinstance(error, DeliveryError):
        return error
    log.exception("Unerwarteter Fehler beim Versand")
    return DeliveryError(f"Unerwarteter Fehler beim Versand ({type(error).__name__}: {error})")


def deliver_item(item: OutboxItem, target: dict, now: datetime, run: TargetRun) -> bool:
    """Send one claimed row; False when the target failed for a reason that affects all rows."""
    try:
        record, pdf_path = report_files(item)
        if record["uuid"] != item.report_uuid:
            mark_superseded(item, record["uuid"])
            return True
        receipt = deliver(target, record, pdf_path)
    except Exception as failure:  # even an unexpected one is recorded on the row
        error = as_delivery_error(failure)
        mark_failed(item, error, now)
        run.failed.append(item.period_key)
        run.errors.append(error.message)
        return error.permanent
    mark_delivered(item, receipt, now)
    run.delivered.append(item.period_key)
    return True


def deliver_outbox(now: datetime | None = None, force: bool = False) -> dict[str, TargetRun]:
    """Deliver every due row (every undelivered one with `force`); per target, what happened.

    After a connection failure the target's other rows wait for the next run, so a target
    that is down costs one timeout per run, not one per report.
    """
    now = now or utcnow()
    targets = {target["name"]: target for target in configured_targets()}
    runs = {name: TargetRun() for name in targets}
    down: set[str] = set()
    for item in due_items(now, force):
        if item.target in down or not claim(item, now):
            continue
        if not deliver_item(item, targets[item.target], now, runs[item.target]):
            down.add(item.target)
    return runs


# --- Status for the page and `kiosk sync --status` ---------------------------------------------


@dataclass
class TargetStatus:
    name: str
    kind: str
    queued: int
    last_success: datetime | None
    last_error: str
    last_attempt: datetime | None
    next_attempt: datetime | None
    heartbeat_ok_at: datetime | None = None
    heartbeat_at: datetime | None = None
    heartbeat_error: str = ""


def target_status(target: dict) -> TargetStatus:
    name = target["name"]
    waiting = undelivered().where(OutboxItem.target == name)
    failing = waiting.where(OutboxItem.last_error != "").order_by(OutboxItem.last_attempt_at.desc())
    latest_failure = failing.first()
    last_success = (
        OutboxItem.select(fn.MAX(OutboxItem.delivered_at)).where(OutboxItem.target == name).scalar()
    )
    next_attempt = waiting.select(fn.MIN(OutboxItem.next_attempt_at)).scalar()
    row = SyncTarget.get_or_none(SyncTarget.name == name)
    return TargetStatus(
        name=name,
        kind=target["type"],
        queued=waiting.count(),
        last_success=last_success,
        last_error=latest_failure.last_error if latest_failure else "",
        last_attempt=latest_failure.last_attempt_at if latest_failure else None,
        next_attempt=next_attempt,
        heartbeat_ok_at=row.heartbeat_ok_at if row else None,
        heartbeat_at=row.heartbeat_at if row else None,
        heartbeat_error=row.heartbeat_error if row else "",
    )


def sync_status() -> list[TargetStatus]:
    return [target_status(target) for target in configured_targets()]

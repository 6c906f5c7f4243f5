"""Receiving at the hub: check a site's report record and PDF, store it once; store heartbeats.

A site delivers at least once, so the same report may come many times: the same UUID with the
same checksum is answered with the first receipt and nothing new is stored; the same UUID with
another checksum is a conflict and the first one stays. The PDF lives in the database next to
its record (not in a file), so one transaction stores both or neither: a report is never half
received, and a database backup holds everything the hub has.
"""

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from peewee import IntegrityError

from ..db import write_transaction
from ..models import Heartbeat, HubSite, ReceivedPdf, ReceivedReport, utcnow
from ..reports.periods import PeriodError, period_of

SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_TEXT = 200  # longest version string or period key a site sends
MAX_COUNT = 2**31 - 1  # an integer column holds no more


class ReceiveError(Exception):
    """A delivery the hub refuses: HTTP status, error code of the API and a German message."""

    def __init__(self, status: int, error: str, message: str):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


def bad_request(message: str) -> ReceiveError:
    return ReceiveError(400, "bad_request", message)


@dataclass(frozen=True)
class ReportFacts:
    """What the hub reads from a record; the whole record is stored as it came."""

    uuid: str
    site_slug: str
    period_key: str
    period_start: date
    period_end: date
    sha256: str
    created: datetime  # naive UTC
    replaces: str | None


def parse_uuid(value, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except (TypeError, ValueError, AttributeError):
        raise bad_request(f"{what} ist keine UUID.") from None


def parse_moment(value, what: str) -> datetime:
    """An ISO 8601 time as naive UTC, the way the hub stores times; without offset: UTC."""
    if not isinstance(value, str):
        raise bad_request(f"{what} fehlt oder ist keine Zeitangabe.")
    try:
        moment = datetime.fromisoformat(value)
        return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    except (ValueError, OverflowError):
        raise bad_request(f"{what} ist keine Zeitangabe nach ISO 8601.") from None


def short_text(value, what: str) -> str:
    # PostgreSQL's text columns cannot hold NUL (the JSON record keeps it escaped).
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT or "\x00" in value:
        raise bad_request(f"{what} fehlt oder ist kein kurzer Text.")
    return value


def parse_json(data: bytes | str):
    """JSON from a site; anything unreadable, too deeply nested included, is a bad request."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise bad_request("Das ist kein gültiges JSON.") from None


def read_record(record) -> ReportFacts:
    """Check the record's required fields; anything else in it is kept but not read here."""
    if not isinstance(record, dict):
        raise bad_request("Der Bericht (record) ist kein JSON-Objekt.")
    site, period = record.get("site"), record.get("period")
    if not isinstance(site, dict) or not isinstance(period, dict):
        raise bad_request("Dem Bericht fehlen site oder period.")
    sha256 = record.get("sha256")
    if not isinstance(sha256, str) or not SHA256.fullmatch(sha256):
        raise bad_request("sha256 ist keine SHA-256-Prüfsumme (64 Hex-Zeichen, klein).")
    own_uuid = parse_uuid(record.get("uuid"), "uuid")
    replaces = record.get("replaces")
    replaces = None if replaces is None else parse_uuid(replaces, "replaces")
    if replaces == own_uuid:
        raise bad_request("Ein Bericht kann nicht sich selbst ersetzen.")
    return ReportFacts(
        uuid=own_uuid,
        site_slug=short_text(site.get("slug"), "site.slug"),
        **read_period(period),
        sha256=sha256,
        created=parse_moment(record.get("created"), "created"),
        replaces=replaces,
    )


def read_period(period: dict) -> dict:
    """The period's key, start and end, which must name the same days."""
    key = short_text(period.get("key"), "period.key")
    try:
        expected = period_of(key)
        start = date.fromisoformat(period.get("start"))
        end = date.fromisoformat(period.get("end"))
    except (PeriodError, TypeError, ValueError):
        raise bad_request("period braucht key, start und end (z. B. 2026-10).") from None
    if (start, end) != (expected.start, expected.end):
        raise bad_request(f"period.start und period.end passen nicht zu {key}.")
    return {"period_key": key, "period_start": start, "period_end": end}


def store_report(site: HubSite, record: dict, pdf: bytes) -> tuple[ReceivedReport, bool]:
    """Store a delivered report once; (report, True) when new, (first report, False) if known.

    Raises ReceiveError for a malformed record, a PDF that does not match its checksum, a
    record of another site, or a UUID that was received before with other content.
    """
    facts = read_record(record)
    if not pdf.startswith(b"%PDF-"):
        raise bad_request("Der Teil pdf ist keine PDF-Datei.")
    if hashlib.sha256(pdf).hexdigest() != facts.sha256:
        raise bad_request("Die Prüfsumme des PDFs passt nicht zu sha256 im Bericht.")
    if facts.site_slug != site.slug:
        raise ReceiveError(
            403, "forbidden", f"Dieser Schlüssel gehört zu {site.slug}, nicht zu {facts.site_slug}."
        )
    try:
        with write_transaction():
            return insert_report(site, facts, record, pdf)
    except IntegrityError:
        # The same UUID stored by a delivery running at the same time: answer as for a repeat.
        known = ReceivedReport.get_or_none(ReceivedReport.uuid == facts.uuid)
        if known is None:
            raise
        return check_repeat(known, site, facts), False


def insert_report(
    site: HubSite, facts: ReportFacts, record: dict, pdf: bytes
) -> tuple[ReceivedReport, bool]:
    known = ReceivedReport.get_or_none(ReceivedReport.uuid == facts.uuid)
    if known is not None:
        return check_repeat(known, site, facts), False
    replaced = replaced_report(site, facts)
    report = ReceivedReport.create(
        uuid=facts.uuid,
        site=site,
        sha256=facts.sha256,
        period_key=facts.period_key,
        period_start=facts.period_start,
        period_end=facts.period_end,
        created=facts.created,
        record=record,
        replaces=facts.replaces,
        superseded_by=newer_report_uuid(site, facts),
    )
    ReceivedPdf.create(report=report, data=pdf)
    if replaced is not None:
        ReceivedReport.update(superseded_by=facts.uuid).where(
            ReceivedReport.id == replaced.id, ReceivedReport.superseded_by.is_null()
        ).execute()
    return report, True


def check_repeat(known: ReceivedReport, site: HubSite, facts: ReportFacts) -> ReceivedReport:
    """A report received before: the same one again is fine, other content is a conflict."""
    if known.site_id != site.id or known.sha256 != facts.sha256:
        raise ReceiveError(
            409,
            "conflict",
            f"Der Bericht {facts.uuid} wurde schon mit anderem Inhalt empfangen; "
            "der zuerst empfangene bleibt gespeichert.",
        )
    return known


def replaced_report(site: HubSite, facts: ReportFacts) -> ReceivedReport | None:
    """The earlier report this one replaces, if the hub has it; it must be the same site's."""
    if facts.replaces is None:
        return None
    replaced = ReceivedReport.get_or_none(ReceivedReport.uuid == facts.replaces)
    if replaced is None:
        return None  # delivered out of order: it is marked superseded when it arrives
    if replaced.site_id != site.id or replaced.period_key != facts.period_key:
        raise bad_request("replaces nennt einen Bericht eines anderen Treffpunkts oder Zeitraums.")
    return replaced


def newer_report_uuid(site: HubSite, facts: ReportFacts) -> str | None:
    """A report that arrived before this one but replaces it (deliveries out of order)."""
    newer = ReceivedReport.get_or_none(
        ReceivedReport.replaces == facts.uuid,
        ReceivedReport.site == site,
        ReceivedReport.period_key == facts.period_key,
    )
    return str(newer.uuid) if newer else None


def pdf_of(report: ReceivedReport) -> bytes:
    """The stored PDF (PostgreSQL hands out a memoryview, SQLite bytes)."""
    return bytes(ReceivedPdf.get(ReceivedPdf.report == report).data)


# --- Heartbeats -----------------------------------------------------------------------------


def read_heartbeat(body) -> dict:
    """The heartbeat's fields as Heartbeat columns; see the wire protocol in the README."""
    if not isinstance(body, dict):
        raise bad_request("Das Lebenszeichen ist kein JSON-Objekt.")
    outbox_length = body.get("outbox_length")
    if (
        not isinstance(outbox_length, int)
        or isinstance(outbox_length, bool)
        or not 0 <= outbox_length <= MAX_COUNT
    ):
        raise bad_request("outbox_length muss eine ganze Zahl ab 0 sein.")
    last_submission = body.get("last_submission_at")
    return {
        "version": short_text(body.get("version"), "version"),
        "sent_at": parse_moment(body.get("sent_at"), "sent_at"),
        "last_submission_at": None
        if last_submission is None
        else parse_moment(last_submission, "last_submission_at"),
        "outbox_length": outbox_length,
        **read_last_report(body.get("last_report")),
    }


def read_last_report(last_report) -> dict:
    if last_report is None:
        return {"last_report_uuid": None, "last_report_period": None, "last_report_created": None}
    if not isinstance(last_report, dict):
        raise bad_request("last_report ist weder null noch ein JSON-Objekt.")
    return {
        "last_report_uuid": parse_uuid(last_report.get("uuid"), "last_report.uuid"),
        "last_report_period": short_text(last_report.get("period"), "last_report.period"),
        "last_report_created": parse_moment(last_report.get("created"), "last_report.created"),
    }


def store_heartbeat(site: HubSite, body) -> Heartbeat:
    """Keep the site's latest heartbeat (one row per site, replaced each time)."""
    fields = {**read_heartbeat(body), "received_at": utcnow()}
    with write_transaction():
        Heartbeat.insert(site=site, **fields).on_conflict(
            conflict_target=[Heartbeat.site], update=fields
        ).execute()
    return Heartbeat.get(Heartbeat.site == site)

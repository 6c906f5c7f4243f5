"""Receiving at the hub: check a site's report record and PDF, store it once; store heartbeats.

Both are checked against the schema of what a site sends (wire.py), and their times and periods
must be plausible (plausible.py); anything else is refused with a 400 that names the field.

A site delivers at least once, so the same report may come many times: the same UUID with the
same checksum is answered with the first receipt and nothing new is stored; the same UUID with
another checksum is a conflict and the first one stays.

A site builds a period's report again after an erasure or a withdrawn approval of a comment:
the record's `version` counts up (1 when it names none), and of one site's reports of one
period the highest version is current, whatever order they arrive in; every other is superseded
by it (`superseded_by`, `superseded_at`) and deleted HUB_SUPERSEDED_DAYS later (the nightly
purge, kiosk/maintenance/retention.py). Between equal versions, one that another names in
`replaces` is superseded, then the later built wins. The PDF lives in the database next to
its record (not in a file), so one transaction stores both or neither: a report is never half
received, and a database backup holds everything the hub has.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from peewee import IntegrityError, SqliteDatabase

from ..db import write_transaction
from ..extensions import db
from ..models import Heartbeat, HubSite, ReceivedPdf, ReceivedReport, utcnow
from ..reports.periods import Period, PeriodError, period_of
from .plausible import moment_problem, period_problem
from .wire import WireError, check


class ReceiveError(Exception):
    """A delivery the hub refuses: HTTP status, error code of the API and a German message;
    `field` names the part of the document that is wrong ("site.name"), where there is one."""

    def __init__(self, status: int, error: str, message: str, field: str = ""):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.field = field


def bad_request(message: str, field: str = "") -> ReceiveError:
    return ReceiveError(400, "bad_request", message, field)


def fits(definition: str, document: object) -> None:
    """Raises a bad request naming the field unless `document` fits the schema's definition."""
    try:
        check(definition, document)
    except WireError as error:
        raise bad_request(error.message, error.field) from None


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
    version: int = 1


def parse_uuid(value, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except (TypeError, ValueError, AttributeError):
        raise bad_request(f"Feld {what}: Das ist keine UUID.", what) from None


def parse_moment(value, what: str, now: datetime | None = None) -> datetime:
    """A plausible ISO 8601 time as naive UTC, the way the hub stores times; no offset: UTC."""
    if not isinstance(value, str):
        raise bad_request(f"Feld {what}: Das fehlt oder ist keine Zeitangabe.", what)
    try:
        moment = datetime.fromisoformat(value)
        moment = moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    except (ValueError, OverflowError):
        raise bad_request(
            f"Feld {what}: „{value}“ ist keine Zeitangabe nach ISO 8601.", what
        ) from None
    if problem := moment_problem(moment, now):
        raise bad_request(
            f"Feld {what}: „{value}“ {problem}; stimmt die Uhr des Treffpunkts?", what
        )
    return moment


def parse_period_key(key: str, what: str, now: datetime | None = None) -> Period:
    """A period key a site may have reported: readable, begun since 2020 and over by now."""
    try:
        period = period_of(key)
    except (PeriodError, ValueError, OverflowError):
        raise bad_request(
            f"Feld {what}: „{key}“ ist kein Zeitraum wie 2026-10, 2026-W43 oder 2026-Q3.", what
        ) from None
    if problem := period_problem(period, now):
        raise bad_request(f"Feld {what}: {period.label} {problem}.", what)
    return period


def parse_json(data: bytes | str):
    """JSON from a site; anything unreadable, too deeply nested or NaN included, is refused."""
    try:
        return json.loads(data, parse_constant=refuse_constant)
    except (ValueError, RecursionError):
        raise bad_request("Das ist kein gültiges JSON.") from None


def refuse_constant(name: str):
    raise ValueError(f"{name} is no JSON")  # NaN and Infinity: Python reads them, JSON has none


def read_record(record) -> ReportFacts:
    """Check the record against the schema (wire.py), then what a schema cannot say: the
    UUIDs, the period's days, and that its times and period are plausible."""
    if not isinstance(record, dict):
        raise bad_request("Der Bericht (record) ist kein JSON-Objekt.")
    fits("record", record)
    own_uuid = parse_uuid(record["uuid"], "uuid")
    replaces = record.get("replaces")
    replaces = None if replaces is None else parse_uuid(replaces, "replaces")
    if replaces == own_uuid:
        raise bad_request("Feld replaces: Ein Bericht kann nicht sich selbst ersetzen.", "replaces")
    return ReportFacts(
        uuid=own_uuid,
        site_slug=record["site"]["slug"],
        **read_period(record["period"]),
        sha256=record["sha256"],
        created=parse_moment(record["created"], "created"),
        replaces=replaces,
        version=record.get("version", 1),
    )


def read_period(period: dict) -> dict:
    """The period's key, start and end, which must name the same days."""
    key = period["key"]
    expected = parse_period_key(key, "period.key")
    for name in ("start", "end"):
        if period[name] != getattr(expected, name).isoformat():
            raise bad_request(
                f"Feld period.{name}: „{period[name]}“ passt nicht zu {key} "
                f"({getattr(expected, name).isoformat()}).",
                f"period.{name}",
            )
    return {"period_key": expected.key, "period_start": expected.start, "period_end": expected.end}


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
    check_replaced(site, facts)
    # One delivery of this site at a time from here (PostgreSQL; SQLite's write lock does it),
    # so two versions arriving at once cannot both become current.
    if not isinstance(db.obj, SqliteDatabase):
        HubSite.select(HubSite.id).where(HubSite.id == site.id).for_update().execute()
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
        version=facts.version,
    )
    ReceivedPdf.create(report=report, data=pdf)
    current = settle_versions(site, facts.period_key)
    report.superseded_by = None if current == str(report.uuid) else current
    return report, True


def settle_versions(site: HubSite, period_key: str, now: datetime | None = None) -> str:
    """Make the highest version of the site's report of the period current and supersede every
    other one by it; the current one's UUID. A report keeps the time it was first superseded."""
    versions = ReceivedReport.versions_of(site.id, period_key)
    named = {str(report.replaces) for report in versions if report.replaces}
    current = max(
        versions,
        key=lambda r: (r.version, str(r.uuid) not in named, r.created, r.id),
    )
    others = (
        (ReceivedReport.site == site)
        & (ReceivedReport.period_key == period_key)
        & (ReceivedReport.id != current.id)
    )
    ReceivedReport.update(superseded_by=None, superseded_at=None).where(
        ReceivedReport.id == current.id
    ).execute()
    ReceivedReport.update(superseded_by=current.uuid).where(others).execute()
    ReceivedReport.update(superseded_at=now or utcnow()).where(
        others & ReceivedReport.superseded_at.is_null()
    ).execute()
    return str(current.uuid)


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


def check_replaced(site: HubSite, facts: ReportFacts) -> None:
    """The earlier report this one replaces, if the hub has it, must be the same site's and
    period's (one not here yet may come later: the versions settle then)."""
    if facts.replaces is None:
        return
    replaced = ReceivedReport.get_or_none(ReceivedReport.uuid == facts.replaces)
    if replaced is not None and (
        replaced.site_id != site.id or replaced.period_key != facts.period_key
    ):
        raise bad_request("replaces nennt einen Bericht eines anderen Treffpunkts oder Zeitraums.")


def pdf_of(report: ReceivedReport) -> bytes:
    """The stored PDF (PostgreSQL hands out a memoryview, SQLite bytes)."""
    return bytes(ReceivedPdf.get(ReceivedPdf.report == report).data)


# --- Heartbeats -----------------------------------------------------------------------------


def read_heartbeat(body) -> dict:
    """The heartbeat's fields as Heartbeat columns; see the wire protocol in the README."""
    if not isinstance(body, dict):
        raise bad_request("Das Lebenszeichen ist kein JSON-Objekt.")
    fits("heartbeat", body)
    last_submission = body.get("last_submission_at")
    return {
        "version": body["version"],
        "sent_at": parse_moment(body["sent_at"], "sent_at"),
        "last_submission_at": None
        if last_submission is None
        else parse_moment(last_submission, "last_submission_at"),
        "outbox_length": body["outbox_length"],
        **read_last_report(body.get("last_report")),
    }


def read_last_report(last_report: dict | None) -> dict:
    if last_report is None:
        return {"last_report_uuid": None, "last_report_period": None, "last_report_created": None}
    return {
        "last_report_uuid": parse_uuid(last_report["uuid"], "last_report.uuid"),
        "last_report_period": parse_period_key(last_report["period"], "last_report.period").key,
        "last_report_created": parse_moment(last_report["created"], "last_report.created"),
    }


def store_heartbeat(site: HubSite, body) -> Heartbeat:
    """Keep the site's latest heartbeat (one row per site, replaced each time)."""
    fields = {**read_heartbeat(body), "received_at": utcnow()}
    with write_transaction():
        Heartbeat.insert(site=site, **fields).on_conflict(
            conflict_target=[Heartbeat.site], update=fields
        ).execute()
    return Heartbeat.get(Heartbeat.site == site)

"""The hub's models (kiosk/hub, views/hub.py, views/api.py; migrations 0004 and 0013): the sites
that report to it, the reports they delivered with their PDFs, and each site's latest heartbeat.

A site may send several versions of one period's report (a report is built again after an
erasure or a withdrawn approval of a comment): the highest version is current, the others are
superseded (`superseded_by`, since `superseded_at`) and deleted HUB_SUPERSEDED_DAYS later.
"""

from datetime import datetime

from peewee import (
    BlobField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    UUIDField,
)

from ..clock import utcnow
from .base import BaseModel, JSONField


class HubSite(BaseModel):
    """A Treffpunkt that reports to this hub; its token is kept only as a SHA-256 hash."""

    slug = CharField(unique=True)
    name = CharField()
    token_hash = CharField(unique=True)
    created_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)


class ReceivedReport(BaseModel):
    """A site's report as received: its JSON record; the PDF is in ReceivedPdf, stored once."""

    uuid = UUIDField(unique=True)
    site = ForeignKeyField(HubSite, backref="reports", on_delete="RESTRICT")
    sha256 = CharField(max_length=64)
    period_key = CharField(index=True)
    period_start = DateField()
    period_end = DateField()
    created = DateTimeField()  # when the site built it, naive UTC
    received_at = DateTimeField(default=utcnow)
    record = JSONField()
    replaces = UUIDField(null=True, index=True)
    superseded_by = UUIDField(null=True)  # None: the current version of its site and period
    version = IntegerField(default=1)  # the record's "version" (0013); 1 for records without
    superseded_at = DateTimeField(null=True)  # when a higher version arrived (0013)

    @property
    def receipt(self) -> str:
        """The same receipt for every delivery of this report: time received and checksum."""
        return f"{self.received_at:%Y-%m-%dT%H:%M:%SZ}/{self.sha256[:16]}"

    @classmethod
    def current(cls):
        """The reports no other version replaces: one per site and period."""
        return cls.superseded_by.is_null()

    @classmethod
    def versions_of(cls, site_id: int, period_key: str) -> list["ReceivedReport"]:
        """Every stored version of one site's report of one period, without records or PDFs."""
        return list(
            cls.select(
                cls.id, cls.uuid, cls.version, cls.created, cls.replaces, cls.superseded_by
            ).where(cls.site == site_id, cls.period_key == period_key)
        )

    @classmethod
    def superseded_before(cls, cutoff: datetime):
        """The reports superseded before `cutoff`, to delete."""
        return cls.select(cls.id).where(cls.superseded_at < cutoff)

    @classmethod
    def current_records(cls, period_key: str) -> list[dict]:
        """The record of each site's current report for this period."""
        reports = (
            cls.select(cls.site, cls.record)
            .where(cls.period_key == period_key, cls.current())
            .order_by(cls.site, cls.version.desc(), cls.created.desc(), cls.id.desc())
        )
        newest: dict[int, dict] = {}
        for report in reports:
            newest.setdefault(report.site_id, report.record)
        return sorted(newest.values(), key=lambda record: record["site"]["slug"])

    @classmethod
    def period_keys(cls) -> list[str]:
        """Every period some site has reported, the latest first."""
        periods = (
            cls.select(cls.period_key, cls.period_start)
            .distinct()
            .order_by(cls.period_start.desc(), cls.period_key)
        )
        return list(dict.fromkeys(row.period_key for row in periods))


class ReceivedPdf(BaseModel):
    """The PDF of a received report, apart so that listing reports never loads it."""

    report = ForeignKeyField(ReceivedReport, primary_key=True, on_delete="CASCADE")
    data = BlobField()


class Heartbeat(BaseModel):
    """The latest heartbeat of each site (only the latest: the dashboard asks nothing else)."""

    site = ForeignKeyField(HubSite, unique=True, on_delete="CASCADE")
    received_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    version = CharField(default="")
    last_submission_at = DateTimeField(null=True)
    outbox_length = IntegerField(default=0)
    last_report_uuid = CharField(null=True)
    last_report_period = CharField(null=True)
    last_report_created = DateTimeField(null=True)


HUB_MODELS = (HubSite, ReceivedReport, ReceivedPdf, Heartbeat)

"""How each site is doing, for the hub's dashboard: last heartbeat, last report, silent or not.

A site is "still" (silent) when the hub has heard nothing from it, neither a heartbeat nor a
report, for HUB_SILENT_HOURS; a site that never sent anything is silent too. A revoked site
is shown as revoked, not as silent: nobody expects to hear from it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import fn

from ..models import Heartbeat, HubSite, ReceivedReport, utcnow


@dataclass
class SiteStatus:
    site: HubSite
    heartbeat: Heartbeat | None
    last_report: ReceivedReport | None
    report_count: int
    silent: bool
    report_on_its_way: bool = False  # the site's heartbeat names a report the hub lacks

    @property
    def last_heard(self) -> datetime | None:
        """When the hub last heard from the site, by heartbeat or report."""
        moments = [
            self.heartbeat and self.heartbeat.received_at,
            self.last_report and self.last_report.received_at,
        ]
        return max((moment for moment in moments if moment), default=None)

    @property
    def revoked(self) -> bool:
        return self.site.revoked_at is not None


def site_statuses(silent_hours: float, now: datetime | None = None) -> list[SiteStatus]:
    """Every site, active ones first, each by name."""
    now = now or utcnow()
    heartbeats = {beat.site_id: beat for beat in Heartbeat.select()}
    latest, counts = latest_reports()
    statuses = []
    sites = HubSite.select().order_by(HubSite.revoked_at.is_null(False), fn.LOWER(HubSite.name))
    for site in sites:
        status = SiteStatus(
            site, heartbeats.get(site.id), latest.get(site.id), counts.get(site.id, 0), False
        )
        status.silent = not status.revoked and (
            status.last_heard is None or status.last_heard < now - timedelta(hours=silent_hours)
        )
        statuses.append(status)
    mark_reports_on_their_way(statuses)
    return statuses


def mark_reports_on_their_way(statuses: list[SiteStatus]) -> None:
    """Which sites built a report (by their heartbeat) that has not arrived here yet."""
    named = {s.heartbeat.last_report_uuid for s in statuses if s.heartbeat} - {None}
    received = {
        str(row.uuid)
        for row in ReceivedReport.select(ReceivedReport.uuid).where(ReceivedReport.uuid << named)
    }
    for status in statuses:
        named_uuid = status.heartbeat and status.heartbeat.last_report_uuid
        status.report_on_its_way = bool(named_uuid) and named_uuid not in received


def latest_reports() -> tuple[dict[int, ReceivedReport], dict[int, int]]:
    """The latest received current report of each site (by arrival) and how many current
    reports each site has: a superseded version is neither (it is not the site's word any more)."""
    columns = (
        ReceivedReport.id,
        ReceivedReport.site,
        ReceivedReport.uuid,
        ReceivedReport.period_key,
        ReceivedReport.period_start,
        ReceivedReport.created,
        ReceivedReport.received_at,
        ReceivedReport.version,
    )
    latest: dict[int, ReceivedReport] = {}
    counts: dict[int, int] = {}
    reports = (
        ReceivedReport.select(*columns)
        .where(ReceivedReport.current())
        .order_by(ReceivedReport.received_at.desc(), ReceivedReport.id.desc())
    )
    for report in reports:
        latest.setdefault(report.site_id, report)
        counts[report.site_id] = counts.get(report.site_id, 0) + 1
    return latest, counts


def site_reports(site: HubSite) -> list[ReceivedReport]:
    """A site's current reports (one per period, its highest version) without their records,
    the latest period first."""
    return list(
        ReceivedReport.select(
            ReceivedReport.id,
            ReceivedReport.uuid,
            ReceivedReport.sha256,
            ReceivedReport.period_key,
            ReceivedReport.period_start,
            ReceivedReport.period_end,
            ReceivedReport.created,
            ReceivedReport.received_at,
            ReceivedReport.replaces,
            ReceivedReport.superseded_by,
            ReceivedReport.version,
        )
        .where(ReceivedReport.site == site, ReceivedReport.current())
        .order_by(ReceivedReport.period_start.desc(), ReceivedReport.created.desc())
    )

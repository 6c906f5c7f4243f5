"""The town's combined report at the hub: the received reports of a span of periods, as HTML or PDF.

The adding up is combine.py's (bounds.py says what may be printed); this module finds the
reports the hub received and renders the result with the site reports' worker and stylesheet.
Whose report a stored record is, and of which period, the hub's own columns say, so even a
record that cannot be read at all is named in the report as left out.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, time

from flask import render_template

from ..models import HubSite, ReceivedReport
from ..reports.attachments import combined_files
from ..reports.periods import Period, PeriodError, period_of
from ..reports.render import (
    Rendered,
    RenderWorker,
    font_cache_dir,
    report_context,
    static_root,
)
from .combine import combine_summaries
from .plausible import EARLIEST, period_problem
from .site_summaries import CombineError, periods_between


@dataclass
class TownReport:
    combined: dict
    rendered: Rendered

    @property
    def file_name(self) -> str:
        return f"Gesamtbericht-{self.combined['period']['key']}.pdf"


def chosen_span(first_key: str, last_key: str | None = None) -> list[Period]:
    """The periods from `first_key` to `last_key` (default: just the first)."""
    try:
        first = period_of(first_key)
        last = period_of(last_key) if last_key else first
    except (PeriodError, ValueError, OverflowError):
        raise CombineError(
            "Bitte einen Zeitraum wie 2026-10, 2026-W43 oder 2026-Q3 angeben."
        ) from None
    if first.start < EARLIEST.date() or last.start < EARLIEST.date():
        raise CombineError(f"Berichte gibt es erst ab {EARLIEST.year}.")
    return periods_between(first, last)


def report_period_keys() -> list[str]:
    """Every period some site reported, the latest first, without any a site cannot have
    reported (stored before the hub checked dates): those lead to no combined report."""
    keys = []
    for key in ReceivedReport.period_keys():
        try:
            if period_problem(period_of(key)) is None:
                keys.append(key)
        except (PeriodError, ValueError, OverflowError):
            continue
    return keys


def current_records(period: Period) -> list[dict]:
    """Each site's newest report of `period` that no other replaces, as the record it sent,
    with the site and period as the hub stored them (a record that is not even JSON any more
    stays in, as an empty one: the combined report then names it as left out)."""
    reports = (
        ReceivedReport.select(ReceivedReport.record.cast("TEXT").alias("raw"), HubSite)
        .join(HubSite)
        .where(ReceivedReport.period_key == period.key, ReceivedReport.superseded_by.is_null())
        .order_by(
            HubSite.slug,
            ReceivedReport.created.desc(),
            ReceivedReport.received_at.desc(),
            ReceivedReport.id.desc(),
        )
    )
    newest: dict[str, dict] = {}
    for report in reports:
        if report.site.slug not in newest:
            newest[report.site.slug] = {
                **stored_record(report.raw),
                "site": {"slug": report.site.slug, "name": report.site.name},
                "period": {"key": period.key},
            }
    return list(newest.values())


def stored_record(text: str | None) -> dict:
    try:
        record = json.loads(text or "")
    except (ValueError, RecursionError):
        return {}
    return record if isinstance(record, dict) else {}


def expected_sites(periods: list[Period]) -> list[dict]:
    """The active sites registered before the span ended: each one is expected to report."""
    end = datetime.combine(periods[-1].end, time.max)
    sites = HubSite.select().where(HubSite.revoked_at.is_null(), HubSite.created_at <= end)
    return [{"slug": site.slug, "name": site.name} for site in sites]


def town_summary(first_key: str, last_key: str | None = None) -> dict:
    """The combined summary of every site's current report for the periods asked for.

    Needs an open database connection; raises CombineError with a German message.
    """
    periods = chosen_span(first_key, last_key)
    records = [record for period in periods for record in current_records(period)]
    if not records:
        raise CombineError(f"Für {periods[0].label} liegen keine Berichte vor.")
    return combine_summaries(records, periods, expected_sites(periods))


def render_combined_html(combined: dict, created: datetime) -> str:
    """The combined report as one HTML document for WeasyPrint."""
    return render_template(
        "hub/combined.html", **report_context(combined, for_print=True, created=created)
    )


def render_town_report(first_key: str, last_key: str | None = None) -> TownReport:
    """The combined PDF (PDF/A-3u, rendered by the report worker). Needs app and database."""
    created = datetime.now(UTC).replace(microsecond=0)
    with RenderWorker(static_root(), font_cache_dir()) as worker:  # starts while we add up
        combined = town_summary(first_key, last_key)
        rendered = worker.render(
            render_combined_html(combined, created),
            files=combined_files(combined),
            created=created,
        )
    return TownReport(combined, rendered)

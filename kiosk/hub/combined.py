"""The town's combined report at the hub: the received reports of a span of periods, as HTML or PDF.

The adding up is combine.py's (bounds.py says what may be printed); this module finds the
reports the hub received and renders the result with the site reports' worker and stylesheet.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time

from flask import render_template

from ..models import HubSite, ReceivedReport
from ..reports.periods import Period, PeriodError, period_of
from ..reports.render import (
    Rendered,
    RenderWorker,
    font_cache_dir,
    report_context,
    static_root,
)
from .combine import combine_summaries
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
    except PeriodError:
        raise CombineError(
            "Bitte einen Zeitraum wie 2026-10, 2026-W43 oder 2026-Q3 angeben."
        ) from None
    return periods_between(first, last)


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
    records = [
        record for period in periods for record in ReceivedReport.current_records(period.key)
    ]
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
        rendered = worker.render(render_combined_html(combined, created))
    return TownReport(combined, rendered)

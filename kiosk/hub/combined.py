"""The town's combined report at the hub: the received reports of a span of periods, as HTML or PDF.

The adding up is combine.py's (and its docstring says what may be printed); this module finds the
reports the hub received and renders the result with the site reports' worker and stylesheet.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time
from io import BytesIO

from flask import Response, flash, redirect, render_template, request, send_file, url_for

from ..auth import audit
from ..models import HubSite, ReceivedReport
from ..reports.periods import Period, PeriodError, period_of
from ..reports.render import (
    Rendered,
    RenderError,
    RenderWorker,
    font_cache_dir,
    report_context,
    static_root,
)
from .combine import CombineError, combine_summaries, periods_between


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


# --- The hub's pages (views/hub.py routes /hub/bericht and /hub/bericht.pdf here) -------------


def requested_span(args) -> tuple[str, str | None]:
    """ "von" and "bis" of a query; by default the latest period any site reported."""
    first = (args.get("von") or "").strip()
    if not first:
        keys = ReceivedReport.period_keys()
        first = keys[0] if keys else ""
    return first, (args.get("bis") or "").strip() or None


def preview_page() -> str:
    """The period form and, below it, the combined report as HTML (or what is wrong)."""
    first, last = requested_span(request.args)
    combined, error = None, None
    if first:
        try:
            combined = town_summary(first, last)
        except CombineError as problem:
            error = str(problem)
    return render_template(
        "hub/combined_preview.html",
        keys=ReceivedReport.period_keys(),
        first=first,
        last=last or "",
        error=error,
        **report_context(combined or {}, for_print=False),
    )


def pdf_download() -> Response:
    """The combined PDF as a download; back to the preview with a message when it cannot be."""
    first, last = requested_span(request.args)
    try:
        report = render_town_report(first, last)
    except (CombineError, RenderError) as error:
        flash(f"Der Gesamtbericht konnte nicht erstellt werden: {error}")
        return redirect(url_for("hub.combined_report", von=first, bis=last or ""), 303)
    audit(
        "hub_combined_report",
        report.combined["period"]["key"],
        detail=f"{report.combined['reports']} Berichte",
    )
    return send_file(
        BytesIO(report.rendered.pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=report.file_name,
    )

"""The hub's pages for the Stadthaus staff: every site's health, its reports, their PDFs."""

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from ..hub.combined import render_town_report, report_period_keys, town_summary
from ..hub.receive import pdf_of
from ..hub.site_summaries import CombineError
from ..hub.status import site_reports, site_statuses
from ..models import HubSite, ReceivedReport
from ..reports.attachments import combined_csv
from ..reports.periods import PeriodError, period_of
from ..reports.render import RenderError, report_context
from ..review.auth import audit, login_required
from .header_values import download_name
from .staff_forms import span_form

bp = Blueprint("hub", __name__, url_prefix="/hub")


@bp.before_request
def only_on_a_hub():
    if current_app.config["ROLE"] != "hub":
        abort(404)


@bp.app_template_filter("period_label")
def period_label(key: str) -> str:
    """ "Oktober 2026" for "2026-10"; the key itself if it is not one the hub can read."""
    try:
        return period_of(key).label
    except (PeriodError, ValueError, OverflowError, TypeError):
        return str(key)


@bp.get("/")
@login_required
def dashboard():
    return render_template(
        "hub/dashboard.html",
        statuses=site_statuses(current_app.config["HUB_SILENT_HOURS"]),
        silent_hours=current_app.config["HUB_SILENT_HOURS"],
    )


def requested_span(args) -> tuple[str, str | None]:
    """ "von" and "bis" of a query; by default the latest period any site reported."""
    first = (args.get("von") or "").strip()
    if not first:
        keys = report_period_keys()
        first = keys[0] if keys else ""
    return first, (args.get("bis") or "").strip() or None


@bp.get("/bericht")
@login_required
def combined_report():
    """The town's combined report: the period form and, below it, the report as HTML."""
    first, last = requested_span(request.args)
    combined, error = None, None
    if first:
        try:
            combined = town_summary(first, last)
        except CombineError as problem:
            error = str(problem)
    keys = report_period_keys()
    return render_template(
        "hub/combined_preview.html",
        keys=keys,
        form=span_form(keys, period_label, first, last),
        first=first,
        last=last or "",
        error=error,
        **report_context(combined or {}, for_print=False),
    )


@bp.get("/bericht.pdf")
@login_required
def combined_report_pdf():
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


@bp.get("/bericht.csv")
@login_required
def combined_report_csv():
    """The combined numbers as one CSV for German Excel, the report's tables one below the other
    (the same cells as the CSVs inside the combined PDF)."""
    first, last = requested_span(request.args)
    try:
        combined = town_summary(first, last)
    except CombineError as error:
        flash(f"Die Zahlen des Gesamtberichts konnten nicht erstellt werden: {error}")
        return redirect(url_for("hub.combined_report", von=first, bis=last or ""), 303)
    key = combined["period"]["key"]
    audit("hub_combined_report", key, detail=f"{combined['reports']} Berichte, Tabelle (CSV)")
    return send_file(
        BytesIO(combined_csv(combined).encode("utf-8")),
        mimetype="text/csv; charset=utf-8",
        as_attachment=True,
        download_name=download_name("Gesamtbericht", key, suffix=".csv"),
    )


@bp.get("/<slug>/")
@login_required
def site(slug):
    hub_site = HubSite.get_or_none(HubSite.slug == slug) or abort(404)
    return render_template("hub/site.html", site=hub_site, reports=site_reports(hub_site))


@bp.get("/<slug>/<uuid:report_id>.pdf")
@login_required
def download(slug, report_id):
    report = (
        ReceivedReport.select(ReceivedReport, HubSite)
        .join(HubSite)
        .where(HubSite.slug == slug, ReceivedReport.uuid == report_id)
        .first()
    ) or abort(404)
    audit("hub_report_downloaded", f"{slug}/{report.period_key}", detail=str(report.uuid))
    return send_file(
        BytesIO(pdf_of(report)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=download_name("Bericht", slug, report.period_key, suffix=".pdf"),
    )

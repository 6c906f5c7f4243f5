"""The hub's pages for the Stadthaus staff: every site's health, its reports, their PDFs."""

from io import BytesIO

from flask import Blueprint, abort, current_app, render_template, send_file

from ..auth import audit, login_required
from ..hub.receive import pdf_of
from ..hub.status import site_reports, site_statuses
from ..models import HubSite, ReceivedReport
from ..reports.periods import PeriodError, period_of

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
    except PeriodError:
        return key


@bp.get("/")
@login_required
def dashboard():
    return render_template(
        "hub/dashboard.html",
        statuses=site_statuses(current_app.config["HUB_SILENT_HOURS"]),
        silent_hours=current_app.config["HUB_SILENT_HOURS"],
    )


@bp.get("/bericht")
@login_required
def combined_report():
    """The town's combined report: choose the periods, see it as HTML (kiosk/hub/combined.py)."""
    from ..hub.combined import preview_page

    return preview_page()


@bp.get("/bericht.pdf")
@login_required
def combined_report_pdf():
    from ..hub.combined import pdf_download

    return pdf_download()


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
        download_name=f"Bericht-{slug}-{report.period_key}.pdf",
    )

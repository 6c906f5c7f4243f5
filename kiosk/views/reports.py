"""Coordinators' report pages: pick a period, preview its report as HTML, download the PDF."""

import os
from datetime import date

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

from ..db import this_site
from ..reports.disclosure import min_cell
from ..reports.periods import Period, PeriodError, last_complete_month, period_of
from ..reports.render import report_context
from ..reports.store import ReportError, build_report, list_records, load_record, report_paths
from ..reports.summary import build_summary
from ..review.auth import audit, role_required
from .staff_forms import PeriodForm

bp = Blueprint("reports", __name__, url_prefix="/review/reports")


def requested_period(key: str) -> Period:
    try:
        return period_of(key)
    except PeriodError:
        abort(404)


@bp.get("/")
@role_required("coordinator")
def index():
    site = this_site()
    return render_template(
        "reports/index.html",
        records=list_records(current_app.instance_path, site.slug),
        form=PeriodForm(period=last_complete_month().key),
    )


@bp.get("/preview")
@role_required("coordinator")
def choose():
    """The period form's target: on to the preview of the period typed in."""
    try:
        period = period_of(request.args.get("period", ""))
    except PeriodError:
        flash("Bitte einen Zeitraum wie 2026-10, 2026-W43 oder 2026-Q3 angeben.")
        return redirect(url_for(".index"), 303)
    return redirect(url_for(".preview", key=period.key), 303)


@bp.get("/<key>/")
@role_required("coordinator")
def preview(key):
    period = requested_period(key)
    site = this_site()
    summary = build_summary(site, period, min_cell(current_app.config))
    record = load_record(current_app.instance_path, site.slug, period)
    return render_template(
        "reports/preview.html",
        period=period,
        record=record,
        finished=period.end < date.today(),
        **report_context(summary, for_print=False),
    )


@bp.get("/<key>.pdf")
@role_required("coordinator")
def download(key):
    """The stored PDF; built first (once) if the period is over and it does not exist yet."""
    period = requested_period(key)
    site = this_site()
    try:
        result = build_report(site, period)
    except ReportError as error:
        flash(str(error))
        return redirect(url_for(".preview", key=period.key), 303)
    if result.built:
        audit("report_built", f"{site.slug}/{period.key}", detail=result.record["uuid"])
    audit("report_downloaded", f"{site.slug}/{period.key}", detail=result.record["uuid"])
    return send_file(
        result.pdf_path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"Bericht-{site.slug}-{period.key}.pdf",
    )


@bp.post("/<key>/rebuild")
@role_required("coordinator")
def rebuild(key):
    period = requested_period(key)
    site = this_site()
    pdf_path, _ = report_paths(current_app.instance_path, site.slug, period)
    if not os.path.exists(pdf_path):
        abort(404)
    try:
        result = build_report(site, period, rebuild=True)
    except ReportError as error:
        flash(str(error))
    else:
        audit("report_rebuilt", f"{site.slug}/{period.key}", detail=result.record["uuid"])
        flash(f"Der Bericht {period.label} wurde neu erstellt.")
    return redirect(url_for(".preview", key=period.key), 303)

"""Coordinators' report pages: pick a period, preview its report, build and download the PDF.

A PDF is built only by an explicit POST (the "PDF erstellen" button), by the scheduler or by
`kiosk report`; a GET never builds one: a report that does not exist answers 404.
"""

import os
from datetime import date

from flask import (
    Blueprint,
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
from .review import use_staff_errors
from .staff_forms import PeriodForm

bp = Blueprint("reports", __name__, url_prefix="/review/reports")
# A key that is no period, or one outside 2000 to 2099, answers 400 in the staff layout.
use_staff_errors(bp)


def finished(period: Period) -> bool:
    return period.end < date.today()


def missing(period: Period):
    """404 in the staff layout: no report for `period` yet, and the button that builds one."""
    page = render_template("reports/missing.html", period=period, finished=finished(period))
    return page, 404


@bp.get("/")
@role_required("coordinator")
def index():
    return render_index(PeriodForm(period=last_complete_month().key))


def render_index(form: PeriodForm, status: int = 200):
    site = this_site()
    records = list_records(current_app.instance_path, site.slug)
    return render_template("reports/index.html", records=records, form=form), status


@bp.get("/preview")
@role_required("coordinator")
def choose():
    """The period form's target: on to the preview of the period typed in."""
    if "period" not in request.args:  # the address alone: the page with the form
        return redirect(url_for(".index"), 303)
    form = PeriodForm(formdata=request.args)
    try:
        period = period_of(form.period.data or "")
    except PeriodError as error:
        form.period.errors = [str(error)]
        return render_index(form, 400)
    return redirect(url_for(".preview", key=period.key), 303)


@bp.get("/<key>/")
@role_required("coordinator")
def preview(key):
    period = period_of(key)
    site = this_site()
    summary = build_summary(site, period, min_cell(current_app.config))
    record = load_record(current_app.instance_path, site.slug, period)
    return render_template(
        "reports/preview.html",
        period=period,
        record=record,
        finished=finished(period),
        **report_context(summary, for_print=False),
    )


@bp.get("/<key>.pdf")
@role_required("coordinator")
def download(key):
    """The stored PDF; a report not built yet answers 404 with the button that builds it."""
    period = period_of(key)
    site = this_site()
    record = load_record(current_app.instance_path, site.slug, period)
    pdf_path, _ = report_paths(current_app.instance_path, site.slug, period)
    if record is None or not os.path.exists(pdf_path):
        return missing(period)
    audit("report_downloaded", f"{site.slug}/{period.key}", detail=record["uuid"])
    return send_file(
        pdf_path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"Bericht-{site.slug}-{period.key}.pdf",
    )


@bp.post("/<key>/build")
@role_required("coordinator")
def build(key):
    """Build the PDF of a period that is over (once: one that exists is left as it is)."""
    period = period_of(key)
    site = this_site()
    try:
        result = build_report(site, period)
    except ReportError as error:
        flash(str(error))
    else:
        if result.built:
            audit("report_built", f"{site.slug}/{period.key}", detail=result.record["uuid"])
            flash(f"Der Bericht {period.label} wurde erstellt.")
        else:
            flash(f"Den Bericht {period.label} gibt es schon.")
    return redirect(url_for(".preview", key=period.key), 303)


@bp.post("/<key>/rebuild")
@role_required("coordinator")
def rebuild(key):
    period = period_of(key)
    site = this_site()
    if load_record(current_app.instance_path, site.slug, period) is None:
        return missing(period)
    try:
        result = build_report(site, period, rebuild=True)
    except ReportError as error:
        flash(str(error))
    else:
        audit("report_rebuilt", f"{site.slug}/{period.key}", detail=result.record["uuid"])
        flash(f"Der Bericht {period.label} wurde neu erstellt.")
    return redirect(url_for(".preview", key=period.key), 303)

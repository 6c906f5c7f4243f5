"""Coordinators' report pages: pick a period, preview its report, build and download the PDF.

A PDF is built only by an explicit POST (the "PDF erstellen" button), by the scheduler or by
`kiosk report`; a GET never builds one: a report that does not exist answers 404. The preview
of a month says how many cells the month alone and the quarter so far would hide, and which of
them REPORT_SCHEDULE = "auto" takes (kiosk/reports/granularity.py); a period that overlaps one
printed before without being it is not built.
"""

import logging
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

from ..clock import local_today
from ..db import this_site
from ..reports.awaiting import Waiting, waiting_comments
from ..reports.disclosure import min_cell
from ..reports.due import first_submission_day, grace_days, reported_periods
from ..reports.granularity import Decision, Published, coverage, decide
from ..reports.periods import Period, PeriodError, last_complete_month, period_of
from ..reports.render import report_context
from ..reports.store import ReportError, build_report, list_records, load_record, report_paths
from ..reports.summary import build_summary
from ..review.auth import audit, role_required
from . import kiosk_only
from .review import use_staff_errors
from .staff_forms import PeriodForm

log = logging.getLogger(__name__)
bp = Blueprint("reports", __name__, url_prefix="/review/reports")
bp.before_request(kiosk_only)  # a hub has no submissions of its own
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


def published_now(site, period: Period | None = None) -> Published:
    """What the site's built reports print, without `period`'s own."""
    return Published.from_records(list_records(current_app.instance_path, site.slug), period)


def month_choice(site, month: Period, k: int, published: Published) -> Decision:
    """Auto's choice for `month` with the reports built so far (as if it were over)."""
    first_day = first_submission_day(site)
    return decide(
        month, published.reports, lambda period: coverage(site, period, k), earliest=first_day
    )


@bp.get("/<key>/")
@role_required("coordinator")
def preview(key):
    period = period_of(key)
    site = this_site()
    k = min_cell(current_app.config)
    published = published_now(site, period)
    summary = build_summary(site, period, k, published)
    record = load_record(current_app.instance_path, site.slug, period)
    covering = [p for p in published.reports if p.overlaps(period)]
    choice = month_choice(site, period, k, published) if period.kind == "month" else None
    return render_template(
        "reports/preview.html",
        period=period,
        record=record,
        finished=finished(period),
        choice=None if covering else choice,
        covering=covering,
        conflicts=[] if record else published.conflicts(period),
        schedule=current_app.config["REPORT_SCHEDULE"],
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
    conflicts = published_now(site, period).conflicts(period)
    if conflicts and load_record(current_app.instance_path, site.slug, period) is None:
        flash(overlap_message(period, conflicts))
        return redirect(url_for(".preview", key=period.key), 303)
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


def overlap_message(period: Period, conflicts: list[Period]) -> str:
    named = ", ".join(p.label for p in conflicts)
    return (
        f"Der Bericht {period.label} wird nicht erstellt: er überschneidet sich mit schon "
        f"erstellten Zahlen ({named}). Aus beiden ließen sich verborgene kleine Zahlen "
        "zurückrechnen. Längere Zeiträume stellt das Stadthaus aus den einzelnen Berichten "
        "zusammen."
    )


@bp.app_template_global("reports_waiting")
def reports_waiting() -> list[Waiting]:
    """For the Eingang and Versand pages: comments waiting for approval for a report not built
    yet (kiosk/reports/awaiting.py)."""
    if current_app.config.get("ROLE") == "hub":
        return []
    try:
        site = this_site()
        return waiting_comments(
            site,
            local_today(),
            current_app.config["REPORT_SCHEDULE"],
            grace_days(current_app.config),
            reported_periods(current_app.instance_path, site.slug),
            first_submission_day(site),
        )
    except (OSError, ValueError):  # a damaged report record must not break the staff's pages
        log.exception("Wartende Kommentare nicht bestimmbar")
        return []

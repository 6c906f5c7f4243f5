"""Volunteers' review on site: inbox, submission pages, statuses, follow-up of needs (the notes'
routes are in kiosk/views/notes.py)."""

from datetime import date
from urllib.parse import parse_qsl

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from ..clock import local_today
from ..dates import DateInputError, parse_day
from ..extensions import db
from ..models import STATUSES, Answer, Submission, User, spec_of_version, utcnow
from ..reports.periods import PeriodError
from ..reports.versions import rebuild_outcome, rebuild_pending, reports_showing, will_be_rebuilt
from ..review.audit_names import ACTION_NAMES
from ..review.auth import (
    audit,
    current_user,
    login_required,
    role_required,
)
from ..review.casework import (
    approve_comment,
    assign,
    change_status,
    erase,
    has_personal_answers,
    shown_answers,
    status_history,
    withdraw_comment_approval,
)
from ..review.export import audited_export
from ..review.inbox import (
    STATUS_NAMES,
    Page,
    language_name,
    need_label,
    target,
)
from ..review.inbox_views import chosen_view, view_links, view_page
from ..review.renderings import rendering_missing
from ..sync import configured_targets
from ..sync.outbox import enqueue_reports
from . import kiosk_only, render_component, render_page
from .case_forms import cases_context
from .staff_forms import (
    BulkForm,
    EraseForm,
    FilterForm,
    assign_form,
    bulk_form,
    filter_form,
    filters_of,
    note_panel,
)

bp = Blueprint("review", __name__, url_prefix="/review")
bp.before_request(kiosk_only)  # a hub has no submissions of its own

FILTER_KEYS = ("ansicht", "form", "lang", "status", "since", "until", "need", "q", "page")


@bp.context_processor
def review_helpers():
    return {
        "status_names": STATUS_NAMES,
        "action_names": ACTION_NAMES,
        "need_label": need_label,
        "language_name": language_name,
        "args_with": args_with,
    }


def args_with(**changes) -> dict:
    """The current query arguments with some changed (None drops one), for url_for."""
    args = {**request.args.to_dict(), **changes}
    return {key: value for key, value in args.items() if value not in (None, "")}


# --- Errors in the staff layout -----------------------------------------------------------------

ERRORS = {
    400: (
        "Das hat nicht geklappt",
        "Vielleicht war die Seite zu lange offen. Bitte laden Sie sie neu und versuchen Sie es"
        " noch einmal.",
    ),
    403: (
        "Keine Berechtigung",
        "Das darf Ihr Konto nicht. Die Koordination kann Ihnen weiterhelfen.",
    ),
    404: ("Nicht gefunden", "Diesen Eintrag gibt es nicht oder nicht mehr."),
}


def error_page(error):
    title, text = ERRORS[error.code]
    return staff_error(error.code, title, text)


def date_error_page(error: DateInputError):
    """A date or period that cannot be read or lies outside 2000 to 2099 (kiosk/dates.py)."""
    title = "Ungültiger Zeitraum" if isinstance(error, PeriodError) else "Ungültiges Datum"
    return staff_error(400, title, str(error))


def staff_error(status: int, title: str, text: str):
    return render_page("review/error.html", status, title=title, text=text)


def use_staff_errors(blueprint: Blueprint) -> None:
    """Errors of `blueprint`'s views in the staff layout, with German words."""
    for code in ERRORS:
        blueprint.register_error_handler(code, error_page)
    blueprint.register_error_handler(DateInputError, date_error_page)


use_staff_errors(bp)


# --- Inbox --------------------------------------------------------------------------------------


@bp.get("/")
@login_required
def inbox():
    """The inbox in its view ("Zu tun" unless the URL names another, review/inbox_views.py),
    narrowed by the filter."""
    form = filter_form()
    problem = read_filter_days(form)
    view = chosen_view(request.args)
    context = {"form": form, "bulk": bulk_form(), "view": view}
    context["views"] = view_links(view, request.args)
    if problem:  # the page with the field's message, and the list saying why it is empty
        context.update(page=Page([], 1, 0), problem=problem)
        return render_page("review/inbox.html", 400, **context)
    number = request.args.get("page", 1, type=int)
    page = view_page(view, filters_of(form), number, current_user().id, local_today())
    return render_page("review/inbox.html", page=page, **context)


def read_filter_days(form: FilterForm) -> str | None:
    """The filter's "Von" and "Bis" read as every typed date is (kiosk/dates.py): each field's
    data set, or its error and the first problem returned. An unreadable date is refused, not
    ignored: the inbox or an export would otherwise show everything."""
    problem = None
    for field in (form.since, form.until):
        text = (field.raw_data or [""])[0]
        try:
            field.data = parse_day(text) if text.strip() else None
        except DateInputError as error:
            field.data, field.errors = None, [str(error)]
            problem = problem or f"{field.label.text}: {error}"
    return problem


@bp.post("/bulk")
@login_required
def bulk():
    form = bulk_form()
    ids = request.form.getlist("ids", type=int)
    if not form.validate() or not ids or not (form.status.data or form.user.data):
        flash("Bitte Einträge und eine Änderung auswählen.")
    else:
        changed = apply_bulk(form, Submission.select().where(Submission.id.in_(ids)))
        flash(f"{changed} Einträge geändert.")
    back = {k: v for k, v in parse_qsl(request.form.get("back", "")) if k in FILTER_KEYS}
    return redirect(url_for("review.inbox", **back), 303)


def apply_bulk(form: BulkForm, submissions) -> int:
    """Set the chosen status and/or assignee on each submission; returns how many there were."""
    user = None if form.user.data in ("", "none") else User.get_by_id(int(form.user.data))
    submissions = list(submissions)
    with db.atomic():
        for submission in submissions:
            if form.status.data:
                change_status(submission, form.status.data, current_user().name)
            if form.user.data:
                assign(submission, user)
    return len(submissions)


# --- One submission -----------------------------------------------------------------------------


def submission_or_404(submission_id: int) -> Submission:
    return Submission.get_or_none(Submission.id == submission_id) or abort(404)


def status_context(submission: Submission) -> dict:
    return {"submission": submission, "history": status_history(submission)}


def notes_context(submission: Submission) -> dict:
    """The notes panel (its routes are in kiosk/views/notes.py)."""
    return note_panel(submission)


def assignment_context(submission: Submission) -> dict:
    return {"submission": submission, "assign_form": assign_form(submission)}


def detail_context(submission: Submission) -> dict:
    return {
        "spec": spec_of_version(submission.form_version),
        "answers": shown_answers(submission),
        **status_context(submission),
        **notes_context(submission),
        **assignment_context(submission),
        **cases_context(submission),
    }


def component(partial: str, submission: Submission, context: dict, status: int = 200):
    """A component of the submission's page; without htmx, the page (again, on an error)."""

    def whole_page():
        if status >= 400:
            page = render_template(
                "review/detail.html", **{**detail_context(submission), **context}
            )
            return page, status
        return redirect(url_for("review.detail", submission_id=submission.id), 303)

    return render_component(partial, context, whole_page, status)


@bp.get("/<int:submission_id>")
@login_required
def detail(submission_id):
    submission = submission_or_404(submission_id)
    if has_personal_answers(submission):
        audit("view", target(submission))
    return render_template("review/detail.html", **detail_context(submission))


@bp.post("/<int:submission_id>/status")
@login_required
def set_status(submission_id):
    submission = submission_or_404(submission_id)
    new = request.form.get("status")
    if new not in STATUSES:
        abort(400)
    change_status(submission, new, current_user().name)
    return component("review/_status.html", submission, status_context(submission))


@bp.post("/<int:submission_id>/assign")
@login_required
def assign_to(submission_id):
    submission = submission_or_404(submission_id)
    form = assign_form(submission)
    if not form.validate():
        abort(400)
    assign(submission, User.get_by_id(int(form.user.data)) if form.user.data else None)
    return component("review/_assignment.html", submission, assignment_context(submission))


@bp.post("/answers/<int:answer_id>/approval")
@login_required
def approval(answer_id):
    answer = Answer.get_or_none(Answer.id == answer_id) or abort(404)
    if not shown_answer(answer).approvable:
        abort(400)
    notice = ""
    if request.form.get("approved") == "1":
        required = current_app.config["REPORT_COMMENTS_NEED_GERMAN"]
        if problem := rendering_missing(answer, required):  # kiosk/review/renderings.py
            context = {"shown": shown_answer(answer), "problem": problem}
            return component("review/_approval.html", answer.submission, context, 422)
        approve_comment(answer, current_user().name)
    elif withdraw_comment_approval(answer):  # the reports that printed it are built again
        notice = rebuild_now()
    context = {"shown": shown_answer(answer), "notice": notice}
    return component("review/_approval.html", answer.submission, context)


def shown_answer(answer: Answer):
    """The answer as its submission's page shows it, with its approval."""
    for shown in shown_answers(answer.submission):
        if shown.answer and shown.answer.id == answer.id:
            return shown
    abort(400)  # one value of a multiple-choice answer: nothing to approve


@bp.get("/<int:submission_id>/print")
@login_required
def print_page(submission_id):
    submission = submission_or_404(submission_id)
    audit("print", target(submission))
    return render_template("review/print.html", now=utcnow(), **detail_context(submission))


@bp.route("/<int:submission_id>/erase", methods=["GET", "POST"])
@role_required("coordinator")
def erase_submission(submission_id):
    submission = submission_or_404(submission_id)
    form = EraseForm()
    if form.validate_on_submit():
        touched = erase(submission, form.reason.data.strip())  # committed before any rebuild
        flash(f"Eintrag Nr. {submission_id} ist gelöscht. Nur eine Zeile im Protokoll bleibt.")
        if touched:
            flash(rebuild_now())
        return redirect(url_for("review.inbox"), 303)
    context = {
        "submission": submission,
        "spec": spec_of_version(submission.form_version),
        "touched_reports": will_be_rebuilt(reports_showing(submission)),
    }
    status = 422 if form.errors else 200
    return render_template("review/erase.html", form=form, **context), status


def rebuild_now() -> str:
    """Build the reports waiting to be built again now and queue them for delivery; how it went,
    in German. A failure leaves them waiting for the scheduler (kiosk/reports/versions.py): the
    change that asked for them is committed already and stays."""
    try:
        run = rebuild_pending(wait=False)
        if run.built and configured_targets():
            enqueue_reports()
    except Exception:
        current_app.logger.exception("Berichte nach einer Änderung nicht neu erstellt")
        return "Die betroffenen Berichte werden später neu erstellt; der Kiosk versucht es wieder."
    for record in run.built:
        where = f"{record['site']['slug']}/{record['period']['key']}"
        audit("report_rebuilt", where, detail=record["uuid"])
    return rebuild_outcome(run)


# --- Follow-up of needs, routing ----------------------------------------------------------------


@bp.get("/followup")
def followup():
    """The follow-up is the "Anliegen" page now (kiosk/views/cases.py); old links lead there."""
    need = request.args.get("need") or None
    status = "all" if request.args.get("show") == "all" else None
    return redirect(url_for("cases.index", need=need, status=status), 301)


# --- Export (the audit log is in views/accounts.py) -----------------------------------------------


@bp.get("/export.csv")
@role_required("coordinator")
def export():
    """The CSV, streamed; the audit line is written before its first byte (review/export.py)."""
    form = filter_form()
    problem = read_filter_days(form)
    if problem:
        return staff_error(400, "Ungültiges Datum", problem)
    chunks = audited_export(filters_of(form))
    filename = f"mittendrin-eingang-{date.today().isoformat()}.csv"
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

"""Volunteers' review on site: inbox, submission pages, statuses, notes, follow-up of needs."""

from datetime import date
from urllib.parse import parse_qsl

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from ..clock import local_time
from ..extensions import db
from ..models import STATUSES, Answer, Submission, User, spec_of_version, utcnow
from ..review.audit_names import ACTION_NAMES
from ..review.auth import (
    audit,
    audit_actions,
    audit_query,
    current_user,
    login_required,
    role_required,
)
from ..review.casework import (
    add_note,
    approve_comment,
    assign,
    change_status,
    erase,
    has_personal_answers,
    notes_of,
    shown_answers,
    status_history,
    withdraw_comment_approval,
)
from ..review.export import audited_export
from ..review.followup import (
    followup_page,
)
from ..review.inbox import (
    STATUS_NAMES,
    inbox_page,
    language_name,
    need_label,
    need_options,
    page_of,
    target,
)
from . import render_component, render_page
from .staff_forms import (
    ANY,
    AuditFilterForm,
    BulkForm,
    EraseForm,
    FollowupForm,
    NoteForm,
    assign_form,
    bulk_form,
    filter_form,
    filters_of,
    options,
)

bp = Blueprint("review", __name__, url_prefix="/review")

FILTER_KEYS = ("form", "lang", "status", "since", "until", "need", "q", "page")


@bp.app_template_filter("local_time")
def format_local_time(moment, pattern="%d.%m.%Y %H:%M") -> str:
    return local_time(moment).strftime(pattern) if moment else ""


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
    return render_page("review/error.html", error.code, title=title, text=text)


for code in ERRORS:
    bp.register_error_handler(code, error_page)


# --- Inbox --------------------------------------------------------------------------------------


@bp.get("/")
@login_required
def inbox():
    form = filter_form()
    page = inbox_page(filters_of(form), request.args.get("page", 1, type=int))
    return render_page("review/inbox.html", form=form, page=page, bulk=bulk_form())


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


def notes_context(submission: Submission, form: NoteForm | None = None) -> dict:
    return {
        "submission": submission,
        "notes": notes_of(submission),
        "note_form": form or NoteForm(),
    }


def assignment_context(submission: Submission) -> dict:
    return {"submission": submission, "assign_form": assign_form(submission)}


def detail_context(submission: Submission) -> dict:
    return {
        "spec": spec_of_version(submission.form_version),
        "answers": shown_answers(submission),
        **status_context(submission),
        **notes_context(submission),
        **assignment_context(submission),
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


@bp.post("/<int:submission_id>/notes")
@login_required
def note(submission_id):
    submission = submission_or_404(submission_id)
    form = NoteForm()
    if not form.validate():
        return component("review/_notes.html", submission, notes_context(submission, form), 422)
    add_note(submission, form.text.data.strip(), current_user().name)
    return component("review/_notes.html", submission, notes_context(submission))


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
    if request.form.get("approved") == "1":
        approve_comment(answer, current_user().name)
    else:
        withdraw_comment_approval(answer)
    return component("review/_approval.html", answer.submission, {"shown": shown_answer(answer)})


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
        erase(submission, form.reason.data.strip())
        flash(f"Eintrag Nr. {submission_id} ist gelöscht. Nur eine Zeile im Protokoll bleibt.")
        return redirect(url_for("review.inbox"), 303)
    context = {"submission": submission, "spec": spec_of_version(submission.form_version)}
    status = 422 if form.errors else 200
    return render_template("review/erase.html", form=form, **context), status


# --- Follow-up of needs, routing ----------------------------------------------------------------


@bp.get("/followup")
@login_required
def followup():
    form = FollowupForm(formdata=request.args)
    form.need.choices = options(ANY, *need_options())
    page = followup_page(
        form.need.data or None,
        open_only=form.show.data != "all",
        number=request.args.get("page", 1, type=int),
    )
    return render_page("review/followup.html", form=form, page=page)


# --- Export, audit log --------------------------------------------------------------------------


@bp.get("/export.csv")
@role_required("coordinator")
def export():
    """The CSV, streamed; the audit line is written before its first byte (review/export.py)."""
    chunks = audited_export(filters_of(filter_form()))
    filename = f"mittendrin-eingang-{date.today().isoformat()}.csv"
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/audit")
@role_required("admin")
def audit_log():
    form = AuditFilterForm(formdata=request.args)
    names = [(action, ACTION_NAMES.get(action, action)) for action in audit_actions()]
    form.action.choices = options(ANY, *names)
    page = page_of(audit_query(form.action.data or None), request.args.get("page", 1, type=int))
    return render_page("review/audit.html", form=form, page=page)

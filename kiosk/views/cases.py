"""The "Anliegen" pages: every need of an intake as a case, changed and undone by volunteers.

The list filters by need, office, status, Wiedervorlage and who looks after a case, all in the
URL; a case is changed through its component (on the submission's page or its own), which
answers htmx with itself and anything else with a redirect back (kiosk/views/__init__.py).
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..models import CaseChange
from ..review.auth import current_user, role_required
from ..review.case_list import PER_PAGE, case_page, case_row
from ..review.cases import CASE_STATUS_NAMES, CaseConflict, CaseInputError, change_case, undo_change
from ..review.followup import office_contact
from ..review.inbox import Page, need_label
from . import kiosk_only, render_component, render_page
from .case_forms import case_context, case_filter_form, case_filters, case_form, wanted_changes
from .review import args_with, use_staff_errors

bp = Blueprint("cases", __name__, url_prefix="/review/anliegen")
bp.before_request(kiosk_only)  # a hub has no submissions of its own
use_staff_errors(bp)


@bp.app_context_processor
def case_helpers():
    """For the case component wherever it is drawn (the submission page too)."""
    return {
        "case_status_names": CASE_STATUS_NAMES,
        "office_contact": office_contact,
    }


@bp.context_processor
def listing_helpers():
    return {"need_label": need_label, "args_with": args_with}


@bp.get("")
@role_required("volunteer")
def index():
    form = case_filter_form(request.args)
    if not form.validate():
        field = next(field for field in form if field.errors)
        problem = f"{field.label.text}: {field.errors[0]}"
        empty = Page([], 1, 0, PER_PAGE)
        return render_page("review/cases.html", 400, form=form, page=empty, problem=problem)
    filters = case_filters(form, current_user().id)
    page = case_page(filters, request.args.get("page", 1, type=int))
    return render_page("review/cases.html", form=form, page=page)


@bp.get("/<int:case_id>")
@role_required("volunteer")
def case(case_id):
    row = case_row(case_id) or abort(404)
    return render_template("review/case.html", back="case", **case_context(row))


@bp.post("/<int:case_id>")
@role_required("volunteer")
def change(case_id):
    row = case_row(case_id) or abort(404)
    form = case_form(row, 0, request.form)
    if not form.validate():
        return answer(row, 422, form=form)
    try:
        changed = change_case(
            case_id, wanted_changes(form), current_user().name, seen=form.seen.data
        )
    except CaseInputError as error:
        getattr(form, error.field).errors = [str(error)]
        return answer(row, 422, form=form)
    except CaseConflict as error:
        return answer(case_row(case_id), 409, conflict=str(error))
    return answer(case_row(case_id), message="Gespeichert." if changed else "Nichts geändert.")


@bp.post("/aenderung/<int:change_id>/rueckgaengig")
@role_required("volunteer")
def undo(change_id):
    change = CaseChange.get_or_none(CaseChange.id == change_id) or abort(404)
    try:
        undo_change(change.id, current_user().name)
    except LookupError:
        abort(404)
    except CaseConflict as error:
        return answer(case_row(change.case_id), 409, conflict=str(error))
    return answer(case_row(change.case_id), message="Rückgängig gemacht.")


def answer(row, status: int = 200, form=None, message: str = "", conflict: str = ""):
    """The case's component for htmx; otherwise the page it came from (a 303 after a change,
    the case's own page with the problem when something was refused)."""
    back = "case" if request.form.get("back") == "case" else "submission"
    context = {**case_context(row, form), "back": back, "message": message, "conflict": conflict}

    def whole_page():
        if status >= 400:
            return render_template("review/case.html", **context), status
        flash(f"{need_label(row.case.need)}: {message}")
        if back == "case":
            return redirect(url_for("cases.case", case_id=row.case.id), 303)
        anchor = f"case-{row.case.id}"
        return redirect(
            url_for("review.detail", submission_id=row.case.submission_id, _anchor=anchor), 303
        )

    return render_component("review/_case.html", context, whole_page, status)

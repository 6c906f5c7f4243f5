"""The admins' pages: staff accounts (/review/konten) and the audit log (/review/audit).

Admins add accounts, set their role and the languages their holders speak, disable and re-enable
them and issue one-time passwords; the rules and the audit are in kiosk/review/accounts.py. A
one-time password is shown once, in the answer to the POST that made it, and nowhere else.
"""

from flask import Blueprint, Response, abort, flash, redirect, request, url_for

from ..models import User
from ..review.accounts import (
    AccountError,
    accounts,
    add_account,
    change_account,
    disable_account,
    enable_account,
    issue_one_time_password,
    language_name,
)
from ..review.audit_log import audit_page
from ..review.auth import current_user, role_required
from ..review.inbox import Page
from . import is_htmx, render_after_post, render_page
from .account_forms import account_form, audit_filter_form, audit_filters, change_form
from .header_values import staff_start
from .review import args_with, use_staff_errors

bp = Blueprint("accounts", __name__, url_prefix="/review")
use_staff_errors(bp)


@bp.context_processor
def account_helpers():
    return {"args_with": args_with, "language_name": language_name}


def user_or_404(user_id: int) -> User:
    user = User.get_or_none(User.id == user_id)
    if user is None:
        abort(404)
    return user


def by() -> str:
    return current_user().name


# --- The list and a new account -------------------------------------------------------------------


def index_page(status: int = 200) -> Response:
    return render_page("accounts/index.html", status, rows=accounts())


@bp.get("/konten")
@role_required("admin")
def index():
    return index_page()


@bp.route("/konten/neu", methods=["GET", "POST"])
@role_required("admin")
def new():
    posted = request.method == "POST"
    form = account_form(posted)
    if posted and form.validate():
        try:
            user, password = add_account(
                form.name.data, form.role.data, form.speaks.data or [], by()
            )
        except AccountError as error:
            form.name.errors.append(str(error))
        else:
            return shown_once(user, password, created=True)
    return render_page("accounts/new.html", 422 if posted else 200, form=form)


def shown_once(user: User, password: str, created: bool) -> Response:
    """The one-time password, in this answer only (staff pages are never cached)."""
    return render_page("accounts/password.html", user=user, password=password, created=created)


# --- One account ----------------------------------------------------------------------------------


def account_page(user: User, form=None, status: int = 200) -> Response:
    form = form or change_form(user)
    return render_page("accounts/account.html", status, account=user, form=form)


def after_change(user: User) -> Response:
    """Back to the account's page; to the start if the admin just took away their own access."""
    me = current_user()
    if user.id == me.id and not (user.active and user.role == "admin"):
        return leave_to_start()
    return render_after_post(
        url_for(".account", user_id=user.id), lambda: account_page(user_or_404(user.id))
    )


def leave_to_start() -> Response:
    if is_htmx():
        return Response(status=204, headers={"HX-Redirect": staff_start()})
    return redirect(staff_start(), 303)


@bp.route("/konten/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def account(user_id):
    user = user_or_404(user_id)
    if request.method == "GET":
        return account_page(user)
    form = change_form(user, posted=True)
    if not form.validate():
        return account_page(user, form, 422)
    try:
        changed = change_account(user, form.role.data, form.speaks.data or [], by())
    except AccountError as error:
        form.role.errors.append(str(error))
        return account_page(user, form, 409)
    flash(f"Gespeichert: {' und '.join(changed)}." if changed else "Es gab nichts zu ändern.")
    return after_change(user)


@bp.post("/konten/<int:user_id>/sperren")
@role_required("admin")
def disable(user_id):
    user = user_or_404(user_id)
    try:
        disable_account(user, by())
    except AccountError as error:
        flash(str(error))
        return account_page(user, status=409)
    flash(f"Das Konto „{user.name}“ ist gesperrt; seine Anmeldungen sind beendet.")
    return after_change(user)


@bp.post("/konten/<int:user_id>/freigeben")
@role_required("admin")
def enable(user_id):
    user = user_or_404(user_id)
    enable_account(user, by())
    flash(f"Das Konto „{user.name}“ ist wieder freigegeben.")
    return after_change(user)


@bp.post("/konten/<int:user_id>/einmalpasswort")
@role_required("admin")
def one_time_password(user_id):
    user = user_or_404(user_id)
    return shown_once(user, issue_one_time_password(user, by()), created=False)


# --- The audit log --------------------------------------------------------------------------------


@bp.get("/audit")
@role_required("admin")
def audit_log():
    form = audit_filter_form()
    if not form.validate():  # a date it cannot read, or outside 2000 to 2099 (kiosk/dates.py)
        problem = next(f"{field.label.text}: {field.errors[0]}" for field in form if field.errors)
        empty = Page([], 1, 0)
        return render_page("review/audit.html", 400, form=form, page=empty, problem=problem)
    page = audit_page(audit_filters(form), request.args.get("page", 1, type=int))
    return render_page("review/audit.html", form=form, page=page)

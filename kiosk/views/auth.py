"""Staff login, logout and password change under /review/ (German interface)."""

import math
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from ..review.auth import (
    attempt_login,
    audit,
    current_password_matches,
    current_user,
    end_session,
    login_required,
    set_own_password,
    start_session,
)
from ..review.password_rules import RULE, password_problem
from ..review.throttle import login_wait
from .header_values import local_target, staff_start

bp = Blueprint("auth", __name__, url_prefix="/review")

MAX_NAME_LENGTH = 100


class LoginForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[
            DataRequired("Bitte den Namen eingeben."),
            Length(max=MAX_NAME_LENGTH, message="Der Name ist zu lang."),
        ],
    )
    password = PasswordField("Passwort", validators=[DataRequired("Bitte das Passwort eingeben.")])


def not_easy_to_guess(form, field):
    problem = password_problem(field.data or "", current_user().name)
    if problem:
        raise ValidationError(problem)


class PasswordForm(FlaskForm):
    current = PasswordField(
        "Bisheriges Passwort",
        validators=[InputRequired("Bitte das bisherige Passwort eingeben.")],
    )
    password = PasswordField("Neues Passwort", validators=[not_easy_to_guess])
    repeat = PasswordField(
        "Noch einmal",
        validators=[EqualTo("password", message="Die beiden Eingaben sind verschieden.")],
    )


def client_address() -> str:
    return request.remote_addr or "unknown"


def wait_message(wait: timedelta) -> str:
    """ "Bitte in 5 Sekunden noch einmal versuchen." (minutes from two minutes on)."""
    seconds = math.ceil(wait.total_seconds())
    if seconds < 120:
        amount = "1 Sekunde" if seconds == 1 else f"{seconds} Sekunden"
    else:
        amount = f"{math.ceil(seconds / 60)} Minuten"
    return f"Zu viele Anmeldeversuche. Bitte in {amount} noch einmal versuchen."


def too_many_attempts(wait: timedelta) -> dict:
    """The Retry-After header of a 429, in whole seconds."""
    return {"Retry-After": str(math.ceil(wait.total_seconds()))}


def after_login() -> str:
    """The page asked for before the login; on a hub never the Treffpunkt's inbox and its
    pages (a hub has no visitors' submissions), but the dashboard."""
    target = local_target(request.args.get("next"))
    if current_app.config["ROLE"] == "hub" and endpoint_of(target).startswith("review."):
        return staff_start()
    return target


def endpoint_of(path: str) -> str:
    """The endpoint a local path leads to (after a slash redirect), or "" if none."""
    adapter = current_app.url_map.bind("localhost")
    try:
        return adapter.match(urlsplit(path).path)[0]
    except RequestRedirect as moved:
        return endpoint_of(urlsplit(moved.new_url).path) if moved.new_url != path else ""
    except HTTPException:
        return ""


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        name, address = form.name.data.strip(), client_address()
        wait = login_wait(name, address)
        if wait:
            flash(wait_message(wait))
            status, headers = 429, too_many_attempts(wait)
        elif user := attempt_login(name, form.password.data, address):
            start_session(user)
            audit("login", user.name, user_name=user.name)
            return redirect(after_login(), 303)
        else:
            audit("login_failed", name, detail=address, user_name=name)
            flash("Name oder Passwort stimmt nicht.")
            status = 401
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status, headers


@bp.post("/logout")
def logout():
    user = current_user()
    if user:
        audit("logout", user.name)
    end_session()
    return redirect(url_for("auth.login"), 303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        user, address = current_user(), client_address()
        wait = login_wait(user.name, address)
        if wait:
            form.current.errors.append(wait_message(wait))
            status, headers = 429, too_many_attempts(wait)
        elif not current_password_matches(user, form.current.data, address):
            form.current.errors.append("Das bisherige Passwort stimmt nicht.")
            status = 422
        elif form.password.data == form.current.data:
            form.password.errors.append(
                "Das einmalige Passwort kann nicht Ihr eigenes werden. Bitte wählen Sie ein neues."
                if user.must_change_password
                else "Das neue Passwort muss ein anderes sein als das bisherige."
            )
            status = 422
        else:
            set_own_password(user, form.password.data)
            audit("password_changed", user.name)
            flash("Das Passwort ist geändert. Ihre anderen Anmeldungen sind beendet.")
            return redirect(staff_start(), 303)
    elif form.is_submitted():
        status = 422
    return render_template("auth/password.html", form=form, rule=RULE), status, headers

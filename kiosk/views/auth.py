"""Staff login, logout and password change under /review/ (German interface)."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..review.auth import (
    attempt_login,
    audit,
    current_user,
    end_session,
    hash_password,
    login_required,
    login_wait,
    start_session,
)

bp = Blueprint("auth", __name__, url_prefix="/review")


class LoginForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Bitte den Namen eingeben.")])
    password = PasswordField("Passwort", validators=[DataRequired("Bitte das Passwort eingeben.")])


class PasswordForm(FlaskForm):
    password = PasswordField(
        "Neues Passwort",
        validators=[Length(min=12, message="Mindestens 12 Zeichen, bitte.")],
    )
    repeat = PasswordField(
        "Noch einmal",
        validators=[EqualTo("password", message="Die beiden Eingaben sind verschieden.")],
    )


def safe_next(target: str | None) -> str:
    """Only a path on this server, never another host (no open redirect)."""
    if target and target.startswith("/") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("review.inbox")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        name, address = form.name.data.strip(), request.remote_addr or "unknown"
        wait = login_wait(name, address)
        if wait:
            minutes = max(1, round(wait.total_seconds() / 60))
            flash(f"Zu viele Fehlversuche. Bitte in {minutes} Minute(n) erneut versuchen.")
            status = 429
        elif user := attempt_login(name, form.password.data, address):
            start_session(user)
            audit("login", user.name, user_name=user.name)
            return redirect(safe_next(request.args.get("next")), 303)
        else:
            audit("login_failed", name, detail=address, user_name=name)
            flash("Name oder Passwort stimmt nicht.")
            status = 401
    elif form.is_submitted():
        status = 422
    return render_template("auth/login.html", form=form), status


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
    if form.validate_on_submit():
        user = current_user()
        user.password_hash = hash_password(form.password.data)
        user.must_change_password = False
        user.save()
        audit("password_changed", user.name)
        flash("Das Passwort ist geändert.")
        return redirect(url_for("review.inbox"), 303)
    return render_template("auth/password.html", form=form), 422 if form.errors else 200

"""Staff accounts: login, throttling, sessions, roles, and the `kiosk user` commands."""

import re
from datetime import timedelta

import pytest
from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.models import AuditEvent, LoginAttempt, User, UserSession, utcnow
from kiosk.review.auth import login_wait

from factories import add_user
from server import PASSWORD, AuthActions


@pytest.fixture
def vera(app):
    return add_user(app, "vera", "volunteer")


def test_nothing_under_review_without_login(client):
    response = client.get("/review/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/review/login")


def test_login_and_logout(client, auth, vera, app):
    response = auth.login("vera")
    assert response.status_code == 303
    assert client.get("/review/").status_code == 200
    auth.logout()
    assert client.get("/review/").status_code == 302
    with app.app_context():
        assert UserSession.get().revoked
        assert {e.action for e in AuditEvent.select()} >= {"login", "logout"}


def test_a_wrong_password_is_refused_and_recorded(auth, vera, app):
    response = auth.login("vera", "wrong")
    assert response.status_code == 401
    assert "stimmt nicht" in response.get_data(as_text=True)
    with app.app_context():
        assert LoginAttempt.select().where(~LoginAttempt.succeeded).count() == 1


def test_unknown_names_are_answered_like_wrong_passwords(auth, vera):
    response = auth.login("nobody")
    assert response.status_code == 401


def test_the_next_target_never_leaves_the_site(auth, vera):
    response = auth.login("vera", path="/review/login?next=//evil.example/x")
    assert response.headers["Location"] == "/review/"


def test_ten_failures_then_an_increasing_wait_not_forever(auth, vera, app):
    for _ in range(10):
        assert auth.login("vera", "wrong").status_code == 401
    response = auth.login("vera")  # even the right password waits now
    assert response.status_code == 429
    assert "Zu viele" in response.get_data(as_text=True)
    with app.app_context():
        first = login_wait("vera", "127.0.0.1")
        LoginAttempt.create(account="vera", address="x", succeeded=False)
        assert login_wait("vera", "127.0.0.1") > first
        LoginAttempt.update(at=utcnow() - timedelta(minutes=16)).execute()
        assert login_wait("vera", "127.0.0.1") == timedelta(0)
    assert auth.login("vera").status_code == 303


def test_throttling_per_address_covers_many_accounts(auth, vera, app):
    for n in range(10):
        auth.login(f"guess{n}", "x")
    assert auth.login("vera").status_code == 429


def test_sessions_end_when_idle_or_too_old(client, auth, vera, app):
    auth.login("vera")
    with app.app_context():
        UserSession.update(last_seen=utcnow() - timedelta(minutes=31)).execute()
    assert client.get("/review/").status_code == 302
    auth.login("vera")
    with app.app_context():
        UserSession.update(created_at=utcnow() - timedelta(hours=9)).execute()
    assert client.get("/review/").status_code == 302


def test_login_renews_the_session(client, auth, vera, app):
    with client.session_transaction() as session:
        session["staff"] = "planted-by-an-attacker"
    auth.login("vera")
    with client.session_transaction() as session:
        assert session["staff"] != "planted-by-an-attacker"


def test_a_disabled_account_is_logged_out(client, auth, vera, app):
    auth.login("vera")
    with app.app_context():
        User.update(active=False).execute()
    assert client.get("/review/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(auth, vera):
    response = auth.login("vera")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_passwords_are_stored_as_argon2id(app, vera):
    with app.app_context():
        assert User.get().password_hash.startswith("$argon2id$")


def test_first_admin_must_change_the_one_time_password(instance):
    result = CliRunner().invoke(main, ["init"])
    password = re.search(r"one-time password: (\S+)", result.output).group(1)
    from kiosk import create_app

    client = create_app().test_client()
    response = AuthActions(client).login("admin", password)
    assert response.status_code == 303
    assert client.get("/review/").headers["Location"] == "/review/password"
    assert "one-time password" not in CliRunner().invoke(main, ["init"]).output


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_user_commands(instance):
    run("init")
    result = run("user", "add", "omar", "--role", "coordinator", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "coordinator" in run("user", "list").output
    assert run("user", "add", "omar", "--role", "volunteer", input=PASSWORD + "\n").exit_code == 1
    assert run("user", "add", "x", "--role", "volunteer", input="short\n").exit_code == 1
    assert run("user", "password", "omar", input="another long password\n").exit_code == 0
    assert run("user", "disable", "omar").exit_code == 0
    assert "disabled" in run("user", "list").output
    assert run("user", "disable", "nobody").exit_code == 1

"""Staff accounts: login, throttling, sessions, roles, and the `kiosk user` commands."""

import re
from datetime import timedelta

import pytest
from click.testing import CliRunner

from kiosk.auth import create_user, login_wait
from kiosk.cli import main
from kiosk.extensions import db
from kiosk.models import AuditEvent, LoginAttempt, User, UserSession, utcnow

HIDDEN_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PASSWORD = "correct horse battery"


@pytest.fixture
def vera(app):
    with app.app_context(), db.connection_context():
        return create_user("vera", PASSWORD, "volunteer")


def login(client, name="vera", password=PASSWORD, **kwargs):
    page = client.get("/review/login").get_data(as_text=True)
    token = HIDDEN_TOKEN.search(page).group(1)
    return client.post(
        "/review/login",
        data={"csrf_token": token, "name": name, "password": password},
        **kwargs,
    )


def test_nothing_under_review_without_login(client):
    response = client.get("/review/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/review/login")


def test_login_and_logout(client, vera, app):
    response = login(client)
    assert response.status_code == 303
    assert client.get("/review/").status_code == 200
    page = client.get("/review/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/review/logout", data={"csrf_token": token})
    assert client.get("/review/").status_code == 302
    with app.app_context():
        assert UserSession.get().revoked
        assert {e.action for e in AuditEvent.select()} >= {"login", "logout"}


def test_a_wrong_password_is_refused_and_recorded(client, vera, app):
    response = login(client, password="wrong")
    assert response.status_code == 401
    assert "stimmt nicht" in response.get_data(as_text=True)
    with app.app_context():
        assert LoginAttempt.select().where(~LoginAttempt.succeeded).count() == 1


def test_unknown_names_are_answered_like_wrong_passwords(client, vera):
    response = login(client, name="nobody")
    assert response.status_code == 401


def test_the_next_target_never_leaves_the_site(client, vera):
    page = client.get("/review/login?next=//evil.example/x")
    token = HIDDEN_TOKEN.search(page.get_data(as_text=True)).group(1)
    response = client.post(
        "/review/login?next=//evil.example/x",
        data={"csrf_token": token, "name": "vera", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/review/"


def test_ten_failures_then_an_increasing_wait_not_forever(client, vera, app):
    for _ in range(10):
        assert login(client, password="wrong").status_code == 401
    response = login(client)  # even the right password waits now
    assert response.status_code == 429
    assert "Zu viele" in response.get_data(as_text=True)
    with app.app_context():
        first = login_wait("vera", "127.0.0.1")
        LoginAttempt.create(account="vera", address="x", succeeded=False)
        assert login_wait("vera", "127.0.0.1") > first
        LoginAttempt.update(at=utcnow() - timedelta(minutes=16)).execute()
        assert login_wait("vera", "127.0.0.1") == timedelta(0)
    assert login(client).status_code == 303


def test_throttling_per_address_covers_many_accounts(client, vera, app):
    for n in range(10):
        login(client, name=f"guess{n}", password="x")
    assert login(client).status_code == 429


def test_sessions_end_when_idle_or_too_old(client, vera, app):
    login(client)
    with app.app_context():
        UserSession.update(last_seen=utcnow() - timedelta(minutes=31)).execute()
    assert client.get("/review/").status_code == 302
    login(client)
    with app.app_context():
        UserSession.update(created_at=utcnow() - timedelta(hours=9)).execute()
    assert client.get("/review/").status_code == 302


def test_login_renews_the_session(client, vera, app):
    with client.session_transaction() as session:
        session["staff"] = "planted-by-an-attacker"
    login(client)
    with client.session_transaction() as session:
        assert session["staff"] != "planted-by-an-attacker"


def test_a_disabled_account_is_logged_out(client, vera, app):
    login(client)
    with app.app_context():
        User.update(active=False).execute()
    assert client.get("/review/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, vera):
    response = login(client)
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
    response = login(client, name="admin", password=password)
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

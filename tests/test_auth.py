"""Staff accounts: login, throttling, sessions, roles, and the `kiosk user` commands."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.models import AuditEvent, LoginAttempt, User, UserSession, utcnow
from kiosk.review import auth as accounts
from kiosk.views.header_values import download_name

from factories import add_user
from server import PASSWORD, AuthActions

NEW_PASSWORD = "Kranich-Lampe-Hunte-7"


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


# --- Every login costs the same work --------------------------------------------------------


class CountingHasher(PasswordHasher):
    """The same argon2id hasher, noting the hash of every verification."""

    def __init__(self):
        super().__init__()
        self.verified = []

    def verify(self, hash, password):
        self.verified.append(hash)
        return super().verify(hash, password)


@pytest.fixture
def verified(monkeypatch) -> list[str]:
    """The hashes that logins verify from now on, in order."""
    hasher = CountingHasher()
    monkeypatch.setattr(accounts, "hasher", hasher)
    return hasher.verified


@pytest.mark.real_hashing  # what a login costs is the subject
def test_every_login_verifies_one_hash(app, auth, vera, verified):
    add_user(app, "dora", "volunteer")
    with app.app_context():
        User.update(active=False).where(User.name == "dora").execute()
        vera_hash = User.get(User.name == "vera").password_hash
    dummy = accounts.dummy_hash()
    for name, password, status, hashed in [
        ("vera", "wrong", 401, vera_hash),
        ("nobody", PASSWORD, 401, dummy),
        ("dora", PASSWORD, 401, dummy),  # disabled
        ("vera", PASSWORD, 303, vera_hash),
    ]:
        verified.clear()
        assert auth.login(name, password).status_code == status
        assert verified == [hashed], name


@pytest.mark.real_hashing  # what a login costs is the subject
def test_the_dummy_hash_costs_what_an_accounts_hash_costs(app, vera):
    dummy = accounts.dummy_hash()
    assert dummy.startswith("$argon2id$")
    assert not accounts.hasher.check_needs_rehash(dummy)  # the same parameters
    with app.app_context():
        assert dummy.split("$")[:4] == User.get().password_hash.split("$")[:4]


# --- Changing one's password ----------------------------------------------------------------


def change_password(client, current, new, repeat=None):
    data = {
        "csrf_token": AuthActions(client).token("/review/password"),
        "current": current,
        "password": new,
        "repeat": new if repeat is None else repeat,
    }
    return client.post("/review/password", data=data)


def test_the_password_page_says_the_rule_before_one_types(client, auth, vera):
    auth.login("vera")
    page = client.get("/review/password").get_data(as_text=True)
    assert "Bisheriges Passwort" in page
    assert "Mindestens 12 Zeichen; nicht Ihr Name, kein bekanntes Passwort" in page


def test_a_new_password_needs_the_current_one(client, auth, vera, app):
    auth.login("vera")
    response = change_password(client, "not my password", NEW_PASSWORD)
    assert response.status_code == 422
    assert "Das bisherige Passwort stimmt nicht." in response.get_data(as_text=True)
    assert change_password(client, "", NEW_PASSWORD).status_code == 422
    auth.logout()
    assert auth.login("vera").status_code == 303  # unchanged
    with app.app_context():  # a wrong current password counts like a failed login
        assert LoginAttempt.select().where(~LoginAttempt.succeeded).count() == 1


def test_guessing_the_current_password_is_throttled(client, auth, vera):
    auth.login("vera")
    for _ in range(5):
        assert change_password(client, "guess", NEW_PASSWORD).status_code == 422
    response = change_password(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 429
    assert "noch einmal versuchen" in response.get_data(as_text=True)


def test_the_new_password_differs_from_the_current_one(client, auth, vera):
    auth.login("vera")
    response = change_password(client, PASSWORD, PASSWORD)
    assert response.status_code == 422
    assert "ein anderes sein als das bisherige" in response.get_data(as_text=True)


TRIVIAL_PASSWORDS = [
    ("kurz-2026", "Mindestens 12 Zeichen"),
    ("aaaaaaaaaaaaaaaa", "wiederholt nur ein paar Zeichen"),
    ("abcabcabcabcabc", "wiederholt nur ein paar Zeichen"),
    ("Vera-aus-Wildeshausen", "darf Ihren Namen nicht enthalten"),
    ("Passwort2024!!", "Listen häufiger Passwörter"),
    ("ichliebedich1234", "Listen häufiger Passwörter"),
    ("qwertz123456", "Listen häufiger Passwörter"),
    ("123456789012", "Listen häufiger Passwörter"),
]


def test_trivial_passwords_are_refused_with_the_reason(client, auth, vera):
    auth.login("vera")
    for password, reason in TRIVIAL_PASSWORDS:
        response = change_password(client, PASSWORD, password)
        assert response.status_code == 422, password
        assert reason in response.get_data(as_text=True), password


def test_a_new_password_ends_the_accounts_other_sessions(app, client, auth, vera):
    other = app.test_client()
    AuthActions(other).login("vera")
    auth.login("vera")
    with client.session_transaction() as session:
        before = session["staff"]
    response = change_password(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303 and response.headers["Location"] == "/review/"
    assert "Ihre anderen Anmeldungen sind beendet" in client.get("/review/").get_data(as_text=True)
    with client.session_transaction() as session:
        assert session["staff"] != before  # this one goes on, under a fresh token
    assert other.get("/review/").status_code == 302
    assert AuthActions(other).login("vera", NEW_PASSWORD).status_code == 303
    with app.app_context():
        assert not User.get().must_change_password
        assert AuditEvent.select().where(AuditEvent.action == "password_changed").count() == 1


# --- Redirects and headers ------------------------------------------------------------------


HOSTILE_TARGETS = [
    "////evil.example/phish",
    "//evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example/x",
    "/review/\r\nSet-Cookie: planted=1",
    "/\t/evil.example",
    "/review/\u202egnp.exe",
    "",
]
SAME_SITE_TARGETS = [
    ("/review/?status=new&page=2", "/review/?status=new&page=2"),
    ("/review/wegweiser/eintrag/ärzte", "/review/wegweiser/eintrag/%C3%A4rzte"),
    ('/review/?q="<x>"', "/review/?q=%22%3Cx%3E%22"),
]


def login_then(app, target: str):
    """Log in through /review/login?next=target in a browser of its own; the response."""
    auth = AuthActions(app.test_client())
    return auth.login("vera", path="/review/login?" + urlencode({"next": target}))


def test_the_next_target_never_leaves_the_site(app, vera):
    for target in HOSTILE_TARGETS:
        response = login_then(app, target)
        assert response.status_code == 303, target
        assert response.headers["Location"] == "/review/", target
        assert "planted" not in response.headers.get("Set-Cookie", ""), target


def test_the_next_target_on_the_site_is_kept_encoded(app, vera):
    for target, location in SAME_SITE_TARGETS:
        assert login_then(app, target).headers["Location"] == location


def test_a_page_asked_for_before_login_is_reached_after_it(client, auth, vera):
    asked = client.get("/review/audit?page=2")
    response = auth.login("vera", path=asked.headers["Location"])
    assert response.headers["Location"] == "/review/audit?page=2"


def test_line_breaks_in_a_url_never_reach_a_header(client):
    response = client.get("/de/wegweiser/hilfe/x%0D%0Ay", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert response.headers["HX-Push-Url"] == "/de/wegweiser/hilfe/x%0D%0Ay"


def test_the_language_page_leads_back_only_to_a_visitor_page(client):
    hostile = client.get("/de/languages?next=//evil.example/de/").get_data(as_text=True)
    assert "evil.example" not in hostile
    broken = client.get("/de/languages", query_string={"next": "/de/\r\nx"})
    assert 'class="button secondary back" href="/de/"' in broken.get_data(as_text=True)


def test_download_names_keep_only_safe_characters():
    name = download_name("Bericht", "am markt", '2026-10\r\n"; x=1', suffix=".pdf")
    assert name == "Bericht-am_markt-2026-10_x_1.pdf"


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

    reused = change_password(client, password, password)
    assert reused.status_code == 422
    assert "Das einmalige Passwort kann nicht Ihr eigenes werden" in reused.get_data(as_text=True)
    assert client.get("/review/").headers["Location"] == "/review/password"
    assert change_password(client, password, NEW_PASSWORD).status_code == 303
    assert client.get("/review/").status_code == 200


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

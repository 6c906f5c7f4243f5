"""Accounts in the browser, the audit log in sentences, German dates, the hub's start, the CLI."""

import pathlib
import re
from contextlib import contextmanager
from datetime import date, datetime
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from kiosk import create_app
from kiosk.cli.main import main
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.models import AuditEvent, User
from kiosk.review.accounts import AccountError, checked_languages
from kiosk.review.audit_names import SENTENCES, sentence
from kiosk.views.templating import de_date, de_datetime, de_time

from factories import INTAKE_ANSWERS, add_submission, add_user
from server import PASSWORD, AuthActions, log_in

ROOT = pathlib.Path(__file__).parent.parent
HTMX = {"HX-Request": "true"}
ONE_TIME = re.compile(r"<code>([a-z0-9-]{19})</code>")
NEW_PASSWORD = "Mühlenteich-Kranich-Laterne"


@contextmanager
def database(app):
    with app.app_context(), db.connection_context():
        yield


def account(app, name) -> User:
    with database(app):
        return User.get(User.name == name)


class Browser:
    """One staff member's browser: logged in, posting with the page's CSRF token."""

    def __init__(self, app, name, password=PASSWORD):
        self.client = app.test_client()
        self.auth = log_in(self.client, name, password)
        self.token = self.auth.token("/review/password")

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def html(self, url, **kwargs) -> str:
        response = self.get(url, **kwargs)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)

    def post(self, url, data=None, **kwargs):
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, **kwargs)

    def add(self, name, role="volunteer", speaks=(), **kwargs):
        data = {"name": name, "role": role, "speaks": list(speaks)}
        return self.post("/review/konten/neu", data, **kwargs)


@pytest.fixture
def ada(app):
    add_user(app, "ada", "admin")
    return Browser(app, "ada")


def added(ada, name, **kwargs) -> str:
    """Add an account through the page; its one-time password."""
    response = ada.add(name, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    return ONE_TIME.search(response.get_data(as_text=True)).group(1)


def user_id(app, name) -> int:
    return account(app, name).id


def sentences(ada, query="") -> list[str]:
    html = ada.html(f"/review/audit{query}")
    spans = re.findall(r'<span class="sentence">(.*?)</span>\s*</li>', html, re.S)
    return [re.sub(r"<[^>]+>", "", span).strip() for span in spans]


# --- Adding an account ----------------------------------------------------------------------------


def test_a_new_account_gets_a_one_time_password_shown_once(app, ada):
    password = added(ada, "sara", speaks=["ar", "fa"])
    sara = account(app, "sara")
    assert sara.role == "volunteer" and sara.speaks == ["ar", "fa"] and sara.must_change_password
    for page in ("/review/konten", f"/review/konten/{sara.id}", "/review/audit"):
        assert password not in ada.html(page)
    listing = ada.html("/review/konten")
    assert "Arabisch, Persisch" in listing and "noch nie" in listing

    client = app.test_client()
    assert AuthActions(client).login("sara", password).status_code == 303
    assert client.get("/review/").headers["Location"] == "/review/password"


def test_a_new_account_is_refused_with_german_reasons(app, ada):
    added(ada, "sara")
    taken = ada.add("Sara")
    assert taken.status_code == 422 and "Ein Konto „Sara“ gibt es schon." in taken.text
    assert ada.add("").status_code == 422
    assert "Bitte einen Namen eingeben." in ada.add("  ").text
    assert ada.add("omar", role="king").status_code == 422
    unknown = ada.add("omar", speaks=["xx"])
    assert unknown.status_code == 422 and "Bitte nur aus der Liste wählen." in unknown.text
    with database(app):
        assert not User.select().where(User.name == "omar").exists()


def test_languages_are_checked_against_the_visitor_languages():
    assert checked_languages(["ar", " fa", "ar", ""]) == ["ar", "fa"]
    with pytest.raises(AccountError, match="Unbekannte Sprache: xx"):
        checked_languages(["ar", "xx"])


def test_the_form_answers_htmx_with_its_fragment(ada):
    fragment = ada.html("/review/konten/neu", headers=HTMX)
    assert fragment.lstrip().startswith('<p class="back">') and "<html" not in fragment
    shown = ada.add("sara", role="coordinator", headers=HTMX)
    assert "<html" not in shown.text and ONE_TIME.search(shown.text)


# --- Changing, disabling, new passwords ----------------------------------------------------------


def test_admin_changes_role_and_languages(app, ada):
    added(ada, "sara")
    number = user_id(app, "sara")
    response = ada.post(f"/review/konten/{number}", {"role": "coordinator", "speaks": ["ti"]})
    assert response.status_code == 303
    assert "Gespeichert: Rolle und Sprachen." in ada.html(f"/review/konten/{number}")
    sara = account(app, "sara")
    assert (sara.role, sara.speaks) == ("coordinator", ["ti"])
    bad = ada.post(f"/review/konten/{number}", {"role": "admin", "speaks": ["xx"]})
    assert bad.status_code == 422 and account(app, "sara").role == "coordinator"


def test_disabling_ends_the_sessions_and_reenabling_lets_in_again(app, ada):
    password = added(ada, "sara")
    number = user_id(app, "sara")
    sara = app.test_client()
    AuthActions(sara).login("sara", password)
    assert sara.get("/review/password").status_code == 200

    assert ada.post(f"/review/konten/{number}/sperren").status_code == 303
    assert sara.get("/review/password").headers["Location"].startswith("/review/login")
    assert AuthActions(app.test_client()).login("sara", password).status_code == 401
    assert "gesperrt" in ada.html("/review/konten")

    assert ada.post(f"/review/konten/{number}/freigeben").status_code == 303
    assert AuthActions(app.test_client()).login("sara", password).status_code == 303


def test_a_new_one_time_password_ends_the_sessions_and_must_be_changed(app, ada):
    add_user(app, "vera", "volunteer")
    vera = Browser(app, "vera")
    number = user_id(app, "vera")
    response = ada.post(f"/review/konten/{number}/einmalpasswort")
    password = ONE_TIME.search(response.text).group(1)
    assert vera.get("/review/password").headers["Location"].startswith("/review/login")
    assert AuthActions(app.test_client()).login("vera", PASSWORD).status_code == 401

    client = app.test_client()
    auth = AuthActions(client)
    assert auth.login("vera", password).status_code == 303
    assert client.get("/review/").headers["Location"] == "/review/password"
    token = auth.token("/review/password")
    data = {"csrf_token": token, "current": password, "password": NEW_PASSWORD}
    changed = client.post("/review/password", data={**data, "repeat": NEW_PASSWORD})
    assert changed.status_code == 303 and not account(app, "vera").must_change_password


def test_the_last_active_admin_can_neither_be_disabled_nor_demoted(app, ada):
    me = user_id(app, "ada")
    refused = ada.post(f"/review/konten/{me}/sperren")
    assert refused.status_code == 409 and "letzte aktive Admin-Konto" in refused.text
    demoted = ada.post(f"/review/konten/{me}", {"role": "volunteer"})
    assert demoted.status_code == 409 and "letzte aktive Admin-Konto" in demoted.text
    assert account(app, "ada").role == "admin" and account(app, "ada").active

    added(ada, "bea", role="admin")
    allowed = ada.post(f"/review/konten/{me}", {"role": "coordinator"})
    assert allowed.status_code == 303 and allowed.headers["Location"] == "/review/"
    assert account(app, "ada").role == "coordinator"
    assert ada.get("/review/konten").status_code == 403


ACCOUNT_PAGES = ["/review/konten", "/review/konten/neu", "/review/konten/{id}", "/review/audit"]
ACCOUNT_POSTS = [
    "/review/konten/neu",
    "/review/konten/{id}",
    "/review/konten/{id}/sperren",
    "/review/konten/{id}/freigeben",
    "/review/konten/{id}/einmalpasswort",
]


@pytest.mark.parametrize("role", ["volunteer", "coordinator"])
def test_only_admins_reach_the_account_pages(app, role):
    target = add_user(app, "ziel", "volunteer").id
    add_user(app, "vera", role)
    vera = Browser(app, "vera")
    for path in ACCOUNT_PAGES:
        response = vera.get(path.format(id=target))
        assert response.status_code == 403, path
        assert "Keine Berechtigung" in response.text
    for path in ACCOUNT_POSTS:
        data = {"name": "neu", "role": "admin"}
        assert vera.post(path.format(id=target), data).status_code == 403, path
    assert 'href="/review/konten"' not in vera.html("/review/password")
    with database(app):
        assert User.select().count() == 2 and User.get(User.name == "vera").role == role


def test_posts_without_the_csrf_token_are_refused(app, ada):
    target = user_id(app, "ada")
    response = ada.client.post(f"/review/konten/{target}/einmalpasswort")
    assert response.status_code == 400 and not account(app, "ada").must_change_password


# --- The audit log in sentences -------------------------------------------------------------------


def test_every_account_action_is_audited_as_a_sentence(app, ada):
    added(ada, "sara", speaks=["ar"])
    number = user_id(app, "sara")
    ada.post(f"/review/konten/{number}", {"role": "coordinator", "speaks": ["ar", "uk"]})
    ada.post(f"/review/konten/{number}/sperren")
    ada.post(f"/review/konten/{number}/freigeben")
    ada.post(f"/review/konten/{number}/einmalpasswort")
    assert sentences(ada) == [
        "ada gab dem Konto sara ein neues einmaliges Passwort.",
        "ada gab das Konto sara wieder frei.",
        "ada sperrte das Konto sara.",
        "ada trug für das Konto sara die Sprachen Arabisch, Ukrainisch ein.",
        "ada gab dem Konto sara die Rolle Koordination (vorher Ehrenamtliche*r).",
        "ada legte das Konto sara an (Ehrenamtliche*r; spricht Arabisch).",
        "ada meldete sich an.",
    ]


def event(action, target="", detail="", user_name="anna"):
    return SimpleNamespace(action=action, target=target, detail=detail, user_name=user_name)


@pytest.mark.parametrize(
    ("action", "target", "detail", "said"),
    [
        ("status", "submission/673", "new → done", "anna setzte Anmeldung 673 auf erledigt"),
        ("user_added", "sara", "volunteer", "anna legte das Konto sara an (Ehrenamtliche*r)"),
        ("login", "anna", "", "anna meldete sich an"),
        ("login_failed", "anan", "10.0.0.7", "Anmeldung als „anan“ fehlgeschlagen (von 10.0.0.7)"),
        ("assign", "submission/673", "ben", "anna wies Anmeldung 673 ben zu"),
        ("assign", "submission/673", "niemand", "anna wies Anmeldung 673 niemandem zu"),
        ("view", "submission/9", "", "anna sah Eintrag 9 an"),
        ("erase", "submission/9", "0b; Grund: gefragt", "anna löschte Eintrag 9 (Grund: gefragt)"),
        ("approve", "submission/673", "answer/12", "anna gab einen Kommentar in Anmeldung 673 für"
         " den Stadtbericht frei"),
        ("case", "submission/673", "housing: open → done", "anna änderte ein Anliegen von"
         " Anmeldung 673: housing: open → done"),
        ("case", "submission/673", "open → handed_over", "anna änderte ein Anliegen von"
         " Anmeldung 673: offen → übergeben"),
        ("note_strike", "submission/673", "Grund: falsch", "anna strich eine Notiz zu Anmeldung"
         " 673 durch: Grund: falsch"),
        ("report_built", "mittendrin/2026-10", "uuid", "anna erstellte den Bericht Oktober 2026:"
         " uuid"),
        ("directory_created", "wegweiser/jc", "Jobcenter (Stelle)", "anna legte im Wegweiser"
         " einen Eintrag an: Jobcenter (Stelle)"),
        ("purge", "", "3 Notizen", "Das Programm wandte die Löschfristen an: 3 Notizen"),
        ("status", "submission/673", "kaputt", "anna: Status geändert (Anmeldung 673): kaputt"),
        ("mystery", "thing/1", "x", "anna: Aktion „mystery“ (thing/1): x"),
        ("mystery", "", "", "anna: Aktion „mystery“"),
    ],
)  # fmt: skip
def test_events_read_as_sentences(action, target, detail, said):
    user_name = "system" if action == "purge" else "anna"
    assert sentence(event(action, target, detail, user_name), {673: "Anmeldung"}).text == said


def audit_codes() -> set[str]:
    """Every action code the program writes: audit("code", …) anywhere in kiosk/."""
    calls = re.compile(r'\baudit\(\s*"(\w+)"')
    return {
        code for path in (ROOT / "kiosk").rglob("*.py") for code in calls.findall(path.read_text())
    }


def test_every_action_in_use_has_a_sentence_of_its_own():
    codes = audit_codes()
    assert {"login", "status", "user_added", "one_time_password"} <= codes
    assert codes - set(SENTENCES) == set()


def test_a_submission_named_in_the_log_is_linked_while_it_exists(app, ada):
    with database(app):
        submission = add_submission(app, "intake", INTAKE_ANSWERS, datetime(2026, 12, 2, 13))
    ada.html(f"/review/{submission.id}")
    html = ada.html("/review/audit?action=view")
    assert f'ada sah <a href="/review/{submission.id}">Anmeldung {submission.id}</a> an.' in html


# --- Filters of the audit log ---------------------------------------------------------------------


def logged(app, when, user_name, action, target=""):
    with database(app):
        AuditEvent.create(at=when, user_name=user_name, action=action, target=target)


def test_the_audit_log_filters_by_person_action_and_days(app, ada):
    logged(app, datetime(2026, 11, 30, 23, 30), "anna", "logout")  # 1 December in Berlin
    logged(app, datetime(2026, 12, 1, 9), "ben", "login")
    logged(app, datetime(2026, 12, 2, 23, 30), "anna", "login")  # 3 December in Berlin
    assert sentences(ada, "?person=anna") == ["anna meldete sich an.", "anna meldete sich ab."]
    assert sentences(ada, "?person=anna&action=logout") == ["anna meldete sich ab."]
    days = "?since=2026-12-01&until=01.12.2026"
    assert sentences(ada, days) == ["ben meldete sich an.", "anna meldete sich ab."]
    assert sentences(ada, "?since=2026-12-03&until=2026-12-03") == ["anna meldete sich an."]
    fragment = ada.html("/review/audit?person=ben", headers=HTMX)
    assert fragment.lstrip().startswith('<section id="audit-list"') and "ben meldete" in fragment


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=1999-12-31", "zwischen dem 1. Januar 2000 und dem 31. Dezember 2099"),
        ("until=2100-01-01", "zwischen dem 1. Januar 2000 und dem 31. Dezember 2099"),
        ("since=31.02.2026", "Diesen Tag gibt es im Kalender nicht."),
        ("until=morgen", "Bitte ein Datum wie 24.12.2026 eingeben."),
    ],
)
def test_a_bad_date_in_the_audit_filter_is_a_400_in_german(ada, query, message):
    response = ada.get(f"/review/audit?{query}")
    assert response.status_code == 400 and message in response.text
    assert "Keine Einträge." in response.text


# --- German dates ---------------------------------------------------------------------------------


def test_dates_and_times_are_german_on_the_clock_in_wildeshausen():
    assert de_datetime(datetime(2026, 12, 2, 13, 5)) == "2. Dezember 2026, 14:05"
    assert de_datetime(datetime(2026, 7, 2, 12, 5, 9), seconds=True) == "2. Juli 2026, 14:05:09"
    assert de_date(datetime(2026, 3, 31, 22, 30)) == "1. April 2026"
    assert de_date(date(2026, 5, 1)) == "1. Mai 2026"
    assert de_time(datetime(2026, 12, 2, 13, 5)) == "14:05"
    assert de_datetime(None) == de_date(None) == de_time(None) == ""
    assert de_date("2026-11-01T03:00:00") == "1. November 2026"
    assert de_date("2026-11-01") == "1. November 2026"
    assert de_datetime("kein Datum") == "kein Datum"


@pytest.mark.parametrize("moment", [datetime.min, datetime.max, date.min, date.max])
def test_extreme_stored_dates_do_not_break_the_filter(moment):
    assert de_datetime(moment) and de_date(moment) and de_time(moment)
    assert de_datetime(datetime.max).endswith("9999, 23:59 UTC")


def test_staff_pages_show_german_dates(app, ada):
    with database(app):
        submission = add_submission(app, "intake", INTAKE_ANSWERS, datetime(2026, 12, 2, 13, 5))
    assert "2. Dezember 2026, 14:05" in ada.html(f"/review/{submission.id}")
    logged(app, datetime(2026, 7, 1, 10), "bea", "login")
    assert "1. Juli 2026, 12:00:00" in ada.html("/review/audit")
    assert re.search(r"\d{1,2}\. [A-ZÄ][a-zä]+ 20\d\d, \d\d:\d\d", ada.html("/review/konten"))


def test_no_staff_template_formats_a_date_of_its_own():
    staff = [p for p in (ROOT / "templates").rglob("*.html") if p.parent.name != "kiosk"]
    own = re.compile(r"\|\s*(local_time|hub_time)\b|strftime|\[:10\]")
    assert [str(p) for p in staff if own.search(p.read_text())] == []


# --- The hub --------------------------------------------------------------------------------------


@pytest.fixture
def hub_app(instance):
    app = create_app({"SECRET_KEY": "test-secret", "TESTING": True, "ROLE": "hub"})
    prepare_database(app)
    add_user(app, "hanna", "admin")
    return app


def test_on_a_hub_staff_land_on_the_dashboard(hub_app):
    client = hub_app.test_client()
    # The Treffpunkt's inbox: not a hub's page, not even after the login.
    response = AuthActions(client).login("hanna", path="/review/login?next=/review/")
    assert response.headers["Location"] == "/hub/"
    assert AuthActions(hub_app.test_client()).login("hanna").headers["Location"] == "/hub/"
    kept = AuthActions(hub_app.test_client()).login(
        "hanna", path="/review/login?next=/review/konten"
    )
    assert kept.headers["Location"] == "/review/konten"


@pytest.mark.parametrize(
    "path", ["/review/", "/review/1", "/review/anliegen", "/review/reports/", "/review/export.csv"]
)
def test_a_hub_has_no_treffpunkt_pages(hub_app, path):
    """A hub keeps no visitors' submissions: the pages about them lead to the dashboard, logged
    in or not, instead of an empty inbox or a 500."""
    client = hub_app.test_client()
    assert client.get(path).headers["Location"] == "/hub/"
    log_in(client, "hanna")
    assert client.get(path).headers["Location"] == "/hub/"
    assert client.get("/review/konten").status_code == 200  # accounts are the hub's too


def test_the_hubs_navigation_has_no_inbox(hub_app):
    client = hub_app.test_client()
    log_in(client, "hanna")
    nav = re.search(r"<nav.*?</nav>", client.get("/hub/").get_data(as_text=True), re.S).group(0)
    assert 'href="/hub/"' in nav and 'href="/review/konten"' in nav
    assert 'href="/review/"' not in nav and "Eingang" not in nav


# --- The command line -----------------------------------------------------------------------------


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_the_cli_sets_languages_and_one_time_passwords(instance):
    run("init")
    made = run("user", "add", "omar", "--role", "volunteer", "--speaks", "ar,fa", input=PASSWORD)
    assert made.exit_code == 0, made.output
    assert "ar,fa" in run("user", "list").output
    unknown = run("user", "add", "lea", "--role", "volunteer", "--speaks", "ar,xx", input=PASSWORD)
    assert unknown.exit_code == 1 and "Unbekannte Sprache: xx" in unknown.output
    assert run("user", "speaks", "omar", "tr").exit_code == 0
    trivial = run("user", "password", "omar", input="Passwort2024!!\n")
    assert trivial.exit_code == 1 and "häufiger Passwörter" in trivial.output
    reset = run("user", "password", "omar", "--one-time")
    assert reset.exit_code == 0 and re.search(r"One-time password for 'omar': \S{19}", reset.output)
    fresh = run("user", "add", "lea", "--role", "coordinator", "--one-time")
    assert fresh.exit_code == 0 and "One-time password for 'lea'" in fresh.output
    last_admin = run("user", "disable", "admin")
    assert last_admin.exit_code == 1 and "letzte aktive Admin-Konto" in last_admin.output

    app = create_app()
    with database(app):
        omar, lea = User.get(User.name == "omar"), User.get(User.name == "lea")
        assert omar.speaks == ["tr"] and omar.must_change_password and lea.must_change_password
        actions = [e.action for e in AuditEvent.select().where(AuditEvent.user_name == "cli")]
    assert actions == ["user_added", "user_languages", "one_time_password", "user_added"]

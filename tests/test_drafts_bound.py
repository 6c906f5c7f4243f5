"""A draft belongs to the browser that started it (two test clients are two browsers), a reset
needs nothing but that browser's own secret, and the unfinished forms one client and everyone
may have open at once are limited (kiosk/visitor/drafts.py, kiosk/views/kiosk_helpers.py)."""

import json
import uuid
from datetime import datetime

import pytest
from conftest import Visitor
from test_kiosk import INTAKE, stored, walk

import kiosk.migrations
from kiosk import create_app
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.models import Draft, FormVersion
from kiosk.views.kiosk_helpers import BROWSER_COOKIE

import pg_support


def drafts(app) -> list[Draft]:
    with app.app_context():
        return list(Draft.select())


def browser(app, address: str = "127.0.0.1") -> Visitor:
    """A browser of its own (its own cookies) on a client with this address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Visitor(client)


@pytest.fixture
def amina(app):
    """A visitor halfway through the intake: her name is in the draft."""
    return walk(browser(app), "intake", INTAKE[:3])


# --- Drafts belong to one browser ---------------------------------------------------------


def test_another_browser_or_no_cookie_gets_the_chooser_never_the_answers(app, amina):
    summary, step = f"{amina.draft_url}/summary", amina.url
    assert "Amina" in amina.open(summary).get_data(as_text=True)
    other = browser(app)
    other.start("feedback")  # a browser with drafts (and a secret) of its own
    for client in (other.client, app.test_client()):
        for url in (summary, step, summary.replace("/de/", "/ar/")):
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=headers)
                assert response.status_code == 303, url
                assert response.headers["Location"] in ("/de/", "/ar/")
                assert "Amina" not in response.get_data(as_text=True)
    assert "Amina" in amina.open(summary).get_data(as_text=True)  # hers, still


def test_another_browser_can_neither_answer_nor_submit_nor_reset_it(app, amina):
    draft_url = amina.draft_url
    other = browser(app)
    other.open("/de/")  # a valid CSRF token of its own
    answered = other.client.post(amina.url, data={"csrf_token": other.token, "answer": "x"})
    assert answered.status_code == 303 and answered.headers["Location"] == "/de/"
    submitted = other.client.post(f"{draft_url}/submit", data={"csrf_token": other.token})
    assert submitted.status_code == 303 and stored(app) == []
    reset = other.client.post(f"{draft_url}/reset", data={"csrf_token": other.token})
    assert reset.status_code == 303
    (draft,) = drafts(app)
    assert draft.answers["name"] == "Amina" and "needs" not in draft.answers


def test_a_forged_or_foreign_cookie_opens_nothing(app, amina):
    summary = f"{amina.draft_url}/summary"
    other = app.test_client()
    for value in ("A" * 43, "../../etc", "", amina.client.get_cookie(BROWSER_COOKIE).value[:-1]):
        other.set_cookie(BROWSER_COOKIE, value)
        response = other.get(summary)
        assert response.status_code == 303 and "Amina" not in response.get_data(as_text=True)


def test_a_csrf_error_on_someone_elses_draft_shows_none_of_it(app, amina):
    """The kind "please tap again" page repeats the answer; only to the draft's own browser."""
    other = app.test_client()
    response = other.post(amina.url, data={"csrf_token": "stale", "answer": "Yusuf"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Amina" not in html and "Yusuf" not in html and amina.draft_url not in html
    summary = other.post(f"{amina.draft_url}/submit", data={"csrf_token": "stale"})
    assert summary.status_code == 400 and "Amina" not in summary.get_data(as_text=True)
    # Her own browser with a stale token still gets her step back (tests/test_kiosk.py).
    amina.token = "stale"
    assert amina.post(amina.url, {"answer": ["de"]}).status_code == 422


def test_the_secret_is_a_cookie_of_its_own_and_only_its_hash_is_stored(app, amina):
    cookie = amina.client.get_cookie(BROWSER_COOKIE)
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    assert cookie.max_age == 12 * 3600 and cookie.path == "/"
    (draft,) = drafts(app)
    assert cookie.value not in json.dumps([draft.browser, draft.address, draft.answers])
    assert len(draft.browser) == 64 and draft.address and "127.0.0.1" not in draft.address
    # A lost session (e.g. a staff login on the kiosk clears it) keeps the draft.
    amina.client.delete_cookie("session")
    assert "Amina" in amina.client.get(f"{amina.draft_url}/summary").get_data(as_text=True)
    # Over HTTPS the cookie is Secure.
    secure = app.test_client()
    token = Visitor(secure)
    token.open("https://kiosk.example/de/")
    answer = secure.post(
        "https://kiosk.example/de/visit/",
        data={"csrf_token": token.token},
        headers={"Referer": "https://kiosk.example/de/"},  # Flask-WTF's check over HTTPS
    )
    assert "Secure" in answer.headers["Set-Cookie"] and "HttpOnly" in answer.headers["Set-Cookie"]


# --- A reset needs only the draft's own secret ------------------------------------------


@pytest.mark.parametrize("quiet", [False, True])
def test_a_reset_with_a_stale_token_still_deletes_the_draft(app, amina, quiet):
    """The idle timer and the cancel button of a page left open for hours (token stale)."""
    data = {"csrf_token": "stale"}
    url = f"{amina.draft_url}/reset" + ("?quiet=1" if quiet else "")
    response = amina.client.post(url, data=data)
    assert response.status_code == (204 if quiet else 303)
    assert drafts(app) == []
    assert amina.client.get(amina.url).headers["Location"] == "/"
    # Without any token too, and a second reset of a draft that is gone is no error.
    assert amina.client.post(f"{amina.draft_url}/reset").status_code == 303


def test_other_posts_still_need_their_csrf_token(app, amina):
    for url in (amina.url, f"{amina.draft_url}/submit", "/de/feedback/"):
        assert amina.client.post(url, data={"answer": ["de"]}).status_code in (400, 422)
    assert len(drafts(app)) == 1 and stored(app) == []


# --- The offline queue does not need the cookie ---------------------------------------------


def test_a_queued_one_tap_answer_is_stored_even_when_the_cookie_was_lost(app):
    visitor = browser(app)
    visitor.start("visit")  # one tap on an option would submit; the server was away
    html = visitor.get_html()
    assert 'data-offline-field="reason"' in html
    submission_id = visitor.draft_url.rsplit("/", 1)[1]
    with app.app_context():
        version = FormVersion.get(FormVersion.slug == "visit").version_hash
    body = {"uuid": submission_id, "form": "visit", "version": version, "lang": "de"}
    visitor.client.delete_cookie(BROWSER_COOKIE)
    visitor.client.delete_cookie("session")
    token = visitor.client.get("/offline/token").get_json()["token"]
    response = visitor.client.post(
        "/offline/replay",
        data=json.dumps({**body, "answers": {"reason": "german"}}),
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )
    assert response.status_code == 201 and response.get_json() == {"status": "stored"}
    assert [answers for _, answers in stored(app)] == [{"reason": "german"}]
    assert drafts(app) == []


# --- Limits on unfinished forms -------------------------------------------------------------


@pytest.fixture
def limited(instance):
    def make(**limits):
        config = {"SECRET_KEY": "test-secret", "TESTING": True}
        app = create_app({**config, **limits})
        prepare_database(app)
        return app

    return make


def assert_turned_away(response, lang="de"):
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    html = response.get_data(as_text=True)
    assert f'lang="{lang}"' in html or html.lstrip().startswith("<main")  # page or fragment
    assert 'href="/"' in html and "/visit/" in html  # back to the start, or try again
    if lang == "de":
        assert "Gerade sind zu viele Formulare offen." in html


def test_starting_the_same_form_again_replaces_the_browsers_earlier_draft(app, amina):
    first = amina.draft_url
    amina.start("feedback")
    for _ in range(3):
        amina.start("intake")
    forms = sorted(draft.form_version.slug for draft in drafts(app))
    assert forms == ["feedback", "intake"]
    assert amina.client.get(f"{first}/summary").headers["Location"] == "/"
    # Another browser's draft of the same form stays.
    other = browser(app)
    other.start("intake")
    assert len(drafts(app)) == 3


def test_one_browser_may_have_only_so_many_forms_open(limited):
    app = limited(DRAFTS_PER_BROWSER=2)
    visitor = browser(app)
    visitor.start("intake")
    visitor.start("feedback")
    visitor.open("/ar/")
    assert_turned_away(visitor.client.post("/ar/visit/", data={"csrf_token": visitor.token}), "ar")
    visitor.open("/de/")
    htmx = visitor.client.post(
        "/de/visit/", data={"csrf_token": visitor.token}, headers={"HX-Request": "true"}
    )
    assert_turned_away(htmx)
    assert htmx.get_data(as_text=True).lstrip().startswith("<main")
    assert len(drafts(app)) == 2
    visitor.start("feedback")  # the same form again replaces its draft: no limit reached
    assert "/feedback/" in visitor.url and len(drafts(app)) == 2
    visitor.post(f"{visitor.draft_url}/reset")  # a reset frees its place
    visitor.start("visit")
    assert "/visit/" in visitor.url


def test_one_address_may_have_only_so_many_forms_open(limited):
    app = limited(DRAFTS_PER_ADDRESS=3)
    for _ in range(3):
        browser(app, "192.168.1.50").start("intake")  # new browsers, no cookies kept
    greedy = browser(app, "192.168.1.50")
    greedy.open("/de/")
    assert_turned_away(greedy.client.post("/de/visit/", data={"csrf_token": greedy.token}))
    browser(app, "192.168.1.51").start("intake")  # a phone beside it
    assert "/step/" in browser(app, "192.168.1.51").start("visit").request.path
    # One IPv6 device may take many addresses in its /64: they count as one.
    for host in ("1", "2", "3"):
        browser(app, f"2001:db8:1:2::{host}").start("feedback")
    assert browser(app, "2001:db8:1:2::ffff").start("feedback").status_code == 429
    assert browser(app, "2001:db8:1:3::1").start("feedback").status_code == 200
    assert len(drafts(app)) == 3 + 2 + 3 + 1


def test_all_visitors_together_may_have_only_so_many_but_the_kiosk_screen_is_never_refused(
    limited,
):
    app = limited(DRAFTS_TOTAL=3, DRAFTS_PER_ADDRESS=2)
    for host in range(3):
        browser(app, f"192.168.1.{10 + host}").start("visit")
    assert browser(app, "192.168.1.99").start("visit").status_code == 429
    # The kiosk's own browser (loopback), one visitor after another.
    kiosk = browser(app, "127.0.0.1")
    for form in ("intake", "feedback"):
        assert kiosk.start(form).status_code == 200
    assert kiosk.start("visit").status_code == 429  # its own address's limit still holds
    assert len(drafts(app)) == 5


def test_expired_drafts_neither_count_nor_stay(limited):
    app = limited(DRAFTS_TOTAL=2)
    for host in (1, 2):
        browser(app, f"10.0.0.{host}").start("feedback")
    assert browser(app, "10.0.0.3").start("feedback").status_code == 429
    with app.app_context():
        Draft.update(updated_at=datetime(2000, 1, 1)).execute()
    assert "/step/" in browser(app, "10.0.0.3").start("feedback").request.path
    assert len(drafts(app)) == 1


def test_the_limits_are_settings_with_sensible_defaults(app):
    assert app.config["DRAFTS_PER_BROWSER"] >= 3  # one per form, and some to spare
    assert app.config["DRAFTS_PER_ADDRESS"] > app.config["DRAFTS_PER_BROWSER"]
    assert app.config["DRAFTS_TOTAL"] > app.config["DRAFTS_PER_ADDRESS"]


# --- Migration 0008 -------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def old_app(request, instance, monkeypatch):
    """An app whose database has every migration before 0008, with a visitor's draft in it."""
    config = {"SECRET_KEY": "test-secret", "TESTING": True}
    if request.param == "postgresql":
        config["DATABASE_URL"] = pg_support.server().new_database()
    names = [name for name in kiosk.migrations.available() if name < "0008"]
    app = create_app(config)
    with app.app_context(), db.connection_context(), monkeypatch.context() as patch:
        patch.setattr(kiosk.migrations, "available", lambda: names)
        assert kiosk.migrations.apply_migrations(db.obj)[-1] == "0007_directory"
    with app.app_context(), db.connection_context():
        sql, mark = db.execute_sql, "?" if request.param == "sqlite" else "%s"
        when = datetime(2026, 11, 2, 10, 0)
        sql(
            "INSERT INTO form_version (slug, number, version_hash, spec, created_at)"
            f" VALUES ('intake', 1, 'hash', '{{}}', {mark})",
            (when,),
        )
        (version,) = sql("SELECT id FROM form_version").fetchone()
        sql(
            "INSERT INTO draft (uuid, form_version_id, lang, answers, created_at, updated_at)"
            f" VALUES ({', '.join([mark] * 6)})",
            (uuid.uuid4().hex, version, "ar", '{"name": "Amina"}', when, when),
        )
    return app


def test_the_migration_binds_drafts_and_drops_those_nobody_owns(old_app):
    assert "0008_draft_owner" in prepare_database(old_app)
    with old_app.app_context(), db.connection_context():
        columns = {column.name for column in db.get_columns("draft")}
        assert {"browser", "address"} <= columns
        assert "draft_browser" in {index.name for index in db.get_indexes("draft")}
        assert Draft.select().count() == 0  # no browser could ever have continued it
    visitor = browser(old_app)
    visitor.start("intake")
    assert "/step/consent" in visitor.url and len(drafts(old_app)) == 1
    assert prepare_database(old_app) == []

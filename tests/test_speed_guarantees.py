"""What the work on speed must not change: durability, one row per double tap, no-JS redirects,
CSRF, and no connection shared between apps or carried past a failed request.

The kiosk keeps one SQLite connection per thread open, answers an htmx step with the next page
at once (HX-Push-Url) instead of a 303 and a GET, and writes draft answers without an fsync.
Most of this is checked through the Flask test client; durability needs a real server to kill.
"""

import http.client
import os
import re
import sqlite3
import uuid
from urllib.parse import urlencode, urlsplit

import pytest

from kiosk import create_app
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.maintenance.backup import backups
from kiosk.models import Answer, Submission

from server import TOKEN, KioskServer

HTMX = {"HX-Request": "true"}
FEEDBACK = (
    ("today", "4"),
    ("come_again", "yes"),
    ("helped", ["advice", "people"]),
    ("missing", ["childcare"]),
    ("consent", "yes"),
    ("comment", "Danke für alles"),
)


def token_of(response) -> str:
    return TOKEN.search(response.get_data(as_text=True)).group(1)


def start(client, form="feedback", htmx=True):
    """The chooser's token and the first step of a new draft: (token, response)."""
    token = token_of(client.get("/de/"))
    return token, client.post(f"/de/{form}/", data={"csrf_token": token}, headers=HTMX)


def answer(client, url, token, value, htmx=True):
    return client.post(
        url, data={"csrf_token": token, "answer": value}, headers=HTMX if htmx else {}
    )


def fill_in(client, token, url):
    """Every feedback step through htmx; returns the summary's URL."""
    for name, value in FEEDBACK:
        assert url.endswith(f"/step/{name}"), url
        response = answer(client, url, token, value)
        assert response.status_code == 200
        url = response.headers["HX-Push-Url"]
    assert url.endswith("/summary"), url
    return url


def rows(app, model) -> int:
    with app.app_context():
        return model.select().count()


# --- Direct answers to htmx, POST-redirect-GET without JavaScript -----------------------------


def test_without_javascript_an_answer_still_redirects_to_the_next_step(client):
    token, first = start(client)
    step = first.headers["HX-Push-Url"]
    response = answer(client, step, token, "4", htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/step/come_again")
    assert "HX-Push-Url" not in response.headers


def test_htmx_gets_the_next_step_at_once_with_the_url_to_push(client):
    token, first = start(client)
    assert first.status_code == 200, "starting a form answers htmx with the first step"
    step = first.headers["HX-Push-Url"]
    assert step.endswith("/step/today")
    response = answer(client, step, token, "4")
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == step.replace("/step/today", "/step/come_again")
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<main id="main" class="step step-yesno"')
    assert "<html" not in html
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"  # it shows the draft's answers


def test_htmx_gets_the_thanks_only_after_the_submission_is_stored(app, client, monkeypatch):
    token, first = start(client)
    summary = fill_in(client, token, first.headers["HX-Push-Url"])
    from kiosk.views import kiosk as views

    seen = {}
    real_render = views.render_page

    def render_and_look(template, *args, **kwargs):
        if template == "kiosk/thanks.html":  # by then the commit must have returned
            connection = sqlite3.connect(os.path.join(app.instance_path, "kiosk.sqlite3"))
            seen["rows"] = connection.execute("SELECT count(*) FROM submission").fetchone()[0]
            connection.close()
        return real_render(template, *args, **kwargs)

    monkeypatch.setattr(views, "render_page", render_and_look)
    submit = summary.replace("/summary", "/submit")
    response = client.post(submit, data={"csrf_token": token}, headers=HTMX)
    assert response.status_code == 200
    assert "/de/thanks/" in response.headers["HX-Push-Url"]
    assert seen == {"rows": 1}


def test_going_back_with_htmx_shows_the_previous_step_at_once(client):
    token, first = start(client)
    second = answer(client, first.headers["HX-Push-Url"], token, "4")
    data = {"csrf_token": token, "direction": "back"}
    back = client.post(second.headers["HX-Push-Url"], data=data, headers=HTMX)
    assert back.status_code == 200
    assert back.headers["HX-Push-Url"].endswith("/step/today")
    # The rating given is shown as chosen: its face button is pressed.
    assert re.search(r'value="4"[^>]*aria-pressed="true"', back.get_data(as_text=True))


def test_every_post_still_needs_its_csrf_token(client):
    _token, first = start(client)
    step = first.headers["HX-Push-Url"]
    refused = client.post(step, data={"answer": "4"}, headers=HTMX)
    assert refused.status_code == 422  # the retry page, keeping the answer
    assert "HX-Push-Url" not in refused.headers
    refused = client.post("/de/feedback/", data={}, headers=HTMX)
    assert refused.status_code == 400


# --- One row per double tap ---------------------------------------------------------------------


def test_a_double_tap_on_submit_with_htmx_stores_one_row(app, client):
    token, first = start(client)
    submit = fill_in(client, token, first.headers["HX-Push-Url"]).replace("/summary", "/submit")
    taps = [client.post(submit, data={"csrf_token": token}, headers=HTMX) for _ in range(2)]
    draft_id = submit.rsplit("/", 2)[1]
    assert taps[0].status_code == 200
    assert taps[0].headers["HX-Push-Url"] == f"/de/thanks/{draft_id}"
    # The second finds no draft any more and is sent to the same thank-you.
    assert taps[1].status_code == 303
    assert taps[1].headers["Location"].endswith(f"/de/thanks/{draft_id}")
    assert rows(app, Submission) == 1
    assert rows(app, Answer) == 7


def test_a_race_of_two_htmx_submits_still_stores_one(app, client):
    """Both requests read the draft before either commits: the UUID refuses the second row."""
    from flask import g

    from kiosk.i18n import LANGUAGES
    from kiosk.views import kiosk as views
    from kiosk.visitor.drafts import find_draft, save_answer, spec_of_draft

    _token, first = start(client, "visit")
    draft_id = uuid.UUID(first.headers["HX-Push-Url"].split("/")[3])
    with app.test_request_context(headers=HTMX):
        g.language = LANGUAGES["de"]
        draft = find_draft("visit", draft_id)
        save_answer(draft, "reason", "german")
        answers = [views.submit_draft(spec_of_draft(draft), draft) for _ in range(2)]
    assert [response.status_code for response in answers] == [200, 200]
    assert {response.headers["HX-Push-Url"] for response in answers} == {f"/de/thanks/{draft_id}"}
    assert rows(app, Submission) == 1


def test_a_double_tap_on_a_one_tap_form_stores_one_row(app, client):
    token, first = start(client, "visit")
    step = first.headers["HX-Push-Url"]
    taps = [answer(client, step, token, "german") for _ in range(2)]
    assert taps[0].status_code == 200 and "/de/thanks/" in taps[0].headers["HX-Push-Url"]
    assert taps[1].status_code == 303 and "/de/thanks/" in taps[1].headers["Location"]
    assert rows(app, Submission) == 1


# --- Connections kept open, never shared ----------------------------------------------------------


def database_file(database) -> str:
    """The file the current thread's connection of `database` has open."""
    files = database.connection().execute("PRAGMA database_list").fetchall()
    return os.path.realpath(next(file for _, name, file in files if name == "main"))


def test_a_thread_keeps_its_connection_between_requests(app, client):
    token, first = start(client)
    connection = app.extensions["kiosk_database"].connection()
    answer(client, first.headers["HX-Push-Url"], token, "4")
    assert app.extensions["kiosk_database"].connection() is connection
    # Nothing closed the last connection, so the WAL was not checkpointed away.
    assert os.path.getsize(os.path.join(app.instance_path, "kiosk.sqlite3-wal")) > 0


def test_draft_answers_skip_the_fsync_but_the_submission_does_not(app, client, monkeypatch):
    from kiosk.visitor import submissions

    token, first = start(client)
    summary = fill_in(client, token, first.headers["HX-Push-Url"])
    connection = app.extensions["kiosk_database"].connection()
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again after steps
    during = []
    real_insert = submissions.insert_answers

    def look_then_insert(rows_to_insert):
        during.append(db.connection().execute("PRAGMA synchronous").fetchone()[0])
        real_insert(rows_to_insert)

    monkeypatch.setattr(submissions, "insert_answers", look_then_insert)
    client.post(summary.replace("/summary", "/submit"), data={"csrf_token": token}, headers=HTMX)
    assert during == [2]  # the submission's commit waits for the disk (synchronous=FULL)


def make_app(tmp_path, monkeypatch, name):
    monkeypatch.setenv("KIOSK_INSTANCE_PATH", str(tmp_path / name))
    app = create_app({"SECRET_KEY": "test-secret", "TESTING": True})
    prepare_database(app)
    return app


def drafts_in(app) -> int:
    with sqlite3.connect(os.path.join(app.instance_path, "kiosk.sqlite3")) as connection:
        return connection.execute("SELECT count(*) FROM draft").fetchone()[0]


def test_two_apps_in_one_thread_never_share_a_connection(tmp_path, monkeypatch):
    first = make_app(tmp_path, monkeypatch, "first")
    start(first.test_client())
    first_database = first.extensions["kiosk_database"]
    assert database_file(first_database) == os.path.realpath(tmp_path / "first" / "kiosk.sqlite3")

    second = make_app(tmp_path, monkeypatch, "second")
    assert first_database.is_closed(), "a new app closes this thread's connection to the old one"
    start(second.test_client())
    second_database = second.extensions["kiosk_database"]
    assert second_database is not first_database
    assert database_file(second_database).endswith(os.path.join("second", "kiosk.sqlite3"))

    start(first.test_client())  # the first app again, after the second was made
    assert db.obj is first_database and second_database.is_closed()
    assert database_file(first_database).endswith(os.path.join("first", "kiosk.sqlite3"))
    assert (drafts_in(first), drafts_in(second)) == (2, 1)


def test_a_failed_request_leaves_no_transaction_and_no_connection(app, client):
    @app.post("/test/fails-in-a-transaction")
    def fails():
        db.execute_sql("BEGIN IMMEDIATE")
        db.execute_sql("DELETE FROM draft")
        raise RuntimeError("broken in the middle")

    @app.post("/test/forgets-its-transaction")
    def forgets():
        db.execute_sql("BEGIN IMMEDIATE")
        db.execute_sql("DELETE FROM draft")
        return "ok"

    start(client)
    app.config["WTF_CSRF_ENABLED"] = False
    with pytest.raises(RuntimeError):
        client.post("/test/fails-in-a-transaction")
    assert app.extensions["kiosk_database"].is_closed()
    assert client.post("/test/forgets-its-transaction").status_code == 200
    # Either way the write lock is free at once and nothing was deleted.
    other = sqlite3.connect(os.path.join(app.instance_path, "kiosk.sqlite3"), timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.rollback()
    finally:
        other.close()
    assert drafts_in(app) == 1


def test_a_restore_in_the_same_process_is_what_the_next_request_reads(app, client, runner):
    def visit() -> str:
        token, first = start(client, "visit")
        thanks = answer(client, first.headers["HX-Push-Url"], token, "german")
        return thanks.headers["HX-Push-Url"]

    kept = visit()
    assert runner.invoke(args=["backup"]).exit_code == 0
    (backup,) = backups(os.path.join(app.instance_path, "backups"))
    lost = visit()  # the kept connection wrote this one after the backup
    result = runner.invoke(args=["restore", backup])
    assert result.exit_code == 0, result.output
    assert client.get(kept).status_code == 200
    assert client.get(lost).status_code == 303  # not in the restored database
    assert rows(app, Submission) == 1


# --- Durability under kill -9 with the connections kept open ----------------------------------


class HtmxVisitor:
    """The kiosk's browser over one keep-alive connection: htmx requests, the next page at once."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.url = ""

    def request(self, path: str, data: dict | None = None) -> int:
        method, body, headers = "GET", None, dict(HTMX)
        if data is not None:
            method = "POST"
            body = urlencode({"csrf_token": self.token, **data}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        html = response.read().decode()
        for header in response.headers.get_all("Set-Cookie", []):
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        self.url = response.headers.get("HX-Push-Url") or path
        match = re.search(r'name="csrf[-_]token" (?:content|value)="([^"]+)"', html)
        if match:
            self.token = match.group(1)
        return response.status

    def close(self):
        self.connection.close()


def answer_steps(visitor: HtmxVisitor, steps) -> None:
    for name, value in steps:
        assert visitor.url.endswith(f"/step/{name}"), visitor.url
        assert visitor.request(visitor.url, {"answer": value}) == 200


def test_thanked_submissions_and_answered_steps_survive_kill_9(tmp_path):
    server = KioskServer(tmp_path / "instance")
    database = tmp_path / "instance" / "kiosk.sqlite3"
    done = halfway = None
    try:
        server.start()
        done = HtmxVisitor(server.url)
        done.request("/de/")
        done.request("/de/feedback/", {})
        answer_steps(done, FEEDBACK)
        assert done.request(done.url.replace("/summary", "/submit"), {}) == 200
        assert "/de/thanks/" in done.url
        thanked = uuid.UUID(done.url.rsplit("/", 1)[1]).hex

        halfway = HtmxVisitor(server.url)
        halfway.request("/de/")
        halfway.request("/de/feedback/", {})
        answer_steps(halfway, FEEDBACK[:3])  # each answer acknowledged by the next step
        draft = uuid.UUID(halfway.url.split("/")[3]).hex
        # The server's connections are still open: no close emptied the WAL.
        assert os.path.getsize(f"{database}-wal") > 0
        server.kill()

        connection = sqlite3.connect(database)  # recovers the WAL like the next server would
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = connection.execute(
                "SELECT count(*) FROM answer JOIN submission ON submission.id = submission_id"
                " WHERE submission.uuid = ?",
                (thanked,),
            ).fetchone()[0]
            (answers,) = connection.execute(
                "SELECT answers FROM draft WHERE uuid = ?", (draft,)
            ).fetchone()
        finally:
            connection.close()
        assert stored == 7
        assert answers == '{"come_again": "yes", "helped": ["advice", "people"], "today": "4"}'

        server.start()  # the visitor who was halfway carries on where the server went away
        halfway.close()  # the next request opens a new connection
        answer_steps(halfway, FEEDBACK[3:])
        assert halfway.request(halfway.url.replace("/summary", "/submit"), {}) == 200
        assert "/de/thanks/" in halfway.url
    finally:
        server.kill()
        for visitor in (done, halfway):
            if visitor:
                visitor.close()

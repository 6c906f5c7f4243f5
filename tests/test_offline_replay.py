"""The replay endpoint for queued submissions, the service worker script and the health check."""

import json
import shutil
import uuid

import pytest

from kiosk.extensions import db
from kiosk.models import Answer, Draft, FormVersion, Submission
from kiosk.visitor.offline import content_hash, static_files

FEEDBACK = {
    "today": "4",
    "helped": ["people", "coffee"],
    "come_again": "yes",
    "consent": "yes",
    "comment": "Später gesendet",
}


@pytest.fixture
def token(client):
    response = client.get("/offline/token")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()["token"]


@pytest.fixture
def feedback_version(app):
    spec = app.extensions["kiosk_forms"]["feedback"]
    with db.connection_context():
        return FormVersion.for_spec(spec).version_hash


def queued(version: str, **changes) -> dict:
    body = {
        "uuid": str(uuid.uuid4()),
        "form": "feedback",
        "version": version,
        "lang": "de",
        "answers": dict(FEEDBACK),
    }
    return {**body, **changes}


def replay(client, token, body):
    return client.post(
        "/offline/replay",
        data=body if isinstance(body, str | bytes) else json.dumps(body),
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )


def stored() -> dict[str, dict]:
    with db.connection_context():
        return {str(s.uuid): s.answer_map() for s in Submission.select()}


def counts() -> tuple[int, int, int]:
    with db.connection_context():
        return Submission.select().count(), Answer.select().count(), Draft.select().count()


def test_replayed_three_times_is_stored_once(client, token, feedback_version):
    body = queued(feedback_version)
    answers = [replay(client, token, body) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert [a.get_json()["status"] for a in answers] == [
        "stored",
        "already_stored",
        "already_stored",
    ]
    assert stored() == {body["uuid"]: FEEDBACK}


def test_replay_of_a_submission_stored_the_usual_way_changes_nothing(client, visitor, token):
    visitor.start("visit")
    submission_id = visitor.draft_url.rsplit("/", 1)[1]
    with db.connection_context():
        version = Draft.get(Draft.uuid == uuid.UUID(submission_id)).form_version.version_hash
    visitor.answer("german")
    assert "/thanks/" in visitor.url
    body = {"uuid": submission_id, "form": "visit", "version": version, "lang": "de"}
    answer = replay(client, token, {**body, "answers": {"reason": "papers"}})
    assert answer.status_code == 200 and answer.get_json() == {"status": "already_stored"}
    assert stored() == {submission_id: {"reason": "german"}}


def test_replay_stores_the_answers_of_a_draft_that_expired(client, visitor, token, app):
    visitor.start("intake")
    draft_url = visitor.draft_url
    submission_id = draft_url.rsplit("/", 1)[1]
    with db.connection_context():
        draft = Draft.get(Draft.uuid == uuid.UUID(submission_id))
        version = draft.form_version.version_hash
        Draft.delete().execute()  # as `Draft.expired` does after DRAFT_MAX_AGE_HOURS
    answers = {
        "consent": "yes",
        "name": "Samira",
        "languages": ["de", "ar"],
        "household": "no_answer",
        "needs": ["german_course"],
        "contact_way": "none",
        # Hidden by the answers above ("other" not chosen), so dropped like in the steps:
        "needs_other": "Fahrrad",
    }
    body = {"uuid": submission_id, "form": "intake", "version": version, "lang": "ar"}
    answer = replay(client, token, {**body, "answers": answers})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    expected = {key: value for key, value in answers.items() if key != "needs_other"}
    assert stored() == {submission_id: expected}
    with db.connection_context():
        assert Submission.get().lang == "ar"


def test_replay_keeps_the_time_of_the_visitor_not_of_the_return(client, visitor, token, app):
    visitor.start("visit")
    submission_id = visitor.draft_url.rsplit("/", 1)[1]
    with db.connection_context():
        draft = Draft.get(Draft.uuid == uuid.UUID(submission_id))
        Draft.update(updated_at=draft.updated_at.replace(year=2025)).execute()
        version = draft.form_version.version_hash
    body = {"uuid": submission_id, "form": "visit", "version": version, "lang": "de"}
    answer = replay(client, token, {**body, "answers": {"reason": "papers"}})
    assert answer.status_code == 201
    with db.connection_context():
        submission = Submission.get()
        assert submission.created_at.year == 2025
        assert not Draft.select().exists()


def invalid_bodies(version: str) -> dict[str, object]:
    good = queued(version)
    return {
        "not json": "{not json",
        "a list": [good],
        "a string": "hallo",
        "null": None,
        "missing key": {k: v for k, v in good.items() if k != "lang"},
        "extra key": {**good, "created_at": "2020-01-01"},
        "uuid not a uuid": {**good, "uuid": "12345"},
        "uuid a number": {**good, "uuid": 12345},
        "unknown form": {**good, "form": "nope"},
        "unknown version": {**good, "version": "0000000000000000"},
        "unknown language": {**good, "lang": "xx"},
        "answers a list": {**good, "answers": [["today", "4"]]},
        "unknown field": {**good, "answers": {**FEEDBACK, "salary": "1000"}},
        "invalid choice": {**good, "answers": {**FEEDBACK, "today": "9"}},
        "a number, not text": {**good, "answers": {**FEEDBACK, "today": 4}},
        "list for a single choice": {**good, "answers": {**FEEDBACK, "today": ["4"]}},
        "list with a number": {**good, "answers": {**FEEDBACK, "helped": ["people", 3]}},
        "nested object": {**good, "answers": {**FEEDBACK, "comment": {"a": 1}}},
        "required missing": {**good, "answers": {"helped": ["people"]}},
        "text too long": {**good, "answers": {**FEEDBACK, "comment": "x" * 5000}},
    }


@pytest.mark.parametrize("case", list(invalid_bodies("v")))
def test_invalid_replays_are_refused_and_change_nothing(client, token, feedback_version, case):
    before = counts()
    answer = replay(client, token, invalid_bodies(feedback_version)[case])
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert answer.get_json()["error"] == "bad_request"
    assert answer.get_json()["message"]
    assert counts() == before


def test_replay_without_csrf_token_is_refused(client, feedback_version):
    client.get("/offline/token")
    answer = client.post(
        "/offline/replay",
        data=json.dumps(queued(feedback_version)),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert counts()[0] == 0


def test_replay_with_the_uuid_of_another_forms_draft_is_refused(client, visitor, token):
    visitor.start("intake")
    submission_id = visitor.draft_url.rsplit("/", 1)[1]
    with db.connection_context():
        version = FormVersion.get(FormVersion.slug == "feedback").version_hash
    answer = replay(client, token, queued(version, uuid=submission_id))
    assert answer.status_code == 400
    assert counts()[0] == 0


def test_service_worker_is_versioned_and_lists_no_personal_pages(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    first_line, source = response.get_data(as_text=True).split("\n", 1)
    config = json.loads(first_line.removeprefix("const CONFIG = ").removesuffix(";"))
    assert config["cache"].startswith("mittendrin-0.1.0-")
    assert any(u.startswith("/static/css/kiosk.") and u.endswith(".css") for u in config["static"])
    assert any(url.startswith("/static/vendor/htmx-") for url in config["static"])
    assert any(url.endswith(".woff2") for url in config["static"])
    assert {"/", "/de/", "/ar/", "/de/offline", "/ti/offline"} <= set(config["pages"])
    for url in config["static"] + config["pages"]:
        with client.get(url) as answer:
            assert answer.status_code == 200, url
    assert 'self.addEventListener("fetch"' in source


def test_health_and_offline_page(client):
    assert client.get("/healthz").get_data(as_text=True) == "ok"
    page = client.get("/ar/offline")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_a_changed_static_file_makes_a_new_cache(app, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    for folder in (first, second):
        shutil.copytree(app.static_folder, folder)
    (second / "css" / "kiosk.css").write_text("main { color: red; }\n", encoding="utf-8")
    assert "css/kiosk.css" in static_files(str(first))
    assert content_hash(str(first)) != content_hash(str(second))
    assert content_hash(str(first)) == content_hash(app.static_folder)

"""The thank-you with a next step: the visitor code, who helps with each need, the inbox search."""

import dataclasses
import pathlib
import re
import uuid
from datetime import timedelta

import pytest
from flask import g, render_template
from flask_babel import gettext

import kiosk.directory.builtin
import kiosk.migrations
import kiosk.views.kiosk
import kiosk.visitor.submissions
from kiosk import create_app
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.formspec import FormSpecError, load_form
from kiosk.formspec.visitor_code import DIGITS, LETTERS, searched_code, visitor_code
from kiosk.i18n import LANGUAGES
from kiosk.models import FormVersion, Site, Submission, utcnow
from kiosk.visitor.submissions import store_submission
from kiosk.visitor.thanks import READING_SECONDS, SHOWN_FOR, thanks_context

from factories import INTAKE_ANSWERS, add_office, add_submission, add_user
from server import log_in

CODE = re.compile(r'<p class="code"><bdi dir="ltr">([A-Z][0-9]-[0-9]{2})</bdi></p>')
LISTED = re.compile(r'href="/review/(\d+)"')
HTMX = {"HX-Request": "true"}
# What the visitor posts on each step of the intake, by field name (any order the steps come in).
STEPS = {
    "consent": {"answer": "yes"},
    "name": {"answer": "Amina"},
    "languages": {"answer": ["ar", "de"]},
    "household": {"no_answer": "1"},
    "arrival_year": {"answer": "2019"},
    "age_group": {"answer": "30_49"},
    "needs": {"answer": ["housing", "work", "other"]},
    "needs_other": {"answer": "Führerschein"},
    "contact_way": {"answer": "phone"},
    "contact": {"answer": "+49 1512 3456789"},
}
FEEDBACK = {"today": "4", "helped": ["people"], "come_again": "yes"}


def answer_intake(visitor):
    """Walks the intake to its summary, answering whichever step comes; returns the draft's UUID."""
    visitor.start("intake")
    for _ in range(2 * len(STEPS)):
        if visitor.url.endswith("/summary"):
            return uuid.UUID(visitor.draft_url.rsplit("/", 1)[1])
        name = visitor.url.rsplit("/step/", 1)[1]
        response = visitor.post(visitor.url, STEPS[name])
        assert response.status_code == 200, response.get_data(as_text=True)
    raise AssertionError(f"no summary after the steps: {visitor.url}")


def stored(app, form, answers, when=None, **kwargs) -> Submission:
    with app.app_context(), db.connection_context():
        return add_submission(app, form, answers, when or utcnow(), **kwargs)


def route(app, need, office, contact=""):
    with app.app_context(), db.connection_context():
        add_office(office, [need], phone=contact)


def translated(app, lang, text):
    with app.test_request_context(f"/{lang}/"):
        g.language = LANGUAGES[lang]
        return gettext(text)


# --- The code ---------------------------------------------------------------------------------


def test_the_code_is_short_unambiguous_and_the_same_for_the_same_uuid():
    ids = [uuid.uuid4() for _ in range(2000)]
    codes = [visitor_code(i) for i in ids]
    assert [visitor_code(i) for i in ids] == codes
    assert all(re.fullmatch(r"[A-Z][2-9]-[2-9]{2}", code) for code in codes)
    assert not set("0O1IL") & set(LETTERS + DIGITS)
    assert len(set(codes)) > 1500  # spread over the 7,680 codes, not a few


@pytest.mark.parametrize(
    "typed", ["K7-42", "k742", "K7 42", " k 7 4 2 ", "K7\u201342", "K\u0667-\u0664\u0662"]
)
def test_a_code_is_found_however_it_is_typed(typed):
    assert searched_code(typed) == "K7-42"


@pytest.mark.parametrize("typed", ["", "K7-4", "K7-423", "O7-42", "K1-42", "742", "Küche"])
def test_other_search_texts_are_no_code(typed):
    assert searched_code(typed) is None


def test_only_a_form_with_a_required_consent_may_give_a_code(tmp_path):
    intake = load_form("forms/intake.toml")
    assert intake.visitor_code and "visitor_code" in intake.to_dict()
    visit_source = pathlib.Path("forms/visit.toml").read_text(encoding="utf-8")
    visit = load_form(tmp_path / "visit.toml", visit_source)
    # Forms without the option keep their content, and so their version.
    assert not visit.visitor_code and "visitor_code" not in visit.to_dict()
    with pytest.raises(FormSpecError, match="visitor_code"):
        load_form(tmp_path / "visit.toml", "visitor_code = true\n" + visit_source)
    feedback_source = pathlib.Path("forms/feedback.toml").read_text(encoding="utf-8")
    with pytest.raises(FormSpecError, match="visitor_code"):  # its consent is optional
        load_form(tmp_path / "feedback.toml", "visitor_code = true\n" + feedback_source)


# --- Stored with the submission ---------------------------------------------------------------


def test_the_intake_stores_the_code_of_its_uuid_and_feedback_none(app, visitor):
    draft_id = answer_intake(visitor)
    visitor.submit()
    visitor.submit()  # a double tap stores nothing twice
    feedback = stored(app, "feedback", FEEDBACK)
    with app.app_context(), db.connection_context():
        intake = Submission.get(Submission.uuid == draft_id)
        assert intake.visitor_code == visitor_code(draft_id)
        assert Submission.get_by_id(feedback.id).visitor_code is None
        assert Submission.select().count() == 2


def test_a_replayed_intake_gets_the_same_code(app, client):
    with app.app_context(), db.connection_context():
        version = FormVersion.for_spec(app.extensions["kiosk_forms"]["intake"]).version_hash
    token = client.get("/offline/token").get_json()["token"]
    submission_id = uuid.uuid4()
    body = {
        "uuid": str(submission_id),
        "form": "intake",
        "version": version,
        "lang": "fa",
        "answers": INTAKE_ANSWERS,
    }
    for _ in range(2):
        response = client.post("/offline/replay", json=body, headers={"X-CSRFToken": token})
        assert response.status_code in (200, 201), response.get_data(as_text=True)
    with app.app_context(), db.connection_context():
        code = Submission.get(Submission.uuid == submission_id).visitor_code
    assert code == visitor_code(submission_id)


# --- What the thank-you gets (kiosk/visitor/thanks.py) -----------------------------------------


def test_the_context_has_the_code_and_each_need_with_its_office(app):
    route(app, "housing", "Stadthaus, Fachdienst Soziales", "04431 88-0")
    submission = stored(app, "intake", {**INTAKE_ANSWERS, "needs": ["housing", "work"]})
    with app.app_context(), db.connection_context():
        context = thanks_context(submission.uuid, lambda text: f"«{text}»")
    assert context["visitor_code"] == visitor_code(submission.uuid)
    shown = [
        (need.need, need.label, need.icon, [office.name for office in need.offices])
        for need in context["needs_help"]
    ]
    assert shown == [
        ("housing", "«Wohnung»", "home", ["Stadthaus, Fachdienst Soziales"]),
        ("work", "«Arbeit»", "briefcase", []),
    ]
    assert context["reading_seconds"] == READING_SECONDS
    # Nothing personal: not the name, not the contact, not the free text.
    assert set(context) == {"visitor_code", "needs_help", "reading_seconds"}


def test_the_context_is_plain_for_feedback_unknown_and_old_submissions(app):
    feedback = stored(app, "feedback", FEEDBACK)
    intake = stored(app, "intake", INTAKE_ANSWERS)
    plain = {"visitor_code": None, "needs_help": [], "reading_seconds": 0}
    with app.test_request_context("/de/"), db.connection_context():
        assert thanks_context(feedback.uuid, gettext) == plain
        assert thanks_context(uuid.uuid4(), gettext) == plain
        later = utcnow() + SHOWN_FOR + timedelta(seconds=1)
        assert thanks_context(intake.uuid, gettext, now=later) == plain
        assert thanks_context(intake.uuid, gettext, now=utcnow())["visitor_code"]


def render_thanks(app, lang, **context):
    with app.test_request_context(f"/{lang}/thanks/{uuid.uuid4()}"):
        g.language = LANGUAGES[lang]
        return render_template("kiosk/_thanks.html", fragment=True, **context)


def test_the_template_shows_the_code_big_and_the_offices_in_german(app):
    route(app, "housing", "Stadthaus", "04431 88-0")
    submission = stored(app, "intake", {**INTAKE_ANSWERS, "needs": ["housing", "health"]})
    with app.test_request_context("/ar/"):
        g.language = LANGUAGES["ar"]
        with db.connection_context():
            context = thanks_context(submission.uuid, gettext)
    html = render_thanks(app, "ar", **context)
    assert CODE.search(html)[1] == visitor_code(submission.uuid)
    # The office: its name in German, isolated, linking to its Wegweiser page; its QR code.
    office = (
        '<a class="office-link" href="/ar/wegweiser/stelle/stadthaus" hx-boost="false">'
        '<bdi lang="de" dir="ltr">Stadthaus</bdi>'
    )
    assert office in html
    assert html.count('<svg role="img"') == 1
    assert translated(app, "ar", "Wohnung") in html and translated(app, "ar", "Gesundheit") in html
    without_route = translated(app, "ar", "Die Ehrenamtlichen hier helfen Ihnen weiter.")
    assert html.count(without_route) == 1
    assert 'id="main" class="thanks thanks-next"' in html
    assert f'data-return-after="{max(app.config["KIOSK_THANKS_SECONDS"], READING_SECONDS)}"' in html
    assert 'href="/" hx-boost="false"' in html and translated(app, "ar", "Zum Start") in html


def test_the_plain_template_is_as_before(app):
    html = render_thanks(app, "de")
    assert 'id="main" class="thanks"' in html and "Ihre Nummer" not in html
    assert f'data-return-after="{app.config["KIOSK_THANKS_SECONDS"]}"' in html
    assert "Zum Start" in html


def test_an_office_cannot_inject_markup(app):
    route(app, "work", '<img src=x onerror="alert(1)">')
    submission = stored(app, "intake", {**INTAKE_ANSWERS, "needs": ["work"]})
    with app.test_request_context("/de/"), db.connection_context():
        context = thanks_context(submission.uuid, gettext)
    html = render_thanks(app, "de", **context)
    assert "<img" not in html and "&lt;img" in html


# --- The thank-you pages (need the wiring in kiosk/views/kiosk.py) -----------------------------


def test_after_the_intake_the_thank_you_shows_the_code_and_who_helps(app, visitor):
    route(app, "housing", "Stadthaus, Fachdienst Soziales", "04431 88-0")
    draft_id = answer_intake(visitor)
    html = visitor.submit().get_data(as_text=True)  # without htmx: redirect to thanks()
    assert visitor.url == f"/de/thanks/{draft_id}"
    assert CODE.search(html)[1] == visitor_code(draft_id)
    # The office with a link to its Wegweiser page and its QR code (the number is in the code).
    assert "Stadthaus, Fachdienst Soziales" in html
    assert 'href="/de/wegweiser/stelle/stadthaus-fachdienst-soziales"' in html
    assert '<svg role="img" aria-label="QR-Code mit Adresse und Telefon von Stadthaus' in html
    assert "Wohnung" in html and "Arbeit" in html and "Sonstiges" in html
    assert "Die Ehrenamtlichen hier helfen Ihnen weiter." in html
    assert "Amina" not in html and "Führerschein" not in html and "3456789" not in html
    again = visitor.open(f"/de/thanks/{draft_id}").get_data(as_text=True)
    assert CODE.search(again)[1] == visitor_code(draft_id)  # the same code on a reload


def test_the_htmx_submit_shows_the_code_in_the_visitors_language(app, client, visitor):
    visitor.lang = "ar"
    draft_id = answer_intake(visitor)
    response = client.post(
        f"{visitor.draft_url}/submit", data={"csrf_token": visitor.token}, headers=HTMX
    )
    html = response.get_data(as_text=True)
    assert response.headers["HX-Push-Url"] == f"/ar/thanks/{draft_id}"
    assert CODE.search(html)[1] == visitor_code(draft_id)
    assert translated(app, "ar", "Wohnung") in html


def test_feedback_and_old_thank_yous_show_no_code(app, client):
    feedback = stored(app, "feedback", FEEDBACK)
    old = stored(app, "intake", INTAKE_ANSWERS, when=utcnow() - SHOWN_FOR - timedelta(minutes=1))
    for submission in (feedback, old):
        html = client.get(f"/de/thanks/{submission.uuid}").get_data(as_text=True)
        assert "Danke!" in html and not CODE.search(html) and "Wer hilft" not in html
        assert "Fahrrad" not in html and "Samira" not in html


# --- The inbox search -----------------------------------------------------------------------


def same_code_uuids(count=2):
    """UUIDs that share one code: after some hundred tries two always do."""
    seen: dict[str, list[uuid.UUID]] = {}
    while True:
        submission_id = uuid.uuid4()
        found = seen.setdefault(visitor_code(submission_id), [])
        found.append(submission_id)
        if len(found) == count:
            return found


def test_the_inbox_finds_a_submission_by_its_code(app, client):
    add_user(app, "vera", "volunteer")
    first, second = same_code_uuids()
    spec = app.extensions["kiosk_forms"]["intake"]
    with app.app_context(), db.connection_context():
        version = FormVersion.for_spec(spec).id
        ids = [
            store_submission(
                spec,
                uuid=submission_id,
                version_id=version,
                answers=INTAKE_ANSWERS,
                lang="de",
                site=Site.select().first(),
                created_at=utcnow() - timedelta(minutes=minutes),
            ).id
            for minutes, submission_id in ((10, first), (5, second))
        ]
        other = add_submission(app, "intake", INTAKE_ANSWERS, utcnow()).id
        commented = {**FEEDBACK, "consent": "yes", "comment": "Alles gut"}
        comment = add_submission(app, "feedback", commented, utcnow()).id
    log_in(client, "vera")
    code = visitor_code(first)
    assert visitor_code(second) == code

    def listed(query):
        response = client.get("/review/", query_string={"q": query})
        assert response.status_code == 200
        return [int(n) for n in LISTED.findall(response.get_data(as_text=True))]

    compact = code.replace("-", "")
    for typed in (code, compact.lower(), f"{code[:2]} {code[3:]}"):
        assert listed(typed) == ids[::-1], typed  # both with the code, newest first
    assert other not in listed(code)
    # The free-text search is unchanged: answers found by their text, codes by the code.
    assert listed("Alles gut") == [comment]
    assert listed("Fahrrad") == [other, *ids[::-1]]
    html = client.get("/review/").get_data(as_text=True)
    assert f'<span class="code" title="Nummer auf dem Dank-Bildschirm">{code}</span>' in html
    detail = client.get(f"/review/{ids[0]}").get_data(as_text=True)
    assert f'<dt>Nummer</dt><dd><bdi dir="ltr">{code}</bdi></dd>' in detail


# --- The migration ----------------------------------------------------------------------------


def test_the_migration_adds_the_column_to_an_existing_database(instance, monkeypatch):
    names = [name for name in kiosk.migrations.available() if name < "0006"]
    monkeypatch.setattr(kiosk.migrations, "available", lambda: names)
    app = create_app({"SECRET_KEY": "test-secret", "TESTING": True})
    prepare_database(app)
    monkeypatch.undo()
    # An intake sent with the program before: its form had no visitor code yet (nor cases).
    old_spec = dataclasses.replace(app.extensions["kiosk_forms"]["intake"], visitor_code=False)
    monkeypatch.setattr(kiosk.visitor.submissions, "open_cases", lambda *args: None)
    with app.app_context(), db.connection_context():
        version = FormVersion.for_spec(old_spec).id
        old = store_submission(
            old_spec,
            uuid=uuid.uuid4(),
            version_id=version,
            answers=INTAKE_ANSWERS,
            lang="de",
            site=Site.select().first(),
        )
    monkeypatch.undo()
    assert prepare_database(app)[0] == "0006_visitor_code"
    with app.app_context(), db.connection_context():
        indexes = {row[1] for row in db.execute_sql("PRAGMA index_list('submission')")}
        assert "submission_visitor_code" in indexes
        assert Submission.get_by_id(old.id).visitor_code is None
        new = add_submission(app, "intake", INTAKE_ANSWERS, utcnow())
        assert Submission.get_by_id(new.id).visitor_code == visitor_code(new.uuid)
    assert prepare_database(app) == []

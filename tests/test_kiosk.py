"""The visitor's path through the Flask test client: every route and every bad input."""

from datetime import datetime

import pytest

from kiosk.models import Answer, Draft, FormVersion, Submission

INTAKE = [
    ("consent", {"answer": "yes"}),
    ("name", {"answer": "Amina"}),
    ("languages", {"answer": ["ar", "de"]}),
    ("needs", {"answer": ["housing", "other"]}),
    ("needs_other", {"answer": "Führerschein"}),
    ("contact_way", {"answer": "phone"}),
    ("contact", {"answer": "+49 1512 3456789"}),
    ("household", {"no_answer": "1"}),
    ("arrival_year", {"answer": "2019"}),
    ("age_group", {"answer": "30_49"}),
]


def walk(visitor, form, steps):
    visitor.start(form)
    for name, data in steps:
        assert visitor.url.endswith(f"/step/{name}"), visitor.url
        response = visitor.post(visitor.url, data)
        assert response.status_code == 200, response.get_data(as_text=True)
    return visitor


def stored(app):
    with app.app_context():
        return [(s, s.answer_map()) for s in Submission.select()]


def test_start_screen_offers_languages_in_their_own_script(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in html
    assert ">Deutsch</a>" in html
    assert 'href="/de/"' in html


def test_chooser_lists_the_forms(client):
    html = client.get("/de/").get_data(as_text=True)
    for title in ("Anmeldung", "Besuch"):
        assert title in html
    assert 'action="/de/intake/"' in html


def test_whole_intake_is_stored_once_with_its_version(app, visitor):
    walk(visitor, "intake", INTAKE)
    assert visitor.url.endswith("/summary")
    summary = visitor.open(visitor.url).get_data(as_text=True)
    assert "Amina" in summary and "Keine Angabe" in summary
    response = visitor.submit()
    assert "/de/thanks/" in visitor.url
    assert "Danke!" in response.get_data(as_text=True)
    [(submission, answers)] = stored(app)
    assert answers == {
        "consent": "yes",
        "name": "Amina",
        "languages": ["de", "ar"],
        "household": "no_answer",
        "arrival_year": "2019",
        "age_group": "30_49",
        "needs": ["housing", "other"],
        "needs_other": "Führerschein",
        "contact_way": "phone",
        "contact": "+49 1512 3456789",
    }
    with app.app_context():
        assert submission.lang == "de"
        assert submission.form_version.slug == "intake"
        personal = {a.field for a in Answer.select().where(Answer.personal)}
        assert {"name", "contact"} <= personal
        assert "needs" not in personal
        assert Draft.select().count() == 0


def test_answers_to_fields_hidden_later_are_not_stored(app, visitor):
    steps = [*INTAKE[:3], ("needs", {"answer": ["other"]}), ("needs_other", {"answer": "X"})]
    walk(visitor, "intake", [*steps, ("contact_way", {"answer": "none"})])
    visitor.post(visitor.url, {"direction": "finish"})
    assert visitor.url.endswith("/summary")
    base = visitor.draft_url
    visitor.post(f"{base}/step/needs", {"answer": ["work"], "review": "1"})
    assert visitor.url.endswith("/summary")
    visitor.submit()
    [(_, answers)] = stored(app)
    assert "needs_other" not in answers
    assert answers["needs"] == ["work"]


def test_submitting_twice_stores_one_submission(app, visitor):
    walk(visitor, "feedback", [("today", {"answer": "4"}), ("come_again", {"answer": "yes"})])
    visitor.post(visitor.url, {"answer": ["people"]})  # helped
    visitor.post(visitor.url, {})  # missing: optional
    visitor.post(visitor.url, {})  # no consent: the comment is not asked
    assert visitor.url.endswith("/summary")
    submit_url = f"{visitor.draft_url}/submit"
    first = visitor.post(submit_url)
    second = visitor.post(submit_url)
    assert first.status_code == second.status_code == 200
    assert "Danke!" in second.get_data(as_text=True)
    assert len(stored(app)) == 1


def test_a_race_of_two_submits_still_stores_one(app, visitor, monkeypatch):
    """Both requests read the draft before either commits: the UUID refuses the second row."""
    from kiosk.views import kiosk as views

    visitor.start("visit")
    draft_id = visitor.draft_url.rsplit("/", 1)[1]
    with app.test_request_context():
        draft = Draft.get_by_id(draft_id)
        spec = app.extensions["kiosk_forms"]["visit"]
        draft.set_answer("reason", "german")
        from flask import g

        from kiosk.i18n import LANGUAGES

        g.language = LANGUAGES["de"]
        views.submit_draft(spec, draft)
        response = views.submit_draft(spec, draft)
    assert response.status_code == 303
    assert len(stored(app)) == 1


def test_one_tap_visit_is_stored_at_once(app, visitor):
    visitor.start("visit")
    response = visitor.answer("german")
    assert "Danke!" in response.get_data(as_text=True)
    [(_, answers)] = stored(app)
    assert answers == {"reason": "german"}


@pytest.mark.parametrize(
    ("steps", "bad"),
    [
        (INTAKE[:1], {}),
        (INTAKE[:2], {"answer": "klingonisch"}),
        (INTAKE[:8], {"answer": "1850"}),
        (INTAKE[:8], {"answer": "zweitausend"}),
        (INTAKE[:6], {"answer": "not a number"}),
    ],
    ids=["name-ok-empty", "not-an-option", "year-too-early", "year-not-a-number", "pattern"],
)
def test_bad_answers_get_an_inline_error_and_keep_the_draft(app, visitor, steps, bad):
    walk(visitor, "intake", steps)
    step_url = visitor.url
    before = Draft.get_by_id(visitor.draft_url.rsplit("/", 1)[1]).answers
    response = visitor.post(step_url, bad)
    if not bad:
        assert response.status_code == 200  # an optional field may stay empty
        return
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html
    assert visitor.url == step_url
    with app.app_context():
        assert Draft.get_by_id(visitor.draft_url.rsplit("/", 1)[1]).answers == before


def test_a_required_answer_is_asked_for(visitor):
    walk(visitor, "intake", INTAKE[:2])
    response = visitor.post(visitor.url, {})
    assert response.status_code == 422
    assert 'id="error"' in response.get_data(as_text=True)


def test_too_long_text_is_refused_without_a_500(visitor):
    walk(visitor, "intake", INTAKE[:1])
    response = visitor.post(visitor.url, {"answer": "A" * 5000})
    assert response.status_code == 422


def test_a_body_over_the_limit_gets_a_clear_page_and_keeps_the_draft(app, visitor):
    walk(visitor, "intake", INTAKE[:2])
    draft_id = visitor.draft_url.rsplit("/", 1)[1]
    response = visitor.client.post(
        visitor.url, data={"csrf_token": visitor.token, "answer": "x" * 200_000}
    )
    assert response.status_code == 413
    assert "zu viel" in response.get_data(as_text=True)
    with app.app_context():
        assert Draft.get_by_id(draft_id).answers["name"] == "Amina"


def test_too_many_form_fields_are_refused(visitor):
    walk(visitor, "intake", INTAKE[:2])
    data = {f"f{i}": "x" for i in range(500)}
    response = visitor.client.post(visitor.url, data={"csrf_token": visitor.token, **data})
    assert response.status_code == 413


def test_a_stale_csrf_token_keeps_the_answer_and_asks_again(app, visitor):
    walk(visitor, "intake", INTAKE[:1])
    visitor.token = "stale"
    response = visitor.post(visitor.url, {"answer": "Yusuf"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "noch einmal" in html
    assert 'value="Yusuf"' in html
    # The fresh token in the page lets the same answer go through.
    assert visitor.post(visitor.url, {"answer": "Yusuf"}).status_code == 200
    with app.app_context():
        assert Draft.get_by_id(visitor.draft_url.rsplit("/", 1)[1]).answers["name"] == "Yusuf"


def test_a_lost_session_still_lets_the_summary_submit(app, visitor):
    walk(visitor, "visit", [])
    visitor.start("intake")
    walk(visitor, "intake", INTAKE)
    visitor.client.delete_cookie("session")
    visitor.token = ""
    submit_url = f"{visitor.draft_url}/submit"
    response = visitor.post(submit_url)
    assert response.status_code == 422
    assert "noch einmal" in response.get_data(as_text=True)
    visitor.post(submit_url)
    assert "/thanks/" in visitor.url
    assert len(stored(app)) == 1


@pytest.mark.parametrize("path", ["/xx/", "/de/no-such-form/", "/de/nothing/here", "/static/x.js"])
def test_unknown_pages_get_a_page_with_a_way_back(client, path):
    response = client.get(path)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Diese Seite gibt es nicht" in html or path.startswith("/static")
    if not path.startswith("/static"):
        assert 'href="/"' in html


def test_starting_an_unknown_form_is_a_404(visitor):
    visitor.open("/de/")
    assert visitor.post("/de/no-such-form/").status_code == 404


def test_cancel_discards_the_draft_and_back_shows_nothing(app, visitor):
    walk(visitor, "intake", INTAKE[:2])
    step_url = visitor.url
    response = visitor.post(f"{visitor.draft_url}/reset")
    assert visitor.url == "/"
    with app.app_context():
        assert Draft.select().count() == 0
    again = visitor.client.get(step_url)
    assert again.status_code == 303
    assert again.headers["Location"] == "/"
    assert "Amina" not in response.get_data(as_text=True)


def test_back_keeps_answers_and_from_the_first_step_leaves_the_form(app, visitor):
    walk(visitor, "intake", INTAKE[:3])
    visitor.post(visitor.url, {"direction": "back"})
    assert visitor.url.endswith("/step/languages")
    html = visitor.open(visitor.url).get_data(as_text=True)
    assert 'value="ar" checked' in html
    visitor.post(visitor.url, {"direction": "back"})
    visitor.post(visitor.url, {"direction": "back"})
    assert visitor.url.endswith("/step/consent")
    visitor.post(visitor.url, {"direction": "back"})
    assert visitor.url == "/de/"
    with app.app_context():
        assert Draft.select().count() == 0


def test_htmx_gets_the_fragment_and_the_url_to_push(visitor):
    walk(visitor, "intake", INTAKE[:1])
    response = visitor.client.get(visitor.url, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<main")
    assert "<html" not in html
    assert response.headers["HX-Push-Url"] == visitor.url


def test_validation_errors_reach_htmx_as_422_fragments(visitor):
    walk(visitor, "intake", INTAKE[:2])
    response = visitor.client.post(
        visitor.url, data={"csrf_token": visitor.token}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert response.get_data(as_text=True).lstrip().startswith("<main")


def test_form_pages_are_never_cached_and_carry_security_headers(visitor):
    response = walk(visitor, "intake", INTAKE[:1]).open(visitor.url)
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.get_data(as_text=True)
    assert 'autocomplete="off"' in html


def test_pages_load_nothing_from_other_hosts(visitor):
    walk(visitor, "intake", INTAKE[:3])
    html = visitor.open(visitor.url).get_data(as_text=True)
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert "/static/vendor/htmx-2.0." in html


def test_an_edited_form_is_a_new_version_and_old_answers_still_display(app, visitor):
    visitor.start("visit")
    visitor.answer("german")
    spec = app.extensions["kiosk_forms"]["visit"]
    changed = type(spec).from_dict(
        {**spec.to_dict(), "title": "Besuch heute"},
    )
    with app.app_context():
        old = FormVersion.for_spec(spec)
        new = FormVersion.for_spec(changed)
        assert new.number == old.number + 1
        submission = Submission.get()
        assert submission.form_version_id == old.id
        shown = type(spec).from_dict(submission.form_version.spec)
        assert shown.field("reason").display("german", str) == "Deutsch lernen"


def test_expired_drafts_are_discarded(app, visitor):
    walk(visitor, "intake", INTAKE[:2])
    with app.app_context():
        Draft.update(updated_at=datetime(2000, 1, 1)).execute()
    visitor.start("visit")
    with app.app_context():
        assert Draft.select().count() == 1


@pytest.mark.parametrize(
    "code", ["de", "en", "ar", "fa", "fa-AF", "ps", "ku", "uk", "ru", "tr", "ti"]
)
def test_each_language_sets_lang_and_direction(client, code):
    from kiosk.i18n import LANGUAGES

    language = LANGUAGES[code]
    assert f'href="/{code}/"' in client.get("/").get_data(as_text=True)
    html = client.get(f"/{code}/").get_data(as_text=True)
    assert f'<html lang="{code}" dir="{language.dir}">' in html


def test_dari_reads_the_persian_catalog(client):
    persian = client.get("/fa/").get_data(as_text=True)
    dari = client.get("/fa-AF/").get_data(as_text=True)
    heading = persian.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert "Was möchten Sie tun?" not in heading
    assert heading in dari

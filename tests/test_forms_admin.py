"""The coordinator's forms (/review/formulare) through the Flask test client: who may, refused
uploads with every problem at its place, an Entwurf previewed in Arabic without storing anything,
publishing (active at once, or waiting for a visitor's unfinished answers), discarding, pinning,
CSRF, audit lines."""

import re

import pytest
from test_review import Staff, audit_events, database

from kiosk.models import AuditEvent, Draft, FormVersion, Submission
from kiosk.models.forms import FormPin, PublishedForm
from kiosk.review import form_uploads
from kiosk.review.audit_names import sentence
from kiosk.views.forms_preview import read_state, write_state

from factories import add_user
from forms_admin_support import ARABIC_GOOD, ARABIC_QUESTION, QUESTION, SURVEY, xlsform
from xlsform_support import EXAMPLES

BASE = "/review/formulare"
UPLOAD_LINK = re.compile(r"/review/formulare/entwurf/([0-9a-f]{16})")


@pytest.fixture
def cora(app):
    add_user(app, "cora", "coordinator")
    return Staff(app, "cora")


@pytest.fixture
def ben(app):
    add_user(app, "ben", "volunteer")
    return Staff(app, "ben")


PYXFORM = EXAMPLES / "pyxform"


def upload(staff, data: bytes, filename="tagesfrage.xlsx", **fields):
    from io import BytesIO

    payload = {"datei": (BytesIO(data), filename), **fields}
    return staff.post(f"{BASE}/hochladen", payload, content_type="multipart/form-data")


def uploaded(staff, data: bytes | None = None) -> str:
    """Upload a good XLSForm; the Entwurf's id."""
    response = upload(staff, data or xlsform())
    assert response.status_code == 303, response.get_data(as_text=True)
    return UPLOAD_LINK.search(response.headers["Location"]).group(1)


def counts(app) -> tuple[int, ...]:
    with database(app):
        return tuple(m.select().count() for m in (Draft, Submission, FormVersion, PublishedForm))


# --- Who may ------------------------------------------------------------------------------------


def test_only_coordinators_see_the_forms(app, client, cora, ben):
    assert client.get(f"{BASE}/").status_code == 302  # to the login
    assert ben.get(f"{BASE}/").status_code == 403
    assert upload(ben, xlsform()).status_code == 403
    page = cora.html(f"{BASE}/")
    assert "XLSForm hochladen" in page and "feedback" in page
    assert f'href="{BASE}/"' in page  # in the staff navigation
    assert f'href="{BASE}/"' not in ben.html("/review/")


def test_a_volunteer_cannot_open_a_preview(app, cora, ben):
    upload_id = uploaded(cora)
    assert ben.get(f"{BASE}/entwurf/{upload_id}").status_code == 403
    assert ben.get(f"{BASE}/vorschau/{upload_id}/ar/").status_code == 403


# --- Refused uploads ----------------------------------------------------------------------------


def test_a_form_with_unsupported_questions_is_refused_with_sheet_row_and_column(
    app, cora, instance
):
    survey = [*SURVEY, ["geopoint", "ort", "Wo sind Sie?", "أين أنت؟", "", "", ""]]
    response = upload(cora, xlsform(survey=survey))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Die Datei wurde nicht übernommen" in page
    for heading in ("Blatt", "Zeile", "Spalte", "Was zu ändern ist"):
        assert f'<th scope="col">{heading}</th>' in page
    row = re.search(r'data-label="Blatt">([^<]*)</td>\s*<td data-label="Zeile">([^<]*)</td>', page)
    assert row.groups() == ("survey", "4")
    assert 'data-label="Spalte">type</td>' in page
    assert form_uploads.waiting(str(instance)) == []


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"", 400, "Es kam keine Datei an"),
        (b"name;alter\nAnna;30\n", 422, "keine Excel-Datei"),
        (b"PK\x03\x04 broken zip", 422, "keine Excel-Datei (.xlsx oder .xls)"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 broken xls",
            422,
            "keine Excel-Datei (.xlsx oder .xls)",
        ),
    ],
    ids=["empty", "csv", "broken-zip", "broken-xls"],
)
def test_bad_files_get_a_german_message_not_a_500(app, cora, instance, data, status, message):
    response = upload(cora, data, filename="formular.csv")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert form_uploads.waiting(str(instance)) == []


def test_an_odk_form_in_xls_becomes_an_entwurf_with_the_settings_typed_at_the_upload(
    app, cora, instance
):
    ict = (PYXFORM / "ict_survey_fails.xls").read_bytes()
    refused = upload(cora, ict, filename="ict_survey_fails.xls")
    assert refused.status_code == 422
    assert "beim Hochladen" in refused.get_data(as_text=True)
    typed = {"title": "Computer", "purpose": "Wir fragen nach Computern.", "retention_days": "45"}
    wrong = upload(cora, ict, filename="ict_survey_fails.xls", **{**typed, "retention_days": "0"})
    assert wrong.status_code == 400
    assert "Eine ganze Zahl von 1 bis 3650" in wrong.get_data(as_text=True)
    assert '<details class="given-settings" open>' in wrong.get_data(as_text=True)
    answer = upload(cora, ict, filename="ict_survey_fails.xls", **typed)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    (kept,) = form_uploads.waiting(str(instance))
    spec = kept.package.spec()
    assert (spec.slug, spec.title, spec.purpose, spec.retention_days) == (
        "ict-survey-fails",
        "Computer",
        "Wir fragen nach Computern.",
        45,
    )


def test_a_too_large_file_is_refused(app, cora):
    app.config["FORM_UPLOAD_MAX_BYTES"] = 2048
    response = upload(cora, xlsform() + b"\0" * 70000)
    assert response.status_code == 413
    assert "Die Datei ist zu groß: höchstens 2 KiB" in response.get_data(as_text=True)


def test_an_upload_without_csrf_token_keeps_nothing(app, cora, instance):
    from io import BytesIO

    data = {"datei": (BytesIO(xlsform()), "tagesfrage.xlsx")}
    response = cora.client.post(f"{BASE}/hochladen", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert form_uploads.waiting(str(instance)) == []


# --- The Entwurf and its preview ----------------------------------------------------------------


def test_a_good_upload_becomes_an_entwurf_with_a_tablet_preview(app, cora):
    upload_id = uploaded(cora)
    page = cora.html(f"{BASE}/entwurf/{upload_id}")
    assert "Entwurf: Tagesfrage" in page
    assert "<dd>Wir möchten wissen, wie es Ihnen geht.</dd>" in page  # what the consent says
    assert "<dd>30 Tage</dd>" in page
    assert f'src="{BASE}/vorschau/{upload_id}/de/"' in page
    assert 'width="1024" height="600"' in page
    upright = cora.html(f"{BASE}/entwurf/{upload_id}?sprache=ar&format=hoch")
    assert f'src="{BASE}/vorschau/{upload_id}/ar/"' in upright
    assert 'width="800" height="1280"' in upright
    assert f"{BASE}/" in cora.html(f"{BASE}/")  # listed among the Entwürfe
    assert ("cora", "form_uploaded", "tagesfrage", "tagesfrage.xlsx") in audit_events(app)


def test_the_preview_is_answered_in_arabic_and_stores_nothing(app, cora):
    upload_id = uploaded(cora)
    before = counts(app)
    first = cora.get(f"{BASE}/vorschau/{upload_id}/ar/")
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page
    assert ARABIC_QUESTION in page and ARABIC_GOOD in page
    assert "frame-ancestors 'self'" in first.headers["Content-Security-Policy"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answered = cora.client.post(
        f"{BASE}/vorschau/{upload_id}/ar/step/tag", data={"csrf_token": token, "answer": "gut"}
    )
    assert answered.status_code == 303
    next_step = answered.headers["Location"]
    assert f"/vorschau/{upload_id}/ar/step/wunsch?a=" in next_step
    step = cora.html(next_step)
    assert "جملة واحدة تكفي." in step  # the hint, through the package's translations
    typed = cora.client.post(next_step, data={"csrf_token": token, "answer": "Mehr Kaffee"})
    summary = cora.html(typed.headers["Location"])
    assert ARABIC_GOOD in summary and "Mehr Kaffee" in summary
    submit_url = re.search(r'action="([^"]*/submit\?a=[^"]*)"', summary).group(1)
    thanks = cora.client.post(submit_url.replace("&amp;", "&"), data={"csrf_token": token})
    assert thanks.status_code == 303
    page = cora.get(thanks.headers["Location"])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    # the preview's thank-you says in the language previewed that nothing was kept
    assert "<p>معاينة: لم يتم حفظ إجاباتك.</p>" in text and "<p>تم حفظ إجاباتك.</p>" not in text
    assert counts(app) == before


def test_a_required_question_left_empty_is_asked_again_in_the_preview(app, cora):
    upload_id = uploaded(cora)
    page = cora.html(f"{BASE}/vorschau/{upload_id}/de/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = cora.client.post(
        f"{BASE}/vorschau/{upload_id}/de/step/tag", data={"csrf_token": token}
    )
    assert response.status_code == 422
    assert QUESTION in response.get_data(as_text=True)


def test_a_garbled_answer_state_is_no_answers(app, cora):
    upload_id = uploaded(cora)
    assert cora.get(f"{BASE}/vorschau/{upload_id}/de/summary?a=%%%").status_code == 200
    assert cora.get(f"{BASE}/vorschau/{upload_id}/xx/").status_code == 404
    assert cora.get(f"{BASE}/vorschau/0123456789abcdef/de/").status_code == 404


# --- Publish, discard ---------------------------------------------------------------------------


def test_publishing_makes_the_form_active_and_ends_the_entwurf(app, cora, instance):
    upload_id = uploaded(cora)
    response = cora.post(f"{BASE}/entwurf/{upload_id}/veroeffentlichen")
    assert response.status_code == 303
    page = cora.html(f"{BASE}/")
    assert "„tagesfrage“ Version 1 ist jetzt aktiv" in page
    assert "tagesfrage" in app.extensions["kiosk_forms"]
    assert form_uploads.waiting(str(instance)) == []
    assert ("cora", "form_published", "tagesfrage", "Version 1") in audit_events(app)
    assert cora.get(f"{BASE}/entwurf/{upload_id}").status_code == 404


def test_a_new_version_waits_while_a_visitor_answers_the_old(app, cora, visitor):
    visitor.start("feedback")  # an unfinished answer on the shipped feedback form
    survey = [SURVEY[0], ["select_one tag", "today", "Wie war es heute?", "", "", "", "yes"]]
    upload_id = uploaded(cora, xlsform("feedback", survey))
    cora.post(f"{BASE}/entwurf/{upload_id}/veroeffentlichen")
    page = cora.html(f"{BASE}/")
    assert "„feedback“ Version 1 wartet" in page
    assert 'class="status status-silent">Version 1<' in page


def test_publishing_without_csrf_token_publishes_nothing(app, cora):
    upload_id = uploaded(cora)
    assert cora.client.post(f"{BASE}/entwurf/{upload_id}/veroeffentlichen").status_code == 400
    assert counts(app)[3] == 0


def test_discarding_removes_the_entwurf(app, cora, instance):
    upload_id = uploaded(cora)
    assert cora.post(f"{BASE}/entwurf/{upload_id}/verwerfen").status_code == 303
    assert form_uploads.waiting(str(instance)) == []
    assert ("cora", "form_discarded", "tagesfrage", "tagesfrage.xlsx") in audit_events(app)


# --- Pinning ------------------------------------------------------------------------------------


def test_a_form_is_pinned_and_let_go(app, cora):
    cora.post(f"{BASE}/entwurf/{uploaded(cora)}/veroeffentlichen")
    assert cora.post(f"{BASE}/tagesfrage/festhalten", {"version": "1"}).status_code == 303
    with database(app):
        assert [(p.slug, p.number, p.pinned_by) for p in FormPin.select()] == [
            ("tagesfrage", 1, "cora")
        ]
    assert "festgehalten bei Version 1" in cora.html(f"{BASE}/")
    assert cora.post(f"{BASE}/tagesfrage/festhalten", {"version": ""}).status_code == 303
    with database(app):
        assert FormPin.select().count() == 0
    actions = [event[1:] for event in audit_events(app) if event[1].startswith("form_")]
    assert ("form_pinned", "tagesfrage", "Version 1") in actions
    assert ("form_unpinned", "tagesfrage", "") in actions


def test_pinning_an_unknown_version_is_refused(app, cora):
    cora.post(f"{BASE}/entwurf/{uploaded(cora)}/veroeffentlichen")
    assert cora.post(f"{BASE}/tagesfrage/festhalten", {"version": "7"}).status_code == 422
    assert cora.post(f"{BASE}/tagesfrage/festhalten", {"version": "x"}).status_code == 400
    assert (
        cora.client.post(f"{BASE}/tagesfrage/festhalten", data={"version": "1"}).status_code == 400
    )
    with database(app):
        assert FormPin.select().count() == 0


def test_the_answers_fit_in_the_preview_url():
    short = {"tag": "gut", "wahl": ["a", "b"], "_typed": {"jahr": ["٢٠١٦", "2016"]}}
    assert read_state(write_state(short)) == short
    # Long texts that compress badly (every letter differs) are shortened to fit the URL.
    letters = "".join(chr(0x0627 + (i * 7919) % 40) + chr(0x41 + i % 26) for i in range(900))
    long = {"kommentar": letters, "wunsch": letters[:700], "tag": "gut"}
    encoded = write_state(long)
    assert len(encoded) <= 1500
    shown = read_state(encoded)
    assert shown["tag"] == "gut" and shown["kommentar"].endswith("…")
    assert letters.startswith(shown["kommentar"][:-1])
    assert read_state("eJzLSM3JyQcABiwCFQ") == {}  # not a JSON object


def test_the_audit_log_says_what_happened_to_a_form(app, cora):
    cora.post(f"{BASE}/entwurf/{uploaded(cora)}/veroeffentlichen")
    with database(app):
        event = AuditEvent.get(AuditEvent.action == "form_published")
        assert sentence(event, {}).text == "cora veröffentlichte das Formular tagesfrage: Version 1"

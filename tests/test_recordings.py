"""The Sprachpaten's recordings and German renderings through the Flask test client (issue 17):
upload limits, who may record and approve, only approved recordings play, a changed text needs
a new recording, backups carry the files; comments named with the visitor's language, their
German rendering on the review page and in the report, approval that can require one."""

import io
import os
import re
import sqlite3
import stat
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

import kiosk.migrations
from kiosk import create_app
from kiosk.clock import utcnow
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.i18n import overrides
from kiosk.maintenance.backup import CARRIED_FOLDERS, create_backup, restore_backup
from kiosk.models import (
    Answer,
    AuditEvent,
    CommentApproval,
    CommentRendering,
    Recording,
    Site,
    User,
)
from kiosk.models.sprachpaten import TranslationOverride, message_key
from kiosk.reports.periods import parse_period
from kiosk.reports.render import render_html
from kiosk.reports.summary import build_summary
from kiosk.views.spoken_texts import INTERFACE_TEXTS, spoken_texts
from kiosk.visitor.audio import AUDIO_FOLDER, recording_url, text_hash

import pg_support
from factories import add_office, add_submission, add_user
from opus_samples import ogg_opus, ogg_page, webm
from server import AuthActions, log_in

HTMX = {"HX-Request": "true"}
QUESTION = "Wie war es heute?"  # the feedback form's first question
PEOPLE = {  # name: (role, languages spoken)
    "amal": ("volunteer", ["ar"]),
    "bilal": ("volunteer", ["ar"]),
    "dora": ("volunteer", ["uk"]),
    "emil": ("volunteer", []),
    "kim": ("coordinator", []),
}
ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def database(app):
    with app.app_context(), db.connection_context():
        yield


@pytest.fixture
def people(app):
    for name, (role, _) in PEOPLE.items():
        add_user(app, name, role)
    with database(app):
        for name, (_, speaks) in PEOPLE.items():
            User.update(speaks=speaks).where(User.name == name).execute()


class Staff:
    """One logged-in person in a browser of their own."""

    def __init__(self, app, name):
        self.client = app.test_client()
        log_in(self.client, name)
        self.token = AuthActions(self.client).token("/review/")

    def post(self, url, data=None, **kwargs):
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, **kwargs)

    def upload(self, lang, text, data, name="aufnahme.webm", htmx=True):
        """The multipart upload recorder.js sends (encoded here: the test client would spool a
        large body to a temporary file it never closes)."""
        boundary = uuid.uuid4().hex
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{self.token}\r\n--{boundary}\r\n"
            f'Content-Disposition: form-data; name="audio"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        return self.client.post(
            f"/review/recordings/{lang}/{text.hash}",
            data=head.encode() + data + f"\r\n--{boundary}--\r\n".encode(),
            content_type=f"multipart/form-data; boundary={boundary}",
            headers=HTMX if htmx else {},
        )


@pytest.fixture
def staff(app, people):
    return lambda name: Staff(app, name)


def text_of(app, lang, german=QUESTION):
    with app.test_request_context("/review/"), db.connection_context():
        return next(text for text in spoken_texts(lang) if text.german == german)


def plays(app, lang, words) -> str | None:
    with app.test_request_context("/"):
        return recording_url(lang, words)


def takes(app, **where):
    with database(app):
        return list(Recording.select().filter(**where).order_by(Recording.id))


def audit_actions(app, prefix):
    with database(app):
        events = AuditEvent.select().order_by(AuditEvent.id)
        return [(e.user_name, e.action) for e in events if e.action.startswith(prefix)]


def approved_recording(app, staff, lang="ar", german=QUESTION, data=None):
    text = text_of(app, lang, german)
    assert staff("amal").upload(lang, text, data or webm(seconds=2)).status_code == 200
    (take,) = takes(app, state="pending", text_hash=text.hash)
    assert staff("bilal").post(f"/review/recordings/take/{take.id}/approve").status_code == 303
    return text, take


# --- The page -------------------------------------------------------------------------------------


def test_the_language_page_lists_the_spoken_texts_and_may_use_the_microphone(app, staff):
    amal = staff("amal")
    response = amal.client.get("/review/recordings/ar")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    question = text_of(app, "ar")
    assert question.text in html and f'id="text-{question.hash}"' in html
    assert "Einwilligung, ganz" in html  # the consent's full wording, read as one text
    assert "Wegweiser" in html and "keine" in html
    assert "microphone=(self)" in response.headers["Permissions-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    # The take just recorded is listened to from a blob: URL before it is sent.
    assert "media-src 'self' blob:" in response.headers["Content-Security-Policy"]
    assert "blob:" not in amal.client.get("/review/").headers["Content-Security-Policy"]
    # Every other page keeps the microphone forbidden; no inline script on this one.
    assert "microphone=()" in amal.client.get("/review/").headers["Permissions-Policy"]
    assert "microphone=()" in amal.client.get("/review/recordings/").headers["Permissions-Policy"]
    assert re.findall(r"<script(?![^>]*\ssrc=)", html) == []
    assert "/static/js/recorder" in html


def test_the_listed_words_are_those_the_kiosk_reads_aloud(app, visitor):
    text = text_of(app, "ar")
    visitor.lang = "ar"
    visitor.start("feedback")
    assert f'data-say="{text.text}"' in visitor.get_html()
    # The Wegweiser's headings read aloud are listed: each `speaker(_("…"))` of the templates.
    literal = re.compile(r'speaker\(_\("([^"]+)"\)\)')
    found = {
        m
        for path in (ROOT / "templates").rglob("*.html")
        for m in literal.findall(path.read_text())
    }
    assert found <= set(INTERFACE_TEXTS)


# --- Who may record and approve ---------------------------------------------------------------


def test_the_recorder_cannot_approve_their_own_take_a_second_sprachpate_can(app, staff):
    text = text_of(app, "ar")
    assert staff("amal").upload("ar", text, webm(seconds=2)).status_code == 200
    (take,) = takes(app)
    assert (take.state, take.recorded_by, take.duration_ms) == ("pending", "amal", 1980)
    path = Path(app.instance_path) / AUDIO_FOLDER / "takes" / f"{take.id}.webm"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert plays(app, "ar", text.text) is None  # waiting: not played

    own = staff("amal").post(f"/review/recordings/take/{take.id}/approve", headers=HTMX)
    assert own.status_code == 403 and "zweite Person" in own.get_data(as_text=True)
    assert takes(app)[0].state == "pending"

    second = staff("bilal").post(f"/review/recordings/take/{take.id}/approve", headers=HTMX)
    assert second.status_code == 200 and "freigegeben" in second.get_data(as_text=True)
    (take,) = takes(app)
    assert (take.state, take.approved_by) == ("approved", "bilal")
    assert plays(app, "ar", text.text).startswith(f"/audio/ar/{text.hash}.")
    assert not path.exists()  # moved where the speaker button finds it
    assert audit_actions(app, "recording_") == [
        ("amal", "recording_uploaded"),
        ("bilal", "recording_approved"),
    ]


def test_a_coordinator_approves_in_every_language(app, staff):
    text = text_of(app, "ar")
    staff("amal").upload("ar", text, ogg_opus(1.5), name="aufnahme.ogg")
    (take,) = takes(app)
    assert take.ext == "ogg" and take.duration_ms == 1500
    assert staff("kim").post(f"/review/recordings/take/{take.id}/approve").status_code == 303
    assert plays(app, "ar", text.text).endswith(".ogg")


@pytest.mark.parametrize("name", ["dora", "emil"])
def test_who_does_not_speak_the_language_may_not_record_or_approve(app, staff, name):
    text = text_of(app, "ar")
    assert staff(name).upload("ar", text, webm()).status_code == 403
    staff("amal").upload("ar", text, webm())
    (take,) = takes(app)
    assert staff(name).post(f"/review/recordings/take/{take.id}/approve").status_code == 403
    assert staff(name).post(f"/review/recordings/take/{take.id}/discard").status_code == 403
    assert takes(app)[0].state == "pending"
    page = staff(name).client.get("/review/recordings/ar").get_data(as_text=True)
    assert 'class="recorder"' not in page and "Freigeben</button>" not in page


def test_without_login_the_pages_lead_to_the_login(client):
    assert client.get("/review/recordings/ar").status_code == 302
    assert client.get("/review/recordings/take/1").status_code == 302


def test_a_waiting_take_can_be_listened_to_and_discarded(app, staff):
    text = text_of(app, "ar")
    data = webm(seconds=1)
    staff("amal").upload("ar", text, data)
    staff("amal").upload("ar", text, webm(seconds=3))  # "noch einmal": replaces the first
    (take,) = takes(app)
    assert take.duration_ms == 2980
    with staff("bilal").client.get(f"/review/recordings/take/{take.id}") as response:
        assert response.status_code == 200 and response.mimetype == "audio/webm"
        assert response.headers["Cache-Control"] == "no-store"
    assert staff("bilal").post(f"/review/recordings/take/{take.id}/discard").status_code == 303
    assert takes(app) == []
    assert os.listdir(Path(app.instance_path) / AUDIO_FOLDER / "takes") == []
    assert [action for _, action in audit_actions(app, "recording_")] == [
        "recording_uploaded",
        "recording_uploaded",
        "recording_removed",
    ]


def test_an_approved_recording_can_be_removed(app, staff):
    text, _ = approved_recording(app, staff)
    response = staff("amal").post(f"/review/recordings/ar/{text.hash}/remove", headers=HTMX)
    assert response.status_code == 200
    assert plays(app, "ar", text.text) is None and takes(app) == []
    assert audit_actions(app, "recording_removed") == [("amal", "recording_removed")]


# --- Limits ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (webm(seconds=61), 422, "höchstens 60 Sekunden"),
        (ogg_opus(61), 422, "höchstens 60 Sekunden"),
        (webm() + b"\x00" * (1024 * 1024), 413, "zu groß"),
        (b"<html><script>alert(1)</script></html>", 415, "keine Tonaufnahme"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64, 415, "keine Tonaufnahme"),
        (webm(codec="V_VP8"), 415, "anderes als Opus"),
        (webm(doc_type="mkv3d"), 415, "kein WebM"),
        (
            ogg_page([b"\x01vorbis" + bytes(23)], 0, 0, 0x02) + b"OggS...",
            415,
            "kein Opus",
        ),
        (webm(seconds=2)[:-7], 422, "abgeschnitten"),
        (ogg_opus(seconds=0), 422, "leer"),
        (b"", 422, "leer"),
    ],
    ids=[
        "too-long-webm",
        "too-long-ogg",
        "too-big",
        "html",
        "wav",
        "video",
        "doctype",
        "ogg-vorbis",
        "cut-off",
        "empty-ogg",
        "empty",
    ],
)
def test_what_is_not_a_short_opus_recording_is_refused(app, staff, data, status, words):
    text = text_of(app, "ar")
    response = staff("amal").upload("ar", text, data)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert words in html and f'id="text-{text.hash}"' in html  # the row, with the reason
    assert takes(app) == []
    assert not (Path(app.instance_path) / AUDIO_FOLDER / "takes").exists() or not os.listdir(
        Path(app.instance_path) / AUDIO_FOLDER / "takes"
    )


def test_a_refused_upload_without_javascript_shows_the_page_with_the_reason(app, staff):
    text = text_of(app, "ar")
    response = staff("amal").upload("ar", text, b"kein Ton", htmx=False)
    assert response.status_code == 415
    html = response.get_data(as_text=True)
    assert "<h1>Aufnahmen: Arabisch" in html and "keine Tonaufnahme" in html
    assert "microphone=(self)" in response.headers["Permissions-Policy"]


def test_a_body_far_over_the_limit_is_refused_in_german(app, staff):
    text = text_of(app, "ar")
    response = staff("amal").upload("ar", text, b"OggS" + b"\x00" * (1024 * 1024 + 70 * 1024))
    assert response.status_code == 413
    assert "höchstens 1024 KiB" in response.get_data(as_text=True)


def test_a_take_of_a_text_that_is_not_current_is_refused(app, staff):
    response = staff("amal").post(
        f"/review/recordings/ar/{text_hash('Ein alter Text')}",
        {"audio": (io.BytesIO(webm()), "a.webm")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404 and takes(app) == []


# --- Only approved recordings play; a changed text needs a new one -------------------------


def test_the_kiosk_plays_only_an_approved_recording(app, client, visitor, staff):
    text = text_of(app, "ar")
    staff("amal").upload("ar", text, webm(seconds=2))
    visitor.lang = "ar"
    visitor.start("feedback")
    assert "data-audio" not in visitor.get_html()
    (take,) = takes(app)
    staff("kim").post(f"/review/recordings/take/{take.id}/approve")
    visitor.start("feedback")
    url = re.search(r'data-say="[^"]+" data-lang="ar" data-audio="([^"]+)"', visitor.get_html())
    assert url and url.group(1).startswith(f"/audio/ar/{text.hash}.")
    with client.get(url.group(1)) as response:
        assert response.status_code == 200 and response.mimetype == "audio/webm"


def test_a_corrected_translation_asks_for_a_new_recording(app, staff):
    text, _ = approved_recording(app, staff)
    with database(app):
        TranslationOverride.create(
            lang="ar",
            key=message_key(QUESTION),
            msgid=QUESTION,
            forms=["كيف كان اليوم بالنسبة لك؟"],
            state="geändert",
            checked_by="bilal",
            catalog_forms=[text.text],
        )
        overrides.invalidate()
    changed = text_of(app, "ar")
    assert changed.text == "كيف كان اليوم بالنسبة لك؟" and changed.hash != text.hash
    assert plays(app, "ar", changed.text) is None
    html = staff("amal").client.get("/review/recordings/ar").get_data(as_text=True)
    row = html.split(f'id="text-{changed.hash}"')[1].split("</li>")[0]
    assert "neu aufnehmen" in row and text.text in row  # the old one, kept for reference
    assert f"/audio/ar/{text.hash}." in row
    assert plays(app, "ar", text.text)  # the file stays; the changed text never finds it


def test_a_changed_directory_text_asks_for_a_new_recording(app, staff):
    german = "Hilfe bei der Wohnungssuche."
    arabic = {"text": "مساعدة في البحث عن سكن.", "source": german}
    texts = {"summary": {"de": {"text": german}, "ar": arabic}}
    with database(app):
        office = add_office("Wohnungsamt", ["housing"], texts=texts)
    text, _ = approved_recording(app, staff, german="Hilfe bei der Wohnungssuche.")
    assert text.key == "wegweiser:wohnungsamt:summary"
    with database(app):
        texts["summary"]["ar"]["text"] = "مساعدة في إيجاد سكن."
        office.texts = texts
        office.save()
    changed = text_of(app, "ar", "Hilfe bei der Wohnungssuche.")
    html = staff("amal").client.get("/review/recordings/ar?zeigen=offen").get_data(as_text=True)
    assert f'id="text-{changed.hash}"' in html and f'id="text-{text.hash}"' not in html
    assert "neu aufnehmen" in html.split(f'id="text-{changed.hash}"')[1].split("</li>")[0]


def test_an_imported_recording_counts_as_approved(app, runner, staff, tmp_path):
    text = text_of(app, "ar")
    (tmp_path / f"{text.hash}.ogg").write_bytes(ogg_opus())
    assert runner.invoke(args=["audio", "import", str(tmp_path), "--lang", "ar"]).exit_code == 0
    (row,) = takes(app)
    assert (row.state, row.text_key) == ("approved", QUESTION)
    html = staff("amal").client.get("/review/recordings/ar").get_data(as_text=True)
    assert "importiert am" in html.split(f'id="text-{text.hash}"')[1].split("</li>")[0]
    assert audit_actions(app, "recording_") == [("cli", "recording_imported")]


# --- Migration 0011 -------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def old_app(request, instance, monkeypatch):
    """An app whose database has every migration before 0011."""
    config = {"SECRET_KEY": "test-secret", "TESTING": True}
    if request.param == "postgresql":
        config["DATABASE_URL"] = pg_support.server().new_database()
    names = [name for name in kiosk.migrations.available() if name < "0011"]
    app = create_app(config)
    with app.app_context(), db.connection_context(), monkeypatch.context() as patch:
        patch.setattr(kiosk.migrations, "available", lambda: names)
        kiosk.migrations.apply_migrations(db.obj)
        assert not Recording.table_exists()
    return app


def test_migration_0011_keeps_the_imported_recordings_playing(old_app):
    text = text_of(old_app, "ar")
    legacy = Path(old_app.instance_path) / AUDIO_FOLDER / "ar" / f"{text.hash}.ogg"
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(ogg_opus())  # as `kiosk audio import` stored it before
    assert "0011_recordings" in prepare_database(old_app)
    assert plays(old_app, "ar", text.text).startswith(f"/audio/ar/{text.hash}.")
    add_user(old_app, "kim", "coordinator")
    html = Staff(old_app, "kim").client.get("/review/recordings/ar").get_data(as_text=True)
    row = html.split(f'id="text-{text.hash}"')[1].split("</li>")[0]
    assert "freigegeben" in row and "(importiert)" in row
    # A rendering goes with its answer (ON DELETE CASCADE), on either database.
    _, answer = feedback(old_app, UKRAINIAN, "uk")
    with database(old_app):
        CommentRendering.create(answer=answer, text="Danke.", by="kim")
        Answer.delete().where(Answer.id == answer).execute()
        assert CommentRendering.select().count() == 0


# --- Backups --------------------------------------------------------------------------------------


def test_a_backup_carries_the_recordings_and_a_restore_brings_them_back(app, staff):
    text, _ = approved_recording(app, staff)
    other = text_of(app, "ar", "Kommen Sie wieder?")
    staff("amal").upload("ar", other, ogg_opus(), name="a.ogg")
    (waiting,) = takes(app, state="pending")
    backup = create_backup(app)
    connection = sqlite3.connect(backup)
    carried = dict(connection.execute("SELECT path, data FROM backup_carried_file"))
    connection.close()
    assert set(carried) == {f"audio/ar/{text.hash}.webm", f"audio/takes/{waiting.id}.ogg"}
    assert CARRIED_FOLDERS == (AUDIO_FOLDER,)

    audio = Path(app.instance_path) / AUDIO_FOLDER
    (audio / "ar" / f"{text.hash}.webm").unlink()
    (audio / "ar" / f"{'0' * 16}.webm").write_bytes(webm())  # made after the backup
    restore_backup(app, backup)

    assert sorted(str(p.relative_to(audio)) for p in audio.rglob("*") if p.is_file()) == sorted(
        [f"ar/{text.hash}.webm", f"takes/{waiting.id}.ogg"]
    )
    assert (audio / "ar" / f"{text.hash}.webm").read_bytes() == carried[
        f"audio/ar/{text.hash}.webm"
    ]
    assert stat.S_IMODE((audio / "takes" / f"{waiting.id}.ogg").stat().st_mode) == 0o600
    live = sqlite3.connect(os.path.join(app.instance_path, "kiosk.sqlite3"))
    tables = {row[0] for row in live.execute("SELECT name FROM sqlite_master")}
    live.close()
    assert "backup_carried_file" not in tables and "recording" in tables


# --- Comments in other languages ----------------------------------------------------------------

UKRAINIAN = "Дякую за допомогу з документами."
ARABIC = "شكراً على المساعدة."


def feedback(app, comment, lang):
    answers = {"today": "4", "helped": ["people"], "come_again": "yes", "consent": "yes"}
    with database(app):
        submission = add_submission(
            app, "feedback", {**answers, "comment": comment}, utcnow(), lang
        )
        return submission.id, Answer.get(
            Answer.submission == submission, Answer.field == "comment"
        ).id


def test_a_sprachpate_adds_a_german_rendering_shown_under_the_comment(app, staff):
    submission, answer = feedback(app, UKRAINIAN, "uk")
    dora = staff("dora")
    page = dora.client.get(f"/review/{submission}").get_data(as_text=True)
    assert 'lang="uk"' in page and "Deutsche Fassung hinzufügen" in page
    response = dora.post(
        f"/review/answers/{answer}/rendering", {"text": "Danke für die Hilfe."}, headers=HTMX
    )
    assert response.status_code == 200 and "Deutsche Fassung gespeichert" in response.get_data(
        as_text=True
    )
    page = staff("kim").client.get(f"/review/{submission}").get_data(as_text=True)
    original, rendering = page.index(UKRAINIAN), page.index("Danke für die Hilfe.")
    assert original < rendering and "Deutsche Fassung · dora" in page
    # Someone who does not speak Ukrainian may read it, not write it.
    amal = staff("amal")
    assert "Deutsche Fassung hinzufügen" not in amal.client.get(f"/review/{submission}").get_data(
        as_text=True
    )
    assert amal.post(f"/review/answers/{answer}/rendering", {"text": "x"}).status_code == 403
    assert audit_actions(app, "rendering_") == [("dora", "rendering_saved")]


def test_a_german_comment_gets_no_rendering(app, staff):
    submission, answer = feedback(app, "Alles gut.", "de")
    assert "Deutsche Fassung" not in staff("kim").client.get(f"/review/{submission}").get_data(
        as_text=True
    )
    response = staff("kim").post(f"/review/answers/{answer}/rendering", {"text": "x"}, headers=HTMX)
    assert response.status_code == 422 and "auf Deutsch geschrieben" in response.get_data(
        as_text=True
    )


def test_the_report_names_the_chosen_language_and_prints_the_rendering(app, staff):
    _, rendered = feedback(app, ARABIC, "uk")  # Arabic letters, Ukrainian chosen: Ukrainian
    _, plain = feedback(app, "Мені подобається.", "uk")
    staff("dora").post(f"/review/answers/{rendered}/rendering", {"text": "Danke für die Hilfe."})
    for answer in (rendered, plain):
        staff("dora").post(f"/review/answers/{answer}/approval", {"approved": "1"})
    with database(app):
        period = parse_period(f"{utcnow():%Y-%m}")
        summary = build_summary(Site.get(), period, 3)
    items = summary["comments"]["items"]
    assert [(c["lang"], c["caption"], c["german"]) for c in items] == [
        ("uk", "Kommentar auf Ukrainisch", "Danke für die Hilfe."),
        ("uk", "Kommentar auf Ukrainisch", ""),
    ]
    with app.test_request_context():
        html = render_html(summary, utcnow())
    assert ARABIC in html and "Deutsche Fassung:</span> Danke für die Hilfe." in html


def test_approval_can_require_a_german_rendering(app, staff):
    app.config["REPORT_COMMENTS_NEED_GERMAN"] = True
    _, answer = feedback(app, UKRAINIAN, "uk")
    _, german = feedback(app, "Sehr nett hier.", "de")
    dora = staff("dora")
    refused = dora.post(f"/review/answers/{answer}/approval", {"approved": "1"}, headers=HTMX)
    assert refused.status_code == 422 and "zuerst eine deutsche Fassung" in refused.get_data(
        as_text=True
    )
    assert dora.post(f"/review/answers/{german}/approval", {"approved": "1"}).status_code == 303
    dora.post(f"/review/answers/{answer}/rendering", {"text": "Danke für die Hilfe."})
    assert dora.post(f"/review/answers/{answer}/approval", {"approved": "1"}).status_code == 303
    with database(app):
        assert CommentApproval.select().count() == 2
    # While approved, the rendering cannot be emptied.
    emptied = dora.post(f"/review/answers/{answer}/rendering", {"text": " "}, headers=HTMX)
    assert emptied.status_code == 422 and "Freigabe zurücknehmen" in emptied.get_data(as_text=True)


def test_without_the_setting_a_comment_is_approved_without_a_rendering(app, staff):
    _, answer = feedback(app, UKRAINIAN, "uk")
    assert (
        staff("dora").post(f"/review/answers/{answer}/approval", {"approved": "1"}).status_code
        == 303
    )


def test_the_rendering_is_erased_with_the_submission(app, staff):
    submission, answer = feedback(app, UKRAINIAN, "uk")
    staff("dora").post(f"/review/answers/{answer}/rendering", {"text": "Danke."})
    with database(app):
        assert CommentRendering.select().count() == 1
    kim = staff("kim")
    assert kim.post(f"/review/{submission}/erase", {"reason": "Wunsch"}).status_code == 303
    with database(app):
        assert Answer.select().where(Answer.id == answer).count() == 0
        assert CommentRendering.select().count() == 0

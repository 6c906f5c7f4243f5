"""Published form versions on a kiosk (kiosk/publishing/): a version comes in force at once when
nobody is answering that form, waits while a visitor is (who finishes on the old version), is
stored once per content, refused whole when broken, held by a pin; another process sees it within
the recheck; its translations reach gettext below the Sprachpaten's corrections and its texts the
Sprachpaten pages. Through the Flask test client on a fresh instance.
"""

import html
import re
from datetime import timedelta

import pytest
from conftest import Visitor

from kiosk import changes, create_app
from kiosk.clock import utcnow
from kiosk.db import prepare_database
from kiosk.formspec.package import FormPackage
from kiosk.models import Draft, FormVersion, Submission, User
from kiosk.models.forms import PublishedForm
from kiosk.models.sprachpaten import TranslationOverride, message_key
from kiosk.publishing import (
    RECHECK_SECONDS,
    PublishError,
    activate_ready,
    form_states,
    form_translations,
    forms_in_force,
    pin,
    publish,
    refresh,
)
from kiosk.publishing.store import activate
from kiosk.scheduler import run_once

from factories import add_user
from server import log_in
from sync_support import within

QUESTION = "Wie oft fahren Sie Rad?"
QUESTION_AR = "كم مرة تركب الدراجة؟"


def source(label: str = QUESTION, title: str = "Fahrrad") -> str:
    return f'''title = "{title}"
purpose = "Wir zählen, wer ein Fahrrad braucht."
retention_days = 30
order = 40

[[fields]]
name = "often"
type = "single"
label = "{label}"
required = true
options = [
  {{ value = "daily", label = "Jeden Tag" }},
  {{ value = "never", label = "Nie" }},
]
'''


def package(label: str = QUESTION, translations=None, reviewed=None, slug="fahrrad"):
    translations = (
        {"ar": {label: QUESTION_AR, "Fahrrad": "دراجة"}} if translations is None else translations
    )
    return FormPackage(slug, source(label), translations, reviewed or {})


def make_app():
    app = create_app(
        {"SECRET_KEY": "test-secret", "TESTING": True, "SCHEDULER_INTERVAL_SECONDS": 0}
    )
    prepare_database(app)
    return app


@pytest.fixture
def app(instance):
    return make_app()


def publish_in(app, *args, **kwargs) -> PublishedForm:
    with within(app):
        return publish(*args, by=kwargs.pop("by", "test"), **kwargs)


def label_in_force(app, slug: str = "fahrrad") -> str | None:
    spec = app.extensions["kiosk_forms"].get(slug)
    return spec.fields[0].label if spec else None


def states(app, slug: str = "fahrrad") -> list[tuple[int, str]]:
    with within(app):
        return [(row.number, row.state) for row in PublishedForm.of_slug(slug)]


class Clock:
    """The registry's clock, moved on by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def later(self):
        self.now += RECHECK_SECONDS


def clocked(app) -> Clock:
    clock = app.extensions["kiosk_publishing"].clock = Clock()
    return clock


# --- Publishing and activation ------------------------------------------------------------------


def test_a_version_comes_in_force_at_once_when_nobody_answers_the_form(app, instance):
    assert "fahrrad" not in app.extensions["kiosk_forms"]
    row = publish_in(app, package(), by="Amal")
    assert (row.number, row.state, row.origin, row.published_by) == (1, "active", "upload", "Amal")
    assert row.activated_at is not None
    assert label_in_force(app) == QUESTION
    assert list(app.extensions["kiosk_forms"])[-1] == "fahrrad"  # order 40: after the shipped
    assert (instance / "forms" / "fahrrad.toml").read_text(encoding="utf-8") == source()
    assert (instance / "forms" / "fahrrad.translations.json").exists()
    assert app.extensions["kiosk_forms"] == forms_in_force(app)
    # a new process starts with it
    assert label_in_force(make_app()) == QUESTION

    visitor = Visitor(app.test_client())
    visitor.start("fahrrad")
    assert QUESTION in html.unescape(visitor.get_html())


def test_a_published_version_of_a_shipped_form_replaces_it_and_old_answers_keep_theirs(app):
    with within(app):
        old = FormVersion.for_spec(app.extensions["kiosk_forms"]["visit"])
    shipped = app.config["FORMS_DIR"] + "/visit.toml"
    with open(shipped, encoding="utf-8") as file:
        text = file.read().replace("Warum sind Sie heute hier?", "Was führt Sie heute zu uns?")
    publish_in(app, FormPackage("visit", text))
    assert label_in_force(app, "visit") == "Was führt Sie heute zu uns?"
    visitor = Visitor(app.test_client())
    visitor.start("visit")
    visitor.answer("german")  # one tap sends it
    with within(app):
        (submission,) = Submission.select()
        assert submission.form_version.id != old.id
        assert submission.form_version.spec["fields"][0]["label"] == "Was führt Sie heute zu uns?"
        assert FormVersion.get_by_id(old.id).number == 1  # still there, for the old answers


def test_with_an_open_draft_the_new_version_waits_and_the_draft_finishes_on_the_old(app):
    clock = clocked(app)
    publish_in(app, package())
    visitor = Visitor(app.test_client())
    visitor.start("fahrrad")
    assert QUESTION in html.unescape(visitor.get_html())

    second = publish_in(app, package("Wie oft fahren Sie Fahrrad?"))
    assert second.state == "pending"
    assert states(app) == [(1, "active"), (2, "pending")]
    assert label_in_force(app) == QUESTION
    with within(app):
        assert activate_ready() == []

    visitor.answer("daily")
    visitor.submit()
    assert "/thanks/" in visitor.url
    with within(app):
        (submission,) = Submission.select()
        assert submission.form_version.spec["fields"][0]["label"] == QUESTION
        assert Draft.select().count() == 0

    # the draft's end is noticed by the throttled check before a request
    app.test_client().get("/de/")
    assert states(app) == [(1, "active"), (2, "pending")]  # checked a moment ago
    clock.later()
    app.test_client().get("/de/")
    assert states(app) == [(1, "replaced"), (2, "active")]
    assert label_in_force(app) == "Wie oft fahren Sie Fahrrad?"


def test_the_scheduler_activates_what_waited_and_an_expired_draft_does_not_hold_it(app):
    publish_in(app, package())
    Visitor(app.test_client()).start("fahrrad")
    publish_in(app, package("Wie oft fahren Sie Fahrrad?"))
    assert run_once(app)["forms"] == []
    with within(app):
        old = utcnow() - timedelta(hours=app.config["DRAFT_MAX_AGE_HOURS"] + 1)
        Draft.update(updated_at=old).execute()
    assert [row.number for row in run_once(app)["forms"]] == [2]
    assert label_in_force(app) == "Wie oft fahren Sie Fahrrad?"


def test_the_same_content_twice_stores_nothing_new(app):
    first = publish_in(app, package())
    again = publish_in(app, package(), by="Stadthaus", origin="hub")
    assert again.id == first.id and again.origin == "upload"
    assert states(app) == [(1, "active")]
    # a pending version published again is that pending version
    Visitor(app.test_client()).start("fahrrad")
    pending = publish_in(app, package("Neu?"))
    assert publish_in(app, package("Neu?")).id == pending.id
    assert states(app) == [(1, "active"), (2, "pending")]


@pytest.mark.parametrize(
    ("broken", "said"),
    [
        (FormPackage("fahrrad", source().replace("retention_days = 30\n", "")), "retention_days"),
        (FormPackage("fahrrad", "title = "), "fehlerhaft"),
        (package(translations={"ar": {QUESTION: "كم \u202e مرة"}}), "Übersetzung (ar)"),
        (package(translations={"de": {QUESTION: "Wie oft?"}}), "Deutsch"),
        (package(translations={"ar/../x": {QUESTION: "كم"}}), "kein Sprachcode"),
        (FormPackage("../fahrrad", source()), "Der Name"),
    ],
)
def test_a_broken_package_is_refused_in_german_and_nothing_changes(app, instance, broken, said):
    before = dict(app.extensions["kiosk_forms"])
    with within(app), pytest.raises(PublishError) as refused:
        publish(broken, by="test")
    assert said in str(refused.value)
    assert isinstance(refused.value, ValueError)
    assert states(app) == []
    assert not (instance / "forms" / "fahrrad.toml").exists()
    assert app.extensions["kiosk_forms"] == before


def test_an_unknown_origin_is_refused(app):
    with within(app), pytest.raises(PublishError, match="Herkunft"):
        publish(package(), by="test", origin="ftp")


# --- Pins -----------------------------------------------------------------------------------------


def test_a_pin_keeps_a_version_and_unpinning_brings_the_newest(app):
    publish_in(app, package("Erste Frage?"))
    publish_in(app, package("Zweite Frage?"))
    with within(app):
        pin("fahrrad", 1, by="Amal")
    assert states(app) == [(1, "active"), (2, "replaced")]
    assert label_in_force(app) == "Erste Frage?"

    third = publish_in(app, package("Dritte Frage?"))
    assert third.state == "pending"
    assert label_in_force(app) == "Erste Frage?"
    with within(app):
        (state,) = [state for state in form_states() if state.slug == "fahrrad"]
    assert (state.active_number, state.pending_number, state.pinned_number) == (1, 3, 1)
    assert state.numbers == (1, 2, 3) and state.source == "published" and not state.shipped

    with within(app):
        pin("fahrrad", None, by="Amal")
    assert states(app) == [(1, "replaced"), (2, "replaced"), (3, "active")]
    assert label_in_force(app) == "Dritte Frage?"


def test_a_pin_to_a_version_that_does_not_exist_is_refused(app):
    publish_in(app, package())
    with within(app), pytest.raises(PublishError, match="keine Version 7"):
        pin("fahrrad", 7, by="Amal")


def test_form_states_name_the_shipped_forms_too(app):
    with within(app):
        shipped = {state.slug: state for state in form_states()}
    assert shipped["intake"].source == "shipped" and shipped["intake"].origin == "shipped"
    assert shipped["intake"].active_number is None and shipped["intake"].title == "Anmeldung"


# --- Another process ------------------------------------------------------------------------------


def test_another_process_sees_a_new_form_within_the_recheck(app, monkeypatch):
    other = make_app()  # a second process on the same instance: `kiosk serve` beside a CLI import
    clock = clocked(other)
    assert "fahrrad" not in html.unescape(other.test_client().get("/ar/").get_data(as_text=True))

    with monkeypatch.context() as program:  # another program: its bell is not the server's
        program.setattr(changes, "ring", lambda topic: None)
        publish_in(app, package())
    assert "fahrrad" in app.extensions["kiosk_forms"]
    page = html.unescape(other.test_client().get("/ar/").get_data(as_text=True))
    assert "دراجة" not in page  # read a moment ago
    clock.later()
    page = html.unescape(other.test_client().get("/ar/").get_data(as_text=True))
    assert "دراجة" in page  # the new form's card, with its translated title
    assert "fahrrad" in other.extensions["kiosk_forms"]


def test_another_worker_of_the_server_sees_a_new_form_at_once(app):
    other = make_app()  # a worker forked from the same `kiosk serve`: one bell (kiosk/changes.py)
    clocked(other)  # its clock stands still: only the bell can tell it
    assert "fahrrad" not in html.unescape(other.test_client().get("/ar/").get_data(as_text=True))
    publish_in(app, package())
    page = html.unescape(other.test_client().get("/ar/").get_data(as_text=True))
    assert "دراجة" in page


# --- Translations ---------------------------------------------------------------------------------


def step_text(app, lang: str = "ar") -> str:
    visitor = Visitor(app.test_client(), lang)
    visitor.start("fahrrad")
    return html.unescape(visitor.get_html())


def test_the_translations_reach_gettext_and_a_correction_wins(app):
    publish_in(app, package(reviewed={"ar": ["Fahrrad"]}))
    assert QUESTION_AR in step_text(app)
    assert QUESTION in step_text(app, "de")

    add_user(app, "amal", "volunteer")
    with within(app):
        User.update(speaks=["ar"]).where(User.name == "amal").execute()
    client = app.test_client()
    auth = log_in(client, "amal")
    base = "/review/sprachpaten/ar"
    page = html.unescape(client.get(f"{base}/?bereich=form:fahrrad").get_data(as_text=True))
    rows = dict(re.findall(r'<tbody id="t-([0-9a-f]+)"(.*?)</tbody>', page, re.S))
    question, title = rows[message_key(QUESTION)], rows[message_key("Fahrrad")]
    assert QUESTION_AR in question and "maschinell" in question and "geprüft" not in question
    assert "دراجة" in title and "geprüft" in title and "XLSForm-Datei" in title
    with within(app):
        checked = TranslationOverride.held("ar", message_key("Fahrrad"))
    assert (checked.state, checked.checked_by, checked.forms) == (
        "geprüft",
        "XLSForm-Datei",
        ["دراجة"],
    )

    token = auth.token(f"{base}/")
    key = message_key(QUESTION)
    response = client.post(
        f"{base}/{key}/korrigieren",
        data={"csrf_token": token, f"t{key}-texts-0": "كم مرة تقود الدراجة؟"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    shown = step_text(app)
    assert "كم مرة تقود الدراجة؟" in shown and QUESTION_AR not in shown

    with within(app):
        translations, reviewed = form_translations(app.extensions["kiosk_forms"]["fahrrad"])
    assert translations["ar"][QUESTION] == "كم مرة تقود الدراجة؟"
    assert translations["ar"]["Fahrrad"] == "دراجة"
    assert set(reviewed["ar"]) == {QUESTION, "Fahrrad"}


def test_form_translations_of_a_shipped_form_come_from_the_catalogs(app):
    with within(app):
        translations, reviewed = form_translations(app.extensions["kiosk_forms"]["visit"])
    assert translations["ar"]["Besuch"]
    assert reviewed == {}


def test_a_draft_started_before_a_switch_finishes_on_its_version(app):
    """Two processes may race: a draft started just before the switch keeps its version."""
    publish_in(app, package())
    visitor = Visitor(app.test_client())
    visitor.start("fahrrad")
    pending = publish_in(app, package("Wie oft fahren Sie Fahrrad?"))
    with within(app):
        assert activate(pending).state == "active"  # as if the draft had not been seen
        refresh()
    assert label_in_force(app) == "Wie oft fahren Sie Fahrrad?"
    visitor.answer("never")
    visitor.submit()
    assert "/thanks/" in visitor.url
    with within(app):
        (submission,) = Submission.select()
    assert submission.form_version.spec["fields"][0]["label"] == QUESTION


def test_a_sprachpates_word_stays_when_a_file_marks_a_text_checked(app):
    with within(app):  # a correction from the Stadthaus's Sprachpaten, pulled with the directory
        TranslationOverride.create(
            lang="ar", key=message_key(QUESTION), msgid=QUESTION, forms=["كم مرة تقود؟"],
            state="geändert", checked_by="Stadthaus", origin="hub", catalog_forms=[],
        )  # fmt: skip
    publish_in(app, package(reviewed={"ar": [QUESTION, "Fahrrad"]}))
    with within(app):
        assert TranslationOverride.held("ar", message_key(QUESTION)) is None  # no local row
        assert TranslationOverride.held("ar", message_key("Fahrrad")).checked_by == "XLSForm-Datei"
    shown = step_text(app)
    assert "كم مرة تقود؟" in shown and QUESTION_AR not in shown


def test_the_instance_folder_is_put_right_from_the_database(app, instance):
    """After a restore of the database (or a stop between the files and the commit) the first
    check writes the active versions' files again and removes what is not active."""
    publish_in(app, package())
    (instance / "forms" / "fahrrad.toml").unlink()
    (instance / "forms" / "stray.toml").write_text(source(title="Streuner"), encoding="utf-8")
    again = make_app()
    assert "fahrrad" not in again.extensions["kiosk_forms"]
    assert "stray" in again.extensions["kiosk_forms"]
    again.test_client().get("/de/")
    assert label_in_force(again) == QUESTION
    assert "stray" not in again.extensions["kiosk_forms"]
    assert sorted(path.name for path in (instance / "forms").iterdir()) == [
        "fahrrad.toml",
        "fahrrad.translations.json",
    ]

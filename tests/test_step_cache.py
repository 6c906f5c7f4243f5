"""The step cache (kiosk/views/step_cache.py): a step swapped in by htmx is the same, byte for
byte apart from the CSRF token, whether it was rendered now or kept from another visitor; it
carries this visitor's own draft in its links; a typed answer is never kept; a Sprachpate's
correction and a new recording show at once."""

import html
import re

import pytest
from conftest import Visitor

from kiosk.i18n.overrides import invalidate
from kiosk.models.sprachpaten import TranslationOverride, message_key
from kiosk.views.step_cache import DRAFT_MARK, EXTENSION, TOKEN_MARK
from kiosk.visitor.audio import store_recording, text_hash

from opus_samples import ogg_opus
from sync_support import within

TOKEN_VALUE = re.compile(r'(name="csrf_token" value=")[^"]+(")')
UUID = re.compile(r"/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/")
HTMX = {"HX-Request": "true"}
SPEAKER = re.compile(r'<button type="button" class="speaker"[^>]*data-say="(?P<say>[^"]+)"[^>]*>')


class HtmxVisitor(Visitor):
    """A visitor whose browser runs htmx: answers come back as the next step's fragment."""

    def start(self, form):
        super().open(f"/{self.lang}/")  # the first page comes whole, with its CSRF token
        return self.post(f"/{self.lang}/{form}/")

    def post(self, url, data=None, **kwargs):
        response = super().post(url, data, headers=HTMX, **kwargs)
        self.url = response.headers.get("HX-Push-Url") or self.url
        return response

    def step_again(self) -> str:
        """The step the visitor is on, fetched again as htmx fetches it."""
        return self.client.get(self.url, headers=HTMX).get_data(as_text=True)


def without_token(html: str) -> str:
    return TOKEN_VALUE.sub(r"\1…\2", html)


def entries(app) -> list[str]:
    cache = app.extensions.get(EXTENSION)
    return [html for html, _ in cache.entries.values()] if cache else []


@pytest.fixture
def walker(client):
    return HtmxVisitor(client)


ANSWERS = {  # by step; a step not named here gets its first option
    "today": "4",
    "helped": ["advice"],
    "missing": ["childcare"],
    "consent": "yes",
    "comment": "Schön war es.",
    "name": "Amira",
    "languages": ["ar", "de"],
    "needs": ["housing"],
    "contact": "0151 2345678",
    "arrival_year": "2016",
}


def answer_of(walker) -> str | list[str]:
    name = walker.url.split("?")[0].rsplit("/step/", 1)[1]
    if name in ANSWERS:
        return ANSWERS[name]
    return re.search(r'name="answer" value="([^"]+)"', walker.get_html()).group(1)


@pytest.mark.parametrize("lang", ["de", "ar", "ti"])
@pytest.mark.parametrize("form", ["feedback", "intake"])
def test_a_kept_step_is_the_step_rendered_afresh(app, client, lang, form):
    walker = HtmxVisitor(client, lang)
    walker.start(form)
    compared = 0
    while not walker.url.endswith("/summary") and compared < 15:
        for _ in range(2):  # the first walk's render, kept; then as the next visitor gets it
            kept = walker.step_again()
        app.config["KIOSK_STEP_CACHE_ENTRIES"] = 0
        fresh = walker.step_again()
        app.config["KIOSK_STEP_CACHE_ENTRIES"] = 512
        assert without_token(kept) == without_token(fresh), walker.url
        assert DRAFT_MARK not in kept and TOKEN_MARK not in kept
        assert set(UUID.findall(kept)) == {walker.draft_url.rsplit("/", 1)[1]}
        walker.answer(answer_of(walker))
        assert walker.response.status_code == 200, walker.get_html()
        compared += 1
    assert walker.url.endswith("/summary") and compared >= 5
    assert entries(app), "nothing was kept"


def test_two_visitors_at_the_same_step_get_their_own_draft_and_token(app):
    first, second = HtmxVisitor(app.test_client()), HtmxVisitor(app.test_client())
    one, two = first.start("feedback"), second.start("feedback")
    assert len(entries(app)) == 1  # the second visitor's step came from the cache
    html_one, html_two = one.get_data(as_text=True), two.get_data(as_text=True)
    assert set(UUID.findall(html_one)) == {first.draft_url.rsplit("/", 1)[1]}
    assert set(UUID.findall(html_two)) == {second.draft_url.rsplit("/", 1)[1]}
    assert first.draft_url != second.draft_url
    assert TOKEN_VALUE.search(html_one).group(0) != TOKEN_VALUE.search(html_two).group(0)
    assert first.answer("4").status_code == 200  # each token is valid for its own visitor
    assert second.answer("5").status_code == 200


def test_a_typed_answer_is_never_kept(app, walker):
    walker.start("intake")
    walker.answer("yes")  # the consent; then the name
    name_step = walker.url
    assert name_step.endswith("/step/name")
    walker.answer("Zaynab Haddad")
    back = walker.client.get(name_step, headers=HTMX).get_data(as_text=True)
    assert 'value="Zaynab Haddad"' in back  # shown again to its visitor
    assert entries(app) and not any("Zaynab" in html for html in entries(app))


def test_a_sprachpates_correction_shows_at_once_on_a_kept_step(app, client):
    walker = HtmxVisitor(client, "ar")
    walker.start("feedback")
    walker.step_again()
    before = walker.step_again()  # kept
    question = re.search(r'<h1 id="question"[^>]*>.*?<span>([^<]+)', before, re.S).group(1)
    german = "Wie war es heute?"
    with within(app):
        TranslationOverride.create(
            lang="ar", key=message_key(german), msgid=german, forms=["سؤال مصحح"],
            state="geändert", checked_by="amal", origin="local", catalog_forms=[question],
        )  # fmt: skip
        invalidate()  # as saving a correction on the Sprachpaten's page does
    after = walker.step_again()
    assert "سؤال مصحح" in after and question not in after


def test_a_new_recording_shows_at_once_on_a_kept_step(app, client):
    walker = HtmxVisitor(client, "ar")
    walker.start("feedback")
    walker.step_again()
    before = walker.step_again()  # kept
    button = SPEAKER.search(before)
    assert "data-audio" not in button.group(0)
    with app.app_context():
        store_recording(app, "ar", f"{text_hash(html.unescape(button['say']))}.opus", ogg_opus())
    assert "data-audio" in SPEAKER.search(walker.step_again()).group(0)

"""The visitor's path in chromium against a real `kiosk serve`: htmx, RTL, timers, network."""

import json
import re
from uuid import UUID

import pytest
from playwright.sync_api import expect

from kiosk.config import defaults

from browser import (
    COUNT_SWAPS,
    PageLog,
    assert_same_page,
    draft_exists,
    draft_id,
    give_answer,
    mark_page,
    next_step,
    open_form,
    read_database,
    require_catalog,
    step_name,
    stored_submissions,
    summary_rows,
    swap,
    tap_option,
    walk_form,
)
from factories import INTAKE_ANSWERS
from server import KioskServer

pytestmark = pytest.mark.browser

INTAKE = INTAKE_ANSWERS
# The steps in the order of forms/intake.toml: what the volunteers need first, then the
# optional questions for the town's figures.
INTAKE_STEPS = [
    "consent",
    "name",
    "languages",
    "needs",
    "needs_other",
    "contact_way",
    "contact",
    "household",
    "arrival_year",
    "age_group",
]
INTAKE_QUESTIONS_DE = {
    "consent": "Dürfen wir Ihre Antworten speichern?",
    "name": "Wie heißen Sie?",
    "arrival_year": "In welchem Jahr sind Sie nach Deutschland gekommen?",
    "contact": "Ihre Telefonnummer oder E-Mail-Adresse",
}
PHONE_ERROR_DE = (
    "Bitte schreiben Sie eine Telefonnummer, zum Beispiel 0151 2345678, oder eine E-Mail-Adresse."
)
EARLY_YEAR_DE = re.compile(
    r"Das Jahr ist zu früh\. Bitte schreiben Sie ein Jahr von 1940 bis \d{4}\."
)
# Nothing ticked in "Was fehlt Ihnen hier?" (optional): left out, not stored.
FEEDBACK = {
    "today": "4",
    "come_again": "yes",
    "helped": ["people", "coffee"],
    "consent": "yes",
    "comment": "Schöner Nachmittag, danke!",
}
ARABIC = re.compile(r"[\u0600-\u06ff]")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = KioskServer(tmp_path_factory.mktemp("browser") / "instance").start()
    yield server
    server.stop()


@pytest.fixture
def database(server):
    return f"{server.instance_path}/kiosk.sqlite3"


@pytest.fixture
def log(server):
    return PageLog(server.url)


def watched_page(browser, log: PageLog, count_swaps: str):
    """A fresh context per test, watched for errors; anything refused fails at teardown."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(10_000)
    context.add_init_script(count_swaps)
    log.watch_context(context)
    page = context.new_page()
    log.watch_page(page)
    yield page
    try:
        log.assert_clean()
    finally:
        context.close()


@pytest.fixture
def page(browser, log):
    yield from watched_page(browser, log, COUNT_SWAPS)


# The test servers ignore no taps (tests/server.py); this one keeps the double-tap guard as
# shipped: after each new screen, kiosk.js ignores taps for KIOSK_TAP_GUARD_MS, and after a
# one-tap answer until the next screen.
GUARD_MS = defaults()["KIOSK_TAP_GUARD_MS"]
# A swap counts, as with COUNT_SWAPS, but only once the new screen takes taps again, so that the
# test's next tap is a visitor's next tap, not the second of a double tap. The probe is a click
# that does not bubble, sent to the page itself: only the capture listeners on its way see it,
# and the guard (one of them) cancels it while it holds.
COUNT_SWAPS_PAST_GUARD = """
window.__swaps = 0;
(() => {
  const takesTaps = () => {
    const probe = new MouseEvent("click", { cancelable: true });
    document.documentElement.dispatchEvent(probe);
    return !probe.defaultPrevented;
  };
  const countOnceTaken = () => {
    if (takesTaps()) window.__swaps += 1;
    else requestAnimationFrame(countOnceTaken);
  };
  document.addEventListener("htmx:afterSettle", () => requestAnimationFrame(countOnceTaken));
})();
"""


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory):
    config = f"KIOSK_TAP_GUARD_MS = {GUARD_MS}\n"
    server = KioskServer(tmp_path_factory.mktemp("guarded") / "instance", config).start()
    yield server
    server.stop()


@pytest.fixture
def guarded_page(browser, guarded_server):
    yield from watched_page(browser, PageLog(guarded_server.url), COUNT_SWAPS_PAST_GUARD)


def draft_answers(path, uuid: str) -> dict:
    """The answers a form session has given so far, as the server keeps them."""
    connection = read_database(path)
    try:
        query = "SELECT answers FROM draft WHERE uuid = ?"
        return json.loads(connection.execute(query, (uuid,)).fetchone()[0])
    finally:
        connection.close()


def submit_and_thank(page) -> None:
    swap(page, page.locator("main.summary .actions .send").click)
    expect(page.locator("main.thanks h1")).to_be_visible()


def send_invalid(page, value) -> None:
    """Give `value` and tap "Weiter": the server answers 422 and htmx swaps in the step again."""
    give_answer(page, value)
    with page.expect_response(lambda response: response.status == 422):
        next_step(page)
    if isinstance(value, str):
        expect(page.locator("#answer")).to_have_value(value)
    assert_same_page(page)


def next_is_left_of_back(page) -> bool:
    next_box = page.locator("main .actions .next").bounding_box()
    back_box = page.locator("main .actions .back").bounding_box()
    assert next_box and back_box
    assert (next_box["x"] + next_box["width"] <= back_box["x"]) or (
        back_box["x"] + back_box["width"] <= next_box["x"]
    ), "the buttons overlap"
    return next_box["x"] < back_box["x"]


def test_intake_in_german(page, server, database):
    page.goto(server.url + "/")
    page.get_by_role("link", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    mark_page(page)
    swap(page, page.get_by_role("button", name=re.compile("Anmeldung")).click)
    uuid = draft_id(page)

    walked = walk_form(page, INTAKE, INTAKE_QUESTIONS_DE, stop_at="languages")
    assert not next_is_left_of_back(page)
    # "Weiter" with nothing ticked: the step comes back with its error, swapped by htmx.
    send_invalid(page, [])
    expect(page.locator("#error")).to_have_text("Bitte antworten Sie auf diese Frage.")
    walked += walk_form(page, INTAKE, INTAKE_QUESTIONS_DE, stop_at="contact")
    send_invalid(page, "12ab")
    expect(page.locator("#error")).to_have_text(PHONE_ERROR_DE)
    walked += walk_form(page, INTAKE, INTAKE_QUESTIONS_DE, stop_at="arrival_year")
    send_invalid(page, "1850")
    expect(page.locator("#error")).to_have_text(EARLY_YEAR_DE)
    walked += walk_form(page, INTAKE, INTAKE_QUESTIONS_DE)
    assert walked == INTAKE_STEPS

    assert summary_rows(page) == {
        "Dürfen wir Ihre Antworten speichern?": "Zugestimmt",
        "Wie heißen Sie?": "Samira",
        "Welche Sprachen sprechen Sie?": "Deutsch und Arabisch",
        "Wobei brauchen Sie Hilfe?": "Deutschkurs und Sonstiges",
        "Wobei brauchen Sie sonst Hilfe?": "Fahrrad reparieren",
        "Wie dürfen wir Sie erreichen?": "Telefon",
        "Ihre Telefonnummer oder E-Mail-Adresse": "0151 2345678",
        "Mit wem leben Sie hier?": "Familie mit Kindern",
        "In welchem Jahr sind Sie nach Deutschland gekommen?": "2016",
        "Wie alt sind Sie?": "30 bis 49",
    }
    submit_and_thank(page)
    expect(page.locator("main.thanks h1")).to_have_text("Danke!")
    assert_same_page(page)
    stored = {**INTAKE, "languages": ["de", "ar"]}  # in the order of the options
    assert stored_submissions(database, uuid) == [("intake", "de", stored)]


def test_intake_in_arabic_is_right_to_left(page, server, database):
    require_catalog("ar")
    answers = {**INTAKE, "name": "سميرة"}
    open_form(page, server.url, "ar", "intake")
    uuid = draft_id(page)
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#question")).to_have_text(ARABIC)
    expect(page.locator("#idle-title")).to_have_text(ARABIC)

    walked = walk_form(page, answers, stop_at="name")
    assert next_is_left_of_back(page)
    walked += walk_form(page, answers, stop_at="contact")
    send_invalid(page, "12ab")
    error = page.locator("#error")
    expect(error).to_have_text(ARABIC)
    expect(error).not_to_contain_text("Telefonnummer")
    walked += walk_form(page, answers)
    assert walked == INTAKE_STEPS
    assert "سميرة" in summary_rows(page).values()

    submit_and_thank(page)
    expect(page.locator("main.thanks h1")).to_have_text(ARABIC)
    assert_same_page(page)
    stored = {**answers, "languages": ["de", "ar"]}
    assert stored_submissions(database, uuid) == [("intake", "ar", stored)]


def test_refused_consent_keeps_nothing_and_offers_the_visit_form(page, server, database):
    open_form(page, server.url, "de", "intake")
    uuid = draft_id(page)
    swap(page, page.locator("main .consent-no").click)
    expect(page.locator("main.declined h1")).to_have_text("Kein Problem")
    assert page.url == server.url + "/de/declined"
    assert not draft_exists(database, uuid)

    swap(page, page.locator('main.declined form[action$="/visit/"] button').click)
    assert step_name(page) == "reason"
    visit = draft_id(page)
    swap(page, lambda: tap_option(page, "meet"))
    expect(page.locator("main.thanks h1")).to_have_text("Danke!")
    assert_same_page(page)
    assert stored_submissions(database, visit) == [("visit", "de", {"reason": "meet"})]
    assert stored_submissions(database, uuid) == []


def test_double_tapped_face_answers_only_its_question(guarded_page, guarded_server):
    """A one-tap answer goes on at the first tap; the second tap of a double tap is dropped."""
    page = guarded_page
    open_form(page, guarded_server.url, "de", "feedback")
    uuid = draft_id(page)
    assert step_name(page) == "today"
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))

    swap(page, page.locator('main button.face[value="4"]').dblclick)
    assert step_name(page) == "come_again"
    expect(page.locator("main .choices button.choice")).to_have_count(2)
    expect(page.locator('main button.choice[aria-pressed="true"]')).to_have_count(0)
    expect(page.locator("main .actions .next")).to_have_count(0)  # required, not answered
    assert_same_page(page)
    assert [url.rsplit("/", 2)[1:] for url in posts] == [["step", "today"]]  # one answer sent
    database = f"{guarded_server.instance_path}/kiosk.sqlite3"
    assert draft_answers(database, uuid) == {"today": "4"}

    # Past the guard, the visitor's next tap answers "Kommen Sie wieder?".
    swap(page, lambda: tap_option(page, "yes"))
    assert step_name(page) == "helped"
    assert draft_answers(database, uuid) == {"today": "4", "come_again": "yes"}


@pytest.mark.parametrize(
    "double_tap",
    [
        pytest.param(
            lambda page: page.locator("main.summary .actions .send").dblclick(), id="dblclick"
        ),
        pytest.param(
            lambda page: page.evaluate(
                "() => { const send = document.querySelector('main.summary .actions .send');"
                " send.click(); send.click(); }"
            ),
            id="two-clicks",
        ),
    ],
)
def test_double_tapped_send_stores_feedback_once(page, server, database, double_tap):
    open_form(page, server.url, "de", "feedback")
    uuid = draft_id(page)
    walk_form(page, FEEDBACK)
    swap(page, lambda: double_tap(page))
    expect(page.locator("main.thanks h1")).to_have_text("Danke!")
    assert_same_page(page)
    assert stored_submissions(database, uuid) == [("feedback", "de", FEEDBACK)]


def test_two_sends_at_once_store_feedback_once(page, server, database):
    """Past the browser's own guard: two POSTs of the summary reach the server together."""
    open_form(page, server.url, "de", "feedback")
    uuid = draft_id(page)
    walk_form(page, FEEDBACK)
    results = page.evaluate(
        """() => {
            const form = document.querySelector('main.summary form[action$="/submit"]');
            const send = () => fetch(form.action, { method: "POST", body: new FormData(form) })
                .then((response) => [response.status, new URL(response.url).pathname]);
            return Promise.all([send(), send()]);
        }"""
    )
    thanks = f"/de/thanks/{UUID(uuid)}"
    assert results == [[200, thanks], [200, thanks]]
    assert stored_submissions(database, uuid) == [("feedback", "de", FEEDBACK)]


def test_idle_visitor_is_warned_then_reset(page, server, database):
    page.clock.install()
    open_form(page, server.url, "de", "intake")
    uuid = draft_id(page)
    walk_form(page, {"consent": "yes", "name": "Samira"}, stop_at="languages")
    give_answer(page, "de")  # ticked, not sent yet
    idle = int(page.locator("body").get_attribute("data-idle-seconds"))
    dialog = page.locator("#idle")

    page.clock.run_for(idle * 1000)
    expect(dialog).to_be_visible()
    expect(dialog.locator("#idle-title")).to_have_text("Sind Sie noch da?")
    countdown = int(dialog.locator("#idle-seconds").inner_text())
    assert countdown >= 20
    expect(dialog.locator(".countdown")).to_have_text(f"{countdown} Sekunden")
    dialog.get_by_role("button", name="Ja, weiter").click()
    expect(dialog).to_be_hidden()
    expect(page.locator('input[value="de"]')).to_be_checked()
    assert draft_exists(database, uuid)

    page.clock.run_for(idle * 1000)
    expect(dialog).to_be_visible()
    page.clock.run_for((countdown + 1) * 1000)
    expect(page.locator("main.start")).to_be_visible()
    assert page.url == server.url + "/"
    assert not draft_exists(database, uuid)

    page.go_back()
    expect(page.locator("main.start")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Samira")
    assert not draft_exists(database, uuid)


def test_start_and_feedback_ask_only_their_own_server(page, server, log):
    page.goto(server.url + "/")
    expect(page.locator("main.start")).to_be_visible()
    open_form(page, server.url, "de", "feedback")
    walk_form(page, FEEDBACK)
    submit_and_thank(page)
    assert any(url.startswith(server.url + "/static/vendor/htmx-") for url in log.requests)
    assert log.foreign_requests() == []
    assert log.failed == []
    assert log.bad_responses == []
    assert log.errors == []


def test_thank_you_returns_to_start_by_itself(page, server):
    page.clock.install()
    open_form(page, server.url, "de", "visit")
    swap(page, lambda: tap_option(page, "advice"))
    thanks = page.locator("main.thanks")
    expect(thanks).to_be_visible()
    seconds = int(thanks.get_attribute("data-return-after"))
    page.clock.run_for(seconds * 1000 - 500)
    expect(thanks).to_be_visible()
    page.clock.run_for(1000)
    expect(page.locator("main.start")).to_be_visible()
    assert page.url == server.url + "/"


def test_visit_is_stored_with_one_tap(page, server, database):
    open_form(page, server.url, "de", "visit")
    uuid = draft_id(page)
    expect(page.locator("main .actions .next")).to_have_count(0)
    swap(page, lambda: tap_option(page, "german"))
    expect(page.locator("main.thanks h1")).to_have_text("Danke!")
    assert_same_page(page)
    assert stored_submissions(database, uuid) == [("visit", "de", {"reason": "german"})]

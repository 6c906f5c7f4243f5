"""The visitor's path in chromium against a real `kiosk serve`: htmx, RTL, timers, network."""

import re
from uuid import UUID

import pytest
from playwright.sync_api import expect

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
INTAKE_STEPS = list(INTAKE)
INTAKE_QUESTIONS_DE = {
    "consent": "Dürfen wir Ihre Antworten speichern?",
    "name": "Wie heißen Sie?",
    "arrival_year": "In welchem Jahr sind Sie nach Deutschland gekommen?",
    "contact": "Ihre Telefonnummer oder E-Mail-Adresse",
}
PHONE_ERROR_DE = (
    "Bitte schreiben Sie eine Telefonnummer, zum Beispiel 0151 2345678, oder eine E-Mail-Adresse."
)
FEEDBACK = {
    "today": "4",
    "helped": ["people", "coffee"],
    "come_again": "yes",
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


@pytest.fixture
def page(browser, log):
    """A fresh context per test, watched for errors; anything refused fails at teardown."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(10_000)
    context.add_init_script(COUNT_SWAPS)
    log.watch_context(context)
    page = context.new_page()
    log.watch_page(page)
    yield page
    try:
        log.assert_clean()
    finally:
        context.close()


def answer_steps(page, answers: dict) -> None:
    """Answer the next steps in the order of `answers`."""
    for name, value in answers.items():
        assert step_name(page) == name
        give_answer(page, value)
        next_step(page)


def submit_and_thank(page) -> None:
    swap(page, page.locator("main.summary .send").click)
    expect(page.locator("main.thanks h1")).to_be_visible()


def send_invalid(page, value: str) -> None:
    """Type `value` and tap "next": the server answers 422 and htmx swaps in the step again."""
    give_answer(page, value)
    with page.expect_response(lambda response: response.status == 422):
        next_step(page)
    expect(page.locator("#answer")).to_have_value(value)
    assert_same_page(page)


def next_is_left_of_back(page) -> bool:
    next_box = page.locator("main .nav .next").bounding_box()
    back_box = page.locator("main .nav .back").bounding_box()
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
    assert not next_is_left_of_back(page)

    # "Weiter" without the tick: the consent step comes back with its error, swapped by htmx.
    with page.expect_response(lambda response: response.status == 422):
        next_step(page)
    expect(page.locator("#error")).to_have_text(
        "Bitte stimmen Sie zu. Ohne Ihre Zustimmung können wir nichts speichern."
    )
    assert_same_page(page)

    walked = walk_form(page, INTAKE, INTAKE_QUESTIONS_DE, stop_at="arrival_year")
    send_invalid(page, "1850")
    expect(page.locator("#error")).to_have_text("Bitte schreiben Sie ein Jahr ab 1940.")
    walked += walk_form(page, INTAKE, INTAKE_QUESTIONS_DE, stop_at="contact")
    send_invalid(page, "12ab")
    expect(page.locator("#error")).to_have_text(PHONE_ERROR_DE)
    walked += walk_form(page, INTAKE, INTAKE_QUESTIONS_DE)
    assert walked == INTAKE_STEPS

    assert summary_rows(page) == {
        "Dürfen wir Ihre Antworten speichern?": "Zugestimmt",
        "Wie heißen Sie?": "Samira",
        "Welche Sprachen sprechen Sie?": "Deutsch und Arabisch",
        "Mit wem leben Sie hier?": "Familie mit Kindern",
        "In welchem Jahr sind Sie nach Deutschland gekommen?": "2016",
        "Wie alt sind Sie?": "30 bis 49",
        "Wobei brauchen Sie Hilfe?": "Deutschkurs und Sonstiges",
        "Wobei brauchen Sie sonst Hilfe?": "Fahrrad reparieren",
        "Wie dürfen wir Sie erreichen?": "Telefon",
        "Ihre Telefonnummer oder E-Mail-Adresse": "0151 2345678",
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
    assert next_is_left_of_back(page)

    walked = walk_form(page, answers, stop_at="contact")
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


@pytest.mark.parametrize(
    "double_tap",
    [
        pytest.param(lambda page: page.locator("main.summary .send").dblclick(), id="dblclick"),
        pytest.param(
            lambda page: page.evaluate(
                "() => { const send = document.querySelector('main.summary .send');"
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
    answer_steps(page, {"consent": "yes", "name": "Samira"})
    give_answer(page, "de")  # on the languages step, not sent yet
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
    expect(page.locator("main .nav .next")).to_have_count(0)
    swap(page, lambda: tap_option(page, "german"))
    expect(page.locator("main.thanks h1")).to_have_text("Danke!")
    assert_same_page(page)
    assert stored_submissions(database, uuid) == [("visit", "de", {"reason": "german"})]

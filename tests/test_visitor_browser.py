"""The visitor's path on the real devices' screens, in a real browser: the forward or send action
and "Zurück" in view on every step, error and summary (1280x800, 1024x600, 800x1280, 360x640 and
a 1280x800 tablet at 200 % zoom), in German, Arabic and Tigrinya; the taps from the language to
the thank-you counted and printed, one tap on a choice going on (the double-tap guard has its own
test in test_browser.py); Persian and Arabic-Indic digits stored as ASCII and shown as typed."""

import pytest
from playwright.sync_api import Page, expect

from browser import (
    COUNT_SWAPS,
    answer_step,
    draft_id,
    is_one_tap,
    require_catalog,
    require_chromium,
    step_name,
    stored_submissions,
    swap,
)
from server import KioskServer

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "1280x800": ({"width": 1280, "height": 800}, 1),
    "1024x600": ({"width": 1024, "height": 600}, 1),
    "800x1280": ({"width": 800, "height": 1280}, 1),
    "360x640": ({"width": 360, "height": 640}, 1),
    # Browser zoom at 200 % on the 1280x800 tablet: half the CSS pixels, twice the density.
    "1280x800-zoom200": ({"width": 640, "height": 400}, 2),
}
LANGUAGES = ("de", "ar", "ti")
# The least a visitor can answer: every required question, nothing optional.
FEEDBACK = {"today": "4", "come_again": "yes", "helped": ["advice"], "consent": None}
INTAKE = {
    "consent": "yes",
    "languages": ["ar"],
    "needs": ["housing"],
    "contact_way": "none",
}
GOALS = {"intake": 11, "feedback": 7, "visit": 3}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    for lang in (*LANGUAGES[1:], "fa"):
        require_catalog(lang)
    config = "KIOSK_THANKS_SECONDS = 600\n"
    server = KioskServer(tmp_path_factory.mktemp("visitor") / "instance", config).start()
    yield server
    server.stop()


def database_of(server: KioskServer) -> str:
    return f"{server.instance_path}/kiosk.sqlite3"


def new_page(browser, size: str) -> Page:
    viewport, scale = VIEWPORTS[size]
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    context.add_init_script(COUNT_SWAPS)
    return context.new_page()


def start_form(page: Page, base_url: str, lang: str, form: str) -> None:
    page.goto(f"{base_url}/{lang}/")
    page.wait_for_load_state("load")
    swap(page, page.locator(f'form[action$="/{form}/"] button').click)


def assert_in_view(page: Page, selector: str, where: str) -> None:
    """`selector` is on screen without scrolling: its whole box inside the viewport."""
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    assert box, f"{selector} not shown on {where}"
    inside = (
        box["x"] >= -0.5
        and box["y"] >= -0.5
        and box["x"] + box["width"] <= size["width"] + 0.5
        and box["y"] + box["height"] <= size["height"] + 0.5
    )
    assert inside, f"{selector} at {box} is outside the {size} viewport on {where}"


def check_screen(page: Page, where: str) -> None:
    """The way forward and the way back are in view; on a one-tap step the first option."""
    assert_in_view(page, "main .actions .back", where)
    if page.locator("main.summary").count():
        assert_in_view(page, "main .actions .send", where)
    elif page.locator("main .actions .next").count():
        assert_in_view(page, "main .actions .next", where)
    else:
        assert is_one_tap(page), where
        assert_in_view(page, "main button.choice", where)


def progress_total(page: Page) -> int | None:
    value = page.locator("main .progress").get_attribute("max")
    return int(value) - 1 if value else None


def walk_checking(page: Page, answers: dict, where: str) -> list[int]:
    """Walk to the summary checking every screen (with one error shown on the way); the
    progress totals seen."""
    totals, erred = [], False
    while name := step_name(page):
        check_screen(page, f"{where} step {name}")
        totals.append(progress_total(page))
        if not erred and page.locator("main fieldset.choices-multiple").count():
            swap(page, page.locator("main .actions .next").click)  # nothing ticked: an error
            expect(page.locator("#error")).to_be_visible()
            check_screen(page, f"{where} step {name} with its error")
            erred = True
        answer_step(page, answers.get(name))
    expect(page.locator("main.summary")).to_be_visible()
    check_screen(page, f"{where} summary")
    return totals


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_forward_and_back_are_always_in_view(browser, server, size):
    page = new_page(browser, size)
    try:
        for lang in LANGUAGES:
            start_form(page, server.url, lang, "feedback")
            totals = walk_checking(page, FEEDBACK, f"feedback {lang} {size}")
            assert totals == sorted(totals, reverse=True), f"the total grew: {totals}"
        # The intake's ten questions once per size, in a language chosen by the size.
        lang = LANGUAGES[list(VIEWPORTS).index(size) % len(LANGUAGES)]
        start_form(page, server.url, lang, "intake")
        answers = {**INTAKE, "contact_way": "phone", "contact": "0151 2345678", "name": "Amal"}
        totals = walk_checking(page, answers, f"intake {lang} {size}")
        assert totals == sorted(totals, reverse=True), f"the total grew: {totals}"
    finally:
        page.context.close()


class Taps:
    """Taps counted as a visitor makes them, from the language on the start screen on."""

    def __init__(self, page: Page):
        self.page, self.count = page, 0

    def tap(self, selector: str, swapped: bool = True) -> None:
        self.count += 1
        locator = self.page.locator(selector).first
        if swapped:
            swap(self.page, locator.click)
        else:
            locator.click()

    def language(self, lang: str) -> None:
        self.count += 1
        with self.page.expect_navigation():
            self.page.locator(f'a.language[lang="{lang}"]').click()
        self.page.wait_for_load_state("load")


def test_tap_counts_from_the_language_to_the_thank_you(browser, server, capsys):
    page = new_page(browser, "1280x800")
    counted = {}
    try:
        for form, walk in (
            ("intake", tap_intake),
            ("feedback", tap_feedback),
            ("visit", tap_visit),
        ):
            page.goto(server.url + "/")
            taps = Taps(page)
            taps.language("de")
            taps.tap(f'form[action$="/{form}/"] button')
            walk(taps)
            expect(page.locator("main.thanks")).to_be_visible()
            counted[form] = taps.count
    finally:
        page.context.close()
    with capsys.disabled():
        print()
        for form, count in counted.items():
            print(
                f"taps from the language to the thank-you, {form}: {count} (goal ≤ {GOALS[form]})"
            )
    assert all(counted[form] <= GOALS[form] for form in GOALS), counted


def tap_intake(taps: Taps) -> None:
    page = taps.page
    taps.tap("main .consent-yes")
    assert step_name(page) == "name"
    taps.tap("main .actions .next")  # no name
    taps.tap('main label.choice:has(input[value="ar"])', swapped=False)
    taps.tap("main .actions .next")
    taps.tap('main label.choice:has(input[value="housing"])', swapped=False)
    taps.tap("main .actions .next")
    assert step_name(page) == "contact_way"
    taps.tap('main button.choice[value="none"]')  # one tap: on to the optional questions
    assert step_name(page) == "household"
    taps.tap("main .actions .finish")  # only optional questions left
    taps.tap("main .actions .send")


def tap_feedback(taps: Taps) -> None:
    page = taps.page
    taps.tap('main button.choice[value="4"]')
    assert step_name(page) == "come_again"
    taps.tap('main button.choice[value="yes"]')
    taps.tap('main label.choice:has(input[value="people"])', swapped=False)
    taps.tap("main .actions .finish")
    expect(page.locator("main.summary")).to_be_visible()
    taps.tap("main .actions .send")


def tap_visit(taps: Taps) -> None:
    taps.tap('main button.choice[value="german"]')


@pytest.mark.parametrize(
    ("lang", "typed", "phone", "stored"),
    [("fa", "۲۰۱۹", "۰۱۵۱ ۲۳۴۵۶۷۸", "2019"), ("ar", "٢٠١٩", "٠١٥١ ٢٣٤٥٦٧٨", "2019")],  # noqa: RUF001 (the digits visitors type)
    ids=["persian", "arabic-indic"],
)
def test_native_digits_are_stored_as_ascii_and_shown_as_typed(
    browser, server, lang, typed, phone, stored
):
    page = new_page(browser, "800x1280")
    try:
        start_form(page, server.url, lang, "intake")
        answers = {**INTAKE, "contact_way": "phone", "contact": phone}
        while (name := step_name(page)) != "arrival_year":
            answer_step(page, answers.get(name))
        field = page.locator("#answer")
        assert field.get_attribute("inputmode") == "numeric"
        assert field.get_attribute("type") == "text"
        field.fill(typed)
        swap(page, page.locator("main .actions .next").click)
        swap(page, page.locator("main .actions .back").click)
        expect(page.locator("#answer")).to_have_value(typed)  # as the visitor typed it
        swap(page, page.locator("main .actions .finish").click)
        expect(page.locator("main.summary")).to_contain_text(typed)
        draft = draft_id(page)
        swap(page, page.locator("main .actions .send").click)
        [(_, _, answers_stored)] = stored_submissions(database_of(server), draft)
        assert answers_stored["arrival_year"] == stored
        assert answers_stored["contact"] == "0151 2345678"
    finally:
        page.context.close()

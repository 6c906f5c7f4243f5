"""The Wegweiser in a real browser (issue 14): an Arabic visitor goes from the form chooser to the
Wegweiser, taps "Wohnung" and an office, sees its opening state and a QR code on a mirrored page,
and the code a phone reads off the screen holds the office's phone number. The state line then
follows the clock (Playwright's fake clock): it changes at the timeline's next step, and the page
opened after its timeline has run out (as the service worker's kept copy would be) hides it.

What the pages hold is proven through the Flask test client (test_wegweiser.py); here only what
needs a browser: the taps, the layout, the page's script and the code as drawn on the screen.
"""

import json
import re
import unicodedata

import pytest
from playwright.sync_api import expect

from browser import (
    PageLog,
    import_directory,
    read_qr,
    require_catalog,
    require_chromium,
    require_zbarimg,
    small_targets,
)
from server import KioskServer

pytestmark = pytest.mark.browser

LANDSCAPE = {"width": 1280, "height": 800}  # the Treffpunkt's tablet
# A confirmed office (no example: examples get no QR code) with hours on most days, so the state
# line has a next step within hours, and an Arabic text of its own.
OFFICE = {
    "key": "wohnraumberatung",
    "kind": "office",
    "name": "Wohnraumberatung Wildeshausen",
    "needs": ["housing"],
    "street": "Westerstraße 24",
    "postcode": "27793",
    "city": "Wildeshausen",
    "phone": "04431 73 95-12",
    "languages": ["de", "ar"],
    "appointment": "not_needed",
    "hours": {
        day: [["09:00", "12:00"], ["14:00", "17:00"]] for day in ("mo", "tu", "we", "th", "fr")
    }
    | {"sa": [["10:00", "12:00"]]},
    "texts": {
        "summary": {
            "de": {"text": "Hilft bei der Suche nach einer Wohnung."},
            "ar": {
                "text": "تساعد في البحث عن سكن.",
                "source": "Hilft bei der Suche nach einer Wohnung.",
            },
        }
    },
    "example": False,
    "confirmed_by": "Amal",
    "confirmed_at": "2026-12-01T10:00:00+01:00",
}
ARABIC_INDIC_DIGIT = re.compile("[\u0660-\u0669]")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    require_catalog("ar")
    require_zbarimg()
    # The fake clock runs minutes ahead: the idle return to the start screen (its own tests
    # prove it) must not come first.
    config = "KIOSK_IDLE_SECONDS = 3600\n"
    server = KioskServer(tmp_path_factory.mktemp("wegweiser") / "instance", config)
    import_directory(server, [OFFICE])
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def context(browser):
    """One context for the file, its clock faked from the start (it runs at real pace until a
    test moves it)."""
    context = browser.new_context(viewport=LANDSCAPE)
    context.clock.install()
    yield context
    context.close()


@pytest.fixture(scope="module")
def log(context, server) -> PageLog:
    """Errors, failed or foreign requests of the file's page."""
    log = PageLog(server.url)
    log.watch_context(context)
    return log


@pytest.fixture(scope="module")
def page(context, log):
    page = context.new_page()
    log.watch_page(page)
    yield page
    page.close()


def office_url(server: KioskServer) -> str:
    return f"{server.url}/ar/wegweiser/stelle/{OFFICE['key']}"


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found, f"{locator} is not shown"
    return found


def in_view(locator, viewport: dict) -> bool:
    """The whole element on screen without scrolling."""
    found = box(locator)
    return (
        found["x"] >= 0
        and found["y"] >= 0
        and found["x"] + found["width"] <= viewport["width"]
        and found["y"] + found["height"] <= viewport["height"]
    )


def vcard_fields(text: str) -> dict[str, str]:
    """{property with its parameters: value} of a vCard (lines end in CRLF; the kiosk folds
    none)."""
    assert text.endswith("\r\n"), repr(text)
    lines = text.removesuffix("\r\n").split("\r\n")
    assert lines[0] == "BEGIN:VCARD" and lines[-1] == "END:VCARD", text
    return dict(line.split(":", 1) for line in lines[1:-1])


def digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def is_arabic(text: str) -> bool:
    return any(unicodedata.name(char, "").startswith("ARABIC LETTER") for char in text)


def test_an_arabic_visitor_finds_a_housing_office_and_takes_its_number_home(
    server, page, log, tmp_path
):
    page.goto(f"{server.url}/ar/")
    page.locator("a.wegweiser-card").click()
    expect(page.locator("main.wegweiser-start")).to_be_visible()
    assert small_targets(page) == []  # every touch target at least 44 px, here and below
    page.locator('a.tile[href="/ar/wegweiser/hilfe/housing"]').click()
    expect(page.locator("main.wegweiser-need")).to_be_visible()
    assert small_targets(page) == []
    card = page.locator(f'a.card[href="/ar/wegweiser/stelle/{OFFICE["key"]}"]')
    expect(card).to_contain_text(OFFICE["name"])
    expect(card).to_contain_text(OFFICE["texts"]["summary"]["ar"]["text"])
    card.click()
    expect(page.locator("main.wegweiser-office h1")).to_contain_text(OFFICE["name"])
    assert page.url == office_url(server)
    assert small_targets(page) == []

    # Arabic, right to left: the page's direction, and the layout mirrored with it.
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    assert page.evaluate("getComputedStyle(document.getElementById('main')).direction") == "rtl"
    state = page.locator("main .state")
    state_text = state.locator(".state-text")
    # Icon first in the markup, so on the right of its text; the QR code left of the facts.
    assert box(state.locator("svg").first)["x"] > box(state_text)["x"]
    qr = page.locator("main svg.qr")
    assert box(qr)["x"] + box(qr)["width"] < box(page.locator("main dl.facts"))["x"]

    # The opening state: in Arabic with Arabic-Indic digits, the timeline's step for now.
    expect(state_text).to_be_visible()
    shown = state_text.inner_text()
    assert is_arabic(shown) and ARABIC_INDIC_DIGIT.search(shown), shown
    assert shown == current_step(page)[1]

    # One QR code, on screen without scrolling on the tablet, named for a screen reader; what a
    # phone reads from it is the office's card with its number and the Arabic text.
    expect(qr).to_have_count(1)
    expect(qr).to_have_attribute("role", "img")
    assert OFFICE["name"] in qr.get_attribute("aria-label")
    assert in_view(qr, LANDSCAPE), f"the QR code at {box(qr)} is below the fold"
    vcard = vcard_fields(read_qr(qr, tmp_path / "office-qr.png"))
    assert vcard["FN"] == OFFICE["name"]
    [tel] = [value for name, value in vcard.items() if name.startswith("TEL")]
    assert digits(tel) == "04431739512"
    assert vcard["NOTE"].startswith(OFFICE["texts"]["summary"]["ar"]["text"])
    log.assert_clean()


def timeline(page) -> list[tuple[float, str]]:
    steps = json.loads(page.locator("main .state").get_attribute("data-timeline"))
    return [(float(at), text) for at, text in steps]


def browser_now(page) -> float:
    return page.evaluate("Date.now() / 1000")


def current_step(page) -> tuple[float, str]:
    now = browser_now(page)
    return [step for step in timeline(page) if step[0] <= now][-1]


def test_the_state_line_follows_the_clock_and_goes_when_its_timeline_ends(server, page, log):
    if page.url != office_url(server):
        page.goto(office_url(server))
    state = page.locator("main .state")
    state_text = state.locator(".state-text")
    now = browser_now(page)
    later = [step for step in timeline(page) if step[0] > now]
    assert later, "the timeline has no step after now"
    at, text = later[0]
    assert text != current_step(page)[1]

    # A second past the next step, and the minute the page waits between its checks.
    page.clock.set_system_time(at + 1)
    page.clock.run_for(60_000)
    expect(state_text).to_have_text(text)
    expect(state).to_be_visible()

    # The page opened again (as the service worker keeps it for offline use) after its timeline
    # ran out: no stale line.
    until = float(state.get_attribute("data-until"))
    assert until >= later[-1][0]
    page.clock.set_system_time(until + 60)
    page.reload()
    expect(page.locator("main.wegweiser-office h1")).to_be_visible()
    expect(page.locator("main .state")).to_be_hidden()
    log.assert_clean()

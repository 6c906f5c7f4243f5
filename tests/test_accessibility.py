"""axe-core on every kiosk page in every offered language: WCAG 2.2 AA, target size included.

The server has the demo's example Wegweiser with one office confirmed, so every Wegweiser page
type is checked with what it can show (QR codes, example markers, events, print links) and the
thank-you lists offices.

Every page is checked at a tablet's width and at a phone's: the overflow check and all of axe's
rules at the tablet's; then the page is resized on the spot (same document, same state) and the
overflow check and the rules that depend on the layout run at the phone's (see LAYOUT_RULES).
"""

import json
import pathlib

import pytest

from kiosk.i18n import LANGUAGES, catalog_exists

from browser import (
    confirmed,
    example_entry,
    fill_demo_directory,
    import_directory,
    require_chromium,
)
from server import KioskServer

AXE = next((pathlib.Path(__file__).parent / "vendor").glob("axe-*.min.js"))
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]},
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}
# The tags select 69 rules in axe 4.14 (`axe.getRules(tags)`); axe runs the 65 that are not
# experimental. Four depend on the layout and run at both widths: color-contrast (what lies behind
# the text, and the large-text threshold: kiosk.css sizes fonts with vw), target-size (the phone's
# media query re-flows the buttons), scrollable-region-focusable (what overflows) and
# link-in-text-block. The others read the DOM, ARIA and styles that are the same at both widths
# (kiosk.css's phone query changes sizes, flex, order and grid columns, and hides some words of
# buttons visually); what they take from the layout goes through axe's helpers
# isVisibleOnScreen, isVisibleToScreenReaders (inert outside a modal dialog included),
# isModalOpen and isDataTable, which SHOWN compares at both widths. Where they differ, all rules
# run at both widths. (Checked with every rule at both widths on every page and language, again
# for the visitor path of issue 13: no rule's result differed.)
LAYOUT_RULES = [
    "color-contrast",
    "target-size",
    "scrollable-region-focusable",
    "link-in-text-block",
]
LAYOUT_OPTIONS = {
    "runOnly": {"type": "rule", "values": LAYOUT_RULES},
    "resultTypes": ["violations"],
}
SHOWN = """() => {
  axe.setup(document);
  try {
    const { isModalOpen, isVisibleOnScreen, isVisibleToScreenReaders } = axe.commons.dom;
    const { isDataTable } = axe.commons.table;
    return [String(isModalOpen())].concat([...document.querySelectorAll("*")].map((el) => [
      el.tagName, isVisibleOnScreen(el), isVisibleToScreenReaders(el),
      el.tagName === "TABLE" && isDataTable(el),
    ].join(" ")));
  } finally {
    axe.teardown();
  }
}"""
OFFERED = [code for code in LANGUAGES if code == "de" or catalog_exists(code)]
CONFIRMED = "stadt-wohnen"  # housing
EXAMPLE = "fluechtlingssozialarbeit"  # housing too, still an example

pytestmark = pytest.mark.browser
TABLET = {"width": 800, "height": 1280}
PHONE = {"width": 360, "height": 780}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    # The thank-you stays until the test leaves it, however slow the machine; a printer stands
    # by, so the Wegweiser's pages link to their print views.
    config = "KIOSK_THANKS_SECONDS = 600\nKIOSK_PRINTER = True\n"
    server = KioskServer(tmp_path_factory.mktemp("a11y") / "instance", config)
    # The example Wegweiser, with its housing office confirmed (a fact: it gets QR codes).
    fill_demo_directory(server)
    import_directory(server, [confirmed(example_entry(CONFIRMED))])
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def context(browser):
    # axe is injected as a script of its own; the kiosk's CSP would rightly refuse it.
    context = browser.new_context(bypass_csp=True, viewport=TABLET)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page of its own for each test; the context (cookies, service worker) is shared. axe
    comes with every document the page loads (the Wegweiser's pages are whole page loads)."""
    page = context.new_page()
    page.add_init_script(path=str(AXE))
    yield page
    page.close()


# Elements whose content is wider than themselves, or that stick out of the page.
FIND_OVERFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll("#main *, dialog[open] *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0) continue;
    const spills = el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1;
    const text = el.textContent.trim().slice(0, 40);
    if (spills && getComputedStyle(el).overflowX === "visible") out.push(`${el.tagName}: ${text}`);
    else if (box.right > width + 1 || box.left < -1) out.push(`${el.tagName} outside the page`);
  }
  return out;
}
"""


def overflowing(page, name: str) -> list[str]:
    return [f"{name}: overflows: {what}" for what in page.evaluate(FIND_OVERFLOW)]


def inject_axe(page) -> None:
    # Still there after an htmx swap, and loaded with the document on this file's pages.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))


def axe_violations(page, name: str, options: dict) -> list[str]:
    result = page.evaluate(f"axe.run(document, {json.dumps(options)})")
    return [
        f"{name}: {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result["violations"]
    ]


def violations(page, name: str) -> list[str]:
    """The overflow check and every rule, at the page's own viewport (test_offline uses it)."""
    inject_axe(page)
    return overflowing(page, name) + axe_violations(page, name, AXE_OPTIONS)


def audit(page, name: str) -> list[str]:
    """The page on screen at the tablet's width, then at the phone's (see LAYOUT_RULES)."""
    inject_axe(page)
    found = overflowing(page, f"{name} (tablet)") + axe_violations(page, name, AXE_OPTIONS)
    shown = page.evaluate(SHOWN)
    page.set_viewport_size(PHONE)
    try:
        phone = f"{name} (phone)"
        found += overflowing(page, phone)
        same = page.evaluate(SHOWN) == shown
        found += axe_violations(page, phone, LAYOUT_OPTIONS if same else AXE_OPTIONS)
    finally:
        page.set_viewport_size(TABLET)
    return found


def tap(page, locator, selector: str) -> None:
    """Tap, then wait until a new #main (swapped in or loaded) matches `selector`."""
    page.evaluate("document.getElementById('main').dataset.old = '1'")
    locator.click()
    page.wait_for_selector(f"#main:not([data-old]){selector}")


# The read-aloud buttons stay hidden unless the device has a voice for the language or a
# recording exists (speech.js); shown, they are targets of their own beside every text.
SHOW_SPEAKERS = (
    "document.querySelectorAll('#main .speaker[hidden]').forEach((b) => { b.hidden = false; })"
)


def audit_step(page, name: str) -> list[str]:
    """A step as it looks where the device reads aloud: every speaker button shown."""
    page.evaluate(SHOW_SPEAKERS)
    return audit(page, name)


def audit_intake(page, base: str, lang: str) -> list[str]:
    """Chooser, every kind of step of the intake (with an error), summary, thank-you."""
    found = []
    page.goto(f"{base}/{lang}/")
    found += audit(page, "chooser")
    tap(page, page.locator("button.form-card").first, ".step-consent")
    page.evaluate("document.querySelector('#main details.more').open = true")  # "Mehr erfahren"
    found += audit_step(page, "consent")
    tap(page, page.locator("a.switch-language"), ".languages-page")
    found += audit(page, "other language")
    tap(page, page.locator(".nav .back"), ".step-consent")
    tap(page, page.locator(".consent-yes"), ".step-text")
    found += audit_step(page, "text")
    tap(page, page.locator(".actions .next"), ".step-multiple")
    tap(page, page.locator(".actions .next"), " #error")
    found += audit_step(page, "choices with error")
    page.locator(".choice input").first.check()
    tap(page, page.locator(".actions .next"), ".step-multiple")  # needs
    page.locator('.choice input[value="housing"]').check()  # the thank-you lists its offices
    tap(page, page.locator(".actions .next"), ".step-single")  # contact_way: one tap
    tap(page, page.locator("button.choice").first, ".step-single")  # household
    # Optional, "Möchte ich nicht sagen", "Fertig" and "Weiter" beside the options.
    found += audit_step(page, "single")
    tap(page, page.locator("button.choice").first, ".step-year")
    page.fill("#answer", "2016")
    tap(page, page.locator(".actions .next"), ".step-single")
    tap(page, page.locator("button.choice").first, ".summary")
    found += audit(page, "summary")
    tap(page, page.locator(".actions .send"), ".thanks")
    found += expect_shown(page, "thanks", "a.office-link", "figure.qr-box svg.qr")
    found += audit(page, "thanks")
    return found


def expect_shown(page, name: str, *selectors: str) -> list[str]:
    """What a page must show for its audit to mean something (a QR code, an event, …)."""
    return [f"{name}: nothing shows {s}" for s in selectors if not page.locator(s).count()]


def audit_wegweiser(page, base: str, lang: str) -> list[str]:
    """Every page type of the Wegweiser (print views aside), tapped through where a visitor
    taps; outside German with the volunteer's German under the visitor's language."""
    found = []
    page.goto(f"{base}/{lang}/wegweiser/")
    if lang != "de":
        page.locator(".german-toggle").click()  # stays on for the pages after (sessionStorage)
    found += expect_shown(page, "wegweiser start", "a.tile", ".treffpunkt-tile .next-event")
    found += audit_step(page, "wegweiser start")
    tap(page, page.locator(f'a.tile[href="/{lang}/wegweiser/hilfe/housing"]'), ".wegweiser-need")
    found += expect_shown(page, "wegweiser need", ".card .state", ".card .example-tag")
    found += audit_step(page, "wegweiser need")
    tap(page, page.locator(f'a.card[href$="/stelle/{CONFIRMED}"]'), ".wegweiser-office")
    found += expect_shown(page, "wegweiser office", "svg.qr", "table.week", "a[href$='/drucken']")
    found += audit_step(page, "wegweiser office")
    page.goto(f"{base}/{lang}/wegweiser/stelle/{EXAMPLE}")
    found += expect_shown(page, "wegweiser example office", ".example-mark", ".example-tag")
    found += audit_step(page, "wegweiser example office")
    tap(page, page.locator("a.notruf-link"), ".wegweiser-notruf")
    found += expect_shown(page, "wegweiser notruf", "p.number", "svg.qr")
    found += audit_step(page, "wegweiser notruf")
    page.goto(f"{base}/{lang}/wegweiser/treffpunkt")
    found += expect_shown(page, "wegweiser treffpunkt", "li.event svg.qr", "table.week")
    found += audit_step(page, "wegweiser treffpunkt")
    return found


def audit_other_pages(page, base: str, lang: str) -> list[str]:
    """Consent refused, the visit's one tap, the feedback's rating and consent, the dialogs, 404;
    outside German with the German helper text switched on from the rating on."""
    found = []
    page.goto(f"{base}/{lang}/")
    tap(page, page.locator("button.form-card").first, ".step-consent")
    tap(page, page.locator(".consent-no"), ".declined")
    found += audit(page, "consent refused")
    tap(page, page.locator('form[action$="/visit/"] button.form-card'), ".step-single")
    found += audit(page, "one tap")
    page.evaluate("document.getElementById('idle').showModal()")
    found += audit(page, "idle warning")
    page.goto(f"{base}/{lang}/")
    tap(page, page.locator('form[action$="/feedback/"] button.form-card'), ".step-rating")
    if lang != "de":
        page.locator(".german-toggle").click()
    found += audit_step(page, "rating")
    page.locator("form.cancel button").click()
    found += audit(page, "cancel question")
    page.locator('#cancel-confirm [data-answer="no"]').click()
    for answer in ("4", "yes"):  # today, come_again
        tap(page, page.locator(f'button.choice[value="{answer}"]'), ".step")
    page.locator(".choice input").first.check()
    tap(page, page.locator(".actions .next"), ".step-multiple")  # missing: optional
    tap(page, page.locator(".actions .next"), ".step-consent")
    found += audit_step(page, "consent for one answer")
    page.goto(f"{base}/{lang}/no-such-page/x")
    found += audit(page, "404")
    return found


def test_start_screen_has_no_violations(server, page):
    page.goto(f"{server.url}/")
    assert audit(page, "start") == []


@pytest.mark.parametrize("lang", OFFERED)
def test_every_page_has_no_violations(server, page, lang):
    found = audit_intake(page, server.url, lang) + audit_other_pages(page, server.url, lang)
    assert found == []

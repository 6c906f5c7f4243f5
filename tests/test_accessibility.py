"""axe-core on every kiosk page in every offered language: WCAG 2.2 AA, target size included."""

import json
import pathlib

import pytest

from kiosk.i18n import LANGUAGES, catalog_exists

from browser import require_chromium
from server import KioskServer

AXE = next((pathlib.Path(__file__).parent / "vendor").glob("axe-*.min.js"))
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]},
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}
OFFERED = [code for code in LANGUAGES if code == "de" or catalog_exists(code)]

pytestmark = pytest.mark.browser
VIEWPORTS = {"tablet": {"width": 800, "height": 1280}, "phone": {"width": 360, "height": 780}}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    server = KioskServer(tmp_path_factory.mktemp("a11y") / "instance").start()
    yield server
    server.stop()


@pytest.fixture(params=list(VIEWPORTS))
def page(browser, request):
    # axe is injected as a script of its own; the kiosk's CSP would rightly refuse it.
    context = browser.new_context(bypass_csp=True, viewport=VIEWPORTS[request.param])
    yield context.new_page()
    context.close()


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


def violations(page, name: str) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):  # still there after an htmx swap
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(f"axe.run(document, {json.dumps(AXE_OPTIONS)})")
    return overflowing(page, name) + [
        f"{name}: {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result["violations"]
    ]


def tap(page, locator, selector: str) -> None:
    """Tap, then wait until a new #main (swapped in or loaded) matches `selector`."""
    page.evaluate("document.getElementById('main').dataset.old = '1'")
    locator.click()
    page.wait_for_selector(f"#main:not([data-old]){selector}")


def audit_intake(page, base: str, lang: str) -> list[str]:
    found = []
    page.goto(f"{base}/{lang}/")
    found += violations(page, "chooser")
    tap(page, page.locator("button.form-card").first, "#main.step-consent")
    found += violations(page, "consent")
    page.locator(".choice input").first.check()
    tap(page, page.locator("button.next"), "#main.step-text")
    found += violations(page, "text")
    tap(page, page.locator("button.next"), "#main.step-multiple")
    tap(page, page.locator("button.next"), " #error")
    found += violations(page, "choices with error")
    page.locator(".choice input").first.check()
    tap(page, page.locator("button.next"), "#main.step-single")
    found += violations(page, "single")
    tap(page, page.locator("button.next"), "#main.step-year")
    page.fill("#answer", "2016")
    tap(page, page.locator("button.next"), "#main.step-single")
    page.locator(".choice input").first.check()
    tap(page, page.locator("button.next"), "#main.step-multiple")
    page.locator(".choice input").first.check()
    tap(page, page.locator("button.next"), "#main.step-single")
    page.locator(".choice input").first.check()
    tap(page, page.locator("button.next"), "#main.summary")
    found += violations(page, "summary")
    tap(page, page.locator("button.send"), "#main.thanks")
    found += violations(page, "thanks")
    return found


def audit_feedback_and_visit(page, base: str, lang: str) -> list[str]:
    found = []
    page.goto(f"{base}/{lang}/")
    tap(page, page.locator("button.form-card").last, "#main.step-rating")
    found += violations(page, "rating")
    page.goto(f"{base}/{lang}/")
    tap(page, page.locator("button.form-card").nth(1), "#main.step-single")
    found += violations(page, "one tap")
    page.evaluate("document.getElementById('idle').showModal()")
    found += violations(page, "idle warning")
    page.goto(f"{base}/{lang}/no-such-page/x")
    found += violations(page, "404")
    return found


def test_start_screen_has_no_violations(server, page):
    page.goto(f"{server.url}/")
    assert violations(page, "start") == []


@pytest.mark.parametrize("lang", OFFERED)
def test_every_page_has_no_violations(server, page, lang):
    found = audit_intake(page, server.url, lang) + audit_feedback_and_visit(page, server.url, lang)
    assert found == []

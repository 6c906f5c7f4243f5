"""`make screenshots`: the start screen and steps of each language, on a tablet and a phone;
the summary in Arabic and the consent in Tigrinya on the landscape tablet (1280x800).

Writes PNG files into screenshots/ (git-ignored) so anyone can look at every language.
"""

import pathlib
import sys
import tempfile

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from kiosk.i18n import LANGUAGES

from browser import CHROMIUM, CHROMIUM_ARGS, COUNT_SWAPS, open_form, walk_form
from factories import INTAKE_ANSWERS
from hub_screens import shoot_hub
from server import KioskServer

VIEWPORTS = {"tablet": {"width": 800, "height": 1280}, "phone": {"width": 360, "height": 780}}
LANDSCAPE = {"width": 1280, "height": 800}
OUT = pathlib.Path(__file__).parent.parent / "screenshots"


def shoot_language(page, base: str, code: str, device: str) -> list[pathlib.Path]:
    """Start screen, form chooser, and the first steps of the intake (with an error shown)."""
    shots = []

    def shot(name):
        path = OUT / f"{code}-{device}-{name}.png"
        page.screenshot(path=path, full_page=True)
        shots.append(path)

    page.goto(f"{base}/")
    shot("0-start")
    page.goto(f"{base}/{code}/")
    shot("1-choose")
    page.locator("button.form-card").first.click()
    page.wait_for_selector("#main.step-consent")
    shot("2-consent")
    page.locator("main .consent-yes").click()
    page.wait_for_selector("#main.step-text")
    shot("3-text")
    page.locator("main .actions .next").click()
    page.wait_for_selector("#main.step-multiple")
    page.locator("main .actions .next").click()  # nothing chosen: shows the error
    page.wait_for_selector("#error")
    shot("4-choices-error")
    return shots


def shoot_landscape(browser, base: str) -> list[pathlib.Path]:
    """On the landscape tablet: the summary of a whole intake in Arabic, right to left, and the
    consent in Tigrinya, Ethiopic script."""
    shots = []
    context = browser.new_context(viewport=LANDSCAPE)
    context.add_init_script(COUNT_SWAPS)
    page = context.new_page()
    try:
        open_form(page, base, "ar", "intake")
        walk_form(page, {**INTAKE_ANSWERS, "name": "سميرة"})
        shots.append(OUT / "ar-landscape-5-summary.png")
        page.screenshot(path=shots[-1], full_page=True)
        open_form(page, base, "ti", "intake")
        shots.append(OUT / "ti-landscape-2-consent.png")
        page.screenshot(path=shots[-1], full_page=True)
    finally:
        context.close()
    return shots


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        server = KioskServer(pathlib.Path(scratch) / "instance").start()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for device, viewport in VIEWPORTS.items():
                page = browser.new_page(viewport=viewport)
                for code in LANGUAGES:
                    if page.goto(f"{server.url}/{code}/").status == 404:
                        print(f"{code}: not offered (no catalog)")
                        continue
                    shots = shoot_language(page, server.url, code, device)
                    print(f"{code} {device}: {len(shots)} screenshots")
                page.close()
            print(f"landscape: {len(shoot_landscape(browser, server.url))} screenshots")
            print(f"hub: {len(shoot_hub(browser, OUT))} screenshots")
        finally:
            browser.close()
            server.stop()
    print(f"Screenshots in {OUT}")


if __name__ == "__main__":
    main()

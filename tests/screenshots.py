"""`make screenshots`: the start screen and steps of each language, on a tablet and a phone.

Writes PNG files into screenshots/ (git-ignored) so anyone can look at every language.
"""

import pathlib
import sys
import tempfile

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from kiosk.i18n import LANGUAGES

from browser import CHROMIUM, CHROMIUM_ARGS
from hub_screens import shoot_hub
from server import KioskServer

VIEWPORTS = {"tablet": {"width": 800, "height": 1280}, "phone": {"width": 360, "height": 780}}
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
    page.wait_for_selector("#main.step")
    shot("2-consent")
    page.locator(".choice input").first.check()
    page.locator("button.next").click()
    page.wait_for_selector("#main.step-text")
    shot("3-text")
    page.locator("button.next").click()
    page.wait_for_selector("#main.step-multiple")
    page.locator("button.next").click()  # nothing chosen: shows the error
    page.wait_for_selector("#error")
    shot("4-choices-error")
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
            print(f"hub: {len(shoot_hub(browser, OUT))} screenshots")
        finally:
            browser.close()
            server.stop()
    print(f"Screenshots in {OUT}")


if __name__ == "__main__":
    main()

"""`make screenshots`: the start screen and steps of each language, on a tablet and a phone;
the summary in Arabic and the consent in Tigrinya on the landscape tablet (1280x800); the
Wegweiser (start, an office with its QR code, the thank-you with the offices for the visitor's
needs) in German, Arabic and Tigrinya on the landscape and portrait tablets and a small phone;
the hub's pages; every page of a small Treffpunkt's PDF report and of the town's combined report.

Writes PNG files into screenshots/ (git-ignored) so anyone can look at every language.
"""

import pathlib
import sys
import tempfile

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from kiosk.i18n import LANGUAGES

from browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    COUNT_SWAPS,
    confirmed,
    example_entry,
    fill_demo_directory,
    import_directory,
    open_form,
    swap,
    walk_form,
)
from factories import INTAKE_ANSWERS
from hub_screens import shoot_hub
from report_screens import shoot_reports
from server import KioskServer

VIEWPORTS = {"tablet": {"width": 800, "height": 1280}, "phone": {"width": 360, "height": 780}}
LANDSCAPE = {"width": 1280, "height": 800}
OUT = pathlib.Path(__file__).parent.parent / "screenshots"
WEGWEISER_LANGUAGES = ("de", "ar", "ti")
# The Treffpunkt's tablet both ways, and the smallest phone the kiosk is made for.
WEGWEISER_VIEWPORTS = (LANDSCAPE, VIEWPORTS["tablet"], {"width": 360, "height": 640})
OFFICE = "stadt-wohnen"  # the demo's housing office, confirmed here: it gets its QR code
# Needs with offices in the demo directory: housing (the confirmed office and an example),
# work and German courses (examples).
NEEDS = ["housing", "work", "german_course"]


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


def shoot_wegweiser(browser, base: str) -> list[pathlib.Path]:
    """The Wegweiser's start, the confirmed office and the thank-you of an intake naming needs
    with offices, in each language and size (the thank-you is shown again by its URL)."""
    shots = []
    context = browser.new_context(viewport=LANDSCAPE)
    context.add_init_script(COUNT_SWAPS)
    page = context.new_page()
    try:
        thanks = {}
        for code in WEGWEISER_LANGUAGES:
            open_form(page, base, code, "intake")
            walk_form(page, {**INTAKE_ANSWERS, "needs": NEEDS})
            swap(page, page.locator("main .actions .send").click)
            page.wait_for_selector("#main.thanks .needs-help")
            thanks[code] = page.url
        for viewport in WEGWEISER_VIEWPORTS:
            page.set_viewport_size(viewport)
            size = f"{viewport['width']}x{viewport['height']}"
            for code in WEGWEISER_LANGUAGES:
                for name, url, ready in (
                    ("1-start", f"{base}/{code}/wegweiser/", "main.wegweiser-start"),
                    ("2-office", f"{base}/{code}/wegweiser/stelle/{OFFICE}", "svg.qr"),
                    ("3-thanks", thanks[code], "main.thanks svg.qr"),
                ):
                    page.goto(url)
                    page.wait_for_selector(ready)
                    shots.append(OUT / f"{code}-wegweiser-{size}-{name}.png")
                    page.screenshot(path=shots[-1], full_page=True)
    finally:
        context.close()
    return shots


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        # The thank-you with offices stays while it is shot again at each size.
        server = KioskServer(pathlib.Path(scratch) / "instance", "KIOSK_THANKS_SECONDS = 600\n")
        fill_demo_directory(server)
        import_directory(server, [confirmed(example_entry(OFFICE))])
        server.start()
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
            print(f"wegweiser: {len(shoot_wegweiser(browser, server.url))} screenshots")
            print(f"hub: {len(shoot_hub(browser, OUT))} screenshots")
            print(f"reports: {len(shoot_reports(OUT))} pages of PDF reports")
        finally:
            browser.close()
            server.stop()
    print(f"Screenshots in {OUT}")


if __name__ == "__main__":
    main()

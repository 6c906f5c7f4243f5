"""The coordinators' delivery page in chromium against a real `kiosk serve`: state, "send now"."""

import pathlib
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from browser import (
    COUNT_SWAPS,
    PageLog,
    assert_same_page,
    fill_login,
    mark_page,
    require_chromium,
    swap,
)
from server import KioskServer, free_port

pytestmark = pytest.mark.browser

SCREENSHOTS = pathlib.Path(__file__).parent.parent / "screenshots"


@pytest.fixture
def server(tmp_path):
    """A kiosk with last month's report waiting for a USB stick and an unreachable hub."""
    require_chromium()
    usb = tmp_path / "usb"
    targets = [
        {"name": "usb-stick", "type": "folder", "path": str(usb)},
        {
            "name": "stadthaus",
            "type": "hub",
            "url": f"http://127.0.0.1:{free_port()}/",
            "token": "t",
            "timeout": 2,
        },
    ]
    server = KioskServer(
        tmp_path / "instance",
        f"SYNC_TARGETS = {targets!r}\nSCHEDULER_INTERVAL_SECONDS = 0\n"
        'REPORT_SCHEDULE = "monthly"\nREPORT_GRACE_DAYS = 0\n',
    )
    server.add_user("cora", "coordinator")
    server.kiosk(["demo", "--count", "20", "--months", "2"])  # a report is due only with data
    server.kiosk(["report", "due"])
    # Both targets fail: exit code 1, and the errors are what the page shows.
    subprocess.run([sys.executable, "-m", "kiosk.cli", "sync"], env=server.env, capture_output=True)
    server.start()
    yield server, usb
    server.stop()


def test_a_coordinator_sees_what_waits_and_sends_it(server, browser):
    server, usb = server
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(COUNT_SWAPS)
    log = PageLog(server.url)
    log.watch_context(context)
    page = context.new_page()
    log.watch_page(page)
    try:
        page.goto(f"{server.url}/review/login")
        fill_login(page, "cora")
        page.click("nav >> text=Versand")
        expect(page.locator("h1")).to_have_text("Versand an das Stadthaus")
        rows = page.locator("table.sync-targets tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("nicht vorhanden (USB-Stick")
        expect(rows.nth(1)).to_contain_text("Stadthaus-Server nicht erreichbar")
        expect(rows.nth(1)).to_contain_text("Lebenszeichen nicht angekommen: Stadthaus-Server")
        page.screenshot(path=SCREENSHOTS / "sync-waiting.png", full_page=True)

        # The demo's two months reach into one to three calendar months, by today's date.
        built = len(list((pathlib.Path(server.instance_path) / "reports").glob("*/*.json")))
        assert built >= 1
        usb.mkdir()
        mark_page(page)
        swap(page, lambda: page.click("text=Jetzt senden"))
        assert_same_page(page)
        reports = "1 Bericht" if built == 1 else f"{built} Berichte"
        expect(page.locator("#versand .flash")).to_have_text(
            f"Gesendet: {reports} zugestellt, 1 nicht zugestellt (siehe Tabelle)."
        )
        expect(rows.nth(0)).to_contain_text("alles zugestellt")
        expect(rows.nth(1)).to_contain_text(f"{built} wartend")
        page.screenshot(path=SCREENSHOTS / "sync-sent.png", full_page=True)
    finally:
        context.close()
    log.assert_clean()
    assert len(list(usb.glob("mittendrin/*.pdf"))) == built

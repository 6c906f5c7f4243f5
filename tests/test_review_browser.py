"""Review in chromium against a real `kiosk serve`: filter, open, change, note, export."""

import re

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
from server import KioskServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    server = KioskServer(tmp_path_factory.mktemp("review") / "instance")
    server.kiosk(["demo", "--count", "40"])
    server.add_user("vera", "coordinator")
    server.start()
    yield server
    server.stop()


def test_a_coordinator_filters_opens_changes_notes_and_exports(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(COUNT_SWAPS)
    log = PageLog(server.url)
    log.watch_context(context)
    page = context.new_page()
    log.watch_page(page)
    try:
        review_round(page, server.url)
    finally:
        context.close()
    log.assert_clean()


def review_round(page, base):
    page.goto(f"{base}/review/")
    expect(page).to_have_url(re.compile(r"/review/login"))
    fill_login(page, "vera")
    expect(page.locator("h1")).to_have_text("Eingang")

    mark_page(page)
    swap(page, lambda: page.select_option("#form", "intake"))
    assert_same_page(page)
    expect(page).to_have_url(re.compile(r"form=intake"))
    rows = page.locator("#inbox-list tbody tr")
    assert rows.count() > 0
    for text in rows.all_inner_texts():
        assert "Anmeldung" in text

    rows.first.locator("a").click()
    expect(page.locator("h1")).to_contain_text("Anmeldung · Nr.")
    mark_page(page)
    swap(page, lambda: page.locator("#status button", has_text="In Bearbeitung").click())
    expect(page.locator("#status h2")).to_contain_text("In Bearbeitung")
    expect(page.locator("#status .history")).to_contain_text("vera")
    page.fill("#text", "Termin beim Jobcenter vereinbart")
    swap(page, lambda: page.click("#notes button[type=submit]"))
    expect(page.locator("#notes .note-text")).to_have_text("Termin beim Jobcenter vereinbart")
    assert_same_page(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"form=intake"))
    with page.expect_download() as download:
        page.click("text=Als CSV exportieren")
    data = download.value.path().read_bytes()
    assert data.startswith("\ufeffNr.;Eingang;Formular;".encode())
    assert b"In Bearbeitung" in data

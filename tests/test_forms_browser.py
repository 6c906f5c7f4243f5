"""A form from an Excel file, in chromium against a real `kiosk serve`: a coordinator uploads an
XLSForm with an Arabic column, answers it in the Arabic preview on the simulated tablet and
publishes it; a visitor answers the new version on the kiosk, stored with that version."""

import pytest
from playwright.sync_api import expect

from kiosk.formspec import read_xlsform

from browser import (
    COUNT_SWAPS,
    PageLog,
    draft_id,
    fill_login,
    open_form,
    read_database,
    require_catalog,
    stored_submissions,
    swap,
    walk_form,
)
from forms_admin_support import ARABIC_QUESTION, xlsform
from server import KioskServer

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ANSWERS = {"tag": "gut", "wunsch": "قهوة أكثر"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_catalog("ar")
    server = KioskServer(tmp_path_factory.mktemp("forms") / "instance")
    server.add_user("cora", "coordinator")
    server.start()
    yield server
    server.stop()


def test_an_uploaded_form_is_previewed_in_arabic_published_and_answered(browser, server):
    data = xlsform()
    log = PageLog(server.url)
    staff = browser.new_context(viewport={"width": 1280, "height": 800})
    staff.add_init_script(COUNT_SWAPS)
    log.watch_context(staff)
    page = staff.new_page()
    page.goto(f"{server.url}/review/login")
    fill_login(page, "cora")
    page.goto(f"{server.url}/review/formulare/")
    page.set_input_files("#datei", {"name": "tagesfrage.xlsx", "mimeType": XLSX, "buffer": data})
    with page.expect_navigation():
        page.get_by_role("button", name="Hochladen und prüfen").click()
    expect(page.locator("h1")).to_have_text("Entwurf: Tagesfrage")

    with page.expect_navigation():
        page.locator('.preview-choice a[lang="ar"]').click()
    tablet = page.frame_locator("iframe[name=vorschau]")
    expect(tablet.locator("html")).to_have_attribute("dir", "rtl")
    expect(tablet.locator("#question")).to_contain_text(ARABIC_QUESTION)
    expect(tablet.locator("#question")).to_be_in_viewport()
    frame = page.frame(name="vorschau")
    frame.wait_for_load_state("load")
    swap(frame, lambda: frame.locator('main button.choice[value="gut"]').click())
    expect(tablet.locator("#help")).to_contain_text("جملة واحدة تكفي.")

    with page.expect_navigation():
        page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.locator(".flash")).to_contain_text("„tagesfrage“ Version 1 ist jetzt aktiv")
    staff.close()

    kiosk = browser.new_context(viewport={"width": 1024, "height": 600})
    kiosk.add_init_script(COUNT_SWAPS)
    log.watch_context(kiosk)
    visitor = kiosk.new_page()
    open_form(visitor, server.url, "ar", "tagesfrage")
    expect(visitor.locator("#question")).to_contain_text(ARABIC_QUESTION)
    uuid = draft_id(visitor)
    walk_form(visitor, ANSWERS)
    swap(visitor, visitor.locator("main.summary button.send").click)
    expect(visitor.locator("main.thanks")).to_be_visible()
    kiosk.close()
    log.assert_clean()

    database = f"{server.instance_path}/kiosk.sqlite3"
    assert stored_submissions(database, uuid) == [("tagesfrage", "ar", ANSWERS)]
    connection = read_database(database)
    try:
        (version,) = connection.execute(
            "SELECT form_version.version_hash FROM submission JOIN form_version"
            " ON form_version.id = submission.form_version_id WHERE submission.uuid = ?",
            (uuid,),
        ).fetchone()
    finally:
        connection.close()
    assert version == read_xlsform(data).spec().version_hash

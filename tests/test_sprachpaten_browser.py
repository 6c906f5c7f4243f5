"""Sprachpaten in chromium against a real `kiosk serve` (issue 17): an Arabic-speaking volunteer
corrects a question on the Übersetzungen page and the Arabic kiosk shows it at once; she uploads
a recording of the corrected words on the Aufnahmen page, a coordinator approves it, and the
question's speaker button plays it: the Audio element gets the file and reports it can play."""

import re

import pytest
from playwright.sync_api import Page, expect

from browser import (
    COUNT_SWAPS,
    PageLog,
    fill_login,
    require_catalog,
    require_chromium,
    run_kiosk,
    step_name,
    swap,
)
from opus_samples import webm
from server import KioskServer

pytestmark = pytest.mark.browser

QUESTION = "Wie war es heute?"  # the feedback form's first question
CATALOG_AR = "كيف كانت زيارتك اليوم؟"  # its translation in the Arabic catalog
CORRECTED = "كيف كان يومك عندنا اليوم؟"  # amal's better wording
FEEDBACK = "Formular „Ihre Meinung“"
VIEWPORT = {"width": 1280, "height": 800}

# Records every Audio element a page makes (static/js/speech.js plays with `new Audio(url)`,
# outside the DOM): its file, the media events it fired, its readiness and what play() said.
WATCH_AUDIO = """
window.__audios = [];
(() => {
  const Original = window.Audio;
  const EVENTS = ["loadedmetadata", "canplay", "canplaythrough", "playing", "ended", "error"];
  window.Audio = function (...args) {
    const audio = new Original(...args);
    const seen = { src: audio.src, events: [], readyState: 0, error: null, play: "" };
    EVENTS.forEach((name) => audio.addEventListener(name, () => {
      seen.events.push(name);
      seen.readyState = Math.max(seen.readyState, audio.readyState);
      if (audio.error) seen.error = audio.error.code + " " + audio.error.message;
    }));
    const play = audio.play.bind(audio);
    audio.play = () => {
      const started = play();
      started.then(() => { seen.play = "started"; }, (e) => { seen.play = "refused: " + e; });
      return started;
    };
    window.__audios.push(seen);
    return audio;
  };
  window.Audio.prototype = Original.prototype;
})();
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    require_catalog("ar")
    server = KioskServer(tmp_path_factory.mktemp("sprachpaten") / "instance")
    server.add_user("amal", "volunteer")
    run_kiosk(server, "user", "speaks", "amal", "ar")
    server.add_user("cora", "coordinator")
    server.start()
    yield server
    server.stop()


def new_page(browser, log: PageLog | None = None) -> Page:
    """A page in a browser context of its own (its own cookies), watched by `log` if given."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(COUNT_SWAPS)
    context.add_init_script(WATCH_AUDIO)
    if log is not None:
        log.watch_context(context)
    page = context.new_page()
    if log is not None:
        log.watch_page(page)
    return page


def log_in_at(page: Page, url: str, name: str) -> None:
    """Open a staff page; the login comes first and leads back to it."""
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/review/login"))
    fill_login(page, name)
    expect(page).to_have_url(url)


def question_heading(page: Page):
    return page.locator("#question")


def test_a_correction_shows_at_once_and_its_approved_recording_plays(server, browser):
    visitor_log = PageLog(server.url)
    visitor = new_page(browser, visitor_log)
    staff_log = PageLog(server.url)  # the staff's pages, the preview frame's kiosk page too
    amal = new_page(browser, staff_log)
    cora = new_page(browser, staff_log)
    try:
        open_feedback_in_arabic(visitor, server.url)
        expect(question_heading(visitor)).to_contain_text(CATALOG_AR)

        correct_the_question(amal, server.url)
        visitor.reload()
        expect(question_heading(visitor)).to_contain_text(CORRECTED)
        expect(question_heading(visitor)).not_to_contain_text(CATALOG_AR)

        upload_a_recording(amal)
        approve_it(cora, server.url)
        audio_url = play_the_question(visitor)
        assert re.fullmatch(r"/audio/ar/[0-9a-f]+\.[0-9a-f]+\.webm", audio_url), audio_url
    finally:
        for page in (visitor, amal, cora):
            page.context.close()
    visitor_log.assert_clean()
    staff_log.assert_clean()


def open_feedback_in_arabic(page: Page, base: str) -> None:
    page.goto(f"{base}/ar/")
    page.wait_for_load_state("load")
    swap(page, page.locator('form[action$="/feedback/"] button').click)
    assert step_name(page) == "today", page.url


def correct_the_question(page: Page, base: str) -> None:
    """amal finds the question among the feedback form's texts, corrects it, saves."""
    log_in_at(page, f"{base}/review/sprachpaten/", "amal")
    page.get_by_role("link", name="Arabisch").click()
    expect(page.locator("h1")).to_contain_text("Übersetzungen: Arabisch")
    page.wait_for_load_state("load")
    swap(page, lambda: page.get_by_label("Bereich", exact=True).select_option(label=FEEDBACK))
    row = page.locator("#text-list tbody").filter(has=page.get_by_text(QUESTION, exact=True))
    expect(row).to_have_count(1)
    expect(row.locator("td.translation")).to_contain_text(CATALOG_AR)

    swap(page, row.get_by_role("link", name="Korrigieren").click)
    text_box = row.locator("textarea")
    expect(text_box).to_have_value(CATALOG_AR)
    expect(text_box).to_have_attribute("dir", "rtl")
    text_box.fill(CORRECTED)
    swap(page, row.get_by_role("button", name="Speichern").click)
    expect(row.locator("td.translation")).to_have_text(CORRECTED)
    expect(row.locator("td.state .tag")).to_have_text("geändert")
    expect(row.locator("td.state")).to_contain_text("von amal")


def recording_row(page: Page, words: str):
    return page.locator("li.recording").filter(has=page.get_by_text(words, exact=True))


def upload_a_recording(page: Page) -> None:
    """On the Aufnahmen page the question has its corrected words; amal sends a file for it."""
    page.get_by_role("link", name="Aufnahmen").click()
    page.get_by_role("link", name="Arabisch").click()
    expect(page.locator("h1")).to_contain_text("Aufnahmen: Arabisch")
    expect(recording_row(page, CATALOG_AR)).to_have_count(0)
    row = recording_row(page, CORRECTED)
    expect(row).to_have_count(1)
    expect(row.locator(".recording-text .tag")).to_have_text("keine")

    row.get_by_text("Datei hochladen").click()
    row.get_by_label(re.compile("^Aufnahme")).set_input_files(
        {"name": "aufnahme.webm", "mimeType": "audio/webm", "buffer": webm(seconds=1.0)}
    )
    with page.expect_navigation():
        row.get_by_role("button", name="Hochladen").click()
    expect(row.locator(".take.pending")).to_contain_text(
        "Wartet auf Freigabe: aufgenommen von amal"
    )
    expect(row.get_by_role("button", name="Freigeben")).to_have_count(0)


def approve_it(page: Page, base: str) -> None:
    """cora, a coordinator, listens to the waiting take and approves it."""
    log_in_at(page, f"{base}/review/recordings/ar?zeigen=warten", "cora")
    page.wait_for_load_state("load")
    row = recording_row(page, CORRECTED)
    expect(row.locator(".take.pending")).to_contain_text("aufgenommen von amal")
    swap(page, row.get_by_role("button", name="Freigeben").click)
    expect(row.locator(".approved")).to_have_text(
        "Freigegeben: die Aufnahme wird jetzt am Kiosk abgespielt."
    )
    expect(row.locator(".take audio")).to_have_attribute("src", re.compile(r"^/audio/ar/"))
    expect(row.locator(".take")).to_contain_text("aufgenommen von amal, freigegeben von cora")


def play_the_question(page: Page) -> str:
    """The visitor's step again: its speaker button carries the recording and plays it.
    Returns the recording's URL (the button's data-audio)."""
    page.reload()
    page.wait_for_load_state("load")
    speaker = question_heading(page).locator("button.speaker")
    expect(speaker).to_be_visible()
    expect(speaker).to_have_attribute("data-audio", re.compile(r"^/audio/ar/"))
    audio_url = speaker.get_attribute("data-audio")

    speaker.click()
    # Until the recording ended or failed (it is a second of silence).
    page.wait_for_function(
        """() => {
          const seen = window.__audios[0];
          return seen && (seen.events.some((name) => name === "ended" || name === "error")
            || seen.play.startsWith("refused"));
        }"""
    )
    seen = page.evaluate("window.__audios")
    assert len(seen) == 1, seen
    seen = seen[0]
    assert seen["src"] == page.url.split("/ar/")[0] + audio_url, seen
    assert seen["error"] is None and "error" not in seen["events"], seen
    assert seen["readyState"] >= 3, seen  # HAVE_FUTURE_DATA: it can play
    assert seen["play"] == "started", seen
    assert "canplay" in seen["events"] and seen["events"][-1] == "ended", seen
    expect(speaker).to_have_attribute("aria-pressed", "false")  # played through, let go
    return audio_url

"""The kiosk without its server: service worker, offline banner, retry, and the submit queue.

A real `kiosk serve` is killed (SIGKILL) and started again on the same port while chromium
stays on the page, as when the tablet loses the Wi-Fi or the server restarts.
"""

import os
import pathlib
import re
import subprocess
import sys
import time
from uuid import UUID

import pytest
from playwright.sync_api import expect

from browser import (
    CHROMIUM,
    COUNT_SWAPS,
    draft_id,
    give_answer,
    open_form,
    read_database,
    require_catalog,
    step_name,
    stored_submissions,
    swap,
    tap_option,
    walk_form,
)
from factories import INTAKE_ANSWERS
from server import KioskServer
from test_accessibility import violations

pytestmark = pytest.mark.browser

# In the form's order; nothing ticked in "Was fehlt Ihnen hier?" (optional): left out.
FEEDBACK = {
    "today": "4",
    "come_again": "yes",
    "helped": ["people", "coffee"],
    "consent": "yes",
    "comment": "Offline geschrieben, später gesendet",
}
INTAKE = INTAKE_ANSWERS
ARABIC = re.compile(r"[\u0600-\u06ff]")
ETHIOPIC = re.compile(r"[\u1200-\u137f]")
WILL_BE_SENT_DE = "Ihre Antworten werden gesendet, sobald die Verbindung wieder da ist."
BANNER_DE = (
    "Keine Verbindung. Ihre Antworten gehen nicht verloren. Es geht gleich von selbst weiter."
)

QUEUED = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("mittendrin-offline", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("submissions", { keyPath: "uuid" });
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const all = db.transaction("submissions").objectStore("submissions").getAll();
    all.onsuccess = () => { db.close(); resolve(all.result); };
  };
})"""
LOAD_ARABIC_FONT = """document.fonts.load('700 1rem "Noto Sans Arabic"', 'سلام')
  .then((faces) => faces.length)"""
# While offline, offline.js asks the server every PROBE_MS whether it is back.
OFFLINE_JS = pathlib.Path(__file__).parent.parent / "static" / "js" / "offline.js"
PROBE_MS = int(re.search(r"const PROBE_MS = (\d+);", OFFLINE_JS.read_text()).group(1))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # The thank-you stays until tapped away, so a test decides when the next page loads.
    server = KioskServer(
        tmp_path_factory.mktemp("offline") / "instance", "KIOSK_THANKS_SECONDS = 600\n"
    ).start()
    yield server
    server.stop()


@pytest.fixture
def running(server):
    """The server, running again whatever the test before left it in."""
    if server.process is None or server.process.poll() is not None:
        server.start()
    return server


@pytest.fixture
def database(server):
    return f"{server.instance_path}/kiosk.sqlite3"


@pytest.fixture
def page(browser, running):
    """A fresh context per test; script errors and CSP violations fail the test.

    The page's clock is Playwright's: it runs as real time does, and a test may jump ahead.
    """
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(15_000)
    context.add_init_script(COUNT_SWAPS)
    page = context.new_page()
    page.clock.install()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert problems == []


def wait_for_worker(page) -> None:
    """Until the service worker has stored its files and controls the page.

    Call it on the first page: a page whose loading overlapped the worker's activation may
    stay without a controller (the next page has one).
    """
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def back_online(page, server) -> None:
    """Start the server again; the page's next probe comes now instead of up to PROBE_MS later.

    Jumping the page's clock ahead fires the timer offline.js set for its probe, as waiting would.
    """
    server.start()
    page.clock.fast_forward(PROBE_MS)


def queued(page) -> list[dict]:
    return page.evaluate(QUEUED)


def wait_until(condition, what: str, seconds: float = 20) -> None:
    """Poll `condition` (which may ask the page) until it is true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"still not {what} after {seconds} s")


def submission_count(database) -> int:
    connection = read_database(database)
    try:
        return connection.execute("SELECT count(*) FROM submission").fetchone()[0]
    finally:
        connection.close()


def test_start_page_and_files_come_from_the_worker_without_server(page, server):
    page.goto(server.url + "/")
    wait_for_worker(page)
    server.kill()

    page.goto(server.url + "/")
    expect(page.locator("main.start")).to_be_visible()
    expect(page.locator("#offline .banner")).to_be_visible()
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate(LOAD_ARABIC_FONT) > 0
    rules = page.evaluate("[...document.styleSheets].map((sheet) => sheet.cssRules.length)")
    assert len(rules) == 2 and all(rules)  # fonts.css and kiosk.css, from the cache

    page.locator('a.language[lang="de"]').click()
    expect(page.locator("main.choose h1")).to_have_text("Was möchten Sie tun?")

    # A page that is never cached (here a form session) shows the offline page in its language.
    require_catalog("ar")
    page.goto(f"{server.url}/ar/intake/{UUID(int=7)}/summary")
    expect(page.locator("main.offline-page h1")).to_have_text(ARABIC)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    # When the server is back, the offline page asks for the page again by itself.
    back_online(page, server)
    expect(page.locator("main.start")).to_be_visible()  # the unknown session leads to the start
    assert page.url == server.url + "/"


def test_final_submit_without_server_waits_and_arrives_once(page, server, database):
    page.goto(server.url + "/")
    wait_for_worker(page)
    open_form(page, server.url, "de", "feedback")
    uuid = draft_id(page)
    walk_form(page, FEEDBACK)
    before = submission_count(database)
    server.kill()

    page.locator("main.summary .send").click()
    thanks = page.locator("main.thanks.queued")
    expect(thanks).to_contain_text(WILL_BE_SENT_DE)
    expect(page.locator("#offline .banner")).to_have_text(BANNER_DE)
    expect(page).to_have_title(re.compile(r"^Danke! . Mittendrin$"))
    waiting = queued(page)
    assert [entry["uuid"] for entry in waiting] == [str(UUID(uuid))]
    assert waiting[0]["answers"] == FEEDBACK
    assert set(waiting[0]) == {"uuid", "form", "version", "lang", "answers"}
    assert stored_submissions(database, uuid) == []

    back_online(page, server)
    wait_until(lambda: queued(page) == [], "sent")
    expect(page.locator("#offline .banner")).to_be_hidden()
    assert stored_submissions(database, uuid) == [("feedback", "de", FEEDBACK)]
    assert submission_count(database) == before + 1


def test_server_cut_in_the_middle_of_the_intake(page, server, database):
    open_form(page, server.url, "de", "intake")
    uuid = draft_id(page)
    walk_form(page, INTAKE, stop_at="household")

    # The one-tap answer cannot be sent: the step stays on screen with the tapped option shown
    # as chosen, and goes by itself later.
    server.kill()
    tap_option(page, INTAKE["household"])
    expect(page.locator("#offline .banner")).to_be_visible()
    expect(page.locator('main button.choice[value="family"]')).to_have_class(
        re.compile(r"\bchosen\b")
    )
    assert step_name(page) == "household"
    swaps = page.evaluate("window.__swaps")
    back_online(page, server)
    page.wait_for_function("before => window.__swaps > before", arg=swaps)
    assert step_name(page) == "arrival_year"
    expect(page.locator("#offline .banner")).to_be_hidden()

    # A typed answer survives a cut too, and a restart between two steps is not even noticed.
    give_answer(page, INTAKE["arrival_year"])
    server.kill()
    page.locator("main .actions .next").click()
    expect(page.locator("#offline .banner")).to_be_visible()
    expect(page.locator("#answer")).to_have_value("2016")
    back_online(page, server)
    expect(page.locator("main.step-single #question")).to_be_visible()
    assert step_name(page) == "age_group"
    server.kill()
    server.start()
    walk_form(page, INTAKE)
    swap(page, page.locator("main.summary .send").click)
    expect(page.locator("main.thanks:not(.queued) h1")).to_have_text("Danke!")

    stored = {**INTAKE, "languages": ["de", "ar"]}  # in the order of the options
    assert stored_submissions(database, uuid) == [("intake", "de", stored)]


def test_idle_reset_while_offline_clears_an_unsent_step(page, server):
    page.goto(server.url + "/")
    wait_for_worker(page)
    open_form(page, server.url, "de", "intake")
    walk_form(page, {"consent": "yes"}, stop_at="name")
    give_answer(page, "Samira")
    server.kill()
    page.locator("main .actions .next").click()
    expect(page.locator("#offline .banner")).to_be_visible()

    idle = int(page.locator("body").get_attribute("data-idle-seconds"))
    page.clock.run_for(idle * 1000)
    expect(page.locator("#idle")).to_be_visible()
    countdown = int(page.locator("#idle-seconds").inner_text())
    page.clock.run_for((countdown + 1) * 1000)
    expect(page.locator("main.start")).to_be_visible()  # from the worker's cache
    assert page.url == server.url + "/"
    assert "Samira" not in page.content()

    # Nothing comes back when the server does: the step was never queued.
    server.start()
    page.clock.run_for(5000)
    expect(page.locator("#offline .banner")).to_be_hidden()
    expect(page.locator("main.start")).to_be_visible()
    assert "Samira" not in page.content()


def test_next_visitor_sees_nothing_of_a_queued_one_tap_visit(page, server, database):
    page.goto(server.url + "/")
    wait_for_worker(page)
    open_form(page, server.url, "de", "visit")
    uuid = draft_id(page)
    server.kill()
    tap_option(page, "papers")
    expect(page.locator("main.thanks.queued")).to_contain_text(WILL_BE_SENT_DE)
    assert queued(page)[0]["answers"] == {"reason": "papers"}

    # The next visitor: a clean start screen and chooser, while the visit still waits.
    page.locator("main.thanks .nav a").click()
    expect(page.locator("main.start")).to_be_visible()
    page.locator('a.language[lang="de"]').click()
    expect(page.locator("main.choose")).to_be_visible()
    html = page.content()
    assert "Hilfe bei Papieren" not in html and uuid not in html.replace("-", "")
    assert str(UUID(uuid)) not in html
    assert len(queued(page)) == 1

    back_online(page, server)
    wait_until(lambda: queued(page) == [], "sent")
    assert stored_submissions(database, uuid) == [("visit", "de", {"reason": "papers"})]


def test_offline_banner_in_arabic_is_right_to_left(page, server):
    require_catalog("ar")
    page.goto(server.url + "/ar/")
    server.kill()
    page.locator("button.form-card").first.click()
    banner = page.locator("#offline .banner")
    expect(banner).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(banner).to_have_text(ARABIC)
    expect(banner).not_to_contain_text("Verbindung")
    assert page.evaluate("getComputedStyle(document.querySelector('#offline')).direction") == "rtl"
    # The banner pushes the page down and covers nothing of it.
    banner_box = banner.bounding_box()
    heading_box = page.locator("main h1").bounding_box()
    assert banner_box and heading_box
    assert banner_box["y"] + banner_box["height"] <= heading_box["y"]

    # Back online: the tap that failed is sent again and the form starts.
    back_online(page, server)
    expect(page.locator("main.step-consent")).to_be_visible()
    expect(banner).to_be_hidden()


def test_offline_banner_in_tigrinya(page, server):
    require_catalog("ti")
    page.goto(server.url + "/ti/")
    expect(page.locator("html")).to_have_attribute("lang", "ti")
    expect(page.locator("#offline .banner")).to_have_text(ETHIOPIC)  # hidden until offline


def test_banner_and_offline_page_pass_axe(browser, running):
    lang = "ar"  # right to left; German is audited without the banner in test_accessibility
    # axe is injected as a script of its own; the kiosk's CSP would rightly refuse it.
    context = browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 780})
    try:
        page = context.new_page()
        page.goto(f"{running.url}/{lang}/")
        wait_for_worker(page)
        page.evaluate("document.querySelector('#offline .banner').hidden = false")
        found = violations(page, "chooser with banner")
        running.kill()  # the offline page leaves by itself while the server answers
        page.goto(f"{running.url}/{lang}/offline")
        expect(page.locator("main.offline-page")).to_be_visible()
        found += violations(page, "offline page")
    finally:
        context.close()
    assert found == []


def test_kiosk_browser_starts_chromium_on_the_start_page(running):
    """`kiosk browser` for real, with headless flags after `--`: it prints the start page."""
    command = [sys.executable, "-m", "kiosk.cli", "browser", "--browser", CHROMIUM]
    command += ["--url", running.url + "/", "--"]
    command += ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"]
    env = {**os.environ, "KIOSK_INSTANCE_PATH": running.instance_path}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert '<main id="main" class="start">' in done.stdout


CACHE_NAMES = "() => caches.keys()"
OLD_RELEASE = (
    "caches.open('mittendrin-0.0.1-aaaaaaaaaaaa').then((c) => c.put('/x', new Response()))"
)


def test_a_new_release_replaces_the_old_caches(page, server):
    """Another worker script (here: another language list) brings a new cache, the old go."""
    page.goto(server.url + "/")
    wait_for_worker(page)
    page.evaluate(OLD_RELEASE)
    before = page.evaluate(CACHE_NAMES)
    assert len(before) == 2
    config = os.path.join(server.instance_path, "config.py")
    with open(config, encoding="utf-8") as config_file:
        original = config_file.read()
    try:
        with open(config, "a", encoding="utf-8") as config_file:
            config_file.write('KIOSK_LANGUAGES = ["de", "ar"]\n')
        server.kill()
        server.start()
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        wait_until(lambda: len(page.evaluate(CACHE_NAMES)) == 1, "down to one cache")
        (now,) = page.evaluate(CACHE_NAMES)
        assert now.startswith("mittendrin-") and now not in before
        page.goto(server.url + "/")
        expect(page.locator("a.language")).to_have_count(2)
    finally:
        with open(config, "w", encoding="utf-8") as config_file:
            config_file.write(original)
        server.kill()
        server.start()

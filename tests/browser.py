"""Helpers for the browser tests: launching chromium, watching a page, walking a form, staff login,
the DB, the Wegweiser's directory, reading a QR code on screen and measuring touch targets."""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

import kiosk

from server import PASSWORD, KioskServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Counts htmx swaps, so a test can wait for the one its tap started.
COUNT_SWAPS = """
window.__swaps = 0;
document.addEventListener("htmx:afterSettle", () => { window.__swaps += 1; });
"""


def require_chromium() -> None:
    """Skip without Debian's chromium, except in CI, where a missing browser is a failure."""
    if os.path.exists(CHROMIUM):
        return
    message = f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def require_catalog(lang: str) -> None:
    """Skip while a language's catalog is not compiled (`make` does it), except in CI."""
    mo = Path(kiosk.__file__).parent / "translations" / lang / "LC_MESSAGES" / "messages.mo"
    if mo.exists():
        return
    message = f"{mo} is missing: run `kiosk translations compile`"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class PageLog:
    """Everything a page did that a test may want to refuse: errors, foreign or failed requests."""

    origin: str
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch_context(self, context) -> None:
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("requestfailed", self.on_failed)
        context.on("response", self.on_response)

    def watch_page(self, page: Page) -> None:
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def on_failed(self, request) -> None:
        # The idle reset's fetch follows the 303 of /reset to the start screen, and the
        # navigation to that start screen right after it cancels the fetch: expected.
        origin = request.redirected_from
        if origin is not None and origin.method == "POST" and origin.url.endswith("/reset"):
            return
        # The service worker hands a page's redirect to the browser (redirect mode "manual"),
        # which follows it itself; Chromium reports the worker's unfollowed target as aborted.
        if (
            request.failure == "net::ERR_ABORTED"
            and request.service_worker is not None
            and request.redirected_from is not None
        ):
            return
        # Chromium loads the page icon last and at low priority; leaving the page cancels it.
        if request.failure == "net::ERR_ABORTED" and "/static/icons/" in request.url:
            return
        self.failed.append(f"{request.method} {request.url}: {request.failure}")

    def on_response(self, response) -> None:
        # 422 is the kiosk's answer to an invalid answer: the step again, with its error.
        if response.status >= 400 and response.status != 422:
            self.bad_responses.append(f"{response.status} {response.url}")

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        # Chromium reports every non-2xx response on the console, the expected 422s too.
        if "status of 422" in message.text:
            return
        self.errors.append(f"console: {message.text}")

    def foreign_requests(self) -> list[str]:
        own = urlsplit(self.origin).netloc
        return [url for url in self.requests if urlsplit(url).netloc != own]

    def assert_clean(self) -> None:
        # Plain asserts here are not rewritten by pytest (not a test module): say what failed.
        assert not self.errors, f"errors on the page: {self.errors}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.bad_responses, f"error responses: {self.bad_responses}"
        foreign = self.foreign_requests()
        assert not foreign, f"requests to other hosts than {self.origin}: {foreign}"


def swap(page: Page, action) -> None:
    """Run `action` (a tap) and wait until htmx has swapped and settled the answer."""
    before = page.evaluate("window.__swaps")
    action()
    page.wait_for_function("before => window.__swaps > before", arg=before)


def mark_page(page: Page) -> None:
    """Tag the loaded document; `assert_same_page` then proves htmx swapped instead of loading."""
    page.evaluate("window.__marker = 1")


def assert_same_page(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "the page was loaded anew instead of swapped"


def fill_login(page: Page, name: str, password: str = PASSWORD) -> None:
    """Type name and password into the login form open on `page`, send it, await the answer."""
    page.fill("#name", name)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def step_name(page: Page) -> str | None:
    match = re.search(r"/step/([a-z0-9_]+)", urlsplit(page.url).path)
    return match.group(1) if match else None


def draft_id(page: Page) -> str:
    """The form session's UUID, as the database stores it (32 hex digits)."""
    match = re.search(r"/([0-9a-f-]{36})/", page.url)
    assert match, page.url
    return match.group(1).replace("-", "")


def open_form(page: Page, base_url: str, lang: str, form: str) -> None:
    """Start screen → language → form chooser → the form's first step."""
    page.goto(base_url + "/")
    page.locator(f'a.language[lang="{lang}"]').click()
    expect(page.locator("main.choose")).to_be_visible()
    # The deferred scripts (htmx) run only now: a tap before them is a plain POST, no swap.
    page.wait_for_load_state("load")
    mark_page(page)
    swap(page, page.locator(f'form[action$="/{form}/"] button').click)
    assert step_name(page), page.url


def give_answer(page: Page, value) -> None:
    """Put `value` into a step that has "Weiter": tick its options or type it, without sending."""
    main = page.locator("main")
    if main.locator("fieldset.choices").count():
        values = value if isinstance(value, list) else [value]
        for option in values:
            tap_option(page, option)
            expect(main.locator(f'input[value="{option}"]')).to_be_checked()
    else:
        main.locator("#answer").fill(value)


def tap_option(page: Page, value: str) -> None:
    """Tap the card of one option; a one-tap answer (single, yes/no, rating) sends it at once."""
    page.locator(
        f'main label.choice:has(input[value="{value}"]), main button.choice[value="{value}"]'
    ).click()


def is_one_tap(page: Page) -> bool:
    """Whether the step on screen is answered by a tap on an option (consent included)."""
    return page.locator("main form.one-tap, main .consent-choices").count() > 0


def answer_step(page: Page, value) -> None:
    """Answer the step on screen with `value` (None: leave it out) and go on, with the taps a
    visitor would use: one on an option where that sends, else the options and "Weiter"."""
    main = page.locator("main")
    if main.locator(".consent-choices").count():
        chosen = ".consent-yes" if value == "yes" else ".consent-no"
        swap(page, main.locator(chosen).click)
    elif is_one_tap(page) and value is not None:
        swap(page, lambda: tap_option(page, value))
    else:
        if value is not None:
            give_answer(page, value)
        next_step(page)


def next_step(page: Page) -> None:
    swap(page, page.locator("main .actions .next").click)


def walk_form(
    page: Page, answers: dict, questions: dict | None = None, stop_at: str | None = None
) -> list[str]:
    """Answer every step the page shows from `answers` (by field name) up to the summary.

    Steps without an entry are passed with nothing chosen; the walk ends early on step
    `stop_at`. `questions` maps field names to the heading their step must show.
    Returns the names of the steps answered, in order.
    """
    walked = []
    while (name := step_name(page)) not in (None, stop_at):
        assert name not in walked, f"step {name} came twice"
        walked.append(name)
        if questions and name in questions:
            expect(page.locator("#question")).to_contain_text(questions[name])
        answer_step(page, answers.get(name))
        assert_same_page(page)
    if stop_at is None:
        expect(page.locator("main.summary")).to_be_visible()
    return walked


def summary_rows(page: Page) -> dict[str, str]:
    """{question: shown answer} of the summary on screen."""
    rows = page.locator("main.summary .answer")
    return {
        rows.nth(i).locator("dt span").first.inner_text().strip(): rows.nth(i)
        .locator("bdi")
        .inner_text()
        for i in range(rows.count())
    }


def read_database(path):
    """A read-only connection to the kiosk's SQLite file, beside the running server."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def stored_submissions(path, uuid: str) -> list[tuple[str, str, dict]]:
    """[(form slug, lang, {field: value or [values]})] stored under one form session's UUID."""
    connection = read_database(path)
    try:
        rows = connection.execute(
            "SELECT submission.id, form_version.slug, submission.lang FROM submission"
            " JOIN form_version ON form_version.id = submission.form_version_id"
            " WHERE submission.uuid = ?",
            (uuid,),
        ).fetchall()
        return [(slug, lang, stored_answers(connection, sid)) for sid, slug, lang in rows]
    finally:
        connection.close()


def stored_answers(connection, submission_id: int) -> dict:
    answers: dict = {}
    query = "SELECT field, value, position FROM answer WHERE submission_id = ? ORDER BY id"
    for name, value, position in connection.execute(query, (submission_id,)):
        if position is None:
            answers[name] = value
        else:
            answers.setdefault(name, []).append(value)
    return answers


def draft_exists(path, uuid: str) -> bool:
    connection = read_database(path)
    try:
        query = "SELECT count(*) FROM draft WHERE uuid = ?"
        return connection.execute(query, (uuid,)).fetchone()[0] == 1
    finally:
        connection.close()


# --- The Wegweiser's directory and its QR codes ---------------------------------------------


def run_kiosk(server: KioskServer, *args: str) -> str:
    """A `kiosk` command on the server's instance; fails the test with the command's own
    (German) message if it refuses. Returns what it printed."""
    command = [sys.executable, "-m", "kiosk.cli", *args]
    done = subprocess.run(command, env=server.env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"kiosk {' '.join(args)} failed: {done.stderr or done.stdout}"
    return done.stdout


def import_directory(server: KioskServer, entries: list[dict], events: list[dict] = ()) -> str:
    """Take `entries` and `events` over as the Treffpunkt's own, as a coordinator would with
    `kiosk directory import` (docs/directory.md); before or while the server runs."""
    document = {
        "format": "mittendrin-directory",
        "format_version": 1,
        "entries": entries,
        "events": list(events),
    }
    path = Path(server.instance_path) / "directory-import.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return run_kiosk(server, "directory", "import", str(path))


def fill_demo_directory(server: KioskServer) -> str:
    """The example Wegweiser of `kiosk demo` (offices for every need, marked as examples, the
    Treffpunkt and its next events), without demo submissions."""
    return run_kiosk(server, "demo", "--count", "0")


def example_entry(key: str) -> dict:
    """An entry of the demo's example directory (kiosk/directory/data/examples.json) as shipped."""
    from kiosk.directory.builtin import EXAMPLES_PATH  # not for every test session (jsonschema)

    document = json.loads(EXAMPLES_PATH.read_text(encoding="utf-8"))
    return next(entry for entry in document["entries"] if entry["key"] == key)


def confirmed(entry: dict, by: str = "Amal") -> dict:
    """`entry` as a coordinator confirmed it: a fact, no longer an example (it gets QR codes)."""
    return {
        **entry,
        "example": False,
        "confirmed_by": by,
        "confirmed_at": "2026-12-01T10:00:00+01:00",
    }


def require_zbarimg() -> str:
    """Debian's zbarimg (zbar-tools), which reads the QR codes back; a missing one is a failure:
    a code nobody read proves nothing."""
    path = shutil.which("zbarimg")
    if path is None:
        pytest.fail(
            "zbarimg is missing: the browser tests read the QR codes on screen back with "
            "Debian's zbar-tools (`make test` installs it; by hand: apt-get install zbar-tools)",
            pytrace=False,
        )
    return path


def read_qr(locator, image: Path) -> str:
    """What a phone's camera reads from the QR code `locator` shows: a screenshot of the element
    as the screen draws it, decoded by zbarimg (UTF-8)."""
    locator.screenshot(path=str(image))
    done = subprocess.run(
        [require_zbarimg(), "--raw", "-q", str(image)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"zbarimg read no code in {image}: {done.stderr!r}"
    return done.stdout.decode("utf-8").removesuffix("\n")  # zbarimg ends each code with a newline


# --- Touch targets --------------------------------------------------------------------------

# Every touch target of the visitors' pages (issue 14) and of the staff's on a phone (issue 16).
VISITOR_TARGETS = "main a[href], main button, main summary"
STAFF_TARGETS = (
    "header a[href], header button, main a[href], main button, main summary,"
    " main input:not([type=hidden]), main select, main textarea"
)
# What is shown of `selector` and smaller than 44 x 44 CSS pixels (axe's target-size rule checks
# 24). A checkbox or radio counts with its labels, since a tap on either ticks it. With
# `sentences`, a link inside a sentence is let off, as WCAG 2.5.8 lets it off: the line's height
# is its height.
SMALL_TARGETS = """([selector, sentences]) => {
  const shown = (el) => el.getClientRects().length && !el.closest("[hidden]")
    && el.checkVisibility({ visibilityProperty: true });
  const inSentence = (el) => el.tagName === "A" && getComputedStyle(el).display === "inline"
    && [...el.parentNode.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.data.trim());
  const box = (el) => {
    const parts = [el, ...(["checkbox", "radio"].includes(el.type) ? el.labels : [])];
    const rects = parts.map((part) => part.getBoundingClientRect());
    const left = Math.min(...rects.map((r) => r.left)), top = Math.min(...rects.map((r) => r.top));
    const right = Math.max(...rects.map((r) => r.right));
    const bottom = Math.max(...rects.map((r) => r.bottom));
    return { width: right - left, height: bottom - top };
  };
  return [...document.querySelectorAll(selector)]
    .filter((el) => shown(el) && !(sentences && inSentence(el)))
    .map((el) => [el.outerHTML.slice(0, 80), box(el)])
    .filter(([, r]) => r.width < 44 || r.height < 44)
    .map(([html, r]) => `${html} (${Math.round(r.width)}x${Math.round(r.height)})`);
}"""


def small_targets(page: Page, selector: str = VISITOR_TARGETS, sentences: bool = False):
    """The touch targets on screen under 44 x 44 CSS pixels, each as the start of its HTML."""
    return page.evaluate(SMALL_TARGETS, [selector, sentences])

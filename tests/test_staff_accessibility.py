"""Every staff page on a laptop (1280 x 800) and on a small phone (360 x 640): axe-core with
WCAG 2.2 AA and its target-size rule, nothing wider than the screen, and on the phone every link,
button and field at least 44 x 44 px with the lists as cards; then a volunteer's round on the
phone: login → "Zu tun" → a need handed over to an office with a due date → a note.

One server, one login (taken into each width's browser context), each page once per width. The
pages are the GET routes of the staff area the app has when the test runs (`STAFF_PAGES`); a test
fails when a staff page is neither audited nor named in `NOT_AUDITED` with its reason.
"""

import json
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

import pytest
from flask import url_for
from playwright.sync_api import expect

from kiosk import create_app
from kiosk.clock import german_date, local_today, utcnow
from kiosk.extensions import db
from kiosk.models import NeedCase, Note, User
from kiosk.models.sprachpaten import message_key
from kiosk.reports.periods import parse_period
from kiosk.reports.store import report_paths
from kiosk.review.cases import change_case

from browser import COUNT_SWAPS, STAFF_TARGETS, PageLog, fill_login, require_chromium, small_targets
from factories import INTAKE_ANSWERS, add_event, add_office, add_submission, add_user
from forms_admin_support import sample_upload
from server import PASSWORD, KioskServer
from test_accessibility import AXE_OPTIONS, axe_violations, inject_axe, overflowing

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 640}
OFFICE = "Stadt Wildeshausen, Wohnungsamt"
# A Treffpunkt's weeks: today's intake with three needs and a note, an older one whose German
# course is overdue, a feedback with a very bad rating and a comment to approve, a one-tap visit
# (never in the inbox).
NEEDS = ["housing", "german_course", "other"]
FEEDBACK = {"today": "1", "come_again": "no", "consent": "yes", "comment": "Zu laut, zu voll."}
REPORT = "2026-11"  # a built report's period
HELPLINE = "polizei-110"  # shipped with the program: its page is to read, not to edit


@dataclass
class Data:
    """What the pages are about: the ids the test made."""

    intake: int
    feedback: int
    case: int
    user: int
    office: str
    event: int


# Each staff page by endpoint: the arguments its URL needs, from `Data`.
STAFF_PAGES = {
    "review.inbox": lambda d: {},
    "review.detail": lambda d: {"submission_id": d.intake},
    "review.erase_submission": lambda d: {"submission_id": d.feedback},
    "review.print_page": lambda d: {"submission_id": d.intake},
    "cases.index": lambda d: {},
    "cases.case": lambda d: {"case_id": d.case},
    "directory.index": lambda d: {},
    "directory.entry": lambda d: {"entry_key": HELPLINE},  # to read; new_entry has the form
    "directory.new_entry": lambda d: {},
    "directory.delete_question": lambda d: {"entry_key": d.office},
    "directory.treffpunkt": lambda d: {},
    "directory.event": lambda d: {"event_id": d.event},
    "accounts.index": lambda d: {},
    "accounts.account": lambda d: {"user_id": d.user},
    "accounts.new": lambda d: {},
    "accounts.audit_log": lambda d: {},
    "auth.password": lambda d: {},
    "reports.index": lambda d: {},
    "reports.preview": lambda d: {"key": REPORT},
    "sync.index": lambda d: {},
    "sprachpaten.index": lambda d: {},
    "sprachpaten.language": lambda d: {"code": "ar", "bereich": "einwilligung"},  # a few texts
    "sprachpaten.edit": lambda d: {"code": "ar", "key": message_key("Weiter")},
    "recordings.index": lambda d: {},
    "recordings.language_page": lambda d: {"lang": "ar"},
    "forms_admin.index": lambda d: {},
    "forms_admin.draft": lambda d: {"upload_id": sample_upload()},  # with its preview frame
}
# Staff routes that answer GET but are no page of their own here, and why.
NOT_AUDITED = {
    "auth.login": "audited first, before the login",
    "review.followup": "an old address, on to cases.index",
    "directory.new_event": "the form of directory.event",
    "directory.delete_event_question": "directory/delete.html, as directory.delete_question",
    "review.export": "a CSV file",
    "reports.download": "a PDF file",
    "hub.combined_report_csv": "a CSV file",
    "reports.choose": "the period form's target: on to reports.preview",
    "recordings.take_audio": "a recording",
    "sprachpaten.text": "a text's row for htmx; without it, on to sprachpaten.language",
    "hub.dashboard": "a hub's page (ROLE = 'hub'), not a Treffpunkt's",
    "hub.site": "a hub's page",
    "hub.combined_report": "a hub's page",
    "hub_forms.index": "a hub's page (its table and upload are checked in tests/test_hub_forms.py)",
    "hub.combined_report_pdf": "a PDF file",
    "hub.download": "a PDF file",
    **dict.fromkeys(
        [
            f"form_preview.{name}"
            for name in ("first_step", "step", "summary", "declined", "thanks")
        ],
        "a kiosk page (templates/kiosk, test_accessibility.py) in forms_admin.draft's frame",
    ),
}


def staff_endpoints(app) -> set[str]:
    """The GET routes of the staff area: under /review/ and /hub/."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.rule.startswith(("/review/", "/hub/"))
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    folder = tmp_path_factory.mktemp("usb")
    targets = [{"name": "usb-stick", "type": "folder", "path": str(folder)}]
    config = f"SYNC_TARGETS = {targets!r}\nSCHEDULER_INTERVAL_SECONDS = 0\n"
    server = KioskServer(tmp_path_factory.mktemp("staff") / "instance", config)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_INSTANCE_PATH", server.instance_path)
        server.app = create_app({"TESTING": True})
        server.data = fill(server.app)
    server.start()
    yield server
    server.stop()


def fill(app) -> Data:
    """The submissions above, offices for housing and German courses, an event, three accounts
    and a built report."""
    add_user(app, "vera", "admin")
    ben = add_user(app, "ben", "volunteer")
    add_user(app, "cora", "coordinator")
    now = utcnow().replace(microsecond=0)
    with app.app_context(), db.connection_context():
        office = add_office(OFFICE, ["housing"], phone="04431 88-0", city="Wildeshausen")
        add_office("Volkshochschule, Deutschkurse", ["german_course"], phone="04431 1234")
        event = add_event("Sprachcafé", now + timedelta(days=2), place="Treffpunkt, Raum 1")
        intake = add_submission(app, "intake", {**INTAKE_ANSWERS, "needs": NEEDS}, now)
        feedback = add_submission(app, "feedback", FEEDBACK, now - timedelta(hours=2), "ar")
        add_submission(app, "visit", {"reason": "advice"}, now - timedelta(hours=1))
        older = add_submission(app, "intake", INTAKE_ANSWERS, now - timedelta(days=20))
        Note.create(submission=intake, user_name="ben", text="Ruft nächste Woche wieder an.")
        overdue = NeedCase.get(NeedCase.submission == older.id, NeedCase.need == "german_course")
        change_case(overdue.id, {"status": "in_progress", "assignee": ben.id}, "cora")
        NeedCase.update(due=local_today() - timedelta(days=3)).where(
            NeedCase.id == overdue.id
        ).execute()
        case = NeedCase.get(NeedCase.submission == intake.id, NeedCase.need == "housing")
        user = User.get(User.name == "ben")
        stand_in_report(app, parse_period(REPORT))
        return Data(intake.id, feedback.id, case.id, user.id, office.key, event.id)


def stand_in_report(app, period) -> None:
    """The record of a built report, as the reports' page lists it (without its PDF: building
    one takes WeasyPrint seconds)."""
    _, path = report_paths(app.instance_path, app.config["SITE_SLUG"], period)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    record = {
        "uuid": str(uuid4()),
        "period": period.to_dict(),
        "created": f"{period.end + timedelta(days=1)}T06:00:00+00:00",
        "pages": 4,
    }
    with open(path, "w", encoding="utf-8") as file:
        json.dump(record, file)


def staff_urls(server) -> list[tuple[str, str]]:
    """(endpoint, path) of every staff page the app has, in `STAFF_PAGES`'s order."""
    have = staff_endpoints(server.app)
    with server.app.test_request_context():
        return [
            (endpoint, url_for(endpoint, **args(server.data)))
            for endpoint, args in STAFF_PAGES.items()
            if endpoint in have
        ]


def test_every_staff_page_is_audited_or_says_why_not(server):
    missing = staff_endpoints(server.app) - set(STAFF_PAGES) - set(NOT_AUDITED)
    assert missing == set(), "staff pages without an audit: add them to STAFF_PAGES"


# What scrolls sideways inside the page: a table or box wider than its place (on a phone the lists
# are cards; nothing needs a sideways swipe). Form fields scroll their own text.
SIDEWAYS = """() => [...document.querySelectorAll("body *")]
  .filter((el) => !["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName))
  .filter((el) => el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
  .filter((el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX))
  .map((el) => `${el.tagName}.${el.className}: ${el.scrollWidth} px in ${el.clientWidth} px`)"""
# Cells of a card without their column's name: each data cell of a `table.cards` carries its
# column heading as data-label (an empty heading, or one hidden from sight like "Auswahl", needs
# none).
UNLABELED = """() => [...document.querySelectorAll("table.cards")].flatMap((table) => {
  const heads = [...table.querySelectorAll("thead th")];
  return [...table.querySelectorAll("tbody tr")].flatMap((row) => [...row.cells]
    .filter((cell) => cell.tagName === "TD" && cell.colSpan === 1)
    .map((cell) => [cell, heads[cell.cellIndex]])
    .filter(([, head]) => head?.textContent.trim() && !head.querySelector(".visually-hidden"))
    .filter(([cell, head]) => cell.dataset.label !== head.textContent.trim())
    .map(([cell, head]) => `${table.className}: "${head.textContent.trim()}" labelled `
      + `"${cell.dataset.label ?? ""}"`));
})"""


def check(page, name: str, phone: bool) -> list[str]:
    """axe and the page's width; on the phone also sideways scrolling, cards' labels, touch
    targets."""
    inject_axe(page)
    found = axe_violations(page, name, AXE_OPTIONS) + overflowing(page, name)
    width = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    if width[0] > width[1]:
        found.append(f"{name}: the page is {width[0]} px wide on a screen of {width[1]} px")
    if phone:
        found += [f"{name}: scrolls sideways: {what}" for what in page.evaluate(SIDEWAYS)]
        found += [f"{name}: a card's cell: {what}" for what in page.evaluate(UNLABELED)]
        small = small_targets(page, STAFF_TARGETS, sentences=True)
        found += [f"{name}: smaller than 44 px: {what}" for what in small]
    return found


# Lists with filters: on a phone they fold away behind "Filter" unless one is chosen.
FILTERED = {"review.inbox", "cases.index", "accounts.audit_log"}


def filters_fold(page, name: str, phone: bool) -> list[str]:
    box = page.locator("details.filter-box")
    if not box.count():
        return [f"{name}: its filters are not in a details.filter-box"]
    if box.evaluate("el => el.open") == phone:
        return [f"{name}: the filters are {'open' if phone else 'folded'} with none chosen"]
    return []


@pytest.fixture(scope="module")
def staff_cookies(browser, server):
    """The module's one login (vera, admin: every page), as cookies for each width's context."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/review/login")
    fill_login(page, "vera")
    cookies = context.cookies()
    context.close()
    return cookies


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "360"])
def test_every_staff_page_passes_axe_and_fits_the_screen(browser, server, staff_cookies, viewport):
    # axe is injected as a script of its own; the pages' CSP would rightly refuse it.
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    log = PageLog(server.url)
    log.watch_context(context)
    page = context.new_page()
    log.watch_page(page)
    phone = viewport is PHONE
    try:
        page.goto(f"{server.url}/review/login")
        found = check(page, "auth.login", phone)
        context.add_cookies(staff_cookies)
        for endpoint, path in staff_urls(server):
            response = page.goto(server.url + path)
            assert response.ok, f"{endpoint}: {response.status}"
            found += check(page, endpoint, phone)
            if endpoint in FILTERED:
                found += filters_fold(page, endpoint, phone)
    finally:
        context.close()
    assert not found, "\n".join(found)
    log.assert_clean()


def test_on_a_phone_a_chosen_filter_stays_in_sight(browser, server, staff_cookies):
    context = browser.new_context(viewport=PHONE)
    context.add_cookies(staff_cookies)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/review/anliegen?status=all")
        box = page.locator("details.filter-box")
        expect(box).to_have_attribute("open", "")
        expect(box.locator("summary")).to_contain_text("Status")
    finally:
        context.close()


def test_a_volunteer_hands_a_need_over_on_a_phone(browser, server):
    """login → "Zu tun" → the intake → its housing need handed over to the office chosen from
    the directory, with a Wiedervorlage → a note; nothing wider than the phone on the way."""
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(COUNT_SWAPS)
    log = PageLog(server.url)
    log.watch_context(context)
    page = context.new_page()
    log.watch_page(page)
    try:
        hand_over_on_a_phone(page, server)
    finally:
        context.close()
    log.assert_clean()


def hand_over_on_a_phone(page, server):
    page.goto(f"{server.url}/review/")
    fill_login(page, "ben", PASSWORD)
    expect(page.locator(".views a[aria-current=page]")).to_have_text("Zu tun")
    assert fits(page)
    row = page.locator("#inbox-list tr", has_text=re.compile(rf"Nr\. {server.data.intake}\b"))
    row.locator("a").first.click()
    expect(page.locator("h1")).to_contain_text(f"Nr. {server.data.intake}")

    case = page.locator(f"#case-{server.data.case}")
    case.locator("summary", has_text="bearbeiten").click()
    case.get_by_label("Status").select_option(label="weitergegeben")
    case.get_by_label("Stelle").select_option(label=OFFICE)  # offices from the directory
    due = local_today() + timedelta(days=14)
    case.get_by_label("Wiedervorlage").fill(due.isoformat())
    assert fits(page)
    case.get_by_role("button", name="Speichern").click()
    expect(case).to_contain_text(f"an {OFFICE}")
    expect(case).to_contain_text(german_date(due))

    note = "Termin im Wohnungsamt am Dienstag."
    notes = page.locator("#notes")
    notes.get_by_label("Neue Notiz").fill(note)
    notes.get_by_role("button", name="Notiz hinzufügen").click()
    expect(page.locator("#notes .note-text").last).to_have_text(note)
    expect(notes.get_by_label("Neue Notiz")).to_have_value("")
    assert fits(page)


def fits(page) -> bool:
    """Nothing wider than the screen."""
    return page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")

"""Every page in chromium under the strict Content-Security-Policy: no violation, no console error.

The pages are not listed by hand: every GET rule of `app.url_map` is visited with its path
parameters filled from a demo dataset (each language, each form and step, a real submission, a
report period), as a visitor and as a logged-in admin, on a kiosk and on a hub. A rule that is
not a page (a download, a static file) must be excluded below with its reason, so a new page
is checked without anyone remembering to add it.
"""

import os
import uuid
from datetime import date
from itertools import product

import pytest
from playwright.sync_api import Error as PlaywrightError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError

from kiosk import create_app
from kiosk.formspec import read_xlsform
from kiosk.i18n import LANGUAGES
from kiosk.models.sprachpaten import message_key
from kiosk.review import form_uploads

from browser import PageLog, fill_login, read_database, require_chromium
from forms_admin_support import xlsform
from server import HttpVisitor, KioskServer

pytestmark = pytest.mark.browser

EXCLUDED = {
    "static": "styles, scripts, fonts and pictograms: every visited page loads them",
    "review.export": "a CSV download, not a page",
    "reports.download": "a PDF download (404 until built by a POST), not a page",
    "hub.download": "a PDF download, not a page",
    "hub.combined_report_pdf": "a PDF download, not a page",
    "kiosk.service_worker": "a script the kiosk pages register, not a page",
    "kiosk.health": "JSON for the offline banner's checks, not a page",
    "kiosk.offline_token": "JSON for the offline queue, not a page",
    "audio.recording": "a recording (audio file) that reads a text aloud, not a page",
    "recordings.take_audio": "a recording waiting for approval (audio file), not a page",
    "api.directory": "JSON for the sites, opened by a site token, not a page",
    "api.forms": "JSON for the sites, opened by a site token, not a page",
    "hub_forms.index": "a hub's page (ROLE = 'hub'), 404 on a kiosk",
}
# Pages that go on by themselves: the offline page returns to the start once the server answers.
LEAVES_BY_ITSELF = {"kiosk.offline_page": "/"}
# The same template in every language: two (one left-to-right, one right-to-left) are enough.
FEWER = {"kiosk.offline_page": 2}
# Reports every violation a document sees to the test, also after the page navigates itself,
# and counts what its scripts still wait for (fetches, XHRs, the service worker's registration).
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber} on ${location.pathname}`);
});
window.__busy = 0;
const settled = (promise) => {
  window.__busy += 1;
  const done = () => { window.__busy -= 1; };
  promise.then(done, done);
  return promise;
};
const plainFetch = window.fetch;
window.fetch = function (...args) { return settled(plainFetch.apply(this, args)); };
const plainSend = XMLHttpRequest.prototype.send;
XMLHttpRequest.prototype.send = function (...args) {
  settled(new Promise((resolve) => this.addEventListener("loadend", resolve)));
  return plainSend.apply(this, args);
};
if (navigator.serviceWorker) {
  const plainRegister = navigator.serviceWorker.register;
  navigator.serviceWorker.register = function (...args) {
    return settled(plainRegister.apply(this, args));
  };
}
"""
# After the load event: until the page's scripts have their answers, then one more task, so the
# violations their answers caused have been reported.
SETTLED = "() => window.__busy === undefined || window.__busy === 0"
NEXT_TASK = "() => new Promise((resolve) => setTimeout(resolve))"
MIN_KIOSK_PAGES = 40


def add_admin(server: KioskServer, name: str) -> None:
    server.add_user(name, "admin")


def app_of(server: KioskServer, role: str):
    """The app the server runs, for its URL map and forms (the routes do not depend on data)."""
    before = os.environ.get("KIOSK_INSTANCE_PATH")
    os.environ["KIOSK_INSTANCE_PATH"] = server.instance_path
    try:
        return create_app({"SECRET_KEY": "x", "ROLE": role})
    finally:
        if before is None:
            os.environ.pop("KIOSK_INSTANCE_PATH")
        else:
            os.environ["KIOSK_INSTANCE_PATH"] = before


def get_endpoints(url_map, blueprints: set[str] | None = None, skip: set[str] = frozenset()):
    endpoints = set()
    for rule in url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        if "GET" not in rule.methods or blueprint in skip:
            continue
        if blueprints is None or blueprint in blueprints:
            endpoints.add(rule.endpoint)
    return endpoints


def page_urls(url_map, endpoints: set[str], scenarios: list[dict]) -> dict[str, list[str]]:
    """{endpoint: [paths]}: each scenario that fills all of a rule's parameters, once (a
    scenario's "only" limits it to endpoints starting with it)."""
    adapter = url_map.bind("localhost")
    urls: dict[str, list[str]] = {}
    for rule in url_map.iter_rules():
        if rule.endpoint not in endpoints or rule.endpoint in EXCLUDED:
            continue
        for scenario in scenarios:
            if not rule.arguments <= set(scenario):
                continue
            if not rule.endpoint.startswith(scenario.get("only", "")):
                continue  # a name two blueprints use for different things
            values = {name: scenario[name] for name in rule.arguments}
            try:
                path = adapter.build(rule.endpoint, values)
            except BuildError:
                continue
            # A value of the wrong kind (an id where a UUID belongs) matches another rule or none.
            try:
                if adapter.match(path, method="GET")[0] != rule.endpoint:
                    continue
            except HTTPException:
                continue
            if path not in urls.setdefault(rule.endpoint, []):
                urls[rule.endpoint].append(path)
    return urls


class Visit:
    """One browser context that watches for CSP violations and console errors on every page."""

    def __init__(self, browser, base: str):
        self.base = base
        self.context = browser.new_context(viewport={"width": 1024, "height": 768})
        self.violations: list[str] = []
        self.visited: list[str] = []
        self.context.expose_function("__reportViolation", self.report_violation)
        self.context.add_init_script(WATCH_CSP)
        self.log = PageLog(base)
        self.log.watch_context(self.context)
        self.page = self.context.new_page()
        self.log.watch_page(self.page)
        self.page.on("console", self.on_console)

    def report_violation(self, text: str) -> None:
        self.violations.append(text)

    def on_console(self, message) -> None:
        # Chromium warns (not errs) about policy headers it cannot read: those count too.
        if message.type == "warning" and "policy" in message.text.lower():
            self.violations.append(f"{self.page.url}: {message.text}")

    def log_in(self, name: str) -> None:
        self.page.goto(f"{self.base}/review/login")
        fill_login(self.page, name)
        assert "/login" not in self.page.url, "the admin could not log in"

    def open(self, path: str, goes_on_to: str | None = None) -> None:
        """Load `path`; a page that leaves by itself is followed to `goes_on_to`."""
        try:
            response = self.page.goto(self.base + path, wait_until="load")
        except PlaywrightError as error:
            if goes_on_to is None or "interrupted by another navigation" not in str(error):
                raise
        else:
            assert response is not None and response.status < 400, f"{path}: {response.status}"
        if goes_on_to is not None:
            self.page.wait_for_url(self.base + goes_on_to, wait_until="load")
        # Scripts run on load (htmx, the kiosk's own) and ask the server: wait for their answers.
        self.page.wait_for_function(SETTLED)
        self.page.evaluate(NEXT_TASK)
        self.visited.append(path)

    def close(self) -> None:
        self.context.close()

    def assert_clean(self) -> None:
        assert not self.violations, f"CSP violations: {self.violations}"
        assert not self.log.bad_responses, f"error responses: {self.log.bad_responses}"
        # Going on to the next page cancels what the last one still loaded (fonts, a fetch);
        # a request the policy blocked fails differently (net::ERR_BLOCKED_BY_CSP).
        self.log.failed = [failure for failure in self.log.failed if "ERR_ABORTED" not in failure]
        self.log.assert_clean()


def visit_all(browser, base: str, urls: dict[str, list[str]], admin: str | None) -> Visit:
    visit = Visit(browser, base)
    try:
        if admin:
            visit.log_in(admin)
        for endpoint in sorted(urls):
            for path in urls[endpoint][: FEWER.get(endpoint)]:
                visit.open(path, LEAVES_BY_ITSELF.get(endpoint))
    finally:
        visit.close()
    return visit


def assert_every_page_covered(endpoints: set[str], urls: dict[str, list[str]]) -> None:
    missing = sorted(endpoints - set(urls) - set(EXCLUDED))
    assert not missing, f"GET routes neither visited nor excluded with a reason: {missing}"


# --- The kiosk ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kiosk_server(tmp_path_factory):
    require_chromium()
    server = KioskServer(tmp_path_factory.mktemp("csp") / "instance")
    server.kiosk(["demo", "--count", "40", "--months", "2"])
    add_admin(server, "petra")
    server.start()
    yield server
    server.stop()


def drafts(server: KioskServer, forms: list[str]) -> dict[str, str]:
    """{form: UUID of an unfinished draft}, started over HTTP as a visitor would."""
    found = {}
    for form in forms:
        visitor = HttpVisitor(server.url, "ar")
        visitor.start(form)
        found[form] = visitor.url.split("/")[3]
    return found


def kiosk_scenarios(server: KioskServer, app_forms: dict) -> list[dict]:
    database = os.path.join(server.instance_path, "kiosk.sqlite3")
    connection = read_database(database)
    try:
        submission_id, submission_uuid = connection.execute(
            "SELECT submission.id, submission.uuid FROM submission"
            " JOIN form_version ON form_version.id = submission.form_version_id"
            " WHERE form_version.slug = 'intake' LIMIT 1"
        ).fetchone()
        event_id, event_uid = connection.execute(
            "SELECT id, uid FROM event ORDER BY starts_at LIMIT 1"
        ).fetchone()
        (user_id,) = connection.execute("SELECT id FROM \"user\" WHERE name = 'petra'").fetchone()
        (case_id,) = connection.execute("SELECT id FROM need_case LIMIT 1").fetchone()
    finally:
        connection.close()
    month = date.today().replace(day=1)
    scenarios = [{"lang": code} for code in LANGUAGES]
    scenarios.append({"submission_id": int(submission_id)})
    scenarios.append({"user_id": int(user_id)})  # an account's page (views/accounts.py)
    scenarios.append({"case_id": int(case_id)})  # a need's case (views/cases.py)
    scenarios.append({"lang": "de", "submission_id": uuid.UUID(submission_uuid)})
    scenarios += [{"key": f"{month:%Y-%m}"}, {"key": f"{month:%Y}-Q{(month.month - 1) // 3 + 1}"}]
    scenarios.append({"need": "housing"})
    # A text on the Sprachpaten's pages (views/sprachpaten.py), in a right-to-left language.
    scenarios.append({"code": "ar", "key": message_key("Ihre Meinung"), "only": "sprachpaten."})
    # The demo's Wegweiser: an office (its page and the staff's), an event.
    scenarios.append({"lang": "ar", "need": "housing"})
    scenarios.append({"lang": "ar", "key": "stadt-wohnen", "only": "wegweiser."})
    scenarios += [{"entry_key": "stadt-wohnen"}, {"event_id": int(event_id)}]
    scenarios.append({"lang": "ar", "uid": uuid.UUID(event_uid)})
    # An uploaded form waiting as an Entwurf, and its preview (views/forms_admin.py).
    upload = form_uploads.keep(server.instance_path, read_xlsform(xlsform()), "t.xlsx", "petra")
    scenarios += [{"upload_id": upload.id, "lang": "ar", "name": n} for n in ("tag", "wunsch")]
    for form, draft in drafts(server, list(app_forms)).items():
        for lang, field in product(("ar",), app_forms[form].fields):
            scenarios.append(
                {"lang": lang, "form_slug": form, "draft_id": uuid.UUID(draft), "name": field.name}
            )
    return scenarios


def test_every_kiosk_and_review_page_keeps_to_the_policy(kiosk_server, browser):
    app = app_of(kiosk_server, "kiosk")
    endpoints = get_endpoints(app.url_map, skip={"hub"})
    scenarios = kiosk_scenarios(kiosk_server, app.extensions["kiosk_forms"])
    urls = page_urls(app.url_map, endpoints, scenarios)
    assert_every_page_covered(endpoints, urls)

    visitor = ("kiosk.", "wegweiser.")
    visitor_urls = {e: paths for e, paths in urls.items() if e.startswith(visitor)}
    staff_urls = {e: paths for e, paths in urls.items() if not e.startswith(visitor)}
    visitor = visit_all(browser, kiosk_server.url, visitor_urls, admin=None)
    staff = visit_all(browser, kiosk_server.url, staff_urls, admin="petra")
    visitor.assert_clean()
    staff.assert_clean()
    assert len(visitor.visited) + len(staff.visited) >= MIN_KIOSK_PAGES
    assert len(staff.visited) >= 15, staff.visited


# --- The hub --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hub_server(tmp_path_factory):
    require_chromium()
    server = KioskServer(tmp_path_factory.mktemp("csp-hub") / "instance", 'ROLE = "hub"\n')
    server.kiosk(["site", "add", "mittendrin", "--name", "Treffpunkt Mittendrin"])
    add_admin(server, "hanna")
    server.start()
    yield server
    server.stop()


def test_every_hub_page_keeps_to_the_policy(hub_server, browser):
    url_map = app_of(hub_server, "hub").url_map
    endpoints = get_endpoints(url_map, blueprints={"hub"})
    urls = page_urls(url_map, endpoints, [{"slug": "mittendrin"}, {}])
    assert_every_page_covered(endpoints, urls)
    visit = visit_all(browser, hub_server.url, urls, admin="hanna")
    visit.assert_clean()
    assert len(visit.visited) >= 3, visit.visited

"""The town-wide directory: the hub offers it (`GET /api/v1/directory`, token, ETag, 304), every
site pulls it, checks it and applies it whole, and the site's own entries are never touched.

The hub is a real `kiosk serve` (tests/sync_support.py) or, for the endpoint's own tests, a hub
app's test client; what a real hub cannot produce (a malformed or oversized directory) comes from
`FakeHub`, a real http.server on a thread.
"""

import contextlib
import http.server
import json
import re
import socket
import threading
import urllib.error
import urllib.request
from datetime import datetime, timedelta

import pytest

from kiosk.cli.sync import german_time
from kiosk.db import DATABASE_KEY, use_database
from kiosk.directory import entries
from kiosk.directory.schema import validate
from kiosk.hub import directory as hub_directory
from kiosk.hub.directory import directory_version
from kiosk.hub.tokens import add_site
from kiosk.models import DirectoryEntry, DirectorySync, Event
from kiosk.review.auth import create_user
from kiosk.scheduler import run_once
from kiosk.sync.directory import pull_directory, pull_now
from kiosk.views.templating import de_datetime

from server import PASSWORD, free_port, log_in
from sync_support import HubServer, app_at, read_http_message, utc, within

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$", re.MULTILINE)

# The Stadthaus's own entries on the hub: two go to the sites, the rest stay on the hub.
HUB_ENTRIES = [
    {
        "key": "jobcenter-wildeshausen",
        "kind": "office",
        "name": "Jobcenter Wildeshausen",
        "texts": {
            "summary": {
                "de": {"text": "Hilft bei Arbeit und Geld zum Leben."},
                "ar": {
                    "text": "يساعد في العمل والمال.",
                    "source": "Hilft bei Arbeit und Geld zum Leben.",
                },
            }
        },
        "needs": ["work"],
        "street": "Am Markt 1",
        "postcode": "27793",
        "city": "Wildeshausen",
        "phone": "04431 12345",
        "languages": ["de", "en"],
        "appointment": "needed",
        "hours": {"mo": [["08:00", "12:00"]], "th": [["14:00", "18:00"]]},
    },
    {
        "key": "hilfetelefon-frauen",
        "kind": "helpline",
        "name": "Hilfetelefon Gewalt gegen Frauen",
        "texts": {"summary": {"de": {"text": "Rund um die Uhr, in vielen Sprachen."}}},
        "phone": "116 016",
    },
]
HUB_ONLY = [  # on the hub, but not for the sites: the hub's own Treffpunkt entry, a shipped one
    {"key": "stadthaus", "kind": "treffpunkt", "name": "Stadthaus", "origin": "local"},
    {"key": "polizei", "kind": "helpline", "name": "Polizei", "phone": "110", "origin": "builtin"},
]
# The site's own: a correction of a hub entry (same key), a local helper, and an event.
SITE_ENTRIES = [
    {
        "key": "jobcenter-wildeshausen",
        "kind": "office",
        "name": "Jobcenter Wildeshausen (Zimmer 12)",
        "needs": ["work"],
        "phone": "04431 99999",
    },
    {
        "key": "fahrradwerkstatt",
        "kind": "office",
        "name": "Fahrradwerkstatt",
        "needs": ["mobility"],
    },
]


# --- Apps, hubs and helpers --------------------------------------------------------------------


def put_entries(app, items: list[dict], origin: str = "local") -> None:
    """Create or replace entries of `origin` by key, as a coordinator's edit does."""
    with within(app):
        for fields in items:
            fields = {"origin": origin, **fields}
            DirectoryEntry.delete().where(
                DirectoryEntry.origin == fields["origin"], DirectoryEntry.key == fields["key"]
            ).execute()
            DirectoryEntry.create(**fields)


def site_state(app) -> dict:
    """What a pull must never touch (local entries, events) and what it brings (hub entries)."""
    with within(app):
        rows = DirectoryEntry.select().order_by(DirectoryEntry.origin, DirectoryEntry.key)
        by_origin: dict = {}
        for row in rows.dicts():
            row.pop("id")
            by_origin.setdefault(row["origin"], {})[row["key"]] = row
        events = list(Event.select().order_by(Event.uid).dicts())
        return {
            "local": by_origin.get("local", {}),
            "hub": by_origin.get("hub", {}),
            "events": events,
        }


def sync_row(app) -> DirectorySync | None:
    with within(app):
        return DirectorySync.get_or_none()


def pull(app, now: datetime):
    with within(app):
        return pull_directory(app.config["SYNC_TARGETS"][0], now)


def fetch(url: str, token: str, etag: str = ""):
    """GET the directory as a site does: (status, headers, body)."""
    headers = {"Authorization": f"Bearer {token}"} | ({"If-None-Match": etag} if etag else {})
    request = urllib.request.Request(url + "/api/v1/directory", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


@pytest.fixture
def hub(tmp_path):
    """A real hub (`kiosk serve`, ROLE = "hub") with the Stadthaus's entries, not yet started."""
    server = HubServer(tmp_path / "hub", port=free_port())
    server.app = app_at(server.instance_path, ROLE="hub")  # to edit its directory
    with within(server.app):  # the site's token, as `kiosk site add` makes it, in-process
        server.token = add_site("mittendrin", "Treffpunkt Mittendrin")
    put_entries(server.app, HUB_ENTRIES)
    for fields in HUB_ONLY:
        put_entries(server.app, [fields], origin=fields["origin"])
    yield server
    server.stop()


def make_site(path, targets, **config):
    """A Treffpunkt with its own entries and an event, delivering to `targets`."""
    app = app_at(path, SYNC_TARGETS=list(targets), NIGHTLY_HOUR=24, **config)
    put_entries(app, SITE_ENTRIES)
    with within(app):
        Event.create(
            texts={"title": {"de": {"text": "Sprachcafé"}}},
            starts_at=datetime(2030, 5, 6, 15),
            ends_at=datetime(2030, 5, 6, 17),
        )
    return app


@pytest.fixture
def site(tmp_path, hub):
    return make_site(tmp_path / "site", [hub.target(hub.token)])


class FakeHub:
    """A stand-in hub on a thread: answers /api/v1/directory with the bytes it is given."""

    def __init__(self):
        self.body, self.etag, self.send_length = b"", "", True
        self.seen: list[dict] = []  # the headers of every request
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hub.seen.append(dict(self.headers))
                if hub.etag and self.headers.get("If-None-Match") == f'"{hub.etag}"':
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if hub.etag:
                    self.send_header("ETag", f'"{hub.etag}"')
                if hub.send_length:
                    self.send_header("Content-Length", str(len(hub.body)))
                self.end_headers()
                with contextlib.suppress(ConnectionError):  # a site that stopped reading
                    self.wfile.write(hub.body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def serve(self, document, send_length: bool = True) -> None:
        self.body = document if isinstance(document, bytes) else json.dumps(document).encode()
        self.etag = directory_version(document) if isinstance(document, dict) else "kein-json"
        self.send_length = send_length

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class RecordingProxy:
    """Passes each request on to the hub and keeps (request head, the answer's status line)."""

    def __init__(self, upstream_port: int):
        self.upstream = ("127.0.0.1", upstream_port)
        self.exchanges: list[tuple[str, str]] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.listener.close()

    def serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with client, socket.create_connection(self.upstream) as hub:
                request = read_http_message(client)
                hub.sendall(request)
                answer = read_http_message(hub)
                head = request.partition(b"\r\n\r\n")[0].decode()
                self.exchanges.append((head, answer.split(b"\r\n", 1)[0].decode()))
                client.sendall(answer)


def add_token(app) -> str:
    """A site token made on the hub `app` with `kiosk site add`."""
    result = app.test_cli_runner().invoke(args=["site", "add", "mittendrin"])
    assert result.exit_code == 0, result.output
    return TOKEN.search(result.output).group(0)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def hub_app(tmp_path):
    """A hub app with the Stadthaus's entries, for the endpoint's own tests (test client)."""
    app = app_at(tmp_path / "hub-app", ROLE="hub")
    put_entries(app, HUB_ENTRIES)
    for fields in HUB_ONLY:
        put_entries(app, [fields], origin=fields["origin"])
    app.token = add_token(app)
    return app


@pytest.fixture(scope="module")
def valid_document(tmp_path_factory) -> dict:
    """The document a real hub gives for HUB_ENTRIES, through its endpoint."""
    app = app_at(tmp_path_factory.mktemp("document-hub") / "instance", ROLE="hub")
    put_entries(app, HUB_ENTRIES)
    response = app.test_client().get("/api/v1/directory", headers=bearer(add_token(app)))
    assert response.status_code == 200
    return response.json


def assert_json_error(response, status: int, error: str):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.json["error"] == error and response.json["message"]


# --- The hub's endpoint -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}, bearer("x" * 43)],
    ids=["missing", "empty", "other-scheme", "unknown"],
)
def test_the_directory_needs_a_valid_site_token(hub_app, headers):
    client = hub_app.test_client()
    assert_json_error(client.get("/api/v1/directory", headers=headers), 401, "unauthorized")
    # Not even a matching version opens it without a token.
    known = client.get("/api/v1/directory", headers=bearer(hub_app.token)).headers["ETag"]
    refused = client.get("/api/v1/directory", headers=headers | {"If-None-Match": known})
    assert_json_error(refused, 401, "unauthorized")


def test_a_revoked_site_gets_no_directory_and_a_kiosk_has_none(hub_app, tmp_path):
    client = hub_app.test_client()
    assert client.get("/api/v1/directory", headers=bearer(hub_app.token)).status_code == 200
    assert hub_app.test_cli_runner().invoke(args=["site", "revoke", "mittendrin"]).exit_code == 0
    assert_json_error(
        client.get("/api/v1/directory", headers=bearer(hub_app.token)), 401, "unauthorized"
    )
    kiosk = app_at(tmp_path / "kiosk")
    answer = kiosk.test_client().get("/api/v1/directory", headers=bearer(hub_app.token))
    assert_json_error(answer, 404, "not_found")


def test_the_document_holds_the_stadthaus_offices_and_help_lines(hub_app):
    response = hub_app.test_client().get("/api/v1/directory", headers=bearer(hub_app.token))
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.json
    assert document["format"] == "mittendrin-directory" and document["format_version"] == 1
    assert document["exported_at"] and document["events"] == []
    # Only the hub's own offices and help lines: not its Treffpunkt entry, not the shipped ones.
    by_key = {entry["key"]: entry for entry in document["entries"]}
    assert sorted(by_key) == ["hilfetelefon-frauen", "jobcenter-wildeshausen"]
    office = by_key["jobcenter-wildeshausen"]
    assert office["name"] == "Jobcenter Wildeshausen" and office["phone"] == "04431 12345"
    assert office["hours"]["mo"] == [["08:00", "12:00"]] and office["needs"] == ["work"]
    assert office["texts"]["summary"]["ar"]["text"] == "يساعد في العمل والمال."
    assert by_key["hilfetelefon-frauen"]["kind"] == "helpline"
    with hub_app.app_context():
        validate(document)  # what the hub gives, a site accepts


def test_the_etag_changes_with_the_directory_only_and_a_match_gets_304(hub_app):
    client = hub_app.test_client()
    first = client.get("/api/v1/directory", headers=bearer(hub_app.token))
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong: no W/
    assert first.headers["Cache-Control"] == "no-store"  # the site keeps it, no proxy
    # The version is the content's, whenever it was exported.
    later = {**first.json, "exported_at": "2031-01-01T00:00:00+00:00"}
    assert directory_version(later) == etag.strip('"')

    for sent in (etag, f"W/{etag}", f'"something-else", {etag}', "*"):
        again = client.get(
            "/api/v1/directory", headers=bearer(hub_app.token) | {"If-None-Match": sent}
        )
        assert again.status_code == 304 and again.data == b"", sent
        assert again.headers["ETag"] == etag
    other = client.get(
        "/api/v1/directory", headers=bearer(hub_app.token) | {"If-None-Match": '"abc"'}
    )
    assert other.status_code == 200 and other.headers["ETag"] == etag

    # What the sites do not get may change: the version stays.
    put_entries(hub_app, [{**HUB_ONLY[0], "name": "Stadthaus Wildeshausen"}])
    unchanged = client.get(
        "/api/v1/directory", headers=bearer(hub_app.token) | {"If-None-Match": etag}
    )
    assert unchanged.status_code == 304

    put_entries(hub_app, [{**HUB_ENTRIES[0], "phone": "04431 54321"}])
    changed = client.get(
        "/api/v1/directory", headers=bearer(hub_app.token) | {"If-None-Match": etag}
    )
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    phones = {entry["key"]: entry["phone"] for entry in changed.json["entries"]}
    assert phones["jobcenter-wildeshausen"] == "04431 54321"


def test_the_document_is_built_once_per_change_of_the_directory(hub_app, monkeypatch):
    builds = []
    real_export = hub_directory.export_document

    def counted(**kwargs):
        builds.append(kwargs)
        return real_export(**kwargs)

    monkeypatch.setattr(hub_directory, "export_document", counted)
    client = hub_app.test_client()
    bodies = {client.get("/api/v1/directory", headers=bearer(hub_app.token)).data for _ in range(5)}
    assert len(builds) == 1 and len(bodies) == 1
    assert builds[0] == {"origins": ("local",), "kinds": ("office", "helpline"), "events": False}

    with within(hub_app):  # a removed entry, too, makes a new document
        DirectoryEntry.delete().where(DirectoryEntry.key == "hilfetelefon-frauen").execute()
    for _ in range(3):
        answer = client.get("/api/v1/directory", headers=bearer(hub_app.token))
    assert len(builds) == 2
    assert [entry["key"] for entry in answer.json["entries"]] == ["jobcenter-wildeshausen"]


# --- A site's pull from the real hub ----------------------------------------------------------


def hub_version(hub) -> str:
    status, headers, _ = fetch(hub.url, hub.token)
    assert status == 200
    return headers["ETag"].strip('"')


def test_a_site_pulls_the_directory_and_keeps_its_own_entries(hub, site):
    hub.start()
    before = site_state(site)
    now = utc(2026, 12, 3, 9)
    result = pull(site, now)
    assert (result.outcome, result.entries, result.error) == ("applied", 2, "")
    assert result.version == hub_version(hub)
    row = sync_row(site)
    assert (row.target, row.version, row.entries, row.error) == ("stadthaus", result.version, 2, "")
    assert row.attempted_at == row.fetched_at == row.applied_at == now

    after = site_state(site)
    assert after["local"] == before["local"] and after["events"] == before["events"]
    assert sorted(after["hub"]) == ["hilfetelefon-frauen", "jobcenter-wildeshausen"]
    office = after["hub"]["jobcenter-wildeshausen"]
    assert office["phone"] == "04431 12345" and office["hours"]["th"] == [["14:00", "18:00"]]
    assert office["texts"]["summary"]["ar"]["text"] == "يساعد في العمل والمال."
    with within(site):
        # The site's correction still wins over the hub's entry; the help line is the hub's.
        assert entries.entry("jobcenter-wildeshausen").name == "Jobcenter Wildeshausen (Zimmer 12)"
        assert entries.entry("hilfetelefon-frauen").origin == "hub"
        assert entries.entry("fahrradwerkstatt").origin == "local"


def test_an_unchanged_directory_is_answered_304_and_a_change_is_applied(hub, tmp_path):
    hub.start()
    with RecordingProxy(hub.port) as proxy:
        site = make_site(tmp_path / "site", [hub.target(hub.token, url=proxy.url)])
        first, second = utc(2026, 12, 3, 9), utc(2026, 12, 3, 10)
        applied = pull(site, first)
        unchanged = pull(site, second)
        assert unchanged.outcome == "unchanged" and unchanged.version == applied.version
        (head_1, status_1), (head_2, status_2) = proxy.exchanges
        assert "If-None-Match" not in head_1 and status_1.startswith("HTTP/1.1 200")
        assert f'If-None-Match: "{applied.version}"' in head_2.splitlines()
        assert status_2.startswith("HTTP/1.1 304")
        row = sync_row(site)
        assert (
            row.applied_at == first and row.fetched_at == second and row.version == applied.version
        )

        # The Stadthaus changes a phone number and drops the help line.
        put_entries(hub.app, [{**HUB_ENTRIES[0], "phone": "04431 54321"}])
        with within(hub.app):
            DirectoryEntry.delete().where(DirectoryEntry.key == "hilfetelefon-frauen").execute()
        third = utc(2026, 12, 3, 11)
        changed = pull(site, third)
    assert changed.outcome == "applied" and changed.version != applied.version
    assert changed.entries == 1 and proxy.exchanges[2][1].startswith("HTTP/1.1 200")
    state = site_state(site)
    assert list(state["hub"]) == ["jobcenter-wildeshausen"]
    assert state["hub"]["jobcenter-wildeshausen"]["phone"] == "04431 54321"
    assert sorted(state["local"]) == ["fahrradwerkstatt", "jobcenter-wildeshausen"]
    row = sync_row(site)
    assert (row.version, row.entries, row.applied_at) == (changed.version, 1, third)


def test_the_hub_down_keeps_the_directory_and_the_hub_back_brings_the_new_one(hub, site):
    hub.start()
    first = utc(2026, 12, 3, 9)
    applied = pull(site, first)
    kept = site_state(site)
    hub.stop()
    put_entries(hub.app, [{**HUB_ENTRIES[0], "phone": "04431 54321"}])

    down = utc(2026, 12, 3, 10)
    failed = pull(site, down)
    assert failed.outcome == "failed"
    assert failed.error == "Stadthaus-Server nicht erreichbar (Verbindung abgelehnt)"
    assert failed.describe() == f"Verzeichnis nicht übernommen: {failed.error}"
    assert site_state(site) == kept
    row = sync_row(site)
    assert (row.version, row.entries, row.error) == (applied.version, 2, failed.error)
    assert row.fetched_at == row.applied_at == first and row.attempted_at == down

    hub.start()
    back = utc(2026, 12, 3, 11)
    assert pull(site, back).outcome == "applied"
    assert site_state(site)["hub"]["jobcenter-wildeshausen"]["phone"] == "04431 54321"
    assert site_state(site)["local"] == kept["local"]
    row = sync_row(site)
    assert row.error == "" and row.fetched_at == row.applied_at == back


def test_a_refused_token_is_recorded_and_nothing_applied(hub, tmp_path):
    hub.start()
    site = make_site(tmp_path / "site", [hub.target("ein-falsches-token")])
    before = site_state(site)
    result = pull(site, utc(2026, 12, 3, 9))
    assert result.outcome == "failed"
    assert result.error.startswith(
        "Der Stadthaus-Server kennt das Zugangs-Token nicht (falsch oder widerrufen)"
    )
    assert site_state(site) == before and before["hub"] == {}
    row = sync_row(site)
    assert row.version == "" and row.fetched_at is None and row.error == result.error


# --- What a real hub cannot give: a fake one ------------------------------------------------------


def broken(document: dict, change) -> dict:
    copy = json.loads(json.dumps(document))
    change(copy)
    return copy


MALFORMED = {
    "an entry without a name": (
        lambda d: broken(d, lambda c: c["entries"][0].pop("name")),
        "Feld name: Dieses Pflichtfeld fehlt.",
    ),
    "a bad hour": (
        lambda d: broken(d, lambda c: c["entries"][1].update(hours={"mo": [["08:00", "25:00"]]})),
        "Feld hours.mo[0][1]",
    ),
    "hours that overlap": (
        lambda d: broken(
            d,
            lambda c: c["entries"][1].update(
                hours={"mo": [["08:00", "12:00"], ["11:00", "14:00"]]}
            ),
        ),
        "Feld hours.mo",
    ),
    "another format": (lambda d: {**d, "format": "vcard"}, "Feld format"),
    "the Treffpunkt's own kind": (
        lambda d: broken(d, lambda c: c["entries"][0].update(kind="treffpunkt")),
        "die nur der Treffpunkt selbst pflegt",
    ),
    "not JSON at all": (lambda d: b"<html>Wartungsarbeiten</html>", "kein gültiges JSON"),
    "JSON that is no directory": (lambda d: [d], "kein Wegweiser-Verzeichnis"),
}


@pytest.mark.parametrize("what", list(MALFORMED))
def test_a_malformed_directory_is_refused_and_nothing_applied(valid_document, tmp_path, what):
    make_broken, words = MALFORMED[what]
    with FakeHub() as fake:
        target = {"name": "stadthaus", "type": "hub", "url": fake.url, "token": "t" * 43}
        site = make_site(tmp_path / "site", [target])
        fake.serve(valid_document)
        applied = pull(site, utc(2026, 12, 3, 9))
        assert applied.outcome == "applied", applied.error
        kept = site_state(site)
        fake.serve(make_broken(valid_document))
        refused = pull(site, utc(2026, 12, 3, 10))
    assert refused.outcome == "failed" and words in refused.error, refused.error
    assert refused.error.startswith("Das Verzeichnis vom Stadthaus-Server ist")
    assert fake.seen[1]["If-None-Match"] == f'"{applied.version}"'
    assert site_state(site) == kept
    row = sync_row(site)
    assert (row.version, row.entries, row.error) == (applied.version, 2, refused.error)
    assert row.applied_at == row.fetched_at == utc(2026, 12, 3, 9)


@pytest.mark.parametrize("send_length", [True, False], ids=["content-length", "until-closed"])
def test_an_oversized_directory_is_refused_up_to_the_byte(valid_document, tmp_path, send_length):
    with FakeHub() as fake:
        fake.serve(valid_document, send_length=send_length)
        size = len(fake.body)
        target = {"name": "stadthaus", "type": "hub", "url": fake.url, "token": "t" * 43}
        site = make_site(tmp_path / "site", [target], DIRECTORY_MAX_BYTES=size - 1)
        before = site_state(site)
        refused = pull(site, utc(2026, 12, 3, 9))
        assert refused.outcome == "failed"
        assert refused.error.startswith("Das Verzeichnis vom Stadthaus-Server ist zu groß")
        assert "DIRECTORY_MAX_BYTES" in refused.error
        assert site_state(site) == before and sync_row(site).version == ""
        site.config["DIRECTORY_MAX_BYTES"] = size  # exactly the limit is fine
        assert pull(site, utc(2026, 12, 3, 10)).outcome == "applied"
    assert sorted(site_state(site)["hub"]) == ["hilfetelefon-frauen", "jobcenter-wildeshausen"]


def test_the_default_limit_is_two_mebibytes(tmp_path):
    site = app_at(tmp_path / "site")
    assert site.config["DIRECTORY_MAX_BYTES"] == 2 * 1024 * 1024
    assert site.config["DIRECTORY_PULL_MINUTES"] == 60


# --- The scheduler, the command and the page ------------------------------------------------------


def run(app, now):
    use_database(app.extensions[DATABASE_KEY])  # the scheduler's thread uses the app's database
    return run_once(app, now)


def test_the_scheduler_pulls_at_start_then_every_interval_and_carries_on_after_failures(
    hub, site, tmp_path
):
    hub.start()
    start = utc(2026, 12, 3, 9)
    assert run(site, start)["directory"].outcome == "applied"
    assert run(site, start + timedelta(minutes=30))["directory"] is None
    assert sync_row(site).attempted_at == start
    assert run(site, start + timedelta(minutes=60))["directory"].outcome == "unchanged"
    hub.stop()
    done = run(site, start + timedelta(minutes=120))
    assert done["directory"].outcome == "failed"
    assert {"built", "queued", "delivered", "heartbeats", "nightly"} <= set(done)
    row = sync_row(site)
    assert "Verbindung abgelehnt" in row.error and row.fetched_at == start + timedelta(minutes=60)
    # A restarted server pulls at once, whatever the last server did.
    restarted = app_at(site.instance_path, SYNC_TARGETS=site.config["SYNC_TARGETS"])
    hub.start()
    assert run(restarted, start + timedelta(minutes=125))["directory"].outcome == "unchanged"
    assert sync_row(restarted).error == ""


def test_a_site_without_a_hub_works_with_its_own_directory(tmp_path):
    folder = {"name": "usb", "type": "folder", "path": str(tmp_path / "usb")}
    site = make_site(tmp_path / "site", [folder])
    before = site_state(site)
    with within(site):
        assert pull_now() is None
    assert run(site, utc(2026, 12, 3, 9))["directory"] is None
    result = site.test_cli_runner().invoke(args=["sync"])
    assert "Verzeichnis" not in result.output
    status = site.test_cli_runner().invoke(args=["sync", "--status"])
    assert "Verzeichnis" not in status.output
    assert site_state(site) == before and sync_row(site) is None


def test_kiosk_sync_pulls_and_its_status_shows_the_directory(hub, site):
    hub.start()
    runner = site.test_cli_runner()
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    version = hub_version(hub)
    assert f"stadthaus: Verzeichnis übernommen (Stand {version[:12]}, 2 Einträge)." in result.output
    again = runner.invoke(args=["sync"])
    assert f"stadthaus: Verzeichnis unverändert (Stand {version[:12]}, 2 Einträge)." in again.output

    row = sync_row(site)
    status = runner.invoke(args=["sync", "--status"]).output
    assert f"  Verzeichnis: Stand {version[:12]}, 2 Einträge\n" in status
    assert f"  Verzeichnis zuletzt abgerufen: {german_time(row.fetched_at)}\n" in status
    assert f"  Verzeichnis zuletzt übernommen: {german_time(row.applied_at)}\n" in status
    assert re.search(r"abgerufen: \d\d\.\d\d\.20\d\d \d\d:\d\d\n", status)
    assert "Verzeichnis-Fehler" not in status

    hub.stop()
    failed = runner.invoke(args=["sync"])
    assert failed.exit_code == 1
    assert (
        "stadthaus: Verzeichnis nicht übernommen: "
        "Stadthaus-Server nicht erreichbar (Verbindung abgelehnt)" in failed.output
    )
    status = runner.invoke(args=["sync", "--status"]).output
    row = sync_row(site)
    assert f"  Verzeichnis: Stand {version[:12]}, 2 Einträge\n" in status
    assert (
        f"  Verzeichnis-Fehler ({german_time(row.attempted_at)}): "
        "Stadthaus-Server nicht erreichbar (Verbindung abgelehnt)\n" in status
    )


def test_the_directory_comes_from_the_first_hub_only(hub, tmp_path):
    second = {"name": "landkreis", "type": "hub", "url": "http://127.0.0.1:9", "token": "x" * 43}
    site = make_site(tmp_path / "site", [hub.target(hub.token), second])
    status = site.test_cli_runner().invoke(args=["sync", "--status"]).output
    stadthaus, landkreis = status.split("landkreis (Stadthaus-Server)")
    assert "  Verzeichnis: noch keines übernommen\n" in stadthaus
    assert "  Verzeichnis zuletzt abgerufen: noch nie\n" in stadthaus
    assert "  Verzeichnis: kommt von „stadthaus“\n" in landkreis
    assert "abgerufen" not in landkreis


@pytest.fixture
def coordinator(site):
    with within(site):
        create_user("cora", PASSWORD, "coordinator")
        create_user("vera", PASSWORD, "volunteer")
    client = site.test_client()
    log_in(client, "cora")
    return client


def test_the_versand_page_shows_the_directory_and_pulls_it_now(hub, site, coordinator):
    page = coordinator.get("/review/versand/").get_data(as_text=True)
    assert "Verzeichnis vom Stadthaus" in page and "noch keines übernommen" in page
    assert "alle 60 Minuten vom Stadthaus-Server „stadthaus“" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    hub.start()
    answer = coordinator.post(
        "/review/versand/verzeichnis", data={"csrf_token": token}, headers={"HX-Request": "true"}
    )
    html = answer.get_data(as_text=True)
    version = hub_version(hub)
    assert answer.status_code == 200 and "<html" not in html and 'id="verzeichnis"' in html
    assert f"Verzeichnis übernommen (Stand {version[:12]}, 2 Einträge)." in html
    row = sync_row(site)
    page = coordinator.get("/review/versand/").get_data(as_text=True)
    assert f"<code>{version[:12]}</code>" in page and "2 Einträge" in page
    assert page.count(de_datetime(row.applied_at)) >= 2  # fetched and applied

    hub.stop()
    without_htmx = coordinator.post("/review/versand/verzeichnis", data={"csrf_token": token})
    assert without_htmx.status_code == 303
    page = coordinator.get("/review/versand/").get_data(as_text=True)
    assert "Verzeichnis nicht übernommen: Stadthaus-Server nicht erreichbar" in page  # the flash
    assert f"Es gilt weiter der Stand vom {de_datetime(row.applied_at)}." in page
    assert f"<code>{version[:12]}</code>" in page


def test_volunteers_may_not_pull_the_directory(hub, site, coordinator):
    volunteer = site.test_client()
    log_in(volunteer, "vera")
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', volunteer.get("/review/").get_data(as_text=True)
    )
    data = {"csrf_token": token.group(1)} if token else {}
    assert volunteer.post("/review/versand/verzeichnis", data=data).status_code == 403
    assert sync_row(site) is None


def test_a_site_without_a_hub_says_so_on_the_versand_page(tmp_path):
    site = make_site(tmp_path / "site", [])
    with within(site):
        create_user("cora", PASSWORD, "coordinator")
    client = site.test_client()
    log_in(client, "cora")
    page = client.get("/review/versand/").get_data(as_text=True)
    assert (
        "Ohne Stadthaus-Server arbeitet dieser Treffpunkt mit seinem eigenen Verzeichnis." in page
    )
    assert "Verzeichnis jetzt abrufen" not in page

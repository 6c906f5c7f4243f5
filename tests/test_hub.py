"""The hub at the Stadthaus: site tokens, receiving reports once, heartbeats, the dashboard.

The receiving tests run on SQLite and on a real PostgreSQL server (tests/pg_support.py).
"""

import hashlib
import io
import json
import re
import threading
import urllib.error
import uuid
from datetime import timedelta

import pytest
from playhouse.db_url import connect

from kiosk import create_app
from kiosk.cli.main import main
from kiosk.config import ConfigError
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.hub.status import site_statuses
from kiosk.migrations import apply_migrations, available
from kiosk.models import MODELS, Heartbeat, HubSite, ReceivedPdf, ReceivedReport, utcnow
from kiosk.reports.periods import parse_period
from kiosk.reports.store import build_report

import pg_support
from factories import add_user
from hub_screens import kiosk as run_kiosk
from hub_screens import post, report_upload
from server import KioskServer, log_in

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$", re.MULTILINE)


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_report(tmp_path_factory):
    """A report as a Treffpunkt builds it (record and PDF), made once with the real builder."""
    instance = tmp_path_factory.mktemp("site") / "instance"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_INSTANCE_PATH", str(instance))
        app = create_app({"SECRET_KEY": "test-secret", "TESTING": True})
        prepare_database(app)
        with app.app_context(), db.connection_context():
            from kiosk.models import Site

            site = Site.get(Site.slug == app.config["SITE_SLUG"])
            result = build_report(site, parse_period("2026-10"))
        with open(result.pdf_path, "rb") as pdf:
            return result.record, pdf.read()


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_app(request, instance):
    return pg_support.hub_app(request.param)


@pytest.fixture
def hub(hub_app):
    return Hub(hub_app)


class Hub:
    """Talks to the hub as sites and staff do: CLI for tokens, API for reports, pages."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.runner = app.test_cli_runner()

    def cli(self, *args):
        return self.runner.invoke(args=list(args))

    def add_site(self, slug, name=None):
        result = self.cli("site", "add", slug, *(["--name", name] if name else []))
        assert result.exit_code == 0, result.output
        return TOKEN.search(result.output).group(0)

    def post_report(self, token, record, pdf, **kwargs):
        data = {
            "record": (io.BytesIO(json.dumps(record).encode()), "2026-10.json", "application/json"),
            "pdf": (io.BytesIO(pdf), "2026-10.pdf", "application/pdf"),
        }
        return self.client.post(
            "/api/v1/reports", headers=bearer(token), data=kwargs.pop("data", data), **kwargs
        )

    def heartbeat(self, token, **changes):
        body = {
            "version": "0.1.0",
            "sent_at": "2026-11-25T09:00:00+00:00",
            "last_submission_at": "2026-11-24T15:30:00+00:00",
            "outbox_length": 2,
            "last_report": {
                "uuid": str(uuid.uuid4()),
                "period": "2026-10",
                "created": "2026-11-01T06:00:00+00:00",
            },
            **changes,
        }
        return self.client.post("/api/v1/heartbeat", headers=bearer(token), json=body)

    def query(self, function):
        with self.app.app_context(), db.connection_context():
            return function()

    def login(self):
        add_user(self.app, "stadthaus", "coordinator")
        log_in(self.client, "stadthaus")


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def variant(record, pdf, extra=b"", **changes):
    """Another report of the same site: a new UUID unless given, the PDF changed by `extra`."""
    pdf = pdf + extra
    changed = {**record, "uuid": str(uuid.uuid4()), "sha256": hashlib.sha256(pdf).hexdigest()}
    return {**changed, **changes}, pdf


def assert_json_error(response, status, error):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.json["error"] == error
    assert response.json["message"]


# --- Tokens -----------------------------------------------------------------------------------


def test_a_site_token_is_shown_once_and_only_its_hash_is_kept(hub):
    result = hub.cli("site", "add", "mittendrin", "--name", "Treffpunkt Mittendrin")
    token = TOKEN.search(result.output).group(0)
    assert '"type": "hub"' in result.output and f'"token": "{token}"' in result.output
    site = hub.query(lambda: HubSite.get(HubSite.slug == "mittendrin"))
    assert site.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(hub.query(lambda: list(HubSite.select().dicts())), default=str)
    listing = hub.cli("site", "list").output
    assert "mittendrin" in listing and "aktiv" in listing and token not in listing


def test_a_site_is_added_once_and_needs_a_slug_like_its_site_slug(hub):
    hub.add_site("mittendrin")
    again = hub.cli("site", "add", "mittendrin")
    assert again.exit_code == 1 and "gibt es schon" in again.output
    bad = hub.cli("site", "add", "Mitten Drin")
    assert bad.exit_code == 1 and "Ungültiger Kurzname" in bad.output
    long_name = hub.cli("site", "add", "lang", "--name", "x" * 101)
    assert long_name.exit_code == 1 and "zu lang" in long_name.output


def test_a_revoked_token_is_refused_and_the_reports_stay(hub, real_report):
    token = hub.add_site("mittendrin")
    assert hub.post_report(token, *real_report).status_code == 201
    result = hub.cli("site", "revoke", "mittendrin")
    assert result.exit_code == 0, result.output
    assert "gesperrt" in hub.cli("site", "list").output
    assert_json_error(hub.post_report(token, *real_report), 401, "unauthorized")
    assert_json_error(hub.heartbeat(token), 401, "unauthorized")
    assert len(hub.query(lambda: ReceivedReport.current_records("2026-10"))) == 1
    assert hub.cli("site", "revoke", "nirgendwo").exit_code == 1


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}, bearer("x" * 43)],
    ids=["missing", "empty", "other-scheme", "unknown"],
)
def test_a_post_without_a_valid_token_gets_401(hub, real_report, headers):
    hub.add_site("mittendrin")
    record, pdf = real_report
    data = {
        "record": (io.BytesIO(json.dumps(record).encode()), "r.json"),
        "pdf": (io.BytesIO(pdf), "r.pdf"),
    }
    response = hub.client.post("/api/v1/reports", headers=headers, data=data)
    assert_json_error(response, 401, "unauthorized")
    assert_json_error(
        hub.client.post("/api/v1/heartbeat", headers=headers, json={}), 401, "unauthorized"
    )
    assert hub.query(lambda: ReceivedReport.select().count()) == 0


# --- Receiving reports ------------------------------------------------------------------------


def test_a_report_is_stored_once_and_every_repeat_gets_the_same_receipt(hub, real_report):
    token = hub.add_site("mittendrin")
    record, pdf = real_report
    first = hub.post_report(token, record, pdf)
    assert first.status_code == 201
    assert first.json["status"] == "stored" and first.json["uuid"] == record["uuid"]
    for _ in range(3):
        again = hub.post_report(token, record, pdf)
        assert again.status_code == 200
        assert again.json == {**first.json, "status": "already_stored"}
    assert hub.query(lambda: ReceivedReport.select().count()) == 1
    stored = hub.query(lambda: bytes(ReceivedPdf.get().data))
    assert stored == pdf
    assert hub.query(lambda: ReceivedReport.current_records("2026-10")) == [record]


def test_the_same_uuid_with_other_content_is_a_conflict_and_the_first_stays(hub, real_report):
    token = hub.add_site("mittendrin")
    record, pdf = real_report
    assert hub.post_report(token, record, pdf).status_code == 201
    other, other_pdf = variant(record, pdf, b"\n% rebuilt\n", uuid=record["uuid"])
    assert_json_error(hub.post_report(token, other, other_pdf), 409, "conflict")
    assert hub.query(lambda: bytes(ReceivedPdf.get().data)) == pdf
    assert hub.query(lambda: ReceivedReport.get().sha256) == record["sha256"]


def test_deliveries_at_the_same_time_store_the_report_once(hub, real_report):
    token = hub.add_site("mittendrin")
    statuses = []

    def deliver():
        with hub.app.test_client() as client:
            data = {
                "record": (io.BytesIO(json.dumps(real_report[0]).encode()), "r.json"),
                "pdf": (io.BytesIO(real_report[1]), "r.pdf"),
            }
            response = client.post("/api/v1/reports", headers=bearer(token), data=data)
            statuses.append(response.status_code)

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 5 + [201]
    assert hub.query(lambda: ReceivedReport.select().count()) == 1


def broken_deliveries(record, pdf):
    """(what is wrong, multipart data or None for a JSON body) that must get 400."""

    def parts(rec=record, body=pdf, record_text=None):
        text = record_text if record_text is not None else json.dumps(rec)
        return {
            "record": (io.BytesIO(text.encode()), "2026-10.json", "application/json"),
            "pdf": (io.BytesIO(body), "2026-10.pdf", "application/pdf"),
        }

    def with_record(**changes):
        return parts({**record, **changes})

    yield "json instead of multipart", None
    yield "no pdf part", {"record": parts()["record"]}
    yield "no record part", {"pdf": parts()["pdf"]}
    yield "record not json", parts(record_text="{not json")
    yield "record a list", parts(record_text="[1, 2]")
    yield "no uuid", with_record(uuid=None)
    yield "uuid not a uuid", with_record(uuid="report-1")
    yield "sha256 not hex", with_record(sha256="z" * 64)
    yield "sha256 mismatch", with_record(sha256=hashlib.sha256(b"other").hexdigest())
    yield "no site", with_record(site=None)
    yield "site slug missing", with_record(site={"name": "Treffpunkt"})
    yield "no period", with_record(period="2026-10")
    yield "period key unreadable", with_record(period={**record["period"], "key": "2026-13"})
    yield "period days differ", with_record(period={**record["period"], "end": "2026-10-30"})
    yield "created missing", with_record(created=None)
    yield "created not a time", with_record(created="gestern")
    yield "replaces not a uuid", with_record(replaces="earlier")
    yield "replaces itself", with_record(replaces=record["uuid"])
    yield "site slug with NUL", with_record(site={"slug": "mittendrin\x00", "name": "M"})
    yield "record nested too deep", parts(record_text="[" * 100_000)
    not_a_pdf = b"<html>not a pdf</html>"
    yield (
        "pdf not a pdf",
        parts({**record, "sha256": hashlib.sha256(not_a_pdf).hexdigest()}, not_a_pdf),
    )


def test_malformed_deliveries_get_400_and_store_nothing(hub, real_report):
    token = hub.add_site("mittendrin")
    for wrong, data in broken_deliveries(*real_report):
        if data is None:
            response = hub.client.post(
                "/api/v1/reports", headers=bearer(token), json=real_report[0]
            )
        else:
            response = hub.client.post("/api/v1/reports", headers=bearer(token), data=data)
        assert response.status_code == 400, wrong
        assert_json_error(response, 400, "bad_request")
    raw = hub.client.post(
        "/api/v1/reports",
        headers={**bearer(token), "Content-Type": "multipart/form-data; boundary=x"},
        data=b"--y\r\nnonsense",
    )
    assert_json_error(raw, 400, "bad_request")
    assert hub.query(lambda: ReceivedReport.select().count()) == 0


def test_a_site_may_not_deliver_another_sites_report(hub, real_report):
    hub.add_site("mittendrin")
    other = hub.add_site("am-markt")
    assert_json_error(hub.post_report(other, *real_report), 403, "forbidden")
    assert hub.query(lambda: ReceivedReport.select().count()) == 0


def test_reports_may_be_larger_than_forms_but_not_without_limit(hub, real_report):
    token = hub.add_site("mittendrin")
    hub.app.config["HUB_MAX_REPORT_BYTES"] = 300 * 1024
    record, pdf = variant(*real_report, extra=b"\n%" + b"x" * 200 * 1024 + b"\n")
    assert len(pdf) > hub.app.config["MAX_CONTENT_LENGTH"]
    assert hub.post_report(token, record, pdf).status_code == 201
    record, pdf = variant(*real_report, extra=b"\n%" + b"x" * 400 * 1024 + b"\n")
    assert_json_error(hub.post_report(token, record, pdf), 413, "too_large")
    padding = "x" * (hub.app.config["MAX_CONTENT_LENGTH"] + 1)
    assert_json_error(hub.heartbeat(token, version=padding), 413, "too_large")
    assert hub.query(lambda: ReceivedReport.select().count()) == 1


def test_a_rebuilt_report_supersedes_the_one_it_replaces(hub, real_report):
    token = hub.add_site("mittendrin")
    first, first_pdf = real_report
    second, second_pdf = variant(first, first_pdf, b"\n% rebuilt\n", replaces=first["uuid"])
    assert hub.post_report(token, first, first_pdf).status_code == 201
    assert hub.post_report(token, second, second_pdf).status_code == 201
    assert hub.query(lambda: ReceivedReport.current_records("2026-10")) == [second]
    old = hub.query(lambda: ReceivedReport.get(ReceivedReport.uuid == first["uuid"]))
    assert str(old.superseded_by) == second["uuid"]


def test_a_replacement_that_arrives_first_still_wins(hub, real_report):
    token = hub.add_site("mittendrin")
    first, first_pdf = real_report
    second, second_pdf = variant(first, first_pdf, b"\n% rebuilt\n", replaces=first["uuid"])
    assert hub.post_report(token, second, second_pdf).status_code == 201
    assert hub.post_report(token, first, first_pdf).status_code == 201
    assert hub.query(lambda: ReceivedReport.current_records("2026-10")) == [second]


def test_a_report_cannot_replace_another_sites_report(hub, real_report):
    token = hub.add_site("mittendrin")
    other = hub.add_site("am-markt")
    record, pdf = real_report
    theirs, theirs_pdf = variant(
        record, pdf, b"\n%\n", site={"slug": "am-markt", "name": "Am Markt"}
    )
    assert hub.post_report(other, theirs, theirs_pdf).status_code == 201
    mine, mine_pdf = variant(record, pdf, b"\n% 2\n", replaces=theirs["uuid"])
    assert_json_error(hub.post_report(token, mine, mine_pdf), 400, "bad_request")
    assert hub.query(lambda: ReceivedReport.current_records("2026-10")) == [theirs]


def test_current_records_hold_each_sites_newest_report_per_period(hub, real_report):
    tokens = {slug: hub.add_site(slug) for slug in ("mittendrin", "am-markt")}
    record, pdf = real_report
    september = parse_period("2026-09").to_dict()
    delivered = {}
    for slug, token in tokens.items():
        for key, period in (("2026-10", record["period"]), ("2026-09", september)):
            site = {"slug": slug, "name": slug.title()}
            report, report_pdf = variant(record, pdf, slug.encode(), site=site, period=period)
            assert hub.post_report(token, report, report_pdf).status_code == 201
            delivered[slug, key] = report
    october = hub.query(lambda: ReceivedReport.current_records("2026-10"))
    assert october == [delivered["am-markt", "2026-10"], delivered["mittendrin", "2026-10"]]
    assert hub.query(ReceivedReport.period_keys) == ["2026-10", "2026-09"]
    assert hub.query(lambda: ReceivedReport.current_records("2026-08")) == []


# --- Heartbeats -------------------------------------------------------------------------------


def test_heartbeats_keep_the_latest_per_site(hub):
    token = hub.add_site("mittendrin")
    first = hub.heartbeat(token)
    assert first.status_code == 200 and first.json["status"] == "ok"
    assert first.json["received_at"].endswith("Z")
    assert (
        hub.heartbeat(token, version="0.2.0", outbox_length=0, last_report=None).status_code == 200
    )
    beat = hub.query(lambda: Heartbeat.get())
    assert hub.query(lambda: Heartbeat.select().count()) == 1
    assert (beat.version, beat.outbox_length, beat.last_report_uuid) == ("0.2.0", 0, None)
    assert beat.last_submission_at.isoformat() == "2026-11-24T15:30:00"


MALFORMED_HEARTBEATS = (
    {"version": 3},
    {"version": ""},
    {"version": "0.1\x00"},
    {"sent_at": "morgen"},
    {"sent_at": None},
    {"last_submission_at": 12},
    {"outbox_length": "2"},
    {"outbox_length": -1},
    {"outbox_length": True},
    {"outbox_length": 2**40},
    {"sent_at": "0001-01-01T00:00:00+01:00"},
    {"last_report": "2026-10"},
    {"last_report": {"uuid": "x", "period": "2026-10", "created": "2026-11-01T06:00:00Z"}},
    {"last_report": {"uuid": str(uuid.uuid4()), "period": "", "created": "2026-11-01"}},
)


def test_malformed_heartbeats_get_400(hub):
    token = hub.add_site("mittendrin")
    for changes in MALFORMED_HEARTBEATS:
        response = hub.heartbeat(token, **changes)
        assert response.status_code == 400, changes
        assert_json_error(response, 400, "bad_request")
    for body, kind in (("version=1", "text/plain"), ("[" * 60_000, "application/json")):
        response = hub.client.post(
            "/api/v1/heartbeat", headers=bearer(token), data=body, content_type=kind
        )
        assert_json_error(response, 400, "bad_request")
    assert hub.query(lambda: Heartbeat.select().count()) == 0


# --- The API's edges --------------------------------------------------------------------------


def test_unknown_api_urls_and_wrong_methods_answer_json(hub):
    assert_json_error(hub.client.get("/api/v1/reports"), 405, "method_not_allowed")
    assert_json_error(hub.client.get("/api/v1/nothing"), 404, "not_found")
    assert_json_error(hub.client.post("/api/v2/reports"), 404, "not_found")


def test_a_kiosk_has_no_hub(app):
    client = app.test_client()
    assert_json_error(client.post("/api/v1/heartbeat", json={}), 404, "not_found")
    assert client.get("/hub/").status_code == 404
    start = client.get("/")
    assert start.status_code == 200 or "/hub/" not in start.location


def test_an_unknown_role_stops_the_start(instance):
    with pytest.raises(ConfigError, match="ROLE"):
        create_app({"SECRET_KEY": "x", "ROLE": "zentrale"})
    instance.mkdir(parents=True)
    (instance / "config.py").write_text('ROLE = "zentrale"\n')
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["site", "list"])
    assert result.exit_code == 1 and "ROLE = 'zentrale' is unknown" in result.output


# --- Pages ------------------------------------------------------------------------------------


def test_on_a_hub_the_start_page_leads_to_the_dashboard_behind_the_login(hub):
    start = hub.client.get("/")
    assert start.status_code == 302 and start.location.endswith("/hub/")
    assert hub.client.get("/de/").location.endswith("/hub/")
    dashboard = hub.client.get("/hub/")
    assert dashboard.status_code == 302 and "/review/login" in dashboard.location


def test_the_dashboard_flags_silent_sites(hub, real_report):
    tokens = {
        slug: hub.add_site(slug, slug.title()) for slug in ("alpha", "beta", "gamma", "delta")
    }
    hub.heartbeat(tokens["alpha"])
    hub.heartbeat(tokens["beta"], outbox_length=7)
    hub.cli("site", "revoke", "delta")
    stale = utcnow() - timedelta(hours=30)
    hub.query(
        lambda: (
            Heartbeat.update(received_at=stale)
            .where(Heartbeat.site == HubSite.get(HubSite.slug == "beta"))
            .execute()
        )
    )
    hub.login()
    page = hub.client.get("/hub/").get_data(as_text=True)
    rows = {
        slug: state for state, slug in re.findall(r'<tr class="(\w*)" data-site="(\w+)">', page)
    }
    assert rows == {"alpha": "", "beta": "silent", "gamma": "silent", "delta": "revoked"}
    assert "Still:</strong>\n    Beta, Gamma" in page
    assert "Warteschlange: 7" in page and "noch nie gemeldet" in page and "gesperrt" in page
    assert page.count("Im Treffpunkt erstellt, noch nicht hier: Oktober 2026") == 2
    statuses = hub.query(lambda: site_statuses(26, now=utcnow() + timedelta(hours=27)))
    assert {s.site.slug: s.silent for s in statuses} == {
        "alpha": True, "beta": True, "gamma": True, "delta": False
    }  # fmt: skip


def test_a_sites_reports_are_listed_and_their_pdfs_downloaded(hub, real_report):
    token = hub.add_site("mittendrin", "Treffpunkt Mittendrin")
    record, pdf = real_report
    hub.post_report(token, record, pdf)
    last_report = {"uuid": record["uuid"], "period": "2026-10", "created": record["created"]}
    assert hub.heartbeat(token, last_report=last_report).status_code == 200
    hub.login()
    dashboard = hub.client.get("/hub/").get_data(as_text=True)
    assert "Oktober 2026" in dashboard and "meldet sich" in dashboard
    assert "noch nicht hier" not in dashboard
    page = hub.client.get("/hub/mittendrin/").get_data(as_text=True)
    link = f"/hub/mittendrin/{record['uuid']}.pdf"
    assert link in page and "aktuell" in page
    download = hub.client.get(link)
    assert download.status_code == 200 and download.data == pdf
    assert download.mimetype == "application/pdf"
    assert hub.client.get(f"/hub/am-markt/{record['uuid']}.pdf").status_code == 404
    assert hub.client.get("/hub/nirgendwo/").status_code == 404


# --- The database -----------------------------------------------------------------------------


def test_the_migrations_make_every_models_table_and_columns(hub):
    def read_every_model():
        for model in MODELS:
            list(model.select().limit(1))  # names every column: fails if one is missing
        return True

    assert hub.query(read_every_model)


def test_two_processes_migrate_a_postgresql_database_once():
    url = pg_support.server().new_database()
    results, errors = [], []

    def migrate():
        database = connect(url)
        try:
            results.append(apply_migrations(database))
        except Exception as error:  # reported below, with the thread's error
            errors.append(error)
        finally:
            database.close()

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results, key=len) == [[], [], available()]


def test_a_served_hub_takes_report_uploads_larger_than_forms(tmp_path, real_report):
    """Through waitress: its body limit follows the hub's, and a refusal is JSON there too."""
    server = KioskServer(tmp_path / "hub", extra_config='ROLE = "hub"\n')
    token = TOKEN.search(run_kiosk(server, "site", "add", "mittendrin")).group(0)
    server.start()
    try:
        record, pdf = variant(*real_report, extra=b"\n%" + b"x" * 1024 * 1024 + b"\n")
        answer = post(f"{server.url}/api/v1/reports", token, *report_upload(record, pdf))
        assert (answer["status"], answer["uuid"]) == ("stored", record["uuid"])
        with pytest.raises(urllib.error.HTTPError) as refused:
            post(f"{server.url}/api/v1/reports", "wrong", *report_upload(record, pdf))
        assert refused.value.code == 401
        assert json.load(refused.value)["error"] == "unauthorized"
    finally:
        server.stop()


def test_without_postgresql_the_tests_skip_but_fail_in_ci(monkeypatch):
    monkeypatch.setattr(pg_support, "_server", pg_support.Unavailable("initdb not found"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL is not available: initdb"):
        pg_support.server()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL is not available"):
        pg_support.server()

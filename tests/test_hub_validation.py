"""The hub refuses what a site cannot have sent, and one site's stored report never breaks a page.

Three classes: a record or heartbeat that does not fit the schema of what sites send
(kiosk/hub/wire.schema.json) is refused with a 400 naming the field; a time or period a site
cannot have sent (before 2020, or ahead of the hub's clock) likewise; and whatever a stored report
holds (stored before these checks, or changed in the database since), the combined report, the
`kiosk hub report` command, the dashboard and the site pages answer, leaving out and naming what
they cannot read.
"""

import copy
import io
import json
import uuid
from datetime import date, datetime, timedelta

import pytest
from jsonschema import Draft202012Validator
from peewee import Value
from test_hub import Hub, assert_json_error, bearer, real_report  # noqa: F401
from test_hub import hub_app as any_hub_app  # noqa: F401
from test_hub_combined import site_reports  # noqa: F401

from kiosk import create_app
from kiosk.cli.hub import hub_group
from kiosk.db import prepare_database
from kiosk.hub.combine import combine_summaries
from kiosk.hub.wire import SCHEMA, WireError, check
from kiosk.models import Heartbeat, HubSite, ReceivedPdf, ReceivedReport, utcnow
from kiosk.reports import disclosure, summary
from kiosk.reports.store import RECORD_VERSION

# --- Fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def hub(instance):
    """A hub on SQLite, its staff logged in: what it refuses does not depend on the database."""
    app = create_app({"SECRET_KEY": "test-secret", "TESTING": True, "ROLE": "hub"})
    prepare_database(app)
    hub = Hub(app)
    hub.login()
    return hub


@pytest.fixture
def any_hub(any_hub_app):  # noqa: F811
    """A hub on SQLite and on PostgreSQL (test_hub's fixture), its staff logged in: for what
    the database holds."""
    hub = Hub(any_hub_app)
    hub.login()
    return hub


def at(document: dict, path: str):
    """The part of `document` at "summary.tables.reasons.rows.0.current" (its parent, its key)."""
    *parents, last = path.split(".")
    for part in parents:
        document = document[int(part) if part.isdigit() else part]
    return document, int(last) if last.isdigit() else last


def changed(record: dict, path: str, value=...) -> dict:
    """A copy of `record` with the value at `path` replaced, or removed (no value given)."""
    record = copy.deepcopy(record)
    parent, key = at(record, path)
    if value is ...:
        del parent[key]
    else:
        parent[key] = value
    return record


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "+00:00"


def post_record(hub: Hub, token: str, record: dict, pdf: bytes, text: str | None = None):
    data = {
        "record": (io.BytesIO((text or json.dumps(record)).encode()), "r.json", "application/json"),
        "pdf": (io.BytesIO(pdf), "r.pdf", "application/pdf"),
    }
    return hub.client.post("/api/v1/reports", headers=bearer(token), data=data)


def assert_refused(response, field: str):
    assert_json_error(response, 400, "bad_request")
    assert response.json.get("field") == field, response.json
    assert field in response.json["message"]


# --- Every real record fits the schema ------------------------------------------------------------


def test_the_schema_is_valid_and_says_what_the_site_code_says():
    Draft202012Validator.check_schema(SCHEMA)
    definitions = SCHEMA["$defs"]
    assert definitions["record"]["properties"]["record_version"]["const"] == RECORD_VERSION
    assert definitions["summary"]["properties"]["version"]["const"] == summary.SUMMARY_VERSION
    min_cell = definitions["summary"]["properties"]["min_cell"]
    assert (min_cell["minimum"], min_cell["maximum"]) == (
        disclosure.DEFAULT_MIN_CELL,
        disclosure.MAX_MIN_CELL,
    )


def test_every_record_a_site_builds_is_received(hub, real_report, site_reports):  # noqa: F811
    """Records as kiosk/reports/store.py writes them: an empty month, and months with small,
    hidden and shown counts and a mean rating."""
    token = hub.add_site("mittendrin")
    record, pdf = real_report
    check("record", record)
    assert post_record(hub, token, record, pdf).status_code == 201
    tokens = {slug: hub.add_site(slug) for slug in ("nord", "sued")}
    for record, pdf in site_reports:
        check("record", record)
        response = post_record(hub, tokens[record["site"]["slug"]], record, pdf)
        assert response.status_code == 201, response.json


# --- Records that do not fit are refused, naming the field ----------------------------------------

TOTAL = "summary.tables.reasons.total"
FIRST_CELL = "summary.tables.reasons.rows.0.current"  # Nord's "<3"
SHOWN_CELL = "summary.tables.reasons.rows.1.current"  # Nord's 12
MEAN = "summary.tables.satisfaction.mean.current"
MALFORMED = [
    # (path, new value or ... to remove it, the field the answer names)
    ("site.name", ..., "site.name"),
    ("site.slug", "Mittendrin!", "site.slug"),
    (f"{TOTAL}.label", ..., "summary.tables.reasons.total.label"),
    (f"{TOTAL}.current", "93", "summary.tables.reasons.total.current"),
    ("summary", ..., "summary"),
    ("summary", [], "summary"),
    ("summary.version", 2, "summary.version"),
    ("record_version", 2, "record_version"),
    ("summary.min_cell", "3", "summary.min_cell"),
    ("summary.min_cell", 1, "summary.min_cell"),
    ("summary.tables.reasons.rows", {}, "summary.tables.reasons.rows"),
    ("summary.tables.reasons.rows.0.label", ..., "summary.tables.reasons.rows[0].label"),
    (f"{FIRST_CELL}.kind", "gross", "summary.tables.reasons.rows[0].current.kind"),
    (f"{FIRST_CELL}.value", -4, "summary.tables.reasons.rows[0].current.value"),
    (f"{FIRST_CELL}.value", 2.5, "summary.tables.reasons.rows[0].current.value"),
    (f"{FIRST_CELL}.value", True, "summary.tables.reasons.rows[0].current.value"),
    (f"{SHOWN_CELL}.value", None, "summary.tables.reasons.rows[1].current.value"),
    (f"{SHOWN_CELL}.value", ..., "summary.tables.reasons.rows[1].current.value"),
    (MEAN, {"value": 7, "text": "7,0"}, "summary.tables.satisfaction.mean.current.value"),
    (MEAN, {"text": "4,4"}, "summary.tables.satisfaction.mean.current.value"),
    ("summary.tables.needs.respondents", {}, "summary.tables.needs.respondents.current"),
    ("uuid", "report-1", "uuid"),
    ("period.key", "2026-13", "period.key"),
    ("period.key", "Oktober", "period.key"),
    ("period.end", "2026-10-30", "period.end"),
    ("created", "gestern", "created"),
    ("pages", "4", "pages"),
]


@pytest.mark.parametrize(("path", "value", "field"), MALFORMED)
def test_a_record_that_does_not_fit_is_refused_naming_the_field(
    hub,
    site_reports,  # noqa: F811
    path,
    value,
    field,
):
    token = hub.add_site("nord")
    record, pdf = next(pair for pair in site_reports if pair[0]["site"]["slug"] == "nord")
    assert_refused(post_record(hub, token, changed(record, path, value), pdf), field)
    assert hub.query(lambda: ReceivedReport.select().count()) == 0


def test_numbers_json_does_not_have_are_refused(hub, real_report):  # noqa: F811
    token = hub.add_site("mittendrin")
    record, pdf = real_report
    text = json.dumps(record).replace(f'"pages": {record["pages"]}', '"pages": NaN')
    assert "NaN" in text
    assert_json_error(post_record(hub, token, record, pdf, text=text), 400, "bad_request")
    beat = hub.client.post(
        "/api/v1/heartbeat",
        headers=bearer(token),
        data='{"version": "1", "sent_at": "2026-11-25T09:00:00", "outbox_length": Infinity}',
        content_type="application/json",
    )
    assert_json_error(beat, 400, "bad_request")


def test_a_site_may_send_fields_the_hub_does_not_know(hub, real_report):  # noqa: F811
    """A newer site may send more; the record is stored as it came."""
    token = hub.add_site("mittendrin")
    record = {**real_report[0], "weather": {"sunny": True}}
    assert post_record(hub, token, record, real_report[1]).status_code == 201
    stored = hub.query(lambda: ReceivedReport.get().record)
    assert stored["weather"] == {"sunny": True}


# --- Implausible times and periods are refused ----------------------------------------------------


def implausible_records(record: dict):
    now = utcnow().replace(microsecond=0)
    for moment in ("9999-12-31T23:59:59", "0001-01-01T00:00:00", "2019-12-31T23:59:59+00:00"):
        yield changed(record, "created", moment), "created"
    yield changed(record, "created", iso(now + timedelta(days=2))), "created"
    for key, start, end in (
        ("2019-12", "2019-12-01", "2019-12-31"),
        ("2099-12", "2099-12-01", "2099-12-31"),
        ("9999-W52", "9999-12-27", "9999-12-31"),
        ("0001-01", "0001-01-01", "0001-01-31"),
        ("9999-12-01_9999-12-31", "9999-12-01", "9999-12-31"),
    ):
        yield changed(record, "period", {"key": key, "start": start, "end": end}), "period.key"


def test_implausible_times_and_periods_in_records_are_refused(hub, real_report):  # noqa: F811
    token = hub.add_site("mittendrin")
    record, pdf = real_report
    for wrong, field in implausible_records(record):
        assert_refused(post_record(hub, token, wrong, pdf), field)
    assert hub.query(lambda: ReceivedReport.select().count()) == 0
    # A site's clock may run a little ahead of the hub's.
    soon = changed(record, "created", iso(utcnow() + timedelta(hours=12)))
    assert post_record(hub, token, soon, pdf).status_code == 201


def test_implausible_times_and_periods_in_heartbeats_are_refused(hub):
    token = hub.add_site("mittendrin")
    future = iso(utcnow() + timedelta(days=3))
    report = {"uuid": str(uuid.uuid4()), "period": "2026-10", "created": "2026-11-01T06:00:00"}
    for changes, field in [
        ({"sent_at": "9999-12-31T23:59:59"}, "sent_at"),
        ({"sent_at": "0001-01-01"}, "sent_at"),
        ({"sent_at": future}, "sent_at"),
        ({"last_submission_at": "9999-12-31T23:59:59"}, "last_submission_at"),
        ({"last_submission_at": "2015-06-01T10:00:00"}, "last_submission_at"),
        ({"last_report": {**report, "created": "9999-12-31T23:59:59"}}, "last_report.created"),
        ({"last_report": {**report, "period": "9999-W52"}}, "last_report.period"),
        ({"last_report": {**report, "period": "0001-01"}}, "last_report.period"),
        ({"last_report": {**report, "period": "2099-Q4"}}, "last_report.period"),
        ({"last_report": {**report, "period": "Oktober"}}, "last_report.period"),
        ({"outbox_length": 2.0}, "outbox_length"),
        ({"version": None}, "version"),
    ]:
        assert_refused(hub.heartbeat(token, **changes), field)
    assert hub.query(lambda: Heartbeat.select().count()) == 0
    assert hub.heartbeat(token, sent_at=iso(utcnow() + timedelta(hours=12))).status_code == 200


# --- What is stored never breaks a page -----------------------------------------------------------


def store_directly(hub: Hub, slug: str, record, **columns) -> ReceivedReport:
    """A report written straight into the hub's database, past every check of the API."""

    def write():
        site = HubSite.get(HubSite.slug == slug)
        fields = {
            "uuid": uuid.uuid4(),
            "site": site,
            "sha256": "0" * 64,
            "period_key": "2026-10",
            "period_start": date(2026, 10, 1),
            "period_end": date(2026, 10, 31),
            "created": datetime(2026, 11, 1, 6),
            "record": record,
            **columns,
        }
        report = ReceivedReport.create(**fields)
        ReceivedPdf.create(report=report, data=b"%PDF-1.7\n% stored directly")
        return report

    return hub.query(write)


def test_a_stored_broken_record_is_left_out_of_the_combined_report_and_named(
    any_hub,
    site_reports,  # noqa: F811
    tmp_path,
):
    hub = any_hub
    tokens = {slug: hub.add_site(slug, f"Treffpunkt {slug.title()}") for slug in ("nord", "sued")}
    for record, pdf in site_reports:
        assert post_record(hub, tokens[record["site"]["slug"]], record, pdf).status_code == 201
    # Süd's October record, as an older hub took it: without the site's name, a total without
    # its label, a cell without its number.
    sued = next(record for record, _ in site_reports if record["site"]["slug"] == "sued")
    broken = changed(changed(sued, "site.name"), f"{TOTAL}.label")
    broken = changed(broken, f"{FIRST_CELL}.value")
    hub.query(
        lambda: (
            ReceivedReport.update(record=broken)
            .where(ReceivedReport.uuid == sued["uuid"])
            .execute()
        )
    )
    # Two more sites whose stored records are not even a report: a list, and no JSON at all.
    hub.add_site("west", "Treffpunkt West")
    hub.add_site("ost", "Treffpunkt Ost")
    store_directly(hub, "west", [1, 2, 3])
    garbled = store_directly(hub, "ost", {})
    not_json = Value("{not json", converter=False)  # the text itself, not as a JSON string
    hub.query(
        lambda: (
            ReceivedReport.update(record=not_json).where(ReceivedReport.id == garbled.id).execute()
        )
    )
    raw = ReceivedReport.select(ReceivedReport.record.cast("TEXT")).where(
        ReceivedReport.id == garbled.id
    )
    assert hub.query(raw.scalar) == "{not json"

    page = hub.client.get("/hub/bericht?von=2026-10")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for name in ("Treffpunkt Sued", "Treffpunkt West", "Treffpunkt Ost"):
        assert f"Nicht lesbar und deshalb nicht enthalten: der Bericht von {name}" in text, name
    assert text.count("(Feld summary") == 3  # what is wrong with each
    assert "Treffpunkt Nord" in text and "mind." in text  # Nord is still added up
    assert hub.client.get("/hub/bericht?von=2026-10&bis=2026-11").status_code == 200

    result = hub.app.test_cli_runner().invoke(
        hub_group, ["report", "2026-10", "--output", str(tmp_path / "town.pdf")]
    )
    assert result.exit_code == 0, result.output
    assert "Nicht lesbar und deshalb nicht enthalten: der Bericht von Treffpunkt Ost" in (
        result.stderr
    )
    for url in ("/hub/", "/hub/west/", "/hub/ost/", "/hub/sued/"):
        assert hub.client.get(url).status_code == 200, url
    # When every report of a period is left out, the answer still names them.
    november = next(record for record, _ in site_reports if record["period"]["key"] == "2026-11")
    hub.query(
        lambda: (
            ReceivedReport.update(record={"uuid": november["uuid"]})
            .where(ReceivedReport.uuid == november["uuid"])
            .execute()
        )
    )
    named = "Nicht lesbar: der Bericht von Treffpunkt Nord für November 2026"
    assert named in hub.client.get("/hub/bericht?von=2026-11").get_data(as_text=True)
    result = hub.app.test_cli_runner().invoke(hub_group, ["report", "2026-11"])
    assert result.exit_code == 1 and named in result.output


def test_stored_extreme_dates_render_on_every_hub_page(any_hub):
    hub = any_hub
    hub.add_site("alpha", "Alpha")
    hub.add_site("beta", "Beta")
    far = datetime(9999, 12, 31, 23, 59, 59)
    early = datetime(1, 1, 1)
    record = {"site": {"slug": "alpha"}}
    future_report = store_directly(
        hub,
        "alpha",
        record,
        created=far,
        period_key="9999-W52",
        period_start=date(9999, 12, 27),
        period_end=date(9999, 12, 31),
    )
    store_directly(
        hub,
        "beta",
        record,
        created=early,
        period_key="0001-01\r\nX-Evil: 1",
        period_start=date(1, 1, 1),
        period_end=date(1, 1, 31),
    )

    def beats():
        for slug, moment in (("alpha", far), ("beta", early)):
            Heartbeat.create(
                site=HubSite.get(HubSite.slug == slug),
                sent_at=moment,
                version="0.1.0",
                last_submission_at=moment,
                outbox_length=0,
                last_report_uuid=str(uuid.uuid4()),
                last_report_period="9999-W52" if slug == "alpha" else "0001-01",
                last_report_created=moment,
            )

    hub.query(beats)
    dashboard = hub.client.get("/hub/")
    assert dashboard.status_code == 200
    assert "31. Dezember 9999, 23:59 UTC" in dashboard.get_data(as_text=True)
    alpha = hub.client.get("/hub/alpha/")
    assert alpha.status_code == 200
    assert "31. Dezember 9999, 23:59 UTC" in alpha.get_data(as_text=True)
    assert hub.client.get("/hub/beta/").status_code == 200
    # The combined report's choice of periods leaves out what no site can have reported.
    preview = hub.client.get("/hub/bericht")
    assert preview.status_code == 200
    assert "9999" not in preview.get_data(as_text=True)
    for query in ("von=9999-W52", "von=0001-01", "von=0001-W01&bis=0001-W02", "von=2019-12"):
        assert hub.client.get(f"/hub/bericht?{query}").status_code == 200, query
        assert hub.client.get(f"/hub/bericht.pdf?{query}").status_code == 303, query
    download = hub.client.get(f"/hub/alpha/{future_report.uuid}.pdf")
    assert download.status_code == 200
    assert "\n" not in download.headers["Content-Disposition"]


# --- The combined report survives any change to a stored summary ----------------------------------


def leaves(value, path=()):
    """Every path into a JSON value, its containers included."""
    yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from leaves(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from leaves(inner, (*path, index))


WRONG_VALUES = (..., None, "x", -1, True, {})


def test_no_change_to_one_summary_breaks_the_combined_report(site_reports):  # noqa: F811
    """Every part of a real summary that the adding up reads, replaced by wrong values one at a
    time: the other site's report is still added up, and the changed one is either read or
    left out and named (then it does not fit the schema either)."""
    october = [record for record, _ in site_reports if record["period"]["key"] == "2026-10"]
    nord, sued = (read_parts_only(record) for record in sorted(october, key=slug_of))
    tried = 0
    for path in leaves(sued["summary"]):
        if path and path[-1] in NOT_ADDED_UP:
            continue  # what the hub does not read is the schema's business alone
        for value in WRONG_VALUES:
            broken = changed(sued, ".".join(map(str, ("summary", *path))), value)
            combined = combine_summaries([nord, broken])
            rows = {site["slug"]: site["status"] for site in combined["sites"]}
            assert rows["nord"] == "complete", path
            left_out = [report["slug"] for report in combined["unreadable"]]
            assert (rows["sued"] == "complete") != (left_out == ["sued"]), (path, value)
            if left_out:
                with pytest.raises(WireError):
                    check("summary", broken.get("summary"))
            tried += 1
    assert tried > 400


NOT_ADDED_UP = ("previous", "change", "text", "title", "key", "withheld")


def slug_of(record: dict) -> str:
    return record["site"]["slug"]


def read_parts_only(record: dict) -> dict:
    """A record with the parts of its summary that are added up: two tables (one with a mean).
    Its own site and period apart from its summary's (the site builds them as one), so a
    change touches only the summary: a hub reads those two from its own columns (combined.py).
    """
    tables = {topic: record["summary"]["tables"][topic] for topic in ("reasons", "satisfaction")}
    summary = {key: record["summary"][key] for key in ("version", "min_cell")}
    own = {"site": dict(record["site"]), "period": dict(record["period"])}
    return {**record, **own, "summary": {**summary, "tables": tables}}

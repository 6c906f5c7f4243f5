"""Reports stay true after an erasure or a withdrawn approval: the built reports that show the
submission or print the comment are built again as their next version, the old files go, the
new version is queued for delivery, and the hub keeps only the highest version of a period as
current and deletes the superseded ones after HUB_SUPERSEDED_DAYS.

The hub's tests run on SQLite and on a real PostgreSQL server (tests/pg_support.py).
"""

import hashlib
import io
import json
import os
import uuid
from datetime import UTC, date, datetime, time, timedelta
from itertools import permutations

import pytest

import kiosk.migrations
from kiosk import create_app, scheduler
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.hub.combined import current_records
from kiosk.maintenance.retention import purge_superseded_reports
from kiosk.models import (
    Answer,
    AuditEvent,
    CommentApproval,
    HubSite,
    OutboxItem,
    ReceivedPdf,
    ReceivedReport,
    ReportRebuild,
    Site,
    Submission,
    SyncTarget,
    utcnow,
)
from kiosk.reports import due, versions
from kiosk.reports.periods import parse_period
from kiosk.reports.store import build_report, list_records
from kiosk.sync.outbox import deliver_outbox, enqueue_reports, register_targets

import pg_support
from factories import add_submission, add_user
from server import log_in
from sync_support import seed_visits, site_maker, using

COFFEE = "Der Kaffee war gut, danke!"
COURSES = "Bitte mehr Deutschkurse am Abend."
LATE = "Schön hier."  # approved after the reports were built: printed nowhere
BUILT = ("2026-09", "2026-Q3", "2026-10")
HTMX = {"HX-Request": "true"}


# --- A site with built reports that print comments ---------------------------------------------


def feedback(app, comment: str, day: date):
    answers = {"today": "4", "helped": ["people"], "come_again": "yes", "consent": "yes"}
    when = datetime(day.year, day.month, day.day, 15)
    return add_submission(app, "feedback", {**answers, "comment": comment}, when)


def approve(submission) -> None:
    answer = Answer.get(Answer.submission == submission, Answer.field == "comment")
    CommentApproval.create(answer=answer, user_name="cora")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Visits from August to October 2026, two approved comments in September, and the reports
    of September, the third quarter and October (built once: rendering is the slow part)."""
    path = tmp_path_factory.mktemp("versions") / "instance"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_INSTANCE_PATH", str(path))
        app = create_app({"SECRET_KEY": "test-secret", "TESTING": True})
        prepare_database(app)
        with app.app_context(), db.connection_context():
            seed_visits(app, [date(2026, 8, 12), date(2026, 9, 9), date(2026, 10, 14)])
            approve(feedback(app, COFFEE, date(2026, 9, 9)))
            approve(feedback(app, COURSES, date(2026, 9, 10)))
            for key in BUILT:
                build_report(Site.get(), parse_period(key))
            approve(feedback(app, LATE, date(2026, 9, 11)))
    return path


@pytest.fixture
def make(instance, template):
    return site_maker(instance, template)


def records(app) -> dict[str, dict]:
    return {r["period"]["key"]: r for r in list_records(app.instance_path, "mittendrin")}


def texts(record) -> list[str]:
    return [item["text"] for item in record["summary"]["comments"]["items"]]


def submission_with(app, comment: str) -> Submission:
    with using(app):
        return Answer.get(Answer.value == comment).submission


def coordinator(app):
    add_user(app, "cora", "coordinator")
    client = app.test_client()
    auth = log_in(client, "cora")
    return client, auth.token("/review/anliegen")


def folder_target(path) -> dict:
    return {"name": "usb", "type": "folder", "path": str(path)}


def reports_folder(app) -> str:
    return os.path.join(app.instance_path, "reports", "mittendrin")


# --- At the site -------------------------------------------------------------------------------


def test_the_erase_page_names_the_reports_it_touches(make):
    app = make()
    client, _ = coordinator(app)
    september = submission_with(app, COFFEE)
    page = client.get(f"/review/{september.id}/erase").get_data(as_text=True)
    assert "Die Berichte September 2026 und 3. Quartal 2026 werden neu erstellt." in page
    with using(app):
        october = Submission.select().where(Submission.created_at >= datetime(2026, 10, 1)).get()
        today = add_submission(app, "visit", {"reason": "meet"}, utcnow())
    page = client.get(f"/review/{october.id}/erase").get_data(as_text=True)
    assert "Der Bericht Oktober 2026 wird neu erstellt." in page
    page = client.get(f"/review/{today.id}/erase").get_data(as_text=True)
    assert "neu erstellt" not in page  # no report of today's period is built yet


def test_erasing_builds_each_report_that_counts_it_again_as_its_next_version(make, tmp_path):
    (tmp_path / "usb").mkdir()
    app = make([folder_target(tmp_path / "usb")])
    with using(app):
        register_targets()
        SyncTarget.update(skipped_reports=[]).execute()  # a target that got every report
        enqueue_reports()
    before = records(app)
    # A record written before reports had versions counts as version 1.
    september_json = os.path.join(reports_folder(app), "2026-09.json")
    stripped = {k: v for k, v in before["2026-09"].items() if k != "version"}
    with open(september_json, "w", encoding="utf-8") as record:
        json.dump(stripped, record)
    client, token = coordinator(app)
    submission = submission_with(app, COFFEE)

    response = client.post(
        f"/review/{submission.id}/erase", data={"csrf_token": token, "reason": "Gebeten"}
    )

    assert response.status_code == 303
    inbox = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Die Berichte September 2026 und 3. Quartal 2026 wurden neu erstellt" in inbox
    after = records(app)
    for key in ("2026-09", "2026-Q3"):
        old, new = before[key], after[key]
        assert (new["version"], new["replaces"]) == (2, old["uuid"])
        assert new["uuid"] != old["uuid"] and COFFEE not in texts(new)
        assert COFFEE in texts(old) and COURSES in texts(new)
    assert after["2026-10"] == before["2026-10"]  # it never counted the erased submission
    # The old versions' files are gone: only one PDF and one record per period are left.
    assert sorted(os.listdir(reports_folder(app))) == sorted(
        f"{key}.{ext}" for key in BUILT for ext in ("json", "pdf")
    )
    for key in ("2026-09", "2026-Q3"):
        with open(os.path.join(reports_folder(app), f"{key}.pdf"), "rb") as pdf:
            assert hashlib.sha256(pdf.read()).hexdigest() == after[key]["sha256"]
    with using(app):
        assert ReportRebuild.select().count() == 0
        waiting = {(row.report_uuid, row.superseded_by) for row in OutboxItem.select()}
        assert {(after[key]["uuid"], None) for key in ("2026-09", "2026-Q3")} <= waiting
        assert (before["2026-09"]["uuid"], after["2026-09"]["uuid"]) in waiting  # not sent
        rebuilt = AuditEvent.select().where(AuditEvent.action == "report_rebuilt").count()
        assert rebuilt == 2
        runs = deliver_outbox()
    assert sorted(runs["usb"].delivered) == ["2026-09", "2026-10", "2026-Q3"]
    delivered = json.loads((tmp_path / "usb" / "mittendrin" / "2026-09.json").read_text())
    assert delivered["uuid"] == after["2026-09"]["uuid"] and delivered["version"] == 2


def test_withdrawing_an_approval_rebuilds_the_reports_that_printed_the_comment(make):
    app = make()
    client, token = coordinator(app)
    before = records(app)
    with using(app):
        late = Answer.get(Answer.value == LATE).id
        coffee = Answer.get(Answer.value == COFFEE).id
    withdraw = {"csrf_token": token, "approved": "0"}

    quiet = client.post(f"/review/answers/{late}/approval", data=withdraw, headers=HTMX)
    assert quiet.status_code == 200 and "neu erstellt" not in quiet.get_data(as_text=True)
    assert records(app) == before  # a comment no report printed touches none

    response = client.post(f"/review/answers/{coffee}/approval", data=withdraw, headers=HTMX)

    assert response.status_code == 200
    assert "wurden neu erstellt (Versionen 2, 2)" in response.get_data(as_text=True)
    after = records(app)
    for key in ("2026-09", "2026-Q3"):
        assert after[key]["version"] == 2
        assert texts(after[key]) == [COURSES]
    assert after["2026-10"] == before["2026-10"]
    with using(app):
        assert Submission.select().where(Submission.id == submission_with(app, COFFEE).id).exists()


def test_a_failing_rebuild_keeps_the_erasure_and_is_tried_again(make, monkeypatch):
    app = make()
    client, token = coordinator(app)
    with using(app):
        october = Submission.select().where(Submission.created_at >= datetime(2026, 10, 1)).get()
    before = records(app)

    def broken(*args, **kwargs):
        raise RuntimeError("Der PDF-Dienst ist abgestürzt")

    monkeypatch.setattr(versions, "build_report", broken)
    response = client.post(
        f"/review/{october.id}/erase", data={"csrf_token": token, "reason": "Gebeten"}
    )

    assert response.status_code == 303
    inbox = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Der Bericht Oktober 2026 konnte noch nicht neu erstellt werden" in inbox
    assert records(app) == before
    with using(app):
        assert not Submission.select().where(Submission.id == october.id).exists()
        [waiting] = ReportRebuild.select()
        assert (waiting.period_key, waiting.attempts) == ("2026-10", 1)
        assert "abgestürzt" in waiting.last_error

    monkeypatch.undo()
    monkeypatch.setattr(scheduler, "build_due_reports", lambda day: [])  # only the rebuild
    soon = scheduler.run_once(app, utcnow())
    assert soon["rebuilt"].built == []  # it waits a minute after a failure
    later = scheduler.run_once(app, utcnow() + timedelta(minutes=2))
    [record] = later["rebuilt"].built
    assert (record["period"]["key"], record["version"]) == ("2026-10", 2)
    assert records(app)["2026-10"] == record
    with using(app):
        assert ReportRebuild.select().count() == 0


def test_a_report_whose_first_build_is_running_counts_as_touched(make):
    """It may have read the submission before the erasure: it is built again once it exists."""
    app = make()
    client, token = coordinator(app)
    lock = os.path.join(reports_folder(app), "2026-11.json.lock")
    open(lock, "w").close()  # the scheduler builds November's report right now
    with using(app):
        november = add_submission(app, "visit", {"reason": "meet"}, datetime(2026, 11, 3, 11))
    page = client.get(f"/review/{november.id}/erase").get_data(as_text=True)
    assert "Der Bericht November 2026 wird neu erstellt." in page
    response = client.post(
        f"/review/{november.id}/erase", data={"csrf_token": token, "reason": "Gebeten"}
    )
    assert response.status_code == 303
    with using(app):
        [waiting] = ReportRebuild.select()
        assert waiting.period_key == "2026-11" and "zum ersten Mal" in waiting.last_error
        os.remove(lock)  # that build died without a report: nothing is left to correct
        assert versions.rebuild_pending(force=True).built == []
        assert ReportRebuild.select().count() == 0


def test_kiosk_report_due_builds_the_waiting_reports_at_once(make, monkeypatch):
    app = make()
    with using(app):
        versions.request_rebuilds([records(app)["2026-10"]], utcnow() + timedelta(hours=1))
    monkeypatch.setattr(due, "build_due_reports", lambda day: [])
    result = app.test_cli_runner().invoke(args=["report", "due"])
    assert result.exit_code == 0, result.output
    assert "Bericht Oktober 2026 neu erstellt (Version 2)" in result.output
    assert records(app)["2026-10"]["version"] == 2
    listed = app.test_cli_runner().invoke(args=["report", "list"]).output
    assert "2026-10.pdf  Version 2" in listed


# --- At the hub --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_report(template):
    """September's record and PDF as the site built them."""
    folder = os.path.join(template, "reports", "mittendrin")
    with open(os.path.join(folder, "2026-09.json"), encoding="utf-8") as record:
        record = json.load(record)
    with open(os.path.join(folder, "2026-09.pdf"), "rb") as pdf:
        return record, pdf.read()


@pytest.fixture(params=["sqlite", "postgresql"])
def hub(request, instance):
    return pg_support.hub_app(request.param)


def add_site(hub) -> str:
    result = hub.test_cli_runner().invoke(args=["site", "add", "mittendrin"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    marker = next(i for i, line in enumerate(lines) if "Schlüssel" in line)
    return lines[marker + 1].strip()


def versions_of(record, pdf, count: int) -> list[tuple[dict, bytes]]:
    """Versions 1 … count of one period's report, each replacing the one before."""
    made = [(record | {"version": 1}, pdf)]
    for number in range(2, count + 1):
        previous = made[-1][0]
        changed = pdf + f"\n% version {number}\n".encode()
        made.append(
            (
                previous
                | {
                    "uuid": str(uuid.uuid4()),
                    "version": number,
                    "replaces": previous["uuid"],
                    "sha256": hashlib.sha256(changed).hexdigest(),
                },
                changed,
            )
        )
    return made


def deliver(hub, token, record, pdf):
    data = {
        "record": (io.BytesIO(json.dumps(record).encode()), "r.json", "application/json"),
        "pdf": (io.BytesIO(pdf), "r.pdf", "application/pdf"),
    }
    headers = {"Authorization": f"Bearer {token}"}
    return hub.test_client().post("/api/v1/reports", headers=headers, data=data)


def stored(hub) -> dict[str, tuple]:
    """{uuid: (version, superseded_by, superseded_at is set)} of every received report."""
    with hub.app_context(), db.connection_context():
        return {
            str(r.uuid): (
                r.version,
                r.superseded_by and str(r.superseded_by),
                bool(r.superseded_at),
            )
            for r in ReceivedReport.select()
        }


def test_a_higher_version_supersedes_and_only_it_is_shown_and_combined(hub, real_report):
    token = add_site(hub)
    (first, first_pdf), (second, second_pdf) = versions_of(*real_report, 2)
    assert deliver(hub, token, first, first_pdf).status_code == 201
    assert deliver(hub, token, second, second_pdf).status_code == 201
    assert stored(hub) == {
        first["uuid"]: (1, second["uuid"], True),
        second["uuid"]: (2, None, False),
    }
    with hub.app_context(), db.connection_context():
        assert ReceivedReport.current_records("2026-09") == [second]
        [combined] = current_records(parse_period("2026-09"))
        assert combined["uuid"] == second["uuid"]
    add_user(hub, "stadthaus", "coordinator")
    staff = hub.test_client()
    log_in(staff, "stadthaus")
    page = staff.get("/hub/mittendrin/").get_data(as_text=True)
    assert second["uuid"] in page and first["uuid"] not in page
    assert "Version 2" in page
    dashboard = staff.get("/hub/").get_data(as_text=True)
    assert "1 Bericht" in dashboard and second["uuid"] in dashboard


@pytest.mark.parametrize("order", list(permutations(range(3))))
def test_in_any_order_of_arrival_the_highest_version_is_current(hub, real_report, order):
    token = add_site(hub)
    made = versions_of(*real_report, 3)
    for index in order:
        assert deliver(hub, token, *made[index]).status_code == 201
        arrived = [made[i][0] for i in order[: order.index(index) + 1]]
        newest = max(arrived, key=lambda record: record["version"])
        current = {u for u, (_, by, _) in stored(hub).items() if by is None}
        assert current == {newest["uuid"]}
    third = made[2][0]["uuid"]
    assert {u: by for u, (_, by, _) in stored(hub).items()} == {
        made[0][0]["uuid"]: third,
        made[1][0]["uuid"]: third,
        third: None,
    }


def test_an_older_version_arriving_late_never_becomes_current(hub, real_report):
    """Version 2 never arrived; version 1 comes after version 3, and claims a later build time
    (a site whose clock was off): the version decides, not the time or the order."""
    token = add_site(hub)
    first, _, third = versions_of(*real_report, 3)
    built = datetime.fromisoformat(third[0]["created"]) + timedelta(minutes=1)
    late = first[0] | {"created": built.isoformat()}
    assert deliver(hub, token, *third).status_code == 201
    assert deliver(hub, token, late, first[1]).status_code == 201
    assert stored(hub) == {
        first[0]["uuid"]: (1, third[0]["uuid"], True),
        third[0]["uuid"]: (3, None, False),
    }


def test_a_version_must_be_a_whole_number_from_one(hub, real_report):
    token = add_site(hub)
    for version in (0, "2", 1.5):
        record, pdf = real_report
        response = deliver(hub, token, record | {"version": version}, pdf)
        assert response.status_code == 400 and response.json["field"] == "version"


def test_superseded_reports_are_deleted_after_hub_superseded_days(hub, real_report, monkeypatch):
    token = add_site(hub)
    (first, first_pdf), (second, second_pdf) = versions_of(*real_report, 2)
    deliver(hub, token, first, first_pdf)
    deliver(hub, token, second, second_pdf)
    with hub.app_context(), db.connection_context():
        assert purge_superseded_reports(utcnow() + timedelta(days=29)) == 0
    assert set(stored(hub)) == {first["uuid"], second["uuid"]}
    # The nightly maintenance of the hub, 31 days on (after NIGHTLY_HOUR in Wildeshausen).
    later = datetime.combine((utcnow() + timedelta(days=31)).date(), time(12))
    monkeypatch.setitem(scheduler.NIGHTLY_JOBS, "backup", lambda app, now: "übersprungen")
    assert "superseded" in scheduler.run_once(hub, later)["nightly"]
    assert set(stored(hub)) == {second["uuid"]}
    with hub.app_context(), db.connection_context():
        assert ReceivedPdf.select().count() == 1
        assert HubSite.select().count() == 1


# --- The migration -------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def old_hub(request, instance, monkeypatch):
    """A hub whose database has every migration before 0013, with a report and its replacement."""
    config = {"SECRET_KEY": "test-secret", "TESTING": True, "ROLE": "hub"}
    if request.param == "postgresql":
        config["DATABASE_URL"] = pg_support.server().new_database()
    names = [name for name in kiosk.migrations.available() if name < "0013"]
    app = create_app(config)
    with app.app_context(), db.connection_context(), monkeypatch.context() as patch:
        patch.setattr(kiosk.migrations, "available", lambda: names)
        assert kiosk.migrations.apply_migrations(db.obj)[-1] < "0013"
    with app.app_context(), db.connection_context():
        sql, mark = db.execute_sql, "?" if request.param == "sqlite" else "%s"
        when = datetime(2026, 10, 1, 6, 0, tzinfo=UTC).replace(tzinfo=None)
        sql(
            "INSERT INTO hub_site (slug, name, token_hash, created_at)"
            f" VALUES ('mittendrin', 'Treffpunkt', 'x', {mark})",
            (when,),
        )
        (site,) = sql("SELECT id FROM hub_site").fetchone()
        old, new = uuid.uuid4(), uuid.uuid4()
        for own, replaces, superseded_by in ((old, None, new), (new, old, None)):
            sql(
                "INSERT INTO received_report (uuid, site_id, sha256, period_key, period_start,"
                " period_end, created, received_at, record, replaces, superseded_by)"
                f" VALUES ({', '.join([mark] * 11)})",
                (
                    own.hex if request.param == "sqlite" else str(own),
                    site,
                    "0" * 64,
                    "2026-09",
                    date(2026, 9, 1),
                    date(2026, 9, 30),
                    when,
                    when,
                    "{}",
                    replaces and (replaces.hex if request.param == "sqlite" else str(replaces)),
                    superseded_by
                    and (superseded_by.hex if request.param == "sqlite" else str(superseded_by)),
                ),
            )
    app.stored = (str(old), str(new))
    return app


def test_migration_0013_gives_every_received_report_version_1(old_hub):
    assert "0013_report_versions" in prepare_database(old_hub)
    old, new = old_hub.stored
    assert stored(old_hub) == {old: (1, new, True), new: (1, None, False)}
    with old_hub.app_context(), db.connection_context():
        assert ReportRebuild.select().count() == 0
        ReportRebuild.create(site_slug="mittendrin", period_key="2026-09")

"""Delivery to the Stadthaus: targets, outbox, backoff, leases, transports, scheduler, CLI, page."""

import json
import os
import random
import subprocess
import sys
import threading
import time
from datetime import date, timedelta

import pytest

from kiosk import create_app
from kiosk.models import OutboxItem, ScheduledRun, Site, SyncTarget
from kiosk.reports.due import due_periods, due_reports
from kiosk.reports.periods import parse_period
from kiosk.reports.store import build_report, list_records, report_paths
from kiosk.scheduler import run_once, start_scheduler
from kiosk.sync import SyncConfigError, check_targets
from kiosk.sync.outbox import (
    claim,
    deliver_outbox,
    enqueue,
    enqueue_reports,
    outbox_length,
    retry_delay,
)
from kiosk.sync.transports import DeliveryError, deliver_by_email, deliver_to_folder

from factories import add_user
from server import KioskServer, log_in
from sync_support import REPORTS, SmtpServer, using, utc


def records_of(app) -> dict[str, dict]:
    """Stored records by period key."""
    return {r["period"]["key"]: r for r in list_records(app.instance_path, "mittendrin")}


def folder_target(path, name="usb") -> dict:
    return {"name": name, "type": "folder", "path": str(path)}


# --- Configuration --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ({"name": "stadthaus", "type": "hub", "url": "https://hub/"}, ["„stadthaus“", "token"]),
        ({"name": "x", "type": "ftp"}, ["unbekannter Typ 'ftp'", "unknown type"]),
        ({"name": "mail", "type": "email", "host": "h", "sender": "a@b"}, ["recipients"]),
        ({"name": "usb", "type": "folder"}, ["„usb“ (folder)", '"path"']),
        ({"type": "folder", "path": "/x"}, ["Nr. 1", "name"]),
        (
            {"name": "m", "type": "email", "host": "h", "sender": "a@b", "recipient": ["a@b"]},
            ["recipients"],
        ),
        ({"name": "h", "type": "hub", "url": "ftp://x", "token": "t"}, ["https://"]),
    ],
)
def test_a_broken_target_is_refused_naming_target_and_key(target, words):
    with pytest.raises(SyncConfigError) as refused:
        check_targets([target])
    for word in words:
        assert word in str(refused.value)


def test_a_broken_target_stops_the_cli_with_a_message_not_a_traceback(instance):
    instance.mkdir()
    (instance / "config.py").write_text(
        'SECRET_KEY = "x"\nSYNC_TARGETS = [{"name": "usb", "type": "folder"}]\n'
    )
    env = {**os.environ, "KIOSK_INSTANCE_PATH": str(instance)}
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "sync"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "Ziel „usb“ (folder): Angabe „path“ fehlt" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("REPORT_SCHEDULE", "daily"),
        ("REPORT_HOUR", 25),
        ("NIGHTLY_HOUR", "3"),
        ("DIRECTORY_PULL_MINUTES", 0),
        ("DIRECTORY_MAX_BYTES", "2 MB"),
    ],
)
def test_a_wrong_schedule_is_refused_at_start(instance, setting, value):
    with pytest.raises(SyncConfigError, match=setting):
        create_app({"SECRET_KEY": "x", setting: value})


# --- Outbox ---------------------------------------------------------------------------------------


def test_enqueue_is_idempotent(make_site):
    app = make_site([folder_target("/nowhere")])
    with using(app):
        record = records_of(app)["2026-10"]
        assert enqueue(record, "usb") is True
        assert enqueue(record, "usb") is False
        assert enqueue(record, "other") is True
        assert OutboxItem.select().count() == 2
        enqueue_reports()
        enqueue_reports()
        assert OutboxItem.select().where(OutboxItem.target == "usb").count() == 1


def test_a_new_target_gets_the_latest_report_and_every_later_one(make_site, tmp_path):
    app = make_site([folder_target(tmp_path)])
    with using(app):
        queued = enqueue_reports()
        assert [(r["period"]["key"], t) for r, t in queued] == [("2026-10", "usb")]
        assert SyncTarget.get().skipped_reports == [
            records_of(app)[key]["uuid"] for key in ("2026-09", "2026-08")
        ]
        later = build_report(Site.get(), parse_period("2026-W44")).record
        assert [r["uuid"] for r, _ in enqueue_reports()] == [later["uuid"]]
        assert outbox_length() == 2


def test_the_backoff_doubles_from_five_seconds_up_to_the_cap():
    rng = random.Random(7)
    delays = [retry_delay(attempt, 300, rng) for attempt in range(1, 12)]
    bases = [5, 10, 20, 40, 80, 160, 300, 300, 300, 300, 300]
    for delay, base in zip(delays, bases, strict=True):
        assert 0.8 * base <= delay <= base
    assert max(retry_delay(50, 300) for _ in range(100)) <= 300


def test_a_failing_target_keeps_the_row_and_waits_longer_each_time(make_site, tmp_path):
    missing = tmp_path / "usb-stick"
    app = make_site([folder_target(missing)])
    now = utc(2026, 11, 25, 10)
    with using(app):
        enqueue_reports(now)
        waits = []
        for _ in range(9):
            item = OutboxItem.get()
            deliver_outbox(item.next_attempt_at)
            after = OutboxItem.get()
            waits.append((after.next_attempt_at - after.last_attempt_at).total_seconds())
        item = OutboxItem.get()
        assert item.attempts == 9 and item.delivered_at is None
        assert item.last_error == (
            f"Ordner {missing} nicht vorhanden (USB-Stick oder Freigabe verbunden?)"
        )
        assert waits[0] <= 5 and waits[1] > waits[0] and max(waits) <= 300
        assert waits[-1] > 200  # at the cap, less the jitter
        # Not due yet: nothing is tried; `force` (kiosk sync) tries at once.
        deliver_outbox(item.last_attempt_at + timedelta(seconds=1))
        assert OutboxItem.get().attempts == 9
        missing.mkdir()
        runs = deliver_outbox(item.last_attempt_at + timedelta(seconds=1), force=True)
        assert runs["usb"].delivered == ["2026-10"]
        delivered = OutboxItem.get()
        assert delivered.receipt == str(missing / "mittendrin" / "2026-10.pdf")
        assert delivered.last_error == "" and outbox_length() == 0


def test_a_leased_row_is_not_claimed_twice(make_site, tmp_path):
    app = make_site([folder_target(tmp_path)])
    now = utc(2026, 11, 25, 10)
    with using(app):
        enqueue_reports(now)
        item = OutboxItem.get()
        assert claim(item, now) is True
        assert claim(item, now + timedelta(seconds=60)) is False
        # A lease whose holder died runs out.
        assert claim(item, now + timedelta(minutes=10)) is True


def test_two_deliverers_at_once_send_each_report_once(make_site):
    with SmtpServer(delay=0.15) as smtp:
        app = make_site([smtp.target()])
        with using(app):
            for record in records_of(app).values():
                enqueue(record, "integration")
        barrier = threading.Barrier(3)
        results = []

        def deliverer():
            with using(app):
                barrier.wait()
                results.append(deliver_outbox(force=True)["integration"].delivered)

        threads = [threading.Thread(target=deliverer) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    ids = [message["Message-ID"].strip() for message in smtp.messages]
    assert len(ids) == 3 and len(set(ids)) == 3
    assert sorted(key for run in results for key in run) == sorted(REPORTS)


def test_a_rebuilt_report_replaces_its_queued_predecessor(make_site, tmp_path):
    app = make_site([folder_target(tmp_path / "absent")])
    with using(app):
        enqueue_reports()
        old = records_of(app)["2026-10"]
        new = build_report(Site.get(), parse_period("2026-10"), rebuild=True).record
        enqueue_reports()
        (tmp_path / "absent").mkdir()
        deliver_outbox(force=True)
        rows = {row.report_uuid: row for row in OutboxItem.select()}
        assert rows[old["uuid"]].superseded_by == new["uuid"]
        assert rows[new["uuid"]].delivered_at is not None
        written = json.loads((tmp_path / "absent" / "mittendrin" / "2026-10.json").read_text())
        assert written["uuid"] == new["uuid"] and written["replaces"] == old["uuid"]


# --- Transports -----------------------------------------------------------------------------------


def report_files(app, key="2026-10"):
    record = records_of(app)[key]
    pdf_path, _ = report_paths(app.instance_path, "mittendrin", parse_period(key))
    return record, pdf_path


def test_the_folder_copy_is_written_whole(make_site, tmp_path):
    app = make_site()
    record, pdf_path = report_files(app)
    receipt = deliver_to_folder(folder_target(tmp_path), record, pdf_path)
    folder = tmp_path / "mittendrin"
    assert receipt == str(folder / "2026-10.pdf")
    assert sorted(os.listdir(folder)) == ["2026-10.json", "2026-10.pdf"]
    with open(pdf_path, "rb") as original:
        assert (folder / "2026-10.pdf").read_bytes() == original.read()
    assert json.loads((folder / "2026-10.json").read_text())["uuid"] == record["uuid"]


def test_a_failing_folder_write_leaves_no_file(make_site, tmp_path, monkeypatch):
    app = make_site()
    record, pdf_path = report_files(app)
    # The disk fills up while the PDF is written: neither it nor a temporary file remains.
    real_fsync = os.fsync

    def disk_full(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(DeliveryError, match="fehlgeschlagen"):
        deliver_to_folder(folder_target(tmp_path), record, pdf_path)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert os.listdir(tmp_path / "mittendrin") == []


def test_an_unwritable_folder_is_named(make_site, tmp_path):
    if os.geteuid() == 0:
        # root writes anywhere: a file where the site's folder belongs stops it instead.
        (tmp_path / "mittendrin").write_text("not a folder")
        expected = "Schreiben in den Ordner"
    else:
        tmp_path.chmod(0o500)
        expected = "nicht beschreibbar"
    app = make_site()
    record, pdf_path = report_files(app)
    with pytest.raises(DeliveryError, match=expected):
        deliver_to_folder(folder_target(tmp_path), record, pdf_path)


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
def test_email_goes_out_over_starttls_with_login(make_site, tmp_path, mechanism):
    other = {"LOGIN": "PLAIN", "PLAIN": "LOGIN"}[mechanism]
    with SmtpServer(tls_folder=tmp_path, exclude_auth=[other]) as smtp:
        app = make_site()
        record, pdf_path = report_files(app)
        receipt = deliver_by_email(smtp.target(), record, pdf_path)
    assert smtp.mechanisms == [mechanism]
    (message,) = smtp.messages
    assert receipt == message["Message-ID"].strip()
    assert receipt == f"<bericht-{record['uuid']}.integration@mittendrin.example>"
    assert message["Subject"] == "Mittendrin-Bericht Treffpunkt Mittendrin Oktober 2026"
    body = message.get_body(("plain",)).get_content()
    assert "Kennzahlen:" in body and "- Besuche: 4 (Vormonat: 4, ±0)" in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "Bericht-mittendrin-2026-10.pdf"
    with open(pdf_path, "rb") as original:
        assert attachment.get_content() == original.read()


def test_email_refuses_to_send_without_starttls_unless_told(make_site):
    with SmtpServer() as smtp:  # a plain server without STARTTLS
        app = make_site()
        record, pdf_path = report_files(app)
        with pytest.raises(DeliveryError, match="kein STARTTLS"):
            deliver_by_email(smtp.target(starttls=True), record, pdf_path)
        assert smtp.messages == []


def test_a_wrong_smtp_password_is_reported_plainly(make_site, tmp_path):
    with SmtpServer(tls_folder=tmp_path) as smtp:
        app = make_site()
        record, pdf_path = report_files(app)
        with pytest.raises(DeliveryError) as refused:
            deliver_by_email(smtp.target(password="falsch"), record, pdf_path)
    assert refused.value.permanent
    assert refused.value.message.startswith("Anmeldung am SMTP-Server fehlgeschlagen")


def test_smtp_down_then_up_delivers_once_with_the_same_message_id(make_site, tmp_path):
    down = SmtpServer(tls_folder=tmp_path)
    app = make_site([down.target()])
    now = utc(2026, 11, 25, 10)
    with using(app):
        enqueue_reports(now)
        deliver_outbox(now)
        item = OutboxItem.get()
        assert item.attempts == 1 and item.delivered_at is None
        assert item.last_error == (
            f"SMTP-Server 127.0.0.1:{down.port} nicht erreichbar (Verbindung abgelehnt)"
        )
        with down as smtp:
            deliver_outbox(item.next_attempt_at)
            deliver_outbox(item.next_attempt_at + timedelta(minutes=10))
        (message,) = smtp.messages
        item = OutboxItem.get()
        assert item.delivered_at is not None and item.receipt == message["Message-ID"].strip()


# --- Due reports and the scheduler ----------------------------------------------------------------


def test_the_due_periods_are_the_last_complete_one_and_missed_ones():
    monthly = due_periods(date(2026, 12, 1), "monthly", date(2026, 9, 20))
    assert [p.key for p in monthly] == ["2026-09", "2026-10", "2026-11"]
    # A kiosk without a single submission, or one that started this month, has nothing due.
    assert due_periods(date(2026, 12, 1), "monthly", None) == []
    assert due_periods(date(2026, 12, 1), "monthly", date(2026, 12, 1)) == []
    weekly = due_periods(date(2026, 11, 23), "weekly", date(2026, 11, 11))
    assert [p.key for p in weekly] == ["2026-W46", "2026-W47"]
    long_off = due_periods(date(2026, 12, 7), "weekly", date(2024, 1, 1))
    assert len(long_off) == 12 and long_off[-1].key == "2026-W49"


def test_due_reports_leaves_out_the_built_ones(make_site):
    app = make_site()
    with using(app):
        assert [p.key for p in due_reports(date(2026, 11, 2))] == []
        assert [p.key for p in due_reports(date(2026, 12, 1))] == ["2026-11"]


def test_report_due_builds_and_queues_from_the_cli(make_site, tmp_path):
    app = make_site([folder_target(tmp_path)])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["report", "due", "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert "Bericht November 2026 erstellt:" in result.output
    # A new target gets the latest report from before it appeared, and the ones built since.
    assert "In den Versand an usb: Oktober 2026" in result.output
    assert "In den Versand an usb: November 2026" in result.output
    assert "September" not in result.output
    again = runner.invoke(args=["report", "due", "--today", "2026-12-01"])
    assert "Kein Bericht fällig" in again.output and "In den Versand" not in again.output
    synced = runner.invoke(args=["sync"])
    assert synced.exit_code == 0 and "usb: 2 zugestellt, 0 wartend" in synced.output
    status = runner.invoke(args=["sync", "--status"])
    assert "usb (Ordner)" in status.output and "wartend: 0" in status.output


def test_sync_exits_1_while_something_waits(make_site, tmp_path):
    app = make_site([folder_target(tmp_path / "absent")])
    result = app.test_cli_runner().invoke(args=["sync"])
    assert result.exit_code == 1
    assert "usb: 0 zugestellt, 1 wartend. Fehler: Ordner" in result.output
    status = app.test_cli_runner().invoke(args=["sync", "--status"])
    assert "letzter Fehler" in status.output and "nicht vorhanden" in status.output


def test_nightly_jobs_run_once_a_day_from_the_nightly_hour(make_site, monkeypatch):
    from kiosk import scheduler

    calls = []
    monkeypatch.setitem(scheduler.NIGHTLY_JOBS, "purge", lambda app, now: calls.append("purge"))
    monkeypatch.setitem(scheduler.NIGHTLY_JOBS, "backup", lambda app, now: 1 / 0)
    app = make_site()
    run_once(app, utc(2026, 11, 25, 1))  # 02:00 in Wildeshausen: too early
    assert calls == []
    run_once(app, utc(2026, 11, 25, 2, 30))
    run_once(app, utc(2026, 11, 25, 20))
    assert calls == ["purge"]
    run_once(app, utc(2026, 11, 26, 3))
    assert calls == ["purge", "purge"]
    with using(app):
        failed = ScheduledRun.get(ScheduledRun.job == "backup", ScheduledRun.day == "2026-11-25")
        assert failed.error == "ZeroDivisionError: division by zero"


def test_the_nightly_purge_builds_the_due_report_first(make_site, monkeypatch):
    """Purge removes approved comments; the month's report must have them before that."""
    from kiosk import scheduler

    monkeypatch.setitem(scheduler.NIGHTLY_JOBS, "backup", lambda app, now: "ok")
    app = make_site()  # no targets: reports are built all the same
    run_once(app, utc(2026, 12, 1, 1))  # 02:00 in Wildeshausen: before purge and REPORT_HOUR
    assert "2026-11" not in records_of(app)
    run_once(app, utc(2026, 12, 1, 2, 30))  # 03:30: purge, still before REPORT_HOUR (6)
    assert "2026-11" in records_of(app)
    with using(app):
        assert ScheduledRun.get(ScheduledRun.job == "purge").error == ""


def test_a_hub_runs_only_the_nightly_jobs(make_site, tmp_path, monkeypatch):
    from kiosk import scheduler

    monkeypatch.setitem(scheduler.NIGHTLY_JOBS, "backup", lambda app, now: "ok")
    app = make_site([folder_target(tmp_path)], ROLE="hub")
    done = run_once(app, utc(2026, 12, 1, 12))
    assert set(done) == {"nightly"} and not (tmp_path / "mittendrin").exists()


def test_the_scheduler_thread_delivers_and_stops(make_site, tmp_path):
    app = make_site([folder_target(tmp_path)], SCHEDULER_INTERVAL_SECONDS=0.2, NIGHTLY_HOUR=24)
    scheduler = start_scheduler(app)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "mittendrin" / "2026-10.json").exists():
            assert time.monotonic() < deadline, "the scheduler delivered nothing"
            time.sleep(0.1)
    finally:
        scheduler.stop(timeout=30)
    assert not scheduler.is_alive()


def test_kiosk_serve_starts_the_scheduler(tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    config = (
        f"SYNC_TARGETS = [{{'name': 'usb', 'type': 'folder', 'path': {str(usb)!r}}}]\n"
        "SCHEDULER_INTERVAL_SECONDS = 1\nREPORT_HOUR = 0\n"
        'REPORT_SCHEDULE = "monthly"\nREPORT_GRACE_DAYS = 0\n'
    )
    server = KioskServer(tmp_path / "instance", extra_config=config)
    server.kiosk(["demo", "--count", "20", "--months", "2"])  # a report is due only with data
    server.start()
    last_month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    try:
        deadline = time.monotonic() + 90
        while not (usb / "mittendrin" / f"{last_month}.json").exists():
            assert time.monotonic() < deadline, "no report arrived from kiosk serve"
            time.sleep(0.2)
    finally:
        server.stop()


# --- Coordinators' page ---------------------------------------------------------------------------


@pytest.fixture
def staffed_site(make_site, tmp_path):
    app = make_site([folder_target(tmp_path / "usb")])
    add_user(app, "cora", "coordinator")
    add_user(app, "vera", "volunteer")
    return app


def test_the_status_page_shows_each_target_in_plain_german(staffed_site, tmp_path):
    client = staffed_site.test_client()
    log_in(client, "cora")
    with using(staffed_site):
        enqueue_reports()
        deliver_outbox(force=True)
    html = client.get("/review/versand/").get_data(as_text=True)
    assert "Versand an das Stadthaus" in html and ">usb<" in html.replace("<span", "<")
    assert "1 wartend" in html and "nicht vorhanden (USB-Stick" in html
    assert "Jetzt senden" in html and 'href="/review/versand/"' in html


def test_send_now_delivers_and_answers_htmx_in_place(staffed_site, tmp_path):
    client = staffed_site.test_client()
    token = log_in(client, "cora").token("/review/versand/")
    (tmp_path / "usb").mkdir()
    answer = client.post(
        "/review/versand/senden", data={"csrf_token": token}, headers={"HX-Request": "true"}
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in html
    assert "Gesendet: 1 Bericht zugestellt." in html and "alles zugestellt" in html
    assert (tmp_path / "usb" / "mittendrin" / "2026-10.pdf").exists()
    without_token = client.post("/review/versand/senden")
    assert without_token.status_code == 400


def test_volunteers_may_not_see_the_status_page(staffed_site):
    client = staffed_site.test_client()
    log_in(client, "vera")
    assert client.get("/review/versand/").status_code == 403
    assert "/review/versand/" not in client.get("/review/").get_data(as_text=True)

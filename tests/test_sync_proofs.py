"""Proofs that every report reaches the real hub once: after a fortnight down, after lost
answers and replays, and with two `kiosk sync` runs at once."""

import hashlib
import os
import subprocess
import sys
from datetime import date, timedelta

import pytest

from kiosk import create_app
from kiosk.db import prepare_database
from kiosk.models import OutboxItem, SyncTarget
from kiosk.reports.store import list_records
from kiosk.scheduler import run_once
from kiosk.sync.heartbeat import send_heartbeats
from kiosk.sync.outbox import deliver_outbox, enqueue, enqueue_reports, outbox_length
from kiosk.sync.transports import DeliveryError, deliver_to_hub

from server import free_port
from sync_support import (
    AnswerDroppingProxy,
    HubServer,
    SmtpServer,
    hex_uuid,
    seed_visits,
    using,
    utc,
)


@pytest.fixture
def hub(tmp_path):
    hub = HubServer(tmp_path / "hub", port=free_port())
    yield hub
    hub.stop()


def records_of(app) -> list[dict]:
    return list_records(app.instance_path, "mittendrin")


def test_a_fortnight_without_the_hub_loses_nothing_and_sends_each_report_once(instance, hub):
    token = hub.add_site("mittendrin")
    app = create_app(
        {
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "SYNC_TARGETS": [hub.target(token)],
            "SCHEDULER_INTERVAL_SECONDS": 0,
            "NIGHTLY_HOUR": 24,  # this test is about delivery
            "REPORT_GRACE_DAYS": 0,  # October's report on 1 November, within the fortnight
        }
    )
    prepare_database(app)
    with using(app):
        # The kiosk was set up in August: its first run catches up on August and September.
        seed_visits(app, [date(2026, 8, 20), date(2026, 9, 15), date(2026, 10, 14)])
    start = utc(2026, 10, 20, 8)  # the hub refuses connections from here on
    runs = [start + timedelta(hours=6 * step) for step in range(14 * 4)]
    runs_since_queued: dict[str, int] = {}
    for now in runs:
        run_once(app, now)
        with using(app):
            items = list(OutboxItem.select().order_by(OutboxItem.period_start))
            for item in items:
                runs_since_queued[item.period_key] = runs_since_queued.get(item.period_key, 0) + 1
                assert item.delivered_at is None  # never dropped, never marked done
            # Every run tries the oldest waiting report; the rest wait for the hub to answer.
            oldest = items[0]
            assert oldest.attempts == runs_since_queued[oldest.period_key]
            assert "nicht erreichbar (Verbindung abgelehnt)" in oldest.last_error
    records = records_of(app)
    assert [r["period"]["key"] for r in records] == ["2026-10", "2026-09", "2026-08"]
    with using(app):
        assert outbox_length() == 3
        assert "Verbindung abgelehnt" in SyncTarget.get().heartbeat_error

    hub.start()
    back = runs[-1] + timedelta(minutes=10)
    for minutes in (0, 10, 20):
        run_once(app, back + timedelta(minutes=minutes))
    stored = hub.stored_reports()
    assert sorted(stored) == sorted((hex_uuid(r["uuid"]), r["sha256"]) for r in records)
    with using(app):
        assert outbox_length() == 0
        receipts = [item.receipt for item in OutboxItem.select()]
        assert len(receipts) == 3 and all(receipts)
        target = SyncTarget.get()
        assert target.heartbeat_error == "" and target.heartbeat_ok_at is not None


def test_lost_answers_and_replays_leave_each_report_once_at_the_hub(make_site, hub):
    token = hub.add_site("mittendrin")
    hub.start()
    with AnswerDroppingProxy(hub.port, drop=3) as proxy:
        app = make_site([hub.target(token, url=proxy.url)])
        records = records_of(app)
        with using(app):
            for record in records:
                enqueue(record, "stadthaus")
            for _ in range(10):
                deliver_outbox(force=True)
                if outbox_length() == 0:
                    break
            items = list(OutboxItem.select())
            assert outbox_length() == 0
            assert sum(item.attempts for item in items) == 3 + 3  # three answers were lost
            receipts = {item.report_uuid: item.receipt for item in items}
        assert proxy.posts["POST /api/v1/reports HTTP/1.1"] == 6
        for record in records:  # every delivery replayed three times
            pdf_path = os.path.join(app.instance_path, "reports", "mittendrin", record["pdf"])
            for _ in range(3):
                receipt = deliver_to_hub(hub.target(token), record, pdf_path)
                assert receipt == receipts[record["uuid"]]
    stored = hub.stored_reports()
    assert sorted(stored) == sorted((hex_uuid(r["uuid"]), r["sha256"]) for r in records)


def test_two_kiosk_sync_runs_at_once_send_nothing_twice(make_site, hub, tmp_path):
    token = hub.add_site("mittendrin")
    hub.start()
    with (
        AnswerDroppingProxy(hub.port, drop=0) as proxy,
        SmtpServer(delay=0.2) as smtp,
    ):
        targets = [hub.target(token, url=proxy.url), smtp.target()]
        app = make_site(targets)
        records = records_of(app)
        with using(app):
            for record in records:
                for target in targets:
                    enqueue(record, target["name"])
        config = f"SECRET_KEY = 'test'\nSYNC_TARGETS = {targets!r}\n"
        (tmp_path / "instance" / "config.py").write_text(config)
        env = {**os.environ, "KIOSK_INSTANCE_PATH": app.instance_path}
        command = [sys.executable, "-m", "kiosk.cli", "sync"]
        runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE) for _ in range(2)]
        outputs = [run.communicate(timeout=60)[0].decode() for run in runs]
    ids = [message["Message-ID"].strip() for message in smtp.messages]
    assert len(ids) == len(set(ids)) == 3, outputs
    assert proxy.posts["POST /api/v1/reports HTTP/1.1"] == 3, outputs
    stored = hub.stored_reports()
    assert sorted(stored) == sorted((hex_uuid(r["uuid"]), r["sha256"]) for r in records)
    with using(app):
        assert outbox_length() == 0


def test_refusals_are_plain_and_wait_the_full_cap_until_fixed(make_site, hub, tmp_path):
    token = hub.add_site("mittendrin")
    hub.start()
    app = make_site([hub.target("ein-falsches-token")])
    now = utc(2026, 11, 25, 10)
    with using(app):
        enqueue_reports(now)
        deliver_outbox(now)
        item = OutboxItem.get()
        assert item.last_error.startswith("Der Stadthaus-Server kennt das Zugangs-Token nicht")
        assert (item.next_attempt_at - item.last_attempt_at).total_seconds() == 300
        assert send_heartbeats(now)["stadthaus"].startswith("Der Stadthaus-Server kennt")

        app.config["SYNC_TARGETS"] = [hub.target(token)]  # the coordinator fixes the token
        assert send_heartbeats(now, force=True) == {"stadthaus": ""}
        deliver_outbox(item.next_attempt_at)
        assert outbox_length() == 0
    beat = hub.query("SELECT version, outbox_length, last_report_uuid FROM heartbeat")
    record = records_of(app)[0]
    assert beat == [("0.1.0", 1, record["uuid"])]

    # The same UUID with other content: the hub keeps the first and says so.
    other_pdf = tmp_path / "other.pdf"
    other_pdf.write_bytes(b"%PDF-1.7 another report\n")
    changed = {**record, "sha256": hashlib.sha256(other_pdf.read_bytes()).hexdigest()}
    with pytest.raises(DeliveryError) as refused:
        deliver_to_hub(hub.target(token), changed, str(other_pdf))
    assert refused.value.permanent
    assert refused.value.message.startswith(
        "Der Stadthaus-Server hat bereits einen anderen Bericht mit dieser Kennung"
    )
    assert hub.stored_reports() == [(hex_uuid(record["uuid"]), record["sha256"])]

"""Backups while the kiosk runs, keeping the last N, and a restore that checks before replacing."""

import os
import re
import sqlite3
import stat
import subprocess
import sys
import threading
import uuid

import pytest

from kiosk.extensions import db
from kiosk.maintenance.backup import BackupError, backups, create_backup, prune_backups
from kiosk.models import AuditEvent, Submission

from server import HttpVisitor, KioskServer


def rows(path, query, *params) -> list[tuple]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(query, params).fetchall()
    finally:
        connection.close()


def integrity(path) -> str:
    return rows(path, "PRAGMA integrity_check")[0][0]


def submission_uuids(path) -> set[str]:
    return {row[0] for row in rows(path, "SELECT uuid FROM submission")}


def visit(visitor: HttpVisitor, reason: str = "german") -> str:
    """One visit over HTTP; the UUID of the submission the thank-you acknowledged."""
    visitor.start("visit")
    status, _ = visitor.answer(reason)
    assert status == 200 and "/thanks/" in visitor.url, visitor.url
    return uuid.UUID(visitor.url.rsplit("/", 1)[1]).hex


def add_visits(app, count: int) -> None:
    from kiosk.visitor.demo import fill_demo_data

    with app.app_context(), db.connection_context():
        fill_demo_data(app.extensions["kiosk_forms"], count, months=1, seed=7)


def test_a_backup_is_a_checked_private_copy(app, instance):
    add_visits(app, 20)
    path = create_backup(app)
    assert os.path.dirname(path) == str(instance / "backups")
    assert os.path.basename(path).startswith("kiosk-") and path.endswith("Z.sqlite3")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert integrity(path) == "ok"
    live = instance / "kiosk.sqlite3"
    assert submission_uuids(path) == submission_uuids(live) and len(submission_uuids(path)) == 20
    assert not [name for name in os.listdir(instance / "backups") if name.startswith(".")]


def test_only_the_newest_backups_are_kept(app):
    app.config["BACKUP_KEEP"] = 3
    made = [create_backup(app) for _ in range(5)]
    folder = os.path.dirname(made[0])
    assert backups(folder) == made[-3:]


def test_postgresql_is_left_to_pg_dump(app):
    app.config["DATABASE_URL"] = "postgresql://kiosk@localhost/kiosk"
    with pytest.raises(BackupError, match="pg_dump"):
        create_backup(app)


def test_kiosk_backup_and_restore_round_trip(app, runner, instance):
    add_visits(app, 10)
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    (path,) = backups(str(instance / "backups"))
    before = submission_uuids(path)
    add_visits(app, 5)
    live = instance / "kiosk.sqlite3"
    assert len(submission_uuids(live)) == 15

    result = runner.invoke(args=["restore", path])
    assert result.exit_code == 0, result.output
    assert submission_uuids(live) == before
    assert integrity(live) == "ok"
    # The database it replaced is a backup like the others: rotated, so never kept for ever.
    kept = backups(str(instance / "backups"))[-1]
    assert kept.endswith("-before-restore.sqlite3")
    assert len(submission_uuids(kept)) == 15
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600
    assert not [name for name in os.listdir(instance) if name.startswith("kiosk.sqlite3.")]
    prune_backups(str(instance / "backups"), 1)
    assert backups(str(instance / "backups")) == [kept]
    with app.app_context(), db.connection_context():
        assert AuditEvent.get(AuditEvent.action == "restore").detail == os.path.basename(path)
        assert Submission.select().count() == 10


def corrupted_copy(source: str, target) -> str:
    """A copy with garbage across its pages after the first, as a failing SD card leaves it."""
    with open(source, "rb") as file:
        data = bytearray(file.read())
    page = int.from_bytes(data[16:18], "big")
    for offset in range(page, len(data), page):
        data[offset : offset + 64] = os.urandom(64)
    target.write_bytes(bytes(data))
    return str(target)


def text_file(target) -> str:
    target.write_text("Einkaufsliste: Brot, Milch\n" * 100)
    return str(target)


def foreign_database(target) -> str:
    connection = sqlite3.connect(target)
    connection.execute("CREATE TABLE recipe (name TEXT)")
    connection.commit()
    connection.close()
    return str(target)


def newer_backup(source: str, target) -> str:
    with open(source, "rb") as file:
        target.write_bytes(file.read())
    connection = sqlite3.connect(target)
    connection.execute(
        "INSERT INTO schema_migration (name, applied_at) VALUES ('9999_future', '2030-01-01')"
    )
    connection.commit()
    connection.close()
    return str(target)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda good, tmp: str(tmp / "missing.sqlite3"), "gibt es nicht"),
        (lambda good, tmp: text_file(tmp / "notes.sqlite3"), "keine SQLite"),
        (lambda good, tmp: corrupted_copy(good, tmp / "bad.sqlite3"), "beschädigt|nicht lesen"),
        (lambda good, tmp: foreign_database(tmp / "other.sqlite3"), "keine Datenbank des Kiosks"),
        (lambda good, tmp: newer_backup(good, tmp / "new.sqlite3"), "neueren Version"),
    ],
    ids=["missing", "not-sqlite", "corrupt", "foreign", "newer"],
)
def test_restore_refuses_what_it_cannot_use(app, runner, instance, tmp_path, make, message):
    add_visits(app, 5)
    good = create_backup(app)
    candidate = make(good, tmp_path)
    live = instance / "kiosk.sqlite3"
    before = live.read_bytes()
    result = runner.invoke(args=["restore", candidate])
    assert result.exit_code == 1
    assert re.search(message, result.output), result.output
    assert live.read_bytes() == before
    assert not list((instance / "backups").glob("*-before-restore*"))


@pytest.fixture
def server(tmp_path):
    server = KioskServer(tmp_path / "served")
    yield server
    server.kill()


def kiosk_command(server, *args) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "kiosk.cli", *args]
    return subprocess.run(command, env=server.env, capture_output=True, text=True, timeout=60)


def test_a_backup_while_visitors_submit_holds_everything_acknowledged(server):
    server.start()
    acknowledged: list[str] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def keep_visiting():
        visitor = HttpVisitor(server.url)
        try:
            while not stop.is_set():
                acknowledged.append(visit(visitor))
        except BaseException as error:  # reported by the test below, not lost in the thread
            failures.append(error)

    threads = [threading.Thread(target=keep_visiting) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        while len(acknowledged) < 15:
            threading.Event().wait(0.05)
        before_backup = set(acknowledged)
        result = kiosk_command(server, "backup")
        while len(acknowledged) < len(before_backup) + 10:
            threading.Event().wait(0.05)  # visitors went on during and after the backup
        refused = kiosk_command(server, "restore", "/nonexistent.sqlite3")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not failures, failures
    assert result.returncode == 0, result.stderr
    # The path the command printed: the server's scheduler may have made its nightly one too.
    path = re.search(r"Sicherung geschrieben: (\S+) ", result.stdout).group(1)
    assert integrity(path) == "ok"
    in_backup = submission_uuids(path)
    assert before_backup <= in_backup
    # Consistent: every submission in the copy has its answer, none is half there.
    answers = rows(path, "SELECT count(*) FROM answer WHERE field = 'reason'")[0][0]
    assert answers == len(in_backup)
    assert refused.returncode == 1 and "gibt es nicht" in refused.stderr

    good = path
    running = kiosk_command(server, "restore", good)
    assert running.returncode == 1 and "läuft noch" in running.stderr
    server.kill()
    restored = kiosk_command(server, "restore", good)
    assert restored.returncode == 0, restored.stderr
    live = os.path.join(server.instance_path, "kiosk.sqlite3")
    assert submission_uuids(live) == in_backup

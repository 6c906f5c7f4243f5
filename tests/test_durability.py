"""An acknowledged submission survives `kill -9` of the server right after the answer."""

import sqlite3
import uuid

import pytest

from server import HttpVisitor, KioskServer


@pytest.fixture
def server(tmp_path):
    server = KioskServer(tmp_path / "instance")
    yield server
    server.kill()


def stored_uuids(database) -> set[str]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in connection.execute("SELECT uuid FROM submission")}


def test_acknowledged_submissions_survive_sigkill(server, tmp_path):
    acknowledged = set()
    for _round in range(3):
        server.start()
        for reason in ("german", "advice"):
            visitor = HttpVisitor(server.url)
            visitor.start("visit")
            status, _ = visitor.answer(reason)
            assert status == 200 and "/thanks/" in visitor.url
            acknowledged.add(uuid.UUID(visitor.url.rsplit("/", 1)[1]).hex)
        server.kill()  # at once after the last thank-you, no clean shutdown
    assert acknowledged <= stored_uuids(tmp_path / "instance" / "kiosk.sqlite3")
    assert len(acknowledged) == 6

"""Acknowledged submissions survive `kill -9` of the server: right after the answer, and at
random moments while several visitors submit in bursts."""

import http.client
import random
import sqlite3
import threading
import time
import urllib.error
import uuid
from dataclasses import dataclass, field

import pytest

from browser import read_database, stored_submissions
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


# --- Bursts of visitors while the server is killed again and again -------------------------------

KILLS = 8
VISITORS = 3
CONNECTION_LOST = (OSError, http.client.HTTPException)


def feedback_answers(rng: random.Random, marker: str) -> dict:
    """A random complete feedback, with a comment unique to this visitor."""
    return {
        "today": str(rng.randint(1, 5)),
        "helped": rng.sample(["advice", "people", "german", "coffee"], rng.randint(1, 3)),
        "missing": rng.sample(["opening_hours", "childcare", "quiet_room"], rng.randint(0, 2)),
        "come_again": rng.choice(["yes", "no"]),
        "consent": "yes",
        "comment": f"Danke {marker}",
    }


def step_name(visitor: HttpVisitor) -> str | None:
    return visitor.url.rsplit("/", 1)[1] if "/step/" in visitor.url else None


def fill_in(visitor: HttpVisitor, answers: dict) -> None:
    """From the form's first step to its summary, one answer per step."""
    visitor.start("feedback")
    while (name := step_name(visitor)) is not None:
        before = visitor.url
        visitor.answer(answers[name] or None)
        assert visitor.url != before, f"step {name} refused {answers[name]!r}"
    assert visitor.url.endswith("/summary"), visitor.url


def submit_until_answered(visitor: HttpVisitor, stop: threading.Event) -> str | None:
    """Send the summary; after a lost connection send it again (as a browser retry would).

    Returns the acknowledged UUID, or None when the test ended first.
    """
    draft_url = visitor.url.removesuffix("/summary")
    while not stop.is_set():
        try:
            visitor.request(f"{draft_url}/submit", {})
        except urllib.error.HTTPError:
            raise
        except CONNECTION_LOST:
            time.sleep(0.05)
            continue
        assert "/thanks/" in visitor.url, visitor.url
        return uuid.UUID(visitor.url.rsplit("/", 1)[1]).hex
    return None


@dataclass
class Burst:
    """What the visitor threads report: acknowledged submissions, cut-offs and real failures."""

    stop: threading.Event = field(default_factory=threading.Event)
    answered: threading.Event = field(default_factory=threading.Event)  # at each acknowledgement
    acknowledged: dict = field(default_factory=dict)  # uuid: (lang, answers)
    interrupted: int = 0
    failures: list = field(default_factory=list)


def keep_submitting(server, seed: int, burst: Burst) -> None:
    rng = random.Random(seed)
    stop, acknowledged, failures = burst.stop, burst.acknowledged, burst.failures
    while not stop.is_set():
        visitor = HttpVisitor(server.url, lang=rng.choice(["de", "ar", "uk"]))
        answers = feedback_answers(rng, f"{seed}-{rng.getrandbits(32):08x}")
        try:
            fill_in(visitor, answers)
        except urllib.error.HTTPError as error:
            failures.append(f"{error.code} {error.url}")
            return
        except CONNECTION_LOST:
            burst.interrupted += 1
            time.sleep(0.05)  # the server went away mid-form: this visitor starts over
            continue
        except AssertionError as error:
            failures.append(str(error))
            return
        try:
            submission = submit_until_answered(visitor, stop)
        except (urllib.error.HTTPError, AssertionError) as error:
            failures.append(str(error))
            return
        if submission:
            acknowledged[submission] = (visitor.lang, answers)
            burst.answered.set()


def comparable(answers: dict) -> dict:
    """Answers as stored: no row for an empty choice; options in any order."""
    return {
        name: sorted(value) if isinstance(value, list) else value
        for name, value in answers.items()
        if value != []
    }


def wait_for_an_acknowledgement(burst: Burst, seconds: float = 60) -> None:
    """Until the server (started again) has acknowledged one more submission, however busy the
    machine is: each kill then has acknowledged submissions to lose, and visitors mid-form."""
    deadline = time.monotonic() + seconds
    burst.answered.clear()
    while not burst.answered.wait(timeout=0.5):
        assert not burst.failures, burst.failures
        assert time.monotonic() < deadline, f"no submission acknowledged within {seconds} s"


def test_bursts_of_submissions_survive_repeated_sigkill(server, tmp_path):
    rng = random.Random(2026)
    burst = Burst()
    server.start()
    visitors = [
        threading.Thread(target=keep_submitting, args=(server, seed, burst))
        for seed in range(VISITORS)
    ]
    for thread in visitors:
        thread.start()
    try:
        for _kill in range(KILLS):
            wait_for_an_acknowledgement(burst)
            time.sleep(rng.uniform(0.0, 0.6))  # then a kill at a random moment
            server.kill()
            time.sleep(rng.uniform(0.0, 0.3))
            server.start()
        # The visitors caught in the last kill send again and are answered.
        wait_for_an_acknowledgement(burst)
    finally:
        burst.stop.set()
        for thread in visitors:
            thread.join(timeout=60)
        server.kill()
    assert not burst.failures, burst.failures
    assert burst.interrupted >= 1, "no kill hit a visitor mid-form"
    assert len(burst.acknowledged) >= KILLS, "too few submissions to prove anything"

    database = tmp_path / "instance" / "kiosk.sqlite3"
    connection = read_database(database)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        uuids = [row[0] for row in connection.execute("SELECT uuid FROM submission")]
    finally:
        connection.close()
    assert len(uuids) == len(set(uuids)), "a submission was stored twice"
    for submission, (lang, answers) in burst.acknowledged.items():
        stored = [
            (form, stored_lang, comparable(values))
            for form, stored_lang, values in stored_submissions(database, submission)
        ]
        assert stored == [("feedback", lang, comparable(answers))]

"""Reports per second the Stadthaus hub receives over `/api/v1`, beside a bare Flask app.

A real `kiosk serve` with ROLE = "hub" on a fresh instance (SQLite, WAL) and N sites registered
with `kiosk site add`. N client threads, one keep-alive connection each, post for `--seconds`:

1. **new**: a report never seen (a fresh UUID, a period of its own per site), the multipart
   body a site sends (record JSON + a PDF of `--pdf-kib`): checked, stored with its PDF, 201.
2. **repeat**: one of the stored reports again, byte for byte, as after a lost answer: 200
   "already_stored", nothing written.
3. **heartbeat**: a site's heartbeat (JSON): the latest one per site is kept.
4. **hello**: bench/hello_app.py's POST /echo with the same multipart body as "new", parsed by
   werkzeug and thrown away: the floor under any Flask app taking that upload on waitress.

Afterwards the hub's rows are counted against the 201 answers, and its database size against
the PDF bytes stored. Timings never make this fail; it exits 1 only when a request failed or
the rows differ from the answers.

    .venv/bin/python bench/hub_bench.py [--seconds 10] [--clients 10] [--sites 10] [--pdf-kib 150]
"""

import argparse
import contextlib
import hashlib
import http.client
import itertools
import json
import os
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from submit_bench import (  # noqa: E402
    HelloServer,
    machine,
    ms,
    percentile,
    process_cpu_seconds,
    stop_server,
    table,
)

from kiosk.reports.periods import date_range  # noqa: E402

from hub_screens import STAND_IN_SUMMARY, kiosk, report_upload  # noqa: E402
from server import KioskServer  # noqa: E402

HUB_CONFIG = 'ROLE = "hub"\nSITE_SLUG = "stadthaus"\nSITE_NAME = "Stadthaus Wildeshausen"\n'
TIMEOUT = 30
LOADS = ("new", "repeat", "heartbeat", "hello")


class Uploads:
    """Fresh report bodies for the sites: each (site, period) once, so none replaces another."""

    def __init__(self, tokens: dict[str, str], pdf_bytes: int):
        self.tokens = tokens
        self.filler = os.urandom(pdf_bytes)
        self.counter = itertools.count()
        self.lock = threading.Lock()
        self.sent: list[tuple[str, bytes, str]] = []  # (token, body, content type) answered 201

    def fresh(self) -> tuple[str, bytes, str]:
        with self.lock:
            number = next(self.counter)
        slugs = sorted(self.tokens)
        slug = slugs[number % len(slugs)]
        # One period per site and report, a day of its own since 2020 (the hub takes no earlier).
        day = date(2020, 1, 1) + timedelta(days=number // len(slugs))
        period = date_range(day, day)
        key, start, end = period.key, period.start.isoformat(), period.end.isoformat()
        pdf = b"%PDF-1.7\n" + self.filler + str(number).encode()
        record = {
            "uuid": str(uuid.uuid4()),
            "site": {"slug": slug, "name": f"Treffpunkt {slug}"},
            "period": {"kind": "month", "key": key, "start": start, "end": end},
            "created": f"{end}T22:00:00+00:00",
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "replaces": None,
            "summary": STAND_IN_SUMMARY,
        }
        return (self.tokens[slug], *report_upload(record, pdf))


def heartbeat_body() -> tuple[bytes, str]:
    body = {
        "version": "0.1.0",
        "sent_at": "2026-11-25T09:00:00+00:00",
        "last_submission_at": "2026-11-24T16:12:00+00:00",
        "outbox_length": 0,
        "last_report": None,
    }
    return json.dumps(body).encode(), "application/json"


class Poster(threading.Thread):
    """One site (or hello client) posting until the deadline on one keep-alive connection."""

    def __init__(self, port: int, next_request, deadline: float):
        super().__init__(daemon=True)
        self.port = port
        self.next_request = next_request  # () -> (path, token, body, content type, expected)
        self.deadline = deadline
        self.times: list[float] = []
        self.errors: list[str] = []
        self.answered: list[tuple[str, bytes, str]] = []

    def run(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            while time.perf_counter() < self.deadline and len(self.errors) < 20:
                path, token, body, kind, expected = self.next_request()
                headers = {"Content-Type": kind, "Authorization": f"Bearer {token}"}
                began = time.perf_counter()
                try:
                    connection.request("POST", path, body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as error:
                    self.errors.append(f"{type(error).__name__}: {error}")
                    connection.close()
                    continue
                self.times.append(time.perf_counter() - began)
                if response.status != expected:
                    self.errors.append(f"HTTP {response.status} for {path}, not {expected}")
                elif expected == 201:
                    self.answered.append((token, body, kind))
        finally:
            connection.close()


def run_load(port: int, pid: int, clients: int, seconds: float, next_request) -> dict:
    deadline = time.perf_counter() + seconds
    cpu_before = process_cpu_seconds(pid)
    posters = [Poster(port, next_request, deadline) for _ in range(clients)]
    began = time.perf_counter()
    for poster in posters:
        poster.start()
    for poster in posters:
        poster.join()
    window = time.perf_counter() - began
    cpu_after = process_cpu_seconds(pid)
    times = sorted(t for poster in posters for t in poster.times)
    return {
        "count": len(times),
        "per_second": len(times) / window,
        "p50": percentile(times, 0.5),
        "p95": percentile(times, 0.95),
        "server_cores": None if cpu_before is None else (cpu_after - cpu_before) / window,
        "errors": [error for poster in posters for error in poster.errors],
        "answered": [item for poster in posters for item in poster.answered],
    }


def hub_rows(database: str) -> tuple[int, int]:
    with contextlib.closing(sqlite3.connect(database, timeout=10)) as connection:
        reports = connection.execute("SELECT count(*) FROM received_report").fetchone()[0]
        pdf_bytes = connection.execute("SELECT sum(length(data)) FROM received_pdf").fetchone()[0]
    return reports, pdf_bytes or 0


def database_bytes(database: str) -> int:
    return sum(os.path.getsize(p) for p in (database, database + "-wal") if os.path.exists(p))


def measure(args) -> dict:
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as scratch:
        hub = KioskServer(Path(scratch) / "instance", HUB_CONFIG)
        tokens = {}
        for number in range(args.sites):
            slug = f"site{number:02d}"
            tokens[slug] = kiosk(hub, "site", "add", slug).splitlines()[1].strip()
        uploads = Uploads(tokens, args.pdf_kib * 1024)
        hello = HelloServer().start()
        hub.start()
        results = {}
        try:
            pid = hub.process.pid

            def new():
                return ("/api/v1/reports", *uploads.fresh(), 201)

            results["new"] = run_load(hub.port, pid, args.clients, args.seconds, new)
            stored = results["new"]["answered"]
            cycle = itertools.cycle(stored)
            lock = threading.Lock()

            def repeat():
                with lock:
                    token, body, kind = next(cycle)
                return ("/api/v1/reports", token, body, kind, 200)

            results["repeat"] = run_load(hub.port, pid, args.clients, args.seconds, repeat)
            beat, beat_kind = heartbeat_body()
            token_cycle = itertools.cycle(tokens.values())

            def heartbeat():
                with lock:
                    token = next(token_cycle)
                return ("/api/v1/heartbeat", token, beat, beat_kind, 200)

            results["heartbeat"] = run_load(hub.port, pid, args.clients, args.seconds, heartbeat)
            _, body, kind = stored[0]
            hello_pid = hello.process.pid
            results["hello"] = run_load(
                hello.port,
                hello_pid,
                args.clients,
                args.seconds,
                lambda: ("/echo", "", body, kind, 200),
            )
        finally:
            stop_server(hub)
            hello.stop()
        database = os.path.join(hub.instance_path, "kiosk.sqlite3")
        results["rows"], results["pdf_bytes"] = hub_rows(database)
        results["database_bytes"] = database_bytes(database)
        results["body_bytes"] = len(body)
    return results


def report(args, info: dict, results: dict) -> dict:
    print(
        f"{info['cpu']}, {info['nproc']} cores, Python {info['python']}, SQLite {info['sqlite']}, "
        f"load average at start {info['loadavg_at_start']}"
    )
    print(
        f"{args.clients} clients, {args.sites} sites, {args.seconds:g} s per load, "
        f"upload {results['body_bytes'] / 1024:.0f} KiB (PDF {args.pdf_kib} KiB)\n"
    )
    rows = [("load", "per s", "p50 ms", "p95 ms", "server cores busy")]
    for name in LOADS:
        load = results[name]
        cores = "-" if load["server_cores"] is None else f"{load['server_cores']:.2f}"
        rows.append((name, f"{load['per_second']:.1f}", ms(load["p50"]), ms(load["p95"]), cores))
    print(table(rows))
    new, repeat, hello = results["new"], results["repeat"], results["hello"]
    figures = {
        "new_per_second": round(new["per_second"], 1),
        "repeat_per_second": round(repeat["per_second"], 1),
        "heartbeat_per_second": round(results["heartbeat"]["per_second"], 1),
        "hello_per_second": round(hello["per_second"], 1),
        "new_p50_over_hello_p50": round(new["p50"] / hello["p50"], 2),
        "repeat_p50_over_new_p50": round(repeat["p50"] / new["p50"], 2),
        "database_over_pdf_bytes": round(results["database_bytes"] / results["pdf_bytes"], 3),
    }
    print(
        f"\nnew/hello (p50): {figures['new_p50_over_hello_p50']}x · "
        f"repeat/new (p50): {figures['repeat_p50_over_new_p50']}x · "
        f"database / PDF bytes stored: {figures['database_over_pdf_bytes']}"
    )
    print(
        f"rows: {results['rows']} reports stored, {len(new['answered'])} answered 201 "
        f"({results['database_bytes'] / 2**20:.1f} MiB database)"
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--pdf-kib", type=int, default=150)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    info = machine()
    results = measure(args)
    figures = report(args, info, results)
    errors = [
        e for name in ("new", "repeat", "heartbeat", "hello") for e in results[name]["errors"]
    ]
    for error in sorted(set(errors))[:10]:
        print(f"error: {error}", file=sys.stderr)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"machine": info, **figures}, indent=2) + "\n")
    same = results["rows"] == len(results["new"]["answered"])
    if not same:
        print("rows stored differ from the 201 answers", file=sys.stderr)
    return 1 if errors or not same else 0


if __name__ == "__main__":
    sys.exit(main())

"""Feedback forms submitted per second and step latency of `kiosk serve`, next to a bare Flask app.

Two loads of the same shape, one after the other, each over real HTTP on 127.0.0.1:

1. `kiosk serve` (tests/server.py's KioskServer: `kiosk init` + `kiosk serve`, waitress with its
   default 8 threads, on a fresh instance in a temporary folder). N concurrent clients (threads,
   each with its own connection and cookies) fill in the feedback form again and again:
   language page, start, every step, summary, submit, thank-you.
2. bench/hello_app.py (Flask "hello" on waitress, 8 threads). N clients do GET / + POST /echo.

What is counted (only what finishes inside the measuring window, after the warm-up):
- kiosk "step": one POST of an answer plus following its 303 to the next step (or the summary),
  timed from sending the POST until the body of the next page has been read: two requests.
- kiosk "submit": POST submit plus following its 303 to the thank-you page: two requests.
- hello "pair": GET / plus POST /echo, also two requests; "get" and "post" alone.
- submissions/s: thank-you pages received per second.
- Afterwards every submission row in the database is compared with the thank-yous received.

Timings never make this fail: it exits 1 only when a request failed or rows != thank-yous.

    .venv/bin/python bench/submit_bench.py [--seconds 20] [--warmup 3] [--clients 10]
"""

import argparse
import contextlib
import http.client
import json
import os
import platform
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server import HttpVisitor, KioskServer, free_port  # noqa: E402

LANG = "de"
FORM = "feedback"
# One complete feedback form, consent given, so the comment step is asked too (6 steps).
ANSWERS = (
    ("today", "4"),
    ("helped", ["advice", "people"]),
    ("missing", ["childcare"]),
    ("come_again", "yes"),
    ("consent", "yes"),
    ("comment", "Schön war es heute. Danke an alle!"),
)
SERVER_THREADS = 8  # `kiosk serve` default; the hello app gets the same
# HTTP requests behind each timed operation (a 303 and the page it points to are two).
REQUESTS = {"choose": 1, "start": 2, "step": 2, "submit": 2, "get": 1, "post": 1, "pair": 0}
TOKEN = re.compile(r'name="csrf[-_]token" (?:content|value)="([^"]+)"')
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
THANKS = re.compile(rf"^/{LANG}/thanks/([0-9a-f-]{{36}})$")
TIMEOUT = 30  # seconds, per HTTP request
MAX_REDIRECTS = 5
MAX_ROUNDS = 1_000_000  # per client, a bound on top of the time limit
MAX_ERRORS = 20  # per client; it gives up after that many


class RequestFailed(Exception):
    """A response that a visitor would not have wanted to see."""


class TimeUp(Exception):
    """The measuring window is over: the client leaves its form unfinished."""


class KeepAliveVisitor:
    """HttpVisitor's interface over one keep-alive connection, with cookies and redirects by hand.

    Like the kiosk's browser it keeps its connection open and, with `htmx`, sends HX-Request on
    the boosted requests (so the kiosk answers with the page's <main> fragment). urllib opens a
    new connection per request instead, which costs the client (on the server's cores) more CPU.
    """

    def __init__(self, base_url: str, htmx: bool = True):
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
        self.htmx = htmx
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.url = ""

    def close(self):
        self.connection.close()

    def send(self, method: str, path: str, body: bytes | None, htmx: bool):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        for header in response.headers.get_all("Set-Cookie", []):
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response, content

    def request(self, path: str, data: dict | None = None, boosted: bool = True):
        method, body = "GET", None
        if data is not None:
            method = "POST"
            body = urlencode({"csrf_token": self.token, **data}, doseq=True).encode()
        for _ in range(MAX_REDIRECTS + 1):
            response, content = self.send(method, path, body, self.htmx and boosted)
            if response.status not in (301, 302, 303, 307, 308):
                break
            location = urlsplit(response.headers.get("Location", ""))
            path = location.path + (f"?{location.query}" if location.query else "")
            if response.status == 303:
                method, body = "GET", None
        else:
            raise RequestFailed(f"more than {MAX_REDIRECTS} redirects, last to {path}")
        self.url = path
        if response.status >= 400:
            raise RequestFailed(f"HTTP {response.status} for {method} {path}")
        html = content.decode()
        match = TOKEN.search(html)
        if match:
            self.token = match.group(1)
        return response.status, html


class UrllibVisitor(HttpVisitor):
    """tests/server.py's HttpVisitor as it is: urllib, a new connection per request, full pages."""

    def request(self, path, data=None, boosted=True):
        return super().request(path, data)

    def close(self):
        pass


class Client(threading.Thread):
    """One visitor at a kiosk, repeating `walk` until the deadline; records what it timed."""

    def __init__(self, make_visitor, walk, deadline: float, stop: threading.Event):
        super().__init__(daemon=True)
        self.make_visitor = make_visitor
        self.walk = walk
        self.deadline = deadline
        self.stop = stop
        self.records: list[tuple[str, float, float]] = []  # (kind, ended, seconds)
        self.thanks: list[tuple[float, str]] = []  # (ended, submission UUID as hex)
        self.errors: list[str] = []

    def run(self):
        visitor = self.make_visitor()
        try:
            for _ in range(MAX_ROUNDS):
                try:
                    self.walk(self, visitor)
                except TimeUp:
                    break
                except Exception as error:
                    message = UUID_TEXT.sub("<uuid>", f"{type(error).__name__}: {error}")
                    self.errors.append(message)
                    visitor.close()
                    if len(self.errors) >= MAX_ERRORS or self.time_up():
                        break
                    visitor = self.make_visitor()
        finally:
            visitor.close()

    def time_up(self) -> bool:
        return self.stop.is_set() or time.perf_counter() >= self.deadline

    def timed(self, kind, visitor, path, data=None, boosted=True) -> float:
        """One operation (a request and the redirects it follows); its seconds."""
        if self.time_up():
            raise TimeUp
        began = time.perf_counter()
        visitor.request(path, data, boosted)
        ended = time.perf_counter()
        self.records.append((kind, ended, ended - began))
        return ended - began


def walk_feedback(client: Client, visitor) -> None:
    """Language page, start, every step, summary, submit, thank-you; checks where it lands."""
    client.timed("choose", visitor, f"/{LANG}/", boosted=False)  # a full page, as after /
    client.timed("start", visitor, f"/{LANG}/{FORM}/", {})
    for name, value in ANSWERS:
        if not visitor.url.endswith(f"/step/{name}"):
            raise RequestFailed(f"expected step {name!r}, got {visitor.url}")
        client.timed("step", visitor, visitor.url, {"answer": value})
    if not visitor.url.endswith("/summary"):
        raise RequestFailed(f"expected the summary, got {visitor.url}")
    client.timed("submit", visitor, visitor.url.removesuffix("/summary") + "/submit", {})
    match = THANKS.match(visitor.url)
    if not match:
        raise RequestFailed(f"expected the thank-you page, got {visitor.url}")
    client.thanks.append((client.records[-1][1], uuid.UUID(match.group(1)).hex))


def walk_hello(client: Client, visitor) -> None:
    """GET / and POST /echo, the same two round trips as a kiosk step."""
    get = client.timed("get", visitor, "/", boosted=False)
    post = client.timed("post", visitor, "/echo", {"answer": "4"}, boosted=False)
    client.records.append(("pair", client.records[-1][1], get + post))


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def machine_cpu_seconds() -> float | None:
    """CPU seconds all processes spent busy so far (Linux /proc/stat: all but idle and iowait)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:9]]
        return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class StderrDrain(threading.Thread):
    """Reads a server's stderr so a full pipe never blocks it; counts waitress's queue warnings."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream = stream
        self.queue_warnings = 0
        self.tail: list[str] = []

    def run(self):
        for raw in self.stream:
            line = raw.decode(errors="replace").rstrip()
            if "Task queue depth" in line:
                self.queue_warnings += 1
            else:
                self.tail = [*self.tail[-19:], line]


class HelloServer:
    """bench/hello_app.py in a child process on a free loopback port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        script = Path(__file__).with_name("hello_app.py")
        command = [sys.executable, str(script), "--port", str(self.port)]
        command += ["--threads", str(SERVER_THREADS)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_port(self.process, self.port)
        return self

    def stop(self):
        stop_process(self.process)


def wait_for_port(process, port, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode())
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start within {seconds:.0f} s")


def stop_process(process):
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def stop_server(server: KioskServer) -> None:
    """KioskServer.stop (which also closes its log), with a kill if it hangs."""
    try:
        server.stop()
    except subprocess.TimeoutExpired:
        server.kill()


def queue_warnings_logged(log: Path) -> int:
    """Waitress's "Task queue depth" warnings in kiosk serve's log, if it writes one."""
    try:
        with open(log, encoding="utf-8", errors="replace") as lines:
            return sum("Task queue depth" in line for line in lines)
    except OSError:
        return 0


@dataclass
class Load:
    """What one load run produced, limited to the measuring window where it says so."""

    seconds: float
    records: list
    thanks: list
    errors: list
    all_thanks: list
    server_cpu: float | None
    client_cpu: float
    machine_cpu: float | None  # every process on the machine, bench and server included

    def durations(self, kind: str) -> list[float]:
        return sorted(seconds for k, _, seconds in self.records if k == kind)

    @property
    def requests_per_second(self) -> float:
        return sum(REQUESTS[k] for k, _, _ in self.records) / self.seconds


def run_load(server_pid, make_visitor, walk, clients, warmup, seconds) -> Load:
    stop = threading.Event()
    began = time.perf_counter()
    window = (began + warmup, began + warmup + seconds)
    threads = [Client(make_visitor, walk, window[1], stop) for _ in range(clients)]
    try:
        for thread in threads:
            thread.start()
        sleep_until(window[0])
        cpu_before = (process_cpu_seconds(server_pid), time.process_time(), machine_cpu_seconds())
        sleep_until(window[1])
        cpu_after = (process_cpu_seconds(server_pid), time.process_time(), machine_cpu_seconds())
        join_deadline = time.monotonic() + TIMEOUT * MAX_REDIRECTS + 5
        for thread in threads:
            thread.join(max(0.0, join_deadline - time.monotonic()))
        if any(thread.is_alive() for thread in threads):
            raise RuntimeError("a client did not finish its last request in time")
    finally:
        stop.set()

    def inside(end):
        return window[0] <= end < window[1]

    server_cpu = machine_cpu = None
    if cpu_before[0] is not None and cpu_after[0] is not None:
        server_cpu = cpu_after[0] - cpu_before[0]
    if cpu_before[2] is not None and cpu_after[2] is not None:
        machine_cpu = cpu_after[2] - cpu_before[2]
    return Load(
        seconds=seconds,
        records=[r for t in threads for r in t.records if inside(r[1])],
        thanks=[x for t in threads for x in t.thanks if inside(x[0])],
        errors=[e for t in threads for e in t.errors],
        all_thanks=[x for t in threads for x in t.thanks],
        server_cpu=server_cpu,
        client_cpu=cpu_after[1] - cpu_before[1],
        machine_cpu=machine_cpu,
    )


def sleep_until(moment: float) -> None:
    while (left := moment - time.perf_counter()) > 0:
        time.sleep(min(left, 0.5))


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile of sorted values, or None without any."""
    if not values:
        return None
    rank = max(1, round(share * len(values) + 0.5 - 1e-9))
    return values[min(rank, len(values)) - 1]


def stored_rows(database: Path) -> tuple[set[str], int, int]:
    """Submission UUIDs, answer rows and drafts left in the kiosk's database."""
    with contextlib.closing(sqlite3.connect(database, timeout=10)) as connection:
        connection.execute("PRAGMA query_only = 1")
        uuids = {
            uuid.UUID(str(row[0])).hex for row in connection.execute("SELECT uuid FROM submission")
        }
        answers = connection.execute("SELECT count(*) FROM answer").fetchone()[0]
        drafts = connection.execute("SELECT count(*) FROM draft").fetchone()[0]
    return uuids, answers, drafts


def fsync_latency(folder: str, count: int = 100, limit: float = 5.0) -> float | None:
    """Median seconds of a 4 KiB append + fdatasync in `folder` (what a WAL commit waits for)."""
    path = os.path.join(folder, "fsync-probe")
    times: list[float] = []
    stop_at = time.monotonic() + limit
    try:
        with open(path, "wb", buffering=0) as probe:
            for _ in range(count):
                if time.monotonic() > stop_at:
                    break
                began = time.perf_counter()
                probe.write(b"\0" * 4096)
                os.fdatasync(probe.fileno())
                times.append(time.perf_counter() - began)
    finally:
        with contextlib.suppress(OSError):
            os.remove(path)
    return percentile(sorted(times), 0.5)


def machine() -> dict:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = {name: metadata.version(name) for name in ("flask", "waitress", "peewee")}
    return {
        "nproc": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": model,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        **versions,
    }


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f}"


def table(rows: list[tuple]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        cells = [str(row[0]).ljust(widths[0])]
        cells += [str(cell).rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def quantiles(load: Load, kinds: tuple[str, ...]) -> dict[str, float | None]:
    figures = {}
    for kind in kinds:
        values = load.durations(kind)
        figures[f"{kind}_p50_ms"] = scaled(percentile(values, 0.5))
        figures[f"{kind}_p95_ms"] = scaled(percentile(values, 0.95))
    return figures


def scaled(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def others(load: Load) -> float | None:
    """CPU seconds that neither the server nor the bench spent: noise from other work."""
    if load.machine_cpu is None or load.server_cpu is None:
        return None
    return max(0.0, load.machine_cpu - load.server_cpu - load.client_cpu)


def rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


def cores(seconds: float | None, window: float) -> str:
    return "-" if seconds is None else f"{seconds / window:.2f}"


def report(args, info: dict, kiosk: Load, hello: Load, rows_check: dict, fsync) -> dict:
    """Print the figures; return them for --json."""
    k = quantiles(kiosk, ("step", "submit", "start", "choose"))
    h = quantiles(hello, ("pair", "get", "post"))
    submissions = len(kiosk.thanks) / kiosk.seconds
    kiosk_rps, hello_rps = kiosk.requests_per_second, hello.requests_per_second

    def cell(value):
        return "-" if value is None else f"{value:.1f}"

    def share(a, b):
        return "-" if a is None or not b else f"{a / b:.2f}"

    rows = [
        ("", "kiosk serve", "hello app", "kiosk/hello"),
        ("HTTP requests/s", f"{kiosk_rps:.0f}", f"{hello_rps:.0f}", share(kiosk_rps, hello_rps)),
    ]
    for name in ("p50", "p95"):
        a, b = k[f"step_{name}_ms"], h[f"pair_{name}_ms"]
        rows.append((f"step | GET+POST {name} ms", cell(a), cell(b), share(a, b)))
    for name in ("p50", "p95"):
        a, b = k[f"submit_{name}_ms"], h[f"pair_{name}_ms"]
        rows.append((f"submit | GET+POST {name} ms", cell(a), cell(b), share(a, b)))
    rows.append(("submissions/s (thank-yous)", f"{submissions:.1f}", "", ""))
    rows.append(
        ("start p50 / p95 ms", f"{cell(k['start_p50_ms'])} / {cell(k['start_p95_ms'])}", "", "")
    )
    rows.append(
        ("hello GET, POST p50 ms", "", f"{cell(h['get_p50_ms'])}, {cell(h['post_p50_ms'])}", "")
    )
    cpu_rows = [
        ("CPU in the window", "kiosk serve", "hello app"),
        (
            "server process, cores busy",
            cores(kiosk.server_cpu, kiosk.seconds),
            cores(hello.server_cpu, hello.seconds),
        ),
        (
            "bench clients, cores busy",
            cores(kiosk.client_cpu, kiosk.seconds),
            cores(hello.client_cpu, hello.seconds),
        ),
    ]
    cpu_rows.append(
        (
            "other processes, cores busy",
            cores(others(kiosk), kiosk.seconds),
            cores(others(hello), hello.seconds),
        )
    )
    if kiosk.server_cpu is not None and kiosk.thanks and hello.server_cpu is not None:
        per_form = kiosk.server_cpu / len(kiosk.thanks) * 1000
        per_request = hello.server_cpu / max(1, hello_rps * hello.seconds) * 1000
        cpu_rows.append(
            ("server CPU ms per form | request", f"{per_form:.1f}", f"{per_request:.2f}")
        )

    mode = "full pages" if args.client == "urllib" or args.full_pages else "htmx fragments"
    print()
    print(f"Mittendrin submit bench, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(
        f"machine: nproc {info['nproc']} ({info['cpu']}), {info['system']},"
        f" Python {info['python']}, SQLite {info['sqlite']}, Flask {info['flask']},"
        f" waitress {info['waitress']}, peewee {info['peewee']}"
    )
    print(
        f"load: {args.clients} client{'s' if args.clients != 1 else ''} ({args.client}, {mode}),"
        f" {SERVER_THREADS} waitress threads,"
        f" {args.warmup:g} s warm-up + {args.seconds:g} s measured per server"
    )
    load1, load5, _ = info["loadavg_at_start"]
    print(
        f"4 KiB append + fdatasync in the instance folder: p50 {ms(fsync)} ms;"
        f" load average at start {load1:.2f} (1 min), {load5:.2f} (5 min)"
    )
    print("step = POST answer + its 303 to the next page; GET+POST = hello pair (2 requests each)")
    print()
    print(table(rows))
    print()
    print(table(cpu_rows))
    print()
    check = rows_check
    equal = check["stored"] == check["thanks"] and not check["missing"] and not check["unexpected"]
    print(
        f"rows: {check['stored']} submissions stored, {check['thanks']} thank-yous received:"
        f" {'equal' if equal else 'NOT EQUAL'} ({check['answers']} answer rows;"
        f" {check['drafts']} unfinished drafts left)"
    )
    if not equal:
        print(
            f"  thanked, not stored: {check['missing']}; stored, not thanked: {check['unexpected']}"
        )
    errors = kiosk.errors + hello.errors
    print(f"errors: {len(kiosk.errors)} kiosk, {len(hello.errors)} hello")
    for message in sorted(set(errors))[:10]:
        print(f"  {errors.count(message)}x {message}")
    print(f"waitress 'Task queue depth' warnings from kiosk serve: {check['queue_warnings']}")
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": info,
        "load": {
            "clients": args.clients,
            "client": args.client,
            "mode": mode,
            "warmup_s": args.warmup,
            "seconds": args.seconds,
        },
        "fdatasync_p50_ms": scaled(fsync),
        "kiosk": {
            "submissions_per_s": round(submissions, 2),
            "requests_per_s": round(kiosk_rps, 1),
            **k,
            "server_cpu_s": rounded(kiosk.server_cpu),
            "client_cpu_s": rounded(kiosk.client_cpu),
            "other_cpu_s": rounded(others(kiosk)),
        },
        "hello": {
            "requests_per_s": round(hello_rps, 1),
            **h,
            "server_cpu_s": rounded(hello.server_cpu),
            "client_cpu_s": rounded(hello.client_cpu),
            "other_cpu_s": rounded(others(hello)),
        },
        "rows": check,
        "errors": len(errors),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds per load")
    parser.add_argument("--warmup", type=float, default=3, help="seconds before measuring")
    parser.add_argument("--clients", type=int, default=10, help="concurrent clients")
    parser.add_argument(
        "--client",
        choices=("keepalive", "urllib"),
        default="keepalive",
        help="keep-alive http.client (default) or tests/server.py's HttpVisitor (urllib)",
    )
    parser.add_argument(
        "--full-pages", action="store_true", help="keepalive: no HX-Request, whole pages"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not (0 < args.seconds <= 3600 and 0 <= args.warmup <= 600 and 1 <= args.clients <= 200):
        parser.error("--seconds in (0, 3600], --warmup in [0, 600], --clients in [1, 200]")

    def visitor_for(base_url):
        if args.client == "urllib":
            return lambda: UrllibVisitor(base_url, LANG)
        return lambda: KeepAliveVisitor(base_url, htmx=not args.full_pages)

    # SIGTERM ends the run like Ctrl-C: the finally blocks stop both servers.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    info = machine()
    kiosk_server = hello_server = None
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as folder:
        try:
            fsync = fsync_latency(folder)
            print(f"kiosk serve: instance in {folder}, {args.clients} clients …", flush=True)
            kiosk_server = KioskServer(Path(folder) / "instance")
            kiosk_server.start()
            drain = StderrDrain(kiosk_server.process.stderr)
            if drain.stream is not None:  # else KioskServer logs to instance/serve.log
                drain.start()
            kiosk = run_load(
                kiosk_server.process.pid,
                visitor_for(kiosk_server.url),
                walk_feedback,
                args.clients,
                args.warmup,
                args.seconds,
            )
            stored, answers, drafts = stored_rows(Path(folder) / "instance" / "kiosk.sqlite3")
            thanked = {submission for _, submission in kiosk.all_thanks}
            db = {
                "stored": len(stored),
                "thanks": len(kiosk.all_thanks),
                "missing": len(thanked - stored),
                "unexpected": len(stored - thanked),
                "answers": answers,
                "drafts": drafts,
            }
            stop_server(kiosk_server)
            db["queue_warnings"] = drain.queue_warnings + queue_warnings_logged(
                Path(folder) / "instance" / "serve.log"
            )
            print(f"hello app: {args.clients} clients …", flush=True)
            hello_server = HelloServer()
            hello_server.start()
            StderrDrain(hello_server.process.stderr).start()
            hello = run_load(
                hello_server.process.pid,
                visitor_for(hello_server.url),
                walk_hello,
                args.clients,
                args.warmup,
                args.seconds,
            )
        except KeyboardInterrupt:
            print("\ninterrupted: servers stopped, no figures", file=sys.stderr)
            return 130
        finally:
            if kiosk_server:
                stop_server(kiosk_server)
            if hello_server:
                hello_server.stop()
    figures = report(args, info, kiosk, hello, db, fsync)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    failed = kiosk.errors or hello.errors or db["stored"] != db["thanks"]
    failed = failed or db["missing"] or db["unexpected"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

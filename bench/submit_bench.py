"""Feedback forms submitted per second and step latency of `kiosk serve`, next to a bare Flask app.

Two servers, one after the other, each over real HTTP on 127.0.0.1 and each under two loads:
N concurrent clients (default 10), then a lone visitor (`--lone-seconds`).

1. `kiosk serve` (tests/server.py's KioskServer: `kiosk init` + `kiosk serve`, waitress in its
   default 2 processes of 8 threads, or `--processes`/`--threads`, on a fresh instance in a
   temporary folder), from this checkout or from `--code DIR` (another checkout's `kiosk`
   package, first on PYTHONPATH). Each client (a thread with its own connection and cookies,
   asking for compressed answers as Chromium does) fills in the feedback form again and
   again: language page, start, every step, summary, submit, thank-you.
2. bench/hello_app.py (Flask "hello" on waitress, 8 threads, one process). Each client does GET /
   + POST /echo.

What is counted (only what finishes inside the measuring window, after the warm-up):
- kiosk "step": the POST of an answer until the next step (or the summary) has been read:
  one request when the kiosk answers htmx with the next page at once, two when it answers 303
  and the page is fetched (without htmx, or older code). The HTTP requests are counted.
- kiosk "submit": POST submit until the thank-you page has been read.
- hello "pair": GET / plus POST /echo, two requests: the floor under a step.
- forms/s: thank-you pages received per second; server CPU per form from /proc.
- Afterwards every submission row in the database is compared with the thank-yous received.

At the end, each goal of the issue "Fast on a Raspberry Pi" (part 1) is printed with the
figure measured, its floor from the same run and the ratio. Timings never make this fail: it
exits 1 only when a request failed or rows != thank-yous.

    .venv/bin/python bench/submit_bench.py [--seconds 20] [--lone-seconds 10] [--warmup 3]
        [--clients 10] [--code DIR]
"""

import argparse
import contextlib
import gzip
import http.client
import importlib.util
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
import zlib
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
# The goals: step latency and CPU against the floors, forms/s against the run before.
GOAL_STEP_RATIO = 2.5  # step p95 (10 clients) and lone step p50, times the hello GET+POST
GOAL_CPU_MS_PER_FORM = 15.0
GOAL_FORMS_FACTOR = 5.0
FORMS_PER_S_BEFORE = 21.9  # 10 clients, commit 5af96ed (docs/performance.md, 2026-11-25)
TIMES = "\N{MULTIPLICATION SIGN}"
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

    Like the kiosk's browser it keeps its connection open, asks for compressed answers as
    Chromium does (`accept_encoding`; the server then spends CPU on compressing, as it does for
    the kiosk) and, with `htmx`, sends HX-Request on the boosted requests (so the kiosk answers
    with the page's <main> fragment). urllib opens a new connection per request instead, which
    costs the client (on the server's cores) more CPU.
    """

    def __init__(self, base_url: str, htmx: bool = True, accept_encoding: str = ""):
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
        self.htmx = htmx
        self.accept_encoding = accept_encoding
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.url = ""
        self.sent = 0  # HTTP requests of the last operation (redirects followed included)

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
        if self.accept_encoding:
            headers["Accept-Encoding"] = self.accept_encoding
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = decoded(response.read(), response.headers.get("Content-Encoding"))
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
        self.sent = 0
        for _ in range(MAX_REDIRECTS + 1):
            response, content = self.send(method, path, body, self.htmx and boosted)
            self.sent += 1
            if response.status not in (301, 302, 303, 307, 308):
                break
            location = urlsplit(response.headers.get("Location", ""))
            path = location.path + (f"?{location.query}" if location.query else "")
            if response.status == 303:
                method, body = "GET", None
        else:
            raise RequestFailed(f"more than {MAX_REDIRECTS} redirects, last to {path}")
        # An htmx answer may be the next page itself, with the URL the browser shows for it.
        pushed = response.headers.get("HX-Push-Url")
        self.url = pushed if pushed and pushed != "false" else path
        if response.status >= 400:
            raise RequestFailed(f"HTTP {response.status} for {method} {path}")
        html = content.decode()
        match = TOKEN.search(html)
        if match:
            self.token = match.group(1)
        return response.status, html


def decoded(content: bytes, encoding: str | None) -> bytes:
    """A body as it was before the server compressed it."""
    if encoding == "gzip":
        return gzip.decompress(content)
    if encoding == "deflate":
        return zlib.decompress(content)
    if encoding == "br":
        import brotli  # fonttools[woff] brings it; only asked for when importable

        return brotli.decompress(content)
    if encoding not in (None, "", "identity"):
        raise RequestFailed(f"unexpected Content-Encoding {encoding!r}")
    return content


def browser_encodings() -> str:
    """What Chromium sends as Accept-Encoding (without zstd), Brotli only if it can be read."""
    return "gzip, deflate, br" if importlib.util.find_spec("brotli") else "gzip, deflate"


class UrllibVisitor(HttpVisitor):
    """tests/server.py's HttpVisitor as it is: urllib, a new connection per request, full pages."""

    sent = 0

    def request(self, path, data=None, boosted=True):
        answer = super().request(path, data)
        self.sent = 1 if self.url == path else 2  # urllib followed a redirect by itself
        return answer

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
        self.records: list[tuple[str, float, float, int]] = []  # (kind, ended, s, requests)
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
        self.records.append((kind, ended, ended - began, visitor.sent))
        return ended - began


def walk_feedback(client: Client, visitor) -> None:
    """Language page, start, every step, summary, submit, thank-you; checks where it lands."""
    client.timed("choose", visitor, f"/{LANG}/", boosted=False)  # a full page, as after /
    client.timed("start", visitor, f"/{LANG}/{FORM}/", {})
    answers = dict(ANSWERS)
    for _ in range(len(answers)):  # the steps in the form's order, each answered once
        name = visitor.url.rsplit("/step/", 1)[-1]
        if name not in answers:
            raise RequestFailed(f"expected one of the steps {sorted(answers)}, got {visitor.url}")
        client.timed("step", visitor, visitor.url, {"answer": answers.pop(name)})
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
    client.records.append(("pair", client.records[-1][1], get + post, 0))


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds so far of a process and all its descendants (Linux /proc), or
    None: `kiosk serve` runs its workers as child processes (kiosk/serving_workers.py); those
    that ended are in the parent's reaped-children fields."""
    try:
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                        stats[int(entry)] = stat.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue  # ended meanwhile
        fields = stats[pid]
        ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
        family, found = {pid}, True
        while found:
            found = False
            for other, values in stats.items():
                if other not in family and int(values[1]) in family:  # its parent is ours
                    family.add(other)
                    ticks += sum(int(value) for value in values[11:15])
                    found = True
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, KeyError):
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
    except (subprocess.TimeoutExpired, AssertionError) as problem:  # it is killed by then
        print(f"kiosk serve: {problem}", file=sys.stderr)
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
        return sorted(seconds for k, _, seconds, _ in self.records if k == kind)

    @property
    def requests(self) -> int:
        return sum(sent for _, _, _, sent in self.records)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def forms_per_second(self) -> float:
        return len(self.thanks) / self.seconds

    def cpu_ms_per(self, count: float) -> float | None:
        """Server CPU milliseconds per form (count = forms) or per request (count = requests)."""
        if self.server_cpu is None or not count:
            return None
        return self.server_cpu / count * 1000


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


@dataclass
class Runs:
    """One server's loads: N clients, then a lone visitor (None with --lone-seconds 0)."""

    crowd: Load
    lone: Load | None

    @property
    def all_thanks(self) -> list:
        return self.crowd.all_thanks + (self.lone.all_thanks if self.lone else [])

    @property
    def errors(self) -> list:
        return self.crowd.errors + (self.lone.errors if self.lone else [])


def measure(server_pid: int, make_visitor, walk, args) -> Runs:
    crowd = run_load(server_pid, make_visitor, walk, args.clients, args.warmup, args.seconds)
    lone = None
    if args.lone_seconds:
        lone = run_load(server_pid, make_visitor, walk, 1, args.warmup, args.lone_seconds)
    return Runs(crowd, lone)


# --- Which code is measured ------------------------------------------------------------------


def serve_code_from(code: Path) -> None:
    """Make every server process import `kiosk` from the checkout `code`: first on PYTHONPATH,
    and no current folder in front of it (PYTHONSAFEPATH), wherever the bench was started."""
    os.environ["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(code), os.environ.get("PYTHONPATH")) if part
    )
    os.environ["PYTHONSAFEPATH"] = "1"


def code_under_test(code: Path) -> dict:
    """The checkout the server runs: folder, git revision, uncommitted changes, and where a
    child process really imports `kiosk` from (a check of `serve_code_from`)."""

    def git(*arguments) -> str:
        # Read-only: --no-optional-locks keeps `git status` from rewriting the index.
        command = ["git", "--no-optional-locks", "-C", str(code), *arguments]
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
        return done.stdout.strip() if done.returncode == 0 else ""

    probe = "import os, kiosk; print(os.path.dirname(os.path.abspath(kiosk.__file__)))"
    with tempfile.TemporaryDirectory() as elsewhere:
        imported = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, cwd=elsewhere, timeout=60
        ).stdout.strip()
    changed = git("status", "--porcelain", "--", "kiosk", "templates", "static", "forms")
    return {
        "dir": str(code),
        "rev": git("rev-parse", "--short", "HEAD") or "(no git revision)",
        "uncommitted_changes": bool(changed),
        "kiosk_imported_from": imported,
    }


# --- Figures and goals -----------------------------------------------------------------------


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def goals(args, kiosk: Runs, hello: Runs) -> list[dict]:
    """Each goal of the issue: the figure, its floor from this run, the ratio and the goal."""
    crowd = quantiles(kiosk.crowd, ("step",)), quantiles(hello.crowd, ("pair",))
    listed = [
        {
            "goal": f"step p95, {args.clients} clients",
            "unit": "ms",
            "value": crowd[0]["step_p95_ms"],
            "floor": crowd[1]["pair_p95_ms"],
            "floor_is": "hello GET+POST p95",
            "most": GOAL_STEP_RATIO,
        }
    ]
    if kiosk.lone and hello.lone:
        lone = quantiles(kiosk.lone, ("step",)), quantiles(hello.lone, ("pair",))
        listed.append(
            {
                "goal": "lone-visitor step p50",
                "unit": "ms",
                "value": lone[0]["step_p50_ms"],
                "floor": lone[1]["pair_p50_ms"],
                "floor_is": "hello GET+POST p50, 1 client",
                "most": GOAL_STEP_RATIO,
            }
        )
    forms = len(kiosk.crowd.thanks)
    per_form = kiosk.crowd.requests / forms if forms else None
    hello_per_request = hello.crowd.cpu_ms_per(hello.crowd.requests)
    listed.append(
        {
            "goal": "server CPU per feedback form",
            "unit": "ms",
            "value": kiosk.crowd.cpu_ms_per(forms),
            "floor": hello_per_request * per_form if hello_per_request and per_form else None,
            "floor_is": f"hello CPU per request x {per_form or 0:.1f} requests per form",
            "most_absolute": GOAL_CPU_MS_PER_FORM,
        }
    )
    listed.append(
        {
            "goal": f"forms/s, {args.clients} clients",
            "unit": "/s",
            "value": kiosk.crowd.forms_per_second,
            "floor": args.before_forms_per_s,
            "floor_is": "forms/s before (docs/performance.md)",
            "least": GOAL_FORMS_FACTOR,
            "ceiling": hello.crowd.requests_per_second / per_form if per_form else None,
        }
    )
    for goal in listed:
        goal["ratio"] = ratio(goal["value"], goal["floor"])
        goal["met"] = goal_met(goal)
    return listed


def goal_met(goal: dict) -> bool | None:
    if "most_absolute" in goal:
        return None if goal["value"] is None else goal["value"] <= goal["most_absolute"]
    if goal["ratio"] is None:
        return None
    if "most" in goal:
        return goal["ratio"] <= goal["most"]
    return goal["ratio"] >= goal["least"]


def goal_line(goal: dict) -> str:
    def figure(value):
        if value is None:
            return "-"
        return f"{value:.1f} ms" if goal["unit"] == "ms" else f"{value:.1f}/s"

    verdict = {True: "met", False: "NOT met", None: "not measured"}[goal["met"]]
    value, floor, times = figure(goal["value"]), figure(goal["floor"]), goal["ratio"]
    times = "-" if times is None else f"{times:.2f}{TIMES}"
    if "most_absolute" in goal:
        return (
            f"{goal['goal']}: {value} (goal ≤ {goal['most_absolute']:g} ms) {verdict};"
            f" floor {floor} ({goal['floor_is']}) = {times}"
        )
    if "least" in goal:
        ceiling = figure(goal["ceiling"])
        return (
            f"{goal['goal']}: {value} vs {floor} before = {times} (goal ≥ {goal['least']:g}{TIMES})"
            f" {verdict}; the hello app's requests/s would allow {ceiling}"
        )
    return (
        f"{goal['goal']}: {value} vs floor {floor} ({goal['floor_is']}) = {times}"
        f" (goal ≤ {goal['most']:g}{TIMES}) {verdict}"
    )


def cell(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def share(a, b) -> str:
    return "-" if a is None or not b else f"{a / b:.2f}"


def latency_rows(kiosk: Load, hello: Load, kinds: tuple[str, ...]) -> list[tuple]:
    k, h = quantiles(kiosk, ("step", "submit", "start")), quantiles(hello, ("pair", "get", "post"))
    rows = [
        ("", "kiosk serve", "hello app", "kiosk/hello"),
        (
            "HTTP requests/s",
            f"{kiosk.requests_per_second:.0f}",
            f"{hello.requests_per_second:.0f}",
            share(kiosk.requests_per_second, hello.requests_per_second),
        ),
    ]
    for kind in kinds:
        for name in ("p50", "p95"):
            a, b = k[f"{kind}_{name}_ms"], h[f"pair_{name}_ms"]
            rows.append((f"{kind} | GET+POST {name} ms", cell(a), cell(b), share(a, b)))
    forms = len(kiosk.thanks)
    rows.append(("forms/s (thank-yous)", f"{kiosk.forms_per_second:.1f}", "", ""))
    rows.append(("HTTP requests per form", cell(kiosk.requests / forms if forms else None), "", ""))
    rows.append(
        ("start p50 / p95 ms", f"{cell(k['start_p50_ms'])} / {cell(k['start_p95_ms'])}", "", "")
    )
    rows.append(
        ("hello GET, POST p50 ms", "", f"{cell(h['get_p50_ms'])}, {cell(h['post_p50_ms'])}", "")
    )
    return rows


def cpu_rows(args, kiosk: Runs, hello: Runs) -> list[tuple]:
    """CPU in each measuring window: a column per server and load."""
    columns = [(f"kiosk {args.clients}", kiosk.crowd), (f"hello {args.clients}", hello.crowd)]
    if kiosk.lone and hello.lone:
        columns += [("kiosk 1", kiosk.lone), ("hello 1", hello.lone)]
    rows = [("CPU in the window (clients)", *(name for name, _ in columns))]
    for label, figure in (
        ("server process, cores busy", lambda load: cores(load.server_cpu, load.seconds)),
        ("bench clients, cores busy", lambda load: cores(load.client_cpu, load.seconds)),
        ("other processes, cores busy", lambda load: cores(others(load), load.seconds)),
    ):
        rows.append((label, *(figure(load) for _, load in columns)))
    per = [
        cell(load.cpu_ms_per(len(load.thanks)))
        if name.startswith("kiosk")
        else f"{load.cpu_ms_per(load.requests) or 0:.2f}"
        for name, load in columns
    ]
    rows.append(("server CPU ms per form (hello: request)", *per))
    return rows


def load_figures(load: Load | None, kinds: tuple[str, ...]) -> dict | None:
    if load is None:
        return None
    forms = len(load.thanks)
    return {
        "clients_seconds": load.seconds,
        "forms_per_s": round(load.forms_per_second, 2),
        "requests_per_s": round(load.requests_per_second, 1),
        "requests_per_form": round(load.requests / forms, 2) if forms else None,
        **quantiles(load, kinds),
        "server_cpu_s": rounded(load.server_cpu),
        "server_cpu_ms_per_form": rounded(load.cpu_ms_per(forms)),
        "server_cpu_ms_per_request": rounded(load.cpu_ms_per(load.requests)),
        "client_cpu_s": rounded(load.client_cpu),
        "other_cpu_s": rounded(others(load)),
    }


def report(args, info: dict, code: dict, kiosk: Runs, hello: Runs, check: dict, fsync) -> dict:
    """Print the figures and the goals; return them for --json."""
    mode = "full pages" if args.client == "urllib" or args.full_pages else "htmx fragments"
    if args.client == "keepalive":
        mode += f", Accept-Encoding {args.accept_encoding!r}"
    print()
    print(f"Mittendrin submit bench, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(
        f"code: {code['rev']}{' + uncommitted changes' if code['uncommitted_changes'] else ''}"
        f" in {code['dir']} (kiosk imported from {code['kiosk_imported_from']})"
    )
    print(
        f"machine: nproc {info['nproc']} ({info['cpu']}), {info['system']},"
        f" Python {info['python']}, SQLite {info['sqlite']}, Flask {info['flask']},"
        f" waitress {info['waitress']}, peewee {info['peewee']}"
    )
    lone = f" + 1 client {args.lone_seconds:g} s" if args.lone_seconds else ""
    print(
        f"load: {args.clients} client{'s' if args.clients != 1 else ''} ({args.client}, {mode}),"
        f" kiosk serve: {serving_shape(args)}; hello app: 1 process, {SERVER_THREADS} waitress"
        f" threads; {args.warmup:g} s warm-up +"
        f" {args.seconds:g} s measured{lone} per server"
    )
    load1, load5, _ = info["loadavg_at_start"]
    print(
        f"4 KiB append + fdatasync in the instance folder: p50 {ms(fsync)} ms;"
        f" load average at start {load1:.2f} (1 min), {load5:.2f} (5 min)"
    )
    print("step = POST answer until the next page is read (1 request, or 2 with a 303);")
    print("GET+POST = the hello app's pair of requests, the floor")
    print()
    print(f"{args.clients} clients")
    print(table(latency_rows(kiosk.crowd, hello.crowd, ("step", "submit"))))
    if kiosk.lone and hello.lone:
        print()
        print("1 client")
        print(table(latency_rows(kiosk.lone, hello.lone, ("step",))))
    print()
    print(table(cpu_rows(args, kiosk, hello)))
    print()
    equal = check["stored"] == check["thanks"] and not check["missing"] and not check["unexpected"]
    print(
        f"rows: {check['stored']} submissions stored, {check['thanks']} thank-yous received:"
        f" {'equal' if equal else 'NOT EQUAL'}, also UUID by UUID ({check['answers']} answer rows;"
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
    listed = goals(args, kiosk, hello)
    print()
    print('goals (issue "Fast on a Raspberry Pi", part 1; floors measured in this run):')
    for goal in listed:
        print(f"  {goal_line(goal)}")
    kinds = ("step", "submit", "start", "choose")
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "code": code,
        "machine": info,
        "load": {
            "clients": args.clients,
            "client": args.client,
            "mode": mode,
            "warmup_s": args.warmup,
            "seconds": args.seconds,
            "lone_seconds": args.lone_seconds,
        },
        "fdatasync_p50_ms": scaled(fsync),
        "kiosk": {
            "crowd": load_figures(kiosk.crowd, kinds),
            "lone": load_figures(kiosk.lone, kinds),
        },
        "hello": {
            "crowd": load_figures(hello.crowd, ("pair", "get", "post")),
            "lone": load_figures(hello.lone, ("pair", "get", "post")),
        },
        "goals": listed,
        "rows": check,
        "errors": len(errors),
    }


def stored_against_thanked(folder: str, kiosk: Runs) -> dict:
    stored, answers, drafts = stored_rows(Path(folder) / "instance" / "kiosk.sqlite3")
    thanked = {submission for _, submission in kiosk.all_thanks}
    return {
        "stored": len(stored),
        "thanks": len(kiosk.all_thanks),
        "missing": len(thanked - stored),
        "unexpected": len(stored - thanked),
        "answers": answers,
        "drafts": drafts,
    }


def serving_shape(args) -> str:
    """How `kiosk serve` runs in this bench, as said in the output."""
    from kiosk.config import defaults

    settings = defaults()
    processes = args.processes or settings.get("SERVER_PROCESSES", 1)
    threads = args.threads or settings.get("SERVER_THREADS", SERVER_THREADS)
    processes = min(processes, os.cpu_count() or 1)
    return f"{processes} process{'es' if processes != 1 else ''} x {threads} threads"


def serve_config(args) -> str:
    """Lines for the instance's config.py: --processes and --threads (older code ignores them)."""
    lines = [f"SERVER_PROCESSES = {args.processes}\n"] if args.processes else []
    return "".join(lines + ([f"SERVER_THREADS = {args.threads}\n"] if args.threads else []))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds, N clients")
    parser.add_argument(
        "--lone-seconds", type=float, default=10, help="then measured with 1 client (0: skip)"
    )
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
    parser.add_argument(
        "--code",
        type=Path,
        default=ROOT,
        help="serve the kiosk package of this checkout (e.g. a git worktree); default: this one",
    )
    parser.add_argument(
        "--before-forms-per-s",
        type=float,
        default=FORMS_PER_S_BEFORE,
        help="forms/s with 10 clients before the work on speed, for the forms/s goal",
    )
    parser.add_argument(
        "--accept-encoding",
        default=browser_encodings(),
        help='keepalive: Accept-Encoding to send, as Chromium does (default "%(default)s";'
        ' "" asks for none)',
    )
    parser.add_argument(
        "--processes",
        type=int,
        help="kiosk serve's worker processes (SERVER_PROCESSES; default: the kiosk's own)",
    )
    parser.add_argument(
        "--threads", type=int, help="kiosk serve's threads per process (SERVER_THREADS)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not (0 < args.seconds <= 3600 and 0 <= args.lone_seconds <= 3600):
        parser.error("--seconds in (0, 3600], --lone-seconds in [0, 3600]")
    if not (0 <= args.warmup <= 600 and 1 <= args.clients <= 200):
        parser.error("--warmup in [0, 600], --clients in [1, 200]")
    args.code = args.code.resolve()
    if not (args.code / "kiosk" / "__init__.py").is_file():
        parser.error(f"--code {args.code}: no kiosk package there")
    return args


def main() -> int:
    args = arguments()

    def visitor_for(base_url):
        if args.client == "urllib":
            return lambda: UrllibVisitor(base_url, LANG)
        return lambda: KeepAliveVisitor(
            base_url, htmx=not args.full_pages, accept_encoding=args.accept_encoding
        )

    # SIGTERM ends the run like Ctrl-C: the finally blocks stop both servers.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    serve_code_from(args.code)
    code = code_under_test(args.code)
    info = machine()
    kiosk_server = hello_server = None
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as folder:
        try:
            fsync = fsync_latency(folder)
            print(
                f"kiosk serve ({code['rev']}, {code['dir']}): instance in {folder},"
                f" {args.clients} clients …",
                flush=True,
            )
            kiosk_server = KioskServer(Path(folder) / "instance", extra_config=serve_config(args))
            kiosk_server.start()
            drain = StderrDrain(kiosk_server.process.stderr)
            if drain.stream is not None:  # else KioskServer logs to instance/serve.log
                drain.start()
            kiosk = measure(
                kiosk_server.process.pid, visitor_for(kiosk_server.url), walk_feedback, args
            )
            check = stored_against_thanked(folder, kiosk)
            stop_server(kiosk_server)
            check["queue_warnings"] = drain.queue_warnings + queue_warnings_logged(
                Path(folder) / "instance" / "serve.log"
            )
            print(f"hello app: {args.clients} clients …", flush=True)
            hello_server = HelloServer()
            hello_server.start()
            StderrDrain(hello_server.process.stderr).start()
            hello = measure(
                hello_server.process.pid, visitor_for(hello_server.url), walk_hello, args
            )
        except KeyboardInterrupt:
            print("\ninterrupted: servers stopped, no figures", file=sys.stderr)
            return 130
        finally:
            if kiosk_server:
                stop_server(kiosk_server)
            if hello_server:
                hello_server.stop()
    figures = report(args, info, code, kiosk, hello, check, fsync)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    failed = kiosk.errors or hello.errors or check["stored"] != check["thanks"]
    failed = failed or check["missing"] or check["unexpected"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The volunteers' review at 10,000 and 100,000 submissions: export, search, pages, purge.

Per size, a fresh instance in a temporary folder (`kiosk init`, a coordinator added with
`kiosk user add`) gets that many submissions in one bulk insert through the app's own models
and migrations: a year of opening hours, the demo's mix of forms, languages and answers, statuses,
assignments, status changes and notes. What is older than its form's Löschfrist is stored as
the nightly purge leaves it (no personal answers, the time cut to the local day), except the last
two days' worth, which a purge still has to do. One word ("Fahrradwerkstatt") is in the free
text of about 1 % of the submissions, a rare one ("Zitronenbaum") in three.

Then, over HTTP against a real `kiosk serve` on 127.0.0.1 (scheduler off), logged in as the
coordinator: the CSV export of everything (time to the last byte, bytes, the server's peak
resident memory during it), free-text search for both words, the inbox's first page, a filtered
page and the follow-up page: `/review/anliegen` over a case per need of every intake (the
older `/review/followup` on code from before casework), median of `--repeat` after one warm-up
request each. Then, with the server stopped, `kiosk purge --dry-run` and `kiosk purge` (wall
time of the CLI process) beside `kiosk user list` (the same start-up and database connection,
no work).

`--code DIR` puts DIR first on PYTHONPATH of every process the bench starts (kiosk init, the
fill, kiosk serve, the CLI), so the same script measures another checkout, e.g. the commit
before a change. Every process runs in the temporary folder, so the working directory never
shadows DIR.

Timings never make this fail; it exits 1 only when a step fails (a request answered with an
error, a process exiting non-zero), 130 when interrupted. Every request has a 120 s timeout,
every process a 300 s one; the temporary folders are removed at the end.

    .venv/bin/python bench/review_bench.py [--sizes 10000,100000] [--repeat 10] [--code DIR]
                                           [--json FILE]
"""

import argparse
import http.client
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"

COORDINATOR, PASSWORD = "cora", "correct horse battery"
COMMON_WORD, COMMON_SHARE = "Fahrradwerkstatt", 0.01
RARE_WORD, RARE_COUNT = "Zitronenbaum", 3
DAYS_OF_HISTORY = 365
UNPURGED_DAYS = 2  # expired since the last nightly purge: what `kiosk purge` has to do
CHUNK = 2000
TIMEOUT = 120  # per HTTP request
PROCESS_TIMEOUT = 300
FORM_TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
COUNT = re.compile(r'<p class="count" role="status">\s*(\d+)')
SERVER_CONFIG = "SCHEDULER_INTERVAL_SECONDS = 0\n"
NOTE = {"text": "Termin beim Jobcenter vereinbart."}
APPROVABLE = "SELECT id FROM answer WHERE field = 'comment' ORDER BY id"  # a tenth approved

# (name, goal, unit): what is printed, in this order.
FIGURES = [
    ("export: time to last byte", 3.0, "s"),
    ("export: server peak RSS", 150, "MB"),
    ("export: size", None, "MB"),
    (f"search '{COMMON_WORD}'", 30, "ms"),
    (f"search '{RARE_WORD}'", 30, "ms"),
    ("inbox, first page", 30, "ms"),
    ("inbox, Alle", 30, "ms"),
    ("inbox, filtered (intake, Arabisch, Neu)", 30, "ms"),
    ("inbox, need 'Wohnung'", 30, "ms"),
    ("follow-up page", 30, "ms"),
    ("kiosk purge --dry-run", 1.0, "s"),
    ("kiosk purge", 1.0, "s"),
    ("kiosk user list (CLI start-up floor)", None, "s"),
]


# --- Filling the database (runs in a child process, on the code measured) -------------------


def fill(size: int, seed: int = 2026) -> dict:
    """Bulk-insert `size` submissions into the instance of KIOSK_INSTANCE_PATH; returns counts.

    Runs with the kiosk package of PYTHONPATH (--code), through its models and migrations.
    """
    from kiosk import create_app
    from kiosk.clock import TIMEZONE, utc_midnight, utcnow
    from kiosk.extensions import db
    from kiosk.models import (
        Answer,
        CommentApproval,
        Draft,
        FormVersion,
        LoginAttempt,
        Note,
        Site,
        StatusChange,
        Submission,
        User,
    )
    from kiosk.visitor.demo import FORM_WEIGHTS, LANGUAGE_WEIGHTS, demo_answers
    from kiosk.visitor.submissions import answer_rows

    rng = random.Random(seed)
    app = create_app()
    forms = app.extensions["kiosk_forms"]
    slugs = list(FORM_WEIGHTS)
    now = utcnow().replace(microsecond=0)
    languages, language_weights = list(LANGUAGE_WEIGHTS), list(LANGUAGE_WEIGHTS.values())
    started = time.perf_counter()

    def opening_hours(moment: datetime) -> datetime:
        local = moment.replace(tzinfo=UTC).astimezone(TIMEZONE)
        while local.weekday() >= 5:
            local -= timedelta(days=2)
        local = local.replace(
            hour=rng.randint(9, 16), minute=rng.randint(0, 59), second=0, microsecond=0
        )
        return min(local.astimezone(UTC).replace(tzinfo=None), now - timedelta(minutes=1))

    moments = sorted(
        opening_hours(now - timedelta(seconds=rng.uniform(0, DAYS_OF_HISTORY * 86400)))
        for _ in range(size)
    )
    plan = []
    for moment in moments:
        slug = rng.choices(slugs, list(FORM_WEIGHTS.values()))[0]
        spec = forms[slug]
        age = now - moment
        retention = timedelta(days=spec.retention_days)
        purged = age > retention + timedelta(days=UNPURGED_DAYS)
        answers = demo_answers(spec, rng)
        if purged:  # as last night's purge left it
            personal = {field.name for field in spec.fields if field.personal}
            answers = {name: value for name, value in answers.items() if name not in personal}
            moment = utc_midnight(moment.replace(tzinfo=UTC).astimezone(TIMEZONE).date())
        old = age > timedelta(days=30)
        status = rng.choices(
            ("new", "in_progress", "handed_over", "done"),
            (5, 10, 25, 60) if old else (45, 25, 10, 20),
        )[0]
        plan.append([slug, moment, answers, status, purged])

    free_text = {
        slug: [f.name for f in spec.fields if f.type in ("text", "textarea")]
        for slug, spec in forms.items()
    }
    with_text = [row for row in plan if any(name in row[2] for name in free_text[row[0]])]
    chosen = rng.sample(with_text, min(len(with_text), round(size * COMMON_SHARE) + RARE_COUNT))
    for number, row in enumerate(chosen):
        name = next(name for name in free_text[row[0]] if name in row[2])
        word = RARE_WORD if number < RARE_COUNT else COMMON_WORD
        row[2][name] = f"{row[2][name][:40]}: {word} hat geholfen"

    submissions, answers_total, changes, notes = [], [], [], []
    with app.app_context(), db.connection_context():
        site = Site.get()
        cora = User.get(User.name == COORDINATOR)
        versions = {slug: FormVersion.for_spec(forms[slug]).id for slug in slugs}
        start_id = (Submission.select(Submission.id).order_by(Submission.id.desc()).scalar()) or 0
        for number, (slug, moment, answers, status, purged) in enumerate(plan, start_id + 1):
            ended_long_ago = purged and status in ("done", "handed_over")
            submissions.append(
                {
                    "id": number,
                    "uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "site": site.id,
                    "form_version": versions[slug],
                    "lang": rng.choices(languages, language_weights)[0],
                    "created_at": moment,
                    "status": status,
                    "assigned_to": cora.id
                    if status != "new" and not ended_long_ago and rng.random() < 0.4
                    else None,
                }
            )
            answers_total += answer_rows(forms[slug], answers, number)
            if status != "new" and not ended_long_ago:
                at = min(moment + timedelta(days=rng.uniform(0.1, 5)), now)
                changes.append(
                    {"submission": number, "old": "new", "new": status, "at": at}
                    | {"user_name": "cora"}
                )
                if slug == "intake" and rng.random() < 0.3:
                    notes.append({"submission": number, "user_name": "cora", "at": at} | NOTE)
        with db.atomic():
            for model, rows in (
                (Submission, submissions),
                (Answer, answers_total),
                (StatusChange, changes),
                (Note, notes),
            ):
                bulk_insert(db, model, rows)
            comments = [row[0] for row in db.execute_sql(APPROVABLE)]
            approved = rng.sample(comments, len(comments) // 10)
            rows = [{"answer": answer, "user_name": "cora", "at": now} for answer in approved]
            bulk_insert(db, CommentApproval, rows)
            visit = versions.get("visit") or next(iter(versions.values()))
            for hours in (1, 30):
                Draft.create(form_version=visit, lang="de", updated_at=now - timedelta(hours=hours))
            LoginAttempt.create(
                account="cora", address="127.0.0.1", succeeded=False, at=now - timedelta(days=2)
            )
            cases = fill_cases(db, plan, start_id + 1, now, rng)
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return {
        "cases": cases,
        "submissions": len(submissions),
        "answers": len(answers_total),
        "status_changes": len(changes),
        "notes": len(notes),
        "expired_unpurged": sum(
            1
            for slug, moment, _, _, purged in plan
            if not purged and now - moment > timedelta(days=forms[slug].retention_days)
        ),
        "common_word_rows": len(chosen) - RARE_COUNT,
        "approved_comments": len(approved),
        "fill_seconds": time.perf_counter() - started,
    }


def fill_cases(db, plan: list, first_id: int, now: datetime, rng: random.Random) -> int | None:
    """A case per need of each intake (issue 16), in the state its submission's status suggests,
    a quarter of the unfinished ones with a Wiedervorlage (some overdue). None on code from
    before casework, whose follow-up page reads the answers instead."""
    try:
        from kiosk.models.casework import NEEDS_FIELD, NEEDS_FORM, NeedCase
    except ImportError:
        return None
    rows = []
    for number, (slug, moment, answers, status, _) in enumerate(plan, first_id):
        if slug != NEEDS_FORM or not isinstance(answers.get(NEEDS_FIELD), list):
            continue
        for need in answers[NEEDS_FIELD]:
            state = {"new": "open"}.get(status, status)
            due = None
            if state in ("open", "in_progress", "handed_over") and rng.random() < 0.25:
                due = (now + timedelta(days=rng.randint(-20, 20))).date()
            rows.append(
                {"submission": number, "need": need, "status": state, "due": due}
                | {"created_at": moment, "updated_at": moment, "outcome": ""}
            )
    bulk_insert(db, NeedCase, rows)
    return len(rows)


def bulk_insert(db, model, rows: list[dict]) -> None:
    """INSERT every row with one statement made by peewee and executemany: the model's own SQL
    and column conversions (UUIDs, times), without peewee building SQL for each chunk."""
    if not rows:
        return
    sql, first = model.insert(rows[0]).sql()
    fields = [field for field in model._meta.sorted_fields if field.name in rows[0]]
    values = [tuple(field.db_value(row[field.name]) for field in fields) for row in rows]
    if list(values[0]) != list(first):  # the order of the columns peewee chose
        raise RuntimeError(f"{model.__name__}: columns not in the order of the row")
    db.cursor().executemany(sql, values)


# --- Processes on the code measured ---------------------------------------------------------


class Instance:
    """An instance folder with the processes the bench starts on it, all on the code measured."""

    def __init__(self, folder: Path, code: Path):
        self.folder = folder
        self.path = folder / "instance"
        self.env = {
            **os.environ,
            "KIOSK_INSTANCE_PATH": str(self.path),
            "PYTHONPATH": os.pathsep.join(
                [str(code), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
        }
        self.server = None
        self.log = None

    def run(self, args: list[str], stdin: str | None = None) -> tuple[float, str]:
        """Run `python -m kiosk.cli args` (or a script); returns (wall seconds, stdout)."""
        command = [sys.executable, *args] if args[0].endswith(".py") else [
            sys.executable, "-m", "kiosk.cli", *args
        ]  # fmt: skip
        started = time.perf_counter()
        result = subprocess.run(
            command,
            cwd=self.folder,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=PROCESS_TIMEOUT,
        )
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return seconds, result.stdout

    def code_in_use(self) -> str:
        script = "import kiosk, os; print(os.path.dirname(os.path.dirname(kiosk.__file__)))"
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout.strip()

    def start(self) -> str:
        sys.path.insert(0, str(TESTS))
        from server import free_port

        port = free_port()
        self.log = open(self.folder / "serve.log", "ab")  # noqa: SIM115
        self.server = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "serve", "--port", str(port)],
            cwd=self.folder,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError((self.folder / "serve.log").read_text(errors="replace"))
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=0.5).connect()
                return f"127.0.0.1:{port}"
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("kiosk serve did not start within 60 s")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait(timeout=10)
        if self.log is not None and not self.log.closed:
            self.log.close()


# --- HTTP -----------------------------------------------------------------------------------


class Staff:
    """One keep-alive connection with the cookies of a logged-in staff member."""

    def __init__(self, address: str):
        host, port = address.split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, sink=None):
        """(status, body bytes or byte count when `sink` takes the chunks, headers)."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if sink is None:
            content = response.read()
        else:
            content = 0
            while chunk := response.read(65536):
                content += len(chunk)
                sink(chunk)
        return response.status, content, response.headers

    def login(self, name: str, password: str) -> None:
        _, page, _ = self.request("GET", "/review/login")
        token = FORM_TOKEN.search(page.decode()).group(1)
        status, _, _ = self.request(
            "POST", "/review/login", {"csrf_token": token, "name": name, "password": password}
        )
        if status != 303:
            raise RuntimeError(f"login answered {status}")

    def timed(self, path: str, repeat: int, pid: int) -> tuple[float, float, int | None]:
        """(median seconds of `repeat` GETs after one warm-up, the server's CPU seconds per GET,
        the count the page shows)."""
        times, shown = [], None
        for number in range(repeat + 1):
            if number == 1:
                cpu = cpu_seconds(pid)
            started = time.perf_counter()
            status, content, _ = self.request("GET", path)
            elapsed = time.perf_counter() - started
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}")
            if number:
                times.append(elapsed)
            match = COUNT.search(content.decode())
            shown = int(match.group(1)) if match else None
        return statistics.median(times), (cpu_seconds(pid) - cpu) / repeat, shown


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def status_kb(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def export(staff: Staff, pid: int) -> dict:
    """The CSV of everything: seconds to the last byte, bytes, rows, peak RSS of the server."""
    before = status_kb(pid, "VmRSS")
    peak_reset = True
    try:  # Linux ≥ 4.0: "5" resets the peak resident set size (VmHWM) of the process
        with open(f"/proc/{pid}/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        peak_reset = False
    sampled = [before]
    done = threading.Event()

    def sample():  # in case the peak cannot be reset: the highest RSS seen every 10 ms
        while not done.wait(0.01):
            sampled.append(status_kb(pid, "VmRSS"))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines, last = [0], [b""]

    def count_lines(chunk: bytes) -> None:
        lines[0] += (last[0] + chunk[:1] == b"\r\n") + chunk.count(b"\r\n")
        last[0] = chunk[-1:]

    cpu = cpu_seconds(pid)
    started = time.perf_counter()
    try:
        status, size, _ = staff.request("GET", "/review/export.csv", sink=count_lines)
    finally:
        done.set()
        sampler.join()
    seconds = time.perf_counter() - started
    cpu = cpu_seconds(pid) - cpu
    if status != 200:
        raise RuntimeError(f"export answered {status}")
    hwm = status_kb(pid, "VmHWM") if peak_reset else 0
    peak = max(hwm, *sampled)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "bytes": size,
        "rows": lines[0] - 1,  # the header line; a row with a line break in a cell counts twice
        "rss_before_mb": before / 1024,
        "peak_rss_mb": peak / 1024,
        "peak_from": "VmHWM after reset" if peak_reset else "RSS sampled every 10 ms",
    }


# --- One size -------------------------------------------------------------------------------


def measure(size: int, code: Path, repeat: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="mittendrin-review-bench-"))
    instance = Instance(folder, code)
    try:
        instance.run(["init"])
        with open(instance.path / "config.py", "a", encoding="utf-8") as config:
            config.write(SERVER_CONFIG)
        instance.run(["user", "add", COORDINATOR, "--role", "coordinator"], PASSWORD + "\n")
        fill_seconds, output = instance.run([__file__, "--fill", str(size)])
        result = {"size": size, "code": instance.code_in_use(), **json.loads(output)}
        result["fill_wall_seconds"] = fill_seconds
        result["database_mb"] = (
            sum(path.stat().st_size for path in instance.path.glob("kiosk.sqlite3*")) / 2**20
        )
        print(
            f"{size:,}: {result['submissions']:,} submissions, {result['answers']:,} answers "
            f"filled in {fill_seconds:.1f} s ({result['database_mb']:.0f} MB) from "
            f"{result['code']}",
            flush=True,
        )
        address = instance.start()
        staff = Staff(address)
        staff.login(COORDINATOR, PASSWORD)
        staff.timed("/review/", 1, instance.server.pid)  # first: templates, forms, caches
        result["export"] = export(staff, instance.server.pid)
        pages = {
            f"search '{COMMON_WORD}'": f"/review/?q={COMMON_WORD}",
            f"search '{RARE_WORD}'": f"/review/?q={RARE_WORD}",
            "inbox, first page": "/review/",  # "Zu tun" since issue 16
            "inbox, Alle": "/review/?ansicht=alle",
            "inbox, filtered (intake, Arabisch, Neu)": "/review/?form=intake&lang=ar&status=new",
            "inbox, need 'Wohnung'": "/review/?need=housing",
            "follow-up page": "/review/followup" if result["cases"] is None else "/review/anliegen",
        }
        result["pages"] = {}
        for name, path in pages.items():
            seconds, cpu, shown = staff.timed(path, repeat, instance.server.pid)
            result["pages"][name] = {"seconds": seconds, "cpu": cpu, "shown": shown}
        staff.connection.close()
        instance.stop()
        result["cli"] = {}
        for name, args in (
            ("kiosk user list (CLI start-up floor)", ["user", "list"]),
            ("kiosk purge --dry-run", ["purge", "--dry-run"]),
            ("kiosk purge", ["purge"]),
        ):
            cpu = children_cpu_seconds()
            seconds, output = instance.run(args)
            cpu = children_cpu_seconds() - cpu
            result["cli"][name] = {"seconds": seconds, "cpu": cpu, "output": output.strip()}
        return result
    finally:
        instance.stop()
        shutil.rmtree(folder, ignore_errors=True)


def figures(result: dict) -> dict[str, tuple[float, float | None]]:
    """{figure: (value, CPU time of the server or CLI process in the same unit, or None)}."""
    export_run = result["export"]
    values = {
        "export: time to last byte": (export_run["seconds"], export_run["cpu"]),
        "export: server peak RSS": (export_run["peak_rss_mb"], None),
        "export: size": (export_run["bytes"] / 2**20, None),
    }
    for name, page in result["pages"].items():
        values[name] = (page["seconds"] * 1000, page["cpu"] * 1000)
    for name, run in result["cli"].items():
        values[name] = (run["seconds"], run["cpu"])
    return values


def print_table(results: list[dict]) -> None:
    sizes = [r["size"] for r in results]
    all_figures = [figures(r) for r in results]
    width = max(len(name) for name, _, _ in FIGURES) + 2
    growth = len(results) > 1
    print("wall time (in brackets: CPU time of the server, or of the CLI process)")
    head = f"{'':<{width}}{'goal':>10}" + "".join(f"{size:>20,}" for size in sizes)
    print(head + (f"{'growth':>9}" if growth else ""))
    for name, goal, unit in FIGURES:
        digits = 1 if unit == "ms" else 2
        cells = []
        for value, cpu in (f[name] for f in all_figures):
            cell = f"{value:.{digits}f} {unit}"
            cells.append(cell + (f" ({cpu:.{digits}f})" if cpu is not None else ""))
        goal_text = f"≤ {goal:g} {unit}" if goal is not None else ""
        line = f"{name:<{width}}{goal_text:>10}" + "".join(f"{cell:>20}" for cell in cells)
        first, last = all_figures[0][name][0], all_figures[-1][name][0]
        if growth and first:
            line += f"{last / first:>8.1f}x"
        print(line)
    print()
    for r in results:
        shown = ", ".join(f"{name}: {page['shown']}" for name, page in r["pages"].items())
        print(
            f"{r['size']:,}: export {r['export']['rows']:,} rows ({r['export']['peak_from']}, "
            f"RSS before {r['export']['rss_before_mb']:.0f} MB); listed: {shown}; "
            f"expired, not yet purged: {r['expired_unpurged']}; "
            f"'{COMMON_WORD}' put in {r['common_word_rows']}; "
            f"filled in {r['fill_wall_seconds']:.1f} s"
        )
        purge = r["cli"]["kiosk purge"]["output"].replace("\n", " | ")
        print(f"   purge said: {' '.join(purge.split())}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout to measure")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)  # the child process's job
    args = parser.parse_args()
    if args.fill:
        print(json.dumps(fill(args.fill)))
        return 0
    sizes = [int(size) for size in args.sizes.split(",")]
    if not all(0 < size <= 1_000_000 for size in sizes) or not 1 <= args.repeat <= 100:
        parser.error("--sizes between 1 and 1,000,000, --repeat between 1 and 100")
    code = args.code.resolve()
    if not (code / "kiosk" / "__init__.py").exists():
        parser.error(f"{code} holds no kiosk package")
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    print(
        f"review bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, load average {os.getloadavg()[0]:.2f}, code {code}",
        flush=True,
    )
    results = []
    try:
        for size in sizes:
            results.append(measure(size, code, args.repeat))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        print(f"failed: {error}", file=sys.stderr)
        return 1
    print()
    print_table(results)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as output:
            json.dump({"date": date.today().isoformat(), "results": results}, output, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Bytes on the wire and requests per kiosk page, first and repeat visit, in a real chromium.

`kiosk serve` runs on a fresh instance in a temporary folder; chromium (Playwright, Debian's
/usr/bin/chromium, headless) talks to it through a small counting proxy on 127.0.0.1 that
forwards every byte unchanged and notes each request: method, path, status, bytes sent to the
browser (status line, headers and body as they went over the socket, so compressed where the
server compressed) and a few request headers that say who asked (page, htmx or service worker).

Per language (default de, ar, ti), in a new browser context each:

- first page: the form chooser of that language (the start screen for de) in a browser with an
  empty cache and service workers blocked: what a first visitor's page costs by itself.
- first visit, service worker allowed: start screen, tap the language (form chooser), start the
  feedback form (first step), every step swap (htmx) up to the summary, send (thank-you). The
  worker's install (its script and everything it precaches) is counted apart.
- repeat visit: the same again in the same context (HTTP cache and service worker warm).

Figures are printed against the goals of issue "Fast on a Raspberry Pi"; nothing fails on a
figure. It exits 1 only if a page did not arrive as expected; 130 when interrupted.

    .venv/bin/python bench/page_bench.py [--code DIR] [--langs de,ar,ti]
        [--kiosk-languages de,ar] [--json FILE]

`--code DIR` runs the server from another checkout (DIR first on PYTHONPATH, DIR as working
directory), e.g. the previous commit, to compare before and after.
"""

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (the tests' launch settings)

FORM = "feedback"
KIB = 1024
GOAL_FIRST_PAGE_KIB = 60
GOAL_STEP_KIB = 5
SCRIPT_FONTS = ("arabic", "ethiopic", "cyrillic")  # in the font file names
QUIET_SECONDS = 0.5  # no traffic for this long: the page is done
QUIET_LIMIT = 20.0  # seconds at most to wait for quiet
ACTION_TIMEOUT_MS = 20_000
MAX_STEPS = 20  # a bound on the walk through the form
COUNT_SWAPS = """
window.__swaps = 0;
document.addEventListener("htmx:afterSettle", () => { window.__swaps += 1; });
"""


# --- The counting proxy ---------------------------------------------------------------------


@dataclass
class Exchange:
    """One request and its response as they passed the proxy."""

    method: str
    path: str
    dest: str  # Sec-Fetch-Dest
    mode: str  # Sec-Fetch-Mode
    htmx: bool
    worker_script: bool  # the service worker's own script (Service-Worker: script)
    up: int  # bytes from the browser
    status: int = 0
    down: int = 0  # bytes to the browser: status line, headers, body
    head: int = 0  # of which status line and headers
    encoding: str = ""
    content_type: str = ""


class CountingProxy:
    """Forwards 127.0.0.1:port to the server and notes every exchange (HTTP/1.1, no pipelining)."""

    def __init__(self, upstream_port: int, accept_encoding: str | None = None):
        self.upstream_port = upstream_port
        # Chromium offers Brotli on localhost and HTTPS only; a tablet in the LAN over plain
        # HTTP offers "gzip, deflate": the proxy can make the request say so.
        self.accept_encoding = accept_encoding
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.log: list[Exchange] = []
        self.in_flight = 0
        self.last_activity = time.monotonic()
        self.closed = False

    def start(self) -> "CountingProxy":
        threading.Thread(target=self.accept, daemon=True).start()
        return self

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(OSError):
            self.listener.close()

    def accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            pending: deque[Exchange] = deque()
            ready = threading.Semaphore(0)
            for target in (self.requests, self.responses):
                threading.Thread(
                    target=target, args=(client, upstream, pending, ready), daemon=True
                ).start()

    def touch(self, change: int = 0) -> None:
        with self.lock:
            self.in_flight += change
            self.last_activity = time.monotonic()

    @staticmethod
    def read_head(stream) -> tuple[bytes, list[bytes]]:
        lines = []
        first = stream.readline(65536)
        if not first:
            return b"", []
        while True:
            line = stream.readline(65536)
            lines.append(line)
            if line in (b"\r\n", b"\n", b""):
                return first, lines

    @staticmethod
    def headers_of(lines: list[bytes]) -> dict[str, str]:
        headers = {}
        for line in lines:
            name, _, value = line.decode("latin-1").partition(":")
            if value:
                headers[name.strip().lower()] = value.strip()
        return headers

    def requests(self, client, upstream, pending, ready) -> None:
        stream = client.makefile("rb")
        try:
            while True:
                first, lines = self.read_head(stream)
                if not first:
                    break
                headers = self.headers_of(lines)
                if self.accept_encoding is not None:
                    lines = [
                        f"Accept-Encoding: {self.accept_encoding}\r\n".encode("latin-1")
                        if line.lower().startswith(b"accept-encoding:")
                        else line
                        for line in lines
                    ]
                body = stream.read(int(headers.get("content-length") or 0))
                method, path = first.decode("latin-1").split(" ")[:2]
                exchange = Exchange(
                    method=method,
                    path=path,
                    dest=headers.get("sec-fetch-dest", ""),
                    mode=headers.get("sec-fetch-mode", ""),
                    htmx=headers.get("hx-request") == "true",
                    worker_script=headers.get("service-worker") == "script",
                    up=len(first) + sum(map(len, lines)) + len(body),
                )
                pending.append(exchange)
                ready.release()
                self.touch(+1)
                upstream.sendall(first + b"".join(lines) + body)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                upstream.shutdown(socket.SHUT_WR)

    def responses(self, client, upstream, pending, ready) -> None:
        stream = upstream.makefile("rb")
        try:
            while True:
                first, lines = self.read_head(stream)
                if not first:
                    break
                client.sendall(first + b"".join(lines))
                headers = self.headers_of(lines)
                status = int(first.split()[1])
                if status < 200:  # 100 Continue: the real answer follows
                    continue
                ready.acquire()
                exchange = pending.popleft()
                head = len(first) + sum(map(len, lines))
                size = head + self.forward_body(stream, client, exchange.method, status, headers)
                exchange.status, exchange.down, exchange.head = status, size, head
                exchange.encoding = headers.get("content-encoding", "")
                exchange.content_type = headers.get("content-type", "").split(";")[0]
                with self.lock:
                    self.log.append(exchange)
                self.touch(-1)
                if headers.get("connection", "").lower() == "close":
                    break
        except (OSError, ValueError, IndexError):
            pass
        finally:
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.close()

    @staticmethod
    def forward_body(stream, client, method, status, headers) -> int:
        if method == "HEAD" or status in (204, 304):
            return 0
        if "chunked" in headers.get("transfer-encoding", "").lower():
            size = 0
            while True:
                line = stream.readline(65536)
                client.sendall(line)
                size += len(line)
                length = int(line.split(b";")[0].strip() or b"0", 16)
                if length == 0:
                    while True:  # trailers up to the empty line
                        trailer = stream.readline(65536)
                        client.sendall(trailer)
                        size += len(trailer)
                        if trailer in (b"\r\n", b"\n", b""):
                            return size
                data = stream.read(length + 2)
                client.sendall(data)
                size += len(data)
        if "content-length" in headers:
            data = stream.read(int(headers["content-length"]))
            client.sendall(data)
            return len(data)
        size = 0
        while chunk := stream.read1(65536):
            client.sendall(chunk)
            size += len(chunk)
        return size

    def mark(self) -> int:
        with self.lock:
            return len(self.log)

    def since(self, mark: int) -> list[Exchange]:
        with self.lock:
            return list(self.log[mark:])

    def wait_quiet(self) -> None:
        deadline = time.monotonic() + QUIET_LIMIT
        while time.monotonic() < deadline:
            with self.lock:
                idle = self.in_flight == 0 and (
                    time.monotonic() - self.last_activity >= QUIET_SECONDS
                )
            if idle:
                return
            time.sleep(0.05)


# --- The server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`kiosk init` + `kiosk serve` from the code in `code`, on a fresh instance."""

    def __init__(self, code: Path, instance: Path, extra_config: str):
        self.code = code
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instance = instance
        path = os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")]))
        self.env = {**os.environ, "KIOSK_INSTANCE_PATH": str(instance), "PYTHONPATH": path}
        self.process = None
        self.kiosk(["init"])
        with open(instance / "config.py", "a", encoding="utf-8") as config:
            config.write(extra_config)

    def kiosk(self, args: list[str], **kwargs):
        # The code folder as working directory: `python -m` puts the working directory first.
        command = [sys.executable, "-m", "kiosk.cli", *args]
        return subprocess.run(
            command, env=self.env, cwd=self.code, check=True, capture_output=True, timeout=120
        )

    def start(self) -> "Server":
        command = [sys.executable, "-m", "kiosk.cli", "serve", "--port", str(self.port)]
        self.log = open(self.instance / "serve.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            command, env=self.env, cwd=self.code, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.instance / "serve.log").read_text(errors="replace"))
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return self
            time.sleep(0.05)
        raise RuntimeError("kiosk serve did not start within 30 s")

    def which_code(self) -> str:
        """Where the server's `kiosk` package comes from."""
        where = subprocess.run(
            [sys.executable, "-c", "import kiosk; print(kiosk.__file__)"],
            env=self.env,
            cwd=self.code,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return where.stdout.strip()

    def worker_lists(self) -> set[str]:
        """The URLs the service worker precaches (its static files and pages)."""
        with urllib.request.urlopen(self.url + "/sw.js", timeout=30) as answer:
            first = answer.read().decode("utf-8").split("\n", 1)[0]
        config = json.loads(first.removeprefix("const CONFIG = ").removesuffix(";"))
        return set(config["static"]) | set(config["pages"])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if getattr(self, "log", None):
            self.log.close()


# --- Figures --------------------------------------------------------------------------------


@dataclass
class Figure:
    what: str
    requests: int = 0
    down: int = 0  # bytes to the browser
    head: int = 0  # of which status lines and headers
    up: int = 0
    revalidated: int = 0  # 304 answers
    fonts: int = 0  # woff2 bytes
    script_fonts: int = 0  # Arabic, Ethiopic and Cyrillic woff2 bytes
    script_font_heads: int = 0  # of which headers
    compressed: int = 0  # answers with a Content-Encoding
    paths: list[str] = field(default_factory=list)

    def add(self, exchange: Exchange) -> None:
        self.requests += 1
        self.down += exchange.down
        self.head += exchange.head
        self.up += exchange.up
        self.revalidated += exchange.status == 304
        self.compressed += bool(exchange.encoding)
        if exchange.path.split("?")[0].endswith(".woff2"):
            self.fonts += exchange.down
            if any(script in exchange.path for script in SCRIPT_FONTS):
                self.script_fonts += exchange.down
                self.script_font_heads += exchange.head
        self.paths.append(
            f"{exchange.status} {exchange.method} {exchange.path} {exchange.down}"
            f" {exchange.encoding or '-'} {exchange.dest}/{exchange.mode}"
        )

    @property
    def without_script_fonts(self) -> int:
        return self.down - self.script_fonts


class Run:
    """Attributes the proxy's exchanges to what the browser did."""

    def __init__(self, proxy: CountingProxy, worker_urls: set[str]):
        self.proxy = proxy
        self.worker_urls = worker_urls
        self.figures: list[Figure] = []
        self.worker = Figure("service worker install")

    def is_worker_install(self, exchange: Exchange) -> bool:
        if exchange.worker_script:
            return True
        # cache.addAll and the worker's fetch(url) of pages: no destination, mode cors (its
        # network-first fetch of a page the visitor opened is mode same-origin instead).
        return (
            exchange.dest == "empty"
            and exchange.mode == "cors"
            and not exchange.htmx
            and exchange.path.split("?")[0] in self.worker_urls
        )

    def measure(self, what: str, action) -> Figure:
        mark = self.proxy.mark()
        action()
        self.proxy.wait_quiet()
        figure = Figure(what)
        for exchange in self.proxy.since(mark):
            (self.worker if self.is_worker_install(exchange) else figure).add(exchange)
        self.figures.append(figure)
        return figure


# --- The browser ----------------------------------------------------------------------------


def wait_swap(page, action) -> None:
    before = page.evaluate("window.__swaps")
    action()
    page.wait_for_function("before => window.__swaps > before", arg=before)


def answer_step(page) -> None:
    """Answer the step on screen as a visitor would and go on: one tap on the first option of
    a one-tap question or on the consent's "Ja", else the first option or a typed value and
    "Weiter"."""
    main = page.locator("main")
    one_tap = main.locator("form.one-tap button.choice, .consent-yes")
    if one_tap.count():
        wait_swap(page, one_tap.first.click)
        return
    options = main.locator("label.choice")
    if options.count():
        options.first.click()
    box = main.locator("#answer")
    if box.count():
        numeric = box.get_attribute("inputmode") == "numeric"
        box.fill("2016" if numeric else "Danke")
    wait_swap(page, main.locator(".actions .next").click)


def step_or_summary(page) -> str:
    return page.evaluate("document.getElementById('main').className")


def visit(run: Run, page, base: str, lang: str, label: str) -> None:
    """Start screen → language → feedback form → every step → summary → thank-you."""

    def start():
        page.goto(base + "/")
        if label == "first visit":  # the worker installs now: wait until it controls the page
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    run.measure(f"{label}: start screen", start)

    def choose():
        page.locator(f'a.language[lang="{lang}"]').click()
        page.locator("main.choose").wait_for()

    run.measure(f"{label}: form chooser", choose)

    def start_form():
        wait_swap(page, page.locator(f'form[action$="/{FORM}/"] button').click)

    run.measure(f"{label}: first step", start_form)
    steps = []
    for _ in range(MAX_STEPS):
        if "summary" in step_or_summary(page):
            break
        steps.append(run.measure(f"{label}: step swap", lambda: answer_step(page)))
    else:
        raise RuntimeError(f"{lang}: no summary after {MAX_STEPS} steps")
    # The last swap brought the summary: list it as such.
    steps[-1].what = f"{label}: summary"

    def send():
        wait_swap(page, page.locator("main.summary .actions .send").click)
        page.locator("main.thanks").wait_for()

    run.measure(f"{label}: thank-you", send)


def new_context(browser, *, workers: bool):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        service_workers="allow" if workers else "block",
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.add_init_script(COUNT_SWAPS)
    return context


def measure_language(browser, run: Run, base: str, lang: str) -> dict:
    # The first page alone: empty cache, no service worker.
    context = new_context(browser, workers=False)
    try:
        page = context.new_page()
        target = "/" if lang == "de" else f"/{lang}/"
        first = run.measure(
            f"first page {target}", lambda: page.goto(base + target, wait_until="load")
        )
        # The same page opened again (no worker): what the HTTP cache saves.
        again = run.measure(
            f"first page {target} again", lambda: page.goto(base + target, wait_until="load")
        )
    finally:
        context.close()
    run.worker = Figure("service worker install")
    context = new_context(browser, workers=True)
    try:
        page = context.new_page()
        visit(run, page, base, lang, "first visit")
        visit(run, page, base, lang, "repeat visit")
    finally:
        context.close()
    return {"first_page": first, "again": again, "worker": run.worker}


def kib(size: int) -> str:
    return f"{size / KIB:.1f}"


def print_language(lang: str, figures: list[Figure], first: Figure, worker: Figure) -> None:
    print(f"\n== {lang} ==")
    print(f"{'':34} {'requests':>8} {'KiB':>7} {'304':>4} {'gzip':>4} {'fonts KiB':>9}")
    for figure in [first, *figures, worker]:
        print(
            f"{figure.what:34} {figure.requests:>8} {kib(figure.down):>7}"
            f" {figure.revalidated:>4} {figure.compressed:>4} {kib(figure.fonts):>9}"
        )


def goals(
    lang: str, first: Figure, again: Figure, figures: list[Figure], worker: Figure
) -> list[str]:
    steps = [f for f in figures if f.what.endswith(("step swap", "summary", "first step"))]
    first_steps = [f for f in steps if f.what.startswith("first visit")]
    largest = max(first_steps, key=lambda f: f.down)
    repeat = [f for f in figures if f.what.startswith("repeat visit")]
    lines = [
        f"first page {lang}: {kib(first.without_script_fonts)} KiB transferred without script"
        f" fonts (goal ≤ {GOAL_FIRST_PAGE_KIB} KiB;"
        f" {kib(first.head - first.script_font_heads)} KiB of it headers);"
        f" {kib(first.down)} KiB with them, {first.requests} requests",
        f"same page again {lang} (no worker): {again.requests} requests, {again.revalidated}"
        f" of them 304 revalidations, {kib(again.down)} KiB",
        f"step swap {lang}: largest {kib(largest.down)} KiB ({largest.what.split(': ')[1]},"
        f" goal ≤ {GOAL_STEP_KIB} KiB), mean"
        f" {kib(sum(f.down for f in first_steps) // len(first_steps))} KiB over"
        f" {len(first_steps)} swaps",
        f"repeat visit {lang}: {sum(f.requests for f in repeat)} requests,"
        f" {sum(f.revalidated for f in repeat)} of them 304 revalidations,"
        f" {kib(sum(f.down for f in repeat))} KiB for the whole visit",
        f"service worker install {lang}: {worker.requests} requests, {kib(worker.down)} KiB"
        f" ({kib(worker.fonts)} KiB fonts)",
    ]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout to run the server from")
    parser.add_argument("--langs", default="de,ar,ti", help="visitor languages to measure")
    parser.add_argument(
        "--kiosk-languages", default="", help="KIOSK_LANGUAGES for the server (default: all)"
    )
    parser.add_argument(
        "--accept-encoding",
        help='make every request offer this instead, e.g. "gzip, deflate" (a LAN tablet)',
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--verbose", action="store_true", help="list every request")
    args = parser.parse_args()
    code = args.code.resolve()
    if not (code / "kiosk" / "__init__.py").is_file():
        parser.error(f"--code {code}: no kiosk package there")
    langs = [lang.strip() for lang in args.langs.split(",") if lang.strip()]
    offered = [lang.strip() for lang in args.kiosk_languages.split(",") if lang.strip()]
    extra = "KIOSK_THANKS_SECONDS = 600\n"  # the thank-you stays until the bench goes on
    extra += "KIOSK_TAP_GUARD_MS = 0\n"  # it taps as soon as a screen has settled
    if offered:
        extra += f"KIOSK_LANGUAGES = {offered!r}\n"

    from playwright.sync_api import sync_playwright

    signal.signal(signal.SIGTERM, signal.default_int_handler)
    server = proxy = None
    results = {}
    with tempfile.TemporaryDirectory(prefix="kiosk-page-bench-") as folder:
        try:
            server = Server(code, Path(folder) / "instance", extra).start()
            print(f"code: {server.which_code()}")
            print(f"KIOSK_LANGUAGES: {offered or 'all'}; measured: {', '.join(langs)}")
            if args.accept_encoding is not None:
                print(f"Accept-Encoding of every request: {args.accept_encoding!r}")
            proxy = CountingProxy(server.port, args.accept_encoding).start()
            base = f"http://127.0.0.1:{proxy.port}"
            run = Run(proxy, server.worker_lists())
            summary = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    for lang in langs:
                        run.figures = []
                        measured = measure_language(browser, run, base, lang)
                        first, worker = measured["first_page"], measured["worker"]
                        figures = run.figures[2:]
                        again = measured["again"]
                        print_language(lang, [again, *figures], first, worker)
                        if args.verbose:
                            for figure in [first, again, *figures, worker]:
                                print(f"  {figure.what}:", *figure.paths, sep="\n    ")
                        summary += goals(lang, first, again, figures, worker)
                        results[lang] = [asdict(f) for f in [first, again, *figures, worker]]
                finally:
                    browser.close()
            print("\n== against the goals ==")
            print("\n".join(summary))
        except KeyboardInterrupt:
            print("\ninterrupted: server stopped, no figures", file=sys.stderr)
            return 130
        except Exception as error:  # a page that did not come: say which
            print(f"failed: {error}", file=sys.stderr)
            traceback.print_exc()
            return 1
        finally:
            if proxy:
                proxy.close()
            if server:
                server.stop()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"code": str(code), "languages": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A real `kiosk serve` in a child process on a loopback port, for durability and browser tests.

Also the one place for how staff get in, whichever way a test talks to the kiosk: the test
password, the pages' CSRF tokens and `AuthActions` (login, logout) on a Flask test client.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

PASSWORD = "correct horse battery"  # every test's staff password, long enough for `kiosk user add`
LOGIN_PATH = "/review/login"
TEST_CONFIG = "KIOSK_TAP_GUARD_MS = 0\n"
# The CSRF token of a page: its <meta> (kiosk pages, htmx) and the hidden field of its form
# (the WTForms login form writes type="hidden" first, the review pages' forms name and value).
TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
FORM_TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class KioskServer:
    """Starts `kiosk init` + `kiosk serve` on an instance folder; can be killed and restarted."""

    def __init__(self, instance_path, extra_config: str = ""):
        self.instance_path = str(instance_path)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "KIOSK_INSTANCE_PATH": self.instance_path}
        self.process = None
        self.kiosk(["init"])
        # Tests tap as soon as a screen has settled; the guard against a double tap's second
        # tap is proven by its own test, which sets it again (a later line wins).
        with open(os.path.join(self.instance_path, "config.py"), "a", encoding="utf-8") as f:
            f.write(TEST_CONFIG + extra_config)

    def kiosk(self, args):
        command = [sys.executable, "-m", "kiosk.cli", *args]
        subprocess.run(command, env=self.env, check=True, capture_output=True)

    def add_user(self, name: str, role: str, password: str = PASSWORD) -> None:
        """`kiosk user add` with the password typed at the prompt."""
        command = [sys.executable, "-m", "kiosk.cli", "user", "add", name, "--role", role]
        subprocess.run(
            command, input=password + "\n", env=self.env, text=True, check=True, capture_output=True
        )

    def start(self):
        command = [sys.executable, "-m", "kiosk.cli", "serve", "--port", str(self.port)]
        self.log = open(os.path.join(self.instance_path, "serve.log"), "ab")  # noqa: SIM115
        # A session of its own: the server and its worker processes (SERVER_PROCESSES) are
        # one process group, killed and waited for together, as systemd does with its unit.
        self.process = subprocess.Popen(
            command,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.close_pipes()
                with open(self.log.name, encoding="utf-8", errors="replace") as log:
                    raise RuntimeError(log.read())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("kiosk serve did not start within 30 s")

    def kill(self):
        """SIGKILL: no clean shutdown, as in a power cut of the process."""
        if self.process and self.process.poll() is None:
            self.signal_group(signal.SIGKILL)
            self.process.wait()
        self.wait_for_group()
        self.close_pipes()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()  # the server stops its workers itself
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()  # leave nothing running, then say so
                raise AssertionError("kiosk serve did not stop within 10 s of SIGTERM") from None
        self.wait_for_group()
        self.close_pipes()

    def signal_group(self, sig) -> None:
        """Send `sig` to the server and its workers."""
        with contextlib.suppress(ProcessLookupError, PermissionError):  # none left
            os.killpg(self.process.pid, sig)

    def group_alive(self) -> bool:
        """Whether a process of the server's group still runs (one that has ended but is not
        yet reaped by init does not count)."""
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.process.pid and fields[0] not in ("Z", "X"):
                return True
        return self.port_listening()

    def port_listening(self) -> bool:
        """Whether a socket still listens on the port: a killed worker's threads may still be
        ending (its main thread already a zombie) and its socket with them."""
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(table, encoding="ascii") as lines:
                    rows = [line.split() for line in lines.readlines()[1:]]
            except OSError:
                continue
            for row in rows:
                if int(row[1].rsplit(":", 1)[1], 16) == self.port and row[3] == "0A":  # LISTEN
                    return True
        return False

    def wait_for_group(self, seconds: float = 10.0) -> None:
        """Until no worker of the server is left (they end with it), killing them after
        `seconds`: a new server on the same port must not meet one of them."""
        if not self.process or not os.path.isdir("/proc"):
            return
        deadline = time.monotonic() + seconds
        while self.group_alive():
            if time.monotonic() > deadline:
                self.signal_group(signal.SIGKILL)
                deadline += seconds
            time.sleep(0.02)

    def close_pipes(self):
        if getattr(self, "log", None) and not self.log.closed:
            self.log.close()


class HttpVisitor:
    """A visitor over real HTTP (urllib with cookies), for tests and benchmarks."""

    def __init__(self, base_url: str, lang: str = "de"):
        self.base = base_url
        self.lang = lang
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.token = ""
        self.url = ""

    def request(self, path, data=None):
        body = None if data is None else urlencode({"csrf_token": self.token, **data}, doseq=True)
        request = urllib.request.Request(self.base + path, data=body and body.encode())
        with self.opener.open(request, timeout=30) as response:
            html = response.read().decode()
            self.url = response.url.removeprefix(self.base)
            match = TOKEN.search(html)
            if match:
                self.token = match.group(1)
            return response.status, html

    def start(self, form):
        self.request(f"/{self.lang}/")
        return self.request(f"/{self.lang}/{form}/", {})

    def answer(self, value=None, **extra):
        data = dict(extra)
        if value is not None:
            data["answer"] = value
        return self.request(self.url, data)

    def submit(self):
        draft = self.url.removesuffix("/summary")
        return self.request(f"{draft}/submit", {})


class AuthActions:
    """Staff login on a Flask test client, as flaskr's tests have it: `login`, `logout`."""

    def __init__(self, client):
        self.client = client

    def token(self, path: str = LOGIN_PATH) -> str:
        """The CSRF token in the form of the page at `path`."""
        return FORM_TOKEN.search(self.client.get(path).get_data(as_text=True)).group(1)

    def login(self, name: str, password: str = PASSWORD, path: str = LOGIN_PATH):
        """Fill in and send the login form at `path` (it may carry ?next=); the response as is."""
        data = {"csrf_token": self.token(path), "name": name, "password": password}
        return self.client.post(path, data=data)

    def logout(self):
        return self.client.post("/review/logout", data={"csrf_token": self.token("/review/")})


def log_in(client, name: str, password: str = PASSWORD) -> AuthActions:
    """Log `name` in on `client`, or fail the test: for fixtures that need staff logged in."""
    auth = AuthActions(client)
    response = auth.login(name, password)
    assert response.status_code == 303, response.get_data(as_text=True)
    return auth

"""Real counterparts for the delivery tests: an SMTP server, a hub process, a lossy proxy.

- `SmtpServer`: aiosmtpd on loopback, with STARTTLS (a self-signed certificate made by openssl)
  and AUTH LOGIN/PLAIN, keeping every message it accepted.
- `HubServer`: `kiosk serve` with ROLE = "hub" in a child process; `add_site` returns a token,
  `stored_reports` reads what the hub holds straight from its database file.
- `AnswerDroppingProxy`: forwards each request to the hub, and for the first connections drops
  the hub's answer after the hub has handled the request (as a mobile link that dies).
"""

import asyncio
import contextlib
import email
import email.policy
import os
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from kiosk import create_app
from kiosk.db import DATABASE_KEY, prepare_database, use_database
from kiosk.extensions import db
from kiosk.models import Site
from kiosk.reports.periods import parse_period
from kiosk.reports.store import build_report

from factories import add_submission
from server import KioskServer, free_port

SMTP_USER, SMTP_PASSWORD = "kiosk", "geheim-und-lang"


def make_certificate(folder) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 and localhost: (certificate, key) paths."""
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", key, "-out", cert,
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class SmtpHandler:
    def __init__(self, delay: float = 0):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.delay = delay
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on a loopback port; STARTTLS and login required when `tls_folder` is given."""

    def __init__(self, tls_folder=None, port=None, delay=0, exclude_auth=()):
        self.port = port or free_port()
        self.handler = SmtpHandler(delay)
        self.mechanisms: list[str] = []
        self.cert = None
        options = {}
        if tls_folder is not None:
            self.cert, key = make_certificate(tls_folder)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.cert, key)
            options = {
                "tls_context": context,
                "require_starttls": True,
                "auth_required": True,
                "authenticator": self.authenticate,
                "auth_exclude_mechanism": list(exclude_auth),
            }
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **options)

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.mechanisms.append(mechanism)
        ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
        return AuthResult(success=ok, handled=False)  # on failure, aiosmtpd answers 535

    @property
    def messages(self):
        return self.handler.messages

    def target(self, **extra) -> dict:
        target = {
            "name": "integration",
            "type": "email",
            "host": "127.0.0.1",
            "port": self.port,
            "sender": "kiosk@mittendrin.example",
            "recipients": ["integration@wildeshausen.example"],
            "timeout": 5,
        }
        if self.cert:
            target |= {"username": SMTP_USER, "password": SMTP_PASSWORD, "ca_file": self.cert}
        else:
            target["starttls"] = False
        return target | extra

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


# --- The hub as a real process -----------------------------------------------------------------

HUB_CONFIG = """
ROLE = "hub"
SCHEDULER_INTERVAL_SECONDS = 0
"""


class HubServer(KioskServer):
    """`kiosk serve` with ROLE = "hub" on a loopback port (a chosen one, to come up later)."""

    def __init__(self, instance_path, port=None):
        super().__init__(instance_path, extra_config=HUB_CONFIG)
        if port:
            self.port = port
            self.url = f"http://127.0.0.1:{port}"

    def cli(self, *args) -> str:
        command = [sys.executable, "-m", "kiosk.cli", *args]
        done = subprocess.run(command, env=self.env, check=True, capture_output=True, text=True)
        return done.stdout

    def add_site(self, slug: str = "mittendrin") -> str:
        lines = self.cli("site", "add", slug).splitlines()
        marker = next(i for i, line in enumerate(lines) if "Schlüssel" in line)
        return lines[marker + 1].strip()

    def query(self, sql: str) -> list[tuple]:
        """Rows straight from the hub's database file."""
        path = os.path.join(self.instance_path, "kiosk.sqlite3")
        with contextlib.closing(sqlite3.connect(path)) as database:
            return database.execute(sql).fetchall()

    def stored_reports(self) -> list[tuple[str, str]]:
        """(uuid, sha256) of every report the hub holds."""
        rows = self.query("SELECT uuid, sha256 FROM received_report")
        return [(hex_uuid(str(uuid)), sha) for uuid, sha in rows]

    def target(self, token: str, url: str | None = None) -> dict:
        return {"name": "stadthaus", "type": "hub", "url": url or self.url, "token": token}


def hex_uuid(text: str) -> str:
    return text.replace("-", "")


# --- A proxy that loses the hub's answers ------------------------------------------------------


class AnswerDroppingProxy:
    """Forwards each connection to the hub; for the first `drop` POSTs it reads the hub's whole
    answer (so the hub has stored the report) and then closes without passing it on."""

    def __init__(self, upstream_port: int, drop: int):
        self.upstream = ("127.0.0.1", upstream_port)
        self.drop = drop
        self.posts = Counter()  # request line -> how many reached the hub
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.lock = threading.Lock()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.listener.close()

    def serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.relay, args=(client,), daemon=True).start()

    def relay(self, client: socket.socket):
        with client, socket.create_connection(self.upstream) as hub:
            request = read_http_message(client)
            line = request.split(b"\r\n", 1)[0].decode()
            hub.sendall(request)
            answer = read_http_message(hub)
            with self.lock:
                self.posts[line] += 1
                dropping = line.startswith("POST /api/v1/reports") and self.drop > 0
                if dropping:
                    self.drop -= 1
            if not dropping:
                client.sendall(answer)


def read_http_message(sock: socket.socket) -> bytes:
    """One HTTP request or response: headers, then Content-Length bytes of body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def utc(year, month, day, hour=12, minute=0) -> datetime:
    """A naive UTC moment, as the scheduler takes it."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC).replace(tzinfo=None)


def day_of(moment: datetime) -> date:
    return moment.date()


# --- A site with submissions and built reports ---------------------------------------------------


def seed_visits(app, days: list[date], per_day: int = 4) -> None:
    """Visits at 11:00 UTC on each day (needs an app context and an open connection)."""

    for day in days:
        for number in range(per_day):
            answers = {"reason": ("meet", "papers", "german")[number % 3]}
            add_submission(app, "visit", answers, datetime(day.year, day.month, day.day, 11))


REPORTS = ("2026-08", "2026-09", "2026-10")
_templates: dict = {}


def template_instance(tmp_path_factory):
    """An instance with visits from August to October 2026 and their three monthly reports,
    built once per test run (rendering PDFs is the slow part)."""
    if "path" not in _templates:
        path = tmp_path_factory.mktemp("sync-template") / "instance"
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("KIOSK_INSTANCE_PATH", str(path))
            app = create_app({"SECRET_KEY": "test-secret", "TESTING": True})
            prepare_database(app)
            with app.app_context(), db.connection_context():
                seed_visits(app, [date(2026, 8, 12), date(2026, 9, 9), date(2026, 10, 14)])
                for key in REPORTS:
                    build_report(Site.get(), parse_period(key))
        _templates["path"] = path
    return _templates["path"]


def site_maker(instance, template):
    """Copy the template into `instance`; returns a function making its app with targets."""
    shutil.copytree(template, instance)

    def make(targets=(), **config):
        app = create_app(
            {
                "SECRET_KEY": "test-secret",
                "TESTING": True,
                "SYNC_TARGETS": list(targets),
                "SCHEDULER_INTERVAL_SECONDS": 0,
                "REPORT_GRACE_DAYS": 0,  # built on the 1st: the grace days have their own tests
                **config,
            }
        )
        prepare_database(app)
        return app

    return make


class using:
    """App context plus an open database connection, as the scheduler has them."""

    def __init__(self, app):
        self.app_context = app.app_context()

    def __enter__(self):

        self.app_context.__enter__()
        db.connect(reuse_if_open=True)
        return self

    def __exit__(self, *exc):

        db.close()
        self.app_context.__exit__(*exc)


def app_at(path, **config):
    """An app on the instance folder `path` (its database made or migrated)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_INSTANCE_PATH", str(path))
        app = create_app(
            {"SECRET_KEY": "test-secret", "TESTING": True, "SCHEDULER_INTERVAL_SECONDS": 0} | config
        )
    prepare_database(app)
    return app


@contextlib.contextmanager
def within(app):
    """App context and an open connection to this app's own database (two apps in one test)."""
    with app.app_context():
        use_database(app.extensions[DATABASE_KEY])
        with db.connection_context():
            yield

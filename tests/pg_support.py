"""A real PostgreSQL server for the tests: Debian's binaries, a cluster in a temp dir, loopback.

Started once per test process (on first use) and stopped when the process ends; a watchdog
shell stops it even when the process is killed. PostgreSQL refuses to run as root, so as root
the cluster belongs to the `postgres` user (or `nobody`). Each test asks for a fresh database
with `new_database()`.
"""

import atexit
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid

import pytest

from server import free_port

USER = "kiosk"


class Unavailable(RuntimeError):
    """PostgreSQL cannot be started here; the message says why."""


def binaries() -> str:
    """The folder with initdb and pg_ctl: Debian keeps them per version, outside PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version_of)
    if found:
        return os.path.dirname(found[-1])
    on_path = shutil.which("initdb")
    if on_path:
        return os.path.dirname(on_path)
    raise Unavailable("initdb not found: install the Debian package postgresql")


def version_of(path: str) -> tuple[int, ...]:
    version = path.split("/")[4]
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def run_as() -> list[str]:
    """The command prefix that runs PostgreSQL's tools as a user it accepts."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"]
    raise Unavailable("running as root, and there is no postgres or nobody user to run as")


class PostgresServer:
    def __init__(self):
        self.bin = binaries()
        self.prefix = run_as()
        self.folder = tempfile.mkdtemp(prefix="kiosk-pg-")
        self.data = os.path.join(self.folder, "data")
        self.port = free_port()
        self.started = False

    def tool(self, name: str, *args: str) -> None:
        command = [*self.prefix, os.path.join(self.bin, name), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise Unavailable(f"{name} failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> "PostgresServer":
        if self.prefix:
            user = pwd.getpwnam(self.prefix[2])
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self.tool("initdb", "-D", self.data, "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync")
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"  # a test cluster; speed over durability
        )
        log = os.path.join(self.folder, "server.log")
        self.tool("pg_ctl", "start", "-w", "-t", "60", "-D", self.data, "-l", log, "-o", options)
        self.started = True
        self.watch_over()
        return self

    def watch_over(self) -> None:
        """Stop the server and remove its folder even if this test process is killed."""
        stop = [*self.prefix, os.path.join(self.bin, "pg_ctl"), "stop", "-m", "immediate"]
        script = (
            'while kill -0 "$1" 2>/dev/null; do sleep 1; done; folder="$2"; shift 2; '
            '"$@" >/dev/null 2>&1; rm -rf "$folder"'
        )
        self.watchdog = subprocess.Popen(  # kept: it outlives this process, by design
            [
                "sh",
                "-c",
                script,
                "pg-watchdog",
                str(os.getpid()),
                self.folder,
                *stop,
                "-D",
                self.data,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.started:
            self.tool("pg_ctl", "stop", "-m", "immediate", "-D", self.data)
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg2

        name = f"test_{uuid.uuid4().hex[:12]}"
        connection = psycopg2.connect(self.url("postgres"))
        try:
            connection.autocommit = True  # CREATE DATABASE refuses to run in a transaction
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {name}")
        finally:
            connection.close()
        return self.url(name)


_server: PostgresServer | Unavailable | None = None


def server() -> PostgresServer:
    """The process's PostgreSQL server, started on first use; skips (fails in CI) if it cannot."""
    global _server
    if _server is None:
        try:
            _server = PostgresServer()
            atexit.register(_server.stop)
            _server.start()
        except (Unavailable, OSError, subprocess.SubprocessError) as error:
            _server = error if isinstance(error, Unavailable) else Unavailable(str(error))
    if isinstance(_server, Unavailable):
        message = f"PostgreSQL is not available: {_server}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return _server


def hub_app(database: str):
    """A prepared hub app on SQLite (the test's instance folder) or on a new PostgreSQL database."""
    from kiosk import create_app
    from kiosk.db import prepare_database

    config = {"SECRET_KEY": "test-secret", "TESTING": True, "ROLE": "hub"}
    if database == "postgresql":
        config["DATABASE_URL"] = server().new_database()
    app = create_app(config)
    prepare_database(app)
    return app

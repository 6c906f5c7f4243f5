"""A real `kiosk serve` in a child process on a loopback port, for durability and browser tests."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


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
        if extra_config:
            with open(os.path.join(self.instance_path, "config.py"), "a", encoding="utf-8") as f:
                f.write(extra_config)

    def kiosk(self, args):
        command = [sys.executable, "-m", "kiosk.cli", *args]
        subprocess.run(command, env=self.env, check=True, capture_output=True)

    def add_user(self, name: str, role: str, password: str) -> None:
        """`kiosk user add` with the password typed at the prompt."""
        command = [sys.executable, "-m", "kiosk.cli", "user", "add", name, "--role", role]
        subprocess.run(
            command, input=password + "\n", env=self.env, text=True, check=True, capture_output=True
        )

    def start(self):
        command = [sys.executable, "-m", "kiosk.cli", "serve", "--port", str(self.port)]
        self.log = open(os.path.join(self.instance_path, "serve.log"), "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
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
            self.process.kill()
            self.process.wait()
        self.close_pipes()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.close_pipes()

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

"""Slow and greedy clients (Slowloris) cannot keep the server from answering anyone else.

kiosk/serving.py gives waitress deadlines for a request's headers and body and a limit of
connections per client address. First its parts on a server in this process, then a real
`kiosk serve` under 150 connections that trickle their headers. Every wait is a socket's
timeout; deadlines are set to under a second or two, so the whole file runs in seconds.
"""

import http.client
import select
import socket
import threading
import time

import pytest
from waitress import wasyncore

from kiosk.serving import Guard, create_server

from server import KioskServer

OTHER_CLIENT = "127.0.0.2"  # loopback too: a second address on the same machine
# Seconds a test waits at most for what the server should do within ~1 s: a ceiling for a
# loaded CI machine, never a timing.
WAIT = 30


class Hello:
    """A WSGI app that says hello; at /wait only once `go` is set (`waiting` counts who waits)."""

    def __init__(self):
        self.go = threading.Event()
        self.waiting = threading.Semaphore(0)

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] == "/wait":
            self.waiting.release()
            self.go.wait(WAIT)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
        return [b"hello"]


@pytest.fixture
def guarded():
    """`guarded(**guard)` serves `Hello` in a thread with that guard; returns the port and app."""
    running = []

    def start(**fields) -> tuple[int, Hello]:
        guard = Guard(**{"header_seconds": 0.5, "body_seconds": 0.5, "per_address": 2} | fields)
        app = Hello()
        server = create_server(app, guard, host="127.0.0.1", port=0, threads=3)
        stop = threading.Event()

        def loop():  # waitress's main loop, in turns short enough to stop quickly
            while not stop.is_set():
                wasyncore.loop(timeout=0.05, map=server._map, count=1)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        running.append((server, stop, thread, app))
        app.server = server
        return server.effective_port, app

    yield start
    for server, stop, thread, app in running:
        app.go.set()
        stop.set()
        thread.join(WAIT)
        wasyncore.close_all(server._map)
        server.task_dispatcher.shutdown()


def connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT, source_address=(source, 0))
    return sock


def get(sock: socket.socket) -> int:
    """A GET on an open connection, its answer read whole; the answer's status."""
    sock.sendall(b"GET / HTTP/1.1\r\nHost: kiosk\r\n\r\n")
    return read_status(sock)


def read_status(sock: socket.socket) -> int:
    response = http.client.HTTPResponse(sock)
    response.begin()
    response.read()
    return response.status


def answer_until_closed(sock: socket.socket, trickle: bool = False) -> bytes:
    """Everything the server sends until it closes; with `trickle`, a header line every 0.1 s
    meanwhile (which resets waitress's own inactivity timeout every time)."""
    answer, deadline = b"", time.monotonic() + WAIT
    while time.monotonic() < deadline:
        readable, _, _ = select.select([sock], [], [], 0.1)
        try:
            if readable:
                chunk = sock.recv(4096)
                if not chunk:
                    return answer
                answer += chunk
            elif trickle:
                sock.sendall(b"X-Trickle: one more line\r\n")
        except (ConnectionResetError, BrokenPipeError):
            return answer
    raise AssertionError(f"still open after {WAIT} s")


def status_of(answer: bytes) -> bytes | None:
    return answer.split(b" ")[1] if answer.startswith(b"HTTP/1.1 ") else None


# --- The guard on a server in this process ------------------------------------------------------


def test_headers_trickled_past_the_deadline_are_answered_408(guarded):
    port, _ = guarded()
    with connect(port) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n")
        assert status_of(answer_until_closed(sock, trickle=True)) == b"408"


def test_a_body_past_its_deadline_is_answered_408(guarded):
    port, _ = guarded()
    with connect(port) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: kiosk\r\nContent-Length: 100\r\n\r\nonly this")
        assert status_of(answer_until_closed(sock)) == b"408"


def test_a_connection_that_says_nothing_is_closed(guarded):
    port, _ = guarded()
    with connect(port) as sock:
        assert answer_until_closed(sock) == b""


def test_a_kept_alive_connection_is_not_held_to_the_deadline_between_requests(guarded):
    port, _ = guarded(header_seconds=0.2)
    with connect(port) as sock:
        assert get(sock) == 200
        assert select.select([sock], [], [], 0.6) == ([], [], [])  # three deadlines: still open
        assert get(sock) == 200


def test_one_address_holds_only_so_many_busy_connections(guarded):
    port, app = guarded(per_address=2)
    first, second = connect(port), connect(port)
    for sock in (first, second):
        sock.sendall(b"GET /wait HTTP/1.1\r\nHost: kiosk\r\n\r\n")
        assert app.waiting.acquire(timeout=WAIT)  # busy: the app is answering it
    with first, second, connect(port) as third, connect(port, OTHER_CLIENT) as other:
        assert status_of(answer_until_closed(third)) == b"503"
        assert get(other) == 200
        app.go.set()
        assert [read_status(first), read_status(second)] == [200, 200]


def until_idle(server, count: int) -> None:
    """Wait until `count` connections are idle as the server sees them: a worker thread clears a
    request only after its answer went out, so a client can be a step ahead of the server."""
    deadline = time.monotonic() + WAIT
    while sum(channel.idle for channel in list(server.active_channels.values())) < count:
        assert time.monotonic() < deadline, "the connections never became idle"
        time.sleep(0.01)


def test_an_idle_connection_makes_room_for_a_new_one_from_its_address(guarded):
    port, app = guarded(per_address=2, header_seconds=0)
    oldest, newer = connect(port), connect(port)
    with oldest, newer:
        assert [get(oldest), get(newer)] == [200, 200]  # both idle now, kept alive
        until_idle(app.server, 2)
        with connect(port) as third:
            assert answer_until_closed(oldest) == b""  # closed without a word
            assert [get(newer), get(third)] == [200, 200]


def test_the_trusted_proxy_is_not_limited_per_address(guarded):
    port, _ = guarded(per_address=2, trusted_proxy="127.0.0.1")
    connections = [connect(port) for _ in range(4)]
    try:
        assert [get(sock) for sock in connections] == [200] * 4
    finally:
        for sock in connections:
            sock.close()


def test_the_settings_are_checked_and_name_the_bad_one():
    config = {
        "SERVER_HEADER_SECONDS": 10,
        "SERVER_BODY_SECONDS": 60,
        "SERVER_CONNECTIONS_PER_ADDRESS": 20,
        "TRUSTED_PROXY": "10.0.0.1",
    }
    assert Guard.from_config(config) == Guard(10, 60, 20, "10.0.0.1")
    assert not Guard.from_config(config).limits("10.0.0.1")
    assert Guard.from_config(config).limits("10.0.0.2")
    for bad in (-1, "10", None, True):
        with pytest.raises(ValueError, match="SERVER_BODY_SECONDS"):
            Guard.from_config(config | {"SERVER_BODY_SECONDS": bad})


# --- A real `kiosk serve` under a Slowloris attack ---------------------------------------------


def test_kiosk_serve_answers_others_while_one_client_trickles_150_connections(tmp_path):
    """150 connections from one address, each trickling header lines: more than the address may
    hold and more than waitress's connection_limit (100), which used to shut everyone out."""
    settings = "SERVER_HEADER_SECONDS = 1\nSERVER_CONNECTIONS_PER_ADDRESS = 10\n"
    server = KioskServer(tmp_path / "instance", settings).start()
    attackers = []
    try:
        for _ in range(150):
            sock = connect(server.port)
            sock.sendall(b"GET /de/ HTTP/1.1\r\nHost: kiosk\r\n")
            attackers.append(sock)

        other = http.client.HTTPConnection(
            "127.0.0.1", server.port, timeout=WAIT, source_address=(OTHER_CLIENT, 0)
        )
        other.request("GET", "/de/")
        assert other.getresponse().status == 200
        other.close()

        statuses = {status_of(answer_until_closed(sock, trickle=True)) for sock in attackers}
        assert statuses <= {b"408", b"503", None}  # None: closed before its answer was read
        assert b"408" in statuses  # those it held were cut off at the deadline

        again = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
        again.request("GET", "/de/")
        assert again.getresponse().status == 200  # the address is welcome again
        again.close()
    finally:
        for sock in attackers:
            sock.close()
        server.stop()

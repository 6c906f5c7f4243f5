"""`kiosk serve`'s waitress, guarded against slow and greedy clients (Slowloris).

waitress closes a connection only after `channel_timeout` seconds without a byte, so a client
that sends one header line every few seconds keeps its connection for as long as it likes; and
once `connection_limit` connections are open, waitress accepts nobody else. waitress has no
option for a deadline per request or a limit per client address, so a small subclass of its
server and channel adds both, and answers and closes only by waitress's own means (an answer
queued in the channel's out-buffer, the channel closed once it is sent):

- A request's line and headers must arrive within `header_seconds` of its first byte, its body
  within `body_seconds` of the end of its headers: a late one is answered 408 and closed. A new
  connection that sends nothing for `header_seconds` is closed without an answer. Idle
  keep-alive connections between two requests are waitress's own `channel_timeout`.
- One client address holds at most `per_address` open connections. One more closes that
  address's oldest idle connection, or, if none is idle (all of them busy sending a request or
  getting an answer), is answered 503 and closed. Not the trusted proxy's address: behind a
  reverse proxy every connection comes from the proxy, which then limits per client
  (docs/reverse-proxy.md).

The deadlines are checked by the server's main loop, which wakes at least every second
(waitress's `asyncore_loop_timeout`); so a deadline is kept to about a second.
"""

import logging
import time
from dataclasses import dataclass
from numbers import Real

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from .serving_workers import Workers, can_fork, listening_socket

CHECK_SECONDS = 0.25  # at most this often the main loop looks for late requests
SETTINGS = {  # Guard field: its setting in kiosk/config.py
    "header_seconds": "SERVER_HEADER_SECONDS",
    "body_seconds": "SERVER_BODY_SECONDS",
    "per_address": "SERVER_CONNECTIONS_PER_ADDRESS",
}
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Guard:
    """The deadlines (seconds) and the per-address limit; 0 turns one off."""

    header_seconds: float
    body_seconds: float
    per_address: int
    trusted_proxy: str | None = None

    @classmethod
    def from_config(cls, config) -> "Guard":
        """From the settings; a value that is not a number ≥ 0 raises ValueError naming it."""
        for setting in SETTINGS.values():
            value = config[setting]
            if not isinstance(value, Real) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{setting} = {value!r}: a number ≥ 0 is needed (0: off).")
        values = {field: config[setting] for field, setting in SETTINGS.items()}
        return cls(**values, trusted_proxy=config.get("TRUSTED_PROXY"))

    def limits(self, host: str) -> bool:
        """Whether connections from `host` count against the per-address limit."""
        return bool(self.per_address) and self.trusted_proxy not in ("*", host)


def plain_answer(status: str) -> bytes:
    """A whole HTTP response whose body is its status, e.g. "408 Request Timeout"."""
    head = (
        f"HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(status)}\r\n\r\n"
    )
    return (head + status).encode()


class GuardedChannel(HTTPChannel):
    """waitress's connection, which knows when its current request began and its body began."""

    def __init__(self, server, sock, addr, adj, map=None):
        self.opened_at = time.monotonic()
        self.spoke = False  # any byte received yet
        self.timed_request = None  # the parser whose times are below
        self.request_started = self.headers_done_at = 0.0
        self.host = addr[0]
        super().__init__(server, sock, addr, adj, map=map)
        if server.guard.limits(self.host):
            self.keep_to_limit(server.guard.per_address)

    def keep_to_limit(self, limit: int) -> None:
        """One connection over the address's limit: its oldest idle one makes room (a browser
        keeps a few open for later, and closing one of them costs it nothing); if none is idle,
        this new one is answered 503 and closed."""
        others = [
            other
            for other in self._map.values()
            if isinstance(other, GuardedChannel)
            and other is not self
            and other.host == self.host
            and not other.about_to_close
        ]
        if len(others) < limit:
            return
        idle = [other for other in others if other.idle]
        if idle:
            min(idle, key=lambda other: other.last_activity).will_close = True
        else:
            logger.info("%s holds too many connections; one more refused", self.host)
            self.answer_and_close("503 Service Unavailable")

    @property
    def about_to_close(self) -> bool:
        return bool(self.will_close or self.close_when_flushed)

    @property
    def idle(self) -> bool:
        """Open between requests, or not yet used: nothing read, answered or sent half-way."""
        busy = self.requests or self.request is not None or self.total_outbufs_len
        return not busy and not self.about_to_close

    def received(self, data):
        now = time.monotonic()
        self.spoke = self.spoke or bool(data)
        result = super().received(data)
        request = self.request  # the request still incomplete, if any
        if request is not None and request is not self.timed_request:
            self.timed_request, self.request_started, self.headers_done_at = request, now, 0.0
        if request is not None and request.headers_finished and not self.headers_done_at:
            self.headers_done_at = now
        return result

    def lateness(self, now: float, guard: Guard) -> str | None:
        """Why this connection is to be closed now: "silent", "headers", "body", or None."""
        if self.requests or self.about_to_close:
            return None  # the app answers it, or it closes anyway
        request = self.request
        if request is None:
            silent = not self.spoke and now - self.opened_at > guard.header_seconds
            return "silent" if silent and guard.header_seconds else None
        if request is not self.timed_request:
            return None
        if not self.headers_done_at:
            late = guard.header_seconds and now - self.request_started > guard.header_seconds
            return "headers" if late else None
        late = guard.body_seconds and now - self.headers_done_at > guard.body_seconds
        return "body" if late else None

    def answer_and_close(self, status: str) -> None:
        """Queue a short answer; the main loop sends it and then closes (reads no more)."""
        answer = plain_answer(status)
        with self.outbuf_lock:
            self.outbufs[-1].append(answer)
            self.current_outbuf_count += len(answer)
            self.total_outbufs_len += len(answer)
        self.close_when_flushed = True


class GuardedServer(TcpWSGIServer):
    """waitress's TCP server with `GuardedChannel`s, which closes late requests."""

    channel_class = GuardedChannel
    next_deadline_check = 0.0

    def __init__(self, application, guard: Guard, **kw):
        self.guard = guard
        super().__init__(application, **kw)

    def readable(self):
        """Called by the main loop on every turn: the place to look at the clock."""
        now = time.monotonic()
        if now >= self.next_deadline_check:
            self.next_deadline_check = now + CHECK_SECONDS
            self.close_late_requests(now)
        return super().readable()

    def close_late_requests(self, now: float) -> None:
        for channel in list(self.active_channels.values()):
            reason = channel.lateness(now, self.guard)
            if reason == "silent":
                channel.will_close = True
            elif reason:
                logger.info("%s too slow with a request's %s; closed", channel.host, reason)
                channel.answer_and_close("408 Request Timeout")


def create_server(application, guard: Guard, **options):
    """What `waitress.create_server` makes for host and port (or for `sockets` already
    listening, as the workers share one), with guarded servers."""
    adj = Adjustments(**options)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    socket_map = {}
    common = {"map": socket_map, "dispatcher": dispatcher, "adj": adj}
    if adj.sockets:  # (waitress's default `listen` is set then too, and must not be bound)
        servers = [
            GuardedServer(
                application,
                guard,
                _sock=sock,
                bind_socket=False,
                sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
                **common,
            )
            for sock in adj.sockets
        ]
    else:
        servers = [
            GuardedServer(application, guard, sockinfo=info, **common) for info in adj.listen
        ]
    if len(servers) == 1:
        return servers[0]
    listening = [(server.effective_host, server.effective_port) for server in servers]
    return MultiSocketServer(socket_map, adj, listening, dispatcher, servers[0].log_info)


def serve(application, guard: Guard, processes: int = 1, started=None, **options) -> None:
    """`waitress.serve` with the guard: runs until the process is stopped. With `processes` > 1
    (where the system can fork), that many worker processes share one listening socket
    (serving_workers.py). `started(number)` runs in each worker before it serves."""
    logging.basicConfig()
    started = started or (lambda number: None)
    if processes <= 1 or not can_fork():
        server = create_server(application, guard, **options)
        server.print_listen("Serving on http://{}:{}")
        started(0)
        server.run()
        return
    host, port = options.pop("host"), options.pop("port")
    sock = listening_socket(host, port, Adjustments(**options).backlog)
    print(f"Serving on http://{host}:{sock.getsockname()[1]} in {processes} processes", flush=True)

    def worker(number: int) -> None:
        server = create_server(application, guard, sockets=[sock], **options)
        started(number)
        server.run()

    Workers(processes, worker).run()

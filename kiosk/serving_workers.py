"""`kiosk serve` in several processes: each answers on the one listening socket with its own
waitress, so a Python process's single lock on the interpreter no longer caps the kiosk at one
core (a Raspberry Pi 4 has four).

The first process binds the socket and starts the workers; it then only supervises: it starts a
worker again that ended by itself, and on SIGTERM or SIGINT stops them all and ends. It starts
no threads, so forking stays safe. A worker dies with it, even on SIGKILL (Linux: the kernel's
parent-death signal; elsewhere a watchdog thread that looks every second). Worker 0 runs the
scheduler (`kiosk/scheduler.py`); what the workers share lives in the database, and what they
cache is checked against it (translations, published forms, recordings), so a change made in one
worker shows in the others within seconds.

Only where `os.fork` exists; elsewhere, and with one process, `serving.serve` runs waitress in
this process as before.
"""

import contextlib
import ctypes
import errno
import logging
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable

logger = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
QUICK_END_SECONDS = 2.0  # a worker that ends this soon after its start is started again later
RESTART_PAUSE_SECONDS = 1.0
BIND_SECONDS = 3.0  # how long a port still held by the workers of a killed server is waited for


def can_fork() -> bool:
    return hasattr(os, "fork")


def listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    """A TCP socket bound to host and port and listening, to be shared by the workers."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    deadline = time.monotonic() + BIND_SECONDS
    while True:
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(backlog)
        except OSError as error:
            sock.close()
            # The workers of a server that has just been killed may still hold the port.
            if error.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
            continue
        sock.setblocking(False)
        return sock


def die_with_parent(parent: int) -> None:
    """End this worker when the supervisor ends, however it ends."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)  # the C library the interpreter runs on
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # it ended before the signal was asked for
                os._exit(1)
            return

    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class Workers:
    """Starts `count` worker processes, each `run(number)`, and keeps them running."""

    def __init__(self, count: int, run: Callable[[int], None]):
        self.count, self.run_worker = count, run
        self.children: dict[int, tuple[int, float]] = {}  # pid -> (number, started at)
        self.stopping = False

    def run(self) -> None:
        me = os.getpid()
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            for number in range(self.count):
                if not self.stopping:  # stopped while the first ones were starting
                    self.start(number, me)
            self.supervise(me)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def start(self, number: int, parent: int) -> None:
        # A stop between the fork and the new worker's entry in `children` would miss it: the
        # signals wait until the worker is known (and, in the worker, until it has its own).
        stopping_signals = {signal.SIGTERM, signal.SIGINT}
        signal.pthread_sigmask(signal.SIG_BLOCK, stopping_signals)
        try:
            pid = os.fork()
        except OSError:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stopping_signals)
            raise
        if pid:
            self.children[pid] = (number, time.monotonic())
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stopping_signals)
            if self.stopping:  # a stop that came before the block ran its handler meanwhile
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            return
        code = 0
        try:
            for sig in stopping_signals:
                signal.signal(sig, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stopping_signals)
            die_with_parent(parent)
            self.run_worker(number)
        except KeyboardInterrupt:
            pass
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def supervise(self, me: int) -> None:
        while self.children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            number, started = self.children.pop(pid, (None, 0.0))
            if number is None or self.stopping:
                continue
            how = (
                f"signal {os.WTERMSIG(status)}"
                if os.WIFSIGNALED(status)
                else f"exit status {os.WEXITSTATUS(status)}"
            )
            logger.warning("worker %d (process %d) ended (%s); starting it again", number, pid, how)
            if time.monotonic() - started < QUICK_END_SECONDS:
                time.sleep(RESTART_PAUSE_SECONDS)  # no busy loop of starts that fail at once
            if not self.stopping:
                self.start(number, me)

    def stop(self, signum, frame) -> None:
        """SIGTERM or SIGINT: the workers get SIGTERM; `supervise` returns once they are gone."""
        self.stopping = True
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):  # it has just ended
                os.kill(pid, signal.SIGTERM)

"""`kiosk serve` in several processes (kiosk/serving_workers.py): every worker answers on the one
port, a worker that dies is started again, and the workers end with the server however it
ends, SIGKILL included, so a new server gets the port."""

import os
import signal
import socket
import time
import urllib.request

import pytest

from kiosk import changes
from kiosk.cli.setup import serving_processes

from server import KioskServer

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers need os.fork")


def children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def until(condition, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError("not within the time allowed")


def status(server: KioskServer) -> int:
    with urllib.request.urlopen(f"{server.url}/de/", timeout=10) as response:
        return response.status


@pytest.fixture
def served(tmp_path):
    server = KioskServer(tmp_path / "instance", extra_config="SERVER_PROCESSES = 2\n").start()
    until(lambda: len(children(server.process.pid)) == 2)
    yield server
    server.stop()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one process per core at most")
def test_each_worker_answers_on_the_one_port(served):
    first, second = sorted(children(served.process.pid))
    for paused, running in ((first, second), (second, first)):
        os.kill(paused, signal.SIGSTOP)  # only the other one can take the connection
        try:
            assert status(served) == 200
        finally:
            os.kill(paused, signal.SIGCONT)
        assert alive(running)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one process per core at most")
def test_a_worker_that_dies_is_started_again(served):
    before = children(served.process.pid)
    gone = min(before)
    os.kill(gone, signal.SIGKILL)
    now = until(lambda: (c := children(served.process.pid)) and len(c) == 2 and gone not in c and c)
    assert len(now - before) == 1
    assert status(served) == 200
    with open(os.path.join(served.instance_path, "serve.log"), encoding="utf-8") as log:
        assert f"(process {gone}) ended (signal 9); starting it again" in log.read()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one process per core at most")
def test_the_workers_end_with_a_killed_server_and_the_port_is_free_again(served):
    workers = children(served.process.pid)
    os.kill(served.process.pid, signal.SIGKILL)  # the server alone: no chance to stop them
    served.process.wait()
    served.close_pipes()
    until(lambda: not any(alive(pid) for pid in workers))  # the kernel's parent-death signal
    until(lambda: not served.port_listening())
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", served.port))
    served.start()  # the same instance and port again
    assert status(served) == 200


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one process per core at most")
def test_sigterm_stops_the_workers_too(served):
    workers = children(served.process.pid)
    served.stop()
    assert served.process.returncode == 0
    until(lambda: not any(alive(pid) for pid in workers))


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one process per core at most")
def test_a_server_stopped_while_its_workers_start_stops_all_of_them(tmp_path):
    server = KioskServer(tmp_path / "instance", extra_config="SERVER_PROCESSES = 2\n")
    for _ in range(8):
        server.start()  # back as soon as the port listens: the workers may still be forking
        server.stop()  # fails if the server hangs, waiting for a worker it did not stop
        assert not server.group_alive()


def test_one_process_per_core_at_most(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert serving_processes({"SERVER_PROCESSES": 4}, None) == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert serving_processes({"SERVER_PROCESSES": 4}, None) == 4
    assert serving_processes({"SERVER_PROCESSES": 4}, 2) == 2


def test_a_wrong_setting_stops_the_start_with_its_name(tmp_path):
    server = KioskServer(tmp_path / "instance", extra_config="SERVER_PROCESSES = 0\n")
    with pytest.raises(RuntimeError, match=r"SERVER_PROCESSES = 0: a whole number ≥ 1"):
        server.start()


def test_the_bell_rings_across_forked_processes():
    before, forms = changes.token("texts"), changes.token("forms")
    pid = os.fork()
    if pid == 0:  # a worker: rings and ends
        changes.ring("texts")
        os._exit(0)
    os.waitpid(pid, 0)
    assert changes.token("texts") != before
    assert changes.token("forms") == forms  # the other topics keep theirs

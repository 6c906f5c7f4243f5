"""Two Treffpunkte and the Stadthaus hub as real processes on loopback: every report arrives once.

Each process is a real `kiosk serve` with its own instance folder. The sites' schedulers build the
reports that are due and deliver them; the hub is stopped and started again in between, and the
sites' `kiosk sync` runs on top of the schedulers, so the hub sees retries and concurrent senders.
"""

import os
import re
import sqlite3
import subprocess
import sys
import time
from contextlib import closing

import pytest

from server import KioskServer

SITES = {"nord": "Treffpunkt Nord", "sued": "Treffpunkt Süd"}
TOKEN = re.compile(r"^[A-Za-z0-9_-]{40,}$", re.MULTILINE)


def kiosk(server: KioskServer, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "kiosk.cli", *args]
    return subprocess.run(command, env=server.env, capture_output=True, text=True, timeout=120)


def add_site(hub: KioskServer, slug: str) -> str:
    result = kiosk(hub, "site", "add", slug, "--name", SITES[slug])
    assert result.returncode == 0, result.stderr
    return TOKEN.search(result.stdout).group(0)


def site_config(slug: str, hub_url: str, token: str) -> str:
    target = {"name": "stadthaus", "type": "hub", "url": hub_url + "/", "token": token}
    return (
        f"SITE_SLUG = {slug!r}\nSITE_NAME = {SITES[slug]!r}\nSYNC_TARGETS = [{target!r}]\n"
        "REPORT_HOUR = 0\nSCHEDULER_INTERVAL_SECONDS = 1\nHEARTBEAT_MINUTES = 1\n"
        'REPORT_SCHEDULE = "monthly"\nREPORT_GRACE_DAYS = 0\n'
    )


def db_rows(server: KioskServer, query: str) -> list[tuple]:
    database = os.path.join(server.instance_path, "kiosk.sqlite3")
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return connection.execute(query).fetchall()


def wait_for(condition, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"not reached within {seconds} s: {condition.__doc__}")


@pytest.fixture
def town(tmp_path):
    hub = KioskServer(tmp_path / "hub", 'ROLE = "hub"\n')
    tokens = {slug: add_site(hub, slug) for slug in SITES}
    hub.start()
    sites = {}
    for slug, token in tokens.items():
        site = KioskServer(tmp_path / slug, site_config(slug, hub.url, token))
        result = kiosk(site, "demo", "--count", "120", "--months", "2", "--seed", str(len(sites)))
        assert result.returncode == 0, result.stderr
        sites[slug] = site
    yield hub, sites
    for server in (hub, *sites.values()):
        server.kill()


def local_records(site: KioskServer) -> set[tuple[str, str]]:
    result = kiosk(site, "report", "list")
    assert result.returncode == 0, result.stderr
    return {tuple(line.split()[i] for i in (2, 0)) for line in result.stdout.splitlines() if line}


def test_two_sites_deliver_every_report_once_to_the_hub(town):
    hub, sites = town
    hub.kill()  # the Stadthaus is unreachable while the sites build their reports
    for site in sites.values():
        site.start()

    def reports_built():
        """each site built its due reports and queued them"""
        # The scheduler queues what it built once all due reports are built: a queued report
        # means all are there. Read from the database: polling with `kiosk` is slow.
        return all(db_rows(site, "SELECT count(*) FROM outbox")[0][0] for site in sites.values())

    wait_for(reports_built)
    for site in sites.values():
        status = kiosk(site, "sync", "--status")
        assert "stadthaus" in status.stdout
        assert kiosk(site, "sync").returncode == 1  # the hub is down: still queued, exit 1

    hub.start()
    expected = {uuid for site in sites.values() for uuid, _ in local_records(site)}
    for site in sites.values():  # a manual sync while the schedulers deliver too
        kiosk(site, "sync")

    def all_received():
        """the hub holds every report of both sites"""
        received = {row[0] for row in db_rows(hub, "SELECT uuid FROM received_report")}
        return {uuid.replace("-", "") for uuid in received} >= {
            uuid.replace("-", "") for uuid in expected
        }

    wait_for(all_received)
    for site in sites.values():
        assert kiosk(site, "sync").returncode == 0  # nothing left in any outbox
    rows = db_rows(hub, "SELECT uuid, COUNT(*) FROM received_report GROUP BY uuid")
    assert len(rows) == len(expected)
    assert all(count == 1 for _uuid, count in rows)

    def both_heartbeats():
        """both sites sent a heartbeat"""
        return len(db_rows(hub, "SELECT site_id FROM heartbeat")) == len(SITES)

    wait_for(both_heartbeats)
    by_site = db_rows(
        hub,
        "SELECT s.slug, COUNT(r.id) FROM hub_site s JOIN received_report r ON r.site_id = s.id "
        "GROUP BY s.slug ORDER BY s.slug",
    )
    assert [slug for slug, _count in by_site] == sorted(SITES)

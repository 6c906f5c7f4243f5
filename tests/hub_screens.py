"""Screenshots of the hub: a real `kiosk serve` with ROLE = "hub", sites that report, one silent.

Used by `make screenshots` (tests/screenshots.py); the sites talk to it over the real API.
"""

import hashlib
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import urllib.request
import uuid

from kiosk.sync.transports import multipart

from server import KioskServer

HUB_CONFIG = 'ROLE = "hub"\nSITE_SLUG = "stadthaus"\nSITE_NAME = "Stadthaus Wildeshausen"\n'
SITES = {
    "mittendrin": "Treffpunkt Mittendrin",
    "am-markt": "Treffpunkt am Markt",
    "westertor": "Treffpunkt Westertor",
    "huntetal": "Treffpunkt Huntetal",
}
# The least summary the hub accepts (kiosk/hub/wire.schema.json): no tables, nothing to add up.
STAND_IN_SUMMARY = {"version": 1, "min_cell": 3, "tables": {}}


def kiosk(server: KioskServer, *args: str, stdin: str = "") -> str:
    command = [sys.executable, "-m", "kiosk.cli", *args]
    result = subprocess.run(
        command, env=server.env, input=stdin, capture_output=True, text=True, check=True
    )
    return result.stdout


def post(url: str, token: str, body: bytes, content_type: str) -> dict:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
    request = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def deliver_report(base: str, token: str, slug: str, key: str, start: str, end: str) -> None:
    pdf = b"%PDF-1.7\n% a stand-in for the screenshot\n%%EOF\n" + slug.encode()
    record = {
        "uuid": str(uuid.uuid4()),
        "site": {"slug": slug, "name": SITES[slug]},
        "period": {"kind": "month", "key": key, "start": start, "end": end},
        "created": f"{end}T22:00:00+00:00",
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "replaces": None,
        "summary": STAND_IN_SUMMARY,
    }
    post(f"{base}/api/v1/reports", token, *report_upload(record, pdf))


def report_upload(record: dict, pdf: bytes) -> tuple[bytes, str]:
    """The multipart body a site posts to /api/v1/reports, and its Content-Type."""
    key = record["period"]["key"]
    return multipart(
        [
            ("record", f"{key}.json", "application/json", json.dumps(record).encode()),
            ("pdf", f"{key}.pdf", "application/pdf", pdf),
        ]
    )


def heartbeat(base: str, token: str, outbox_length: int) -> None:
    body = {
        "version": "0.1.0",
        "sent_at": "2026-11-25T09:00:00+00:00",
        "last_submission_at": "2026-11-24T16:12:00+00:00",
        "outbox_length": outbox_length,
        "last_report": None,
    }
    post(f"{base}/api/v1/heartbeat", token, json.dumps(body).encode(), "application/json")


def fill_hub(server: KioskServer) -> None:
    tokens = {}
    for slug, name in SITES.items():
        output = kiosk(server, "site", "add", slug, "--name", name)
        tokens[slug] = output.splitlines()[1].strip()
    for slug in ("mittendrin", "am-markt"):
        deliver_report(server.url, tokens[slug], slug, "2026-09", "2026-09-01", "2026-09-30")
        deliver_report(server.url, tokens[slug], slug, "2026-10", "2026-10-01", "2026-10-31")
        heartbeat(server.url, tokens[slug], outbox_length=0 if slug == "mittendrin" else 3)
    kiosk(server, "site", "revoke", "huntetal")
    server.add_user("stadthaus", "coordinator")


def shoot_hub(browser, out: pathlib.Path) -> list[pathlib.Path]:
    from browser import fill_login  # pytest and Playwright: not for hub_bench, which imports this

    with tempfile.TemporaryDirectory() as scratch:
        instance = pathlib.Path(scratch) / "instance"
        server = KioskServer(instance, extra_config=HUB_CONFIG).start()
        try:
            fill_hub(server)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{server.url}/")
            fill_login(page, "stadthaus")
            page.wait_for_url(f"{server.url}/hub/")
            shots = [out / "hub-dashboard.png", out / "hub-site.png"]
            page.screenshot(path=shots[0], full_page=True)
            page.goto(f"{server.url}/hub/mittendrin/")
            page.screenshot(path=shots[1], full_page=True)
            page.close()
            return shots
        finally:
            server.stop()


if __name__ == "__main__":
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM, CHROMIUM_ARGS

    target = pathlib.Path(os.environ.get("SCREENSHOTS", "screenshots"))
    target.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            print(*shoot_hub(chromium, target), sep="\n")
        finally:
            chromium.close()

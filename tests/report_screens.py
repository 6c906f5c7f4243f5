"""Pictures of the PDF reports: a small Treffpunkt's report and the town's combined report.

Used by `make screenshots` (tests/screenshots.py). Everything runs here, offline, through the
project's own commands: two Treffpunkte get demo submissions (`kiosk demo`) and build their
report of the month before last (`kiosk report build`), a hub receives both over its real API,
writes the combined report (`kiosk hub report`), and pdftoppm turns every page of both PDFs
into a PNG.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta

from hub_screens import HUB_CONFIG, kiosk, post, report_upload
from server import KioskServer

# slug: (name, demo submissions over three months, seed); the first is the small Treffpunkt.
SITES = {
    "mittendrin": ("Treffpunkt Mittendrin", 135, 18),
    "am-markt": ("Treffpunkt am Markt", 600, 2026),
}
RESOLUTION = "80"  # dpi: A4 pages of about 660 x 940 pixels


def reported_month() -> str:
    """The month before last: complete, long past any grace days, with demo data before it."""
    last = date.today().replace(day=1) - timedelta(days=1)
    return (last.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def site_report(scratch: pathlib.Path, slug: str, period: str) -> tuple[dict, bytes]:
    """A Treffpunkt with demo data builds its report: (the record it would send, the PDF)."""
    name, count, seed = SITES[slug]
    server = KioskServer(scratch / slug, f"SITE_SLUG = {slug!r}\nSITE_NAME = {name!r}\n")
    kiosk(server, "demo", "--count", str(count), "--months", "3", "--seed", str(seed))
    pdf_path = pathlib.Path(kiosk(server, "report", "build", "--period", period).strip())
    record = json.loads(pdf_path.with_suffix(".json").read_text(encoding="utf-8"))
    return record, pdf_path.read_bytes()


def pages(pdf: pathlib.Path, out: pathlib.Path, name: str) -> list[pathlib.Path]:
    """Every page of `pdf` as out/<name>-<page>.png (earlier pictures of that name go)."""
    for old in out.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", RESOLUTION, str(pdf), str(out / name)],
        check=True,
        capture_output=True,
    )
    return sorted(out.glob(f"{name}-*.png"))


def shoot_reports(out: pathlib.Path) -> list[pathlib.Path]:
    if shutil.which("pdftoppm") is None:
        print("reports: pdftoppm not found (poppler-utils), no pictures of the PDFs")
        return []
    period = reported_month()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = pathlib.Path(scratch)
        records = {slug: site_report(scratch, slug, period) for slug in SITES}
        small = scratch / "site.pdf"
        small.write_bytes(records["mittendrin"][1])
        shots = pages(small, out, "report-site")
        hub = KioskServer(scratch / "hub", extra_config=HUB_CONFIG).start()
        try:
            for slug, (record, pdf) in records.items():
                token = kiosk(hub, "site", "add", slug, "--name", SITES[slug][0]).splitlines()[1]
                post(f"{hub.url}/api/v1/reports", token.strip(), *report_upload(record, pdf))
        finally:
            hub.stop()
        combined = scratch / "town.pdf"
        kiosk(hub, "hub", "report", period, "--output", str(combined))
        return shots + pages(combined, out, "report-combined")


if __name__ == "__main__":
    target = pathlib.Path(os.environ.get("SCREENSHOTS", "screenshots"))
    target.mkdir(exist_ok=True)
    sys.stdout.write("".join(f"{path}\n" for path in shoot_reports(target)))

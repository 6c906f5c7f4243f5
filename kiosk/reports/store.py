"""Built reports in instance/reports/<site>/: a PDF and its JSON record, once per site and period.

The JSON record holds the report's UUID, the PDF's SHA-256, site, period, creation time and the
published summary: ready for delivery to the Stadthaus. It is written last, so a report exists
exactly when its record does; a report is only built again when asked (`rebuild`), and then gets
a new UUID and names the one it replaces.
"""

import contextlib
import hashlib
import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app

from ..files import write_atomically
from ..models import Site
from .disclosure import min_cell
from .periods import Period, german_date
from .render import RENDER_TIMEOUT, RenderWorker, font_cache_dir, render_html, static_root
from .summary import build_summary

RECORD_VERSION = 1
# A lock older than the longest build was left by a builder that died.
STALE_LOCK_SECONDS = RENDER_TIMEOUT + 60


class ReportError(RuntimeError):
    """A report that cannot be built (yet), with a message for the person who asked."""


@dataclass
class BuildResult:
    record: dict
    built: bool  # False: it existed already and was left as it was
    pdf_path: str
    pages: int = 0
    peak_memory_kb: int = 0


def reports_dir(instance_path: str, site_slug: str) -> str:
    return os.path.join(instance_path, "reports", site_slug)


def report_paths(instance_path: str, site_slug: str, period: Period) -> tuple[str, str]:
    """(PDF path, JSON path), e.g. instance/reports/mittendrin/2026-11.pdf and .json."""
    stem = os.path.join(reports_dir(instance_path, site_slug), period.key)
    return stem + ".pdf", stem + ".json"


def load_record(instance_path: str, site_slug: str, period: Period) -> dict | None:
    _, json_path = report_paths(instance_path, site_slug, period)
    try:
        with open(json_path, encoding="utf-8") as record:
            return json.load(record)
    except FileNotFoundError:
        return None


def list_records(instance_path: str, site_slug: str) -> list[dict]:
    """Every stored report of a site, newest period first."""
    folder = reports_dir(instance_path, site_slug)
    if not os.path.isdir(folder):
        return []
    records = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json"):
            with open(os.path.join(folder, name), encoding="utf-8") as record:
                records.append(json.load(record))
    return sorted(records, key=lambda r: (r["period"]["start"], r["period"]["end"]), reverse=True)


def build_report(
    site: Site, period: Period, *, rebuild: bool = False, today: date | None = None
) -> BuildResult:
    """Build, render and store the report of `site` and `period`, unless it exists already."""
    today = today or date.today()
    if period.end >= today:
        raise ReportError(
            f"Der Zeitraum {period.label} endet am {german_date(period.end)}; "
            "ein Bericht wird erst danach erstellt."
        )
    instance_path = current_app.instance_path
    pdf_path, json_path = report_paths(instance_path, site.slug, period)
    os.makedirs(os.path.dirname(pdf_path), exist_ok=True)
    with _exclusive(json_path + ".lock"):
        existing = load_record(instance_path, site.slug, period)
        if existing and not rebuild:
            return BuildResult(existing, built=False, pdf_path=pdf_path)
        created = datetime.now(UTC).replace(microsecond=0)
        with RenderWorker(static_root(), font_cache_dir()) as worker:
            summary = build_summary(site, period, min_cell(current_app.config))
            rendered = worker.render(render_html(summary, created))
        record = {
            "record_version": RECORD_VERSION,
            "uuid": str(uuid.uuid4()),
            "site": summary["site"],
            "period": summary["period"],
            "created": created.isoformat(),
            "pdf": os.path.basename(pdf_path),
            "sha256": hashlib.sha256(rendered.pdf).hexdigest(),
            "pages": rendered.pages,
            "replaces": existing["uuid"] if existing else None,
            "summary": summary,
        }
        write_atomically(pdf_path, rendered.pdf)
        write_atomically(json_path, record_bytes(record))
    return BuildResult(record, True, pdf_path, rendered.pages, rendered.peak_memory_kb)


def record_bytes(record: dict) -> bytes:
    """The JSON record as it is stored here and delivered to the Stadthaus."""
    return json.dumps(record, ensure_ascii=False, indent=1).encode()


@contextlib.contextmanager
def _exclusive(lock_path: str):
    """One builder per site and period, across processes (the server and the CLI)."""
    deadline = time.monotonic() + STALE_LOCK_SECONDS
    while True:
        try:
            descriptor = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            with contextlib.suppress(FileNotFoundError):
                if time.time() - os.path.getmtime(lock_path) > STALE_LOCK_SECONDS:
                    os.remove(lock_path)  # left by a builder that died
                    continue
            if time.monotonic() > deadline:
                raise ReportError("Ein anderer Vorgang erstellt diesen Bericht gerade.") from None
            time.sleep(0.2)
    try:
        yield
    finally:
        os.close(descriptor)
        os.remove(lock_path)

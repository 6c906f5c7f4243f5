"""Built reports in instance/reports/<site>/: a PDF and its JSON record, once per site and period.

The JSON record holds the report's UUID, the PDF's SHA-256, site, period, creation time and the
published summary: ready for delivery to the Stadthaus. It is written last, so a report exists
exactly when its record does; a report is only built again when asked (`rebuild`: by hand, or
after an erasure or a withdrawn approval, kiosk/reports/versions.py), and then gets a new UUID, the
next `version` (1 for a record without one) and names the one it replaces. The new files take the
place of the old ones: a superseded version is not kept at the site.
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
from .attachments import site_files
from .disclosure import min_cell
from .granularity import Published
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
    site: Site,
    period: Period,
    *,
    rebuild: bool = False,
    today: date | None = None,
    wait: bool = True,
) -> BuildResult:
    """Build, render and store the report of `site` and `period`, unless it exists already.

    `wait=False`: refuse at once (ReportError) while another process builds it.
    """
    today = today or date.today()
    if period.end >= today:
        raise ReportError(
            f"Der Zeitraum {period.label} endet am {german_date(period.end)}; "
            "ein Bericht wird erst danach erstellt."
        )
    instance_path = current_app.instance_path
    pdf_path, json_path = report_paths(instance_path, site.slug, period)
    os.makedirs(os.path.dirname(pdf_path), exist_ok=True)
    with _exclusive(json_path + ".lock", wait):
        existing = load_record(instance_path, site.slug, period)
        if existing and not rebuild:
            return BuildResult(existing, built=False, pdf_path=pdf_path)
        created = datetime.now(UTC).replace(microsecond=0)
        with RenderWorker(static_root(), font_cache_dir()) as worker:
            # Only periods other reports printed, or that touch none (reports/granularity.py).
            published = Published.from_records(list_records(instance_path, site.slug), period)
            summary = build_summary(site, period, min_cell(current_app.config), published)
            rendered = worker.render(
                render_html(summary, created), files=site_files(summary), created=created
            )
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
            "version": version_of(existing) + 1 if existing else 1,
            "summary": summary,
        }
        write_atomically(pdf_path, rendered.pdf)
        write_atomically(json_path, record_bytes(record))
    return BuildResult(record, True, pdf_path, rendered.pages, rendered.peak_memory_kb)


def version_of(record: dict) -> int:
    """A record's version: 1 for one written before reports had versions."""
    return record.get("version", 1)


def record_bytes(record: dict) -> bytes:
    """The JSON record as it is stored here and delivered to the Stadthaus."""
    return json.dumps(record, ensure_ascii=False, indent=1).encode()


@contextlib.contextmanager
def _exclusive(lock_path: str, wait: bool = True):
    """One builder per site and period, across processes (the server and the CLI)."""
    deadline = time.monotonic() + (STALE_LOCK_SECONDS if wait else 0)
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

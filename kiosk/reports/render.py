"""Report rendering: HTML from the summary, then the PDF by WeasyPrint in a worker process.

WeasyPrint runs in a fresh process (worker.py): a large report neither holds the server's GIL
nor leaves its memory in the server. The worker fetches nothing but our own static files: every
other URL (http, https, data, files elsewhere) is refused and stops the rendering. The PDF
carries the report's numbers as embedded files (attachments.py), handed to the worker with the
HTML.
"""

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, render_template

from . import charts
from .periods import german_date

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")

RENDER_TIMEOUT = 300  # seconds; a report that takes longer is stopped


class RenderError(RuntimeError):
    """The worker failed, timed out or refused to fetch something."""


def report_context(summary: dict, *, for_print: bool, created: datetime | None = None) -> dict:
    """What the report templates need: the summary, chart helpers and static file addresses."""

    def asset(path: str) -> str:
        # For print, relative to base_url (the static folder), which the fetcher serves; for a
        # browser, the fingerprinted URL the app's assets extension serves (kiosk/views/assets.py).
        return path if for_print else current_app.extensions["kiosk_assets"].url(path)

    return {
        "summary": summary,
        "created": german_date(created.date()) if created else "",
        "created_iso": created.isoformat() if created else "",
        "asset": asset,
        "charts": charts,
    }


def render_html(summary: dict, created: datetime) -> str:
    """The whole report as one HTML document for WeasyPrint."""
    return render_template(
        "reports/report.html", **report_context(summary, for_print=True, created=created)
    )


def static_root() -> str:
    return os.path.realpath(current_app.static_folder)


def font_cache_dir() -> str:
    return os.path.join(current_app.instance_path, "cache", "fonts")


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    peak_memory_kb: int  # of the worker process
    warnings: list[str] = field(default_factory=list)


class RenderWorker:
    """A worker process for one PDF, started early so it loads WeasyPrint while we count.

        with RenderWorker(root, font_cache) as worker:
            html = ...  # SQL counts and templates, meanwhile the worker starts
            rendered = worker.render(html)

    A subprocess rather than multiprocessing: it never re-imports whatever script started the
    server, it loads WeasyPrint only, and it can be stopped cleanly when it takes too long.
    """

    def __init__(self, root: str, font_cache: str):
        self.scratch = tempfile.TemporaryDirectory(prefix="mittendrin-report-")
        self.target = os.path.join(self.scratch.name, "report.pdf")
        # -P: the worker's folder is not put on sys.path, so its neighbours shadow nothing.
        self.process = subprocess.Popen(
            [sys.executable, "-P", WORKER, root, font_cache, self.target],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.scratch.name,
        )

    def render(
        self,
        html: str,
        timeout: float = RENDER_TIMEOUT,
        *,
        files: list[dict] | None = None,
        created: datetime | None = None,
    ) -> Rendered:
        """The PDF of `html`, with `files` embedded (attachments.py: the report's numbers)."""
        job = {
            "html": html,
            "files": files or [],
            "created": created.isoformat() if created else None,
        }
        try:
            out, err = self.process.communicate(json.dumps(job).encode("utf-8"), timeout=timeout)
        except subprocess.TimeoutExpired:
            raise RenderError(f"rendering took longer than {timeout} s") from None
        if self.process.returncode != 0:
            message = err.decode("utf-8", "replace").strip().splitlines()
            raise RenderError(message[-1] if message else f"worker exit {self.process.returncode}")
        with open(self.target, "rb") as pdf:
            return Rendered(pdf=pdf.read(), **json.loads(out))

    def __enter__(self) -> "RenderWorker":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.process.poll() is None:  # not used, failed or too slow: stop it
            self.process.kill()
            self.process.communicate()
        self.scratch.cleanup()


def render_pdf(
    html: str,
    root: str,
    font_cache: str,
    timeout: float = RENDER_TIMEOUT,
    files: list[dict] | None = None,
) -> Rendered:
    """The PDF of `html`, rendered by a new worker process that ends with it."""
    with RenderWorker(root, font_cache) as worker:
        return worker.render(html, timeout, files=files)

"""The PDF worker: WeasyPrint in its own process, fetching nothing but our static files.

Run by render.py as `python -P kiosk/reports/worker.py STATIC_ROOT FONT_CACHE OUT.pdf` with a
JSON object on standard input: the HTML, the files to embed (attachments.py) and the report's
creation time; it prints its figures (pages, peak memory, warnings) as JSON. It imports nothing
of the kiosk, so it starts in the time WeasyPrint needs to load.

The embedded files are WeasyPrint's own attachments: with the PDF/A-3 variant it declares each one
as an associated file (the catalog's /AF) with the /AFRelationship given, and gives each its MIME
type and dates, as PDF/A-3 asks. WeasyPrint 70 lists every attachment twice in /AF (its issue
#2917, fixed after 70.0); `associate_once` keeps one entry each.
"""

import hashlib
import io
import json
import logging
import mimetypes
import os
import sys
from datetime import UTC, datetime
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from fontTools.ttLib import woff2
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_VARIANT = "pdf/a-3u"


def base_url(root: str) -> str:
    return "file://" + root.rstrip("/") + "/"


class StaticFilesOnly(URLFetcher):
    """Serves files below the static folder; refuses every other URL.

    A WOFF2 font is served decompressed, from a cache made on first use: WeasyPrint would
    otherwise decompress every font on every report, in Python, which costs seconds.
    """

    def __init__(self, root: str, font_cache: str | None = None):
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self.root = os.path.realpath(root)
        self.font_cache = font_cache

    def fetch(self, url, headers=None):
        path = self.local_path(url)
        if path.endswith(".woff2") and self.font_cache:
            return URLFetcherResponse(url, self.decompressed(path), {"Content-Type": "font/ttf"})
        with open(path, "rb") as local:
            body = local.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def local_path(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"refused (not a local static file): {url[:200]}")
        path = os.path.realpath(url2pathname(parts.path))
        if os.path.commonpath([path, self.root]) != self.root or not os.path.isfile(path):
            raise ValueError(f"refused (outside the static folder): {url[:200]}")
        return path

    def decompressed(self, path: str) -> bytes:
        with open(path, "rb") as font:
            compressed = font.read()
        digest = hashlib.sha256(compressed).hexdigest()
        cached = os.path.join(self.font_cache, f"{digest}.ttf")
        try:
            with open(cached, "rb") as font:
                return font.read()
        except FileNotFoundError:
            pass
        output = io.BytesIO()
        woff2.decompress(io.BytesIO(compressed), output)
        os.makedirs(self.font_cache, exist_ok=True)
        temporary = f"{cached}.{os.getpid()}.tmp"
        with open(temporary, "wb") as font:
            font.write(output.getvalue())
        os.replace(temporary, cached)
        return output.getvalue()


def write_pdf(
    html: str,
    root: str,
    font_cache: str | None = None,
    files: list[dict] | None = None,
    created: datetime | None = None,
) -> tuple[bytes, dict]:
    """Render in this process: PDF/A-3u, tagged, fonts and stylesheets from `root` only, with
    `files` ({"name", "description", "relationship", "text"}) embedded as associated files."""
    warnings = _collect_warnings()
    document = weasyprint.HTML(
        string=html, base_url=base_url(root), url_fetcher=StaticFilesOnly(root, font_cache)
    ).render()
    pdf = document.write_pdf(
        pdf_variant=PDF_VARIANT,
        pdf_tags=True,
        attachments=attachments(files or [], created or datetime.now(UTC)),
        finisher=associate_once,
    )
    return pdf, {
        "pages": len(document.pages),
        "peak_memory_kb": peak_memory_kb(),
        "warnings": warnings,
    }


def attachments(files: list[dict], created: datetime) -> list[weasyprint.Attachment]:
    """WeasyPrint's attachments of `files`, sorted by name (a PDF name tree is sorted); their
    dates are the report's (in UTC, as WeasyPrint writes them)."""
    stamp = created.astimezone(UTC).replace(tzinfo=None)
    return [
        weasyprint.Attachment(
            string=file["text"].encode("utf-8"),
            name=file["name"],
            description=file["description"],
            relationship=file["relationship"],
            created=stamp,
            modified=stamp,
        )
        for file in sorted(files, key=lambda file: file["name"])
    ]


def associate_once(document, pdf) -> None:
    """Each associated file once in the catalog's /AF (WeasyPrint 70 adds each one twice)."""
    associated = pdf.catalog.get("AF")
    if associated:
        unique = list(dict.fromkeys(associated))
        associated.clear()
        associated.extend(unique)


def _collect_warnings() -> list[str]:
    collected: list[str] = []

    class Collector(logging.Handler):
        def emit(self, record):
            collected.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    logger.handlers = [Collector(logging.WARNING)]
    logger.propagate = False
    return collected


def peak_memory_kb() -> int:
    """This process's peak resident memory (0 where the platform does not tell).

    VmHWM, not ru_maxrss: on Linux ru_maxrss keeps the parent's size from before the exec.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main(argv: list[str]) -> int:
    """Worker: the job as JSON on standard input ({"html", "files", "created"}), PDF to the file
    named; figures as JSON on standard output."""
    root, font_cache, target = argv
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    created = datetime.fromisoformat(job["created"]) if job.get("created") else None
    pdf, figures = write_pdf(job["html"], root, font_cache, job.get("files"), created)
    with open(target, "wb") as output:
        output.write(pdf)
    json.dump(figures, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The PDF worker: WeasyPrint in its own process, fetching nothing but our static files.

Run by render.py as `python -P kiosk/reports/worker.py STATIC_ROOT FONT_CACHE OUT.pdf` with the
HTML on standard input; it prints its figures (pages, peak memory, warnings) as JSON. It imports
nothing of the kiosk, so it starts in the time WeasyPrint needs to load.
"""

import hashlib
import io
import json
import logging
import mimetypes
import os
import sys
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


def write_pdf(html: str, root: str, font_cache: str | None = None) -> tuple[bytes, dict]:
    """Render in this process: PDF/A-3u, tagged, fonts and stylesheets from `root` only."""
    warnings = _collect_warnings()
    document = weasyprint.HTML(
        string=html, base_url=base_url(root), url_fetcher=StaticFilesOnly(root, font_cache)
    ).render()
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    return pdf, {
        "pages": len(document.pages),
        "peak_memory_kb": peak_memory_kb(),
        "warnings": warnings,
    }


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
    """Worker: HTML on standard input, PDF to the file named; figures as JSON on standard output."""
    root, font_cache, target = argv
    pdf, figures = write_pdf(sys.stdin.buffer.read().decode("utf-8"), root, font_cache)
    with open(target, "wb") as output:
        output.write(pdf)
    json.dump(figures, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

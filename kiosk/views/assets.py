"""Static files for a kiosk on a small server: content hashes in their URLs, compressed answers.

`static_url("css/kiosk.css")` is `/static/css/kiosk.<hash>.css`, where the hash is the start of
the SHA-256 of what is served. Such a URL never changes its content, so it is cached for a year
without asking again (`immutable`); a new release has new hashes. A static URL without a hash,
or with a hash that is not the file's (an old page asking for an old release's file), gets the
current file with `no-cache`: the browser asks again each time.

Text files (CSS, JavaScript, SVG) are kept in memory and compressed once, on their first
request, with Brotli and gzip (Zopfli); each browser gets what it accepts. CSS `url(…)`s of
other static files are rewritten to their hashed names (fonts.css → the font files), so the
CSS hash covers them. `icons/sprite.svg` is made from static/icons/*.svg: one `<symbol>` per
pictogram, which `icon()` references with `<use>`. Pages and htmx fragments are compressed as
they are sent (`compress`); streamed and passed-through responses (`send_file`) are left
alone, and so are fonts: WOFF2 is compressed already.
"""

import gzip
import hashlib
import mimetypes
import os
import posixpath
import re
import threading

from flask import Flask, Response, abort, current_app, request, send_file, url_for
from werkzeug.security import safe_join

try:  # both come with fonttools[woff]; without them, plain gzip
    import brotli
except ImportError:  # pragma: no cover
    brotli = None
try:
    import zopfli.gzip as zopfli_gzip
except ImportError:  # pragma: no cover
    zopfli_gzip = None

HASH_LENGTH = 10
# `name.<hash>.ext`; the service worker gets the same pattern in its configuration.
FINGERPRINTED = rf"\.[0-9a-f]{{{HASH_LENGTH}}}\.[A-Za-z0-9]+$"
HASHED_NAME = re.compile(
    rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<ext>\.[A-Za-z0-9]+)$"
)
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "image/svg+xml",
        "text/plain",
        "application/json",
        "application/manifest+json",
    }
)
SMALL_WINDOW = 16  # Brotli lgwin: 64 KiB
SMALLEST_TO_COMPRESS = 256  # bytes; below this the saving is less than a header line
SPRITE = "icons/sprite.svg"
ICONS = "icons"
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
JS_COMMENT_LINE = re.compile(r"^[ \t]*//[^\n]*$", re.MULTILINE)
BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")
SVG_ROOT = re.compile(r"<svg\b(?P<attributes>[^>]*)>(?P<content>.*)</svg>", re.DOTALL)
VIEW_BOX = re.compile(r'viewBox="([^"]+)"')
# Tabler's invisible bounding box, the first path of every pictogram: not needed in a symbol.
BOUNDING_BOX = re.compile(r'<path stroke="none" d="M0 0h24v24H0z" fill="none"\s*/>')


def encoded(body: bytes, encoding: str, level: str) -> bytes | None:
    """`body` in "br" or "gzip", or None if that is not smaller (or Brotli is missing).

    "static" files are compressed once, as small as it gets (htmx: 0.2 s); "page" answers on
    every request, fast (Brotli 5 or gzip 6: well under a millisecond for a page).
    """
    if encoding == "br":
        if brotli is None:
            return None
        if level == "static":
            data = brotli.compress(body, quality=11)
        else:
            # The smallest window that holds the page: Brotli's default (4 MiB) is allocated
            # afresh for every call, which cost a page ten times its compressing.
            window = SMALL_WINDOW if len(body) <= (1 << SMALL_WINDOW) - 16 else 22
            data = brotli.compress(body, quality=5, lgwin=window)
    elif level == "static" and zopfli_gzip is not None:
        data = zopfli_gzip.compress(body)
    else:
        data = gzip.compress(body, compresslevel=9 if level == "static" else 6, mtime=0)
    return data if len(data) < len(body) else None


class Asset:
    """One static file as served: in memory (text, compressed on first use) or from disk."""

    def __init__(self, name: str, mimetype: str, *, body: bytes | None = None, path=None):
        self.name = name  # relative to static/, with "/"
        self.mimetype = mimetype
        self.body = body  # text, kept in memory
        self.path = path  # anything else, sent from disk
        if body is None:
            with open(path, "rb") as source:
                self.digest = digest_of(source.read())
        else:
            self.digest = digest_of(body)
        self.lock = threading.Lock()
        self.encodings: dict[str, bytes | None] = {}

    @property
    def hashed_name(self) -> str:
        stem, ext = posixpath.splitext(self.name)
        return f"{stem}.{self.digest}{ext}" if ext else self.name

    @property
    def compressible(self) -> bool:
        return self.body is not None and len(self.body) >= SMALLEST_TO_COMPRESS

    def encoded(self, encoding: str) -> bytes | None:
        """The body in `encoding`, made on first use and kept; None if it would not be smaller."""
        if not self.compressible:
            return None
        with self.lock:
            if encoding not in self.encodings:
                self.encodings[encoding] = encoded(self.body, encoding, "static")
            return self.encodings[encoding]


def without_comments(name: str, mimetype: str, body: bytes) -> bytes:
    """Our own stylesheets and scripts as sent: without their comments, which explain them to
    whoever reads the files and would cost the first page about 3.7 KiB (compressed). Only
    comments that can be told apart safely: `/* … */` in CSS, whole `//` lines in JavaScript
    (never one inside a line: it may be in a string). Vendored files are sent as they are."""
    comment = {"text/css": CSS_COMMENT, "text/javascript": JS_COMMENT_LINE}.get(mimetype)
    if name.startswith("vendor/") or comment is None:
        return body
    text = comment.sub("", body.decode("utf-8"))
    return BLANK_LINES.sub("\n", text).lstrip("\n").encode("utf-8")


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


def build_sprite(icons_dir: str) -> bytes:
    """Every pictogram of static/icons as a `<symbol id="name">`, in one SVG file.

    The drawing attributes of the pictograms' root (stroke, fill, width) are left to the
    `<svg>` around each `<use>` (see templating.icon), whose values the symbol inherits.
    """
    symbols = []
    for file_name in sorted(os.listdir(icons_dir)):
        name, ext = os.path.splitext(file_name)
        if ext != ".svg" or file_name == os.path.basename(SPRITE):
            continue
        with open(os.path.join(icons_dir, file_name), encoding="utf-8") as svg:
            match = SVG_ROOT.search(svg.read())
        if not match:
            continue
        view_box = VIEW_BOX.search(match["attributes"])
        content = BOUNDING_BOX.sub("", match["content"])
        content = re.sub(r">\s+<", "><", content.strip())
        box = f' viewBox="{view_box[1]}"' if view_box else ""
        symbols.append(f'<symbol id="{name}"{box}>{content}</symbol>')
    text = '<svg xmlns="http://www.w3.org/2000/svg">' + "".join(symbols) + "</svg>\n"
    return text.encode("utf-8")


class Assets:
    """The static folder's files as served, made on first use and then kept.

    Files only change with a release, which restarts the server; with `reload` (debug mode)
    a file is read again when its size or time changed.
    """

    fingerprinted = FINGERPRINTED  # for the service worker (kiosk/visitor/offline.py)
    sprite = SPRITE

    def __init__(self, static_folder: str, reload: bool = False):
        self.root = os.path.realpath(static_folder)
        self.reload = reload
        self.lock = threading.RLock()
        self.made: dict[str, tuple[tuple, Asset]] = {}
        self.urls: dict[tuple[str, str], str] = {}

    def path_of(self, name: str) -> str | None:
        path = safe_join(self.root, name)
        return path if path and os.path.isfile(path) else None

    def version_of(self, name: str, path: str | None) -> tuple:
        """What tells a changed file in reload mode: size and time of each source file."""
        if not self.reload:
            return ()
        if name == SPRITE:
            with os.scandir(os.path.join(self.root, ICONS)) as entries:
                return tuple(
                    sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in entries)
                )
        stat = os.stat(path)
        return (stat.st_size, stat.st_mtime_ns)

    def find(self, name: str) -> Asset | None:
        """The asset of `name` (relative to static/), or None when there is no such file."""
        name = name.lstrip("/")
        path = None if name == SPRITE else self.path_of(name)
        if path is None and name != SPRITE:
            return None
        with self.lock:
            version = self.version_of(name, path)
            known = self.made.get(name)
            if known and known[0] == version:
                return known[1]
            asset = self.make(name, path)
            self.made[name] = (version, asset)
            return asset

    def make(self, name: str, path: str | None) -> Asset:
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if name == SPRITE:
            return Asset(name, mimetype, body=build_sprite(os.path.join(self.root, ICONS)))
        if mimetype not in COMPRESSIBLE:
            return Asset(name, mimetype, path=path)
        with open(path, "rb") as source:
            body = source.read()
        if mimetype == "text/css":
            body = self.rewrite_css(name, body)
        return Asset(name, mimetype, body=without_comments(name, mimetype, body))

    def rewrite_css(self, name: str, body: bytes) -> bytes:
        """`url(…)`s of other static files by their hashed names, relative as before."""
        folder = posixpath.dirname(name)

        def hashed(match: re.Match) -> str:
            quote, target = match[1], match[2].strip()
            if target.startswith(("data:", "http:", "https:", "//", "#", "/")):
                return match[0]
            path, hash_sign, fragment = target.partition("#")
            resolved = posixpath.normpath(posixpath.join(folder, path.split("?")[0]))
            asset = self.find(resolved) if resolved != name else None
            if asset is None:
                return match[0]
            relative = posixpath.relpath(asset.hashed_name, folder or ".")
            return f"url({quote}{relative}{hash_sign}{fragment}{quote})"

        return CSS_URL.sub(hashed, body.decode("utf-8")).encode("utf-8")

    def url(self, name: str) -> str:
        """The URL of a static file, with its hash when the file exists; made once per name
        (a page asks for ten pictograms), except in reload mode, where files may change."""
        key = (name, request.script_root if request else "")
        known = None if self.reload else self.urls.get(key)
        if known is None:
            asset = self.find(name)
            known = url_for("static", filename=asset.hashed_name if asset else name)
            self.urls[key] = known
        return known


def assets() -> Assets:
    return current_app.extensions["kiosk_assets"]


def static_url(name: str) -> str:
    """The hashed URL of a static file (templates: `static_url('css/kiosk.css')`)."""
    return assets().url(name)


def sprite_url() -> str:
    return assets().url(SPRITE)


def preferred_encoding(offered: tuple[str, ...]) -> str | None:
    """The first of `offered` ("br", "gzip") the browser accepts, or None.

    Chromium accepts Brotli on HTTPS and on localhost, on plain HTTP in the LAN only gzip.
    """
    accepted = request.accept_encodings
    return next((encoding for encoding in offered if accepted[encoding] > 0), None)


def serve_static(filename: str):
    """The static view: hashed names from memory or disk, with their caching header."""
    registry = assets()
    asset = registry.find(filename)
    immutable = False
    if asset is None:
        match = HASHED_NAME.match(filename)
        asset = registry.find(match["stem"] + match["ext"]) if match else None
        if asset is None:
            abort(404)
        immutable = match["hash"] == asset.digest
    if asset.body is None:
        response = send_file(asset.path, mimetype=asset.mimetype, etag=asset.digest)
    else:
        response = memory_response(asset)
    response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
    response.headers.pop("Expires", None)
    return response


def memory_response(asset: Asset) -> Response:
    encoding, body = None, asset.body
    if asset.compressible:
        for candidate in ("br", "gzip"):
            if preferred_encoding((candidate,)) and (data := asset.encoded(candidate)):
                encoding, body = candidate, data
                break
    response = current_app.response_class(body, mimetype=asset.mimetype)
    if asset.compressible:
        response.vary.add("Accept-Encoding")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.set_etag(asset.digest + (f"-{encoding}" if encoding else ""))
    return response.make_conditional(request)


def compress(response: Response) -> Response:
    """Pages, fragments and the worker script compressed as they go out (Brotli or gzip).

    Left alone: static files (compressed once, above), streamed and passed-through responses
    (`send_file`, exports), ones already encoded, bodies too small to gain, and answers to
    requests another site started: a page with a secret (the CSRF token) and text from the
    request (a search) must not tell that site its compressed length (BREACH).
    """
    if request.endpoint == "static" or response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")
    if (
        request.headers.get("Sec-Fetch-Site", "none") not in ("same-origin", "none")
        or response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
        or response.status_code in (204, 206, 304)
        or response.status_code < 200
    ):
        return response
    body = response.get_data()
    if len(body) < SMALLEST_TO_COMPRESS:
        return response
    encoding = preferred_encoding(("br", "gzip") if brotli else ("gzip",))
    data = encoded(body, encoding, "page") if encoding else None
    if data is None:
        return response
    response.set_data(data)
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-{encoding}", weak)
    return response


def init_app(app: Flask) -> None:
    app.extensions["kiosk_assets"] = Assets(app.static_folder, reload=app.debug)
    app.view_functions["static"] = serve_static
    app.jinja_env.globals["static_url"] = static_url
    app.after_request(compress)

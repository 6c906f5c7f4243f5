"""Request input on its way into a response header: redirect targets, the URL htmx is told to
show, and the names of downloads.

A redirect to a target the request named (`?next=`) goes only to a path on this server:
`local_target` accepts a path with one leading slash, no backslash, no control or format
character, and no scheme or host, and answers it percent-encoded; anything else leads to the
fallback (the staff's start page). Header values built here are plain ASCII without line breaks,
so no request can add a header or break one (a 500).
"""

import re
import unicodedata
from urllib.parse import quote, quote_from_bytes, urlsplit

from flask import current_app, request, url_for

# What stays as it is in a path or query (RFC 3986's reserved characters); everything else,
# spaces, quotes and letters beyond ASCII included, is percent-encoded.
RESERVED = ":/?#[]@!$&'()*+,;="
NOT_IN_A_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def local_target(target: str | None, fallback: str | None = None) -> str:
    """`target` if it is a path on this server, encoded for a Location header; else the
    fallback (by default the staff's start page)."""
    if target and is_local_path(target):
        return quote(target, safe=RESERVED + "%")
    return fallback or staff_start()


def is_local_path(target: str) -> bool:
    """A path on this server: "/review/?page=2", never "//host", "/\\host" or "https://host"."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    # Browsers drop tabs and line breaks from a URL, so "/\t/host" would become "//host".
    if any(unicodedata.category(character).startswith("C") for character in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def staff_start() -> str:
    """Where staff begin: the hub's dashboard, or a Treffpunkt's inbox."""
    if current_app.config["ROLE"] == "hub":
        return url_for("hub.dashboard")
    return url_for("review.inbox")


def requested_url() -> str:
    """This request's path and query as a browser sends them (for HX-Push-Url); the decoded
    path is encoded again, so a "%0A" in the URL never becomes a line break in a header."""
    url = quote(request.path, safe=RESERVED)
    if request.query_string:
        url += "?" + quote_from_bytes(request.query_string, safe=RESERVED + "%")
    return url


def download_name(*parts: str, suffix: str) -> str:
    """A file name for Content-Disposition from `parts`, keeping letters, digits, dots and dashes
    ("Bericht", "mittendrin", "2026-10", suffix=".pdf" → "Bericht-mittendrin-2026-10.pdf")."""
    cleaned = (NOT_IN_A_FILE_NAME.sub("_", part).strip("._") for part in parts)
    return "-".join(part for part in cleaned if part) + suffix

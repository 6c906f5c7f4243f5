"""Browser security and request limits: response headers, cookie flags, body, field and URL sizes.

The kiosk is a shared device in a public room: nothing may be cached for the next person, no
page may be framed or load anything from elsewhere, and no request may be large enough to tie
up the small server. waitress gets matching limits, so a hostile body is cut off before it is
read into memory.
"""

from collections.abc import Callable

from flask import Flask, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.routing import IntegerConverter

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
POLICY_FEATURES = (
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "serial",
    "display-capture",
)


def permissions_policy(*granted: str) -> str:
    """Every feature forbidden, but those `granted` to this origin alone (the recording page's
    microphone, kiosk/views/recordings.py; a page sets it and the hook leaves it)."""
    return ", ".join(
        f"{feature}=(self)" if feature in granted else f"{feature}=()"
        for feature in POLICY_FEATURES
    )


PERMISSIONS_POLICY = permissions_policy()
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# waitress reads a body fully before the app sees it; above this many times the app's own
# limit it refuses the request itself (plain text), below it the app answers with its 413 page
# in the visitor's language.
WAITRESS_BODY_FACTOR = 2


class DatabaseInteger(IntegerConverter):
    """`<int:…>` only up to SQLite's largest integer: a longer number is an unknown page (404),
    not an overflow deep in the database driver (500)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request came over HTTPS.

    Behind a reverse proxy, waitress takes the scheme from X-Forwarded-Proto only when
    TRUSTED_PROXY names that proxy, so a visitor cannot make a plain-HTTP cookie "secure".
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def get_signing_serializer(self, app: Flask):
        """Flask's serializer, built once per key instead of on every request (building one
        signs a test value and was a twentieth of a kiosk step's CPU)."""
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = app.extensions.get("kiosk_session_serializer")
        if cached is None or cached[0] != key:
            cached = (key, super().get_signing_serializer(app))
            app.extensions["kiosk_session_serializer"] = cached
        return cached[1]


# What holds nothing of a visitor: static files and the recordings that read texts aloud.
CACHEABLE_ENDPOINTS = frozenset({"static", "audio.recording"})


# A script, stylesheet, font or sound is never shown as a page: what governs a page (CSP, frames,
# permissions, opener) means nothing on it, and 15 static files a page would carry it 15 times.
# Pictograms (SVG can hold script) and anything else keep every header.
RESOURCE_HEADERS = frozenset(
    {"X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Resource-Policy"}
)
NOT_A_PAGE = ("text/css", "text/javascript", "application/javascript", "font/", "audio/")


def add_security_headers(response):
    present = {name.lower() for name, _ in response.headers}
    resource = request.endpoint in CACHEABLE_ENDPOINTS and (response.mimetype or "").startswith(
        NOT_A_PAGE
    )
    for name, value in HEADERS.items():
        if resource and name not in RESOURCE_HEADERS:
            continue
        if name.lower() not in present:  # one pass; setdefault would scan the list per header
            response.headers.add(name, value)
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        # The one place that forbids caching: answers, names and notes must never come back
        # from a cache for the next person; only static files (styles, fonts, scripts,
        # pictograms) and recordings of the forms' texts may be cached.
        response.headers["Cache-Control"] = "no-store"
    return response


# Views whose requests may carry more than MAX_CONTENT_LENGTH, by endpoint or blueprint name:
# {name: the limit from the config}. Filled by the blueprints (`allow_larger_bodies`); applied
# first of all hooks, before anything reads the body (the CSRF check does).
LARGER_BODIES: dict[str, Callable[[dict], int]] = {}


def allow_larger_bodies(name: str, limit: Callable[[dict], int]) -> None:
    """Let the endpoint or blueprint `name` accept bodies up to `limit(app.config)` bytes."""
    LARGER_BODIES[name] = limit


def limit_request():
    """414 for an overlong URL; the body limit of the view that will answer (LARGER_BODIES)."""
    if len(request.full_path) > current_app.config["MAX_URL_LENGTH"]:
        abort(414)
    limit = LARGER_BODIES.get(request.endpoint) or LARGER_BODIES.get(request.blueprint)
    if limit is not None:
        request.max_content_length = limit(current_app.config)


def refuse_too_many_fields():
    """Werkzeug counts parts only in multipart bodies; count url-encoded fields here too.

    Only url-encoded bodies are read here: a multipart upload is read by its view, after the
    view's own size limit is set (the hub's report uploads).
    """
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        parts = sum(len(values) for _, values in request.form.lists())
        if parts > current_app.config["MAX_FORM_PARTS"]:
            abort(413)


def largest_body(config) -> int:
    """The largest body the app accepts: a recording's upload; on a hub, report uploads may be
    larger."""
    limit = max(config["MAX_CONTENT_LENGTH"], recording_body(config))
    if config.get("ROLE") == "hub":
        limit = max(
            limit,
            config.get("HUB_MAX_REPORT_BYTES") or 0,
            config.get("HUB_FORM_UPLOAD_BYTES") or 0,  # an XLSForm on the hub's form page
        )
    return limit


def recording_body(config) -> int:
    """The largest upload of a recording (kiosk/views/recordings.py): the file and its form."""
    return (config.get("RECORDING_MAX_BYTES") or 0) + 64 * 1024


def waitress_options(config) -> dict:
    """Limits (body, headers, idle connections) and proxy trust for waitress, matching the app's
    own limits; `kiosk serve` adds deadlines per request and a limit per address (serving.py)."""
    options = {
        "max_request_body_size": largest_body(config) * WAITRESS_BODY_FACTOR,
        "max_request_header_size": config["MAX_REQUEST_HEADER_BYTES"],
    }
    if config.get("SERVER_IDLE_SECONDS"):  # idle keep-alive; deadlines are kiosk/serving.py's
        options["channel_timeout"] = config["SERVER_IDLE_SECONDS"]
    if config.get("TRUSTED_PROXY"):
        options |= {
            "trusted_proxy": config["TRUSTED_PROXY"],
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
            "clear_untrusted_proxy_headers": True,
        }
    return options


def init_app(app: Flask) -> None:
    """Before the blueprints: their rules take the `int` converter from the map when added."""
    app.url_map.converters["int"] = DatabaseInteger
    app.session_interface = SessionInterface()
    # Before the CSRF check and the form parsing of every other hook.
    app.before_request_funcs.setdefault(None, []).insert(0, limit_request)
    app.before_request(refuse_too_many_fields)
    app.after_request(add_security_headers)

"""Browser security: headers on every response, cookie flags, htmx config, request size limits."""

import http.client
import json
import re
import socket

import pytest

from kiosk import create_app
from kiosk.db import prepare_database
from kiosk.views.security import CONTENT_SECURITY_POLICY, waitress_options

from server import KioskServer

EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HTMX_CONFIG = re.compile(r"<meta name=\"htmx-config\" content='([^']+)'>")


def assert_secure_headers(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'"):
        assert directive in csp
    assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers[name] == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "microphone=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize(
    "path",
    ["/", "/de/", "/ar/", "/review/login", "/review/", "/nowhere", "/de/visit/"],
)
def test_every_page_carries_the_headers_and_is_never_cached(client, path):
    response = client.get(path)
    assert_secure_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached_and_keep_the_headers_that_apply_to_them(client, app):
    """A stylesheet, script or font is never a page: it keeps nosniff, the resource policy and
    the referrer policy; a pictogram (SVG can hold script) keeps every header of a page."""
    response = client.get("/static/fonts/fonts.css")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Content-Security-Policy" not in response.headers
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()
    response = client.get("/static/icons/home.svg")
    assert_secure_headers(response)
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_htmx_runs_without_eval_inline_styles_or_history_cache(client):
    html = client.get("/de/").get_data(as_text=True)
    config = json.loads(HTMX_CONFIG.search(html).group(1))
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["historyCacheSize"] == 0
    assert config["refreshOnHistoryMiss"] is True
    assert config["selfRequestsOnly"] is True
    assert "<script>" not in html and " style=" not in html and "onclick" not in html


def session_cookie(response) -> str:
    (cookie,) = [value for value in response.headers.getlist("Set-Cookie")]
    return cookie


def test_cookies_are_httponly_samesite_and_secure_only_over_https(app):
    plain = app.test_client().get("/de/")
    cookie = session_cookie(plain)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # a kiosk on plain HTTP in the LAN must still work

    secure = app.test_client().get("/de/", base_url="https://kiosk.example")
    cookie = session_cookie(secure)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_cookies_can_be_always_secure(instance):
    app = create_app({"SECRET_KEY": "x", "TESTING": True, "SESSION_COOKIE_SECURE": True})
    prepare_database(app)
    assert "Secure" in session_cookie(app.test_client().get("/de/"))


# --- Limits in the app ---------------------------------------------------------------------------


def open_step(visitor, lang="ar"):
    visitor.lang = lang
    visitor.start("intake")
    visitor.answer("yes")
    visitor.answer("Amina")
    return visitor.url


def draft_answers(app, draft_url: str) -> dict:
    from kiosk.extensions import db
    from kiosk.models import Draft

    draft_id = draft_url.split("/")[3]
    with app.app_context(), db.connection_context():
        return Draft.get_by_id(draft_id).answers


def test_a_too_large_body_gets_a_413_page_in_the_visitors_language(app, visitor):
    step = open_step(visitor)
    response = visitor.client.post(step, data={"csrf_token": visitor.token, "answer": "x" * 70_000})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert 'lang="ar"' in html and 'dir="rtl"' in html and "هذا النص طويل جدًا." in html
    assert draft_answers(app, step) == {"consent": "yes", "name": "Amina"}


def test_too_many_fields_are_refused(client, visitor):
    step = open_step(visitor, "de")
    fields = "&".join(f"f{n}=1" for n in range(250))
    response = client.post(
        step,
        data=f"csrf_token={visitor.token}&{fields}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert "Das ist zu viel Text." in response.get_data(as_text=True)


def test_one_field_larger_than_the_form_memory_is_refused(instance):
    app = create_app(
        {
            "SECRET_KEY": "x",
            "TESTING": True,
            "MAX_CONTENT_LENGTH": 512 * 1024,
            "MAX_FORM_MEMORY_SIZE": 1024,
        }
    )
    prepare_database(app)
    response = app.test_client().post(
        "/de/visit/",
        data={"answer": "x" * 2048},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


def test_overlong_urls_are_refused(client):
    response = client.get("/de/?" + "q=" + "x" * 3000)
    assert response.status_code == 414
    assert_secure_headers(response)


def test_waitress_limits_follow_the_app_and_the_hub():
    kiosk = {
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "MAX_REQUEST_HEADER_BYTES": 16 * 1024,
        "ROLE": "kiosk",
        "HUB_MAX_REPORT_BYTES": 20 * 1024 * 1024,
    }
    assert waitress_options(kiosk)["max_request_body_size"] == 128 * 1024
    assert waitress_options(kiosk)["max_request_header_size"] == 16 * 1024
    assert "trusted_proxy" not in waitress_options(kiosk)
    assert waitress_options(kiosk | {"ROLE": "hub"})["max_request_body_size"] == 40 * 1024 * 1024
    behind_proxy = waitress_options(kiosk | {"TRUSTED_PROXY": "127.0.0.1"})
    assert behind_proxy["trusted_proxy"] == "127.0.0.1"
    assert behind_proxy["trusted_proxy_headers"] == {"x-forwarded-for", "x-forwarded-proto"}


# --- The same over real HTTP (waitress) ----------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = KioskServer(
        tmp_path_factory.mktemp("security") / "instance",
        extra_config='TRUSTED_PROXY = "127.0.0.1"\n',
    )
    server.start()
    yield server
    server.kill()


def fetch(server, path, method="GET", body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_cookies_are_secure_when_the_trusted_proxy_says_https(served):
    _, headers, _ = fetch(served, "/de/")
    assert "Secure" not in headers["Set-Cookie"]
    _, headers, _ = fetch(served, "/de/", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in headers["Set-Cookie"] and "HttpOnly" in headers["Set-Cookie"]


def test_waitress_cuts_off_huge_bodies_and_oversized_headers(served):
    status, _, body = fetch(served, "/de/visit/", "POST", b"x" * (80 * 1024))
    assert status == 413 and b"Das ist zu viel Text." in body  # the app's own page
    status, _, _ = fetch(served, "/de/visit/", "POST", b"x" * (300 * 1024))
    assert status == 413  # waitress refuses before the app reads it
    status, _, _ = fetch(served, "/de/", headers={"X-Junk": "x" * (20 * 1024)})
    assert status == 431
    status, headers, _ = fetch(served, "/de/")
    assert status == 200 and headers["Cache-Control"] == "no-store"


def test_the_server_answers_raw_garbage_without_falling_over(served):
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(b"\x00\xff GARBAGE /../../etc/passwd HTTP/9.9\r\n\r\n")
        answer = sock.recv(1024)
    status_line = answer.split(b"\r\n")[0]
    assert status_line.startswith(b"HTTP/1.") and b" 400" in status_line, status_line
    assert fetch(served, "/")[0] == 200

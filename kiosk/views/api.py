"""The hub's API for the sites (`/api/v1`): reports, heartbeats, the town-wide directory and
the forms from the Stadthaus, Bearer tokens, JSON only.

Every answer is JSON, errors included (see `http_error`, which kiosk/errors.py also uses for
unknown URLs and wrong methods below /api/), so a site can always read why it was refused.
"""

from flask import Blueprint, Response, abort, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from ..extensions import csrf
from ..hub.directory import published_directory
from ..hub.forms import forms_for_site, store_site_forms
from ..hub.receive import ReceiveError, parse_json, store_heartbeat, store_report
from ..hub.tokens import site_for_token
from ..models import HubSite
from .security import allow_larger_bodies

ROOT = "/api/"  # every answer below it is JSON, other versions' URLs too
bp = Blueprint("api", __name__, url_prefix=ROOT + "v1")
csrf.exempt(bp)  # sites authenticate with their token; there is no session to protect
# Reports carry a PDF: this route alone gets the larger limit (413 above it).
allow_larger_bodies("api.receive_report", lambda config: config["HUB_MAX_REPORT_BYTES"])

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    414: "uri_too_long",
}
MESSAGES = {
    400: "Die Anfrage ist fehlerhaft.",
    401: "Kein gültiger Schlüssel (Authorization: Bearer …).",
    403: "Das ist nicht erlaubt.",
    404: "Diese Adresse gibt es in der API nicht.",
    405: "Diese Methode ist hier nicht erlaubt.",
    413: "Die Anfrage ist zu groß.",
}


def json_error(status: int, message: str | None = None, error: str | None = None, field: str = ""):
    body = {
        "error": error or ERROR_CODES.get(status, "server_error"),
        "message": message or MESSAGES.get(status, "Fehler im Hub; bitte später erneut senden."),
    }
    if field:  # the part of the document that is wrong, as a path: "site.name"
        body["field"] = field
    return jsonify(body), status


def http_error(error: HTTPException):
    response = json_error(error.code or 500)
    if error.code == 405 and error.valid_methods:
        response[0].headers["Allow"] = ", ".join(error.valid_methods)
    return response


@bp.errorhandler(ReceiveError)
def refused(error: ReceiveError):
    return json_error(error.status, error.message, error.error, error.field)


@bp.before_request
def only_on_a_hub():
    if current_app.config["ROLE"] != "hub":
        abort(404)


def authenticated_site() -> HubSite:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    site = site_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if site is None:
        raise ReceiveError(401, "unauthorized", MESSAGES[401] + " Unbekannt oder gesperrt.")
    return site


def uploaded_report() -> tuple[object, bytes]:
    """The multipart parts `record` (JSON) and `pdf` (bytes)."""
    if request.mimetype != "multipart/form-data":
        raise ReceiveError(400, "bad_request", "Erwartet wird multipart/form-data.")
    record_part, pdf_part = request.files.get("record"), request.files.get("pdf")
    record_text = record_part.read() if record_part else request.form.get("record")
    if not record_text or pdf_part is None:
        raise ReceiveError(400, "bad_request", "Es fehlen die Teile record und pdf.")
    return parse_json(record_text), pdf_part.read()


@bp.post("/reports")
def receive_report():
    site = authenticated_site()
    record, pdf = uploaded_report()
    report, created = store_report(site, record, pdf)
    body = {
        "status": "stored" if created else "already_stored",
        "uuid": str(report.uuid),
        "receipt": report.receipt,
    }
    return jsonify(body), 201 if created else 200


@bp.post("/heartbeat")
def heartbeat():
    site = authenticated_site()
    if not request.is_json:
        raise ReceiveError(400, "bad_request", "Erwartet wird application/json.")
    body = parse_json(request.get_data())
    beat = store_heartbeat(site, body)  # checks the whole heartbeat, `forms` too
    store_site_forms(site, body)
    return jsonify(status="ok", received_at=beat.received_at.isoformat(timespec="seconds") + "Z")


@bp.get("/directory")
def directory():
    """The Stadthaus's offices and help lines for the sites (kiosk/sync/directory.py).

    The ETag changes only with the content; a site sending it back in If-None-Match gets 304
    without a body. The site keeps its copy in its database, not in an HTTP cache, so the answer
    stays `Cache-Control: no-store` as every other (views/security.py): no proxy keeps what
    a token opened.
    """
    authenticated_site()
    published = published_directory()
    headers = {"ETag": f'"{published.version}"'}
    if request.if_none_match.contains_weak(published.version):
        return Response(status=304, headers=headers)
    return Response(published.body, mimetype="application/json", headers=headers)


@bp.get("/forms")
def forms():
    """The forms the Stadthaus published for this site (kiosk/hub/forms.py,
    kiosk/sync/forms_pull.py): a strong ETag and 304 as for the directory."""
    site = authenticated_site()
    published = forms_for_site(site.slug)
    headers = {"ETag": f'"{published.version}"'}
    if request.if_none_match.contains(published.version):
        return Response(status=304, headers=headers)
    return Response(published.body(), mimetype="application/json", headers=headers)

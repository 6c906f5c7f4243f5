"""The coordinator's forms on a Treffpunkt (/review/formulare): every form and its versions, an
XLSForm upload checked into an "Entwurf" (kiosk/review/form_uploads.py) or refused with each
problem at its sheet, row and column, the Entwurf previewed on a simulated tablet in every
language (views/forms_preview.py), then published or discarded; a form held at one version.
Publishing and pinning: kiosk/publishing. Every change goes into the audit log.
"""

import zipfile
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from ..formspec import FormSpecError, XLSFormError, read_xlsform
from ..i18n import offered_languages
from ..publishing import PublishError, form_states
from ..publishing import pin as pin_form
from ..publishing import publish as publish_package
from ..review import form_uploads
from ..review.auth import audit, current_user, role_required
from . import kiosk_only, render_page
from .review import staff_error, use_staff_errors
from .security import allow_larger_bodies
from .staff_forms import XLSFormSettings

bp = Blueprint("forms_admin", __name__, url_prefix="/review/formulare")
bp.before_request(kiosk_only)
use_staff_errors(bp)
# The file and the few fields around it.
allow_larger_bodies("forms_admin.upload", lambda config: config["FORM_UPLOAD_MAX_BYTES"] + 65536)

# An .xlsx file is a ZIP archive; an .xls (Excel 97-2003) an OLE2 compound file.
EXCEL_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
ORIGIN_NAMES = {"shipped": "mitgeliefert", "upload": "hochgeladen", "hub": "vom Stadthaus"}
# The simulated tablet: (CSS width, height) of the kiosk's screens.
FORMATS = {"quer": (1024, 600), "hoch": (800, 1280)}


@dataclass(frozen=True)
class Problem:
    """One line of the check result: where in the file (if known) and what to change."""

    sheet: str | None
    row: int | None
    column: str | None
    message: str


class Refused(Exception):
    def __init__(self, status: int, problems: list[Problem]):
        super().__init__(status, problems)
        self.status, self.problems = status, problems


def instance() -> str:
    return current_app.instance_path


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    problem = Problem(None, None, None, too_large_message())
    return refused_page(Refused(413, [problem]), filename="")


def too_large_message() -> str:
    limit = current_app.config["FORM_UPLOAD_MAX_BYTES"] // 1024
    return f"Die Datei ist zu groß: höchstens {limit} KiB. Bilder oder leere Blätter entfernen."


# --- The list ---------------------------------------------------------------------------------


@bp.get("/")
@role_required("coordinator")
def index():
    return index_page(XLSFormSettings(meta={"csrf": False}))


def index_page(settings: XLSFormSettings, status: int = 200):
    return render_page(
        "forms_admin/index.html",
        status,
        settings=settings,
        states=form_states(),
        uploads=form_uploads.waiting(instance()),
        origin_names=ORIGIN_NAMES,
        limit_kib=current_app.config["FORM_UPLOAD_MAX_BYTES"] // 1024,
    )


# --- Upload and check ---------------------------------------------------------------------------


@bp.post("/hochladen")
@role_required("coordinator")
def upload():
    sent = request.files.get("datei")
    filename = (sent.filename or "") if sent else ""
    settings = XLSFormSettings(meta={"csrf": False})  # CSRFProtect checked the request
    if not settings.validate():
        return index_page(settings, 400)
    try:
        package = checked_package(
            sent, request.form.get("name", "").strip() or None, settings.given(), filename
        )
    except Refused as refusal:
        return refused_page(refusal, filename)
    kept = form_uploads.keep(instance(), package, filename, current_user().name)
    audit("form_uploaded", package.slug, filename)
    return redirect(url_for(".draft", upload_id=kept.id), 303)


def checked_package(sent, name: str | None, given: dict, filename: str):
    """The FormPackage of the uploaded XLSForm, or Refused with every problem found."""
    limit = current_app.config["FORM_UPLOAD_MAX_BYTES"]
    data = sent.read(limit + 1) if sent else b""
    if not data:
        raise Refused(400, [Problem(None, None, None, "Es kam keine Datei an. Bitte eine wählen.")])
    if len(data) > limit:
        raise Refused(413, [Problem(None, None, None, too_large_message())])
    if not data.startswith(EXCEL_STARTS):
        message = "Das ist keine Excel-Datei (.xlsx oder .xls). Bitte als .xlsx speichern."
        raise Refused(422, [Problem(None, None, None, message)])
    try:
        package = read_xlsform(data, name, given, filename)
        package.spec()
    except XLSFormError as error:
        problems = [Problem(p.sheet, p.row, p.column, p.message) for p in error.problems]
        raise Refused(422, problems) from None
    except FormSpecError as error:
        raise Refused(422, [Problem(None, None, error.field, error.message)]) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        current_app.logger.warning("XLSForm nicht lesbar: %s", error)
        message = (
            "Die Datei ließ sich nicht lesen. Bitte in Excel öffnen und neu als .xlsx speichern."
        )
        raise Refused(422, [Problem(None, None, None, message)]) from None
    return package


def refused_page(refusal: Refused, filename: str):
    return render_page(
        "forms_admin/problems.html", refusal.status, problems=refusal.problems, filename=filename
    )


# --- An Entwurf: its preview, publish, discard ----------------------------------------------------


def upload_or_404(upload_id: str):
    return form_uploads.find(instance(), upload_id) or abort(404)


@bp.get("/entwurf/<upload_id>")
@role_required("coordinator")
def draft(upload_id):
    return render_draft(upload_or_404(upload_id))


def render_draft(upload, status: int = 200, message: str = ""):
    languages = offered_languages(current_app.config)
    codes = [language.code for language in languages]
    code = request.args.get("sprache")
    language = languages[codes.index(code)] if code in codes else languages[0]
    shape = request.args.get("format") if request.args.get("format") in FORMATS else "quer"
    spec = upload.spec
    return render_page(
        "forms_admin/draft.html",
        status,
        upload=upload,
        spec=spec,
        languages=languages,
        language=language,
        shape=shape,
        size=FORMATS[shape],
        translated=translated_counts(upload.package, languages),
        message=message,
    )


def translated_counts(package, languages) -> dict[str, int]:
    """{language code: texts the package translates}, a variant (fa-AF) counting its base's
    texts, as the preview shows them (forms_preview.use_package_texts)."""
    counts = {}
    for language in languages:
        texts = package.translations.get(language.code) or package.translations.get(language.base)
        if texts:
            counts[language.code] = len(texts)
    return counts


@bp.post("/entwurf/<upload_id>/veroeffentlichen")
@role_required("coordinator")
def publish(upload_id):
    upload = upload_or_404(upload_id)
    try:
        version = publish_package(upload.package, by=current_user().name, origin="upload")
    except PublishError as error:
        return render_draft(upload, 422, str(error))
    form_uploads.discard(instance(), upload.id)
    audit("form_published", upload.package.slug, f"Version {version.number}")
    flash(published_message(version))
    return redirect(url_for(".index"), 303)


def published_message(version) -> str:
    """Whether the new version is in force, or waits for the visitors answering the old one."""
    title = f"„{version.slug}“ Version {version.number}"
    state = next((s for s in form_states() if s.slug == version.slug), None)
    if state is not None and state.active_number == version.number:
        return f"Veröffentlicht: {title} ist jetzt aktiv."
    return (
        f"Veröffentlicht: {title} wartet. Sie wird aktiv, sobald niemand mehr das Formular"
        " angefangen hat (oder das Festhalten gelöst ist)."
    )


@bp.post("/entwurf/<upload_id>/verwerfen")
@role_required("coordinator")
def discard(upload_id):
    upload = upload_or_404(upload_id)
    form_uploads.discard(instance(), upload.id)
    audit("form_discarded", upload.package.slug, upload.filename)
    flash(f"Entwurf „{upload.package.slug}“ verworfen.")
    return redirect(url_for(".index"), 303)


# --- Pinning ------------------------------------------------------------------------------------


@bp.post("/<slug>/festhalten")
@role_required("coordinator")
def pin(slug):
    wanted = request.form.get("version", "").strip()
    if wanted and not wanted.isdigit():
        return staff_error(400, "Nicht festgehalten", "Bitte eine Versionsnummer angeben.")
    number = int(wanted) if wanted else None
    try:
        pin_form(slug, number, by=current_user().name)
    except PublishError as error:
        return staff_error(422, "Nicht festgehalten", str(error))
    if number is None:
        audit("form_unpinned", slug)
        flash(f"„{slug}“ ist nicht mehr festgehalten.")
    else:
        audit("form_pinned", slug, f"Version {number}")
        flash(f"„{slug}“ bleibt bei Version {number}.")
    return redirect(url_for(".index"), 303)

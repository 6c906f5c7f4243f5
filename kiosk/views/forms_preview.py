"""An uploaded form (an Entwurf, kiosk/review/form_uploads.py) answered in the preview frame of
/review/formulare, in any visitor language: the kiosk's own templates, so the coordinator sees
what visitors will see, and nothing stored.

The answers given so far travel in the URL (`?a=`, JSON in base64url): no Draft, no Submission,
no FormVersion row. The Entwurf is not published, so gettext does not know its texts yet: the
catalogs (with the Sprachpaten's corrections) translate the interface, the package's own
translations the form's texts, written over them for this request only.
"""

import base64
import binascii
import json
import uuid
import zlib
from types import SimpleNamespace
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, g, redirect, request, url_for

from ..formspec.visitor_code import visitor_code
from ..i18n import LANGUAGES, offered_languages, request_translations
from ..i18n.overrides import overlaid
from ..review import form_uploads
from ..review.auth import role_required
from ..visitor import route
from ..visitor.drafts import answers_with, shown_answer
from . import kiosk_only, render_after_post, render_page
from .kiosk import step_context
from .kiosk_helpers import language_list, posted_answer, queued
from .sprachpaten import PREVIEW_POLICY

bp = Blueprint("form_preview", __name__, url_prefix="/review/formulare/vorschau")
bp.before_request(kiosk_only)
STATE_ARG = "a"
STATE_CHARS = 1500  # of the URL's 2048 (MAX_URL_LENGTH), the rest for the path and the query
STATE_BYTES = 64 * 1024  # the most a state unpacks to
PREVIEW_HASH = "vorschau"  # the form version a queued preview answer would name: none exists


def offered_codes() -> set[str]:
    return {language.code for language in offered_languages(current_app.config)}


@bp.url_value_preprocessor
def pull_language(endpoint, values):
    code = values.pop("lang", None) if values else None
    if code is not None:
        if code not in offered_codes():
            abort(404)
        g.language = LANGUAGES[code]


@bp.after_request
def allow_frame(response: Response) -> Response:
    """The preview is shown in a frame of the Formulare page of this same server."""
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.context_processor
def preview_start():
    """The idle timer and the thank-you lead back to the preview's first question (base.html)."""
    upload_id = (request.view_args or {}).get("upload_id")
    if upload_id is None or g.get("language") is None:
        return {}
    url = url_for("form_preview.first_step", upload_id=upload_id, lang=g.language.code)
    return {"preview_start_url": url}


def upload_or_404(upload_id: str):
    upload = form_uploads.find(current_app.instance_path, upload_id)
    if upload is None:
        abort(404)
    use_package_texts(upload.package, g.language.code)
    return upload


def use_package_texts(package, code: str) -> None:
    """This request's translations: the catalog's, with the package's texts for `code` on top."""
    base = request_translations()
    texts = package.translations.get(code) or package.translations.get(code.split("-")[0])
    g.kiosk_translations = overlaid(base, texts) if texts else base


def translate(text: str) -> str:
    return request_translations().ugettext(text)


# --- The answers in the URL ------------------------------------------------------------------


def read_state(encoded: str) -> dict:
    """The answers of `?a=`; anything unreadable is no answers at all."""
    try:
        packed = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        unpacker = zlib.decompressobj()
        text = unpacker.decompress(packed, STATE_BYTES)
        if unpacker.unconsumed_tail:
            return {}
        answers = json.loads(text)
    except (binascii.Error, zlib.error, ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(answers, dict):
        return {}
    return {key: value for key, value in answers.items() if isinstance(key, str)}


def write_state(answers: dict) -> str:
    """`answers` for the URL, compressed. URLs end at MAX_URL_LENGTH (2048): where long texts
    would not fit, the longest are shortened ("…"), in the preview only."""
    while True:
        text = json.dumps(answers, ensure_ascii=False, separators=(",", ":"))
        packed = zlib.compress(text.encode("utf-8"), 9)
        encoded = base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")
        longest = max(
            (key for key, value in answers.items() if isinstance(value, str) and len(value) > 20),
            key=lambda key: len(answers[key]),
            default=None,
        )
        if len(encoded) <= STATE_CHARS or longest is None:
            return encoded
        answers = {**answers, longest: answers[longest][: len(answers[longest]) * 3 // 4] + "…"}


class PreviewLinks:
    """The links of the kiosk templates (as kiosk_helpers.DraftLinks), each carrying the
    answers given so far."""

    def __init__(self, upload_id: str, answers: dict):
        self.base = url_for("form_preview.first_step", upload_id=upload_id, lang=g.language.code)
        self.state = write_state(answers)
        self.summary = self.with_state(self.base + "summary")
        self.submit = self.with_state(self.base + "submit")
        self.reset = self.base + "reset"

    def with_state(self, path: str, query: str = "") -> str:
        return f"{path}?{STATE_ARG}={self.state}{query}"

    def step(self, name: str, review: bool = False, then: tuple[str, ...] = ()) -> str:
        query = "&review=1" if review else ""
        if then:
            query += f"&then={quote(','.join(then), safe=',')}"
        return self.with_state(f"{self.base}step/{name}", query)


def preview_draft(upload_id: str, answers: dict) -> SimpleNamespace:
    """What the templates read of a draft, made up: nothing of it is stored."""
    return SimpleNamespace(
        uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"formular-vorschau/{upload_id}"),
        answers=answers,
        lang=g.language.code,
        form_version=SimpleNamespace(version_hash=PREVIEW_HASH),
    )


# --- The pages ---------------------------------------------------------------------------------


def render_step(upload, answers, field, form=None, status=200, review=False, then=()):
    """The kiosk's step (kiosk.step_context), with the preview's links and the package's texts."""
    draft = preview_draft(upload.id, answers)
    if form is None:
        form = field.make_form(translate, value=shown_answer(draft, field.name))
    links = PreviewLinks(upload.id, answers)
    context = step_context(upload.spec, draft, field, form, review, then=then, links=links)
    return render_page("kiosk/step.html", status=status, **context)


def render_summary(upload, answers):
    spec = upload.spec
    draft = preview_draft(upload.id, answers)
    rows = [
        (field, field.display(shown_answer(draft, field.name), translate, join=language_list))
        for field in spec.visible_fields(answers)
    ]
    links = PreviewLinks(upload.id, answers)
    return render_page(
        "kiosk/summary.html",
        spec=spec,
        draft=draft,
        rows=rows,
        message=None,
        links=links,
        here=links.summary,
        queued_code=visitor_code(draft.uuid) if spec.visitor_code else None,
    )


def render_thanks(upload):
    spec = upload.spec
    code = visitor_code(preview_draft(upload.id, {}).uuid) if spec.visitor_code else None
    return render_page(
        "kiosk/thanks.html", visitor_code=code, needs_help=[], reading_seconds=0, preview=True
    )


def go_to(upload, answers, field, review=False, then=()) -> Response:
    links = PreviewLinks(upload.id, answers)
    if field is None:
        return render_after_post(links.summary, lambda: render_summary(upload, answers))
    return render_after_post(
        links.step(field.name, review, then),
        lambda: render_step(upload, answers, field, review=review, then=then),
    )


def field_or_404(spec, name: str):
    try:
        return spec.field(name)
    except KeyError:
        abort(404)


@bp.get("/<upload_id>/<lang>/")
@role_required("coordinator")
def first_step(upload_id):
    upload = upload_or_404(upload_id)
    spec = upload.spec
    return render_step(upload, {}, spec.visible_fields({})[0])


@bp.route("/<upload_id>/<lang>/step/<name>", methods=["GET", "POST"])
@role_required("coordinator")
def step(upload_id, name):
    upload = upload_or_404(upload_id)
    field = field_or_404(upload.spec, name)
    answers = read_state(request.args.get(STATE_ARG, ""))
    if request.method == "GET":
        review = request.args.get("review") == "1"
        return render_step(upload, answers, field, review=review, then=queued(request.args))
    return answer_step(upload, answers, field)


def answer_step(upload, answers: dict, field):
    """As views/kiosk.py answer_step, with the answers in the URL instead of a draft."""
    spec = upload.spec
    direction = request.form.get("direction", "")
    reviewing = request.form.get("review") == "1"
    if request.form.get("decline") and field.type == "consent" and field.required:
        url = url_for(".declined", upload_id=upload.id, lang=g.language.code)
        return render_after_post(url, lambda: render_page("kiosk/declined.html", forms=[]))
    form = field.make_form(translate, formdata=posted_answer())
    before = answers
    if form.validate():
        answers = answers_with(
            answers, field.name, field.stored_value(form), field.typed_value(form)
        )
        if spec.one_tap:
            return finish(upload)
    elif direction != "back":
        then = queued(request.form)
        return render_step(upload, answers, field, form, 422, review=reviewing, then=then)
    if direction == "back":
        visible, position = route.place_of(spec, answers, field)
        if position == 0:
            return finish(upload, again=True)
        return go_to(upload, answers, visible[position - 1])
    if reviewing:
        waiting = route.review_queue(spec, before, answers, queued(request.form))
        if waiting:
            return go_to(upload, answers, spec.field(waiting[0]), review=True, then=waiting[1:])
    if reviewing or direction == "finish":
        return go_to(upload, answers, route.first_missing(spec, answers))
    return go_to(upload, answers, route.next_field(spec, answers, field))


@bp.get("/<upload_id>/<lang>/abgelehnt")
@role_required("coordinator")
def declined(upload_id):
    upload_or_404(upload_id)
    return render_page("kiosk/declined.html", forms=[])


@bp.get("/<upload_id>/<lang>/summary")
@role_required("coordinator")
def summary(upload_id):
    upload = upload_or_404(upload_id)
    return render_summary(upload, read_state(request.args.get(STATE_ARG, "")))


@bp.post("/<upload_id>/<lang>/submit")
@role_required("coordinator")
def submit(upload_id):
    """The end of the preview: the thank-you, and nothing stored."""
    upload = upload_or_404(upload_id)
    spec = upload.spec
    answers = read_state(request.args.get(STATE_ARG, ""))
    missing = route.first_missing(spec, answers)
    if missing:
        return go_to(upload, answers, missing)
    return finish(upload)


def finish(upload, again: bool = False) -> Response:
    if again:
        url = url_for(".first_step", upload_id=upload.id, lang=g.language.code)
        spec = upload.spec
        return render_after_post(url, lambda: render_step(upload, {}, spec.visible_fields({})[0]))
    url = url_for(".thanks", upload_id=upload.id, lang=g.language.code)
    return render_after_post(url, lambda: render_thanks(upload))


@bp.get("/<upload_id>/<lang>/danke")
@role_required("coordinator")
def thanks(upload_id):
    return render_thanks(upload_or_404(upload_id))


@bp.post("/<upload_id>/<lang>/reset")
@role_required("coordinator")
def reset(upload_id):
    """ "Abbrechen" and the idle timer: back to the preview's first question."""
    upload_or_404(upload_id)
    if request.args.get("quiet"):
        return "", 204
    return redirect(url_for(".first_step", upload_id=upload_id, lang=g.language.code), 303)

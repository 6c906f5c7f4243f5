"""The Sprachpaten's recording pages: per language, every text with a speaker button and where its
recording stands; recording in the browser, approval by a second person, removal.

Who may do what (`speaks_for`): a volunteer records, approves and removes in the languages the
account names (`speaks`); coordinators and admins in every language. Nobody approves a take they
recorded themselves. Every upload, approval and removal goes into the audit log.

The language page is the only page that may use the microphone (Permissions-Policy
`microphone=(self)`; every other page forbids it, kiosk/views/security.py) and play a `blob:`
URL (the take just recorded, before it is sent: CSP `media-src 'self' blob:`). Browsers grant
the microphone only on a secure origin: HTTPS, or http://127.0.0.1 on the device itself (see
the README).
The recording is sent as a multipart upload (`audio`), the same form a file chooser fills
without JavaScript; the server reads its length and codec from the container
(kiosk/visitor/audio_container.py), never from the browser.
"""

from flask import Blueprint, abort, current_app, redirect, request, send_file, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import db
from ..i18n import LANGUAGES, offered_languages
from ..models import Recording
from ..models.recordings import speaks_for
from ..review.auth import audit, current_user, login_required
from ..visitor.audio_container import NotAudio
from ..visitor.takes import (
    IMPORTER,
    STATE_LABELS,
    approve_take,
    discard_take,
    remove_played,
    store_take,
    take_path,
    text_states,
)
from . import render_component, render_page
from .review import staff_error, use_staff_errors
from .security import (
    CONTENT_SECURITY_POLICY,
    allow_larger_bodies,
    permissions_policy,
    recording_body,
)
from .spoken_texts import spoken_texts

bp = Blueprint("recordings", __name__, url_prefix="/review/recordings")
use_staff_errors(bp)
allow_larger_bodies("recordings.upload", recording_body)
RECORDING_PAGE_HEADERS = {
    "Permissions-Policy": permissions_policy("microphone"),
    "Content-Security-Policy": f"{CONTENT_SECURITY_POLICY}; media-src 'self' blob:",
}
SHOWN = {"alle": None, "offen": ("none", "rerecord"), "warten": ("pending",)}


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    limit = current_app.config["RECORDING_MAX_BYTES"] // 1024
    return staff_error(413, "Zu groß", f"Eine Aufnahme darf höchstens {limit} KiB groß sein.")


def language_or_404(lang: str):
    return LANGUAGES.get(lang) or abort(404)


def may_work_on(lang: str) -> None:
    if not speaks_for(current_user(), lang):
        abort(403)


def current_text(lang: str, hash_: str):
    """The text with these words in the language now, or None (its words changed)."""
    return next((text for text in spoken_texts(lang) if text.hash == hash_), None)


def text_or_404(lang: str, hash_: str):
    return current_text(lang, hash_) or abort(404)


# --- Pages ------------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    user = current_user()
    languages = []
    for language in offered_languages(current_app.config):
        texts = spoken_texts(language.code)
        states = text_states(language.code, [text.wording for text in texts])
        counts = {state: 0 for state in STATE_LABELS}
        for state in states.values():
            counts[state.state] += 1
        languages.append((language, len(texts), counts, speaks_for(user, language.code)))
    return render_page("recordings/index.html", languages=languages)


@bp.get("/<lang>")
@login_required
def language_page(lang):
    language = language_or_404(lang)
    shown = request.args.get("zeigen", "alle")
    response = render_page("recordings/language.html", **page_context(language, shown))
    response.headers.update(RECORDING_PAGE_HEADERS)
    return response


def page_context(language, shown: str = "alle", problems: dict | None = None) -> dict:
    texts = spoken_texts(language.code)
    states = text_states(language.code, [text.wording for text in texts])
    wanted = SHOWN.get(shown)
    rows = [
        row_context(language, text, states[text.hash], (problems or {}).get(text.hash))
        for text in texts
        if wanted is None or states[text.hash].state in wanted
    ]
    return {"language": language, "rows": rows, "shown": shown, "total": len(texts)}


def row_context(language, text, state, problem: str | None = None, done: str = "") -> dict:
    user = current_user()
    may_record = speaks_for(user, language.code)
    return {
        "language": language,
        "text": text,
        "state": state,
        "may_record": may_record,
        "may_approve": bool(
            may_record and state.pending and state.pending.recorded_by != user.name
        ),
        "problem": problem,
        "done": done,
        "importer": IMPORTER,
    }


def row(language, text, status: int = 200, problem: str | None = None, done: str = ""):
    """The text's row again (htmx, recorder.js); without JavaScript, the page (on an error,
    with the problem at the text) or back to the text on it."""
    state = text_states(language.code, [text.wording])[text.hash]
    context = row_context(language, text, state, problem, done)

    def whole_page():
        if status >= 400:
            context = page_context(language, problems={text.hash: problem})
            response = render_page("recordings/language.html", status, **context)
            response.headers.update(RECORDING_PAGE_HEADERS)
            return response
        page = url_for("recordings.language_page", lang=language.code)
        return redirect(f"{page}#text-{text.hash}", 303)

    return render_component("recordings/_row.html", context, whole_page, status)


# --- Recording, approval, removal -------------------------------------------------------------


@bp.post("/<lang>/<hash_>")
@login_required
def upload(lang, hash_):
    language = language_or_404(lang)
    may_work_on(lang)
    text = text_or_404(lang, hash_)
    sent = request.files.get("audio")
    if sent is None:
        return row(language, text, 400, "Es kam keine Aufnahme an.")
    data = sent.read(current_app.config["RECORDING_MAX_BYTES"] + 1)
    try:
        take, replaced = store_take(
            current_app._get_current_object(), lang, text.wording, data, current_user().name
        )
    except NotAudio as refused:
        return row(language, text, refused.status, str(refused))
    detail = f"{lang}/{hash_}, {take.duration_ms / 1000:.1f} s, {take.size} Bytes"
    if replaced:
        detail += f"; ersetzt {', '.join(map(str, replaced))}"
    audit("recording_uploaded", f"recording/{take.id}", detail)
    return row(language, text, done="Aufnahme gespeichert: sie wartet auf Freigabe.")


def take_or_404(take_id: int) -> Recording:
    return Recording.get_or_none(Recording.id == take_id) or abort(404)


@bp.get("/take/<int:take_id>")
@login_required
def take_audio(take_id):
    """A take waiting for approval, to listen to it (staff only, never cached)."""
    take = take_or_404(take_id)
    if not take.pending:
        abort(404)
    try:
        return send_file(take_path(current_app._get_current_object(), take), f"audio/{take.ext}")
    except FileNotFoundError:
        abort(404)


@bp.post("/take/<int:take_id>/approve")
@login_required
def approve(take_id):
    take = take_or_404(take_id)
    language = language_or_404(take.lang)
    may_work_on(take.lang)
    if not take.pending:
        abort(404)
    text = current_text(take.lang, take.text_hash)
    if text is None:
        words = "Der Text hat sich seit dieser Aufnahme geändert. Bitte neu aufnehmen."
        return staff_error(409, "Text geändert", words)
    if take.recorded_by == current_user().name:
        problem = "Eine eigene Aufnahme gibt eine zweite Person frei (Sprachpate, Koordination)."
        return row(language, text, 403, problem)
    try:
        with db.atomic():
            approve_take(current_app._get_current_object(), take, current_user().name)
            audit("recording_approved", f"recording/{take.id}", f"{take.lang}/{take.text_hash}")
    except NotAudio as refused:
        return row(language, text, refused.status, str(refused))
    return row(language, text, done="Freigegeben: die Aufnahme wird jetzt am Kiosk abgespielt.")


@bp.post("/take/<int:take_id>/discard")
@login_required
def discard(take_id):
    take = take_or_404(take_id)
    language = language_or_404(take.lang)
    may_work_on(take.lang)
    if not take.pending:
        abort(404)
    text = text_or_404(take.lang, take.text_hash)
    with db.atomic():
        discard_take(current_app._get_current_object(), take)
        detail = f"{take.lang}/{take.text_hash} verworfen"
        audit("recording_removed", f"recording/{take.id}", detail)
    return row(language, text, done="Die wartende Aufnahme ist verworfen.")


@bp.post("/<lang>/<hash_>/remove")
@login_required
def remove(lang, hash_):
    """The recording that plays for a text, or the kept one of its earlier wording, goes."""
    language = language_or_404(lang)
    may_work_on(lang)
    text = text_or_404(lang, request.form.get("text", hash_))
    with db.atomic():
        if not remove_played(current_app._get_current_object(), lang, hash_):
            abort(404)
        audit("recording_removed", f"{lang}/{hash_}", "freigegebene Aufnahme entfernt")
    return row(language, text, done="Die Aufnahme ist entfernt.")

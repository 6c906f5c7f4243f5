"""Recordings of the visitor's texts, served from the instance folder for the speaker button.

`/audio/<lang>/<hash>.<version>.<ext>` (kiosk/visitor/audio.py names them). Only recordings the
index knows are served: the path on disk comes from the index, never from the URL. The text
hash names the text, not the recording, and a volunteer may import a better recording for the
same text; so the URL also carries the file's version (size and modification time). A URL whose
version is the current file's never changes its content and is cached for a year (`immutable`),
like the hashed static files; a URL with an old version (a page rendered before an import) or
none gets the current file with `no-cache` and an ETag, so the browser asks again each time.
"""

import re
from dataclasses import dataclass

from flask import Blueprint, abort, send_file
from flask_babel import gettext
from markupsafe import Markup, escape

from ..i18n import LANGUAGES, current_language
from ..visitor import audio as store
from .assets import IMMUTABLE, REVALIDATE
from .templating import icon

bp = Blueprint("audio", __name__, url_prefix="/audio")

VERSIONED_NAME = re.compile(
    rf"^(?P<hash>[0-9a-f]{{{store.HASH_LENGTH}}})\.(?P<version>[0-9a-f]{{{store.VERSION_LENGTH}}})"
    rf"\.(?P<ext>{'|'.join(store.TYPES)})$"
)


@bp.get("/<lang>/<name>")
def recording(lang: str, name: str):
    match = VERSIONED_NAME.match(name) or store.FILE_NAME.match(name)
    if lang not in LANGUAGES or not match:
        abort(404)
    found = store.recordings().find(lang, match["hash"])
    if found is None:
        abort(404)
    current = match.groupdict().get("version") == found.version and match["ext"] == found.ext
    try:
        response = send_file(
            found.path, mimetype=found.mimetype, etag=f"{found.hash}-{found.version}"
        )
    except FileNotFoundError:  # removed since the index last looked
        store.recordings().refresh(lang)
        abort(404)
    response.headers["Cache-Control"] = IMMUTABLE if current else REVALIDATE
    response.headers.pop("Expires", None)
    return response


@dataclass(frozen=True)
class Speaker:
    say: str  # the text to read, as shown
    name: str  # what the button's accessible name says it reads: a short label or the text
    lang: str  # the visitor's language
    audio: str | None  # the recording's URL, if one was made for exactly this text


def speaker_source(text, label=None, lang=None) -> Speaker | None:
    """What templates/kiosk/_speaker.html needs for one text, or None for no text; `lang`: the
    language the text is in, when it is not the page's (a German text shown as a fallback).

    Plain strings only (a translation comes as Markup from `_()`), so the template escapes
    them in its attributes.
    """
    say = store.spoken_text(text)
    if not say:
        return None
    code = lang or current_language().code
    return Speaker(say, store.spoken_text(label) or say, code, store.recording_url(code, say))


@bp.app_template_global("speaker")
def speaker(text, label=None, lang=None) -> Markup:
    """The read-aloud button of one text, `{{ speaker(_(field.label)) }}`, beside the text it
    reads (never inside another button or link); `label`: a short name for a long text (the
    consent), said after "Vorlesen:" to screen readers. It starts hidden; static/js/speech.js
    shows it when a recording exists (data-audio) or the device has a local voice for the
    language, and plays it on a tap, never by itself. `lang` as in `speaker_source`.

    Python rather than a template macro: a step has a dozen of them.
    """
    source = speaker_source(text, label, lang)
    if source is None:
        return Markup("")
    name = escape(gettext("Vorlesen: %(text)s", text=source.name))
    audio = f' data-audio="{escape(source.audio)}"' if source.audio else ""
    return Markup(
        f'<button type="button" class="speaker" hidden aria-pressed="false" aria-label="{name}"'
        f' data-say="{escape(source.say)}" data-lang="{source.lang}"{audio}>'
        f"{icon('volume')}{icon('player-stop')}</button>"
    )

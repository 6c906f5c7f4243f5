"""Recordings that read the visitor's texts aloud, stored by language and text hash.

The text hash names one text as the visitor sees it in one language: the first 16 hex digits
of the SHA-256 of its UTF-8 bytes, after Unicode NFC normalisation, every run of white space
made one space, and the ends stripped (`spoken_text`). It is taken of the translated text, so a
changed translation (or a changed German source) has a new hash and never plays an old
recording. `kiosk audio hashes --lang LANG` prints every visitor text of a language with its hash.

A recording is `<instance>/audio/<lang>/<hash>.<ext>`, one per language and hash, with `ext`
one of TYPES; its content must start as that type does (`sniff`) and hold at most MAX_BYTES.
`kiosk audio import` copies recordings there (`store_recording`), and so does the approval of a
take recorded on the staff page (kiosk/visitor/takes.py; takes wait in `audio/takes/`, which no
visitor's page ever plays); the speaker button (templates/kiosk/_speaker.html) asks
`recording_url` whether one exists for its text. A file there is an approved recording: it
plays. The files are readable by the kiosk's user only (0600), like the database, and
`kiosk backup` carries them (kiosk/maintenance/backup.py).

Which recordings exist is kept in memory per app (`RecordingIndex`), read per language on first
use. Another process (`kiosk audio import` beside `kiosk serve`) changes a language's folder,
and so its modification time, which the index looks at no more than every CHECK_SECONDS.
A recording's URL carries a version made of its file's size and modification time, so a new
recording for the same text gets a new URL, and a URL can be cached for good.
"""

import hashlib
import os
import re
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from babel.support import Translations
from flask import Flask, current_app, url_for

from .. import changes
from ..files import PRIVATE_FILE, PRIVATE_FOLDER, sync_folder
from ..formspec import UI_TEXTS, FormSpec
from ..i18n import LANGUAGES, TRANSLATIONS_DIR
from ..i18n.catalogs import PLACEHOLDER, POT_FILE, read_catalog

AUDIO_FOLDER = "audio"  # in the instance folder
TAKES_FOLDER = "takes"  # in AUDIO_FOLDER: takes waiting for approval (kiosk/visitor/takes.py)
HASH_LENGTH = 16
VERSION_LENGTH = 8
MAX_BYTES = 2 * 1024 * 1024
TYPES = {
    "ogg": "audio/ogg",
    "opus": "audio/ogg",  # Opus in an Ogg container, as .opus files are
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "webm": "audio/webm",
    "wav": "audio/wav",
}
TYPE_NAMES = {
    "ogg": "Ogg",
    "opus": "Ogg-Opus",
    "mp3": "MP3",
    "m4a": "MP4-Audio (M4A)",
    "webm": "WebM",
    "wav": "WAV",
}
FILE_NAME = re.compile(rf"^(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})\.(?P<ext>{'|'.join(TYPES)})$")
CHECK_SECONDS = 2.0
WHITE_SPACE = re.compile(r"\s+")


def spoken_text(text) -> str:
    """The text as it is hashed and read: NFC, white space runs as one space, stripped."""
    return _spoken(str(text or ""))


def text_hash(text) -> str:
    """The name of a text's recording (without extension): see the module's docstring."""
    return _hashed(spoken_text(text))


# A step shows a dozen texts, the same ones on every visit: each is worked out once.
@lru_cache(maxsize=4096)
def _spoken(text: str) -> str:
    return unicodedata.normalize("NFC", WHITE_SPACE.sub(" ", text)).strip()


@lru_cache(maxsize=4096)
def _hashed(spoken: str) -> str:
    return hashlib.sha256(spoken.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def sniff(data: bytes) -> str | None:
    """The type (a key of TYPES) the content starts as, or None for anything else.

    Ogg holding Opus is "opus"; other Ogg (Vorbis, …) is "ogg". Both are accepted as ".ogg".
    """
    if data[:4] == b"OggS":
        return "opus" if data[28:36] == b"OpusHead" else "ogg"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    if data[4:8] == b"ftyp":
        return "m4a"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    return None


def content_fits(ext: str, data: bytes) -> bool:
    found = sniff(data)
    return found == ext or (ext == "ogg" and found == "opus")


def refusal(name: str, data: bytes) -> str | None:
    """Why a file of this name and content cannot be a recording (German), or None."""
    match = FILE_NAME.match(name)
    if not match:
        return (
            f"Der Name ist kein Text-Hash mit bekannter Endung "
            f"({HASH_LENGTH} Zeichen 0-9/a-f, dann .{', .'.join(TYPES)})"
        )
    if not data:
        return "Die Datei ist leer"
    if len(data) > MAX_BYTES:
        return f"Die Datei ist größer als {MAX_BYTES // (1024 * 1024)} MB"
    if not content_fits(match["ext"], data):
        found = sniff(data)
        shown = f"eine {TYPE_NAMES[found]}-Datei" if found else "keine bekannte Audiodatei"
        return f"Der Inhalt ist keine {TYPE_NAMES[match['ext']]}-Datei, sondern {shown}"
    return None


@dataclass(frozen=True)
class Recording:
    lang: str
    hash: str
    ext: str
    path: str
    version: str  # changes with the file: size and modification time

    @property
    def name(self) -> str:
        """The file name in URLs: `<hash>.<version>.<ext>`."""
        return f"{self.hash}.{self.version}.{self.ext}"

    @property
    def mimetype(self) -> str:
        return TYPES[self.ext]


def file_version(stat: os.stat_result) -> str:
    key = f"{stat.st_size}:{stat.st_mtime_ns}".encode()
    return hashlib.sha256(key).hexdigest()[:VERSION_LENGTH]


class RecordingIndex:
    """Which recordings exist, per language, read from the folder on first use and kept."""

    def __init__(self, folder: str):
        self.folder = folder
        self.lock = threading.Lock()
        self.bell = changes.token("recordings")  # kiosk.changes' token when last refreshed
        # lang -> (folder's modification time or None, time of the last look, {hash: Recording})
        self.languages: dict[str, tuple[int | None, float, dict[str, Recording]]] = {}

    def find(self, lang: str, hash_: str) -> Recording | None:
        return self.of_language(lang).get(hash_)

    def of_language(self, lang: str) -> dict[str, Recording]:
        known = self.languages.get(lang)
        now = time.monotonic()
        if self.bell != changes.token("recordings"):  # a recording came through another worker
            self.refresh(ring=False)
            known = None
        if known is not None and now - known[1] < CHECK_SECONDS:
            return known[2]
        with self.lock:
            known = self.languages.get(lang)
            changed = self.folder_time(lang)
            if known is None or changed is None or changed != known[0]:
                recordings = self.read(lang)
            else:
                recordings = known[2]
            self.languages[lang] = (changed, now, recordings)
            return recordings

    def folder_time(self, lang: str) -> int | None:
        """The language folder's modification time, or None while it may still change unseen
        (a file added in the same clock tick as the last read) or when there is no folder."""
        try:
            changed = os.stat(os.path.join(self.folder, lang)).st_mtime_ns
        except OSError:
            return None
        return None if time.time_ns() - changed < CHECK_SECONDS * 1e9 else changed

    def read(self, lang: str) -> dict[str, Recording]:
        found: dict[str, tuple[int, Recording]] = {}
        try:
            entries = list(os.scandir(os.path.join(self.folder, lang)))
        except OSError:
            return {}
        for entry in entries:
            match = FILE_NAME.match(entry.name)
            if not match or not entry.is_file():
                continue
            stat = entry.stat()
            recording = Recording(lang, match["hash"], match["ext"], entry.path, file_version(stat))
            # Two files for one text (copied by hand): the newer one plays.
            if match["hash"] not in found or found[match["hash"]][0] < stat.st_mtime_ns:
                found[match["hash"]] = (stat.st_mtime_ns, recording)
        return {hash_: recording for hash_, (_, recording) in found.items()}

    def refresh(self, lang: str | None = None, ring: bool = True) -> None:
        """Forget what was read, so the next use reads the folder again (after an import);
        `ring`: the other workers of `kiosk serve` too (kiosk/changes.py)."""
        if ring:
            changes.ring("recordings")
        with self.lock:
            self.bell = changes.token("recordings")
            if lang is None:
                self.languages.clear()
            else:
                self.languages.pop(lang, None)

    def all(self) -> list[Recording]:
        """Every recording of every language folder."""
        try:
            with os.scandir(self.folder) as entries:
                langs = sorted(entry.name for entry in entries if entry.name in LANGUAGES)
        except OSError:
            return []
        return [r for lang in langs for r in sorted(self.of_language(lang).values(), key=str)]


def audio_folder(app: Flask) -> str:
    return os.path.join(app.instance_path, AUDIO_FOLDER)


def write_private(path: str, data: bytes) -> None:
    """Write `data` durably and readable by this user only: a private temporary file in the same
    folder, synced, then renamed over the target; the folder is made (0700) when missing."""
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        parent = os.path.dirname(folder)  # the audio folder, for a language's or the takes'
        os.makedirs(parent, mode=PRIVATE_FOLDER, exist_ok=True)
        os.makedirs(folder, mode=PRIVATE_FOLDER, exist_ok=True)
        sync_folder(parent)
    temporary = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "wb") as target:
            target.write(data)
            target.flush()
            os.fsync(target.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    sync_folder(folder)


def remove_recording(app: Flask, lang: str, hash_: str) -> bool:
    """Delete the recording of this text in this language (any format); False if there was none."""
    folder = os.path.join(audio_folder(app), lang)
    removed = False
    for ext in TYPES:
        path = os.path.join(folder, f"{hash_}.{ext}")
        if os.path.exists(path):
            os.remove(path)
            removed = True
    if removed:
        sync_folder(folder)
        recordings(app).refresh(lang)
    return removed


def recordings(app: Flask | None = None) -> RecordingIndex:
    """The app's index of recordings, made on first use."""
    app = app or current_app._get_current_object()
    index = app.extensions.get("kiosk_audio")
    if index is None:
        index = app.extensions.setdefault("kiosk_audio", RecordingIndex(audio_folder(app)))
    return index


def lookup_languages(code: str) -> tuple[str, ...]:
    """Where a language's recordings are looked for: its own, then the language it is a
    variant of (Dari, fa-AF, shows the Persian catalog where it has no text of its own)."""
    language = LANGUAGES.get(code)
    return (code, language.base) if language and language.base != code else (code,)


def find_recording(code: str, hash_: str) -> Recording | None:
    """The recording of the text with this hash in language `code` (or its base), or None."""
    index = recordings()
    for lang in lookup_languages(code):
        if found := index.find(lang, hash_):
            return found
    return None


def recording_for(code: str, text) -> Recording | None:
    """The recording made for exactly this text in this language, or None."""
    return find_recording(code, text_hash(text)) if spoken_text(text) else None


def recording_url(code: str, text) -> str | None:
    """The URL of the recording of this text in this language, or None (for templates)."""
    found = recording_for(code, text)
    return url_for("audio.recording", lang=found.lang, name=found.name) if found else None


def store_recording(app: Flask, lang: str, name: str, data: bytes) -> tuple[str, str]:
    """Keep one recording durably: ("refused" | "skipped" | "imported" | "replaced", why).

    `name` is `<hash>.<ext>`. A recording of the same text in another format is removed once
    the new one is in place, so one text has one recording.
    """
    if lang not in LANGUAGES:
        return "refused", f"Unbekannte Sprache {lang!r}"
    if problem := refusal(name, data):
        return "refused", problem
    match = FILE_NAME.match(name)
    folder = os.path.join(audio_folder(app), lang)
    existing = recordings(app).find(lang, match["hash"])
    if existing and existing.ext == match["ext"]:
        with open(existing.path, "rb") as current:
            if current.read() == data:
                return "skipped", "Gleiche Aufnahme ist schon vorhanden"
    write_private(os.path.join(folder, name), data)
    for ext in TYPES.keys() - {match["ext"]}:
        old = os.path.join(folder, f"{match['hash']}.{ext}")
        if os.path.exists(old):
            os.remove(old)
            sync_folder(folder)
    recordings(app).refresh(lang)
    return ("replaced", "Ersetzt die bisherige Aufnahme") if existing else ("imported", "")


@dataclass(frozen=True)
class VisitorText:
    hash: str
    text: str  # as the visitor sees it in the language
    source: str  # the German text (msgid)


def catalog(code: str) -> Translations:
    """A language's compiled catalog, as the app finds it (fa_AF falls back to fa)."""
    language = LANGUAGES.get(code)
    return Translations.load(TRANSLATIONS_DIR, [language.locale if language else code])


def source_texts(forms: Iterable[FormSpec]) -> list[str]:
    """Every German text a visitor may see: the catalog template's (interface, error pages,
    forms as extracted) and the current forms' own, without those with placeholders (filled
    in at run time, so no recording can be made for them)."""
    ids = []
    if os.path.exists(POT_FILE):
        ids = [message.id for message in read_catalog(POT_FILE) if isinstance(message.id, str)]
    ids += UI_TEXTS
    ids += [text for spec in forms for text, _ in spec.texts()]
    return [text for text in dict.fromkeys(ids) if text and not PLACEHOLDER.search(text)]


def visitor_texts(forms: Iterable[FormSpec], code: str) -> list[VisitorText]:
    """Every visitor text in language `code` with its hash, once per hash."""
    translations = catalog(code)
    found: dict[str, VisitorText] = {}
    for source in source_texts(forms):
        text = spoken_text(translations.ugettext(source))
        if text and (hash_ := text_hash(text)) not in found:
            found[hash_] = VisitorText(hash_, text, spoken_text(source))
    return list(found.values())

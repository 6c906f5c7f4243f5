"""The service worker script: what it keeps for offline use, under a cache name per release.

It precaches the kiosk's styles, scripts and pictograms, the fonts the offered languages need
(by the characters of their names and catalogs: Arabic only when an Arabic-script language is
offered, Ethiopic only for Tigrinya, …) and the pages without answers of the offered languages:
also each language's Wegweiser start and help lines. Every other Wegweiser page (they hold
nothing of a visitor either) is kept as it is visited (`kept`). Static files are listed by their
hashed URLs (kiosk/views/assets.py), which never change content.
"""

import glob
import hashlib
import json
import os
import re
from functools import cache

from babel.messages.mofile import read_mo
from flask import current_app, url_for

from ..i18n import LANGUAGES, TRANSLATIONS_DIR, offered_languages
from ..i18n.catalogs import POT_FILE, read_catalog
from ..version import program_version

WORKER_SOURCE = os.path.join("js", "sw.js")
FONTS_CSS = os.path.join("fonts", "fonts.css")
# What the kiosk pages load: styles, fonts, scripts and the page icon; fonts are then chosen by
# language. The pictograms' sprite is not a file: kiosk/views/assets.py makes it.
STATIC_PATTERNS = (
    "css/kiosk.css",
    "fonts/fonts.css",
    "fonts/*.woff2",
    "js/kiosk.js",
    "js/offline.js",
    "js/speech.js",
    "vendor/htmx-*.min.js",
    "icons/home.svg",
)
FONT_FACE = re.compile(r"@font-face\s*\{([^}]*)\}")
FONT_SOURCE = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")
UNICODE_RANGE = re.compile(r"unicode-range:\s*([^;}]+)")


@cache  # static files only change with a new release, which restarts the server
def static_files(static_folder: str) -> tuple[str, ...]:
    """The files that may be precached, relative to static/, in a stable order."""
    found = set()
    for pattern in STATIC_PATTERNS:
        found.update(glob.glob(os.path.join(static_folder, pattern)))
    return tuple(sorted(os.path.relpath(path, static_folder) for path in found))


@cache
def content_hash(static_folder: str) -> str:
    """A hash of the worker and every precached file: any change makes a new cache."""
    digest = hashlib.sha256()
    for name in (WORKER_SOURCE, *static_files(static_folder)):
        digest.update(name.encode())
        with open(os.path.join(static_folder, name), "rb") as static_file:
            digest.update(static_file.read())
    return digest.hexdigest()[:12]


def parse_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """`U+0600-06FF,U+200C` as ((0x600, 0x6ff), (0x200c, 0x200c))."""
    ranges = []
    for part in text.split(","):
        part = part.strip().upper().removeprefix("U+")
        if not part:
            continue
        low, _, high = part.partition("-")
        if "?" in low:  # U+4?? wildcards
            low, high = low.replace("?", "0"), low.replace("?", "F")
        ranges.append((int(low, 16), int(high or low, 16)))
    return tuple(ranges)


@cache
def font_faces(static_folder: str) -> tuple[tuple[str, tuple[tuple[int, int], ...]], ...]:
    """(font file relative to static/, its unicode-range) of each face in fonts/fonts.css."""
    with open(os.path.join(static_folder, FONTS_CSS), encoding="utf-8") as css:
        text = css.read()
    faces = []
    for block in FONT_FACE.findall(text):
        source, ranges = FONT_SOURCE.search(block), UNICODE_RANGE.search(block)
        if not source:
            continue
        name = os.path.normpath(os.path.join(os.path.dirname(FONTS_CSS), source[1]))
        # A face without unicode-range covers everything: always needed.
        faces.append((name.replace(os.sep, "/"), parse_ranges(ranges[1]) if ranges else ()))
    return tuple(faces)


def catalog_text(code: str) -> str:
    """Every translation of a language's compiled catalog (and of the language it varies)."""
    language = LANGUAGES.get(code)
    locales = dict.fromkeys([language.locale, language.base] if language else [code])
    texts = []
    for locale in locales:
        path = os.path.join(TRANSLATIONS_DIR, locale, "LC_MESSAGES", "messages.mo")
        if not os.path.exists(path):
            continue
        with open(path, "rb") as mo_file:
            for message in read_mo(mo_file):
                strings = message.string
                texts.extend([strings] if isinstance(strings, str) else filter(None, strings))
    return "".join(texts)


@cache
def source_text() -> str:
    """The German texts (the message ids): shown where a translation is missing."""
    if not os.path.exists(POT_FILE):
        return ""
    ids = (message.id for message in read_catalog(POT_FILE) if message.id)
    return "".join(id_ if isinstance(id_, str) else "".join(id_) for id_ in ids)


@cache
def needed_fonts(static_folder: str, codes: tuple[str, ...]) -> tuple[str, ...]:
    """The font files the offered languages' pages can use: every face whose unicode-range
    holds a character of a language name (the start screen shows them all), of the German
    texts or of an offered language's catalog."""
    names = "".join(LANGUAGES[code].name for code in codes if code in LANGUAGES)
    text = names + source_text() + "".join(catalog_text(code) for code in codes)
    points = sorted({ord(character) for character in text if not character.isspace()})
    needed = []
    for name, ranges in font_faces(static_folder):
        if not ranges or any(low <= point <= high for low, high in ranges for point in points):
            needed.append(name)
    return tuple(sorted(needed))


def precached_files(static_folder: str, codes: tuple[str, ...], sprite: str) -> list[str]:
    """The static files to precache for these languages, relative to static/."""
    fonts = set(needed_fonts(static_folder, codes))
    files = [
        name
        for name in static_files(static_folder)
        if not name.endswith(".woff2") or name.replace(os.sep, "/") in fonts
    ]
    return [*files, sprite]


def worker_config() -> dict:
    """What the worker needs to know: cache name, files to precache, the kiosk's languages.

    Only pages without anything a visitor typed are listed: the start screen, each language's
    form chooser, offline page, Wegweiser start and help lines. The other Wegweiser pages (under
    `kept`) are stored when visited. Steps, summary and thank-you are never cached.
    """
    static_folder = current_app.static_folder
    assets = current_app.extensions["kiosk_assets"]  # kiosk/views/assets.py
    codes = tuple(language.code for language in offered_languages(current_app.config))
    pages = [
        url_for("kiosk.start"),
        *(url_for("kiosk.choose", lang=code) for code in codes),
        *(url_for("kiosk.offline_page", lang=code) for code in codes),
        *(url_for("wegweiser.start", lang=code) for code in codes),
        *(url_for("wegweiser.emergency", lang=code) for code in codes),
    ]
    kept = [url_for("wegweiser.start", lang=code) for code in codes]
    files = precached_files(static_folder, codes, assets.sprite)
    static = [assets.url(name) for name in files]
    # Another set of languages or another file is a new cache too, so nothing old lingers.
    lists_hash = hashlib.sha256(json.dumps([static, pages, kept]).encode()).hexdigest()[:4]
    return {
        "cache": f"mittendrin-{program_version()}-{content_hash(static_folder)}{lists_hash}",
        "static": static,
        "staticRoot": url_for("static", filename=""),
        # `name.<hash>.ext`: such a file the worker also keeps when a page loads it (e.g. a
        # font of a language it did not precache); it never changes content.
        "fingerprinted": assets.fingerprinted,
        "pages": pages,
        # Pages under these paths are network-first and kept when visited, as the pages are.
        "kept": kept,
        "offline": {code: url_for("kiosk.offline_page", lang=code) for code in codes},
        "root": url_for("kiosk.start"),
    }


def worker_script() -> str:
    """static/js/sw.js with its configuration in front, so each release's script differs."""
    with open(os.path.join(current_app.static_folder, WORKER_SOURCE), encoding="utf-8") as source:
        body = source.read()
    config = json.dumps(worker_config(), ensure_ascii=False, sort_keys=True)
    return f"const CONFIG = {config};\n{body}"

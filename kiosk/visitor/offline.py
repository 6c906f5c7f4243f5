"""The service worker script: what it keeps for offline use, under a cache name per release."""

import glob
import hashlib
import json
import os
from functools import cache

from flask import current_app, url_for

from ..i18n import offered_languages
from ..version import program_version

WORKER_SOURCE = os.path.join("js", "sw.js")
# What the kiosk pages load: styles, fonts, scripts and the page icon (pictograms are inline).
STATIC_PATTERNS = (
    "css/kiosk.css",
    "fonts/fonts.css",
    "fonts/*.woff2",
    "js/kiosk.js",
    "js/offline.js",
    "vendor/htmx-*.min.js",
    "icons/home.svg",
)


@cache  # static files only change with a new release, which restarts the server
def static_files(static_folder: str) -> tuple[str, ...]:
    """The precached files, relative to static/, in a stable order."""
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


def worker_config() -> dict:
    """What the worker needs to know: cache name, files to precache, the kiosk's languages.

    Only pages without anything a visitor typed are listed: the start screen, each language's
    form chooser and offline page. Steps, summary and thank-you are never cached.
    """
    static_folder = current_app.static_folder
    codes = [language.code for language in offered_languages(current_app.config)]
    pages = [
        url_for("kiosk.start"),
        *(url_for("kiosk.choose", lang=code) for code in codes),
        *(url_for("kiosk.offline_page", lang=code) for code in codes),
    ]
    # Another set of languages is a new cache too, so no page of a dropped language lingers.
    pages_hash = hashlib.sha256(json.dumps(pages).encode()).hexdigest()[:4]
    return {
        "cache": f"mittendrin-{program_version()}-{content_hash(static_folder)}{pages_hash}",
        "static": [url_for("static", filename=name) for name in static_files(static_folder)],
        "pages": pages,
        "offline": {code: url_for("kiosk.offline_page", lang=code) for code in codes},
        "root": url_for("kiosk.start"),
    }


def worker_script() -> str:
    """static/js/sw.js with its configuration in front, so each release's script differs."""
    with open(os.path.join(current_app.static_folder, WORKER_SOURCE), encoding="utf-8") as source:
        body = source.read()
    config = json.dumps(worker_config(), ensure_ascii=False, sort_keys=True)
    return f"const CONFIG = {config};\n{body}"

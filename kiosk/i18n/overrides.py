"""The Sprachpaten's corrections on top of the catalogs, for every gettext of the app.

flask-babel asks its domain for the request's translations on every Python `gettext` and once
per request for the templates (`request_translations`). `OverlaidDomain` answers with the
catalog's translations, or, for a language with corrections, a copy of them whose message table
has the corrections written in: a lookup stays one dict lookup, as before. The copies are made
once per language and kept per app until the corrections change: a change made in this process
(`invalidate`) applies to the next gettext; one made by another worker of `kiosk serve` at once
(kiosk/changes.py); one made by another program (a directory pull by `kiosk sync`) within
RECHECK_SECONDS, by a cheap summary query of the table.

Only corrections ("geändert") change a text; a check ("geprüft") records that the catalog's
text is right and leaves it as it is. Below the corrections, the translations of the forms
published on this kiosk (kiosk/i18n/form_texts.py) are written in over the catalog's: a
correction still wins. Both are read again when either changes (one change key of the two).
"""

import copy
import logging
import os
import threading
import time

from flask import current_app, g, has_app_context
from flask_babel import Domain, get_locale
from peewee import DatabaseError

from .. import changes
from ..models.sprachpaten import TranslationOverride
from .form_texts import EMPTY, published_texts

log = logging.getLogger(__name__)

LAYER_KEY = "kiosk_translation_overrides"  # app.extensions: this app's OverrideLayer
ANSWERED_KEY = "kiosk_overlaid"  # g: (catalog, with corrections) for this request
RECHECK_SECONDS = 5.0  # another process's change (a worker of `kiosk serve`, `kiosk sync`)
CONTEXT_SEPARATOR = "\x04"  # gettext's: "context\x04msgid"


def catalog_key(msgid: str, msgctxt: str = "") -> str:
    """The key of a text in a gettext message table (without plural index)."""
    return f"{msgctxt}{CONTEXT_SEPARATOR}{msgid}" if msgctxt else msgid


def table_entries(rows, published=EMPTY) -> dict[str, dict]:
    """{language: {message table key: text}} of the corrections among `rows`, over the
    translations of the published forms in force (`published`, form_texts.PublishedTexts)."""
    tables: dict[str, dict] = {lang: dict(texts) for lang, texts in published.translations.items()}
    for row in rows:
        if not row.corrects:
            continue
        table = tables.setdefault(row.lang, {})
        key = catalog_key(row.msgid, row.msgctxt)
        if row.msgid_plural:
            table.update({(key, index): form for index, form in enumerate(row.forms)})
        else:
            table[key] = row.forms[0]
    return tables


def overlaid(base, entries: dict):
    """A copy of the catalog `base` with `entries` written into its message table."""
    merged = copy.copy(base)
    merged._catalog = {**getattr(base, "_catalog", {}), **entries}
    return merged


class Snapshot:
    """The corrections as read at one time, and the overlaid catalogs made from them."""

    def __init__(self, tables: dict[str, dict], change_key: tuple | None, bell: bytes = b""):
        self.tables, self.change_key = tables, change_key
        self.read_at = time.monotonic()
        self.bell = bell  # kiosk.changes' token of "texts" before the tables were read
        self.made: dict[str, tuple] = {}  # locale -> (the catalog, it overlaid)


class OverrideLayer:
    """One app's corrections: a snapshot, replaced whole when they change."""

    def __init__(self):
        self.lock = threading.Lock()
        self.snapshot: Snapshot | None = None
        self.generation = 0  # counts invalidations

    def invalidate(self) -> None:
        self.generation += 1
        self.snapshot = None

    def current(self) -> Snapshot:
        snapshot = self.snapshot
        bell = changes.token("texts")
        if (
            snapshot is not None
            and snapshot.bell == bell
            and time.monotonic() - snapshot.read_at < RECHECK_SECONDS
        ):
            return snapshot
        with self.lock:
            generation = self.generation
            snapshot = self.read(self.snapshot)
            snapshot.bell = bell
            if generation == self.generation:  # else a change came in while reading: read again
                self.snapshot = snapshot
            return snapshot

    @staticmethod
    def read(held: Snapshot | None) -> Snapshot:
        """The corrections, read again only if the table changed since `held` was read."""
        try:
            published = published_texts()
            key = (TranslationOverride.change_key(), published.change_key)
            if held is not None and key == held.change_key:
                held.read_at = time.monotonic()
                return held
            return Snapshot(table_entries(TranslationOverride.in_force(), published), key)
        except DatabaseError:  # no table yet (an unmigrated database): the catalogs alone
            log.warning("Korrekturen der Übersetzungen nicht lesbar", exc_info=True)
            return Snapshot({}, None)

    def translations(self, base, locale: str):
        """`base` (the catalog of `locale`) with this app's corrections of its language."""
        snapshot = self.current()
        made = snapshot.made.get(locale)
        if made is not None and made[0] is base:
            return made[1]
        entries = snapshot.tables.get(override_language(locale))
        result = overlaid(base, entries) if entries else base
        snapshot.made[locale] = (base, result)
        return result


def override_language(locale: str) -> str:
    """The catalog language whose corrections apply to `locale`: "fa" for "fa_AF" unless
    a catalog of its own exists."""
    folder = first_folder(current_app.config.get("BABEL_TRANSLATION_DIRECTORIES")) or ""
    language = _languages.get((folder, locale))
    if language is None:
        own = os.path.isdir(os.path.join(folder, locale))
        language = _languages[folder, locale] = locale if own else locale.split("_")[0]
    return language


_languages: dict[tuple[str, str], str] = {}  # (catalog folder, locale) -> language


def first_folder(directories) -> str | None:
    """The first of flask-babel's catalog folders ("a;b" or a list)."""
    if not directories:
        return None
    if isinstance(directories, str):
        directories = directories.split(";")
    return directories[0]


def layer() -> OverrideLayer | None:
    return current_app.extensions.get(LAYER_KEY) if has_app_context() else None


def texts_state() -> tuple | None:
    """What the corrections in force are, for caches of translated words to key on, so that a
    correction shows at once there too (None: none readable, or outside an app)."""
    held = layer()
    return held.current().change_key if held is not None else None


def invalidate() -> None:
    """The corrections changed: the next gettext of this app reads them again, and so does
    every other worker process of `kiosk serve` (kiosk/changes.py)."""
    changes.ring("texts")
    held = layer()
    if held is not None:
        held.invalidate()


class OverlaidDomain(Domain):
    """flask-babel's domain, answering with the catalogs and this app's corrections.

    Asked on every Python gettext: what it answered is kept for the rest of the request
    (`g`), beside the catalog it came from, so another gettext costs one comparison more.
    """

    def get_translations(self):
        base = super().get_translations()
        if not has_app_context():
            return base
        answered = g.get(ANSWERED_KEY)
        if answered is not None and answered[0] is base:
            return answered[1]
        held = current_app.extensions.get(LAYER_KEY)
        locale = str(get_locale())
        # the source language has nothing to correct
        result = base if held is None or locale == "de" else held.translations(base, locale)
        setattr(g, ANSWERED_KEY, (base, result))
        return result


def install(app, babel) -> None:
    """Make flask-babel use `OverlaidDomain`, and give `app` its layer of corrections."""
    domain = vars(babel).get("domain_instance")
    if isinstance(domain, OverlaidDomain):
        # One cache for every app of the process: an app with other catalog folders (a test's)
        # must not get another app's catalogs from it.
        domain.cache.clear()
    else:
        babel.domain_instance = OverlaidDomain()
    app.extensions[LAYER_KEY] = OverrideLayer()

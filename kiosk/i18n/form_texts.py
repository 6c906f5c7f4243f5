"""The texts and translations of the forms published on this kiosk (kiosk/publishing/): a layer
between the catalogs and the Sprachpaten's corrections.

An active published form (kiosk/models/forms.py) brings its own translations of its texts. For
gettext they come before the catalog's and after a correction (kiosk/i18n/overrides.py); on the
Sprachpaten pages they are the texts of that form, its translation standing where the catalog's
would (kiosk/i18n/text_states.py). Read once per change of the published forms (their change
key), since a stored version never changes.
"""

import logging
import threading
import weakref
from dataclasses import dataclass

from peewee import DatabaseError

from ..extensions import db
from ..formspec import FormSpecError
from ..formspec.package import FormPackage
from ..models.forms import PublishedForm
from ..models.sprachpaten import message_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishedTexts:
    """The active published forms' texts, as read at one change key."""

    change_key: tuple | None
    # {language: {msgid: translation}} of every active published form (by slug, the last wins)
    translations: dict
    # [(slug, msgid, comment for translators)] in the forms' order of texts
    texts: tuple
    # {language: {msgid}} the files mark as checked by a native speaker
    reviewed: dict

    def translation(self, lang: str, msgid: str) -> str | None:
        return self.translations.get(lang, {}).get(msgid)

    def forms_of(self, lang: str) -> dict:
        """{message_key: (translation,)} of one language, as a catalog's `forms` are."""
        return {
            message_key(msgid): (text,) for msgid, text in self.translations.get(lang, {}).items()
        }


EMPTY = PublishedTexts(None, {}, (), {})
_held: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # database -> PublishedTexts
_lock = threading.Lock()


def read_published(rows) -> PublishedTexts:
    translations: dict[str, dict[str, str]] = {}
    reviewed: dict[str, set[str]] = {}
    texts = []
    for row in rows:
        package = FormPackage.from_dict(row.package)
        try:
            spec = package.spec()
        except FormSpecError:  # checked when published; a broken row adds nothing
            log.warning("Veröffentlichtes Formular %s nicht lesbar", row.slug, exc_info=True)
            continue
        own = {text for text, _ in spec.texts()}
        texts.extend((spec.slug, text, comment) for text, comment in spec.texts())
        for lang, table in package.translations.items():
            translations.setdefault(lang, {}).update(
                {msgid: text for msgid, text in table.items() if msgid in own and text}
            )
        for lang, msgids in package.reviewed.items():
            reviewed.setdefault(lang, set()).update(msgids)
    return PublishedTexts(None, translations, tuple(texts), reviewed)


def published_texts(change_key: tuple | None = None) -> PublishedTexts:
    """The texts of the active published forms (`change_key`: when the caller just read it)."""
    try:
        key = change_key if change_key is not None else PublishedForm.change_key()
        database = db.obj
        held = _held.get(database)
        if held is not None and held.change_key == key:
            return held
        with _lock:
            read = read_published(PublishedForm.active())
            held = PublishedTexts(key, read.translations, read.texts, read.reviewed)
            _held[database] = held
        return held
    except DatabaseError:  # no table yet (an unmigrated database): no published forms
        log.debug("Veröffentlichte Formulare nicht lesbar", exc_info=True)
        return EMPTY

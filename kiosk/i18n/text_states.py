"""The state of each catalog text in one language: the German, the catalog's translation and the
Sprachpaten's word on it (kiosk/models/sprachpaten.py).

A text of a language is
- "fehlt": the catalog has no translation and nobody gave one;
- "maschinell": the catalog's translation, not checked (or checked before the catalog changed it);
- "geprüft": someone said the catalog's translation is right, and it still is the same;
- "geändert": someone gave another translation, which visitors see instead of the catalog's.

The texts of a form published on this kiosk (kiosk/i18n/form_texts.py) are listed as texts of
that form, its file's translation standing where the catalog's would (for gettext too, below
the corrections).
"""

from dataclasses import dataclass, replace
from datetime import datetime

from ..models.sprachpaten import CONFIRMED, CORRECTED, TranslationOverride, message_key
from .catalog_texts import FORM, SourceText, language_catalog, source_texts
from .form_texts import PublishedTexts, published_texts

MISSING, MACHINE = "fehlt", "maschinell"


@dataclass(frozen=True)
class TextRow:
    """One text in one language: the German, the catalog's translation and the word in force."""

    source: SourceText
    catalog: tuple[str, ...]  # () when the catalog has none
    override: TranslationOverride | None

    @property
    def key(self) -> str:
        return self.source.key

    @property
    def shown(self) -> tuple[str, ...]:
        """What visitors read: the correction in force, else the catalog's (else German)."""
        if self.override is not None and self.override.corrects:
            return tuple(self.override.forms)
        return self.catalog

    @property
    def stale(self) -> bool:
        """The catalog's translation changed since the check or correction was made."""
        return self.override is not None and tuple(self.override.catalog_forms) != self.catalog

    @property
    def state(self) -> str:
        if self.override is not None and self.override.corrects:
            return CORRECTED
        if self.override is not None and not self.stale:
            return CONFIRMED
        return MACHINE if self.catalog else MISSING

    @property
    def reviewed(self) -> bool:
        return self.state in (CONFIRMED, CORRECTED)

    @property
    def checked_by(self) -> str:
        return self.override.checked_by if self.override else ""

    @property
    def checked_at(self) -> datetime | None:
        return self.override.checked_at if self.override else None

    @property
    def from_hub(self) -> bool:
        return self.override is not None and self.override.origin == "hub"


def texts_with_published(folder: str, published: PublishedTexts) -> list[SourceText]:
    """The template's texts, and those of the published forms in force: a text of the template
    gets the group of each published form that has it, a new text is added after them."""
    texts = {text.key: text for text in source_texts(folder)}
    for slug, msgid, comment in published.texts:
        key = message_key(msgid)
        held = texts.get(key)
        group = FORM + slug
        if held is None:
            texts[key] = SourceText(key, msgid, "", "", (), (comment,), (group,))
        elif group not in held.groups:
            texts[key] = replace(held, groups=(*held.groups, group))
    return list(texts.values())


def rows_of(
    folder: str,
    code: str,
    overrides: dict | None = None,
    published: PublishedTexts | None = None,
) -> list[TextRow]:
    """Every text of the template and of the published forms in language `code`, in the
    template's order; `overrides` ({key: row in force}) and `published` when already read."""
    catalog = language_catalog(folder, code)
    if overrides is None:
        overrides = TranslationOverride.of_language(code)
    published = published if published is not None else published_texts()
    forms = {**catalog.forms, **published.forms_of(code)}
    return [
        TextRow(text, forms.get(text.key, ()), overrides.get(text.key))
        for text in texts_with_published(folder, published)
    ]


def row_of(folder: str, code: str, key: str) -> TextRow | None:
    published = published_texts()
    texts = texts_with_published(folder, published)
    text = next((text for text in texts if text.key == key), None)
    if text is None:
        return None
    catalog = {**language_catalog(folder, code).forms, **published.forms_of(code)}
    held = TranslationOverride.of_language(code).get(key)
    return TextRow(text, catalog.get(key, ()), held)

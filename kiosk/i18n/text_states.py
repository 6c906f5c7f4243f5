"""The state of each catalog text in one language: the German, the catalog's translation and the
Sprachpaten's word on it (kiosk/models/sprachpaten.py).

A text of a language is
- "fehlt": the catalog has no translation and nobody gave one;
- "maschinell": the catalog's translation, not checked (or checked before the catalog changed it);
- "geprüft": someone said the catalog's translation is right, and it still is the same;
- "geändert": someone gave another translation, which visitors see instead of the catalog's.
"""

from dataclasses import dataclass
from datetime import datetime

from ..models.sprachpaten import CONFIRMED, CORRECTED, TranslationOverride
from .catalog_texts import SourceText, language_catalog, source_texts

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


def rows_of(folder: str, code: str, overrides: dict | None = None) -> list[TextRow]:
    """Every text of the template in language `code`, in the template's order; `overrides`
    ({key: row in force}) when already read."""
    catalog = language_catalog(folder, code)
    if overrides is None:
        overrides = TranslationOverride.of_language(code)
    return [
        TextRow(text, catalog.forms.get(text.key, ()), overrides.get(text.key))
        for text in source_texts(folder)
    ]


def row_of(folder: str, code: str, key: str) -> TextRow | None:
    text = next((text for text in source_texts(folder) if text.key == key), None)
    if text is None:
        return None
    catalog = language_catalog(folder, code)
    held = TranslationOverride.of_language(code).get(key)
    return TextRow(text, catalog.forms.get(key, ()), held)

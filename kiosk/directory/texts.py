"""Visitor-facing texts of directory entries and events, in German and per language.

`texts` is {field: {lang: {"text", "source"?, "checked_by"?, "checked_at"?}}} (see
kiosk/models/directory.py). A translation is

- "fehlt" when there is none,
- "maschinell" when nobody has confirmed it,
- "geprüft" when a person confirmed it (who and on which day),
- "veraltet" when the German text changed after it was made (its `source` differs).

A visitor never sees an empty card: a missing or out-of-date translation shows the German text,
marked as German (`Shown.fallback`).
"""

import copy
from dataclasses import dataclass
from datetime import date

from ..clock import german_date

SOURCE = "de"


@dataclass(frozen=True)
class Shown:
    text: str
    lang: str  # the language `text` is in: the visitor's, or German when it fell back
    fallback: bool  # True when the visitor's language had no usable translation


@dataclass(frozen=True)
class TextState:
    state: str  # "fehlt", "maschinell", "geprüft", "veraltet"
    by: str = ""
    at: str = ""  # ISO date of the check

    @property
    def label(self) -> str:
        """The state as the staff pages say it: "geprüft von Amal am 3. Dezember 2026"."""
        if self.state == "geprüft":
            return f"geprüft von {self.by} am {german_date(date.fromisoformat(self.at))}"
        return self.state


def german(texts: dict, field: str) -> str:
    return ((texts or {}).get(field) or {}).get(SOURCE, {}).get("text", "")


def translation(texts: dict, field: str, lang: str) -> dict:
    return ((texts or {}).get(field) or {}).get(lang) or {}


def state(texts: dict, field: str, lang: str) -> TextState:
    item = translation(texts, field, lang)
    if lang == SOURCE:
        return TextState("geprüft" if item.get("text") else "fehlt")
    if not item.get("text"):
        return TextState("fehlt")
    if item.get("source", german(texts, field)) != german(texts, field):
        return TextState("veraltet")
    if item.get("checked_by"):
        return TextState("geprüft", item["checked_by"], item.get("checked_at", ""))
    return TextState("maschinell")


def shown(texts: dict, field: str, lang: str) -> Shown:
    """The text for a visitor of `lang`: the translation if usable, else the German text."""
    if lang != SOURCE and state(texts, field, lang).state in ("maschinell", "geprüft"):
        return Shown(translation(texts, field, lang)["text"], lang, False)
    source = german(texts, field)
    return Shown(source, SOURCE, lang != SOURCE and bool(source))


def with_german(texts: dict, field: str, text: str) -> dict:
    """`texts` with a new German text; translations keep their source and so turn "veraltet"."""
    changed = copy.deepcopy(texts or {})
    per_language = changed.setdefault(field, {})
    if text:
        per_language[SOURCE] = {"text": text}
    else:
        per_language.pop(SOURCE, None)
    return changed


def with_translation(
    texts: dict, field: str, lang: str, text: str, checked_by: str = "", checked_at: str = ""
) -> dict:
    """`texts` with `lang`'s translation of the current German text (empty: removed).

    Without `checked_by` it counts as machine-made; with it, as confirmed by that person on
    `checked_at` (an ISO date).
    """
    changed = copy.deepcopy(texts or {})
    per_language = changed.setdefault(field, {})
    if not text:
        per_language.pop(lang, None)
        return changed
    item = {"text": text, "source": german(texts, field)}
    if checked_by:
        item.update(checked_by=checked_by, checked_at=checked_at)
    per_language[lang] = item
    return changed


def languages_of(texts: dict) -> set[str]:
    return {lang for per_language in (texts or {}).values() for lang in per_language}

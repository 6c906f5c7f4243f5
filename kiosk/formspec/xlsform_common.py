"""What XLSForm reading and writing share: languages, problems, column names, yes and no."""

import dataclasses
import re

# Our visitor languages in XLSForm's column style "Name (code)"; German is the source language.
SOURCE_LANGUAGE = "de"
LANGUAGE_COLUMNS = {
    "de": "German (de)",
    "en": "English (en)",
    "ar": "Arabic (ar)",
    "fa": "Persian (fa)",
    "ps": "Pashto (ps)",
    "ku": "Kurdish (ku)",
    "uk": "Ukrainian (uk)",
    "ru": "Russian (ru)",
    "tr": "Turkish (tr)",
    "ti": "Tigrinya (ti)",
}
TRANSLATED_LANGUAGES = tuple(code for code in LANGUAGE_COLUMNS if code != SOURCE_LANGUAGE)
# Names people write without a code (English, German or the language's own name).
LANGUAGE_NAMES = {
    "german": "de", "deutsch": "de", "english": "en", "englisch": "en", "arabic": "ar",
    "arabisch": "ar", "persian": "fa", "farsi": "fa", "dari": "fa", "persisch": "fa",
    "pashto": "ps", "paschtu": "ps", "kurdish": "ku", "kurdisch": "ku", "kurmanji": "ku",
    "ukrainian": "uk", "ukrainisch": "uk", "russian": "ru", "russisch": "ru", "turkish": "tr",
    "türkisch": "tr", "tigrinya": "ti",
}  # fmt: skip
CODE_IN_PARENS = re.compile(r"\(([A-Za-z]{2,3})(?:[-_][A-Za-z]+)?\)\s*$")

# Our own columns: `kiosk::…`. A row's translations in a language count as checked by a native
# speaker ("geprüft") when its column `kiosk::geprüft::<Language>` says "ja"; else "maschinell".
KIOSK = "kiosk"
REVIEWED = "geprüft"
YES_WORDS = ("yes", "true", "true()", "1", "ja", "x", "wahr")
NO_WORDS = ("", "no", "false", "false()", "0", "nein", "falsch")


@dataclasses.dataclass(frozen=True)
class XLSFormProblem:
    sheet: str
    row: int | None
    column: str | None
    message: str  # German: what to change

    def __str__(self) -> str:
        where = [self.sheet]
        if self.row is not None:
            where.append(f"Zeile {self.row}")
        if self.column:
            where.append(f"Spalte {self.column}")
        return f"{', '.join(where)}: {self.message}"


class XLSFormError(ValueError):
    """An XLSForm the kiosk cannot take; `problems` names each place and what to change."""

    def __init__(self, problems: list[XLSFormProblem]):
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def language_code(text: str) -> str | None:
    """The code of a language written as "Arabic (ar)", "Arabic", "ar" or "Deutsch"; None if the
    kiosk does not offer it."""
    text = text.strip()
    match = CODE_IN_PARENS.search(text)
    code = match.group(1).lower() if match else LANGUAGE_NAMES.get(text.lower(), text.lower())
    return code if code in LANGUAGE_COLUMNS else None


@dataclasses.dataclass(frozen=True)
class Column:
    """A column heading split into its name ("label", "kiosk::personal") and its language."""

    heading: str
    name: str
    language: str | None  # a code of LANGUAGE_COLUMNS; None: no language given
    unknown_language: bool = False


# Columns whose text may be given per language, besides the kiosk's `kiosk::<key>` texts.
TEXT_COLUMNS = ("label", "hint", "constraint_message", "required_message", "media::image")
KIOSK_TEXT_KEYS = ("yes_label", "no_label", "title", "description", "purpose", REVIEWED)


# Older and alternative spellings of columns that pyxform reads as ours (its aliases.py; a
# "bind:" or "bind::" prefix is the XForm binding the plain column stands for).
ALIASES = {
    "caption": "label",
    "relevance": "relevant",
    "constraining_message": "constraint_message",
    "requiredmsg": "required_message",
    "command": "type",
    "tag": "name",
    "value": "name",
    "title": "form_title",
    "set_form_title": "form_title",
    "id_string": "form_id",
    "set_form_id": "form_id",
    **{
        f"bind{separator}{binding}": column
        for separator in (":", "::")
        for binding, column in (
            ("relevant", "relevant"),
            ("required", "required"),
            ("constraint", "constraint"),
            ("jr:constraintmsg", "constraint_message"),
            ("jr:requiredmsg", "required_message"),
        )
    },
}


def parse_heading(heading: str) -> Column:
    """Split "label::Arabic (ar)", "label:English", "kiosk::message::min::German (de)", ...;
    pyxform's aliases ("caption", "bind:relevant", "id_string", ...) read as our names."""
    text = heading.strip()
    lowered = text.lower()
    for alias in sorted(ALIASES, key=len, reverse=True):
        if lowered == alias or lowered.startswith(f"{alias}:"):
            column = _parse(ALIASES[alias] + text[len(alias) :])
            return dataclasses.replace(column, heading=text)
    return _parse(text)


def _parse(text: str) -> Column:
    lowered = text.lower()
    for base in (*TEXT_COLUMNS, "image"):
        name = "media::image" if base == "image" else base
        if lowered == base:
            return Column(text, name, None)
        for separator in ("::",) if "::" in base else ("::", ":"):
            if lowered.startswith(base + separator):
                return _with_language(text, name, text[len(base) + len(separator) :])
    if lowered.startswith(f"{KIOSK}::"):
        parts = text.split("::")
        key = parts[1].lower() if len(parts) > 1 else ""
        if key == "message" and len(parts) >= 3:
            base = f"{KIOSK}::message::{parts[2].lower()}"
            return (
                _with_language(text, base, "::".join(parts[3:]))
                if len(parts) > 3
                else (Column(text, base, None))
            )
        if key in KIOSK_TEXT_KEYS and len(parts) > 2:
            return _with_language(text, f"{KIOSK}::{key}", "::".join(parts[2:]))
        return Column(text, f"{KIOSK}::{key}", None)
    return Column(text, lowered.replace(" ", "_"), None)


def _with_language(heading: str, base: str, language: str) -> Column:
    code = language_code(language)
    return Column(heading, base, code, unknown_language=code is None)


def cell_text(value) -> str:
    """A cell as text: numbers without ".0", None as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def yes_no(text: str) -> bool | None:
    """True, False, or None when `text` is neither (e.g. an expression)."""
    lowered = text.strip().lower()
    if lowered in YES_WORDS:
        return True
    if lowered in NO_WORDS:
        return False
    return None

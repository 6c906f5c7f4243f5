"""Whether a Sprachpate's correction can be shown to visitors, with the reason in German if not.

The same rules as `kiosk translations check`, and what a page needs besides:

- placeholders: the correction has exactly the German's `%(name)s` and `{name}` (a plural form
  may leave out `%(num)s`, as "one month" does); a lone `%` or brace would break the page;
- plural forms: one text for each form of the language, none empty;
- no empty text; line breaks only where the German has them;
- no control characters, no bidi overrides (they turn text around), and bidi embeddings and
  isolates closed where they are opened, so a text cannot change the direction of what follows.
"""

import re
import string
import unicodedata

NAMED = re.compile(r"%\((\w+)\)[sd]")
FORMAT_FIELD = re.compile(r"\{(\w+)\}")
PERCENT_SEQUENCES = re.compile(r"%\(\w+\)[sd]|%%")
COUNT = "%(num)s"
OPENERS = {"\u202a": "embed", "\u202b": "embed", "\u2066": "isolate", "\u2067": "isolate",
           "\u2068": "isolate"}  # fmt: skip
CLOSERS = {"\u202c": "embed", "\u2069": "isolate"}
OVERRIDES = {"\u202d", "\u202e"}
# Invisible characters a text may need: joiners (Persian, Arabic, Indic), direction marks,
# soft hyphen and word joiner.
ALLOWED_FORMAT = {"\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\u00ad", "\u2060"}


class CorrectionError(ValueError):
    """A correction that cannot be taken, with one German sentence saying why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def placeholders(text: str) -> set[str]:
    """The named placeholders of `text`, both spellings: {"%(name)s", "{count}"}."""
    return {match.group() for match in NAMED.finditer(text)} | {
        match.group() for match in FORMAT_FIELD.finditer(text)
    }


def normalised(text: str) -> str:
    """As typed into a text area: Windows line ends, NFC, white space around trimmed."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def checked_forms(msgid: str, msgid_plural: str, forms: list[str], plural_count: int) -> list[str]:
    """The correction's texts, normalised and checked; CorrectionError naming the problem."""
    texts = [normalised(text or "") for text in forms]
    wanted = plural_count if msgid_plural else 1
    if len(texts) != wanted:
        raise CorrectionError(
            f"Es fehlen Pluralformen: diese Sprache braucht {wanted}, angegeben sind {len(texts)}."
        )
    for index, text in enumerate(texts):
        where = f"Form {index + 1}: " if msgid_plural else ""
        try:
            check_text(msgid, msgid_plural, text)
        except CorrectionError as error:
            raise CorrectionError(where + error.message) from None
    return texts


def check_text(msgid: str, msgid_plural: str, text: str) -> None:
    if not text:
        raise CorrectionError("Der Text ist leer. Bitte schreiben Sie die Übersetzung.")
    source = f"{msgid}\n{msgid_plural}" if msgid_plural else msgid
    check_placeholders(source, text, plural=bool(msgid_plural))
    if "\n" in text and "\n" not in msgid:
        raise CorrectionError(
            "Der Text hat einen Zeilenumbruch, der deutsche nicht. Bitte in einer Zeile schreiben."
        )
    check_characters(text)


def check_placeholders(source: str, text: str, plural: bool) -> None:
    wanted, found = placeholders(source), placeholders(text)
    optional = {COUNT} if plural else set()
    missing = sorted(wanted - found - optional)
    extra = sorted(found - wanted)
    if len(missing) == 1 and len(extra) == 1:
        raise CorrectionError(
            f"Der Platzhalter {extra[0]} ist anders geschrieben als im deutschen Text: "
            f"dort steht {missing[0]}. Er muss genau so stehen."
        )
    if missing:
        raise CorrectionError(
            f"Der Platzhalter {', '.join(missing)} fehlt. Er muss genau so im Text stehen, "
            "dort wird beim Anzeigen etwas eingesetzt."
        )
    if extra:
        raise CorrectionError(
            f"Den Platzhalter {', '.join(extra)} gibt es im deutschen Text nicht. "
            "Bitte nur die Platzhalter des deutschen Textes verwenden."
        )
    if "%" in PERCENT_SEQUENCES.sub("", text) and "%" not in PERCENT_SEQUENCES.sub("", source):
        raise CorrectionError(
            "Ein einzelnes %-Zeichen geht hier nicht: bitte %% schreiben (es erscheint als %)."
        )
    if FORMAT_FIELD.search(source):
        try:
            list(string.Formatter().parse(text))
        except ValueError:
            raise CorrectionError(
                "Eine geschweifte Klammer steht allein: bitte {{ oder }} schreiben."
            ) from None


def check_characters(text: str) -> None:
    """No control characters; bidi embeddings and isolates balanced, no overrides."""
    open_marks: list[str] = []
    for char in text:
        if char in OVERRIDES:
            raise CorrectionError(
                "Der Text enthält ein unsichtbares Zeichen, das die Schreibrichtung umkehrt "
                f"(U+{ord(char):04X}). Bitte entfernen."
            )
        if char in OPENERS:
            open_marks.append(OPENERS[char])
        elif char in CLOSERS:
            if CLOSERS[char] not in open_marks:
                raise CorrectionError(unbalanced())
            while open_marks and open_marks.pop() != CLOSERS[char]:
                pass  # closing an isolate closes the embeddings inside it
        elif char != "\n" and unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn"):
            raise CorrectionError(
                f"Der Text enthält ein Steuerzeichen oder ungültiges Zeichen (U+{ord(char):04X}). "
                "Bitte den Text neu tippen statt ihn zu kopieren."
            )
        elif unicodedata.category(char) == "Cf" and char not in ALLOWED_FORMAT:
            raise CorrectionError(
                f"Der Text enthält ein unsichtbares Zeichen (U+{ord(char):04X}), das hier nicht "
                "hingehört. Bitte entfernen."
            )
    if open_marks:
        raise CorrectionError(unbalanced())


def unbalanced() -> str:
    return (
        "Die unsichtbaren Zeichen für die Schreibrichtung sind nicht paarweise geschlossen; "
        "der Text würde die Richtung des Folgenden ändern. Bitte entfernen."
    )

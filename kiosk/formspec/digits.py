"""Digits in every script: what a visitor types becomes ASCII; what they read is in their digits.

Visitors' keyboards write the digits of their script: Arabic-Indic digits in Arabic, Extended
Arabic-Indic ones in Persian and Pashto, and others elsewhere. Every Unicode decimal digit is
read as its value (`unicodedata.decimal`) and stored as ASCII. The other way, numbers in error
messages are written in the digits of the visitor's language, so an example can be typed as read.

Free text keeps its digits, but loses the bidi embedding and isolate controls (U+202A to U+202E,
U+2066 to U+2069): a stray one would reorder whatever is shown after the text on a staff page.
"""

import contextlib
import unicodedata
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import UnsupportedNumberingSystemError, get_minus_sign_symbol

DIGITS_OPTIONS = ("ascii",)  # the values of a text field's `digits` option

BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Left-to-right, right-to-left and Arabic letter marks: invisible, typed or copied with numbers.
DIRECTION_MARKS = dict.fromkeys([0x200E, 0x200F, 0x061C])
# The signs a number may start with: ASCII, the MINUS SIGN that CLDR writes for Persian, and the
# small and full-width forms some keyboards produce.
SIGNS = str.maketrans({"\u2212": "-", "\ufe63": "-", "\uff0d": "-", "\ufe62": "+", "\uff0b": "+"})

# The zero of each decimal numbering system by its CLDR name (Babel names the systems, Unicode
# has the digits; the other nine follow the zero in every block).
ZERO_DIGITS = {
    "latn": "0",
    "arab": "\N{ARABIC-INDIC DIGIT ZERO}",
    "arabext": "\N{EXTENDED ARABIC-INDIC DIGIT ZERO}",
    "beng": "\N{BENGALI DIGIT ZERO}",
    "deva": "\N{DEVANAGARI DIGIT ZERO}",
    "gujr": "\N{GUJARATI DIGIT ZERO}",
    "guru": "\N{GURMUKHI DIGIT ZERO}",
    "khmr": "\N{KHMER DIGIT ZERO}",
    "knda": "\N{KANNADA DIGIT ZERO}",
    "laoo": "\N{LAO DIGIT ZERO}",
    "mlym": "\N{MALAYALAM DIGIT ZERO}",
    "mymr": "\N{MYANMAR DIGIT ZERO}",
    "orya": "\N{ORIYA DIGIT ZERO}",
    "tamldec": "\N{TAMIL DIGIT ZERO}",
    "telu": "\N{TELUGU DIGIT ZERO}",
    "thai": "\N{THAI DIGIT ZERO}",
    "tibt": "\N{TIBETAN DIGIT ZERO}",
}


def without_bidi_controls(text: str) -> str:
    """`text` without the bidi embedding, override and isolate controls (BIDI_CONTROLS)."""
    return text.translate(BIDI_CONTROLS)


def ascii_digits(text: str) -> str:
    """`text` with every Unicode decimal digit (Arabic, Persian, Devanagari, …) in ASCII."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


def plain_digits(text: str) -> str:
    """A text that should hold digits (a phone number): ASCII digits, no invisible marks."""
    return ascii_digits(without_bidi_controls(text).translate(DIRECTION_MARKS))


def plain_number(text: str) -> str:
    """A typed number as Python reads it: ASCII digits, "-" or "+" for the sign forms, trimmed."""
    return plain_digits(text).translate(SIGNS).strip()


@lru_cache(maxsize=64)
def numbering_system(locale: str | None) -> str:
    """The CLDR numbering system whose digits the visitors of `locale` write.

    A language's native digits where they are a decimal system, else its default: CLDR's
    default for "ar" is Latin (as in the Maghreb), but Arabic speakers from Syria and Iraq
    write Arabic-Indic digits, CLDR's native system of "ar". Persian and Pashto default to
    their own digits anyway; Tigrinya's native digits are Latin (Ge'ez numerals are not a
    decimal system). Without a known locale: Latin.
    """
    try:
        parsed = Locale.parse(str(locale or "").replace("-", "_") or "de")
    except (ValueError, TypeError, UnknownLocaleError):
        return "latn"
    native = parsed.other_numbering_systems.get("native")
    if native in ZERO_DIGITS:
        return native
    default = parsed.default_numbering_system
    return default if default in ZERO_DIGITS else "latn"


@lru_cache(maxsize=64)
def _digit_table(system: str) -> dict[int, str]:
    zero = ord(ZERO_DIGITS[system])
    return {ord("0") + value: chr(zero + value) for value in range(10)}


def locale_digits(text: str, locale: str | None) -> str:
    """`text` with its ASCII digits written in the digits of `locale` (see numbering_system)."""
    system = numbering_system(locale)
    return text if system == "latn" else text.translate(_digit_table(system))


def format_number(number: int | None, locale: str | None) -> str:
    """A whole number as the visitor reads and may type it: their digits, no grouping."""
    if number is None:
        return ""
    system = numbering_system(locale)
    sign = ""
    if number < 0:
        try:
            sign = get_minus_sign_symbol(str(locale).replace("-", "_"), numbering_system=system)
        except (ValueError, UnknownLocaleError, UnsupportedNumberingSystemError):
            sign = "-"
    return sign + locale_digits(str(abs(number)), locale)


def fill_message(text: str, values: dict, locale: str | None, *, all_digits: bool) -> str:
    """`text` with its %(name)s placeholders filled from `values` (whole numbers or None),
    written in the digits of `locale`; with `all_digits`, every other digit of the text too
    (the example phone number of a form's own message, the "4" of "4 Ziffern")."""
    shown = {name: format_number(value, locale) for name, value in values.items()}
    # A translation with broken placeholders must not stop the kiosk: it is shown unfilled.
    with contextlib.suppress(KeyError, ValueError, TypeError):
        text = text % shown
    return locale_digits(text, locale) if all_digits else text

"""The approved visitor comments a report prints, each named with the language it is written in."""

import unicodedata

from ..i18n import LANGUAGES, describe
from ..models import Site
from . import queries
from .periods import Period
from .tables import language_name

MAX_COMMENTS = 12


def comments(site: Site, period: Period) -> dict:
    """Approved comments in their own language, named in German, with their direction."""
    shown = [
        {**comment_language(code, text), "text": text}
        for code, text in queries.approved_comments(site, period, MAX_COMMENTS)
    ]
    more = queries.approved_comment_count(site, period) - len(shown)
    return {"items": shown, "more": more}


def script_of(text: str) -> str:
    """The script of the first letter: "ARABIC", "ETHIOPIC", "CYRILLIC", "LATIN", …"""
    for character in text:
        if character.isalpha():
            return unicodedata.name(character, "UNKNOWN").split()[0]
    return "UNKNOWN"


def comment_language(code: str, text: str) -> dict:
    """The kiosk language if the text is written in its script, else "not recognised".

    Visitors usually write in the language they chose at the kiosk, but not always: a comment
    in Arabic letters after choosing Ukrainian is not marked as Ukrainian.
    """
    language = LANGUAGES.get(code) or describe(code)
    if language and script_of(text) == script_of(language.name):
        return {
            "lang": code,
            "language": language.german_name,
            "dir": language.dir,
            "caption": f"Kommentar auf {language.german_name}",
        }
    return {
        "lang": "",
        "language": "",
        "dir": "auto",
        "caption": f"Sprache nicht erkannt (am Kiosk gewählt: {language_name(code)})",
    }

"""Visitor languages: names in their own script, direction, and the locale taken from the URL."""

import os
from dataclasses import dataclass

from flask import Flask, g, request

from .extensions import babel

SOURCE_LANGUAGE = "de"
TRANSLATIONS_DIR = os.path.join(os.path.dirname(__file__), "translations")


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in its own script, as the visitor would look for it
    german_name: str  # for staff pages and reports
    rtl: bool = False

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def locale(self) -> str:
        """The gettext/Babel locale: "fa-AF" becomes "fa_AF", which falls back to "fa"."""
        return self.code.replace("-", "_")

    @property
    def base(self) -> str:
        return self.code.split("-")[0]


# Order of the start screen: German first, then roughly by how many visitors speak it.
LANGUAGES = {
    lang.code: lang
    for lang in (
        Language("de", "Deutsch", "Deutsch"),
        Language("en", "English", "Englisch"),
        Language("ar", "العربية", "Arabisch", rtl=True),
        Language("fa", "فارسی", "Persisch", rtl=True),
        # Dari speakers look for "دری", not "فارسی". Written Dari and Iranian Persian share script
        # and almost all words, so Dari uses the Persian catalog; a catalog fa_AF may override the
        # few words that differ (gettext falls back from fa_AF to fa for everything else).
        Language("fa-AF", "دری", "Dari", rtl=True),
        Language("ps", "پښتو", "Paschtu", rtl=True),
        Language("ku", "Kurdî (Kurmancî)", "Kurdisch (Kurmandschi)"),
        Language("uk", "Українська", "Ukrainisch"),
        Language("ru", "Русский", "Russisch"),
        Language("tr", "Türkçe", "Türkisch"),
        Language("ti", "ትግርኛ", "Tigrinya"),
    )
}


def catalog_exists(code: str) -> bool:
    """Whether the language, or the language it is a variant of, has a catalog."""
    language = LANGUAGES.get(code)
    names = {language.locale, language.base} if language else {code}
    return any(
        os.path.exists(os.path.join(TRANSLATIONS_DIR, name, "LC_MESSAGES", "messages.po"))
        for name in names
    )


def offered_languages(config) -> list[Language]:
    """The languages of the start screen: those configured (default all) that have a catalog."""
    codes = config.get("KIOSK_LANGUAGES") or list(LANGUAGES)
    return [
        LANGUAGES[code]
        for code in codes
        if code in LANGUAGES and (code == SOURCE_LANGUAGE or catalog_exists(code))
    ]


def current_language() -> Language:
    return g.get("language") or LANGUAGES[SOURCE_LANGUAGE]


def select_locale() -> str:
    # The language comes from the URL only: the tablet's browser is shared by everyone.
    language = g.get("language")
    if language is None and request.view_args:
        language = LANGUAGES.get(request.view_args.get("lang", ""))
    return language.locale if language else SOURCE_LANGUAGE


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", TRANSLATIONS_DIR)
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def language_context():
        return {"language": current_language()}

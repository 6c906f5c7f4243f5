"""Visitor languages: names in their own script, direction, and the locale taken from the URL."""

import os
from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError
from flask import Flask, g, request
from flask_babel import get_translations

from ..extensions import babel

SOURCE_LANGUAGE = "de"
TRANSLATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "translations")


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


# Start-screen order: German first, then roughly by how many visitors speak it. A catalog for
# any other language (e.g. so, ckb) is offered after these without a code change.
PREFERRED_ORDER = ("de", "en", "ar", "fa", "fa-AF", "ps", "ku", "uk", "ru", "tr", "ti")

# Where visitors look for another name than the Unicode CLDR's. Dari speakers look for "دری",
# not "فارسی (افغانستان)"; written Dari and Iranian Persian share script and nearly all words,
# so fa-AF falls back to the Persian catalog (a fa_AF catalog may override the words that differ).
NAME_OVERRIDES = {
    "fa-AF": ("دری", "Dari"),
    "ku": ("Kurdî (Kurmancî)", "Kurdisch (Kurmandschi)"),
}


def describe(code: str) -> Language | None:
    """Name in its own script, German name and direction, from Babel's CLDR data."""
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    own, german = NAME_OVERRIDES.get(code) or (
        locale.get_display_name(locale),
        locale.get_display_name("de"),
    )
    return Language(code, own[:1].upper() + own[1:], german, rtl=locale.text_direction == "rtl")


def discover_languages(directory: str) -> dict[str, Language]:
    """The preferred languages, then every other language with a catalog in `directory`."""
    found = sorted(
        name.replace("_", "-")
        for name in (os.listdir(directory) if os.path.isdir(directory) else [])
        if os.path.exists(os.path.join(directory, name, "LC_MESSAGES", "messages.po"))
    )
    codes = [*PREFERRED_ORDER, *(code for code in found if code not in PREFERRED_ORDER)]
    languages = (describe(code) for code in codes)
    return {language.code: language for language in languages if language}


LANGUAGES = discover_languages(TRANSLATIONS_DIR)


@cache  # asked on every request; catalogs only change with a restart
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


def request_translations():
    """This request's catalog, found once: flask-babel's own lookup runs through several
    context proxies on every text of a template, a tenth of a kiosk step's time."""
    translations = g.get("kiosk_translations")
    if translations is None:
        translations = g.kiosk_translations = get_translations()
    return translations


def install_template_gettext(app: Flask) -> None:
    """The templates' _(), gettext and ngettext, through `request_translations`."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: request_translations().ugettext(text),
        ngettext=lambda one, many, n: request_translations().ungettext(one, many, n),
        newstyle=True,
        pgettext=lambda context, text: request_translations().upgettext(context, text),
        npgettext=lambda context, one, many, n: request_translations().unpgettext(
            context, one, many, n
        ),
    )


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", TRANSLATIONS_DIR)
    babel.init_app(app, locale_selector=select_locale)
    # The catalogs with the Sprachpaten's corrections, for templates and Python alike.
    from .overrides import install

    install(app, babel)
    install_template_gettext(app)

    @app.context_processor
    def language_context():
        return {"language": current_language()}

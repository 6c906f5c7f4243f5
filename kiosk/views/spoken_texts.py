"""Every text a visitor can have read aloud, per language, worded exactly as the kiosk's pages
hand it to `speaker()`: what the Sprachpaten record (kiosk/views/recordings.py).

That is: each form's questions, their help, the answers to choose from and the consent (its
short text, its two answers and the full wording behind "Mehr erfahren"); the Wegweiser's own
headings (INTERFACE_TEXTS); and the directory's texts of offices, help lines and coming events
that exist in the language. The words come from the same gettext (with the Sprachpaten's
corrections, kiosk/i18n/overrides.py) and the same helpers as on the kiosk, so a recording made
for a listed text is the one its speaker button finds. A text appears once per language even
where several pages show it: one recording serves them all.

Texts filled in at run time (an office's opening state) have no speaker button and are not here.
"""

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, gettext

from ..directory.entries import current as current_entries
from ..directory.entries import upcoming_events
from ..i18n import LANGUAGES, SOURCE_LANGUAGE
from ..models.directory import ENTRY_TEXTS, EVENT_TEXTS
from ..visitor.audio import spoken_text, text_hash
from ..visitor.takes import Wording
from .kiosk_helpers import help_text, retention_sentence
from .wegweiser_helpers import visitor_text

# The headings the Wegweiser's templates read aloud as `speaker(_("…"))`.
INTERFACE_TEXTS = (
    "Wer hilft bei …?",
    "Notruf und Hilfe",
    "Die Ehrenamtlichen hier helfen Ihnen weiter.",
)
CONSENT_YES, CONSENT_NO = "Ja, einverstanden", "Nein, lieber nicht"
RIGHTS = (
    "Sie können jederzeit sagen, dass wir Ihre Angaben löschen sollen. Fragen Sie dazu hier im"
    " Treffpunkt."
)
DIRECTORY_ROLES = {
    "summary": "Kurzbeschreibung",
    "directions": "Weg dorthin",
    "bring": "Bitte mitbringen",
    "hours_note": "Hinweis zu den Zeiten",
    "title": "Titel",
    "text": "Beschreibung",
    "place": "Ort",
}


@dataclass(frozen=True)
class SpokenText:
    group: str  # where it is: a form, the Wegweiser, an office
    role: str  # what it is there: "Frage", "Antwort", "Hilfe", …
    key: str  # what the text is, whatever its wording (a recording's `text_key`)
    german: str  # the German text, for the Sprachpate's page
    text: str  # the words in the language, as read aloud
    hash: str

    @property
    def wording(self) -> Wording:
        return Wording(self.hash, self.key, self.text)


def template_gettext(text: str) -> str:
    """`_(text)` as a template gives it: Jinja's new-style gettext always %-formats the
    translation, with no values ("100 %%" reads "100 %")."""
    translated = gettext(text)
    try:
        return translated % {}
    except (TypeError, ValueError, KeyError):
        return translated


def consent_more(spec) -> str:
    """The full consent wording behind "Mehr erfahren", read aloud as one text."""
    purpose = template_gettext(spec.purpose)
    return f"{purpose} {retention_sentence(spec.retention_days)} {template_gettext(RIGHTS)}"


def translated(role: str, source: str) -> tuple[str, str, str, str]:
    """(role, key, German, words) of a catalog text: its key is its German text."""
    return role, spoken_text(source), source, template_gettext(source)


def form_texts(spec):
    """(role, key, German, words) of one form's spoken texts, in the forced locale; the German
    of the full consent wording is None (it is worded in German apart)."""
    for field in spec.fields:
        yield translated("Frage", field.label)
        if field.type == "consent":
            if field.help:
                yield translated("Einwilligung, kurz", field.help)
            yield translated("Antwort", field.yes_label or CONSENT_YES)
            yield translated("Antwort", field.no_label or CONSENT_NO)
            yield "Einwilligung, ganz", consent_key(spec), None, consent_more(spec)
            continue
        if field.help:
            yield "Hilfe", spoken_text(field.help), field.help, help_text(field) or ""
        for option in field.options:
            yield translated("Antwort", option.label)


def consent_key(spec) -> str:
    return f"form:{spec.slug}:consent"


def catalog_texts(forms) -> list[tuple[str, str, str, str | None, str]]:
    """(group, role, key, German, words) of the forms and the Wegweiser's headings."""
    found = []
    for spec in forms:
        group = f"Formular „{spec.title}“"
        found += [(group, *text) for text in form_texts(spec)]
    found += [("Wegweiser", *translated("Überschrift", text)) for text in INTERFACE_TEXTS]
    return found


def directory_texts(code: str) -> list[tuple[str, str, str, str, str]]:
    """(group, role, key, German, words) of the directory's texts that exist in `code`."""
    found = []
    items = [(f"Wegweiser: {entry.name}", "wegweiser", entry.key, entry.texts, ENTRY_TEXTS)
             for entry in current_entries()]  # fmt: skip
    for event in upcoming_events():
        title = visitor_text(event.texts, "title", SOURCE_LANGUAGE).text
        items.append((f"Termin: {title}", "termin", str(event.uid), event.texts, EVENT_TEXTS))
    for group, kind, name, texts, fields in items:
        for field in fields:
            shown = visitor_text(texts, field, code)
            if shown and not shown.fallback:
                key = f"{kind}:{name}:{field}"
                found.append((group, DIRECTORY_ROLES[field], key, shown.german, shown.text))
    return found


def spoken_texts(code: str) -> list[SpokenText]:
    """Every text with a speaker button in language `code`, once per wording, in page order.

    Needs an app context with a database connection (the directory's texts).
    """
    forms = list(current_app.extensions["kiosk_forms"].values())
    with force_locale(LANGUAGES[code].locale):
        rows = catalog_texts(forms)
    with force_locale(SOURCE_LANGUAGE):
        german_consent = {consent_key(spec): consent_more(spec) for spec in forms}
    rows += directory_texts(code)
    texts: dict[str, SpokenText] = {}
    for group, role, key, german, words in rows:
        said = spoken_text(words)
        if not said:
            continue
        german = spoken_text(german if german is not None else german_consent[key])
        hash_ = text_hash(said)
        texts.setdefault(hash_, SpokenText(group, role, key, german, said, hash_))
    return list(texts.values())

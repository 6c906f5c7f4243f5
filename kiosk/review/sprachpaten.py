"""The Sprachpaten's work on the catalogs: checks and corrections, filters, progress, and which
languages' consent texts nobody has checked yet. The states of the texts: kiosk/i18n/text_states.py.

Volunteers work on the languages their account names (`User.speaks`); coordinators and admins
on every language. Every check and correction is written to the audit log.
"""

from dataclasses import dataclass

from ..clock import utcnow
from ..db import write_transaction
from ..i18n import LANGUAGES, SOURCE_LANGUAGE, Language
from ..i18n.catalog_texts import has_catalog, language_catalog
from ..i18n.corrections import CorrectionError, checked_forms
from ..i18n.overrides import invalidate
from ..i18n.text_states import TextRow, rows_of
from ..models import User
from ..models.sprachpaten import CONFIRMED, CORRECTED, TranslationOverride, message_key
from .auth import audit

# What a visitor reads on every form's consent step (templates/kiosk/_consent.html).
CONSENT_UI_TEXTS = (
    "Ja, einverstanden",
    "Nein, lieber nicht",
    "Mehr erfahren",
    "Sie können jederzeit sagen, dass wir Ihre Angaben löschen sollen. Fragen Sie dazu hier im "
    "Treffpunkt.",
    "Wir löschen Ihre persönlichen Angaben nach %(num)s Monat.",
    "Wir löschen Ihre persönlichen Angaben nach %(num)s Tag.",
)
FILTERS = {"offen": "nur ungeprüfte", "katalog": "nur seit der Katalog-Änderung anzusehen"}
AUDIT_TEXT_LENGTH = 160


@dataclass(frozen=True)
class Progress:
    language: Language
    reviewed: int
    total: int

    @property
    def sentence(self) -> str:
        """ "Arabisch: 212 von 240 Texten geprüft" """
        return f"{self.language.german_name}: {self.reviewed} von {self.total} Texten geprüft"

    @property
    def percent(self) -> int:
        return round(100 * self.reviewed / self.total) if self.total else 100


# --- Languages and who works on them ------------------------------------------------------------


def review_languages(folder: str) -> list[Language]:
    """The visitor languages with a catalog of their own in `folder` (not the German source)."""
    return [
        language
        for code, language in LANGUAGES.items()
        if code != SOURCE_LANGUAGE and has_catalog(folder, code)
    ]


def may_review(user: User, code: str) -> bool:
    """Coordinators and admins on every language; a volunteer on the languages they speak."""
    if user.may("coordinator"):
        return True
    spoken = set(user.speaks or [])
    return user.may("volunteer") and (code in spoken or code.split("-")[0] in spoken)


def languages_of(user: User, folder: str) -> list[Language]:
    return [language for language in review_languages(folder) if may_review(user, language.code)]


# --- Texts and their states -----------------------------------------------------------------------


def consent_keys(forms) -> set[str]:
    """The texts of every form's consent step: purpose, question, help, answers, rights."""
    texts = list(CONSENT_UI_TEXTS)
    for spec in forms:
        consent = [field for field in spec.fields if field.type == "consent"]
        if consent:
            texts.append(spec.purpose)
        for field in consent:
            texts += [field.label, field.help or "", field.yes_label or "", field.no_label or ""]
    return {message_key(text) for text in texts if text}


def filtered(rows: list[TextRow], only: str = "", group: str = "", consent=frozenset()):
    """The rows a filter leaves: `only` "offen" (not reviewed) or "katalog" (the catalog changed
    since the check or correction); `group` a group of SourceText.groups, or "einwilligung"."""
    if only == "offen":
        rows = [row for row in rows if not row.reviewed]
    elif only == "katalog":
        rows = [row for row in rows if row.stale]
    if group == "einwilligung":
        rows = [row for row in rows if row.key in consent]
    elif group:
        rows = [row for row in rows if group in row.source.groups]
    return rows


def progress(language: Language, rows: list[TextRow]) -> Progress:
    return Progress(language, sum(row.reviewed for row in rows), len(rows))


# --- Checks and corrections ---------------------------------------------------------------------


def confirm(code: str, row: TextRow, user_name: str) -> TextRow:
    """`user_name` says the text visitors read now is right."""
    if not row.shown:
        raise CorrectionError("Es gibt noch keine Übersetzung. Bitte über „Korrigieren“ eingeben.")
    state = CONFIRMED if row.shown == row.catalog else CORRECTED
    held = store(code, row, list(row.shown), state, user_name)
    audit("translation_confirmed", audit_target(code, row), shorten(row.shown))
    return TextRow(row.source, row.catalog, held)


def correct(folder: str, code: str, row: TextRow, forms: list[str], user_name: str) -> TextRow:
    """`user_name` gives another translation; CorrectionError (German) if it cannot be shown."""
    plural_count = language_catalog(folder, code).plural_count
    texts = checked_forms(row.source.msgid, row.source.msgid_plural, forms, plural_count)
    state = CONFIRMED if tuple(texts) == row.catalog else CORRECTED
    before = row.shown
    held = store(code, row, texts, state, user_name)
    audit(
        "translation_corrected",
        audit_target(code, row),
        f"{shorten(before) or '(fehlte)'} → {shorten(texts)}",
    )
    return TextRow(row.source, row.catalog, held)


def store(code: str, row: TextRow, forms: list[str], state: str, user_name: str):
    """This kiosk's own word on the text, over any it had; the overlay reads it at once."""
    text = row.source
    with write_transaction():
        held = TranslationOverride.held(code, text.key) or TranslationOverride(
            lang=code, key=text.key, origin="local"
        )
        held.msgctxt, held.msgid, held.msgid_plural = text.msgctxt, text.msgid, text.msgid_plural
        held.forms, held.state, held.checked_by = list(forms), state, user_name
        held.checked_at, held.catalog_forms = utcnow(), list(row.catalog)
        held.save()
    invalidate()
    return held


def audit_target(code: str, row: TextRow) -> str:
    """ "„Ihre Meinung“ (Arabisch)": the audit log's sentence names the text and language."""
    language = LANGUAGES.get(code)
    return f"„{shorten(row.source.msgid)}“ ({language.german_name if language else code})"


def shorten(texts) -> str:
    text = texts if isinstance(texts, str) else " | ".join(texts)
    return text if len(text) <= AUDIT_TEXT_LENGTH else text[: AUDIT_TEXT_LENGTH - 1] + "…"


# --- The consent step: checked in every language? --------------------------------------------


@dataclass(frozen=True)
class ConsentFlag:
    language: Language
    open: int  # consent texts nobody has checked
    total: int


def consent_flags(folder: str, forms, codes: list[str]) -> list[ConsentFlag]:
    """The languages (of `codes`) whose consent texts are not all checked, and how many not."""
    keys = consent_keys(forms)
    in_force: dict[str, dict] = {}
    for override in TranslationOverride.in_force():
        in_force.setdefault(override.lang, {})[override.key] = override
    flags = []
    for language in review_languages(folder):
        if language.code in codes:
            held = in_force.get(language.code, {})
            rows = [row for row in rows_of(folder, language.code, held) if row.key in keys]
            still_open = sum(not row.reviewed for row in rows)
            if still_open:
                flags.append(ConsentFlag(language, still_open, len(rows)))
    return flags

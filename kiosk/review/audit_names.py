"""The audit log in words: each action's name for the filter, and each event as a German sentence
("Anna setzte Anmeldung 673 auf erledigt", "Cora legte das Konto sara an").

A sentence is built from the event's action, target and detail. An action without a sentence of
its own, or whose detail is not in the expected shape, still reads as one ("Anna: Aktion xyz
(Ziel)"), so a new action code never breaks the log. What the sentence does not say itself of
the detail is shown after it.
"""

import dataclasses
import re
import string
from collections.abc import Callable

from ..reports.periods import PeriodError, period_of
from .accounts import ROLE_NAMES, language_name

ACTION_NAMES = {
    "login": "Anmeldung",
    "login_failed": "Anmeldung fehlgeschlagen",
    "logout": "Abmeldung",
    "password_changed": "Passwort geändert",
    "password_set": "Passwort neu gesetzt",
    "one_time_password": "Einmaliges Passwort ausgegeben",
    "user_added": "Konto angelegt",
    "user_role": "Rolle geändert",
    "user_languages": "Sprachen geändert",
    "user_disabled": "Konto gesperrt",
    "user_enabled": "Konto wieder freigegeben",
    "view": "Angesehen",
    "print": "Ausgedruckt",
    "export": "Export",
    "status": "Status geändert",
    "assign": "Zugewiesen",
    "note": "Notiz",
    "note_edit": "Notiz korrigiert",
    "note_strike": "Notiz gestrichen",
    "case": "Anliegen geändert",
    "case_undo": "Änderung eines Anliegens rückgängig gemacht",
    "approve": "Kommentar freigegeben",
    "withdraw_approval": "Freigabe zurückgenommen",
    "erase": "Gelöscht",
    "route": "Zuständigkeit geändert",  # before the directory (migration 0007)
    "directory_created": "Wegweiser: Eintrag angelegt",
    "directory_changed": "Wegweiser: Eintrag geändert",
    "directory_adapted": "Wegweiser: hier angepasst",
    "directory_deleted": "Wegweiser: Eintrag gelöscht",
    "directory_confirmed": "Wegweiser: Eintrag bestätigt",
    "event_created": "Termin angelegt",
    "event_changed": "Termin geändert",
    "event_deleted": "Termin gelöscht",
    "directory_import": "Wegweiser importiert",
    "directory_export": "Wegweiser exportiert",
    "directory_pull": "Verzeichnis vom Stadthaus abgerufen",
    "sync_now": "Versand sofort angestoßen",
    "report_built": "Bericht erstellt",
    "report_rebuilt": "Bericht neu erstellt",
    "report_downloaded": "Bericht heruntergeladen",
    "hub_report_downloaded": "Bericht eines Treffpunkts heruntergeladen",
    "hub_combined_report": "Gesamtbericht heruntergeladen",
    "hub_site_added": "Treffpunkt eingerichtet",
    "hub_site_revoked": "Schlüssel eines Treffpunkts gesperrt",
    "hub_form_published": "Formular für die Treffpunkte veröffentlicht",
    "translation_confirmed": "Übersetzung bestätigt",
    "translation_corrected": "Übersetzung korrigiert",
    "translations_export": "Übersetzungskatalog exportiert",
    "recording_uploaded": "Aufnahme hochgeladen",
    "recording_approved": "Aufnahme freigegeben",
    "recording_removed": "Aufnahme entfernt",
    "purge": "Löschfristen angewandt",
    "restore": "Sicherung zurückgespielt",
    "backup": "Sicherung geschrieben",
    "recording_imported": "Aufnahme importiert",
    "rendering_saved": "Deutsche Fassung gespeichert",
    "rendering_removed": "Deutsche Fassung entfernt",
    "form_uploaded": "Formular hochgeladen (Entwurf)",
    "form_published": "Formular veröffentlicht",
    "form_discarded": "Formularentwurf verworfen",
    "form_pinned": "Formular auf eine Version festgehalten",
    "form_unpinned": "Festhalten eines Formulars gelöst",
}

# Who acted when it was no person (the user_name the program writes).
ACTORS = {
    "cli": "Jemand an der Kommandozeile",
    "system": "Das Programm",
    "scheduler": "Das Programm",
}

# {who} is the actor, {subject} what the target names; other fields come from the detail.
SENTENCES = {
    "login": "{who} meldete sich an",
    "login_failed": "Anmeldung als „{subject}“ fehlgeschlagen (von {address})",
    "logout": "{who} meldete sich ab",
    "password_changed": "{who} änderte das eigene Passwort",
    "password_set": "{who} setzte ein neues Passwort für das Konto {subject}",
    "one_time_password": "{who} gab dem Konto {subject} ein neues einmaliges Passwort",
    "user_added": "{who} legte das Konto {subject} an ({role}{languages})",
    "user_role": "{who} gab dem Konto {subject} die Rolle {new} (vorher {old})",
    "user_languages": "{who} trug für das Konto {subject} die Sprachen {languages} ein",
    "user_disabled": "{who} sperrte das Konto {subject}",
    "user_enabled": "{who} gab das Konto {subject} wieder frei",
    "view": "{who} sah {subject} an",
    "print": "{who} druckte {subject} aus",
    "export": "{who} exportierte den Eingang als Tabelle",
    "status": "{who} setzte {subject} auf {new}",
    "assign": "{who} wies {subject} {assignee} zu",
    "note": "{who} schrieb eine Notiz zu {subject}",
    "note_edit": "{who} korrigierte eine Notiz zu {subject}",
    "note_strike": "{who} strich eine Notiz zu {subject} durch",
    "case": "{who} änderte ein Anliegen von {subject}",
    "case_undo": "{who} machte eine Änderung an einem Anliegen von {subject} rückgängig",
    "approve": "{who} gab einen Kommentar in {subject} für den Stadtbericht frei",
    "withdraw_approval": "{who} nahm die Freigabe eines Kommentars in {subject} zurück",
    "erase": "{who} löschte {subject} ({reason})",
    "route": "{who} änderte eine Zuständigkeit",
    "directory_created": "{who} legte im Wegweiser einen Eintrag an",
    "directory_changed": "{who} änderte einen Eintrag im Wegweiser",
    "directory_adapted": "{who} passte einen Eintrag des Wegweisers hier an",
    "directory_deleted": "{who} löschte einen Eintrag im Wegweiser",
    "directory_confirmed": "{who} bestätigte einen Eintrag im Wegweiser",
    "event_created": "{who} legte einen Termin an",
    "event_changed": "{who} änderte einen Termin",
    "event_deleted": "{who} löschte einen Termin",
    "directory_import": "{who} importierte den Wegweiser aus {subject}",
    "directory_export": "{who} exportierte den Wegweiser nach {subject}",
    "directory_pull": "{who} rief den Wegweiser vom Stadthaus ab",
    "sync_now": "{who} stieß den Versand sofort an",
    "report_built": "{who} erstellte den Bericht {subject}",
    "report_rebuilt": "{who} erstellte den Bericht {subject} neu",
    "report_downloaded": "{who} lud den Bericht {subject} herunter",
    "hub_report_downloaded": "{who} lud den Bericht {subject} herunter",
    "hub_combined_report": "{who} lud den Gesamtbericht {subject} herunter",
    "hub_site_added": "{who} richtete den Treffpunkt {subject} ein",
    "hub_site_revoked": "{who} sperrte den Schlüssel des Treffpunkts {subject}",
    "hub_form_published": "{who} veröffentlichte das Formular {subject} im Stadthaus",
    "translation_confirmed": "{who} bestätigte die Übersetzung {subject}",
    "translation_corrected": "{who} korrigierte die Übersetzung {subject}",
    "translations_export": "{who} exportierte den Übersetzungskatalog {subject}",
    "recording_uploaded": "{who} lud eine Aufnahme hoch",
    "recording_approved": "{who} gab eine Aufnahme frei",
    "recording_removed": "{who} entfernte eine Aufnahme",
    "recording_imported": "{who} importierte eine Aufnahme",
    "rendering_saved": "{who} speicherte eine deutsche Fassung einer Antwort in {subject}",
    "rendering_removed": "{who} entfernte die deutsche Fassung einer Antwort in {subject}",
    "form_uploaded": "{who} lud das Formular {subject} als Entwurf hoch",
    "form_published": "{who} veröffentlichte das Formular {subject}",
    "form_discarded": "{who} verwarf den Entwurf des Formulars {subject}",
    "form_pinned": "{who} hielt das Formular {subject} auf einer Version fest",
    "form_unpinned": "{who} löste das Festhalten des Formulars {subject}",
    "purge": "{who} wandte die Löschfristen an",
    "restore": "{who} spielte eine Sicherung zurück",
    "backup": "{who} schrieb eine Sicherung",
}
GENERIC = "{who}: {action}"

# Statuses of submissions and of needs, as a sentence names them ("auf erledigt").
STATUS_WORDS = {
    "new": "neu",
    "open": "offen",
    "in_progress": "in Bearbeitung",
    "handed_over": "übergeben",
    "done": "erledigt",
    "not_needed": "nicht mehr nötig",
}
ARROW = re.compile(r"\s*(\S+)\s*→\s*(\S+)\s*")


@dataclasses.dataclass(frozen=True)
class Sentence:
    """An event in words: `before`, the subject (a link to `link`, a submission, if given),
    `after`; `detail` is what the sentence itself does not say."""

    before: str
    subject: str = ""
    after: str = ""
    link: int | None = None
    detail: str = ""

    @property
    def text(self) -> str:
        return f"{self.before}{self.subject}{self.after}" + (
            f": {self.detail}" if self.detail else ""
        )


@dataclasses.dataclass(frozen=True)
class Subject:
    """What an event's target names, as a sentence says it, and the submission it links to."""

    text: str
    link: int | None = None


def actor(user_name: str) -> str:
    return ACTORS.get(user_name, user_name)


def period_label(key: str) -> str:
    try:
        return period_of(key).label
    except (PeriodError, ValueError, OverflowError, TypeError):
        return key


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)


def language_names(codes: str) -> str:
    names = [language_name(code.strip()) for code in codes.split(",") if code.strip()]
    return ", ".join(names) or "keine"


def arrow(detail: str, words: Callable[[str], str]) -> dict:
    """{"old": …, "new": …} of a detail "old → new"."""
    match = ARROW.fullmatch(detail)
    if not match:
        raise ValueError(detail)
    return {"old": words(match.group(1)), "new": words(match.group(2))}


def added(detail: str) -> dict:
    role, _, languages = detail.partition(";")
    spoken = f"; spricht {language_names(languages)}" if languages.strip() else ""
    return {"role": role_name(role.strip()), "languages": spoken}


# Fields a sentence takes from the detail; a detail they cannot read gives the generic sentence.
DETAIL_FIELDS: dict[str, Callable[[str], dict]] = {
    "login_failed": lambda detail: {"address": detail or "unbekannt"},
    "user_added": added,
    "user_role": lambda detail: arrow(detail, role_name),
    "user_languages": lambda detail: {"languages": language_names(detail)},
    "status": lambda detail: arrow(detail, lambda code: STATUS_WORDS.get(code, code)),
    "assign": lambda detail: {"assignee": "niemandem" if detail == "niemand" else detail},
    # "UUID; Grund: …": the UUID tells a reader nothing
    "erase": lambda detail: {"reason": detail.rpartition("; ")[2] or "ohne Grund"},
    # "answer/12": which answer of the submission, for whoever looks into the database
    **dict.fromkeys(
        ("approve", "withdraw_approval", "rendering_saved", "rendering_removed"), lambda _: {}
    ),
}


def subject_of(action: str, target: str, titles: dict[int, str]) -> Subject:
    """The target in words: "Anmeldung 673" (linked while the submission exists), an account's
    name, a report's period, or the target as it is."""
    kind, _, rest = target.partition("/")
    if kind == "submission" and rest.isdigit():
        number = int(rest)
        title = titles.get(number)
        return Subject(f"{title} {number}", number) if title else Subject(f"Eintrag {number}")
    if action.startswith(("report_", "hub_report_")) and rest:
        site = f" von {kind}" if action.startswith("hub_") else ""
        return Subject(period_label(rest) + site)
    if action == "hub_combined_report":
        return Subject(period_label(target))
    return Subject(target)


def sentence(event, titles: dict[int, str]) -> Sentence:
    """`event` (an AuditEvent) as a sentence; `titles` names the submissions by form title."""
    subject = subject_of(event.action, event.target or "", titles)
    template = SENTENCES.get(event.action)
    fields = {"who": actor(event.user_name), "action": ACTION_NAMES.get(event.action, "")}
    detail = event.detail or ""
    try:
        if event.action in DETAIL_FIELDS:
            fields.update(DETAIL_FIELDS[event.action](detail))
            detail = ""
        if template:
            return filled(template, fields, subject, detail)
    except (KeyError, IndexError, ValueError):
        detail = event.detail or ""
    return generic(event, fields, subject, detail)


def filled(template: str, fields: dict, subject: Subject, detail: str) -> Sentence:
    """The sentence of `template`; a template without {subject} leaves the target unsaid."""
    before, found, after = template.partition("{subject}")
    return Sentence(
        formatted(before, fields),
        subject.text if found else "",
        formatted(after, fields),
        subject.link if found else None,
        worded(detail),
    )


def generic(event, fields: dict, subject: Subject, detail: str) -> Sentence:
    """The sentence of an action without one of its own (or with a detail it cannot read)."""
    name = ACTION_NAMES.get(event.action) or f"Aktion „{event.action}“"
    before = f"{fields['who']}: {name}"
    if not subject.text:
        return Sentence(before, detail=detail)
    return Sentence(before + " (", subject.text, ")", subject.link, detail)


def formatted(template: str, fields: dict) -> str:
    """`template` with its fields; the values are never read as templates themselves."""
    return string.Formatter().vformat(template, (), fields)


def worded(detail: str) -> str:
    """A detail "open → done" with the statuses in words; any other detail as it is."""
    match = ARROW.fullmatch(detail)
    if match and {match.group(1), match.group(2)} <= STATUS_WORDS.keys():
        return f"{STATUS_WORDS[match.group(1)]} → {STATUS_WORDS[match.group(2)]}"
    return detail

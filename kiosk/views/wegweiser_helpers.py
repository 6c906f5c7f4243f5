"""What the Wegweiser's pages show besides the directory itself: the needs as tiles, directory
texts in the visitor's language (German with a note where the translation is missing or out of
date), the opening state with the times it changes, the languages spoken at an office, the dates
of events and the QR codes to take home (vCard, iCalendar, `tel:`).

The QR helpers are template globals (`office_qr`, `event_qr`, `phone_qr`), so the thank-you of
kiosk/views/kiosk.py shows an office's code exactly as its Wegweiser page does.
"""

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time
from flask import current_app
from flask_babel import get_locale, gettext
from markupsafe import Markup

from ..clock import local_time, utcnow
from ..directory import hours, qr
from ..directory.texts import SOURCE, german, shown
from ..formspec import FormSpec
from ..formspec.digits import locale_digits
from ..formspec.spec import Option
from ..i18n import LANGUAGES, current_language
from ..i18n.overrides import texts_state
from ..models import DirectoryEntry, Event
from ..review.inbox import NEEDS_FIELD, NEEDS_FORM
from .kiosk_helpers import language_list

DASH = "\N{EN DASH}"
# The state line is kept current by kiosk.js for this long after the page was made (also when
# the page comes from the service worker's cache); after that it is hidden rather than wrong.
STATE_DAYS = 7
# An entry's pictogram where it names none, or one that is not in static/icons/.
ENTRY_ICONS = {
    "office": "building",
    "helpline": "phone-call",
    "treffpunkt": "users-group",
    "event": "calendar-event",
}


def needs_field_options(forms: dict[str, FormSpec]) -> tuple[Option, ...]:
    """The options of the intake form's "needs" question (German labels, pictograms): the
    tiles of "Wer hilft bei …?". Another form with such a question serves if the intake is gone."""
    ordered = sorted(forms.values(), key=lambda spec: spec.slug != NEEDS_FORM)
    for spec in ordered:
        try:
            return tuple(spec.field(NEEDS_FIELD).options)
        except KeyError:
            continue
    return ()


def need_options() -> tuple[Option, ...]:
    return needs_field_options(current_app.extensions["kiosk_forms"])


def pictogram(name: str | None, kind: str = "office") -> str:
    """A pictogram name that exists in static/icons/ (an entry's own, else its kind's)."""
    if name and os.path.isfile(os.path.join(current_app.static_folder, "icons", f"{name}.svg")):
        return name
    return ENTRY_ICONS.get(kind, "building")


# --- Texts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitorText:
    """A directory text as shown: in the visitor's language, or German with a note."""

    text: str
    lang: str  # the language `text` is in
    fallback: bool  # German because the visitor's language has no usable translation
    german: str  # the German text, for the helper toggle under the visitor's own

    def __bool__(self) -> bool:
        return bool(self.text)


def visitor_text(texts: dict, field: str, code: str | None = None) -> VisitorText:
    """`field` of an entry's or event's `texts` for the visitor: their language, the language
    it is a variant of ("fa" for "fa-AF"), else German."""
    language = LANGUAGES.get(code) if code else current_language()
    code = language.code if language else (code or SOURCE)
    found = shown(texts, field, code)
    base = language.base if language else code
    if found.fallback and base != code:
        found = shown(texts, field, base)
    return VisitorText(found.text, found.lang, found.fallback, german(texts, field))


def text_of(item, field: str) -> VisitorText:
    """A template's `text_of(entry, "summary")`."""
    return visitor_text(item.texts, field)


# --- Opening hours ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StateLine:
    """ "jetzt geöffnet" / "öffnet Dienstag 9:00", and when it changes to what (kiosk.js)."""

    text: str
    timeline: tuple  # ((unix seconds, text), …)
    until: int  # unix seconds after which the line is hidden (the timeline runs out)


def has_hours(entry: DirectoryEntry | None) -> bool:
    return bool(entry and any((entry.hours or {}).values()))


def state_line(entry: DirectoryEntry | None, now: datetime | None = None) -> StateLine | None:
    """The entry's opening state for the state line ("Öffnungszeiten bitte erfragen" without
    hours); None without an entry. Worked out once a minute per hours and language: a page of
    offices asks for several, and the next visitor for the same again."""
    if entry is None:
        return None
    minute = (now or utcnow()).replace(second=0, microsecond=0)
    week = json.dumps(entry.hours or {}, sort_keys=True)
    code = current_language().code
    return _state_line(week, bool(entry.open_on_holidays), code, minute, texts_state())


@lru_cache(maxsize=256)
def _state_line(
    week: str, open_on_holidays: bool, code: str, now: datetime, texts: tuple | None
) -> StateLine:
    # gettext gives the language of the request, which is `code`'s, with the corrections in
    # force (`texts`): both part of the key.
    table = json.loads(week)
    state = hours.open_state(table, open_on_holidays, now=now)
    steps = hours.timeline(table, open_on_holidays, code, gettext, now=now, days=STATE_DAYS)
    return StateLine(
        text=hours.state_text(state, code, gettext, now=now),
        timeline=tuple((int(moment), text) for moment, text in steps),
        until=unix_seconds(now + timedelta(days=STATE_DAYS)),
    )


def unix_seconds(moment: datetime) -> int:
    """A stored naive-UTC time as seconds since 1970 (what the browser's clock counts)."""
    return int(moment.replace(tzinfo=UTC).timestamp())


def week_rows(entry: DirectoryEntry) -> list[tuple[str, str]]:
    """(day, hours) of the week table, in the visitor's language; none without hours."""
    if not has_hours(entry):
        return []
    return hours.week(entry.hours, current_language().code, gettext)


def closures(entry: DirectoryEntry, now: datetime | None = None) -> list[str]:
    """The public holidays of the next two weeks on which the entry is closed, worded."""
    if not has_hours(entry):
        return []
    return hours.closures(
        entry.hours, entry.open_on_holidays, current_language().code, gettext, now=now
    )


def hours_plain(entry: DirectoryEntry, code: str | None = None) -> str:
    """The week's opening hours as plain text (a vCard's note)."""
    if not has_hours(entry):
        return ""
    return hours.week_plain(entry.hours, code or current_language().code, gettext)


def weekly_hours(entry: DirectoryEntry) -> str:
    """The week's hours in short lines ("Mo-Fr: 9:00-12:00") for a help line that keeps
    hours; "" for one that answers around the clock (its state line says so)."""
    return hours_plain(entry) if len(week_rows(entry)) == 7 else ""


# --- Languages and dates ----------------------------------------------------------------------


def language_name(code: str, locale: str) -> str:
    """A language's name in the visitor's language ("Arabisch", "العربية", "ዓረብኛ")."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(locale)
    except (ValueError, TypeError, UnknownLocaleError):
        name = None
    if not name:
        known = LANGUAGES.get(code)
        name = known.name if known else code
    return name


def spoken_languages(entry: DirectoryEntry) -> str:
    """The languages spoken at an office, named and listed in the visitor's language."""
    locale = str(get_locale())
    names = [language_name(code, locale) for code in entry.languages or () if str(code).strip()]
    return language_list(names) if names else ""


def event_when(event: Event, short: bool = False) -> str:
    """ "Donnerstag, 3. Dezember 2026, 18:30-20:00" (with an en dash) on the Treffpunkt's clock,
    worded and with the digits of the visitor's language; an event over several days names both
    days. `short`: "Do., 3. Dez., 18:30" for a tile."""
    locale = str(get_locale())
    start, end = local_time(event.starts_at), local_time(event.ends_at)

    def day(moment):
        if short:
            return format_skeleton("MMMEd", moment.replace(tzinfo=None), locale=locale)
        return format_date(moment.date(), "full", locale=locale)

    def clock(moment):
        return format_time(moment.replace(tzinfo=None).time(), "short", locale=locale)

    if short:
        text = f"{day(start)}, {clock(start)}"
    elif end.date() == start.date():
        text = f"{day(start)}, {clock(start)}{DASH}{clock(end)}"
    else:
        text = f"{day(start)}, {clock(start)} {DASH} {day(end)}, {clock(end)}"
    return locale_digits(text, locale)


# --- QR codes to take home --------------------------------------------------------------------


def office_note(entry: DirectoryEntry, code: str | None = None) -> str:
    """The vCard's note in the visitor's language: what the office helps with, its hours."""
    summary = visitor_text(entry.texts, "summary", code).text
    return "\n".join(part for part in (summary, hours_plain(entry, code)) if part)


def office_qr(entry: DirectoryEntry) -> Markup | None:
    """The office's vCard as a QR code; none for an example entry (nothing unconfirmed may
    leave as fact) or one whose card cannot be made."""
    if entry.example:
        return None
    try:
        payload = qr.vcard(entry, office_note(entry))
        label = gettext("QR-Code mit Adresse und Telefon von %(name)s", name=entry.name)
        return qr.qr_svg(payload, label)
    except ValueError:  # a card too long for a QR code: the page shows the text alone
        return None


def event_qr(event: Event) -> Markup | None:
    """The event as an iCalendar QR code, in the visitor's language (German where its title has
    no translation); none without a title."""
    shown_title = text_of(event, "title")
    title = shown_title.text
    if not title:
        return None
    try:
        payload = qr.vevent(
            str(event.uid),
            title,
            text_of(event, "text").text,
            text_of(event, "place").text,
            event.starts_at,
            event.ends_at,
            shown_title.lang,
            stamped_at=event.updated_at,
        )
        return qr.qr_svg(payload, gettext("QR-Code für Ihren Kalender: %(title)s", title=title))
    except ValueError:
        return None


def phone_qr(entry: DirectoryEntry) -> Markup | None:
    """A help line's number as a `tel:` QR code; none for an example or a number without digits."""
    if entry.example or not entry.phone:
        return None
    try:
        uri = qr.tel_uri(entry.phone)
    except ValueError:
        return None
    return qr.qr_svg(uri, gettext("QR-Code zum Anrufen: %(number)s", number=entry.phone))


TEMPLATE_GLOBALS = {
    "office_qr": office_qr,
    "event_qr": event_qr,
    "phone_qr": phone_qr,
    "text_of": text_of,
    "state_line": state_line,
    "pictogram": pictogram,
    "event_when": event_when,
    "unix_seconds": unix_seconds,
    "weekly_hours": weekly_hours,
}

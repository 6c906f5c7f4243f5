"""QR codes to take home: vCards for offices, iCalendar events for events, `tel:` for numbers.

Everything is made on the kiosk (segno draws, icalendar writes the events) and read by a phone
without internet: the code holds the whole contact or event, never a link back to the kiosk.
Texts the phone shows (a vCard's note, an event's summary and description) are the caller's, in
the visitor's language; an office's own name stays as it is.

Text is encoded as UTF-8. A payload that is not plain ASCII carries the ECI designator for UTF-8
(ECI 26): the QR standard's default for bytes is ISO 8859-1, and readers that guess instead turn
a short "Straße" into Japanese (zbar does; iOS' camera broke umlauts in vCards without it). Plain
ASCII (`tel:` numbers) needs no designator and gets none.
"""

import html
import io
import re
import unicodedata
from datetime import UTC, datetime, time
from functools import lru_cache

import segno
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from markupsafe import Markup
from segno.helpers import make_vcard_data

from ..clock import utcnow
from ..formspec.digits import plain_number

PRODID = "-//Treffpunkte Mittendrin Wildeshausen//Wegweiser//DE"
COUNTRY = "Deutschland"  # the address is German; maps and taxis read it so
QUIET_ZONE = 4  # modules of white around the code, as the standard asks
# The lowest error correction picks the smallest symbol (fewest, largest modules: what counts
# when a phone reads a glossy tablet screen from arm's length); segno then raises the level as
# far as the same symbol size allows (boost_error), so short payloads get M, Q or H for free.
ERROR_LEVEL = "L"
DARK, LIGHT = "#000", "#fff"
SVG_CLASS = "qr"
# A language tag for the LANGUAGE parameter (RFC 5646, as the kiosk's codes: "ar", "ku", "ti").
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
NEWLINES = re.compile(r"\r\n|\r|\n")
# What a written phone number keeps (a label such as "Zentrale:" goes), and an international
# number's trunk zero, "+49 (0) 4431": not dialled after the country code.
NOT_OF_A_NUMBER = re.compile(r"[^0-9+()/.\- ]")
TRUNK_ZERO = re.compile(r"\(\s*0\s*\)")


# --- tel: -------------------------------------------------------------------------------------


def _dialled(number: str) -> str:
    """A phone number as written, in ASCII digits, without words or an international
    number's "(0)": `Zentrale: +49 (0) ٤٤٣١ 88-0` is `+49 4431 88-0`."""
    text = " ".join(NOT_OF_A_NUMBER.sub(" ", plain_number(str(number))).split())
    if text.startswith("+"):
        text = " ".join(TRUNK_ZERO.sub(" ", text).split())
    return text


def tel_uri(number: str) -> str:
    """`116 117` as `tel:116117`, `+49 4431 88-0` as `tel:+494431880` (RFC 3966).

    Digits of any script count (`٠٤٤٣١` is `04431`); spaces, dashes, slashes, dots and brackets
    go; a "+" in front is kept, and an international number's "(0)" is dropped, since dialled
    after +49 it would be wrong. A number without digits is a ValueError.
    """
    text = _dialled(number)
    international = text.startswith("+")
    digits = "".join(char for char in text if char.isascii() and char.isdigit())
    if not digits:
        raise ValueError(f"„{number}“ ist keine Telefonnummer: sie enthält keine Ziffern.")
    return f"tel:{'+' if international else ''}{digits}"


# --- vCard ------------------------------------------------------------------------------------


def _clean(value: str | None) -> str:
    """One line or more of text without control characters other than line breaks."""
    text = NEWLINES.sub("\n", str(value or "")).strip()
    return "".join(char for char in text if char == "\n" or unicodedata.category(char) != "Cc")


def _escaped_rest(value: str | None) -> str:
    """A text value with what segno's helper leaves out escaped (RFC 2426 5.8.4): backslashes
    and line breaks. segno escapes the commas and semicolons itself, after this."""
    return _clean(value).replace("\\", "\\\\").replace("\n", "\\n")


def _escaped(value: str | None) -> str:
    """A text value escaped whole: a component of a structured value such as N."""
    return _escaped_rest(value).replace(",", "\\,").replace(";", "\\;")


def _website(address: str) -> str:
    address = _clean(address).replace("\n", "")
    if address and "://" not in address:
        address = "https://" + address
    return address


def vcard(entry, note: str) -> str:
    """The vCard 3.0 of a directory entry (what the camera apps of iOS and Android import).

    `entry` is a DirectoryEntry (name, street, postcode, city, phone, email, website); `note` is
    the caller's text in the visitor's language (what they help with, the opening hours), shown
    as the contact's note. The office's name is its own and is written as it is: in N (as the
    family name, so every phone lists the contact by it), FN and ORG. The address gets the
    country when it has any part; a phone number without digits is left out.
    """
    name = _clean(entry.name).replace("\n", " ")
    if not name:
        raise ValueError("Ein Eintrag ohne Namen hat keine Visitenkarte (vCard).")
    phone = _dialled(_clean(entry.phone))
    try:
        tel_uri(phone)
    except ValueError:
        phone = ""
    address = [_escaped_rest(getattr(entry, part)) for part in ("street", "postcode", "city")]
    street, postcode, city = address
    data = make_vcard_data(
        # segno writes N as given: its components are escaped here (family name;given;…).
        name=f"{_escaped(name)};;;;",
        displayname=_escaped_rest(name),
        org=_escaped_rest(name),
        workphone=phone or None,
        email=_clean(entry.email).replace("\n", "") or None,
        url=_website(entry.website) or None,
        street=street or None,
        zipcode=postcode or None,
        city=city or None,
        country=COUNTRY if any(address) else None,
        memo=_escaped_rest(note) or None,
    )
    # Apple's contacts show a card marked so by its organisation's name and picture; every
    # other reader ignores an X- property (RFC 2426 section 3.8).
    head, end, tail = data.rpartition("END:VCARD")
    return f"{head}X-ABShowAs:COMPANY\r\n{end}{tail}"


# --- iCalendar --------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """A stored naive-UTC time (or an aware one) as an aware UTC time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def vevent(
    uid: str,
    title: str,
    text: str,
    place: str,
    starts_at: datetime,
    ends_at: datetime,
    lang: str,
    *,
    stamped_at: datetime | None = None,
) -> str:
    """An iCalendar object (VCALENDAR) with one VEVENT: the event for a phone's calendar.

    `title`, `text` and `place` are in the visitor's language `lang` and carry it as their
    LANGUAGE parameter; an empty text or place is left out. `starts_at` and `ends_at` are stored
    naive-UTC times. DTSTAMP is `stamped_at` (the event's last change, e.g. `Event.updated_at`),
    else the start of today in UTC, so the same event gives the same code all day (the SVG cache
    and the service worker's cache keep it).
    """
    uid, title = str(uid).strip(), _clean(title)
    if not uid:
        raise ValueError("Ein Termin ohne UID hat keinen Kalendereintrag.")
    if not title:
        raise ValueError("Ein Termin ohne Titel hat keinen Kalendereintrag.")
    if not LANGUAGE_TAG.fullmatch(lang or ""):
        raise ValueError(f"„{lang}“ ist kein Sprachcode.")
    start, end = _utc(starts_at), _utc(ends_at)
    if end < start:
        raise ValueError("Ein Termin kann nicht enden, bevor er beginnt.")
    if stamped_at is None:
        stamped_at = datetime.combine(utcnow().date(), time())

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    event = CalendarEvent()
    event.add("uid", uid)
    event.add("dtstamp", _utc(stamped_at).replace(microsecond=0))
    # Times in UTC ("Z"), not with TZID=Europe/Berlin: a TZID needs its VTIMEZONE in the same
    # object (RFC 5545 3.2.19) or importers guess or refuse it, and the VTIMEZONE would add
    # hundreds of bytes to the code. UTC is read the same by every calendar, which shows the
    # event at its right hour on the phone's clock: Wildeshausen's, or still home's.
    event.add("dtstart", start.replace(microsecond=0))
    if end > start:  # without DTEND, a VEVENT with a start time ends when it starts
        event.add("dtend", end.replace(microsecond=0))
    language = {"LANGUAGE": lang}
    event.add("summary", title, parameters=language)
    if _clean(text):
        event.add("description", _clean(text), parameters=language)
    if _clean(place):
        event.add("location", _clean(place), parameters=language)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


# --- drawing ----------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _code(payload: str) -> segno.QRCode:
    """The QR code of `payload` (see ERROR_LEVEL and the module's note on ECI)."""
    if not payload:
        raise ValueError("Ein QR-Code braucht einen Inhalt.")
    ascii_only = payload.isascii()
    try:
        return segno.make(
            payload,
            error=ERROR_LEVEL,
            boost_error=True,
            micro=False,  # phones' camera apps do not read Micro QR codes
            encoding=None if ascii_only else "utf-8",
            eci=not ascii_only,
        )
    except segno.DataOverflowError:
        size = len(payload.encode("utf-8"))
        raise ValueError(
            f"Der Inhalt ist mit {size} Bytes zu lang für einen QR-Code: bitte kürzen."
        ) from None


@lru_cache(maxsize=256)
def qr_svg(payload: str, label: str) -> Markup:
    """The QR code of `payload` as inline SVG markup, named `label` for screen readers.

    No XML declaration; role="img" with aria-label and a <title>; a viewBox and no width or
    height, so it fills the box the stylesheet gives it (class "qr"); black modules on white
    with the quiet zone. It holds no style attribute or element: the site's
    Content-Security-Policy (kiosk/views/security.py) allows no inline styles. Colours are
    presentation attributes, which the policy does not govern.
    """
    label = " ".join(str(label).split())
    if not label:
        raise ValueError("Ein QR-Code braucht eine Beschriftung für Screenreader.")
    svg = _code(payload).svg_inline(
        border=QUIET_ZONE,
        dark=DARK,
        light=LIGHT,
        omitsize=True,
        svgclass=SVG_CLASS,
        lineclass=None,
        title=label,
    )
    name = html.escape(label, quote=True)
    # Whole modules on whole pixels: no anti-aliased seams between rows for a camera to see.
    attributes = f' role="img" aria-label="{name}" shape-rendering="crispEdges"'
    svg = svg.replace("<svg", "<svg" + attributes, 1)
    return Markup(svg)  # segno's drawing, the label escaped above


def qr_png(payload: str, scale: int = 6) -> bytes:
    """The same code as PNG bytes, `scale` pixels a module (for tests and print)."""
    if not isinstance(scale, int) or scale < 1:
        raise ValueError("Die Größe eines QR-Codes ist eine ganze Zahl ab 1.")
    out = io.BytesIO()
    _code(payload).save(out, kind="png", scale=scale, border=QUIET_ZONE, dark=DARK, light=LIGHT)
    return out.getvalue()

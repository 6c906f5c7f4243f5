"""QR codes to take home (issue 14): what a phone reads back is what the kiosk meant.

Every code is decoded with Debian's `zbarimg` (zbar-tools, installed by `make test`): a vCard with
an Arabic note, an event in Tigrinya, `tel:` numbers. Without zbarimg these tests fail, since a
code nobody read back proves nothing.
"""

import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from kiosk.clock import utcnow
from kiosk.directory.qr import qr_png, qr_svg, tel_uri, vcard, vevent
from kiosk.models import DirectoryEntry

PERSIAN = str.maketrans("0123456789", "".join(chr(0x06F0 + n) for n in range(10)))
ARABIC = str.maketrans("0123456789", "".join(chr(0x0660 + n) for n in range(10)))


def fa(text: str) -> str:
    return text.translate(PERSIAN)


def ar(text: str) -> str:
    return text.translate(ARABIC)


ARABIC_NOTE = (
    "يساعد مكتب العمل في البحث عن عمل والتدريب المهني ودورات اللغة.\n"
    "ساعات العمل: الاثنين إلى الجمعة "
    + ar("8-12")
    + "، الخميس أيضاً "
    + ar("14-18")
    + "; أحضر جواز السفر."
)
# A long but realistic note: what the office helps with, its hours, what to bring.
LONG_ARABIC_NOTE = (
    "يساعد مكتب العمل في البحث عن عمل والتدريب المهني ودورات اللغة الألمانية والتأهيل. "
    "ساعات العمل: الاثنين إلى الجمعة من الساعة الثامنة حتى الثانية عشرة، والخميس أيضاً من "
    "الثانية حتى السادسة مساءً. أحضر معك جواز السفر وتصريح الإقامة ورسالة المكتب إن وجدت. "
    "لا حاجة إلى موعد مسبق في ساعات الاستقبال، ويمكن طلب مترجم عند الحاجة."
)[:300]
TIGRINYA_TITLE = "ናይ ሓባር ቁርሲ ኣብ መራኸቢ ቦታ"
TIGRINYA_TEXT = "ምሳና ቁርሲ ብሉዑ፡ ሓደስቲ ሰባት ተፋለጡ።\nኩሉ ብነጻ እዩ።"


@pytest.fixture(scope="module")
def zbarimg():
    path = shutil.which("zbarimg")
    if path is None:
        pytest.fail(
            "zbarimg is missing: these tests read the QR codes back with Debian's zbar-tools "
            "(`make test` installs it; by hand: apt-get install zbar-tools)",
            pytrace=False,
        )
    return path


@pytest.fixture
def decode(zbarimg, tmp_path):
    """decode(png bytes) -> the bytes the code holds, as zbarimg reads them."""

    def read(png: bytes) -> bytes:
        image = tmp_path / "code.png"
        image.write_bytes(png)
        done = subprocess.run(
            [zbarimg, "--raw", "-q", str(image)], capture_output=True, timeout=60, check=False
        )
        assert done.returncode == 0, f"zbarimg read no code: {done.stderr!r}"
        assert done.stdout.endswith(b"\n")
        return done.stdout[:-1]  # zbarimg ends each symbol with a newline of its own

    return read


def office(**fields) -> DirectoryEntry:
    values = {
        "key": "jobcenter-wildeshausen",
        "name": "Jobcenter Wildeshausen",
        "street": "Delmenhorster Straße 6",
        "postcode": "27793",
        "city": "Wildeshausen",
        "phone": "04431 9487-0",
        "email": "jobcenter-wildeshausen@jobcenter-ge.de",
        "website": "www.jobcenter-landkreis-oldenburg.de",
    }
    return DirectoryEntry(**(values | fields))


# --- reading a vCard back as a phone's contacts app does --------------------------------------


def split_escaped(value: str, separator: str) -> list[str]:
    """Components of a structured vCard value, split at unescaped `separator`s (still escaped)."""
    parts, current, chars = [], "", iter(value)
    for char in chars:
        if char == "\\":
            current += char + next(chars, "")
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda match: "\n" if match[1] in "nN" else match[1], value)


def card_properties(text: str) -> dict[str, str]:
    """{property with its parameters: raw value} of a single vCard; checks its frame."""
    assert text.endswith("\r\n")
    lines = text.replace("\r\n ", "").split("\r\n")[:-1]  # unfolded
    assert lines[0] == "BEGIN:VCARD"
    assert lines[1] == "VERSION:3.0"
    assert lines[-1] == "END:VCARD"
    assert "\n" not in "".join(lines), "a bare line break inside a value"
    properties = {}
    for line in lines[2:-1]:
        name, _, value = line.partition(":")
        assert name not in properties, f"{name} twice"
        properties[name] = value
    return properties


# --- tel: -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "uri"),
    [
        ("116 117", "tel:116117"),
        ("+49 4431 88-0", "tel:+494431880"),
        ("04431 88-0", "tel:04431880"),
        ("110", "tel:110"),
        ("+49 (0) 4431 / 88-0", "tel:+494431880"),  # the trunk zero is not dialled after +49
        ("(04431) 88-0", "tel:04431880"),
        (ar("04431 88-0"), "tel:04431880"),  # Arabic-Indic digits
        (fa("04431 88-0"), "tel:04431880"),  # Persian digits
        ("\u200e+49 4431 88-0\u200f", "tel:+494431880"),  # direction marks copied with it
        ("\uff0b49 4431 880", "tel:+494431880"),  # a full-width plus
        ("  0800 111 0 111 ", "tel:08001110111"),
        ("Zentrale: +49 4431 88-0", "tel:+494431880"),
    ],
)
def test_tel_uri(number, uri):
    assert tel_uri(number) == uri


@pytest.mark.parametrize("number", ["", "   ", "Zentrale", "+", "-/-"])
def test_tel_uri_refuses_a_number_without_digits(number):
    with pytest.raises(ValueError, match="keine Ziffern"):
        tel_uri(number)


@pytest.mark.parametrize("number", ["116 117", "+49 4431 88-0", fa("04431 88-0")])
def test_tel_code_reads_back(decode, number):
    assert decode(qr_png(tel_uri(number))) == tel_uri(number).encode("ascii")


# --- vCard ------------------------------------------------------------------------------------


def test_vcard_with_arabic_note_reads_back_byte_for_byte(decode):
    card = vcard(office(), ARABIC_NOTE)
    read = decode(qr_png(card))
    assert read == card.encode("utf-8")

    properties = card_properties(read.decode("utf-8"))
    assert properties["TEL;TYPE=WORK"] == "04431 9487-0"
    assert unescape(properties["NOTE"]) == ARABIC_NOTE
    assert properties["FN"] == properties["ORG"] == "Jobcenter Wildeshausen"
    assert split_escaped(properties["N"], ";") == ["Jobcenter Wildeshausen", "", "", "", ""]
    address = [unescape(part) for part in split_escaped(properties["ADR"], ";")]
    # post office box; extended; street; locality; region; postal code; country (RFC 2426)
    assert address == ["", "", "Delmenhorster Straße 6", "Wildeshausen", "", "27793", "Deutschland"]
    assert properties["EMAIL"] == "jobcenter-wildeshausen@jobcenter-ge.de"
    assert properties["URL"] == "https://www.jobcenter-landkreis-oldenburg.de"


def test_vcard_escapes_commas_semicolons_backslashes_and_line_breaks(decode):
    name = "Beratung; Migration, Jugend\\Familie"
    note = "Wohnung, Arbeit; Papiere\\Anträge\r\nMo-Fr 9-12\nDi 14-18"
    entry = office(name=name, street="Markt 1, Eingang B; 2. Stock", phone="")
    card = vcard(entry, note)
    properties = card_properties(decode(qr_png(card)).decode("utf-8"))

    assert unescape(properties["FN"]) == unescape(properties["ORG"]) == name
    family, *rest = split_escaped(properties["N"], ";")
    assert unescape(family) == name and rest == ["", "", "", ""]
    assert unescape(properties["NOTE"]) == "Wohnung, Arbeit; Papiere\\Anträge\nMo-Fr 9-12\nDi 14-18"
    address = split_escaped(properties["ADR"], ";")
    assert len(address) == 7
    assert unescape(address[2]) == "Markt 1, Eingang B; 2. Stock"
    assert not any(name.startswith("TEL") for name in properties)


def test_vcard_without_address_phone_or_note_leaves_them_out():
    entry = office(street="", postcode="", city="", phone="erfragen", email="", website="")
    properties = card_properties(vcard(entry, ""))
    assert set(properties) == {"N", "FN", "ORG", "X-ABShowAs"}


def test_vcard_phone_in_other_digits_is_written_in_ascii():
    properties = card_properties(vcard(office(phone=ar("+49 (0) 4431 88-0")), "note"))
    assert properties["TEL;TYPE=WORK"] == "+49 4431 88-0"
    properties = card_properties(vcard(office(phone="Zentrale: 04431 88-0"), "note"))
    assert properties["TEL;TYPE=WORK"] == "04431 88-0"


def test_vcard_needs_a_name():
    with pytest.raises(ValueError, match="ohne Namen"):
        vcard(office(name="  "), "note")


def test_long_arabic_vcard_still_reads_back_at_scale_4(decode):
    assert len(LONG_ARABIC_NOTE) == 300
    entry = office(name="Jobcenter Landkreis Oldenburg \N{EN DASH} Geschäftsstelle Wildeshausen")
    card = vcard(entry, LONG_ARABIC_NOTE)
    assert decode(qr_png(card, scale=4)) == card.encode("utf-8")


def test_short_german_text_reads_back_as_written(decode):
    # Without the UTF-8 designator (ECI), a reader guessing the encoding reads "Straße" wrong.
    assert decode(qr_png("Straße")).decode("utf-8") == "Straße"


# --- iCalendar --------------------------------------------------------------------------------


def test_event_in_tigrinya_reads_back_and_parses(decode):
    starts_at, ends_at = datetime(2026, 12, 3, 15, 30), datetime(2026, 12, 3, 17, 0)  # naive UTC
    text = vevent(
        "7c1e3a52-2f4b-4d8e-9a61-0b5f1c2d3e4f",
        TIGRINYA_TITLE,
        TIGRINYA_TEXT,
        "Treffpunkt Mittendrin, Markt 1",
        starts_at,
        ends_at,
        "ti",
        stamped_at=datetime(2026, 11, 20, 9, 15, 42, 123),
    )
    read = decode(qr_png(text))
    assert read == text.encode("utf-8")

    calendar = Calendar.from_ical(read)
    assert str(calendar["prodid"]) == "-//Treffpunkte Mittendrin Wildeshausen//Wegweiser//DE"
    assert str(calendar["version"]) == "2.0"
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == "7c1e3a52-2f4b-4d8e-9a61-0b5f1c2d3e4f"
    assert event.decoded("dtstart") == datetime(2026, 12, 3, 15, 30, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    assert event.decoded("dtstamp") == datetime(2026, 11, 20, 9, 15, 42, tzinfo=UTC)
    assert str(event["summary"]) == TIGRINYA_TITLE
    assert str(event["description"]) == TIGRINYA_TEXT
    assert str(event["location"]) == "Treffpunkt Mittendrin, Markt 1"
    for name in ("summary", "description", "location"):
        assert event[name].params["LANGUAGE"] == "ti"
    # Written in UTC, as phones import it everywhere: no TZID without its VTIMEZONE.
    assert "DTSTART:20261203T153000Z" in text and "TZID" not in text


def test_event_times_given_aware_are_written_in_utc():
    text = vevent(
        "u",
        "Frühstück",
        "",
        "",
        datetime.fromisoformat("2026-07-01T10:00:00+02:00"),
        datetime.fromisoformat("2026-07-01T12:00:00+02:00"),
        "de",
    )
    (event,) = Calendar.from_ical(text).walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert "DESCRIPTION" not in text and "LOCATION" not in text


def test_event_without_stamp_gives_the_same_code_all_day():
    args = ("u", "Café", "Text", "Ort", datetime(2026, 5, 4, 8), datetime(2026, 5, 4, 9), "ar")
    before = utcnow().date()
    first, second = vevent(*args), vevent(*args)
    after = utcnow().date()
    assert first == second
    (event,) = Calendar.from_ical(first).walk("VEVENT")
    stamp = event.decoded("dtstamp")
    assert stamp.utcoffset() == timedelta(0)
    assert stamp.date() in {before, after}
    assert (stamp.hour, stamp.minute, stamp.second) == (0, 0, 0)


def test_event_of_no_length_has_no_end():
    moment = datetime(2026, 5, 4, 8)
    text = vevent("u", "Sprechstunde", "", "", moment, moment, "fa")
    assert "DTSTART:20260504T080000Z" in text and "DTEND" not in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at": datetime(2026, 5, 4, 7, 59)}, "bevor er beginnt"),
        ({"lang": "ar;X=1"}, "kein Sprachcode"),
        ({"lang": ""}, "kein Sprachcode"),
        ({"title": " \n "}, "ohne Titel"),
        ({"uid": ""}, "ohne UID"),
    ],
)
def test_event_refuses_what_no_calendar_could_import(changes, message):
    values = {
        "uid": "u",
        "title": "Sprechstunde",
        "text": "",
        "place": "",
        "starts_at": datetime(2026, 5, 4, 8),
        "ends_at": datetime(2026, 5, 4, 9),
        "lang": "uk",
    }
    with pytest.raises(ValueError, match=message):
        vevent(**(values | changes))


# --- drawing ----------------------------------------------------------------------------------


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", png[16:24])


def test_svg_is_named_escaped_and_scales_to_its_box():
    label = 'QR-Code: "Jobcenter" <Wohnung & Arbeit>'
    svg = qr_svg("tel:116117", label)
    assert svg.startswith("<svg") and "<?xml" not in svg

    root = ET.fromstring(svg)  # well-formed, with the label's <&" escaped
    assert root.get("role") == "img"
    assert root.get("aria-label") == label
    assert root.findtext("title") == label
    assert 'aria-label="QR-Code: &quot;Jobcenter&quot; &lt;Wohnung &amp; Arbeit&gt;"' in svg
    assert root.get("width") is None and root.get("height") is None
    assert root.get("class") == "qr"

    # The quiet zone: a white square over the whole view box, four modules around the code.
    x, y, width, height = (int(value) for value in root.get("viewBox").split())
    assert (x, y) == (0, 0) and width == height
    background, modules = root.findall("path")
    assert background.get("fill") == "#fff"
    assert background.get("d") == f"M0 0h{width}v{height}h-{width}z"
    assert modules.get("stroke") == "#000"
    assert modules.get("d").startswith("M4 4.5h7")  # the finder pattern after 4 modules of white
    assert png_size(qr_png("tel:116117", scale=1)) == (width, height)


def test_svg_carries_no_inline_style():
    """The site's Content-Security-Policy (kiosk/views/security.py) names no 'unsafe-inline'
    for styles: a style attribute or element in the page would be blocked (and reported)."""
    svg = qr_svg(vcard(office(), ARABIC_NOTE), "QR-Code")
    assert not [element for element in ET.fromstring(svg).iter() if "style" in element.attrib]
    assert "style" not in svg


def test_svg_is_cached_by_payload_and_label():
    qr_svg.cache_clear()
    first = qr_svg("tel:110", "Polizei")
    assert qr_svg("tel:110", "Polizei") is first
    assert qr_svg("tel:110", "Police") is not first
    assert qr_svg.cache_info().hits == 1


def test_svg_as_drawn_reads_back(decode, tmp_path):
    """The inline SVG itself, laid out in a box without a size of its own (as on a printed A6
    card, through WeasyPrint) and rasterised, is the code of the vCard."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm is missing (Debian's poppler-utils, `make test` installs it)")
    from weasyprint import HTML

    card = vcard(office(), ARABIC_NOTE)
    page = (
        "<!doctype html><meta charset=utf-8>"
        "<style>@page { size: 70mm 70mm; margin: 5mm } .qr { display: block; width: 60mm }</style>"
        f"<div>{qr_svg(card, 'QR-Code')}</div>"
    )
    HTML(string=page).write_pdf(tmp_path / "card.pdf")
    subprocess.run(
        [pdftoppm, "-r", "200", "-png", "-singlefile", str(tmp_path / "card.pdf"), "card"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    assert decode((tmp_path / "card.png").read_bytes()) == card.encode("utf-8")


def test_png_has_the_quiet_zone_at_its_scale(decode):
    small, large = qr_png("tel:112", scale=1), qr_png("tel:112", scale=6)
    (side, _), (large_side, _) = png_size(small), png_size(large)
    assert side == 21 + 2 * 4  # version 1 and four modules of white on each side
    assert large_side == 6 * side
    assert decode(large) == b"tel:112"


@pytest.mark.parametrize("scale", [0, -1, 2.5])
def test_png_refuses_a_scale_that_is_no_size(scale):
    with pytest.raises(ValueError, match="ganze Zahl"):
        qr_png("tel:112", scale=scale)


def test_codes_refuse_nothing_and_too_much():
    with pytest.raises(ValueError, match="Inhalt"):
        qr_png("")
    with pytest.raises(ValueError, match="zu lang"):
        qr_svg(
            "\N{ETHIOPIC SYLLABLE HA}" * 1200, "QR-Code"
        )  # 3600 bytes: more than any QR code holds
    with pytest.raises(ValueError, match="Beschriftung"):
        qr_svg("tel:112", "  ")

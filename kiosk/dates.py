"""Dates and years people type (staff filters, report periods, command options), read in one place.

Every date a person gives the staff area or a command is read here: the digits of any script
become ASCII, stray direction marks are dropped, and the day must lie between 1 January 2000 and
31 December 2099. The Treffpunkte exist since 2015, so nothing earlier holds data, and nothing
later is a date anyone means; a fixed window (not one relative to today) keeps a link or a
report's key valid for good. Outside it, Python's dates overflow when turned into UTC or moved
by a day (year 1, year 9999), and a request would fail instead of saying what is wrong.
Messages are German: they are shown to the person who typed the date.
"""

import re
import unicodedata
from datetime import date

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)

ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)  # what a date input sends
GERMAN_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", re.ASCII)  # what people type
# Left-to-right, right-to-left and Arabic letter marks, and the bidi embeddings and isolates:
# invisible, and copied along with a date from a right-to-left text.
INVISIBLE = dict.fromkeys([0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
LONGEST = 40  # characters; anything longer is no date

UNREADABLE = "Bitte ein Datum wie 24.12.2026 eingeben."
NO_SUCH_DAY = "Bitte ein Datum wie 24.12.2026 eingeben. Diesen Tag gibt es im Kalender nicht."
OUT_OF_RANGE = "Bitte ein Datum zwischen dem 1. Januar 2000 und dem 31. Dezember 2099 eingeben."
YEAR_OUT_OF_RANGE = "Bitte ein Jahr zwischen 2000 und 2099 eingeben."


class DateInputError(ValueError):
    """A date that cannot be read or lies outside EARLIEST … LATEST; the message is German."""


def plain(text: str) -> str:
    """`text` with the digits of every script as ASCII (Arabic-Indic 2026-11-01 becomes
    "2026-11-01"), without invisible marks, stripped."""
    text = text.translate(INVISIBLE).strip()
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def parse_day(text: str) -> date:
    """A day from "2026-12-24" (a date input) or "24.12.2026", in any script's digits."""
    if len(text) > LONGEST:
        raise DateInputError(UNREADABLE)
    cleaned = plain(text)
    if match := ISO_DAY.fullmatch(cleaned):
        year, month, day = (int(part) for part in match.groups())
    elif match := GERMAN_DAY.fullmatch(cleaned):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise DateInputError(UNREADABLE)
    check_year(year, OUT_OF_RANGE)  # the window holds whole years
    try:
        return date(year, month, day)
    except ValueError:  # 31 February, month 13
        raise DateInputError(NO_SUCH_DAY) from None


def within_range(day: date) -> date:
    """`day` itself, if it lies between EARLIEST and LATEST."""
    if not EARLIEST <= day <= LATEST:
        raise DateInputError(OUT_OF_RANGE)
    return day


def check_year(year: int, message: str = YEAR_OUT_OF_RANGE) -> int:
    """`year` itself, if it lies between the years of EARLIEST and LATEST."""
    if not EARLIEST.year <= year <= LATEST.year:
        raise DateInputError(message)
    return year

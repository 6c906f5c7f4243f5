"""Opening hours on Wildeshausen's clock, with the public holidays of Lower Saxony.

Stored (DirectoryEntry.hours): {"mo": [["09:00", "12:00"], ["14:00", "16:00"]], ...} by WEEKDAYS;
"24:00" ends a day, an end before its start runs past midnight ("20:00"-"02:00"). An interval
belongs to the day it starts on: a holiday (unless `open_on_holidays`) drops that day's, one
begun the evening before runs on. Wall-clock times become moments day by day (right across DST),
computed in UTC, shown in local time. Visitor texts: German msgids through the caller's `gettext`,
Babel's times and dates in the visitor's locale and digits (kiosk/formspec/digits.py)."""

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache, reduce
from itertools import groupby

import holidays
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_day_names, get_time_format, match_skeleton

from ..clock import TIMEZONE, utc_midnight, utcnow
from ..formspec.digits import locale_digits, plain_digits
from ..i18n import LANGUAGES, SOURCE_LANGUAGE
from ..models.directory import WEEKDAYS

DAY = 24 * 60  # minutes
LOOKAHEAD = timedelta(days=14)  # how far open_state looks for the next opening
DASH = "\N{EN DASH}"
DASHES = "(?:-|\N{EN DASH}|\N{EM DASH}|\N{FIGURE DASH}|\N{MINUS SIGN}|bis)"
EXAMPLE = f"Bitte so schreiben: 9{DASH}12, 14{DASH}16:30 (oder „geschlossen“, „rund um die Uhr“)."
CLOSED_WORDS = {"", "geschlossen", "zu", "keine", "nicht geöffnet", "-", DASH, "\N{EM DASH}"}
ALWAYS_WORDS = {"rund um die uhr", "durchgehend", "24 stunden", "24h", "24 h", "24/7"}
SEPARATORS = re.compile(r"\s*(?:[,;/+&\n]|\bund\b)\s*")
TIME = r"(\d{1,2})(?:[:.](\d{2}))?"
INTERVAL = re.compile(rf"(?:von|ab)?\s*{TIME}\s*{DASHES}\s*{TIME}")
STORED_TIME = re.compile(r"(\d{1,2}):(\d{2})")


class HoursError(ValueError):
    """Hours that cannot be stored; `message` is a German sentence for staff naming the day."""

    def __init__(self, message: str, day: str | None = None):
        super().__init__(message)
        self.message = message
        self.day = day  # the key of WEEKDAYS it concerns, if one


@dataclass(frozen=True)
class OpenState:
    is_open: bool
    until: datetime | None  # when open: the closing (local); None when beyond the look-ahead
    next_open: datetime | None  # the next opening (local) within the look-ahead
    always: bool = False  # open around the clock, holidays included (24/7 help lines)
    unknown: bool = False  # no hours given at all


def _fail(day: str | None, sentence: str):
    prefix = f"{get_day_names(locale='de')[WEEKDAYS.index(day)]}: " if day in WEEKDAYS else ""
    raise HoursError(prefix + sentence, day)


def _hhmm(minutes: int) -> str:  # "24:00" at the day's end; the next day's clock beyond it
    return "24:00" if minutes == DAY else f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _minutes(hour: str, minute: str | None, day: str | None, *, end: bool) -> int:
    value = int(hour) * 60 + int(minute or 0)
    if int(minute or 0) > 59 or value > DAY or (value == DAY and not end):
        _fail(day, f"„{hour}{':' + minute if minute else ''}“ ist keine Uhrzeit. {EXAMPLE}")
    return value


def _normalise(spans: list[tuple[int, int]], day: str | None) -> list[list[int]]:
    """Sorted minutes (a night's end above DAY), touching ones joined, empty or overlapping fail."""
    result: list[list[int]] = []
    for start, end in sorted(spans):
        shown = f"{_hhmm(start)}{DASH}{_hhmm(end)}"
        if end == start:
            _fail(day, f"{shown}: Anfang und Ende sind gleich.")
        end = end + DAY if end < start else end  # past midnight ("00:00" is "24:00")
        if result and start < result[-1][1]:
            before = f"{_hhmm(result[-1][0])}{DASH}{_hhmm(result[-1][1])}"
            _fail(day, f"{before} und {shown} überschneiden sich.")
        if result and start == result[-1][1] and (end - result[-1][0] < DAY or end == DAY):
            result[-1][1] = end  # (joined while it stays writable as one day's interval)
        else:
            result.append([start, end])
    return result


def _texts(spans: list[list[int]]) -> list[list[str]]:
    return [[_hhmm(start), _hhmm(end)] for start, end in spans]


def parse_day(text: str, day: str | None = None) -> list[list[str]]:
    """Staff input for one weekday: "9-12, 14:00-16.30" -> [["09:00", "12:00"], ["14:00", "16:30"]];
    "" or "geschlossen" is [], "rund um die Uhr" or "0-24" [["00:00", "24:00"]]; en dash, hyphen,
    "bis", "Uhr" work. HoursError names `day` (a WEEKDAYS key) if given."""
    cleaned = " ".join(plain_digits(str(text or "")).lower().split())
    if cleaned in CLOSED_WORDS:
        return []
    if cleaned in ALWAYS_WORDS:
        return [["00:00", "24:00"]]
    spans = []
    for part in filter(None, SEPARATORS.split(cleaned)):
        part = re.sub(r"(\d)\s*(?:uhr|h)\b", r"\1", part).strip()
        if not (match := INTERVAL.fullmatch(part)):
            _fail(day, f"„{part}“ ist keine Zeitspanne von … bis …. {EXAMPLE}")
        start = _minutes(*match.group(1, 2), day, end=False)
        spans.append((start, _minutes(*match.group(3, 4), day, end=True)))
    return _texts(_normalise(spans, day))


def format_day(intervals: list[list[str]]) -> str:
    """German staff display that parse_day reads back: "09:00-12:00, 14:00-16:00", "geschlossen"."""
    return ", ".join(f"{start}{DASH}{end}" for start, end in intervals) or "geschlossen"


def _check(hours: object) -> list[list[list[int]]] | None:
    """Each weekday's intervals in minutes, Monday first; None without any interval."""
    if hours in (None, "", [], {}):
        return None
    if not isinstance(hours, dict):
        raise HoursError("Die Öffnungszeiten müssen nach Wochentagen angegeben sein (mo … su).")
    if unknown := [str(key) for key in hours if key not in WEEKDAYS]:
        raise HoursError(f"Unbekannter Wochentag „{unknown[0]}“ (erlaubt: {', '.join(WEEKDAYS)}).")
    table = []
    for day in WEEKDAYS:
        value, spans = hours.get(day) or [], []
        for item in value if isinstance(value, list) else [value]:
            pair = item if isinstance(item, list | tuple) and len(item) == 2 else ()
            found = [STORED_TIME.fullmatch(t) if isinstance(t, str) else None for t in pair]
            if not found or not all(found):
                _fail(day, f"{item!r} ist keine Zeitspanne wie [„09:00“, „12:00“].")
            start = _minutes(*found[0].groups(), day, end=False)
            spans.append((start, _minutes(*found[1].groups(), day, end=True)))
        table.append(_normalise(spans, day))
    for index, day in enumerate(WEEKDAYS):  # a night must not run into the next day's hours
        night, following = table[index][-1:], table[(index + 1) % 7][:1]
        if night and following and night[0][1] - DAY > following[0][0]:
            shown, following = format_day(_texts(night)), format_day(_texts(following))
            next_day = get_day_names(locale="de")[(index + 1) % 7]
            _fail(day, f"{shown} überschneidet sich am {next_day} mit {following}.")
    return table if any(table) else None


def check_hours(hours: object) -> dict:
    """The stored shape checked (HoursError) and normalised: {} without any interval, else all
    seven days, times zero-padded, sorted, touching ones joined, an end "00:00" as "24:00"."""
    table = _check(hours)
    return {day: _texts(spans) for day, spans in zip(WEEKDAYS, table, strict=True)} if table else {}


@lru_cache(maxsize=16)
def _holidays(year: int):
    return holidays.country_holidays("DE", subdiv="NI", years=year, language="de")


def holiday(day: date) -> str | None:
    """The German name of a public holiday of Lower Saxony on `day`, else None."""
    return _holidays(day.year).get(day)


def _utc(moment: datetime | None) -> datetime:
    """Aware UTC from naive UTC (as stored), an aware moment, or None (now)."""
    moment = moment or utcnow()
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(TIMEZONE)


def _from_wall(wall: datetime) -> datetime:
    """A naive wall-clock time at the Treffpunkt as aware UTC (a time in the DST gap moves on)."""
    return (wall.replace(tzinfo=TIMEZONE) if TIMEZONE else wall.astimezone()).astimezone(UTC)


def _table(hours) -> list[list[list[int]]] | None:
    """_check's table, where malformed hours count as unknown (None): a visitor never sees a 500."""
    with contextlib.suppress(HoursError):
        return _check(hours)
    return None


def _spans(table, open_on_holidays: bool, since: datetime, until: datetime) -> list[list[datetime]]:
    """Merged opening intervals (aware UTC) of the local days of `since` to `until`, and one more
    on either side."""
    spans, first = [], _local(since).date() - timedelta(days=1)
    for offset in range((_local(until).date() - first).days + 2):
        day = first + timedelta(days=offset)
        if open_on_holidays or not holiday(day):
            midnight = datetime.combine(day, time())
            for start, end in table[day.weekday()]:
                spans.append([_from_wall(midnight + timedelta(minutes=m)) for m in (start, end)])
    merged: list[list[datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def openings(
    hours: dict, open_on_holidays: bool, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Opening intervals overlapping [start, end) (naive UTC as stored, or aware) as aware local
    datetimes, in order, contiguous ones merged (followed one day past `end` at most)."""
    table = _check(hours)
    start, end = _utc(start), _utc(end)
    spans = _spans(table, open_on_holidays, start, end) if table else []
    return [(_local(a), _local(b)) for a, b in spans if a < end and b > start]


def _covers_week(table) -> bool:
    """Whether the weekly hours leave no minute closed: one merged span over a plain week
    (Monday 8 January 2001 to the next Monday; no DST change, holidays ignored)."""
    week = [_from_wall(datetime(2001, 1, day)) for day in (8, 15)]
    spans = _spans(table, True, *week)
    return any(start <= week[0] and end >= week[1] for start, end in spans)


def _state_at(spans, moment: datetime) -> OpenState:
    limit = moment + LOOKAHEAD
    for index, (start, end) in enumerate(spans):
        if end <= moment:
            continue
        if start > moment:
            return OpenState(False, None, _local(start) if start <= limit else None)
        later = spans[index + 1][0] if index + 1 < len(spans) else None
        until = _local(end) if end <= limit else None
        return OpenState(True, until, _local(later) if later and later <= limit else None)
    return OpenState(False, None, None)


def open_state(hours: dict, open_on_holidays: bool, now: datetime | None = None) -> OpenState:
    """Open or not at `now` (naive UTC as kiosk.clock.utcnow(); default now), until when, and the
    next opening within 14 days. Malformed hours count as unknown here, never as an error."""
    table = _table(hours)
    if table is None:
        return OpenState(False, None, None, unknown=True)
    if open_on_holidays and _covers_week(table):
        return OpenState(True, None, None, always=True)
    moment = _utc(now)
    return _state_at(_spans(table, open_on_holidays, moment, moment + LOOKAHEAD), moment)


@lru_cache(maxsize=64)
def _locale(lang: str) -> str:
    language = LANGUAGES.get(lang)
    code = language.locale if language else str(lang or "").replace("-", "_")
    with contextlib.suppress(ValueError, TypeError, UnknownLocaleError):
        return str(Locale.parse(code))
    return SOURCE_LANGUAGE


@lru_cache(maxsize=1024)
def _clock(value: time, locale: str, day_end: bool = False) -> str:
    """The locale's short time in its digits, the hour unpadded ("9:00"); midnight as a day's end
    "24:00" where the locale counts 24 hours."""
    pattern = get_time_format("short", locale=locale).pattern
    pattern = re.sub(r"HH?", "k" if day_end and value == time() else "H", pattern)
    return locale_digits(format_time(value, pattern.replace("hh", "h"), locale=locale), locale)


@lru_cache(maxsize=256)
def _date(day: date, locale: str) -> str:
    """Weekday, day and month in the locale's order, words and digits: "Dienstag, 30. März"."""
    skeletons = Locale.parse(locale).datetime_skeletons
    found = match_skeleton("MMMMEd", skeletons)
    pattern = skeletons[found].pattern if found else "EEEE d MMMM"
    pattern = re.sub(r"'[^']*'|[Ec]+", lambda m: m[0] if m[0][0] == "'" else "EEEE", pattern)
    return locale_digits(format_date(day, pattern, locale=locale), locale)


def _fill(text: str, **values) -> str:
    # A translation with broken placeholders must not stop the kiosk: it is shown unfilled.
    with contextlib.suppress(KeyError, ValueError, TypeError):
        return text % values
    return text


def state_text(state: OpenState, lang: str, gettext, now: datetime | None = None) -> str:
    """The visitor's line for `state` as seen at `now`: "Geschlossen · öffnet morgen um 9:00"."""
    if state.unknown:
        return gettext("Öffnungszeiten bitte erfragen")
    if state.always:
        return gettext("Rund um die Uhr erreichbar")
    if state.is_open and state.until:
        moment = _local(state.until)  # open until midnight: until the end of the day before
        day = moment.date() - timedelta(days=1 if moment.time() == time() else 0)
        texts = (
            gettext("Jetzt geöffnet bis %(time)s"),
            gettext("Jetzt geöffnet bis morgen um %(time)s"),
            gettext("Jetzt geöffnet bis %(weekday)s um %(time)s"),
            gettext("Jetzt geöffnet"),  # closing in a week or later
        )
    elif state.is_open or state.next_open is None:
        return gettext("Jetzt geöffnet") if state.is_open else gettext("Zurzeit geschlossen")
    else:
        moment = _local(state.next_open)
        day = moment.date()
        texts = (
            gettext("Geschlossen · öffnet heute um %(time)s"),
            gettext("Geschlossen · öffnet morgen um %(time)s"),
            gettext("Geschlossen · öffnet %(weekday)s um %(time)s"),
            gettext("Geschlossen · öffnet am %(date)s um %(time)s"),
        )
    locale, days = _locale(lang), (day - _local(_utc(now)).date()).days
    text = texts[0 if days <= 0 else 1 if days == 1 else 2 if days <= 6 else 3]
    clock = _clock(moment.time(), locale, state.is_open)  # a closing at midnight as "24:00"
    weekday = get_day_names(locale=locale)[day.weekday()]
    return _fill(text, time=clock, weekday=weekday, date=_date(day, locale))


def timeline(
    hours: dict, open_on_holidays: bool, lang: str, gettext, now: datetime | None = None, days=7
) -> list[tuple[int, str]]:
    """[(unix seconds, the line from then on)]: the first at `now`, then at each opening, closing
    and local midnight within `days` where the line changes. A page shows the last item whose
    time has come, so its line stays right while it comes from the offline cache."""
    moment = _utc(now)
    end, table = moment + timedelta(days=days), _table(hours)
    if table is None or (open_on_holidays and _covers_week(table)):
        state = open_state(hours, open_on_holidays, moment)
        return [(int(moment.timestamp()), state_text(state, lang, gettext, moment))]
    spans, today = _spans(table, open_on_holidays, moment, end + LOOKAHEAD), _local(moment).date()
    midnights = [_utc(utc_midnight(today + timedelta(days=n))) for n in range(days + 2)]
    edges = [moment, *midnights, *(edge for span in spans for edge in span)]
    items: list[tuple[int, str]] = []
    for point in sorted({edge for edge in edges if moment <= edge <= end}):
        text = state_text(_state_at(spans, point), lang, gettext, point)
        if not items or items[-1][1] != text:
            items.append((int(point.timestamp()), text))
    return items


def _list_join(parts: list[str], locale: str) -> str:
    middle = Locale.parse(locale).list_patterns.get("standard", {}).get("middle") or "{0}, {1}"
    return reduce(middle.format, parts)


def _day_text(spans: list[tuple[int, int]], locale: str, gettext) -> str:
    """One day's hours for visitors: "9:00-12:00, 14:00-16:00" in the locale, or "geschlossen"."""
    if not spans:
        return gettext("geschlossen")
    clocks = [[time(m % DAY // 60, m % 60) for m in span] for span in spans]
    shown = [f"{_clock(a, locale)}{DASH}{_clock(b, locale, True)}" for a, b in clocks]
    return _list_join(shown, locale)


def _day_names(locale: str, width: str) -> list[str]:
    names = get_day_names(width, context="stand-alone", locale=locale)
    return [names[index][:1].upper() + names[index][1:] for index in range(7)]


def week(hours: dict, lang: str, gettext) -> list[tuple[str, str]]:
    """Seven rows Monday first: (weekday, its hours or "geschlossen") in `lang`; one row
    ("Montag-Sonntag", "Rund um die Uhr") when open around the clock; [] when unknown."""
    table, locale = _table(hours), _locale(lang)
    if table is None:
        return []
    names = _day_names(locale, "wide")
    if _covers_week(table):
        return [(f"{names[0]}{DASH}{names[6]}", gettext("Rund um die Uhr"))]
    return [(names[index], _day_text(table[index], locale, gettext)) for index in range(7)]


def week_plain(hours: dict, lang: str, gettext) -> str:
    """Lines for a vCard note in `lang`, days of the same hours together ("Mo-Fr: 9:00-12:00");
    "" when the hours are unknown."""
    rows, locale, lines = week(hours, lang, gettext), _locale(lang), []
    names = _day_names(locale, "abbreviated")
    if len(rows) < 7:
        return rows[0][1] if rows else ""
    for text, group in groupby(enumerate(rows), key=lambda row: row[1][1]):
        days = [names[index] for index, _ in group]
        label = f"{days[0]}{DASH}{days[-1]}" if len(days) > 2 else _list_join(days, locale)
        lines.append(f"{label}: {text}")
    return "\n".join(lines)


def closures(
    hours: dict, open_on_holidays: bool, lang: str, gettext, now: datetime | None = None, days=14
) -> list[str]:
    """A line "Geschlossen am Montag, 29. März (Feiertag)" for each public holiday from today on
    within `days` whose weekday would otherwise have opening hours."""
    table, locale = _table(hours), _locale(lang)
    if table is None or open_on_holidays:
        return []
    text, today = gettext("Geschlossen am %(date)s (Feiertag)"), _local(_utc(now)).date()
    upcoming = (today + timedelta(days=offset) for offset in range(days))
    return [
        _fill(text, date=_date(day, locale))
        for day in upcoming
        if table[day.weekday()] and holiday(day)
    ]

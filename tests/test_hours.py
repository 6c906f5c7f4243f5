"""Opening hours of the Wegweiser (kiosk/directory/hours.py): staff input, Lower Saxony's holidays,
closing at midnight, nights past midnight, a week with a holiday on Monday, the DST changes, help
lines around the clock, the visitor's line in several languages and its timeline for offline use.

Times are written as Wildeshausen's wall clock (`at`) and passed as naive UTC, as stored.
"""

# The expected texts hold en dashes and Arabic-Indic digits: what staff and visitors read.
# ruff: noqa: RUF001

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from babel.dates import get_day_names

from kiosk.clock import TIMEZONE
from kiosk.directory.hours import (
    HoursError,
    OpenState,
    check_hours,
    closures,
    format_day,
    holiday,
    open_state,
    openings,
    parse_day,
    state_text,
    timeline,
    week,
    week_plain,
)
from kiosk.formspec.digits import locale_digits
from kiosk.i18n import LANGUAGES

WORKDAYS = ("mo", "tu", "we", "th", "fr")
OFFICE = {day: [["09:00", "12:00"]] for day in WORKDAYS}  # Mon-Fri 9-12
AROUND_THE_CLOCK = {day: [["00:00", "24:00"]] for day in (*WORKDAYS, "sa", "su")}

# Catalog stand-ins: the visitor texts as a translator might write them.
ARABIC = {
    "Geschlossen · öffnet %(weekday)s um %(time)s": "مغلق · يفتح يوم %(weekday)s الساعة %(time)s",
    "Geschlossen · öffnet morgen um %(time)s": "مغلق · يفتح غدًا الساعة %(time)s",
    "Jetzt geöffnet bis %(time)s": "مفتوح الآن حتى %(time)s",
    "Rund um die Uhr erreichbar": "متاح على مدار الساعة",
    "Geschlossen am %(date)s (Feiertag)": "مغلق يوم %(date)s (عطلة رسمية)",
    "geschlossen": "مغلق",
}
TIGRINYA = {
    "Geschlossen · öffnet %(weekday)s um %(time)s": "ዕፉው · %(weekday)s ሰዓት %(time)s ይኽፈት",
    "Jetzt geöffnet bis %(time)s": "ሕጂ ክፉት እዩ፣ ክሳብ %(time)s",
}


def at(*wall) -> datetime:
    """A wall-clock time in Wildeshausen as naive UTC, as the database stores it."""
    return datetime(*wall, tzinfo=TIMEZONE).astimezone(UTC).replace(tzinfo=None)


def seconds(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def local(*wall) -> datetime:
    return datetime(*wall, tzinfo=TIMEZONE)


def german(text):
    return text


def catalog(table: dict):
    return lambda text: table.get(text, text)


def line(hours, moment, *, lang="de", gettext=german, holidays_open=False) -> str:
    return state_text(open_state(hours, holidays_open, moment), lang, gettext, moment)


# -- staff input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intervals"),
    [
        ("9–12, 14:00-16.30", [["09:00", "12:00"], ["14:00", "16:30"]]),
        ("14-16; 9 bis 12", [["09:00", "12:00"], ["14:00", "16:00"]]),
        ("von 8 Uhr bis 10 Uhr", [["08:00", "10:00"]]),
        ("9—12 / 13–14", [["09:00", "12:00"], ["13:00", "14:00"]]),
        ("٩-١٢", [["09:00", "12:00"]]),  # digits of any script
        ("9-12, 12-14", [["09:00", "14:00"]]),  # touching intervals become one
        ("", []),
        ("  Geschlossen ", []),
        ("rund um die Uhr", [["00:00", "24:00"]]),
        ("0-24", [["00:00", "24:00"]]),
        ("20:00-24:00", [["20:00", "24:00"]]),
        ("20-0", [["20:00", "24:00"]]),  # an end at midnight is the day's end
        ("20:00–02:00", [["20:00", "02:00"]]),  # past midnight
    ],
)
def test_parse_day_reads_what_staff_type(text, intervals):
    assert parse_day(text) == intervals
    assert parse_day(format_day(intervals)) == intervals  # the display reads back


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("9-12, 11-13", "09:00–12:00 und 11:00–13:00 überschneiden sich"),
        ("9-13, 10-11", "überschneiden sich"),
        ("20-3, 22-23", "überschneiden sich"),  # a night overlaps the evening
        ("25-26", "„25“ ist keine Uhrzeit"),
        ("9:60-10", "„9:60“ ist keine Uhrzeit"),
        ("24-2", "„24“ ist keine Uhrzeit"),  # 24:00 only ends a day
        ("9", "„9“ ist keine Zeitspanne"),
        ("ab 9", "keine Zeitspanne"),
        ("morgens", "„morgens“ ist keine Zeitspanne"),
        ("9-9", "Anfang und Ende sind gleich"),
    ],
)
def test_parse_day_refuses_in_german_naming_the_day(text, words):
    with pytest.raises(HoursError) as raised:
        parse_day(text, "tu")
    assert raised.value.message.startswith("Dienstag: ")
    assert words in raised.value.message
    assert raised.value.day == "tu"
    assert isinstance(raised.value, ValueError)


def test_format_day_for_staff():
    assert format_day([["09:00", "12:00"], ["14:00", "16:00"]]) == "09:00–12:00, 14:00–16:00"
    assert format_day([]) == "geschlossen"


def test_check_hours_normalises_the_stored_shape():
    checked = check_hours(
        {"mo": [["9:00", "12:00"], ["08:00", "09:00"]], "fr": [["20:00", "00:00"]]}
    )
    assert list(checked) == ["mo", "tu", "we", "th", "fr", "sa", "su"]
    assert checked["mo"] == [["08:00", "12:00"]]
    assert checked["fr"] == [["20:00", "24:00"]]
    assert checked["tu"] == []
    assert check_hours(checked) == checked
    assert check_hours({}) == {} and check_hours(None) == {}
    assert check_hours({day: [] for day in WORKDAYS}) == {}  # no interval at all: unknown


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        (["mo"], "nach Wochentagen"),
        ({"xx": []}, "Unbekannter Wochentag „xx“"),
        ({"mo": "9-12"}, "Montag: '9-12' ist keine Zeitspanne"),
        ({"mo": [["9", "12"]]}, "Montag: ['9', '12'] ist keine Zeitspanne"),
        ({"we": [["09:00"]]}, "Mittwoch: "),
        ({"th": [[None, "12:00"]]}, "Donnerstag: "),
        ({"mo": [["25:00", "26:00"]]}, "Montag: „25:00“ ist keine Uhrzeit"),
        ({"sa": [["10:00", "12:00"], ["11:00", "13:00"]]}, "Samstag: 10:00–12:00 und 11:00"),
        (
            {"fr": [["20:00", "02:00"]], "sa": [["01:00", "05:00"]]},
            "Freitag: 20:00–02:00 überschneidet sich am Samstag mit 01:00–05:00",
        ),
        (
            {"su": [["22:00", "08:00"]], "mo": [["07:00", "12:00"]]},
            "Sonntag: 22:00–08:00 überschneidet sich am Montag",
        ),
    ],
)
def test_check_hours_refuses_malformed_hours(hours, words):
    with pytest.raises(HoursError) as raised:
        check_hours(hours)
    assert words in raised.value.message


def test_a_night_may_end_where_the_next_day_begins():
    hours = check_hours({"fr": [["20:00", "02:00"]], "sa": [["02:00", "05:00"]]})
    (start, end), *others = openings(hours, False, at(2027, 1, 8), at(2027, 1, 10))
    assert (start, end) == (local(2027, 1, 8, 20), local(2027, 1, 9, 5)) and not others


# -- Lower Saxony's holidays ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 12, 25), "Erster Weihnachtstag"),
        (date(2026, 12, 26), "Zweiter Weihnachtstag"),
        (date(2027, 3, 29), "Ostermontag"),
        (date(2026, 10, 31), "Reformationstag"),  # a holiday in Lower Saxony since 2018
        (date(2027, 10, 31), "Reformationstag"),
        (date(2027, 3, 8), None),  # Internationaler Frauentag: Berlin only
        (date(2027, 5, 27), None),  # Fronleichnam: not in Lower Saxony
        (date(2026, 11, 18), None),  # Buß- und Bettag: Saxony only
        (date(2027, 3, 30), None),
    ],
)
def test_holidays_of_lower_saxony(day, name):
    assert holiday(day) == name


# -- closing at midnight, nights past midnight ---------------------------------------------------


def test_closing_at_midnight():
    friday_night = {"fr": [["20:00", "24:00"]]}  # Friday 8 January 2027
    state = open_state(friday_night, False, at(2027, 1, 8, 23, 59))
    assert state.is_open and state.until == local(2027, 1, 9, 0, 0)
    assert line(friday_night, at(2027, 1, 8, 23, 59)) == "Jetzt geöffnet bis 24:00"

    state = open_state(friday_night, False, at(2027, 1, 9, 0, 0))
    assert not state.is_open and state.until is None
    assert state.next_open == local(2027, 1, 15, 20, 0)
    assert line(friday_night, at(2027, 1, 9)) == "Geschlossen · öffnet Freitag um 20:00"
    assert line(friday_night, at(2027, 1, 8, 19, 59)) == "Geschlossen · öffnet heute um 20:00"


def test_an_interval_over_midnight():
    night = {"fr": [["20:00", "02:00"]]}
    assert openings(night, False, at(2027, 1, 8), at(2027, 1, 10)) == [
        (local(2027, 1, 8, 20), local(2027, 1, 9, 2))
    ]
    state = open_state(night, False, at(2027, 1, 9, 1, 30))
    assert state.is_open and state.until == local(2027, 1, 9, 2)
    assert line(night, at(2027, 1, 9, 1, 30)) == "Jetzt geöffnet bis 2:00"
    assert line(night, at(2027, 1, 8, 21)) == "Jetzt geöffnet bis morgen um 2:00"
    assert not open_state(night, False, at(2027, 1, 9, 2)).is_open


def test_contiguous_days_are_one_opening():
    hours = {"fr": [["20:00", "24:00"]], "sa": [["00:00", "02:00"]]}
    assert openings(hours, False, at(2027, 1, 8, 21), at(2027, 1, 8, 22)) == [
        (local(2027, 1, 8, 20), local(2027, 1, 9, 2))
    ]
    assert open_state(hours, False, at(2027, 1, 8, 23, 59)).until == local(2027, 1, 9, 2)


def test_openings_overlap_the_window_and_take_aware_times():
    window = (at(2027, 1, 11, 11), at(2027, 1, 13, 9, 30))  # Mon 11:00 to Wed 9:30
    expected = [(local(2027, 1, d, 9), local(2027, 1, d, 12)) for d in (11, 12, 13)]
    assert openings(OFFICE, False, *window) == expected
    aware = [moment.replace(tzinfo=UTC) for moment in window]
    assert openings(OFFICE, False, *aware) == expected
    assert openings({}, False, *window) == []
    with pytest.raises(HoursError):
        openings({"mo": "x"}, False, *window)


# -- a week with a holiday on Monday -------------------------------------------------------------


def test_easter_monday_closes_the_office_and_the_line_names_tuesday():
    # Easter 2027: Karfreitag 26 March, Ostermontag 29 March.
    monday = at(2027, 3, 29, 10)
    state = open_state(OFFICE, False, monday)
    assert not state.is_open and state.next_open == local(2027, 3, 30, 9)
    assert line(OFFICE, monday) == "Geschlossen · öffnet morgen um 9:00"

    sunday = at(2027, 3, 28, 10)  # tomorrow is the holiday: Tuesday by name
    assert line(OFFICE, sunday) == "Geschlossen · öffnet Dienstag um 9:00"
    arabic = line(OFFICE, sunday, lang="ar", gettext=catalog(ARABIC))
    assert arabic == "مغلق · يفتح يوم الثلاثاء الساعة ٩:٠٠ ص"
    assert line(OFFICE, monday, lang="ar", gettext=catalog(ARABIC)).startswith("مغلق · يفتح غدًا")

    good_friday = at(2027, 3, 26, 10)
    assert line(OFFICE, good_friday) == "Geschlossen · öffnet Dienstag um 9:00"
    assert openings(OFFICE, False, at(2027, 3, 26), at(2027, 4, 1))[0][0] == local(2027, 3, 30, 9)
    assert line(OFFICE, monday, holidays_open=True) == "Jetzt geöffnet bis 12:00"


def test_a_night_begun_before_a_holiday_runs_until_its_end():
    # Thursday 25 March 2027 into Karfreitag, and Karfreitag's own night dropped.
    nights = {"th": [["20:00", "02:00"]], "fr": [["20:00", "02:00"]]}
    assert openings(nights, False, at(2027, 3, 25), at(2027, 3, 28)) == [
        (local(2027, 3, 25, 20), local(2027, 3, 26, 2))
    ]
    assert open_state(nights, False, at(2027, 3, 26, 1)).is_open
    assert not open_state(nights, False, at(2027, 3, 26, 21)).is_open


def test_closures_name_the_holidays_on_which_it_would_open():
    before_easter = at(2027, 3, 24, 10)
    assert closures(OFFICE, False, "de", german, before_easter) == [
        "Geschlossen am Freitag, 26. März (Feiertag)",
        "Geschlossen am Montag, 29. März (Feiertag)",
    ]
    assert closures(OFFICE, False, "ar", catalog(ARABIC), before_easter)[1] == (
        "مغلق يوم الاثنين، ٢٩ مارس (عطلة رسمية)"
    )
    assert closures({"sa": [["10:00", "12:00"]]}, False, "de", german, before_easter) == []
    assert closures(OFFICE, True, "de", german, before_easter) == []
    assert closures(OFFICE, False, "de", german, before_easter, days=2) == []
    assert closures({}, False, "de", german, before_easter) == []


# -- the DST changes -----------------------------------------------------------------------------


def test_dst_change_in_march():
    # Sunday 28 March 2027: 02:00 CET becomes 03:00 CEST.
    daily = {day: [["08:00", "20:00"]] for day in (*WORKDAYS, "sa", "su")}
    (saturday, _), (sunday, sunday_end) = openings(
        daily, False, at(2027, 3, 27), at(2027, 3, 28, 23)
    )
    assert saturday.astimezone(UTC).hour == 7 and sunday.astimezone(UTC).hour == 6
    assert sunday_end - sunday == timedelta(hours=12)
    night = {"sa": [["22:00", "06:00"]]}
    ((start, end),) = openings(night, False, at(2027, 3, 27), at(2027, 3, 29))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=7)
    assert line(daily, at(2027, 3, 28, 7, 30)) == "Geschlossen · öffnet heute um 8:00"
    assert line(daily, at(2027, 3, 28, 8)) == "Jetzt geöffnet bis 20:00"
    # A time the clock skips opens when the clock has jumped on.
    gap = {"su": [["02:30", "05:00"]]}
    ((start, _),) = openings(gap, False, at(2027, 3, 27), at(2027, 3, 29))
    assert start.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_dst_change_in_october():
    # Sunday 31 October 2027: 03:00 CEST becomes 02:00 CET (and it is Reformationstag).
    night = {"sa": [["22:00", "06:00"]]}
    ((start, end),) = openings(night, False, at(2027, 10, 30), at(2027, 11, 1))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=9)
    assert open_state(night, False, at(2027, 10, 31, 5, 59)).is_open
    sunday = {"su": [["10:00", "12:00"]]}
    assert not open_state(sunday, False, at(2027, 10, 31, 11)).is_open  # the holiday
    assert open_state(sunday, True, at(2027, 10, 31, 11)).until == local(2027, 10, 31, 12)
    assert line(sunday, at(2027, 10, 31, 11), holidays_open=True) == "Jetzt geöffnet bis 12:00"


def test_timeline_midnights_across_the_dst_change():
    # From Saturday 27 March 2027, 13:00: Sunday has 23 hours.
    hours = {"mo": [["09:00", "12:00"]], "tu": [["09:00", "12:00"]]}
    items = timeline(hours, True, "de", german, at(2027, 3, 27, 13), days=3)
    sunday = int(datetime(2027, 3, 28, tzinfo=TIMEZONE).timestamp())
    monday = int(datetime(2027, 3, 29, tzinfo=TIMEZONE).timestamp())
    assert monday - sunday == 23 * 3600
    assert items[:4] == [
        (seconds(at(2027, 3, 27, 13)), "Geschlossen · öffnet Montag um 9:00"),
        (sunday, "Geschlossen · öffnet morgen um 9:00"),
        (monday, "Geschlossen · öffnet heute um 9:00"),
        (monday + 9 * 3600, "Jetzt geöffnet bis 12:00"),
    ]


# -- help lines around the clock -----------------------------------------------------------------


def test_help_line_around_the_clock():
    state = open_state(AROUND_THE_CLOCK, True, at(2027, 3, 29, 3))  # Easter Monday at night
    assert state == OpenState(True, None, None, always=True)
    assert state_text(state, "de", german) == "Rund um die Uhr erreichbar"
    assert state_text(state, "ar", catalog(ARABIC)) == "متاح على مدار الساعة"
    assert week(AROUND_THE_CLOCK, "de", german) == [("Montag–Sonntag", "Rund um die Uhr")]
    assert week_plain(AROUND_THE_CLOCK, "de", german) == "Rund um die Uhr"
    now = at(2027, 3, 29, 3)
    assert timeline(AROUND_THE_CLOCK, True, "de", german, now) == [
        (int(now.replace(tzinfo=UTC).timestamp()), "Rund um die Uhr erreichbar")
    ]
    # A day shift and a night shift every day also cover the week.
    assert parse_day("8-20, 20-8") == [["08:00", "20:00"], ["20:00", "08:00"]]
    shifts = check_hours({day: parse_day("8-20, 20-8") for day in AROUND_THE_CLOCK})
    assert check_hours(shifts) == shifts
    assert open_state(shifts, True, now).always
    assert week(shifts, "de", german) == [("Montag–Sonntag", "Rund um die Uhr")]
    halves = {day: [["00:00", "12:00"], ["12:00", "24:00"]] for day in AROUND_THE_CLOCK}
    assert check_hours(halves) == AROUND_THE_CLOCK


def test_around_the_clock_but_closed_on_holidays_is_not_always():
    state = open_state(AROUND_THE_CLOCK, False, at(2027, 3, 29, 3))
    assert not state.always and not state.is_open
    assert state.next_open == local(2027, 3, 30, 0)
    assert line(AROUND_THE_CLOCK, at(2027, 3, 28, 12)) == "Jetzt geöffnet bis 24:00"
    assert line(AROUND_THE_CLOCK, at(2027, 3, 27, 12)) == "Jetzt geöffnet bis morgen um 24:00"
    assert line(AROUND_THE_CLOCK, at(2027, 3, 22, 12)) == "Jetzt geöffnet bis Donnerstag um 24:00"
    # Two weeks without a holiday: open, closing unknown within the look-ahead.
    assert line(AROUND_THE_CLOCK, at(2027, 2, 1, 12)) == "Jetzt geöffnet"
    assert open_state(AROUND_THE_CLOCK, False, at(2027, 2, 1, 12)).until is None


# -- the visitor's line --------------------------------------------------------------------------


def test_state_text_phrases():
    assert line(OFFICE, at(2027, 1, 11, 10)) == "Jetzt geöffnet bis 12:00"
    assert line(OFFICE, at(2027, 1, 11, 8)) == "Geschlossen · öffnet heute um 9:00"
    assert line(OFFICE, at(2027, 1, 11, 13)) == "Geschlossen · öffnet morgen um 9:00"
    assert line(OFFICE, at(2027, 1, 8, 13)) == "Geschlossen · öffnet Montag um 9:00"
    mondays = {"mo": [["09:00", "12:00"]]}
    assert (
        line(mondays, at(2027, 1, 11, 13)) == "Geschlossen · öffnet am Montag, 18. Januar um 9:00"
    )
    # Fridays only: Christmas and New Year are Fridays, the next opening is beyond 14 days.
    fridays = {"fr": [["09:00", "12:00"]]}
    assert open_state(fridays, False, at(2026, 12, 18, 13)).next_open is None
    assert line(fridays, at(2026, 12, 18, 13)) == "Zurzeit geschlossen"
    assert line({}, at(2027, 1, 11, 10)) == "Öffnungszeiten bitte erfragen"
    assert open_state({}, False, at(2027, 1, 11)).unknown


def test_malformed_stored_hours_never_break_the_visitor_page():
    broken = {"mo": [["9 Uhr", "12"]]}
    assert open_state(broken, False, at(2027, 1, 11, 10)).unknown
    assert line(broken, at(2027, 1, 11, 10)) == "Öffnungszeiten bitte erfragen"
    assert week(broken, "de", german) == [] and week_plain(broken, "de", german) == ""
    assert closures(broken, False, "de", german) == []
    assert timeline(broken, False, "de", german)[0][1] == "Öffnungszeiten bitte erfragen"


@pytest.mark.parametrize(
    "lang", ["de", "en", "ar", "fa", "fa-AF", "ps", "ku", "uk", "ru", "tr", "ti"]
)
def test_state_text_in_every_language_has_babels_words_and_the_languages_digits(lang):
    locale = LANGUAGES[lang].locale
    tuesday = get_day_names("wide", locale=locale)[1]
    text = line(OFFICE, at(2027, 3, 28, 10), lang=lang, gettext=catalog({}))
    assert text == f"Geschlossen · öffnet {tuesday} um {text.split(' um ')[-1]}"
    assert locale_digits("9", locale) in text
    later = line({"mo": [["09:00", "12:00"]]}, at(2027, 1, 11, 13), lang=lang)
    assert locale_digits("18", locale) in later
    for moment in (at(2027, 1, 11, 10), at(2027, 1, 8, 23)):
        assert line(AROUND_THE_CLOCK, moment, lang=lang)
    assert len(week(OFFICE, lang, german)) == 7
    assert week_plain(OFFICE, lang, german).count("\n") == 1


def test_state_text_in_arabic_and_tigrinya():
    sunday = at(2027, 3, 28, 10)
    tigrinya = line(OFFICE, sunday, lang="ti", gettext=catalog(TIGRINYA))
    assert tigrinya.startswith("ዕፉው · ሰሉስ ሰዓት 9:00")  # Tuesday, Latin digits in Tigrinya
    open_now = at(2027, 1, 11, 10)
    assert line(OFFICE, open_now, lang="ar", gettext=catalog(ARABIC)) == "مفتوح الآن حتى ١٢:٠٠ م"
    assert line(OFFICE, open_now, lang="ti", gettext=catalog(TIGRINYA)).startswith("ሕጂ ክፉት")
    assert line(OFFICE, open_now, lang="fa") == "Jetzt geöffnet bis ۱۲:۰۰"


def test_a_broken_translation_is_shown_unfilled():
    broken = catalog({"Jetzt geöffnet bis %(time)s": "Open until %(zeit)s"})
    assert line(OFFICE, at(2027, 1, 11, 10), lang="en", gettext=broken) == "Open until %(zeit)s"


def test_unknown_language_falls_back_to_german_formats():
    assert line(OFFICE, at(2027, 1, 8, 13), lang="xx") == "Geschlossen · öffnet Montag um 9:00"


# -- the timeline for offline pages --------------------------------------------------------------


def test_timeline_items_and_switch_points():
    now = at(2027, 1, 8, 10)  # Friday 10:00, open until 12:00
    items = timeline(OFFICE, False, "de", german, now, days=3)
    assert items == [
        (seconds(now), "Jetzt geöffnet bis 12:00"),
        (seconds(at(2027, 1, 8, 12)), "Geschlossen · öffnet Montag um 9:00"),
        # Saturday's midnight changes nothing and is merged away.
        (seconds(at(2027, 1, 10)), "Geschlossen · öffnet morgen um 9:00"),
        (seconds(at(2027, 1, 11)), "Geschlossen · öffnet heute um 9:00"),
        (seconds(at(2027, 1, 11, 9)), "Jetzt geöffnet bis 12:00"),
    ]


def test_timeline_agrees_with_open_state_at_every_moment():
    hours = {
        "mo": [["09:00", "12:00"], ["14:00", "16:00"]],
        "we": [["18:00", "02:00"]],
        "fr": [["20:00", "24:00"]],
        "sa": [["00:00", "03:00"]],
    }
    now = at(2027, 3, 24, 7, 13)  # across Easter and the DST change
    items = timeline(hours, False, "ar", catalog(ARABIC), now, days=7)
    assert items[0][0] == seconds(now)
    assert [t for t, _ in items] == sorted({t for t, _ in items})
    assert all(a[1] != b[1] for a, b in pairwise(items))
    for minutes in range(0, 7 * 24 * 60, 37):
        moment = now + timedelta(minutes=minutes)
        shown = [text for t, text in items if t <= seconds(moment)][-1]
        assert shown == line(hours, moment, lang="ar", gettext=catalog(ARABIC)), moment


# -- the week ------------------------------------------------------------------------------------


def test_week_rows_in_german_and_arabic():
    hours = {"mo": [["09:00", "12:00"], ["14:00", "16:00"]], "fr": [["20:00", "24:00"]]}
    rows = week(hours, "de", german)
    assert rows[0] == ("Montag", "9:00–12:00, 14:00–16:00")
    assert rows[1] == ("Dienstag", "geschlossen")
    assert rows[4] == ("Freitag", "20:00–24:00")
    assert [name for name, _ in rows][-1] == "Sonntag"
    arabic = week(hours, "ar", catalog(ARABIC))
    assert arabic[0][0] == "الاثنين" and arabic[1] == ("الثلاثاء", "مغلق")
    assert "٩:٠٠" in arabic[0][1] and "٢:٠٠" in arabic[0][1]
    assert week({"sa": [["20:00", "02:00"]]}, "de", german)[5] == ("Samstag", "20:00–2:00")
    assert week({}, "de", german) == []
    assert week(OFFICE, "ru", german)[0][0] == "Понедельник"  # capitalised as a row label


def test_week_plain_for_the_vcard_note():
    assert week_plain(OFFICE, "de", german) == "Mo–Fr: 9:00–12:00\nSa, So: geschlossen"
    hours = {**OFFICE, "we": [], "sa": [["10:00", "12:00"]]}
    assert week_plain(hours, "de", german).splitlines() == [
        "Mo, Di: 9:00–12:00",
        "Mi: geschlossen",
        "Do, Fr: 9:00–12:00",
        "Sa: 10:00–12:00",
        "So: geschlossen",
    ]
    assert week_plain(OFFICE, "en", german).startswith("Mon–Fri: 9:00\u202fAM–12:00\u202fPM")
    assert week_plain({}, "de", german) == ""

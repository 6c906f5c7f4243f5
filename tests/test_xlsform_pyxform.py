"""Real XLSForms written by others: workbooks from pyxform's own test suite, as published in the
pyxform 1.5.1 source distribution on PyPI (tests/data/xlsforms/pyxform/README.md). Those that use
only what the kiosk supports import (with the title, purpose and deletion period a coordinator
types at the upload, since no ODK form has them); the others are refused with sheet, row, column
and a German sentence. Most are the old binary .xls format."""

import io
import random

import pytest
import xlrd
from openpyxl import Workbook

from kiosk.formspec import Condition, XLSFormError, read_xlsform
from tests.xlsform_support import EXAMPLES

PYXFORM = EXAMPLES / "pyxform"
GIVEN = {"title": "Ein Formular aus ODK", "purpose": "Wir probieren es aus.", "retention_days": 30}
NO_GERMAN = "Das Formular hat keine deutschen Texte."


def read(name: str, given: dict | None = GIVEN):
    return read_xlsform((PYXFORM / name).read_bytes(), given=given, filename=name)


def problems(name: str) -> list[tuple]:
    with pytest.raises(XLSFormError) as caught:
        read(name)
    return [(p.sheet, p.row, p.column, p.message) for p in caught.value.problems]


def with_german(name: str) -> bytes:
    """The workbook as .xlsx with the one change the kiosk asks for an English-only form: a
    label::German (de) column beside label::English, here with the same words."""
    book = xlrd.open_workbook(file_contents=(PYXFORM / name).read_bytes())
    output = Workbook()
    output.remove(output.active)
    for sheet in book.sheets():
        rows = [sheet.row_values(number) for number in range(sheet.nrows)]
        english = [i for i, h in enumerate(rows[0]) if str(h).lower() == "label:english"]
        target = output.create_sheet(sheet.name)
        for number, row in enumerate(rows):
            extra = ["label::German (de)"] if number == 0 else [row[i] for i in english]
            target.append(row + (extra if english else []))
    data = io.BytesIO()
    output.save(data)
    return data.getvalue()


def test_every_vendored_workbook_is_tested():
    tested = set(IMPORTED) | set(ENGLISH_ONLY) | set(REFUSED)
    assert {path.name for path in PYXFORM.glob("*.xls*")} == tested


IMPORTED = ("blank_second_row.xls", "ict_survey_fails.xls", "choice_name_same_as_select_name.xls")


def test_supported_forms_import_in_old_xls_format():
    blank = read("blank_second_row.xls").spec()
    assert (blank.slug, [(f.name, f.type) for f in blank.fields]) == ("id", [("value", "number")])
    ict = read("ict_survey_fails.xls")
    (question,) = ict.spec().fields
    assert (ict.slug, question.type, [o.value for o in question.options]) == (
        "ict-survey-fails",  # no form_id: named after its file, as pyxform does
        "single",
        ["yes", "no"],
    )
    assert question.label.startswith("17. Have any teachers used computers")
    zone = read("choice_name_same_as_select_name.xls").spec()
    assert [(f.name, [o.value for o in f.options]) for f in zone.fields] == [("zone", ["zone"])]


def test_the_typed_settings_make_the_consent_text_and_deletion_period():
    spec = read("ict_survey_fails.xls").spec()
    assert (spec.title, spec.purpose, spec.retention_days) == tuple(GIVEN.values())


def test_without_the_typed_settings_the_missing_ones_are_named():
    with pytest.raises(XLSFormError) as caught:
        read("ict_survey_fails.xls", given=None)
    assert [(p.sheet, p.column) for p in caught.value.problems] == [
        ("settings", "form_title"),
        ("settings", "kiosk::purpose"),
        ("settings", "kiosk::retention_days"),
    ]
    assert all("beim Hochladen" in p.message for p in caught.value.problems)


ENGLISH_ONLY = (
    "text_and_integer.xls",
    "yes_or_no_question.xls",
    "specify_other.xls",
    "style_settings.xls",
)


@pytest.mark.parametrize("name", ENGLISH_ONLY)
def test_english_only_forms_are_refused_only_for_their_missing_german(name):
    ((sheet, row, column, message),) = problems(name)
    assert (sheet, row, column) == ("survey", None, "label")
    assert message.startswith(NO_GERMAN)


def read_with_german(name: str):
    return read_xlsform(with_german(name), given=GIVEN, filename=name)


def test_english_only_forms_import_once_german_is_added():
    numbers = read_with_german("text_and_integer.xls")
    assert [(f.name, f.type) for f in numbers.spec().fields] == [
        ("your_name", "text"),
        ("your_age", "number"),
    ]
    assert numbers.translations["en"]["What is your name?"] == "What is your name?"
    (good_day,) = read_with_german("yes_or_no_question.xls").spec().fields
    # a single choice: the kiosk's own yes/no question only when the German labels say Ja/Nein
    assert (good_day.name, [o.value for o in good_day.options]) == ("good_day", ["yes", "no"])
    other = read_with_german("specify_other.xls").spec()
    sex, specify = other.fields
    assert [o.value for o in sex.options] == ["male", "female", "other"]
    assert specify.show_if == (Condition("sex", ("other",)),)
    styled = read_with_german("style_settings.xls").spec()
    assert styled.slug == "new-id"  # the settings sheet's id_string, pyxform's older form_id


REFUSED = {
    "loop.xls": [(None, "label"), (3, "type"), (5, "type")],
    "gps.xls": [(2, "type")],
    "calculate.xls": [
        *((2, "calculation"), (4, "calculation")),
        *((2, "type"), (3, "type"), (4, "type"), (5, "type")),
    ],
    "hidden.xls": [(2, "type")],
    "group.xls": [(None, "label"), (4, "type")],
    "default_time_demo.xls": [(2, "default"), (2, "type")],
    "or_other.xlsx": [(3, "choice_filter"), *((row, "pastel") for row in range(2, 7))],
    "search_and_select.xlsx": [(2, "appearance"), (3, "type")],
    "select_one_external.xlsx": [
        *((None, None), (3, "choice_filter"), (4, "choice_filter")),
        *((3, "type"), (4, "type")),
    ],
    "settings.xls": [(2, "attribute::my_number"), (2, "attribute::my_string"), (None, "label")],
    "widgets.xls": None,  # 28 problems: nearly every widget ODK has
}


@pytest.mark.parametrize("name", REFUSED)
def test_forms_with_what_the_kiosk_cannot_do_are_refused_at_their_rows(name):
    found = problems(name)
    if REFUSED[name] is not None:
        assert [(row, column) for _, row, column, _ in found] == REFUSED[name]
    for _, _, _, message in found:
        assert message.endswith(".") and "Traceback" not in message


def test_widgets_names_each_unsupported_widget():
    found = problems("widgets.xls")
    messages = {(row, column): message for _, row, column, message in found}
    assert messages[(4, "type")].startswith("Kommazahlen")
    assert messages[(6, "type")].startswith("Uhrzeiten")
    assert messages[(11, "type")].startswith("Standorte")
    assert messages[(12, "type")].startswith("Fotos, Ton, Video")
    assert messages[(5, "constraint")].startswith("„. >= today()“ kann der Kiosk nicht lesen")
    assert len(found) == 28


def test_the_refusal_messages_name_the_sheet_for_each_file_problem():
    ((sheet, row, column, message), *_) = problems("select_one_external.xlsx")
    assert (sheet, row, column) == ("external_choices", None, None)
    assert "external_choices" in message


@pytest.mark.parametrize("name", ["text_and_integer.xls", "or_other.xlsx", "widgets.xls"])
def test_a_damaged_workbook_is_refused_as_unreadable_never_a_crash(name, capsys):
    data = (PYXFORM / name).read_bytes()
    chance = random.Random(name)
    damaged = [data[: chance.randrange(8, len(data))] for _ in range(15)]
    for _ in range(15):
        flipped = bytearray(data)
        for _ in range(20):
            flipped[chance.randrange(len(flipped))] = chance.randrange(256)
        damaged.append(bytes(flipped))
    for broken in damaged:
        with pytest.raises(XLSFormError) as caught:
            read_xlsform(broken, given=GIVEN, filename=name)
        assert all(p.message.endswith(".") for p in caught.value.problems)
    assert capsys.readouterr().out == ""  # xlrd's complaints stay out of the server's output

"""XLSForms in the style of pyxform's own examples (tests/data/xlsforms/README.md): those with
only what the kiosk supports import, the others are refused with sheet, row and column."""

import pytest
from pyxform.xls2xform import convert

from kiosk.formspec import Condition, XLSFormError, read_xlsform
from tests.xlsform_support import EXAMPLES, example, markdown_sheets


def refusals(name: str) -> list[tuple]:
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(example(name))
    return [(p.sheet, p.row, p.column, p.message) for p in caught.value.problems]


def test_every_example_is_tested():
    tested = {
        "text_and_integer",
        "yes_or_no_question",
        "specify_other",
        "group_and_binds",
        "english_only",
        "loop",
        "note_and_references",
        "case_insensitivity",
        "repeat_and_media",
    }
    assert {path.stem for path in EXAMPLES.glob("*.md")} - {"README"} == tested


@pytest.mark.parametrize(
    "name", ["text_and_integer", "yes_or_no_question", "specify_other", "group_and_binds"]
)
def test_the_supported_examples_are_valid_xlsforms_for_pyxform_too(name):
    assert "<h:html" in convert(xlsform=example(name), warnings=[], validate=False).xform


def test_text_and_integer():
    package = read_xlsform(example("text_and_integer"))
    spec = package.spec()
    assert [(f.name, f.type) for f in spec.fields] == [
        ("your_name", "text"),
        ("your_age", "number"),
    ]
    assert package.translations == {
        "en": {
            "Wie heißen Sie?": "What is your name?",
            "Wie alt sind Sie in Jahren?": "How many years old are you?",
        }
    }
    assert package.slug == "text-and-integer"


def test_yes_or_no_question():
    (field,) = read_xlsform(example("yes_or_no_question")).spec().fields
    assert (field.name, field.type) == ("good_day", "yesno")


def test_specify_other():
    sex, other = read_xlsform(example("specify_other")).spec().fields
    assert [o.value for o in sex.options] == ["male", "female", "other"]
    assert other.show_if == (Condition("sex", ("other",)),)


def test_group_and_binds():
    spec = read_xlsform(example("group_and_binds")).spec()
    assert [f.name for f in spec.fields] == ["family_name", "nickname", "age"]
    nickname, age = spec.field("nickname"), spec.field("age")
    assert (nickname.required, nickname.min_length, nickname.messages["min_length"]) == (
        True,
        2,
        "Zu kurz.",
    )
    assert (age.min, age.max, age.show_if) == (18, 120, (Condition("nickname", ("papa", "baba")),))
    assert not spec.field("family_name").required


def test_english_only_is_refused_for_its_missing_german_and_settings():
    assert [(sheet, column) for sheet, _, column, _ in refusals("english_only")] == [
        ("survey", "label"),
        ("settings", "form_title"),
        ("settings", "kiosk::purpose"),
        ("settings", "kiosk::retention_days"),
        ("settings", "form_id"),
    ]


def test_loop_is_refused():
    assert [(r[1], r[2], r[3].split(" ")[0]) for r in refusals("loop")] == [
        (3, "type", "Wiederholungen"),
        (5, "type", "Wiederholungen"),
    ]


def test_note_decimal_calculate_and_references_are_refused():
    assert [r[1:3] for r in refusals("note_and_references")] == [
        (4, "required_message"),
        (5, "type"),
        (6, "type"),
        (7, "type"),
    ]


def test_external_selects_osm_and_choice_filter_are_refused():
    found = refusals("case_insensitivity")
    assert [r[:3] for r in found] == [
        ("EXTERNAL_CHOICES", None, None),
        ("OSM", None, None),
        ("survey", 3, "CHOICE_FILTER"),
        ("survey", 3, "type"),
        ("survey", 4, "type"),
    ]


def test_repeats_and_media_are_refused_row_by_row():
    found = refusals("repeat_and_media")
    assert [r[1:3] for r in found] == [
        (2, "type"),
        (4, "type"),
        (5, "type"),
        (6, "type"),
        (7, "type"),
        (8, "appearance"),
        (9, "type"),
    ]
    assert all(message.endswith(".") for *_, message in found)


def test_markdown_sheets_reads_pyxforms_notation():
    sheets = markdown_sheets("| survey |\n| | type | name |\n| | text | a |\n| choices |\n")
    assert sheets == {"survey": [["type", "name"], ["text", "a"]], "choices": []}

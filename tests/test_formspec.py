"""Tests for kiosk.formspec: loading and checking forms, visibility, answers, versions, texts."""

import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract, extract_from_dir, extract_python
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from kiosk.formspec import (
    DEFAULT_FORM_ICON,
    GENERATED_OPTIONS,
    ICONS_DIR,
    NO_ANSWER,
    NO_ANSWER_OPTION,
    UI_TEXTS,
    Condition,
    Field,
    FormSpec,
    FormSpecError,
    check_forms,
    extract_form_texts,
    load_form,
    load_forms,
)

ROOT = Path(__file__).resolve().parent.parent
FORMS_DIR = ROOT / "forms"

GOOD_FORM = """\
title = "Test"
purpose = "Wir testen."
retention_days = 30

[[fields]]
name = "consent"
type = "consent"
label = "Einverstanden?"
required = true

[[fields]]
name = "color"
type = "single"
label = "Welche Farbe?"
options = [
  { value = "red", label = "Rot" },
  { value = "blue", label = "Blau" },
]

[[fields]]
name = "nickname"
type = "text"
label = "Wie heißen Sie?"
personal = true
"""

ALL_TYPES_FORM = """\
title = "Alle Typen"
purpose = "Wir testen jeden Typ."
retention_days = 7

[[fields]]
name = "consent"
type = "consent"
label = "Einverstanden?"
required = true

[[fields]]
name = "choice"
type = "single"
label = "Eine?"
required = true
prefer_not_to_say = true
options = [{ value = "a", label = "A" }, { value = "b", label = "B" }]

[[fields]]
name = "choices"
type = "multiple"
label = "Mehrere?"
prefer_not_to_say = true
min = 1
max = 2
options = [{ value = "a", label = "A" }, { value = "b", label = "B" }, { value = "c", label = "C" }]

[[fields]]
name = "nickname"
type = "text"
label = "Name?"
min_length = 2
max_length = 5
pattern = '[A-Za-z]+'
messages = { pattern = "Nur Buchstaben, bitte." }

[[fields]]
name = "city"
type = "text"
label = "Stadt?"

[[fields]]
name = "note"
type = "textarea"
label = "Notiz?"

[[fields]]
name = "count"
type = "number"
label = "Wie viele?"
prefer_not_to_say = true
min = 1
max = 10

[[fields]]
name = "arrival"
type = "year"
label = "Seit wann?"

[[fields]]
name = "day"
type = "date"
label = "Wann?"

[[fields]]
name = "again"
type = "yesno"
label = "Wieder?"
required = true

[[fields]]
name = "mood"
type = "rating"
label = "Wie war es?"
"""


def mark(text: str) -> str:
    """A stand-in for gettext that shows which texts went through translation."""
    return f"[{text}]"


def write_form(directory: Path, source: str, name: str = "demo") -> Path:
    path = directory / f"{name}.toml"
    path.write_text(source, encoding="utf-8")
    return path


def refusal(tmp_path: Path, source: str) -> FormSpecError:
    path = write_form(tmp_path, source)
    with pytest.raises(FormSpecError) as caught:
        load_form(path)
    return caught.value


@pytest.fixture
def all_types(tmp_path) -> FormSpec:
    return load_form(write_form(tmp_path, ALL_TYPES_FORM, "all-types"))


def answer(field: Field, posted):
    """The stored value when `posted` is valid, else the field's error messages."""
    values = posted if isinstance(posted, list) else [] if posted is None else [posted]
    form = field.make_form(mark, formdata=MultiDict([("answer", value) for value in values]))
    if form.validate():
        return field.stored_value(form)
    return form.answer.errors


# --- The shipped forms ---------------------------------------------------------------------------


def test_shipped_forms_load_in_order():
    forms = load_forms(FORMS_DIR)
    assert list(forms) == ["intake", "visit", "feedback"]
    assert check_forms(FORMS_DIR) == []


@pytest.mark.parametrize("slug", ["intake", "visit", "feedback"])
def test_shipped_form_round_trips_through_json(slug):
    spec = load_form(FORMS_DIR / f"{slug}.toml")
    copy = FormSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert copy == spec
    assert copy.version_hash == spec.version_hash
    assert re.fullmatch(r"[0-9a-f]{16}", spec.version_hash)
    hash(spec)  # frozen all the way down, usable as a key


def test_shipped_forms_have_pictograms_everywhere():
    for spec in load_forms(FORMS_DIR).values():
        assert (ICONS_DIR / f"{spec.icon}.svg").is_file()
        for field in spec.fields:
            assert field.icon, field.name
            assert all(option.icon for option in field.options), field.name


def test_generated_pictograms_exist():
    names = [option.icon for options in GENERATED_OPTIONS.values() for option in options]
    for name in [*names, NO_ANSWER_OPTION.icon, DEFAULT_FORM_ICON]:
        svg = (ICONS_DIR / f"{name}.svg").read_text()
        assert 'stroke="currentColor"' in svg


def test_shipped_forms_keep_personal_data_behind_consent():
    forms = load_forms(FORMS_DIR)
    assert forms["intake"].fields[0].type == "consent"
    assert forms["intake"].has_personal_data()
    assert not forms["visit"].has_personal_data()
    assert forms["visit"].one_tap
    comment = forms["feedback"].field("comment")
    assert comment.personal and comment.show_if == (Condition("consent", ("yes",)),)


def test_intake_needs_use_the_agreed_values():
    needs = load_form(FORMS_DIR / "intake.toml").field("needs")
    assert [option.value for option in needs.options] == [
        "german_course", "housing", "work", "school", "health",
        "authorities", "legal_advice", "leisure", "mobility", "other",
    ]  # fmt: skip


def test_field_lookup():
    spec = load_form(FORMS_DIR / "intake.toml")
    assert spec.field("needs").type == "multiple"
    with pytest.raises(KeyError):
        spec.field("nope")


def test_intake_contact_pattern(in_request):
    contact = load_form(FORMS_DIR / "intake.toml").field("contact")
    for good in ["0151 2345678", "+49 4431 123-45", "amina@example.org"]:
        assert answer(contact, good) == good
    for bad in ["Amina", "12", "amina@"]:
        assert answer(contact, bad) == [mark(contact.messages["pattern"])]


# --- Versions ------------------------------------------------------------------------------------


def test_version_hash_ignores_place_and_layout(tmp_path):
    first = load_form(write_form(tmp_path, GOOD_FORM))
    (tmp_path / "other").mkdir()
    reformatted = "# a comment\n" + GOOD_FORM.replace(' = "', '  =  "')
    second = load_form(write_form(tmp_path / "other", reformatted))
    assert second.path != first.path
    assert second.version_hash == first.version_hash


@pytest.mark.parametrize(
    "old, new",
    [
        ('label = "Welche Farbe?"', 'label = "Welche Farbe mögen Sie?"'),
        ('label = "Blau"', 'label = "Hellblau"'),
        ('name = "nickname"\ntype = "text"', 'name = "nickname"\ntype = "textarea"'),
        ("retention_days = 30", "retention_days = 31"),
        ("personal = true", "personal = true\nmax_length = 50"),
    ],
)
def test_version_hash_changes_with_content(tmp_path, old, new):
    changed_source = GOOD_FORM.replace(old, new)
    assert changed_source != GOOD_FORM
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    before = load_form(write_form(tmp_path / "before", GOOD_FORM))
    after = load_form(write_form(tmp_path / "after", changed_source))
    assert after.version_hash != before.version_hash


# --- Refusals ------------------------------------------------------------------------------------


def with_field(extra: str) -> str:
    return GOOD_FORM + "\n[[fields]]\n" + extra


REFUSALS = {
    "unknown field key": (
        GOOD_FORM.replace('label = "Welche Farbe?"', 'label = "Welche Farbe?"\nlable = "x"'),
        "color",
        "unknown key 'lable' (did you mean 'label'?)",
    ),
    "unknown type": (
        with_field('name = "x"\ntype = "foo"\nlabel = "X"'),
        "x",
        "unknown type 'foo'",
    ),
    "duplicate field name": (
        with_field('name = "color"\ntype = "text"\nlabel = "Noch mal"'),
        "color",
        "duplicate field name",
    ),
    "duplicate option value": (
        GOOD_FORM.replace('value = "blue"', 'value = "red"'),
        "color",
        "duplicate option value 'red'",
    ),
    "option without label": (
        GOOD_FORM.replace('{ value = "blue", label = "Blau" }', '{ value = "blue" }'),
        "color",
        "option 'blue' has no label",
    ),
    "single without options": (
        with_field('name = "x"\ntype = "single"\nlabel = "X"'),
        "x",
        "type 'single' needs options",
    ),
    "multiple with empty options": (
        with_field('name = "x"\ntype = "multiple"\nlabel = "X"\noptions = []'),
        "x",
        "type 'multiple' needs options",
    ),
    "show_if on an unknown field": (
        with_field('name = "x"\ntype = "text"\nlabel = "X"\nshow_if = { colour = "red" }'),
        "x",
        "show_if refers to 'colour', which is not a field of this form",
    ),
    "show_if on a later field": (
        GOOD_FORM.replace('name = "color"', 'name = "color"\nshow_if = { nickname = "Ali" }'),
        "color",
        "show_if refers to 'nickname', which does not come before it",
    ),
    "show_if on itself": (
        GOOD_FORM.replace('name = "color"', 'name = "color"\nshow_if = { color = "red" }'),
        "color",
        "show_if refers to 'color', which does not come before it",
    ),
    "show_if value that is not an option": (
        with_field('name = "x"\ntype = "text"\nlabel = "X"\nshow_if = { color = ["green"] }'),
        "x",
        "show_if value 'green' is not an option of 'color'",
    ),
    "invalid pattern": (
        with_field('name = "x"\ntype = "text"\nlabel = "X"\npattern = \'[a-\''),
        "x",
        "'pattern' is not a valid regular expression",
    ),
    "min greater than max": (
        with_field('name = "x"\ntype = "number"\nlabel = "X"\nmin = 5\nmax = 2'),
        "x",
        "min (5) is greater than max (2)",
    ),
    "min_length greater than max_length": (
        with_field('name = "x"\ntype = "text"\nlabel = "X"\nmin_length = 9\nmax_length = 3'),
        "x",
        "min_length (9) is greater than max_length (3)",
    ),
    "icon of a field without svg": (
        GOOD_FORM.replace('name = "color"', 'name = "color"\nicon = "no-such-icon"'),
        "color",
        "icon 'no-such-icon' not found in static/icons/",
    ),
    "icon of an option without svg": (
        GOOD_FORM.replace('label = "Rot" }', 'label = "Rot", icon = "../../secret" }'),
        "color",
        "icon '../../secret' not found in static/icons/",
    ),
    "personal consent": (
        GOOD_FORM.replace("required = true", "required = true\npersonal = true", 1),
        "consent",
        "a consent field cannot be personal",
    ),
    "consent with a long text above its answers": (
        GOOD_FORM.replace(
            'type = "consent"',
            'type = "consent"\nhelp = "Eins. Zwei. Drei. Vier."',
            1,
        ),
        "consent",
        "a consent's help is at most three short sentences",
    ),
    "no_answer as option value": (
        GOOD_FORM.replace('value = "blue"', f'value = "{NO_ANSWER}"'),
        "color",
        f"option value '{NO_ANSWER}' is reserved",
    ),
    "personal field without consent before it": (
        GOOD_FORM.replace('type = "consent"', 'type = "yesno"'),
        "nickname",
        "personal data needs a consent field before it",
    ),
    "key that does not apply to the type": (
        with_field('name = "x"\ntype = "text"\nlabel = "X"\nmin = 3'),
        "x",
        "'min' does not apply to type 'text'",
    ),
    "message with a foreign placeholder": (
        with_field('name = "x"\ntype = "text"\nlabel = "X"\nmessages = { required = "%(name)s!" }'),
        "x",
        "message 'required' may only use %(min)s, %(max)s and %(example)s",
    ),
    "field without label": (with_field('name = "x"\ntype = "text"'), "x", "'label' is missing"),
    "field without name": (with_field('type = "text"\nlabel = "X"'), "#4", "'name' is missing"),
}


@pytest.mark.parametrize("source, field, message", REFUSALS.values(), ids=REFUSALS.keys())
def test_refusal_names_file_and_field(tmp_path, source, field, message):
    error = refusal(tmp_path, source)
    assert error.field == field
    assert message in error.message
    assert str(error).startswith(f"{tmp_path / 'demo.toml'}: field '{field}': ")


FORM_REFUSALS = {
    "invalid TOML": (GOOD_FORM.replace("retention_days = 30", "retention_days 30"), "line 3"),
    "unknown top-level key": ('titel = "x"\n' + GOOD_FORM, "unknown key 'titel'"),
    "missing title": (GOOD_FORM.replace('title = "Test"\n', ""), "'title' is missing"),
    "empty title": (GOOD_FORM.replace('title = "Test"', 'title = "  "'), "'title' is empty"),
    "missing purpose": (GOOD_FORM.replace('purpose = "Wir testen."\n', ""), "'purpose' is missing"),
    "missing retention_days": (
        GOOD_FORM.replace("retention_days = 30\n", ""),
        "'retention_days' is missing",
    ),
    "zero retention_days": (
        GOOD_FORM.replace("retention_days = 30", "retention_days = 0"),
        "'retention_days' must be a positive whole number",
    ),
    "text retention_days": (
        GOOD_FORM.replace("retention_days = 30", 'retention_days = "30"'),
        "'retention_days' must be a whole number",
    ),
    "boolean retention_days": (
        GOOD_FORM.replace("retention_days = 30", "retention_days = true"),
        "'retention_days' must be a whole number",
    ),
    "one_tap with several fields": ("one_tap = true\n" + GOOD_FORM, "'one_tap' needs exactly one"),
    "one_tap with a multiple field": (
        'one_tap = true\ntitle = "T"\npurpose = "P"\nretention_days = 1\n[[fields]]\n'
        'name = "x"\ntype = "multiple"\nlabel = "X"\noptions = [{ value = "a", label = "A" }]\n',
        "'one_tap' needs exactly one field, of type 'single'",
    ),
    "icon of the form without svg": ('icon = "nope"\n' + GOOD_FORM, "icon 'nope' not found"),
    "no fields": (GOOD_FORM.split("[[fields]]")[0], "needs at least one [[fields]] table"),
}


@pytest.mark.parametrize("source, message", FORM_REFUSALS.values(), ids=FORM_REFUSALS.keys())
def test_form_refusal_names_the_file(tmp_path, source, message):
    error = refusal(tmp_path, source)
    assert error.field is None
    assert message in error.message
    assert str(error) == f"{tmp_path / 'demo.toml'}: {error.message}"


def test_error_path_is_relative_to_the_current_directory(tmp_path, monkeypatch):
    (tmp_path / "forms").mkdir()
    monkeypatch.chdir(tmp_path)
    error = refusal(tmp_path / "forms", with_field('name = "needs"\ntype = "foo"\nlabel = "X"'))
    assert str(error) == "forms/demo.toml: field 'needs': unknown type 'foo'"


def test_file_name_must_be_a_slug(tmp_path):
    with pytest.raises(FormSpecError, match="slug"):
        load_form(write_form(tmp_path, GOOD_FORM, "Mein Formular"))


def test_check_forms_reports_every_problem_of_every_file(tmp_path):
    write_form(tmp_path, GOOD_FORM, "good")
    write_form(tmp_path, GOOD_FORM.replace("retention_days = 30", "retention_days = 0"), "one")
    two = with_field('name = "x"\ntype = "foo"\nlabel = "X"').replace('title = "Test"\n', "")
    write_form(tmp_path, two, "two")
    problems = check_forms(tmp_path)
    assert [(Path(p.path).name, p.field) for p in problems] == [
        ("one.toml", None),
        ("two.toml", None),
        ("two.toml", "x"),
    ]
    with pytest.raises(FormSpecError, match="retention_days"):
        load_forms(tmp_path)


def test_check_forms_on_a_missing_folder(tmp_path):
    [problem] = check_forms(tmp_path / "nowhere")
    assert "folder not found" in str(problem)


def test_load_forms_orders_by_order_then_slug(tmp_path):
    write_form(tmp_path, "order = 2\n" + GOOD_FORM, "b")
    write_form(tmp_path, "order = 2\n" + GOOD_FORM, "a")
    write_form(tmp_path, "order = 1\n" + GOOD_FORM, "c")
    assert list(load_forms(tmp_path)) == ["c", "a", "b"]


# --- Visibility ----------------------------------------------------------------------------------


def test_show_if_on_a_single_answer():
    contact = load_form(FORMS_DIR / "intake.toml").field("contact")
    assert not contact.is_visible({})
    assert not contact.is_visible({"contact_way": "none"})
    assert not contact.is_visible({"contact_way": NO_ANSWER})
    for way in ["phone", "messenger", "email"]:
        assert contact.is_visible({"contact_way": way})


def test_show_if_on_a_list_answer():
    needs_other = load_form(FORMS_DIR / "intake.toml").field("needs_other")
    assert not needs_other.is_visible({"needs": ["housing", "work"]})
    assert needs_other.is_visible({"needs": ["housing", "other"]})


def test_all_conditions_must_hold():
    field = Field(
        "x", "text", "X",
        show_if=(Condition("a", ("1",)), Condition("b", ("2", "3"))),
    )  # fmt: skip
    assert field.is_visible({"a": "1", "b": "3"})
    assert not field.is_visible({"a": "1", "b": "4"})
    assert not field.is_visible({"b": "2"})


def test_visible_fields_follow_the_answers():
    spec = load_form(FORMS_DIR / "feedback.toml")
    names = [field.name for field in spec.visible_fields({})]
    assert "comment" not in names
    names = [field.name for field in spec.visible_fields({"consent": "yes"})]
    assert names[-2:] == ["consent", "comment"]


def test_answers_of_hidden_fields_do_not_count(tmp_path):
    chain = with_field(
        'name = "shade"\ntype = "single"\nlabel = "Welches Rot?"\nshow_if = { color = "red" }\n'
        'options = [{ value = "dark", label = "Dunkel" }]\n'
        '[[fields]]\nname = "why"\ntype = "text"\nlabel = "Warum dunkel?"\n'
        'show_if = { shade = "dark" }\n'
    )
    spec = load_form(write_form(tmp_path, chain))
    answers = {"color": "blue", "shade": "dark", "why": "So."}
    assert [f.name for f in spec.visible_fields(answers)] == ["consent", "color", "nickname"]
    assert spec.visible_answers(answers) == {"color": "blue"}


# --- Answers -------------------------------------------------------------------------------------

VALID_ANSWERS = [
    ("consent", "yes", "yes"),
    ("choice", "b", "b"),
    ("choice", NO_ANSWER, NO_ANSWER),
    ("choices", ["c", "a"], ["a", "c"]),
    ("choices", ["a", "a"], ["a"]),
    ("choices", [NO_ANSWER], NO_ANSWER),
    ("choices", [], None),
    ("nickname", "  Ali ", "Ali"),
    ("nickname", "", None),
    ("city", "x" * 200, "x" * 200),
    ("note", "Zeile\r\nZeile", "Zeile\nZeile"),
    ("note", "x" * 2000, "x" * 2000),
    ("count", " 007 ", "7"),
    ("count", "\u0661\u0660", "10"),  # Arabic-Indic digits
    ("count", NO_ANSWER, NO_ANSWER),
    ("count", None, None),
    ("arrival", "2016", "2016"),
    ("arrival", "1940", "1940"),
    ("arrival", str(date.today().year), str(date.today().year)),
    ("day", "2024-02-29", "2024-02-29"),
    ("again", "no", "no"),
    ("mood", "5", "5"),
]


@pytest.mark.parametrize("name, posted, stored", VALID_ANSWERS)
def test_valid_answer_is_stored_normalised(in_request, all_types, name, posted, stored):
    assert answer(all_types.field(name), posted) == stored


INVALID_ANSWERS = [
    (
        "consent",
        None,
        "required",
        "[Bitte stimmen Sie zu. Ohne Ihre Zustimmung können wir nichts speichern.]",
    ),
    ("consent", "no", "choice", None),
    ("choice", None, "required", "[Bitte antworten Sie auf diese Frage.]"),
    ("choice", "   ", "required", None),
    ("choice", "z", "choice", "[Bitte wählen Sie eine der Antworten.]"),
    ("choices", ["a", "x"], "choice", None),
    ("choices", ["a", NO_ANSWER], "choice", None),
    (
        "choices",
        ["a", "b", "c"],
        "max",
        "[Bitte wählen Sie weniger Antworten (höchstens %(max)s).]",
    ),
    ("nickname", "A", "min_length", "[Bitte schreiben Sie mehr (mindestens %(min)s Zeichen).]"),
    ("nickname", "Abcdef", "max_length", None),
    ("nickname", "Al1", "pattern", "[Nur Buchstaben, bitte.]"),
    ("city", "x" * 201, "max_length", None),
    ("note", "x" * 2001, "max_length", None),
    ("count", "abc", "invalid", "[Bitte schreiben Sie eine Zahl, zum Beispiel %(example)s.]"),
    ("count", "1.5", "invalid", None),
    (
        "count",
        "0",
        "min",
        "[Die Zahl ist zu klein. Bitte schreiben Sie eine Zahl von %(min)s bis %(max)s.]",
    ),
    ("count", "11", "max", None),
    ("arrival", "16", "invalid", None),
    (
        "arrival",
        "1939",
        "min",
        "[Das Jahr ist zu früh. Bitte schreiben Sie ein Jahr von %(min)s bis %(max)s.]",
    ),
    ("arrival", "۱۹۳۹", "min", None),  # Persian digits: read, and still too early
    ("arrival", str(date.today().year + 1), "max", None),
    ("arrival", NO_ANSWER, "invalid", None),
    ("day", "2023-02-29", "invalid", "[Bitte wählen Sie ein Datum.]"),
    ("day", "29.02.2024", "invalid", None),
    ("again", None, "required", None),
    ("again", NO_ANSWER, "choice", None),
    ("again", "maybe", "choice", None),
    ("mood", "6", "choice", None),
]


@pytest.mark.parametrize("name, posted, key, german", INVALID_ANSWERS)
def test_invalid_answer_gets_its_own_translated_message(
    in_request, all_types, name, posted, key, german
):
    field = all_types.field(name)
    errors = answer(field, posted)
    assert errors == [field.message(key, mark)]
    if german:
        lowest, highest = field.bounds if key in ("min", "max") else (2, 5)
        example = {"count": 3, "arrival": 2016}.get(name)
        assert errors == [german % {"min": lowest, "max": highest, "example": example}]


def test_bounds_fill_the_placeholders(in_request, all_types):
    assert answer(all_types.field("count"), "11") == [
        "[Die Zahl ist zu groß. Bitte schreiben Sie eine Zahl von 1 bis 10.]"
    ]
    this_year = date.today().year
    assert answer(all_types.field("arrival"), "1939") == [
        f"[Das Jahr ist zu früh. Bitte schreiben Sie ein Jahr von 1940 bis {this_year}.]"
    ]
    assert answer(all_types.field("arrival"), "16") == [
        "[Bitte schreiben Sie ein Jahr mit 4 Ziffern, zum Beispiel 2016.]"
    ]
    one_bound = Field("n", "number", "Wie viele?", min=1)
    assert one_bound.message("min", mark) == "[Die Zahl ist zu klein. Sie muss mindestens 1 sein.]"


def test_a_broken_translation_does_not_break_the_message(in_request, all_types):
    field = all_types.field("count")
    assert field.message("min", lambda text: "%(minimum)s") == "%(minimum)s"


def test_required_text_refuses_blanks(in_request):
    field = Field("x", "text", "X", required=True)
    assert answer(field, "   ") == [field.message("required", mark)]


def test_the_form_has_one_answer_field(in_request, all_types):
    form = all_types.field("choice").make_form(mark)
    assert isinstance(form, FlaskForm)
    assert [field.name for field in form] == ["answer"]
    assert form.answer.label.text == "[Eine?]"
    assert [choice.label for choice in form.answer.iter_choices()] == ["[A]", "[B]"]


def test_the_form_leaves_the_csrf_token_to_csrfprotect(form_app, all_types):
    """The app's CSRFProtect refuses every POST without a valid token before a view runs
    (tests/test_kiosk.py and tests/test_speed_guarantees.py post without one); the cached
    answer form does not check it a second time."""
    form_app.config["WTF_CSRF_ENABLED"] = True
    with form_app.test_request_context():
        form = all_types.field("choice").make_form(mark)
    assert [field.name for field in form] == ["answer"]


@pytest.mark.parametrize(
    "name, value, data",
    [
        ("choice", "b", "b"),
        ("choices", ["a", "c"], ["a", "c"]),
        ("choices", NO_ANSWER, [NO_ANSWER]),
        ("count", "7", "7"),
        ("consent", "yes", "yes"),
        ("day", None, None),
    ],
)
def test_stored_value_prefills_the_form(in_request, all_types, name, value, data):
    form = all_types.field(name).make_form(mark, value=value)
    assert form.answer.data == data


def test_consent_checkbox_renders_its_value(in_request, all_types):
    field = all_types.field("consent")
    ticked = str(field.make_form(mark, value="yes").answer())
    assert 'value="yes"' in ticked and "checked" in ticked
    assert "checked" not in str(field.make_form(mark).answer())


def test_text_inputs_ask_the_browser_not_to_remember(in_request, all_types):
    html = str(all_types.field("city").make_form(mark).answer())
    assert 'autocomplete="off"' in html and 'maxlength="200"' in html


# --- Display -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value, shown",
    [
        ("choices", ["a", "c"], "[A], [C]"),
        ("choices", NO_ANSWER, "[Keine Angabe]"),
        ("choice", "gone", "gone"),
        ("consent", "yes", "[Zugestimmt]"),
        ("mood", "5", "[Sehr gut]"),
        ("again", "yes", "[Ja]"),
        ("count", "7", "7"),
        ("nickname", None, "\N{EN DASH}"),
    ],
)
def test_display(all_types, name, value, shown):
    assert all_types.field(name).display(value, mark) == shown


# --- Texts and extraction ------------------------------------------------------------------------


def own_texts(spec: FormSpec) -> set[str]:
    texts = {spec.title, spec.description, spec.purpose}
    for field in spec.fields:
        texts |= {field.label, field.help} - {None}
        if field.type in ("single", "multiple"):
            texts |= {option.label for option in field.options}
    return texts


@pytest.mark.parametrize("slug", ["intake", "visit", "feedback"])
def test_texts_cover_every_label(slug):
    spec = load_form(FORMS_DIR / f"{slug}.toml")
    texts = dict(spec.texts())
    assert own_texts(spec) <= set(texts)
    generated = {o.label for f in spec.fields if f.type in GENERATED_OPTIONS for o in f.options}
    assert generated <= set(UI_TEXTS)
    assert texts[spec.title] == f"form {slug}, title"


def test_texts_include_overridden_messages():
    contact = load_form(FORMS_DIR / "intake.toml").field("contact")
    assert (contact.messages["pattern"], "form intake, field contact, message pattern") in list(
        contact.texts("intake")
    )


def test_extractor_yields_every_text_on_its_line():
    path = FORMS_DIR / "intake.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    with path.open("rb") as fileobj:
        found = list(extract(extract_form_texts, fileobj))
    spec = load_form(path)
    assert [message for _, message, _, _ in found] == [text for text, _ in spec.texts()]
    for lineno, text, comments, _ in found:
        first_line = text.splitlines()[0]
        assert first_line in lines[lineno - 1] or first_line == lines[lineno].strip(), text
        assert comments and comments[0].startswith("form intake, ")
    needs = lines.index('label = "Wobei brauchen Sie Hilfe?"') + 1
    assert (needs, "Wobei brauchen Sie Hilfe?") in [(n, text) for n, text, _, _ in found]


def test_extractor_tells_repeated_texts_apart():
    with (FORMS_DIR / "intake.toml").open("rb") as fileobj:
        found = list(extract(extract_form_texts, fileobj))
    repeated = [lineno for lineno, text, _, _ in found if text == "Sie können mehrere wählen."]
    assert len(repeated) == 2 and repeated[0] != repeated[1]


def test_extractor_through_babel_with_a_method_map():
    method_map = [("forms/**.toml", "kiosk.formspec:extract_form_texts")]
    found = list(extract_from_dir(str(ROOT), method_map))
    files = {Path(filename).name for filename, *_ in found}
    assert files == {"intake.toml", "visit.toml", "feedback.toml"}
    assert "Warum sind Sie heute hier?" in {message for _, _, message, *_ in found}


def test_extractor_refuses_a_broken_form():
    fileobj = io.BytesIO(GOOD_FORM.replace('type = "text"', 'type = "foo"').encode())
    with pytest.raises(FormSpecError, match="unknown type 'foo'"):
        list(extract_form_texts(fileobj, [], [], {}))


def test_ui_texts_are_marked_for_the_python_extractor():
    source = (ROOT / "kiosk" / "formspec" / "spec.py").read_bytes()
    found = {message for _, _, message, _ in extract_python(io.BytesIO(source), ["N_"], [], {})}
    assert set(UI_TEXTS) <= found

"""Reading XLSForms: each supported type and column, and each refusal with sheet, row, column."""

import pytest

from kiosk.formspec import RATING_OPTIONS, Condition, XLSFormError, read_xlsform
from kiosk.formspec.package import FormPackage
from tests.xlsform_support import SETTINGS, survey_xlsx, xlsx

HEAD = ["type", "name", "label"]


def read(survey, choices=None, settings=None, name=None) -> FormPackage:
    return read_xlsform(survey_xlsx(survey, choices, settings), name=name)


def field(survey, choices=None, name=None):
    """The field `name` (else the last one) of a form read from these rows."""
    spec = read(survey, choices).spec()
    return spec.field(name) if name else spec.fields[-1]


def problems(survey, choices=None, settings=None, name=None) -> list[tuple]:
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(survey_xlsx(survey, choices, settings), name=name)
    return [(p.sheet, p.row, p.column, p.message) for p in caught.value.problems]


def only_problem(*args, **kwargs) -> tuple:
    found = problems(*args, **kwargs)
    assert len(found) == 1, found
    return found[0]


def test_a_small_form_becomes_our_form_file():
    package = read([HEAD, ["text", "name", "Wie heißen Sie?"]])
    spec = package.spec()
    assert package.slug == spec.slug == "test"
    assert (spec.title, spec.purpose, spec.retention_days) == ("Test", "Wir testen.", 30)
    assert [(f.name, f.type, f.label) for f in spec.fields] == [("name", "text", "Wie heißen Sie?")]
    assert 'title = "Test"' in package.source
    assert package.translations == {} and package.reviewed == {}


@pytest.mark.parametrize(
    ("xls_type", "appearance", "our_type"),
    [
        ("text", None, "text"),
        ("text", "multiline", "textarea"),
        ("integer", None, "number"),
        ("int", None, "number"),
        ("integer", "rating", "rating"),
        ("date", None, "date"),
        ("date", "no-calendar", "date"),
    ],
)
def test_simple_types(xls_type, appearance, our_type):
    assert field([[*HEAD, "appearance"], [xls_type, "q", "Frage", appearance]]).type == our_type


def test_year_is_an_integer_marked_by_the_kiosk_column():
    assert field([[*HEAD, "kiosk::type"], ["integer", "arrival", "Jahr?", "year"]]).type == "year"


def test_select_one_and_multiple_with_icons():
    choices = [
        ["list_name", "name", "label", "media::image"],
        ["needs", "housing", "Wohnung", "home.svg"],
        ["needs", "work", "Arbeit", "briefcase"],
    ]
    single = field(
        [[*HEAD, "media::image"], ["select_one needs", "q", "Was?", "help.png"]], choices
    )
    assert single.type == "single" and single.icon == "help"
    assert [(o.value, o.label, o.icon) for o in single.options] == [
        ("housing", "Wohnung", "home"),
        ("work", "Arbeit", "briefcase"),
    ]
    multiple = field([HEAD, ["select_multiple needs", "q", "Was?"]], choices)
    assert multiple.type == "multiple" and len(multiple.options) == 2
    spelled = field([HEAD, ["select all that apply from needs", "q", "Was?"]], choices)
    assert spelled.type == "multiple"


def test_or_other_adds_an_option_and_a_text_field_shown_for_it():
    choices = [["list_name", "name", "label"], ["l", "a", "A"]]
    spec = read([HEAD, ["select_multiple l or_other", "needs", "Was?"]], choices).spec()
    needs, other = spec.fields
    assert [o.value for o in needs.options] == ["a", "other"]
    assert (other.name, other.type, other.show_if) == (
        "needs_other",
        "text",
        (Condition("needs", ("other",)),),
    )


def test_yes_no_choices_become_yesno_and_likert_faces_become_rating():
    yes_no = [["list_name", "name", "label"], ["yn", "yes", "Ja"], ["yn", "no", "Nein"]]
    assert field([HEAD, ["select_one yn", "q", "Gut?"]], yes_no).type == "yesno"
    faces = [["list_name", "name", "label"]] + [["r", o.value, o.label] for o in RATING_OPTIONS]
    rows = [[*HEAD, "appearance"], ["select_one r", "q", "Wie war es?", "likert"]]
    assert field(rows, faces).type == "rating"
    # Other words for the five answers: a plain list, the words are kept.
    other_faces = [["list_name", "name", "label"]] + [
        ["r", str(n), f"Stufe {n}"] for n in range(1, 6)
    ]
    assert field(rows, other_faces).type == "single"


def test_acknowledge_is_a_consent_with_its_own_answers():
    consent = field(
        [
            [*HEAD, "hint", "required", "kiosk::yes_label", "kiosk::no_label"],
            ["acknowledge", "ok", "Einverstanden?", "Kurz gesagt.", "yes", "Ja, gern", "Nein"],
        ]
    )
    assert (consent.type, consent.help, consent.required) == ("consent", "Kurz gesagt.", True)
    assert (consent.yes_label, consent.no_label) == ("Ja, gern", "Nein")


def test_kiosk_columns_personal_prefer_not_to_say_digits():
    rows = [
        [*HEAD, "kiosk::personal", "kiosk::prefer_not_to_say", "kiosk::digits"],
        ["acknowledge", "consent", "Einverstanden?", None, None, None],
        ["text", "phone", "Telefon?", "yes", "ja", "ascii"],
    ]
    phone = field(rows)
    assert (phone.personal, phone.prefer_not_to_say, phone.digits) == (True, True, "ascii")


@pytest.mark.parametrize(
    ("xls_type", "constraint", "expected"),
    [
        ("integer", ". >= 1", {"min": 1}),
        ("integer", ". <= 10", {"max": 10}),
        ("integer", ". >= 1 and . <= 10", {"min": 1, "max": 10}),
        ("integer", ". > 0 and . < 11", {"min": 1, "max": 10}),
        ("text", "string-length(.) <= 40", {"max_length": 40}),
        (
            "text",
            "string-length(.) >= 2 and regex(., '[0-9 ]+')",
            {"min_length": 2, "pattern": "[0-9 ]+"},
        ),
    ],
)
def test_simple_constraints(xls_type, constraint, expected):
    rows = [
        [*HEAD, "constraint", "constraint_message"],
        [xls_type, "q", "Frage", constraint, "Falsch."],
    ]
    found = field(rows)
    assert {key: getattr(found, key) for key in expected} == expected
    assert {key: found.messages[key] for key in expected} == dict.fromkeys(expected, "Falsch.")


def test_count_selected_bounds_a_select_multiple():
    choices = [["list_name", "name", "label"], ["l", "a", "A"], ["l", "b", "B"], ["l", "c", "C"]]
    rows = [[*HEAD, "constraint"], ["select_multiple l", "q", "Was?", "count-selected(.) <= 2"]]
    assert field(rows, choices).max == 2


def test_required_message_and_kiosk_messages():
    rows = [
        [*HEAD, "required", "required_message", "kiosk::message::invalid"],
        ["integer", "q", "Wie viele?", "TRUE", "Bitte eine Zahl angeben.", "Nur Ziffern, bitte."],
    ]
    found = field(rows)
    assert found.required
    assert found.messages["required"] == "Bitte eine Zahl angeben."
    assert found.messages["invalid"] == "Nur Ziffern, bitte."


def test_relevant_becomes_show_if():
    choices = [["list_name", "name", "label"], ["l", "a", "A"], ["l", "b", "B"], ["l", "c", "C"]]
    rows = [
        [*HEAD, "relevant"],
        ["acknowledge", "consent", "Einverstanden?", None],
        ["select_multiple l", "needs", "Was?", None],
        ["select_one l", "way", "Wie?", None],
        ["text", "t1", "Eins", "${consent} = 'OK'"],
        ["text", "t2", "Zwei", "selected(${needs}, 'a') or selected(${needs}, 'c')"],
        [
            "text",
            "t3",
            "Drei",
            "${way}='b' and (selected(${needs}, 'a') or selected(${needs}, 'b'))",
        ],
    ]
    spec = read(rows, choices).spec()
    assert spec.field("t1").show_if == (Condition("consent", ("yes",)),)
    assert spec.field("t2").show_if == (Condition("needs", ("a", "c")),)
    assert spec.field("t3").show_if == (Condition("way", ("b",)), Condition("needs", ("a", "b")))


def test_plain_groups_are_flattened_and_start_end_are_ignored():
    rows = [
        HEAD,
        ["start", "started", None],
        ["begin group", "about", "Über Sie"],
        ["text", "a", "Eins"],
        ["end group", None, None],
        ["end", "ended", None],
        ["text", "b", "Zwei"],
    ]
    assert [f.name for f in read(rows).spec().fields] == ["a", "b"]


def test_settings_columns():
    settings = [
        [
            "form_title",
            "form_id",
            "version",
            "kiosk::description",
            "kiosk::purpose",
            "kiosk::retention_days",
            "kiosk::icon",
            "kiosk::order",
            "kiosk::visitor_code",
            "kiosk::review",
        ],
        [
            "Anmeldung",
            "Neue_Anmeldung",
            "2024",
            "Neu hier?",
            "Wir helfen.",
            90,
            "home.svg",
            5,
            "yes",
            "yes",
        ],
    ]
    rows = [[*HEAD, "required"], ["acknowledge", "consent", "Einverstanden?", "yes"]]
    spec = read(rows, settings=settings).spec()
    assert spec.slug == "neue-anmeldung"
    assert (spec.title, spec.description, spec.purpose) == ("Anmeldung", "Neu hier?", "Wir helfen.")
    assert (spec.retention_days, spec.icon, spec.order) == (90, "home", 5)
    assert spec.visitor_code and spec.review
    assert read(rows, settings=settings, name="andere").slug == "andere"


def test_translations_and_reviewed_marks():
    survey = [
        [
            "type",
            "name",
            "label::German (de)",
            "label::Arabic (ar)",
            "label:English",
            "hint",
            "hint::Arabic (ar)",
            "kiosk::geprüft::Arabic (ar)",
            "kiosk::geprüft::English (en)",
        ],
        ["select_one l", "q", "Was?", "ماذا؟", "What?", "Eins wählen.", "اختر واحدا.", "ja", None],
        ["text", "t", "Noch was?", "شيء آخر؟", "Anything else?", None, None, None, "yes"],
    ]
    choices = [
        ["list_name", "name", "label", "label::Arabic (ar)", "label::English (en)"],
        ["l", "a", "Wohnung", "سكن", "Housing"],
    ]
    settings = [
        [*SETTINGS[0], "kiosk::title::Arabic (ar)", "kiosk::purpose::Arabic (ar)"],
        [*SETTINGS[1], "اختبار", "نحن نختبر."],
    ]
    package = read(survey, choices, settings)
    assert package.translations == {
        "ar": {
            "Was?": "ماذا؟",
            "Eins wählen.": "اختر واحدا.",
            "Noch was?": "شيء آخر؟",
            "Wohnung": "سكن",
            "Test": "اختبار",
            "Wir testen.": "نحن نختبر.",
        },
        "en": {"Was?": "What?", "Noch was?": "Anything else?", "Wohnung": "Housing"},
    }
    # A question's row marks its own texts and its answers' as checked by a native speaker.
    assert package.reviewed == {"ar": ["Eins wählen.", "Was?", "Wohnung"], "en": ["Noch was?"]}


def test_plain_label_is_in_the_default_language_given_in_settings():
    survey = [["type", "name", "label", "label::German (de)"], ["text", "q", "Name?", "Name?"]]
    settings = [[*SETTINGS[0], "default_language"], [*SETTINGS[1], "English (en)"]]
    package = read(survey, settings=settings)
    assert package.spec().fields[0].label == "Name?"
    assert package.translations == {"en": {"Name?": "Name?"}}


# Refusals: sheet, row and column, and a German sentence saying what to change.


@pytest.mark.parametrize(
    ("xls_type", "words"),
    [
        ("decimal", "ganze Zahlen"),
        ("note", "hint unter die folgende Frage"),
        ("calculate", "Berechnungen"),
        ("geopoint", "Standorte"),
        ("image", "Fotos"),
        ("audio", "Ton"),
        ("video", "Video"),
        ("time", "Uhrzeiten"),
        ("begin repeat", "Wiederholungen"),
        ("select_one_from_file towns.csv", "Dateien"),
        ("select_one_external towns", "external_choices"),
        ("deviceid", "Gerätedaten"),
        ("hidden", "Versteckte Felder (hidden) hat der Kiosk nicht"),
    ],
)
def test_unsupported_types_are_refused(xls_type, words):
    sheet, row, column, message = only_problem(
        [HEAD, ["text", "a", "Eins"], [xls_type, "q", "Zwei"]]
    )
    assert (sheet, row, column) == ("survey", 3, "type")
    assert words in message


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("calculation", "1 + 1", "Logik"),
        ("default", "now()", "Logik"),
        ("choice_filter", "x = 1", "Logik"),
        ("read_only", "yes", "Logik"),
        ("media::audio", "a.mp3", "Ton"),
        ("bind::foo", "bar", "kennt der Kiosk nicht"),
        ("kiosk::secret", "x", "gibt es nicht"),
    ],
)
def test_unknown_columns_that_carry_something_are_refused(column, value, words):
    problem = only_problem([[*HEAD, column], ["text", "q", "Frage", value]])
    assert problem[:3] == ("survey", 2, column) and words in problem[3]


def test_empty_unknown_columns_and_kobo_columns_do_no_harm():
    rows = [[*HEAD, "calculation", "$kuid"], ["text", "q", "Frage", None, "ab12"]]
    assert field(rows).name == "q"


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("relevant", "${a} != 'x'", "kann der Kiosk nicht lesen"),
        ("relevant", "${a} = 'x' or ${b} = 'y'", "derselben Frage"),
        ("relevant", "${later} = 'x'", "steht nicht vor dieser Frage"),
        ("constraint", ". = 3", "kann der Kiosk nicht lesen"),
        ("constraint", "string-length(.) < 10", "Grenzen wie . >= 1"),
        ("required", "${a} = 'x'", "Schreiben Sie yes"),
        ("appearance", "signature", "Darstellung"),
        ("media::image", "unbekannt.png", "Piktogramm"),
        ("hint", "Sie sagten ${a}.", "Verweise"),
        ("kiosk::digits", "ascii", "nur ascii, bei text"),
    ],
)
def test_logic_the_kiosk_cannot_express_is_refused(column, value, words):
    rows = [[*HEAD, column], ["text", "a", "Eins", None], ["integer", "b", "Zwei", value]]
    problem = only_problem(rows)
    assert problem[:3] == ("survey", 3, column) and words in problem[3]


def test_a_form_without_german_is_refused_once_for_the_whole_form():
    problem = only_problem([["type", "name", "label::English (en)"], ["text", "q", "Name?"]])
    assert problem[:3] == ("survey", None, "label") and "keine deutschen Texte" in problem[3]


def test_a_language_the_kiosk_does_not_offer_is_refused():
    rows = [["type", "name", "label", "label::French (fr)"], ["text", "q", "Name?", "Nom ?"]]
    problem = only_problem(rows)
    assert problem[:3] == ("survey", None, "label::French (fr)") and "Sprache" in problem[3]


def test_two_translations_of_one_text_are_refused():
    rows = [
        ["type", "name", "label", "label::English (en)"],
        ["text", "a", "Name?", "Name?"],
        ["text", "b", "Name?", "Your name?"],
    ]
    problem = only_problem(rows)
    assert problem[:3] == ("survey", 3, "label::English (en)") and "Zeile 2" in problem[3]


def test_missing_settings_are_named():
    found = problems([HEAD, ["text", "q", "Frage"]], settings=[["form_id"], ["x"]])
    assert [(p[0], p[2]) for p in found] == [
        ("settings", "form_title"),
        ("settings", "kiosk::purpose"),
        ("settings", "kiosk::retention_days"),
    ]


def test_every_problem_is_listed_not_only_the_first():
    choices = [["list_name", "name", "label"], ["l", "Groß", "A"], ["l", "b", "B"], ["l", "b", "C"]]
    rows = [
        HEAD,
        ["select_one l", "Bad Name", "Eins"],
        ["decimal", "w", "Zwei"],
        ["select_one missing", "m", "Drei"],
        ["text", "w", "Vier"],
    ]
    found = [(p[0], p[1], p[2]) for p in problems(rows, choices)]
    assert found == [
        ("choices", 2, "name"),
        ("choices", 4, "name"),
        ("survey", 2, "name"),
        ("survey", 3, "type"),
        ("survey", 4, "type"),
    ]


def test_the_kiosks_own_checks_come_back_in_german_with_the_row():
    rows = [
        [*HEAD, "kiosk::personal"],
        ["text", "a", "Eins", None],
        ["text", "phone", "Telefon?", "yes"],
    ]
    problem = only_problem(rows)
    assert problem[:2] == ("survey", 3) and "Zustimmung (acknowledge)" in problem[3]


def test_a_file_that_is_no_workbook():
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(b"not a zip")
    assert "keine Excel-Datei" in str(caught.value)


def test_a_workbook_without_survey():
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(xlsx({"settings": SETTINGS}))
    assert str(caught.value.problems[0]).startswith("survey: Das Blatt survey fehlt.")


def test_problem_text_names_sheet_row_and_column():
    rows = [HEAD, ["decimal", "w", "Zwei"]]
    with pytest.raises(XLSFormError) as caught:
        read(rows)
    assert str(caught.value).startswith("survey, Zeile 2, Spalte type: Kommazahlen")

"""Writing forms: our TOML back from a FormSpec, and XLSForm exports that pyxform converts and
that read back to the same form, translations and "geprüft" marks."""

import dataclasses
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from kiosk.formspec import load_form, load_forms, read_xlsform, spec_to_toml, write_xlsform
from tests.xlsform_support import catalog_translations

FORMS_DIR = Path(__file__).resolve().parent.parent / "forms"
SHIPPED = list(load_forms(FORMS_DIR).values())

# Every key a form file may hold, with the values that are hardest to carry through XLSForm.
RICH_FORM = """\
title = "Alles"
description = "Jede Einstellung einmal."
purpose = \"\"\"
Wir prüfen alles.
Zweite Zeile.
\"\"\"
retention_days = 12
icon = "home"
order = -3
visitor_code = true

[[fields]]
name = "consent"
type = "consent"
label = "Einverstanden?"
help = "Kurz."
required = true
yes_label = "Ja, gern"
no_label = "Nein, danke"

[[fields]]
name = "phone"
type = "text"
label = "Telefon?"
personal = true
min_length = 3
max_length = 30
pattern = '\\+?[0-9 ()/-]+|[^@\\s]+@[^@\\s]+'
digits = "ascii"
messages = { pattern = "Nur Ziffern, zum Beispiel %(example)s.", required = "Bitte!" }
show_if = { consent = "yes" }

[[fields]]
name = "story"
type = "textarea"
label = "Erzählen Sie."
max_length = 500
messages = { min_length = "Zu kurz.", max_length = "Zu lang." }
min_length = 10

[[fields]]
name = "count"
type = "number"
label = "Wie viele?"
min = -2
max = 40
messages = { min = "Mindestens %(min)s.", max = "Mindestens %(min)s.", invalid = "Eine Zahl." }

[[fields]]
name = "since"
type = "year"
label = "Seit wann?"
min = 1990
prefer_not_to_say = true

[[fields]]
name = "picked"
type = "multiple"
label = "Was?"
min = 1
max = 2
options = [
  { value = "a", label = "Eins", icon = "book" },
  { value = "b-2", label = "Zwei" },
  { value = "c_3", label = "Drei" },
]
messages = { choice = "Bitte aus der Liste." }

[[fields]]
name = "which"
type = "single"
label = "Welches?"
options = [{ value = "x", label = "Iks" }, { value = "y", label = "Ypsilon" }]
show_if = { picked = ["a", "c_3"], count = "3" }

[[fields]]
name = "good"
type = "yesno"
label = "Gut?"
icon = "thumb-up"
show_if = { which = ["y"] }

[[fields]]
name = "mood"
type = "rating"
label = "Wie geht es?"

[[fields]]
name = "day"
type = "date"
label = "Wann?"
show_if = { good = "no", mood = ["1", "2"] }
"""
RICH = load_form(Path("alles.toml"), RICH_FORM)
ALL_FORMS = [*SHIPPED, RICH]


def same_form(read, original) -> bool:
    return dataclasses.replace(read, path=original.path) == original


@pytest.mark.parametrize("spec", ALL_FORMS, ids=lambda spec: spec.slug)
def test_toml_round_trip(spec):
    text = spec_to_toml(spec)
    assert load_form(spec.path, text) == spec
    assert spec_to_toml(load_form(spec.path, text)) == text


def test_toml_writes_only_what_differs_from_the_defaults():
    text = spec_to_toml(load_forms(FORMS_DIR)["feedback"])
    assert "one_tap" not in text and "review" not in text and "max_length = 1000" in text
    assert 'label = "Ja"' not in text  # the options a yesno makes itself


def reviewed_rows(spec, translations) -> dict[str, list[str]]:
    """A "geprüft" mark that XLSForm can carry (whole rows): all of Ukrainian, and in Arabic
    the texts of the first question (with its answers)."""
    first = spec.fields[0]
    answers = [o.label for o in first.options] if first.type in ("single", "multiple") else []
    arabic = [first.label, first.help, *answers]
    return {
        "ar": sorted(text for text in arabic if text in translations["ar"]),
        "uk": sorted(translations["uk"]),
    }


@pytest.mark.parametrize("spec", SHIPPED, ids=lambda spec: spec.slug)
def test_export_converts_with_pyxform_and_reads_back_the_same(spec):
    translations = catalog_translations(spec)
    reviewed = reviewed_rows(spec, translations)
    data = write_xlsform(spec, translations, reviewed)
    warnings = []
    result = convert(xlsform=data, warnings=warnings, validate=False)
    assert "<h:html" in result.xform and f'id="{spec.slug}"' in result.xform
    package = read_xlsform(data)
    assert package.slug == spec.slug
    assert same_form(package.spec(), spec)
    assert package.translations == translations
    assert package.reviewed == reviewed


def test_rich_form_exports_and_reads_back():
    arabic = {
        "Einverstanden?": "موافق؟",
        "Ja, gern": "نعم",
        "Eins": "واحد",
        "Zu kurz.": "قصير جدا.",
        "Alles": "كل شيء",
        "Eine Zahl.": "رقم.",
    }
    translations = {"ar": arabic}
    data = write_xlsform(RICH, translations, {"ar": ["Ja, gern", "Einverstanden?"]})
    convert(xlsform=data, warnings=[], validate=False)
    package = read_xlsform(data)
    assert same_form(package.spec(), RICH)
    assert package.translations == translations
    # The consent's row holds "Kurz." too, which has no translation: the row counts as checked.
    assert package.reviewed == {"ar": ["Einverstanden?", "Ja, gern"]}


def test_export_has_a_column_per_language_and_the_kiosk_columns():
    spec = load_forms(FORMS_DIR)["intake"]
    translations = catalog_translations(spec)
    book = load_workbook(io.BytesIO(write_xlsform(spec, translations, {})))
    survey = [cell.value for cell in book["survey"][1]]
    for column in (
        "label::German (de)",
        "label::Arabic (ar)",
        "label::Tigrinya (ti)",
        "hint::Persian (fa)",
        "kiosk::personal",
        "relevant",
        "constraint",
        "media::image",
    ):
        assert column in survey
    assert "kiosk::geprüft::Arabic (ar)" not in survey  # nothing is marked
    rows = {
        row[1]: dict(zip(survey, row, strict=False))
        for row in book["survey"].iter_rows(min_row=2, values_only=True)
    }
    assert rows["contact"]["relevant"] == (
        "${contact_way} = 'phone' or ${contact_way} = 'messenger' or ${contact_way} = 'email'"
    )
    assert rows["needs_other"]["relevant"] == "selected(${needs}, 'other')"
    assert (
        rows["arrival_year"]["type"] == "integer" and rows["arrival_year"]["kiosk::type"] == "year"
    )
    settings = dict(zip(*book["settings"].iter_rows(values_only=True), strict=False))
    assert settings["form_id"] == "intake" and settings["default_language"] == "German (de)"
    assert settings["kiosk::visitor_code"] == "yes"


def test_consent_conditions_use_xlsforms_ok():
    data = write_xlsform(load_forms(FORMS_DIR)["feedback"], {}, {})
    xform = convert(xlsform=data, warnings=[], validate=False).xform
    assert "/data/consent  = 'OK'" in xform

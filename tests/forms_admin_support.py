"""XLSForm files for the tests of /review/formulare, written with openpyxl as Excel would, and an
Entwurf kept from one (for the staff pages' accessibility audit)."""

from flask import current_app

from kiosk.formspec import read_xlsform
from kiosk.review import form_uploads

from xlsform_support import xlsx

ARABIC_QUESTION = "كيف كان يومك؟"
ARABIC_GOOD = "جيد"
QUESTION = "Wie war Ihr Tag?"

SURVEY = [
    ["type", "name", "label", "label::Arabic (ar)", "hint", "hint::Arabic (ar)", "required"],
    ["select_one tag", "tag", QUESTION, ARABIC_QUESTION, "", "", "yes"],
    [
        "text",
        "wunsch",
        "Was wünschen Sie sich?",
        "ماذا تتمنى؟",
        "Ein Satz genügt.",
        "جملة واحدة تكفي.",
        "",
    ],
]
CHOICES = [
    ["list_name", "name", "label", "label::Arabic (ar)"],
    ["tag", "gut", "Gut", ARABIC_GOOD],
    ["tag", "schlecht", "Nicht gut", "ليس جيدا"],
]


def settings(slug: str) -> list[list[str]]:
    return [
        ["form_title", "form_id", "kiosk::purpose", "kiosk::retention_days"],
        ["Tagesfrage", slug, "Wir möchten wissen, wie es Ihnen geht.", "30"],
    ]


def xlsform(slug: str = "tagesfrage", survey=None) -> bytes:
    """A small XLSForm with an Arabic column: one choice, one text with a hint."""
    return xlsx({"survey": survey or SURVEY, "choices": CHOICES, "settings": settings(slug)})


def sample_upload() -> str:
    """An Entwurf of `xlsform()` in the current app's instance folder; its id."""
    package = read_xlsform(xlsform())
    return form_uploads.keep(current_app.instance_path, package, "tagesfrage.xlsx", "cora").id

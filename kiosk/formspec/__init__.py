"""Form definitions: forms/*.toml read and checked into FormSpecs, each question a WTForms form."""

from .answers import NO_ANSWER, InvalidAnswer
from .extract import extract_form_texts
from .spec import (
    DEFAULT_FORM_ICON,
    GENERATED_OPTIONS,
    ICONS_DIR,
    NO_ANSWER_OPTION,
    RATING_OPTIONS,
    UI_TEXTS,
    Condition,
    Field,
    FormSpec,
    FormSpecError,
)
from .toml_reader import check_forms, load_form, load_forms

__all__ = [
    "DEFAULT_FORM_ICON",
    "GENERATED_OPTIONS",
    "ICONS_DIR",
    "NO_ANSWER",
    "NO_ANSWER_OPTION",
    "RATING_OPTIONS",
    "UI_TEXTS",
    "Condition",
    "Field",
    "FormSpec",
    "FormSpecError",
    "InvalidAnswer",
    "check_forms",
    "extract_form_texts",
    "load_form",
    "load_forms",
]

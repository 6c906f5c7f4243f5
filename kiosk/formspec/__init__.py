"""Form definitions: forms/*.toml read, checked and written back, XLSForm files read and written
(xlsform_*.py), each question a WTForms form."""

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
from .toml_writer import spec_to_toml
from .xlsform_common import XLSFormError, XLSFormProblem
from .xlsform_read import read_xlsform
from .xlsform_write import write_xlsform

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
    "XLSFormError",
    "XLSFormProblem",
    "check_forms",
    "extract_form_texts",
    "load_form",
    "load_forms",
    "read_xlsform",
    "spec_to_toml",
    "write_xlsform",
]

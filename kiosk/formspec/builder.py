"""WTForms for one kiosk step: a form whose one field, `answer`, asks a Field's question."""

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from flask import current_app, has_app_context
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import fields as wtforms_fields
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from .answers import CONSENT_GIVEN, InvalidAnswer

if TYPE_CHECKING:
    from .spec import Field


def answer_form(
    field: "Field", translate: Callable[[str], str], formdata=None, value=None
) -> FlaskForm:
    """A form with one field, `answer`, filled from `formdata` or else from the stored `value`."""
    form_class = _form_class(field, translate, _locale())
    if formdata is not None:
        return form_class(formdata=formdata)
    return form_class(formdata=None, answer=_prefill(field, value))


def _locale() -> str:
    """The request's language, part of a form class's key; none outside an app with Babel."""
    if has_app_context() and "babel" in current_app.extensions:
        return str(get_locale())
    return ""


@lru_cache(maxsize=1024)
def _form_class(field: "Field", translate: Callable[[str], str], locale: str) -> type[FlaskForm]:
    """The form class of a field in one language, made once: building it (and translating its
    labels) on every step cost a sixth of a step's time. Fields are frozen, versions immutable.
    """

    class AnswerForm(FlaskForm):
        class Meta:
            # CSRFProtect checks the token of every POST before a view runs (the templates send
            # it); a per-form check again would only repeat that.
            csrf = False

        answer = _answer_field(field, translate, locale)

    return AnswerForm


def _prefill(field: "Field", value):
    if field.type == "multiple" and isinstance(value, str):
        return [value]
    return value


def _answer_field(field: "Field", translate: Callable[[str], str], locale: str):
    common = {
        "label": translate(field.label),
        "description": translate(field.help) if field.help else "",
        "validators": [_validator(field, translate, locale)],
    }
    if field.type in ("single", "yesno", "rating"):
        return wtforms_fields.RadioField(
            choices=_choices(field, translate), validate_choice=False, **common
        )
    if field.type == "multiple":
        return wtforms_fields.SelectMultipleField(
            choices=_choices(field, translate),
            validate_choice=False,
            widget=widgets.ListWidget(prefix_label=False),
            option_widget=widgets.CheckboxInput(),
            **common,
        )
    if field.type == "consent":
        return _ConsentField(**common)
    return _typed_field(field, common)


def _typed_field(field: "Field", common: dict):
    """The field for an answer the visitor types or picks from a calendar."""
    # No browser autofill: the tablet is shared, so it would offer the last visitor's entries.
    typed = {"render_kw": {"autocomplete": "off"}}
    if field.type == "textarea":
        typed["render_kw"]["maxlength"] = field.max_length
        return wtforms_fields.TextAreaField(**common, **typed)
    if field.type in ("number", "year"):
        typed["render_kw"]["inputmode"] = "numeric"
    elif field.type == "date":
        typed["widget"] = widgets.DateInput()
    else:
        typed["render_kw"]["maxlength"] = field.max_length
    return wtforms_fields.StringField(**common, **typed)


def _choices(field: "Field", translate: Callable[[str], str]) -> list[SelectChoice]:
    return [SelectChoice(option.value, translate(option.label)) for option in field.options]


def _validator(field: "Field", translate: Callable[[str], str], locale: str):
    # WTForms' own validators are not used: their messages are English. The numbers in a
    # message are written in the digits of the visitor's language (formspec/digits.py).
    def validate_answer(form, wtforms_field):
        try:
            field.clean(wtforms_field.data)
        except InvalidAnswer as problem:
            raise ValidationError(field.message(problem.key, translate, locale)) from None

    return validate_answer


class _ConsentField(wtforms_fields.StringField):
    """A checkbox whose value is "yes"; an unticked box sends nothing."""

    widget = widgets.CheckboxInput()

    @property
    def checked(self) -> bool:
        return self.data == CONSENT_GIVEN

    def _value(self) -> str:
        return CONSENT_GIVEN

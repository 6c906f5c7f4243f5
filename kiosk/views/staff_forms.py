"""Every staff form (Flask-WTF), with its choices filled at request time; drawn by one macro."""

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import LANGUAGES
from ..models import Submission
from ..review.inbox import STATUS_NAMES, InboxFilters, forms, need_options, staff_members

ANY = ("", "alle")
UNCHANGED = ("", "nicht ändern")


def options(*pairs: tuple[str, str]) -> list[SelectChoice]:
    """Choices of a select from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it reads, it changes nothing

    form = SelectField("Formular")
    lang = SelectField("Sprache")
    status = SelectField("Status")
    since = DateField("Von", validators=[Optional()])
    until = DateField("Bis", validators=[Optional()])
    need = SelectField("Anliegen")
    q = SearchField("Suche im Freitext")


def filter_form() -> FilterForm:
    form = FilterForm(formdata=request.args)
    form.form.choices = options(ANY, *((slug, spec.title) for slug, spec in forms().items()))
    form.lang.choices = options(
        ANY, *((code, lang.german_name) for code, lang in LANGUAGES.items())
    )
    form.status.choices = options(ANY, *STATUS_NAMES.items())
    form.need.choices = options(ANY, *need_options())
    return form


def filters_of(form: FilterForm) -> InboxFilters:
    def chosen(field):
        return field.data or None

    return InboxFilters(
        form=chosen(form.form),
        lang=chosen(form.lang),
        status=chosen(form.status),
        since=form.since.data,  # None when empty or not a date
        until=form.until.data,
        need=chosen(form.need),
        text=(form.q.data or "").strip() or None,
    )


class BulkForm(FlaskForm):
    status = SelectField("Status setzen", choices=options(UNCHANGED, *STATUS_NAMES.items()))
    user = SelectField("Zuweisen an")


def bulk_form() -> BulkForm:
    form = BulkForm(prefix="bulk")
    form.user.choices = options(UNCHANGED, ("none", "niemandem"), *user_choices())
    return form


def user_choices() -> list[tuple[str, str]]:
    return [(str(user.id), user.name) for user in staff_members()]


class AssignForm(FlaskForm):
    user = SelectField("Zuweisen an")


def assign_form(submission: Submission) -> AssignForm:
    form = AssignForm(user=str(submission.assigned_to_id or ""))
    form.user.choices = options(("", "niemandem"), *user_choices())
    return form


class NoteForm(FlaskForm):
    text = TextAreaField(
        "Neue Notiz",
        validators=[
            DataRequired("Bitte einen Text eingeben."),
            Length(max=2000, message="Höchstens 2000 Zeichen, bitte."),
        ],
    )


class EraseForm(FlaskForm):
    reason = StringField(
        "Grund der Löschung",
        validators=[
            DataRequired("Bitte den Grund angeben."),
            Length(max=200, message="Höchstens 200 Zeichen, bitte."),
        ],
    )


def stripped(text: str | None) -> str:
    return (text or "").strip()


# --- Fields with German messages where WTForms has none -------------------------------------------


def too_long(limit: int) -> Length:
    return Length(max=limit, message=f"Höchstens {limit} Zeichen, bitte.")


def with_scheme(url: str | None) -> str:
    """ "www.jobcenter.de" as "https://www.jobcenter.de": what people type is a web address."""
    url = (url or "").strip()
    return f"https://{url}" if url and "://" not in url else url


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (templates/directory/_macros.html draws them as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_choice_message", "Bitte nur aus der Liste wählen.")
        super().__init__(label, validators, **kwargs)


class ClockField(TimeField):
    """A time of day, typed as 18:30 (what a time input sends) or 18.30."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%H:%M", "%H.%M", "%H:%M:%S"])
        kwargs.setdefault("invalid_value_message", "Bitte eine Uhrzeit wie 18:30 eingeben.")
        super().__init__(label, validators, **kwargs)


class DayField(DateField):
    """A date, as a date input sends it (2026-12-24) or typed as 24.12.2026."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d.%m.%Y"])
        kwargs.setdefault("invalid_value_message", "Bitte ein Datum wie 24.12.2026 eingeben.")
        super().__init__(label, validators, **kwargs)


class PositionField(IntegerField):
    """A place in a list; empty means 0."""

    def process_formdata(self, valuelist):
        if valuelist and not valuelist[0].strip():
            self.data = 0
            return
        super().process_formdata(valuelist)


class FollowupForm(FlaskForm):
    class Meta:
        csrf = False

    need = SelectField("Anliegen")
    show = SelectField("Zeigen", choices=options(("open", "nur offene"), ("all", "alle")))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField("Aktion")


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only chooses what to show

    period = StringField("Zeitraum", validators=[DataRequired()])


class SpanForm(FlaskForm):
    class Meta:
        csrf = False

    von = SelectField("Zeitraum")
    bis = SelectField("bis (wahlweise)")


def span_form(keys: list[str], label, first: str, last: str | None) -> SpanForm:
    """The hub's choice of periods to add up: one, or a span of equally long ones."""
    periods = [(key, label(key)) for key in keys]
    form = SpanForm(von=first, bis=last or "")
    form.von.choices = options(*periods)
    form.bis.choices = options(("", "\N{EN DASH} nur dieser Zeitraum \N{EN DASH}"), *periods)
    return form

"""Every staff form (Flask-WTF), with its choices filled at request time; drawn by one macro."""

from flask import request
from flask_wtf import FlaskForm
from wtforms import DateField, SearchField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

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

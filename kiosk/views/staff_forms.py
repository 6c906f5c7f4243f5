"""Every staff form (Flask-WTF), with its choices filled at request time; drawn by one macro."""

import dataclasses
import re
import secrets

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..dates import DateInputError, parse_day
from ..i18n import LANGUAGES
from ..models import Note, Submission
from ..review.auth import current_user
from ..review.casework import edit_minutes, may_correct, note_histories, notes_of
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


NOTE_TEXT = [
    DataRequired("Bitte einen Text eingeben."),
    Length(max=2000, message="Höchstens 2000 Zeichen, bitte."),
]
NOTE_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


class NoteForm(FlaskForm):
    text = TextAreaField("Neue Notiz", validators=NOTE_TEXT)
    # Made when the form is drawn: the same note sent twice (a double tap) is stored once.
    key = HiddenField()

    def key_is_bad(self) -> bool:
        """A key not as `fresh_note_form` makes them: a forged request (an old page's form
        without a key is taken, only without the protection against a double tap)."""
        return bool(self.key.data) and not NOTE_KEY.fullmatch(self.key.data)


def fresh_note_form() -> NoteForm:
    """An empty note form with a new key, also after a note was saved (the box is cleared)."""
    form = NoteForm(formdata=None)
    form.key.data = secrets.token_urlsafe(16)
    return form


class NoteEditForm(FlaskForm):
    text = TextAreaField("Notiz berichtigen", validators=NOTE_TEXT)


class StrikeForm(FlaskForm):
    reason = StringField(
        "Grund zum Durchstreichen",
        validators=[
            DataRequired("Bitte den Grund angeben."),
            Length(max=200, message="Höchstens 200 Zeichen, bitte."),
        ],
    )


def correction_form(note: Note, formdata=None) -> NoteEditForm:
    """The form correcting `note` (filled with its text, or with `formdata` as sent), its
    fields named for it: there may be several on one page."""
    if formdata is None:
        return NoteEditForm(formdata=None, prefix=f"note-{note.id}", text=note.text)
    return NoteEditForm(formdata=formdata, prefix=f"note-{note.id}")


def strike_form(note: Note, formdata=None) -> StrikeForm:
    return StrikeForm(formdata=formdata, prefix=f"strike-{note.id}")


@dataclasses.dataclass(frozen=True)
class ShownNote:
    """A note as the panel shows it: the forms its reader may use, the history if allowed."""

    note: Note
    correction: NoteEditForm | None
    strike: StrikeForm | None
    history: list


def note_panel(submission: Submission, form=None, error=None, failed=None) -> dict:
    """The notes panel's context: the notes oldest first, each with the forms the current
    reader may use (correcting their own recent note, striking any that is not struck), the
    history for coordinators; `form`, a new note's form sent with a problem; `error`, why a
    change was refused; `failed`, a note's correction or strike form sent with a problem."""
    user = current_user()
    notes = notes_of(submission)
    histories = note_histories(notes) if user.may("coordinator") else {}
    failed = failed or {}
    shown = [
        ShownNote(
            note,
            failed.get(("correct", note.id))
            or (correction_form(note) if may_correct(note, user.name) else None),
            failed.get(("strike", note.id)) or (None if note.struck_at else strike_form(note)),
            histories.get(note.id, []),
        )
        for note in notes
    ]
    return {
        "submission": submission,
        "notes": notes,  # as the print page lists them
        "shown_notes": shown,
        "note_form": form or fresh_note_form(),
        "note_error": error,
        "edit_minutes": edit_minutes(),
    }


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
    """A date, as a date input sends it (2026-12-24) or typed as 24.12.2026, read as every typed
    date is (kiosk/dates.py: any script's digits, 2000 to 2099)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d.%m.%Y"])
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_day(valuelist[0])
            except DateInputError as error:
                raise ValueError(str(error)) from None


class PositionField(IntegerField):
    """A place in a list; empty means 0."""

    def process_formdata(self, valuelist):
        if valuelist and not valuelist[0].strip():
            self.data = 0
            return
        super().process_formdata(valuelist)


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


class XLSFormSettings(FlaskForm):
    """What a coordinator may type at an XLSForm upload for a form from elsewhere (Kobo, ODK)
    whose file has no title, purpose or deletion period; what is typed wins over the file."""

    title = StringField(
        "Titel (freiwillig)",
        validators=[Optional(), Length(max=200, message="Höchstens 200 Zeichen.")],
    )
    purpose = TextAreaField(
        "Wofür die Antworten gebraucht werden (freiwillig)",
        validators=[Optional(), Length(max=1000, message="Höchstens 1000 Zeichen.")],
    )
    retention_days = IntegerField(
        "Löschfrist in Tagen (freiwillig)",
        validators=[
            Optional(),
            NumberRange(min=1, max=3650, message="Eine ganze Zahl von 1 bis 3650, z. B. 180."),
        ],
    )

    def given(self) -> dict:
        """The typed settings for read_xlsform (empty ones left out)."""
        return {
            "title": (self.title.data or "").strip(),
            "purpose": (self.purpose.data or "").strip(),
            "retention_days": self.retention_days.data,
        }

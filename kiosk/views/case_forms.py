"""The forms of the "Anliegen" pages: the listing's filter and a case's edit form."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from ..models import Answer, NeedCase, Submission
from ..review.case_list import (
    ALL,
    DUE_FILTERS,
    NO_OFFICE,
    NOBODY,
    CaseFilters,
    CaseRow,
    office_choices,
    submission_cases,
)
from ..review.cases import CASE_STATUS_NAMES, OUTCOME_LENGTH, case_history
from ..review.inbox import need_options
from .staff_forms import ANY, DayField, options, too_long, user_choices

NOT_CLOSED = ("", "noch nicht abgeschlossen")
# The need whose free text the intake asks for, and that text's field (forms/intake.toml).
OTHER_NEED, NEEDS_OTHER_FIELD = "other", "needs_other"


class ChoiceField(SelectField):
    """A select whose refusal of a value not offered is German."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_choice_message", "Bitte nur aus der Liste wählen.")
        super().__init__(label, validators, **kwargs)


class SeenField(IntegerField):
    """The newest change of the case the editor saw (hidden); anything else than a number is
    refused in German."""

    widget = HiddenField.widget

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = int(valuelist[0])
            except ValueError:
                self.data = None
                raise ValueError("Bitte die Seite neu laden.") from None


class CaseFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it reads, it changes nothing

    need = ChoiceField("Anliegen", default="")
    office = ChoiceField("Stelle", default="")
    status = ChoiceField("Status", default="")
    due = ChoiceField("Wiedervorlage", default="")
    assignee = ChoiceField("Zuständig im Treffpunkt", default="")


def case_filter_form(formdata) -> CaseFilterForm:
    form = CaseFilterForm(formdata=formdata)
    form.need.choices = options(ANY, *need_options())
    form.office.choices = options(ANY, (NO_OFFICE, "noch keine Stelle"), *office_choices())
    statuses = CASE_STATUS_NAMES.items()
    form.status.choices = options(NOT_CLOSED, *statuses, (ALL, "alle"))
    form.due.choices = options(ANY, *DUE_FILTERS.items())
    people = user_choices()
    form.assignee.choices = options(ANY, ("me", "mir"), (NOBODY, "niemandem"), *people)
    return form


def case_filters(form: CaseFilterForm, user_id: int) -> CaseFilters:
    """The filter as chosen; a choice not offered (an old link) counts as "any"."""

    def chosen(field):
        offered = {choice.value for choice in field.choices}
        return field.data if field.data in offered and field.data else None

    assignee = chosen(form.assignee)
    if assignee == "me":
        assignee = user_id
    elif assignee not in (None, NOBODY):
        assignee = int(assignee)
    return CaseFilters(
        need=chosen(form.need),
        office=chosen(form.office),
        status=chosen(form.status),
        due=chosen(form.due),
        assignee=assignee,
    )


class CaseForm(FlaskForm):
    status = ChoiceField("Status", choices=options(*CASE_STATUS_NAMES.items()))
    office_key = ChoiceField("Stelle")
    handed_over_on = DayField(
        "weitergegeben am", validators=[Optional()], description="Leer: heute."
    )
    due = DayField("Wiedervorlage", validators=[Optional()])
    outcome = StringField("Ergebnis", validators=[too_long(OUTCOME_LENGTH)])
    assignee = ChoiceField("Zuständig im Treffpunkt")
    seen = SeenField(validators=[InputRequired("Bitte die Seite neu laden.")])


def case_form(row: CaseRow, seen: int, formdata=None) -> CaseForm:
    """The edit form of a case, filled from the case (or from `formdata`, a post)."""
    case: NeedCase = row.case
    form = CaseForm(
        formdata=formdata,
        prefix=f"case{case.id}",
        data={
            "status": case.status,
            "office_key": case.office_key or "",
            "handed_over_on": case.handed_over_on,
            "due": case.due,
            "outcome": case.outcome,
            "assignee": str(case.assignee_id or ""),
            "seen": seen,
        },
    )
    form.office_key.choices = office_options(case, row.suggested)
    form.assignee.choices = options(("", "niemand"), *user_choices())
    return form


def office_options(case: NeedCase, suggested) -> list[SelectChoice]:
    """The directory's offices, those covering the need first; a case's office that has left
    the directory stays choosable, so saving other fields keeps it."""
    first = [(office.key, office.name) for office in suggested]
    rest = [(key, name) for key, name in office_choices() if key not in dict(first)]
    if case.office_key and case.office_key not in dict(first + rest):
        rest.insert(0, (case.office_key, f"{case.office_name} (nicht mehr im Wegweiser)"))
    groups = ("Zuständig laut Wegweiser", "Weitere Stellen") if first else (None, None)
    return [
        SelectChoice("", "\N{EN DASH} keine \N{EN DASH}"),
        *(SelectChoice(key, name, optgroup=groups[0]) for key, name in first),
        *(SelectChoice(key, name, optgroup=groups[1]) for key, name in rest),
    ]


def wanted_changes(form: CaseForm) -> dict:
    return {
        "status": form.status.data,
        "office_key": form.office_key.data or None,
        "handed_over_on": form.handed_over_on.data,
        "due": form.due.data,
        "outcome": form.outcome.data or "",
        "assignee": int(form.assignee.data) if form.assignee.data else None,
    }


def case_context(row: CaseRow, form: CaseForm | None = None) -> dict:
    """What a case's component shows: the case, its edit form, its history."""
    history = case_history(row.case.id)
    seen = history[-1].change.id if history else 0
    first = next((line.change.before for line in history if "status" in line.change.before), {})
    return {
        "row": row,
        "form": form or case_form(row, seen),
        "history": history,
        "initial_status": first.get("status", row.case.status),
    }


def cases_context(submission: Submission) -> dict:
    """The cases of a submission for its page, each with its form and history, and what the
    visitor wrote for "Sonstiges" (personal: shown where the page shows personal answers)."""
    rows = submission_cases(submission.id)
    other = next((row for row in rows if row.case.need == OTHER_NEED), None)
    answer = other and Answer.get_or_none(
        Answer.submission == submission.id, Answer.field == NEEDS_OTHER_FIELD
    )
    text = answer.value if answer else None
    return {"cases": [case_context(row) for row in rows], "other_text": text}

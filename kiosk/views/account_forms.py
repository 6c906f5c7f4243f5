"""The forms of the accounts and audit pages (Flask-WTF), drawn by the one staff field macro."""

from flask import request
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..models import ROLES
from ..review.accounts import MAX_NAME_LENGTH, ROLE_NAMES, spoken_choices
from ..review.audit_log import AuditFilters, action_choices, person_choices
from .staff_forms import ANY, CheckboxesField, DayField, options


class AccountChangeForm(FlaskForm):
    """Role and languages of an account."""

    role = SelectField("Rolle", invalid_choice_message="Bitte eine der Rollen wählen.")
    speaks = CheckboxesField("Spricht außer Deutsch")

    def fill_choices(self):
        self.role.choices = options(*((role, ROLE_NAMES[role]) for role in ROLES))
        self.speaks.choices = spoken_choices()
        return self


class AccountForm(AccountChangeForm):
    """A new account: its name too."""

    name = StringField(
        "Name",
        validators=[
            DataRequired("Bitte einen Namen eingeben."),
            Length(max=MAX_NAME_LENGTH, message="Der Name ist zu lang."),
        ],
    )


def account_form(posted: bool = False) -> AccountForm:
    form = AccountForm() if posted else AccountForm(formdata=None, role="volunteer", speaks=[])
    return form.fill_choices()


def change_form(user, posted: bool = False) -> AccountChangeForm:
    if posted:
        return AccountChangeForm().fill_choices()
    return AccountChangeForm(formdata=None, role=user.role, speaks=list(user.speaks)).fill_choices()


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it reads, it changes nothing

    # Any value filters, also one no longer offered (an action no event has any more).
    person = SelectField("Wer", validate_choice=False)
    action = SelectField("Aktion", validate_choice=False)
    since = DayField("Von")
    until = DayField("Bis")


def audit_filter_form() -> AuditFilterForm:
    form = AuditFilterForm(formdata=request.args)
    form.person.choices = options(ANY, *person_choices())
    form.action.choices = options(ANY, *action_choices())
    return form


def audit_filters(form: AuditFilterForm) -> AuditFilters:
    return AuditFilters(
        person=form.person.data or None,
        action=form.action.data or None,
        since=form.since.data,
        until=form.until.data,
    )

"""Casework (migration 0009): each need a visitor names becomes its own follow-up item, and
notes can be corrected or struck through without losing what they said.

A `NeedCase` is one need of one intake submission ("housing" of submission 673): the office it
went to (a directory key, with the office's name as it was then), its status, a date to look at
it again ("Wiedervorlage"), an outcome line and who looks after it. Every change is a
`CaseChange` holding the fields before and after, so any change can be undone by applying its
"before" as a new change. Both go with the submission when it is erased or purged (CASCADE).
"""

from peewee import (
    CharField,
    DateField,
    DateTimeField,
    DeferredForeignKey,
    ForeignKeyField,
    TextField,
)

from ..clock import utcnow
from .base import BaseModel, JSONField

# The form and field whose options are the needs that become cases.
NEEDS_FORM, NEEDS_FIELD = "intake", "needs"
# offen → in Bearbeitung → weitergegeben an STELLE am DATUM → erledigt / nicht mehr nötig
CASE_STATUSES = ("open", "in_progress", "handed_over", "done", "not_needed")
CLOSED_STATUSES = ("done", "not_needed")
# The fields of a case that a change can set (and an undo set back).
CASE_FIELDS = (
    "status",
    "office_key",
    "office_name",
    "handed_over_on",
    "due",
    "outcome",
    "assignee",
)


class NeedCase(BaseModel):
    """One need of one intake submission, followed up on its own."""

    submission = DeferredForeignKey("Submission", backref="cases", on_delete="CASCADE")
    need = CharField()  # the option's value, e.g. "housing"
    status = CharField(default="open")
    office_key = CharField(null=True)  # the directory entry's key it was handed to
    office_name = CharField(null=True)  # that office's name then (kept if the entry goes)
    handed_over_on = DateField(null=True)
    due = DateField(null=True)  # "Wiedervorlage": look at it again on this day
    outcome = TextField(default="")  # one line: what came of it
    assignee = DeferredForeignKey("User", null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("submission", "need"), True),
            (("status", "due"), False),
            (("need", "status"), False),
        )

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class CaseChange(BaseModel):
    """One change of a case: the changed fields before and after (dates as ISO text), who, when.

    `undoes` names the change this one undid, so the history reads "rückgängig gemacht".
    """

    case = ForeignKeyField(NeedCase, backref="changes", on_delete="CASCADE")
    before = JSONField(default=dict)
    after = JSONField(default=dict)
    user_name = CharField()
    at = DateTimeField(default=utcnow, index=True)
    undoes = ForeignKeyField("self", null=True, on_delete="SET NULL")


class NoteRevision(BaseModel):
    """What a note said before its author corrected it or someone struck it through.

    Coordinators see these in the note's history; they go with the note (and so with the
    submission) when it is erased.
    """

    note = DeferredForeignKey("Note", backref="revisions", on_delete="CASCADE")
    text = TextField()
    replaced_at = DateTimeField(default=utcnow)
    replaced_by = CharField()


CASEWORK_MODELS = (NeedCase, CaseChange, NoteRevision)

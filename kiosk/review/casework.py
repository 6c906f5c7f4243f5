"""One submission: what its page shows, and the changes volunteers make to it (status,
assignment, notes, comment approval, erasure).

Each change is recorded in the audit log, which names a submission by id, never by content.
"""

import dataclasses

from peewee import JOIN

from ..db import checkpoint_wal
from ..extensions import db
from ..formspec import NO_ANSWER, Field
from ..models import (
    Answer,
    CommentApproval,
    Note,
    StatusChange,
    Submission,
    User,
    spec_of_version,
)
from .auth import audit
from .inbox import FREE_TEXT_TYPES, merge_search_deletions, target

# --- What its page shows --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ShownAnswer:
    """One question of a submission with its answer, for the detail and print pages."""

    field: Field
    text: str
    free_text: bool
    answer: Answer | None = None  # the row, for free text (its approval hangs on it)
    approval: CommentApproval | None = None

    @property
    def approvable(self) -> bool:
        return self.answer is not None and self.field.type == "textarea"


def shown_answers(submission: Submission) -> list[ShownAnswer]:
    """Every answered question in form order; free text as the visitor wrote it."""
    spec = spec_of_version(submission.form_version)
    answers = submission.answer_map()
    rows = {
        answer.field: answer
        for answer in Answer.select(Answer, CommentApproval)
        .join(CommentApproval, JOIN.LEFT_OUTER, attr="approved")
        .where(Answer.submission == submission, Answer.position.is_null())
    }
    shown = []
    for field in spec.visible_fields(answers):
        if field.name not in answers:
            continue
        free = field.type in FREE_TEXT_TYPES and answers[field.name] != NO_ANSWER
        row = rows.get(field.name) if free else None
        shown.append(
            ShownAnswer(
                field=field,
                text=answers[field.name] if free else field.display(answers[field.name], str),
                free_text=free,
                answer=row,
                approval=approval_of(row),
            )
        )
    return shown


def approval_of(answer: Answer | None) -> CommentApproval | None:
    if answer is None:
        return None
    approval = getattr(answer, "approved", None)
    return approval if approval and approval.id else None


def has_personal_answers(submission: Submission) -> bool:
    return submission.answers.where(Answer.personal).exists()


def status_history(submission: Submission) -> list[StatusChange]:
    return list(submission.status_changes.order_by(StatusChange.at, StatusChange.id))


def notes_of(submission: Submission) -> list[Note]:
    """Oldest first, so the newest note is the last one."""
    return list(submission.notes.order_by(Note.at, Note.id))


# --- Changes --------------------------------------------------------------------------------------


def change_status(submission: Submission, new: str, user_name: str) -> bool:
    """Set a new status and record who did it; False when it was already that status."""
    old = submission.status
    if new == old:
        return False
    with db.atomic():
        StatusChange.create(submission=submission, old=old, new=new, user_name=user_name)
        submission.status = new
        submission.save(only=[Submission.status])
        audit("status", target(submission), f"{old} → {new}")
    return True


def assign(submission: Submission, user: User | None) -> None:
    submission.assigned_to = user
    submission.save(only=[Submission.assigned_to])
    audit("assign", target(submission), user.name if user else "niemand")


def add_note(submission: Submission, text: str, user_name: str) -> Note:
    note = Note.create(submission=submission, text=text, user_name=user_name)
    audit("note", target(submission))
    return note


def approve_comment(answer: Answer, user_name: str) -> None:
    CommentApproval.get_or_create(answer=answer, defaults={"user_name": user_name})
    audit("approve", target(answer.submission), f"answer/{answer.id}")


def withdraw_comment_approval(answer: Answer) -> None:
    CommentApproval.delete().where(CommentApproval.answer == answer).execute()
    audit("withdraw_approval", target(answer.submission), f"answer/{answer.id}")


def erase(submission: Submission, reason: str) -> None:
    """Delete the submission with everything hanging on it; only the audit line remains.

    SQLite's secure_delete overwrites the freed pages; the full-text index is merged so its
    entries of the free text are gone too, not only marked deleted (triggers delete them with the
    answers); the checkpoint also empties the write-ahead log, which would otherwise keep the
    old pages until it is reused.
    """
    answers = Answer.select(Answer.id).where(Answer.submission == submission)
    with db.atomic():
        CommentApproval.delete().where(CommentApproval.answer.in_(answers)).execute()
        Answer.delete().where(Answer.submission == submission).execute()
        Note.delete().where(Note.submission == submission).execute()
        StatusChange.delete().where(StatusChange.submission == submission).execute()
        Submission.delete().where(Submission.id == submission.id).execute()
        merge_search_deletions()
        audit("erase", target(submission), f"{submission.uuid}; Grund: {reason}")
    checkpoint_wal()

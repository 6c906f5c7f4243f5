"""Changes volunteers make to a submission: status, assignment, notes, comment approval, erasure.

Each change is recorded in the audit log, which names a submission by id, never by content.
"""

from ..db import checkpoint_wal
from ..extensions import db
from ..models import Answer, CommentApproval, Note, StatusChange, Submission, User
from .auth import audit
from .inbox import target


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

    SQLite's secure_delete overwrites the freed pages; the checkpoint also empties the
    write-ahead log, which would otherwise keep the old pages until it is reused.
    """
    answers = Answer.select(Answer.id).where(Answer.submission == submission)
    with db.atomic():
        CommentApproval.delete().where(CommentApproval.answer.in_(answers)).execute()
        Answer.delete().where(Answer.submission == submission).execute()
        Note.delete().where(Note.submission == submission).execute()
        StatusChange.delete().where(StatusChange.submission == submission).execute()
        Submission.delete().where(Submission.id == submission.id).execute()
        audit("erase", target(submission), f"{submission.uuid}; Grund: {reason}")
    checkpoint_wal()

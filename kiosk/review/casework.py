"""One submission: what its page shows, and the changes volunteers make to it (status,
assignment, notes, comment approval, erasure; the last two mark the built reports that show
the submission or comment to be built again).

Each change is recorded in the audit log, which names a submission by id, never by content.

Notes: a note is stored once however often its form is sent (the form's idempotency key is
unique per submission); its author may correct it for NOTE_EDIT_MINUTES after writing it, and
after that, or anyone else, only strike it through with a reason. What a correction replaced
is kept as a NoteRevision (shown to coordinators), erased with the note and its submission.
"""

import dataclasses
from collections import defaultdict
from datetime import timedelta

from flask import current_app
from peewee import JOIN, IntegrityError

from ..clock import utcnow
from ..db import checkpoint_wal
from ..extensions import db
from ..formspec import NO_ANSWER, Field
from ..models import (
    Answer,
    CommentApproval,
    Note,
    NoteRevision,
    StatusChange,
    Submission,
    User,
    spec_of_version,
)
from ..reports.versions import reports_printing, reports_showing, request_rebuilds
from .auth import audit
from .inbox import target
from .search import FREE_TEXT_TYPES, merge_search_deletions

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


# --- Notes ----------------------------------------------------------------------------------------


class NoteRefused(Exception):
    """A change of a note that its state or its reader does not allow, in German words."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.message, self.status = message, status


def add_note(submission: Submission, text: str, user_name: str, key: str | None = None) -> Note:
    """The note, stored once per `key`: a form sent again (a double tap, a retry after a lost
    answer) gets the note the first one stored. Two at the same moment: the unique index
    (submission, key) refuses the second, which then reads the first."""
    if key:
        stored = Note.get_or_none(Note.submission == submission, Note.key == key)
        if stored:
            return stored
    try:
        with db.atomic():
            note = Note.create(
                submission=submission, text=text, user_name=user_name, key=key, at=utcnow()
            )
            audit("note", target(submission))
    except IntegrityError:
        return Note.get(Note.submission == submission, Note.key == key)
    return note


def edit_minutes() -> int:
    return current_app.config["NOTE_EDIT_MINUTES"]


def may_correct(note: Note, user_name: str) -> bool:
    """Whether `user_name` may still correct `note`: its author, within NOTE_EDIT_MINUTES of
    writing it, and only while it is not struck through."""
    recent = utcnow() - note.at < timedelta(minutes=edit_minutes())
    return note.user_name == user_name and note.struck_at is None and recent


def correct_note(note: Note, text: str, user_name: str) -> None:
    """Replace the note's text, keeping the old one as a revision; raises NoteRefused."""
    if note.user_name != user_name:
        raise NoteRefused(
            "Nur wer die Notiz geschrieben hat, kann sie berichtigen. Sie können sie mit einem"
            " Grund durchstreichen."
        )
    if not may_correct(note, user_name):
        raise NoteRefused(
            f"Eine Notiz lässt sich nur in den ersten {edit_minutes()} Minuten berichtigen."
            " Sie können sie jetzt nur noch mit einem Grund durchstreichen.",
            409,
        )
    if text == note.text:
        return
    with db.atomic():
        now = utcnow()
        NoteRevision.create(note=note, text=note.text, replaced_at=now, replaced_by=user_name)
        note.text, note.edited_at = text, now
        note.save(only=[Note.text, Note.edited_at])
        audit("note_edit", target(note.submission))


def strike_note(note: Note, reason: str, user_name: str) -> None:
    """Strike the note through with a reason; once struck, it stays so (a second strike, e.g.
    a double tap, changes nothing)."""
    if note.struck_at is not None:
        return
    note.struck_at, note.struck_by, note.strike_reason = utcnow(), user_name, reason
    with db.atomic():
        note.save(only=[Note.struck_at, Note.struck_by, Note.strike_reason])
        audit("note_strike", target(note.submission))


def note_histories(notes: list[Note]) -> dict[int, list[NoteRevision]]:
    """{note id: what it said before each correction, oldest first}: for coordinators."""
    histories: dict[int, list[NoteRevision]] = defaultdict(list)
    query = NoteRevision.select().where(NoteRevision.note.in_([note.id for note in notes]))
    for revision in query.order_by(NoteRevision.replaced_at, NoteRevision.id):
        histories[revision.note_id].append(revision)
    return histories


def approve_comment(answer: Answer, user_name: str) -> None:
    CommentApproval.get_or_create(answer=answer, defaults={"user_name": user_name})
    audit("approve", target(answer.submission), f"answer/{answer.id}")


def withdraw_comment_approval(answer: Answer) -> list[dict]:
    """Take the comment out of the city report; the built reports that print it are to be built
    again (kiosk/reports/versions.py): their records are returned."""
    printed = reports_printing(answer) if approval_exists(answer) else []
    with db.atomic():
        CommentApproval.delete().where(CommentApproval.answer == answer).execute()
        request_rebuilds(printed)
        audit("withdraw_approval", target(answer.submission), f"answer/{answer.id}")
    return printed


def approval_exists(answer: Answer) -> bool:
    return CommentApproval.select().where(CommentApproval.answer == answer).exists()


def erase(submission: Submission, reason: str) -> list[dict]:
    """Delete the submission with everything hanging on it; only the audit line remains. The
    built reports that count it are to be built again (kiosk/reports/versions.py), in the same
    transaction: their records are returned.

    SQLite's secure_delete overwrites the freed pages; the full-text index is merged so its
    entries of the free text are gone too, not only marked deleted (triggers delete them with the
    answers); the checkpoint also empties the write-ahead log, which would otherwise keep the
    old pages until it is reused.
    """
    answers = Answer.select(Answer.id).where(Answer.submission == submission)
    touched = reports_showing(submission)
    with db.atomic():
        request_rebuilds(touched)
        CommentApproval.delete().where(CommentApproval.answer.in_(answers)).execute()
        Answer.delete().where(Answer.submission == submission).execute()
        notes = Note.select(Note.id).where(Note.submission == submission)
        NoteRevision.delete().where(NoteRevision.note.in_(notes)).execute()  # or CASCADE
        Note.delete().where(Note.submission == submission).execute()
        StatusChange.delete().where(StatusChange.submission == submission).execute()
        Submission.delete().where(Submission.id == submission.id).execute()
        merge_search_deletions()
        audit("erase", target(submission), f"{submission.uuid}; Grund: {reason}")
    checkpoint_wal()
    return touched

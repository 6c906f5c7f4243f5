"""Notes on a submission: written once however often the button is tapped, corrected by their
author for a short while, struck through with a reason after that.

Every route answers htmx with the notes panel (templates/review/_notes.html) and anything else
with a redirect back to the submission, or, when something was refused, its page with the
panel saying why (kiosk/views/review.py, `component`).
"""

from flask import Blueprint, abort, request

from ..models import Note, Submission
from ..review.auth import current_user, login_required
from ..review.casework import NoteRefused, add_note, correct_note, strike_note
from . import kiosk_only
from .review import component, review_helpers, submission_or_404, use_staff_errors
from .staff_forms import NoteForm, correction_form, note_panel, strike_form

bp = Blueprint("notes", __name__, url_prefix="/review")
bp.before_request(kiosk_only)  # a hub has no submissions of its own
use_staff_errors(bp)
bp.context_processor(review_helpers)  # the submission's page, drawn again after a refusal


def panel(submission: Submission, status: int = 200, **context):
    return component("review/_notes.html", submission, note_panel(submission, **context), status)


def note_or_404(note_id: int) -> Note:
    return Note.get_or_none(Note.id == note_id) or abort(404)


@bp.post("/<int:submission_id>/notes")
@login_required
def add(submission_id):
    """A new note. The form's key makes a second sending of the same form (a double tap, a
    retry) answer as the first did, with the one note; the answer holds an empty form with a
    new key."""
    submission = submission_or_404(submission_id)
    form = NoteForm()
    if form.key_is_bad():
        abort(400)
    if not form.validate():
        return panel(submission, 422, form=form)
    add_note(submission, form.text.data.strip(), current_user().name, form.key.data or None)
    return panel(submission)


@bp.post("/notes/<int:note_id>/berichtigen")
@login_required
def correct(note_id):
    note = note_or_404(note_id)
    form = correction_form(note, request.form)
    if not form.validate():
        return panel(note.submission, 422, failed={("correct", note.id): form})
    try:
        correct_note(note, form.text.data.strip(), current_user().name)
    except NoteRefused as refused:
        return panel(note.submission, refused.status, error=refused.message)
    return panel(note.submission)


@bp.post("/notes/<int:note_id>/durchstreichen")
@login_required
def strike(note_id):
    note = note_or_404(note_id)
    form = strike_form(note, request.form)
    if not form.validate():
        return panel(note.submission, 422, failed={("strike", note.id): form})
    strike_note(note, form.reason.data.strip(), current_user().name)
    return panel(note.submission)

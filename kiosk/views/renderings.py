"""German renderings of visitors' comments on the submission's page (kiosk/review/renderings.py):
the rendering under a comment in another language, and the form that adds or changes it.

The rendering is part of the comment's component (templates/review/_approval.html), which also
holds its approval for the city report: saving a rendering answers with the whole component,
since it may be what the approval waited for.
"""

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, request

from ..i18n import LANGUAGES
from ..models import Answer, CommentRendering
from ..models.recordings import speaks_for
from ..review.auth import current_user, login_required
from ..review.renderings import (
    RenderingRefused,
    in_other_language,
    rendering_of,
    save_rendering,
)
from . import kiosk_only
from .review import component, shown_answer, use_staff_errors

bp = Blueprint("renderings", __name__, url_prefix="/review")
bp.before_request(kiosk_only)  # a hub has no submissions of its own
use_staff_errors(bp)
DONE = {
    "saved": "Deutsche Fassung gespeichert.",
    "removed": "Deutsche Fassung entfernt.",
    "unchanged": "",
}


@dataclass(frozen=True)
class ShownRendering:
    """What the comment's component shows of its German rendering."""

    rendering: CommentRendering | None
    applies: bool  # the visitor chose another language than German
    language: str  # that language's German name
    editable: bool  # the current user may write it
    required: bool  # approval needs it (REPORT_COMMENTS_NEED_GERMAN)


def renderings_required() -> bool:
    return bool(current_app.config["REPORT_COMMENTS_NEED_GERMAN"])


@bp.app_template_global("comment_rendering")
def comment_rendering(answer: Answer) -> ShownRendering:
    submission = answer.submission
    applies = in_other_language(submission)
    language = LANGUAGES.get(submission.lang)
    return ShownRendering(
        rendering=rendering_of(answer) if applies else None,
        applies=applies,
        language=language.german_name if language else submission.lang,
        editable=applies and speaks_for(current_user(), submission.lang),
        required=applies and renderings_required(),
    )


@bp.post("/answers/<int:answer_id>/rendering")
@login_required
def save(answer_id):
    answer = Answer.get_or_none(Answer.id == answer_id) or abort(404)
    if not shown_answer(answer).approvable:
        abort(400)  # only free text is rendered
    submission = answer.submission
    if not speaks_for(current_user(), submission.lang):
        abort(403)
    text = request.form.get("text", "")
    try:
        outcome = save_rendering(answer, text, current_user().name, renderings_required())
    except RenderingRefused as refused:
        context = {"shown": shown_answer(answer), "rendering_problem": str(refused)}
        return component("review/_approval.html", submission, context, 422)
    context = {"shown": shown_answer(answer), "rendering_done": DONE[outcome]}
    return component("review/_approval.html", submission, context)

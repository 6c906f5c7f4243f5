"""German renderings ("deutsche Fassung") of visitors' comments written in another language.

A comment's language is the language the visitor chose at the kiosk (`Submission.lang`), never a
guess from its letters. A Sprachpate of that language, or a coordinator, may add a German
rendering to a free-text answer of a submission in any language but German; the submission's
page shows it under the original (templates/review/_rendering.html). With the setting
REPORT_COMMENTS_NEED_GERMAN, a comment in another language is approved for the city report only
once it has one (`rendering_missing`), and the rendering cannot be emptied while it is approved;
the report prints the original and the rendering (kiosk/reports/comments.py). A rendering goes
with its answer when the submission is erased or its personal answers expire (ON DELETE CASCADE).
"""

from ..clock import utcnow
from ..i18n import SOURCE_LANGUAGE
from ..models import Answer, CommentApproval, CommentRendering, Submission
from ..models.base import write_transaction
from .auth import audit
from .inbox import target

MAX_LENGTH = 4000
NEEDED = "Für den Stadtbericht braucht dieser Kommentar zuerst eine deutsche Fassung."


class RenderingRefused(ValueError):
    """A rendering that cannot be saved; the message is German, for the volunteer."""


def in_other_language(submission: Submission) -> bool:
    """Whether the visitor wrote in another language than German: the one they chose."""
    return submission.lang != SOURCE_LANGUAGE


def rendering_of(answer: Answer) -> CommentRendering | None:
    return CommentRendering.get_or_none(CommentRendering.answer == answer)


def rendering_missing(answer: Answer, required: bool) -> str | None:
    """Why the comment cannot be approved yet (German), or None."""
    if required and in_other_language(answer.submission) and rendering_of(answer) is None:
        return NEEDED
    return None


def save_rendering(answer: Answer, text: str, by: str, required: bool) -> str:
    """Store, change or (for an empty text) remove the rendering: "saved", "removed" or
    "unchanged". Raises RenderingRefused."""
    text = text.strip()
    if not in_other_language(answer.submission):
        raise RenderingRefused("Dieser Kommentar ist auf Deutsch geschrieben.")
    if len(text) > MAX_LENGTH:
        raise RenderingRefused(f"Die deutsche Fassung ist zu lang (höchstens {MAX_LENGTH} Zeichen)")
    current = rendering_of(answer)
    with write_transaction():
        if not text:
            if current is None:
                return "unchanged"
            approved = CommentApproval.select().where(CommentApproval.answer == answer).exists()
            if required and approved:
                raise RenderingRefused(
                    "Der Kommentar ist mit dieser Fassung freigegeben. Bitte erst die Freigabe"
                    " zurücknehmen."
                )
            current.delete_instance()
            audit("rendering_removed", target(answer.submission), f"answer/{answer.id}")
            return "removed"
        if current is not None and current.text == text:
            return "unchanged"
        if current is None:
            CommentRendering.create(answer=answer, text=text, by=by)
        else:
            current.text, current.by, current.at = text, by, utcnow()
            current.save()
        audit("rendering_saved", target(answer.submission), f"answer/{answer.id}")
    return "saved"

"""The approved visitor comments a report prints: each named with the language the visitor chose
at the kiosk (`Submission.lang`, never a guess from its letters), with its German rendering
where a Sprachpate gave one (kiosk/review/renderings.py)."""

from peewee import JOIN

from ..i18n import LANGUAGES, describe
from ..models import Answer, CommentApproval, CommentRendering, Site, Submission
from . import queries
from .periods import Period

MAX_COMMENTS = 12


def comments(site: Site, period: Period) -> dict:
    """Approved comments in their own language, named in German, with their direction and
    German rendering ("" where there is none, and for comments written in German).

    {"items": [{"lang": "uk", "language": "Ukrainisch", "dir": "ltr",
                "caption": "Kommentar auf Ukrainisch", "text": "…", "german": "…"}, …],
     "more": 0}
    """
    shown = [
        {**comment_language(code), "text": text, "german": german or ""}
        for code, text, german in approved_comments(site, period, MAX_COMMENTS)
    ]
    more = queries.approved_comment_count(site, period) - len(shown)
    return {"items": shown, "more": more}


def approved_comments(site: Site, period: Period, limit: int) -> list[tuple[str, str, str | None]]:
    """[(language chosen at the kiosk, text, German rendering or None)] of the free-text answers
    approved for the report, oldest first; never their submission's other answers, time or id."""
    query = (
        Answer.select(Submission.lang, Answer.value, CommentRendering.text)
        .join(CommentApproval, on=(CommentApproval.answer == Answer.id))
        .switch(Answer)
        .join(Submission)
        .switch(Answer)
        .join(CommentRendering, JOIN.LEFT_OUTER, on=(CommentRendering.answer == Answer.id))
        .where(queries._in_periods(site, [period]))  # the report's one definition of a period
        .order_by(Submission.created_at, Answer.id)
        .limit(limit)
    )
    return list(query.tuples())


def comment_language(code: str) -> dict:
    """The language the visitor chose, in German, with its direction and the comment's caption."""
    language = LANGUAGES.get(code) or describe(code)
    name = language.german_name if language else code
    return {
        "lang": code,
        "language": name,
        "dir": language.dir if language else "auto",
        "caption": f"Kommentar auf {name}",
    }

"""What the inbox marks on a row, in words and with a pictogram (never by colour alone).

- a very bad rating: the lowest option of a `rating` field (the first: "Sehr schlecht");
- a comment waiting for approval: a `textarea` answer no volunteer has approved for the city
  report yet (kiosk/review/casework.py);
- a follow-up past its Wiedervorlage (an open NeedCase whose due day is before today);
- the submission whose visitor code was searched for.

Computed for the rows of one page only: one query for the approvals, one for the cases.
"""

import dataclasses
from datetime import date

from ..formspec import NO_ANSWER, FormSpec
from ..models import Answer, CommentApproval, NeedCase
from ..models.casework import CASE_STATUSES, CLOSED_STATUSES

OPEN_CASE_STATUSES = tuple(status for status in CASE_STATUSES if status not in CLOSED_STATUSES)


@dataclasses.dataclass(frozen=True)
class Mark:
    kind: str  # for the stylesheet: bad-rating, comment, overdue, code
    text: str
    icon: str


BAD_RATING = Mark("bad-rating", "Sehr schlecht bewertet", "mood-cry")
COMMENT = Mark("comment", "Kommentar wartet auf Freigabe", "message-circle")
OVERDUE = Mark("overdue", "Wiedervorlage überfällig", "clock")
CODE = Mark("code", "Gesuchte Nummer", "search")


def bad_rating(spec: FormSpec, answers: dict) -> bool:
    ratings = [field for field in spec.fields if field.type == "rating"]
    return any(answers.get(field.name) == field.options[0].value for field in ratings)


def waiting_comments(spec: FormSpec, answers: dict) -> set[str]:
    """Names of the textarea fields this submission answered with a text."""
    return {
        field.name
        for field in spec.fields
        if field.type == "textarea" and answers.get(field.name) not in (None, "", NO_ANSWER)
    }


def approved_fields(submission_ids) -> set[tuple[int, str]]:
    """{(submission id, field)} of the answers approved for the city report."""
    query = (
        Answer.select(Answer.submission, Answer.field)
        .join(CommentApproval)
        .where(Answer.submission.in_(submission_ids))
        .tuples()
    )
    return set(query)


def overdue_cases(today: date) -> list:
    """Conditions: a follow-up not closed whose Wiedervorlage was before `today` (read from
    the index of cases by status and due day)."""
    return [NeedCase.status.in_(OPEN_CASE_STATUSES), NeedCase.due < today]


def overdue(submission_ids, today: date) -> set[int]:
    query = NeedCase.select(NeedCase.submission).where(
        NeedCase.submission.in_(submission_ids), *overdue_cases(today)
    )
    return {row.submission_id for row in query}


def page_marks(
    specs: dict[int, FormSpec],
    answers: dict[int, dict],
    today: date,
    codes: dict[int, str | None],
    searched: str | None = None,
) -> dict[int, tuple[Mark, ...]]:
    """{submission id: its marks} for one page: `specs` and `answers` by submission id,
    `codes` the visitor codes, `searched` the code searched for (or None)."""
    ids = list(specs)
    approved, late = approved_fields(ids), overdue(ids, today)
    marks = {}
    for submission_id, spec in specs.items():
        given = answers.get(submission_id, {})
        waiting = waiting_comments(spec, given)
        waiting -= {field for sid, field in approved if sid == submission_id}
        found = [
            (CODE, searched is not None and codes.get(submission_id) == searched),
            (BAD_RATING, bad_rating(spec, given)),
            (COMMENT, bool(waiting)),
            (OVERDUE, submission_id in late),
        ]
        marks[submission_id] = tuple(mark for mark, shown in found if shown)
    return marks

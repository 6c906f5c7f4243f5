"""Follow-up of the needs named in the intake form, and who is responsible for each need."""

from peewee import JOIN, SQL, fn

from ..directory.entries import offices_for
from ..models import Answer, Submission, User
from .inbox import NEEDS_FIELD, NEEDS_FORM, PER_PAGE, Page, clamped, unindexed, versions_of


def followup_conditions(need: str | None, open_only: bool) -> tuple[list, list]:
    """(conditions on the submission, conditions on the answer) of the follow-up listing."""
    on_submission = [unindexed(Submission.form_version).in_(versions_of(NEEDS_FORM))]
    if open_only:
        on_submission.append(unindexed(Submission.status) != "done")
    on_answer = [Answer.field == NEEDS_FIELD]
    if need:
        on_answer.append(Answer.value == need)
    return on_submission, on_answer


def followup_page(need: str | None, open_only: bool, number: int) -> Page:
    """Page `number` of the needs of intake submissions, newest first, one dict per need:

    {"need", "submission_id", "created_at", "status", "assigned", "office", "contact"}

    The count reads two indexes (the needs' answers by field and submission, and the inbox's
    index of submissions); the page walks the submissions from the newest through the inbox's
    index and stops after the page's needs, never sorting every open need.
    """
    on_submission, on_answer = followup_conditions(need, open_only)
    listed = Submission.select(Submission.id).where(*on_submission)
    total = (
        Answer.select(fn.COUNT(SQL("*"))).where(*on_answer, Answer.submission.in_(listed)).scalar()
    )
    number = clamped(number, total)
    rows = (
        Submission.select(
            Answer.value.alias("need"),
            Submission.id.alias("submission_id"),
            Submission.created_at,
            Submission.status,
            User.name.alias("assigned"),
        )
        # CROSS JOIN keeps SQLite walking the submissions newest first, then their needs,
        # rather than every need ever named and sorting them (PostgreSQL reorders it freely).
        .join(Answer, JOIN.CROSS)
        .join_from(Submission, User, JOIN.LEFT_OUTER)
        .where(Answer.submission == Submission.id, *on_submission, *on_answer)
        .order_by(Submission.created_at.desc(), Submission.id.desc(), Answer.id)
        .paginate(number, PER_PAGE)
        .dicts()
    )
    rows = list(rows)
    offices = offices_for(row["need"] for row in rows)
    for row in rows:
        office = (offices[row["need"]] or [None])[0]
        row["office"] = office.name if office else None
        row["contact"] = office_contact(office) if office else ""
    return Page(rows, number, total)


def office_contact(office) -> str:
    """The office's phone and address in one line, for the follow-up list."""
    address = " ".join(part for part in (office.postcode, office.city) if part)
    return ", ".join(part for part in (office.phone, office.street, address) if part)

"""Follow-up of the needs named in the intake form, and who is responsible for each need."""

from peewee import JOIN, SQL, fn

from ..clock import utcnow
from ..models import Answer, NeedRoute, Submission, User
from .auth import audit
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
            NeedRoute.office,
            NeedRoute.contact,
        )
        # CROSS JOIN keeps SQLite walking the submissions newest first, then their needs,
        # rather than every need ever named and sorting them (PostgreSQL reorders it freely).
        .join(Answer, JOIN.CROSS)
        .join_from(Submission, User, JOIN.LEFT_OUTER)
        .join_from(Answer, NeedRoute, JOIN.LEFT_OUTER, on=(NeedRoute.need == Answer.value))
        .where(Answer.submission == Submission.id, *on_submission, *on_answer)
        .order_by(Submission.created_at.desc(), Submission.id.desc(), Answer.id)
        .paginate(number, PER_PAGE)
        .dicts()
    )
    return Page(list(rows), number, total)


def routes_by_need() -> dict[str, NeedRoute]:
    return {route.need: route for route in NeedRoute.select()}


def set_route(need: str, office: str, contact: str) -> NeedRoute | None:
    """Set who is responsible for `need`; an empty office removes the entry."""
    if not office:
        NeedRoute.delete().where(NeedRoute.need == need).execute()
        audit("route", need, "entfernt")
        return None
    route = NeedRoute.get_or_none(NeedRoute.need == need) or NeedRoute(need=need)
    route.office, route.contact, route.updated_at = office, contact, utcnow()
    route.save()
    audit("route", need, office)
    return route

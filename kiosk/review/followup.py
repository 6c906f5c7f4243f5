"""Follow-up of the needs named in the intake form, and who is responsible for each need."""

from peewee import JOIN

from ..clock import utcnow
from ..models import Answer, FormVersion, NeedRoute, Submission, User
from .auth import audit
from .inbox import NEEDS_FIELD, NEEDS_FORM


def followup_query(need: str | None = None, open_only: bool = True):
    """One dict per need of an intake submission, newest first:

    {"need", "submission_id", "created_at", "status", "assigned", "office", "contact"}
    """
    query = (
        Answer.select(
            Answer.value.alias("need"),
            Submission.id.alias("submission_id"),
            Submission.created_at,
            Submission.status,
            User.name.alias("assigned"),
            NeedRoute.office,
            NeedRoute.contact,
        )
        .join(Submission)
        .join(FormVersion)
        .join_from(Submission, User, JOIN.LEFT_OUTER)
        .join_from(Answer, NeedRoute, JOIN.LEFT_OUTER, on=(NeedRoute.need == Answer.value))
        .where(FormVersion.slug == NEEDS_FORM, Answer.field == NEEDS_FIELD)
        .order_by(Submission.created_at.desc(), Submission.id.desc(), Answer.id)
    )
    if need:
        query = query.where(Answer.value == need)
    if open_only:
        query = query.where(Submission.status != "done")
    return query.dicts()


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

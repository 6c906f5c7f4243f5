"""The inbox's views: "Zu tun" (what to do now), "Alle", and the forms that never fill it.

A view narrows the submissions beside the filter (review/inbox.py):

- "Zu tun" (the default): new submissions nobody has taken yet, those assigned to me and not
  done, and those with a follow-up (a NeedCase) not closed whose Wiedervorlage lies before
  today on the Treffpunkt's clock;
- "Alle": every submission.

Neither view holds the forms with `review = false` (the one-tap visit): they are counted and
reported, never in the inbox, unless the filter names the form itself, or the search is a
visitor code (which leads to one submission, whatever its form).

"Alle" is the inbox's own query (its index by created_at, review/inbox.py); "Zu tun" unites
three index walks (`todo_listing`), so neither reads more rows than the 50 it shows.
"""

import dataclasses
from datetime import date

from peewee import SQL

from ..formspec.visitor_code import searched_code
from ..models import FormVersion, NeedCase, Submission
from .inbox import STATUS_NAMES, InboxFilters, Page, filter_conditions, forms, inbox_page, unindexed
from .inbox_marks import overdue_cases

TODO, ALL = "zu-tun", "alle"
VIEW_NAMES = {TODO: "Zu tun", ALL: "Alle"}
NOT_DONE = tuple(status for status in STATUS_NAMES if status != "done")
FILTERED = ("form", "lang", "status", "since", "until", "need", "q")


def chosen_view(args) -> str:
    """The view a request's query arguments ask for: `ansicht` when it names one; otherwise
    "Alle" when a filter is set (so the inbox's URLs from before the views keep what they
    showed), and "Zu tun" when nothing is."""
    view = args.get("ansicht")
    if view in VIEW_NAMES:
        return view
    return ALL if any(args.get(key, "").strip() for key in FILTERED) else TODO


def reviewed_forms() -> list[tuple[str, str]]:
    """[(slug, title)] of the forms whose submissions fill the inbox, in chooser order."""
    specs = sorted(forms().values(), key=lambda spec: (spec.order, spec.slug))
    return [(spec.slug, spec.title) for spec in specs if spec.review]


def unreviewed_slugs() -> list[str]:
    return sorted(slug for slug, spec in forms().items() if not spec.review)


def overdue_submissions(today: date):
    """Ids of the submissions with a follow-up not closed whose Wiedervorlage was before
    `today`."""
    return NeedCase.select(NeedCase.submission).where(*overdue_cases(today))


def reviewed_scope(filters: InboxFilters) -> list:
    """Conditions leaving out the forms without review, unless `filters` asks for one."""
    unreviewed = unreviewed_slugs()
    asked_for = filters.form in unreviewed or (filters.text and searched_code(filters.text))
    if not unreviewed or asked_for:
        return []
    versions = FormVersion.select(FormVersion.id).where(FormVersion.slug.in_(unreviewed))
    return [unindexed(Submission.form_version).not_in(versions)]


def todo_listing(conditions: list, user_id: int, today: date):
    """(created_at, id) of the submissions to do for `user_id` that meet `conditions`, newest
    first: the three reasons as three index walks, united.

    The untaken and mine come from the index by (status, assigned_to, created_at, id,
    form_version) without reading a row (migration 0012); the overdue from the cases' index by
    (status, due). One OR over the three would read the row of every unassigned submission.
    """
    columns = (Submission.created_at, Submission.id)
    untaken = Submission.select(*columns).where(
        Submission.status == "new", Submission.assigned_to.is_null(), *conditions
    )
    mine = Submission.select(*columns).where(
        Submission.status.in_(NOT_DONE), Submission.assigned_to == user_id, *conditions
    )
    late = Submission.select(*columns).where(
        Submission.id.in_(overdue_submissions(today)), *conditions
    )
    return (untaken | mine | late).order_by(SQL("created_at DESC, id DESC"))


def view_page(view: str, filters: InboxFilters, number: int, user_id: int, today: date) -> Page:
    """Page `number` of `view` for `user_id`, narrowed by `filters`."""
    scope = reviewed_scope(filters)
    if view == TODO:
        listing = todo_listing([*filter_conditions(filters), *scope], user_id, today)
        return inbox_page(filters, number, today=today, listing=listing)
    return inbox_page(filters, number, scope, today)


@dataclasses.dataclass(frozen=True)
class ViewLink:
    """One of the inbox's views as a link: its words, its query arguments, whether it is open."""

    label: str
    args: dict
    current: bool


def view_links(view: str, args) -> dict[str, list[ViewLink]]:
    """The views one tap away, grouped: {"Ansicht": […], "Formular": […], "Status": […]}.

    A form or status link is current when it is the only filter set; "Alle" when no such
    link is.
    """
    chosen = {key: args.get(key) for key in FILTERED if args.get(key, "").strip()}
    forms_links = [
        ViewLink(title, {"form": slug}, view == ALL and chosen == {"form": slug})
        for slug, title in reviewed_forms()
    ]
    status_links = [
        ViewLink(name, {"status": status}, view == ALL and chosen == {"status": status})
        for status, name in STATUS_NAMES.items()
    ]
    narrowed = any(link.current for link in forms_links + status_links)
    return {
        "Ansicht": [
            ViewLink(VIEW_NAMES[TODO], {}, view == TODO),
            ViewLink(VIEW_NAMES[ALL], {"ansicht": ALL}, view == ALL and not narrowed),
        ],
        "Formular": forms_links,
        "Status": status_links,
    }

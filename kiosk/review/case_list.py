"""What the casework pages show: cases as rows with their offices, and the "Anliegen" listing.

The listing filters cases by need, office, status, Wiedervorlage and assignee and sorts the
overdue first (kiosk/review/cases.py changes them). Its count and page read `need_case` alone,
through its indexes by (status, due) and (need, status); only a page's rows are joined to their
assignee and looked up in the directory.
"""

import dataclasses
from datetime import date, timedelta

from peewee import JOIN, SQL, Case, fn

from ..clock import local_today
from ..models import DirectoryEntry, NeedCase, User
from ..models.casework import CLOSED_STATUSES
from .cases import OPEN_STATUSES
from .followup import office_contact, offices_by_key, suggested_offices
from .inbox import Page, clamped


@dataclasses.dataclass(frozen=True)
class CaseRow:
    """A case as the pages show it, with the office it went to as the directory has it now, or
    the offices it would go to."""

    case: NeedCase
    assignee: str | None
    overdue: bool
    office: DirectoryEntry | None = None
    suggested: tuple = ()

    @property
    def contact(self) -> str:
        return office_contact(self.office) if self.office else ""


def case_rows(cases: list[NeedCase], today: date | None = None) -> list[CaseRow]:
    """CaseRows of cases read with their assignee (as `case.assignee`, or None)."""
    today = today or local_today()
    offices = offices_by_key()
    suggested = suggested_offices(case.need for case in cases)
    return [
        CaseRow(
            case=case,
            assignee=case.assignee.name if case.assignee_id and case.assignee else None,
            overdue=is_overdue(case, today),
            office=offices.get(case.office_key) if case.office_key else None,
            suggested=tuple(suggested[case.need]) if not case.office_key else (),
        )
        for case in cases
    ]


def is_overdue(case: NeedCase, today: date) -> bool:
    return case.due is not None and case.due < today and not case.closed


def submission_cases(submission_id: int) -> list[CaseRow]:
    """The cases of one submission, in the order the visitor named the needs."""
    query = (
        NeedCase.select(NeedCase, User)
        .join(User, JOIN.LEFT_OUTER, on=(NeedCase.assignee == User.id))
        .where(NeedCase.submission == submission_id)
        .order_by(NeedCase.id)
    )
    return case_rows(list(query))


def case_row(case_id: int) -> CaseRow | None:
    query = (
        NeedCase.select(NeedCase, User)
        .join(User, JOIN.LEFT_OUTER, on=(NeedCase.assignee == User.id))
        .where(NeedCase.id == case_id)
    )
    cases = list(query)
    return case_rows(cases)[0] if cases else None


# --- The "Anliegen" listing -----------------------------------------------------------------------

ALL, NOBODY, NO_OFFICE = "all", "none", "none"
PER_PAGE = 50
DUE_FILTERS = {
    "overdue": "überfällig",
    "week": "diese Woche fällig",
    "none": "ohne Wiedervorlage",
}


@dataclasses.dataclass(frozen=True)
class CaseFilters:
    """What the listing is narrowed to. `status` None means "not closed"; ALL, or a status."""

    need: str | None = None
    office: str | None = None  # a directory key, or NO_OFFICE
    status: str | None = None
    due: str | None = None  # a key of DUE_FILTERS
    assignee: int | str | None = None  # a user id, or NOBODY


def end_of_week(today: date) -> date:
    """The Sunday of `today`'s week."""
    return today + timedelta(days=6 - today.weekday())


def case_conditions(filters: CaseFilters, today: date) -> list:
    conditions = []
    if filters.status is None:
        conditions.append(NeedCase.status.in_(OPEN_STATUSES))
    elif filters.status != ALL:
        conditions.append(NeedCase.status == filters.status)
    if filters.need:
        conditions.append(NeedCase.need == filters.need)
    if filters.office == NO_OFFICE:
        conditions.append(NeedCase.office_key.is_null())
    elif filters.office:
        conditions.append(NeedCase.office_key == filters.office)
    if filters.due == "overdue":
        conditions += [NeedCase.due < today, NeedCase.status.in_(OPEN_STATUSES)]
    elif filters.due == "week":
        conditions += [NeedCase.due >= today, NeedCase.due <= end_of_week(today)]
    elif filters.due == "none":
        conditions.append(NeedCase.due.is_null())
    if filters.assignee == NOBODY:
        conditions.append(NeedCase.assignee.is_null())
    elif filters.assignee:
        conditions.append(NeedCase.assignee == filters.assignee)
    return conditions or [SQL("1 = 1")]


def listing_order() -> tuple:
    """Open before closed; then by Wiedervorlage, the most overdue first, those without last;
    then the newest first."""
    closed = Case(None, [(NeedCase.status.in_(CLOSED_STATUSES), 1)], 0)
    return (
        closed,
        NeedCase.due.is_null(),
        NeedCase.due,
        NeedCase.created_at.desc(),
        NeedCase.id.desc(),
    )


def case_page(filters: CaseFilters, number: int, today: date | None = None) -> Page:
    """Page `number` of the cases matching `filters`, as CaseRows, in listing_order."""
    today = today or local_today()
    conditions = case_conditions(filters, today)
    total = NeedCase.select(fn.COUNT(SQL("*"))).where(*conditions).scalar()
    number = clamped(number, total, PER_PAGE)
    query = (
        NeedCase.select(NeedCase, User)
        .join(User, JOIN.LEFT_OUTER, on=(NeedCase.assignee == User.id))
        .where(*conditions)
        .order_by(*listing_order())
        .paginate(number, PER_PAGE)
    )
    return Page(case_rows(list(query), today), number, total, PER_PAGE)


def office_choices() -> list[tuple[str, str]]:
    """[(key, name)] of the directory's offices, by name: what a case can go to."""
    offices = offices_by_key().values()
    return sorted(((o.key, o.name) for o in offices), key=lambda item: item[1].casefold())

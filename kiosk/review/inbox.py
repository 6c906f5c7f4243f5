"""The review inbox's queries and changes: filters, pages of rows, follow-up of needs, statuses.

Queries return peewee queries or plain rows; the views and the CSV export share them, so the
export holds exactly what the inbox shows for the same filter in the view "Alle" (the views'
own conditions, review/inbox_views.py, come beside the filter; the export leaves them out and
so holds the forms without review too). The free-text search is in review/search.py.
"""

import dataclasses
from collections import defaultdict
from datetime import date, datetime, timedelta

from flask import current_app
from peewee import JOIN, SQL, NodeList, SqliteDatabase, fn

from ..clock import local_today, utc_midnight
from ..dates import within_range
from ..extensions import db
from ..formspec import FormSpec
from ..formspec.visitor_code import searched_code
from ..i18n import LANGUAGES
from ..models import Answer, FormVersion, Submission, User, spec_of_version
from .inbox_marks import Mark, page_marks
from .search import FREE_TEXT_TYPES as FREE_TEXT_TYPES
from .search import free_text_matches
from .search import merge_search_deletions as merge_search_deletions
from .search import search_index_available as search_index_available

PER_PAGE = 50
NEEDS_FORM, NEEDS_FIELD = "intake", "needs"
PREVIEW_LENGTH = 120
STATUS_NAMES = {
    "new": "Neu",
    "in_progress": "In Bearbeitung",
    "handed_over": "Übergeben",
    "done": "Erledigt",
}

# --- Forms and labels -----------------------------------------------------------------------------


def forms() -> dict[str, FormSpec]:
    return current_app.extensions["kiosk_forms"]


def language_name(code: str) -> str:
    language = LANGUAGES.get(code)
    return language.german_name if language else code


def need_options() -> list[tuple[str, str]]:
    """[(value, German label)] of the intake form's needs; empty without that form."""
    spec = forms().get(NEEDS_FORM)
    try:
        field = spec.field(NEEDS_FIELD) if spec else None
    except KeyError:
        field = None
    return [(option.value, option.label) for option in field.options] if field else []


def need_label(value: str) -> str:
    return dict(need_options()).get(value, value)


# --- Inbox ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class InboxFilters:
    """What the inbox (and the export) is narrowed to; None means "any"."""

    form: str | None = None
    lang: str | None = None
    status: str | None = None
    since: date | None = None
    until: date | None = None
    need: str | None = None
    text: str | None = None

    def __post_init__(self):
        for day in (self.since, self.until):
            if day is not None:
                within_range(day)  # beyond it, the day overflows on its way to UTC

    def describe(self) -> str:
        """The filter in one line for the audit log, e.g. "form=intake, since=2026-01-01"."""
        chosen = {key: value for key, value in dataclasses.asdict(self).items() if value}
        return ", ".join(f"{key}={value}" for key, value in chosen.items()) or "alle"


def unindexed(column):
    """`column` as SQLite tests it inside the index a query walks instead of looking it up in an
    index of its own: `+column` (PostgreSQL plans by its statistics and needs no such hint).

    Without it SQLite takes e.g. the status index for "status = 'done'" and sorts 57,000 rows to
    show 50; with it, the inbox's index (created_at, id, status, form_version_id, lang) answers
    a page by walking from the newest entry until 50 match, and a count without a table lookup.
    """
    return NodeList((SQL("+"), column), glue="") if isinstance(db.obj, SqliteDatabase) else column


def versions_of(slug: str):
    return FormVersion.select(FormVersion.id).where(FormVersion.slug == slug)


def filter_conditions(filters: InboxFilters) -> list:
    """The filter as conditions on `submission` alone (no join), for pages, counts and export."""
    conditions = []
    if filters.form:
        conditions.append(unindexed(Submission.form_version).in_(versions_of(filters.form)))
    if filters.lang:
        conditions.append(unindexed(Submission.lang) == filters.lang)
    if filters.status:
        conditions.append(unindexed(Submission.status) == filters.status)
    if filters.since:
        conditions.append(Submission.created_at >= utc_midnight(filters.since))
    if filters.until:
        conditions.append(Submission.created_at < utc_midnight(filters.until + timedelta(days=1)))
    if filters.need:
        conditions.append(unindexed(Submission.form_version).in_(versions_of(NEEDS_FORM)))
        with_need = Answer.select(Answer.submission).where(
            Answer.field == NEEDS_FIELD, Answer.value == filters.need
        )
        conditions.append(Submission.id.in_(with_need))
    if filters.text:  # free text, or a visitor code: then every submission with that code too
        found = Submission.id.in_(free_text_matches(filters.text))
        code = searched_code(filters.text)
        conditions.append(found | (Submission.visitor_code == code) if code else found)
    return conditions


def matching(filters: InboxFilters, *columns, scope=()):
    """`columns` of the submissions matching `filters` (and the conditions of a view's
    `scope`, review/inbox_views.py), newest first (ids if no columns are named)."""
    query = Submission.select(*(columns or (Submission.id,)))
    conditions = [*filter_conditions(filters), *scope]
    if conditions:
        query = query.where(*conditions)
    return query.order_by(Submission.created_at.desc(), Submission.id.desc())


def count_matching(filters: InboxFilters, scope=()) -> int:
    conditions = [*filter_conditions(filters), *scope]
    query = Submission.select(fn.COUNT(SQL("*")))
    return (query.where(*conditions) if conditions else query).scalar()


@dataclasses.dataclass(frozen=True)
class Page:
    """One page of a listing: its rows, its number (from 1) and how many rows there are in all."""

    rows: list
    number: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.number * self.per_page)


def clamped(number: int, total: int, per_page: int = PER_PAGE) -> int:
    return min(max(1, number), max(1, -(-total // per_page)))


def page_of(query, number: int, per_page: int = PER_PAGE) -> Page:
    """Page `number` of `query` (clamped to the pages there are)."""
    total = query.count()
    number = clamped(number, total, per_page)
    return Page(list(query.paginate(number, per_page)), number, total, per_page)


def inbox_page(
    filters: InboxFilters, number: int, scope=(), today: date | None = None, listing=None
) -> Page:
    """Page `number` of the inbox as InboxRows: a count, the page's ids, then its rows.

    The count and the ids come from the inbox's index alone (see `unindexed`); only the 50
    rows shown are read, with their form versions decoded once each. `scope` holds the
    conditions of the view (review/inbox_views.py), or `listing` is the view's own query of
    (…, id) in order, filter included; `today` is the local day the marks of overdue
    follow-ups are measured by. The submissions whose visitor code was searched for come first.
    """
    code = searched_code(filters.text) if filters.text else None
    if listing is not None or filters.need or filters.text:
        # Their matches come as a list from the answers (or the full-text index) and are sorted
        # anyway: one query for all ids gives the count too.
        query = listing if listing is not None else matching(filters, scope=scope)
        if code and listing is None:
            query = query.order_by(
                (Submission.visitor_code == code).desc(),
                Submission.created_at.desc(),
                Submission.id.desc(),
            )
        sql, params = query.sql()
        every_id = [row[-1] for row in db.execute_sql(sql, params)]
        total = len(every_id)
        number = clamped(number, total)
        ids = every_id[(number - 1) * PER_PAGE : number * PER_PAGE]
    else:
        total = count_matching(filters, scope)
        number = clamped(number, total)
        ids = [row.id for row in matching(filters, scope=scope).paginate(number, PER_PAGE)]
    submissions = (
        Submission.select(Submission, User)
        .join_from(Submission, User, JOIN.LEFT_OUTER)
        .where(Submission.id.in_(ids))
    )
    by_id = {submission.id: submission for submission in submissions} if ids else {}
    rows = inbox_rows([by_id[i] for i in ids if i in by_id], today or local_today(), code)
    return Page(rows, number, total)


def versions_by_id(ids) -> dict[int, FormVersion]:
    """{id: FormVersion} for these ids, each read (and its spec decoded) once."""
    return {version.id: version for version in FormVersion.select().where(FormVersion.id.in_(ids))}


@dataclasses.dataclass(frozen=True)
class InboxRow:
    id: int
    created_at: datetime
    form_title: str
    language: str
    lang: str
    status: str
    assigned: str | None
    preview: str
    personal: bool
    code: str | None = None
    marks: tuple[Mark, ...] = ()


def answers_of(submission_ids) -> dict[int, dict]:
    """{submission id: {field: value, or list of values for multiple choice}}."""
    answers: dict[int, dict] = defaultdict(dict)
    query = (
        Answer.select(Answer.submission, Answer.field, Answer.value, Answer.position)
        .where(Answer.submission.in_(submission_ids))
        # Each submission's answers in the order given; by submission first, so that SQLite
        # reads them from the index of answers by submission rather than every answer by id.
        .order_by(Answer.submission, Answer.id)
        .tuples()
    )
    for submission_id, field, value, position in query:
        values = answers[submission_id]
        if position is None:
            values[field] = value
        else:
            values.setdefault(field, []).append(value)
    return answers


def personal_submissions(submission_ids) -> set[int]:
    query = Answer.select(Answer.submission).where(
        Answer.submission.in_(submission_ids), Answer.personal
    )
    return {row.submission_id for row in query}


def inbox_rows(submissions: list, today: date, searched: str | None = None) -> list[InboxRow]:
    """Plain rows for one page of submissions (with their assignees), with their marks (the
    visitor code `searched` for among them): six queries in all."""
    ids = [submission.id for submission in submissions]
    answers, personal = answers_of(ids), personal_submissions(ids)
    versions = versions_by_id({submission.form_version_id for submission in submissions})
    specs = {s.id: spec_of_version(versions[s.form_version_id]) for s in submissions}
    codes = {submission.id: submission.visitor_code for submission in submissions}
    marks = page_marks(specs, answers, today, codes, searched)
    rows = []
    for submission in submissions:
        spec = specs[submission.id]
        assignee = submission.assigned_to
        rows.append(
            InboxRow(
                id=submission.id,
                created_at=submission.created_at,
                form_title=spec.title,
                language=language_name(submission.lang),
                lang=submission.lang,
                status=submission.status,
                assigned=assignee.name if assignee and assignee.id else None,
                preview=preview(spec, answers.get(submission.id, {})),
                personal=submission.id in personal,
                code=submission.visitor_code,
                marks=marks[submission.id],
            )
        )
    return rows


def preview(spec: FormSpec, answers: dict) -> str:
    """A short line of the answers that are not personal, the needs first.

    Personal answers (names, contacts, comments) appear only on the submission's own page,
    where looking at them is recorded in the audit log.
    """
    fields = [
        f for f in spec.fields if not f.personal and f.type != "consent" and f.name in answers
    ]
    fields.sort(key=lambda field: field.name != NEEDS_FIELD)
    text = " · ".join(field.display(answers[field.name], str) for field in fields)
    if len(text) > PREVIEW_LENGTH:
        text = text[: PREVIEW_LENGTH - 1].rstrip() + "…"
    return text


# --- Staff and audit names ------------------------------------------------------------------------


def staff_members() -> list[User]:
    return list(User.select().where(User.active).order_by(User.name))


def target(submission: Submission) -> str:
    """How the audit log names a submission: by id, never by content."""
    return f"submission/{submission.id}"

"""The review inbox's queries and changes: filters, pages of rows, follow-up of needs, statuses.

Queries return peewee queries or plain rows; the views and the CSV export share them, so the
export holds exactly what the inbox shows for the same filter.
"""

import dataclasses
from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_

from flask import current_app
from peewee import JOIN, SQL, Expression, NodeList, SqliteDatabase, Table, fn

from ..clock import utc_midnight
from ..extensions import db
from ..formspec import FormSpec
from ..formspec.visitor_code import searched_code
from ..i18n import LANGUAGES
from ..models import Answer, FormVersion, Submission, User, spec_of_version

PER_PAGE = 50
NEEDS_FORM, NEEDS_FIELD = "intake", "needs"
FREE_TEXT_TYPES = ("text", "textarea")
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


def matching(filters: InboxFilters, *columns):
    """`columns` of the submissions matching `filters`, newest first (ids if none are named)."""
    query = Submission.select(*(columns or (Submission.id,)))
    conditions = filter_conditions(filters)
    if conditions:
        query = query.where(*conditions)
    return query.order_by(Submission.created_at.desc(), Submission.id.desc())


def count_matching(filters: InboxFilters) -> int:
    conditions = filter_conditions(filters)
    query = Submission.select(fn.COUNT(SQL("*")))
    return (query.where(*conditions) if conditions else query).scalar()


def free_text_fields() -> dict[int, list[str]]:
    """{form version id: names of its text and textarea fields}."""
    fields = {}
    for version in FormVersion.select():
        spec = spec_of_version(version)
        names = [field.name for field in spec.fields if field.type in FREE_TEXT_TYPES]
        if names:
            fields[version.id] = names
    return fields


# The full-text index of free-text answers (migration 0005, SQLite with FTS5): the answers'
# ids by their trigrams. External content: the text itself stays in `answer` only.
ANSWER_FTS = Table("answer_fts", ("rowid", "value"))
SEARCH_MIN_LENGTH = 3  # characters: the trigram tokenizer finds nothing shorter


def search_index_available() -> bool:
    """Whether this database has the full-text index (SQLite with FTS5's trigram tokenizer)."""
    if not isinstance(db.obj, SqliteDatabase):
        return False
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'answer_fts'"
    return db.execute_sql(query).fetchone() is not None


def merge_search_deletions() -> None:
    """Rewrite the full-text index without the entries of deleted answers.

    A deleted answer's entries are at first only marked deleted by FTS5: its trigrams stay in the
    file beside the mark until the segments are merged. Merging all of them (`optimize`) drops
    both; secure_delete overwrites the freed pages and the WAL checkpoint that follows an erasure
    or purge empties the log. (At 100,000 submissions the index is about 1 MB: some 20 ms.)
    """
    if search_index_available():
        db.execute_sql("INSERT INTO answer_fts (answer_fts) VALUES ('optimize')")


def free_text_matches(text: str):
    """Ids of submissions with a free-text answer containing `text`, case-insensitively.

    From three characters on, the full-text index answers: `text` is one quoted FTS5 phrase
    (quotes doubled), so no character of it is FTS5 syntax, and the trigram tokenizer makes the
    phrase "these characters in this order", a substring like LIKE's, with case folded in every
    script (LIKE folds only A to Z). Shorter texts, and databases without the index (PostgreSQL,
    which holds no submissions, the hub's), use LIKE on the free-text answers; `contains`
    escapes % and _ (LIKE … ESCAPE '\\'), so they match only themselves. A NUL character is
    dropped: SQLite's LIKE and FTS5 would end the text there.
    """
    text = text.replace("\x00", "")
    if len(text) >= SEARCH_MIN_LENGTH and search_index_available():
        phrase = '"' + text.replace('"', '""') + '"'
        ids = ANSWER_FTS.select(ANSWER_FTS.rowid).where(
            Expression(ANSWER_FTS.value, "MATCH", phrase)
        )
        return Answer.select(Answer.submission).where(Answer.id.in_(ids))
    fields = free_text_fields()
    per_version = [
        (Submission.form_version == version_id) & Answer.field.in_(names)
        for version_id, names in fields.items()
    ]
    if not per_version:
        return Answer.select(Answer.submission).where(Answer.id.is_null())
    every_name = sorted({name for names in fields.values() for name in names})
    return (
        Answer.select(Answer.submission)
        .join(Submission)
        .where(
            Answer.field.in_(every_name),  # so only free-text answers are read
            reduce(or_, per_version),
            Answer.value.contains(text),
        )
    )


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


def inbox_page(filters: InboxFilters, number: int) -> Page:
    """Page `number` of the inbox as InboxRows: a count, the page's ids, then its rows.

    The count and the ids come from the inbox's index alone (see `unindexed`); only the 50
    rows shown are read, with their form versions decoded once each.
    """
    if filters.need or filters.text:
        # Their matches come as a list from the answers (or the full-text index) and are sorted
        # anyway: one query for all ids gives the count too.
        sql, params = matching(filters).sql()
        every_id = [row[0] for row in db.execute_sql(sql, params)]
        total = len(every_id)
        number = clamped(number, total)
        ids = every_id[(number - 1) * PER_PAGE : number * PER_PAGE]
    else:
        total = count_matching(filters)
        number = clamped(number, total)
        ids = [row.id for row in matching(filters).paginate(number, PER_PAGE)]
    submissions = (
        Submission.select(Submission, User)
        .join_from(Submission, User, JOIN.LEFT_OUTER)
        .where(Submission.id.in_(ids))
        .order_by(Submission.created_at.desc(), Submission.id.desc())
    )
    return Page(inbox_rows(list(submissions) if ids else []), number, total)


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


def inbox_rows(submissions: list) -> list[InboxRow]:
    """Plain rows for one page of submissions (with their assignees): four queries in all."""
    ids = [submission.id for submission in submissions]
    answers, personal = answers_of(ids), personal_submissions(ids)
    versions = versions_by_id({submission.form_version_id for submission in submissions})
    rows = []
    for submission in submissions:
        spec = spec_of_version(versions[submission.form_version_id])
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

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
from peewee import JOIN

from ..clock import utc_midnight
from ..formspec import NO_ANSWER, Field, FormSpec
from ..i18n import LANGUAGES
from ..models import (
    Answer,
    CommentApproval,
    FormVersion,
    Note,
    StatusChange,
    Submission,
    User,
    spec_of_version,
)

PER_PAGE = 50
NEEDS_FORM, NEEDS_FIELD = "intake", "needs"
FREE_TEXT_TYPES = ("text", "textarea")
PREVIEW_LENGTH = 120
ACTION_NAMES = {
    "login": "Anmeldung",
    "login_failed": "Anmeldung fehlgeschlagen",
    "logout": "Abmeldung",
    "password_changed": "Passwort geändert",
    "password_set": "Passwort neu gesetzt",
    "user_added": "Konto angelegt",
    "user_disabled": "Konto gesperrt",
    "view": "Angesehen",
    "print": "Ausgedruckt",
    "export": "Export",
    "status": "Status geändert",
    "assign": "Zugewiesen",
    "note": "Notiz",
    "approve": "Kommentar freigegeben",
    "withdraw_approval": "Freigabe zurückgenommen",
    "erase": "Gelöscht",
    "route": "Zuständigkeit geändert",
    "purge": "Löschfristen angewandt",
    "restore": "Sicherung zurückgespielt",
    "backup": "Sicherung geschrieben",
}
STATUS_NAMES = {
    "new": "Neu",
    "in_progress": "In Bearbeitung",
    "handed_over": "Übergeben",
    "done": "Erledigt",
}

# --- Forms and labels ---------------------------------------------------------------------------


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


# --- Inbox --------------------------------------------------------------------------------------


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


def inbox_query(filters: InboxFilters):
    """Submissions matching `filters`, newest first, with their form version and assignee."""
    query = (
        Submission.select(Submission, FormVersion, User)
        .join(FormVersion)
        .join_from(Submission, User, JOIN.LEFT_OUTER)
        .order_by(Submission.created_at.desc(), Submission.id.desc())
    )
    for condition in filter_conditions(filters):
        query = query.where(condition)
    return query


def filter_conditions(filters: InboxFilters):
    if filters.form:
        yield FormVersion.slug == filters.form
    if filters.lang:
        yield Submission.lang == filters.lang
    if filters.status:
        yield Submission.status == filters.status
    if filters.since:
        yield Submission.created_at >= utc_midnight(filters.since)
    if filters.until:
        yield Submission.created_at < utc_midnight(filters.until + timedelta(days=1))
    if filters.need:
        yield FormVersion.slug == NEEDS_FORM
        yield Submission.id.in_(
            Answer.select(Answer.submission).where(
                Answer.field == NEEDS_FIELD, Answer.value == filters.need
            )
        )
    if filters.text:
        yield Submission.id.in_(free_text_matches(filters.text))


def free_text_fields() -> dict[int, list[str]]:
    """{form version id: names of its text and textarea fields}."""
    fields = {}
    for version in FormVersion.select():
        spec = spec_of_version(version)
        names = [field.name for field in spec.fields if field.type in FREE_TEXT_TYPES]
        if names:
            fields[version.id] = names
    return fields


def free_text_matches(text: str):
    """Ids of submissions with a free-text answer containing `text`.

    `contains` escapes % and _ (LIKE … ESCAPE '\\'), so they match only themselves.
    """
    per_version = [
        (Submission.form_version == version_id) & Answer.field.in_(names)
        for version_id, names in free_text_fields().items()
    ]
    if not per_version:
        return Answer.select(Answer.submission).where(Answer.id.is_null())
    return (
        Answer.select(Answer.submission)
        .join(Submission)
        .where(reduce(or_, per_version), Answer.value.contains(text))
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


def page_of(query, number: int, per_page: int = PER_PAGE) -> Page:
    """Page `number` of `query` (clamped to the pages there are)."""
    total = query.count()
    number = min(max(1, number), max(1, -(-total // per_page)))
    return Page(list(query.paginate(number, per_page)), number, total, per_page)


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


def answers_of(submission_ids) -> dict[int, dict]:
    """{submission id: {field: value, or list of values for multiple choice}}."""
    answers: dict[int, dict] = defaultdict(dict)
    query = Answer.select().where(Answer.submission.in_(submission_ids)).order_by(Answer.id)
    for answer in query:
        values = answers[answer.submission_id]
        if answer.position is None:
            values[answer.field] = answer.value
        else:
            values.setdefault(answer.field, []).append(answer.value)
    return answers


def personal_submissions(submission_ids) -> set[int]:
    query = Answer.select(Answer.submission).where(
        Answer.submission.in_(submission_ids), Answer.personal
    )
    return {row.submission_id for row in query}


def inbox_rows(submissions: list) -> list[InboxRow]:
    """Plain rows for one page of `inbox_query`: three queries, however many rows."""
    ids = [submission.id for submission in submissions]
    answers, personal = answers_of(ids), personal_submissions(ids)
    rows = []
    for submission in submissions:
        spec = spec_of_version(submission.form_version)
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


# --- One submission -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ShownAnswer:
    """One question of a submission with its answer, for the detail and print pages."""

    field: Field
    text: str
    free_text: bool
    answer: Answer | None = None  # the row, for free text (its approval hangs on it)
    approval: CommentApproval | None = None

    @property
    def approvable(self) -> bool:
        return self.answer is not None and self.field.type == "textarea"


def shown_answers(submission: Submission) -> list[ShownAnswer]:
    """Every answered question in form order; free text as the visitor wrote it."""
    spec = spec_of_version(submission.form_version)
    answers = submission.answer_map()
    rows = {
        answer.field: answer
        for answer in Answer.select(Answer, CommentApproval)
        .join(CommentApproval, JOIN.LEFT_OUTER, attr="approved")
        .where(Answer.submission == submission, Answer.position.is_null())
    }
    shown = []
    for field in spec.visible_fields(answers):
        if field.name not in answers:
            continue
        free = field.type in FREE_TEXT_TYPES and answers[field.name] != NO_ANSWER
        row = rows.get(field.name) if free else None
        shown.append(
            ShownAnswer(
                field=field,
                text=answers[field.name] if free else field.display(answers[field.name], str),
                free_text=free,
                answer=row,
                approval=approval_of(row),
            )
        )
    return shown


def approval_of(answer: Answer | None) -> CommentApproval | None:
    if answer is None:
        return None
    approval = getattr(answer, "approved", None)
    return approval if approval and approval.id else None


def has_personal_answers(submission: Submission) -> bool:
    return submission.answers.where(Answer.personal).exists()


def status_history(submission: Submission) -> list[StatusChange]:
    return list(submission.status_changes.order_by(StatusChange.at, StatusChange.id))


def notes_of(submission: Submission) -> list[Note]:
    """Oldest first, so the newest note is the last one."""
    return list(submission.notes.order_by(Note.at, Note.id))


def staff_members() -> list[User]:
    return list(User.select().where(User.active).order_by(User.name))


def target(submission: Submission) -> str:
    """How the audit log names a submission: by id, never by content."""
    return f"submission/{submission.id}"

"""The review's queries as they were before they were made fast (commit d37dad7), as references.

tests/test_review_scale.py checks that the inbox, the follow-up, the search, the export and the
purge give the same results as these on the same data. Copied, not imported: the point is that
these never change.
"""

import csv
import io
from collections import defaultdict
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from peewee import JOIN, fn

from kiosk.clock import local_time, utc_midnight
from kiosk.extensions import db
from kiosk.maintenance.retention import (
    COUNT_NAMES,
    ENDED_STATUSES,
    forget_drafts,
    forget_stale_logins,
)
from kiosk.models import (
    Answer,
    CommentApproval,
    FormVersion,
    Note,
    StatusChange,
    Submission,
    User,
    spec_of_version,
)
from kiosk.review.inbox import (
    FREE_TEXT_TYPES,
    NEEDS_FIELD,
    NEEDS_FORM,
    STATUS_NAMES,
    InboxFilters,
    language_name,
)

# --- Inbox, search, follow-up ----------------------------------------------------------------


def inbox_query(filters: InboxFilters):
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


def free_text_matches(text: str):
    fields = {}
    for version in FormVersion.select():
        spec = spec_of_version(version)
        names = [field.name for field in spec.fields if field.type in FREE_TEXT_TYPES]
        if names:
            fields[version.id] = names
    per_version = [
        (Submission.form_version == version_id) & Answer.field.in_(names)
        for version_id, names in fields.items()
    ]
    if not per_version:
        return Answer.select(Answer.submission).where(Answer.id.is_null())
    return (
        Answer.select(Answer.submission)
        .join(Submission)
        .where(reduce(or_, per_version), Answer.value.contains(text))
    )


def followup_query(need: str | None = None, open_only: bool = True):
    query = (
        Answer.select(
            Answer.value.alias("need"),
            Submission.id.alias("submission_id"),
            Submission.created_at,
            Submission.status,
            User.name.alias("assigned"),
        )
        .join(Submission)
        .join(FormVersion)
        .join_from(Submission, User, JOIN.LEFT_OUTER)
        .where(FormVersion.slug == NEEDS_FORM, Answer.field == NEEDS_FIELD)
        .order_by(Submission.created_at.desc(), Submission.id.desc(), Answer.id)
    )
    if need:
        query = query.where(Answer.value == need)
    if open_only:
        query = query.where(Submission.status != "done")
    return query.dicts()


# --- Export ----------------------------------------------------------------------------------

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
FIXED_HEADER = ("Nr.", "Eingang", "Formular", "Version", "Sprache", "Status", "Zugewiesen an")


def neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def field_columns(versions):
    columns = {}
    newest_first = sorted(versions, key=lambda v: (spec_of_version(v).order, v.slug, -v.number))
    for version in newest_first:
        spec = spec_of_version(version)
        for field in spec.fields:
            columns.setdefault((version.slug, field.name), (spec.title, field.label))
    several = len({slug for slug, _ in columns}) > 1
    headers = [f"{title}: {label}" if several else label for title, label in columns.values()]
    return list(columns), headers


def cell_text(field, value) -> str:
    if value is None:
        return ""
    if field.type in ("text", "textarea") and isinstance(value, str):
        return value
    return field.display(value, str)


def answers_of(submission_ids) -> dict[int, dict]:
    answers: dict[int, dict] = defaultdict(dict)
    query = Answer.select().where(Answer.submission.in_(submission_ids)).order_by(Answer.id)
    for answer in query:
        values = answers[answer.submission_id]
        if answer.position is None:
            values[answer.field] = answer.value
        else:
            values.setdefault(answer.field, []).append(answer.value)
    return answers


def submission_row(submission, columns, answers: dict) -> list[str]:
    spec = spec_of_version(submission.form_version)
    fields = {field.name: field for field in spec.fields}
    assignee = submission.assigned_to
    row = [
        str(submission.id),
        local_time(submission.created_at).strftime("%d.%m.%Y %H:%M"),
        spec.title,
        str(submission.form_version.number),
        language_name(submission.lang),
        STATUS_NAMES.get(submission.status, submission.status),
        assignee.name if assignee and assignee.id else "",
    ]
    for slug, name in columns:
        mine = slug == submission.form_version.slug and name in fields
        row.append(cell_text(fields[name], answers.get(name)) if mine else "")
    return row


def export_csv(query) -> tuple[str, int]:
    submissions = list(query)
    versions = {s.form_version.id: s.form_version for s in submissions}
    columns, headers = field_columns(list(versions.values()))
    answers = answers_of(query.select(Submission.id))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in (*FIXED_HEADER, *headers)])
    for submission in submissions:
        row = submission_row(submission, columns, answers.get(submission.id, {}))
        writer.writerow([neutralise(cell) for cell in row])
    return BOM + out.getvalue(), len(submissions)


# --- Purge (one UPDATE per expired submission) -----------------------------------------------


def purge_counts(now: datetime) -> dict[str, int]:
    """What `purge_expired(now)` counted and did, without its audit line and checkpoint."""
    counts = dict.fromkeys((*COUNT_NAMES, "times"), 0)
    for version in FormVersion.select(FormVersion.id, FormVersion.spec):
        cutoff = now - timedelta(days=version.spec["retention_days"])
        add_counts(counts, forget_personal_answers(version.id, cutoff))
        add_counts(counts, forget_ended_followups(version.id, cutoff))
    add_counts(counts, forget_stale_logins(now))
    counts["drafts"] = forget_drafts(now)
    return counts


def add_counts(counts, more) -> None:
    for kind, number in more.items():
        counts[kind] += number


def expired_submissions(version_id, cutoff):
    return Submission.select(Submission.id).where(
        Submission.form_version == version_id, Submission.created_at < cutoff
    )


def forget_personal_answers(version_id, cutoff) -> dict[str, int]:
    personal = Answer.select(Answer.id).where(
        Answer.submission.in_(expired_submissions(version_id, cutoff)), Answer.personal
    )
    return {
        "comment_approvals": CommentApproval.delete()
        .where(CommentApproval.answer.in_(personal))
        .execute(),
        "personal_answers": Answer.delete().where(Answer.id.in_(personal)).execute(),
        # Added with the visitor code (0006), in this module's way: one row at a time.
        "visitor_codes": forget_visitor_codes(version_id, cutoff),
        "times": truncate_times(version_id, cutoff),
    }


def forget_visitor_codes(version_id, cutoff) -> int:
    coded = expired_submissions(version_id, cutoff).where(Submission.visitor_code.is_null(False))
    return sum(
        Submission.update(visitor_code=None).where(Submission.id == row.id).execute()
        for row in coded
    )


def truncate_times(version_id, cutoff) -> int:
    changed = 0
    query = Submission.select(Submission.id, Submission.created_at).where(
        Submission.form_version == version_id, Submission.created_at < cutoff
    )
    for submission in query:
        day_start = utc_midnight(local_time(submission.created_at).date())
        if submission.created_at != day_start:
            changed += (
                Submission.update(created_at=day_start)
                .where(Submission.id == submission.id)
                .execute()
            )
    return changed


def ended_followups(version_id, cutoff):
    ended_at = fn.COALESCE(fn.MAX(StatusChange.at), Submission.created_at)
    return (
        Submission.select(Submission.id)
        .join(StatusChange, JOIN.LEFT_OUTER, on=(StatusChange.submission == Submission.id))
        .where(
            Submission.form_version == version_id,
            Submission.status.in_(ENDED_STATUSES),
            Submission.created_at < cutoff,
        )
        .group_by(Submission.id)
        .having(ended_at < cutoff)
    )


def forget_ended_followups(version_id, cutoff) -> dict[str, int]:
    ended = [row.id for row in ended_followups(version_id, cutoff)]
    if not ended:
        return {}
    return {
        "notes": Note.delete().where(Note.submission.in_(ended)).execute(),
        "status_changes": StatusChange.delete().where(StatusChange.submission.in_(ended)).execute(),
        "assignments": Submission.update(assigned_to=None)
        .where(Submission.id.in_(ended), Submission.assigned_to.is_null(False))
        .execute(),
    }


def table_rows() -> dict[str, list]:
    """Every row of the tables a purge changes, for comparing two purges."""
    tables = ("submission", "answer", "note", "status_change", "comment_approval", "draft")
    return {name: db.execute_sql(f"SELECT * FROM {name} ORDER BY 1").fetchall() for name in tables}

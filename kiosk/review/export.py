"""CSV export of the inbox for German Excel: UTF-8 with BOM, semicolons, CRLF, no formulas.

Streamed: `plan_export` takes the ids of the submissions a filter matches (from the inbox's
index, newest first), so the count is known before the first byte and the audit line can say
it; `export_chunks` then reads the rows a thousand at a time and yields their CSV, with each
form version's spec decoded once and each choice's German text made once. The server holds one
chunk, never the whole file.
"""

import dataclasses
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from ..clock import local_time
from ..extensions import db
from ..formspec import Field
from ..models import Answer, FormVersion, Submission, User, spec_of_version
from ..reports.csv_dialect import BOM, excel_writer, neutralise
from .auth import audit
from .inbox import STATUS_NAMES, InboxFilters, language_name, matching, versions_by_id

FIXED_HEADER = ("Nr.", "Eingang", "Formular", "Version", "Sprache", "Status", "Zugewiesen an")
CHUNK = 1000  # submissions read and written at a time

Column = tuple[str, str]  # (form slug, field name)


def field_columns(versions: list[FormVersion]) -> tuple[list[Column], list[str]]:
    """One column per field of the exported forms, and its German header.

    The newest version of a form decides order and question; fields only older versions had
    follow. With more than one form, each header starts with the form's title.
    """
    columns: dict[Column, tuple[str, str]] = {}
    newest_first = sorted(versions, key=lambda v: (spec_of_version(v).order, v.slug, -v.number))
    for version in newest_first:
        spec = spec_of_version(version)
        for field in spec.fields:
            columns.setdefault((version.slug, field.name), (spec.title, field.label))
    several = len({slug for slug, _ in columns}) > 1
    headers = [f"{title}: {label}" if several else label for title, label in columns.values()]
    return list(columns), headers


def cell_text(field: Field, value) -> str:
    if value is None:
        return ""
    if field.type in ("text", "textarea") and isinstance(value, str):
        return value  # the visitor's own words, as typed
    return field.display(value, str)


@dataclasses.dataclass
class ExportPlan:
    """What an export will hold: the submissions' ids in order, and their form versions."""

    ids: list[int]
    versions: dict[int, FormVersion]

    @property
    def count(self) -> int:
        return len(self.ids)


def plan_export(filters: InboxFilters) -> ExportPlan:
    """The ids (newest first) and form versions of the submissions `filters` match."""
    sql, params = matching(filters, Submission.id, Submission.form_version).sql()
    ids, version_ids = [], set()
    for submission_id, version_id in db.execute_sql(sql, params):
        ids.append(submission_id)
        version_ids.add(version_id)
    return ExportPlan(ids, versions_by_id(version_ids) if version_ids else {})


class ChunkReader:
    """Reads CHUNK submissions (with their assignee's name) and their answers as plain tuples.

    The SQL of both queries is made once for CHUNK ids; a shorter last chunk repeats its last
    id, which changes nothing in an IN list.
    """

    def __init__(self):
        placeholders = list(range(CHUNK))
        self.submissions_sql, params = (
            Submission.select(
                Submission.id,
                Submission.form_version,
                Submission.lang,
                Submission.created_at,
                Submission.status,
                User.name,
            )
            .left_outer_join(User, on=(Submission.assigned_to == User.id))
            .where(Submission.id.in_(placeholders))
            .sql()
        )
        assert params == placeholders
        self.answers_sql, params = (
            Answer.select(Answer.submission, Answer.field, Answer.value, Answer.position)
            .where(Answer.submission.in_(placeholders))
            .order_by(Answer.submission, Answer.id)  # each submission's in the order given
            .sql()
        )
        assert params == placeholders

    def read(self, ids: list[int]) -> tuple[dict[int, tuple], dict[int, dict]]:
        """({id: (id, version id, lang, created_at, status, assignee)}, {id: answer map})."""
        params = ids + ids[-1:] * (CHUNK - len(ids))
        submissions = {}
        for row in db.execute_sql(self.submissions_sql, params):
            created_at = row[3]
            if isinstance(created_at, str):  # SQLite's text
                created_at = datetime.fromisoformat(created_at)
            submissions[row[0]] = (*row[:3], created_at, *row[4:])
        answers: dict[int, dict] = defaultdict(dict)
        for submission_id, field, value, position in db.execute_sql(self.answers_sql, params):
            values = answers[submission_id]
            if position is None:
                values[field] = value
            else:
                values.setdefault(field, []).append(value)
        return submissions, answers


class RowWriter:
    """Makes the CSV cells of submissions: each constant text and each choice's label once."""

    def __init__(self, versions: dict[int, FormVersion]):
        columns, self.headers = field_columns(list(versions.values()))
        position = {column: index for index, column in enumerate(columns)}
        self.width = len(FIXED_HEADER) + len(columns)
        # version id: (title, number, {field name: (cell index, field, free text?)})
        self.forms = {}
        for version_id, version in versions.items():
            spec = spec_of_version(version)
            cells = {
                field.name: (
                    len(FIXED_HEADER) + position[(version.slug, field.name)],
                    field,
                    field.type in ("text", "textarea"),
                )
                for field in spec.fields
            }
            self.forms[version_id] = (neutralise(spec.title), str(version.number), cells)
        self.texts: dict = {}  # (kind or field, value): its neutralised German text

    def header(self) -> list[str]:
        return [neutralise(cell) for cell in (*FIXED_HEADER, *self.headers)]

    def text(self, key, make) -> str:
        text = self.texts.get(key)
        if text is None:
            text = self.texts[key] = neutralise(make())
        return text

    def row(self, submission: tuple, answers: dict) -> list[str]:
        """As the inbox's export always made it: fixed columns, then each field's column."""
        submission_id, version_id, lang, created_at, status, assignee = submission
        title, number, cells = self.forms[version_id]
        row = [
            str(submission_id),
            local_time(created_at).strftime("%d.%m.%Y %H:%M"),
            title,
            number,
            self.text(("lang", lang), lambda: language_name(lang)),
            self.text(("status", status), lambda: STATUS_NAMES.get(status, status)),
            neutralise(assignee) if assignee else "",
        ]
        row.extend([""] * (self.width - len(row)))
        for name, value in answers.items():
            cell = cells.get(name)
            if cell is None:  # not a field of this version: in no column, as before
                continue
            index, field, free_text = cell
            if free_text and isinstance(value, str):
                row[index] = neutralise(value)  # the visitor's own words, as typed
            else:
                key = (id(field), tuple(value) if isinstance(value, list) else value)
                row[index] = self.text(key, lambda f=field, v=value: cell_text(f, v))
        return row


def export_chunks(plan: ExportPlan, written: list[int] | None = None) -> Iterator[str]:
    """The CSV text of `plan`, a chunk of rows at a time; BOM and header first.

    `written` (a one-element list) counts the rows as they are made: fewer than `plan.count`
    when a submission was erased since the plan, or the download stopped.
    """
    writer_rows = RowWriter(plan.versions)
    out = io.StringIO()
    writer = excel_writer(out)
    writer.writerow(writer_rows.header())
    yield BOM + out.getvalue()
    reader = ChunkReader()
    for start in range(0, plan.count, CHUNK):
        ids = plan.ids[start : start + CHUNK]
        submissions, answers = reader.read(ids)
        out.seek(0)
        out.truncate()
        rows = [
            writer_rows.row(submissions[i], answers.get(i, {})) for i in ids if i in submissions
        ]
        writer.writerows(rows)
        if written is not None:
            written[0] += len(rows)
        yield out.getvalue()


def audited_export(filters: InboxFilters) -> Iterator[bytes]:
    """The export's bytes, a chunk at a time; its audit line is written now, with the count.

    Should fewer rows go out than announced (a submission erased meanwhile, the download
    broken off), a second line says how many did.
    """
    plan = plan_export(filters)
    audit("export", "inbox", f"{filters.describe()}; {plan.count} Zeilen")

    def chunks():
        written = [0]
        try:
            for chunk in export_chunks(plan, written):
                yield chunk.encode("utf-8")
        finally:
            if written[0] != plan.count:
                detail = f"{filters.describe()}; nur {written[0]} von {plan.count} Zeilen"
                audit("export", "inbox", detail)

    return chunks()


def export_csv(filters: InboxFilters) -> tuple[str, int]:
    """(CSV text, number of submissions) in one piece, for a small export or a test."""
    plan = plan_export(filters)
    return "".join(export_chunks(plan)), plan.count

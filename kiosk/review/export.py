"""CSV export of the inbox for German Excel: UTF-8 with BOM, semicolons, CRLF, no formulas."""

import csv
import io

from ..clock import local_time
from ..formspec import Field
from ..models import FormVersion, Submission, spec_of_version
from .inbox import STATUS_NAMES, answers_of, language_name

BOM = "\ufeff"
# A cell starting with one of these is taken as a formula by spreadsheets ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
FIXED_HEADER = ("Nr.", "Eingang", "Formular", "Version", "Sprache", "Status", "Zugewiesen an")

Column = tuple[str, str]  # (form slug, field name)


def neutralise(cell: str) -> str:
    """Text a spreadsheet shows as text: a leading apostrophe disarms formulas."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


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


def submission_row(submission: Submission, columns: list[Column], answers: dict) -> list[str]:
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
    """(CSV text, number of submissions) for a query of submissions like `inbox_query`."""
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

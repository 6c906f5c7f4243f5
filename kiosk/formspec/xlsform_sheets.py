"""An XLSForm workbook as plain rows: its sheets survey, choices and settings, with their columns.

Sheet and column names are read as XLSForm readers do: in any case, `label:English` like
`label::English`, `list name` like `list_name`. A text column without a language is in the
form's default language (settings `default_language`, German when not given).
"""

import dataclasses
import io
import logging

from .xlsform_common import (
    KIOSK_TEXT_KEYS,
    REVIEWED,
    SOURCE_LANGUAGE,
    Column,
    XLSFormProblem,
    cell_text,
    parse_heading,
)

logger = logging.getLogger(__name__)
SHEETS = ("survey", "choices", "settings")
XLSFORM_TEXTS = ("label", "hint", "constraint_message", "required_message")
KIOSK_TEXTS = tuple(f"kiosk::{key}" for key in KIOSK_TEXT_KEYS if key != REVIEWED)
# Sheets that carry logic the kiosk does not have; refused when they hold anything.
REFUSED_SHEETS = {
    "external_choices": "Auswahllisten aus external_choices kann der Kiosk nicht. Schreiben Sie "
    "die Antworten in das Blatt choices.",
    "entities": "Entities (Datensätze in ODK) kann der Kiosk nicht. Löschen Sie das Blatt.",
    "osm": "OpenStreetMap-Fragen kann der Kiosk nicht. Löschen Sie das Blatt.",
}


@dataclasses.dataclass
class Row:
    sheet: str
    number: int | None  # as Excel shows it: the heading row is 1
    cells: dict[str, str]  # heading -> text, only filled cells
    columns: dict[str, Column]  # heading -> its parsed column

    def get(self, name: str, language: str | None = SOURCE_LANGUAGE) -> str:
        """The text of column `name` in `language` (the default language's column counts as
        German's when the form's default is German)."""
        for heading, column in self.columns.items():
            if column.name == name and column.language == language and heading in self.cells:
                return self.cells[heading]
        return ""

    def heading(self, name: str, language: str | None = SOURCE_LANGUAGE) -> str:
        for heading, column in self.columns.items():
            if column.name == name and column.language == language:
                return heading
        return name

    def languages(self, name: str) -> dict[str, tuple[str, str]]:
        """{language: (heading, text)} of every filled column `name` in this row."""
        return {
            column.language: (heading, self.cells[heading])
            for heading, column in self.columns.items()
            if column.name == name and column.language and heading in self.cells
        }


@dataclasses.dataclass
class Workbook:
    sheets: dict[str, list[Row]]
    columns: dict[str, dict[str, Column]]


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls)
NOT_EXCEL = (
    "Die Datei ist keine Excel-Datei (.xlsx oder .xls). Speichern Sie das Formular in Excel "
    "oder LibreOffice als „Excel-Arbeitsmappe (.xlsx)“."
)


def read_workbook(data: bytes, problems: list[XLSFormProblem]) -> Workbook | None:
    """The workbook's sheets as rows, or None (and a problem) when it is no Excel file.

    XLSX is read with openpyxl; the older binary .xls (ODK's early templates, many forms still
    in circulation) with xlrd."""
    try:
        named = _xls_sheets(data) if data.startswith(OLE2_MAGIC) else _xlsx_sheets(data)
    except Exception as error:  # a damaged file breaks the readers in many ways
        # (zipfile, zlib, struct, xlrd's own errors, ...): each is a file we cannot read.
        logger.info("XLSForm not readable: %r", error)
        problems.append(XLSFormProblem("Datei", None, None, NOT_EXCEL))
        return None
    sheets: dict[str, list[Row]] = {}
    columns: dict[str, dict[str, Column]] = {}
    for title, values in named:
        name = title.strip().lower()
        filled = any(cell_text(value) for row in values[1:] for value in row)
        if name in REFUSED_SHEETS and filled:
            problems.append(XLSFormProblem(title, None, None, REFUSED_SHEETS[name]))
        if name not in SHEETS or name in sheets:
            continue  # other sheets (notes, a Kobo "builder" sheet) hold nothing for the form
        headings = [cell_text(value) for value in values[0]] if values else []
        parsed = {heading: parse_heading(heading) for heading in headings if heading}
        columns[name] = parsed
        sheets[name] = list(_rows(name, headings, values[1:], parsed))
    return Workbook(sheets, columns)


def _xlsx_sheets(data: bytes) -> list[tuple[str, list[list]]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [
            (sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)])
            for sheet in book.worksheets
        ]
    finally:
        book.close()


def _xls_sheets(data: bytes) -> list[tuple[str, list[list]]]:
    import xlrd

    # xlrd writes its warnings about damaged files to stdout unless given a log of its own
    book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    try:
        return [
            (sheet.name, [sheet.row_values(number) for number in range(sheet.nrows)])
            for sheet in (book.sheet_by_index(index) for index in range(book.nsheets))
        ]
    finally:
        book.release_resources()


def _rows(sheet: str, headings: list[str], values: list[list], parsed: dict[str, Column]):
    for number, row in enumerate(values, 2):
        cells = {
            heading: cell_text(value)
            for heading, value in zip(headings, row, strict=False)
            if heading and cell_text(value)
        }
        if cells:
            yield Row(sheet, number, cells, parsed)


def localise(workbook: Workbook, default_language: str) -> None:
    """Give the text columns without a language theirs: XLSForm's own the form's default
    language, the kiosk's own columns (`kiosk::purpose`, ...) German."""
    for sheet, parsed in workbook.columns.items():
        for heading, column in parsed.items():
            if column.language is not None or column.unknown_language:
                continue
            if column.name in XLSFORM_TEXTS:
                parsed[heading] = dataclasses.replace(column, language=default_language)
            elif column.name in KIOSK_TEXTS or column.name.startswith("kiosk::message::"):
                parsed[heading] = dataclasses.replace(column, language=SOURCE_LANGUAGE)
        for row in workbook.sheets.get(sheet, []):
            row.columns = parsed

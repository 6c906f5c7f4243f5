"""Helpers for the XLSForm tests: workbooks from tables, the shipped forms' catalog translations."""

import io
from pathlib import Path

from openpyxl import Workbook

from kiosk.i18n import SOURCE_LANGUAGE, TRANSLATIONS_DIR
from kiosk.i18n.catalogs import read_catalog

EXAMPLES = Path(__file__).resolve().parent / "data" / "xlsforms"

# A complete little form: every sheet the kiosk needs, German with an Arabic column.
SETTINGS = [
    ["form_title", "form_id", "kiosk::purpose", "kiosk::retention_days"],
    ["Test", "test", "Wir testen.", 30],
]


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx file with one sheet per entry: its first row the headings."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def survey_xlsx(survey: list[list], choices: list[list] | None = None, settings=None) -> bytes:
    """A form from its survey rows (headings first), with the settings every test needs."""
    sheets = {"survey": survey}
    if choices is not None:
        sheets["choices"] = choices
    sheets["settings"] = SETTINGS if settings is None else settings
    return xlsx(sheets)


def markdown_sheets(text: str) -> dict[str, list[list]]:
    """The sheets of an XLSForm written as a markdown table, the way pyxform's tests write them:
    a row whose first cell is filled names a sheet, the rows below belong to it."""
    sheets: dict[str, list[list]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0]:
            current = sheets.setdefault(cells[0], [])
            continue
        if current is not None:
            row = cells[1:]
            while row and not row[-1]:
                row.pop()
            current.append([cell or None for cell in row])
    return sheets


def example(name: str) -> bytes:
    """The example tests/data/xlsforms/NAME.md as an .xlsx file."""
    return xlsx(markdown_sheets((EXAMPLES / f"{name}.md").read_text(encoding="utf-8")))


def catalog_translations(spec) -> dict[str, dict[str, str]]:
    """{lang: {msgid: translation}} of the form's texts in the shipped catalogs."""
    msgids = {text for text, _ in spec.texts()}
    translations = {}
    for folder in sorted(Path(TRANSLATIONS_DIR).iterdir()):
        po = folder / "LC_MESSAGES" / "messages.po"
        if folder.name == SOURCE_LANGUAGE or not po.is_file():
            continue
        catalog = read_catalog(str(po))
        texts = {
            message.id: message.string
            for message in catalog
            if message.id in msgids and message.string and not message.fuzzy
        }
        if texts:
            translations[folder.name] = texts
    return translations

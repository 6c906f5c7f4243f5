"""CSV for German Excel: UTF-8 with BOM, semicolons, CRLF, and no cell a spreadsheet runs.

One dialect for every table the program hands out: the inbox's export (kiosk/review/export.py),
the tables embedded in the reports and the hub's combined numbers (attachments.py). Excel in a
German locale reads a file in this form with a double click: the BOM tells it UTF-8, the
semicolon is its list separator, and a decimal comma ("4,3") is a number to it.
"""

import csv
import io
from collections.abc import Iterable, Sequence

BOM = "\ufeff"
# A cell starting with one of these is taken as a formula by spreadsheets ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(cell: str) -> str:
    """Text a spreadsheet shows as text: a leading apostrophe disarms formulas."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def excel_writer(out: io.StringIO):
    """A csv writer of this dialect (the caller writes the BOM once, first)."""
    return csv.writer(out, delimiter=";", lineterminator="\r\n")


def excel_csv(rows: Iterable[Sequence[str]]) -> str:
    """The whole CSV text of `rows`, BOM first, every cell neutralised."""
    out = io.StringIO()
    excel_writer(out).writerows([neutralise(cell) for cell in row] for row in rows)
    return BOM + out.getvalue()

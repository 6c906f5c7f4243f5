"""A report's numbers as files inside its PDF: the JSON summary and one CSV per printed table.

The Stadthaus reuses a report's numbers without copying them from the PDF: each PDF/A-3 report
carries its summary as JSON and each table it prints as a CSV for German Excel
(csv_dialect.py), embedded and declared as associated files of the document (the catalog's /AF,
each with its /AFRelationship: /Source for the summary the report is rendered from, /Data for a
table). `pdfdetach -list report.pdf` lists them; `pdfdetach -saveall` saves them.

A CSV cell holds exactly what the report prints in that place: counts as printed ("1.234"), "<3"
for a small count, "•" for a hidden one, the report's dash for a withheld table or a mean that is
not printed, "mind. 5" and "kein Bericht" in the combined report, means with a decimal comma. The
changes against the previous period are left out (a spreadsheet works them out, see site_rows).
The summary never holds a suppressed count (kiosk/reports/disclosure.py), and the CSVs are made
from its printed texts only: no embedded file holds a count the report keeps hidden.

Both the site report's layout (`site_files`) and the combined report's (`combined_files`) are
here; the hub also offers the combined tables stacked into one CSV (`stacked_csv`).
"""

import json
import re
from dataclasses import asdict, dataclass

from .csv_dialect import excel_csv
from .periods import PeriodError, period_of

DASH = "\N{EN DASH}"
NOT_IN_A_NAME = re.compile(r"[^A-Za-z0-9._-]+")

# (summary table key, file name part, label column header), in the order the report prints them
SITE_TABLES = (
    ("reasons", "anlass", "Anlass"),
    ("languages", "sprache", "Sprache"),
    ("needs", "anliegen", "Anliegen"),
    ("followup", "stand", "Stand"),
    ("satisfaction", "zufriedenheit", "Bewertung"),
    ("forms", "formulare", "Formular"),
)


@dataclass(frozen=True)
class Table:
    """One printed table as CSV rows: header first."""

    part: str  # of the file name: "anlass"
    title: str  # "Besuche nach Anlass"
    rows: list[list[str]]


@dataclass(frozen=True)
class EmbeddedFile:
    """A file for the worker to embed: name, /Desc, /AFRelationship and its text (UTF-8)."""

    name: str
    description: str
    relationship: str
    text: str

    def to_dict(self) -> dict:
        return asdict(self)


def file_prefix(*parts: str) -> str:
    cleaned = (NOT_IN_A_NAME.sub("_", part).strip("._") for part in parts)
    return "-".join(part for part in cleaned if part)


def summary_json(summary: dict) -> str:
    """The summary as the embedded JSON file: the same data the PDF was rendered from."""
    return json.dumps(summary, ensure_ascii=False, indent=1) + "\n"


def embedded_files(prefix: str, summary: dict, tables: list[Table], what: str) -> list[dict]:
    """The JSON summary and one CSV per table, ready for the worker (sorted by name)."""
    files = [
        EmbeddedFile(
            f"{prefix}-zusammenfassung.json",
            f"{what}: alle Zahlen des Berichts als JSON (die Zusammenfassung, aus der er "
            "erstellt ist)",
            "Source",
            summary_json(summary),
        )
    ]
    files += [
        EmbeddedFile(
            f"{prefix}-{table.part}.csv",
            f"{what}: Tabelle „{table.title}“ als CSV für Excel (Semikolon, UTF-8)",
            "Data",
            excel_csv(table.rows),
        )
        for table in tables
    ]
    return [file.to_dict() for file in sorted(files, key=lambda file: file.name)]


def stacked_csv(tables: list[Table]) -> str:
    """Several tables in one CSV, as the report shows them: each with its title above its
    header and an empty line after it."""
    rows: list[list[str]] = []
    for table in tables:
        rows += [[table.title], *table.rows, []]
    return excel_csv(rows)


def text(cell: dict | None) -> str:
    """A cell as printed; a missing one as the report's dash."""
    return cell["text"] if cell else DASH


def figure_label(figure: dict) -> str:
    return f"{figure['label']} ({figure['unit']})" if figure.get("unit") else figure["label"]


def period_label(key: str, fallback: str) -> str:
    try:
        return period_of(key).label
    except (PeriodError, ValueError, OverflowError, TypeError):
        return fallback


def trend_table(trend: list[dict]) -> Table:
    rows = [["Zeitraum", "Durchschnitt"]]
    rows += [[period_label(point["key"], point["label"]), text(point["mean"])] for point in trend]
    return Table("verlauf", "Zufriedenheit im Verlauf", rows)


# --- The site report ---------------------------------------------------------------------------


def site_tables(summary: dict) -> list[Table]:
    """The site report's tables as it prints them: key figures, each table, the trend."""
    previous_name = summary["period"]["previous_name"]
    figures = [["Kennzahl", "Wert", previous_name]]
    figures += [
        [figure_label(f), text(f["current"]), text(f["previous"])] for f in summary["key_figures"]
    ]
    tables = [Table("kennzahlen", "Kennzahlen", figures)]
    for key, part, label_header in SITE_TABLES:
        table = summary["forms"] if key == "forms" else summary["tables"][key]
        tables.append(Table(part, table["title"], site_rows(table, label_header, previous_name)))
    tables.append(trend_table(summary["trend"]))
    return tables


def site_rows(table: dict, label_header: str, previous_name: str) -> list[list[str]]:
    """A table's rows: label, (office,) this period, the previous one (, the needs' states).

    The change column is left out: the report prints a change only where both counts are
    printed, and then it is their difference, which a spreadsheet works out; as a cell, "+3"
    would be taken for a formula (and disarmed as "'+3"), a decrease with the report's minus
    sign for text.
    """
    offices = table["key"] == "needs"
    states = offices and bool(table["rows"]) and "done" in table["rows"][0]
    header = [label_header] + (["zuständig"] if offices else []) + ["Anzahl", previous_name]
    header += ["weitergegeben", "erledigt"] if states else []

    def row(label: str, line: dict) -> list[str]:
        cells = [label] + ([line.get("office", "")] if offices else [])
        cells += [text(line["current"]), text(line["previous"])]
        return cells + ([text(line["handed_over"]), text(line["done"])] if states else [])

    rows = [header] + [row(line["label"], line) for line in table["rows"]]
    if table.get("total"):  # the needs (multiple choice) have none
        rows.append(row(f"{table['total']['label']} zusammen", table["total"]))
    return rows


def site_files(summary: dict) -> list[dict]:
    """What a site's report PDF carries: its summary and its tables."""
    prefix = file_prefix(summary["site"]["slug"], summary["period"]["key"])
    what = f"Bericht {summary['site']['name']}, {summary['period']['label']}"
    return embedded_files(prefix, summary, site_tables(summary), what)


# --- The combined report -----------------------------------------------------------------------

COMBINED_TABLES = (
    ("reasons", "anlass", "Anlass"),
    ("languages", "sprache", "Sprache"),
    ("needs", "anliegen", "Anliegen"),
    ("followup", "stand", "Stand"),
    ("satisfaction", "zufriedenheit", "Bewertung"),
)
ALL_SITES = "Alle Treffpunkte"


def site_status(site: dict, several: bool) -> str:
    """The coverage of one site as the combined report words it."""
    if site["status"] == "complete":
        return "alle Berichte liegen vor" if several else "Bericht liegt vor"
    if site["status"] == "partial":
        return "kein Bericht für " + ", ".join(site["missing_labels"])
    return "kein Bericht"


def combined_tables(combined: dict) -> list[Table]:
    """The combined report's tables as it prints them: key figures, the sites compared, each
    table, and the trend where it spans several periods."""
    several = combined["period"].get("count", 1) > 1
    figures = [["Kennzahl", ALL_SITES]]
    figures += [[figure_label(f), text(f["cell"])] for f in combined["key_figures"]]
    tables = [Table("kennzahlen", "Kennzahlen", figures)]
    sites = [["Treffpunkt", "Berichte", *(f["label"] for f in combined["key_figures"])]]
    for site in combined["sites"]:
        sites.append(
            [site["name"], site_status(site, several), *(text(f["cell"]) for f in site["figures"])]
        )
    sites.append([ALL_SITES, "", *(text(f["cell"]) for f in combined["key_figures"])])
    tables.append(Table("treffpunkte", "Treffpunkte im Vergleich", sites))
    for key, part, label_header in COMBINED_TABLES:
        table = combined["tables"].get(key)
        if table:
            tables.append(Table(part, table["title"], combined_rows(table, label_header)))
    if several:
        tables.append(trend_table(combined["trend"]))
    return tables


def combined_rows(table: dict, label_header: str) -> list[list[str]]:
    offices = any(row.get("office") for row in table["rows"])

    def row(label: str, office: str, cell: str) -> list[str]:
        return [label, office, cell] if offices else [label, cell]

    rows = [row(label_header, "zuständig", ALL_SITES)]
    rows += [
        row(line["label"], line.get("office", ""), text(line["cell"])) for line in table["rows"]
    ]
    if table.get("total"):
        total = table["total"]
        rows.append(row(f"{total['label']} zusammen", "", text(total["cell"])))
    return rows


def combined_prefix(combined: dict) -> str:
    return file_prefix("gesamt", combined["period"]["key"])


def combined_files(combined: dict) -> list[dict]:
    """What the combined report's PDF carries: the combined summary and its tables."""
    what = f"Gesamtbericht, {combined['period']['label']}"
    return embedded_files(combined_prefix(combined), combined, combined_tables(combined), what)


def combined_csv(combined: dict) -> str:
    """The combined numbers as one CSV for the hub's download."""
    return stacked_csv(combined_tables(combined))

"""Reports carry their numbers: the JSON summary and a CSV per table embedded in the PDF/A-3u as
associated files, read back with poppler's pdfdetach; the hub's combined numbers as CSV.

The site report is October 2026 with known small cells: visits for advice 1 (printed "<3") and
German 4 (hidden as "•" so that the 1 cannot be worked back), two intakes naming health ("<3").
"""

import csv
import hashlib
import io
import json
import subprocess
import uuid
from datetime import UTC, date, datetime, time

import pypdf
import pytest

from kiosk import create_app
from kiosk.cli.reports import report_group
from kiosk.clock import TIMEZONE
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.hub.combined import town_summary
from kiosk.hub.receive import store_report
from kiosk.hub.tokens import add_site
from kiosk.models import AuditEvent, HubSite, Site
from kiosk.reports.periods import parse_period
from kiosk.reports.summary import build_summary

from factories import add_office, add_submission, add_user
from server import log_in

BOM = b"\xef\xbb\xbf"
DASH = "\N{EN DASH}"
FORMULA_OFFICE = '=HYPERLINK("http://example.org","Amt")'
SITE_FILES = [
    f"mittendrin-2026-10-{part}"
    for part in (
        "anlass.csv",
        "anliegen.csv",
        "formulare.csv",
        "kennzahlen.csv",
        "sprache.csv",
        "stand.csv",
        "verlauf.csv",
        "zufriedenheit.csv",
        "zusammenfassung.json",
    )
]
# The site's tables: (summary key, file part); the forms table sits beside "tables".
TABLE_FILES = [
    ("reasons", "anlass"),
    ("languages", "sprache"),
    ("needs", "anliegen"),
    ("followup", "stand"),
    ("satisfaction", "zufriedenheit"),
    ("forms", "formulare"),
]


def local(day: date, hour: int = 11) -> datetime:
    return datetime.combine(day, time(hour), TIMEZONE).astimezone(UTC).replace(tzinfo=None)


def fill_october(app, site=None):
    """Visits 1 / 4 / 50 / 60 by reason, September for comparison, ratings and intakes."""
    for reason, count in {"advice": 1, "german": 4, "meet": 50, "papers": 60}.items():
        for _ in range(count):
            add_submission(app, "visit", {"reason": reason}, local(date(2026, 10, 7)), site=site)
    for reason, count in {"german": 2, "meet": 40, "papers": 30}.items():
        for _ in range(count):
            add_submission(app, "visit", {"reason": reason}, local(date(2026, 9, 9)), site=site)
    for rating, count in {3: 3, 4: 14, 5: 25}.items():
        for _ in range(count):
            answers = {"today": str(rating), "helped": ["people"], "come_again": "yes"}
            add_submission(app, "feedback", answers, local(date(2026, 10, 8)), site=site)
    for needs, count in ((["housing", "work"], 6), (["health"], 2)):
        for _ in range(count):
            answers = {"consent": "yes", "languages": ["de"], "needs": needs}
            answers["contact_way"] = "none"
            add_submission(app, "intake", answers, local(date(2026, 10, 12)), site=site)


@pytest.fixture(scope="module")
def site_report(tmp_path_factory):
    """October's site report, built through the CLI: (record, PDF path)."""
    instance = tmp_path_factory.mktemp("numbers") / "instance"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_INSTANCE_PATH", str(instance))
        app = create_app({"SECRET_KEY": "test-secret", "TESTING": True})
        prepare_database(app)
        with app.app_context(), db.connection_context():
            fill_october(app)
            add_office(FORMULA_OFFICE, ["housing"], key="formel")
        result = app.test_cli_runner().invoke(report_group, ["build", "--period", "2026-10"])
        assert result.exit_code == 0, result.output
        pdf_path = result.output.strip().splitlines()[-1]
        with open(pdf_path.removesuffix(".pdf") + ".json", encoding="utf-8") as record:
            yield json.load(record), pdf_path


def detach(pdf_path: str, folder) -> dict[str, bytes]:
    """Every embedded file, saved by `pdfdetach -saveall`: {name: bytes}."""
    folder.mkdir(exist_ok=True)
    subprocess.run(["pdfdetach", "-saveall", "-o", str(folder), pdf_path], check=True)
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def listed(pdf_path: str) -> list[str]:
    """The names `pdfdetach -list` prints ("9 embedded files", then "1: name", …)."""
    out = subprocess.run(
        ["pdfdetach", "-list", pdf_path], check=True, capture_output=True, text=True
    ).stdout
    return [line.split(": ", 1)[1] for line in out.splitlines()[1:]]


def csv_rows(data: bytes) -> list[list[str]]:
    """A CSV of the German Excel dialect, checked and parsed: BOM, CRLF, semicolons."""
    assert data.startswith(BOM)
    text = data[len(BOM) :].decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def by_label(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in rows[1:] if row}


@pytest.fixture(scope="module")
def site_files(site_report, tmp_path_factory):
    return detach(site_report[1], tmp_path_factory.mktemp("detached"))


def test_pdfdetach_lists_the_summary_and_a_csv_per_table(site_report):
    assert listed(site_report[1]) == SITE_FILES


def test_the_embedded_json_is_the_summary_exactly(site_report, site_files):
    record, _ = site_report
    embedded = json.loads(site_files["mittendrin-2026-10-zusammenfassung.json"])
    assert embedded == record["summary"]


def test_each_csv_holds_the_printed_cells_of_its_table(site_report, site_files):
    summary = site_report[0]["summary"]
    for key, part in TABLE_FILES:
        table = summary["forms"] if key == "forms" else summary["tables"][key]
        rows = csv_rows(site_files[f"mittendrin-2026-10-{part}.csv"])
        header = rows[0]
        assert header[header.index("Anzahl") + 1] == "Vormonat", part
        lines = table["rows"] + ([table["total"]] if table.get("total") else [])
        labels = [line["label"] for line in table["rows"]]
        if table.get("total"):
            labels.append(f"{table['total']['label']} zusammen")
        assert [row[0] for row in rows[1:]] == labels, part
        count = header.index("Anzahl")
        for row, line in zip(rows[1:], lines, strict=True):
            assert row[count : count + 2] == [line["current"]["text"], line["previous"]["text"]]
    reasons = by_label(csv_rows(site_files["mittendrin-2026-10-anlass.csv"]))
    assert reasons["Beratung"] == ["<3", "0"]
    assert reasons["Deutsch lernen"] == ["•", "<3"]
    assert reasons["Menschen treffen"] == ["50", "40"]
    assert reasons["Besuche zusammen"] == ["115", "72"]
    figures = by_label(csv_rows(site_files["mittendrin-2026-10-kennzahlen.csv"]))
    mean = summary["tables"]["satisfaction"]["mean"]["current"]["text"]
    assert figures["Zufriedenheit (von 5)"][0] == mean and "," in mean  # decimal comma
    trend = csv_rows(site_files["mittendrin-2026-10-verlauf.csv"])
    assert trend[0] == ["Zeitraum", "Durchschnitt"]
    assert trend[-1] == ["Oktober 2026", mean] and trend[-2] == ["September 2026", DASH]


def test_office_names_are_disarmed_and_need_states_are_printed_cells(site_files):
    rows = csv_rows(site_files["mittendrin-2026-10-anliegen.csv"])
    assert rows[0] == ["Anliegen", "zuständig", "Anzahl", "Vormonat", "weitergegeben", "erledigt"]
    needs = by_label(rows)
    assert needs["Wohnung"][0] == "'" + FORMULA_OFFICE  # a formula-like cell, neutralised
    assert needs["Gesundheit"][1:] == ["<3", "0", DASH, DASH]  # 2 intakes: small, states withheld


def test_no_suppressed_count_is_in_any_embedded_file(site_files):
    """The true small counts (advice 1, German 4 hidden by "•", health 2) are in no cell: each
    is printed as the report prints it, and the JSON holds no value for it."""
    reasons = by_label(csv_rows(site_files["mittendrin-2026-10-anlass.csv"]))
    needs = by_label(csv_rows(site_files["mittendrin-2026-10-anliegen.csv"]))
    assert reasons["Beratung"] == ["<3", "0"]
    assert reasons["Deutsch lernen"] == ["•", "<3"]  # September's 2 stays "<3" too
    assert needs["Gesundheit"][1:3] == ["<3", "0"]
    embedded = json.loads(site_files["mittendrin-2026-10-zusammenfassung.json"])
    for key, value, printed in (
        ("reasons", "advice", "<3"),
        ("reasons", "german", "•"),
        ("needs", "health", "<3"),
    ):
        row = next(r for r in embedded["tables"][key]["rows"] if r["value"] == value)
        assert row["current"] == {"value": None, "text": printed, "kind": row["current"]["kind"]}
        assert row["change"] is None
    hidden = list(hidden_cells(embedded))
    assert len(hidden) >= 3 and all(cell["value"] is None for cell in hidden)


def hidden_cells(data):
    """Every cell anywhere in a summary printed as "<k", "•", "mind. N" or a dash."""
    if isinstance(data, dict):
        if data.get("kind") in ("small", "hidden", "withheld", "at_least", "unknown"):
            yield data
        for value in data.values():
            yield from hidden_cells(value)
    elif isinstance(data, list):
        for value in data:
            yield from hidden_cells(value)


def associated_files(pdf: pypdf.PdfReader) -> dict[str, tuple[str, str]]:
    """{name: (/AFRelationship, MIME type)} of the catalog's /AF array; no entry twice."""
    entries = pdf.trailer["/Root"]["/AF"]
    references = [entry.idnum for entry in entries]
    assert len(references) == len(set(references))
    found = {}
    for entry in entries:
        spec = entry.get_object()
        stream = spec["/EF"]["/F"].get_object()
        assert spec["/UF"] == spec["/F"] and "/ModDate" in stream["/Params"]
        found[str(spec["/F"])] = (str(spec["/AFRelationship"]), str(stream["/Subtype"]))
    return found


def test_the_files_are_associated_and_the_pdf_stays_archival_and_tagged(site_report):
    reader = pypdf.PdfReader(site_report[1])
    found = associated_files(reader)
    assert sorted(found) == SITE_FILES
    for name, (relationship, mime) in found.items():
        if name.endswith(".json"):
            assert (relationship, mime) == ("/Source", "/application/json")
        else:
            assert (relationship, mime) == ("/Data", "/text/csv")
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root  # tagged
    xmp = reader.xmp_metadata.rdf_root.toxml()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="U"' in xmp


# --- The hub: the combined report's files and its CSV download ----------------------------------


@pytest.fixture(scope="module")
def site_records(tmp_path_factory):
    """Real October summaries of Nord (the small cells above) and Süd (nothing small)."""
    instance = tmp_path_factory.mktemp("sites") / "instance"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_INSTANCE_PATH", str(instance))
        app = create_app({"SECRET_KEY": "test-secret", "TESTING": True})
        prepare_database(app)
        records = []
        with app.app_context(), db.connection_context():
            for slug, name in (("nord", "Treffpunkt Nord"), ("sued", "Treffpunkt Süd")):
                site = Site.create(slug=slug, name=name)
                fill_october(app, site)
                if slug == "sued":  # Süd's advice is 7 more: exact, no small cell at all
                    for _ in range(7):
                        visit = {"reason": "advice"}
                        add_submission(app, "visit", visit, local(date(2026, 10, 8)), site=site)
                summary = build_summary(site, parse_period("2026-10"), 3)
                pdf = b"%PDF-1.7\n% stand-in for " + slug.encode()
                records.append((record_of(summary, pdf), pdf))
        return records


def record_of(summary: dict, pdf: bytes) -> dict:
    return {
        "record_version": 1,
        "uuid": str(uuid.uuid4()),
        "site": summary["site"],
        "period": summary["period"],
        "created": "2026-11-02T06:00:00+00:00",
        "pdf": "2026-10.pdf",
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "pages": 4,
        "replaces": None,
        "summary": summary,
    }


@pytest.fixture
def hub_app(instance, site_records):
    app = create_app({"SECRET_KEY": "test-secret", "TESTING": True, "ROLE": "hub"})
    prepare_database(app)
    with app.app_context(), db.connection_context():
        for slug, name in (("nord", "Treffpunkt Nord"), ("sued", "Treffpunkt Süd")):
            add_site(slug, name)
        HubSite.update(created_at=datetime(2026, 9, 1)).execute()
        for report, pdf in site_records:
            store_report(HubSite.get(HubSite.slug == report["site"]["slug"]), report, pdf)
    add_user(app, "stadthaus", "coordinator")
    return app


@pytest.fixture
def staff(hub_app):
    return log_in(hub_app.test_client(), "stadthaus").client


def combined_of(hub_app) -> dict:
    with hub_app.app_context(), db.connection_context():
        return town_summary("2026-10")


def test_the_combined_pdf_carries_its_summary_and_tables(hub_app, staff, tmp_path):
    response = staff.get("/hub/bericht.pdf?von=2026-10")
    assert response.status_code == 200
    pdf_path = tmp_path / "Gesamtbericht.pdf"
    pdf_path.write_bytes(response.data)
    parts = ["anlass", "anliegen", "kennzahlen", "sprache", "stand", "treffpunkte", "zufriedenheit"]
    names = [f"gesamt-2026-10-{part}.csv" for part in parts] + [
        "gesamt-2026-10-zusammenfassung.json"
    ]
    assert listed(str(pdf_path)) == names  # one period: no trend printed, none embedded
    assert sorted(associated_files(pypdf.PdfReader(pdf_path))) == names
    files = detach(str(pdf_path), tmp_path / "detached")
    combined = combined_of(hub_app)
    assert json.loads(files["gesamt-2026-10-zusammenfassung.json"]) == combined
    assert all(cell["value"] is None for cell in hidden_cells(combined))
    reasons = by_label(csv_rows(files["gesamt-2026-10-anlass.csv"]))
    # Nord's advice "<3" and Süd's 8: at least 9, never the true 9 as an exact count
    assert reasons["Beratung"] == ["mind. 9"]
    assert reasons["Menschen treffen"] == ["100"]
    sites = csv_rows(files["gesamt-2026-10-treffpunkte.csv"])
    assert sites[0][:3] == ["Treffpunkt", "Berichte", "Besuche"]
    assert sites[1][:3] == ["Treffpunkt Nord", "Bericht liegt vor", "115"]


def test_the_hub_offers_the_combined_numbers_as_csv(hub_app, staff):
    page = staff.get("/hub/bericht?von=2026-10").get_data(as_text=True)
    assert "/hub/bericht.csv?von=2026-10" in page
    response = staff.get("/hub/bericht.csv?von=2026-10")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert "attachment" in disposition and "Gesamtbericht-2026-10.csv" in disposition
    rows = csv_rows(response.data)
    combined = combined_of(hub_app)
    blocks = split_blocks(rows)
    titles = [block[0][0] for block in blocks]
    assert titles == ["Kennzahlen", "Treffpunkte im Vergleich"] + [
        combined["tables"][key]["title"]
        for key in ("reasons", "languages", "needs", "followup", "satisfaction")
    ]
    reasons = blocks[2]
    assert reasons[1] == ["Anlass", "Alle Treffpunkte"]
    printed = [[row["label"], row["cell"]["text"]] for row in combined["tables"]["reasons"]["rows"]]
    total = combined["tables"]["reasons"]["total"]
    assert reasons[2:] == [*printed, [f"{total['label']} zusammen", total["cell"]["text"]]]
    assert ["Beratung", "mind. 9"] in reasons
    with hub_app.app_context(), db.connection_context():
        event = AuditEvent.select().where(AuditEvent.action == "hub_combined_report").get()
    assert event.target == "2026-10" and "CSV" in event.detail


def split_blocks(rows: list[list[str]]) -> list[list[list[str]]]:
    """The stacked tables of the hub's CSV: title, header and rows, then an empty line."""
    blocks, block = [], []
    for row in rows:
        if row:
            block.append(row)
        else:
            blocks.append(block)
            block = []
    assert block == []  # the last table ends with its empty line too
    return blocks


def test_the_csv_route_needs_a_login_and_explains_a_bad_period(hub_app, staff):
    anonymous = hub_app.test_client().get("/hub/bericht.csv?von=2026-10")
    assert anonymous.status_code in (302, 303) and "/review/login" in anonymous.location
    response = staff.get("/hub/bericht.csv?von=kaputt")
    assert response.status_code == 303
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Die Zahlen des Gesamtberichts konnten nicht erstellt werden" in page
    assert "Bitte einen Zeitraum wie 2026-10" in page

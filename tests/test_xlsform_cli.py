"""`kiosk forms import|export` (kiosk/cli/forms.py) through the app's CLI runner."""

from pathlib import Path

from kiosk.cli import COMMANDS
from kiosk.cli.forms import forms_group
from kiosk.extensions import db
from kiosk.formspec import read_xlsform
from kiosk.models.forms import PublishedForm
from tests.xlsform_support import SETTINGS, survey_xlsx

ARABIC_FORM = survey_xlsx(
    [
        ["type", "name", "label", "label::Arabic (ar)", "kiosk::geprüft::Arabic (ar)"],
        ["text", "bike", "Haben Sie ein Fahrrad?", "هل لديك دراجة؟", "ja"],
    ],
    settings=[
        [*SETTINGS[0], "kiosk::title::Arabic (ar)"],
        ["Fahrrad", "fahrrad", "Wir zählen Fahrräder.", 30, "دراجة"],
    ],
)


def write(tmp_path: Path, data: bytes, name="form.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def published(app) -> list[tuple]:
    with app.app_context(), db.connection_context():
        return [(row.slug, row.number, row.state) for row in PublishedForm.select()]


def test_the_forms_group_lives_in_its_own_module_and_is_registered():
    assert forms_group in COMMANDS
    assert set(forms_group.commands) == {"check", "import", "export"}


def test_import_check_reads_and_publishes_nothing(runner, app, tmp_path):
    result = runner.invoke(args=["forms", "import", str(write(tmp_path, ARABIC_FORM)), "--check"])
    assert result.exit_code == 0, result.output
    assert "ok: fahrrad „Fahrrad“, 1 Frage, Übersetzungen: ar 2." in result.output
    assert published(app) == []


def test_import_lists_every_problem_with_its_place_and_exits_1(runner, app, tmp_path):
    data = survey_xlsx(
        [["type", "name", "label"], ["decimal", "w", "Gewicht?"], ["geopoint", "where", "Wo?"]]
    )
    result = runner.invoke(args=["forms", "import", str(write(tmp_path, data))])
    assert result.exit_code == 1
    assert "Fehler: survey, Zeile 2, Spalte type: Kommazahlen" in result.output
    assert "Fehler: survey, Zeile 3, Spalte type: Standorte" in result.output
    assert "2 Problem(e), nichts übernommen." in result.output
    assert published(app) == []


def test_import_of_a_file_that_is_no_workbook(runner, tmp_path):
    result = runner.invoke(args=["forms", "import", str(write(tmp_path, b"PK nonsense"))])
    assert result.exit_code == 1 and "keine Excel-Datei" in result.output


def test_import_publishes_the_form_with_its_translations(runner, app, tmp_path):
    path = write(tmp_path, ARABIC_FORM)
    result = runner.invoke(args=["forms", "import", str(path), "--name", "rad"])
    assert result.exit_code == 0, result.output
    assert "Veröffentlicht: rad Version 1 (in Kraft)." in result.output
    assert published(app) == [("rad", 1, "active")]
    with app.app_context():
        assert app.extensions["kiosk_forms"]["rad"].title == "Fahrrad"
    # The same file again is the same version.
    again = runner.invoke(args=["forms", "import", str(path), "--name", "rad"])
    assert "Version 1" in again.output and published(app) == [("rad", 1, "active")]


def test_import_calls_publish_with_the_package(runner, app, tmp_path, monkeypatch):
    calls = []

    class Row:
        slug, number, state = "fahrrad", 7, "pending"

    def fake_publish(package, *, by, origin="upload"):
        calls.append((package, by, origin))
        return Row()

    monkeypatch.setattr("kiosk.publishing.publish", fake_publish)
    result = runner.invoke(args=["forms", "import", str(write(tmp_path, ARABIC_FORM))])
    assert result.exit_code == 0, result.output
    assert "Version 7 (wartet auf offene Antworten)" in result.output
    ((package, by, origin),) = calls
    assert (by, origin) == ("kiosk forms import", "upload")
    assert package == read_xlsform(ARABIC_FORM)


def test_export_writes_a_form_that_reads_back(runner, app, tmp_path):
    output = tmp_path / "intake.xlsx"
    result = runner.invoke(args=["forms", "export", "intake", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert f"XLSForm geschrieben: {output}" in result.output
    package = read_xlsform(output.read_bytes())
    with app.app_context():
        shipped = app.extensions["kiosk_forms"]["intake"]
    assert package.spec().version_hash == shipped.version_hash
    assert package.translations["ar"][shipped.title]  # the catalog's Arabic title


def test_export_of_an_imported_form_carries_its_translations_and_marks(runner, app, tmp_path):
    runner.invoke(args=["forms", "import", str(write(tmp_path, ARABIC_FORM))])
    output = tmp_path / "back.xlsx"
    result = runner.invoke(args=["forms", "export", "fahrrad", "-o", str(output)])
    assert result.exit_code == 0, result.output
    package = read_xlsform(output.read_bytes())
    assert package.translations["ar"]["Haben Sie ein Fahrrad?"] == "هل لديك دراجة؟"
    assert "Haben Sie ein Fahrrad?" in package.reviewed["ar"]


def test_export_of_an_unknown_form(runner, tmp_path):
    result = runner.invoke(args=["forms", "export", "nope", "--output", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 1
    assert "Das Formular „nope“ gibt es nicht (es gibt: intake, visit, feedback)." in result.output


def test_an_odk_xls_form_imports_with_the_settings_given_on_the_command_line(runner, app):
    ict = Path(__file__).parent / "data" / "xlsforms" / "pyxform" / "ict_survey_fails.xls"
    refused = runner.invoke(args=["forms", "import", str(ict), "--check"])
    assert refused.exit_code == 1
    assert "Spalte kiosk::purpose" in refused.output and "beim Hochladen" in refused.output
    given = ["--title", "Computer", "--purpose", "Wir fragen nach Computern.", "--retention-days"]
    result = runner.invoke(args=["forms", "import", str(ict), *given, "45"])
    assert result.exit_code == 0, result.output
    assert "ok: ict-survey-fails „Computer“, 1 Frage" in result.output
    assert published(app) == [("ict-survey-fails", 1, "active")]
    too_long = runner.invoke(args=["forms", "import", str(ict), *given, "0", "--check"])
    assert too_long.exit_code == 2 and "--retention-days" in too_long.output

"""`kiosk forms check|import|export`: the form definitions, and forms as XLSForm files."""

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import prepare_database
from ..extensions import db
from ..files import write_atomically
from ..formspec import XLSFormError, read_xlsform, write_xlsform

IMPORTED_BY = "kiosk forms import"


@click.group("forms")
def forms_group():
    """Form definitions: forms/*.toml, and forms as XLSForm (Excel, Kobo, ODK)."""


@forms_group.command("check")
@with_appcontext
def forms_check_command():
    """Check every form definition; exit 1 and name file and field on any problem."""
    from ..formspec import check_forms, load_forms

    problems = check_forms(current_app.config["FORMS_DIR"])
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        sys.exit(1)
    for spec in load_forms(current_app.config["FORMS_DIR"]).values():
        click.echo(f"ok: {spec.slug} (version {spec.version_hash}, {len(spec.fields)} fields)")


@forms_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="The form's short name (slug), instead of form_id in settings.")
@click.option("--title", help="The form's German title, instead of form_title in settings.")
@click.option(
    "--purpose",
    help="What the answers are for and who sees them (German, shown at consent), instead of "
    "kiosk::purpose in settings.",
)
@click.option(
    "--retention-days",
    type=click.IntRange(1, 3650),
    help="Days after which personal answers are deleted, instead of kiosk::retention_days.",
)
@click.option("--check", "check_only", is_flag=True, help="Only check the file; publish nothing.")
@with_appcontext
def forms_import_command(file, name, title, purpose, retention_days, check_only):
    """Read the XLSForm FILE (.xlsx or .xls), check it and publish it as the form's next version.

    A form from elsewhere (Kobo, ODK) without the kiosk's settings gets them from --title,
    --purpose and --retention-days. Every problem is listed with its sheet, row and column;
    nothing is published then (exit 1).
    """
    given = {"title": title, "purpose": purpose, "retention_days": retention_days}
    try:
        package = read_xlsform(file.read_bytes(), name=name, given=given, filename=file.name)
    except XLSFormError as error:
        for problem in error.problems:
            click.echo(f"Fehler: {problem}", err=True)
        click.echo(f"{file.name}: {len(error.problems)} Problem(e), nichts übernommen.", err=True)
        sys.exit(1)
    spec = package.spec()
    languages = ", ".join(
        f"{lang} {len(texts)}" for lang, texts in sorted(package.translations.items())
    )
    questions = f"{len(spec.fields)} {'Frage' if len(spec.fields) == 1 else 'Fragen'}"
    click.echo(
        f"ok: {spec.slug} „{spec.title}“, {questions}, Übersetzungen: {languages or 'keine'}."
    )
    if check_only:
        return
    from ..publishing import PublishError, publish

    prepare_database(current_app._get_current_object())
    with db.connection_context():
        try:
            row = publish(package, by=IMPORTED_BY, origin="upload")
        except PublishError as error:
            click.echo(f"Fehler: {error}", err=True)
            sys.exit(1)
    state = "in Kraft" if row.state == "active" else "wartet auf offene Antworten"
    click.echo(f"Veröffentlicht: {row.slug} Version {row.number} ({state}).")


@forms_group.command("export")
@click.argument("name")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .xlsx file to write.",
)
@with_appcontext
def forms_export_command(name, output):
    """Write the form NAME (as in force on this kiosk) as XLSForm with all its translations."""
    forms = current_app.extensions["kiosk_forms"]
    spec = forms.get(name)
    if spec is None:
        known = ", ".join(forms) or "keine"
        click.echo(f"Fehler: Das Formular „{name}“ gibt es nicht (es gibt: {known}).", err=True)
        sys.exit(1)
    translations, reviewed = form_translations(spec)
    try:
        write_atomically(os.fspath(output), write_xlsform(spec, translations, reviewed))
    except OSError as error:
        click.echo(f"Fehler: {output} nicht geschrieben ({error.strerror}).", err=True)
        sys.exit(1)
    languages = ", ".join(["de", *sorted(lang for lang, texts in translations.items() if texts)])
    click.echo(f"XLSForm geschrieben: {output} ({spec.slug}, Sprachen: {languages}).")


def form_translations(spec) -> tuple[dict, dict]:
    """What visitors read of `spec` in each language, and which of it is checked ("geprüft")."""
    from ..publishing import form_translations as published_translations

    prepare_database(current_app._get_current_object())
    with db.connection_context():
        return published_translations(spec)

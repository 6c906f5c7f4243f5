"""`kiosk directory export|import`: the directory as a JSON file (docs/directory.md)."""

import json
import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..directory.schema import DirectoryError
from ..directory.transfer import export_document, import_document, read_document
from ..extensions import db
from ..files import write_atomically

IMPORT_AUTHOR = "Import (kiosk directory import)"


@click.group("directory")
def directory_group():
    """The directory of offices and services (Wegweiser) as JSON."""


@directory_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Also the hub's entries and the shipped help lines (per key the one in force).",
)
@with_appcontext
def export_command(file, everything):
    """Write this Treffpunkt's entries and events to FILE ("-": standard output)."""
    from ..review.auth import audit

    origins = ("local", "hub", "builtin") if everything else ("local",)
    with db.connection_context():
        document = export_document(origins=origins)
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if file == "-":
            click.echo(text, nl=False)
        else:
            try:
                write_atomically(file, text.encode("utf-8"))
            except OSError as error:
                click.echo(f"Nicht exportiert: {file} ({error.strerror}).", err=True)
                sys.exit(1)
        counts = f"{len(document['entries'])} Einträge, {len(document['events'])} Termine"
        detail = counts + (", mit Hub und mitgelieferten Einträgen" if everything else "")
        audit("directory_export", shown_name(file), detail, user_name="cli")
    if file != "-":
        click.echo(f"Wegweiser geschrieben: {file} ({counts}).")


@directory_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def import_command(file):
    """Check FILE ("-": standard input) and take its entries and events over as this
    Treffpunkt's own; on any problem nothing changes and the exit status is 1."""
    from ..review.auth import audit

    try:
        data = sys.stdin.buffer.read() if file == "-" else read_file(file)
        document = read_document(data, current_app.config["DIRECTORY_MAX_BYTES"])
        with db.connection_context():
            created, updated = import_document(document, IMPORT_AUTHOR)
            audit("directory_import", shown_name(file), f"{created} neu, {updated} geändert", "cli")
    except DirectoryError as error:
        click.echo(f"Nicht importiert, nichts geändert: {error.message}", err=True)
        sys.exit(1)
    unchanged = len(document["entries"]) + len(document.get("events", [])) - created - updated
    click.echo(
        f"Wegweiser übernommen aus {file}: {created} neu, {updated} geändert, {unchanged} "
        "unverändert (Einträge und Termine)."
    )


def read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as source:
            return source.read(current_app.config["DIRECTORY_MAX_BYTES"] + 1)
    except OSError as error:
        raise DirectoryError(
            f"Die Datei {path} lässt sich nicht lesen ({error.strerror})."
        ) from None


def shown_name(file: str) -> str:
    return "Standardausgabe/-eingabe" if file == "-" else os.path.basename(file)

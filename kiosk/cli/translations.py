"""`kiosk translations …`: extract, update, compile, check and export the gettext catalogs."""

import contextlib
import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..config import PROJECT_ROOT
from ..files import write_atomically
from ..i18n import TRANSLATIONS_DIR

POT_FILE = os.path.join(TRANSLATIONS_DIR, "messages.pot")


def pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", *args])


@click.group("translations")
def translations_group():
    """Gettext catalogs of the interface and the form texts."""


@translations_group.command("extract")
def translations_extract():
    """Collect every German source text (code, templates, forms) into messages.pot."""
    os.makedirs(TRANSLATIONS_DIR, exist_ok=True)
    extract_to(POT_FILE)
    click.echo(f"Wrote {POT_FILE}")


def extract_to(path: str) -> None:
    path = os.path.abspath(path)
    # From the project folder, so the catalogs name files by relative paths on every machine.
    with contextlib.chdir(PROJECT_ROOT):
        pybabel(
            "extract",
            "-F",
            os.path.join(PROJECT_ROOT, "babel.cfg"),
            "-k",
            "_l",
            "--sort-by-file",
            "--no-wrap",
            "--project=Mittendrin",
            "--copyright-holder=Mittendrin",
            "-o",
            path,
            ".",  # babel.cfg's patterns are relative to it; hidden folders are skipped
        )


@translations_group.command("update")
def translations_update():
    """Merge messages.pot into every language's catalog."""
    # --no-wrap keeps each catalog's one-line "# Review: …" status intact.
    pybabel("update", "-i", POT_FILE, "-d", TRANSLATIONS_DIR, "--no-fuzzy-matching", "--no-wrap")


@translations_group.command("compile")
def translations_compile():
    """Compile every catalog into the .mo file the app reads."""
    pybabel("compile", "-d", TRANSLATIONS_DIR, "--statistics")


@translations_group.command("check")
@with_appcontext
def translations_check():
    """Print each language's coverage and the share the Sprachpaten checked on this kiosk; fail
    when a visitor language misses a string."""
    import tempfile

    from ..i18n.catalogs import catalog_report, read_catalog, source_ids

    with tempfile.TemporaryDirectory() as scratch:
        fresh = os.path.join(scratch, "messages.pot")
        extract_to(fresh)
        stale = set(source_ids(read_catalog(fresh))) != set(source_ids(read_catalog(POT_FILE)))
        report = catalog_report(fresh)
    reviewed = reviewed_shares([status.code for status in report])
    click.echo(f"{'language':<10}{'coverage':>10}{'reviewed':>10}  {'missing':>7}  review")
    for status in report:
        share = reviewed.get(status.code)
        shown = "-" if share is None else f"{share:.1%}"
        click.echo(
            f"{status.code:<10}{status.coverage:>10.1%}{shown:>10}  {len(status.missing):>7}"
            f"  {status.review}"
        )
        for text in status.missing[:5] + status.broken[:5]:
            click.echo(
                f"    {'placeholders differ' if text in status.broken else 'missing'}: {text!r}"
            )
    if stale:
        click.echo("messages.pot is out of date: run `make translations`.", err=True)
    if stale or not all(status.complete for status in report):
        sys.exit(1)


def reviewed_shares(codes: list[str]) -> dict[str, float]:
    """The share of each language's texts the Sprachpaten checked or corrected on this kiosk
    (kiosk/review/sprachpaten.py); nothing without a migrated database (none is made here)."""
    from peewee import SqliteDatabase

    from ..extensions import db
    from ..i18n.catalog_texts import catalog_folder
    from ..models.sprachpaten import TranslationOverride
    from ..review.sprachpaten import rows_of

    database = db.obj
    if isinstance(database, SqliteDatabase) and not os.path.exists(database.database):
        return {}
    folder = catalog_folder(current_app.config)
    with db.connection_context():
        if not TranslationOverride.table_exists():
            return {}
        shares = {}
        for code in codes:
            rows = rows_of(folder, code)
            shares[code] = sum(row.reviewed for row in rows) / len(rows) if rows else 1.0
        return shares


@translations_group.command("export")
@click.argument("lang")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Where to write the PO file (default: standard output).",
)
@with_appcontext
def translations_export(lang, output):
    """Write LANG's catalog with this kiosk's corrections and the review state of each text
    (translator comments), for the project's catalogs."""
    from ..db import prepare_database
    from ..extensions import db
    from ..i18n.catalog_texts import catalog_folder, has_catalog
    from ..i18n.export import exported_catalog
    from ..review.auth import audit

    folder = catalog_folder(current_app.config)
    if not has_catalog(folder, lang):
        raise click.ClickException(f"Für „{lang}“ gibt es keinen Katalog in {folder}.")
    prepare_database(current_app._get_current_object())
    with db.connection_context():
        data, counts = exported_catalog(folder, lang)
        if output == "-":
            click.echo(data.decode("utf-8"), nl=False)
        else:
            try:
                write_atomically(output, data)
            except OSError as error:
                raise click.ClickException(
                    f"Nicht geschrieben: {output} ({error.strerror})."
                ) from None
        audit("translations_export", lang, counts, user_name="cli")
    if output != "-":
        click.echo(f"Katalog {lang} geschrieben: {output} ({counts}).", err=True)

"""`kiosk translations …`: extract, update, compile and check the gettext catalogs."""

import contextlib
import os
import sys

import click

from ..config import PROJECT_ROOT
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
def translations_check():
    """Print each language's coverage; fail when a visitor language misses a string."""
    import tempfile

    from ..i18n.catalogs import catalog_report, read_catalog, source_ids

    with tempfile.TemporaryDirectory() as scratch:
        fresh = os.path.join(scratch, "messages.pot")
        extract_to(fresh)
        stale = set(source_ids(read_catalog(fresh))) != set(source_ids(read_catalog(POT_FILE)))
        report = catalog_report(fresh)
    click.echo(f"{'language':<10}{'coverage':>10}  {'missing':>7}  review")
    for status in report:
        click.echo(
            f"{status.code:<10}{status.coverage:>10.1%}  {len(status.missing):>7}  {status.review}"
        )
        for text in status.missing[:5] + status.broken[:5]:
            click.echo(
                f"    {'placeholders differ' if text in status.broken else 'missing'}: {text!r}"
            )
    if stale:
        click.echo("messages.pot is out of date: run `make translations`.", err=True)
    if stale or not all(status.complete for status in report):
        sys.exit(1)

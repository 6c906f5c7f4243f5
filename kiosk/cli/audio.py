"""`kiosk audio …`: recordings that read the visitor's texts aloud (German output).

Volunteers record a text in their language and name the file by the text's hash, which
`kiosk audio hashes --lang LANG` prints for every visitor text; `kiosk audio import DIR` copies
such files into the instance folder (kiosk/visitor/audio.py), `kiosk audio list` shows which
texts have one. An imported recording is approved as it is; one of a current text is noted in
the database too (kiosk/visitor/takes.py), so the recording page names it and asks for a new
recording once the text's words change. The recording page (kiosk/views/recordings.py) is the
other way to make recordings, in the browser.
"""

import csv
import io
import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..i18n import LANGUAGES, offered_languages
from ..review.auth import audit
from ..visitor.audio import (
    FILE_NAME,
    MAX_BYTES,
    find_recording,
    lookup_languages,
    recordings,
    store_recording,
    visitor_texts,
)
from ..visitor.takes import Wording, note_import

LABELS = {
    "imported": "importiert",
    "replaced": "ersetzt",
    "skipped": "übersprungen",
    "refused": "abgelehnt",
}


@click.group("audio")
def audio_group():
    """Recordings that read the visitor's texts aloud."""


def checked_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise click.UsageError(
            f"Unbekannte Sprache {lang!r}; bekannt sind: {', '.join(LANGUAGES)}."
        )
    return lang


def shortened(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def read_limited(path: str) -> bytes:
    """At most one byte more than a recording may have: enough to refuse a larger file."""
    with open(path, "rb") as source:
        return source.read(MAX_BYTES + 1)


def entries(folder: str) -> list[os.DirEntry]:
    with os.scandir(folder) as found:
        return sorted(found, key=lambda entry: entry.name)


def candidates(directory: str, lang: str | None):
    """(shown name, language, path, outcome, why) of each entry to import, skip or refuse.

    With `lang`: the files directly in `directory`. Without: the files in its language folders.
    A file to import has the outcome None.
    """
    for entry in entries(directory):
        if entry.name.startswith("."):
            yield entry.name, None, None, "skipped", "Versteckte Datei"
        elif lang is not None:
            if entry.is_dir():
                why = "Ordner (mit --lang nur Dateien direkt in DIR)"
                yield entry.name, None, None, "skipped", why
            else:
                yield entry.name, lang, entry.path, None, ""
        elif not entry.is_dir():
            why = "Liegt in keinem Sprachordner (DIR/<sprache>/ oder --lang angeben)"
            yield entry.name, None, None, "refused", why
        elif entry.name not in LANGUAGES:
            why = f"Der Ordnername ist kein Sprachcode ({', '.join(LANGUAGES)})"
            yield entry.name, None, None, "refused", why
        else:
            for inner in entries(entry.path):
                shown = f"{entry.name}/{inner.name}"
                if inner.name.startswith("."):
                    yield shown, None, None, "skipped", "Versteckte Datei"
                elif inner.is_dir():
                    yield shown, None, None, "skipped", "Ordner in einem Sprachordner"
                else:
                    yield shown, entry.name, inner.path, None, ""


class Importer:
    """Stores one file after another and says, for each, what became of it."""

    def __init__(self, app):
        self.app = app
        self.texts: dict[str, dict] = {}  # per language: hash -> VisitorText
        self.seen: set[tuple[str, str]] = set()

    def text_of(self, lang: str, hash_: str):
        """The current visitor text with this hash (a VisitorText), or None."""
        if lang not in self.texts:
            forms = self.app.extensions["kiosk_forms"].values()
            self.texts[lang] = {text.hash: text for text in visitor_texts(forms, lang)}
        return self.texts[lang].get(hash_)

    def store(self, lang: str, path: str) -> tuple[str, str]:
        name = os.path.basename(path).lower()  # "ABC….OGG" from a camera or Windows
        match = FILE_NAME.match(name)
        if match and (lang, match["hash"]) in self.seen:
            return "refused", "Zweite Aufnahme für denselben Text in diesem Import"
        outcome, why = store_recording(self.app, lang, name, read_limited(path))
        if outcome == "refused":
            return outcome, why
        self.seen.add((lang, match["hash"]))
        text = self.text_of(lang, match["hash"])
        if text and outcome != "skipped":
            wording = Wording(text.hash, text.source, text.text)
            note_import(lang, wording, match["ext"], os.path.getsize(path))
        said = f"„{shortened(text.text)}“" if text else "zu keinem aktuellen Text dieser Sprache"
        return outcome, "; ".join(filter(None, (why, said)))


@audio_group.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--lang", help="The language of every file directly in DIR.")
@with_appcontext
def audio_import(directory, lang):
    """Copy recordings named <hash>.<ext> from DIR/<lang>/ (or DIR with --lang) into the kiosk."""
    app = current_app._get_current_object()
    importer = Importer(app)
    counts = dict.fromkeys(LABELS, 0)
    with db.connection_context():
        for shown, file_lang, path, outcome, why in candidates(
            directory, checked_language(lang) if lang else None
        ):
            if outcome is None:
                outcome, why = importer.store(file_lang, path)
            counts[outcome] += 1
            click.echo(f"{LABELS[outcome]:<13} {shown}" + (f": {why}" if why else ""))
        if counts["imported"] or counts["replaced"]:
            done = f"{counts['imported']} importiert, {counts['replaced']} ersetzt"
            audit("recording_imported", "", done, user_name="cli")
    recordings(app).refresh()
    click.echo(
        f"Importiert: {counts['imported']}, ersetzt: {counts['replaced']}, "
        f"übersprungen: {counts['skipped']}, abgelehnt: {counts['refused']}."
    )
    if counts["refused"]:
        sys.exit(1)


def write_csv(rows) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    click.echo(buffer.getvalue(), nl=False)


@audio_group.command("list")
@click.option("--lang", help="Only this language (default: every language the kiosk offers).")
@with_appcontext
def audio_list(lang):
    """Print (CSV) the visitor texts that have a recording, and recordings of no current text."""
    codes = (
        [checked_language(lang)]
        if lang
        else [language.code for language in offered_languages(current_app.config)]
    )
    forms = current_app.extensions["kiosk_forms"].values()
    rows, used, summary = [["sprache", "hash", "text", "datei"]], set(), []
    for code in codes:
        texts = visitor_texts(forms, code)
        with_recording = 0
        for text in texts:
            found = find_recording(code, text.hash)
            if found:
                with_recording += 1
                used.add((found.lang, found.hash))
                rows.append([code, text.hash, text.text, os.path.basename(found.path)])
        summary.append(f"{code}: {with_recording} von {len(texts)} Texten haben eine Aufnahme")
    folders = {folder for code in codes for folder in lookup_languages(code)}
    orphans = [
        found
        for found in recordings().all()
        if found.lang in folders and (found.lang, found.hash) not in used
    ]
    rows += [[r.lang, r.hash, "", os.path.basename(r.path)] for r in orphans]
    write_csv(rows)
    for line in summary:
        click.echo(line, err=True)
    if orphans:
        click.echo(
            f"{len(orphans)} Aufnahme(n) gehören zu keinem aktuellen Text (Spalte text leer).",
            err=True,
        )


@audio_group.command("hashes")
@click.option("--lang", required=True, help="The language whose texts to print.")
@with_appcontext
def audio_hashes(lang):
    """Print (CSV) every visitor text of a language with its hash: the recordings' file names."""
    code = checked_language(lang)
    rows = [["hash", "text", "deutsch", "aufnahme"]]
    for text in visitor_texts(current_app.extensions["kiosk_forms"].values(), code):
        found = find_recording(code, text.hash)
        rows.append([text.hash, text.text, text.source, "ja" if found else "nein"])
    write_csv(rows)

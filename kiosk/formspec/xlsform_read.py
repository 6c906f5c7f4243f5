"""Reading an XLSForm (Excel, Kobo, ODK) into a FormPackage: our form file and its translations.

Every problem is collected, each with its sheet, row and column and a German sentence saying what
to change; nothing the kiosk cannot do is dropped silently. The supported columns and the
kiosk's own `kiosk::…` columns are described in the README ("Formulare als XLSForm").
"""

import re
from pathlib import PurePath

from .checks import SLUG_PATTERN
from .package import FormPackage
from .toml_reader import TomlFormReader
from .toml_writer import data_to_toml
from .xlsform_columns import CHECKER_MESSAGES, known_column, unknown_column
from .xlsform_common import (
    LANGUAGE_COLUMNS,
    REVIEWED,
    SOURCE_LANGUAGE,
    XLSFormError,
    XLSFormProblem,
    language_code,
    parse_heading,
)
from .xlsform_fields import icon_name, icon_problem
from .xlsform_sheets import Row, Workbook, localise, read_workbook
from .xlsform_survey import SurveyReader

ALL_LANGUAGES = ", ".join(LANGUAGE_COLUMNS.values())
# Settings a coordinator may give at the upload (or `kiosk forms import --title ...`) for a form
# from elsewhere, e.g. Kobo or ODK, whose file has no kiosk columns; a given value wins over
# the file's.
GIVEN_HEADINGS = {
    "title": "form_title",
    "purpose": "kiosk::purpose::German (de)",
    "retention_days": "kiosk::retention_days",
}
OR_GIVEN = "oder geben Sie ihn beim Hochladen an"
REFERENCE_TEXT = (
    "Verweise auf Antworten wie ${frage} setzt der Kiosk nicht in Texte ein. Schreiben Sie den "
    "Text ohne Verweis."
)


class XLSFormReader(SurveyReader):
    def __init__(
        self,
        data: bytes,
        name: str | None = None,
        given: dict | None = None,
        filename: str | None = None,
    ):
        self.data, self.name, self.filename = data, name, filename
        self.given = {key: value for key, value in (given or {}).items() if value}
        self.problems: list[XLSFormProblem] = []
        self.translations: dict[str, dict[str, tuple[str, int, str]]] = {}
        self.reviewed: dict[str, set[str]] = {}
        self.field_rows: dict[str, int] = {}
        self.has_german = True

    def problem(self, where: Row | str, column: str | None, message: str) -> None:
        if isinstance(where, Row):
            self.problems.append(XLSFormProblem(where.sheet, where.number, column, message))
        else:
            self.problems.append(XLSFormProblem(where, None, column, message))

    def read(self) -> FormPackage:
        workbook = read_workbook(self.data, self.problems)
        if workbook is None:
            raise XLSFormError(self.problems)
        if "survey" not in workbook.sheets:
            self.problem(
                "survey", None, "Das Blatt survey fehlt. Die Fragen stehen im Blatt survey."
            )
        settings = (workbook.sheets.get("settings") or [None])[0]
        localise(workbook, self._default_language(settings))
        settings = self._with_given(settings)
        self._check_columns(workbook)
        self._check_german(workbook)
        lists = self.choice_lists(workbook.sheets.get("choices", []))
        fields = self.fields(workbook.sheets.get("survey", []), lists)
        data = {**self._settings(settings), "fields": fields}
        slug = self._slug(settings)
        source = data_to_toml(data)
        if not self.problems:
            self._check(slug, source)
        if self.problems:
            raise XLSFormError(self.problems)
        package = FormPackage(slug, source)
        own_texts = {text for text, _ in package.spec().texts()}
        return FormPackage(
            slug,
            source,
            translations={
                lang: {msgid: found[0] for msgid, found in texts.items() if msgid in own_texts}
                for lang, texts in self.translations.items()
                if any(msgid in own_texts for msgid in texts)
            },
            reviewed={
                lang: sorted(msgids & own_texts)
                for lang, msgids in self.reviewed.items()
                if msgids & own_texts
            },
        )

    def _with_given(self, row: Row | None) -> Row | None:
        """The settings row with the values given at the upload in place of the file's."""
        if not self.given:
            return row
        row = row or Row("settings", None, {}, {})
        cells, columns = dict(row.cells), dict(row.columns)
        for key, value in self.given.items():
            column = parse_heading(GIVEN_HEADINGS[key])
            for heading, old in row.columns.items():
                if (old.name, old.language) == (column.name, column.language):
                    cells.pop(heading, None)
            columns[column.heading] = column
            cells[column.heading] = str(value).strip()
        return Row(row.sheet, row.number, cells, columns)

    # Languages and columns

    def _default_language(self, settings: Row | None) -> str:
        text = settings.get("default_language", None) if settings else ""
        if not text:
            return SOURCE_LANGUAGE
        code = language_code(text)
        if code is None:
            self.problem(
                settings,
                "default_language",
                f"Die Sprache „{text}“ bietet der Kiosk nicht an. Schreiben Sie German (de) "
                "oder lassen Sie die Zelle leer.",
            )
            return SOURCE_LANGUAGE
        return code

    def _check_columns(self, workbook: Workbook) -> None:
        for sheet, columns in workbook.columns.items():
            for heading, column in columns.items():
                if column.unknown_language:
                    self.problem(
                        sheet,
                        heading,
                        f"Diese Sprache bietet der Kiosk nicht an (er kennt {ALL_LANGUAGES}). "
                        "Löschen Sie die Spalte oder benennen Sie sie nach einer dieser Sprachen.",
                    )
                    continue
                if known_column(sheet, column.name) or heading.startswith("$"):
                    continue
                for row in workbook.sheets.get(sheet, []):
                    if heading in row.cells:
                        self.problem(row, heading, unknown_column(sheet, column.name))

    def _check_german(self, workbook: Workbook) -> None:
        columns = workbook.columns.get("survey", {})
        self.has_german = any(
            column.name == "label" and column.language == SOURCE_LANGUAGE
            for column in workbook.columns.get("survey", {}).values()
        )
        if "survey" in workbook.sheets and not any(
            column.name == "label" and column.language == SOURCE_LANGUAGE
            for column in columns.values()
        ):
            self.problem(
                "survey",
                "label",
                "Das Formular hat keine deutschen Texte. Schreiben Sie die Fragen auf Deutsch "
                "in die Spalte label::German (de) (oder label): sie sind die Grundlage aller "
                "Übersetzungen.",
            )

    # Texts and their translations

    def text(self, row: Row, name: str) -> str:
        """The German text of column `name` in `row`; its translations are collected."""
        german = row.get(name)
        for heading, text in row.languages(name).values():
            if "${" in text:
                self.problem(row, heading, REFERENCE_TEXT)
        for lang, (heading, translation) in row.languages(name).items():
            if lang == SOURCE_LANGUAGE:
                continue
            if not german:
                if not self.has_german:
                    continue  # said once for the whole form
                self.problem(
                    row,
                    heading,
                    "Die Übersetzung hat keinen deutschen Text in derselben Zeile. Schreiben "
                    f"Sie ihn in die Spalte {row.heading(name)}.",
                )
                continue
            self._translate(row, heading, lang, german, translation)
        return german

    def _translate(self, row: Row, heading: str, lang: str, german: str, translation: str):
        texts = self.translations.setdefault(lang, {})
        earlier = texts.get(german)
        if earlier and earlier[0] != translation:
            self.problem(
                row,
                heading,
                f"„{german}“ ist hier anders übersetzt als im Blatt {earlier[2]} in Zeile "
                f"{earlier[1]}. Gleichen Sie die Übersetzungen an.",
            )
        elif not earlier:
            texts[german] = (translation, row.number, row.sheet)

    def mark_reviewed(self, row: Row, msgids: list[str]) -> None:
        """The translations of `row` in the languages its `kiosk::geprüft::…` cells say "ja"."""
        for lang, (heading, text) in row.languages(f"kiosk::{REVIEWED}").items():
            value = self.flag(row, heading, text)
            if value and lang != SOURCE_LANGUAGE:
                found = self.translations.get(lang, {})
                checked = {msgid for msgid in msgids if msgid and msgid in found}
                self.reviewed.setdefault(lang, set()).update(checked)

    # Settings

    def _settings(self, row: Row | None) -> dict:
        if row is None:
            row = Row("settings", None, {}, {})  # no settings sheet: no row to name
        title = row.get("form_title", None) or row.get("kiosk::title")
        for lang, (heading, translation) in row.languages("kiosk::title").items():
            if lang != SOURCE_LANGUAGE and title:
                self._translate(row, heading, lang, title, translation)
        data = {"title": title}
        if not title:
            self.problem(
                row,
                "form_title",
                "Das Formular hat keinen Titel. Schreiben Sie ihn auf Deutsch in die Spalte "
                f"form_title im Blatt settings {OR_GIVEN}.",
            )
        if description := self.text(row, "kiosk::description"):
            data["description"] = description
        data["purpose"] = self.text(row, "kiosk::purpose")
        if not data["purpose"]:
            self.problem(
                row,
                "kiosk::purpose",
                "Schreiben Sie in einfachen Worten, wofür die Antworten gebraucht werden und wer "
                "sie sieht (Blatt settings, Spalte kiosk::purpose, oder beim Hochladen). Der "
                "Kiosk zeigt es bei der Zustimmung.",
            )
        data["retention_days"] = self.whole(row, "kiosk::retention_days", required=True)
        if icon := row.get("kiosk::icon", None):
            data["icon"] = icon_name(icon) or self.problem(row, "kiosk::icon", icon_problem(icon))
        if (order := self.whole(row, "kiosk::order")) is not None:
            data["order"] = order
        for key in ("one_tap", "visitor_code", "review"):
            text = row.get(f"kiosk::{key}", None)
            value = self.flag(row, f"kiosk::{key}", text) if text else None
            if value is not None and value != (key == "review"):
                data[key] = value
        self.mark_reviewed(row, [data["title"], data.get("description"), data["purpose"]])
        return {key: value for key, value in data.items() if value is not None}

    def whole(self, row: Row, column: str, required: bool = False) -> int | None:
        text = row.get(column, None)
        if not text:
            if required:
                self.problem(
                    row,
                    column,
                    "Schreiben Sie hier, nach wie vielen Tagen persönliche Antworten gelöscht "
                    "werden, z. B. 180 (Blatt settings, oder beim Hochladen).",
                )
            return None
        if not re.fullmatch(r"-?\d+", text) or (required and int(text) < 1):
            self.problem(
                row,
                column,
                f"„{text}“ ist keine passende ganze Zahl. Schreiben Sie "
                "eine Zahl ohne Komma, z. B. 180.",
            )
            return None
        return int(text)

    def _slug(self, row: Row | None) -> str:
        text = self.name or (row.get("form_id", None) if row else "")
        if not text and self.filename:
            # As pyxform does: a form without form_id is named after its file.
            stem = PurePath(self.filename).stem.lower()
            text = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")
        if not text:
            self.problem(
                row or "settings",
                "form_id",
                "Das Formular hat keinen Kurznamen. Schreiben Sie ihn in form_id (Blatt "
                "settings), z. B. anmeldung, oder geben Sie --name an.",
            )
            return "form"
        slug = re.sub(r"[\s_]+", "-", text.strip().lower())
        if not SLUG_PATTERN.fullmatch(slug):
            where = "Name" if self.name else "settings"
            self.problems.append(
                XLSFormProblem(
                    where,
                    row.number if row and not self.name else None,
                    None if self.name else "form_id",
                    f"„{text}“ taugt nicht als Kurzname des Formulars: nur Kleinbuchstaben a bis "
                    "z, Ziffern und „-“. Schreiben Sie ihn in form_id (Blatt settings) oder "
                    "geben Sie --name an.",
                )
            )
            return "form"
        return slug

    # The kiosk's own checks

    def _check(self, slug: str, source: str) -> None:
        checker = TomlFormReader(PurePath(f"{slug}.toml"))
        checker.read(source)
        for error in checker.problems:
            row = self.field_rows.get(error.field) if error.field else None
            sheet = "survey" if error.field else "settings"
            message = next(
                (german for start, german in CHECKER_MESSAGES if error.message.startswith(start)),
                f"Der Kiosk nimmt das so nicht an: {error.message}",
            )
            self.problems.append(XLSFormProblem(sheet, row, None, message))


def read_xlsform(
    data: bytes, name: str | None = None, given: dict | None = None, filename: str | None = None
) -> FormPackage:
    """The form package of an XLSForm file (.xlsx or .xls); raises XLSFormError listing every
    problem. `given` holds settings typed at the upload ("title", "purpose", "retention_days"):
    they take the place of the file's. Without a name or form_id the form is named after
    `filename`, as pyxform does."""
    return XLSFormReader(data, name, given, filename).read()

"""Writing a form as an XLSForm: every translation a `label::Language (code)` column.

The file converts with pyxform (ODK, Kobo) and reads back with `read_xlsform` to an equal form;
the kiosk's own settings travel in `kiosk::…` columns, which other XLSForm tools ignore.
"""

import io

from .spec import Field, FormSpec
from .xlsform_common import KIOSK, LANGUAGE_COLUMNS, REVIEWED, SOURCE_LANGUAGE
from .xlsform_logic import constraint_text, relevant_text

TYPES = {
    "text": "text",
    "textarea": "text",
    "number": "integer",
    "year": "integer",
    "date": "date",
    "consent": "acknowledge",
}
APPEARANCES = {"textarea": "multiline", "rating": "likert"}
GENERATED_LISTS = {"yesno": "kiosk_yesno", "rating": "kiosk_rating"}


class XLSFormWriter:
    def __init__(self, spec: FormSpec, translations: dict, reviewed: dict):
        self.spec = spec
        self.translations = translations
        self.reviewed = {lang: set(ids) for lang, ids in reviewed.items()}
        ordered = [code for code in LANGUAGE_COLUMNS if code != SOURCE_LANGUAGE]
        self.languages = [code for code in ordered if translations.get(code)]

    def column(self, name: str, lang: str) -> str:
        return f"{name}::{LANGUAGE_COLUMNS[lang]}"

    def put_text(self, row: dict, name: str, text: str | None, msgids: list, german_plain=False):
        """The German `text` and its translations into `row`'s columns `name::Language`."""
        if not text:
            return
        row[name if german_plain else self.column(name, SOURCE_LANGUAGE)] = text
        msgids.append(text)
        for lang in self.languages:
            if translation := self.translations[lang].get(text):
                row[self.column(name, lang)] = translation

    def mark_reviewed(self, row: dict, msgids: list) -> None:
        for lang in self.languages:
            translated = [m for m in msgids if m in self.translations[lang]]
            if translated and all(m in self.reviewed.get(lang, ()) for m in translated):
                row[f"{KIOSK}::{REVIEWED}::{LANGUAGE_COLUMNS[lang]}"] = "ja"

    def survey_row(self, field: Field, types: dict[str, str]) -> dict:
        row, msgids = {"name": field.name}, []
        if field.type in ("single", "multiple"):
            kind = "select_one" if field.type == "single" else "select_multiple"
            row["type"] = f"{kind} {field.name}"
        elif field.type in GENERATED_LISTS:
            row["type"] = f"select_one {GENERATED_LISTS[field.type]}"
        else:
            row["type"] = TYPES[field.type]
        if field.type == "year":
            row[f"{KIOSK}::type"] = "year"
        if field.type in APPEARANCES:
            row["appearance"] = APPEARANCES[field.type]
        self.put_text(row, "label", field.label, msgids)
        self.put_text(row, "hint", field.help, msgids)
        if field.type in ("single", "multiple"):
            # The question's row is "geprüft" for its answers too: the choices sheet has no
            # column of the kiosk's own (pyxform takes every choices column into the form).
            msgids += [option.label for option in field.options]
        for key, column in (
            ("required", "required"),
            ("personal", f"{KIOSK}::personal"),
            ("prefer_not_to_say", f"{KIOSK}::prefer_not_to_say"),
        ):
            if getattr(field, key):
                row[column] = "yes"
        if field.show_if:
            row["relevant"] = relevant_text(field.show_if, types)
        constraint, keys = constraint_text(field)
        if constraint:
            row["constraint"] = constraint
        self.put_messages(row, field, keys, msgids)
        if field.digits:
            row[f"{KIOSK}::digits"] = field.digits
        if field.icon:
            row["media::image"] = f"{field.icon}.svg"
        for key in ("yes_label", "no_label"):
            self.put_text(row, f"{KIOSK}::{key}", getattr(field, key), msgids, german_plain=True)
        self.mark_reviewed(row, msgids)
        return row

    def put_messages(self, row: dict, field: Field, keys: tuple, msgids: list) -> None:
        custom = field.custom_messages()
        shared = {custom.get(key) for key in keys}
        if keys and len(shared) == 1 and None not in shared:
            self.put_text(row, "constraint_message", custom[keys[0]], msgids)
            custom = {key: text for key, text in custom.items() if key not in keys}
        if "required" in custom:
            self.put_text(row, "required_message", custom.pop("required"), msgids)
        for key, text in custom.items():
            self.put_text(row, f"{KIOSK}::message::{key}", text, msgids, german_plain=True)

    def choice_rows(self) -> list[dict]:
        rows, written = [], set()
        for field in self.spec.fields:
            if field.type in ("single", "multiple"):
                list_name = field.name
            elif field.type in GENERATED_LISTS and field.type not in written:
                list_name = GENERATED_LISTS[field.type]
                written.add(field.type)
            else:
                continue
            for option in field.options:
                row = {"list_name": list_name, "name": option.value}
                self.put_text(row, "label", option.label, [])
                if option.icon and field.type in ("single", "multiple"):
                    row["media::image"] = f"{option.icon}.svg"
                rows.append(row)
        return rows

    def settings_row(self) -> dict:
        spec, msgids = self.spec, [self.spec.title]
        row = {
            "form_title": spec.title,
            "form_id": spec.slug,
            "default_language": LANGUAGE_COLUMNS[SOURCE_LANGUAGE],
        }
        for lang in self.languages:
            if translation := self.translations[lang].get(spec.title):
                row[self.column(f"{KIOSK}::title", lang)] = translation
        self.put_text(row, f"{KIOSK}::description", spec.description, msgids, german_plain=True)
        self.put_text(row, f"{KIOSK}::purpose", spec.purpose, msgids, german_plain=True)
        row[f"{KIOSK}::retention_days"] = spec.retention_days
        row[f"{KIOSK}::icon"] = spec.icon
        row[f"{KIOSK}::order"] = spec.order
        for key, default in (("one_tap", False), ("visitor_code", False), ("review", True)):
            if getattr(spec, key) != default:
                row[f"{KIOSK}::{key}"] = "yes" if getattr(spec, key) else "no"
        self.mark_reviewed(row, msgids)
        return row

    def workbook_bytes(self) -> bytes:
        from openpyxl import Workbook

        types, survey = {}, []
        for field in self.spec.fields:
            survey.append(self.survey_row(field, types))
            types[field.name] = field.type
        book = Workbook()
        book.active.title = "survey"
        _fill(book.active, survey, ["type", "name"])
        _fill(book.create_sheet("choices"), self.choice_rows(), ["list_name", "name"])
        _fill(book.create_sheet("settings"), [self.settings_row()], ["form_title", "form_id"])
        output = io.BytesIO()
        book.save(output)
        return output.getvalue()


def _fill(sheet, rows: list[dict], first: list[str]) -> None:
    """Headings in the order they first appear (the given ones first), then the rows."""
    headings = list(first)
    for row in rows:
        headings += [key for key in row if key not in headings]
    sheet.append(headings)
    for row in rows:
        sheet.append([row.get(heading) for heading in headings])
    for number, heading in enumerate(headings, 1):
        width = max(len(str(row.get(heading) or "")) for row in rows) if rows else 0
        letter = sheet.cell(row=1, column=number).column_letter
        sheet.column_dimensions[letter].width = min(max(len(heading), width, 8) + 2, 60)


def write_xlsform(spec: FormSpec, translations: dict, reviewed: dict) -> bytes:
    """The XLSForm (.xlsx bytes) of `spec` with `translations` ({lang: {msgid: text}}) and the
    msgids in `reviewed` ({lang: [msgid]}) marked "geprüft"."""
    return XLSFormWriter(spec, translations, reviewed).workbook_bytes()

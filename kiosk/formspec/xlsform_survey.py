"""The sheets choices and survey of an XLSForm as our options and fields (XLSFormReader's part)."""

from .checks import NAME_PATTERN, VALUE_PATTERN
from .xlsform_fields import (
    GROUP_TYPES,
    HARMLESS_APPEARANCES,
    IGNORED_TYPES,
    choose_select_type,
    constraint_rules,
    field_kind,
    flag,
    icon_name,
    icon_problem,
    message_key,
    relevant_conditions,
)
from .xlsform_sheets import Row

# A select with `or_other` gets this option and a text field asking for the other answer; both
# texts are already in the catalogs (the intake form uses them).
OTHER_VALUE = "other"
OTHER_LABEL = "Sonstiges"
OTHER_HELP = "Bitte schreiben Sie es kurz. Bitte keine Namen."
TYPE_APPEARANCES = {"text": ("multiline",), "number": ("rating",), "single": ("rating",)}
RULE_MESSAGES = {
    "min": "min",
    "max": "max",
    "min_length": "min_length",
    "max_length": "max_length",
    "pattern": "pattern",
}


class SurveyReader:
    """Needs `problem`, `text`, `mark_reviewed` and `field_rows` of XLSFormReader."""

    def flag(self, row: Row, column: str, text: str) -> bool | None:
        value = flag(text)
        if isinstance(value, str):
            self.problem(row, column, value)
            return None
        return value

    def cell_flag(self, row: Row, column: str) -> bool:
        text = row.get(column, None)
        return bool(text) and bool(self.flag(row, column, text))

    # choices

    def choice_lists(self, rows: list[Row]) -> dict[str, list[dict]]:
        lists: dict[str, list[dict]] = {}
        for row in rows:
            list_name, value = row.get("list_name", None), row.get("name", None)
            if not list_name or not value:
                column = "list_name" if not list_name else "name"
                self.problem(row, column, "Jede Antwort braucht list_name und name.")
                continue
            options = lists.setdefault(list_name, [])
            if not VALUE_PATTERN.fullmatch(value) or value == "no_answer":
                self.problem(
                    row,
                    "name",
                    f"„{value}“ taugt nicht als Wert einer Antwort: nur "
                    "Kleinbuchstaben a bis z, Ziffern, „_“ und „-“ (nicht no_answer).",
                )
            elif any(option["value"] == value for option in options):
                self.problem(row, "name", f"Die Liste {list_name} hat die Antwort {value} zweimal.")
            label = self.text(row, "label")
            if not label and self.has_german:
                self.problem(row, row.heading("label"), "Die Antwort hat keinen deutschen Text.")
            option = {"value": value, "label": label}
            if image := self.image(row):
                option["icon"] = image
            options.append(option)
        return lists

    def image(self, row: Row) -> str | None:
        text = row.get("media::image", None) or row.get("media::image")
        if not text:
            return None
        name = icon_name(text)
        if name is None:
            self.problem(row, row.heading("media::image", None), icon_problem(text))
        return name

    # survey

    def fields(self, rows: list[Row], lists: dict[str, list[dict]]) -> list[dict]:
        fields: list[dict] = []
        earlier: dict[str, dict] = {}
        for row in rows:
            type_text = row.get("type", None)
            if not type_text:
                self.problem(
                    row,
                    "type",
                    "Die Zeile hat keinen Typ. Schreiben Sie ihn in die "
                    "Spalte type oder löschen Sie die Zeile.",
                )
                continue
            lowered = " ".join(type_text.lower().split())
            if lowered in GROUP_TYPES:
                # Groups only bundle questions; the kiosk asks one question per screen anyway.
                if lowered.startswith("begin") and row.get("relevant", None):
                    self.problem(
                        row,
                        "relevant",
                        "Eine Gruppe mit relevant kann der Kiosk nicht "
                        "auflösen. Schreiben Sie die Bedingung an jede Frage der Gruppe.",
                    )
                continue
            if lowered in IGNORED_TYPES:
                continue
            kind = field_kind(type_text)
            if isinstance(kind, str):
                self.problem(row, "type", kind)
                continue
            for field in self._field(row, *kind, lists, earlier):
                name = field["name"]
                if name in earlier:
                    self.problem(
                        row,
                        "name",
                        f"Den Namen {name} gibt es schon. Jede Frage braucht einen eigenen Namen.",
                    )
                    continue
                earlier[name] = field
                self.field_rows[name] = row.number
                fields.append(field)
        if rows and not fields and not self.problems:
            self.problem("survey", None, "Das Formular hat keine Fragen.")
        return fields

    def _field(self, row: Row, kind: str, list_name, or_other: bool, lists, earlier) -> list:
        name = row.get("name", None)
        if not name or not NAME_PATTERN.fullmatch(name):
            self.problem(
                row,
                "name",
                f"„{name}“ taugt nicht als Name einer Frage: nur "
                "Kleinbuchstaben a bis z, Ziffern und „_“, am Anfang ein Buchstabe.",
            )
            name = name or "frage"
        field = {"name": name, "type": kind}
        label = self.text(row, "label")
        if not label and self.has_german:
            self.problem(row, row.heading("label"), "Die Frage hat keinen deutschen Text.")
        field["label"] = label
        texts = [label]
        appearance = row.get("appearance", None).lower().split()
        options = []
        if kind in ("select_one", "select_multiple"):
            options = [dict(option) for option in lists.get(list_name, [])]
            if not options:
                self.problem(row, "type", f"Die Liste {list_name} fehlt im Blatt choices.")
            field["type"] = choose_select_type(kind, " ".join(appearance), options)
        field["type"] = self._our_type(row, field["type"], appearance)
        if hint := self.text(row, "hint"):
            field["help"] = hint
            texts.append(hint)
        for key, column in (
            ("required", "required"),
            ("personal", "kiosk::personal"),
            ("prefer_not_to_say", "kiosk::prefer_not_to_say"),
        ):
            if self.cell_flag(row, column):
                field[key] = True
        if field["type"] in ("single", "multiple"):
            if or_other:
                if any(option["value"] == OTHER_VALUE for option in options):
                    self.problem(
                        row,
                        "type",
                        f"Die Liste {list_name} hat schon die Antwort "
                        "other: or_other ist doppelt. Löschen Sie or_other.",
                    )
                options.append({"value": OTHER_VALUE, "label": OTHER_LABEL})
            field["options"] = options
            texts += [option["label"] for option in options]
        elif or_other:
            self.problem(row, "type", "or_other geht nur bei einer Liste von Antworten.")
        if relevant := row.get("relevant", None):
            show_if = relevant_conditions(relevant, earlier)
            if isinstance(show_if, str):
                self.problem(row, "relevant", show_if)
            else:
                field["show_if"] = show_if
        field.update(self._rules(row, field["type"], texts))
        if digits := row.get("kiosk::digits", None):
            if digits != "ascii" or field["type"] != "text":
                self.problem(row, "kiosk::digits", "kiosk::digits kennt nur ascii, bei text.")
            field["digits"] = digits
        if image := self.image(row):
            field["icon"] = image
        for key in ("yes_label", "no_label"):
            if text := self.text(row, f"kiosk::{key}"):
                if field["type"] != "consent":
                    self.problem(
                        row,
                        f"kiosk::{key}",
                        "Eigene Antworten gibt es nur bei "
                        "acknowledge (Zustimmung). Leeren Sie die Spalte.",
                    )
                field[key] = text
                texts.append(text)
        self.mark_reviewed(row, texts)
        if not or_other or field["type"] not in ("single", "multiple"):
            return [field]
        other = {
            "name": f"{name}_other",
            "type": "text",
            "label": OTHER_LABEL,
            "help": OTHER_HELP,
            "show_if": {name: [OTHER_VALUE]},
        }
        return [field, other]

    def _our_type(self, row: Row, field_type: str, appearance: list[str]) -> str:
        allowed = TYPE_APPEARANCES.get(field_type, ())
        for word in appearance:
            if word not in allowed and word not in HARMLESS_APPEARANCES:
                self.problem(
                    row,
                    "appearance",
                    f"Die Darstellung „{word}“ kennt der Kiosk nicht. Leeren Sie die Zelle.",
                )
        if field_type == "text" and "multiline" in appearance:
            field_type = "textarea"
        if field_type == "number" and "rating" in appearance:
            field_type = "rating"
        kiosk_type = row.get("kiosk::type", None)
        if kiosk_type == "year" and field_type == "number":
            return "year"
        if kiosk_type:
            self.problem(row, "kiosk::type", "kiosk::type kennt nur year, und nur bei integer.")
        return field_type

    def _rules(self, row: Row, field_type: str, texts: list[str]) -> dict:
        """min/max, lengths, pattern and the messages of a field."""
        rules, messages = {}, {}
        constraint = row.get("constraint", None)
        if constraint:
            found = constraint_rules(constraint, field_type)
            if isinstance(found, str):
                self.problem(row, "constraint", found)
            else:
                rules.update(found)
        if message := self.text(row, "constraint_message"):
            if not rules and not constraint:
                self.problem(
                    row,
                    "constraint_message",
                    "Eine Meldung ohne constraint zeigt "
                    "der Kiosk nie. Löschen Sie sie oder schreiben Sie eine Bedingung.",
                )
            messages.update({RULE_MESSAGES[key]: message for key in rules})
            texts.append(message)
        if message := self.text(row, "required_message"):
            messages["required"] = message
            texts.append(message)
        for heading, column in row.columns.items():
            if not column.name.startswith("kiosk::message::") or column.language != "de":
                continue
            key = message_key(column.name)
            if key is None:
                self.problem(
                    row,
                    heading,
                    "Diese Meldung kennt der Kiosk nicht (es gibt "
                    "required, invalid, min, max, min_length, max_length, pattern, "
                    "choice).",
                )
            elif text := self.text(row, column.name):
                messages[key] = text
                texts.append(text)
        if messages:
            rules["messages"] = messages
        return rules

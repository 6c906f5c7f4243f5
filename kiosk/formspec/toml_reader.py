"""Reading forms/*.toml: each file becomes a checked FormSpec, or a FormSpecError per problem."""

import difflib
import tomllib
from pathlib import Path

from .checks import FormChecker
from .spec import DEFAULT_FORM_ICON, FIELD_TYPES, Condition, Field, FormSpec, FormSpecError, Option

FORM_KEYS = (
    "title",
    "description",
    "purpose",
    "retention_days",
    "icon",
    "order",
    "one_tap",
    "visitor_code",
    "review",
    "fields",
)
FIELD_KEYS = (
    "name", "type", "label", "help", "required", "personal", "prefer_not_to_say", "options",
    "show_if", "min", "max", "min_length", "max_length", "pattern", "digits", "messages", "icon",
    "yes_label", "no_label",
)  # fmt: skip
OPTION_KEYS = ("value", "label", "icon")
# Keys that only some types understand; elsewhere they are refused rather than silently ignored.
KEY_TYPES = {
    "options": ("single", "multiple"),
    "min": ("number", "year", "multiple"),
    "max": ("number", "year", "multiple"),
    "min_length": ("text", "textarea"),
    "max_length": ("text", "textarea"),
    "pattern": ("text", "textarea"),
    "digits": ("text",),
    "yes_label": ("consent",),
    "no_label": ("consent",),
}
KIND_NAMES = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    list: "a list",
    dict: "a table",
}


def _is_kind(value, kind) -> bool:
    # TOML's true/false are Python bools, which are ints too.
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


class TomlFormReader(FormChecker):
    """Reads one form file into a FormSpec, collecting every problem instead of stopping early."""

    def read(self, source: str | None = None) -> FormSpec | None:
        """The FormSpec, or None when there were problems (see `problems`)."""
        data = self._parse(source)
        if data is None:
            return None
        self._check_keys(data, FORM_KEYS, None)
        spec = self._form(data)
        return None if self.problems else spec

    def _parse(self, source: str | None) -> dict | None:
        try:
            text = self.path.read_text(encoding="utf-8") if source is None else source
            return tomllib.loads(text)
        except OSError as error:
            self.problem(f"cannot be read: {error.strerror or error}")
        except UnicodeDecodeError:
            self.problem("is not UTF-8 text")
        except tomllib.TOMLDecodeError as error:
            self.problem(f"invalid TOML: {error}")
        return None

    def _form(self, data: dict) -> FormSpec:
        settings = self._settings(data)
        spec = FormSpec(**settings, fields=tuple(self._fields(data.get("fields"))))
        self.check_form(spec)
        return spec

    def _settings(self, data: dict) -> dict:
        """Everything about the form but its fields."""
        slug = self.checked_slug()
        retention_days = self._get(data, "retention_days", int, None, required=True)
        self.check_retention_days(retention_days)
        return {
            "slug": slug,
            "title": self._text(data, "title", None, required=True),
            "description": self._text(data, "description", None) or "",
            "purpose": self._text(data, "purpose", None, required=True),
            "retention_days": retention_days,
            "icon": self._icon(data, None) or DEFAULT_FORM_ICON,
            "order": self._get(data, "order", int, None, default=0),
            "one_tap": self._get(data, "one_tap", bool, None, default=False),
            "visitor_code": self._get(data, "visitor_code", bool, None, default=False),
            "review": self._get(data, "review", bool, None, default=True),
            "path": str(self.path),
        }

    def _get(self, table: dict, key: str, kind, field, *, default=None, required=False):
        """The value of `key` if it has the right kind; a problem and `default` otherwise."""
        if key not in table:
            if required:
                self.problem(f"'{key}' is missing", field)
            return default
        value = table[key]
        if not _is_kind(value, kind):
            self.problem(f"'{key}' must be {KIND_NAMES[kind]}", field)
            return default
        return value

    def _text(self, table: dict, key: str, field, *, required=False) -> str | None:
        text = self._get(table, key, str, field, required=required)
        if text is not None and not text.strip():
            if required:
                self.problem(f"'{key}' is empty", field)
            return None
        return text.strip() if text else None

    def _check_keys(self, table: dict, allowed: tuple, field, where: str = "") -> None:
        for key in table:
            if key not in allowed:
                guess = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean '{guess[0]}'?)" if guess else ""
                self.problem(f"unknown key '{key}'{where}{hint}", field)

    def _icon(self, table: dict, field) -> str | None:
        name = self._get(table, "icon", str, field)
        if name is not None:
            self.check_icon(name, field)
        return name

    def _fields(self, raw_fields) -> list[Field]:
        if not isinstance(raw_fields, list) or not raw_fields:
            self.problem("needs at least one [[fields]] table")
            return []
        names = [raw.get("name") for raw in raw_fields if isinstance(raw, dict)]
        fields, earlier = [], {}
        for number, raw in enumerate(raw_fields, 1):
            if not isinstance(raw, dict):
                self.problem(f"fields entry #{number} must be a table")
                continue
            field = self._field(raw, number, earlier, names)
            name = raw.get("name")
            if isinstance(name, str) and name in earlier:
                self.problem("duplicate field name", name)
            elif isinstance(name, str):
                # A broken field still counts as existing, so later fields get no extra problems.
                earlier[name] = field
            if field is not None:
                fields.append(field)
        return fields

    def _field(self, raw: dict, number: int, earlier: dict, names: list) -> Field | None:
        """One field, or None when it has problems."""
        problems_before = len(self.problems)
        name = self._get(raw, "name", str, f"#{number}", required=True)
        if name is None:
            return None
        self.check_name(name)
        self._check_keys(raw, FIELD_KEYS, name)
        field_type = self._field_type(raw, name)
        if field_type is None:
            return None
        settings = self._field_settings(raw, field_type, name, earlier, names)
        field = Field(name=name, type=field_type, **settings)
        self.check_field(field)
        return None if len(self.problems) > problems_before else field

    def _field_type(self, raw: dict, name: str) -> str | None:
        """The field's type, when it is a known one; the keys that do not apply are problems."""
        field_type = self._get(raw, "type", str, name, required=True)
        if field_type is None:
            return None
        if field_type not in FIELD_TYPES:
            self.problem(f"unknown type '{field_type}'", name)
            return None
        for key, types in KEY_TYPES.items():
            if key in raw and field_type not in types:
                self.problem(f"'{key}' does not apply to type '{field_type}'", name)
        return field_type

    def _field_settings(
        self, raw: dict, field_type: str, name: str, earlier: dict, names: list
    ) -> dict:
        """Everything about a field but its name and type, read (and so reported) in key order."""
        # A number or year may go below zero; a count of choices cannot.
        signed = field_type != "multiple"
        return {
            "label": self._text(raw, "label", name, required=True),
            "help": self._text(raw, "help", name),
            "required": self._get(raw, "required", bool, name, default=False),
            "personal": self._get(raw, "personal", bool, name, default=False),
            "prefer_not_to_say": self._get(raw, "prefer_not_to_say", bool, name, default=False),
            "options": self._options(raw, field_type, name),
            "show_if": self._conditions(raw.get("show_if"), name, earlier, names),
            "min": self._count(raw, "min", name, allow_negative=signed),
            "max": self._count(raw, "max", name, allow_negative=signed),
            "min_length": self._count(raw, "min_length", name),
            "max_length": self._count(raw, "max_length", name),
            "pattern": self._pattern(raw, name),
            "digits": self._digits(raw, name),
            "messages": self._messages(raw, name),
            "icon": self._icon(raw, name),
            "yes_label": self._text(raw, "yes_label", name),
            "no_label": self._text(raw, "no_label", name),
        }

    def _count(self, raw: dict, key: str, name: str, *, allow_negative=False) -> int | None:
        value = self._get(raw, key, int, name)
        self.check_count(key, value, name, allow_negative=allow_negative)
        return value

    def _options(self, raw: dict, field_type: str, name: str) -> tuple[Option, ...]:
        if field_type not in ("single", "multiple"):
            return ()
        raw_options = self._get(raw, "options", list, name)
        if not raw_options:
            self.problem(f"type '{field_type}' needs options", name)
            return ()
        options, values = [], set()
        for number, item in enumerate(raw_options, 1):
            option = self._option(item, number, name)
            if option is None:
                continue
            if option.value in values:
                self.problem(f"duplicate option value '{option.value}'", name)
            values.add(option.value)
            options.append(option)
        return tuple(options)

    def _option(self, item, number: int, name: str) -> Option | None:
        if not isinstance(item, dict):
            self.problem(f"option #{number} must be a table with value and label", name)
            return None
        value = self._get(item, "value", str, name, required=True)
        shown = f"option '{value}'" if value else f"option #{number}"
        self._check_keys(item, OPTION_KEYS, name, where=f" in {shown}")
        self.check_option_value(value, shown, name)
        label = self._get(item, "label", str, name)
        if label is None or not label.strip():
            self.problem(f"{shown} has no label", name)
        icon = self._icon(item, name)
        if value is None or label is None:
            return None
        return Option(value, label.strip(), icon)

    def _conditions(self, raw, name: str, earlier: dict, names: list) -> tuple[Condition, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, dict):
            self.problem("'show_if' must be a table such as { needs = [\"other\"] }", name)
            return ()
        return tuple(
            condition
            for other, wanted in raw.items()
            if (condition := self._condition(other, wanted, name, earlier, names)) is not None
        )

    def _condition(self, other: str, wanted, name: str, earlier: dict, names: list):
        values = [wanted] if isinstance(wanted, str) else wanted
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) for v in values)
        ):
            self.problem(f"show_if '{other}' needs a value or a list of values", name)
            return None
        return self.checked_condition(other, values, name, earlier, names)

    def _pattern(self, raw: dict, name: str) -> str | None:
        pattern = self._get(raw, "pattern", str, name)
        if pattern is not None:
            self.check_pattern(pattern, name)
        return pattern

    def _digits(self, raw: dict, name: str) -> str | None:
        digits = self._get(raw, "digits", str, name)
        if digits is not None:
            self.check_digits(digits, name)
        return digits

    def _messages(self, raw: dict, name: str) -> dict[str, str]:
        messages = self._get(raw, "messages", dict, name, default={})
        return {
            key: text.strip()
            for key, text in messages.items()
            if self.check_message(key, text, name)
        }


def load_form(path, source: str | None = None) -> FormSpec:
    """The checked form of one file, or of `source` read as that file; raises the first problem."""
    reader = TomlFormReader(path)
    spec = reader.read(source)
    if reader.problems:
        raise reader.problems[0]
    return spec


def _form_paths(directory) -> list[Path]:
    folder = Path(directory)
    if not folder.is_dir():
        raise FormSpecError(folder, None, "folder not found")
    return sorted(path for path in folder.glob("*.toml") if path.is_file())


def check_forms(directory) -> list[FormSpecError]:
    """Every problem of every form file in `directory` (empty when all is well)."""
    try:
        paths = _form_paths(directory)
    except FormSpecError as error:
        return [error]
    problems = []
    for path in paths:
        reader = TomlFormReader(path)
        reader.read()
        problems += reader.problems
    return problems


def load_forms(directory) -> dict[str, FormSpec]:
    """Every form in `directory` by slug, ordered by (order, slug); raises the first problem."""
    specs = [load_form(path) for path in _form_paths(directory)]
    return {spec.slug: spec for spec in sorted(specs, key=lambda spec: (spec.order, spec.slug))}

"""Form definitions: forms/*.toml are read and checked into FormSpecs, each question becomes a form.

A form file holds German texts only; they are gettext msgids, translated where they are shown.
The texts this module adds itself (default error messages, "Ja"/"Nein", the rating labels, ...)
are listed in UI_TEXTS and written as `N_("...")`, so the ordinary Python extraction of
`kiosk/**.py` puts them into the catalogs; `extract_form_texts` yields only the forms' own texts.

Answers are stored as strings (numbers and years too), lists of strings for `multiple`, the
string NO_ANSWER when the visitor chose "prefer not to say", and None when a field was skipped.
"""

import dataclasses
import difflib
import hashlib
import json
import os
import re
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from functools import cached_property
from pathlib import Path

from flask_wtf import FlaskForm
from wtforms import fields as wtforms_fields
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

FIELD_TYPES = (
    "single", "multiple", "text", "textarea", "number", "year", "date", "yesno", "rating", "consent"
)  # fmt: skip
NO_ANSWER = "no_answer"
CONSENT_GIVEN = "yes"
ICONS_DIR = Path(__file__).resolve().parent.parent / "static" / "icons"
DEFAULT_FORM_ICON = "clipboard-text"
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 2000}
EARLIEST_YEAR = 1940

SLUG_PATTERN = re.compile(r"[a-z0-9-]+")
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
VALUE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")
ICON_PATTERN = re.compile(r"[a-z0-9-]+")


def N_(text: str) -> str:
    """Marks a German text for the catalogs; it is translated later, where it is shown."""
    return text


@dataclasses.dataclass(frozen=True)
class Option:
    value: str
    label: str
    icon: str | None = None


YES_NO_OPTIONS = (
    Option("yes", N_("Ja"), "thumb-up"),
    Option("no", N_("Nein"), "thumb-down"),
)
RATING_OPTIONS = (
    Option("1", N_("Sehr schlecht"), "mood-cry"),
    Option("2", N_("Schlecht"), "mood-sad"),
    Option("3", N_("Es geht"), "mood-empty"),
    Option("4", N_("Gut"), "mood-smile"),
    Option("5", N_("Sehr gut"), "mood-happy"),
)
GENERATED_OPTIONS = {"yesno": YES_NO_OPTIONS, "rating": RATING_OPTIONS}
NO_ANSWER_OPTION = Option(NO_ANSWER, N_("Möchte ich nicht sagen"), "hand-stop")
NO_ANSWER_TEXT = N_("Keine Angabe")
CONSENT_GIVEN_TEXT = N_("Zugestimmt")
EMPTY_DISPLAY = "\N{EN DASH}"

DEFAULT_MESSAGES = {
    "required": N_("Bitte antworten Sie auf diese Frage."),
    "invalid": N_("Bitte prüfen Sie Ihre Antwort."),
    "min": N_("Die Zahl ist zu klein. Sie muss mindestens %(min)s sein."),
    "max": N_("Die Zahl ist zu groß. Sie darf höchstens %(max)s sein."),
    "min_length": N_("Bitte schreiben Sie mehr (mindestens %(min)s Zeichen)."),
    "max_length": N_("Bitte schreiben Sie weniger (höchstens %(max)s Zeichen)."),
    "pattern": N_("Bitte prüfen Sie, was Sie geschrieben haben."),
    "choice": N_("Bitte wählen Sie eine der Antworten."),
}
MESSAGE_KEYS = tuple(DEFAULT_MESSAGES)
# Some types need other words for the same rule: "min" means a count of choices for `multiple`.
TYPE_MESSAGES = {
    "number": {"invalid": N_("Bitte schreiben Sie eine Zahl.")},
    "year": {
        "invalid": N_("Bitte schreiben Sie ein Jahr mit 4 Ziffern, zum Beispiel 2016."),
        "min": N_("Bitte schreiben Sie ein Jahr ab %(min)s."),
        "max": N_("Bitte schreiben Sie ein Jahr bis %(max)s."),
    },
    "date": {"invalid": N_("Bitte wählen Sie ein Datum.")},
    "multiple": {
        "min": N_("Bitte wählen Sie mehr Antworten (mindestens %(min)s)."),
        "max": N_("Bitte wählen Sie weniger Antworten (höchstens %(max)s)."),
    },
    "consent": {
        "required": N_("Bitte stimmen Sie zu. Ohne Ihre Zustimmung können wir nichts speichern.")
    },
}


def default_messages(field_type: str) -> dict[str, str]:
    """The German error messages of a field type, before any override from its form file."""
    return {**DEFAULT_MESSAGES, **TYPE_MESSAGES.get(field_type, {})}


def _ui_texts() -> tuple[str, ...]:
    texts = [option.label for options in GENERATED_OPTIONS.values() for option in options]
    texts += [NO_ANSWER_OPTION.label, NO_ANSWER_TEXT, CONSENT_GIVEN_TEXT]
    texts += [text for field_type in FIELD_TYPES for text in default_messages(field_type).values()]
    return tuple(dict.fromkeys(texts))


UI_TEXTS = _ui_texts()


class FormSpecError(ValueError):
    """A problem in a form file, naming the file and, where there is one, the field."""

    def __init__(self, path, field: str | None, message: str):
        super().__init__(_shown_path(path), field, message)
        self.path, self.field, self.message = self.args

    def __str__(self) -> str:
        where = f"{self.path}: field '{self.field}'" if self.field else self.path
        return f"{where}: {self.message}"


def _shown_path(path) -> str:
    """The path relative to the current directory when it lies below it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


class InvalidAnswer(ValueError):
    """An answer that breaks a rule of its field; `key` names the message to show."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclasses.dataclass(frozen=True)
class Condition:
    field: str
    values: tuple[str, ...]

    def holds(self, answers: Mapping[str, str | list[str]]) -> bool:
        """True when the earlier answer is one of the values, or a list containing one."""
        answer = answers.get(self.field)
        if isinstance(answer, list | tuple):
            return any(value in self.values for value in answer)
        return answer in self.values


@dataclasses.dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str
    help: str | None = None
    required: bool = False
    personal: bool = False
    prefer_not_to_say: bool = False
    options: tuple[Option, ...] = ()
    show_if: tuple[Condition, ...] = ()
    min: int | None = None
    max: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    # Excluded from hash() because a dict is not hashable; equality still compares it.
    messages: Mapping[str, str] = dataclasses.field(default_factory=dict, hash=False)
    icon: str | None = None

    def __post_init__(self):
        # Filled in here, not by the loader, so that every Field is complete however it was made.
        if not self.options and self.type in GENERATED_OPTIONS:
            object.__setattr__(self, "options", GENERATED_OPTIONS[self.type])
        if self.max_length is None and self.type in DEFAULT_MAX_LENGTH:
            object.__setattr__(self, "max_length", DEFAULT_MAX_LENGTH[self.type])
        object.__setattr__(self, "messages", {**default_messages(self.type), **self.messages})

    @property
    def bounds(self) -> tuple[int | None, int | None]:
        """The smallest and largest allowed value; a year defaults to 1940 up to this year.

        The year's defaults are computed, not stored, so the version does not change at New Year.
        """
        if self.type != "year":
            return self.min, self.max
        lowest = EARLIEST_YEAR if self.min is None else self.min
        return lowest, date.today().year if self.max is None else self.max

    @property
    def no_answer_option(self) -> Option | None:
        """The "prefer not to say" choice, when this field offers it."""
        return NO_ANSWER_OPTION if self.prefer_not_to_say else None

    def is_visible(self, answers: Mapping[str, str | list[str]]) -> bool:
        return all(condition.holds(answers) for condition in self.show_if)

    def message(self, key: str, translate: Callable[[str], str]) -> str:
        """The translated error message `key` with its %(min)s/%(max)s filled in."""
        text = translate(self.messages.get(key) or default_messages(self.type)[key])
        lowest, highest = (
            (self.min_length, self.max_length)
            if key in ("min_length", "max_length")
            else self.bounds
        )
        try:
            return text % {"min": lowest, "max": highest}
        except (KeyError, ValueError, TypeError):
            # A translation with broken placeholders must not stop the kiosk.
            return text

    def clean(self, raw) -> str | list[str] | None:
        """The value to store for raw form data (str, list or None); raises InvalidAnswer."""
        if self.prefer_not_to_say and _is_no_answer(raw):
            return NO_ANSWER
        if _is_empty(raw):
            if self.required:
                raise InvalidAnswer("required")
            return None
        if self.type == "multiple":
            return self._clean_choices(raw)
        if not isinstance(raw, str):
            raise InvalidAnswer("invalid")
        return _CLEANERS[self.type](self, raw)

    def _clean_choice(self, raw: str) -> str:
        if raw not in {option.value for option in self.options}:
            raise InvalidAnswer("choice")
        return raw

    def _clean_choices(self, raw) -> list[str]:
        chosen = {raw} if isinstance(raw, str) else {value for value in raw if value.strip()}
        offered = [option.value for option in self.options]
        if not chosen <= set(offered):
            raise InvalidAnswer("choice")
        if self.min is not None and len(chosen) < self.min:
            raise InvalidAnswer("min")
        if self.max is not None and len(chosen) > self.max:
            raise InvalidAnswer("max")
        return [value for value in offered if value in chosen]

    def _clean_text(self, raw: str) -> str:
        # Browsers send a textarea's line breaks as CRLF but count them as one character.
        text = raw.replace("\r\n", "\n").strip()
        if self.min_length is not None and len(text) < self.min_length:
            raise InvalidAnswer("min_length")
        if self.max_length is not None and len(text) > self.max_length:
            raise InvalidAnswer("max_length")
        if self.pattern and not re.fullmatch(self.pattern, text):
            raise InvalidAnswer("pattern")
        return text

    def _clean_number(self, raw: str) -> str:
        # \d also takes Arabic-Indic and Persian digits, as typed on the visitors' own keyboards.
        text = raw.strip()
        if not re.fullmatch(r"[+-]?\d{1,18}", text):
            raise InvalidAnswer("invalid")
        return self._within_bounds(int(text))

    def _clean_year(self, raw: str) -> str:
        text = raw.strip()
        if not re.fullmatch(r"\d{4}", text):
            raise InvalidAnswer("invalid")
        return self._within_bounds(int(text))

    def _within_bounds(self, number: int) -> str:
        lowest, highest = self.bounds
        if lowest is not None and number < lowest:
            raise InvalidAnswer("min")
        if highest is not None and number > highest:
            raise InvalidAnswer("max")
        return str(number)

    def _clean_date(self, raw: str) -> str:
        text = raw.strip()
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise InvalidAnswer("invalid")
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise InvalidAnswer("invalid") from None

    def _clean_consent(self, raw: str) -> str:
        if raw.strip() != CONSENT_GIVEN:
            raise InvalidAnswer("choice")
        return CONSENT_GIVEN

    def make_form(self, translate: Callable[[str], str], formdata=None, value=None) -> FlaskForm:
        """A form with one field, `answer`, filled from `formdata` or else from the stored `value`.

        Every error message comes from `self.messages` through `translate`.
        """

        class AnswerForm(FlaskForm):
            answer = self._wtforms_field(translate)

        if formdata is not None:
            return AnswerForm(formdata=formdata)
        return AnswerForm(formdata=None, answer=self._prefill(value))

    def _prefill(self, value):
        if self.type == "multiple" and isinstance(value, str):
            return [value]
        return value

    def _wtforms_field(self, translate: Callable[[str], str]):
        common = {
            "label": translate(self.label),
            "description": translate(self.help) if self.help else "",
            "validators": [self._validator(translate)],
        }
        # No browser autofill: the tablet is shared, so it would offer the last visitor's entries.
        typed = {"render_kw": {"autocomplete": "off"}}
        if self.type in ("single", "yesno", "rating"):
            return wtforms_fields.RadioField(
                choices=self._choices(translate), validate_choice=False, **common
            )
        if self.type == "multiple":
            return wtforms_fields.SelectMultipleField(
                choices=self._choices(translate),
                validate_choice=False,
                widget=widgets.ListWidget(prefix_label=False),
                option_widget=widgets.CheckboxInput(),
                **common,
            )
        if self.type == "consent":
            return _ConsentField(**common)
        if self.type == "textarea":
            typed["render_kw"]["maxlength"] = self.max_length
            return wtforms_fields.TextAreaField(**common, **typed)
        if self.type in ("number", "year"):
            typed["render_kw"]["inputmode"] = "numeric"
        elif self.type == "date":
            typed["widget"] = widgets.DateInput()
        else:
            typed["render_kw"]["maxlength"] = self.max_length
        return wtforms_fields.StringField(**common, **typed)

    def _choices(self, translate: Callable[[str], str]) -> list[SelectChoice]:
        return [SelectChoice(option.value, translate(option.label)) for option in self.options]

    def _validator(self, translate: Callable[[str], str]):
        # WTForms' own validators are not used: their messages are English.
        def validate_answer(form, wtforms_field):
            try:
                self.clean(wtforms_field.data)
            except InvalidAnswer as problem:
                raise ValidationError(self.message(problem.key, translate)) from None

        return validate_answer

    def stored_value(self, form: FlaskForm) -> str | list[str] | None:
        """The normalised answer of a form that passed validate()."""
        return self.clean(form.answer.data)

    def display(
        self,
        value,
        translate: Callable[[str], str],
        join: Callable[[list[str]], str] = ", ".join,
    ) -> str:
        """Human text for a stored value, e.g. "Deutsch, Arabisch" or "Keine Angabe".

        `join` lets the caller list several options the way the visitor's language does.
        """
        if value is None or value == []:
            return EMPTY_DISPLAY
        if _is_no_answer(value):
            return translate(NO_ANSWER_TEXT)
        if self.type == "consent" and value == CONSENT_GIVEN:
            return translate(CONSENT_GIVEN_TEXT)
        labels = {option.value: option.label for option in self.options}
        values = value if isinstance(value, list | tuple) else [value]
        return join([translate(labels[v]) if v in labels else str(v) for v in values])

    def custom_messages(self) -> dict[str, str]:
        """The messages the form file overrides."""
        defaults = default_messages(self.type)
        return {key: text for key, text in self.messages.items() if defaults.get(key) != text}

    def texts(self, form_slug: str) -> Iterator[tuple[str, str]]:
        """This field's own translatable texts; generated option labels are in UI_TEXTS."""
        where = f"form {form_slug}, field {self.name}"
        yield self.label, f"{where}, label"
        if self.help:
            yield self.help, f"{where}, help"
        if self.type in ("single", "multiple"):
            for option in self.options:
                yield option.label, f"{where}, option {option.value}"
        for key, text in self.custom_messages().items():
            yield text, f"{where}, message {key}"

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["options"] = [dataclasses.asdict(option) for option in self.options]
        data["show_if"] = [
            {"field": condition.field, "values": list(condition.values)}
            for condition in self.show_if
        ]
        data["messages"] = dict(self.messages)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Field":
        return cls(
            **{
                **data,
                "options": tuple(Option(**option) for option in data["options"]),
                "show_if": tuple(
                    Condition(condition["field"], tuple(condition["values"]))
                    for condition in data["show_if"]
                ),
            }
        )


_CLEANERS = {
    "single": Field._clean_choice,
    "yesno": Field._clean_choice,
    "rating": Field._clean_choice,
    "text": Field._clean_text,
    "textarea": Field._clean_text,
    "number": Field._clean_number,
    "year": Field._clean_year,
    "date": Field._clean_date,
    "consent": Field._clean_consent,
}


def _is_no_answer(raw) -> bool:
    return raw == NO_ANSWER or (isinstance(raw, list | tuple) and list(raw) == [NO_ANSWER])


def _is_empty(raw) -> bool:
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple):
        return not any(str(value).strip() for value in raw)
    return raw is None


class _ConsentField(wtforms_fields.StringField):
    """A checkbox whose value is "yes"; an unticked box sends nothing."""

    widget = widgets.CheckboxInput()

    @property
    def checked(self) -> bool:
        return self.data == CONSENT_GIVEN

    def _value(self) -> str:
        return CONSENT_GIVEN


@dataclasses.dataclass(frozen=True)
class FormSpec:
    slug: str
    title: str
    description: str
    purpose: str
    retention_days: int
    icon: str
    order: int
    one_tap: bool
    fields: tuple[Field, ...]
    path: str

    @cached_property
    def version_hash(self) -> str:
        """Changes whenever a text, option or rule changes; not when only the file moves."""
        content = {key: value for key, value in self.to_dict().items() if key != "path"}
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    def field(self, name: str) -> Field:
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)

    def visible_fields(self, answers: Mapping[str, str | list[str]]) -> list[Field]:
        """The fields to ask, given the answers so far.

        An answer to a field that is hidden now counts as not given, so a stale answer left
        from an earlier path through the form cannot show later questions.
        """
        visible, counted = [], {}
        for field in self.fields:
            if field.is_visible(counted):
                visible.append(field)
                if field.name in answers:
                    counted[field.name] = answers[field.name]
        return visible

    def visible_answers(self, answers: Mapping[str, str | list[str]]) -> dict:
        """The answers without those to fields that are hidden now."""
        return {f.name: answers[f.name] for f in self.visible_fields(answers) if f.name in answers}

    def has_personal_data(self) -> bool:
        return any(field.personal for field in self.fields)

    def to_dict(self) -> dict:
        data = {key.name: getattr(self, key.name) for key in dataclasses.fields(self)}
        data["fields"] = [field.to_dict() for field in self.fields]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "FormSpec":
        return cls(**{**data, "fields": tuple(Field.from_dict(field) for field in data["fields"])})

    def texts(self) -> Iterator[tuple[str, str]]:
        """Every translatable text of this form, each with a comment for translators."""
        where = f"form {self.slug}"
        yield self.title, f"{where}, title"
        if self.description:
            yield self.description, f"{where}, description"
        yield self.purpose, f"{where}, purpose"
        for field in self.fields:
            yield from field.texts(self.slug)


# --- Reading form files ------------------------------------------------------------------------

FORM_KEYS = (
    "title",
    "description",
    "purpose",
    "retention_days",
    "icon",
    "order",
    "one_tap",
    "fields",
)
FIELD_KEYS = (
    "name", "type", "label", "help", "required", "personal", "prefer_not_to_say", "options",
    "show_if", "min", "max", "min_length", "max_length", "pattern", "messages", "icon",
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


class _FormReader:
    """Reads one form file into a FormSpec, collecting every problem instead of stopping early."""

    def __init__(self, path):
        self.path = Path(path)
        self.problems: list[FormSpecError] = []

    def problem(self, message: str, field: str | None = None) -> None:
        self.problems.append(FormSpecError(self.path, field, message))

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
        self._check_one_tap(spec)
        self._check_consent_before_personal(spec)
        return spec

    def _settings(self, data: dict) -> dict:
        """Everything about the form but its fields."""
        slug = self.path.stem
        if not SLUG_PATTERN.fullmatch(slug):
            self.problem("the file name must be lowercase letters, digits and '-' (it is the slug)")
        retention_days = self._get(data, "retention_days", int, None, required=True)
        if retention_days is not None and retention_days < 1:
            self.problem("'retention_days' must be a positive whole number of days")
        return {
            "slug": slug,
            "title": self._text(data, "title", None, required=True),
            "description": self._text(data, "description", None) or "",
            "purpose": self._text(data, "purpose", None, required=True),
            "retention_days": retention_days,
            "icon": self._icon(data, None) or DEFAULT_FORM_ICON,
            "order": self._get(data, "order", int, None, default=0),
            "one_tap": self._get(data, "one_tap", bool, None, default=False),
            "path": str(self.path),
        }

    def _check_one_tap(self, spec: FormSpec) -> None:
        if spec.one_tap and [f.type for f in spec.fields] != ["single"]:
            self.problem("'one_tap' needs exactly one field, of type 'single'")

    def _check_consent_before_personal(self, spec: FormSpec) -> None:
        for field in spec.fields:
            if field.type == "consent":
                return
            if field.personal:
                self.problem("personal data needs a consent field before it", field.name)
                return

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
        if name is None:
            return None
        if not ICON_PATTERN.fullmatch(name) or not (ICONS_DIR / f"{name}.svg").is_file():
            self.problem(f"icon '{name}' not found in static/icons/", field)
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
        if not NAME_PATTERN.fullmatch(name):
            self.problem("a name must be lowercase letters, digits and '_'", name)
        self._check_keys(raw, FIELD_KEYS, name)
        field_type = self._get(raw, "type", str, name, required=True)
        if field_type is None:
            return None
        if field_type not in FIELD_TYPES:
            self.problem(f"unknown type '{field_type}'", name)
            return None
        self._check_keys_apply(raw, field_type, name)
        field = Field(
            name=name,
            type=field_type,
            label=self._text(raw, "label", name, required=True),
            help=self._text(raw, "help", name),
            required=self._get(raw, "required", bool, name, default=False),
            personal=self._get(raw, "personal", bool, name, default=False),
            prefer_not_to_say=self._get(raw, "prefer_not_to_say", bool, name, default=False),
            options=self._options(raw, field_type, name),
            show_if=self._conditions(raw.get("show_if"), name, earlier, names),
            min=self._count(raw, "min", name, allow_negative=field_type != "multiple"),
            max=self._count(raw, "max", name, allow_negative=field_type != "multiple"),
            min_length=self._count(raw, "min_length", name),
            max_length=self._count(raw, "max_length", name),
            pattern=self._pattern(raw, name),
            messages=self._messages(raw, name),
            icon=self._icon(raw, name),
        )
        self._check_field_rules(field)
        return None if len(self.problems) > problems_before else field

    def _check_keys_apply(self, raw: dict, field_type: str, name: str) -> None:
        for key, types in KEY_TYPES.items():
            if key in raw and field_type not in types:
                self.problem(f"'{key}' does not apply to type '{field_type}'", name)

    def _check_field_rules(self, field: Field) -> None:
        if field.min is not None and field.max is not None and field.min > field.max:
            self.problem(f"min ({field.min}) is greater than max ({field.max})", field.name)
        lengths = (field.min_length, field.max_length)
        if None not in lengths and lengths[0] > lengths[1]:
            self.problem(
                f"min_length ({field.min_length}) is greater than max_length ({field.max_length})",
                field.name,
            )
        if field.type == "consent" and field.personal:
            self.problem("a consent field cannot be personal: it only stores 'yes'", field.name)

    def _count(self, raw: dict, key: str, name: str, *, allow_negative=False) -> int | None:
        value = self._get(raw, key, int, name)
        if value is not None and value < 0 and not allow_negative:
            self.problem(f"'{key}' must not be negative", name)
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
        if value == NO_ANSWER:
            self.problem(f"option value '{NO_ANSWER}' is reserved for 'prefer not to say'", name)
        elif value is not None and not VALUE_PATTERN.fullmatch(value):
            self.problem(f"{shown}: a value must be lowercase letters, digits, '_' and '-'", name)
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
        if other not in names:
            self.problem(f"show_if refers to '{other}', which is not a field of this form", name)
            return None
        if other not in earlier:
            self.problem(f"show_if refers to '{other}', which does not come before it", name)
            return None
        offered = {option.value for option in earlier[other].options} if earlier[other] else set()
        for value in values:
            if offered and value not in offered:
                self.problem(f"show_if value '{value}' is not an option of '{other}'", name)
        return Condition(other, tuple(values))

    def _pattern(self, raw: dict, name: str) -> str | None:
        pattern = self._get(raw, "pattern", str, name)
        if pattern is None:
            return None
        try:
            re.compile(pattern)
        except re.error as error:
            self.problem(f"'pattern' is not a valid regular expression: {error}", name)
        return pattern

    def _messages(self, raw: dict, name: str) -> dict[str, str]:
        messages = self._get(raw, "messages", dict, name, default={})
        checked = {}
        for key, text in messages.items():
            if key not in MESSAGE_KEYS:
                self.problem(f"unknown message '{key}' (known: {', '.join(MESSAGE_KEYS)})", name)
            elif not isinstance(text, str) or not text.strip():
                self.problem(f"message '{key}' must be a text", name)
            elif not _placeholders_fit(text):
                self.problem(f"message '{key}' may only use %(min)s and %(max)s", name)
            else:
                checked[key] = text.strip()
        return checked


def _placeholders_fit(text: str) -> bool:
    try:
        text % {"min": 1, "max": 2}
    except (KeyError, ValueError, TypeError):
        return False
    return True


# --- Public entry points -----------------------------------------------------------------------


def load_form(path) -> FormSpec:
    """The checked form of one file; raises the first FormSpecError."""
    reader = _FormReader(path)
    spec = reader.read()
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
        reader = _FormReader(path)
        reader.read()
        problems += reader.problems
    return problems


def load_forms(directory) -> dict[str, FormSpec]:
    """Every form in `directory` by slug, ordered by (order, slug); raises the first problem."""
    specs = [load_form(path) for path in _form_paths(directory)]
    return {spec.slug: spec for spec in sorted(specs, key=lambda spec: (spec.order, spec.slug))}


# --- Babel extraction --------------------------------------------------------------------------

# Strings and comments of a TOML file, so a text can be found on the line where it is written.
_TOML_STRING_OR_COMMENT = re.compile(
    r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""'
    r"|'''[\s\S]*?'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
)


def _text_lines(source: str) -> dict[str, list[int]]:
    """For every string in the TOML source, its (stripped) value and the lines it starts on."""
    lines = defaultdict(list)
    for match in _TOML_STRING_OR_COMMENT.finditer(source):
        literal = match.group()
        if literal.startswith("#"):
            continue
        try:
            value = tomllib.loads(f"text = {literal}")["text"]
        except tomllib.TOMLDecodeError:
            continue
        lines[value.strip()].append(source.count("\n", 0, match.start()) + 1)
    return lines


def extract_form_texts(fileobj, keywords, comment_tags, options):
    """Babel extraction method for forms/*.toml: yields (lineno, None, text, [comment]).

    The form is checked first, so a broken form stops the extraction with its FormSpecError.
    UI_TEXTS are not yielded here: they are extracted from this module's N_() calls.
    """
    source = fileobj.read()
    if isinstance(source, bytes):
        source = source.decode("utf-8")
    reader = _FormReader(getattr(fileobj, "name", None) or os.path.join("forms", "form.toml"))
    spec = reader.read(source)
    if reader.problems:
        raise reader.problems[0]
    lines = _text_lines(source)
    for text, comment in spec.texts():
        # The same text may occur more than once; each occurrence is used in turn.
        found = lines.get(text)
        lineno = found.pop(0) if found else 1
        yield lineno, None, text, [comment]

"""The form specification: FormSpec, Field and their options, texts and error messages.

A form file holds German texts only; they are gettext msgids, translated where they are shown.
The texts this package adds itself (default error messages, "Ja"/"Nein", the rating labels, ...)
are listed in UI_TEXTS and written here as `N_("...")`, so the ordinary Python extraction of
`kiosk/**.py` puts them into the catalogs; `extract_form_texts` yields only the forms' own texts.
"""

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from functools import cached_property
from pathlib import Path

from flask_wtf import FlaskForm

from .answers import (
    CONSENT_GIVEN,
    NO_ANSWER,
    NUMBER_TYPES,
    clean_answer,
    example_answer,
    is_no_answer,
    typed_original,
)
from .builder import answer_form
from .digits import fill_message

FIELD_TYPES = (
    "single", "multiple", "text", "textarea", "number", "year", "date", "yesno", "rating", "consent"
)  # fmt: skip
ICONS_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "icons"
DEFAULT_FORM_ICON = "clipboard-text"
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 2000}
EARLIEST_YEAR = 1940


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
# %(example)s is a valid answer (answers.EXAMPLES); numbers are written in the visitor's digits.
TYPE_MESSAGES = {
    "number": {"invalid": N_("Bitte schreiben Sie eine Zahl, zum Beispiel %(example)s.")},
    "year": {
        "invalid": N_("Bitte schreiben Sie ein Jahr mit 4 Ziffern, zum Beispiel %(example)s."),
        "min": N_("Das Jahr ist zu früh. Bitte schreiben Sie ein Jahr von %(min)s bis %(max)s."),
        "max": N_("Das Jahr ist zu spät. Bitte schreiben Sie ein Jahr von %(min)s bis %(max)s."),
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


# A number with both bounds names the whole range (a year always has both).
RANGE_MESSAGES = {
    "min": N_("Die Zahl ist zu klein. Bitte schreiben Sie eine Zahl von %(min)s bis %(max)s."),
    "max": N_("Die Zahl ist zu groß. Bitte schreiben Sie eine Zahl von %(min)s bis %(max)s."),
}


def default_messages(field_type: str, both_bounds: bool = False) -> dict[str, str]:
    """The German error messages of a field type, before any override from its form file."""
    messages = {**DEFAULT_MESSAGES, **TYPE_MESSAGES.get(field_type, {})}
    return {**messages, **RANGE_MESSAGES} if field_type == "number" and both_bounds else messages


def _ui_texts() -> tuple[str, ...]:
    texts = [option.label for options in GENERATED_OPTIONS.values() for option in options]
    texts += [NO_ANSWER_OPTION.label, NO_ANSWER_TEXT, CONSENT_GIVEN_TEXT]
    texts += [text for field_type in FIELD_TYPES for text in default_messages(field_type).values()]
    texts += RANGE_MESSAGES.values()
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
    digits: str | None = None  # "ascii": a text's digits of any script are stored as ASCII
    # Excluded from hash() because a dict is not hashable; equality still compares it.
    messages: Mapping[str, str] = dataclasses.field(default_factory=dict, hash=False)
    icon: str | None = None
    # A consent's two answers, when its question needs other words than the defaults
    # ("Ja, einverstanden" / "Nein, lieber nicht", in templates/kiosk/_consent.html).
    yes_label: str | None = None
    no_label: str | None = None

    def __post_init__(self):
        # Filled in here, not by the loader, so that every Field is complete however it was made.
        if not self.options and self.type in GENERATED_OPTIONS:
            object.__setattr__(self, "options", GENERATED_OPTIONS[self.type])
        if self.max_length is None and self.type in DEFAULT_MAX_LENGTH:
            object.__setattr__(self, "max_length", DEFAULT_MAX_LENGTH[self.type])
        defaults = default_messages(self.type, self._both_bounds)
        object.__setattr__(self, "messages", {**defaults, **self.messages})

    @property
    def _both_bounds(self) -> bool:
        return self.min is not None and self.max is not None

    @property
    def takes_any_digits(self) -> bool:
        """Whether digits of every script are read (and stored as ASCII): numbers, years and
        text fields with `digits = "ascii"`."""
        return self.type in NUMBER_TYPES or self.digits == "ascii"

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

    def message(self, key: str, translate: Callable[[str], str], locale: str | None = None) -> str:
        """The translated error message `key` with its %(min)s, %(max)s and %(example)s filled
        in, in the digits of `locale` (Latin without one); for a field that takes digits of any
        script, every digit of the message is written so, e.g. a form's example phone number."""
        text = translate(self.messages.get(key) or default_messages(self.type)[key])
        lowest, highest = (
            (self.min_length, self.max_length)
            if key in ("min_length", "max_length")
            else self.bounds
        )
        values = {"min": lowest, "max": highest, "example": example_answer(self)}
        return fill_message(text, values, locale, all_digits=self.takes_any_digits)

    def clean(self, raw) -> str | list[str] | None:
        """The value to store for raw form data (str, list or None); raises InvalidAnswer."""
        return clean_answer(self, raw)

    def make_form(self, translate: Callable[[str], str], formdata=None, value=None) -> FlaskForm:
        """A form with one field, `answer`, filled from `formdata` or else from the stored `value`.

        Every error message comes from `self.messages` through `translate`.
        """
        return answer_form(self, translate, formdata, value)

    def stored_value(self, form: FlaskForm) -> str | list[str] | None:
        """The normalised answer of a form that passed validate()."""
        return self.clean(form.answer.data)

    def typed_value(self, form: FlaskForm) -> str | None:
        """The answer of a validated form as typed, when not as stored (e.g. Persian digits for
        "2016"), else None: shown back to the visitor, kept in the draft only (drafts.py)."""
        return typed_original(self, form.answer.data)

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
        if is_no_answer(value):
            return translate(NO_ANSWER_TEXT)
        if self.type == "consent" and value == CONSENT_GIVEN:
            return translate(CONSENT_GIVEN_TEXT)
        labels = {option.value: option.label for option in self.options}
        values = value if isinstance(value, list | tuple) else [value]
        return join([translate(labels[v]) if v in labels else str(v) for v in values])

    def custom_messages(self) -> dict[str, str]:
        """The messages the form file overrides."""
        defaults = default_messages(self.type, self._both_bounds)
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
        for key in ("yes_label", "no_label"):
            if getattr(self, key):
                yield getattr(self, key), f"{where}, {key}"
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
        for key in ("digits", "yes_label", "no_label"):
            if data[key] is None:
                # An option only counts once set: forms without it keep their version.
                del data[key]
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
    # The thank-you shows a short code the volunteers find the submission by (visitor_code.py).
    visitor_code: bool = False
    # False: counted and reported, never in the volunteers' inbox (the one-tap visit).
    review: bool = True

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
        # Only once they differ from the default: the forms without them keep their version.
        if not self.visitor_code:
            del data["visitor_code"]
        if self.review:
            del data["review"]
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

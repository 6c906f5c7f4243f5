"""Checks of a form that hold whatever its file format: of the values read and the FormSpec built.

A reader of one file format builds on FormChecker, which collects every problem instead of
stopping at the first, each as a FormSpecError naming the file and, where there is one, the field.
"""

import re
from collections.abc import Mapping
from pathlib import Path

from .answers import NO_ANSWER
from .digits import DIGITS_OPTIONS
from .spec import ICONS_DIR, MESSAGE_KEYS, Condition, Field, FormSpec, FormSpecError

SLUG_PATTERN = re.compile(r"[a-z0-9-]+")
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
VALUE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")
ICON_PATTERN = re.compile(r"[a-z0-9-]+")

# The end of a sentence: its full stop, question or exclamation mark before a space or the end.
SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


class FormChecker:
    """Collects the problems of one form file while a reader turns it into a FormSpec."""

    def __init__(self, path):
        self.path = Path(path)
        self.problems: list[FormSpecError] = []

    def problem(self, message: str, field: str | None = None) -> None:
        self.problems.append(FormSpecError(self.path, field, message))

    def checked_slug(self) -> str:
        """The form's slug, which is its file name without the suffix."""
        slug = self.path.stem
        if not SLUG_PATTERN.fullmatch(slug):
            self.problem("the file name must be lowercase letters, digits and '-' (it is the slug)")
        return slug

    def check_retention_days(self, retention_days: int | None) -> None:
        if retention_days is not None and retention_days < 1:
            self.problem("'retention_days' must be a positive whole number of days")

    def check_icon(self, name: str, field: str | None) -> None:
        if not ICON_PATTERN.fullmatch(name) or not (ICONS_DIR / f"{name}.svg").is_file():
            self.problem(f"icon '{name}' not found in static/icons/", field)

    def check_name(self, name: str) -> None:
        if not NAME_PATTERN.fullmatch(name):
            self.problem("a name must be lowercase letters, digits and '_'", name)

    def check_option_value(self, value: str | None, shown: str, name: str) -> None:
        if value == NO_ANSWER:
            self.problem(f"option value '{NO_ANSWER}' is reserved for 'prefer not to say'", name)
        elif value is not None and not VALUE_PATTERN.fullmatch(value):
            self.problem(f"{shown}: a value must be lowercase letters, digits, '_' and '-'", name)

    def check_count(self, key: str, value: int | None, name: str, *, allow_negative) -> None:
        if value is not None and value < 0 and not allow_negative:
            self.problem(f"'{key}' must not be negative", name)

    def check_pattern(self, pattern: str, name: str) -> None:
        try:
            re.compile(pattern)
        except re.error as error:
            self.problem(f"'pattern' is not a valid regular expression: {error}", name)

    def check_digits(self, value: str, name: str) -> None:
        if value not in DIGITS_OPTIONS:
            known = ", ".join(f'"{option}"' for option in DIGITS_OPTIONS)
            self.problem(f"'digits' must be one of {known}, not \"{value}\"", name)

    def check_message(self, key: str, text, name: str) -> bool:
        """True when the form file may override message `key` with `text`."""
        if key not in MESSAGE_KEYS:
            self.problem(f"unknown message '{key}' (known: {', '.join(MESSAGE_KEYS)})", name)
        elif not isinstance(text, str) or not text.strip():
            self.problem(f"message '{key}' must be a text", name)
        elif not _placeholders_fit(text):
            self.problem(f"message '{key}' may only use %(min)s, %(max)s and %(example)s", name)
        else:
            return True
        return False

    def checked_condition(
        self,
        other: str,
        values: list[str],
        name: str,
        earlier: Mapping[str, Field | None],
        names: list,
    ) -> Condition | None:
        """The condition that `other`, a field before `name`, has one of `values`; else None.

        `earlier` holds the fields before this one by name, None for those that had problems.
        """
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

    def check_field(self, field: Field) -> None:
        """The rules that concern several settings of one field."""
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
        if field.type == "consent" and field.help and len(SENTENCE_END.findall(field.help)) > 3:
            self.problem(
                "a consent's help is at most three short sentences (the whole text is the "
                "form's 'purpose', behind \"Mehr erfahren\")",
                field.name,
            )

    def check_form(self, spec: FormSpec) -> None:
        """The rules that concern the form as a whole."""
        self._check_one_tap(spec)
        self._check_consent_before_personal(spec)
        self._check_visitor_code(spec)

    def _check_one_tap(self, spec: FormSpec) -> None:
        if spec.one_tap and [f.type for f in spec.fields] != ["single"]:
            self.problem("'one_tap' needs exactly one field, of type 'single'")

    def _check_visitor_code(self, spec: FormSpec) -> None:
        # The code ties the answers to the person who shows it: only for answers stored with
        # consent, never on an anonymous form (nor a one-tap one, which has no consent field).
        consented = any(f.type == "consent" and f.required for f in spec.fields)
        if spec.visitor_code and not consented:
            self.problem(
                "'visitor_code' needs a required consent field (it ties answers to a person)"
            )
        if spec.visitor_code and not spec.review:
            # The code finds a submission in the inbox, which such a form never fills.
            self.problem("'visitor_code' needs the form in the inbox: not with 'review = false'")

    def _check_consent_before_personal(self, spec: FormSpec) -> None:
        for field in spec.fields:
            if field.type == "consent":
                return
            if field.personal:
                self.problem("personal data needs a consent field before it", field.name)
                return


def _placeholders_fit(text: str) -> bool:
    try:
        text % {"min": 1, "max": 2, "example": 3}
    except (KeyError, ValueError, TypeError):
        return False
    return True

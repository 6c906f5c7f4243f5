"""Answers: how raw form data becomes the value stored for a field, or an InvalidAnswer.

Answers are stored as strings (numbers and years too), lists of strings for `multiple`, the
string NO_ANSWER when the visitor chose "prefer not to say", and None when a field was skipped.
Before any rule is checked, a typed answer is made plain (`incoming`): numbers and years, and
text fields with `digits = "ascii"`, in ASCII digits; free text without bidi controls.
"""

import re
from datetime import date
from typing import TYPE_CHECKING

from .digits import plain_digits, plain_number, without_bidi_controls

if TYPE_CHECKING:
    from .spec import Field

NO_ANSWER = "no_answer"
CONSENT_GIVEN = "yes"
TEXT_TYPES = ("text", "textarea")
NUMBER_TYPES = ("number", "year")
EXAMPLES = {"number": 3, "year": 2016}  # a valid answer for an error message, within the bounds


class InvalidAnswer(ValueError):
    """An answer that breaks a rule of its field; `key` names the message to show."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def is_no_answer(raw) -> bool:
    return raw == NO_ANSWER or (isinstance(raw, list | tuple) and list(raw) == [NO_ANSWER])


def is_empty(raw) -> bool:
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple):
        return not any(str(value).strip() for value in raw)
    return raw is None


def clean_answer(field: "Field", raw) -> str | list[str] | None:
    """The value to store for raw form data (str, list or None); raises InvalidAnswer."""
    if field.prefer_not_to_say and is_no_answer(raw):
        return NO_ANSWER
    if isinstance(raw, str):
        raw = incoming(field, raw)
    if is_empty(raw):
        if field.required:
            raise InvalidAnswer("required")
        return None
    if field.type == "multiple":
        return _clean_choices(field, raw)
    if not isinstance(raw, str):
        raise InvalidAnswer("invalid")
    return _CLEANERS[field.type](field, raw)


def incoming(field: "Field", raw: str) -> str:
    """A typed answer made plain before its rules are checked (see the module's docstring)."""
    if field.type in NUMBER_TYPES:
        return plain_number(raw)
    if field.type in TEXT_TYPES:
        return plain_digits(raw) if field.digits == "ascii" else without_bidi_controls(raw)
    return raw


def typed_original(field: "Field", raw) -> str | None:
    """The typed answer as the visitor wrote it (trimmed, without bidi controls) when that is
    not how it is stored, e.g. "۲۰۱۶" for "2016"; None when they are the same or not typed."""
    if field.type not in TEXT_TYPES + NUMBER_TYPES or not isinstance(raw, str):
        return None
    try:
        stored = clean_answer(field, raw)
    except InvalidAnswer:
        return None
    if not isinstance(stored, str) or stored == NO_ANSWER:
        return None
    typed = without_bidi_controls(raw).replace("\r\n", "\n").strip()
    return typed if typed != stored else None


def example_answer(field: "Field") -> int | None:
    """A valid number or year to show in an error message: EXAMPLES, moved into the bounds."""
    if field.type not in EXAMPLES:
        return None
    lowest, highest = field.bounds
    value = EXAMPLES[field.type] if lowest is None else max(EXAMPLES[field.type], lowest)
    return value if highest is None else min(value, highest)


def _clean_choice(field: "Field", raw: str) -> str:
    if raw not in {option.value for option in field.options}:
        raise InvalidAnswer("choice")
    return raw


def _clean_choices(field: "Field", raw) -> list[str]:
    chosen = {raw} if isinstance(raw, str) else {value for value in raw if value.strip()}
    offered = [option.value for option in field.options]
    if not chosen <= set(offered):
        raise InvalidAnswer("choice")
    if field.min is not None and len(chosen) < field.min:
        raise InvalidAnswer("min")
    if field.max is not None and len(chosen) > field.max:
        raise InvalidAnswer("max")
    return [value for value in offered if value in chosen]


def _clean_text(field: "Field", raw: str) -> str:
    # Browsers send a textarea's line breaks as CRLF but count them as one character.
    text = raw.replace("\r\n", "\n").strip()
    if field.min_length is not None and len(text) < field.min_length:
        raise InvalidAnswer("min_length")
    if field.max_length is not None and len(text) > field.max_length:
        raise InvalidAnswer("max_length")
    if field.pattern and not re.fullmatch(field.pattern, text):
        raise InvalidAnswer("pattern")
    return text


def _matching(raw: str, pattern: str) -> str:
    """`raw` without surrounding white space, when all of it matches `pattern`."""
    text = raw.strip()
    if not re.fullmatch(pattern, text):
        raise InvalidAnswer("invalid")
    return text


def _clean_number(field: "Field", raw: str) -> str:
    # The digits are ASCII already, whatever script they were typed in (see `incoming`).
    return _within_bounds(field, int(_matching(raw, r"[+-]?[0-9]{1,18}")))


def _clean_year(field: "Field", raw: str) -> str:
    return _within_bounds(field, int(_matching(raw, r"[0-9]{4}")))


def _within_bounds(field: "Field", number: int) -> str:
    lowest, highest = field.bounds
    if lowest is not None and number < lowest:
        raise InvalidAnswer("min")
    if highest is not None and number > highest:
        raise InvalidAnswer("max")
    return str(number)


def _clean_date(field: "Field", raw: str) -> str:
    text = _matching(raw, r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidAnswer("invalid") from None


def _clean_consent(field: "Field", raw: str) -> str:
    if raw.strip() != CONSENT_GIVEN:
        raise InvalidAnswer("choice")
    return CONSENT_GIVEN


_CLEANERS = {
    "single": _clean_choice,
    "yesno": _clean_choice,
    "rating": _clean_choice,
    "text": _clean_text,
    "textarea": _clean_text,
    "number": _clean_number,
    "year": _clean_year,
    "date": _clean_date,
    "consent": _clean_consent,
}

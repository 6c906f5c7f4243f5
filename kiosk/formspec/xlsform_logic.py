"""The few XLSForm expressions the kiosk understands, read and written.

`relevant`: `${x} = 'v'`, `selected(${x}, 'v')`, several of those joined by `or` for one field
(one condition with several values), groups joined by `and` (several conditions, one per field).
`constraint`: `. >= 1`, `. <= 10` (also `>`/`<`), `count-selected(.) …` for a select_multiple,
`string-length(.) …` and `regex(., '…')` for a text, joined by `and`.
Anything else raises ExpressionError with a German sentence saying what the kiosk understands.
"""

import re

from .spec import DEFAULT_MAX_LENGTH

TOKEN = re.compile(
    r"""\s*(?:
      (?P<selected>selected\(\s*\$\{(?P<s_field>[^}]+)\}\s*,\s*(?P<s_quote>['"])(?P<s_value>.*?)(?P=s_quote)\s*\))
    | (?P<equals>\$\{(?P<e_field>[^}]+)\}\s*=\s*(?P<e_quote>['"])(?P<e_value>.*?)(?P=e_quote))
    | (?P<compare>(?P<c_subject>\.|string-length\(\s*\.\s*\)|count-selected\(\s*\.\s*\))\s*
        (?P<c_op>>=|<=|>|<)\s*(?P<c_number>-?\d+))
    | (?P<regex>regex\(\s*\.\s*,\s*(?P<r_quote>['"])(?P<r_pattern>.*?)(?P=r_quote)\s*\))
    | (?P<word>and|or)\b
    | (?P<paren>[()])
    )""",
    re.VERBOSE,
)
RELEVANT_HELP = (
    "Der Kiosk versteht hier nur ${frage} = 'wert' und selected(${frage}, 'wert'), "
    "mit or für eine Frage und and zwischen verschiedenen Fragen."
)
CONSTRAINT_HELP = (
    "Der Kiosk versteht hier nur einfache Grenzen wie . >= 1 and . <= 10, "
    "string-length(.) <= 40, count-selected(.) <= 3 und regex(., '…'), verbunden mit and."
)


class ExpressionError(ValueError):
    """An expression the kiosk cannot express; the argument is a German sentence."""


def _tokens(text: str, help_text: str) -> list[re.Match]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            shown = text[position:].strip()[:30]
            raise ExpressionError(f"„{shown}“ kann der Kiosk nicht lesen. {help_text}")
        tokens.append(match)
        position = match.end()
    return tokens


def parse_relevant(text: str) -> list[tuple[str, list[str]]]:
    """[(field, values)] of a `relevant`: every entry must hold; each holds for one of its
    values."""
    tokens = _tokens(text, RELEVANT_HELP)
    groups, position = [], 0
    while True:
        group, position = _or_group(tokens, position)
        groups.append(group)
        if position == len(tokens):
            break
        if tokens[position].group("word") != "and":
            raise ExpressionError(RELEVANT_HELP)
        position += 1
    conditions: dict[str, list[str]] = {}
    for field, values in groups:
        if field in conditions:
            raise ExpressionError(
                f"Die Frage {field} kommt in mehreren and-Teilen vor. Verbinden Sie ihre Werte "
                "mit or, in Klammern."
            )
        conditions[field] = values
    return list(conditions.items())


def _or_group(tokens: list[re.Match], position: int) -> tuple[tuple[str, list[str]], int]:
    opened = position < len(tokens) and tokens[position].group("paren") == "("
    position += opened
    field, values = None, []
    while True:
        if position >= len(tokens):
            raise ExpressionError(RELEVANT_HELP)
        token = tokens[position]
        if token.group("selected"):
            name, value = token.group("s_field"), token.group("s_value")
        elif token.group("equals"):
            name, value = token.group("e_field"), token.group("e_value")
        else:
            raise ExpressionError(RELEVANT_HELP)
        if field not in (None, name.strip()):
            raise ExpressionError(
                "Mit or verbinden Sie nur Werte derselben Frage; für verschiedene Fragen "
                "gilt im Kiosk nur and."
            )
        field = name.strip()
        values.append(value)
        position += 1
        if position < len(tokens) and tokens[position].group("word") == "or":
            position += 1
            continue
        break
    if opened:
        if position >= len(tokens) or tokens[position].group("paren") != ")":
            raise ExpressionError(RELEVANT_HELP)
        position += 1
    return (field, values), position


# The rule each compared subject sets, by comparison: (key, adjustment to the number).
BOUNDS = {
    ">=": ("min", 0),
    ">": ("min", 1),
    "<=": ("max", 0),
    "<": ("max", -1),
}
SUBJECTS = {".": "value", "string-length": "length", "count-selected": "count"}


def parse_constraint(text: str) -> list[tuple[str, str, int | str]]:
    """[(subject, key, value)]: subject "value", "length", "count" or "pattern"; key "min",
    "max" or "pattern"."""
    tokens = _tokens(text, CONSTRAINT_HELP)
    rules = []
    for number, token in enumerate(tokens):
        if number % 2:
            if token.group("word") != "and":
                raise ExpressionError(CONSTRAINT_HELP)
            continue
        if token.group("compare"):
            subject = SUBJECTS[token.group("c_subject").split("(")[0]]
            key, adjust = BOUNDS[token.group("c_op")]
            rules.append((subject, key, int(token.group("c_number")) + adjust))
        elif token.group("regex"):
            rules.append(("pattern", "pattern", token.group("r_pattern")))
        else:
            raise ExpressionError(CONSTRAINT_HELP)
    if len(tokens) % 2 == 0:
        raise ExpressionError(CONSTRAINT_HELP)
    return rules


def quoted(text: str) -> str:
    """An XPath string literal of `text` (which cannot hold both kinds of quotes)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise ValueError(f"cannot quote {text!r} in XPath")


def relevant_text(conditions, field_types: dict[str, str]) -> str:
    """The `relevant` of a field's show_if; `field_types` gives the type of each earlier field."""
    groups = []
    for condition in conditions:
        kind = field_types.get(condition.field)
        parts = []
        for value in condition.values:
            if kind == "multiple":
                parts.append(f"selected(${{{condition.field}}}, {quoted(value)})")
            else:
                # An acknowledge's answer is "OK" in XLSForm; ours is "yes".
                shown = "OK" if kind == "consent" and value == "yes" else value
                parts.append(f"${{{condition.field}}} = {quoted(shown)}")
        joined = " or ".join(parts)
        groups.append(f"({joined})" if len(parts) > 1 and len(conditions) > 1 else joined)
    return " and ".join(groups)


def constraint_text(field) -> tuple[str, tuple[str, ...]]:
    """The `constraint` of a field and the message keys it sets."""
    parts, keys = [], []
    if field.type in ("number", "year", "multiple"):
        subject = "count-selected(.)" if field.type == "multiple" else "."
        for key, op in (("min", ">="), ("max", "<=")):
            if getattr(field, key) is not None:
                parts.append(f"{subject} {op} {getattr(field, key)}")
                keys.append(key)
    if field.type in ("text", "textarea"):
        if field.min_length is not None:
            parts.append(f"string-length(.) >= {field.min_length}")
            keys.append("min_length")
        if field.max_length is not None and field.max_length != DEFAULT_MAX_LENGTH[field.type]:
            parts.append(f"string-length(.) <= {field.max_length}")
            keys.append("max_length")
        if field.pattern is not None:
            parts.append(f"regex(., {quoted(field.pattern)})")
            keys.append("pattern")
    return " and ".join(parts), tuple(keys)

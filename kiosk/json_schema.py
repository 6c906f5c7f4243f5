"""JSON documents checked against a JSON Schema, each problem told as a German sentence.

The schemas are JSON Schema draft 2020-12, checked with the `jsonschema` library. The directory
(kiosk/directory/schema.py) and the hub's wire formats (kiosk/hub/wire.py) share what is the
same for both: loading and checking a schema, and turning one `ValidationError` into the path of
the field it is about and one German sentence ("Dieses Pflichtfeld fehlt."). Where a problem is
and which one to tell first is each caller's own business.
"""

import difflib
import json
from pathlib import Path

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

TYPE_NAMES = {
    "string": "ein Text in Anführungszeichen",
    "integer": "eine ganze Zahl",
    "number": "eine Zahl",
    "boolean": "true oder false",
    "array": "eine Liste in eckigen Klammern",
    "object": "ein Objekt in geschweiften Klammern",
    "null": "null",
}

# "integer" as Python counts: 2.0 is a number but no whole number (JSON Schema allows it).
StrictIntegers = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool)
    ),
)


def load_schema(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def make_validator(schema: dict, strict_integers: bool = False) -> Draft202012Validator:
    """A validator for `schema`, which is checked first (a broken schema fails loudly)."""
    Draft202012Validator.check_schema(schema)
    return (StrictIntegers if strict_integers else Draft202012Validator)(schema)


def join_path(path) -> str:
    """["hours", "mo", 1] as "hours.mo[1]"."""
    text = ""
    for part in path:
        if part == "":
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def shown(value: object, limit: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"„{text[:limit]}…“" if len(text) > limit else f"„{text}“"


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def named_field(error: ValidationError) -> str:
    """The field a "required" or "additionalProperties" error is about."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    if error.validator == "required":
        return next(name for name in error.validator_value if name not in instance)
    if error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        return next(name for name in instance if name not in known)
    return ""


def problem(error: ValidationError) -> tuple[list, str]:
    """The path of the field `error` is about, and what is wrong there, in German.

    For a missing or unknown field the path ends with that field's name.
    """
    path = list(error.absolute_path)
    keyword, value, instance = error.validator, error.validator_value, error.instance
    if "propertyNames" in error.absolute_schema_path:
        allowed = f"; möglich sind: {', '.join(value)}" if keyword == "enum" else ""
        hint = error.schema.get("description", "").rstrip(".")
        hint = f" ({hint})" if hint else ""
        return path, f"{shown(instance)} ist hier als Name nicht erlaubt{allowed}{hint}."
    if keyword == "required":
        return [*path, named_field(error)], "Dieses Pflichtfeld fehlt."
    if keyword == "additionalProperties":
        extra = named_field(error)
        close = difflib.get_close_matches(extra, list(error.schema.get("properties", {})), n=1)
        guess = f"; gemeint ist vielleicht „{close[0]}“" if close else ""
        return [*path, extra], f"Dieses Feld gibt es nicht{guess}."
    if keyword == "type":
        wanted = " oder ".join(TYPE_NAMES[name] for name in as_list(value))
        return path, f"Hier muss {wanted} stehen, nicht {shown(instance)}."
    if keyword == "const":
        return path, f"Hier muss „{value}“ stehen, nicht {shown(instance)}."
    if keyword == "enum":
        allowed = ", ".join(f"„{item}“" for item in value)
        return path, f"{shown(instance)} ist nicht erlaubt; möglich sind: {allowed}."
    return path, simple_message(error)


def simple_message(error: ValidationError) -> str:
    keyword, value, instance = error.validator, error.validator_value, error.instance
    if keyword == "minLength" and value == 1:
        return "Das darf nicht leer sein; ohne Text lassen Sie das Feld ganz weg."
    if keyword == "maxLength":
        return f"Der Text ist zu lang: {len(instance)} Zeichen, höchstens {value} sind erlaubt."
    if keyword == "minItems":
        return f"Die Liste hat {len(instance)} Werte, mindestens {value} sind nötig."
    if keyword == "maxItems":
        return f"Die Liste hat {len(instance)} Werte, höchstens {value} sind erlaubt."
    if keyword == "maxProperties":
        return f"Hier stehen {len(instance)} Angaben, höchstens {value} sind erlaubt."
    if keyword == "uniqueItems":
        return "Ein Wert steht doppelt in der Liste."
    if keyword == "minimum":
        return f"Die Zahl muss mindestens {value} sein, nicht {instance}."
    if keyword == "maximum":
        return f"Die Zahl darf höchstens {value} sein, nicht {instance}."
    if keyword == "pattern":
        hint = error.schema.get("description", "")
        return f"{shown(instance)} passt nicht: {hint.rstrip('.')}." if hint else "Das passt nicht."
    return f"{shown(instance)} ist hier nicht erlaubt."

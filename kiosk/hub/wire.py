"""What a site sends the hub, checked against its JSON Schema (wire.schema.json).

The schema describes a report record as kiosk/reports/store.py writes it (its summary as
kiosk/reports/summary.py builds it) and a heartbeat as kiosk/sync/heartbeat.py sends it. The
hub checks both on receipt (receive.py), and checks a stored summary again before adding it up
(site_summaries.py), so a report that was stored before these checks existed, or that was changed
since, is left out instead of breaking the town's report. The first problem becomes one German
sentence naming the field ("Feld site.name: Dieses Pflichtfeld fehlt."), as the directory's
schema does (kiosk/json_schema.py holds what both share).
"""

from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from ..json_schema import join_path, load_schema, make_validator, problem

SCHEMA_PATH = Path(__file__).with_name("wire.schema.json")
SCHEMA = load_schema(SCHEMA_PATH)


class WireError(ValueError):
    """A document that does not fit the schema; `field` is its path ("site.name")."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


@cache
def validator(definition: str) -> Draft202012Validator:
    """The validator of one of the schema's definitions: "record", "heartbeat", "summary"."""
    schema = {key: SCHEMA[key] for key in ("$schema", "$id", "$defs")}
    return make_validator({**schema, "$ref": f"#/$defs/{definition}"}, strict_integers=True)


def check(definition: str, document: object, prefix: str = "") -> None:
    """Raises WireError unless `document` fits the definition; `prefix` is its own path."""
    error = best_match(validator(definition).iter_errors(document))
    if error is None:
        return
    path, sentence = problem(error)
    field = join_path([prefix, *path])
    raise WireError(f"Feld {field}: {sentence}" if field else sentence, field)

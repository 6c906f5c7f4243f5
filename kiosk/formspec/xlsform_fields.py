"""The survey sheet's rows as the kiosk's fields (dicts in the form file's format)."""

import re

from .spec import ICONS_DIR, MESSAGE_KEYS, RATING_OPTIONS, YES_NO_OPTIONS
from .xlsform_common import yes_no
from .xlsform_logic import ExpressionError, parse_constraint, parse_relevant

SELECT = re.compile(
    r"(?P<kind>select_one|select one|select_multiple|select all that apply)\s+(?:from\s+)?"
    r"(?P<list>[^\s]+)(?P<other>\s+(?:or_other|or specify other))?"
)
GROUP_TYPES = ("begin group", "begin_group", "end group", "end_group")
IGNORED_TYPES = ("start", "end", "today")  # when a form was filled: every submission has it
FIELD_TYPES = {
    "text": "text",
    "integer": "number",
    "int": "number",
    "date": "date",
    "acknowledge": "consent",
    # pyxform's older names of the same types (its question_type_dictionary.py)
    "string": "text",
    "q string": "text",
    "add text prompt": "text",
    "q int": "number",
    "add integer prompt": "number",
    "q date": "date",
    "add date prompt": "date",
    "q acknowledge": "consent",
    "add acknowledge prompt": "consent",
}
REFUSED_TYPES = {
    "decimal": "Kommazahlen fragt der Kiosk nicht (er kennt nur ganze Zahlen). Nehmen Sie "
    "integer für eine ganze Zahl oder text.",
    "note": "Einen Hinweis ohne Frage (note) zeigt der Kiosk nicht: er zeigt eine Frage je "
    "Bildschirm. Schreiben Sie den Text als hint unter die folgende Frage und löschen Sie "
    "die Zeile.",
    "calculate": "Berechnungen (calculate) kann der Kiosk nicht. Löschen Sie die Zeile.",
    "begin repeat": "Wiederholungen (begin repeat) kann der Kiosk nicht. Stellen Sie die Fragen "
    "einzeln und löschen Sie begin repeat und end repeat.",
    "time": "Uhrzeiten fragt der Kiosk nicht. Nehmen Sie date oder text.",
    "datetime": "Uhrzeiten fragt der Kiosk nicht. Nehmen Sie date oder text.",
    "range": "Schieberegler (range) hat der Kiosk nicht. Nehmen Sie integer oder select_one.",
    "rank": "Reihenfolgen (rank) fragt der Kiosk nicht. Nehmen Sie select_multiple.",
}
for _kind in ("begin_repeat", "end repeat", "end_repeat", "begin loop", "end loop"):
    REFUSED_TYPES[_kind] = REFUSED_TYPES["begin repeat"]
for _kind in (
    "geopoint",
    "geotrace",
    "geoshape",
    "start-geopoint",
    "gps",
    "location",
    "q location",
):
    REFUSED_TYPES[_kind] = "Standorte fragt der Kiosk nicht ab. Löschen Sie die Zeile."
for _kind in ("image", "audio", "video", "file", "background-audio", "barcode"):
    REFUSED_TYPES[_kind] = (
        "Fotos, Ton, Video, Dateien und Barcodes nimmt der Kiosk nicht an. Löschen Sie die Zeile."
    )
for _kind in (
    *("deviceid", "device id", "imei", "phonenumber", "phone number", "get phone number"),
    *("username", "email", "simserial", "sim id", "get sim id", "subscriberid", "subscriber id"),
    *("get subscriber id", "audit", "start-address"),
):
    REFUSED_TYPES[_kind] = (
        "Gerätedaten wie deviceid oder username speichert der Kiosk nicht. Löschen Sie die Zeile."
    )
REFUSED_TYPES["hidden"] = (
    "Versteckte Felder (hidden) hat der Kiosk nicht: er speichert nur, was Besucher antworten. "
    "Löschen Sie die Zeile."
)
EXTERNAL = (
    "select_one_from_file",
    "select_multiple_from_file",
    "select_one_external",
    "select one external",
)
EXTERNAL_TEXT = (
    "Auswahllisten aus Dateien oder external_choices kann der Kiosk nicht. Schreiben Sie die "
    "Antworten in das Blatt choices und nehmen Sie select_one LISTE."
)
KNOWN_TYPES = "text, integer, date, select_one, select_multiple, acknowledge, begin group"
# Appearances that only change how ODK or Kobo draw a question: the kiosk has its own design.
HARMLESS_APPEARANCES = (
    "minimal",
    "quick",
    "horizontal",
    "horizontal-compact",
    "compact",
    "columns",
    "columns-pack",
    "columns-flex",
    "no-calendar",
    "field-list",
    "likert",
    "thousands-sep",
    "label",
    "list-nolabel",
)
SUBJECTS = {
    "number": "value",
    "year": "value",
    "multiple": "count",
    "text": "length",
    "textarea": "length",
}
SUBJECT_KEYS = {
    "value": ("min", "max"),
    "count": ("min", "max"),
    "length": ("min_length", "max_length"),
    "pattern": ("pattern", "pattern"),
}


def field_kind(type_text: str) -> tuple[str, str | None, bool] | str:
    """(our type or "select_one"/"select_multiple", list name, or_other) or a German refusal."""
    text = " ".join(type_text.strip().split())
    lowered = text.lower()
    if lowered.split(" ")[0] in EXTERNAL or lowered.startswith(EXTERNAL):
        return EXTERNAL_TEXT
    if match := SELECT.fullmatch(text):
        kind = match.group("kind").replace(" ", "_").replace("all_that_apply", "multiple")
        return kind, match.group("list"), bool(match.group("other"))
    if lowered in FIELD_TYPES:
        return FIELD_TYPES[lowered], None, False
    if lowered.startswith(("begin loop", "begin repeat", "begin_repeat")):
        return REFUSED_TYPES["begin repeat"]
    if lowered in REFUSED_TYPES:
        return REFUSED_TYPES[lowered]
    return f"Den Fragetyp „{text}“ kennt der Kiosk nicht. Möglich sind {KNOWN_TYPES}."


def choose_select_type(kind: str, appearance: str, options: list[dict]) -> str:
    """single, multiple, or the kiosk's own yesno or rating when the choices are exactly those."""
    if kind == "select_multiple":
        return "multiple"
    pairs = [(option["value"], option["label"]) for option in options]
    if appearance in ("likert", "rating") and pairs == [(o.value, o.label) for o in RATING_OPTIONS]:
        return "rating"
    if [(v, label.lower()) for v, label in pairs] == [
        (o.value, o.label.lower()) for o in YES_NO_OPTIONS
    ]:
        return "yesno"
    return "single"


def icon_name(text: str) -> str | None:
    """The pictogram of a media::image cell ("home.svg", "home.png" or "home"), if there is one."""
    stem = text.strip().rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return (
        stem
        if re.fullmatch(r"[a-z0-9-]+", stem) and (ICONS_DIR / f"{stem}.svg").is_file()
        else None
    )


def icon_problem(text: str) -> str:
    return (
        f"Das Bild „{text}“ ist kein Piktogramm des Kiosk. Nehmen Sie den Namen einer Datei aus "
        "static/icons/, z. B. home.svg, oder lassen Sie die Zelle leer."
    )


def constraint_rules(text: str, field_type: str) -> dict | str:
    """{key: value} of a `constraint` for a field of `field_type`, or a German refusal."""
    try:
        rules = parse_constraint(text)
    except ExpressionError as error:
        return str(error)
    subject_of_type = SUBJECTS.get(field_type)
    if subject_of_type is None:
        return "Für diesen Fragetyp kennt der Kiosk keine Bedingung (constraint). Löschen Sie sie."
    settings = {}
    for subject, key, value in rules:
        allowed = subject == subject_of_type or (
            subject == "pattern" and subject_of_type == "length"
        )
        if not allowed:
            return _wrong_subject(field_type)
        name = SUBJECT_KEYS[subject][0 if key in ("min", "pattern") else 1]
        if name in settings:
            return f"Die Grenze {name} steht zweimal in der Bedingung. Schreiben Sie sie einmal."
        settings[name] = value
    return settings


def _wrong_subject(field_type: str) -> str:
    wanted = {
        "value": ". >= 1 and . <= 10",
        "count": "count-selected(.) <= 3",
        "length": "string-length(.) <= 40 oder regex(., '…')",
    }[SUBJECTS[field_type]]
    return f"Für diesen Fragetyp versteht der Kiosk als Bedingung nur Grenzen wie {wanted}."


def relevant_conditions(text: str, earlier: dict[str, dict]) -> dict[str, list[str]] | str:
    """The show_if of a `relevant`, or a German refusal; `earlier` holds the fields before."""
    try:
        conditions = parse_relevant(text)
    except ExpressionError as error:
        return str(error)
    show_if = {}
    for name, values in conditions:
        if name not in earlier:
            return f"Die Frage „{name}“ in relevant steht nicht vor dieser Frage (oder fehlt)."
        field = earlier[name]
        if field["type"] == "consent":
            values = ["yes" if value in ("OK", "yes") else value for value in values]
        offered = [option["value"] for option in field.get("options", [])] or {
            "yesno": ["yes", "no"],
            "rating": ["1", "2", "3", "4", "5"],
            "consent": ["yes"],
        }.get(field["type"])
        for value in values:
            if offered is not None and value not in offered:
                possible = ", ".join(offered)
                return f"„{value}“ ist keine Antwort der Frage „{name}“. Möglich: {possible}."
        show_if[name] = values
    return show_if


def flag(text: str) -> bool | str:
    """A yes/no cell (`required`, `kiosk::personal`, ...) or a German refusal."""
    value = yes_no(text)
    if value is None:
        return (
            f"„{text}“ versteht der Kiosk hier nicht. Schreiben Sie yes oder lassen Sie die "
            "Zelle leer."
        )
    return value


def message_key(column_name: str) -> str | None:
    """The message key of a `kiosk::message::KEY` column, when it is one of ours."""
    key = column_name.removeprefix("kiosk::message::")
    return key if key in MESSAGE_KEYS else None

"""Writing a FormSpec back as a form file in the format of forms/*.toml (forms/README.md).

`load_form(path, spec_to_toml(spec)) == spec` for the same path: every setting that differs from
its default is written, nothing else, so a written file reads like one written by hand.
"""

import tomli_w

from .spec import DEFAULT_FORM_ICON, DEFAULT_MAX_LENGTH, GENERATED_OPTIONS, Field, FormSpec


def field_data(field: Field) -> dict:
    """One [[fields]] table of `field`, keys in the order forms/README.md lists them."""
    data = {"name": field.name, "type": field.type, "label": field.label}
    if field.help:
        data["help"] = field.help
    for key in ("required", "personal", "prefer_not_to_say"):
        if getattr(field, key):
            data[key] = True
    if field.type in ("single", "multiple") or (
        field.options and field.options != GENERATED_OPTIONS.get(field.type)
    ):
        data["options"] = [
            {"value": o.value, "label": o.label} | ({"icon": o.icon} if o.icon else {})
            for o in field.options
        ]
    if field.show_if:
        data["show_if"] = {c.field: list(c.values) for c in field.show_if}
    for key in ("min", "max", "min_length"):
        if getattr(field, key) is not None:
            data[key] = getattr(field, key)
    if field.max_length is not None and field.max_length != DEFAULT_MAX_LENGTH.get(field.type):
        data["max_length"] = field.max_length
    for key in ("pattern", "digits"):
        if getattr(field, key) is not None:
            data[key] = getattr(field, key)
    if messages := field.custom_messages():
        data["messages"] = messages
    for key in ("icon", "yes_label", "no_label"):
        if getattr(field, key) is not None:
            data[key] = getattr(field, key)
    return data


def spec_data(spec: FormSpec) -> dict:
    """The whole form file as a dict, ready for tomli_w."""
    data = {"title": spec.title}
    if spec.description:
        data["description"] = spec.description
    data["purpose"] = spec.purpose
    data["retention_days"] = spec.retention_days
    if spec.icon != DEFAULT_FORM_ICON:
        data["icon"] = spec.icon
    if spec.order:
        data["order"] = spec.order
    if spec.one_tap:
        data["one_tap"] = True
    if spec.visitor_code:
        data["visitor_code"] = True
    if not spec.review:
        data["review"] = False
    data["fields"] = [field_data(field) for field in spec.fields]
    return data


def data_to_toml(data: dict) -> str:
    """TOML text of a form file's dict (as `spec_data` makes it, or a reader builds it)."""
    return tomli_w.dumps(data, multiline_strings=True)


def spec_to_toml(spec: FormSpec) -> str:
    """The form file of `spec`; reading it back gives an equal FormSpec."""
    return data_to_toml(spec_data(spec))

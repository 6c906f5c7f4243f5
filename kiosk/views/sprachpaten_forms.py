"""The Sprachpaten pages' forms: the list's filter, a correction, and where a text appears.

Where a text appears is worked out from the catalog's `#:` locations and the forms' names: a
best guess at the kiosk page that shows it, opened in the preview frame in that language.
"""

import os

from flask import url_for
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from ..i18n.catalog_texts import FORM, INTERFACE, WEGWEISER, SourceText
from ..review.sprachpaten import FILTERS

MAX_TEXT = 5000  # as kiosk/directory/schema.json allows a translation to travel
CONSENT = "einwilligung"
# The kiosk pages a template's texts are seen on: (folder, name without "_" or "print_").
WEGWEISER_FOLDER = "templates/kiosk/wegweiser"
TEMPLATE_PAGES = {
    (WEGWEISER_FOLDER, "notruf"): ("wegweiser.emergency", "Wegweiser: Notruf"),
    (WEGWEISER_FOLDER, "treffpunkt"): ("wegweiser.meeting_point", "Wegweiser: Treffpunkt"),
    ("templates/kiosk", "declined"): ("kiosk.declined", "Ohne Einwilligung"),
    ("templates/kiosk", "offline"): ("kiosk.offline_page", "Ohne Verbindung"),
    ("templates/kiosk", "languages"): ("kiosk.languages", "Sprachwahl"),
}
CHOOSER = ("kiosk.choose", "Auswahl der Formulare")
WEGWEISER_START = ("wegweiser.start", "Wegweiser")


def choices(*pairs: tuple[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class FilterForm(Form):
    """The list's filter (GET, no CSRF token)."""

    nur = SelectField("Zeigen", choices=choices(("", "alle Texte"), *FILTERS.items()), default="")
    bereich = SelectField("Bereich", choices=choices(("", "alle Bereiche")), default="")


def filter_form(args, groups: list[tuple[str, str]]) -> FilterForm:
    """The filter as the URL sets it; a value it does not offer shows every text."""
    form = FilterForm(args)
    form.bereich.choices = choices(("", "alle Bereiche"), (CONSENT, "Einwilligung"), *groups)
    for field in (form.nur, form.bereich):
        if field.data not in {choice.value for choice in field.choices}:
            field.data = ""
    return form


class CorrectionForm(FlaskForm):
    texts = FieldList(TextAreaField("Übersetzung", validators=[Length(max=MAX_TEXT)]))


def correction_form(key: str, texts: tuple[str, ...], examples: tuple[int, ...], posted: bool):
    """The form with one text area per form of the translation (each plural form labelled with
    a number that takes it); filled with `texts` unless the request posted it. Its fields are
    named after the text (`key`), so that several open at once keep their own ids."""
    prefix = f"t{key}"
    if posted:
        return CorrectionForm(prefix=prefix)
    count = len(examples) if len(examples) > 1 else 1
    filled = list(texts) + [""] * count
    return shown_fully(CorrectionForm(prefix=prefix, data={"texts": filled[:count]}), examples)


def shown_fully(form: CorrectionForm, examples: tuple[int, ...]) -> CorrectionForm:
    """The form with a text area for each plural form, even those a request left out."""
    count = len(examples) if len(examples) > 1 else 1
    while len(form.texts) < count:
        form.texts.append_entry("")
    if count > 1:
        for entry, number in zip(form.texts, examples, strict=False):
            entry.label.text = f"Form für Zahlen wie {number}"
    return form


def group_name(group: str, forms: dict) -> str:
    if group == INTERFACE:
        return "Oberfläche"
    if group == WEGWEISER:
        return "Wegweiser"
    slug = group.removeprefix(FORM)
    spec = forms.get(slug)
    return f"Formular „{spec.title if spec else slug}“"


def page_of_location(path: str) -> tuple[str, str]:
    """(endpoint, German name) of the kiosk page a text written at `path` shows on."""
    folder, file_name = os.path.split(path)
    name = file_name.removesuffix(".html").lstrip("_").removeprefix("print_")
    found = TEMPLATE_PAGES.get((folder, name))
    if found:
        return found
    if path.startswith(("templates/kiosk/wegweiser/", "kiosk/views/wegweiser", "kiosk/directory/")):
        return WEGWEISER_START
    return CHOOSER


def pages_of(text: SourceText, code: str) -> list[tuple[str, str]]:
    """[(German name, URL)] of the kiosk pages in language `code` where the text appears."""
    found = dict.fromkeys(page_of_location(path) for path, _ in text.locations) or {CHOOSER: None}
    return [(name, url_for(endpoint, lang=code)) for endpoint, name in found]

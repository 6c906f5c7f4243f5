"""The forms of the directory's staff pages (kiosk/views/directory.py), drawn with the one staff
field macro.

An entry's and an event's visitor-facing texts come in German and per visitor language, each
translation with a "geprüft" box: `with_texts` makes a form class with those fields for the
languages offered. Opening hours are typed per weekday as "9-12, 14-16" and read by
kiosk/directory/hours.py, whose message shows at the field.
"""

import dataclasses
from datetime import datetime
from functools import lru_cache, partial

from flask import current_app, request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..clock import local_time
from ..directory import texts as per_language
from ..directory.hours import HoursError, check_hours, format_day, parse_day
from ..directory.texts import SOURCE
from ..i18n import offered_languages
from ..models.directory import WEEKDAYS
from ..review.directory import (
    APPOINTMENT_NAMES,
    KIND_NAMES,
    TEXT_NAMES,
    Typed,
    spoken_code,
    stored_time,
)
from ..review.inbox import need_options
from .staff_forms import (
    CheckboxesField,
    ClockField,
    DayField,
    PositionField,
    options,
    stripped,
    too_long,
    with_scheme,
)

WEEKDAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
        strict=True,
    )
)
TEXT_LENGTH = 800  # a visitor text is short; all of them fit in one request (directory.py)
PHONE = r"^\+?[0-9][0-9 ()/.\-]{2,40}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def opening_hours(form, field) -> None:
    """The hours of one weekday as typed, read by kiosk/directory/hours.py."""
    try:
        field.intervals = parse_day(field.data)
    except HoursError as error:
        raise ValidationError(error.message) from None


def spoken_languages(form, field) -> None:
    for typed in split_codes(field.data):
        if spoken_code(typed) is None:
            raise ValidationError(
                f"„{typed}“ ist kein Sprachkürzel, das wir kennen. Bitte Kürzel wie ar, fa, en,"
                " durch Komma getrennt."
            )


def split_codes(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


def typed(label: str, limit: int, *checks, kind=StringField, filters=(stripped,)):
    """A text field of at most `limit` characters, stripped; `checks` apply when it is filled."""
    validators = [Optional(), too_long(limit), *checks] if checks else [too_long(limit)]
    return kind(label, validators=validators, filters=list(filters))


def hours_field(day: str) -> StringField:
    return StringField(
        WEEKDAY_NAMES[day], validators=[too_long(100), opening_hours], filters=[stripped]
    )


def hours_text(intervals: list) -> str:
    return format_day(intervals) if intervals else ""


# --- Texts in German and per language -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TextSpec:
    field: str  # a key of the texts (ENTRY_TEXTS, EVENT_TEXTS)
    multiline: bool
    required: str = ""  # the message when the German text is missing, if it is required
    hint: str = ""  # shown under the German field

    @property
    def label(self) -> str:
        return TEXT_NAMES[self.field]


PLAIN_WORDS = "Kurz und in einfachen Worten"
ENTRY_TEXTS = (
    TextSpec("summary", True, hint=f"{PLAIN_WORDS}: wobei hilft die Stelle?"),
    TextSpec("directions", True, hint="Zum Beispiel: Bus 1 bis Markt, dann 5 Minuten zu Fuß."),
    TextSpec("bring", True, hint="Zum Beispiel: Ausweis, Briefe vom Amt."),
    TextSpec("hours_note", False, hint="Zum Beispiel: Termine auch nach Absprache."),
)
TREFFPUNKT_TEXTS = (
    TextSpec("summary", True, hint=f"{PLAIN_WORDS}: was gibt es im Treffpunkt?"),
    TextSpec("hours_note", False, hint="Zum Beispiel: In den Schulferien geschlossen."),
)
EVENT_TEXTS = (
    TextSpec("title", False, "Bitte einen Titel eingeben."),
    TextSpec("text", True, hint=f"{PLAIN_WORDS}: was passiert, für wen?"),
    TextSpec("place", False, hint="Zum Beispiel: Garten des Treffpunkts."),
)


def text_name(field: str, lang: str) -> str:
    return f"t_{field}_{lang.replace('-', '_')}"


def checked_name(field: str, lang: str) -> str:
    return text_name(field, lang) + "_ok"


class TextsForm(FlaskForm):
    """A form with texts; `with_texts` gives the subclass with the fields."""

    text_specs: tuple[TextSpec, ...] = ()
    text_languages: tuple[tuple[str, str], ...] = ()  # (code, German name), German excluded

    def german_field(self, field: str):
        return self[text_name(field, per_language.SOURCE)]

    def translation_fields(self, field: str) -> list[tuple[str, object, object]]:
        """[(code, text field, "geprüft" box)] of one text."""
        return [
            (code, self[text_name(field, code)], self[checked_name(field, code)])
            for code, _ in self.text_languages
        ]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for spec in self.text_specs:
            german = self.german_field(spec.field)
            if german.data or german.errors:
                continue
            if spec.required:
                german.errors.append(spec.required)
                valid = False
            elif any(text.data for _, text, _ in self.translation_fields(spec.field)):
                german.errors.append(
                    "Bitte den deutschen Text eingeben: die Übersetzungen gehören zu ihm."
                )
                valid = False
        return valid

    def german_texts(self) -> dict[str, str]:
        return {spec.field: self.german_field(spec.field).data or "" for spec in self.text_specs}

    def typed_texts(self) -> dict[tuple[str, str], Typed]:
        return {
            (spec.field, code): Typed(text.data or "", bool(box.data))
            for spec in self.text_specs
            for code, text, box in self.translation_fields(spec.field)
        }


@lru_cache(maxsize=16)
def with_texts(base: type, specs: tuple[TextSpec, ...], languages: tuple[tuple[str, str], ...]):
    """`base` (a TextsForm) with a German field per text and, per language, a field and a box."""
    fields = {"text_specs": specs, "text_languages": languages}
    for spec in specs:
        kind = TextAreaField if spec.multiline else StringField
        fields[text_name(spec.field, per_language.SOURCE)] = kind(
            f"{spec.label} (Deutsch)", validators=[too_long(TEXT_LENGTH)], filters=[stripped]
        )
        for code, name in languages:
            fields[text_name(spec.field, code)] = kind(
                name, validators=[too_long(TEXT_LENGTH)], filters=[stripped]
            )
            fields[checked_name(spec.field, code)] = BooleanField("geprüft")
    return type(base.__name__, (base,), fields)


def texts_data(texts: dict, specs, languages) -> dict:
    """The form's data of stored texts: each text, and each box ticked if it was confirmed."""
    data = {}
    for spec in specs:
        data[text_name(spec.field, per_language.SOURCE)] = per_language.german(texts, spec.field)
        for code, _ in languages:
            item = per_language.translation(texts, spec.field, code)
            data[text_name(spec.field, code)] = item.get("text", "")
            state = per_language.state(texts, spec.field, code).state
            data[checked_name(spec.field, code)] = state == "geprüft"
    return data


# --- Entries, the Treffpunkt, events --------------------------------------------------------------

HoursForm = type("HoursForm", (TextsForm,), {f"hours_{day}": hours_field(day) for day in WEEKDAYS})


class TreffpunktForm(HoursForm):
    open_on_holidays = BooleanField("Auch an Feiertagen geöffnet")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid:
            try:  # the week as a whole: a night past midnight must not run into the next day
                self.checked_hours = check_hours(self.typed_hours())
            except HoursError as error:
                self[f"hours_{error.day or WEEKDAYS[0]}"].errors.append(error.message)
                return False
        return valid

    def typed_hours(self) -> dict[str, list]:
        return {day: getattr(self[f"hours_{day}"], "intervals", []) for day in WEEKDAYS}

    def hours(self) -> dict[str, list]:
        """As stored: {} when no day has hours, else all seven days (kiosk/directory/hours.py)."""
        return getattr(self, "checked_hours", None) or check_hours(self.typed_hours())

    def values(self) -> dict:
        """The entry's fields as the model stores them (texts apart)."""
        return {"hours": self.hours(), "open_on_holidays": self.open_on_holidays.data}


class EntryForm(TreffpunktForm):
    # Fields stored as they are in the model's column of the same name.
    PLAIN = (
        "kind", "name", "street", "postcode", "city", "phone", "email", "website",
        "appointment", "position", "staff_note", "open_on_holidays",
    )  # fmt: skip

    kind = SelectField(
        "Art",
        choices=options(*((kind, KIND_NAMES[kind]) for kind in ("office", "helpline"))),
    )
    name = StringField(
        "Name", [DataRequired("Bitte den Namen eingeben."), too_long(200)], filters=[stripped]
    )
    needs = CheckboxesField("Hilft bei diesen Anliegen")
    street = typed("Straße und Hausnummer", 200)
    postcode = typed(
        "Postleitzahl", 5, Regexp(r"^[0-9]{5}$", message="Bitte fünf Ziffern eingeben.")
    )
    city = typed("Ort", 100)
    phone = typed(
        "Telefon", 40, Regexp(PHONE, message="Bitte nur Ziffern, Leerzeichen und + / - ( ).")
    )
    email = typed(
        "E-Mail", 200, Regexp(EMAIL, message="Bitte eine Adresse wie info@beispiel.de eingeben.")
    )
    website = typed(
        "Webseite",
        250,
        URL(message="Bitte eine Adresse wie https://www.beispiel.de eingeben."),
        filters=(with_scheme,),
    )
    languages = typed("Sprachen vor Ort", 200, spoken_languages)
    appointment = SelectField("Termin nötig?", choices=options(*APPOINTMENT_NAMES.items()))
    position = PositionField(
        "Reihenfolge",
        default=0,
        validators=[NumberRange(0, 999, message="Bitte eine Zahl von 0 bis 999 eingeben.")],
    )
    staff_note = typed("Notiz für Ehrenamtliche", TEXT_LENGTH, kind=TextAreaField)

    def values(self) -> dict:
        codes = [spoken_code(typed) for typed in split_codes(self.languages.data)]
        return {
            **{name: self[name].data for name in self.PLAIN},
            "needs": list(self.needs.data or []),
            "languages": list(dict.fromkeys(codes)),
            **super().values(),
        }


def hours_data(entry) -> dict:
    hours = entry.hours or {}
    return {f"hours_{day}": hours_text(hours.get(day, [])) for day in WEEKDAYS}


def entry_data(entry, specs, languages) -> dict:
    """The form's data of a stored entry (None: a new one)."""
    if entry is None:
        return {}
    return {
        **{name: getattr(entry, name) for name in EntryForm.PLAIN},
        "languages": ", ".join(entry.languages or []),
        "needs": list(entry.needs or []),
        **hours_data(entry),
        **texts_data(entry.texts, specs, languages),
    }


class EventForm(TextsForm):
    # InputRequired: a time typed wrong keeps its own message ("Bitte eine Uhrzeit wie …").
    day = DayField("Datum", validators=[InputRequired("Bitte das Datum angeben.")])
    starts = ClockField("Beginn", validators=[InputRequired("Bitte angeben, wann es beginnt.")])
    ends = ClockField("Ende", validators=[InputRequired("Bitte angeben, wann es endet.")])

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError("Das Ende muss nach dem Beginn liegen (am selben Tag).")

    def times(self) -> tuple[datetime, datetime]:
        """Beginning and end as stored (naive UTC), from the Treffpunkt's local time."""
        return stored_time(self.day.data, self.starts.data), stored_time(
            self.day.data, self.ends.data
        )


def event_data(event, specs, languages) -> dict:
    """The form's data of a stored event (None: a new one), its times in local time."""
    if event is None:
        return {}
    starts, ends = local_time(event.starts_at), local_time(event.ends_at)
    return {
        "day": starts.date(),
        "starts": starts.time().replace(tzinfo=None),
        "ends": ends.time().replace(tzinfo=None),
        **texts_data(event.texts, specs, languages),
    }


# --- The forms of a request -----------------------------------------------------------------------


def visitor_languages() -> tuple[tuple[str, str], ...]:
    """(code, German name) of each visitor language offered here, German apart."""
    offered = offered_languages(current_app.config)
    return tuple((lang.code, lang.german_name) for lang in offered if lang.code != SOURCE)


def made(base: type, specs: tuple[TextSpec, ...], data, posted: bool):
    """`base` with its text fields: as `posted` in this request, else from `data(specs,
    languages)` (what is stored)."""
    languages = visitor_languages()
    form_class = with_texts(base, specs, languages)
    if posted:
        return form_class(request.form)
    return form_class(formdata=None, data=data(specs, languages))


def entry_form(entry, posted: bool = False) -> EntryForm:
    """The form of an office or help line (None: a new one)."""
    form = made(EntryForm, ENTRY_TEXTS, partial(entry_data, entry), posted)
    needs = need_options()
    known = {need for need, _ in needs}
    # A need the intake form no longer asks for stays choosable while an entry has it.
    kept = [(need, need) for need in (entry.needs if entry else []) if need not in known]
    form.needs.choices = options(*needs, *kept)
    return form


def treffpunkt_data(entry, specs, languages) -> dict:
    if entry is None:
        return {}
    texts = texts_data(entry.texts, specs, languages)
    return {**hours_data(entry), "open_on_holidays": entry.open_on_holidays, **texts}


def treffpunkt_form(entry, posted: bool = False) -> TreffpunktForm:
    """The form of this Treffpunkt's own times (None: none saved yet)."""
    return made(TreffpunktForm, TREFFPUNKT_TEXTS, partial(treffpunkt_data, entry), posted)


def event_form(event, posted: bool = False) -> EventForm:
    return made(EventForm, EVENT_TEXTS, partial(event_data, event), posted)

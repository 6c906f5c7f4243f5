"""The directory of offices and services (migration 0007): the visitors' Wegweiser and the
volunteers' follow-up of needs read the same entries.

Visitor-facing texts live in `texts`, one shape for entries and events (kiosk/directory/texts.py):

    {"summary": {"de": {"text": "…"},
                 "ar": {"text": "…", "source": "<the German text it translates>",
                        "checked_by": "Name", "checked_at": "2026-12-03"}}}

A translation without `checked_by` is machine-made ("maschinell"); one whose `source` differs from
today's German text is out of date and shown in German until it is renewed.
"""

import uuid

from peewee import BooleanField, CharField, DateTimeField, IntegerField, TextField, UUIDField

from ..clock import utcnow
from .base import BaseModel, JSONField

# What an entry is: an office or service (Zuständigkeit), a help line with the same number all
# over Germany, or this Treffpunkt itself (its own opening times).
KINDS = ("office", "helpline", "treffpunkt")
# Where it comes from; for one key, a local entry wins over the hub's, the hub's over the one
# shipped with the program (kiosk/directory/entries.py).
ORIGINS = ("local", "hub", "builtin")
ENTRY_TEXTS = ("summary", "directions", "bring", "hours_note")
EVENT_TEXTS = ("title", "text", "place")
APPOINTMENTS = ("", "needed", "not_needed")
WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")


class DirectoryEntry(BaseModel):
    """An office, service, help line or the Treffpunkt itself, with its contact and hours."""

    key = CharField()  # a stable slug, the same on the hub and every site
    origin = CharField(default="local")
    kind = CharField(default="office")
    name = CharField()  # its own (German) name, never translated
    texts = JSONField(default=dict)  # ENTRY_TEXTS in German and per language, see above
    needs = JSONField(default=list)  # values of the intake form's "needs" question
    street = CharField(default="")
    postcode = CharField(default="")
    city = CharField(default="")
    phone = CharField(default="")
    email = CharField(default="")
    website = CharField(default="")
    languages = JSONField(default=list)  # language codes spoken there ("ar", "fr", …)
    appointment = CharField(default="")  # APPOINTMENTS: unknown, needed, not needed
    hours = JSONField(default=dict)  # {"mo": [["09:00", "12:00"], …], …}, kiosk/directory/hours.py
    open_on_holidays = BooleanField(default=False)
    icon = CharField(default="")  # a pictogram of static/icons/, for help lines
    position = IntegerField(default=0)  # order within a need or list, then by name
    # Example entries (demo data) are marked as examples ("Beispiel") and give no QR code
    # until a coordinator confirms them: no unverified address or number is shown as fact.
    example = BooleanField(default=False)
    confirmed_by = CharField(default="")
    confirmed_at = DateTimeField(null=True)
    staff_note = TextField(default="")  # for volunteers only (a contact person, …)
    updated_by = CharField(default="")
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("origin", "key"), True),)


class Event(BaseModel):
    """An event of this Treffpunkt; past events drop out of the Wegweiser by themselves."""

    uid = UUIDField(unique=True, default=uuid.uuid4)  # the iCalendar UID of its QR code
    texts = JSONField(default=dict)  # EVENT_TEXTS, the same shape as an entry's texts
    starts_at = DateTimeField(index=True)  # naive UTC, as every stored time
    ends_at = DateTimeField()
    icon = CharField(default="calendar")
    updated_by = CharField(default="")
    updated_at = DateTimeField(default=utcnow)


class DirectorySync(BaseModel):
    """A site's last pull of the town-wide directory from its hub (kiosk/sync/directory.py)."""

    target = CharField(unique=True)  # the name of the hub target in SYNC_TARGETS
    version = CharField(default="")  # the hub's version (its ETag) now applied
    entries = IntegerField(default=0)  # how many entries that version holds
    attempted_at = DateTimeField(null=True)
    fetched_at = DateTimeField(null=True)  # the last answer from the hub, changed or not
    applied_at = DateTimeField(null=True)  # when a new version was last applied
    error = TextField(default="")  # the last failure in German, empty once it worked

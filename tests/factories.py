"""Test data made the way the kiosk makes it: submissions through `store_submission`, staff."""

from datetime import datetime, timedelta
from uuid import uuid4

from kiosk.clock import utcnow
from kiosk.extensions import db
from kiosk.models import DirectoryEntry, Event, FormVersion, Site, Submission, User
from kiosk.models.directory import WEEKDAYS
from kiosk.review.auth import create_user
from kiosk.visitor.submissions import store_submission

from server import PASSWORD

# A whole intake as a visitor gives it, by field name (multiple choice in the visitor's order).
INTAKE_ANSWERS = {
    "consent": "yes",
    "name": "Samira",
    "languages": ["ar", "de"],
    "household": "family",
    "arrival_year": "2016",
    "age_group": "30_49",
    "needs": ["german_course", "other"],
    "needs_other": "Fahrrad reparieren",
    "contact_way": "phone",
    "contact": "0151 2345678",
}


def add_submission(
    app, form: str, answers: dict, when: datetime, lang: str = "de", site: Site | None = None
) -> Submission:
    """Store `answers` to `form` as made at `when` (naive UTC); needs an open connection."""
    spec = app.extensions["kiosk_forms"][form]
    return store_submission(
        spec,
        uuid=uuid4(),
        version_id=FormVersion.for_spec(spec).id,
        answers=answers,
        lang=lang,
        site=site or Site.select().first(),
        created_at=when,
    )


def add_user(app, name: str, role: str, password: str = PASSWORD) -> User:
    """A staff account through `create_user`; opens and closes its own connection (call it outside
    one: the connection it closes would be the caller's)."""
    with app.app_context(), db.connection_context():
        return create_user(name, password, role)


def add_office(name: str, needs: list[str], **fields) -> DirectoryEntry:
    """A confirmed local office of the directory covering `needs` (inside an app context)."""
    key = fields.pop("key", None) or name.lower().replace(" ", "-").replace(",", "")
    return DirectoryEntry.create(key=key, name=name, needs=needs, **fields)


def add_helpline(name: str, phone: str, **fields) -> DirectoryEntry:
    """A help line of the directory (kind "helpline"), answering around the clock unless `hours`
    says otherwise (inside an app context)."""
    key = fields.pop("key", None) or f"hilfe-{phone.replace(' ', '')}"
    fields.setdefault("hours", {day: [["00:00", "24:00"]] for day in WEEKDAYS})
    fields.setdefault("open_on_holidays", True)
    return DirectoryEntry.create(key=key, kind="helpline", name=name, phone=phone, **fields)


def add_event(title: str, starts_at: datetime, hours: float = 2, **fields) -> Event:
    """An event of this Treffpunkt with a German title, lasting `hours` from `starts_at` (naive
    UTC; inside an app context)."""
    texts = fields.pop("texts", {})
    texts = {**texts, "title": {"de": {"text": title}, **texts.get("title", {})}}
    ends_at = starts_at + timedelta(hours=hours)
    return Event.create(texts=texts, starts_at=starts_at, ends_at=ends_at, **fields)


class FrozenClock:
    """A module's `utcnow`, standing still until a test moves it:
    `monkeypatch.setattr(module, "utcnow", clock := FrozenClock())`, then `clock.advance(...)`."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)

"""Test data made the way the kiosk makes it: submissions through `store_submission`, staff."""

from datetime import datetime
from uuid import uuid4

from kiosk.extensions import db
from kiosk.models import DirectoryEntry, FormVersion, Site, Submission, User
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

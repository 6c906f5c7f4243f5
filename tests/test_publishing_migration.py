"""Migration 0014 on a database made before it: the kiosk serves its shipped forms before the
tables exist, and after it publishes, activates and pins form versions, with one number per
form and version. On SQLite and on a real PostgreSQL server (tests/pg_support.py).
"""

import pytest
from peewee import IntegrityError

import kiosk.migrations
from kiosk import create_app
from kiosk.clock import utcnow
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.formspec.package import FormPackage
from kiosk.models.forms import FormPin, PublishedForm
from kiosk.publishing import form_states, pin, publish

import pg_support

SOURCE = """title = "Fahrrad"
purpose = "Wir zählen, wer ein Fahrrad braucht."
retention_days = 30

[[fields]]
name = "often"
type = "yesno"
label = "Fahren Sie Rad?"
required = true
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def old_app(request, instance, monkeypatch):
    """An app whose database has every migration before 0014."""
    config = {"SECRET_KEY": "test-secret", "TESTING": True}
    if request.param == "postgresql":
        config["DATABASE_URL"] = pg_support.server().new_database()
    names = [name for name in kiosk.migrations.available() if name < "0014"]
    app = create_app(config)
    with app.app_context(), db.connection_context(), monkeypatch.context() as patch:
        patch.setattr(kiosk.migrations, "available", lambda: names)
        assert kiosk.migrations.apply_migrations(db.obj)[-1] < "0014"
        assert not PublishedForm.table_exists()
    return app


def test_before_the_migration_the_shipped_forms_are_served(old_app):
    page = old_app.test_client().get("/de/").get_data(as_text=True)
    assert "Anmeldung" in page


def test_the_tables_are_made_and_a_form_is_published_activated_and_pinned(old_app):
    assert "0014_published_forms" in prepare_database(old_app)
    with old_app.app_context(), db.connection_context():
        first = publish(FormPackage("fahrrad", SOURCE), by="Amal")
        second = publish(FormPackage("fahrrad", SOURCE.replace("Rad?", "Fahrrad?")), by="Amal")
        assert (first.number, second.number, second.state) == (1, 2, "active")
        assert PublishedForm.get_by_id(first.id).state == "replaced"
        with pytest.raises(IntegrityError), db.atomic():
            PublishedForm.create(
                slug="fahrrad", number=2, checksum="x", package={}, published_by="x",
                published_at=utcnow(),
            )  # fmt: skip
        pin("fahrrad", 1, by="Amal")
        assert FormPin.get().number == 1
        assert PublishedForm.get_by_id(first.id).state == "active"
        (state,) = [state for state in form_states() if state.slug == "fahrrad"]
        assert (state.active_number, state.pinned_number, state.numbers) == (1, 1, (1, 2))
        assert len(PublishedForm.change_key()) == 8
    assert old_app.extensions["kiosk_forms"]["fahrrad"].fields[0].label == "Fahren Sie Rad?"

"""Migration 0010 on a database made before it: the Sprachpaten's table is there and empty, one
row per language, text and origin, texts longer than an index allows are fine, and the catalogs
alone are what the kiosk shows. On SQLite and on a real PostgreSQL server (tests/pg_support.py).
"""

import pytest
from peewee import IntegrityError

import kiosk.migrations
from kiosk import create_app
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.models.sprachpaten import TranslationOverride, message_key

import pg_support

LONG = "Ein langer deutscher Text, wie ihn ein Formular als Zweck nennt. " * 80


@pytest.fixture(params=["sqlite", "postgresql"])
def old_app(request, instance, monkeypatch):
    """An app whose database has every migration before 0010."""
    config = {"SECRET_KEY": "test-secret", "TESTING": True}
    if request.param == "postgresql":
        config["DATABASE_URL"] = pg_support.server().new_database()
    names = [name for name in kiosk.migrations.available() if name < "0010"]
    app = create_app(config)
    with app.app_context(), db.connection_context(), monkeypatch.context() as patch:
        patch.setattr(kiosk.migrations, "available", lambda: names)
        assert kiosk.migrations.apply_migrations(db.obj)[-1] < "0010"
        assert not TranslationOverride.table_exists()
    return app


def override(lang: str, msgid: str, origin: str = "local") -> dict:
    return {
        "lang": lang,
        "key": message_key(msgid),
        "msgid": msgid,
        "forms": ["…"],
        "state": "geändert",
        "checked_by": "amal",
        "origin": origin,
        "catalog_forms": [],
    }


def test_the_table_is_made_with_one_row_per_language_text_and_origin(old_app):
    assert "0010_translations" in prepare_database(old_app)
    with old_app.app_context(), db.connection_context():
        assert TranslationOverride.select().count() == 0
        TranslationOverride.create(**override("ar", LONG))  # longer than an index entry may be
        TranslationOverride.create(**override("ar", LONG, origin="hub"))
        TranslationOverride.create(**override("fa", LONG))
        with pytest.raises(IntegrityError), db.atomic():
            TranslationOverride.create(**override("ar", LONG))
        in_force = TranslationOverride.of_language("ar")[message_key(LONG)]
        assert (in_force.origin, in_force.msgid, in_force.forms) == ("local", LONG, ["…"])
        assert in_force.checked_at is not None and in_force.msgctxt == ""
    assert "Was möchten Sie tun?" in old_app.test_client().get("/de/").get_data(as_text=True)

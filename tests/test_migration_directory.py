"""Migration 0007 on a database made before it: the free-text routing table (`need_route`, one
office and a contact text per need) becomes local directory entries, one per office, and goes.
On SQLite and on a real PostgreSQL server (tests/pg_support.py)."""

from datetime import datetime

import pytest
from peewee import Table
from test_review import submit

import kiosk.migrations
from kiosk import create_app
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.models import DirectoryEntry

import pg_support
from factories import add_user
from server import log_in

ROUTES = [  # (need, office, contact) as coordinators typed them on the old page
    ("housing", "Stadthaus, Fachdienst Soziales", "04431 88-0, Zimmer 12"),
    ("authorities", "Stadthaus, Fachdienst Soziales", ""),
    ("work", "Jobcenter Wildeshausen", ""),
    ("health", "Gesundheitsamt", "Frau Dr. Öztürk"),
    ("school", "Gesundheitsamt", "Frau Dr. Öztürk"),
    ("legal_advice", "Stadthaus Fachdienst Soziales", "Herr Lange"),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def old_app(request, instance, monkeypatch):
    """An app whose database has every migration before 0007, with rows in `need_route`."""
    config = {"SECRET_KEY": "test-secret", "TESTING": True}
    if request.param == "postgresql":
        config["DATABASE_URL"] = pg_support.server().new_database()
    names = [name for name in kiosk.migrations.available() if name < "0007"]
    app = create_app(config)
    with app.app_context(), db.connection_context(), monkeypatch.context() as patch:
        # The migrations alone: prepare_database also fills tables that 0007 makes.
        patch.setattr(kiosk.migrations, "available", lambda: names)
        assert kiosk.migrations.apply_migrations(db.obj)[-1] == "0006_visitor_code"
    with app.app_context(), db.connection_context():
        assert "need_route" in db.get_tables() and "directory_entry" not in db.get_tables()
        need_route = Table("need_route", ("id", "need", "office", "contact", "updated_at"))
        rows = [
            {"need": need, "office": office, "contact": contact, "updated_at": datetime(2026, 5, 4)}
            for need, office, contact in ROUTES
        ]
        need_route.bind(db).insert(rows).execute()
    return app


def test_each_office_becomes_one_local_entry_and_the_table_goes(old_app):
    assert "0007_directory" in prepare_database(old_app)
    with old_app.app_context(), db.connection_context():
        assert "need_route" not in db.get_tables()
        local = DirectoryEntry.select().where(DirectoryEntry.origin == "local")
        entries = {entry.name: entry for entry in local}
    assert set(entries) == {
        "Stadthaus, Fachdienst Soziales",
        "Stadthaus Fachdienst Soziales",
        "Jobcenter Wildeshausen",
        "Gesundheitsamt",
    }
    for entry in entries.values():
        assert (entry.origin, entry.kind, entry.example) == ("local", "office", False)
        assert (entry.texts, entry.hours, entry.languages) == ({}, {}, [])
        assert entry.updated_by == "Zuständigkeiten (übernommen)"
    stadthaus = entries["Stadthaus, Fachdienst Soziales"]
    assert sorted(stadthaus.needs) == ["authorities", "housing"]  # two needs, one office
    assert stadthaus.staff_note == "04431 88-0, Zimmer 12"  # the one contact given
    assert entries["Gesundheitsamt"].staff_note == "Frau Dr. Öztürk"  # the same contact once
    assert sorted(entries["Gesundheitsamt"].needs) == ["health", "school"]
    assert entries["Jobcenter Wildeshausen"].staff_note == ""
    # Two names with the same key get keys of their own.
    keys = [entry.key for entry in entries.values()]
    assert len(set(keys)) == len(keys)
    assert {entries[name].key for name in entries if name.startswith("Stadthaus")} == {
        "stadthaus-fachdienst-soziales",
        "stadthaus-fachdienst-soziales-2",
    }
    assert prepare_database(old_app) == []  # once only


def test_the_followup_names_the_offices_carried_over(old_app):
    prepare_database(old_app)
    submit(old_app, "intake", {"consent": "yes", "needs": ["housing", "mobility"]})
    add_user(old_app, "cora", "coordinator")
    client = old_app.test_client()
    log_in(client, "cora")
    page = client.get("/review/anliegen").get_data(as_text=True)
    assert "<bdi>Stadthaus, Fachdienst Soziales</bdi>" in page  # housing
    assert page.count("noch nicht festgelegt") == 1  # mobility had no office
    # The staff's directory lists it under its needs, its contact kept for volunteers only.
    directory = client.get("/review/wegweiser/").get_data(as_text=True)
    housing = directory.index('id="anliegen-housing"')
    assert housing < directory.index("Stadthaus, Fachdienst Soziales")
    office = client.get("/review/wegweiser/eintrag/stadthaus-fachdienst-soziales-2")
    assert "04431 88-0, Zimmer 12" in office.get_data(as_text=True)

"""Migration 0009 on a database made before it: every need of an intake submission becomes a
case in the state of its submission, notes and accounts gain their new columns, and the cases go
with their submission. On SQLite and on a real PostgreSQL server (tests/pg_support.py)."""

import uuid
from datetime import datetime

import pytest
from peewee import IntegrityError

import kiosk.migrations
from kiosk import create_app
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.models import CaseChange, NeedCase, Note, NoteRevision, Submission, User

import pg_support

# (form, status, needs) of the submissions stored before the migration
STORED = [
    ("intake", "new", ["housing", "work"]),
    ("intake", "handed_over", ["health"]),
    ("intake", "done", ["german_course", "other"]),
    ("feedback", "new", []),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def old_app(request, instance, monkeypatch):
    """An app whose database has every migration before 0009, with submissions and a note."""
    config = {"SECRET_KEY": "test-secret", "TESTING": True}
    if request.param == "postgresql":
        config["DATABASE_URL"] = pg_support.server().new_database()
    names = [name for name in kiosk.migrations.available() if name < "0009"]
    app = create_app(config)
    with app.app_context(), db.connection_context(), monkeypatch.context() as patch:
        patch.setattr(kiosk.migrations, "available", lambda: names)
        assert kiosk.migrations.apply_migrations(db.obj)[-1] < "0009"
    with app.app_context(), db.connection_context():
        sql, when = db.execute_sql, datetime(2026, 11, 2, 10, 0)
        mark = "?" if request.param == "sqlite" else "%s"
        sql("INSERT INTO site (slug, name) VALUES ('mittendrin', 'Treffpunkt')")
        for slug in ("intake", "feedback"):
            sql(
                "INSERT INTO form_version (slug, number, version_hash, spec, created_at)"
                f" VALUES ({mark}, 1, {mark}, '{{}}', {mark})",
                (slug, f"hash-{slug}", when),
            )
        versions = dict(sql("SELECT slug, id FROM form_version").fetchall())
        (site,) = sql("SELECT id FROM site").fetchone()
        for form, status, needs in STORED:
            sql(
                "INSERT INTO submission (uuid, site_id, form_version_id, lang, created_at, status)"
                f" VALUES ({', '.join([mark] * 6)})",
                (uuid.uuid4().hex, site, versions[form], "ar", when, status),
            )
            (submission,) = sql("SELECT MAX(id) FROM submission").fetchone()
            for position, need in enumerate(needs):
                sql(
                    "INSERT INTO answer (submission_id, field, value, position, personal)"
                    f" VALUES ({', '.join([mark] * 5)})",
                    (submission, "needs", need, position, False),
                )
        sql(
            f"INSERT INTO note (submission_id, user_name, text, at) VALUES ({mark}, 'anna',"
            f" 'Rückruf', {mark})",
            (submission, when),
        )
    return app


def test_every_need_becomes_a_case_in_the_state_of_its_submission(old_app):
    assert "0009_casework" in prepare_database(old_app)
    with old_app.app_context(), db.connection_context():
        cases = {
            (case.submission.status, case.need): case
            for case in NeedCase.select(NeedCase, Submission).join(Submission)
        }
        assert {key: case.status for key, case in cases.items()} == {
            ("new", "housing"): "open",
            ("new", "work"): "open",
            ("handed_over", "health"): "handed_over",
            ("done", "german_course"): "done",
            ("done", "other"): "done",
        }
        health = cases["handed_over", "health"]
        # "übergeben" never said to whom: no office is made up.
        assert (health.office_key, health.office_name, health.due, health.outcome) == (
            None,
            None,
            None,
            "",
        )
        assert health.created_at == datetime(2026, 11, 2, 10, 0)
        # The old note reads as before; accounts speak no language until one is named.
        note = Note.get()
        assert (note.text, note.key, note.struck_at, note.edited_at) == (
            "Rückruf",
            None,
            None,
            None,
        )
        User.create(name="sara", password_hash="x", role="volunteer")
        assert User.get(name="sara").speaks == []


def test_cases_changes_and_revisions_go_with_their_submission(old_app):
    prepare_database(old_app)
    with old_app.app_context(), db.connection_context():
        case = NeedCase.select().where(NeedCase.need == "housing").get()
        CaseChange.create(
            case=case, before={"status": "open"}, after={"status": "done"}, user_name="anna"
        )
        note = Note.create(submission=case.submission_id, user_name="anna", text="Termin")
        NoteRevision.create(note=note, text="Termn", replaced_by="anna")
        Note.create(submission=case.submission_id, user_name="anna", text="a", key="k1")
        with pytest.raises(IntegrityError), db.atomic():
            Note.create(submission=case.submission_id, user_name="anna", text="a", key="k1")
        Submission.delete().where(Submission.id == case.submission_id).execute()
        assert not NeedCase.select().where(NeedCase.id == case.id).exists()
        assert CaseChange.select().count() == 0 and NoteRevision.select().count() == 0

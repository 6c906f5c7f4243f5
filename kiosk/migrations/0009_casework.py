"""Casework: each need of an intake becomes its own follow-up item; notes can be corrected or
struck through; accounts name the languages their holders speak.

- `need_case` (one row per need of an intake submission) and `case_change` (each change, with
  the fields before and after, so it can be undone);
- `note.key` (a double-tapped note is stored once), `note.edited_at`, `note.struck_*` and
  `note_revision` (what a note said before it was corrected or struck through);
- `user.speaks` (language codes, for the Sprachpaten).

Submissions stored before this migration get one case per need they named, in the state of the
submission's status then ("übergeben" did not say to whom: the office stays empty).
"""

from datetime import UTC, datetime

from peewee import (
    CharField,
    Database,
    DateField,
    DateTimeField,
    ForeignKeyField,
    Model,
    TextField,
)
from playhouse.migrate import SchemaMigrator, migrate

# The submission's status then → the status of each of its needs.
STATUS_OF_SUBMISSION = {
    "new": "open",
    "in_progress": "in_progress",
    "handed_over": "handed_over",
    "done": "done",
}


def apply(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    # The tables this migration points at, as far as it needs them (never created here).
    class Submission(Base):
        pass

    class User(Base):
        pass

    class Note(Base):
        pass

    class NeedCase(Base):
        submission = ForeignKeyField(Submission, on_delete="CASCADE")
        need = CharField()
        status = CharField()
        office_key = CharField(null=True)
        office_name = CharField(null=True)
        handed_over_on = DateField(null=True)
        due = DateField(null=True)
        outcome = TextField()
        assignee = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        updated_at = DateTimeField()

        class Meta:
            indexes = (
                (("submission", "need"), True),
                (("status", "due"), False),
                (("need", "status"), False),
            )

    class CaseChange(Base):
        case = ForeignKeyField(NeedCase, on_delete="CASCADE")
        before = TextField()
        after = TextField()
        user_name = CharField()
        at = DateTimeField(index=True)
        undoes = ForeignKeyField("self", null=True, on_delete="SET NULL")

    class NoteRevision(Base):
        note = ForeignKeyField(Note, on_delete="CASCADE")
        text = TextField()
        replaced_at = DateTimeField()
        replaced_by = CharField()

    database.bind([NeedCase, CaseChange, NoteRevision])
    database.create_tables([NeedCase, CaseChange, NoteRevision])
    migrator = SchemaMigrator.from_database(database)
    migrate(
        migrator.add_column("note", "key", CharField(null=True)),
        migrator.add_column("note", "edited_at", DateTimeField(null=True)),
        migrator.add_column("note", "struck_at", DateTimeField(null=True)),
        migrator.add_column("note", "struck_by", CharField(null=True)),
        migrator.add_column("note", "strike_reason", TextField(null=True)),
        migrator.add_index("note", ("submission_id", "key"), True),
        migrator.add_column("user", "speaks", TextField(default="[]")),
    )
    _open_cases(database, NeedCase)


def _open_cases(database: Database, NeedCase) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = database.execute_sql(
        "SELECT s.id, s.status, s.created_at, a.value FROM submission s"
        " JOIN form_version v ON v.id = s.form_version_id"
        " JOIN answer a ON a.submission_id = s.id"
        " WHERE v.slug = 'intake' AND a.field = 'needs' ORDER BY s.id, a.id"
    ).fetchall()
    values = [
        {
            "submission_id": submission_id,
            "need": need,
            "status": STATUS_OF_SUBMISSION.get(status, "open"),
            "outcome": "",
            "created_at": created_at,
            "updated_at": now,
        }
        for submission_id, status, created_at, need in rows
    ]
    for start in range(0, len(values), 500):
        NeedCase.insert_many(values[start : start + 500]).on_conflict_ignore().execute()

"""Review on site: accounts, sessions, logins, statuses, notes, routing, approvals, audit log."""

from peewee import (
    BooleanField,
    CharField,
    Database,
    DateTimeField,
    ForeignKeyField,
    Model,
    TextField,
)
from playhouse.migrate import SchemaMigrator, migrate


def apply(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    class Submission(Base):
        pass

    class Answer(Base):
        pass

    class User(Base):
        name = CharField(unique=True)
        password_hash = CharField()
        role = CharField()
        active = BooleanField()
        must_change_password = BooleanField()
        created_at = DateTimeField()

    class LoginAttempt(Base):
        account = CharField(index=True)
        address = CharField(index=True)
        at = DateTimeField(index=True)
        succeeded = BooleanField()

    class UserSession(Base):
        token_hash = CharField(primary_key=True)
        user = ForeignKeyField(User, on_delete="CASCADE")
        created_at = DateTimeField()
        last_seen = DateTimeField()
        revoked = BooleanField()

    class StatusChange(Base):
        submission = ForeignKeyField(Submission, on_delete="CASCADE")
        old = CharField()
        new = CharField()
        user_name = CharField()
        at = DateTimeField()

    class Note(Base):
        submission = ForeignKeyField(Submission, on_delete="CASCADE")
        user_name = CharField()
        text = TextField()
        at = DateTimeField()

    class NeedRoute(Base):
        need = CharField(unique=True)
        office = CharField()
        contact = TextField()
        updated_at = DateTimeField()

    class CommentApproval(Base):
        answer = ForeignKeyField(Answer, unique=True, on_delete="CASCADE")
        user_name = CharField()
        at = DateTimeField()

    class AuditEvent(Base):
        at = DateTimeField(index=True)
        user_name = CharField()
        action = CharField(index=True)
        target = CharField()
        detail = TextField()

    tables = [User, LoginAttempt, UserSession, StatusChange, Note, NeedRoute, CommentApproval]
    database.bind([Submission, Answer, *tables, AuditEvent])
    database.create_tables([*tables, AuditEvent])
    migrator = SchemaMigrator.from_database(database)
    migrate(
        migrator.add_column("submission", "status", CharField(default="new")),
        migrator.add_index("submission", ("status",)),
        migrator.add_column(
            "submission",
            "assigned_to_id",
            ForeignKeyField(User, null=True, field=User.id, on_delete="SET NULL"),
        ),
    )

"""Peewee models: the site, versions of forms, unfinished drafts and stored submissions.

The directory of offices and services (the Wegweiser) is in `directory.py`, the hub's models in
`hub.py`; every model is imported from here.
"""

import uuid
from datetime import timedelta

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DeferredForeignKey,
    ForeignKeyField,
    IntegerField,
    TextField,
    UUIDField,
)

from ..clock import utcnow
from ..extensions import db
from .base import BaseModel, JSONField
from .casework import CASEWORK_MODELS
from .casework import CaseChange as CaseChange
from .casework import NeedCase as NeedCase
from .casework import NoteRevision as NoteRevision
from .directory import DirectoryEntry, DirectorySync, Event
from .forms import FORM_MODELS
from .hub import HUB_MODELS, Heartbeat, HubSite, ReceivedPdf, ReceivedReport  # noqa: F401
from .hub_forms import HUB_FORM_MODELS
from .recordings import RECORDING_MODELS, CommentRendering, Recording  # noqa: F401
from .reports import REPORT_MODELS, ReportRebuild  # noqa: F401


class Site(BaseModel):
    slug = CharField(unique=True)
    name = CharField()

    @classmethod
    def local(cls, slug: str, name: str) -> "Site":
        site, created = cls.get_or_create(slug=slug, defaults={"name": name})
        if not created and site.name != name:
            site.name = name
            site.save()
        return site


class FormVersion(BaseModel):
    """One content version of a form; submissions point here so old answers still display."""

    slug = CharField()
    number = IntegerField()
    version_hash = CharField()
    spec = JSONField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("slug", "version_hash"), True),
            (("slug", "number"), True),
        )

    @classmethod
    def for_spec(cls, spec) -> "FormVersion":
        """The stored version of this spec, created with the next number when its content is new."""
        with db.atomic():
            existing = cls.get_or_none(slug=spec.slug, version_hash=spec.version_hash)
            if existing:
                return existing
            latest = cls.select().where(cls.slug == spec.slug).order_by(cls.number.desc()).first()
            return cls.create(
                slug=spec.slug,
                number=(latest.number + 1) if latest else 1,
                version_hash=spec.version_hash,
                spec=spec.to_dict(),
            )


_specs: dict = {}


def spec_of_version(version: FormVersion):
    """The FormSpec a draft or submission was answered in (a stored version never changes)."""
    from ..formspec import FormSpec

    key = (version.slug, version.version_hash)
    if key not in _specs:
        _specs[key] = FormSpec.from_dict(version.spec)
    return _specs[key]


class Draft(BaseModel):
    """A visitor's unfinished answers, kept on the server until submitted, reset or expired."""

    uuid = UUIDField(primary_key=True, default=uuid.uuid4)
    form_version = ForeignKeyField(FormVersion, on_delete="CASCADE")
    lang = CharField(max_length=8)
    answers = JSONField(default=dict)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    # Whose it is (migration 0008, kiosk/visitor/drafts.py): the SHA-256 of the secret in the
    # cookie of the browser that started it, and a keyed hash of that client's address.
    browser = CharField(null=True, index=True)
    address = CharField(null=True)

    def set_answer(self, name: str, value) -> None:
        answers = dict(self.answers)
        if value is None:
            answers.pop(name, None)
        else:
            answers[name] = value
        self.answers = answers
        self.updated_at = utcnow()
        self.save()

    @classmethod
    def expired(cls, max_age_hours: int):
        return cls.delete().where(cls.updated_at < utcnow() - timedelta(hours=max_age_hours))


class Submission(BaseModel):
    """A visitor's submitted form; `uuid` comes from the draft, so storing it twice is refused."""

    uuid = UUIDField(unique=True)
    site = ForeignKeyField(Site, on_delete="RESTRICT")
    form_version = ForeignKeyField(FormVersion, on_delete="RESTRICT")
    lang = CharField(max_length=8)
    created_at = DateTimeField(default=utcnow, index=True)
    status = CharField(default="new", index=True)
    assigned_to = DeferredForeignKey("User", null=True, on_delete="SET NULL")
    visitor_code = CharField(null=True, index=True)  # e.g. "K7-42", formspec/visitor_code.py

    class Meta:  # the inbox's order and filters (0005), its "Zu tun" (0012, review/inbox_views.py)
        indexes = (
            (("created_at", "id", "status", "form_version", "lang"), False),
            (("status", "assigned_to", "created_at", "id", "form_version"), False),
        )

    def answer_map(self) -> dict:
        """{field: value}, with the values of a multiple-choice field as a list."""
        answers: dict = {}
        for answer in self.answers.order_by(Answer.id):
            if answer.position is None:
                answers[answer.field] = answer.value
            else:
                answers.setdefault(answer.field, []).append(answer.value)
        return answers


class Answer(BaseModel):
    """One value of one field; multiple choice is one row per chosen option, so SQL can count it."""

    submission = ForeignKeyField(Submission, backref="answers", on_delete="CASCADE")
    field = CharField()
    value = TextField()
    position = IntegerField(null=True)
    personal = BooleanField(default=False)

    class Meta:
        indexes = ((("field", "value"), False), (("field", "submission"), False))  # 0005


MODELS = (Site, FormVersion, Draft, Submission, Answer)


# --- Review on site: accounts, follow-up of submissions, accountability -----------------------

ROLES = ("volunteer", "coordinator", "admin")
STATUSES = ("new", "in_progress", "handed_over", "done")


class User(BaseModel):
    """A volunteer, coordinator or admin of this Treffpunkt."""

    name = CharField(unique=True)
    password_hash = CharField()
    role = CharField()
    active = BooleanField(default=True)
    must_change_password = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    speaks = JSONField(default=list)  # language codes its holder speaks (a "Sprachpate")

    def may(self, role: str) -> bool:
        """Whether this user has `role` or a higher one."""
        return self.active and ROLES.index(self.role) >= ROLES.index(role)


class LoginAttempt(BaseModel):
    """Recent login attempts, for throttling per account and per address."""

    account = CharField(index=True)
    address = CharField(index=True)
    at = DateTimeField(default=utcnow, index=True)
    succeeded = BooleanField()


class UserSession(BaseModel):
    """A login; the cookie holds the token, the table only its hash, so it can be revoked."""

    token_hash = CharField(primary_key=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    last_seen = DateTimeField(default=utcnow)
    revoked = BooleanField(default=False)


class StatusChange(BaseModel):
    """Every status change of a submission, with who and when; the latest one is current."""

    submission = ForeignKeyField(Submission, backref="status_changes", on_delete="CASCADE")
    old = CharField()
    new = CharField()
    user_name = CharField()
    at = DateTimeField(default=utcnow)


class Note(BaseModel):
    """A volunteer's note on a submission. Its author may correct it for a short while; after
    that, or by anyone else, it can only be struck through with a reason (migration 0009). What
    it said before is kept as a `NoteRevision`.
    """

    submission = ForeignKeyField(Submission, backref="notes", on_delete="CASCADE")
    user_name = CharField()
    text = TextField()
    at = DateTimeField(default=utcnow)
    key = CharField(null=True)  # the form's idempotency key: a double tap stores it once
    edited_at = DateTimeField(null=True)
    struck_at = DateTimeField(null=True)
    struck_by = CharField(null=True)
    strike_reason = TextField(null=True)

    class Meta:
        indexes = ((("submission", "key"), True),)


class CommentApproval(BaseModel):
    """A free-text answer a volunteer checked and approved for the city report."""

    answer = ForeignKeyField(Answer, unique=True, backref="approval", on_delete="CASCADE")
    user_name = CharField()
    at = DateTimeField(default=utcnow)


class AuditEvent(BaseModel):
    """Who did what and when: logins, views of personal data, exports, changes, erasures."""

    at = DateTimeField(default=utcnow, index=True)
    user_name = CharField()
    action = CharField(index=True)
    target = CharField(default="")
    detail = TextField(default="")


MODELS = (
    *MODELS,
    User,
    LoginAttempt,
    UserSession,
    StatusChange,
    Note,
    CommentApproval,
    AuditEvent,
    *CASEWORK_MODELS,
)


# Outbox and scheduler (kiosk/sync), migration 0003.


class SyncTarget(BaseModel):
    """A delivery target from SYNC_TARGETS as first seen, with its latest heartbeat."""

    name = CharField(unique=True)
    kind = CharField()
    added_at = DateTimeField(default=utcnow)
    # Reports that existed when the target was added and are not sent to it (all but the latest).
    skipped_reports = JSONField(default=list)
    heartbeat_at = DateTimeField(null=True)  # last attempt; also the claim of the next one
    heartbeat_ok_at = DateTimeField(null=True)
    heartbeat_error = TextField(default="")


class OutboxItem(BaseModel):
    """One report to deliver to one target; kept, never dropped, until delivered or replaced."""

    report_uuid = CharField()
    target = CharField(index=True)
    site_slug = CharField()
    period_key = CharField()
    period_start = DateField()
    enqueued_at = DateTimeField(default=utcnow)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    last_attempt_at = DateTimeField(null=True)
    last_error = TextField(default="")
    lease_until = DateTimeField(null=True)  # a deliverer holds the row until then
    delivered_at = DateTimeField(null=True, index=True)
    receipt = TextField(default="")
    superseded_by = CharField(null=True)  # a rebuilt report of the same period replaced it

    class Meta:
        table_name = "outbox"
        indexes = ((("report_uuid", "target"), True),)


class ScheduledRun(BaseModel):
    """A once-a-day job claimed for one day, so two processes never both run it."""

    job = CharField()
    day = DateField()
    started_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)
    error = TextField(default="")

    class Meta:
        indexes = ((("job", "day"), True),)


MODELS = (*MODELS, SyncTarget, OutboxItem, ScheduledRun)

# The hub's models in hub.py (0004, 0013); reports waiting to be built again in reports.py (0013).
MODELS = (*MODELS, *HUB_MODELS, *REPORT_MODELS)
MODELS = (*MODELS, DirectoryEntry, Event, DirectorySync, *RECORDING_MODELS)
# Published form versions and pins (kiosk/publishing/), migration 0014.
MODELS = (*MODELS, *FORM_MODELS)
MODELS = (*MODELS, *HUB_FORM_MODELS)  # forms from the Stadthaus (0015)

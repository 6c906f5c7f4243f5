"""Published form versions on a kiosk (migration 0014, kiosk/publishing/).

A `PublishedForm` is one version of a form that came as a package (an XLSForm upload or the
Stadthaus hub): its definition and translations as JSON (kiosk/formspec/package.py), and its
state: "pending" (waiting for the visitors' unfinished answers on that form to end, or for a pin
to be lifted), "active" (the form the kiosk asks; its file is in instance/forms/) or "replaced".
A `FormPin` holds one form at a version a coordinator chose, until unpinned.
"""

from peewee import Case, CharField, DateTimeField, IntegerField, TextField, fn

from ..clock import utcnow
from .base import BaseModel, JSONField

PENDING, ACTIVE, REPLACED = "pending", "active", "replaced"
FORM_STATES = (PENDING, ACTIVE, REPLACED)
FORM_ORIGINS = ("upload", "hub")


class PublishedForm(BaseModel):
    slug = CharField()
    number = IntegerField()  # 1, 2, … per slug, in the order of publishing
    checksum = CharField(max_length=64)  # FormPackage.checksum
    package = JSONField()  # FormPackage.to_dict()
    origin = CharField(default="upload")  # FORM_ORIGINS
    state = CharField(default=PENDING)  # FORM_STATES
    published_by = CharField()
    published_at = DateTimeField(default=utcnow)
    activated_at = DateTimeField(null=True)
    note = TextField(default="")

    class Meta:
        table_name = "published_form"
        indexes = ((("slug", "number"), True), (("slug", "checksum"), False))

    @classmethod
    def of_slug(cls, slug: str):
        return cls.select().where(cls.slug == slug).order_by(cls.number)

    @classmethod
    def active(cls):
        return cls.select().where(cls.state == ACTIVE).order_by(cls.slug)

    @classmethod
    def change_key(cls) -> tuple:
        """A summary that changes whenever a version is added or changes its state."""
        active_id = fn.SUM(Case(None, [(cls.state == ACTIVE, cls.id)], 0))
        pending = fn.SUM(Case(None, [(cls.state == PENDING, 1)], 0))
        query = cls.select(fn.COUNT(cls.id), fn.MAX(cls.id), active_id, pending)
        query = query.select_extend(fn.MAX(cls.activated_at))
        pins = FormPin.select(
            fn.COUNT(FormPin.id), fn.SUM(FormPin.number), fn.MAX(FormPin.pinned_at)
        )
        return tuple(str(v) for v in (*query.tuples().get(), *pins.tuples().get()))


class FormPin(BaseModel):
    slug = CharField(unique=True)
    number = IntegerField()  # PublishedForm.number of this slug
    pinned_by = CharField()
    pinned_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "form_pin"


FORM_MODELS = (PublishedForm, FormPin)

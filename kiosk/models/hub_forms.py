"""Forms from the Stadthaus (migration 0015): what the hub publishes, what its sites report, and
on a site what it pulled (kiosk/hub/forms.py, kiosk/sync/forms_pull.py).

On the hub, every upload of a form is a `HubForm` version (numbered per slug) for all sites or
for the sites it names; a site gets, per slug, the highest version meant for it. Each site's
heartbeat says which of the hub's versions it runs (`HubSiteForms`, only the latest).

On a site, `FormPullState` keeps the last pull per hub target (as DirectorySync does for the
directory), and `ReceivedHubForm` each hub version it took, with the number the site's own
store gave it: a version taken once is not published again under the same number (the site may
have moved on to its own upload or pinned another one), and the heartbeat can name the hub's
number of what runs.
"""

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..clock import utcnow
from .base import BaseModel, JSONField
from .hub import HubSite


class HubForm(BaseModel):
    """One version of a form the Stadthaus published: the package and who gets it."""

    slug = CharField()
    number = IntegerField()
    checksum = CharField(max_length=64)
    package = JSONField()  # FormPackage.to_dict()
    all_sites = BooleanField(default=True)
    sites = JSONField(default=list)  # the sites' slugs when not all_sites
    title = CharField(default="")
    published_by = CharField()
    published_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("slug", "number"), True),)

    def meant_for(self, site_slug: str) -> bool:
        return self.all_sites or site_slug in self.sites

    @classmethod
    def listing(cls):
        """Every version without its package, newest first per slug (cheap: no package text)."""
        return cls.select(
            cls.id,
            cls.slug,
            cls.number,
            cls.checksum,
            cls.all_sites,
            cls.sites,
            cls.title,
            cls.published_by,
            cls.published_at,
        ).order_by(cls.slug, cls.number.desc())

    @classmethod
    def latest(cls, slug: str) -> "HubForm | None":
        return cls.select().where(cls.slug == slug).order_by(cls.number.desc()).first()


class HubSiteForms(BaseModel):
    """The forms a site runs, from its latest heartbeat that said so."""

    site = ForeignKeyField(HubSite, unique=True, on_delete="CASCADE")
    forms = JSONField(default=list)  # [{slug, active, pending, pinned}] as in wire.schema.json
    reported_at = DateTimeField(default=utcnow)


class FormPullState(BaseModel):
    """A site's last pull of the forms from one hub target."""

    target = CharField(unique=True)
    version = CharField(default="")  # the ETag of the document last taken
    forms = IntegerField(default=0)  # how many forms that document held
    attempted_at = DateTimeField(null=True)
    fetched_at = DateTimeField(null=True)
    applied_at = DateTimeField(null=True)
    error = TextField(default="")


class ReceivedHubForm(BaseModel):
    """A version of a form a site took from the hub, and the number its own store gave it."""

    slug = CharField()
    number = IntegerField()  # the hub's number
    checksum = CharField(max_length=64)
    local_number = IntegerField(null=True)
    received_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("slug", "checksum"), True),)

    @classmethod
    def hub_number(cls, slug: str, local_number: int | None) -> int | None:
        """The hub's number of the site's version `local_number`, None if not from the hub."""
        if local_number is None:
            return None
        row = cls.get_or_none(cls.slug == slug, cls.local_number == local_number)
        return row.number if row else None


HUB_FORM_MODELS = (HubForm, HubSiteForms, FormPullState, ReceivedHubForm)

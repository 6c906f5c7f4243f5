"""Built reports waiting to be built again (migration 0013, kiosk/reports/versions.py).

An erasure or a withdrawn approval of a comment writes a row here in its own transaction, so
the report that still shows what was erased is never forgotten: the row stays until a new
version of the report is built, whether that happens at once or on a later try.
"""

from peewee import CharField, DateTimeField, IntegerField, TextField

from ..clock import utcnow
from .base import BaseModel


class ReportRebuild(BaseModel):
    """One site's report of one period that must be built again."""

    site_slug = CharField()
    period_key = CharField()
    requested_at = DateTimeField(default=utcnow)
    # Counts the requests: a rebuild that began before the latest one does not clear the row.
    requests = IntegerField(default=1)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    last_error = TextField(default="")

    class Meta:
        indexes = ((("site_slug", "period_key"), True),)


REPORT_MODELS = (ReportRebuild,)

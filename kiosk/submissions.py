"""Storing a visitor's answers as one submission: exactly once, all rows in one transaction."""

from datetime import datetime
from uuid import UUID

from .extensions import db
from .formspec import FormSpec
from .models import Answer, Draft, Site, Submission


def answer_rows(spec: FormSpec, answers: dict, submission_id: int):
    """One row per value of every visible field; answers to fields now hidden are dropped."""
    for field in spec.visible_fields(answers):
        value = answers.get(field.name)
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        for position, item in enumerate(values):
            yield {
                "submission": submission_id,
                "field": field.name,
                "value": str(item),
                "position": position if isinstance(value, list) else None,
                "personal": field.personal,
            }


def store_submission(
    spec: FormSpec,
    *,
    uuid: UUID,
    version_id: int,
    answers: dict,
    lang: str,
    site: Site,
    created_at: datetime | None = None,
) -> Submission:
    """Insert the submission and its answers, and forget the draft of the same UUID.

    A second call with the same UUID raises IntegrityError and changes nothing.
    """
    with db.atomic():
        fields = {"created_at": created_at} if created_at else {}
        submission = Submission.create(
            uuid=uuid, site=site, form_version=version_id, lang=lang, **fields
        )
        rows = list(answer_rows(spec, answers, submission.id))
        if rows:
            Answer.insert_many(rows).execute()
        Draft.delete().where(Draft.uuid == uuid).execute()
    return submission

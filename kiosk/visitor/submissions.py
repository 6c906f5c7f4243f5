"""Storing a visitor's answers as one submission: exactly once, all rows in one transaction."""

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from peewee import IntegrityError, Query

from ..db import built_sql
from ..extensions import db
from ..formspec import FormSpec, InvalidAnswer
from ..formspec.visitor_code import visitor_code
from ..models import Answer, Draft, FormVersion, NeedCase, Site, Submission, spec_of_version
from ..models.casework import NEEDS_FIELD, NEEDS_FORM


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


ANSWER_COLUMNS = ("submission", "field", "value", "position", "personal")


def insert_answers(rows: list[dict]) -> None:
    """answer_rows into the database: one prepared INSERT run per row (built only once)."""
    fields = [Answer._meta.fields[name] for name in ANSWER_COLUMNS]
    values = [[field.db_value(row[field.name]) for field in fields] for row in rows]
    db.cursor().executemany(built_sql("answer insert", answer_insert), values)


def answer_insert() -> Query:
    return Answer.insert({Answer._meta.fields[name]: None for name in ANSWER_COLUMNS}).returning()


def draft_delete() -> Query:
    return Draft.delete().where(Draft.uuid == UUID(int=0))


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

    A second call with the same UUID raises IntegrityError and changes nothing. A form with
    `visitor_code` gets the code of its UUID, the same on a retry or an offline replay.
    """
    with db.atomic():
        fields = {"created_at": created_at} if created_at else {}
        if spec.visitor_code:
            fields["visitor_code"] = visitor_code(uuid)
        submission = Submission.create(
            uuid=uuid, site=site, form_version=version_id, lang=lang, **fields
        )
        rows = list(answer_rows(spec, answers, submission.id))
        if rows:
            insert_answers(rows)
        open_cases(spec, answers, submission)
        db.execute_sql(built_sql("draft delete", draft_delete), (Draft.uuid.db_value(uuid),))
    return submission


def open_cases(spec: FormSpec, answers: dict, submission: Submission) -> None:
    """One follow-up item per need the visitor named (kiosk/models/casework.py)."""
    if spec.slug != NEEDS_FORM or not isinstance(answers.get(NEEDS_FIELD), list):
        return
    created = {"created_at": submission.created_at, "updated_at": submission.created_at}
    NeedCase.insert_many(
        [{"submission": submission.id, "need": need, **created} for need in answers[NEEDS_FIELD]]
    ).on_conflict_ignore().execute()


class RefusedReplay(ValueError):
    """A queued submission the server can never store; the message says why (German, for logs)."""


QUEUED_KEYS = {"uuid", "form", "version", "lang", "answers"}


def replay_submission(body, languages: set[str], site: Callable[[], Site]) -> str:
    """Store a submission the browser queued while the server was away.

    Returns "stored", or "already_stored" for a UUID that is stored already.

    The answers are checked against the form version the visitor answered, exactly as the
    step-by-step flow checks them, so a queued submission stores the same rows as a live one.
    A UUID that is already stored is a success: the first POST may have been committed before
    its answer was lost. Raises RefusedReplay for anything malformed or invalid.
    """
    queued = read_queued(body, languages)
    version = (
        FormVersion.select()
        .where(FormVersion.slug == queued["form"], FormVersion.version_hash == queued["version"])
        .first()
    )
    if version is None:
        raise RefusedReplay("Unbekanntes Formular oder unbekannte Formularversion.")
    answers = checked_answers(spec_of_version(version), queued["answers"])
    draft = Draft.get_or_none(Draft.uuid == queued["uuid"])
    if draft is not None and draft.form_version_id != version.id:
        raise RefusedReplay("Die UUID gehört zu einem anderen Formular.")
    if Submission.get_or_none(Submission.uuid == queued["uuid"]):
        return "already_stored"
    try:
        store_submission(
            spec_of_version(version),
            uuid=queued["uuid"],
            version_id=version.id,
            answers=answers,
            lang=queued["lang"],
            site=site(),
            # The draft's last answer is the visitor's time, not the time the server came back.
            created_at=draft.updated_at if draft else None,
        )
    except IntegrityError:
        if not Submission.get_or_none(Submission.uuid == queued["uuid"]):
            raise
        return "already_stored"
    return "stored"


def read_queued(body, languages: set[str]) -> dict:
    """The queued submission's parts with their types checked; the UUID parsed."""
    if not isinstance(body, dict) or set(body) != QUEUED_KEYS:
        raise RefusedReplay(f"Erwartet wird ein JSON-Objekt mit genau {sorted(QUEUED_KEYS)}.")
    if not all(isinstance(body[key], str) for key in ("uuid", "form", "version", "lang")):
        raise RefusedReplay("uuid, form, version und lang müssen Text sein.")
    if body["lang"] not in languages:
        raise RefusedReplay("Unbekannte Sprache.")
    if not isinstance(body["answers"], dict):
        raise RefusedReplay("answers muss ein JSON-Objekt sein.")
    try:
        submission_id = UUID(body["uuid"])
    except ValueError:
        raise RefusedReplay("uuid ist keine UUID.") from None
    return {**body, "uuid": submission_id}


def checked_answers(spec: FormSpec, answers: dict) -> dict:
    """The answers cleaned field by field in form order, as the steps would have stored them.

    Visibility is decided on the cleaned earlier answers, like `FormSpec.visible_fields`;
    answers to fields hidden by them are dropped, unknown fields and invalid values refused.
    """
    unknown = set(answers) - {field.name for field in spec.fields}
    if unknown:
        raise RefusedReplay(f"Unbekannte Felder: {', '.join(sorted(unknown))}.")
    cleaned: dict = {}
    for field in spec.fields:
        if not field.is_visible(cleaned):
            continue
        raw = answers.get(field.name)
        if not is_raw_answer(raw):
            raise RefusedReplay(f"{field.name}: Text oder Liste von Texten erwartet.")
        try:
            value = field.clean(raw)
        except InvalidAnswer as problem:
            raise RefusedReplay(f"{field.name}: ungültige Antwort ({problem.key}).") from None
        if value is not None:
            cleaned[field.name] = value
    return cleaned


def is_raw_answer(raw) -> bool:
    """None, a text, or a list of texts: what a form post can carry."""
    if raw is None or isinstance(raw, str):
        return True
    return isinstance(raw, list) and all(isinstance(item, str) for item in raw)

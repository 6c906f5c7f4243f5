"""A visitor's unfinished answers on the server: started, found by key, answered, discarded.

These run on every step, so they avoid what cost most there: a step finds its draft with one
lookup by primary key, its form version comes from a cache instead of a join (a stored version
never changes), the parsed FormSpec from `spec_of_version`'s cache, and the SQL texts are built
by peewee once per database instead of on every call.

A draft belongs to the browser that started it: it keeps the SHA-256 of a secret in that
browser's cookie (`browser_hash`), and only that browser sees, continues or discards it
(`belongs_to`, a constant-time comparison). Starting holds to DraftLimits: per browser, per
client address and in all, counting the unexpired drafts only.
"""

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

from peewee import Case, Query, fn

from ..clock import utcnow
from ..db import built_sql, database_cache, unsynced_commits
from ..extensions import db
from ..formspec import FormSpec
from ..models import Draft, FormVersion, spec_of_version

# Any UUID: the SQL texts are built with a placeholder where it goes.
SOME_UUID = UUID(int=0)
# In Draft.answers: {field name: [as typed, stored value]}. No field can have this name (field
# names start with a letter), and what is stored or sent on reads the answers by field name
# (FormSpec.visible_answers, submissions.answer_rows): the typed text never leaves the draft.
TYPED_KEY = "_typed"


def current_version(spec: FormSpec) -> FormVersion:
    """The stored version of the form as loaded now (FormVersion.for_spec, once per process)."""
    version = database_cache().get(("version", spec.slug, spec.version_hash))
    if version is None:
        version = remember_version(FormVersion.for_spec(spec))
    return version


def version_by_id(version_id: int) -> FormVersion:
    version = database_cache().get(("version", version_id))
    if version is None:
        version = remember_version(FormVersion.get_by_id(version_id))
    return version


def remember_version(version: FormVersion) -> FormVersion:
    # A version made inside a transaction that may still roll back is not kept.
    if not db.in_transaction():
        cache = database_cache()
        cache["version", version.id] = cache["version", version.slug, version.version_hash] = (
            version
        )
    return version


@dataclass(frozen=True)
class DraftLimits:
    """The most unfinished drafts at once: of one browser, of one client address, and in all
    (None: no limit of that kind)."""

    per_browser: int | None = None
    per_address: int | None = None
    total: int | None = None


class TooManyDrafts(Exception):
    """One more draft would go over a limit: the visitor is asked to try again shortly."""


def start_draft(
    spec: FormSpec,
    lang: str,
    max_age_hours: int,
    browser: str | None = None,
    address: str | None = None,
    limits: DraftLimits | None = None,
) -> Draft:
    """A new draft of `spec`'s current version for the browser whose secret hashes to `browser`
    (`browser_hash`), from the client `address` (`address_key`).

    Drafts untouched for max_age_hours go first, and so does this browser's earlier draft of
    the same form (starting a form again replaces it), so `limits` count only what stays.
    Raises TooManyDrafts, storing nothing, where one more would go over `limits`.
    """
    now = utcnow()
    cutoff = Draft.updated_at.db_value(now - timedelta(hours=max_age_hours))
    db.execute_sql(built_sql("drafts expired", expired_drafts), (cutoff,))
    draft = Draft(uuid=uuid4(), lang=lang, answers={}, created_at=now, updated_at=now)
    draft.browser, draft.address = browser, address
    draft.form_version = current_version(spec)
    values = [field.db_value(getattr(draft, field.name)) for field in Draft._meta.sorted_fields]
    with unsynced_commits():  # nothing is promised yet: the visitor has not answered anything
        if browser:
            same_form = FormVersion.select(FormVersion.id).where(FormVersion.slug == spec.slug)
            Draft.delete().where(
                (Draft.browser == browser) & Draft.form_version.in_(same_form)
            ).execute()
        if limits and over_limits(browser, address, limits):
            raise TooManyDrafts(spec.slug)
        db.execute_sql(built_sql("draft insert", draft_insert), values)
    return draft


def over_limits(browser: str | None, address: str | None, limits: DraftLimits) -> bool:
    """Whether one more draft of this browser and address would go over `limits` (counted in
    one query; two starts at the same moment may both pass: a bound, not an exact count)."""
    mine = Case(None, [(Draft.browser == (browser or ""), 1)], 0)
    near = Case(None, [(Draft.address == (address or ""), 1)], 0)
    total, of_browser, of_address = Draft.select(
        fn.COUNT(Draft.uuid), fn.SUM(mine), fn.SUM(near)
    ).scalar(as_tuple=True)
    counts = [(total, limits.total)]
    if browser:
        counts.append((of_browser, limits.per_browser))
    if address:
        counts.append((of_address, limits.per_address))
    return any(limit is not None and (count or 0) >= limit for count, limit in counts)


def expired_drafts() -> Query:
    """Draft.expired, with the time as a parameter."""
    return Draft.delete().where(Draft.updated_at < utcnow())


def draft_insert() -> Query:
    columns = {field: None for field in Draft._meta.sorted_fields}
    return Draft.insert(columns).returning()  # no RETURNING: the UUID is made here


def find_draft(form_slug: str, draft_id: UUID) -> Draft | None:
    """The draft with this UUID if it belongs to the form `form_slug`, else None."""
    fields = Draft._meta.sorted_fields
    sql = built_sql("draft by key", lambda: Draft.select(*fields).where(Draft.uuid == SOME_UUID))
    row = db.execute_sql(sql, (Draft.uuid.db_value(draft_id),)).fetchone()
    if row is None:
        return None
    values = zip(fields, row, strict=True)
    draft = Draft(__no_default__=True, **{field.name: field.python_value(v) for field, v in values})
    draft.form_version = version_by_id(draft.form_version_id)
    return draft if draft.form_version.slug == form_slug else None


def browser_hash(secret: str) -> str:
    """What a draft keeps of its browser's secret. The secret is 256 random bits, so a plain
    SHA-256 needs no key: the database alone never lets anyone in."""
    return hashlib.sha256(secret.encode()).hexdigest()


def belongs_to(draft: Draft, secret: str | None) -> bool:
    """Whether the browser holding `secret` started the draft, compared in constant time. A
    draft without an owner (none are left after migration 0008) belongs to nobody."""
    if not secret or not draft.browser:
        return False
    return hmac.compare_digest(draft.browser, browser_hash(secret))


def address_key(remote_addr: str | None, key: bytes) -> str | None:
    """A keyed hash of the client's address, for the limit per address: no address is stored.

    An IPv6 client counts by its /64 network (one device may take many addresses in it), an
    IPv4 one (also written as IPv6) by its address.
    """
    address = client_address(remote_addr)
    if address is None:
        group = remote_addr or ""  # not an IP address (e.g. a Unix socket): taken as it is
    elif address.version == 6:
        group = str(ipaddress.IPv6Network((int(address) >> 64 << 64, 64)))
    else:
        group = str(address)
    return hmac.new(key, group.encode(), hashlib.sha256).hexdigest()[:32] if group else None


def is_loopback(remote_addr: str | None) -> bool:
    """The kiosk's own screen (its browser on the same device), one visitor after another."""
    address = client_address(remote_addr)
    return address is not None and address.is_loopback


def client_address(remote_addr: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client's IP address, an IPv4 one written as IPv6 (::ffff:a.b.c.d) as IPv4."""
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return None
    return (address.version == 6 and address.ipv4_mapped) or address


def spec_of_draft(draft: Draft) -> FormSpec:
    """The form as it was when the draft began: its stored version, not today's file."""
    return spec_of_version(draft.form_version)


def answers_with(answers: dict, name: str, value, typed: str | None = None) -> dict:
    """A copy of `answers` with `name`'s new answer (None removes it) and, under TYPED_KEY, the
    answer as typed where it differs; for a draft and for the coordinator's preview alike."""
    answers = dict(answers)
    typed_answers = dict(answers.pop(TYPED_KEY, None) or {})
    typed_answers.pop(name, None)
    if value is None:
        answers.pop(name, None)
    else:
        answers[name] = value
        if typed is not None and typed != value:
            typed_answers[name] = [typed, value]
    if typed_answers:
        answers[TYPED_KEY] = typed_answers
    return answers


def save_answer(draft: Draft, name: str, value, typed: str | None = None) -> None:
    """Store one answer (None removes it) of an unfinished form, without waiting for the disk
    (see `unsynced_commits`): a draft promises the visitor nothing; the submission does.

    `typed` is the answer as the visitor wrote it when that differs from `value` (digits of
    their script: `Field.typed_value`); it is kept beside the answers under TYPED_KEY so their
    step and the summary show it back (`shown_answer`), and dropped with any other answer.
    """
    draft.answers, draft.updated_at = answers_with(draft.answers, name, value, typed), utcnow()
    sql = built_sql("draft answers", answers_update)
    params = (
        Draft.answers.db_value(draft.answers),
        Draft.updated_at.db_value(draft.updated_at),
        Draft.uuid.db_value(draft.uuid),
    )
    with unsynced_commits():
        db.execute_sql(sql, params)


def answers_update() -> Query:
    return Draft.update(answers={}, updated_at=utcnow()).where(Draft.uuid == SOME_UUID)


def shown_answer(draft: Draft, name: str):
    """The answer to show the visitor: as they typed it while it still stands for the stored
    value (e.g. "۲۰۱۶" for "2016"), else the stored value (None when there is none)."""
    value = draft.answers.get(name)
    typed = (draft.answers.get(TYPED_KEY) or {}).get(name)
    if value is not None and isinstance(typed, list) and len(typed) == 2 and typed[1] == value:
        return typed[0]
    return value


def offline_submission(spec: FormSpec, draft: Draft) -> dict:
    """What the browser queues if the final submit cannot reach the server: no more than that.

    The answers are those the summary shows; the form version pins the rules they obey.
    """
    return {
        "uuid": str(draft.uuid),
        "form": spec.slug,
        "version": draft.form_version.version_hash,
        "lang": draft.lang,
        "answers": spec.visible_answers(draft.answers),
    }


def discard_draft(draft_id: UUID) -> None:
    """Forget a visitor's unfinished answers (cancel, idle timeout, back from the first step)."""
    Draft.delete().where(Draft.uuid == draft_id).execute()


def discard_own_draft(form_slug: str, draft_id: UUID, secret: str | None) -> bool:
    """Forget the draft if the browser holding `secret` started it (a reset needs no more
    proof than that: it only ever removes that browser's own answers). True if it was."""
    draft = find_draft(form_slug, draft_id)
    if draft is None or not belongs_to(draft, secret):
        return False
    discard_draft(draft_id)
    return True

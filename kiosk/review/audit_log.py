"""The audit log as admins read it: filtered by person, action and the Treffpunkt's days, newest
first, each event a German sentence (review/audit_names.py)."""

import dataclasses
from datetime import date, timedelta

from ..clock import utc_midnight
from ..models import AuditEvent, FormVersion, Submission, User
from .audit_names import ACTION_NAMES, ACTORS, Sentence, actor, sentence
from .inbox import Page, forms, page_of


@dataclasses.dataclass(frozen=True)
class AuditFilters:
    person: str | None = None
    action: str | None = None
    since: date | None = None  # local days, both included
    until: date | None = None


@dataclasses.dataclass(frozen=True)
class AuditLine:
    """One event as the log shows it: when, and what happened in words."""

    event: AuditEvent
    sentence: Sentence


def matching(filters: AuditFilters):
    query = AuditEvent.select().order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if filters.person:
        query = query.where(AuditEvent.user_name == filters.person)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.since:
        query = query.where(AuditEvent.at >= utc_midnight(filters.since))
    if filters.until:
        query = query.where(AuditEvent.at < utc_midnight(filters.until + timedelta(days=1)))
    return query


def audit_page(filters: AuditFilters, number: int) -> Page:
    """Page `number` of the matching events as AuditLines."""
    page = page_of(matching(filters), number)
    titles = submission_titles(page.rows)
    lines = [AuditLine(event, sentence(event, titles)) for event in page.rows]
    return dataclasses.replace(page, rows=lines)


def submission_titles(events) -> dict[int, str]:
    """{submission id: its form's title} of the submissions the events name that still exist."""
    ids = {
        int(number)
        for kind, _, number in (event.target.partition("/") for event in events)
        if kind == "submission" and number.isdigit()
    }
    if not ids:
        return {}
    rows = (
        Submission.select(Submission.id, FormVersion.slug)
        .join(FormVersion)
        .where(Submission.id.in_(sorted(ids)))
        .tuples()
    )
    specs = forms()
    return {number: specs[slug].title if slug in specs else "Eintrag" for number, slug in rows}


def action_choices() -> list[tuple[str, str]]:
    """(code, name) of every action the log holds, by name."""
    codes = AuditEvent.select(AuditEvent.action).distinct().tuples()
    named = ((code, ACTION_NAMES.get(code, code)) for (code,) in codes)
    return sorted(named, key=lambda pair: pair[1].casefold())


def person_choices() -> list[tuple[str, str]]:
    """(user_name, shown name) of every account, then the program's own names in the log."""
    accounts = [(name, name) for (name,) in User.select(User.name).order_by(User.name).tuples()]
    present = AuditEvent.select(AuditEvent.user_name).where(AuditEvent.user_name.in_(list(ACTORS)))
    machines = sorted({row.user_name for row in present.distinct()})
    return accounts + [(name, f"{actor(name)} ({name})") for name in machines]

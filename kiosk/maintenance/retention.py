"""Löschfristen: forget personal data on time and keep only what the reports count.

Each form's `retention_days` (of the version a submission was answered in) decides:

- older than that, a submission loses its personal answers (names, contacts, free text, and
  with them any approval of a comment), and its time is cut to the local day;
- once its follow-up ended (done or handed over) that long ago, it also loses the notes, the
  status history and the assignment, which describe the person and who cared for them, and its
  needs' cases lose their outcome lines, assignees and the names in their history. The cases'
  states, offices and dates stay: the reports count needs by their follow-up state from them.

What stays is an anonymous skeleton: form version, day, language, final status and the answers
that are not personal, so a report of a past period counts the same before and after.
Unfinished drafts, old login attempts and ended staff sessions go as well, and on the hub the
reports a newer version superseded more than HUB_SUPERSEDED_DAYS ago (kiosk/hub/receive.py).
"""

from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app
from peewee import JOIN, fn

from ..clock import local_time, utc_midnight
from ..db import checkpoint_wal
from ..extensions import db
from ..models import (
    Answer,
    CaseChange,
    CommentApproval,
    Draft,
    FormVersion,
    LoginAttempt,
    NeedCase,
    Note,
    ReceivedPdf,
    ReceivedReport,
    StatusChange,
    Submission,
    UserSession,
    spec_of_version,
    utcnow,
)
from ..review.auth import audit
from ..review.inbox import merge_search_deletions, unindexed
from ..review.throttle import stale_attempts

ENDED_STATUSES = ("done", "handed_over")
TIME_WINDOW_DAYS = 366  # local days whose starts go into one query (as parameters)
UPDATE_CHUNK = 500  # ids per statement, far below any database's limit of parameters

# How the audit line names each count, in this order; counts of zero are left out.
COUNT_NAMES = {
    "personal_answers": "persönliche Antworten",
    "comment_approvals": "Kommentar-Freigaben",
    "visitor_codes": "Besuchernummern",
    "notes": "Notizen",
    "status_changes": "Statuswechsel",
    "assignments": "Zuweisungen",
    "case_details": "Ergebnisse und Namen in Anliegen",
    "drafts": "unfertige Eingaben",
    "login_attempts": "Anmeldeversuche",
    "sessions": "abgelaufene Anmeldungen",
}


def purge_expired(now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Delete everything past its Löschfrist in one transaction; returns counts by kind.

    The audit log gets one line with the counts, never ids or content. Afterwards the
    write-ahead log is emptied, so no deleted page lingers there (secure_delete overwrites
    them in the database file itself), and the full-text index is merged, so no deleted free
    text lingers in it. A dry run counts the same and rolls everything back.

    Set-based: a few statements per Löschfrist, whatever the number of submissions; only
    the times still to cut are read into Python.
    """
    now = now or utcnow()
    counts = dict.fromkeys((*COUNT_NAMES, "times"), 0)
    with db.atomic() as transaction:
        for days, version_ids in versions_by_retention().items():
            cutoff = now - timedelta(days=days)
            add_counts(counts, forget_personal_answers(version_ids, cutoff))
            add_counts(counts, forget_ended_followups(version_ids, cutoff))
        add_counts(counts, forget_stale_logins(now))
        counts["drafts"] = forget_drafts(now)
        if dry_run:
            transaction.rollback()
            return counts
        if counts["personal_answers"]:
            merge_search_deletions()
        audit("purge", "", describe(counts), user_name="system")
    checkpoint_wal()
    return counts


def add_counts(counts: dict[str, int], more: dict[str, int]) -> None:
    for kind, number in more.items():
        counts[kind] += number


def versions_by_retention() -> dict[int, list[int]]:
    """{retention days: ids of the form versions with that Löschfrist}."""
    versions: dict[int, list[int]] = defaultdict(list)
    for version in FormVersion.select(FormVersion.id, FormVersion.spec).order_by(FormVersion.id):
        versions[version.spec["retention_days"]].append(version.id)
    return versions


def expired(version_ids: list[int], cutoff: datetime) -> list:
    """Conditions: a submission of one of these versions from before `cutoff`."""
    return [unindexed(Submission.form_version).in_(version_ids), Submission.created_at < cutoff]


def personal_fields(version_ids: list[int]) -> list[str]:
    """Names of the fields personal in any of these versions: every personal answer's field."""
    names = set()
    for version in FormVersion.select().where(FormVersion.id.in_(version_ids)):
        names.update(field.name for field in spec_of_version(version).fields if field.personal)
    return sorted(names)


def forget_personal_answers(version_ids: list[int], cutoff: datetime) -> dict[str, int]:
    """Personal answers (and approvals of them) of these versions' submissions before `cutoff`.

    The field names let the database read only the answers to personal questions (from the
    index of answers by field and submission) instead of every answer of every old submission.
    """
    old = Submission.select(Submission.id).where(*expired(version_ids, cutoff))
    personal = [
        Answer.field.in_(personal_fields(version_ids)),
        unindexed(Answer.submission).in_(old),
        Answer.personal,
    ]
    approved = Answer.select(Answer.id).where(
        Answer.id.in_(CommentApproval.select(CommentApproval.answer)), *personal
    )  # from the few approved answers, not from every personal one
    return {
        "comment_approvals": CommentApproval.delete()
        .where(CommentApproval.answer.in_(approved))
        .execute(),
        "personal_answers": Answer.delete().where(*personal).execute(),
        # The code on the thank-you leads to these answers as a name would.
        "visitor_codes": Submission.update(visitor_code=None)
        .where(*expired(version_ids, cutoff), Submission.visitor_code.is_null(False))
        .execute(),
        "times": truncate_times(version_ids, cutoff),
    }


def truncate_times(version_ids: list[int], cutoff: datetime) -> int:
    """Cut the time of expired submissions to the start of their local day.

    The local day keeps every report period (whole days in Wildeshausen) the same; the exact
    minute, together with the language, could point to one visitor.

    A time that already is the start of its local day stays; the database is asked only for
    the others (a few hundred each night, however long the history), a window of days at a
    time, and these are updated a day at a time.
    """
    first = Submission.select(fn.MIN(Submission.created_at)).where(*expired(version_ids, cutoff))
    first = first.scalar()
    if first is None:
        return 0
    if isinstance(first, str):  # SQLite's MIN() returns the stored text
        first = datetime.fromisoformat(first)
    changed = 0
    day, last_day = local_time(first).date(), local_time(cutoff).date()
    while day <= last_day:
        window = [day + timedelta(days=n) for n in range(TIME_WINDOW_DAYS + 1)]
        day = window[-1]
        starts = [utc_midnight(one_day) for one_day in window]
        # Starts of local days that are their own day's start (all of them, except where a
        # time zone skips midnight): a time equal to one of them needs no cut.
        at_start = [start for start in starts if utc_midnight(local_time(start).date()) == start]
        to_cut = Submission.select(Submission.id, Submission.created_at).where(
            *expired(version_ids, cutoff),
            Submission.created_at >= starts[0],
            Submission.created_at < starts[-1],
            Submission.created_at.not_in(at_start),
        )
        by_day: dict[datetime, list[int]] = defaultdict(list)
        for submission_id, created_at in to_cut.tuples():
            day_start = utc_midnight(local_time(created_at).date())
            if created_at != day_start:
                by_day[day_start].append(submission_id)
        for day_start, ids in by_day.items():
            for i in range(0, len(ids), UPDATE_CHUNK):
                changed += (
                    Submission.update(created_at=day_start)
                    .where(Submission.id.in_(ids[i : i + UPDATE_CHUNK]))
                    .execute()
                )
    return changed


def forget_ended_followups(version_ids: list[int], cutoff: datetime) -> dict[str, int]:
    """Notes, status changes and assignment of these versions' submissions whose follow-up
    ended (done, handed over) before `cutoff`.

    The end is the last status change; without any recorded change, the submission's time.
    Only submissions with something left to forget are looked for: a purged one is not read
    again each night.
    """
    ended_at = fn.COALESCE(fn.MAX(StatusChange.at), Submission.created_at)
    has_notes = fn.EXISTS(Note.select(Note.id).where(Note.submission == Submission.id))
    has_case_details = fn.EXISTS(
        NeedCase.select(NeedCase.id).where(NeedCase.submission == Submission.id, case_details())
    )
    ended = [
        row.id
        for row in Submission.select(Submission.id)
        .join(StatusChange, JOIN.LEFT_OUTER, on=(StatusChange.submission == Submission.id))
        .where(
            *expired(version_ids, cutoff),
            unindexed(Submission.status).in_(ENDED_STATUSES),
        )
        .group_by(Submission.id)
        .having(
            ended_at < cutoff,
            (fn.COUNT(StatusChange.id) > 0)
            | Submission.assigned_to.is_null(False)
            | has_notes
            | has_case_details,
        )
    ]
    counts = dict.fromkeys(("notes", "status_changes", "assignments", "case_details"), 0)
    for i in range(0, len(ended), UPDATE_CHUNK):
        ids = ended[i : i + UPDATE_CHUNK]
        counts["notes"] += Note.delete().where(Note.submission.in_(ids)).execute()
        counts["status_changes"] += (
            StatusChange.delete().where(StatusChange.submission.in_(ids)).execute()
        )
        counts["assignments"] += (
            Submission.update(assigned_to=None)
            .where(Submission.id.in_(ids), Submission.assigned_to.is_null(False))
            .execute()
        )
        counts["case_details"] += forget_case_details(ids)
    return counts


# What a case's history may say about a person: the outcome line and who was assigned. The
# state, office and dates stay, since reports read the follow-up at a period's end from them.
PERSONAL_CASE_FIELDS = {"outcome": "", "assignee": None}


def case_details():
    """Condition: a case that still holds an outcome line or an assignee, or whose history
    still names someone."""
    named = CaseChange.select(CaseChange.id).where(
        CaseChange.case == NeedCase.id, CaseChange.user_name != ""
    )
    return (NeedCase.outcome != "") | NeedCase.assignee.is_null(False) | fn.EXISTS(named)


def forget_case_details(submission_ids: list[int]) -> int:
    """Outcome lines, assignees and the names in the history of these submissions' cases;
    returns the number of cases that held any. A handful per night: the history's JSON is
    rewritten in Python, the same on SQLite and PostgreSQL."""
    cases = NeedCase.select(NeedCase.id).where(
        NeedCase.submission.in_(submission_ids), case_details()
    )
    case_ids = [case.id for case in cases]
    if not case_ids:
        return 0
    for change in CaseChange.select().where(CaseChange.case.in_(case_ids)):
        change.before = {**change.before, **scrubbed(change.before)}
        change.after = {**change.after, **scrubbed(change.after)}
        change.user_name = ""
        change.save()
    NeedCase.update(outcome="", assignee=None).where(NeedCase.id.in_(case_ids)).execute()
    return len(case_ids)


def scrubbed(fields: dict) -> dict:
    return {name: blank for name, blank in PERSONAL_CASE_FIELDS.items() if name in fields}


def forget_drafts(now: datetime) -> int:
    max_age = timedelta(hours=current_app.config["DRAFT_MAX_AGE_HOURS"])
    return Draft.delete().where(Draft.updated_at < now - max_age).execute()


def purge_superseded_reports(now: datetime | None = None) -> int:
    """Delete the hub's reports superseded by a newer version more than HUB_SUPERSEDED_DAYS ago,
    with their PDFs (a nightly job; none at a site, which keeps no received reports)."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["HUB_SUPERSEDED_DAYS"])
    with db.atomic():
        ReceivedPdf.delete().where(
            ReceivedPdf.report.in_(ReceivedReport.superseded_before(cutoff))
        ).execute()
        deleted = ReceivedReport.delete().where(ReceivedReport.superseded_at < cutoff).execute()
        if deleted:
            audit("purge", "", f"{deleted} ersetzte Berichte gelöscht", user_name="system")
    if deleted:
        checkpoint_wal()
    return deleted


def forget_stale_logins(now: datetime) -> dict[str, int]:
    """Login attempts that no longer count for throttling (review/throttle.py), and sessions
    that can never return."""
    config = current_app.config
    ended = (
        UserSession.revoked
        | (UserSession.created_at < now - timedelta(hours=config["STAFF_SESSION_HOURS"]))
        | (UserSession.last_seen < now - timedelta(minutes=config["STAFF_IDLE_MINUTES"]))
    )
    return {
        "login_attempts": LoginAttempt.delete().where(stale_attempts(now)).execute(),
        "sessions": UserSession.delete().where(ended).execute(),
    }


def describe(counts: dict[str, int]) -> str:
    """The audit line, e.g. "12 persönliche Antworten, 3 Notizen gelöscht; 40 Zeiten gekürzt"."""
    parts = [f"{counts[kind]} {name}" for kind, name in COUNT_NAMES.items() if counts[kind]]
    line = (", ".join(parts) + " gelöscht") if parts else "nichts gelöscht"
    if counts["times"]:
        line += f"; {counts['times']} Zeiten auf den Tag gekürzt"
    return line

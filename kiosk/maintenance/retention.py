"""Löschfristen: forget personal data on time and keep only what the reports count.

Each form's `retention_days` (of the version a submission was answered in) decides:

- older than that, a submission loses its personal answers (names, contacts, free text, and
  with them any approval of a comment), and its time is cut to the local day;
- once its follow-up ended (done or handed over) that long ago, it also loses the notes, the
  status history and the assignment, which describe the person and who cared for them.

What stays is an anonymous skeleton: form version, day, language, final status and the answers
that are not personal, so a report of a past period counts the same before and after.
Unfinished drafts, old login attempts and ended staff sessions go as well.
"""

from datetime import datetime, timedelta

from flask import current_app
from peewee import JOIN, fn

from ..clock import local_time, utc_midnight
from ..db import checkpoint_wal
from ..extensions import db
from ..models import (
    Answer,
    CommentApproval,
    Draft,
    FormVersion,
    LoginAttempt,
    Note,
    StatusChange,
    Submission,
    UserSession,
    utcnow,
)
from ..review.auth import THROTTLE_WINDOW, audit

ENDED_STATUSES = ("done", "handed_over")

# How the audit line names each count, in this order; counts of zero are left out.
COUNT_NAMES = {
    "personal_answers": "persönliche Antworten",
    "comment_approvals": "Kommentar-Freigaben",
    "notes": "Notizen",
    "status_changes": "Statuswechsel",
    "assignments": "Zuweisungen",
    "drafts": "unfertige Eingaben",
    "login_attempts": "Anmeldeversuche",
    "sessions": "abgelaufene Anmeldungen",
}


def purge_expired(now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Delete everything past its Löschfrist in one transaction; returns counts by kind.

    The audit log gets one line with the counts, never ids or content. Afterwards the
    write-ahead log is emptied, so no deleted page lingers there (secure_delete overwrites
    them in the database file itself). A dry run counts the same and rolls everything back.
    """
    now = now or utcnow()
    counts = dict.fromkeys((*COUNT_NAMES, "times"), 0)
    with db.atomic() as transaction:
        for version in FormVersion.select(FormVersion.id, FormVersion.spec):
            cutoff = now - timedelta(days=version.spec["retention_days"])
            add_counts(counts, forget_personal_answers(version.id, cutoff))
            add_counts(counts, forget_ended_followups(version.id, cutoff))
        add_counts(counts, forget_stale_logins(now))
        counts["drafts"] = forget_drafts(now)
        if dry_run:
            transaction.rollback()
            return counts
        audit("purge", "", describe(counts), user_name="system")
    checkpoint_wal()
    return counts


def add_counts(counts: dict[str, int], more: dict[str, int]) -> None:
    for kind, number in more.items():
        counts[kind] += number


def expired_submissions(version_id: int, cutoff: datetime):
    return Submission.select(Submission.id).where(
        Submission.form_version == version_id, Submission.created_at < cutoff
    )


def forget_personal_answers(version_id: int, cutoff: datetime) -> dict[str, int]:
    """Personal answers (and approvals of them) of this version's submissions before `cutoff`."""
    personal = Answer.select(Answer.id).where(
        Answer.submission.in_(expired_submissions(version_id, cutoff)), Answer.personal
    )
    return {
        "comment_approvals": CommentApproval.delete()
        .where(CommentApproval.answer.in_(personal))
        .execute(),
        "personal_answers": Answer.delete().where(Answer.id.in_(personal)).execute(),
        "times": truncate_times(version_id, cutoff),
    }


def truncate_times(version_id: int, cutoff: datetime) -> int:
    """Cut the time of expired submissions to the start of their local day.

    The local day keeps every report period (whole days in Wildeshausen) the same; the exact
    minute, together with the language, could point to one visitor.
    """
    changed = 0
    query = Submission.select(Submission.id, Submission.created_at).where(
        Submission.form_version == version_id, Submission.created_at < cutoff
    )
    for submission in query:
        day_start = utc_midnight(local_time(submission.created_at).date())
        if submission.created_at != day_start:
            changed += (
                Submission.update(created_at=day_start)
                .where(Submission.id == submission.id)
                .execute()
            )
    return changed


def ended_followups(version_id: int, cutoff: datetime):
    """Ids of this version's submissions whose follow-up ended (done, handed over) before cutoff.

    The end is the last status change; without any recorded change, the submission's time.
    """
    ended_at = fn.COALESCE(fn.MAX(StatusChange.at), Submission.created_at)
    return (
        Submission.select(Submission.id)
        .join(StatusChange, JOIN.LEFT_OUTER, on=(StatusChange.submission == Submission.id))
        .where(
            Submission.form_version == version_id,
            Submission.status.in_(ENDED_STATUSES),
            Submission.created_at < cutoff,
        )
        .group_by(Submission.id)
        .having(ended_at < cutoff)
    )


def forget_ended_followups(version_id: int, cutoff: datetime) -> dict[str, int]:
    ended = [row.id for row in ended_followups(version_id, cutoff)]
    if not ended:
        return {}
    return {
        "notes": Note.delete().where(Note.submission.in_(ended)).execute(),
        "status_changes": StatusChange.delete().where(StatusChange.submission.in_(ended)).execute(),
        "assignments": Submission.update(assigned_to=None)
        .where(Submission.id.in_(ended), Submission.assigned_to.is_null(False))
        .execute(),
    }


def forget_drafts(now: datetime) -> int:
    max_age = timedelta(hours=current_app.config["DRAFT_MAX_AGE_HOURS"])
    return Draft.delete().where(Draft.updated_at < now - max_age).execute()


def forget_stale_logins(now: datetime) -> dict[str, int]:
    """Login attempts that no longer count for throttling, and sessions that can never return."""
    config = current_app.config
    ended = (
        UserSession.revoked
        | (UserSession.created_at < now - timedelta(hours=config["STAFF_SESSION_HOURS"]))
        | (UserSession.last_seen < now - timedelta(minutes=config["STAFF_IDLE_MINUTES"]))
    )
    return {
        "login_attempts": LoginAttempt.delete()
        .where(LoginAttempt.at < now - THROTTLE_WINDOW)
        .execute(),
        "sessions": UserSession.delete().where(ended).execute(),
    }


def describe(counts: dict[str, int]) -> str:
    """The audit line, e.g. "12 persönliche Antworten, 3 Notizen gelöscht; 40 Zeiten gekürzt"."""
    parts = [f"{counts[kind]} {name}" for kind, name in COUNT_NAMES.items() if counts[kind]]
    line = (", ".join(parts) + " gelöscht") if parts else "nichts gelöscht"
    if counts["times"]:
        line += f"; {counts['times']} Zeiten auf den Tag gekürzt"
    return line

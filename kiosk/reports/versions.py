"""Reports built again after an erasure or a withdrawn approval of a comment.

Which built reports show a submission (their period covers its time) or print a comment (and
their comments hold its text); the queue of reports waiting to be built again; building them.

The change that makes a report untrue (kiosk/review/casework.py) writes the report's row into
`ReportRebuild` in its own transaction (`request_rebuilds`), so the erasure never waits for a
PDF and a report is never forgotten: `rebuild_pending` builds each waiting report as its next
version (store.py, which replaces the old files) and clears the row only then. A failed build
stays on the row with its reason and is tried again by the scheduler and `kiosk report due`,
after a pause that doubles from a minute up to an hour. Delivery of the new version is the
outbox's (kiosk/sync/outbox.py), as for any report.
"""

import contextlib
import logging
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app

from ..clock import utc_midnight, utcnow
from ..db import this_site
from ..models import Answer, ReportRebuild, Site, Submission
from .periods import PeriodError, period_of
from .store import (
    ReportError,
    build_report,
    list_records,
    load_record,
    report_paths,
    reports_dir,
)

log = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 60
RETRY_CAP_SECONDS = 3600


# --- Which reports a change touches ----------------------------------------------------------


def reports_showing(submission: Submission) -> list[dict]:
    """The records of the built reports whose period covers the submission's time, by the end
    of their period, the shorter first ("Oktober 2026", then "4. Quartal 2026"). A report being
    built right now counts too (it may have read the submission already), as a bare record."""
    try:
        slug = this_site().slug
        records = list_records(current_app.instance_path, slug) + being_built(slug)
        touched = [record for record in records if covers(record, submission.created_at)]
        return sorted(touched, key=lambda record: record["period"]["end"])
    except (OSError, ValueError, KeyError, TypeError):  # a damaged record must not stop an erasure
        log.exception("Gebaute Berichte nicht lesbar")
        return []


def being_built(slug: str) -> list[dict]:
    """Bare records (site and period) of the reports whose first build holds its lock now."""
    folder = reports_dir(current_app.instance_path, slug)
    names = os.listdir(folder) if os.path.isdir(folder) else []
    keys = [name.removesuffix(".json.lock") for name in names if name.endswith(".json.lock")]
    bare = []
    for key in keys:
        if os.path.exists(os.path.join(folder, f"{key}.json")):
            continue  # built before: listed with its record
        with contextlib.suppress(PeriodError):
            bare.append({"site": {"slug": slug}, "period": period_of(key).to_dict()})
    return bare


def covers(record: dict, moment: datetime) -> bool:
    """Whether the report counts a submission made at `moment` (naive UTC), by the same local
    days as its queries (Period.utc_bounds)."""
    first, last = (date.fromisoformat(record["period"][end]) for end in ("start", "end"))
    return utc_midnight(first) <= moment < utc_midnight(last + timedelta(days=1))


def reports_printing(answer: Answer) -> list[dict]:
    """The records of the built reports that print this comment."""
    return [record for record in reports_showing(answer.submission) if prints(record, answer)]


def prints(record: dict, answer: Answer) -> bool:
    if "summary" not in record:
        return True  # being built now: it may print the comment
    items = record["summary"].get("comments", {}).get("items", [])
    return any(item.get("text") == answer.value for item in items)


def labels(records: list[dict]) -> list[str]:
    """The German names of the reports' periods, e.g. ["Oktober 2026", "4. Quartal 2026"]."""
    return [record["period"]["label"] for record in records]


# --- The queue ---------------------------------------------------------------------------------


def request_rebuilds(records: list[dict], now: datetime | None = None) -> None:
    """Remember that these reports must be built again; call it inside the transaction of the
    change. A report already waiting counts one more request and is due at once."""
    now = now or utcnow()
    for record in records:
        ReportRebuild.insert(
            site_slug=record["site"]["slug"],
            period_key=record["period"]["key"],
            requested_at=now,
            next_attempt_at=now,
        ).on_conflict(
            conflict_target=[ReportRebuild.site_slug, ReportRebuild.period_key],
            update={
                ReportRebuild.requests: ReportRebuild.requests + 1,
                ReportRebuild.requested_at: now,
                ReportRebuild.next_attempt_at: now,
            },
        ).execute()


def waiting_rebuilds(site: Site | None = None) -> list[ReportRebuild]:
    """This site's reports waiting to be built again, by period key."""
    slug = (site or this_site()).slug
    query = ReportRebuild.select().where(ReportRebuild.site_slug == slug)
    return list(query.order_by(ReportRebuild.period_key))


# --- Building them -----------------------------------------------------------------------------


@dataclass
class RebuildRun:
    """What one run of `rebuild_pending` did."""

    built: list[dict] = field(default_factory=list)  # the new versions' records
    failed: list[tuple[str, str]] = field(default_factory=list)  # (period label, reason)


def rebuild_pending(
    now: datetime | None = None, *, force: bool = False, wait: bool = True
) -> RebuildRun:
    """Build every waiting report again whose next attempt is due (every one with `force`).

    Never raises for a report that fails: its row keeps the reason and a later attempt time.
    `wait=False` (a staff request) does not wait for another process building the same report.
    """
    now = now or utcnow()
    site = this_site()
    run = RebuildRun()
    for row in waiting_rebuilds(site):
        if force or row.next_attempt_at <= now:
            rebuild_one(site, row, now, run, wait)
    return run


def rebuild_one(site: Site, row: ReportRebuild, now: datetime, run: RebuildRun, wait: bool):
    period = period_of(row.period_key)
    if load_record(current_app.instance_path, site.slug, period) is None:
        _, json_path = report_paths(current_app.instance_path, site.slug, period)
        if os.path.exists(json_path + ".lock"):  # its first build is still running
            mark_failed(row, "Der Bericht wird gerade zum ersten Mal erstellt.", now)
        else:
            clear(row)  # never finished, or removed by hand: nothing left that could be untrue
        return
    try:
        result = build_report(site, period, rebuild=True, wait=wait)
    except Exception as error:  # whatever it is, the row keeps it for the next attempt
        reason = str(error)
        if not isinstance(error, ReportError):
            log.exception("Bericht %s konnte nicht neu erstellt werden", period.key)
            reason = f"{type(error).__name__}: {error}"
        mark_failed(row, reason, now)
        run.failed.append((period.label, reason))
        return
    clear(row)
    run.built.append(result.record)


def clear(row: ReportRebuild) -> None:
    """Done, unless the report was asked for again while it was being built."""
    ReportRebuild.delete().where(
        ReportRebuild.id == row.id, ReportRebuild.requests == row.requests
    ).execute()


def mark_failed(row: ReportRebuild, reason: str, now: datetime) -> None:
    delay = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2**row.attempts)
    ReportRebuild.update(
        attempts=ReportRebuild.attempts + 1,
        last_error=reason,
        next_attempt_at=now + timedelta(seconds=delay),
    ).where(ReportRebuild.id == row.id).execute()


# --- In words, for the staff pages -------------------------------------------------------------


def named(labels: list[str]) -> str:
    """ "Der Bericht Oktober 2026", "Die Berichte Oktober 2026 und 4. Quartal 2026"."""
    if len(labels) == 1:
        return f"Der Bericht {labels[0]}"
    return f"Die Berichte {', '.join(labels[:-1])} und {labels[-1]}"


def will_be_rebuilt(records: list[dict]) -> str:
    """What an erasure will do to the built reports, said before it is confirmed."""
    if not records:
        return ""
    verb = "wird" if len(records) == 1 else "werden"
    return f"{named(labels(records))} {verb} neu erstellt."


def rebuild_outcome(run: RebuildRun) -> str:
    """How building again went, e.g. "Der Bericht Oktober 2026 wurde neu erstellt (Version 2)."."""
    sentences = []
    if run.built:
        versions = ", ".join(str(record["version"]) for record in run.built)
        verb = "wurde" if len(run.built) == 1 else "wurden"
        word = "Version" if len(run.built) == 1 else "Versionen"
        sentences.append(f"{named(labels(run.built))} {verb} neu erstellt ({word} {versions}).")
    if run.failed:
        verb = "konnte" if len(run.failed) == 1 else "konnten"
        reasons = "; ".join(reason for _, reason in run.failed)
        sentences.append(
            f"{named([label for label, _ in run.failed])} {verb} noch nicht neu erstellt werden"
            f" ({reasons}). Der Kiosk versucht es von selbst wieder."
        )
    return " ".join(sentences)

"""Casework on the needs of intakes: changing a case, undoing a change, and its history.

Every change of a case is one CaseChange holding the changed fields before and after, and one
audit line naming the submission and the case by id, never what the visitor wrote. An undo
applies a change's "before" as a new change and is refused once the case changed since, so it
never silently overwrites someone's later work. Changes run in a write transaction that reads
the case afresh: two volunteers saving at once are applied one after the other, and a form read
before someone else's change is refused where it would overwrite it. What the pages list is in
kiosk/review/case_list.py.
"""

import dataclasses
from datetime import date

from peewee import fn

from ..clock import german_date, local_today, utcnow
from ..dates import DateInputError, within_range
from ..db import write_transaction
from ..models import CaseChange, NeedCase, Submission, User
from ..models.casework import CASE_FIELDS, CASE_STATUSES, CLOSED_STATUSES
from .auth import audit
from .followup import offices_by_key
from .inbox import target

CASE_STATUS_NAMES = {
    "open": "offen",
    "in_progress": "in Bearbeitung",
    "handed_over": "weitergegeben",
    "done": "erledigt",
    "not_needed": "nicht mehr nötig",
}
OPEN_STATUSES = tuple(status for status in CASE_STATUSES if status not in CLOSED_STATUSES)
OUTCOME_LENGTH = 200
NOTHING = "\N{EN DASH}"
DATE_FIELDS = ("handed_over_on", "due")
FIELD_NAMES = {
    "status": "Status",
    "office_key": "Stelle",
    "handed_over_on": "weitergegeben am",
    "due": "Wiedervorlage",
    "outcome": "Ergebnis",
    "assignee": "Zuständig im Treffpunkt",
}
CHANGED_SINCE = (
    "Dieses Anliegen wurde inzwischen von jemand anderem geändert. Bitte prüfen Sie die"
    " aktuellen Angaben und speichern Sie dann noch einmal."
)
UNDO_REFUSED = (
    "Diese Änderung kann nicht mehr rückgängig gemacht werden: Das Anliegen wurde seitdem noch"
    " einmal geändert. Bitte ändern Sie es direkt."
)


class CaseInputError(ValueError):
    """A change a case cannot take: `field` names the form field, the message is German."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class CaseConflict(Exception):
    """The case changed since the form (or the change to undo) was read; German message."""


# --- Changes --------------------------------------------------------------------------------------


def stored(value):
    """A value as a change records it (JSON): dates as ISO text."""
    return value.isoformat() if isinstance(value, date) else value


def case_values(case: NeedCase) -> dict:
    """The case's fields as a change records them; the assignee as a user id."""
    return {
        field: stored(getattr(case, "assignee_id" if field == "assignee" else field))
        for field in CASE_FIELDS
    }


def set_values(case: NeedCase, values: dict) -> None:
    for field, value in values.items():
        if field in DATE_FIELDS:
            value = date.fromisoformat(value) if value else None
        setattr(case, "assignee_id" if field == "assignee" else field, value)


def newest_change_id(case_id: int) -> int:
    """The id of the case's latest change, 0 without any: what an editor has seen."""
    query = CaseChange.select(fn.MAX(CaseChange.id)).where(CaseChange.case == case_id)
    return query.scalar() or 0


def change_case(case_id: int, wanted: dict, user_name: str, seen: int | None = None):
    """Set the fields named in `wanted` (status, office_key, handed_over_on, due, outcome,
    assignee as a user id); the office's name is taken from the directory. Returns the
    CaseChange, or None when nothing differs.

    A case handed over names its office; its hand-over date is today unless given. `seen` is
    the newest change the editor saw (newest_change_id): a change made since is never
    overwritten (CaseConflict). Bad values raise CaseInputError.
    """
    with write_transaction():
        case = NeedCase.get_by_id(case_id)
        before = case_values(case)
        after = {**before, **{field: stored(value) for field, value in wanted.items()}}
        checked(after, before)
        changed = [field for field in CASE_FIELDS if after[field] != before[field]]
        if not changed:
            return None
        if seen is not None and seen != newest_change_id(case.id):
            raise CaseConflict(CHANGED_SINCE)
        if "office_key" in changed and "office_name" not in changed:
            changed.append("office_name")  # the history names the office
        old = {field: before[field] for field in changed}
        return record(case, old, {field: after[field] for field in changed}, user_name)


def checked(after: dict, before: dict) -> None:
    """Refuse what a case cannot hold; fill the office's name and the hand-over date."""
    if after["status"] not in CASE_STATUSES:
        raise CaseInputError("status", "Bitte einen Status aus der Liste wählen.")
    outcome = " ".join((after["outcome"] or "").split())
    if len(outcome) > OUTCOME_LENGTH:
        raise CaseInputError("outcome", f"Höchstens {OUTCOME_LENGTH} Zeichen, bitte.")
    after["outcome"] = outcome
    after["office_key"] = after["office_key"] or None
    if after["office_key"] != before["office_key"]:
        after["office_name"] = office_name(after["office_key"])
    if after["status"] == "handed_over" and not after["office_key"]:
        message = "Bitte die Stelle wählen, an die das Anliegen weitergegeben wurde."
        raise CaseInputError("office_key", message)
    handed_over_now = after["status"] == "handed_over" and before["status"] != "handed_over"
    if handed_over_now and not after["handed_over_on"]:
        after["handed_over_on"] = local_today().isoformat()
    for field in DATE_FIELDS:
        checked_day(field, after[field])
    if after["handed_over_on"] and after["handed_over_on"] > local_today().isoformat():
        message = "Das Datum der Weitergabe darf nicht in der Zukunft liegen."
        raise CaseInputError("handed_over_on", message)
    assignee = after["assignee"]
    if assignee not in (None, before["assignee"]) and not active_user(assignee):
        raise CaseInputError("assignee", "Bitte eine Person aus der Liste wählen.")


def office_name(key: str | None) -> str | None:
    """The name of the directory's office `key` (None for none); CaseInputError if unknown."""
    if key is None:
        return None
    office = offices_by_key().get(key)
    if office is None:
        message = "Diese Stelle gibt es im Wegweiser nicht (mehr). Bitte eine andere wählen."
        raise CaseInputError("office_key", message)
    return office.name


def checked_day(field: str, text: str | None) -> None:
    try:
        if text:
            within_range(date.fromisoformat(text))
    except (ValueError, DateInputError) as error:
        message = str(error) if isinstance(error, DateInputError) else "Ungültiges Datum."
        raise CaseInputError(field, message) from None


def undo_change(change_id: int, user_name: str) -> CaseChange:
    """Apply the change's "before" as a new change that names it. LookupError if there is no
    such change; CaseConflict if the case changed since."""
    with write_transaction():
        change = CaseChange.get_or_none(CaseChange.id == change_id)
        if change is None:
            raise LookupError(change_id)
        if newest_change_id(change.case_id) != change.id:
            raise CaseConflict(UNDO_REFUSED)
        case = NeedCase.get_by_id(change.case_id)
        now = {field: value for field, value in case_values(case).items() if field in change.before}
        return record(case, now, dict(change.before), user_name, undoes=change)


def record(case, before: dict, after: dict, user_name: str, undoes=None) -> CaseChange:
    set_values(case, after)
    case.updated_at = utcnow()
    case.save()
    change = CaseChange.create(
        case=case, before=before, after=after, user_name=user_name, undoes=undoes
    )
    fields = ", ".join(field for field in after if field not in ("status", "office_name"))
    status = f"status {before['status']} → {after['status']}" if "status" in after else ""
    detail = "; ".join(part for part in (status, fields) if part)
    action = "case_undo" if undoes else "case"
    audit(action, target(Submission(id=case.submission_id)), f"case/{case.id}: {detail}")
    return change


@dataclasses.dataclass(frozen=True)
class HistoryLine:
    """One change as the history reads: who, when, what (German), and whether it can be undone
    (only the newest) or was undone."""

    change: CaseChange
    parts: tuple[str, ...]
    undoable: bool
    undone: bool


def case_history(case_id: int) -> list[HistoryLine]:
    """The case's changes, oldest first."""
    changes = list(CaseChange.select().where(CaseChange.case == case_id).order_by(CaseChange.id))
    undone = {change.undoes_id for change in changes if change.undoes_id}
    names = user_names(changes)
    return [
        HistoryLine(
            change=change,
            parts=tuple(change_parts(change, names)),
            undoable=change is changes[-1],
            undone=change.id in undone,
        )
        for change in changes
    ]


def user_names(changes: list[CaseChange]) -> dict[int, str]:
    ids = {
        side.get("assignee")
        for change in changes
        for side in (change.before, change.after)
        if side.get("assignee")
    }
    query = User.select(User.id, User.name).where(User.id.in_(ids))
    return {user.id: user.name for user in query} if ids else {}


def change_parts(change: CaseChange, names: dict[int, str]):
    """ "Status: offen → weitergegeben", one per field changed."""
    for field, label in FIELD_NAMES.items():
        if field in change.after:
            old = shown_value(field, change.before, names)
            new = shown_value(field, change.after, names)
            yield f"{label}: {old} → {new}"


def shown_value(field: str, values: dict, names: dict[int, str]) -> str:
    value = values.get(field)
    if field == "status":
        return CASE_STATUS_NAMES.get(value, value)
    if field == "office_key":
        return values.get("office_name") or value or "keine"
    if field in DATE_FIELDS:
        return german_date(date.fromisoformat(value)) if value else NOTHING
    if field == "assignee":
        return names.get(value, f"Konto {value}") if value else "niemand"
    return f"„{value}“" if value else NOTHING


def active_user(user_id: int) -> bool:
    return User.select().where(User.id == user_id, User.active).exists()

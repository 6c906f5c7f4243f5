"""What a site's pulls from its hub share (the directory, kiosk/sync/directory.py, and the forms,
kiosk/sync/forms_pull.py): when a pull is due, one GET that fetches a document only when it
changed (ETag / If-None-Match) and reads at most a limit, and the pull's outcome kept on its
state row, never raised.
"""

import hashlib
import http.client
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from ..clock import utcnow
from .transports import DEFAULT_TIMEOUT, connection_problem, hub_endpoint, parse_json, tls_context

log = logging.getLogger(__name__)

SHOWN_VERSION = 12  # characters of a version on the status page and in `kiosk sync --status`


class PullError(Exception):
    """A pull that failed, with a German message for the coordinators."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Document:
    """One document a site pulls from its hub, and how its errors are worded."""

    path: str  # e.g. "/api/v1/directory"
    subject: str  # "Das Verzeichnis", "Die Formulare"
    verb: str  # "ist", "sind": agrees with the subject
    limit_setting: str  # the setting of its largest size, e.g. "DIRECTORY_MAX_BYTES"
    refusals: dict[int, str]  # German sentences for the hub's refusals by HTTP status

    def too_large(self, limit: int) -> PullError:
        megabytes = f"{limit / 1024 / 1024:.1f}".replace(".", ",")
        return PullError(
            f"{self.subject} vom Stadthaus-Server {self.verb} zu groß (mehr als {megabytes} MB, "
            f"{self.limit_setting})"
        )

    def refusal(self, status: int, answer: dict) -> PullError:
        message = answer.get("message")
        text = self.refusals.get(
            status, f"Der Stadthaus-Server meldet einen Fehler (HTTP {status})"
        )
        return PullError(text + (f" ({message})" if message and status in self.refusals else ""))

    def broken(self, problem: str) -> PullError:
        return PullError(f"{self.subject} vom Stadthaus-Server {self.verb} fehlerhaft: {problem}")


def pull_when_due(key: str, pull: Callable, target: dict | None, now: datetime | None):
    """The scheduler's step for one kind of pull: `pull(target, now)` when `is_due`; None when
    nothing was due or there is no hub target."""
    if target is None:
        return None
    now = now or utcnow()
    return pull(target, now) if is_due(key, target, now) else None


def is_due(key: str, target: dict, now: datetime) -> bool:
    """Whether the scheduler pulls now: at its first run in this process, then at most every
    DIRECTORY_PULL_MINUTES. `key` names the pull's clock in app.extensions; a pull that is due
    is noted before it runs, so one that fails waits its turn too."""
    pulls = current_app.extensions.setdefault(key, {})
    last = pulls.get(target["name"])
    wait = timedelta(minutes=current_app.config["DIRECTORY_PULL_MINUTES"])
    if last is not None and last <= now < last + wait:
        return False
    pulls[target["name"]] = now
    return True


def fetch(target: dict, document: Document, version: str) -> tuple[int, bytes, str]:
    """GET the document: (status 200 or 304, its body of at most the limit, the hub's version);
    PullError otherwise."""
    limit = int(current_app.config[document.limit_setting])
    headers = {"Authorization": f"Bearer {target['token']}", "Accept": "application/json"}
    if version:
        headers["If-None-Match"] = f'"{version}"'
    request = urllib.request.Request(hub_endpoint(target, document.path), headers=headers)
    context = tls_context(target.get("ca_file")) if target["url"].startswith("https:") else None
    timeout = target.get("timeout", DEFAULT_TIMEOUT)
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise document.too_large(limit)
            body = response.read(limit + 1)  # never more than one byte past the limit
            if len(body) > limit:
                raise document.too_large(limit)
            return response.status, body, etag_value(response.headers.get("ETag"))
    except urllib.error.HTTPError as error:
        with error:
            if error.code == 304:
                return 304, b"", etag_value(error.headers.get("ETag"))
            raise document.refusal(error.code, parse_json(error.read(64 * 1024))) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        raise PullError(connection_problem("Stadthaus-Server", error, timeout)) from None


def etag_value(header: str | None) -> str:
    """The version in an ETag header: `"abc"` and `W/"abc"` both as `abc`."""
    return (header or "").strip().removeprefix("W/").strip('"')


def content_version(body: bytes) -> str:
    """A version for an answer without ETag (a hub that sends none): its content's hash."""
    return hashlib.sha256(body).hexdigest()[:32]


def recorded_pull(target: dict, state, now: datetime, attempt: Callable, failed: Callable):
    """Run one pull and keep its outcome on the target's row of the model `state` (attempted,
    fetched, error). `attempt(held_row)` returns the result or raises PullError; `failed(
    held_row, message)` makes the result of a failure. Never raises: even an unexpected error
    is recorded and logged."""
    name = target["name"]
    state.insert(target=name).on_conflict_ignore().execute()
    held = state.get(state.target == name)
    record(state, name, attempted_at=now)
    try:
        result = attempt(held)
    except PullError as error:
        result = failed(held, error.message)
    except Exception as error:  # even an unexpected failure is recorded, never raised
        log.exception("Abruf von %s fehlgeschlagen (%s)", name, state.__name__)
        result = failed(held, f"Unerwarteter Fehler beim Abruf ({type(error).__name__}: {error})")
    if result.ok:
        record(state, name, fetched_at=now, error="")
    else:
        record(state, name, error=result.error)
    return result


def record(state, name: str, **values) -> None:
    state.update(**values).where(state.target == name).execute()


def short_version(version: str) -> str:
    return version[:SHOWN_VERSION]


def counted(count: int, nouns: tuple[str, str]) -> str:
    """ "1 Eintrag", "3 Einträge": `nouns` is (singular, plural)."""
    return f"{count} {nouns[0] if count == 1 else nouns[1]}"


@dataclass(frozen=True)
class PullState:
    """A pull's last outcome for the Versand page and `kiosk sync --status`: what it holds (a
    version, a count of `nouns`) and when it was tried, fetched and applied."""

    target: str  # the hub target it comes from
    nouns: tuple[str, str]
    version: str = ""
    count: int = 0
    attempted_at: datetime | None = None
    fetched_at: datetime | None = None
    applied_at: datetime | None = None
    error: str = ""

    @property
    def short_version(self) -> str:
        return short_version(self.version)

    @property
    def count_text(self) -> str:
        return counted(self.count, self.nouns)


def pull_state(state, target: dict | None, count_column: str, nouns: tuple[str, str]):
    """The PullState of `target` read from its row of the model `state`, or None without a hub
    target."""
    if target is None:
        return None
    row = state.get_or_none(state.target == target["name"])
    if row is None:
        return PullState(target["name"], nouns)
    return PullState(
        row.target,
        nouns,
        row.version,
        getattr(row, count_column),
        row.attempted_at,
        row.fetched_at,
        row.applied_at,
        row.error,
    )

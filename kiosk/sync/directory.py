"""Pulling the town-wide directory from the hub: fetched only when changed, checked, applied whole.

The Stadthaus keeps the offices and help lines every Treffpunkt shows; a site fetches them from
its hub with its site token (`GET /api/v1/directory`, kiosk/views/api.py), sending the version
it holds in If-None-Match, so an unchanged directory costs one small 304. A new version is read
up to DIRECTORY_MAX_BYTES, checked against the documented schema (kiosk/directory/schema.py),
and applied in one transaction that replaces every entry of origin "hub"
(`kiosk.directory.transfer.replace_origin`): the site's own entries — its events, its local
helpers, its corrections — are never touched. A hub that is down or refuses, and a malformed or
oversized directory, leave the directory applied before as it was; the error is kept on the
target's DirectorySync row for the Versand page and `kiosk sync --status`. The same document
brings the Stadthaus's checks and corrections of the translations: they replace the rows of
origin "hub" in the same transaction, and the site's own (origin "local") stay and win.

The scheduler pulls at its first run in a process and then every DIRECTORY_PULL_MINUTES
(`pull_if_due`); `kiosk sync` and the Versand page's button pull at once (`pull_now`).

The directory comes from one hub: the first hub target of SYNC_TARGETS. Every pull replaces all
entries of origin "hub", so a second hub's directory would only displace the first one's; further
hub targets receive reports and heartbeats as before. A site without a hub target works with its
own directory alone.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from ..directory.schema import DirectoryError, validate
from ..directory.transfer import (
    checked_translations,
    read_document,
    replace_origin,
    replace_translations,
)
from ..i18n.overrides import invalidate as translations_changed
from ..models import DirectorySync, utcnow
from ..models.base import write_transaction
from . import configured_targets
from .hub_pull import (
    Document,
    PullError,
    PullState,
    content_version,
    counted,
    fetch,
    pull_state,
    pull_when_due,
    recorded_pull,
    short_version,
)
from .hub_pull import record as record_on

PATH = "/api/v1/directory"
HUB_KINDS = ("office", "helpline")  # what the hub publishes; a Treffpunkt's own times stay local
PULLS_KEY = "kiosk_directory_pulls"  # app.extensions: {target: last pull of this process}
REFUSALS = {
    401: "Der Stadthaus-Server kennt das Zugangs-Token nicht (falsch oder widerrufen)",
    403: "Der Stadthaus-Server verweigert das Verzeichnis für dieses Zugangs-Token",
    404: "Der Stadthaus-Server bietet kein Verzeichnis an (ältere Version?)",
}
DOCUMENT = Document(PATH, "Das Verzeichnis", "ist", "DIRECTORY_MAX_BYTES", REFUSALS)


@dataclass(frozen=True)
class PullResult:
    """What one pull did: "applied" a new version, found it "unchanged", or "failed"."""

    target: str
    outcome: str
    version: str = ""
    entries: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome != "failed"

    def describe(self) -> str:
        """One German sentence, for `kiosk sync` and the Versand page."""
        if self.outcome == "failed":
            return f"Verzeichnis nicht übernommen: {self.error}"
        state = f"Stand {short_version(self.version)}, {counted(self.entries, ENTRIES)}"
        if self.outcome == "applied":
            return f"Verzeichnis übernommen ({state})."
        return f"Verzeichnis unverändert ({state})."


ENTRIES = ("Eintrag", "Einträge")


# --- Which hub, and when --------------------------------------------------------------------


def directory_target(targets: list[dict] | None = None) -> dict | None:
    """The hub target the directory comes from (the first one), or None without a hub."""
    targets = configured_targets() if targets is None else targets
    return next((target for target in targets if target["type"] == "hub"), None)


def pull_if_due(now: datetime | None = None) -> PullResult | None:
    """The scheduler's step: a pull at its first run in this process, then at most every
    DIRECTORY_PULL_MINUTES; None when nothing was due (or there is no hub)."""
    return pull_when_due(PULLS_KEY, pull_directory, directory_target(), now)


def pull_now(now: datetime | None = None) -> PullResult | None:
    """Pull at once (`kiosk sync`, the Versand page); None without a hub target."""
    target = directory_target()
    return pull_directory(target, now) if target else None


# --- One pull ---------------------------------------------------------------------------------


def pull_directory(target: dict, now: datetime | None = None) -> PullResult:
    """Fetch the hub's directory, check it and apply it whole; the outcome is also recorded
    on the target's DirectorySync row. Never raises for a failed pull."""
    now = now or utcnow()
    return recorded_pull(
        target,
        DirectorySync,
        now,
        lambda held: fetch_and_apply(target, held, now),
        lambda held, message: PullResult(
            target["name"], "failed", held.version, held.entries, message
        ),
    )


def fetch_and_apply(target: dict, held: DirectorySync, now: datetime) -> PullResult:
    status, body, version = fetch(target, DOCUMENT, held.version)
    if status == 304:
        if not held.version:
            raise PullError("Der Stadthaus-Server hat unverständlich geantwortet (304)")
        return PullResult(target["name"], "unchanged", held.version, held.entries)
    document = checked_document(body, int(current_app.config["DIRECTORY_MAX_BYTES"]))
    entries = document["entries"]
    version = version or content_version(body)
    if version == held.version and held.applied_at is not None:
        return PullResult(target["name"], "unchanged", version, len(entries))
    try:
        with write_transaction():  # the entries and the translations, or neither
            replace_origin(entries, "hub")
            replace_translations(document["translations"])
    except DirectoryError as error:
        raise PullError(f"Das Verzeichnis ließ sich nicht übernehmen: {error.message}") from None
    translations_changed()  # once more, now that the other threads can read them
    record(target["name"], version=version, entries=len(entries), applied_at=now)
    return PullResult(target["name"], "applied", version, len(entries))


def record(name: str, **values) -> None:
    record_on(DirectorySync, name, **values)


def checked_document(body: bytes, limit: int) -> dict:
    """The directory document in `body`, checked and normalised; PullError naming the problem
    otherwise."""
    try:
        raw = read_document(body, limit)
        # validate: every optional field filled in, hours normalised
        document = validate(raw)
        document["translations"] = checked_translations(raw.get("translations", []))
    except DirectoryError as error:
        raise DOCUMENT.broken(error.message) from None
    for entry in document["entries"]:
        if entry.get("kind") not in HUB_KINDS:
            raise DOCUMENT.broken(
                f"Eintrag „{entry['key']}“ hat die Art „{entry['kind']}“, die nur der "
                "Treffpunkt selbst pflegt."
            )
    return document


# --- Status -------------------------------------------------------------------------------------


def directory_state() -> PullState | None:
    """The state of the directory from the hub, or None for a site without a hub target."""
    return pull_state(DirectorySync, directory_target(), "entries", ENTRIES)

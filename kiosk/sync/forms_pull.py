"""Pulling the forms from the Stadthaus: fetched only when changed, every package verified,
then published on this kiosk through its own store (kiosk.publishing).

Beside the directory (kiosk/sync/directory.py), a site fetches `GET /api/v1/forms` from the
first hub target with its token, sending the version it holds in If-None-Match. A new document
is read up to FORMS_MAX_BYTES; each package's checksum is computed again (FormPackage.checksum)
and the form must pass our own checks (package.spec()). Only when every form in the document
passes is anything published — `publish(package, by="Stadthaus", origin="hub")`, which waits
for the visitors' unfinished answers and respects the site's own pin (kiosk.publishing). A hub
that is down or refuses, a tampered package and a broken form leave every form as it was; the
error is kept on the target's FormPullState row for the Versand page and `kiosk sync --status`.

A version taken once is not published again (ReceivedHubForm): a site that went on to its own
upload, or pinned an older version, keeps it; only a content the hub publishes anew (an old
version brought back under a new number) is taken again. The heartbeat tells the hub which of its
versions each form runs (`running_forms`).
"""

import json
from dataclasses import dataclass
from datetime import datetime

from ..formspec import FormSpecError
from ..formspec.package import FormPackage
from ..models import utcnow
from ..models.forms import ACTIVE, PENDING, FormPin, PublishedForm
from ..models.hub_forms import FormPullState, ReceivedHubForm
from ..publishing import PublishError, publish
from .directory import directory_target
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
)
from .hub_pull import record as record_on

PATH = "/api/v1/forms"
PULLS_KEY = "kiosk_form_pulls"  # app.extensions: {target: last pull of this process}
PUBLISHED_BY = "Stadthaus"
REFUSALS = {
    401: "Der Stadthaus-Server kennt das Zugangs-Token nicht (falsch oder widerrufen)",
    403: "Der Stadthaus-Server verweigert die Formulare für dieses Zugangs-Token",
    404: "Der Stadthaus-Server bietet keine Formulare an (ältere Version?)",
}
DOCUMENT = Document(PATH, "Die Formulare", "sind", "FORMS_MAX_BYTES", REFUSALS)


@dataclass(frozen=True)
class FormsPullResult:
    """What one pull did: "applied" new versions, found them "unchanged", or "failed"."""

    target: str
    outcome: str
    version: str = ""
    forms: int = 0
    taken: tuple[str, ...] = ()  # "visit (Fassung 2)" for each version published now
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome != "failed"

    def describe(self) -> str:
        """One German sentence, for `kiosk sync` and the Versand page."""
        if self.outcome == "failed":
            return f"Formulare nicht übernommen: {self.error}"
        if self.taken:
            return f"Formulare vom Stadthaus übernommen: {', '.join(self.taken)}."
        return f"Formulare vom Stadthaus unverändert ({counted(self.forms, FORMS)})."


FORMS = ("Formular", "Formulare")


# --- When ---------------------------------------------------------------------------------------


def pull_forms_if_due(now: datetime | None = None) -> FormsPullResult | None:
    """The scheduler's step, beside the directory's: at the first run of this process, then at
    most every DIRECTORY_PULL_MINUTES; None when nothing was due (or there is no hub)."""
    return pull_when_due(PULLS_KEY, pull_forms, directory_target(), now)


def pull_forms_now(now: datetime | None = None) -> FormsPullResult | None:
    """Pull at once (`kiosk sync`, the Versand page); None without a hub target."""
    target = directory_target()
    return pull_forms(target, now) if target else None


# --- One pull -----------------------------------------------------------------------------------


def pull_forms(target: dict, now: datetime | None = None) -> FormsPullResult:
    """Fetch the forms meant for this site, verify all, publish the new versions; the outcome
    is kept on the target's FormPullState row. Never raises for a failed pull."""
    now = now or utcnow()
    return recorded_pull(
        target,
        FormPullState,
        now,
        lambda held: fetch_and_publish(target, held, now),
        lambda held, message: FormsPullResult(
            target["name"], "failed", held.version, held.forms, error=message
        ),
    )


def fetch_and_publish(target: dict, held: FormPullState, now: datetime) -> FormsPullResult:
    status, body, version = fetch(target, DOCUMENT, held.version)
    if status == 304:
        if not held.version:
            raise PullError("Der Stadthaus-Server hat unverständlich geantwortet (304)")
        return FormsPullResult(target["name"], "unchanged", held.version, held.forms)
    packages = checked_packages(body)
    version = version or content_version(body)
    taken = []
    for number, package in packages:
        held = ReceivedHubForm.get_or_none(slug=package.slug, checksum=package.checksum)
        if held is not None and held.number == number:
            continue  # taken before: the site may since have chosen another version
        try:
            published = publish(package, by=PUBLISHED_BY, origin="hub")
        except PublishError as error:
            raise PullError(
                f"Formular „{package.slug}“ ließ sich nicht übernehmen: {error}"
            ) from None
        # A content the hub brings back under a new number (an old version once more) is taken
        # again: the site's store makes it its newest version.
        held = held or ReceivedHubForm(slug=package.slug, checksum=package.checksum)
        held.number, held.local_number, held.received_at = number, published.number, now
        held.save()
        taken.append(f"{package.slug} (Fassung {number})")
    record(target["name"], version=version, forms=len(packages), applied_at=now)
    outcome = "applied" if taken else "unchanged"
    return FormsPullResult(target["name"], outcome, version, len(packages), tuple(taken))


def record(name: str, **values) -> None:
    record_on(FormPullState, name, **values)


def checked_packages(body: bytes) -> list[tuple[int, FormPackage]]:
    """(hub number, package) of every form in the document, each verified; PullError naming the
    first form that fails, so that none is published."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DOCUMENT.broken("keine lesbare JSON-Antwort") from None
    items = document.get("forms") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise DOCUMENT.broken("die Liste „forms“ fehlt")
    return [checked_package(position, item) for position, item in enumerate(items, 1)]


def checked_package(position: int, item) -> tuple[int, FormPackage]:
    try:
        slug, number, checksum = item["slug"], item["number"], item["checksum"]
        package = FormPackage.from_dict(item["package"])
        if not (isinstance(number, int) and isinstance(slug, str)):
            raise TypeError
        computed = package.checksum
    except (KeyError, TypeError, AttributeError, ValueError):
        raise DOCUMENT.broken(f"Eintrag {position} ist kein vollständiges Formular") from None
    name = f"Formular „{slug}“ (Fassung {number})"
    if package.slug != slug:
        raise DOCUMENT.broken(f"{name} enthält das Formular „{package.slug}“")
    if computed != checksum:
        raise DOCUMENT.broken(f"{name} ist beschädigt: die Prüfsumme stimmt nicht")
    try:
        package.spec()
    except FormSpecError as error:
        raise DOCUMENT.broken(f"{name} besteht unsere Prüfung nicht: {error.message}") from None
    return number, package


# --- State --------------------------------------------------------------------------------------


def forms_pull_status() -> PullState | None:
    """The state of the forms from the hub, or None for a site without a hub target."""
    return pull_state(FormPullState, directory_target(), "forms", FORMS)


def running_forms() -> list[dict]:
    """For the heartbeat: each form that came from the hub, with the hub's numbers of the
    versions active and pending here (None: a version not from the hub) and whether it is
    pinned."""
    slugs = sorted({row.slug for row in ReceivedHubForm.select(ReceivedHubForm.slug)})
    if not slugs:
        return []
    states = {}
    for row in (
        PublishedForm.select(PublishedForm.slug, PublishedForm.number, PublishedForm.state)
        .where(PublishedForm.slug << slugs, PublishedForm.state << [ACTIVE, PENDING])
        .order_by(PublishedForm.number)
    ):
        states.setdefault(row.slug, {})[row.state] = row.number  # the highest pending wins
    pinned = {pin.slug for pin in FormPin.select(FormPin.slug).where(FormPin.slug << slugs)}
    return [
        {
            "slug": slug,
            "active": ReceivedHubForm.hub_number(slug, states.get(slug, {}).get(ACTIVE)),
            "pending": ReceivedHubForm.hub_number(slug, states.get(slug, {}).get(PENDING)),
            "pinned": slug in pinned,
        }
        for slug in slugs
    ]

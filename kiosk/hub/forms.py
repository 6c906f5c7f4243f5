"""Forms from the Stadthaus: the hub publishes form versions for all sites or chosen ones, each
site pulls those meant for it (`GET /api/v1/forms`, kiosk/views/api.py) and says in its
heartbeat which of them it runs.

A version is a `FormPackage` (kiosk/formspec/package.py) checked by our own form checks before it
is stored; its number counts up per form. Publishing a package that is already the form's latest
version only widens who gets it. A site gets, per form, the highest version meant for it.

The document a site pulls is `{"forms": [{slug, number, checksum, package}]}`; its version, the
strong ETag, is a hash of what it lists (slug, number, checksum per form), read without the
packages, so an unchanged answer (304) never loads a package from the database.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from peewee import fn

from ..formspec import FormSpecError
from ..formspec.package import FormPackage
from ..models import HubSite, utcnow
from ..models.base import write_transaction
from ..models.hub_forms import HubForm, HubSiteForms


class HubFormError(ValueError):
    """A form the hub cannot publish, with a German message for the coordinator."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Publishing ---------------------------------------------------------------------------------


def publish_for_sites(package: FormPackage, *, sites: list[str] | None, by: str) -> HubForm:
    """Store `package` as the form's next version for `sites` (their slugs; None: all sites)."""
    try:
        spec = package.spec()
    except FormSpecError as error:
        raise HubFormError(f"Das Formular besteht unsere Prüfung nicht: {error.message}") from None
    if sites is not None:
        sites = checked_sites(sites)
    with write_transaction():
        latest = HubForm.latest(package.slug)
        if latest is not None and latest.checksum == package.checksum:
            return widen(latest, sites)
        return HubForm.create(
            slug=package.slug,
            number=latest.number + 1 if latest else 1,
            checksum=package.checksum,
            package=package.to_dict(),
            all_sites=sites is None,
            sites=sorted(sites or []),
            title=spec.title[:200],
            published_by=by,
            published_at=utcnow(),
        )


def checked_sites(slugs: list[str]) -> list[str]:
    chosen = sorted(set(slugs))
    if not chosen:
        raise HubFormError("Bitte mindestens einen Treffpunkt wählen oder „alle Treffpunkte“.")
    known = {site.slug for site in HubSite.select(HubSite.slug).where(HubSite.slug << chosen)}
    unknown = [slug for slug in chosen if slug not in known]
    if unknown:
        raise HubFormError(f"Diese Treffpunkte gibt es hier nicht: {', '.join(unknown)}.")
    return chosen


def widen(version: HubForm, sites: list[str] | None) -> HubForm:
    """The same version once more: now also for `sites` (None: for all)."""
    if sites is None:
        version.all_sites, version.sites = True, []
    elif not version.all_sites:
        version.sites = sorted(set(version.sites) | set(sites))
    version.save()
    return version


# --- What a site pulls --------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteForms:
    """The forms meant for one site: their version (ETag) and, when asked for, the document."""

    version: str
    ids: tuple[int, ...]

    def body(self) -> bytes:
        rows = HubForm.select().where(HubForm.id << list(self.ids)).order_by(HubForm.slug)
        document = {
            "forms": [
                {
                    "slug": row.slug,
                    "number": row.number,
                    "checksum": row.checksum,
                    "package": row.package,
                }
                for row in rows
            ]
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def forms_for_site(site_slug: str) -> SiteForms:
    """Per form, the highest version meant for the site (read without the packages)."""
    chosen: dict[str, HubForm] = {}
    for row in HubForm.listing():  # highest number first within each slug
        if row.slug not in chosen and row.meant_for(site_slug):
            chosen[row.slug] = row
    listed = [(row.slug, row.number, row.checksum) for row in chosen.values()]
    canonical = json.dumps(sorted(listed), separators=(",", ":")).encode()
    version = hashlib.sha256(canonical).hexdigest()[:32]
    return SiteForms(version, tuple(row.id for row in chosen.values()))


# --- What the sites report ---------------------------------------------------------------------


def store_site_forms(site: HubSite, heartbeat: dict) -> None:
    """Keep the forms a heartbeat names (checked against wire.schema.json before); a heartbeat
    without `forms` (a site older than forms from the Stadthaus) leaves what was known."""
    forms = heartbeat.get("forms")
    if forms is None:
        return
    fields = {"forms": forms, "reported_at": utcnow()}
    HubSiteForms.insert(site=site, **fields).on_conflict(
        conflict_target=[HubSiteForms.site], update=fields
    ).execute()


@dataclass
class SiteFormRow:
    """One site on the coordinator's page: per form what it should get and what it runs."""

    site: HubSite
    reported_at: datetime | None
    # {slug: {"meant": the version meant for the site or None, "active", "pending", "pinned": as
    # its heartbeat said, "known": whether it said anything}}
    cells: dict[str, dict] = field(default_factory=dict)


def site_form_rows(slugs: list[str]) -> list[SiteFormRow]:
    """Every active site with, for each form in `slugs`, the version meant for it and the
    versions its latest heartbeat named (None: the site has not said; an older program)."""
    reports = {row.site_id: row for row in HubSiteForms.select()}
    versions = list(HubForm.listing())
    rows = []
    sites = HubSite.select().where(HubSite.revoked_at.is_null()).order_by(fn.LOWER(HubSite.name))
    for site in sites:
        report = reports.get(site.id)
        said = {item["slug"]: item for item in report.forms} if report else {}
        row = SiteFormRow(site, report.reported_at if report else None)
        for slug in slugs:
            meant = next(
                (v.number for v in versions if v.slug == slug and v.meant_for(site.slug)), None
            )
            item = said.get(slug, {})
            row.cells[slug] = {
                "meant": meant,
                "active": item.get("active"),
                "pending": item.get("pending"),
                "pinned": item.get("pinned", False),
                "known": report is not None,
            }
        rows.append(row)
    return rows


def published_forms() -> list[HubForm]:
    """Every published version without its package, newest first per form."""
    return list(HubForm.listing())

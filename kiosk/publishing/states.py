"""What the staff pages show of the forms (`form_states`), and a form's translations as the
kiosk has them (`form_translations`, for `kiosk forms export`)."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from ..formspec import FormSpec
from ..i18n import LANGUAGES, SOURCE_LANGUAGE
from ..i18n.catalog_texts import catalog_folder, has_catalog
from ..i18n.form_texts import published_texts
from ..i18n.text_states import rows_of
from ..models.forms import ACTIVE, PENDING, FormPin, PublishedForm
from ..models.sprachpaten import CONFIRMED, CORRECTED, message_key


@dataclass(frozen=True)
class FormState:
    """One form on this kiosk: shipped in forms/ or published, and its versions' states."""

    slug: str
    title: str  # of the version in force ("" for a form published but not yet in force)
    source: str  # "shipped" (forms/ only, nothing published) or "published"
    shipped: bool  # a form of that name ships in forms/
    active_number: int | None  # the published version in force (None: the shipped form)
    pending_number: int | None  # the newest version waiting to come in force
    pinned_number: int | None
    origin: str  # "shipped", "upload" or "hub": where the version in force came from
    published_by: str  # of the newest published version
    published_at: datetime | None
    activated_at: datetime | None  # when the version in force came in force
    numbers: tuple[int, ...]  # every published version, for a pin


def form_states() -> list[FormState]:
    """Per form (in force or published), in the order of the chooser, then published-only."""
    forms = current_app.extensions["kiosk_forms"]
    shipped = current_app.extensions.get("kiosk_shipped_forms", {})
    rows: dict[str, list[PublishedForm]] = {}
    fields = [field for field in PublishedForm._meta.sorted_fields if field.name != "package"]
    for row in PublishedForm.select(*fields).order_by(PublishedForm.slug, PublishedForm.number):
        rows.setdefault(row.slug, []).append(row)
    pins = {pin.slug: pin.number for pin in FormPin.select()}
    slugs = list(forms) + sorted(slug for slug in rows if slug not in forms)
    states = []
    for slug in slugs:
        versions = rows.get(slug, [])
        active = next((row for row in versions if row.state == ACTIVE), None)
        pending = [row for row in versions if row.state == PENDING]
        newest = versions[-1] if versions else None
        spec = forms.get(slug)
        states.append(
            FormState(
                slug=slug,
                title=spec.title if spec else "",
                source="published" if versions else "shipped",
                shipped=slug in shipped,
                active_number=active.number if active else None,
                pending_number=pending[-1].number if pending else None,
                pinned_number=pins.get(slug),
                origin=active.origin if active else "shipped",
                published_by=newest.published_by if newest else "",
                published_at=newest.published_at if newest else None,
                activated_at=active.activated_at if active else None,
                numbers=tuple(row.number for row in versions),
            )
        )
    return states


def form_translations(spec: FormSpec) -> tuple[dict, dict]:
    """({lang: {msgid: translation}}, {lang: [msgids checked by a native speaker]}) of `spec`'s
    texts: what visitors read (a correction, else the published form's, else the catalog's)."""
    folder = catalog_folder(current_app.config)
    published = published_texts()
    translations: dict[str, dict[str, str]] = {}
    reviewed: dict[str, list[str]] = {}
    msgids = list(dict.fromkeys(text for text, _ in spec.texts()))
    for code in LANGUAGES:
        if code == SOURCE_LANGUAGE or not has_catalog(folder, code):
            continue
        rows = {row.key: row for row in rows_of(folder, code, published=published)}
        for msgid in msgids:
            row = rows.get(message_key(msgid))
            if row is None or not row.shown:
                continue
            translations.setdefault(code, {})[msgid] = row.shown[0]
            if row.state in (CONFIRMED, CORRECTED):
                reviewed.setdefault(code, []).append(msgid)
    return translations, reviewed

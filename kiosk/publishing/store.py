"""Publishing a form version on this kiosk, switching to it when no visitor is answering that
form, and holding a form at a chosen version (a pin).

A version is published "pending". It becomes "active" (its files written to the instance folder,
kiosk/publishing/registry.py) once no unfinished draft of that form is left and no pin holds the
form at another version; the active version it follows becomes "replaced". Drafts started before
keep their FormVersion and finish on it; submissions keep theirs, as always. `activate_ready`
runs after each publish and pin, in each scheduler run, and in the registry's throttled check
before a request (so within RECHECK_SECONDS of the last draft's end, in a serving process).
"""

import logging
import re
from datetime import timedelta

from flask import current_app

from ..clock import utcnow
from ..formspec import FormSpec, FormSpecError
from ..formspec.checks import SLUG_PATTERN
from ..formspec.package import FormPackage
from ..i18n.corrections import CorrectionError, check_text
from ..models import Draft, FormVersion
from ..models.base import write_transaction
from ..models.forms import ACTIVE, FORM_ORIGINS, PENDING, REPLACED, FormPin, PublishedForm
from ..models.sprachpaten import CONFIRMED, TranslationOverride, message_key
from . import registry

log = logging.getLogger(__name__)

REVIEWED_BY = "XLSForm-Datei"  # checked_by of the checks a form's file brings
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z]{2})?")


class PublishError(ValueError):
    """A package or a pin refused; the message is German, for the coordinator."""


def checked_spec(package: FormPackage) -> FormSpec:
    """The package's form, its translations checked as a Sprachpate's correction is."""
    slug = package.slug
    if not isinstance(slug, str) or not SLUG_PATTERN.fullmatch(slug) or len(slug) > 64:
        raise PublishError(
            f"Der Name „{slug}“ geht nicht: höchstens 64 Zeichen, nur Kleinbuchstaben a-z, "
            "Ziffern und Bindestriche."
        )
    try:
        spec = package.spec()
    except FormSpecError as error:
        raise PublishError(
            f"Das Formular „{slug}“ ist fehlerhaft und wurde nicht veröffentlicht. "
            f"Die Prüfung meldet: {error}"
        ) from None
    if spec.slug != package.slug:
        raise PublishError(f"Der Name „{package.slug}“ passt nicht zum Formular „{spec.slug}“.")
    own = {text for text, _ in spec.texts()}
    for lang, texts in package.translations.items():
        if lang == "de":
            raise PublishError("Deutsch ist die Ausgangssprache: es braucht keine Übersetzung.")
        if not LANGUAGE_CODE.fullmatch(lang):
            raise PublishError(f"„{lang}“ ist kein Sprachcode (etwa „ar“ oder „fa-AF“).")
        for msgid, text in texts.items():
            if msgid not in own:
                continue  # not a text of this form: never shown
            if not isinstance(text, str):
                raise PublishError(f"Die Übersetzung ({lang}) von „{msgid}“ ist kein Text.")
            try:
                check_text(msgid, "", text)
            except CorrectionError as error:
                raise PublishError(
                    f"Die Übersetzung ({lang}) von „{msgid}“: {error.message}"
                ) from None
    return spec


def publish(package: FormPackage, *, by: str, origin: str = "upload") -> PublishedForm:
    """Store `package` as the next version of its form (pending), then activate what is ready.

    A package with the checksum of the active or a pending version stores nothing new and
    returns that version. Raises PublishError (German) for a broken package, changing nothing.
    """
    if origin not in FORM_ORIGINS:
        raise PublishError(f"Unbekannte Herkunft „{origin}“.")
    checked_spec(package)
    checksum = package.checksum
    with write_transaction():
        rows = list(PublishedForm.of_slug(package.slug))
        same = [row for row in rows if row.checksum == checksum and row.state != REPLACED]
        if same:
            row = same[-1]
        else:
            row = PublishedForm.create(
                slug=package.slug,
                number=max((row.number for row in rows), default=0) + 1,
                checksum=checksum,
                package=package.to_dict(),
                origin=origin,
                state=PENDING,
                published_by=by,
                published_at=utcnow(),
            )
    if not same:
        log.info("Formular %s Version %s veröffentlicht von %s", row.slug, row.number, by)
    activate_ready()
    return PublishedForm.get_by_id(row.id)


def unfinished_drafts(slug: str) -> bool:
    """Whether a visitor has an unfinished (unexpired) answer on any version of form `slug`."""
    cutoff = utcnow() - timedelta(hours=current_app.config["DRAFT_MAX_AGE_HOURS"])
    return (
        Draft.select(Draft.uuid)
        .join(FormVersion)
        .where((FormVersion.slug == slug) & (Draft.updated_at >= cutoff))
        .exists()
    )


def wanted(rows: list[PublishedForm], pinned: int | None) -> PublishedForm | None:
    """The version that should be active: the pinned one, else the newest."""
    if pinned is not None:
        return next((row for row in rows if row.number == pinned), None)
    return rows[-1] if rows else None


def activate_ready() -> list[PublishedForm]:
    """Make active every wanted version whose form has no unfinished draft; the versions made
    active. Safe in several processes at once: the states are re-read in the transaction."""
    fields = (PublishedForm.id, PublishedForm.slug, PublishedForm.number, PublishedForm.state)
    rows: dict[str, list[PublishedForm]] = {}
    for row in PublishedForm.select(*fields).order_by(PublishedForm.slug, PublishedForm.number):
        rows.setdefault(row.slug, []).append(row)
    pins = {pin.slug: pin.number for pin in FormPin.select()}
    activated = []
    for slug, versions in rows.items():
        target = wanted(versions, pins.get(slug))
        if target is None or target.state == ACTIVE or unfinished_drafts(slug):
            continue
        done = activate(PublishedForm.get_by_id(target.id))
        if done is not None:
            activated.append(done)
    if activated:
        registry.refresh()
    return activated


def activate(row: PublishedForm) -> PublishedForm | None:
    """Switch the states and write the version's files, in one transaction: the conditions are
    read again under the write lock, and a failed write leaves the states as they were."""
    with write_transaction():
        fresh = PublishedForm.get_by_id(row.id)
        pin = FormPin.get_or_none(FormPin.slug == row.slug)
        if fresh.state == ACTIVE or (pin is not None and pin.number != row.number):
            return None  # another process was quicker, or pinned meanwhile
        PublishedForm.update(state=REPLACED).where(
            (PublishedForm.slug == row.slug)
            & (
                (PublishedForm.state == ACTIVE)
                | ((PublishedForm.state == PENDING) & (PublishedForm.number < row.number))
            )
        ).execute()
        fresh.state, fresh.activated_at = ACTIVE, utcnow()
        fresh.save()
        record_reviewed(FormPackage.from_dict(fresh.package))
        # last: a commit that fails after this leaves files the next check puts right
        registry.write_form_files(current_app._get_current_object(), fresh)
    log.info("Formular %s Version %s aktiv", fresh.slug, fresh.number)
    return fresh


def record_reviewed(package: FormPackage) -> None:
    """The texts the file marks as checked by a native speaker become checks ("geprüft") by
    "XLSForm-Datei", unless a Sprachpate has already given their word on that text."""
    own = {text for text, _ in package.spec().texts()}
    for lang, msgids in package.reviewed.items():
        texts = package.translations.get(lang, {})
        for msgid in msgids:
            text = texts.get(msgid)
            if msgid not in own or not text:
                continue
            key = message_key(msgid)
            rows = TranslationOverride.select().where(
                (TranslationOverride.lang == lang) & (TranslationOverride.key == key)
            )
            if any(row.checked_by != REVIEWED_BY or row.origin != "local" for row in rows):
                continue  # a Sprachpate's word (here or at the Stadthaus) stays
            held = TranslationOverride.held(lang, key) or TranslationOverride(
                lang=lang, key=key, origin="local"
            )
            held.msgid, held.msgctxt, held.msgid_plural = msgid, "", ""
            held.forms, held.catalog_forms = [text], [text]
            held.state, held.checked_by, held.checked_at = CONFIRMED, REVIEWED_BY, utcnow()
            held.save()


def pin(slug: str, number: int | None, *, by: str) -> FormPin | None:
    """Hold form `slug` at its published version `number` (None: let go, so the newest comes
    in force); the switch itself waits for unfinished drafts as any other."""
    with write_transaction():
        if number is None:
            FormPin.delete().where(FormPin.slug == slug).execute()
            held = None
        else:
            if (
                not PublishedForm.select()
                .where((PublishedForm.slug == slug) & (PublishedForm.number == number))
                .exists()
            ):
                raise PublishError(f"Das Formular „{slug}“ hat keine Version {number}.")
            held = FormPin.get_or_none(FormPin.slug == slug) or FormPin(slug=slug)
            held.number, held.pinned_by, held.pinned_at = number, by, utcnow()
            held.save()
    log.info(
        "Formular %s %s von %s",
        slug,
        f"auf Version {number} festgelegt" if number else "freigegeben",
        by,
    )
    activate_ready()
    registry.refresh()  # a pin changes the states shown even when nothing switches
    return held

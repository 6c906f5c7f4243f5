"""The forms in force: the shipped forms of forms/ overlaid by the active published ones, whose
files live in the instance folder (instance/forms/<slug>.toml, its translations beside it in
<slug>.translations.json).

`app.extensions["kiosk_forms"]` is the dict every part reads (slug -> FormSpec, ordered by
(order, slug)); it is replaced whole, never changed in place, whenever the published forms
change: in this process at once (`refresh`), in another (a `kiosk forms import` while `kiosk
serve` runs) at the first request after RECHECK_SECONDS, by one cheap summary query of the
published forms (`PublishedForm.change_key`). The same throttled check finishes what waits: a
version pending because a visitor was still answering becomes active once no draft is left
(kiosk/publishing/hooks.py).
"""

import contextlib
import glob
import json
import logging
import os
import threading
import time

from flask import Flask, current_app
from peewee import DatabaseError

from .. import changes
from ..files import private_folder, write_atomically
from ..formspec import FormSpec, FormSpecError, load_form, load_forms
from ..formspec.package import FormPackage
from ..i18n import overrides
from ..models.forms import PublishedForm

log = logging.getLogger(__name__)

REGISTRY_KEY = "kiosk_publishing"  # app.extensions: this app's Registry
SHIPPED_KEY = "kiosk_shipped_forms"  # app.extensions: the forms of FORMS_DIR, read once
RECHECK_SECONDS = 5.0
SIDECAR = ".translations.json"


def forms_folder(app: Flask) -> str:
    return os.path.join(app.instance_path, "forms")


def shipped_forms(app: Flask) -> dict[str, FormSpec]:
    """The forms of FORMS_DIR (raises the first problem: a broken shipped form stops the start)."""
    shipped = app.extensions.get(SHIPPED_KEY)
    if shipped is None:
        shipped = app.extensions[SHIPPED_KEY] = load_forms(app.config["FORMS_DIR"])
    return shipped


def instance_forms(app: Flask) -> dict[str, FormSpec]:
    """The active published forms as their files in the instance folder hold them; a file that
    cannot be read is logged and left out (the shipped form of that name stays in force)."""
    found = {}
    for path in sorted(glob.glob(os.path.join(glob.escape(forms_folder(app)), "*.toml"))):
        try:
            spec = load_form(path)
        except (FormSpecError, OSError, UnicodeDecodeError):
            log.exception("Veröffentlichtes Formular %s nicht lesbar", path)
            continue
        found[spec.slug] = spec
    return found


def forms_in_force(app: Flask) -> dict[str, FormSpec]:
    """Shipped forms overlaid by the active published ones, ordered by (order, slug)."""
    specs = {**shipped_forms(app), **instance_forms(app)}
    return dict(sorted(specs.items(), key=lambda item: (item[1].order, item[0])))


def sidecar_checksum(app: Flask, slug: str) -> str | None:
    try:
        with open(os.path.join(forms_folder(app), slug + SIDECAR), encoding="utf-8") as file:
            return json.load(file).get("checksum")
    except (OSError, ValueError):
        return None


def write_form_files(app: Flask, row: PublishedForm) -> None:
    """The files of an active version, each written durably: the translations first, the form
    last (the form's file is what puts the version in force)."""
    folder = forms_folder(app)
    private_folder(folder)
    package = FormPackage.from_dict(row.package)
    beside = {
        "slug": row.slug,
        "number": row.number,
        "checksum": row.checksum,
        "origin": row.origin,
        "translations": package.translations,
        "reviewed": package.to_dict()["reviewed"],
    }
    data = json.dumps(beside, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    write_atomically(os.path.join(folder, row.slug + SIDECAR), data)
    write_atomically(os.path.join(folder, row.slug + ".toml"), package.source.encode("utf-8"))


def remove_form_files(app: Flask, slug: str) -> None:
    folder = forms_folder(app)
    for name in (slug + ".toml", slug + SIDECAR):
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(folder, name))


def reconcile(app: Flask) -> None:
    """Make the instance folder hold exactly the active versions (after a restore of the
    database, or a process that stopped between writing the files and committing)."""
    active = {row.slug: row for row in PublishedForm.active()}
    for slug, row in active.items():
        written = os.path.exists(os.path.join(forms_folder(app), slug + ".toml"))
        if not written or sidecar_checksum(app, slug) != row.checksum:
            write_form_files(app, row)
    for path in glob.glob(os.path.join(glob.escape(forms_folder(app)), "*.toml")):
        slug = os.path.basename(path).removesuffix(".toml")
        if slug not in active:
            remove_form_files(app, slug)


def files_stamp(app: Flask) -> tuple:
    """What the form files of the instance folder are now (names, times, sizes)."""
    stamp = []
    for path in sorted(glob.glob(os.path.join(glob.escape(forms_folder(app)), "*.toml"))):
        with contextlib.suppress(OSError):
            status = os.stat(path)
            stamp.append((path, status.st_ino, status.st_mtime_ns, status.st_size))
    return tuple(stamp)


class Registry:
    """One app's view of the published forms: the change key it last saw, and when, and the
    form files its forms in force were read from."""

    def __init__(self, app: Flask, clock=time.monotonic):
        self.clock = clock  # tests give a clock of their own
        self.lock = threading.Lock()
        self.checked_at: float | None = None
        self.change_key: tuple | None = None
        self.bell = changes.token("forms")  # kiosk.changes' token when last checked
        self.loaded = files_stamp(app)  # create_app has just read them (load_forms)

    def due(self) -> bool:
        return (
            self.checked_at is None
            or self.clock() - self.checked_at >= RECHECK_SECONDS
            or changes.token("forms") != self.bell  # published through another worker
        )

    def check(self, app: Flask, *, force: bool = False) -> bool:
        """Reload the forms when the published ones changed; whether versions are pending."""
        if not force and not self.due():
            return False
        with self.lock:
            self.checked_at = self.clock()
            self.bell = changes.token("forms")
            try:
                key = PublishedForm.change_key()
            except DatabaseError:  # no table yet (an unmigrated database)
                log.debug("Veröffentlichte Formulare nicht lesbar", exc_info=True)
                return False
            if key != self.change_key:
                reconcile(app)
                if files_stamp(app) != self.loaded:
                    reload(app)  # the forms and their translations
                else:
                    invalidate_translations(app)  # a version's files unchanged, its state not
                self.change_key = key
        return key[3] not in ("0", "None")  # the number of pending versions


def reload(app: Flask) -> None:
    """Put the forms in force into `app.extensions["kiosk_forms"]` (a new dict) and let the
    next gettext read the translations again."""
    registry = app.extensions.get(REGISTRY_KEY)
    if registry is not None:
        registry.loaded = files_stamp(app)
    app.extensions["kiosk_forms"] = forms_in_force(app)
    invalidate_translations(app)


def invalidate_translations(app: Flask) -> None:
    held = app.extensions.get(overrides.LAYER_KEY)
    if held is not None:
        held.invalidate()


def refresh(app: Flask | None = None) -> None:
    """The published forms changed in this process: take them in at once (and the other workers
    of `kiosk serve` with their next request, kiosk/changes.py)."""
    app = app or current_app._get_current_object()
    changes.ring("forms")
    reconcile(app)
    reload(app)
    registry = app.extensions.get(REGISTRY_KEY)
    if registry is not None:
        registry.change_key = PublishedForm.change_key()
        registry.checked_at = registry.clock()

"""The hub's directory for its sites: the Stadthaus's offices and help lines as one document.

The hub's coordinators keep the town-wide entries (origin "local" on the hub, kinds office and
helpline); every site pulls them with its token from `GET /api/v1/directory`
(kiosk/views/api.py, kiosk/sync/directory.py). A hundred sites polling every hour all ask for
the same bytes, so the document is built once per change of the directory and kept per database
(`kiosk.db.database_cache`). Its version, the ETag, is a hash of the canonical content without
`exported_at`: it changes only when the directory does, and a site that holds it already is
answered 304 without a body.

The document also carries the checks and corrections of the translations made by the Sprachpaten
at the Stadthaus (`translations`, only when there are any), which the sites apply beside their own.
"""

import hashlib
import json
import threading
import time
from dataclasses import dataclass

from peewee import fn

from ..db import database_cache
from ..directory.transfer import export_document, export_translations
from ..models import DirectoryEntry
from ..models.sprachpaten import TranslationOverride

ORIGINS = ("local",)  # the hub's own entries; never the ones shipped with the program
KINDS = ("office", "helpline")  # a Treffpunkt's own opening times stay on the site
CACHE_KEY = "hub_directory"
# The cache is keyed by a cheap summary of the table (count, latest change, ids); an edit that
# leaves all of these alone (e.g. an import keeping old times) is still served within this long.
REBUILD_SECONDS = 60

_building = threading.Lock()


@dataclass(frozen=True)
class PublishedDirectory:
    """The document as the sites get it: its bytes, its version and how many entries it holds."""

    body: bytes
    version: str  # the ETag, without quotes
    entries: int
    key: tuple  # `change_key()` when it was built
    built: float  # time.monotonic() when it was built


def canonical(document: dict) -> bytes:
    """The document's content without `exported_at`, in one fixed spelling."""
    content = {name: value for name, value in document.items() if name != "exported_at"}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode()


def directory_version(document: dict) -> str:
    """The version (strong ETag) of a directory document: the same content, the same version."""
    return hashlib.sha256(canonical(document)).hexdigest()[:32]


def change_key() -> tuple:
    """A summary of DirectoryEntry (and of the hub's own checks and corrections of the
    translations) that changes whenever a row is added, removed or saved."""
    row = (
        DirectoryEntry.select(
            fn.COUNT(DirectoryEntry.id),
            fn.MAX(DirectoryEntry.updated_at),
            fn.MAX(DirectoryEntry.id),
            fn.SUM(DirectoryEntry.id),
        )
        .tuples()
        .get()
    )
    return tuple(str(value) for value in row) + TranslationOverride.change_key("local")


def build(previous: PublishedDirectory | None, key: tuple) -> PublishedDirectory:
    document = export_document(origins=ORIGINS, kinds=KINDS, events=False)
    translations = export_translations()
    if translations:  # none: the document stays as it was before there were Sprachpaten
        document["translations"] = translations
    version = directory_version(document)
    if previous is not None and previous.version == version:
        body = previous.body  # the same content: the same bytes, `exported_at` included
    else:
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return PublishedDirectory(body, version, len(document["entries"]), key, time.monotonic())


def published_directory() -> PublishedDirectory:
    """The directory for the sites, built again only when DirectoryEntry changed."""
    cache = database_cache()
    key = change_key()  # read before the export: a change during it only rebuilds once more

    def fresh(held: PublishedDirectory | None) -> bool:
        return (
            held is not None and held.key == key and time.monotonic() - held.built < REBUILD_SECONDS
        )

    held = cache.get(CACHE_KEY)
    if fresh(held):
        return held
    with _building:  # many sites at once after a change: one of them builds, the others wait
        held = cache.get(CACHE_KEY)
        if not fresh(held):
            held = cache[CACHE_KEY] = build(held, key)
    return held

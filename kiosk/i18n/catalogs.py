"""Coverage of the gettext catalogs: what each visitor language misses, and its review status."""

import os
import re
from dataclasses import dataclass, field

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from . import LANGUAGES, SOURCE_LANGUAGE, TRANSLATIONS_DIR

POT_FILE = os.path.join(TRANSLATIONS_DIR, "messages.pot")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
REVIEW_LINE = re.compile(r"^# Review: (.+)$", re.MULTILINE)


@dataclass
class CatalogStatus:
    code: str
    total: int
    translated: int = 0
    missing: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # placeholders differ from the German
    review: str = "no catalog"

    @property
    def coverage(self) -> float:
        return self.translated / self.total if self.total else 1.0

    @property
    def complete(self) -> bool:
        return not self.missing and not self.broken


def read_catalog(path: str) -> Catalog:
    with open(path, "rb") as po_file:
        return read_po(po_file)


def source_ids(pot: Catalog) -> list:
    return [message.id for message in pot if message.id]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text or ""))


def check_message(message, source_id) -> tuple[bool, bool]:
    """(translated, placeholders_ok) of one catalog entry."""
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    translated = all(strings) and not message.fuzzy
    wanted = placeholders(source_id if isinstance(source_id, str) else source_id[-1])
    ok = all(placeholders(text) <= wanted | {"%(num)s"} for text in strings if text)
    return translated, ok


def language_status(code: str, ids: list) -> CatalogStatus:
    status = CatalogStatus(code=code, total=len(ids))
    path = os.path.join(TRANSLATIONS_DIR, code, "LC_MESSAGES", "messages.po")
    if not os.path.exists(path):
        status.missing = [str(i) for i in ids]
        return status
    with open(path, encoding="utf-8") as po_text:
        review = REVIEW_LINE.search(po_text.read())
    status.review = review.group(1) if review else "unknown"
    catalog = read_catalog(path)
    for source_id in ids:
        message = catalog.get(source_id)
        translated, ok = check_message(message, source_id) if message else (False, True)
        status.translated += translated
        if not translated:
            status.missing.append(source_id if isinstance(source_id, str) else source_id[0])
        if not ok:
            status.broken.append(source_id if isinstance(source_id, str) else source_id[0])
    return status


def catalog_report(pot_path: str = POT_FILE) -> list[CatalogStatus]:
    """The status of every visitor language against the template `pot_path`."""
    ids = source_ids(read_catalog(pot_path))
    # Variants such as fa-AF (Dari) fall back to their base catalog and need none of their own.
    codes = [code for code in LANGUAGES if code != SOURCE_LANGUAGE and "-" not in code]
    return [language_status(code, ids) for code in codes]

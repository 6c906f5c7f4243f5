"""The catalogs' texts as the Sprachpaten pages list them: every German source text of the
template (messages.pot) with where it appears, and each language's translation of it.

Read from the .pot and .po files of the app's catalog folder and kept until a file changes
(its modification time), so a page lists them without parsing the catalogs again.
"""

import gettext
import os
import threading
from dataclasses import dataclass

from babel.messages.pofile import read_po

from ..models.sprachpaten import message_key

INTERFACE, WEGWEISER, FORM = "oberflaeche", "wegweiser", "form:"
# Where the Wegweiser's own texts are written (its pages, opening hours, QR codes).
WEGWEISER_SOURCES = ("templates/kiosk/wegweiser/", "kiosk/views/wegweiser", "kiosk/directory/")


@dataclass(frozen=True)
class SourceText:
    """One text of the template: the German, and where the program shows it."""

    key: str  # message_key(msgid, msgctxt)
    msgid: str
    msgid_plural: str
    msgctxt: str
    locations: tuple[tuple[str, int], ...]  # (file, line) as the .pot lists them
    comments: tuple[str, ...]  # for translators: "form feedback, field today, label"
    groups: tuple[str, ...]  # INTERFACE, WEGWEISER and/or "form:<slug>"


@dataclass(frozen=True)
class LanguageCatalog:
    """One language's catalog: its translation of each text and its plural forms."""

    code: str
    plural_count: int
    plural_examples: tuple[int, ...]  # for each plural form, a number that takes it
    forms: dict  # key -> the translation's texts; () when missing or marked fuzzy


def catalog_folder(config) -> str:
    """The app's (first) catalog folder."""
    folders = config["BABEL_TRANSLATION_DIRECTORIES"]
    return (folders.split(";") if isinstance(folders, str) else list(folders))[0]


def po_path(folder: str, code: str) -> str:
    return os.path.join(folder, code.replace("-", "_"), "LC_MESSAGES", "messages.po")


def has_catalog(folder: str, code: str) -> bool:
    return os.path.exists(po_path(folder, code))


_read: dict[str, tuple[int, object]] = {}
_lock = threading.Lock()


def cached(path: str, build):
    """`build(catalog)` of the catalog file at `path`, made again when the file changed."""
    stamp = os.stat(path).st_mtime_ns
    held = _read.get(path)
    if held is not None and held[0] == stamp:
        return held[1]
    with _lock, open(path, "rb") as po_file:
        value = build(read_po(po_file))
    _read[path] = (stamp, value)
    return value


def groups_of(message) -> tuple[str, ...]:
    """Where a text appears: the forms named by the comments and locations, the Wegweiser, or
    the interface (every other page, and texts the forms share such as "Ja")."""
    found: list[str] = []
    for comment in message.auto_comments:
        if comment.startswith("form "):
            found.append(FORM + comment.split(",")[0].removeprefix("form ").strip())
    for path, _ in message.locations:
        if path.startswith("forms/") and path.endswith(".toml"):
            found.append(FORM + os.path.basename(path).removesuffix(".toml"))
        elif path.startswith(WEGWEISER_SOURCES):
            found.append(WEGWEISER)
        else:
            found.append(INTERFACE)
    return tuple(dict.fromkeys(found)) or (INTERFACE,)


def _source_texts(template) -> tuple[SourceText, ...]:
    texts = []
    for message in template:
        if not message.id:
            continue
        msgid, plural = (message.id, "") if isinstance(message.id, str) else message.id[:2]
        context = message.context or ""
        texts.append(
            SourceText(
                key=message_key(msgid, context),
                msgid=msgid,
                msgid_plural=plural,
                msgctxt=context,
                locations=tuple(message.locations),
                comments=tuple(message.auto_comments),
                groups=groups_of(message),
            )
        )
    return tuple(texts)


def source_texts(folder: str) -> tuple[SourceText, ...]:
    """Every text of the template messages.pot in `folder`, in its order."""
    return cached(os.path.join(folder, "messages.pot"), _source_texts)


def plural_examples(plural_expr: str, count: int) -> tuple[int, ...]:
    """For each plural form, the smallest number that takes it (1 for a form none takes)."""
    choose = gettext.c2py(plural_expr)
    examples: dict[int, int] = {}
    for number in range(1000):
        examples.setdefault(choose(number), number)
    return tuple(examples.get(index, 1) for index in range(count))


def _language_catalog(code: str):
    def build(catalog) -> LanguageCatalog:
        forms = {}
        for message in catalog:
            if not message.id:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            complete = all(strings) and not message.fuzzy
            forms[message_key(msgid, message.context or "")] = tuple(strings) if complete else ()
        count = catalog.num_plurals
        return LanguageCatalog(code, count, plural_examples(catalog.plural_expr, count), forms)

    return build


def language_catalog(folder: str, code: str) -> LanguageCatalog:
    """The catalog of language `code` in `folder` (FileNotFoundError without one)."""
    return cached(po_path(folder, code), _language_catalog(code))


def catalog_translation(folder: str, code: str, key: str) -> tuple[str, ...]:
    """The catalog's translation of one text; () when it has none."""
    return language_catalog(folder, code).forms.get(key, ())

"""One language's catalog with the Sprachpaten's corrections written in, for the project's catalogs
(`kiosk translations export`).

Each checked or corrected text carries its state as a translator comment ("# Sprachpaten:
geändert von Amal am 2026-12-03"), so whoever merges the file back sees who vouched for what;
the first line (`# Review: …`, shown by `kiosk translations check`) says how many texts were
checked. Everything else stays as the catalog has it, so the file differs from it only there.
"""

import io

from babel.messages.pofile import read_po, write_po

from ..models.sprachpaten import CONFIRMED, CORRECTED, message_key
from .catalog_texts import po_path
from .text_states import rows_of

COMMENT = "Sprachpaten: "
REVIEW_PREFIX = "# Review: "


def state_comment(row) -> str:
    """The translator comment of a checked or corrected text; "" for the others."""
    if row.override is None:
        return ""
    by = row.checked_by + (" (Stadthaus)" if row.from_hub else "")
    day = f"{row.checked_at:%Y-%m-%d}"
    if row.state == CORRECTED:
        return f"{COMMENT}{CORRECTED} von {by} am {day}"
    if row.state == CONFIRMED:
        return f"{COMMENT}{CONFIRMED} von {by} am {day}"
    return f"{COMMENT}{CONFIRMED} von {by} am {day}, die Übersetzung hat sich seitdem geändert"


def review_line(reviewed: int, total: int) -> str:
    if reviewed == total:
        return f"{REVIEW_PREFIX}every text checked by native speakers (Sprachpaten)."
    return (
        f"{REVIEW_PREFIX}{reviewed} of {total} texts checked by native speakers (Sprachpaten); "
        "the others machine-assisted, not yet reviewed."
    )


def exported_catalog(folder: str, code: str) -> tuple[bytes, str]:
    """The PO file of language `code` with corrections and review states, and a German summary
    of what it holds ("12 korrigiert, 200 geprüft von 240")."""
    with open(po_path(folder, code), "rb") as po_file:
        catalog = read_po(po_file)
    rows = {row.key: row for row in rows_of(folder, code)}
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        row = rows.get(message_key(msgid, message.context or ""))
        if row is None:
            continue
        comments = [text for text in message.user_comments if not text.startswith(COMMENT)]
        if row.state == CORRECTED:
            forms = tuple(row.shown)
            message.string = forms if message.pluralizable else forms[0]
            message.flags.discard("fuzzy")
        comment = state_comment(row)
        message.user_comments = comments + ([comment] if comment else [])
    reviewed = sum(row.reviewed for row in rows.values())
    corrected = sum(row.state == CORRECTED for row in rows.values())
    header = catalog.header_comment.splitlines()
    if header and header[0].startswith(REVIEW_PREFIX):
        header[0] = review_line(reviewed, len(rows))
    else:
        header.insert(0, review_line(reviewed, len(rows)))
    catalog.header_comment = "\n".join(header)
    output = io.BytesIO()
    write_po(output, catalog, width=0)
    summary = f"{corrected} korrigiert, {reviewed - corrected} geprüft von {len(rows)} Texten"
    return output.getvalue(), summary

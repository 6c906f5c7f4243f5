"""The visitor code of a submission (forms with `visitor_code = true`): e.g. "K7-42".

The thank-you shows it large; the visitor shows it, or reads it out, to a volunteer, who types it
into the inbox search. So it is short (a letter and three digits) and has no character that looks
or sounds like another: no 0/O/Q, 1/I/L/J, 2/Z, 5/S, 6/G, 8/B, and no N (said like M) or V
(German "fau", like F).

It is derived from the submission's UUID, never drawn at random: a retried submit, an offline
submission replayed later and the page that thanks for it all give the same code, and the
summary could show it before the server has the answers. 15 letters and 8 digits make 7,680
codes: two submissions can share one (after some 100 intakes it is likely that two do), so the
search lists every submission with the code, newest first, and the volunteer tells them apart
by their time.
"""

import hashlib
import re
import unicodedata
from uuid import UUID

LETTERS = "ACDEFHKMPRTUWXY"
DIGITS = "23456789"
CODE_PATTERN = re.compile(f"[{LETTERS}][{DIGITS}]{{3}}")
# What may stand between the parts when a code is typed: spaces, dashes of every kind, dots.
SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]")


def visitor_code(uuid: UUID) -> str:
    """The code of this UUID, e.g. "K7-42"; always the same for the same UUID."""
    number = int.from_bytes(hashlib.sha256(uuid.bytes).digest()[:8], "big")
    number, letter = divmod(number, len(LETTERS))
    digits = ""
    for _ in range(3):
        number, digit = divmod(number, len(DIGITS))
        digits += DIGITS[digit]
    return f"{LETTERS[letter]}{digits[0]}-{digits[1:]}"


def searched_code(text: str) -> str | None:
    """The code as stored if `text` is one, typed in any case, with or without the dash or a
    space, with digits of any script ("k742", "K7 42", Arabic-Indic digits all give "K7-42");
    else None."""
    compact = SEPARATORS.sub("", text).upper()
    compact = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in compact)
    if not CODE_PATTERN.fullmatch(compact):
        return None
    return f"{compact[:2]}-{compact[2:]}"

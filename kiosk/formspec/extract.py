"""Babel extraction of the forms' own texts, each found on the line of forms/*.toml it is on."""

import os
import re
import tomllib
from collections import defaultdict

from .toml_reader import load_form

# Strings and comments of a TOML file, so a text can be found on the line where it is written.
_TOML_STRING_OR_COMMENT = re.compile(
    r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""'
    r"|'''[\s\S]*?'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
)


def _text_lines(source: str) -> dict[str, list[int]]:
    """For every string in the TOML source, its (stripped) value and the lines it starts on."""
    lines = defaultdict(list)
    for match in _TOML_STRING_OR_COMMENT.finditer(source):
        literal = match.group()
        if literal.startswith("#"):
            continue
        try:
            value = tomllib.loads(f"text = {literal}")["text"]
        except tomllib.TOMLDecodeError:
            continue
        lines[value.strip()].append(source.count("\n", 0, match.start()) + 1)
    return lines


def extract_form_texts(fileobj, keywords, comment_tags, options):
    """Babel extraction method for forms/*.toml: yields (lineno, None, text, [comment]).

    The form is checked first, so a broken form stops the extraction with its FormSpecError.
    UI_TEXTS are not yielded here: they are extracted from the N_() calls in spec.py.
    """
    source = fileobj.read()
    if isinstance(source, bytes):
        source = source.decode("utf-8")
    spec = load_form(getattr(fileobj, "name", None) or os.path.join("forms", "form.toml"), source)
    lines = _text_lines(source)
    for text, comment in spec.texts():
        # The same text may occur more than once; each occurrence is used in turn.
        found = lines.get(text)
        lineno = found.pop(0) if found else 1
        yield lineno, None, text, [comment]

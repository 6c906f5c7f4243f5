"""Template helpers: pictograms, the vendored htmx file, role names, current user."""

import glob
import os
import re
from functools import lru_cache

from flask import Flask, current_app, g
from markupsafe import Markup

from .assets import sprite_url

ROLE_NAMES = {"volunteer": "Ehrenamtliche*r", "coordinator": "Koordination", "admin": "Admin"}


@lru_cache(maxsize=256)
def _icon_svg(static_folder: str, name: str) -> str:
    with open(os.path.join(static_folder, "icons", f"{name}.svg"), encoding="utf-8") as svg:
        text = svg.read()
    # Decorative: the text label beside every pictogram carries the meaning.
    return re.sub(
        r"<svg\b", '<svg aria-hidden="true" focusable="false" class="icon"', text, count=1
    )


# The pictograms' own drawing attributes, on the outer element so the symbol inherits them and
# the stylesheet's `.icon { stroke-width }` still wins as it did over the inline SVG's attributes.
ICON_ATTRIBUTES = (
    'aria-hidden="true" focusable="false" class="icon" width="24" height="24" fill="none"'
    ' stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"'
)


@lru_cache(maxsize=256)
def _icon_exists(static_folder: str, name: str) -> bool:
    return os.path.isfile(os.path.join(static_folder, "icons", f"{name}.svg"))


def icon(name: str | None, inline: bool = False) -> Markup:
    """A pictogram from static/icons that takes the text colour; decorative (aria-hidden).

    A `<use>` of its symbol in the sprite (static/icons/sprite.svg, see assets.py), which the
    browser loads once and keeps; a page or htmx fragment carries only the reference. `inline`
    gives the whole SVG instead, for HTML that is not shown by a browser (e.g. a PDF).
    """
    if not name:
        return Markup("")
    if inline or g.get("inline_icons"):
        return Markup(_icon_svg(current_app.static_folder, name))
    # A step shows dozens of pictograms: each one's markup is made once per app.
    made = current_app.extensions.setdefault("kiosk_icons", {})
    markup = made.get(name)
    if markup is None:
        if not _icon_exists(current_app.static_folder, name):
            raise FileNotFoundError(f"no pictogram static/icons/{name}.svg")
        markup = Markup(f'<svg {ICON_ATTRIBUTES}><use href="{sprite_url()}#{name}"/></svg>')
        made[name] = markup
    return markup


def htmx_script(static_folder: str) -> str:
    """The vendored htmx file, whose name carries its version (static/vendor/htmx-2.0.N.min.js)."""
    names = sorted(glob.glob(os.path.join(static_folder, "vendor", "htmx-*.min.js")))
    if not names:
        raise RuntimeError("htmx is missing from static/vendor/")
    return "vendor/" + os.path.basename(names[-1])


def init_app(app: Flask) -> None:
    from ..review.auth import current_user

    app.jinja_env.globals["icon"] = icon
    app.jinja_env.globals["current_user"] = current_user
    app.jinja_env.globals["role_names"] = ROLE_NAMES
    app.jinja_env.globals["htmx_script"] = htmx_script(app.static_folder)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

"""Template helpers: inline pictograms, the vendored htmx file, role names, current user."""

import glob
import os
import re
from functools import lru_cache

from flask import Flask, current_app
from markupsafe import Markup

ROLE_NAMES = {"volunteer": "Ehrenamtliche*r", "coordinator": "Koordination", "admin": "Admin"}


@lru_cache(maxsize=256)
def _icon_svg(static_folder: str, name: str) -> str:
    with open(os.path.join(static_folder, "icons", f"{name}.svg"), encoding="utf-8") as svg:
        text = svg.read()
    # Decorative: the text label beside every pictogram carries the meaning.
    return re.sub(
        r"<svg\b", '<svg aria-hidden="true" focusable="false" class="icon"', text, count=1
    )


def icon(name: str | None) -> Markup:
    """An inline SVG pictogram from static/icons, so it takes the text colour."""
    if not name:
        return Markup("")
    return Markup(_icon_svg(current_app.static_folder, name))


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

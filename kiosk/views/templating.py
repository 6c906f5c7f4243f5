"""Template helpers: pictograms, the vendored htmx file, role names, current user, and dates and
times in German ("2. Dezember 2026, 14:05", on the clock in Wildeshausen)."""

import glob
import os
import re
from datetime import UTC, date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime
from flask import Flask, current_app, g
from markupsafe import Markup

from ..clock import local_time
from ..review.accounts import ROLE_NAMES
from .assets import sprite_url

GERMAN = Locale("de")
# CLDR patterns (babel.dates): "2. Dezember 2026, 14:05", "2. Dezember 2026", "14:05".
DATETIME_PATTERN = "d. MMMM y, HH:mm"
SECONDS_PATTERN = "d. MMMM y, HH:mm:ss"
DATE_PATTERN = "d. MMMM y"
TIME_PATTERN = "HH:mm"


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


def on_local_clock(moment: datetime) -> tuple[datetime, str]:
    """A stored UTC time on the Treffpunkt's clock; a time at the very edge of what Python can
    count (year 9999, where the time zone cannot be added) stays in UTC, marked so."""
    try:
        return local_time(moment), ""
    except (OverflowError, ValueError):
        return moment, " UTC"


def de_datetime(moment, seconds: bool = False) -> str:
    """ "2. Dezember 2026, 14:05" for a stored time (naive UTC); a date alone as `de_date`
    gives it; text that is an ISO time is read first; nothing gives ""."""
    moment = from_iso(moment)
    if isinstance(moment, datetime):
        shown, zone = on_local_clock(moment)
        pattern = SECONDS_PATTERN if seconds else DATETIME_PATTERN
        return format_datetime(shown, pattern, locale=GERMAN) + zone
    return de_date(moment)


def de_date(moment) -> str:
    """ "2. Dezember 2026": a day, or the local day of a stored time."""
    moment = from_iso(moment)
    if isinstance(moment, datetime):
        moment = on_local_clock(moment)[0].date()
    if isinstance(moment, date):
        return format_date(moment, DATE_PATTERN, locale=GERMAN)
    return "" if moment is None else str(moment)


def de_time(moment) -> str:
    """ "14:05": the time on the Treffpunkt's clock of a stored time."""
    moment = from_iso(moment)
    if isinstance(moment, datetime):
        shown, zone = on_local_clock(moment)
        return format_datetime(shown, TIME_PATTERN, locale=GERMAN) + zone
    return "" if moment is None else str(moment)


def from_iso(value):
    """A day or time written as ISO text (a report's record) as one; anything else unchanged."""
    if not isinstance(value, str):
        return value
    try:
        if len(value) == len("2026-12-02"):
            return date.fromisoformat(value)
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is not None:  # as stored: naive UTC
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return value
    return parsed


def init_app(app: Flask) -> None:
    from ..review.auth import current_user

    app.jinja_env.globals["icon"] = icon
    app.jinja_env.globals["current_user"] = current_user
    app.jinja_env.globals["role_names"] = ROLE_NAMES
    app.jinja_env.filters.update(de_datetime=de_datetime, de_date=de_date, de_time=de_time)
    app.jinja_env.globals["htmx_script"] = htmx_script(app.static_folder)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

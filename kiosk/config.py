"""Every setting of the kiosk, declared once with its default and one line of help."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS = (
    Setting(
        "SECRET_KEY", None, "Signs sessions and CSRF tokens; `kiosk init` writes a random one."
    ),
    Setting("SITE_SLUG", "mittendrin", "Short name of this Treffpunkt, used in reports."),
    Setting("SITE_NAME", "Treffpunkt Mittendrin", "Display name of this Treffpunkt."),
    Setting("DATABASE", "kiosk.sqlite3", "SQLite file, relative to the instance folder."),
    Setting("DATABASE_URL", None, "A database URL (e.g. postgresql://…) that replaces DATABASE."),
    Setting("FORMS_DIR", None, "Folder of the form definitions; default: forms/ in the project."),
    Setting("KIOSK_LANGUAGES", None, "Language codes offered on the start screen; default: all."),
    Setting("KIOSK_IDLE_SECONDS", 90, "Seconds without input before the idle warning appears."),
    Setting("KIOSK_IDLE_COUNTDOWN", 30, "Seconds the idle warning counts down (at least 20)."),
    Setting("KIOSK_THANKS_SECONDS", 8, "Seconds the thank-you stays before the start screen."),
    Setting("DRAFT_MAX_AGE_HOURS", 12, "Unfinished answers older than this are discarded."),
    Setting("STAFF_IDLE_MINUTES", 30, "A staff login ends after this many idle minutes."),
    Setting("STAFF_SESSION_HOURS", 8, "A staff login ends after this many hours in any case."),
    Setting("REPORT_MIN_CELL", 3, 'Reports print counts from 1 to this minus 1 as "<3" (3 to 10).'),
    Setting("MAX_CONTENT_LENGTH", 64 * 1024, "Largest request body in bytes."),
    Setting("MAX_FORM_PARTS", 200, "Largest number of fields in one posted form."),
    Setting(
        "WTF_CSRF_TIME_LIMIT", None, "CSRF tokens live as long as the session (forms stay open)."
    ),
    Setting("SESSION_COOKIE_SAMESITE", "Lax", "SameSite attribute of the session cookie."),
    Setting("SESSION_COOKIE_HTTPONLY", True, "The session cookie is not readable by scripts."),
)


def defaults() -> dict[str, Any]:
    """The default value of every setting, as a mapping for `app.config`."""
    return {setting.name: setting.default for setting in SETTINGS}

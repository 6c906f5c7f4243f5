"""Every setting of the kiosk, declared once with its default and one line of help."""

import os
from dataclasses import dataclass
from typing import Any

# The checkout: templates/, static/, forms/ and the default instance/ live here.
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
    Setting(
        "KIOSK_PRINTER",
        False,
        "A printer stands by the kiosk: the Wegweiser offers its A6 print views.",
    ),
    Setting(
        "KIOSK_STEP_CACHE_ENTRIES",
        512,
        "Steps kept rendered for the next visitor at the same point (0: render every time).",
    ),
    Setting(
        "KIOSK_TAP_GUARD_MS",
        450,
        "Milliseconds after a new screen in which taps are ignored (a double tap's second tap).",
    ),
    Setting("DRAFT_MAX_AGE_HOURS", 12, "Unfinished answers older than this are discarded."),
    Setting("DRAFTS_PER_BROWSER", 10, "Unfinished forms one browser may have open at once."),
    Setting(
        "DRAFTS_PER_ADDRESS", 30, "Unfinished forms one client address (IPv6: its /64) may have."
    ),
    Setting(
        "DRAFTS_TOTAL",
        1000,
        "Unfinished forms of all visitors at once; the kiosk's own screen is not turned away.",
    ),
    Setting("STAFF_IDLE_MINUTES", 30, "A staff login ends after this many idle minutes."),
    Setting("STAFF_SESSION_HOURS", 8, "A staff login ends after this many hours in any case."),
    Setting("NOTE_EDIT_MINUTES", 15, "Minutes in which a note's author may still correct it."),
    Setting("REPORT_MIN_CELL", 3, 'Reports print counts from 1 to this minus 1 as "<3" (3 to 10).'),
    Setting("MAX_CONTENT_LENGTH", 64 * 1024, "Largest request body in bytes."),
    Setting("MAX_FORM_PARTS", 200, "Largest number of fields in one posted form."),
    Setting(
        "WTF_CSRF_TIME_LIMIT", None, "CSRF tokens live as long as the session (forms stay open)."
    ),
    Setting("SESSION_COOKIE_SAMESITE", "Lax", "SameSite attribute of the session cookie."),
    Setting("SESSION_COOKIE_HTTPONLY", True, "The session cookie is not readable by scripts."),
    # Schedule and delivery to the Stadthaus (kiosk/sync).
    Setting(
        "REPORT_SCHEDULE",
        "monthly",
        '"auto" (what `kiosk init` writes): a month, or the quarter so far where a month alone'
        ' would hide too much; "monthly", "quarterly" or "weekly": each such period.',
    ),
    Setting(
        "REPORT_GRACE_DAYS",
        7,
        "Days after a period's end the scheduled report waits for comments to be approved.",
    ),
    Setting("REPORT_HOUR", 6, "Hour of the day (German time) from which a due report is built."),
    Setting("SYNC_TARGETS", [], "Where reports are delivered: hub, email and folder targets."),
    Setting("SYNC_RETRY_CAP_SECONDS", 300, "Longest wait between two delivery attempts."),
    Setting(
        "SCHEDULER_INTERVAL_SECONDS", 60, "How often `kiosk serve` checks for due work (0: never)."
    ),
    Setting("HEARTBEAT_MINUTES", 15, "Minutes between two heartbeats to each hub target."),
    Setting("NIGHTLY_HOUR", 3, "Hour (German time) from which the daily purge and backup run."),
    Setting(
        "DIRECTORY_PULL_MINUTES",
        60,
        "Minutes between two pulls of the town-wide directory from each hub target.",
    ),
    Setting(
        "DIRECTORY_MAX_BYTES",
        2 * 1024 * 1024,
        "Largest directory a site takes from its hub or from a file; a larger one is refused.",
    ),
    Setting(
        "FORMS_MAX_BYTES",
        4 * 1024 * 1024,
        "Largest answer with the forms from the Stadthaus a site takes; a larger one is refused.",
    ),
    Setting(
        "FORM_UPLOAD_MAX_BYTES",
        1024 * 1024,
        "Largest XLSForm file a coordinator uploads on /review/formulare; a larger one is refused.",
    ),
    # Sprachpaten: recordings of the spoken prompts, German renderings of comments.
    Setting("RECORDING_MAX_SECONDS", 60, "Longest recording of a spoken text, in seconds."),
    Setting("RECORDING_MAX_BYTES", 1024 * 1024, "Largest recording of a spoken text, in bytes."),
    Setting(
        "REPORT_COMMENTS_NEED_GERMAN",
        False,
        "A comment in another language is approved for the report only with a German rendering.",
    ),
    # Hub (ROLE = "hub").
    Setting("ROLE", "kiosk", '"kiosk" on a Treffpunkt; "hub" at the Stadthaus (receives reports).'),
    Setting("HUB_SILENT_HOURS", 26, "The hub flags a site not heard from for this many hours."),
    Setting("HUB_MAX_REPORT_BYTES", 20 * 1024 * 1024, "Largest report upload the hub accepts."),
    Setting(
        "HUB_FORM_UPLOAD_BYTES", 2 * 1024 * 1024, "Largest XLSForm file the hub's form page takes."
    ),
    Setting(
        "HUB_SUPERSEDED_DAYS",
        30,
        "Days the hub keeps a report after a newer version of it arrived; then it is deleted.",
    ),
    # Retention, backups and browser security.
    Setting("BACKUP_DIR", "backups", "Folder for `kiosk backup`, relative to the instance folder."),
    Setting("BACKUP_KEEP", 14, "How many backups to keep; older ones are deleted."),
    Setting("MAX_FORM_MEMORY_SIZE", 64 * 1024, "Largest single form field in bytes."),
    Setting("MAX_URL_LENGTH", 2048, "Longer request URLs (path and query) are refused with 414."),
    Setting("MAX_REQUEST_HEADER_BYTES", 16 * 1024, "Largest request line plus headers (waitress)."),
    Setting(
        "TRUSTED_PROXY",
        None,
        "Address of a reverse proxy whose X-Forwarded-For/-Proto waitress believes (HTTPS there).",
    ),
    Setting("SESSION_COOKIE_SECURE", False, "Cookies always Secure; they are anyway over HTTPS."),
    # `kiosk serve` against slow and greedy clients (kiosk/serving.py).
    Setting(
        "SERVER_HEADER_SECONDS",
        10,
        "Seconds for a request's line and headers from its first byte; later: 408, closed.",
    ),
    Setting(
        "SERVER_BODY_SECONDS",
        60,
        "Seconds for a request's body after its headers; later: 408, closed.",
    ),
    Setting(
        "SERVER_PROCESSES",
        2,
        "`kiosk serve`: worker processes sharing the port (at most one per core; 1: one).",
    ),
    Setting("SERVER_THREADS", 8, "`kiosk serve`: worker threads of each process."),
    Setting("SERVER_IDLE_SECONDS", 30, "Seconds an idle keep-alive connection stays open."),
    Setting(
        "SERVER_CONNECTIONS_PER_ADDRESS",
        20,
        "Open connections one client address may hold (not TRUSTED_PROXY); 0: no limit.",
    ),
)


def defaults() -> dict[str, Any]:
    """The default value of every setting, as a mapping for `app.config`."""
    return {setting.name: setting.default for setting in SETTINGS}


ROLES = ("kiosk", "hub")


class ConfigError(ValueError):
    """A setting with a value the program cannot run with."""


def check_role(config) -> None:
    if config["ROLE"] not in ROLES:
        raise ConfigError(f"ROLE = {config['ROLE']!r} is unknown; use one of {', '.join(ROLES)}.")

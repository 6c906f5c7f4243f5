"""The columns of an XLSForm the kiosk reads, and what it says about the others."""

from .xlsform_common import REVIEWED

KNOWN_COLUMNS = {
    "survey": (
        "type",
        "name",
        "label",
        "hint",
        "required",
        "required_message",
        "constraint",
        "constraint_message",
        "relevant",
        "appearance",
        "media::image",
        "kiosk::personal",
        "kiosk::prefer_not_to_say",
        "kiosk::digits",
        "kiosk::type",
        "kiosk::yes_label",
        "kiosk::no_label",
        f"kiosk::{REVIEWED}",
    ),
    "choices": ("list_name", "name", "label", "media::image"),
    "settings": (
        "form_title",
        "form_id",
        "default_language",
        "kiosk::title",
        "kiosk::description",
        "kiosk::purpose",
        "kiosk::retention_days",
        "kiosk::icon",
        "kiosk::order",
        "kiosk::one_tap",
        "kiosk::visitor_code",
        "kiosk::review",
        f"kiosk::{REVIEWED}",
    ),
}
# Settings that only concern ODK's or Kobo's own handling of the file.
IGNORED_SETTINGS = (
    "version",
    "style",
    "name",
    "namespaces",
    "clean_text_values",
    "omit_instanceid",
)
LOGIC_COLUMNS = (
    "calculation",
    "default",
    "choice_filter",
    "read_only",
    "readonly",
    "repeat_count",
    "trigger",
    "parameters",
    "instance_name",
    "public_key",
    "submission_url",
    "auto_send",
    "auto_delete",
)
# The English checks of FormChecker, in German for the coordinator.
CHECKER_MESSAGES = (
    (
        "personal data needs a consent field",
        "Persönliche Angaben (kiosk::personal) brauchen "
        "vorher eine Zustimmung (acknowledge). Setzen Sie eine acknowledge-Frage davor.",
    ),
    ("'one_tap' needs", "kiosk::one_tap braucht genau eine Frage, vom Typ select_one."),
    (
        "'visitor_code' needs a required",
        "kiosk::visitor_code braucht eine Zustimmung (acknowledge) mit required = yes.",
    ),
    (
        "'visitor_code' needs the form in the inbox",
        "kiosk::visitor_code geht nicht mit kiosk::review = no.",
    ),
    (
        "a consent field cannot be personal",
        "Eine Zustimmung (acknowledge) ist keine persönliche Angabe. Leeren Sie kiosk::personal.",
    ),
    (
        "a consent's help",
        "Der Hinweis (hint) einer Zustimmung hat höchstens drei kurze Sätze; "
        "der ganze Text gehört in kiosk::purpose im Blatt settings.",
    ),
    ("min (", "Die untere Grenze ist größer als die obere. Prüfen Sie constraint."),
    ("min_length (", "Die Mindestlänge ist größer als die Höchstlänge. Prüfen Sie constraint."),
    ("'pattern' is not a valid", "Der reguläre Ausdruck in regex(…) ist ungültig. Prüfen Sie ihn."),
    (
        "message '",
        "Eine Meldung darf nur %(min)s, %(max)s und %(example)s als Platzhalter "
        "enthalten. Prüfen Sie die Meldungen dieser Frage.",
    ),
)


def known_column(sheet: str, name: str) -> bool:
    if sheet == "survey" and name.startswith("kiosk::message::"):
        return True
    if sheet == "settings" and name in IGNORED_SETTINGS:
        return True
    return name in KNOWN_COLUMNS[sheet]


def unknown_column(sheet: str, name: str) -> str:
    if name in LOGIC_COLUMNS:
        return f"Die Spalte {name} enthält Logik, die der Kiosk nicht hat. Leeren Sie die Spalte."
    if name.startswith(("media::", "audio", "video", "big-image")):
        return "Ton, Video und Bilder je Sprache zeigt der Kiosk nicht. Leeren Sie die Spalte."
    if name.startswith("kiosk::"):
        known = [column for column in KNOWN_COLUMNS[sheet] if column.startswith("kiosk::")]
        return f"Die Spalte {name} gibt es nicht. Im Blatt {sheet} gibt es: {', '.join(known)}."
    return (
        f"Die Spalte {name} kennt der Kiosk nicht. Leeren oder löschen Sie sie (die eigenen "
        "Spalten des Kiosk beginnen mit kiosk::)."
    )

"""The visitors' Wegweiser: who helps with what, when and where, in the visitor's language.

Every page is under /<lang>/wegweiser/ and holds nothing of a visitor:

    /                      "Wer hilft bei …?": the intake's needs as tiles, the Treffpunkt, Notruf
    hilfe/<need>           the offices for one need
    stelle/<key>           one office: texts, address, hours with the live state, QR code (vCard)
    stelle/<key>/drucken   the office on an A6 sheet
    treffpunkt             this Treffpunkt's times and upcoming events, each with a QR (iCalendar)
    termin/<uuid>/drucken  one event on an A6 sheet
    notruf                 the help lines: number, what it is, hours, QR code (tel:)
    notruf/drucken         the help lines on A6 sheets

The language comes from the URL as on the kiosk's pages (the same preprocessors). Links between
the pages are whole page loads, not htmx swaps: the service worker keeps each page as it is
visited (kiosk/visitor/offline.py), so it shows with the server briefly away.
"""

from flask import Blueprint, abort, current_app, request, url_for

from ..directory.entries import current, entry, offices_for, treffpunkt, upcoming_events
from ..models import DirectoryEntry
from . import kiosk_only, render_page
from .kiosk import add_language, pull_language
from .wegweiser_helpers import (
    TEMPLATE_GLOBALS,
    closures,
    need_options,
    spoken_languages,
    week_rows,
)

bp = Blueprint("wegweiser", __name__, url_prefix="/<lang>/wegweiser")
bp.before_request(kiosk_only)
bp.url_value_preprocessor(pull_language)
bp.url_defaults(add_language)
for name, helper in TEMPLATE_GLOBALS.items():
    bp.add_app_template_global(helper, name)


def printing() -> bool:
    """Whether the pages offer their print view: only where a printer stands by the kiosk."""
    return bool(current_app.config["KIOSK_PRINTER"])


def page(template: str, **context):
    """A Wegweiser page; `here` is its own URL, for the language switch."""
    return render_page(
        f"kiosk/wegweiser/{template}", here=request.path, printing=printing(), **context
    )


@bp.get("/")
def start():
    events = upcoming_events()
    return page(
        "start.html",
        needs=need_options(),
        treffpunkt=treffpunkt(),
        next_event=events[0] if events else None,
    )


def option_or_404(value: str):
    for option in need_options():
        if option.value == value:
            return option
    abort(404)


@bp.get("/hilfe/<need>")
def need(need):
    option = option_or_404(need)
    return page("need.html", need=option, offices=offices_for([need])[need])


def office_or_404(key: str) -> DirectoryEntry:
    found = entry(key)
    if found is None or found.kind != "office":
        abort(404)
    return found


def office_context(office: DirectoryEntry) -> dict:
    options = {option.value: option for option in need_options()}
    covered = [options[value] for value in office.needs or () if value in options]
    first = covered[0].value if covered else None
    back = url_for("wegweiser.need", need=first) if first else url_for("wegweiser.start")
    return {
        "office": office,
        "covered": covered,
        "week": week_rows(office),
        "closures": closures(office),
        "languages": spoken_languages(office),
        "back": back,
    }


@bp.get("/stelle/<key>")
def office(key):
    return page("office.html", **office_context(office_or_404(key)))


@bp.get("/stelle/<key>/drucken")
def print_office(key):
    return page("print_office.html", **office_context(office_or_404(key)))


def meeting_point_name(own: DirectoryEntry | None) -> str:
    """The Treffpunkt's name: its own entry's, else the site's (SITE_NAME)."""
    return own.name if own else current_app.config["SITE_NAME"]


def meeting_point_context() -> dict:
    own = treffpunkt()
    return {
        "treffpunkt": own,
        "name": meeting_point_name(own),
        "week": week_rows(own) if own else [],
        "closures": closures(own) if own else [],
        "events": upcoming_events(),
    }


@bp.get("/treffpunkt")
def meeting_point():
    return page("treffpunkt.html", **meeting_point_context())


@bp.get("/termin/<uuid:uid>/drucken")
def print_event(uid):
    event = next((event for event in upcoming_events() if event.uid == uid), None)
    if event is None:  # unknown, or over: past events are never shown
        abort(404)
    return page("print_event.html", event=event, name=meeting_point_name(treffpunkt()))


def helplines() -> list[DirectoryEntry]:
    return current("helpline")


@bp.get("/notruf")
def emergency():
    return page("notruf.html", helplines=helplines())


@bp.get("/notruf/drucken")
def print_emergency():
    return page("print_notruf.html", helplines=helplines())

"""What the thank-you shows after a form: the visitor code and who helps with each need named.

Only for a short while after the submission (SHOWN_FOR): the page's URL holds the submission's
UUID, and a URL left in the tablet's history must not show the next visitor someone's code and
needs. The kiosk leaves the thank-you by replacing the history entry, so this is the second
lock, not the first. Nothing personal is shown: the code, the needs' labels, and the offices of
the directory (kiosk/directory) for each, which the template links to their Wegweiser pages
with their QR codes (kiosk/views/wegweiser_helpers.py `office_qr`).
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from ..clock import utcnow
from ..directory.entries import offices_for
from ..formspec import NO_ANSWER
from ..models import Answer, DirectoryEntry, Submission, spec_of_version
from .drafts import version_by_id

# Long enough for the thank-you's stay, a reload or a change of language; the next visitor at
# the tablet comes later than that.
SHOWN_FOR = timedelta(minutes=5)
# The least seconds the thank-you stays when it shows a code or needs: time to read them, show
# them to a volunteer or take a photo (the plain thank-you keeps KIOSK_THANKS_SECONDS).
READING_SECONDS = 30
NEEDS_FIELD = "needs"  # as kiosk/review/inbox.py and the Zuständigkeiten call it


class NeedHelp(NamedTuple):
    """One need the visitor named: its value, its label in the visitor's language, its
    pictogram, and the directory's offices for it in display order (none: the volunteers)."""

    need: str
    label: str
    icon: str | None
    offices: list[DirectoryEntry]


PLAIN = {"visitor_code": None, "needs_help": [], "reading_seconds": 0}


def thanks_context(
    submission_id: UUID, gettext: Callable[[str], str], now: datetime | None = None
) -> dict:
    """The thank-you's context: `visitor_code` (or None), `needs_help` (NeedHelp rows in the
    order chosen) and `reading_seconds` (0 for the plain thank-you).

    The plain thank-you for an unknown UUID, a form without code or needs, or a submission made
    more than SHOWN_FOR ago.
    """
    submission = Submission.get_or_none(Submission.uuid == submission_id)
    if submission is None or (now or utcnow()) - submission.created_at > SHOWN_FOR:
        return dict(PLAIN)
    needs = needs_help(submission, gettext)
    if not submission.visitor_code and not needs:
        return dict(PLAIN)
    return {
        "visitor_code": submission.visitor_code,
        "needs_help": needs,
        "reading_seconds": READING_SECONDS,
    }


def needs_help(submission: Submission, gettext: Callable[[str], str]) -> list[NeedHelp]:
    spec = spec_of_version(version_by_id(submission.form_version_id))
    try:
        options = {option.value: option for option in spec.field(NEEDS_FIELD).options}
    except KeyError:
        return []
    values = [
        answer.value
        for answer in Answer.select(Answer.value)
        .where(Answer.submission == submission.id, Answer.field == NEEDS_FIELD)
        .order_by(Answer.position, Answer.id)
        if answer.value in options and answer.value != NO_ANSWER
    ]
    offices = offices_for(values)
    helps = [
        NeedHelp(
            need=value,
            label=gettext(options[value].label),
            icon=options[value].icon,
            # Confirmed offices (with a QR code to take home) before examples (without one).
            offices=sorted(offices[value], key=lambda office: office.example),
        )
        for value in values
    ]
    # Needs with a confirmed office first: their QR codes come into view before the list scrolls.
    return sorted(helps, key=lambda help: not any(not office.example for office in help.offices))

"""Who is responsible for each need: the directory's offices for a case, with their contact.

The follow-up itself is casework (kiosk/review/cases.py): each need is a case of its own.
"""

from ..directory.entries import current, offices_for
from ..models import DirectoryEntry


def office_contact(office: DirectoryEntry) -> str:
    """The office's phone and address in one line, for the follow-up."""
    address = " ".join(part for part in (office.postcode, office.city) if part)
    return ", ".join(part for part in (office.phone, office.street, address) if part)


def offices_by_key() -> dict[str, DirectoryEntry]:
    """{key: office} of the directory's offices in force."""
    return {office.key: office for office in current("office")}


def suggested_offices(needs) -> dict[str, list[DirectoryEntry]]:
    """{need: the offices covering it, in display order}: where a need would go."""
    return offices_for(needs)

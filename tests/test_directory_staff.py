"""The directory's staff pages (/review/wegweiser) through the Flask test client: roles, offices
made, changed and deleted, opening hours and other bad input at the field, translation states,
example entries confirmed, a hub's entry adapted here, events in local time, audit lines."""

import html
import re
from datetime import datetime, timedelta

import pytest
from test_review import NAMES, Staff, audit_events, database, submit

from kiosk import create_app
from kiosk.clock import german_date, local_today
from kiosk.db import prepare_database
from kiosk.models import DirectoryEntry, Event

from factories import add_office, add_user
from server import log_in

BASE = "/review/wegweiser"
DASH = "\N{EN DASH}"
EXAMPLE = f"Beispiel {DASH} bitte prüfen"
INTAKE = {"consent": "yes", "needs": ["housing", "work"], "contact_way": "none"}


def office_form(**changes) -> dict:
    """What a coordinator types for a new office; `changes` by field name."""
    data = {
        "kind": "office",
        "name": "Jobcenter Wildeshausen",
        "needs": ["work"],
        "street": "Am Markt 1",
        "postcode": "27793",
        "city": "Wildeshausen",
        "phone": "04431 123-0",
        "email": "info@jobcenter.example",
        "website": "www.jobcenter.example",
        "languages": "DE, ar,  fa-af",
        "appointment": "needed",
        "position": "",
        "hours_mo": "9-12, 14-16",
        "hours_th": "8 bis 12:30 Uhr",
        "t_summary_de": "Hilft bei der Suche nach Arbeit.",
        "staff_note": "Frau Meyer, Zimmer 3",
    }
    return {**data, **changes}


def entry(app, key, origin="local") -> DirectoryEntry | None:
    with database(app):
        return DirectoryEntry.get_or_none(key=key, origin=origin)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(page: str, field: str) -> str:
    """The error shown at a field (the staff field macro's FIELD-error paragraph)."""
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else ""


def input_value(page: str, field: str) -> str:
    found = re.search(rf'<input [^>]*id="{field}"[^>]*value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else ""


def textarea(page: str, field: str) -> str:
    found = re.search(rf'<textarea [^>]*id="{field}"[^>]*>\r?\n?([^<]*)</textarea>', page)
    return html.unescape(found.group(1)) if found else ""


@pytest.fixture
def staff(app):
    """staff("coordinator") is a logged-in coordinator (the accounts of tests/test_review.py)."""
    for role, name in NAMES.items():
        add_user(app, name, role)
    return lambda role="volunteer": Staff(app, NAMES[role])


# --- Who may do what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [f"{BASE}/", f"{BASE}/neu", f"{BASE}/treffpunkt", f"{BASE}/termine/neu", f"{BASE}/eintrag/x"],
)
def test_anonymous_visitors_are_sent_to_the_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/review/login" in response.headers["Location"]


def test_anonymous_posts_change_nothing(app, client):
    with database(app):
        add_office("Stadthaus", ["housing"], key="stadthaus")
    for path in (f"{BASE}/neu", f"{BASE}/treffpunkt", f"{BASE}/eintrag/stadthaus/loeschen"):
        response = client.post(path, data=office_form())
        assert response.status_code in (302, 400), path  # to the login, or no CSRF token
    with database(app):
        assert [e.key for e in DirectoryEntry.select().where(DirectoryEntry.origin == "local")] == [
            "stadthaus"
        ]


def test_a_volunteer_keeps_events_and_times_but_not_offices(app, staff):
    with database(app):
        add_office("Stadthaus", ["housing"], key="stadthaus", example=True)
    vera = staff("volunteer")
    overview = vera.html(f"{BASE}/")
    assert "Stadthaus" in overview and "Neue Stelle" not in overview
    page = vera.html(f"{BASE}/eintrag/stadthaus")
    assert 'name="name"' not in page and "Hier anpassen" not in page and "Bestätigen" not in page
    assert vera.get(f"{BASE}/neu").status_code == 403
    for path in ("neu", "eintrag/stadthaus", "eintrag/stadthaus/bestaetigen",
                 "eintrag/stadthaus/anpassen", "eintrag/stadthaus/loeschen"):  # fmt: skip
        assert vera.post(f"{BASE}/{path}", office_form(name="Anders")).status_code == 403, path
    stored = entry(app, "stadthaus")
    assert stored.name == "Stadthaus" and stored.example
    # Events and the Treffpunkt's own times are hers to keep.
    times = vera.post(f"{BASE}/treffpunkt", {"hours_tu": "15-18"})
    assert times.status_code == 303
    made = vera.post(f"{BASE}/termine/neu", event_form())
    assert made.status_code == 303
    with database(app):
        assert Event.select().count() == 1
    assert entry(app, "treffpunkt").hours["tu"] == [["15:00", "18:00"]]


# --- Offices: made, changed, deleted --------------------------------------------------------------


def test_a_coordinator_makes_changes_and_deletes_an_office(app, staff):
    cora = staff("coordinator")
    form = cora.html(f"{BASE}/neu")
    assert "Neue Stelle" in form and 'name="needs" type="checkbox" value="work"' in form
    assert "Arbeit" in form and 'dir="rtl" id="t_summary_ar" lang="ar"' in form

    made = cora.post(f"{BASE}/neu", office_form())
    assert made.status_code == 303
    assert made.headers["Location"].endswith(f"{BASE}/eintrag/jobcenter-wildeshausen")
    stored = entry(app, "jobcenter-wildeshausen")
    assert stored.kind == "office" and stored.needs == ["work"]
    assert stored.languages == ["de", "ar", "fa-AF"]
    assert stored.website == "https://www.jobcenter.example"
    assert stored.hours["mo"] == [["09:00", "12:00"], ["14:00", "16:00"]]
    assert stored.hours["th"] == [["08:00", "12:30"]] and stored.hours["fr"] == []
    assert stored.texts == {"summary": {"de": {"text": "Hilft bei der Suche nach Arbeit."}}}
    assert (stored.appointment, stored.position, stored.updated_by) == ("needed", 0, "cora")

    page = cora.html(made.headers["Location"])
    assert "„Jobcenter Wildeshausen“ ist angelegt." in html.unescape(page)
    assert input_value(page, "hours_mo") == f"09:00{DASH}12:00, 14:00{DASH}16:00"
    assert input_value(page, "languages") == "de, ar, fa-AF"
    overview = cora.html(f"{BASE}/")
    work = overview.index('id="anliegen-work"')
    assert work < overview.index("Jobcenter Wildeshausen") < overview.index('id="anliegen-school"')
    assert "hier angelegt" in overview and "0 von " in overview

    saved = cora.post(made.headers["Location"], office_form(phone="04431 999", hours_mo="9-13"))
    assert saved.status_code == 303
    assert "Gespeichert: Telefon, Öffnungszeiten." in text_of(cora.get(saved.headers["Location"]))
    assert entry(app, "jobcenter-wildeshausen").phone == "04431 999"

    question = text_of(cora.get(f"{BASE}/eintrag/jobcenter-wildeshausen/loeschen"))
    assert "„Jobcenter Wildeshausen“</bdi> löschen?" in question
    assert entry(app, "jobcenter-wildeshausen") is not None  # asking deletes nothing
    gone = cora.post(f"{BASE}/eintrag/jobcenter-wildeshausen/loeschen", htmx=True)
    assert gone.status_code == 200 and gone.headers["HX-Push-Url"] == f"{BASE}/"
    assert "„Jobcenter Wildeshausen“ ist gelöscht." in text_of(gone)
    assert entry(app, "jobcenter-wildeshausen") is None
    assert cora.get(f"{BASE}/eintrag/jobcenter-wildeshausen").status_code == 404

    key = "wegweiser/jobcenter-wildeshausen"
    assert [line[:3] for line in audit_events(app) if line[1].startswith("directory")] == [
        ("cora", "directory_created", key),
        ("cora", "directory_changed", key),
        ("cora", "directory_deleted", key),
    ]
    assert audit_events(app, "directory_changed")[0][3] == (
        "Jobcenter Wildeshausen: Telefon, Öffnungszeiten"
    )


def test_a_new_entry_never_takes_the_key_of_another(app, staff):
    with database(app):
        add_office("Stadthaus", ["housing"], key="stadthaus", origin="hub")
    cora = staff("coordinator")
    for _ in range(2):
        assert cora.post(f"{BASE}/neu", office_form(name="Stadthaus")).status_code == 303
    assert entry(app, "stadthaus") is None  # the hub's entry is not silently replaced
    assert entry(app, "stadthaus-2").name == entry(app, "stadthaus-3").name == "Stadthaus"
    helpline = cora.post(f"{BASE}/neu", office_form(kind="helpline", name="Treffpunkt"))
    assert helpline.headers["Location"].endswith("/eintrag/treffpunkt-2")
    assert entry(app, "treffpunkt-2").kind == "helpline"


def test_typed_markup_stays_text(app, staff):
    cora = staff("coordinator")
    markup = '<script>alert(1)</script><div hx-get="/x">'
    made = cora.post(
        f"{BASE}/neu", office_form(name=markup, t_summary_de=markup, staff_note=markup)
    )
    assert made.status_code == 303
    for page in (cora.html(f"{BASE}/"), cora.html(made.headers["Location"])):
        assert "<script>alert" not in page and '<div hx-get="/x">' not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Bad input: a German message at the field, 422, nothing typed lost ---------------------------


def test_hours_that_cannot_be_read_are_shown_at_their_day(app, staff):
    cora = staff("coordinator")
    response = cora.post(f"{BASE}/neu", office_form(hours_we="9-25", hours_fr="9-12, 11-14"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "ist keine Uhrzeit" in field_error(page, "hours_we")
    assert "überschneiden sich" in field_error(page, "hours_fr")
    assert 'aria-describedby="hours_we-error" aria-invalid="true" id="hours_we"' in page
    assert field_error(page, "hours_mo") == ""
    # Everything typed is still there, nothing is stored.
    assert input_value(page, "hours_we") == "9-25"
    assert input_value(page, "hours_mo") == "9-12, 14-16"
    assert input_value(page, "name") == "Jobcenter Wildeshausen"
    assert textarea(page, "t_summary_de") == "Hilft bei der Suche nach Arbeit."
    assert "Noch ist nichts gespeichert." in html.unescape(page)
    with database(app):
        assert not DirectoryEntry.select().where(DirectoryEntry.origin == "local").exists()
    # A night that runs into the next day's hours is named at its day.
    night = cora.post(f"{BASE}/neu", office_form(hours_mo="20-02", hours_tu="1-5"))
    assert night.status_code == 422
    assert "überschneidet sich am Dienstag" in field_error(night.get_data(as_text=True), "hours_mo")


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("name", "  ", "Bitte den Namen eingeben."),
        ("postcode", "2779", "Bitte fünf Ziffern eingeben."),
        ("phone", "ruf an", "Bitte nur Ziffern, Leerzeichen und + / - ( )."),
        ("email", "info@", "Bitte eine Adresse wie info@beispiel.de eingeben."),
        ("website", "http://", "Bitte eine Adresse wie https://www.beispiel.de eingeben."),
        ("languages", "ar, xx", "„xx“ ist kein Sprachkürzel, das wir kennen."),
        ("languages", "arabisch", "„arabisch“ ist kein Sprachkürzel"),
        ("position", "zwei", "Keine gültige, ganze Zahl."),
        ("position", "-1", "Bitte eine Zahl von 0 bis 999 eingeben."),
        ("needs", ["work", "nonsense"], "Bitte nur aus der Liste wählen."),
        ("kind", "treffpunkt", "Keine gültige Auswahl."),
        ("t_summary_de", "x" * 801, "Höchstens 800 Zeichen, bitte."),
    ],
)
def test_bad_input_is_named_at_its_field_in_german(app, staff, field, typed, message):
    cora = staff("coordinator")
    response = cora.post(f"{BASE}/neu", office_form(**{field: typed}), htmx=True)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert not page.lstrip().startswith("<!doctype")  # htmx gets the page's <main> only
    assert field_error(page, field).startswith(message)
    with database(app):
        assert not DirectoryEntry.select().where(DirectoryEntry.origin == "local").exists()


def test_a_translation_needs_its_german_text(app, staff):
    cora = staff("coordinator")
    response = cora.post(f"{BASE}/neu", office_form(t_summary_de="", t_summary_ar="يساعد"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Bitte den deutschen Text eingeben" in field_error(page, "t_summary_de")
    assert textarea(page, "t_summary_ar") == "يساعد"
    assert '<details class="translations">' in page  # the error is at the German field
    # An error at a translation opens the translations, so it is seen.
    response = cora.post(f"{BASE}/neu", office_form(t_summary_ar="x" * 801))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and '<details class="translations" open>' in page
    assert field_error(page, "t_summary_ar") == "Höchstens 800 Zeichen, bitte."


def test_every_text_at_its_longest_in_every_language_is_taken(app, staff):
    """The form is sent as multipart; the longest texts in every language (Ethiopic letters, three
    bytes each) are more than other forms may send, and still arrive whole."""
    cora = staff("coordinator")
    assert 'enctype="multipart/form-data"' in cora.html(f"{BASE}/neu")
    codes = ("de", "en", "ar", "fa", "fa_AF", "ps", "ku", "uk", "ru", "tr", "ti")
    fields = ("summary", "directions", "bring", "hours_note")
    texts = {f"t_{field}_{code}": "ሰላም" * 266 for field in fields for code in codes}
    form = office_form(**texts)
    other = cora.post("/review/bulk", form, content_type="multipart/form-data")
    assert other.status_code == 413  # too large anywhere else
    made = cora.post(f"{BASE}/neu", form, content_type="multipart/form-data")
    assert made.status_code == 303
    stored = entry(app, "jobcenter-wildeshausen").texts
    assert stored["bring"]["ti"]["text"] == "ሰላም" * 266
    assert stored["hours_note"]["fa-AF"]["text"] == "ሰላም" * 266


# --- Translations and their states ----------------------------------------------------------------


def state_of(page: str, field: str) -> str:
    found = re.search(rf'<p class="hint" id="{field}-hint">Stand: ([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else ""


def test_a_translation_goes_from_machine_made_to_checked_to_out_of_date(app, staff):
    cora = staff("coordinator")
    german = "Hilft bei der Suche nach Arbeit."
    arabic = "يساعد في البحث عن عمل."
    url = cora.post(f"{BASE}/neu", office_form(t_summary_ar=arabic)).headers["Location"]
    page = cora.html(url)
    assert state_of(page, "t_summary_ar") == "maschinell"
    assert state_of(page, "t_summary_tr") == "fehlt"
    assert '<input id="t_summary_ar_ok"' in page  # not ticked
    assert "Übersetzungen: 1 von" in page

    # Ticking "geprüft" records who and when.
    cora.post(url, office_form(t_summary_ar=arabic, t_summary_ar_ok="y"))
    item = entry(app, "jobcenter-wildeshausen").texts["summary"]["ar"]
    today = local_today()
    assert item == {"text": arabic, "source": german, "checked_by": "cora",
                    "checked_at": today.isoformat()}  # fmt: skip
    page = cora.html(url)
    assert state_of(page, "t_summary_ar") == f"geprüft von cora am {german_date(today)}"
    assert re.search(r'<input checked id="t_summary_ar_ok"', page)

    # Saving again as shown (box ticked) keeps the check as it was; unticking withdraws it.
    cora.post(url, office_form(t_summary_ar=arabic, t_summary_ar_ok="y", phone="0441 1"))
    assert entry(app, "jobcenter-wildeshausen").texts["summary"]["ar"] == item
    cora.post(url, office_form(t_summary_ar=arabic))
    assert state_of(cora.html(url), "t_summary_ar") == "maschinell"
    cora.post(url, office_form(t_summary_ar=arabic, t_summary_ar_ok="y"))

    # A new German text leaves the translation out of date, even with its box still ticked;
    # the page after saving shows what is stored: the box no longer ticked.
    new_german = "Hilft bei Arbeit und Ausbildung."
    response = cora.post(
        url, office_form(t_summary_de=new_german, t_summary_ar=arabic, t_summary_ar_ok="y"), True
    )
    assert response.status_code == 200 and response.headers["HX-Push-Url"] == url
    page = response.get_data(as_text=True)
    assert state_of(page, "t_summary_ar") == "veraltet"
    assert '<input id="t_summary_ar_ok"' in page
    assert textarea(page, "t_summary_de") == new_german
    page = cora.html(url)
    assert state_of(page, "t_summary_ar") == "veraltet"
    assert "1 veraltet" in page
    stored = entry(app, "jobcenter-wildeshausen").texts["summary"]
    assert stored["de"] == {"text": new_german} and stored["ar"]["source"] == german
    assert "Kurzbeschreibung (Deutsch)" in audit_events(app, "directory_changed")[-1][3]

    # Rewritten by hand by someone else, it counts as checked by that person for the new text.
    ada = staff("admin")
    rewritten = "يساعد في العمل والتدريب."
    ada.post(url, office_form(t_summary_de=new_german, t_summary_ar=rewritten, t_summary_ar_ok="y"))
    item = entry(app, "jobcenter-wildeshausen").texts["summary"]["ar"]
    assert (item["text"], item["source"], item["checked_by"]) == (rewritten, new_german, "ada")
    # An empty field removes the translation.
    ada.post(url, office_form(t_summary_de=new_german))
    assert "ar" not in entry(app, "jobcenter-wildeshausen").texts["summary"]
    assert state_of(ada.html(url), "t_summary_ar") == "fehlt"


def test_progress_counts_languages_with_every_text_translated(app, staff):
    cora = staff("coordinator")
    # Dari (fa-AF) without texts of its own shows the Persian ones, as the Wegweiser does.
    languages = ("en", "ar", "fa", "ps", "ku", "uk", "ru", "tr", "ti")
    texts = {"t_directions_de": "Bus 1 bis Markt."}
    for code in languages:
        texts[f"t_summary_{code.replace('-', '_')}"] = f"summary {code}"
        if code != "tr":
            texts[f"t_directions_{code.replace('-', '_')}"] = f"directions {code}"
    url = cora.post(f"{BASE}/neu", office_form(**texts)).headers["Location"]
    assert "9 von 10 Sprachen" in cora.html(f"{BASE}/")
    page = cora.html(url)
    assert "9 von 10 Sprachen" in page
    assert state_of(page, "t_summary_fa_AF") == f"fehlt {DASH} am Kiosk steht dann Persisch"
    # Without Persian, Dari is missing too.
    cora.post(url, {**office_form(**texts), "t_summary_fa": ""})
    assert "8 von 10 Sprachen" in cora.html(url)


# --- Examples, entries from the hub or the program ------------------------------------------------


def test_a_coordinator_confirms_an_example(app, staff):
    with database(app):
        add_office("Migrationsberatung", ["legal_advice"], key="mbe", example=True)
    cora = staff("coordinator")
    overview = text_of(cora.get(f"{BASE}/"))
    assert EXAMPLE in overview
    page = text_of(cora.get(f"{BASE}/eintrag/mbe"))
    assert f"{EXAMPLE}." in page and ">Bestätigen</button>" in page
    response = cora.post(f"{BASE}/eintrag/mbe/bestaetigen", htmx=True)
    assert response.status_code == 200 and response.headers["HX-Push-Url"] == f"{BASE}/eintrag/mbe"
    assert "ist bestätigt" in text_of(response) and EXAMPLE not in text_of(response)
    stored = entry(app, "mbe")
    assert (stored.example, stored.confirmed_by) == (False, "cora")
    assert stored.confirmed_at is not None
    assert audit_events(app, "directory_confirmed") == [
        ("cora", "directory_confirmed", "wegweiser/mbe", "Migrationsberatung")
    ]


@pytest.mark.parametrize(
    ("origin", "shown"), [("hub", "vom Stadthaus"), ("builtin", "aus dem Programm")]
)
def test_an_entry_from_elsewhere_is_adapted_here_and_comes_back(app, staff, origin, shown):
    with database(app):
        fields = {"key": "jobcenter", "origin": origin, "phone": "04431 1", "example": True}
        add_office("Jobcenter", ["work"], **fields)
    cora = staff("coordinator")
    page = text_of(cora.get(f"{BASE}/eintrag/jobcenter"))
    assert 'name="name"' not in page and ">Hier anpassen</button>" in page
    assert "Zum Bestätigen zuerst „Hier anpassen“" in page  # an example: confirmed in the copy
    assert cora.post(f"{BASE}/eintrag/jobcenter", office_form(name="X")).status_code == 400
    assert cora.post(f"{BASE}/eintrag/jobcenter/bestaetigen").status_code == 400
    assert cora.post(f"{BASE}/eintrag/jobcenter/loeschen").status_code == 400
    # "Löschen" asked of an entry from elsewhere leads back to its page.
    assert cora.get(f"{BASE}/eintrag/jobcenter/loeschen").status_code == 303

    adapted = cora.post(f"{BASE}/eintrag/jobcenter/anpassen")
    assert adapted.status_code == 303
    copy = entry(app, "jobcenter")
    assert (copy.name, copy.phone, copy.needs, copy.example) == (
        "Jobcenter",
        "04431 1",
        ["work"],
        True,
    )
    page = text_of(cora.get(f"{BASE}/eintrag/jobcenter"))
    assert f"statt der Fassung {shown}" in page and 'name="name"' in page
    assert "Eigene Fassung löschen" in page
    form = office_form(name="Jobcenter", phone="04431 2", needs=["work", "housing"])
    assert cora.post(f"{BASE}/eintrag/jobcenter", form).status_code == 303
    overview = text_of(cora.get(f"{BASE}/"))
    assert "04431 2" in overview and "04431 1" not in overview
    assert f"statt der Fassung {shown}" in overview
    assert overview.count(">Jobcenter</bdi>") == 2  # under "Arbeit" and "Wohnung"

    question = text_of(cora.get(f"{BASE}/eintrag/jobcenter/loeschen"))
    assert f"Danach gilt wieder die Fassung {shown}." in question
    gone = cora.post(f"{BASE}/eintrag/jobcenter/loeschen")
    assert gone.status_code == 303
    assert entry(app, "jobcenter") is None and entry(app, "jobcenter", origin).phone == "04431 1"
    overview = text_of(cora.get(f"{BASE}/"))
    assert f"es gilt wieder die Fassung {shown}" in overview and "04431 1" in overview
    assert [line[1] for line in audit_events(app) if line[2] == "wegweiser/jobcenter"] == [
        "directory_adapted",
        "directory_changed",
        "directory_deleted",
    ]


# --- The Treffpunkt's own times -------------------------------------------------------------------


def test_the_treffpunkt_times_are_made_on_the_first_save(app, staff):
    vera = staff("volunteer")
    page = vera.html(f"{BASE}/treffpunkt")
    assert input_value(page, "hours_mo") == "" and "Noch keine Öffnungszeiten" not in page
    assert "Noch keine Öffnungszeiten des Treffpunkts" in vera.html(f"{BASE}/")
    typed = {"hours_mo": "morgens", "t_hours_note_de": "Bitte klingeln"}
    bad = vera.post(f"{BASE}/treffpunkt", typed)
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "„morgens“ ist keine Zeitspanne" in field_error(page, "hours_mo")
    assert input_value(page, "t_hours_note_de") == "Bitte klingeln"
    assert entry(app, "treffpunkt") is None

    saved = vera.post(f"{BASE}/treffpunkt", {"hours_mo": "15-18", "open_on_holidays": "y",
                                             "t_hours_note_de": "Bitte klingeln"})  # fmt: skip
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"{BASE}/")
    stored = entry(app, "treffpunkt")
    assert (stored.kind, stored.name) == ("treffpunkt", app.config["SITE_NAME"])
    assert stored.open_on_holidays
    assert stored.hours["mo"] == [["15:00", "18:00"]] and stored.hours["tu"] == []
    overview = text_of(vera.get(f"{BASE}/"))
    assert f"15:00{DASH}18:00" in overview and "Auch an Feiertagen geöffnet." in overview
    vera.post(f"{BASE}/treffpunkt", {"hours_mo": "14-18"})
    with database(app):
        assert DirectoryEntry.select().where(DirectoryEntry.kind == "treffpunkt").count() == 1
    assert entry(app, "treffpunkt").hours["mo"] == [["14:00", "18:00"]]
    assert entry(app, "treffpunkt").texts == {}
    # The demo's Treffpunkt is an example until someone on site confirms it.
    with database(app):
        DirectoryEntry.update(example=True).where(DirectoryEntry.key == "treffpunkt").execute()
    assert EXAMPLE in text_of(vera.get(f"{BASE}/"))
    confirmed = vera.post(f"{BASE}/treffpunkt/bestaetigen", htmx=True)
    assert confirmed.status_code == 200
    assert input_value(confirmed.get_data(as_text=True), "hours_mo") == f"14:00{DASH}18:00"
    assert "sind bestätigt" in text_of(confirmed) and EXAMPLE not in text_of(confirmed)
    assert entry(app, "treffpunkt").confirmed_by == "vera"
    # Its key belongs to the Treffpunkt's own page.
    assert vera.get(f"{BASE}/eintrag/treffpunkt").headers["Location"].endswith(f"{BASE}/treffpunkt")
    assert [line[1:3] for line in audit_events(app) if line[1].startswith("directory")] == [
        ("directory_created", "wegweiser/treffpunkt"),
        ("directory_changed", "wegweiser/treffpunkt"),
        ("directory_confirmed", "wegweiser/treffpunkt"),
    ]


# --- Events ---------------------------------------------------------------------------------------


def event_form(**changes) -> dict:
    data = {
        "day": "2030-07-01",
        "starts": "18:00",
        "ends": "20:30",
        "t_title_de": "Sommerfest",
        "t_place_de": "Garten des Treffpunkts",
        "t_title_ar": "حفلة الصيف",
    }
    return {**data, **changes}


def test_an_event_is_typed_in_local_time_and_stored_in_utc(app, staff):
    vera = staff("volunteer")
    assert vera.post(f"{BASE}/termine/neu", event_form()).status_code == 303
    winter = event_form(day="02.12.2030", t_title_de="Adventscafé")
    assert vera.post(f"{BASE}/termine/neu", winter).status_code == 303
    with database(app):
        summer, winter = Event.select().order_by(Event.starts_at)
    # Wildeshausen is two hours ahead of UTC in summer, one in winter.
    assert summer.starts_at == datetime(2030, 7, 1, 16)
    assert summer.ends_at == datetime(2030, 7, 1, 18, 30)
    assert winter.starts_at == datetime(2030, 12, 2, 17)
    assert summer.texts["title"]["ar"] == {"text": "حفلة الصيف", "source": "Sommerfest"}
    overview = text_of(vera.get(f"{BASE}/"))
    assert "1. Juli 2030" in overview and f"18:00{DASH}20:30 Uhr" in overview
    assert "Sommerfest" in overview and "Adventscafé" in overview
    page = vera.html(f"{BASE}/termine/{summer.id}")
    assert input_value(page, "day") == "2030-07-01"
    assert input_value(page, "starts") == "18:00" and input_value(page, "ends") == "20:30"
    assert state_of(page, "t_title_ar") == "maschinell"

    moved = vera.post(f"{BASE}/termine/{summer.id}", event_form(starts="17:00"))
    assert moved.status_code == 303
    with database(app):
        assert Event.get_by_id(summer.id).starts_at == datetime(2030, 7, 1, 15)
    assert audit_events(app, "event_changed") == [
        ("vera", "event_changed", f"termin/{summer.id}", "Sommerfest: Beginn")
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends": "17:00"}, "ends", "Das Ende muss nach dem Beginn liegen"),
        ({"ends": "18:00"}, "ends", "Das Ende muss nach dem Beginn liegen"),
        ({"starts": "25:00"}, "starts", "Bitte eine Uhrzeit wie 18:30 eingeben."),
        ({"day": "31.02.2030"}, "day", "Bitte ein Datum wie 24.12.2026 eingeben."),
        ({"day": ""}, "day", "Bitte das Datum angeben."),
        ({"t_title_de": ""}, "t_title_de", "Bitte einen Titel eingeben."),
    ],
)
def test_an_event_with_bad_times_is_refused_at_the_field(app, staff, changes, field, message):
    vera = staff("volunteer")
    response = vera.post(f"{BASE}/termine/neu", event_form(**changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, field).startswith(message)
    assert input_value(page, "t_place_de") == "Garten des Treffpunkts"
    with database(app):
        assert Event.select().count() == 0


def test_past_events_are_listed_apart_and_can_be_deleted(app, staff):
    vera = staff("volunteer")
    yesterday = local_today() - timedelta(days=1)
    vera.post(f"{BASE}/termine/neu", event_form(day=yesterday.isoformat(), t_title_de="Gestern"))
    vera.post(f"{BASE}/termine/neu", event_form(t_title_de="Später"))
    with database(app):
        old, later = Event.select().order_by(Event.starts_at)
    overview = vera.html(f"{BASE}/")
    past = overview.index("Vergangene Termine (1)")
    rows = [overview.index(f'id="termin-{event.id}"') for event in (later, old)]
    assert rows[0] < past < rows[1]
    question = text_of(vera.get(f"{BASE}/termine/{old.id}/loeschen"))
    assert "Termin „Gestern“</bdi> löschen?" in question
    assert vera.post(f"{BASE}/termine/{old.id}/loeschen").status_code == 303
    with database(app):
        assert [e.texts["title"]["de"]["text"] for e in Event.select()] == ["Später"]
    assert vera.get(f"{BASE}/termine/{old.id}").status_code == 404
    deleted = ("vera", "event_deleted", f"termin/{old.id}")
    assert audit_events(app, "event_deleted")[0][:3] == deleted


# --- The follow-up names each need's office from the directory ------------------------------------


def test_the_followup_names_the_office_entered_here(app, staff):
    submit(app, "intake", INTAKE)
    cora = staff("coordinator")
    before = cora.html("/review/anliegen")
    assert before.count("noch nicht festgelegt") == 2
    cora.post(f"{BASE}/neu", office_form(name="Wohnungsamt", needs=["housing"], phone="04431 77"))
    followup = cora.html("/review/anliegen?need=housing")
    assert "<bdi>Wohnungsamt</bdi>" in followup
    assert "04431 77, Am Markt 1, 27793 Wildeshausen" in followup
    assert cora.html("/review/anliegen?need=work").count("noch nicht festgelegt") == 1


# --- On the hub: the town-wide directory, without times or events ---------------------------------


def test_the_hub_keeps_offices_and_help_lines_only(instance):
    app = create_app({"SECRET_KEY": "test-secret", "TESTING": True, "ROLE": "hub"})
    prepare_database(app)
    add_user(app, "hanna", "coordinator")
    hanna = Staff.__new__(Staff)
    hanna.client = app.test_client()
    hanna.token = log_in(hanna.client, "hanna").token(f"{BASE}/neu")
    assert f'href="{BASE}/"' in hanna.html("/hub/")  # in the navigation
    overview = hanna.html(f"{BASE}/")
    assert "Termine" not in overview and "Dieser Treffpunkt" not in overview
    assert hanna.get(f"{BASE}/treffpunkt").status_code == 404
    assert hanna.get(f"{BASE}/termine/neu").status_code == 404
    assert hanna.post(f"{BASE}/neu", office_form()).status_code == 303
    assert entry(app, "jobcenter-wildeshausen").origin == "local"

"""The visitors' Wegweiser through the Flask test client: every page type in German, Arabic and
Tigrinya, the needs' tiles, an office's state line, week and QR code, example entries, German
texts where a translation is missing, past events, unknown pages, the chooser's card, the
thank-you's offices and the service worker's pages. (The browser tests come separately.)"""

import json
import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from flask import g
from flask_babel import gettext

import kiosk.views.wegweiser_helpers as helpers
from kiosk.directory import hours, qr
from kiosk.directory.texts import with_german, with_translation
from kiosk.extensions import db
from kiosk.i18n import LANGUAGES
from kiosk.models import DirectoryEntry, Event, utcnow

from factories import INTAKE_ANSWERS, add_event, add_helpline, add_office, add_submission

# A Tuesday in December, 10:00 in Wildeshausen (UTC+1): offices open 9-12 are open.
NOW = datetime(2026, 12, 8, 9, 0)
WEEKDAYS_9_TO_12 = {day: [["09:00", "12:00"]] for day in ("mo", "tu", "we", "th", "fr")}
SUMMARY = "Hilft bei Arbeit und Bewerbungen."
SUMMARY_AR = "يساعد في العمل والطلبات."
QR = re.compile(r'<svg role="img" aria-label="[^"]*" shape-rendering="crispEdges"')
STATE = re.compile(r'<p class="state" data-timeline="([^"]*)" data-until="(\d+)">')
LANGS = ("de", "ar", "ti")
EXAMPLE = "Beispiel \N{EN DASH} bitte prüfen"


@pytest.fixture
def now(monkeypatch):
    """The pages' clock stands still at NOW (the opening state is computed for it)."""
    monkeypatch.setattr(helpers, "utcnow", lambda: NOW)
    return NOW


@contextmanager
def visiting(app, lang):
    """A request in `lang` with the database open: what the page's helpers see."""
    with app.test_request_context(f"/{lang}/wegweiser/"), db.connection_context():
        g.language = LANGUAGES[lang]
        yield


def translated(app, lang, text, **values):
    with visiting(app, lang):
        return gettext(text, **values)


def texts(summary=SUMMARY, **fields):
    made = with_german({}, "summary", summary)
    for field, text in fields.items():
        made = with_german(made, field, text)
    return made


def jobcenter(**fields):
    fields.setdefault("texts", texts())
    fields.setdefault("hours", WEEKDAYS_9_TO_12)
    return add_office(
        "Jobcenter Wildeshausen",
        ["work", "housing"],
        key="jobcenter",
        street="Am Markt 1",
        postcode="27793",
        city="Wildeshausen",
        phone="04431 85-0",
        **fields,
    )


@pytest.fixture
def directory(app):
    """An office, an example office, the Treffpunkt, a help line and an event, nothing else."""
    with app.app_context(), db.connection_context():
        DirectoryEntry.delete().execute()
        Event.delete().execute()
        jobcenter(languages=["ar", "ti"], appointment="needed")
        add_office(
            "Wohnungsamt",
            ["housing"],
            key="wohnungsamt",
            example=True,
            phone="04431 0000",
            street="Musterweg 2",
            city="Wildeshausen",
            texts=texts("Hilft bei der Suche nach einer Wohnung."),
        )
        DirectoryEntry.create(
            key="treffpunkt",
            kind="treffpunkt",
            name="Treffpunkt Mittendrin",
            hours=WEEKDAYS_9_TO_12,
        )
        add_helpline("Polizei", "110", key="polizei", texts=texts("Bei Gefahr."))
        event = add_event("Kochabend", utcnow() + timedelta(days=2), texts=texts("Wir kochen."))
    return {"event": event}


def page_urls(lang, event):
    base = f"/{lang}/wegweiser"
    return [
        f"{base}/",
        f"{base}/hilfe/work",
        f"{base}/stelle/jobcenter",
        f"{base}/stelle/jobcenter/drucken",
        f"{base}/treffpunkt",
        f"{base}/termin/{event.uid}/drucken",
        f"{base}/notruf",
        f"{base}/notruf/drucken",
    ]


# --- Every page type -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_type_answers_in_the_visitors_language(client, directory, lang):
    direction = LANGUAGES[lang].dir
    for url in page_urls(lang, directory["event"]):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}" dir="{direction}">' in html, url
        assert response.headers["Cache-Control"] == "no-store"
        # No request to any other host, no inline script or style.
        assert not re.search(r'(src|href)="(https?:)?//', html), url
        assert "<script>" not in html and " style=" not in html, url
        # Whole page loads, which the service worker keeps.
        assert '<main id="main" class="wegweiser' in html and 'hx-boost="false"' in html, url


def test_the_htmx_fragment_is_the_main_element(client, directory):
    response = client.get("/ar/wegweiser/notruf", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<main id="main" class="wegweiser wegweiser-notruf"')
    assert "<html" not in html and "<title>" in html


# --- The start page --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_start_has_a_tile_for_each_need_and_notruf_and_the_treffpunkt(app, client, lang):
    html = client.get(f"/{lang}/wegweiser/").get_data(as_text=True)
    options = app.extensions["kiosk_forms"]["intake"].field("needs").options
    assert len(options) >= 9
    for option in options:
        link = f'<a class="tile" href="/{lang}/wegweiser/hilfe/{option.value}">'
        assert link in html, option.value
        tile = html.split(link, 1)[1].split("</a>", 1)[0]
        assert f"#{option.icon}" in tile and translated(app, lang, option.label) in tile
    notruf = f'class="button notruf-link notruf" href="/{lang}/wegweiser/notruf"'
    assert notruf in html and translated(app, lang, "Notruf und Hilfe") in html
    assert f'href="/{lang}/wegweiser/treffpunkt"' in html
    assert f'href="/{lang}/"' in html  # back to the forms


def test_the_treffpunkt_tile_shows_its_state_and_next_event(client, directory, now):
    html = client.get("/de/wegweiser/").get_data(as_text=True)
    tile = html.split('class="tile treffpunkt-tile"', 1)[1].split("</a>", 1)[0]
    assert "Jetzt geöffnet bis 12:00" in tile
    assert "Kochabend" in tile


# --- Offices for a need ----------------------------------------------------------------------


def test_a_need_lists_its_offices_with_summary_and_state(client, directory, now):
    html = client.get("/de/wegweiser/hilfe/housing").get_data(as_text=True)
    assert html.index("Jobcenter Wildeshausen") < html.index("Wohnungsamt")  # by name
    assert 'href="/de/wegweiser/stelle/jobcenter"' in html
    assert 'href="/de/wegweiser/stelle/wohnungsamt"' in html
    assert SUMMARY in html and "Jetzt geöffnet bis 12:00" in html
    assert html.count(EXAMPLE) == 1  # the example office only
    assert "Die Ehrenamtlichen hier helfen Ihnen weiter." not in html


def test_a_need_without_office_points_to_the_volunteers(app, client, directory):
    html = client.get("/ar/wegweiser/hilfe/leisure").get_data(as_text=True)
    assert translated(app, "ar", "Die Ehrenamtlichen hier helfen Ihnen weiter.") in html
    assert 'class="card"' not in html


# --- An office -------------------------------------------------------------------------------


def test_an_office_shows_state_week_facts_and_its_vcard(app, client, directory, now):
    html = client.get("/de/wegweiser/stelle/jobcenter").get_data(as_text=True)
    timeline, until = STATE.search(html).groups()
    with visiting(app, "de"):
        office = DirectoryEntry.get(DirectoryEntry.key == "jobcenter")
        expected = hours.timeline(office.hours, False, "de", gettext, now=NOW, days=7)
        week = hours.week(office.hours, "de", gettext)
        note = f"{SUMMARY}\n{hours.week_plain(office.hours, 'de', gettext)}"
        label = "QR-Code mit Adresse und Telefon von Jobcenter Wildeshausen"
        vcard_svg = str(qr.qr_svg(qr.vcard(office, note), label))
    assert json.loads(timeline.replace("&#34;", '"')) == [list(item) for item in expected]
    assert int(until) == int((NOW + timedelta(days=7)).replace(tzinfo=UTC).timestamp())
    assert '<span class="state-text">Jetzt geöffnet bis 12:00</span>' in html
    for day, times in week:
        assert f'<tr><th scope="row">{day}</th><td><bdi>{times}</bdi></td></tr>' in html
    assert vcard_svg in html and len(QR.findall(html)) == 1
    assert '<bdi dir="ltr" class="phone">04431 85-0</bdi>' in html
    assert "Am Markt 1, 27793 Wildeshausen" in html
    assert "Bitte vorher einen Termin machen." in html
    assert "Arabisch und Tigrinya" in html  # the languages spoken, named in German
    assert 'href="/de/wegweiser/hilfe/work"' in html  # back: its first need


def test_the_vcard_note_is_in_the_visitors_language(app, client, directory, now):
    with app.app_context(), db.connection_context():
        office = DirectoryEntry.get(DirectoryEntry.key == "jobcenter")
        office.texts = with_translation(office.texts, "summary", "ar", SUMMARY_AR)
        office.save()
    html = client.get("/ar/wegweiser/stelle/jobcenter").get_data(as_text=True)
    with visiting(app, "ar"):
        note = f"{SUMMARY_AR}\n{hours.week_plain(office.hours, 'ar', gettext)}"
        label = gettext("QR-Code mit Adresse und Telefon von %(name)s", name=office.name)
        assert str(qr.qr_svg(qr.vcard(office, note), label)) in html
        assert (
            hours.state_text(hours.open_state(office.hours, False, NOW), "ar", gettext, NOW) in html
        )
    assert '<bdi lang="de" dir="ltr">Jobcenter Wildeshausen</bdi>' in html


def test_an_example_office_is_marked_without_qr_code_or_phone_as_fact(app, client, directory):
    html = client.get("/de/wegweiser/stelle/wohnungsamt").get_data(as_text=True)
    assert '<p class="example-mark">' in html and EXAMPLE in html
    assert not QR.search(html) and '<svg role="img"' not in html
    assert 'class="phone"' not in html and "tel:" not in html
    # The number is there, but with the marker beside it, never alone.
    number = html.split("04431 0000</bdi>", 1)[1][:120]
    assert f'<span class="example-tag">{EXAMPLE}</span>' in number
    with visiting(app, "de"):
        office = DirectoryEntry.get(DirectoryEntry.key == "wohnungsamt")
        assert helpers.office_qr(office) is None


def test_a_missing_or_outdated_translation_shows_the_german_text_with_a_note(
    app, client, directory
):
    with app.app_context(), db.connection_context():
        office = DirectoryEntry.get(DirectoryEntry.key == "jobcenter")
        # Arabic for the summary; Tigrinya made for an older German text: out of date.
        made = with_translation(office.texts, "summary", "ar", SUMMARY_AR, "Amal", "2026-12-01")
        made = with_translation(made, "summary", "ti", "ዝኣረገ", "")
        made = with_german(made, "summary", SUMMARY + " Neu.")
        made = with_translation(made, "summary", "ar", SUMMARY_AR, "Amal", "2026-12-01")
        office.texts = with_german(made, "bring", "Ausweis")
        office.save()
    arabic = client.get("/ar/wegweiser/stelle/jobcenter").get_data(as_text=True)
    assert f"<bdi>{SUMMARY_AR}</bdi>" in arabic and f'data-say="{SUMMARY_AR}"' in arabic
    note = translated(app, "ar", "(auf Deutsch)")
    # "bring" has no Arabic: German, marked as German, never an empty card.
    assert '<bdi lang="de" dir="ltr">Ausweis</bdi><button' in arabic
    assert 'data-say="Ausweis" data-lang="de"' in arabic  # read aloud in German
    assert f'</button> <span class="in-german">{note}</span>' in arabic
    tigrinya = client.get("/ti/wegweiser/stelle/jobcenter").get_data(as_text=True)
    assert "ዝኣረገ" not in tigrinya
    note = translated(app, "ti", "(auf Deutsch)")
    assert f'<bdi lang="de" dir="ltr">{SUMMARY} Neu.</bdi><button' in tigrinya
    assert f'<span class="in-german">{note}</span>' in tigrinya
    # A German text is read aloud with a German voice, never a Tigrinya one.
    assert f'data-say="{SUMMARY} Neu." data-lang="de"' in tigrinya
    assert f'data-say="{SUMMARY} Neu." data-lang="ti"' not in tigrinya
    need = client.get("/ti/wegweiser/hilfe/work").get_data(as_text=True)
    assert f'<bdi lang="de" dir="ltr">{SUMMARY} Neu.</bdi>' in need


def test_an_office_without_hours_asks_to_ask(app, client, directory):
    with app.app_context(), db.connection_context():
        DirectoryEntry.update(hours={}).where(DirectoryEntry.key == "jobcenter").execute()
    html = client.get("/de/wegweiser/stelle/jobcenter").get_data(as_text=True)
    assert "Öffnungszeiten bitte erfragen" in html and '<table class="week">' not in html


def test_an_office_cannot_inject_markup(client, directory):
    with client.application.app_context(), db.connection_context():
        add_office('<img src=x onerror="alert(1)">', ["work"], key="boese")
    for url in ("/de/wegweiser/hilfe/work", "/de/wegweiser/stelle/boese"):
        html = client.get(url).get_data(as_text=True)
        assert "<img" not in html and "&lt;img" in html, url


# --- Unknown pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["hilfe/nichts", "stelle/nichts", "stelle/polizei", "stelle/treffpunkt/drucken"]
)
def test_unknown_needs_and_offices_are_the_visitors_404(app, client, directory, path):
    response = client.get(f"/ar/wegweiser/{path}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert translated(app, "ar", "Diese Seite gibt es nicht.") in html


def test_an_unknown_or_past_event_has_no_print_view(app, client, directory):
    with app.app_context(), db.connection_context():
        past = add_event("Vorbei", utcnow() - timedelta(days=1))
    assert client.get(f"/de/wegweiser/termin/{past.uid}/drucken").status_code == 404
    assert client.get("/de/wegweiser/termin/not-a-uuid/drucken").status_code == 404
    assert client.get("/xx/wegweiser/").status_code == 404


# --- The Treffpunkt and its events -----------------------------------------------------------


def test_the_treffpunkt_shows_upcoming_events_and_never_past_ones(app, client, directory, now):
    with app.app_context(), db.connection_context():
        add_event("Gestern vorbei", utcnow() - timedelta(days=1))
        later = add_event("Fahrradwerkstatt", utcnow() + timedelta(days=5), icon="bus")
        later.texts = with_translation(later.texts, "title", "ar", "ورشة الدراجات")
        later.save()
    html = client.get("/ar/wegweiser/treffpunkt").get_data(as_text=True)
    assert "Gestern vorbei" not in html
    assert html.index("Kochabend") < html.index("ورشة الدراجات")  # soonest first
    assert len(QR.findall(html)) == 2 and "#bus" in html
    with visiting(app, "ar"):
        event = Event.get(Event.uid == later.uid)
        ends = int(event.ends_at.replace(tzinfo=UTC).timestamp())
        assert f'data-ends="{ends}"' in html  # kiosk.js hides it once it is over
        payload = qr.vevent(
            str(event.uid),
            "ورشة الدراجات",
            "",
            "",
            event.starts_at,
            event.ends_at,
            "ar",
            stamped_at=event.updated_at,
        )
        label = gettext("QR-Code für Ihren Kalender: %(title)s", title="ورشة الدراجات")
        assert str(qr.qr_svg(payload, label)) in html
        assert helpers.event_when(event) in html


def test_without_events_the_treffpunkt_says_so(app, client, directory):
    with app.app_context(), db.connection_context():
        Event.delete().execute()
    html = client.get("/de/wegweiser/treffpunkt").get_data(as_text=True)
    assert '<p class="empty">Zurzeit sind keine Termine geplant.</p>' in html


# --- Help lines ------------------------------------------------------------------------------


def test_the_help_lines_show_the_number_big_with_a_tel_qr_code(app, client, directory):
    with app.app_context(), db.connection_context():
        add_helpline("Beispiel-Hilfe", "0800 000", key="beispiel", example=True)
    html = client.get("/de/wegweiser/notruf").get_data(as_text=True)
    assert '<p class="number"><bdi dir="ltr">110</bdi></p>' in html
    assert "Polizei" in html and "Bei Gefahr." in html and "Rund um die Uhr erreichbar" in html
    label = "QR-Code zum Anrufen: 110"
    assert str(qr.qr_svg("tel:110", label)) in html
    assert len(QR.findall(html)) == 1  # none for the example
    assert '0800 000</bdi> <span class="example-tag">' in html
    printed = client.get("/de/wegweiser/notruf/drucken").get_data(as_text=True)
    assert str(qr.qr_svg("tel:110", label)) in printed and "0800 000" not in printed


# --- Print views -----------------------------------------------------------------------------


def test_print_views_have_their_sheet_and_a_print_button(app, client, directory):
    html = client.get("/de/wegweiser/stelle/jobcenter/drucken").get_data(as_text=True)
    assert re.search(
        r'<link rel="stylesheet" href="/static/print/wegweiser\.[0-9a-f]{10}\.css" '
        r'media="print">',
        html,
    )
    assert '<button type="button" class="button primary" data-print>' in html
    assert '<article class="sheet">' in html and len(QR.findall(html)) == 1
    css = client.get("/static/print/wegweiser.css").get_data(as_text=True)
    assert "size: 105mm 148mm" in css  # A6


def test_the_print_links_appear_only_where_a_printer_stands(app, client, directory):
    office = "/de/wegweiser/stelle/jobcenter"
    assert "/drucken" not in client.get(office).get_data(as_text=True)
    app.config["KIOSK_PRINTER"] = True
    assert f'href="{office}/drucken"' in client.get(office).get_data(as_text=True)
    assert "/drucken" in client.get("/de/wegweiser/notruf").get_data(as_text=True)
    assert "/drucken" in client.get("/de/wegweiser/treffpunkt").get_data(as_text=True)


# --- The chooser, the thank-you, the service worker ------------------------------------------


@pytest.mark.parametrize("lang", ["de", "ar", "ti"])
def test_the_chooser_has_the_wegweiser_card(app, client, lang):
    html = client.get(f"/{lang}/").get_data(as_text=True)
    card = f'<a class="button form-card wegweiser-card" href="/{lang}/wegweiser/" hx-boost="false">'
    assert card in html
    assert translated(app, lang, "Wegweiser") in html.split(card, 1)[1].split("</a>", 1)[0]
    assert html.index("form-card") < html.index("wegweiser-card")  # after the forms


def test_the_thank_you_lists_each_needs_offices_with_their_qr_code(app, client, directory):
    with app.app_context(), db.connection_context():
        answers = {**INTAKE_ANSWERS, "needs": ["housing", "work", "health"]}
        submission = add_submission(app, "intake", answers, utcnow())
    html = client.get(f"/ar/thanks/{submission.uuid}").get_data(as_text=True)
    link = '<a class="office-link" href="/ar/wegweiser/stelle/jobcenter" hx-boost="false">'
    assert html.count(link) == 2  # for housing and work
    assert 'href="/ar/wegweiser/stelle/wohnungsamt"' in html
    with visiting(app, "ar"):
        office = DirectoryEntry.get(DirectoryEntry.key == "jobcenter")
        code = str(helpers.office_qr(office))
    assert html.count(code) == 1 and len(QR.findall(html)) == 1  # once; none for the example
    assert translated(app, "ar", "Die Ehrenamtlichen hier helfen Ihnen weiter.") in html  # health


def test_the_service_worker_precaches_the_wegweiser_and_keeps_its_pages(client):
    first_line = client.get("/sw.js").get_data(as_text=True).split("\n", 1)[0]
    config = json.loads(first_line.removeprefix("const CONFIG = ").removesuffix(";"))
    for lang in ("de", "ar", "ti"):
        assert f"/{lang}/wegweiser/" in config["pages"]
        assert f"/{lang}/wegweiser/notruf" in config["pages"]
        assert f"/{lang}/wegweiser/" in config["kept"]
    assert not any("/stelle/" in page or "thanks" in page for page in config["pages"])


# --- Helpers ---------------------------------------------------------------------------------


def test_the_tiles_come_from_the_intake_and_else_from_another_form_with_needs(app):
    forms = app.extensions["kiosk_forms"]
    intake = forms["intake"].field("needs").options
    assert helpers.needs_field_options(forms) == tuple(intake)
    others = {slug: spec for slug, spec in forms.items() if slug != "intake"}
    assert helpers.needs_field_options(others) == ()
    # Without the question the start page still answers, with its Notruf and Treffpunkt.
    app.extensions["kiosk_forms"] = others
    html = app.test_client().get("/de/wegweiser/").get_data(as_text=True)
    assert 'class="tile"' not in html and "/de/wegweiser/notruf" in html


@pytest.mark.parametrize(
    ("code", "locale", "name"),
    [
        ("ar", "de", "Arabisch"),
        ("ti", "ar", "التغرينية"),
        ("fa-AF", "de", "Persisch (Afghanistan)"),
        ("xx-nope", "de", "xx-nope"),
    ],
)
def test_languages_spoken_are_named_in_the_visitors_language(code, locale, name):
    assert helpers.language_name(code, locale) == name

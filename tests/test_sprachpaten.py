"""Sprachpaten: bilingual volunteers check and correct the translations (/review/sprachpaten).

Through the Flask test client on a copy of the catalogs: a correction shows on the kiosk at once
(templates' _() and Python's gettext and ngettext) and survives a catalog update; broken
corrections are refused with the reason; checks are recorded; filters, progress and who may work
on which language; the export to a PO file that pybabel compiles; the Stadthaus's corrections
reaching a site with the directory pull, where the site's own win; the unchecked consent flag.
"""

import gettext
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from conftest import Visitor

from kiosk import create_app
from kiosk.cli.translations import pybabel
from kiosk.db import prepare_database
from kiosk.hub.tokens import add_site
from kiosk.i18n import TRANSLATIONS_DIR
from kiosk.models import AuditEvent, User
from kiosk.models.sprachpaten import TranslationOverride, message_key
from kiosk.sync import directory as site_pull

from factories import add_user
from server import log_in
from sync_support import within

BASE = "/review/sprachpaten"
HTMX = {"HX-Request": "true"}
ASK = "Was möchten Sie tun?"  # the heading of the form chooser, /<lang>/
ASK_AR = "ماذا تريد أن تفعل؟"
NOT_FOUND = "Diese Seite gibt es nicht."  # said by Python's gettext (kiosk/views/errors.py)
MONTHS = (
    "Wir löschen Ihre persönlichen Angaben nach %(num)s Monat.",
    "Wir löschen Ihre persönlichen Angaben nach %(num)s Monaten.",
)
QR = "QR-Code für Ihren Kalender: %(title)s"


def key(msgid: str) -> str:
    return message_key(msgid)


@pytest.fixture(scope="module")
def compiled_catalogs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("catalogs") / "translations"
    shutil.copytree(TRANSLATIONS_DIR, folder, ignore=shutil.ignore_patterns("*.mo"))
    pybabel("compile", "-d", str(folder))
    return folder


@pytest.fixture
def catalogs(tmp_path, compiled_catalogs):
    """A compiled copy of the program's catalogs, which a test may change like an update does."""
    return Path(shutil.copytree(compiled_catalogs, tmp_path / "translations"))


def make_app(catalogs, **config):
    app = create_app(
        {
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "BABEL_TRANSLATION_DIRECTORIES": str(catalogs),
            "SCHEDULER_INTERVAL_SECONDS": 0,
        }
        | config
    )
    prepare_database(app)
    return app


@pytest.fixture
def app(instance, catalogs):
    return make_app(catalogs)


def add_sprachpate(app, name: str, role: str = "volunteer", speaks=()) -> None:
    add_user(app, name, role)
    with within(app):
        User.update(speaks=list(speaks)).where(User.name == name).execute()


class Pate:
    """A logged-in member of staff in a browser of their own, on the Sprachpaten pages."""

    def __init__(self, app, name):
        self.client = app.test_client()
        auth = log_in(self.client, name)
        self.token = auth.token(f"{BASE}/")

    def html(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return html.unescape(response.get_data(as_text=True))

    def post(self, url: str, data=None, htmx=True):
        payload = {"csrf_token": self.token, **(data or {})}
        return self.client.post(url, data=payload, headers=HTMX if htmx else {})

    def confirm(self, lang: str, msgid: str, **kwargs):
        return self.post(f"{BASE}/{lang}/{key(msgid)}/stimmt", **kwargs)

    def correct(self, lang: str, msgid: str, *texts: str, **kwargs):
        fields = {f"t{key(msgid)}-texts-{index}": text for index, text in enumerate(texts)}
        return self.post(f"{BASE}/{lang}/{key(msgid)}/korrigieren", fields, **kwargs)

    def listed(self, lang: str, query: str = "") -> set[str]:
        """Keys of the texts the language's page lists for a query string."""
        return set(re.findall(r'<tbody id="t-([0-9a-f]+)"', self.html(f"{BASE}/{lang}/?{query}")))


@pytest.fixture
def amal(app):
    """A volunteer who speaks Arabic."""
    add_sprachpate(app, "amal", speaks=["ar"])
    return Pate(app, "amal")


def kiosk_page(app, url: str, status: int = 200) -> str:
    response = app.test_client().get(url, follow_redirects=True)
    assert response.status_code == status, url
    return html.unescape(response.get_data(as_text=True))


def consent_step(app, lang: str = "ar") -> str:
    """The first step of the intake, its consent, as a visitor sees it."""
    visitor = Visitor(app.test_client(), lang)
    visitor.start("intake")
    return html.unescape(visitor.get_html())


# --- Corrections on the kiosk ---------------------------------------------------------------------


def test_a_correction_shows_on_the_kiosk_at_once(app, amal):
    assert ASK_AR in kiosk_page(app, "/ar/")
    response = amal.correct("ar", ASK, "ماذا تودّ أن تفعل؟")
    assert response.status_code == 200
    row = html.unescape(response.get_data(as_text=True))
    assert "geändert" in row and "von amal" in row and 'lang="ar" dir="rtl"' in row
    assert amal.correct("ar", NOT_FOUND, "هذه الصفحة غير موجودة.").status_code == 200

    shown = kiosk_page(app, "/ar/")  # a template's _()
    assert "ماذا تودّ أن تفعل؟" in shown and ASK_AR not in shown
    assert "هذه الصفحة غير موجودة." in kiosk_page(app, "/ar/nirgendwo/", 404)  # Python's gettext
    assert "Was möchten Sie tun?" in kiosk_page(app, "/de/")  # other languages as they were
    with within(app):
        (event,) = AuditEvent.select().where(AuditEvent.action == "translation_corrected").limit(1)
    assert event.user_name == "amal" and "Arabisch" in event.target
    assert "ماذا تودّ أن تفعل؟" in event.detail


def test_a_corrected_plural_reaches_ngettext(app, amal):
    forms = [f"نحذف بياناتك بعد %(num)s شهر ({index})." for index in range(6)]
    assert amal.correct("ar", MONTHS[0], *forms).status_code == 200
    # The intake keeps answers 180 days, "6 months": Arabic's fourth form (3 to 10).
    assert "نحذف بياناتك بعد 6 شهر (3)." in consent_step(app)


def test_a_correction_reaches_words_the_kiosk_keeps_ready(app, amal):
    """The idle countdown's units are worked out once per language; a correction shows there
    at once too."""

    def units() -> list[str]:
        page = app.test_client().get("/ar/").get_data(as_text=True)
        return json.loads(html.unescape(re.search(r'data-labels="([^"]*)"', page).group(1)))

    assert not any("مصححة" in unit for unit in units())
    forms = [f"ثانية-مصححة-{index}" for index in range(6)]
    assert amal.correct("ar", "Sekunde", *forms).status_code == 200
    assert units()[1] == "ثانية-مصححة-1"  # Arabic's form for one


def test_a_change_by_another_process_shows_within_the_recheck(app, amal, monkeypatch):
    assert ASK_AR in kiosk_page(app, "/ar/")
    with within(app):  # as `kiosk sync` in another process writes it: nobody invalidates
        TranslationOverride.create(
            lang="ar", key=key(ASK), msgid=ASK, forms=["سؤال آخر"], state="geändert",
            checked_by="Stadthaus", origin="hub", catalog_forms=[ASK_AR],
        )  # fmt: skip
    assert ASK_AR in kiosk_page(app, "/ar/")  # read a moment ago: still the catalog's
    monkeypatch.setattr("kiosk.i18n.overrides.RECHECK_SECONDS", 0)
    assert "سؤال آخر" in kiosk_page(app, "/ar/")


def update_catalog(catalogs, lang: str, msgid: str, text: str) -> None:
    """A new release's catalog: one translation changed, merged with `kiosk translations update`'s
    options and compiled again."""
    path = catalogs / lang / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as po_file:
        catalog = read_po(po_file)
    catalog[msgid].string = text
    with open(path, "wb") as po_file:
        write_po(po_file, catalog, width=0)
    pot = str(catalogs / "messages.pot")
    pybabel("update", "-i", pot, "-d", str(catalogs), "--no-fuzzy-matching", "--no-wrap")
    pybabel("compile", "-d", str(catalogs))


def test_corrections_survive_a_catalog_update(app, amal, catalogs):
    amal.correct("ar", ASK, "ماذا تودّ أن تفعل؟")
    amal.confirm("ar", "Ihre Meinung")
    update_catalog(catalogs, "ar", ASK, "ما الذي تريد فعله؟")
    update_catalog(catalogs, "ar", "Ihre Meinung", "رأيكم")

    restarted = make_app(catalogs)  # the program's update restarts the kiosk
    assert "ماذا تودّ أن تفعل؟" in kiosk_page(restarted, "/ar/")
    assert "رأيكم" in kiosk_page(restarted, "/ar/")  # a check never pins the old text
    again = Pate(restarted, "amal")
    assert again.listed("ar", "nur=katalog") == {key(ASK), key("Ihre Meinung")}
    page = again.html(f"{BASE}/ar/?nur=katalog")
    assert "Der Katalog hat diese Übersetzung seitdem geändert." in page
    assert "ما الذي تريد فعله؟" in page  # the catalog's new text, beside the correction
    # The old check no longer counts: the new catalog text is to be checked again.
    assert key("Ihre Meinung") in again.listed("ar", "nur=offen")
    assert key(ASK) not in again.listed("ar", "nur=offen")


# --- Refused corrections --------------------------------------------------------------------------

REFUSED = [
    pytest.param(QR, ["رمز QR للتقويم"], "Der Platzhalter %(title)s fehlt", id="missing"),
    pytest.param(QR, ["رمز %(titel)s"], "dort steht %(title)s", id="misspelt"),
    pytest.param(QR, ["%(title)s %(time)s"], "Den Platzhalter %(time)s", id="extra"),
    pytest.param(ASK, ["ماذا {name}؟"], "Den Platzhalter {name}", id="format-field"),
    pytest.param(ASK, ["100% ماذا؟"], "einzelnes %-Zeichen", id="lone-percent"),
    pytest.param(ASK, ["   "], "Der Text ist leer", id="empty"),
    pytest.param(ASK, ["ماذا\nتريد؟"], "Zeilenumbruch", id="new-line"),
    pytest.param(ASK, ["\N{RIGHT-TO-LEFT OVERRIDE}" + ASK_AR], "umkehrt", id="bidi-override"),
    pytest.param(ASK, ["\N{RIGHT-TO-LEFT ISOLATE}" + ASK_AR], "paarweise", id="open-isolate"),
    pytest.param(ASK, ["ماذا\u0007تريد؟"], "Steuerzeichen", id="control"),
    pytest.param(ASK, ["ماذا\ufeffتريد؟"], "unsichtbares Zeichen", id="zero-width"),
    pytest.param(MONTHS[0], ["%(num)s شهر", "%(num)s أشهر"], "Es fehlen Pluralformen", id="plural"),
    pytest.param(MONTHS[0], ["شهر"] * 5 + [""], "Form 6: Der Text ist leer", id="plural-empty"),
]


@pytest.mark.parametrize(("msgid", "texts", "reason"), REFUSED)
def test_a_broken_correction_is_refused_with_the_reason(app, amal, msgid, texts, reason):
    response = amal.correct("ar", msgid, *texts)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert reason in page and 'role="alert"' in page
    assert "<textarea" in page  # the form again, with what was typed
    with within(app):
        assert TranslationOverride.select().count() == 0
    assert ASK_AR in kiosk_page(app, "/ar/")


def test_without_javascript_a_refusal_is_a_page_and_a_correction_leads_back(app, amal):
    refused = amal.correct("ar", QR, "رمز", htmx=False)
    assert refused.status_code == 422 and "Übersetzung korrigieren" in refused.get_data(True)
    saved = amal.correct("ar", QR, "رمز %(title)s", htmx=False)
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(f"{BASE}/ar/#t-{key(QR)}")


def test_joiners_and_balanced_isolates_are_fine(app, amal):
    word = "\N{ZERO WIDTH NON-JOINER}".join(["می", "خواهید"])
    persian = f"{word} \N{FIRST STRONG ISOLATE}%(title)s\N{POP DIRECTIONAL ISOLATE}"
    assert amal.correct("ar", QR, persian).status_code == 200


# --- Checks, filters, progress -------------------------------------------------------------------


def test_a_check_is_recorded_and_counts(app, amal):
    before = amal.html(f"{BASE}/ar/")
    total = int(re.search(r"Arabisch: 0 von (\d+) Texten geprüft", before).group(1))
    response = amal.confirm("ar", "Ihre Meinung")
    row = html.unescape(response.get_data(as_text=True))
    assert "geprüft" in row and "von amal am" in row
    assert f'hx-swap-oob="true"><progress max="{total}" value="1"' in row  # the progress, too
    assert f"Arabisch: 1 von {total} Texten geprüft" in amal.html(f"{BASE}/")
    assert "رأيك" in kiosk_page(app, "/ar/")  # a check changes nothing a visitor sees
    with within(app):
        held = TranslationOverride.get()
        assert (held.state, held.forms, held.catalog_forms, held.origin) == (
            "geprüft", ["رأيك"], ["رأيك"], "local"
        )  # fmt: skip
        assert AuditEvent.select().where(AuditEvent.action == "translation_confirmed").count()


def test_a_missing_translation_cannot_be_confirmed_but_given(instance, catalogs):
    update_catalog(catalogs, "ar", "Mehr erfahren", "")
    app = make_app(catalogs)
    add_sprachpate(app, "amal", speaks=["ar"])
    amal = Pate(app, "amal")
    page = amal.html(f"{BASE}/ar/?nur=offen&bereich=einwilligung")
    assert "Keine Übersetzung: Besucher*innen lesen den deutschen Text." in page
    assert f'action="{BASE}/ar/{key("Mehr erfahren")}/stimmt"' not in page
    assert amal.confirm("ar", "Mehr erfahren").status_code == 422
    assert amal.correct("ar", "Mehr erfahren", "اعرف المزيد").status_code == 200
    with within(app):
        assert TranslationOverride.get().catalog_forms == []


def test_correcting_back_to_the_catalog_is_a_check(app, amal):
    amal.correct("ar", ASK, "ماذا تودّ أن تفعل؟")
    amal.correct("ar", ASK, ASK_AR)
    with within(app):
        assert TranslationOverride.get().state == "geprüft"
    assert ASK_AR in kiosk_page(app, "/ar/")


def test_filters_leave_unchecked_texts_and_one_form(app, amal):
    everything = amal.listed("ar")
    amal.confirm("ar", "Ihre Meinung")
    unchecked = amal.listed("ar", "nur=offen")
    assert unchecked == everything - {key("Ihre Meinung")}
    feedback = amal.listed("ar", "bereich=form:feedback")
    assert key("Ihre Meinung") in feedback and key("Wie war es heute?") in feedback
    assert key(ASK) not in feedback and key("Anmeldung") not in feedback
    assert key("Anmeldung") in amal.listed("ar", "bereich=form:intake")
    assert amal.listed("ar", "nur=offen&bereich=form:feedback") == feedback - {key("Ihre Meinung")}
    assert key(ASK) in amal.listed("ar", "bereich=oberflaeche")
    consent = amal.listed("ar", "bereich=einwilligung")
    assert key(MONTHS[0]) in consent and key("Dürfen wir Ihre Antworten speichern?") in consent
    assert len(consent) < len(everything)
    assert amal.listed("ar", "bereich=unbekannt") == everything  # an unknown filter: all texts


def test_the_page_shows_source_translation_and_where(app, amal):
    page = amal.html(f"{BASE}/ar/?bereich=wegweiser")
    assert 'lang="ar" dir="rtl"' in page
    assert 'href="/ar/wegweiser/notruf" target="vorschau"' in page
    assert '<iframe name="vorschau"' in page and 'src="/ar/"' in page
    assert 'action="/ar/feedback/" target="vorschau"' in page  # a form begun in the preview


def test_tigrinya_is_listed_in_its_script(app):
    add_sprachpate(app, "selam", speaks=["ti"])
    page = Pate(app, "selam").html(f"{BASE}/ti/")
    assert 'lang="ti" dir="ltr"' in page and "Tigrinya" in page
    assert re.search("[\u1200-\u137f]", page)  # Ethiopic letters, set in Noto Sans Ethiopic


def test_the_preview_frame_may_show_kiosk_pages_to_staff_only(app, amal):
    # Also without Sec-Fetch-Dest: the kiosk's service worker fetches a framed page anew.
    for headers in ({"Sec-Fetch-Dest": "iframe"}, {}):
        framed = amal.client.get("/ar/", headers=headers)
        assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in framed.headers["Content-Security-Policy"]
    assert amal.client.get("/ar/wegweiser/notruf").headers["X-Frame-Options"] == "SAMEORIGIN"
    visitor = app.test_client().get("/ar/", headers={"Sec-Fetch-Dest": "iframe"})
    assert visitor.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in visitor.headers["Content-Security-Policy"]
    staff_page = amal.client.get(f"{BASE}/", headers={"Sec-Fetch-Dest": "iframe"})
    assert staff_page.headers["X-Frame-Options"] == "DENY"


# --- Who may work on which language -------------------------------------------------------------


def test_a_volunteer_works_on_the_languages_they_speak(app, amal):
    start = amal.html(f"{BASE}/")
    assert "Arabisch" in start and "Persisch" not in start
    assert amal.client.get(f"{BASE}/fa/").status_code == 403
    assert amal.confirm("fa", "Ihre Meinung").status_code == 403
    assert amal.correct("fa", ASK, "چه می‌خواهید؟").status_code == 403
    assert amal.client.get(f"{BASE}/xx/").status_code == 404
    assert amal.client.get(f"{BASE}/de/").status_code == 404  # German is the source
    assert amal.client.get(f"{BASE}/ar/{'0' * 24}/korrigieren").status_code == 404
    with within(app):
        assert TranslationOverride.select().count() == 0


def test_coordinators_work_on_every_language(app):
    add_sprachpate(app, "cora", role="coordinator")
    cora = Pate(app, "cora")
    start = cora.html(f"{BASE}/")
    assert all(name in start for name in ("Arabisch", "Persisch", "Tigrinya", "Ukrainisch"))
    assert cora.confirm("fa", "Ihre Meinung").status_code == 200


def test_a_volunteer_without_languages_is_told_how_to_get_them(app):
    add_sprachpate(app, "ben")
    ben = Pate(app, "ben")
    assert "Ihr Konto nennt noch keine Sprachen" in ben.html(f"{BASE}/")
    assert ben.client.get(f"{BASE}/ar/").status_code == 403
    assert 'href="/review/sprachpaten/"' not in ben.html("/review/")  # no link in the menu


def test_only_staff_see_the_pages(app):
    response = app.test_client().get(f"{BASE}/ar/")
    assert response.status_code == 302 and "/review/login" in response.headers["Location"]


# --- Export and check ----------------------------------------------------------------------------


def test_the_export_round_trips_through_pybabel_compile(app, amal, tmp_path):
    amal.correct("ar", ASK, "ماذا تودّ أن تفعل؟")
    amal.correct("ar", MONTHS[0], *[f"%(num)s شهر ({index})" for index in range(6)])
    amal.confirm("ar", "Ihre Meinung")
    exported = tmp_path / "ar.po"
    result = app.test_cli_runner().invoke(
        args=["translations", "export", "ar", "--output", str(exported)]
    )
    assert result.exit_code == 0, result.output
    assert "2 korrigiert, 1 geprüft" in result.output

    with open(exported, "rb") as po_file:
        catalog = read_po(po_file)
    assert catalog.header_comment.startswith("# Review: 3 of ")
    assert catalog[ASK].string == "ماذا تودّ أن تفعل؟"
    (comment,) = catalog[ASK].user_comments
    assert comment.startswith("Sprachpaten: geändert von amal am")
    assert "Sprachpaten: geprüft von amal am" in catalog["Ihre Meinung"].user_comments[0]
    assert catalog["Ihre Meinung"].string == "رأيك"
    assert not catalog["Mehr erfahren"].user_comments  # unchecked: as it was

    compiled = tmp_path / "ar.mo"
    done = subprocess.run(
        [str(Path(sys.executable).with_name("pybabel")), "compile", "-i", str(exported),
         "-o", str(compiled), "-l", "ar"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0 and "error" not in done.stderr.lower(), done.stderr
    with open(compiled, "rb") as mo_file:
        translations = gettext.GNUTranslations(mo_file)
    assert translations.gettext(ASK) == "ماذا تودّ أن تفعل؟"
    assert translations.ngettext(*MONTHS, 6) == "%(num)s شهر (3)"
    with within(app):
        assert AuditEvent.select().where(AuditEvent.action == "translations_export").count()


def test_the_export_of_an_unknown_language_is_refused(app):
    result = app.test_cli_runner().invoke(args=["translations", "export", "xx"])
    assert result.exit_code == 1 and "keinen Katalog" in result.output


def test_check_shows_the_reviewed_share_beside_coverage(app, amal):
    amal.confirm("ar", "Ihre Meinung")
    result = app.test_cli_runner().invoke(args=["translations", "check"])
    header, *lines = result.output.splitlines()
    assert header.split()[:3] == ["language", "coverage", "reviewed"]
    arabic = next(line for line in lines if line.startswith("ar "))
    assert re.match(r"ar\s+[\d.]+%\s+0\.5%", arabic), arabic


# --- From the Stadthaus to the sites --------------------------------------------------------------


def test_the_stadthaus_corrections_reach_a_site_where_its_own_win(tmp_path, catalogs, monkeypatch):
    monkeypatch.setenv("KIOSK_INSTANCE_PATH", str(tmp_path / "hub"))
    hub = make_app(catalogs, ROLE="hub")
    with within(hub):
        token = add_site("mittendrin", "Treffpunkt Mittendrin")
    add_sprachpate(hub, "stadt", role="coordinator")
    stadthaus = Pate(hub, "stadt")
    stadthaus.correct("ar", ASK, "سؤال من البلدية")
    stadthaus.correct("ar", "Ihre Meinung", "رأيكم من البلدية")
    stadthaus.confirm("ar", "Mehr erfahren")

    target = {"name": "stadthaus", "type": "hub", "url": "http://127.0.0.1:9", "token": token}
    monkeypatch.setenv("KIOSK_INSTANCE_PATH", str(tmp_path / "site"))
    site = make_app(catalogs, SYNC_TARGETS=[target])
    add_sprachpate(site, "amal", speaks=["ar"])
    Pate(site, "amal").correct("ar", "Ihre Meinung", "رأيكم هنا")  # the site's own

    def hub_answer():
        """The hub's directory as a site fetches it (kiosk/sync/directory.py's `fetch`)."""
        response = hub.test_client().get(
            "/api/v1/directory", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200
        answer = (200, response.get_data(), response.headers["ETag"].strip('"'))
        monkeypatch.setattr(site_pull, "fetch", lambda target, version, limit: answer)

    hub_answer()
    with within(site):
        assert site_pull.pull_directory(target).outcome == "applied"
    shown = kiosk_page(site, "/ar/")
    assert "سؤال من البلدية" in shown  # the Stadthaus's correction
    assert "رأيكم هنا" in shown and "رأيكم من البلدية" not in shown  # the site's own wins
    page = Pate(site, "amal").html(f"{BASE}/ar/")
    assert "von stadt (Stadthaus) am" in page
    with within(site):
        rows = {(row.key, row.origin) for row in TranslationOverride.select()}
    assert (key("Mehr erfahren"), "hub") in rows and (key("Ihre Meinung"), "local") in rows

    with within(hub):  # the Stadthaus takes its correction back: the next pull removes it
        TranslationOverride.delete().where(TranslationOverride.key == key(ASK)).execute()
    hub_answer()
    with within(site):
        assert site_pull.pull_directory(target).outcome == "applied"
    assert ASK_AR in kiosk_page(site, "/ar/")
    assert "رأيكم هنا" in kiosk_page(site, "/ar/")


def test_a_site_refuses_a_broken_correction_from_the_hub(app):
    document = {
        "format": "mittendrin-directory",
        "format_version": 1,
        "entries": [],
        "translations": [
            {"lang": "ar", "msgid": QR, "forms": ["رمز"], "state": "geändert",
             "checked_by": "stadt", "checked_at": "2026-12-03T10:00:00+01:00"},
        ],
    }  # fmt: skip
    with within(app), pytest.raises(site_pull.PullError, match="Platzhalter %\\(title\\)s"):
        site_pull.checked_document(__import__("json").dumps(document).encode(), 10**6)


def test_a_hub_without_corrections_sends_the_document_as_before(tmp_path, catalogs, monkeypatch):
    monkeypatch.setenv("KIOSK_INSTANCE_PATH", str(tmp_path / "hub"))
    hub = make_app(catalogs, ROLE="hub")
    with within(hub):
        token = add_site("mittendrin", "Treffpunkt Mittendrin")
    response = hub.test_client().get(
        "/api/v1/directory", headers={"Authorization": f"Bearer {token}"}
    )
    assert "translations" not in response.get_json()


# --- The consent text on the staff's start page ------------------------------------------------


def test_unchecked_consent_texts_are_flagged_until_checked(instance, catalogs):
    app = make_app(catalogs, KIOSK_LANGUAGES=["de", "ar", "ti"])
    add_sprachpate(app, "amal", speaks=["ar"])
    amal = Pate(app, "amal")
    flag = re.compile(r'<p class="warning consent-flag">(.*?)</p>', re.S)
    shown = flag.search(amal.html("/review/")).group(1)
    assert "Arabisch</a>" in shown and "Tigrinya" in shown and "Tigrinya</a>" not in shown
    assert "Englisch" not in shown  # not offered here
    for text_key in amal.listed("ar", "bereich=einwilligung&nur=offen"):
        assert amal.post(f"{BASE}/ar/{text_key}/stimmt").status_code == 200
    shown = flag.search(amal.html("/review/")).group(1)
    assert "Arabisch" not in shown and "Tigrinya" in shown

"""Forms from the Stadthaus, on the hub: the coordinator's upload and publishing for all sites
or chosen ones, `GET /api/v1/forms` (token, strong ETag, 304), the forms in the heartbeat.

The hub is a hub app's test client on SQLite and on PostgreSQL; the sites' side of it (pulling,
checking, publishing on a kiosk) is in tests/test_hub_forms_pull.py.
"""

import io
import re

import pytest

from kiosk.formspec.package import FormPackage
from kiosk.hub.forms import HubFormError, publish_for_sites
from kiosk.hub.tokens import revoke_site
from kiosk.models import AuditEvent
from kiosk.models.hub_forms import HubForm, HubSiteForms
from kiosk.review.audit_names import sentence

import pg_support
from factories import add_user
from hub_forms_support import SLUG, package, xlsform
from server import log_in

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$", re.MULTILINE)
FORM_TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture(params=["sqlite", "postgresql"])
def hub(request, instance):
    app = pg_support.hub_app(request.param)
    app.tokens = {slug: add_site(app, slug) for slug in ("mittendrin", "am-markt")}
    return app


def add_site(app, slug: str) -> str:
    result = app.test_cli_runner().invoke(args=["site", "add", slug])
    assert result.exit_code == 0, result.output
    return TOKEN.search(result.output).group(0)


def run(app, function, *args, **kwargs):
    with app.app_context():
        from kiosk.extensions import db

        with db.connection_context():
            return function(*args, **kwargs)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def forms_of(app, slug: str, etag: str = ""):
    headers = bearer(app.tokens[slug]) | ({"If-None-Match": etag} if etag else {})
    return app.test_client().get("/api/v1/forms", headers=headers)


def versions(response) -> dict[str, int]:
    return {item["slug"]: item["number"] for item in response.json["forms"]}


# --- Publishing and the API ---------------------------------------------------------------------


def test_a_form_for_all_sites_and_a_newer_one_for_chosen_sites(hub):
    assert versions(forms_of(hub, "mittendrin")) == {}
    first = run(hub, publish_for_sites, package(1), sites=None, by="Stadthaus")
    assert (first.slug, first.number, first.all_sites) == (SLUG, 1, True)
    for site in ("mittendrin", "am-markt"):
        answer = forms_of(hub, site)
        assert answer.status_code == 200 and answer.mimetype == "application/json"
        (item,) = answer.json["forms"]
        assert (item["slug"], item["number"], item["checksum"]) == (SLUG, 1, package(1).checksum)
        assert FormPackage.from_dict(item["package"]) == package(1)  # the package, whole

    second = run(hub, publish_for_sites, package(2), sites=["am-markt"], by="Stadthaus")
    assert (second.number, second.all_sites, second.sites) == (2, False, ["am-markt"])
    assert versions(forms_of(hub, "am-markt")) == {SLUG: 2}
    assert versions(forms_of(hub, "mittendrin")) == {SLUG: 1}  # keeps the version for all

    # The same package again, now for every site: no new version, it reaches them all.
    again = run(hub, publish_for_sites, package(2), sites=None, by="Stadthaus")
    assert (again.number, again.all_sites) == (2, True)
    assert versions(forms_of(hub, "mittendrin")) == {SLUG: 2}
    assert run(hub, lambda: HubForm.select().count()) == 2


def test_publishing_refuses_a_broken_form_and_unknown_sites(hub):
    broken = FormPackage(SLUG, package(1).source.replace('type = "rating"', 'type = "tanz"'))
    with pytest.raises(HubFormError, match="besteht unsere Prüfung nicht"):
        run(hub, publish_for_sites, broken, sites=None, by="Stadthaus")
    with pytest.raises(HubFormError, match="nirgendwo"):
        run(hub, publish_for_sites, package(1), sites=["nirgendwo"], by="Stadthaus")
    with pytest.raises(HubFormError, match="mindestens einen Treffpunkt"):
        run(hub, publish_for_sites, package(1), sites=[], by="Stadthaus")
    assert run(hub, lambda: HubForm.select().count()) == 0


def test_an_unchanged_answer_is_304_with_the_same_strong_etag(hub):
    run(hub, publish_for_sites, package(1), sites=None, by="Stadthaus")
    first = forms_of(hub, "mittendrin")
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong: no W/
    unchanged = forms_of(hub, "mittendrin", etag)
    assert unchanged.status_code == 304 and unchanged.data == b""
    assert unchanged.headers["ETag"] == etag
    assert forms_of(hub, "mittendrin", f"W/{etag}").status_code == 200  # a weak one never matches

    run(hub, publish_for_sites, package(2), sites=["am-markt"], by="Stadthaus")
    assert forms_of(hub, "mittendrin", etag).status_code == 304  # not for this site
    changed = forms_of(hub, "am-markt", etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_forms_need_a_valid_unrevoked_token(hub):
    client = hub.test_client()
    for headers in ({}, bearer("x" * 43), {"Authorization": "Basic abc"}):
        answer = client.get("/api/v1/forms", headers=headers)
        assert answer.status_code == 401 and answer.json["error"] == "unauthorized"
    assert forms_of(hub, "mittendrin").status_code == 200
    run(hub, revoke_site, "mittendrin")
    refused = forms_of(hub, "mittendrin")
    assert refused.status_code == 401 and refused.json["error"] == "unauthorized"
    assert forms_of(hub, "am-markt").status_code == 200


def test_a_kiosk_offers_no_forms(app):
    assert app.test_client().get("/api/v1/forms").status_code == 404


# --- The heartbeat ------------------------------------------------------------------------------

HEARTBEAT = {"version": "0.1.0", "sent_at": "2026-11-25T09:00:00+00:00", "outbox_length": 0}


def beat(app, site: str, **extra):
    body = HEARTBEAT | extra
    return app.test_client().post("/api/v1/heartbeat", headers=bearer(app.tokens[site]), json=body)


def test_the_heartbeat_names_the_forms_and_an_older_site_without_them_is_accepted(hub):
    assert beat(hub, "am-markt").status_code == 200  # an older site: no "forms"
    forms = [{"slug": SLUG, "active": 1, "pending": 2, "pinned": True}]
    assert beat(hub, "mittendrin", forms=forms).status_code == 200
    held = run(hub, lambda: {row.site.slug: row.forms for row in HubSiteForms.select()})
    assert held == {"mittendrin": forms}
    # A later heartbeat without them leaves what the site said before.
    assert beat(hub, "mittendrin").status_code == 200
    assert run(hub, lambda: HubSiteForms.select().count()) == 1

    wrong = beat(hub, "mittendrin", forms=[{"slug": SLUG, "active": "eins"}])
    assert wrong.status_code == 400 and "forms" in wrong.json["message"]


# --- The coordinator's page ---------------------------------------------------------------------


@pytest.fixture
def coordinator(hub):
    add_user(hub, "stadthaus", "coordinator")
    client = hub.test_client()
    log_in(client, "stadthaus")
    return client


def upload(client, data: bytes, name: str = "umfrage.xlsx", **fields):
    page = client.get("/hub/formulare/").get_data(as_text=True)
    form = {
        "csrf_token": FORM_TOKEN.search(page).group(1),
        "audience": "all",
        "file": (io.BytesIO(data), name),
        **fields,
    }
    return client.post("/hub/formulare/", data=form, content_type="multipart/form-data")


GOOD_ROWS = [("integer", "age", "Wie alt sind Sie?", "كم عمرك؟", "yes")]


def test_a_coordinator_uploads_an_xlsform_and_publishes_it_for_chosen_sites(hub, coordinator):
    page = coordinator.get("/hub/formulare/").get_data(as_text=True)
    assert "Formulare für die Treffpunkte" in page and "noch kein Formular veröffentlicht" in page
    assert 'href="/hub/formulare/"' in page  # in the hub's navigation

    answer = upload(coordinator, xlsform(GOOD_ROWS), audience="chosen", sites=["am-markt"])
    assert answer.status_code == 303, answer.get_data(as_text=True)
    page = coordinator.get("/hub/formulare/").get_data(as_text=True)
    assert "Formular „umfrage“ in Fassung 1 veröffentlicht für am-markt." in page
    assert versions(forms_of(hub, "am-markt")) == {SLUG: 1}
    assert versions(forms_of(hub, "mittendrin")) == {}
    (item,) = forms_of(hub, "am-markt").json["forms"]
    assert item["package"]["translations"]["ar"] == {"Wie alt sind Sie?": "كم عمرك؟"}

    event = run(hub, lambda: AuditEvent.get(AuditEvent.action == "hub_form_published"))
    assert sentence(event, {}).text == (
        "stadthaus veröffentlichte das Formular umfrage im Stadthaus: Fassung 1 für am-markt"
    )


def test_the_page_shows_each_sites_versions_from_its_heartbeat(hub, coordinator):
    run(hub, publish_for_sites, package(1), sites=None, by="Stadthaus")
    run(hub, publish_for_sites, package(2), sites=["mittendrin"], by="Stadthaus")
    beat(hub, "mittendrin", forms=[{"slug": SLUG, "active": 1, "pending": 2, "pinned": True}])
    page = coordinator.get("/hub/formulare/").get_data(as_text=True)
    sites = page[page.index("Stand in den Treffpunkten") :]
    am_markt, mittendrin = sites.split('<th scope="row">')[1:3]  # by name
    assert "bestimmt: Fassung 2" in mittendrin and "gilt: Fassung 1" in mittendrin
    assert "wartet: Fassung 2" in mittendrin and "vom Treffpunkt festgehalten" in mittendrin
    assert "bestimmt: Fassung 1" in am_markt and "meldet keine Formulare" in am_markt


@pytest.mark.parametrize(
    ("data", "cells", "message"),
    [
        (
            xlsform([("geopoint", "ort", "Wo sind Sie?", "", "")]),
            ("survey", "2", "type"),
            "Standorte fragt der Kiosk nicht ab. Löschen Sie die Zeile.",
        ),
        (
            b"kein Excel",
            ("Datei", "\N{EN DASH}", "\N{EN DASH}"),
            "Die Datei ist keine Excel-Datei (.xlsx oder .xls).",
        ),
    ],
    ids=["unsupported-type", "not-a-workbook"],
)
def test_a_refused_xlsform_shows_its_problems_as_a_table(hub, coordinator, data, cells, message):
    answer = upload(coordinator, data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Die Datei wurde nicht veröffentlicht" in html and 'class="form-problems' in html
    sheet, row, column = cells
    assert (
        f'<td data-label="Blatt">{sheet}</td>\n      <td data-label="Zeile">{row}</td>\n'
        f'      <td data-label="Spalte">{column}</td>'
    ) in html
    assert message in html
    assert run(hub, lambda: HubForm.select().count()) == 0


def test_an_upload_without_a_file_or_a_chosen_site_is_refused_in_german(hub, coordinator):
    page = coordinator.get("/hub/formulare/").get_data(as_text=True)
    token = FORM_TOKEN.search(page).group(1)
    no_file = coordinator.post("/hub/formulare/", data={"csrf_token": token, "audience": "all"})
    assert no_file.status_code == 400
    assert "Bitte eine XLSForm-Datei wählen." in no_file.get_data(as_text=True)
    nobody = upload(coordinator, xlsform(GOOD_ROWS), audience="chosen")
    assert nobody.status_code == 422
    assert "Bitte mindestens einen Treffpunkt wählen" in nobody.get_data(as_text=True)


def test_only_coordinators_publish_forms(hub):
    add_user(hub, "vera", "volunteer")
    client = hub.test_client()
    assert client.get("/hub/formulare/").status_code == 302  # to the login
    log_in(client, "vera")
    assert client.get("/hub/formulare/").status_code == 403
    assert client.post("/hub/formulare/", data={}).status_code in (400, 403)
    assert run(hub, lambda: HubForm.select().count()) == 0


def test_a_kiosk_has_no_hub_form_page(app):
    assert app.test_client().get("/hub/formulare/").status_code == 404


def test_an_xlsform_over_the_limit_is_refused_with_413(hub, coordinator):
    data = xlsform(GOOD_ROWS)
    hub.config["HUB_FORM_UPLOAD_BYTES"] = len(data) // 2
    answer = upload(coordinator, data)
    assert answer.status_code == 413
    assert run(hub, lambda: HubForm.select().count()) == 0
    hub.config["HUB_FORM_UPLOAD_BYTES"] = len(data) * 2  # the same file within the limit
    assert upload(coordinator, data).status_code == 303


def test_an_odk_xls_form_is_published_with_the_settings_typed_at_the_upload(hub, coordinator):
    from xlsform_support import EXAMPLES

    ict = (EXAMPLES / "pyxform" / "ict_survey_fails.xls").read_bytes()
    typed = {"title": "Computer", "purpose": "Wir fragen nach Computern.", "retention_days": "45"}
    wrong = upload(coordinator, ict, "ict_survey_fails.xls", **{**typed, "retention_days": "x"})
    assert wrong.status_code == 400
    assert 'id="retention_days-error"' in wrong.get_data(as_text=True)
    answer = upload(coordinator, ict, "ict_survey_fails.xls", **typed)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    (item,) = forms_of(hub, "mittendrin").json["forms"]
    spec = FormPackage.from_dict(item["package"]).spec()
    assert (spec.slug, spec.title, spec.retention_days) == ("ict-survey-fails", "Computer", 45)

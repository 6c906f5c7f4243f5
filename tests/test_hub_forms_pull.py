"""Forms from the Stadthaus, on a Treffpunkt: pulled with the directory from a real hub
(`kiosk serve`, ROLE = "hub", tests/sync_support.py), verified, published through the kiosk's
own store (kiosk.publishing), shown on the Versand page and in `kiosk sync --status`.

The hub's side (publishing, the API, the coordinator's page) is in tests/test_hub_forms.py.
"""

import re
from datetime import timedelta

import pytest

from kiosk.formspec.package import FormPackage
from kiosk.hub.forms import publish_for_sites
from kiosk.hub.tokens import add_site, revoke_site
from kiosk.models import Draft, FormVersion
from kiosk.models.hub_forms import FormPullState, HubForm, HubSiteForms
from kiosk.publishing import activate_ready, form_states, pin
from kiosk.review.auth import create_user
from kiosk.scheduler import run_once
from kiosk.sync import forms_pull
from kiosk.sync.forms_pull import pull_forms, running_forms
from kiosk.sync.heartbeat import send_heartbeats
from kiosk.views.templating import de_datetime

from hub_forms_support import SLUG, package
from server import PASSWORD, free_port, log_in
from sync_support import HubServer, app_at, utc, within

REFUSED = "Stadthaus-Server nicht erreichbar (Verbindung abgelehnt)"
CHECKED_PACKAGES = forms_pull.checked_packages


@pytest.fixture
def hub(tmp_path):
    """A real hub with a site token for "mittendrin", not yet started."""
    server = HubServer(tmp_path / "hub", port=free_port())
    server.app = app_at(server.instance_path, ROLE="hub")  # to publish forms, in-process
    with within(server.app):
        server.token = add_site("mittendrin", "Treffpunkt Mittendrin")
    yield server
    server.stop()


@pytest.fixture
def site(tmp_path, hub):
    return app_at(tmp_path / "site", SYNC_TARGETS=[hub.target(hub.token)], NIGHTLY_HOUR=24)


def publish_on_hub(hub, version: int, sites=None) -> HubForm:
    with within(hub.app):
        return publish_for_sites(package(version), sites=sites, by="Stadthaus")


def pull(site, now):
    with within(site):
        return pull_forms(site.config["SYNC_TARGETS"][0], now)


def states(site) -> dict:
    """The survey's versions on the site: (active, pending, pinned, origin), None if unknown."""
    with within(site):
        found = {state.slug: state for state in form_states()}
    state = found.get(SLUG)
    if state is None:
        return None
    return (state.active_number, state.pending_number, state.pinned_number, state.origin)


def question(site) -> str | None:
    """The first question of the survey the kiosk asks now (None: not in force)."""
    with within(site):
        spec = site.extensions["kiosk_forms"].get(SLUG)
    return spec.fields[0].label if spec else None


def pull_row(site) -> FormPullState | None:
    with within(site):
        return FormPullState.get_or_none()


@pytest.fixture
def coordinator(site):
    with within(site):
        create_user("cora", PASSWORD, "coordinator")
    client = site.test_client()
    log_in(client, "cora")
    return client


# --- Offline, then online -----------------------------------------------------------------------


def test_a_site_pulling_while_the_hub_is_down_keeps_everything_and_gets_the_form_later(
    hub, site, coordinator
):
    publish_on_hub(hub, 1)
    down = utc(2026, 12, 3, 9)
    failed = pull(site, down)
    assert (failed.outcome, failed.error) == ("failed", REFUSED)
    assert failed.describe() == f"Formulare nicht übernommen: {REFUSED}"
    assert states(site) is None and question(site) is None
    row = pull_row(site)
    assert (row.error, row.attempted_at, row.applied_at, row.version) == (REFUSED, down, None, "")
    page = coordinator.get("/review/versand/").get_data(as_text=True)
    assert f"Formulare nicht übernommen: {REFUSED}" in page
    assert "noch keine Formulare vom Stadthaus übernommen" in page
    status = site.test_cli_runner().invoke(args=["sync", "--status"]).output
    assert "  Formulare: noch keine vom Stadthaus übernommen\n" in status
    assert f"): {REFUSED}\n" in status and "  Formulare-Fehler (" in status

    hub.start()
    later = utc(2026, 12, 3, 10)
    applied = pull(site, later)
    assert (applied.outcome, applied.forms, applied.taken) == (
        "applied",
        1,
        ("umfrage (Fassung 1)",),
    )
    assert applied.describe() == "Formulare vom Stadthaus übernommen: umfrage (Fassung 1)."
    assert states(site) == (1, None, None, "hub")  # no visitor was answering: in force at once
    assert question(site) == "Wie geht es Ihnen heute?"
    row = pull_row(site)
    assert (row.error, row.fetched_at, row.applied_at, row.forms) == ("", later, later, 1)
    page = coordinator.get("/review/versand/").get_data(as_text=True)
    assert "1 Formular vom Stadthaus" in page and "Formulare nicht übernommen" not in page
    assert f"zuletzt übernommen: {de_datetime(later)}" in page
    versions = page[page.index('class="form-versions') :]
    assert "Kurze Umfrage" in versions and 'Fassung 1<span class="meta">vom Stadthaus' in versions


def test_an_unchanged_hub_answers_304_and_nothing_is_read_again(hub, site, monkeypatch):
    publish_on_hub(hub, 1)
    hub.start()
    first = pull(site, utc(2026, 12, 3, 9))
    read = []
    monkeypatch.setattr(
        forms_pull, "checked_packages", lambda body: read.append(body) or CHECKED_PACKAGES(body)
    )
    second = pull(site, utc(2026, 12, 3, 10))
    assert (second.outcome, second.version) == ("unchanged", first.version) and read == []
    assert second.describe() == "Formulare vom Stadthaus unverändert (1 Formular)."
    assert pull_row(site).applied_at == utc(2026, 12, 3, 9)


# --- A new version: at once, or after the visitors' unfinished answers ---------------------------


def test_a_new_version_waits_for_an_open_draft_of_the_old_one(hub, site):
    publish_on_hub(hub, 1)
    hub.start()
    pull(site, utc(2026, 12, 3, 9))
    with within(site):  # a visitor is half-way through version 1
        version = FormVersion.for_spec(site.extensions["kiosk_forms"][SLUG])
        draft = Draft.create(form_version=version, lang="de")

    publish_on_hub(hub, 2)
    result = pull(site, utc(2026, 12, 3, 10))
    assert result.taken == ("umfrage (Fassung 2)",)
    assert states(site) == (1, 2, None, "hub")  # pending, the old one still asked
    assert question(site) == "Wie geht es Ihnen heute?"
    with within(site):
        assert running_forms() == [{"slug": SLUG, "active": 1, "pending": 2, "pinned": False}]
        draft.delete_instance()  # the visitor finished
        activate_ready()
    assert states(site) == (2, None, None, "hub")
    assert question(site) == "Wie geht es Ihnen heute? (2. Fassung)"


def test_a_pinned_form_keeps_its_version_and_the_hub_sees_it_in_the_heartbeat(hub, site):
    publish_on_hub(hub, 1)
    hub.start()
    pull(site, utc(2026, 12, 3, 9))
    with within(site):
        pin(SLUG, 1, by="cora")
    publish_on_hub(hub, 2)
    assert pull(site, utc(2026, 12, 3, 10)).outcome == "applied"
    with within(site):
        activate_ready()
    assert states(site) == (1, 2, 1, "hub")
    assert question(site) == "Wie geht es Ihnen heute?"

    # The heartbeat tells the Stadthaus; its page shows the site held at version 1.
    with within(site):
        assert send_heartbeats(utc(2026, 12, 3, 11), force=True) == {"stadthaus": ""}
    with within(hub.app):
        (report,) = HubSiteForms.select()
        assert report.forms == [{"slug": SLUG, "active": 1, "pending": 2, "pinned": True}]

    # A pull of the same versions again publishes nothing anew: the pin still holds.
    assert pull(site, utc(2026, 12, 3, 12)).outcome == "unchanged"
    with within(site):
        pin(SLUG, None, by="cora")
    assert states(site) == (2, None, None, "hub")


def test_a_version_the_stadthaus_brings_back_is_taken_again(hub, site):
    publish_on_hub(hub, 1)
    hub.start()
    pull(site, utc(2026, 12, 3, 9))
    publish_on_hub(hub, 2)
    pull(site, utc(2026, 12, 3, 10))
    assert question(site) == "Wie geht es Ihnen heute? (2. Fassung)"
    again = publish_on_hub(hub, 1)  # the first content once more: the hub's version 3
    assert again.number == 3
    assert pull(site, utc(2026, 12, 3, 11)).taken == ("umfrage (Fassung 3)",)
    assert states(site) == (3, None, None, "hub")
    assert question(site) == "Wie geht es Ihnen heute?"
    with within(site):
        assert running_forms() == [{"slug": SLUG, "active": 3, "pending": None, "pinned": False}]


def test_a_form_for_other_sites_never_reaches_this_one(hub, site):
    with within(hub.app):
        add_site("am-markt", "Am Markt")
    publish_on_hub(hub, 1, sites=["am-markt"])
    hub.start()
    result = pull(site, utc(2026, 12, 3, 9))
    assert (result.outcome, result.forms) == ("unchanged", 0)
    assert states(site) is None


# --- Refused: a tampered package, a broken form, a revoked token ---------------------------------


def put_version(hub, number: int, data: dict, checksum: str) -> None:
    """A version as a hub (or someone between) might serve it, past the hub's own checks."""
    with within(hub.app):
        HubForm.create(slug=SLUG, number=number, checksum=checksum, package=data, published_by="x")


BROKEN = package(2).source.replace('type = "rating"', 'type = "tanz"')


@pytest.mark.parametrize(
    ("data", "checksum", "error"),
    [
        (
            {**package(2).to_dict(), "source": package(2).source.replace("heute", "morgen")},
            package(2).checksum,
            "Formular „umfrage“ (Fassung 2) ist beschädigt: die Prüfsumme stimmt nicht",
        ),
        (
            FormPackage(SLUG, BROKEN).to_dict(),
            FormPackage(SLUG, BROKEN).checksum,
            "Formular „umfrage“ (Fassung 2) besteht unsere Prüfung nicht",
        ),
    ],
    ids=["tampered", "broken"],
)
def test_a_tampered_or_broken_form_is_refused_and_nothing_changes(hub, site, data, checksum, error):
    publish_on_hub(hub, 1)
    hub.start()
    first = pull(site, utc(2026, 12, 3, 9))
    put_version(hub, 2, data, checksum)
    failed = pull(site, utc(2026, 12, 3, 10))
    assert failed.outcome == "failed"
    assert failed.error.startswith(f"Die Formulare vom Stadthaus-Server sind fehlerhaft: {error}")
    assert states(site) == (1, None, None, "hub")
    assert question(site) == "Wie geht es Ihnen heute?"
    row = pull_row(site)
    assert (row.version, row.applied_at, row.error) == (
        first.version,
        utc(2026, 12, 3, 9),
        failed.error,
    )


def test_a_revoked_token_is_refused_and_recorded(hub, site):
    publish_on_hub(hub, 1)
    with within(hub.app):
        revoke_site("mittendrin")
    hub.start()
    failed = pull(site, utc(2026, 12, 3, 9))
    assert failed.outcome == "failed"
    assert failed.error.startswith(
        "Der Stadthaus-Server kennt das Zugangs-Token nicht (falsch oder widerrufen)"
    )
    assert states(site) is None and pull_row(site).error == failed.error


# --- With the directory: the scheduler, `kiosk sync`, the Versand page's button -----------------


def test_the_scheduler_and_kiosk_sync_pull_the_forms_with_the_directory(hub, site):
    publish_on_hub(hub, 1)
    hub.start()
    start = utc(2026, 12, 3, 9)
    done = run_once(site, start)
    assert done["directory"].outcome == "applied" and done["form_pull"].outcome == "applied"
    assert run_once(site, start + timedelta(minutes=30))["form_pull"] is None  # not due yet

    publish_on_hub(hub, 2)
    runner = site.test_cli_runner()
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert "stadthaus: Formulare vom Stadthaus übernommen: umfrage (Fassung 2).\n" in result.output
    status = runner.invoke(args=["sync", "--status"]).output
    assert re.search(r"  Formulare: 1 Formular, übernommen \d\d\.\d\d\.20\d\d \d\d:\d\d\n", status)

    hub.stop()
    failed = runner.invoke(args=["sync"])
    assert failed.exit_code == 1
    assert f"stadthaus: Formulare nicht übernommen: {REFUSED}" in failed.output


def test_the_versand_pages_button_pulls_the_forms_too(hub, site, coordinator):
    publish_on_hub(hub, 1)
    hub.start()
    page = coordinator.get("/review/versand/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = coordinator.post(
        "/review/versand/verzeichnis", data={"csrf_token": token}, headers={"HX-Request": "true"}
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in html
    assert "Formulare vom Stadthaus übernommen: umfrage (Fassung 1)." in html
    assert 'class="form-versions' in html and "Kurze Umfrage" in html

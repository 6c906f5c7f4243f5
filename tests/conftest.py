"""Fixtures: an app on a fresh instance folder, its client and CLI runner, a visitor, `auth`."""

import shutil

import flask
import pytest
from argon2 import PasswordHasher
from playwright.sync_api import sync_playwright

from kiosk import create_app
from kiosk.db import prepare_database

from browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from server import TOKEN, AuthActions


@pytest.fixture
def instance(tmp_path, monkeypatch):
    path = tmp_path / "instance"
    monkeypatch.setenv("KIOSK_INSTANCE_PATH", str(path))
    return path


@pytest.fixture(scope="session")
def built_instance(tmp_path_factory):
    """An instance with visits from August to October 2026 and their reports, built once."""
    from sync_support import template_instance

    return template_instance(tmp_path_factory)


@pytest.fixture
def make_site(instance, built_instance):
    """A copy of `built_instance`; call it with delivery targets and settings to get its app."""
    from sync_support import site_maker

    return site_maker(instance, built_instance)


APP_CONFIG = {"SECRET_KEY": "test-secret", "TESTING": True}
# argon2id at its least cost: the library's parameters take about 0.13 s per hash and per
# login, which most tests pay several times over without being about hashing.
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def quick_hashing(request, monkeypatch):
    """Every test in this process hashes passwords quickly, except those marked `real_hashing`
    (what a hash costs is their subject). Servers in their own processes hash as deployed."""
    if request.node.get_closest_marker("real_hashing"):
        return
    from kiosk.review import auth

    dummy = QUICK_HASHER.hash("dummy")
    monkeypatch.setattr(auth, "hasher", QUICK_HASHER)
    monkeypatch.setattr(auth, "dummy_hash", lambda: dummy)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database with every migration applied and the site, forms and help lines recorded, made
    once per test process: each `app` starts from a copy of the file (migrating takes about
    0.1 s, copying a millisecond). Its connection is closed, so the file holds everything."""
    path = tmp_path_factory.mktemp("migrated") / "instance"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_INSTANCE_PATH", str(path))
        prepare_database(create_app(APP_CONFIG))
    return path / "kiosk.sqlite3"


@pytest.fixture
def app(instance, migrated_database):
    """An app on a fresh instance: a copy of the migrated database, prepared as at a start."""
    instance.mkdir(mode=0o700, parents=True)
    shutil.copyfile(migrated_database, instance / migrated_database.name)
    app = create_app(APP_CONFIG)
    prepare_database(app)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def auth(client):
    """`auth.login(name, password)` and `auth.logout()` on `client` (tests/server.py)."""
    return AuthActions(client)


class Visitor:
    """Walks the kiosk as a visitor would: opens pages, keeps the CSRF token, posts answers."""

    def __init__(self, client, lang="de"):
        self.client = client
        self.lang = lang
        self.token = ""
        self.url = ""

    def open(self, url, **kwargs):
        response = self.client.get(url, follow_redirects=True, **kwargs)
        self.remember(response)
        return response

    def post(self, url, data=None, **kwargs):
        payload = {"csrf_token": self.token, **(data or {})}
        response = self.client.post(url, data=payload, follow_redirects=True, **kwargs)
        self.remember(response)
        return response

    def remember(self, response):
        self.response = response
        self.url = response.request.path
        match = TOKEN.search(response.get_data(as_text=True))
        if match:
            self.token = match.group(1)

    def start(self, form):
        self.open(f"/{self.lang}/")
        return self.post(f"/{self.lang}/{form}/")

    def answer(self, value=None, **extra):
        data = dict(extra)
        if value is not None:
            data["answer"] = value
        return self.post(self.url, data)

    def get_html(self) -> str:
        """The page the visitor sees now."""
        return self.response.get_data(as_text=True)

    @property
    def draft_url(self):
        """The form session's base URL: /<lang>/<form>/<uuid>."""
        return self.url.split("/step/")[0].removesuffix("/summary")

    def submit(self):
        return self.post(f"{self.draft_url}/submit")


@pytest.fixture
def form_app():
    """A bare Flask app for the form engine's own tests (no kiosk, no database)."""
    app = flask.Flask(__name__)
    app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False)
    return app


@pytest.fixture
def in_request(form_app):
    with form_app.test_request_context():
        yield


@pytest.fixture
def visitor(client):
    return Visitor(client)


@pytest.fixture(scope="session")
def browser():
    """One chromium for the whole run: Playwright's sync API allows one instance at a time."""
    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()

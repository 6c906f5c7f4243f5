"""Mittendrin: kiosk forms for the Treffpunkte Mittendrin in Wildeshausen.

The package root is the application's frame: `create_app` reads the settings, loads the forms
and wires the database, the extensions, the blueprints and the commands together.
"""

import os

from flask import Flask

from . import cli, config, db, i18n, publishing, sync
from .config import PROJECT_ROOT
from .extensions import csrf
from .files import private_folder
from .views import api, assets, auth, errors, hub, kiosk, reports, review, security, templating
from .views import sync as sync_views
from .views.accounts import bp as accounts_bp
from .views.audio import bp as audio_bp
from .views.cases import bp as cases_bp
from .views.directory import bp as directory_bp
from .views.forms_admin import bp as forms_admin_bp
from .views.forms_preview import bp as form_preview_bp
from .views.hub_forms import bp as hub_forms_bp
from .views.notes import bp as notes_bp
from .views.recordings import bp as recordings_bp
from .views.renderings import bp as renderings_bp
from .views.sprachpaten import bp as sprachpaten_bp
from .views.wegweiser import bp as wegweiser_bp

BLUEPRINTS = (
    kiosk.bp,
    wegweiser_bp,
    auth.bp,
    review.bp,
    notes_bp,
    cases_bp,
    accounts_bp,
    directory_bp,
    sprachpaten_bp,
    forms_admin_bp,
    form_preview_bp,
    reports.bp,
    sync_views.bp,
    hub.bp,
    hub_forms_bp,
    api.bp,
    audio_bp,
    recordings_bp,
    renderings_bp,
)


def instance_path() -> str:
    return os.path.abspath(
        os.environ.get("KIOSK_INSTANCE_PATH") or os.path.join(PROJECT_ROOT, "instance")
    )


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py (or test_config), then extensions."""
    app = Flask(
        __name__,
        instance_path=instance_path(),
        instance_relative_config=True,
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    app.config.from_mapping(config.defaults())
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    app.config.setdefault("FORMS_DIR", None)
    app.config["FORMS_DIR"] = app.config["FORMS_DIR"] or os.path.join(PROJECT_ROOT, "forms")
    config.check_role(app.config)
    sync.init_app(app)  # a broken SYNC_TARGETS stops the start with a message
    private_folder(app.instance_path)  # it holds the database, the config and the backups

    load_forms(app)
    db.init_app(app)
    publishing.init_app(app)  # after the database: its check runs in a request
    csrf.init_app(app)
    i18n.init_app(app)
    assets.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    cli.init_app(app)
    return app


def load_forms(app: Flask) -> None:
    """Load and check every form at start-up: a broken definition stops the server. The shipped
    forms are overlaid by the published ones in force (kiosk/publishing/)."""
    app.extensions["kiosk_forms"] = publishing.forms_in_force(app)

"""Mittendrin: kiosk forms for the Treffpunkte Mittendrin in Wildeshausen."""

import os
from importlib import metadata

from flask import Flask

from . import config, db, errors, i18n, security, templating
from .extensions import csrf


def program_version() -> str:
    """The installed version of this program (heartbeats, the service worker's cache name)."""
    try:
        return metadata.version("mittendrin-kiosk")
    except metadata.PackageNotFoundError:
        return "unbekannt"


PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
    os.makedirs(app.instance_path, exist_ok=True)

    load_forms(app)
    db.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    errors.init_app(app)

    from .views import auth, kiosk, review

    app.register_blueprint(kiosk.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(review.bp)

    from .reports import views as reports

    app.register_blueprint(reports.bp)

    from . import sync
    from .views import sync as sync_views

    sync.init_app(app)  # a broken SYNC_TARGETS stops the start with a message
    app.register_blueprint(sync_views.bp)

    from .views import api, hub

    app.register_blueprint(hub.bp)
    app.register_blueprint(api.bp)

    from . import cli

    cli.init_app(app)
    return app


def load_forms(app: Flask) -> None:
    """Load and check every form at start-up: a broken definition stops the server."""
    from .formspec import load_forms as load

    app.extensions["kiosk_forms"] = load(app.config["FORMS_DIR"])

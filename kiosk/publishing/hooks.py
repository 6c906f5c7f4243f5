"""The throttled check before a request: another process's published forms come in, and a
version waiting for the visitors' unfinished answers comes in force once the last one ended."""

import logging

from flask import Flask

from .registry import REGISTRY_KEY, Registry
from .store import activate_ready

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Give `app` its registry and the check before each request, at most once in
    RECHECK_SECONDS (register after kiosk.db.init_app: the check uses the connection)."""
    registry = app.extensions[REGISTRY_KEY] = Registry(app)

    @app.before_request
    def recheck_published_forms():
        if not registry.due():
            return
        try:
            if registry.check(app):  # versions pending: perhaps the last draft has ended
                activate_ready()
        except Exception:  # a page is still served, with the forms held
            log.exception("Veröffentlichte Formulare nicht geprüft")

"""Error pages in the visitor's language: unknown page, bad request, body too large, failure."""

from flask import Flask, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import api, render_page


def error_page(status: int, title: str, text: str):
    return render_page("errors/error.html", status=status, title=title, text=text)


def http_error(error: HTTPException):
    if request.path.startswith(api.ROOT):
        return api.http_error(error)  # sites read JSON, also for unknown URLs and methods
    titles = {
        404: gettext("Diese Seite gibt es nicht."),
        405: gettext("Das hat nicht geklappt."),
        413: gettext("Das ist zu viel Text."),
    }
    texts = {
        404: gettext("Tippen Sie auf „Start“, um neu zu beginnen."),
        413: gettext("Bitte schreiben Sie weniger und versuchen Sie es noch einmal."),
    }
    status = error.code or 500
    return error_page(
        status,
        titles.get(status, gettext("Das hat nicht geklappt.")),
        texts.get(status, gettext("Bitte versuchen Sie es noch einmal.")),
    )


def csrf_error(error: CSRFError):
    if request.blueprint == "kiosk":
        from .kiosk import retry_after_csrf_error

        response = retry_after_csrf_error()
        if response is not None:
            return response
    return error_page(
        400,
        gettext("Die Seite war zu lange offen."),
        gettext("Bitte versuchen Sie es noch einmal."),
    )


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)

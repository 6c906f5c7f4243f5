"""Coordinators' delivery page: each target's state in plain German, and "send now"; the state
of the directory pulled from the hub, and "pull now"."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from ..models import utcnow
from ..publishing import form_states
from ..review.auth import audit, role_required
from ..sync import TYPE_NAMES
from ..sync.directory import directory_state, pull_now
from ..sync.forms_pull import forms_pull_status, pull_forms_now
from ..sync.heartbeat import send_heartbeats
from ..sync.outbox import TargetRun, deliver_outbox, enqueue_reports, sync_status
from . import render_component

bp = Blueprint("sync", __name__, url_prefix="/review/versand")
ORIGIN_NAMES = {"hub": "vom Stadthaus", "upload": "hier hochgeladen", "shipped": "mitgeliefert"}


def directory_context(result: str = "") -> dict:
    return {
        "directory": directory_state(),
        "pull_minutes": current_app.config["DIRECTORY_PULL_MINUTES"],
        "directory_result": result,
        # The forms come with the directory (kiosk/sync/forms_pull.py): templates/sync/_forms.html.
        "forms_pull": forms_pull_status(),
        "form_states": form_states(),
        "origin_names": ORIGIN_NAMES,
    }


def page_context(result: str = "") -> dict:
    minutes = current_app.config["SYNC_RETRY_CAP_SECONDS"] / 60
    return {
        "statuses": sync_status(),
        "type_names": TYPE_NAMES,
        "retry_minutes": f"{minutes:.1f}".removesuffix(".0").replace(".", ","),
        "result": result,
        **directory_context(),
    }


def describe_run(runs: dict[str, TargetRun]) -> str:
    delivered = sum(len(run.delivered) for run in runs.values())
    failed = sum(len(run.failed) for run in runs.values())
    text = f"Gesendet: {delivered} {'Bericht' if delivered == 1 else 'Berichte'} zugestellt"
    if failed:
        text += f", {failed} nicht zugestellt (siehe Tabelle)"
    return text + "."


def back_to_the_page(result: str):
    def redirect_back():
        flash(result)
        return redirect(url_for(".index"), 303)

    return redirect_back


@bp.get("/")
@role_required("coordinator")
def index():
    return render_template("sync/index.html", **page_context())


@bp.post("/senden")
@role_required("coordinator")
def send_now():
    """Deliver every waiting report at once, ignoring the backoff; the table shows the result."""
    now = utcnow()
    enqueue_reports(now)
    result = describe_run(deliver_outbox(now, force=True))
    send_heartbeats(now, force=True)
    audit("sync_now", detail=result)
    return render_component("sync/_index.html", page_context(result), back_to_the_page(result))


@bp.post("/verzeichnis")
@role_required("coordinator")
def pull_directory():
    """Pull the directory from the hub at once; its section shows the result."""
    pulled = pull_now()
    result = pulled.describe() if pulled else "Kein Stadthaus-Server eingerichtet."
    forms = pull_forms_now()  # the forms from the Stadthaus come with the directory
    result += f" {forms.describe()}" if forms else ""
    audit("directory_pull", detail=result)
    return render_component(
        "sync/_directory.html", directory_context(result), back_to_the_page(result)
    )

"""Coordinators' delivery page: each target's state in plain German, and "send now"."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from ..models import utcnow
from ..review.auth import audit, role_required
from ..sync import TYPE_NAMES
from ..sync.heartbeat import send_heartbeats
from ..sync.outbox import TargetRun, deliver_outbox, enqueue_reports, sync_status
from . import render_component

bp = Blueprint("sync", __name__, url_prefix="/review/versand")


def page_context(result: str = "") -> dict:
    minutes = current_app.config["SYNC_RETRY_CAP_SECONDS"] / 60
    return {
        "statuses": sync_status(),
        "type_names": TYPE_NAMES,
        "retry_minutes": f"{minutes:.1f}".removesuffix(".0").replace(".", ","),
        "result": result,
    }


def describe_run(runs: dict[str, TargetRun]) -> str:
    delivered = sum(len(run.delivered) for run in runs.values())
    failed = sum(len(run.failed) for run in runs.values())
    text = f"Gesendet: {delivered} {'Bericht' if delivered == 1 else 'Berichte'} zugestellt"
    if failed:
        text += f", {failed} nicht zugestellt (siehe Tabelle)"
    return text + "."


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

    def back_to_the_page():
        flash(result)
        return redirect(url_for(".index"), 303)

    return render_component("sync/_index.html", page_context(result), back_to_the_page)

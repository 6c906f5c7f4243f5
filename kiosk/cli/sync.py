"""The `kiosk sync` command: deliver the outbox now, or show its state (German output)."""

import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from ..clock import local_time
from ..extensions import db
from ..models import utcnow
from ..sync import TYPE_NAMES, configured_targets
from ..sync.heartbeat import send_heartbeats
from ..sync.outbox import deliver_outbox, enqueue_reports, sync_status


def german_time(moment: datetime | None) -> str:
    return f"{local_time(moment):%d.%m.%Y %H:%M}" if moment else "noch nie"


def print_status() -> None:
    statuses = sync_status()
    if not statuses:
        click.echo("Keine Versandziele eingerichtet (SYNC_TARGETS in instance/config.py).")
    for status in statuses:
        click.echo(f"{status.name} ({TYPE_NAMES[status.kind]})")
        click.echo(f"  zuletzt zugestellt: {german_time(status.last_success)}")
        click.echo(f"  wartend: {status.queued}")
        if status.last_error:
            click.echo(
                f"  letzter Fehler ({german_time(status.last_attempt)}): {status.last_error}"
            )
        if status.kind == "hub":
            click.echo(f"  letztes Lebenszeichen angekommen: {german_time(status.heartbeat_ok_at)}")
            if status.heartbeat_error:
                click.echo(f"  Lebenszeichen-Fehler: {status.heartbeat_error}")


def deliver_now() -> bool:
    """Queue and deliver everything at once, ignoring the backoff; True if nothing waits."""
    enqueue_reports()
    runs = deliver_outbox(force=True)
    send_heartbeats(utcnow(), force=True)
    waiting = 0
    for status in sync_status():
        run = runs[status.name]
        waiting += status.queued
        line = f"{status.name}: {len(run.delivered)} zugestellt, {status.queued} wartend"
        if run.errors:
            line += f". Fehler: {run.errors[-1]}"
        click.echo(line)
    return waiting == 0


@click.command("sync")
@click.option("--status", "show_status", is_flag=True, help="Only show the state of each target.")
@with_appcontext
def sync_command(show_status):
    """Deliver every queued report now (exit 1 if some still wait); --status shows each target."""
    from ..db import prepare_database

    prepare_database(current_app._get_current_object())
    with db.connection_context():
        if show_status:
            print_status()
            return
        if not configured_targets():
            click.echo("Keine Versandziele eingerichtet (SYNC_TARGETS in instance/config.py).")
            return
        if not deliver_now():
            sys.exit(1)

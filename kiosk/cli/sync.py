"""The `kiosk sync` command: deliver the outbox and pull the directory now, or show the state of
both (German output)."""

import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from ..clock import local_time
from ..extensions import db
from ..models import utcnow
from ..sync import TYPE_NAMES, configured_targets
from ..sync.directory import directory_state, pull_now
from ..sync.forms_pull import forms_pull_status, pull_forms_now
from ..sync.heartbeat import send_heartbeats
from ..sync.hub_pull import PullState
from ..sync.outbox import deliver_outbox, enqueue_reports, sync_status


def german_time(moment: datetime | None) -> str:
    return f"{local_time(moment):%d.%m.%Y %H:%M}" if moment else "noch nie"


def print_directory(name: str, state: PullState | None) -> None:
    """The directory's lines under its hub target; another hub target only says where it is."""
    if state is None:
        return
    if state.target != name:
        click.echo(f"  Verzeichnis: kommt von „{state.target}“")
        return
    if state.version:
        click.echo(f"  Verzeichnis: Stand {state.short_version}, {state.count_text}")
    else:
        click.echo("  Verzeichnis: noch keines übernommen")
    click.echo(f"  Verzeichnis zuletzt abgerufen: {german_time(state.fetched_at)}")
    click.echo(f"  Verzeichnis zuletzt übernommen: {german_time(state.applied_at)}")
    if state.error:
        click.echo(f"  Verzeichnis-Fehler ({german_time(state.attempted_at)}): {state.error}")


def print_forms_pull(name: str) -> None:
    """The last pull of the forms from the Stadthaus, under the hub target it comes from."""
    state = forms_pull_status()
    if state is None or state.target != name:
        return
    if state.applied_at:
        click.echo(f"  Formulare: {state.count_text}, übernommen {german_time(state.applied_at)}")
    else:
        click.echo("  Formulare: noch keine vom Stadthaus übernommen")
    if state.error:
        click.echo(f"  Formulare-Fehler ({german_time(state.attempted_at)}): {state.error}")


def print_status() -> None:
    statuses = sync_status()
    if not statuses:
        click.echo("Keine Versandziele eingerichtet (SYNC_TARGETS in instance/config.py).")
    directory = directory_state()
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
            print_directory(status.name, directory)
            print_forms_pull(status.name)


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


def pull_directory_now() -> bool:
    """Pull the directory from the hub at once; False if that failed (True without a hub)."""
    result = pull_now()
    if result is None:
        return True
    click.echo(f"{result.target}: {result.describe()}")
    forms = pull_forms_now()  # the forms from the Stadthaus come with the directory
    click.echo(f"{forms.target}: {forms.describe()}")
    return result.ok and forms.ok


@click.command("sync")
@click.option("--status", "show_status", is_flag=True, help="Only show the state of each target.")
@with_appcontext
def sync_command(show_status):
    """Deliver every queued report and pull the hub's directory now (exit 1 if a report still
    waits or the pull failed); --status shows each target and the directory."""
    from ..db import prepare_database

    prepare_database(current_app._get_current_object())
    with db.connection_context():
        if show_status:
            print_status()
            return
        if not configured_targets():
            click.echo("Keine Versandziele eingerichtet (SYNC_TARGETS in instance/config.py).")
            return
        delivered = deliver_now()
        pulled = pull_directory_now()
        if not (delivered and pulled):
            sys.exit(1)

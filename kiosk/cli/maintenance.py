"""The `kiosk purge`, `kiosk backup` and `kiosk restore` commands (German output)."""

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..maintenance.backup import BackupError, backup_folder, backups, create_backup, restore_backup


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@with_appcontext
def purge_command(dry_run):
    """Delete personal data past each form's Löschfrist (also run every night)."""
    from ..maintenance.retention import COUNT_NAMES, purge_expired

    with db.connection_context():
        counts = purge_expired(dry_run=dry_run)
    click.echo("Probelauf, nichts gelöscht:" if dry_run else "Gelöscht:")
    for kind, name in COUNT_NAMES.items():
        click.echo(f"  {counts[kind]:>6}  {name}")
    click.echo(f"  {counts['times']:>6}  Zeiten auf den Tag gekürzt")


@click.command("backup")
@with_appcontext
def backup_command():
    """Write a checked copy of the database to BACKUP_DIR, keeping the last BACKUP_KEEP."""
    app = current_app._get_current_object()
    try:
        path = create_backup(app)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    from ..review.auth import audit

    with db.connection_context():
        audit("backup", "", os.path.basename(path), user_name="cli")
    count = len(backups(backup_folder(app)))
    click.echo(f"Sicherung geschrieben: {path} ({os.path.getsize(path)} Bytes).")
    click.echo(f"Sicherungen im Ordner: {count} (höchstens {app.config['BACKUP_KEEP']}).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def restore_command(file):
    """Bring back a backup FILE after checking it; the server must be stopped."""
    from ..db import prepare_database
    from ..maintenance.retention import purge_expired
    from ..review.auth import audit

    app = current_app._get_current_object()
    try:
        kept = restore_backup(app, file)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    if kept:
        click.echo(f"Die bisherige Datenbank liegt jetzt unter {kept}.")
    prepare_database(app)  # a backup from an older version gets the newer migrations
    with db.connection_context():
        audit("restore", "", os.path.basename(file), user_name="cli")
        # What expired since the backup was made must not come back with it.
        counts = purge_expired()
    click.echo(f"Sicherung {file} zurückgespielt.")
    click.echo(f"Seitdem abgelaufen und wieder gelöscht: {counts['personal_answers']} Antworten.")

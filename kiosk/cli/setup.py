"""Setting up and running a kiosk: `kiosk init`, `serve` and `demo`."""

import os
import secrets

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from ..db import prepare_database
from ..extensions import db
from ..files import PRIVATE_FILE
from ..maintenance.backup import hold_server_lock
from ..views.security import waitress_options

CONFIG_TEMPLATE = '''\
"""Settings of this Treffpunkt's kiosk; every setting and its default is listed in the README."""

SECRET_KEY = "{secret}"
SITE_SLUG = "mittendrin"
SITE_NAME = "Treffpunkt Mittendrin"
# A month, or the quarter so far where a month alone would hide too many small numbers.
REPORT_SCHEDULE = "auto"
'''


def write_instance_config(app: Flask) -> bool:
    """Create instance/config.py with a random SECRET_KEY unless it exists; True if created."""
    path = os.path.join(app.instance_path, "config.py")
    if os.path.exists(path):
        return False
    private = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)  # never 0644
    with open(private, "w", encoding="utf-8") as config_file:
        config_file.write(CONFIG_TEMPLATE.format(secret=secrets.token_hex(32)))
    app.config.from_pyfile(path)
    return True


@click.command("init")
@with_appcontext
def init_command():
    """Create the instance folder, its config with a secret key, and the database; all of them
    for this user only (an older instance's folder and database files are made so)."""
    app = current_app._get_current_object()
    if write_instance_config(app):
        click.echo(f"Wrote {os.path.join(app.instance_path, 'config.py')} with a new SECRET_KEY.")
    applied = prepare_database(app)
    for name in applied:
        click.echo(f"Applied migration {name}.")
    first_admin = create_first_admin()
    if first_admin:
        name, password = first_admin
        click.echo(f"Created the first admin {name!r} with the one-time password: {password}")
        click.echo("It must be changed at the first login at /review/login.")
    click.echo(f"Instance ready: {app.instance_path}")


def create_first_admin() -> tuple[str, str] | None:
    """On an instance without accounts, an admin with a random one-time password."""
    from ..models import User
    from ..review.auth import create_user, new_password

    with db.connection_context():
        if User.select().exists():
            return None
        password = new_password()
        create_user("admin", password, "admin", must_change=True)
    return "admin", password


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
@click.option(
    "--threads", type=click.IntRange(1), help="Worker threads of each process (SERVER_THREADS)."
)
@click.option("--processes", type=click.IntRange(1), help="Worker processes (SERVER_PROCESSES).")
@with_appcontext
def serve_command(host, port, threads, processes):
    """Serve the kiosk with waitress (applies pending migrations first).

    Guarded against slow and greedy clients: deadlines for a request's headers and body, and a
    limit of connections per client address (kiosk/serving.py, the SERVER_… settings). Several
    processes share the port where the system can fork (kiosk/serving_workers.py).
    """
    from ..scheduler import start_scheduler
    from ..serving import Guard, serve

    app = current_app._get_current_object()
    if not app.config.get("SECRET_KEY"):
        raise click.ClickException("No SECRET_KEY: run `kiosk init` first.")
    try:
        guard = Guard.from_config(app.config)
    except ValueError as problem:
        raise click.ClickException(str(problem)) from None
    prepare_database(app)
    click.echo(f"Mittendrin kiosk on http://{host}:{port}/ (instance {app.instance_path})")
    hold_server_lock(app)  # `kiosk restore` refuses while a server holds it
    serve(
        app,
        guard,
        processes=serving_processes(app.config, processes),
        # due reports, delivery, heartbeats, nightly purge and backup: in one process only
        started=lambda number: number == 0 and start_scheduler(app),
        host=host,
        port=port,
        threads=threads or positive_setting(app.config, "SERVER_THREADS"),
        ident="mittendrin",
        **waitress_options(app.config),
    )


def positive_setting(config, name: str) -> int:
    value = config[name]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise click.ClickException(f"{name} = {value!r}: a whole number ≥ 1 is needed.")
    return value


def serving_processes(config, given: int | None) -> int:
    """--processes, else SERVER_PROCESSES, at most one per core."""
    wanted = given or positive_setting(config, "SERVER_PROCESSES")
    return max(1, min(wanted, os.cpu_count() or 1))


@click.command("demo")
@click.option("--count", default=400, show_default=True, help="How many submissions.")
@click.option("--months", default=6, show_default=True, help="Spread over this many months back.")
@click.option("--seed", default=2026, show_default=True, help="Random seed, for repeatable data.")
@with_appcontext
def demo_command(count, months, seed):
    """Fill the database with a realistic mix of demo submissions and the example Wegweiser."""
    from ..directory.builtin import fill_demo_directory
    from ..visitor.demo import fill_demo_data

    prepare_database(current_app._get_current_object())
    with db.connection_context():
        made = fill_demo_data(current_app.extensions["kiosk_forms"], count, months, seed)
        examples = fill_demo_directory()
    click.echo(f"Stored {made} demo submissions over {months} months.")
    click.echo(f"Wegweiser: {examples} example entries and events added (marked as examples).")

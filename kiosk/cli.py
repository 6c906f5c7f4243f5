"""The `kiosk` command: set up an instance, serve, check forms, fill demo data, manage catalogs."""

import contextlib
import os
import secrets
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .backup import hold_server_lock
from .browser import browser_command
from .extensions import db
from .hub.cli import site_group
from .hub.cli_report import hub_group
from .maintenance_cli import backup_command, purge_command, restore_command
from .migrations import apply_migrations
from .reports.cli import report_group
from .security import waitress_options
from .sync.cli import sync_command

CONFIG_TEMPLATE = '''\
"""Settings of this Treffpunkt's kiosk; every setting and its default is listed in the README."""

SECRET_KEY = "{secret}"
SITE_SLUG = "mittendrin"
SITE_NAME = "Treffpunkt Mittendrin"
'''


def create_cli_app() -> Flask:
    from . import create_app
    from .config import ConfigError
    from .formspec import FormSpecError

    try:
        return create_app()
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    except FormSpecError as error:
        # A broken form definition stops every command with a message, not a traceback.
        raise click.ClickException(f"form definition refused: {error}") from error


@click.group(cls=FlaskGroup, create_app=create_cli_app, add_version_option=False)
def main():
    """Mittendrin kiosk: forms for the Treffpunkte Mittendrin in Wildeshausen."""


def write_instance_config(app: Flask) -> bool:
    """Create instance/config.py with a random SECRET_KEY unless it exists; True if created."""
    path = os.path.join(app.instance_path, "config.py")
    if os.path.exists(path):
        return False
    with open(path, "x", encoding="utf-8") as config_file:
        config_file.write(CONFIG_TEMPLATE.format(secret=secrets.token_hex(32)))
    os.chmod(path, 0o600)
    app.config.from_pyfile(path)
    return True


def prepare_database(app: Flask) -> list[str]:
    """Apply pending migrations and record the current version of every form."""
    from .models import FormVersion, Site

    with db.connection_context():
        applied = apply_migrations(db.obj)
        Site.local(app.config["SITE_SLUG"], app.config["SITE_NAME"])
        for spec in app.extensions["kiosk_forms"].values():
            FormVersion.for_spec(spec)
    return applied


@click.command("init")
@with_appcontext
def init_command():
    """Create the instance folder, its config with a secret key, and the database."""
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
    from .auth import create_user, new_password
    from .models import User

    with db.connection_context():
        if User.select().exists():
            return None
        password = new_password()
        create_user("admin", password, "admin", must_change=True)
    return "admin", password


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, help="Worker threads of waitress.")
@with_appcontext
def serve_command(host, port, threads):
    """Serve the kiosk with waitress (applies pending migrations first)."""
    import waitress

    from .sync.scheduler import start_scheduler

    app = current_app._get_current_object()
    if not app.config.get("SECRET_KEY"):
        raise click.ClickException("No SECRET_KEY: run `kiosk init` first.")
    prepare_database(app)
    click.echo(f"Mittendrin kiosk on http://{host}:{port}/ (instance {app.instance_path})")
    hold_server_lock(app)  # `kiosk restore` refuses while a server holds it
    start_scheduler(app)  # due reports, delivery, heartbeats, nightly purge and backup
    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="mittendrin",
        **waitress_options(app.config),
    )


@click.group("forms")
def forms_group():
    """Form definitions in forms/*.toml."""


@forms_group.command("check")
@with_appcontext
def forms_check_command():
    """Check every form definition; exit 1 and name file and field on any problem."""
    from .formspec import check_forms, load_forms

    problems = check_forms(current_app.config["FORMS_DIR"])
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        sys.exit(1)
    for spec in load_forms(current_app.config["FORMS_DIR"]).values():
        click.echo(f"ok: {spec.slug} (version {spec.version_hash}, {len(spec.fields)} fields)")


@click.command("demo")
@click.option("--count", default=400, show_default=True, help="How many submissions.")
@click.option("--months", default=6, show_default=True, help="Spread over this many months back.")
@click.option("--seed", default=2026, show_default=True, help="Random seed, for repeatable data.")
@with_appcontext
def demo_command(count, months, seed):
    """Fill the database with a realistic mix of demo submissions."""
    from .demo import fill_demo_data

    prepare_database(current_app._get_current_object())
    with db.connection_context():
        made = fill_demo_data(current_app.extensions["kiosk_forms"], count, months, seed)
    click.echo(f"Stored {made} demo submissions over {months} months.")


def read_password() -> str:
    """Asked twice at a terminal, or one line from standard input (for scripts)."""
    if sys.stdin.isatty():
        return click.prompt("Passwort", hide_input=True, confirmation_prompt="Noch einmal")
    password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise click.ClickException("No password on standard input.")
    return password


def checked_password() -> str:
    password = read_password()
    if len(password) < 12:
        raise click.ClickException("A password needs at least 12 characters.")
    return password


@click.group("user")
def user_group():
    """Staff accounts for the review area."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["volunteer", "coordinator", "admin"]), required=True)
@with_appcontext
def user_add(name, role):
    """Create an account; the password is asked twice or read from standard input."""
    from .auth import audit, create_user
    from .models import User

    with db.connection_context():
        if User.get_or_none(User.name == name):
            raise click.ClickException(f"User {name!r} exists already.")
        create_user(name, checked_password(), role)
        audit("user_added", name, detail=role, user_name="cli")
    click.echo(f"Created {role} {name!r}.")


@user_group.command("list")
@with_appcontext
def user_list():
    """List every account with its role and whether it is active."""
    from .models import User

    with db.connection_context():
        for user in User.select().order_by(User.name):
            state = "active" if user.active else "disabled"
            click.echo(f"{user.name:<24} {user.role:<12} {state}")


def find_user(name: str):
    from .models import User

    user = User.get_or_none(User.name == name)
    if user is None:
        raise click.ClickException(f"No user {name!r}.")
    return user


@user_group.command("disable")
@click.argument("name")
@with_appcontext
def user_disable(name):
    """Disable an account and end its sessions."""
    from .auth import audit, revoke_sessions

    with db.connection_context():
        user = find_user(name)
        user.active = False
        user.save()
        revoke_sessions(user)
        audit("user_disabled", name, user_name="cli")
    click.echo(f"Disabled {name!r}.")


@user_group.command("password")
@click.argument("name")
@with_appcontext
def user_password(name):
    """Set a new password for an account (ends its sessions)."""
    from .auth import audit, hash_password, revoke_sessions

    with db.connection_context():
        user = find_user(name)
        user.password_hash = hash_password(checked_password())
        user.must_change_password = False
        user.save()
        revoke_sessions(user)
        audit("password_set", name, user_name="cli")
    click.echo(f"New password set for {name!r}.")


TRANSLATIONS_DIR = os.path.join(os.path.dirname(__file__), "translations")
POT_FILE = os.path.join(TRANSLATIONS_DIR, "messages.pot")


def pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", *args])


@click.group("translations")
def translations_group():
    """Gettext catalogs of the interface and the form texts."""


@translations_group.command("extract")
def translations_extract():
    """Collect every German source text (code, templates, forms) into messages.pot."""
    os.makedirs(TRANSLATIONS_DIR, exist_ok=True)
    extract_to(POT_FILE)
    click.echo(f"Wrote {POT_FILE}")


def extract_to(path: str) -> None:
    from . import PROJECT_ROOT

    path = os.path.abspath(path)
    # From the project folder, so the catalogs name files by relative paths on every machine.
    with contextlib.chdir(PROJECT_ROOT):
        pybabel(
            "extract",
            "-F",
            os.path.join(PROJECT_ROOT, "babel.cfg"),
            "-k",
            "_l",
            "--sort-by-file",
            "--no-wrap",
            "--project=Mittendrin",
            "--copyright-holder=Mittendrin",
            "-o",
            path,
            ".",  # babel.cfg's patterns are relative to it; hidden folders are skipped
        )


@translations_group.command("update")
def translations_update():
    """Merge messages.pot into every language's catalog."""
    # --no-wrap keeps each catalog's one-line "# Review: …" status intact.
    pybabel("update", "-i", POT_FILE, "-d", TRANSLATIONS_DIR, "--no-fuzzy-matching", "--no-wrap")


@translations_group.command("compile")
def translations_compile():
    """Compile every catalog into the .mo file the app reads."""
    pybabel("compile", "-d", TRANSLATIONS_DIR, "--statistics")


@translations_group.command("check")
def translations_check():
    """Print each language's coverage; fail when a visitor language misses a string."""
    import tempfile

    from .catalogs import catalog_report, read_catalog, source_ids

    with tempfile.TemporaryDirectory() as scratch:
        fresh = os.path.join(scratch, "messages.pot")
        extract_to(fresh)
        stale = set(source_ids(read_catalog(fresh))) != set(source_ids(read_catalog(POT_FILE)))
        report = catalog_report(fresh)
    click.echo(f"{'language':<10}{'coverage':>10}  {'missing':>7}  review")
    for status in report:
        click.echo(
            f"{status.code:<10}{status.coverage:>10.1%}  {len(status.missing):>7}  {status.review}"
        )
        for text in status.missing[:5] + status.broken[:5]:
            click.echo(
                f"    {'placeholders differ' if text in status.broken else 'missing'}: {text!r}"
            )
    if stale:
        click.echo("messages.pot is out of date: run `make translations`.", err=True)
    if stale or not all(status.complete for status in report):
        sys.exit(1)


COMMANDS = (
    init_command,
    serve_command,
    forms_group,
    demo_command,
    user_group,
    translations_group,
    report_group,
    sync_command,
    site_group,
    hub_group,
    purge_command,
    backup_command,
    restore_command,
    browser_command,
)


def init_app(app: Flask) -> None:
    # On the app's CLI group, so `kiosk …` and `flask --app kiosk …` offer the same commands.
    for command in COMMANDS:
        app.cli.add_command(command)


if __name__ == "__main__":
    main()

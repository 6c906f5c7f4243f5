"""`kiosk user …`: staff accounts for the review area, from the shell."""

import sys

import click
from flask.cli import with_appcontext

from ..extensions import db


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
    from ..models import User
    from ..review.auth import audit, create_user

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
    from ..models import User

    with db.connection_context():
        for user in User.select().order_by(User.name):
            state = "active" if user.active else "disabled"
            click.echo(f"{user.name:<24} {user.role:<12} {state}")


def find_user(name: str):
    from ..models import User

    user = User.get_or_none(User.name == name)
    if user is None:
        raise click.ClickException(f"No user {name!r}.")
    return user


@user_group.command("disable")
@click.argument("name")
@with_appcontext
def user_disable(name):
    """Disable an account and end its sessions."""
    from ..review.auth import audit, revoke_sessions

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
    from ..review.auth import audit, hash_password, revoke_sessions

    with db.connection_context():
        user = find_user(name)
        user.password_hash = hash_password(checked_password())
        user.must_change_password = False
        user.save()
        revoke_sessions(user)
        audit("password_set", name, user_name="cli")
    click.echo(f"New password set for {name!r}.")

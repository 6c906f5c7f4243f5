"""`kiosk user …`: staff accounts for the review area, from the shell (admins also have the
browser's /review/konten; both go through kiosk/review/accounts.py)."""

import sys

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..models import ROLES

BY = "cli"  # who the audit log names for what is done here


def read_password() -> str:
    """Asked twice at a terminal, or one line from standard input (for scripts)."""
    if sys.stdin.isatty():
        return click.prompt("Passwort", hide_input=True, confirmation_prompt="Noch einmal")
    password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise click.ClickException("No password on standard input.")
    return password


def checked_password(name: str) -> str:
    """A typed password that the staff's password rules accept for the account `name`."""
    from ..review.password_rules import password_problem

    password = read_password()
    problem = password_problem(password, name)
    if problem:
        raise click.ClickException(problem)
    return password


def language_codes(text: str | None) -> list[str]:
    """ "ar,fa" as ["ar", "fa"], checked against the visitor languages (German message)."""
    from ..review.accounts import AccountError, checked_languages

    try:
        return checked_languages((text or "").split(","))
    except AccountError as error:
        raise click.ClickException(str(error)) from None


def refused(call, *args):
    """Run an account change; its German refusal as the command's error."""
    from ..review.accounts import AccountError

    try:
        return call(*args)
    except AccountError as error:
        raise click.ClickException(str(error)) from None


def one_time_notice(name: str, password: str) -> None:
    click.echo(f"One-time password for {name!r}: {password}")
    click.echo("It must be changed at the next login at /review/login.")


@click.group("user")
def user_group():
    """Staff accounts for the review area."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--speaks", metavar="CODES", help="Languages spoken besides German, e.g. ar,fa.")
@click.option(
    "--one-time", is_flag=True, help="Make and print a one-time password instead of asking."
)
@with_appcontext
def user_add(name, role, speaks, one_time):
    """Create an account; the password is asked twice or read from standard input."""
    from ..models import User
    from ..review.accounts import add_account

    with db.connection_context():
        if User.get_or_none(User.name == name):
            raise click.ClickException(f"User {name!r} exists already.")
        languages = language_codes(speaks)
        password = None if one_time else checked_password(name)
        _, made = refused(add_account, name, role, languages, BY, password)
    if made:
        one_time_notice(name, made)
    click.echo(f"Created {role} {name!r}.")


@user_group.command("list")
@with_appcontext
def user_list():
    """List every account with its role, the languages it speaks and whether it is active."""
    from ..models import User

    with db.connection_context():
        for user in User.select().order_by(User.name):
            state = "active" if user.active else "disabled"
            speaks = ",".join(user.speaks or []) or "-"
            click.echo(f"{user.name:<24} {user.role:<12} {state:<9} {speaks}")


def find_user(name: str):
    from ..models import User

    user = User.get_or_none(User.name == name)
    if user is None:
        raise click.ClickException(f"No user {name!r}.")
    return user


@user_group.command("speaks")
@click.argument("name")
@click.argument("codes", default="")
@with_appcontext
def user_speaks(name, codes):
    """Set the languages an account speaks besides German (e.g. ar,fa; none to clear)."""
    from ..review.accounts import set_languages

    with db.connection_context():
        user = find_user(name)
        languages = set_languages(user, language_codes(codes), BY)
    click.echo(f"{name!r} speaks: {', '.join(languages) or 'German only'}.")


@user_group.command("disable")
@click.argument("name")
@with_appcontext
def user_disable(name):
    """Disable an account and end its sessions (never the last active admin)."""
    from ..review.accounts import disable_account

    with db.connection_context():
        refused(disable_account, find_user(name), BY)
    click.echo(f"Disabled {name!r}.")


@user_group.command("enable")
@click.argument("name")
@with_appcontext
def user_enable(name):
    """Enable a disabled account again."""
    from ..review.accounts import enable_account

    with db.connection_context():
        enable_account(find_user(name), BY)
    click.echo(f"Enabled {name!r}.")


@user_group.command("password")
@click.argument("name")
@click.option(
    "--one-time", is_flag=True, help="Make and print a one-time password instead of asking."
)
@with_appcontext
def user_password(name, one_time):
    """Set a new password for an account (ends its sessions).

    With --one-time a random password is made and printed; the account must choose its own
    at the next login. Otherwise the typed password must follow the password rules.
    """
    from ..review.accounts import issue_one_time_password, set_password

    with db.connection_context():
        user = find_user(name)
        if one_time:
            one_time_notice(name, issue_one_time_password(user, BY))
            return
        set_password(user, checked_password(name), by=BY)
    click.echo(f"New password set for {name!r}.")

"""The `kiosk` command: a Flask CLI group that builds the app and offers the app's commands."""

import click
from flask import Flask
from flask.cli import FlaskGroup

from .. import create_app
from ..config import ConfigError
from ..formspec import FormSpecError


def create_cli_app() -> Flask:
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

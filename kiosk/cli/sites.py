"""`kiosk site …`: the Treffpunkte that may report to this hub, and their tokens."""

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..hub.tokens import TokenError, add_site, revoke_site
from ..models import HubSite
from ..review.auth import audit


@click.group("site")
def site_group():
    """Treffpunkte that report to this hub (ROLE = "hub"), and their tokens."""


@site_group.command("add")
@click.argument("slug")
@click.option("--name", default="", help="Display name, e.g. 'Treffpunkt Mittendrin'.")
@with_appcontext
def site_add(slug, name):
    """Register a Treffpunkt by its SITE_SLUG; prints its token once."""
    with db.connection_context():
        try:
            token = add_site(slug, name)
        except TokenError as error:
            raise click.ClickException(str(error)) from error
        audit("hub_site_added", slug, user_name="cli")
    if current_app.config["ROLE"] != "hub":
        click.echo('Hinweis: ROLE ist nicht "hub"; dieser Server nimmt noch keine Berichte an.')
    click.echo(f"Treffpunkt {slug!r} angelegt. Schlüssel (wird nur jetzt angezeigt):")
    click.echo(token)
    click.echo("In instance/config.py des Treffpunkts eintragen:")
    click.echo(
        f'SYNC_TARGETS = [{{"name": "stadthaus", "type": "hub", '
        f'"url": "https://<adresse-des-hubs>/", "token": "{token}"}}]'
    )


@site_group.command("revoke")
@click.argument("slug")
@with_appcontext
def site_revoke(slug):
    """Revoke a Treffpunkt's token; its reports stay."""
    with db.connection_context():
        try:
            revoke_site(slug)
        except TokenError as error:
            raise click.ClickException(str(error)) from error
        audit("hub_site_revoked", slug, user_name="cli")
    click.echo(f"Schlüssel von {slug!r} gesperrt.")


@site_group.command("list")
@with_appcontext
def site_list():
    """List every Treffpunkt with its state."""
    with db.connection_context():
        for site in HubSite.select().order_by(HubSite.slug):
            state = f"gesperrt {site.revoked_at:%Y-%m-%d}" if site.revoked_at else "aktiv"
            click.echo(f"{site.slug:<24} {state:<20} {site.name}")

"""`kiosk hub report`: the town's combined report of all received site reports, as a PDF file."""

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..hub.combined import render_town_report
from ..hub.site_summaries import CombineError
from ..reports.render import RenderError


@click.group("hub")
def hub_group():
    """The hub at the Stadthaus (ROLE = "hub"): the town's combined report."""


@hub_group.command("report")
@click.argument("period")
@click.option("--to", "last", help="Last period to add up (as long as PERIOD), e.g. 2026-12.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Where to write the PDF; default: Gesamtbericht-<Zeitraum>.pdf in this folder.",
)
@with_appcontext
def hub_report_command(period, last, output):
    """Write the combined PDF of every site for PERIOD (2026-10, 2026-W43, 2026-Q3) or a span.

    With --to, the periods from PERIOD to --to are added up (weeks with weeks, months with
    months); a period a site did not report is marked "kein Bericht", never counted as zero.
    """
    from ..db import prepare_database

    if current_app.config["ROLE"] != "hub":
        raise click.ClickException(
            'Dieser Server ist kein Hub (ROLE ist nicht "hub"): er empfängt keine Berichte.'
        )
    prepare_database(current_app._get_current_object())
    with db.connection_context():
        try:
            report = render_town_report(period, last)
        except (CombineError, RenderError) as error:
            raise click.ClickException(str(error)) from None
    path = output or report.file_name
    with click.open_file(path, "wb", atomic=True) as target:  # never half a PDF at `path`
        target.write(report.rendered.pdf)
    for site in report.combined["sites"]:
        if site["missing"]:
            click.echo(f"Kein Bericht von {site['name']}: {', '.join(site['missing'])}", err=True)
    for left_out in report.combined["unreadable"]:
        click.echo(
            f"Nicht lesbar und deshalb nicht enthalten: der Bericht von {left_out['name']} "
            f"für {left_out['period']} ({left_out['problem']})",
            err=True,
        )
    click.echo(path)

"""The `kiosk report` commands: build a period's report for the Stadthaus, list built reports."""

import os
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from ..dates import DateInputError, parse_day
from ..extensions import db
from ..reports.periods import PeriodError, date_range, last_complete_month, parse_period
from ..reports.store import ReportError, build_report, list_records, reports_dir, version_of


class Day(click.ParamType):
    """A day as 2026-12-24 (or 24.12.2026), read as the staff pages read it (kiosk/dates.py):
    from 2000 to 2099, else a clean usage error."""

    name = "day"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return parse_day(value)
        except DateInputError as error:
            self.fail(str(error), param, ctx)


DAY = Day()


@click.group("report")
def report_group():
    """Anonymous PDF reports for the Stadthaus, per site and period."""


def chosen_period(period, first, last):
    """--period, or --from with --to, or else the last complete month."""
    if period and (first or last):
        raise click.UsageError("Use either --period or --from/--to, not both.")
    if bool(first) != bool(last):
        raise click.UsageError("--from and --to go together.")
    try:
        if period:
            return parse_period(period)
        if first:
            return date_range(first, last)
    except PeriodError as error:
        raise click.UsageError(str(error)) from None
    return last_complete_month()


def chosen_site(slug: str | None):
    from ..models import Site

    slug = slug or current_app.config["SITE_SLUG"]
    site = Site.get_or_none(Site.slug == slug)
    if site is None:
        raise click.ClickException(f"No site {slug!r} in the database (run `kiosk init`).")
    return site


@report_group.command("build")
@click.option("--period", help="A month (2026-11), ISO week (2026-W47) or quarter (2026-Q4).")
@click.option("--from", "first", type=DAY, help="First day (with --to), e.g. 2026-11-01.")
@click.option("--to", "last", type=DAY, help="Last day, included.")
@click.option("--site", "site_slug", help="Site slug; default: this site's SITE_SLUG.")
@click.option("--rebuild", is_flag=True, help="Build again even if the report exists.")
@with_appcontext
def build_command(period, first, last, site_slug, rebuild):
    """Build a period's report into instance/reports/ and print its path (default: last month).

    A report that exists is not built again unless --rebuild is given.
    """
    from ..db import prepare_database

    chosen = chosen_period(period, first, last)
    prepare_database(current_app._get_current_object())
    with db.connection_context():
        site = chosen_site(site_slug)
        try:
            result = build_report(site, chosen, rebuild=rebuild)
        except ReportError as error:
            raise click.ClickException(str(error)) from None
    if not result.built:
        click.echo(f"Exists already (use --rebuild to build it again): {result.pdf_path}", err=True)
    click.echo(result.pdf_path)


@report_group.command("list")
@click.option("--site", "site_slug", help="Site slug; default: this site's SITE_SLUG.")
@with_appcontext
def list_command(site_slug):
    """List the built reports of a site: period, creation time, UUID, PDF and version."""
    slug = site_slug or current_app.config["SITE_SLUG"]
    for record in list_records(current_app.instance_path, slug):
        click.echo(
            f"{record['period']['key']:<24} {record['created']:<26} {record['uuid']}  "
            f"{record['pdf']}  Version {version_of(record)}"
        )


@report_group.command("due")
@click.option("--today", type=DAY, help="Count as this day (default: today), e.g. 2026-12-01.")
@with_appcontext
def due_command(today):
    """Build the reports that are due (REPORT_SCHEDULE) and queue them for SYNC_TARGETS.

    Missed periods since the first submission are caught up, at most the last twelve. Reports
    waiting to be built again (after an erasure or a withdrawn approval) are built again now.
    """
    from ..db import prepare_database
    from ..models import utcnow
    from ..reports.due import build_due_reports, report_day, why_none_due
    from ..reports.versions import rebuild_pending
    from ..sync.outbox import enqueue_reports, register_targets

    prepare_database(current_app._get_current_object())
    day = today or report_day(utcnow(), current_app.config["REPORT_HOUR"])
    with db.connection_context():
        register_targets()  # first: what this run builds is sent to every target
        try:
            built = build_due_reports(day)
        except ReportError as error:
            raise click.ClickException(str(error)) from None
        rebuilt = rebuild_pending(force=True)
        queued = enqueue_reports()
    folder = reports_dir(current_app.instance_path, current_app.config["SITE_SLUG"])
    for record in built:
        path = os.path.join(folder, record["pdf"])
        click.echo(f"Bericht {record['period']['label']} erstellt: {path}")
    if not built:
        with db.connection_context():
            click.echo(why_none_due(day))
    for record in rebuilt.built:
        path = os.path.join(folder, record["pdf"])
        label, version = record["period"]["label"], record["version"]
        click.echo(f"Bericht {label} neu erstellt (Version {version}): {path}")
    for label, reason in rebuilt.failed:
        click.echo(f"Bericht {label} nicht neu erstellt: {reason}", err=True)
    for record, target in queued:
        click.echo(f"In den Versand an {target}: {record['period']['label']}")

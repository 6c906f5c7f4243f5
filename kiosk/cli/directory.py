"""`kiosk directory export|import`: the directory as a JSON file (docs/directory.md)."""

import click


@click.group("directory")
def directory_group():
    """The directory of offices and services (Wegweiser) as JSON."""

"""Every command of the `kiosk` program, put on the app's CLI group by `create_app`.

The `kiosk` group itself (which builds the app) is in main.py, so that this list never imports
the package root.
"""

from flask import Flask

from .audio import audio_group
from .browser import browser_command
from .directory import directory_group
from .forms import forms_group
from .hub import hub_group
from .maintenance import backup_command, purge_command, restore_command
from .reports import report_group
from .setup import demo_command, init_command, serve_command
from .sites import site_group
from .sync import sync_command
from .translations import translations_group
from .users import user_group

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
    audio_group,
    directory_group,
)


def init_app(app: Flask) -> None:
    # On the app's CLI group, so `kiosk …` and `flask --app kiosk …` offer the same commands.
    for command in COMMANDS:
        app.cli.add_command(command)

"""`kiosk browser`: Chromium full screen and locked on the kiosk's start page (Linux, Pi)."""

import ipaddress
import os
import shlex
import shutil
import time
import urllib.request
from urllib.error import URLError
from urllib.parse import urlsplit

import click

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DEFAULT_URL = "http://127.0.0.1:8080/"
# Full screen without any way out by touch: no error or crash bubbles, no pinch zoom, no swipe
# back, no update or first-run dialogs, no translate bar, no keyring prompt.
KIOSK_FLAGS = (
    "--kiosk",
    "--noerrdialogs",
    "--disable-session-crashed-bubble",
    "--disable-infobars",
    "--disable-pinch",
    "--overscroll-history-navigation=0",
    "--check-for-update-interval=31536000",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-features=Translate",
    "--password-store=basic",
)


def find_browser(explicit: str | None = None) -> str:
    """The path of Chromium or Chrome: the one asked for, else the first on PATH."""
    for name in (explicit,) if explicit else BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    wanted = explicit or " / ".join(BROWSERS)
    raise click.ClickException(
        f"Kein Browser gefunden ({wanted}). Installieren: sudo apt install chromium"
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin_flags(url: str) -> list[str]:
    """Service workers need a secure origin: plain HTTP to another machine is made one.

    A tablet that reaches the server over the LAN (http://192.168.1.10:8080/) would otherwise
    get no offline pages and no queue. HTTPS needs nothing here.
    """
    parts = urlsplit(url)
    if parts.scheme != "http" or is_loopback(parts.hostname or ""):
        return []
    return [f"--unsafely-treat-insecure-origin-as-secure={parts.scheme}://{parts.netloc}"]


def browser_command_line(
    url: str, browser: str, profile: str | None, extra: tuple[str, ...] = ()
) -> list[str]:
    """The full command: browser, kiosk flags, profile, the start page last."""
    # Incognito forgets everything when the browser closes, a queued submission too; a profile
    # folder keeps the offline queue and cache across a restart of the tablet.
    storage = [f"--user-data-dir={os.path.abspath(profile)}"] if profile else ["--incognito"]
    return [browser, *KIOSK_FLAGS, *storage, *origin_flags(url), *extra, url]


def wait_for_server(url: str, seconds: float) -> bool:
    """Until the start page answers (at boot the server may still be starting); False if not."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except (URLError, OSError):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.5)


@click.command("browser", context_settings={"ignore_unknown_options": True})
@click.option("--url", default=DEFAULT_URL, show_default=True, help="Start page of the kiosk.")
@click.option("--browser", "explicit", help="Browser program (default: the first one found).")
@click.option(
    "--profile",
    type=click.Path(file_okay=False),
    help="Profile folder instead of incognito: the offline queue survives a restart.",
)
@click.option(
    "--wait",
    default=60,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds to wait for the server to answer before the browser starts anyway.",
)
@click.option("--print-command", is_flag=True, help="Only print the command, do not start it.")
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
def browser_command(url, explicit, profile, wait, print_command, extra):
    """Start Chromium in kiosk mode on the start page (more browser flags after `--`)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(
            "eine http(s)-Adresse, z. B. http://127.0.0.1:8080/", param_hint="--url"
        )
    command = browser_command_line(url, find_browser(explicit), profile, tuple(extra))
    if print_command:
        click.echo(shlex.join(command))
        return
    if not wait_for_server(url, wait):
        click.echo(f"{url} antwortet nicht; der Browser startet trotzdem.", err=True)
    # The browser takes this process's place, so systemd or the autostart watches it directly.
    os.execv(command[0], command)

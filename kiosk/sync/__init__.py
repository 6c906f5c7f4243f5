"""Delivery of reports to the Stadthaus: the targets of SYNC_TARGETS, checked at start-up.

The outbox (outbox.py) keeps one row per report and target until it is delivered; the
transports (transports.py) send to a hub, by email or into a folder; the scheduler
(scheduler.py) runs all of it inside `kiosk serve`, and `kiosk sync` (cli.py) from the shell.
"""

from flask import Flask, current_app

from ..config import ConfigError

# Per type: the keys a target must have, and the ones it may have besides "name" and "type".
TARGET_KEYS = {
    "hub": ({"url", "token"}, {"ca_file", "timeout"}),
    "email": (
        {"host", "sender", "recipients"},
        {"port", "username", "password", "starttls", "ca_file", "timeout"},
    ),
    "folder": ({"path"}, set()),
}
SCHEDULES = ("auto", "monthly", "quarterly", "weekly")
MAX_GRACE_DAYS = 30
TYPE_NAMES = {"hub": "Stadthaus-Server", "email": "E-Mail", "folder": "Ordner"}


class SyncConfigError(ConfigError):
    """SYNC_TARGETS cannot be used; the message names target and key (German and English)."""


def _problem(index: int, target, german: str, english: str) -> SyncConfigError:
    name = target.get("name") if isinstance(target, dict) else None
    label = f"„{name}“" if name else f"Nr. {index + 1}"
    kind = f" ({target.get('type')})" if isinstance(target, dict) and target.get("type") else ""
    english_label = repr(name) if name else f"no. {index + 1}"
    return SyncConfigError(
        f"SYNC_TARGETS: Ziel {label}{kind}: {german} / target {english_label}{kind}: {english}"
    )


def check_target(index: int, target) -> None:
    if not isinstance(target, dict):
        raise _problem(index, target, "ist kein dict", "is not a dict")
    if not isinstance(target.get("name"), str) or not target["name"].strip():
        raise _problem(index, target, "Angabe „name“ fehlt", 'missing key "name"')
    kind = target.get("type")
    if kind not in TARGET_KEYS:
        raise _problem(
            index,
            target,
            f"unbekannter Typ {kind!r} (hub, email oder folder)",
            f"unknown type {kind!r} (hub, email or folder)",
        )
    required, optional = TARGET_KEYS[kind]
    for key in sorted(required):
        if target.get(key) in (None, "", []):
            raise _problem(index, target, f"Angabe „{key}“ fehlt", f'missing key "{key}"')
    unknown = sorted(set(target) - required - optional - {"name", "type"})
    if unknown:
        raise _problem(
            index, target, f"unbekannte Angabe „{unknown[0]}“", f'unknown key "{unknown[0]}"'
        )
    check_values(index, target)


def check_values(index: int, target: dict) -> None:
    if target["type"] == "hub" and not str(target["url"]).startswith(("https://", "http://")):
        raise _problem(
            index, target, "„url“ muss mit https:// beginnen", '"url" must start with https://'
        )
    recipients = target.get("recipients")
    if target["type"] == "email" and not (
        isinstance(recipients, list) and all(isinstance(r, str) and "@" in r for r in recipients)
    ):
        raise _problem(
            index,
            target,
            "„recipients“ muss eine Liste von E-Mail-Adressen sein",
            '"recipients" must be a list of email addresses',
        )


def check_targets(targets) -> list[dict]:
    """The targets if every one is usable; else SyncConfigError for the first problem."""
    if not isinstance(targets, list | tuple):
        raise SyncConfigError("SYNC_TARGETS muss eine Liste sein / SYNC_TARGETS must be a list")
    names = set()
    for index, target in enumerate(targets):
        check_target(index, target)
        if target["name"] in names:
            raise _problem(index, target, "Name doppelt vergeben", "name used twice")
        names.add(target["name"])
    return list(targets)


def configured_targets() -> list[dict]:
    return list(current_app.config.get("SYNC_TARGETS") or [])


def check_schedule(config) -> None:
    if config["REPORT_SCHEDULE"] not in SCHEDULES:
        raise SyncConfigError(
            f"REPORT_SCHEDULE = {config['REPORT_SCHEDULE']!r}: erlaubt sind "
            '"auto", "monthly", "quarterly" und "weekly" / '
            'allowed are "auto", "monthly", "quarterly" and "weekly"'
        )
    grace = config.get("REPORT_GRACE_DAYS", 0)
    if not isinstance(grace, int) or isinstance(grace, bool) or not 0 <= grace <= MAX_GRACE_DAYS:
        raise SyncConfigError(
            f"REPORT_GRACE_DAYS = {grace!r}: eine ganze Zahl von 0 bis {MAX_GRACE_DAYS} / "
            f"a whole number from 0 to {MAX_GRACE_DAYS}"
        )
    for name in ("REPORT_HOUR", "NIGHTLY_HOUR"):
        if not isinstance(config[name], int) or not 0 <= config[name] <= 24:
            raise SyncConfigError(
                f"{name} = {config[name]!r}: eine Stunde von 0 bis 23 (24: nie) / "
                "an hour from 0 to 23 (24: never)"
            )
    for name in ("DIRECTORY_PULL_MINUTES", "DIRECTORY_MAX_BYTES"):
        value = config[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SyncConfigError(
                f"{name} = {value!r}: eine ganze Zahl ab 1 / a whole number from 1"
            )


def init_app(app: Flask) -> None:
    check_schedule(app.config)
    check_targets(app.config.get("SYNC_TARGETS") or [])

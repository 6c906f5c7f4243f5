"""The README documents every setting and every command, so none is a secret."""

import pathlib

from click.testing import CliRunner

from kiosk.cli import COMMANDS
from kiosk.cli.main import main
from kiosk.config import SETTINGS

README = (pathlib.Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    missing = [s.name for s in SETTINGS if f"| `{s.name}` |" not in README]
    assert not missing


def test_every_command_is_documented(instance):
    for command in COMMANDS:
        assert f"`kiosk {command.name}" in README, command.name
        result = CliRunner().invoke(main, [command.name, "--help"])
        assert result.exit_code == 0
        assert command.help

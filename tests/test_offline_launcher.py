"""`kiosk browser`: the command line it builds and its errors (the real start: test_offline)."""

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kiosk.cli.browser import KIOSK_FLAGS, browser_command

from server import free_port


def run(*args, env=None):
    return CliRunner().invoke(browser_command, list(args), env=env)


@pytest.fixture
def fake_browser(tmp_path):
    """An executable named chromium on an otherwise empty PATH."""
    program = tmp_path / "chromium"
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    return {"PATH": str(tmp_path)}


def test_prints_the_kiosk_command_with_incognito_by_default(fake_browser, tmp_path):
    result = run("--print-command", env=fake_browser)
    assert result.exit_code == 0, result.output
    words = result.output.split()
    assert words[0] == str(tmp_path / "chromium")
    assert set(KIOSK_FLAGS) <= set(words)
    assert "--kiosk" in words and "--overscroll-history-navigation=0" in words
    assert "--incognito" in words
    assert words[-1] == "http://127.0.0.1:8080/"
    assert not any(word.startswith("--unsafely") for word in words)


def test_a_profile_keeps_the_queue_and_extra_flags_come_before_the_url(fake_browser, tmp_path):
    profile = tmp_path / "profile"
    args = ["--profile", str(profile), "--url", "https://kiosk.local/", "--print-command"]
    result = run(*args, "--", "--force-device-scale-factor=1.5", env=fake_browser)
    assert result.exit_code == 0, result.output
    words = result.output.split()
    assert f"--user-data-dir={profile}" in words and "--incognito" not in words
    assert words[-2:] == ["--force-device-scale-factor=1.5", "https://kiosk.local/"]
    assert not any(word.startswith("--unsafely") for word in words)


def test_plain_http_on_the_lan_is_treated_as_secure_for_the_service_worker(fake_browser):
    result = run("--url", "http://192.168.1.10:8080/", "--print-command", env=fake_browser)
    assert result.exit_code == 0, result.output
    assert "--unsafely-treat-insecure-origin-as-secure=http://192.168.1.10:8080" in result.output


def test_no_browser_and_bad_urls_are_clear_errors(tmp_path):
    result = run("--print-command", env={"PATH": str(tmp_path)})
    assert result.exit_code == 1
    assert "Kein Browser gefunden" in result.output
    result = run("--url", "ftp://kiosk/", "--print-command", env={"PATH": "/usr/bin"})
    assert result.exit_code == 2
    assert "http(s)" in result.output


def test_waits_for_the_server_then_starts_the_browser_anyway(tmp_path):
    """Through a real process: the browser takes its place (exec) with the kiosk flags."""
    called = tmp_path / "called"
    program = tmp_path / "chromium"
    program.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {called}\n')
    program.chmod(0o755)
    url = f"http://127.0.0.1:{free_port()}/"  # nobody listens there
    command = [sys.executable, "-m", "kiosk.cli", "browser", "--browser", str(program)]
    command += ["--url", url, "--wait", "0.5"]
    env = {**os.environ, "KIOSK_INSTANCE_PATH": str(tmp_path / "instance")}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "antwortet nicht" in done.stderr
    arguments = called.read_text().split("\n")
    assert "--kiosk" in arguments and "--incognito" in arguments
    assert arguments[-2] == url  # the last line is empty

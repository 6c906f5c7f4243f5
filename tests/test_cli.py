"""The `kiosk` command through Click's runner: init, forms check, demo, help."""

import sqlite3

from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.models import Answer, Submission


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_help_lists_the_commands(instance):
    result = run("--help")
    assert result.exit_code == 0
    for command in ("init", "serve", "forms", "demo", "translations"):
        assert command in result.output


def test_init_creates_instance_config_and_database(instance):
    result = run("init")
    assert result.exit_code == 0, result.output
    config = (instance / "config.py").read_text()
    assert "SECRET_KEY = " in config
    database = instance / "kiosk.sqlite3"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        names = {row[0] for row in connection.execute("SELECT name FROM schema_migration")}
        assert "0001_initial" in names
        assert connection.execute("SELECT count(*) FROM form_version").fetchone()[0] >= 3


def test_init_twice_reuses_the_secret_and_data(instance):
    run("init")
    secret = (instance / "config.py").read_text()
    second = run("init")
    assert second.exit_code == 0
    assert "Applied migration" not in second.output
    assert (instance / "config.py").read_text() == secret


def test_forms_check_accepts_the_shipped_forms(instance):
    result = run("forms", "check")
    assert result.exit_code == 0, result.output
    for slug in ("intake", "feedback", "visit"):
        assert f"ok: {slug}" in result.output


def test_forms_check_names_file_and_field(runner, app, tmp_path):
    broken = tmp_path / "forms"
    broken.mkdir()
    (broken / "broken.toml").write_text(
        'title = "Kaputt"\ndescription = "x"\npurpose = "x"\nretention_days = 30\nicon = "home"\n'
        '[[fields]]\nname = "a"\ntype = "no-such-type"\nlabel = "A"\n',
        encoding="utf-8",
    )
    app.config["FORMS_DIR"] = str(broken)
    result = runner.invoke(args=["forms", "check"])
    assert result.exit_code == 1
    assert "broken.toml" in result.output
    assert "'a'" in result.output


def test_a_broken_form_stops_the_start(instance, tmp_path):
    broken = tmp_path / "forms"
    broken.mkdir()
    (broken / "dup.toml").write_text(
        'title = "D"\ndescription = "x"\npurpose = "x"\nretention_days = 30\nicon = "home"\n'
        '[[fields]]\nname = "a"\ntype = "text"\nlabel = "A"\n'
        '[[fields]]\nname = "a"\ntype = "text"\nlabel = "B"\n',
        encoding="utf-8",
    )
    (instance).mkdir(parents=True, exist_ok=True)
    (instance / "config.py").write_text(f'SECRET_KEY = "x"\nFORMS_DIR = "{broken}"\n')
    result = CliRunner().invoke(main, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert "dup.toml" in result.output
    assert "'a'" in result.output


def test_demo_fills_months_languages_and_forms(app, runner):
    result = runner.invoke(args=["demo", "--count", "120", "--months", "6"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert Submission.select().count() == 120
        assert len({s.lang for s in Submission.select(Submission.lang)}) >= 6
        months = {s.created_at.strftime("%Y-%m") for s in Submission.select(Submission.created_at)}
        assert len(months) >= 5
        slugs = {s.form_version.slug for s in Submission.select()}
        assert slugs == {"intake", "feedback", "visit"}
        assert Answer.select().count() > 120


def test_demo_twice_adds_more(app, runner):
    assert runner.invoke(args=["demo", "--count", "10"]).exit_code == 0
    assert runner.invoke(args=["demo", "--count", "10"]).exit_code == 0
    with app.app_context():
        assert Submission.select().count() == 20


def test_demo_is_repeatable_with_a_seed(app, runner):
    runner.invoke(args=["demo", "--count", "10", "--seed", "7"])
    with app.app_context():
        first = sorted(str(s.uuid) for s in Submission.select())
        Answer.delete().execute()
        Submission.delete().execute()
    runner.invoke(args=["demo", "--count", "10", "--seed", "7"])
    with app.app_context():
        assert sorted(str(s.uuid) for s in Submission.select()) == first

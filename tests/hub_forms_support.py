"""Shared by the tests of forms from the Stadthaus (tests/test_hub_forms*.py): apps on their own
instance folders, a small form in two versions as a package, and an XLSForm file of it."""

import contextlib
import io

import pytest
from openpyxl import Workbook

from kiosk import create_app
from kiosk.db import DATABASE_KEY, prepare_database, use_database
from kiosk.extensions import db
from kiosk.formspec.package import FormPackage

SLUG = "umfrage"
QUESTION = "Wie geht es Ihnen heute?"
SOURCE = """title = "Kurze Umfrage"
description = "Eine Frage vom Stadthaus."
purpose = "Das Stadthaus möchte wissen, wie es Ihnen heute geht."
retention_days = 30
icon = "mood-smile"
order = 40

[[fields]]
name = "today"
type = "rating"
label = "{question}"
required = true
icon = "mood-smile"
"""


def package(version: int = 1, slug: str = SLUG) -> FormPackage:
    """The survey in `version`: each version asks a slightly different question."""
    question = QUESTION if version == 1 else f"{QUESTION} ({version}. Fassung)"
    return FormPackage(
        slug, SOURCE.format(question=question), {"ar": {question: "كيف حالك اليوم؟"}}
    )


def app_at(path, **config):
    """An app on the instance folder `path` (its database made or migrated)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_INSTANCE_PATH", str(path))
        app = create_app(
            {"SECRET_KEY": "test-secret", "TESTING": True, "SCHEDULER_INTERVAL_SECONDS": 0} | config
        )
    prepare_database(app)
    return app


@contextlib.contextmanager
def within(app):
    """App context and an open connection to this app's own database (two apps in one test)."""
    with app.app_context():
        use_database(app.extensions[DATABASE_KEY])
        with db.connection_context():
            yield


def xlsform(rows: list[tuple], form_id: str = SLUG, title: str = "Kurze Umfrage") -> bytes:
    """An XLSForm file: `rows` below the survey sheet's heading, and its settings."""
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "label::Arabic (ar)", "required"])
    for row in rows:
        survey.append(list(row))
    book.create_sheet("choices").append(["list_name", "name", "label"])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title", "kiosk::purpose", "kiosk::retention_days"])
    settings.append([form_id, title, "Das Stadthaus möchte wissen, wer kommt.", 30])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

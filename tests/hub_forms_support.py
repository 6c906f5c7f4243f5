"""Shared by the tests of forms from the Stadthaus (tests/test_hub_forms*.py): a small form in two
versions as a package, and an XLSForm file of it."""

from kiosk.formspec.package import FormPackage

from xlsform_support import xlsx

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


def xlsform(rows: list[tuple], form_id: str = SLUG, title: str = "Kurze Umfrage") -> bytes:
    """An XLSForm file: `rows` below the survey sheet's heading, and its settings."""
    return xlsx(
        {
            "survey": [["type", "name", "label", "label::Arabic (ar)", "required"]]
            + [list(row) for row in rows],
            "choices": [["list_name", "name", "label"]],
            "settings": [
                ["form_id", "form_title", "kiosk::purpose", "kiosk::retention_days"],
                [form_id, title, "Das Stadthaus möchte wissen, wer kommt.", 30],
            ],
        }
    )

"""The key figures of a report's first page, taken from its protected tables."""

from .disclosure import german_decimal
from .tables import FEEDBACK, INTAKE, VISIT


def _row(table_data: dict, value: str) -> dict:
    return next(row for row in table_data["rows"] if row["value"] == value)


def key_figures(forms: dict, tables: dict) -> list[dict]:
    """The figures of page 1, each with the previous period and the change."""
    figures = []
    for form, label in ((VISIT, "Besuche"), (INTAKE, "Anmeldungen"), (FEEDBACK, "Rückmeldungen")):
        row = next((row for row in forms["rows"] if row["value"] == form), None)
        if row:
            figures.append({"key": form, "label": label, **_figure(row)})
    mean = tables["satisfaction"]["mean"]
    figures.append(
        {
            "key": "satisfaction",
            "label": "Zufriedenheit",
            "unit": "von 5",
            "current": _mean_cell(mean["current"]),
            "previous": _mean_cell(mean["previous"]),
            "change": _mean_change(mean["current"], mean["previous"]),
        }
    )
    followup = tables["followup"]
    open_row = _row(followup, "open")
    figures.append(
        {
            "key": "open",
            "label": "Anmeldungen offen",
            "current": open_row["current"],
            "previous": open_row["previous"],
            "change": None,  # the previous period's intakes have had longer: not comparable
        }
    )
    return figures


def _figure(row: dict) -> dict:
    return {"current": row["current"], "previous": row["previous"], "change": row["change"]}


def _mean_cell(mean: dict | None) -> dict:
    if mean is None:
        return {"value": None, "text": "\N{EN DASH}", "kind": "withheld"}
    return {"value": mean["value"], "text": mean["text"], "kind": "shown"}


def _mean_change(current: dict | None, previous: dict | None) -> str | None:
    if current is None or previous is None:
        return None
    difference = round(current["value"] - previous["value"], 1)
    if difference == 0:
        return "±0"
    sign = "+" if difference > 0 else "\N{MINUS SIGN}"
    return sign + german_decimal(abs(difference))

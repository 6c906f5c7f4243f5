"""The report's plain German sentences, written from the printed figures only."""

from .disclosure import german_number
from .periods import Period
from .tables import FEEDBACK, INTAKE, VISIT


def _amount(cell: dict, one: str, many: str) -> str:
    """ "812 Besuche", "weniger als 3 Besuche", "keine Besuche"."""
    if cell["kind"] == "small":
        return f"weniger als {cell['text'][1:]} {many}"
    if cell["value"] is None:
        return f"eine nicht genannte Zahl an {many}"
    if cell["value"] == 0:
        return f"keine {many}"
    return f"{cell['text']} {one if cell['value'] == 1 else many}"


def _top(table_data: dict, how_many: int) -> list[dict]:
    shown = [
        row
        for row in table_data["rows"]
        if row["current"]["value"] and row["value"] not in ("other", "no_answer")
    ]
    return sorted(shown, key=lambda row: -row["current"]["value"])[:how_many]


def sentences(summary: dict, period: Period) -> list[str]:
    """Three plain German sentences from the printed figures only."""
    figures = {figure["key"]: figure for figure in summary["key_figures"]}
    tables = summary["tables"]
    previous = period.previous()
    return [
        _visits_sentence(figures.get(VISIT), tables["reasons"], period, previous),
        _needs_sentence(figures.get(INTAKE), figures["open"], tables["needs"]),
        _satisfaction_sentence(figures["satisfaction"], figures.get(FEEDBACK), previous),
    ]


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _visits_sentence(figure, reasons, period: Period, previous: Period) -> str:
    if figure is None:
        return f"{_capitalized(period.phrase)} wurden keine Besuche gezählt."
    text = f"{_capitalized(period.phrase)} gab es {_amount(figure['current'], 'Besuch', 'Besuche')}"
    current, before = figure["current"]["value"], figure["previous"]["value"]
    if current and before is not None and figure["change"]:
        if current == before:
            text += f", genauso viele wie {previous.phrase}"
        else:
            more = "mehr" if current > before else "weniger"
            text += f", {german_number(abs(current - before))} {more} als {previous.phrase}"
    top = _top(reasons, 1)
    if top:
        text += f"; der häufigste Anlass war „{top[0]['label']}“ ({top[0]['current']['text']})"
    return text + "."


def _needs_sentence(figure, open_figure, needs) -> str:
    if figure is None:
        return "Anmeldungen wurden nicht erfasst."
    text = f"Es gab {_amount(figure['current'], 'Anmeldung', 'Anmeldungen')}"
    top = _top(needs, 2)
    if top:
        named = " und ".join(f"„{row['label']}“ ({row['current']['text']})" for row in top)
        text += f"; am häufigsten wurde Hilfe gebraucht bei {named}"
    still_open = open_figure["current"]
    if figure["current"]["value"] and still_open["kind"] == "small":
        text += f"; davon sind noch weniger als {still_open['text'][1:]} offen"
    elif figure["current"]["value"] and still_open["value"] == 0:
        text += "; davon ist keine mehr offen"
    elif figure["current"]["value"] and still_open["value"] is not None:
        text += f"; davon sind noch {still_open['text']} offen"
    return text + "."


def _satisfaction_sentence(figure, feedback, previous: Period) -> str:
    mean = figure["current"]
    if mean["value"] is None:
        return "Für eine Durchschnittsbewertung gab es zu wenige Rückmeldungen."
    text = f"Die Zufriedenheit liegt im Durchschnitt bei {mean['text']} von 5"
    if figure["previous"]["value"] is not None:
        text += f" ({previous.label}: {figure['previous']['text']})"
    if feedback and feedback["current"]["value"]:
        text += f", aus {feedback['current']['text']} Rückmeldungen"
    return text + "."

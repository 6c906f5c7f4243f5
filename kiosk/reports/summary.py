"""A report's content as published: protected counts, key figures, sentences, approved comments.

The summary is plain JSON-ready data holding only what may leave the site (never a raw small
count): the HTML and the PDF are rendered from it, and it is stored beside the PDF for delivery.
"""

import unicodedata
from collections import defaultdict

from ..formspec import RATING_OPTIONS
from ..i18n import LANGUAGES, describe
from ..models import Site
from . import queries
from .disclosure import Cell, Mean, Protected, change, german_decimal, german_number, protect
from .periods import Period

SUMMARY_VERSION = 1
TREND_PERIODS = 6
MAX_COMMENTS = 12

VISIT, REASON = "visit", "reason"
INTAKE, NEEDS = "intake", "needs"
FEEDBACK, RATING = "feedback", "today"
FORM_ORDER = (VISIT, INTAKE, FEEDBACK)
# Follow-up states as the Stadthaus reads them; "new" and "in progress" are both still open.
STATES = (
    ("open", "offen", ("new", "in_progress")),
    ("handed_over", "weitergegeben", ("handed_over",)),
    ("done", "erledigt", ("done",)),
)
RATING_WEIGHTS = tuple(int(option.value) for option in RATING_OPTIONS)

# Buckets: the tables compare two periods, the trend has six.
PREVIOUS, CURRENT = 0, 1
TREND_PREVIOUS, TREND_CURRENT = TREND_PERIODS - 2, TREND_PERIODS - 1


def build_summary(site: Site, period: Period, k: int) -> dict:
    """Everything the report prints for `site` and `period`, protected with threshold `k`."""
    counts = Counts(site, period)
    forms = forms_table(counts, k)
    tables = {
        "reasons": reasons_table(counts, k),
        "languages": languages_table(counts, k),
        "needs": needs_table(counts, k),
        "followup": followup_table(counts, k),
        "satisfaction": satisfaction_table(counts, k),
    }
    summary = {
        "version": SUMMARY_VERSION,
        "site": {"slug": site.slug, "name": site.name},
        "period": period.to_dict(),
        "previous": period.previous().to_dict(),
        "min_cell": k,
        "forms": forms,
        "tables": tables,
        "trend": trend(counts, k),
        "comments": comments(site, period),
    }
    summary["key_figures"] = key_figures(forms, tables)
    summary["sentences"] = sentences(summary, period)
    return summary


class Counts:
    """The raw counts, by bucket: only this module's functions ever see them.

    Three passes: submissions and answers of the period and the one before it, and the ratings
    of the trend's periods.
    """

    def __init__(self, site: Site, period: Period):
        self.trend_periods = period.recent(TREND_PERIODS)
        pair = [period.previous(), period]
        submissions = queries.submission_counts(site, pair)
        answers = queries.answer_counts(site, pair, [(VISIT, REASON), (INTAKE, NEEDS)])
        ratings = queries.answer_counts(site, self.trend_periods, [(FEEDBACK, RATING)])
        self.forms = _tally((b, slug, n) for b, slug, _, _, n in submissions)
        self.languages = _tally((b, lg, n) for b, slug, lg, _, n in submissions if slug == VISIT)
        self.statuses = _tally((b, st, n) for b, slug, _, st, n in submissions if slug == INTAKE)
        self.reasons = _tally((b, value, n) for b, _, name, value, n in answers if name == REASON)
        self.needs = _tally((b, value, n) for b, _, name, value, n in answers if name == NEEDS)
        self.ratings = _tally((b, value, n) for b, _, _, value, n in ratings)
        self.titles = queries.form_titles()
        self.labels = {form: queries.option_labels(form) for form in (VISIT, INTAKE)}
        self.offices = queries.offices_per_need()

    def form_count(self, bucket: int, form: str) -> int:
        return self.forms[bucket].get(form, 0)


def _tally(rows) -> dict[int, dict[str, int]]:
    """{bucket: {key: count}} from (bucket, key, count) rows, adding up repeated keys."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for bucket, key, count in rows:
        counts[bucket][key] += count
    return counts


# --- Tables --------------------------------------------------------------------------------------


def table(
    key: str,
    title: str,
    rows: list[tuple[str, str]],
    current: Protected,
    previous: Protected,
    total_label: str | None = None,
    totals: tuple[Cell, Cell] | None = None,
) -> dict:
    """A table as the summary holds it: one row per (value, label), current and previous."""
    return {
        "key": key,
        "title": title,
        "withheld": {"current": current.withheld, "previous": previous.withheld},
        "rows": [
            {
                "value": value,
                "label": label,
                "current": now.to_dict(),
                "previous": before.to_dict(),
                "change": change(now, before),
            }
            for (value, label), now, before in zip(rows, current.cells, previous.cells, strict=True)
        ],
        "total": None
        if totals is None
        else {
            "label": total_label,
            "current": totals[0].to_dict(),
            "previous": totals[1].to_dict(),
            "change": change(*totals),
        },
    }


def _values(counts_by_bucket, bucket: int, values: list[str]) -> list[int]:
    return [counts_by_bucket[bucket].get(value, 0) for value in values]


def _ordered_values(labels: dict[str, str], *seen: dict[str, int]) -> list[tuple[str, str]]:
    """The options in form order, then any value found in the data but no longer offered."""
    rows = list(labels.items())
    extra = sorted({value for counts in seen for value in counts} - set(labels))
    return rows + [(value, value) for value in extra]


def total_cell(count: int, k: int) -> Cell:
    """A total as printed: small totals are "<k" like any other count."""
    return Cell.small(k) if 0 < count < k else Cell.shown(count)


def forms_table(counts: Counts, k: int) -> dict:
    """Submissions per form; no grand total is printed, so each count stands alone."""
    slugs = [slug for slug in FORM_ORDER if slug in counts.titles]
    slugs += sorted(set(counts.titles) - set(slugs))
    rows = [(slug, counts.titles[slug]) for slug in slugs]
    return table(
        "forms",
        "Eingaben nach Formular",
        rows,
        protect(_values(counts.forms, CURRENT, slugs), k, total=None),
        protect(_values(counts.forms, PREVIOUS, slugs), k, total=None),
    )


def _exact_table(counts: Counts, source, key: str, title: str, rows, total_label, k) -> dict:
    values = [value for value, _ in rows]
    current = _values(source, CURRENT, values)
    previous = _values(source, PREVIOUS, values)
    return table(
        key,
        title,
        rows,
        protect(current, k, total="exact"),
        protect(previous, k, total="exact"),
        total_label,
        (total_cell(sum(current), k), total_cell(sum(previous), k)),
    )


def reasons_table(counts: Counts, k: int) -> dict:
    labels = counts.labels[VISIT].get(REASON, {})
    rows = _ordered_values(labels, counts.reasons[CURRENT], counts.reasons[PREVIOUS])
    return _exact_table(
        counts, counts.reasons, "reasons", "Besuche nach Anlass", rows, "Besuche", k
    )


def language_name(code: str) -> str:
    language = LANGUAGES.get(code) or describe(code)
    return language.german_name if language else code


def languages_table(counts: Counts, k: int) -> dict:
    seen = set(counts.languages[CURRENT]) | set(counts.languages[PREVIOUS])
    codes = [code for code in LANGUAGES if code in seen] + sorted(seen - set(LANGUAGES))
    rows = [(code, language_name(code)) for code in codes]
    return _exact_table(
        counts, counts.languages, "languages", "Besuche nach Sprache", rows, "Besuche", k
    )


def followup_table(counts: Counts, k: int) -> dict:
    rows = [(key, label) for key, label, _ in STATES]

    def per_state(bucket):
        statuses = counts.statuses[bucket]
        return [sum(statuses.get(status, 0) for status in members) for _, _, members in STATES]

    current, previous = per_state(CURRENT), per_state(PREVIOUS)
    return table(
        "followup",
        "Stand der Anmeldungen",
        rows,
        protect(current, k, total="exact"),
        protect(previous, k, total="exact"),
        "Anmeldungen",
        (total_cell(sum(current), k), total_cell(sum(previous), k)),
    )


def needs_table(counts: Counts, k: int) -> dict:
    """Needs named in intakes (multiple choice), with the office responsible for each."""
    labels = counts.labels[INTAKE].get(NEEDS, {})
    rows = _ordered_values(labels, counts.needs[CURRENT], counts.needs[PREVIOUS])
    values = [value for value, _ in rows]

    def protected(bucket):
        return protect(
            _values(counts.needs, bucket, values),
            k,
            total="at_least",
            respondents=counts.form_count(bucket, INTAKE),
        )

    result = table("needs", "Anliegen", rows, protected(CURRENT), protected(PREVIOUS))
    for row in result["rows"]:
        row["office"] = counts.offices.get(row["value"], "")
    result["respondents"] = {
        "current": total_cell(counts.form_count(CURRENT, INTAKE), k).to_dict(),
        "previous": total_cell(counts.form_count(PREVIOUS, INTAKE), k).to_dict(),
    }
    return result


def protected_ratings(counts: Counts, bucket: int, k: int) -> Protected:
    values = [str(weight) for weight in RATING_WEIGHTS]
    return protect(
        _values(counts.ratings, bucket, values), k, total="exact", weights=RATING_WEIGHTS
    )


def satisfaction_table(counts: Counts, k: int) -> dict:
    rows = [
        (option.value, f"{option.value} \N{EN DASH} {option.label}") for option in RATING_OPTIONS
    ]
    current = protected_ratings(counts, TREND_CURRENT, k)
    previous = protected_ratings(counts, TREND_PREVIOUS, k)
    values = [value for value, _ in rows]
    result = table(
        "satisfaction",
        "Zufriedenheit",
        rows,
        current,
        previous,
        "Rückmeldungen",
        (
            total_cell(sum(_values(counts.ratings, TREND_CURRENT, values)), k),
            total_cell(sum(_values(counts.ratings, TREND_PREVIOUS, values)), k),
        ),
    )
    result["mean"] = {"current": _mean_dict(current.mean), "previous": _mean_dict(previous.mean)}
    return result


def _mean_dict(mean: Mean | None) -> dict | None:
    if mean is None:
        return None
    return {"value": float(mean.rounded), "text": mean.text}


def trend(counts: Counts, k: int) -> list[dict]:
    """The printed mean rating of each recent period (None where too few or not safe)."""
    return [
        {
            "key": period.key,
            "label": period.short_label,
            "mean": _mean_dict(protected_ratings(counts, bucket, k).mean),
        }
        for bucket, period in enumerate(counts.trend_periods)
    ]


# --- Comments, key figures, sentences ----------------------------------------------------------


def comments(site: Site, period: Period) -> dict:
    """Approved comments in their own language, named in German, with their direction."""
    shown = [
        {**comment_language(code, text), "text": text}
        for code, text in queries.approved_comments(site, period, MAX_COMMENTS)
    ]
    more = queries.approved_comment_count(site, period) - len(shown)
    return {"items": shown, "more": more}


def script_of(text: str) -> str:
    """The script of the first letter: "ARABIC", "ETHIOPIC", "CYRILLIC", "LATIN", …"""
    for character in text:
        if character.isalpha():
            return unicodedata.name(character, "UNKNOWN").split()[0]
    return "UNKNOWN"


def comment_language(code: str, text: str) -> dict:
    """The kiosk language if the text is written in its script, else "not recognised".

    Visitors usually write in the language they chose at the kiosk, but not always: a comment
    in Arabic letters after choosing Ukrainian is not marked as Ukrainian.
    """
    language = LANGUAGES.get(code) or describe(code)
    if language and script_of(text) == script_of(language.name):
        return {
            "lang": code,
            "language": language.german_name,
            "dir": language.dir,
            "caption": f"Kommentar auf {language.german_name}",
        }
    return {
        "lang": "",
        "language": "",
        "dir": "auto",
        "caption": f"Sprache nicht erkannt (am Kiosk gewählt: {language_name(code)})",
    }


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

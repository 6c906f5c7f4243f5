"""The summary's tables: a site's raw counts per period, protected into printed rows.

The raw counts (Counts) never leave this module's functions: every table holds only protected
cells (kiosk/reports/disclosure.py) and totals printed as "<k" when small.
"""

from collections import defaultdict

from ..formspec import RATING_OPTIONS
from ..i18n import LANGUAGES, describe
from ..models import Site
from . import queries
from .disclosure import WITHHELD, Cell, Mean, Protected, change, protect
from .periods import Period

TREND_PERIODS = 6

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


class Counts:
    """The raw counts, by bucket: only this module's functions ever see them (build_summary only
    hands them on).

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
        # {need: {status: cases}} of this period's needs, as they stood at the period's end
        self.need_states = _tally(queries.need_states(site, period))

    def form_count(self, bucket: int, form: str) -> int:
        return self.forms[bucket].get(form, 0)


def _tally(rows) -> dict[int, dict[str, int]]:
    """{bucket: {key: count}} from (bucket, key, count) rows, adding up repeated keys."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for bucket, key, count in rows:
        counts[bucket][key] += count
    return counts


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
        row.update(need_followup(counts, row, k))
    result["respondents"] = {
        "current": total_cell(counts.form_count(CURRENT, INTAKE), k).to_dict(),
        "previous": total_cell(counts.form_count(PREVIOUS, INTAKE), k).to_dict(),
    }
    return result


# How far this period's needs came by its end: the states the Stadthaus reads, the rest open.
NEED_STATES = (("handed_over", "weitergegeben"), ("done", "erledigt"))


def need_followup(counts: Counts, row: dict, k: int) -> dict:
    """{"handed_over": cell, "done": cell} of one need of this period, as of the period's end.

    A need's states add up to its count, which the row prints: they are protected like the
    states of the intakes (the rest, "open", unprinted but known as the difference), and only
    where that count is printed itself; otherwise they are withheld.
    """
    named = counts.needs[CURRENT].get(row["value"], 0)
    states = counts.need_states.get(row["value"], {})
    values = [states.get(state, 0) for state, _ in NEED_STATES]
    if row["current"]["kind"] != "shown":
        cells = [WITHHELD] * len(values)
    else:
        rest = max(named - sum(values), 0)
        protected = protect([rest, *values], k, total="exact")
        cells = [WITHHELD] * len(values) if protected.withheld else protected.cells[1:]
    return {state: cell.to_dict() for (state, _), cell in zip(NEED_STATES, cells, strict=True)}


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

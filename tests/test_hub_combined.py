"""The town's combined report at the hub: adding up without uncovering, periods, PDF, CLI, pages.

The property tests play the reader who holds every site report and the combined report and tries
to pin down a count a site printed as "<k"; they use the real protection (disclosure.protect) to
make the site tables, with random counts from a fixed seed.
"""

import copy
import hashlib
import io
import itertools
import json
import random
import re
import uuid
from datetime import UTC, date, datetime, time

import pypdf
import pytest

from kiosk import create_app
from kiosk.cli.hub import hub_group
from kiosk.clock import TIMEZONE
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.formspec import RATING_OPTIONS
from kiosk.hub.combine import CombineError, combine_summaries
from kiosk.hub.receive import store_report
from kiosk.hub.tokens import add_site
from kiosk.models import Answer, CommentApproval, HubSite, Site
from kiosk.reports.disclosure import german_number, protect
from kiosk.reports.periods import parse_period
from kiosk.reports.summary import build_summary, table, total_cell

from factories import add_submission, add_user
from server import log_in

ARABIC = "شكراً على المساعدة، الموظفون لطيفون جداً."
REASONS = [("advice", "Beratung"), ("german", "Deutsch lernen"), ("meet", "Menschen treffen")]
REASONS += [("papers", "Hilfe bei Papieren")]


# --- Site summaries made with the real protection ---------------------------------------------


def reasons_table(counts: list[int], k: int) -> dict:
    """A "Besuche nach Anlass" table as a site publishes it, from raw counts."""
    rows = REASONS[: len(counts)]
    protected = protect(counts, k, total="exact")
    return table(
        "reasons",
        "Besuche nach Anlass",
        rows,
        protected,
        protected,
        "Besuche",
        (total_cell(sum(counts), k), total_cell(sum(counts), k)),
    )


def ratings_table(counts: list[int], k: int) -> dict:
    weights = [int(option.value) for option in RATING_OPTIONS]
    rows = [(option.value, option.label) for option in RATING_OPTIONS]
    protected = protect(counts, k, total="exact", weights=weights)
    result = table(
        "satisfaction",
        "Zufriedenheit",
        rows,
        protected,
        protected,
        "Rückmeldungen",
        (total_cell(sum(counts), k), total_cell(sum(counts), k)),
    )
    mean = None
    if protected.mean is not None:
        mean = {"value": float(protected.mean.rounded), "text": protected.mean.text}
    result["mean"] = {"current": mean, "previous": mean}
    return result


def record(slug: str, key: str, k: int = 3, name: str | None = None, **tables) -> dict:
    """A report record as the hub receives it, holding the given published tables."""
    period = parse_period(key).to_dict()
    site = {"slug": slug, "name": name or f"Treffpunkt {slug.title()}"}
    summary = {
        "version": 1,
        "site": site,
        "period": period,
        "min_cell": k,
        "tables": tables,
        "comments": {"items": [{"text": ARABIC, "lang": "ar"}], "more": 0},
    }
    return {"uuid": str(uuid.uuid4()), "site": site, "period": period, "summary": summary}


def sued_table(counts, k=3):
    return reasons_table(counts, k)["rows"]


def reasons_record(slug, key, counts, k=3):
    return record(slug, key, k, reasons=reasons_table(counts, k))


def town_row(combined: dict, topic: str, value: str) -> dict:
    return next(row for row in combined["tables"][topic]["rows"] if row["value"] == value)["cell"]


# --- Adding up: examples -----------------------------------------------------------------------


def test_a_town_count_is_exact_only_when_no_site_hid_a_part():
    combined = combine_summaries(
        [
            reasons_record("nord", "2026-10", [5, 7, 40, 12]),
            reasons_record("sued", "2026-10", [0, 9, 5, 1]),
        ]
    )
    sued = combined_input = [row["current"]["text"] for row in sued_table([0, 9, 5, 1])]
    assert combined_input == ["0", "9", "•", "<3"], sued  # 5 hidden so that 1 stays unknown
    assert town_row(combined, "reasons", "advice")["text"] == "5"
    assert town_row(combined, "reasons", "german")["text"] == "16"
    # sued's "papers" is 1, printed "<3": the town shows at least 12 + 1, never 13 as such.
    papers = town_row(combined, "reasons", "papers")
    assert (papers["kind"], papers["text"], papers["value"]) == ("at_least", "mind. 13", None)
    assert town_row(combined, "reasons", "meet")["text"] == "mind. 43"  # 40 and at least 3
    # Both totals are printed by the sites, so the town's total is exact.
    assert combined["tables"]["reasons"]["total"]["cell"]["text"] == "79"


def test_a_hidden_count_adds_its_least_value_and_small_sums_stay_small():
    hidden = {"value": None, "text": "•", "kind": "hidden"}
    small = {"value": None, "text": "<3", "kind": "small"}
    zero = {"value": 0, "text": "0", "kind": "shown"}
    withheld = {"value": None, "text": "\N{EN DASH}", "kind": "withheld"}

    def town(*tables):
        records = [record(f"s{i}", "2026-10", reasons=t) for i, t in enumerate(tables)]
        return town_row(combine_summaries(records), "reasons", "x")["text"]

    def one_row(cell, total=None):
        rows = [{"value": "x", "label": "X", "current": cell}]
        return {"rows": rows, "total": total and {"label": "Besuche", "current": total}}

    assert town(one_row(hidden), one_row({"value": 4, "text": "4", "kind": "shown"})) == "mind. 7"
    assert town(one_row(small), one_row(zero)) == "<3"
    assert town(one_row(small), one_row(small)) == "mind. 2"  # 2 to 4: maybe 3 or more
    assert town(one_row(zero), one_row(zero)) == "0"
    # A withheld table whose total is "<3" holds counts below 3; without a total, nothing is known.
    assert town(one_row(withheld, small), one_row(zero)) == "<3"
    assert town(one_row(withheld), one_row(zero)) == "\N{EN DASH}"


def test_the_strictest_min_cell_of_all_reports_applies():
    combined = combine_summaries(
        [
            reasons_record("nord", "2026-10", [3, 0, 8, 9], k=3),
            reasons_record("sued", "2026-10", [0, 0, 9, 7], k=5),
        ]
    )
    assert combined["min_cell"] == 5
    assert combined["min_cells"] == [3, 5]
    # nord printed its 3 (its threshold is 3); summed with sued's 0 the town shows "<5".
    assert town_row(combined, "reasons", "advice")["text"] == "<5"
    assert town_row(combined, "reasons", "meet")["text"] == "17"


def test_a_missing_report_is_never_counted_as_zero():
    october = [reasons_record(slug, "2026-10", [5, 6, 7, 8]) for slug in ("nord", "sued")]
    november = [reasons_record("nord", "2026-11", [5, 6, 7, 8])]
    combined = combine_summaries(
        october + november,
        [parse_period("2026-10"), parse_period("2026-11")],
        [{"slug": "west", "name": "Treffpunkt West"}],
    )
    sites = {site["slug"]: site for site in combined["sites"]}
    assert sites["nord"]["status"] == "complete"
    assert (sites["sued"]["status"], sites["sued"]["missing"]) == ("partial", ["2026-11"])
    assert sites["sued"]["missing_labels"] == ["November 2026"]
    assert (sites["west"]["status"], sites["west"]["missing"]) == ("none", ["2026-10", "2026-11"])
    assert {f["cell"]["text"] for f in sites["west"]["figures"]} == {"kein Bericht"}
    assert not combined["complete"]
    # 10 + 5 (nord) + 5 (sued, October) and no November from sued or anything from west.
    advice = town_row(combined, "reasons", "advice")
    assert (advice["text"], advice["value"]) == ("mind. 15", None)
    assert combined["tables"]["reasons"]["total"]["cell"]["text"] == "mind. 78"


def test_a_gap_between_periods_is_filled_with_missing_reports():
    combined = combine_summaries(
        [
            reasons_record("nord", "2026-10", [5, 6, 7, 8]),
            reasons_record("nord", "2026-12", [5] * 4),
        ]
    )
    assert [period["key"] for period in combined["periods"]] == ["2026-10", "2026-11", "2026-12"]
    assert combined["period"]["label"] == "4. Quartal 2026"
    assert combined["sites"][0]["missing"] == ["2026-11"]


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (["2026-10", "2026-W44"], "Wöchentliche und monatliche"),
        (["2026-10", "2026-Q4"], "Wöchentliche und monatliche"),
    ],
)
def test_weekly_and_monthly_reports_are_never_added_up(keys, message):
    records = [reasons_record("nord", key, [5, 6, 7, 8]) for key in keys]
    with pytest.raises(CombineError, match=message):
        combine_summaries(records)
    with pytest.raises(CombineError, match="verschieden lange"):
        combine_summaries(records, [parse_period(keys[0]), parse_period(keys[1])])


def test_at_most_sixty_periods_are_added_up():
    records = [reasons_record("nord", "2021-01", [5] * 4)]
    december = parse_period("2025-12")
    assert len(combine_summaries(records, [parse_period("2021-01"), december])["periods"]) == 60
    with pytest.raises(CombineError, match="Höchstens 60"):
        combine_summaries(records, [parse_period("2021-01"), parse_period("2026-01")])
    with pytest.raises(CombineError, match="Höchstens 60"):
        combine_summaries(records, [parse_period("2000-01"), parse_period("2099-12")])


def test_two_reports_of_one_site_for_one_period_are_refused():
    records = [reasons_record("nord", "2026-10", [5, 6, 7, 8]) for _ in range(2)]
    with pytest.raises(CombineError, match="Zwei Berichte von nord"):
        combine_summaries(records)


def test_a_report_outside_the_periods_asked_for_is_refused():
    with pytest.raises(CombineError, match="gehört nicht"):
        combine_summaries([reasons_record("nord", "2026-09", [5] * 4)], [parse_period("2026-10")])


def test_an_unreadable_report_counts_as_missing_and_is_named():
    broken = reasons_record("sued", "2026-10", [5, 6, 7, 8])
    broken["summary"]["tables"]["reasons"]["rows"][0]["current"] = {"value": -4, "kind": "shown"}
    odd = reasons_record("west", "2026-10", [5, 6, 7, 8])
    odd["summary"]["min_cell"] = "3"
    combined = combine_summaries([reasons_record("nord", "2026-10", [5, 6, 7, 8]), broken, odd])
    assert [(r["slug"], r["period"]) for r in combined["unreadable"]] == [
        ("sued", "Oktober 2026"),
        ("west", "Oktober 2026"),
    ]
    assert "summary.tables.reasons.rows[0].current.value" in combined["unreadable"][0]["problem"]
    assert "summary.min_cell" in combined["unreadable"][1]["problem"]
    sites = {site["slug"]: site["status"] for site in combined["sites"]}
    assert sites == {"nord": "complete", "sued": "none", "west": "none"}
    assert town_row(combined, "reasons", "advice")["text"] == "mind. 5"
    with pytest.raises(CombineError, match="keine lesbaren Berichte"):
        combine_summaries([broken])


def test_the_mean_weighs_the_printed_means_and_says_when_one_is_missing():
    nord = record("nord", "2026-10", satisfaction=ratings_table([0, 0, 3, 10, 20], 3))
    sued = record("sued", "2026-10", satisfaction=ratings_table([0, 0, 0, 5, 5], 3))
    both = combine_summaries([nord, sued])["tables"]["satisfaction"]["mean"]
    # 4,5 (nord, 33 ratings) and 4,5 (sued, 10): the weighted mean is 4,5.
    assert both == {"value": 4.5, "text": "4,5", "complete": True}
    few = record("west", "2026-10", satisfaction=ratings_table([0, 0, 0, 1, 1], 3))
    combined = combine_summaries([nord, sued, few])
    assert combined["tables"]["satisfaction"]["mean"]["complete"] is False
    figure = next(f for f in combined["key_figures"] if f["key"] == "satisfaction")
    assert figure["cell"]["text"] == "4,5*"


def test_visitor_comments_are_never_taken_over():
    combined = combine_summaries([reasons_record("nord", "2026-10", [5, 6, 7, 8])])
    assert ARABIC not in json.dumps(combined, ensure_ascii=False)
    assert "comments" not in combined


# --- Adding up: no hidden count can be worked back ---------------------------------------------


def published_domain(cell: dict, k: int, cap: int, total_cap: int) -> range:
    """The values a reader allows for a printed site count.

    `total_cap`: the most the printed total allows; `cap`: the most a "•" can be.
    """
    if cell["kind"] == "shown":
        return range(cell["value"], cell["value"] + 1)
    if cell["kind"] == "small":
        return range(1, k)
    if cell["kind"] == "withheld":
        return range(0, total_cap + 1)
    return range(k, cap + 1)  # hidden "•"


def site_possibilities(site_table: dict, k: int) -> list[tuple[int, ...]]:
    """Every vector of counts agreeing with all a site's report prints about the table.

    As in disclosure.py, a reader knows a "•" count is at least k and at most the smallest
    count shown, and that the counts add up to the printed total.
    """
    total = site_table["total"]["current"]
    totals = (
        range(total["value"], total["value"] + 1) if total["value"] is not None else range(1, k)
    )
    shown = [row["current"]["value"] for row in site_table["rows"]]
    cap = min([value for value in shown if value is not None and value >= k] + [totals[-1]])
    domains = [published_domain(row["current"], k, cap, totals[-1]) for row in site_table["rows"]]
    return [vector for vector in itertools.product(*domains) if sum(vector) in totals]


def reachable_sums(options: list[list[tuple[int, ...]]], limit: int) -> set[tuple[int, ...]]:
    """Row sums reachable by picking one vector per site (sums above `limit` are merged)."""
    sums = {tuple(0 for _ in options[0][0])}
    for vectors in options:
        sums = {
            tuple(min(a + b, limit) for a, b in zip(partial, vector, strict=True))
            for partial in sums
            for vector in vectors
        }
    return sums


def fits(sums: tuple[int, ...], bounds: list[tuple[int, int | None]], total: tuple) -> bool:
    def within(value, low, high):
        return value >= low and (high is None or value <= high)

    rows_ok = all(within(s, low, high) for s, (low, high) in zip(sums, bounds, strict=True))
    return rows_ok and within(sum(sums), *total)


def recoverable_cells(site_tables, ks, bounds, total) -> list[tuple[int, int, int]]:
    """(site, row, value) for every value 1..k-1 of a "<k" cell that the reader can rule out."""
    options = [site_possibilities(t, k) for t, k in zip(site_tables, ks, strict=True)]
    limit = 1 + sum(max(sum(vector) for vector in vectors) for vectors in options)
    ruled_out = []
    for site, site_table in enumerate(site_tables):
        for row, printed in enumerate(site_table["rows"]):
            if printed["current"]["kind"] != "small":
                continue
            for value in range(1, ks[site]):
                fixed = [v for v in options[site] if v[row] == value]
                trial = [*options[:site], fixed, *options[site + 1 :]]
                sums = reachable_sums(trial, limit) if fixed else set()
                if not any(fits(s, bounds, total) for s in sums):
                    ruled_out.append((site, row, value))
    return ruled_out


def combined_bounds(combined: dict) -> tuple[list[tuple[int, int | None]], tuple]:
    """What the combined report prints about each row and the total, as (least, most)."""
    reasons = combined["tables"]["reasons"]
    bounds = [(row["cell"]["low"], row["cell"]["high"]) for row in reasons["rows"]]
    total = reasons["total"]["cell"]
    return bounds, (total["low"], total["high"])


def random_sites(rng: random.Random) -> tuple[list[list[int]], list[int]]:
    """Two or three sites' raw counts for four reasons: many small ones, some zeros."""
    sites = rng.randint(2, 3)
    counts = [[rng.choice([0, 1, 1, 2, 2, 3, 4, 5, 7, 9]) for _ in range(4)] for _ in range(sites)]
    return counts, [rng.choice([3, 3, 4]) for _ in range(sites)]


def printed_text_agrees(cell: dict, k: int) -> bool:
    if cell["kind"] == "shown":
        return cell["low"] == cell["high"] == cell["value"] and cell["text"] == german_number(
            cell["value"]
        )
    if cell["kind"] == "small":
        return cell["high"] is not None and cell["high"] < k and cell["text"] == f"<{k}"
    if cell["kind"] == "at_least":
        return cell["low"] > 0 and cell["text"] == f"mind. {german_number(cell['low'])}"
    return cell["kind"] == "unknown" and cell["low"] == 0


def test_no_hidden_site_count_can_be_worked_back_from_the_combined_report():
    rng = random.Random(20261025)
    cases_with_small_cells = 0
    for _ in range(150):
        counts, ks = random_sites(rng)
        records = [
            reasons_record(f"s{i}", "2026-10", c, k)
            for i, (c, k) in enumerate(zip(counts, ks, strict=True))
        ]
        site_tables = [r["summary"]["tables"]["reasons"] for r in records]
        combined = combine_summaries(records)
        bounds, total = combined_bounds(combined)
        true_sums = [sum(column) for column in zip(*counts, strict=True)]
        # Honest: the true counts agree with every printed figure, and the text says the bounds.
        assert fits(true_sums, bounds, total)
        for row, value in enumerate(true_sums):
            cell = combined["tables"]["reasons"]["rows"][row]["cell"]
            assert printed_text_agrees(cell, combined["min_cell"])
            parts = [t["rows"][row]["current"]["kind"] for t in site_tables]
            if any(kind != "shown" for kind in parts):
                assert cell["kind"] != "shown" and cell["value"] is None
            else:
                assert cell["value"] == value or (0 < value < combined["min_cell"])
        cases_with_small_cells += any(
            row["current"]["kind"] == "small" for t in site_tables for row in t["rows"]
        )
        # Safe: every "<k" count can still be each of 1..k-1, given all that is printed.
        assert recoverable_cells(site_tables, ks, bounds, total) == [], (counts, ks)
    assert cases_with_small_cells > 100


def test_over_several_periods_a_missing_report_leaves_every_sum_open_upwards():
    rng = random.Random(2026)
    for _ in range(60):
        counts = {
            (site, key): [rng.choice([0, 1, 2, 3, 5, 8]) for _ in range(4)]
            for site in ("nord", "sued", "west")
            for key in ("2026-10", "2026-11", "2026-12")
        }
        sent = {part for part in counts if rng.random() < 0.8}
        records = [reasons_record(site, key, counts[site, key]) for site, key in sorted(sent)]
        if not records:
            continue
        quarter = [parse_period(key) for key in ("2026-10", "2026-11", "2026-12")]
        sites = [{"slug": slug, "name": slug} for slug in ("nord", "sued", "west")]
        combined = combine_summaries(records, quarter, sites)
        for row, cell in enumerate(r["cell"] for r in combined["tables"]["reasons"]["rows"]):
            true_sum = sum(c[row] for c in counts.values())
            assert cell["low"] <= true_sum  # honest, also for what was never sent
            if len(sent) < len(counts):
                assert cell["high"] is None and cell["kind"] in ("at_least", "unknown")
        for site in combined["sites"]:
            visits = [counts[site["slug"], key] for key in site["reported"]]
            assert site["missing"] == [
                key for key in ("2026-10", "2026-11", "2026-12") if (site["slug"], key) not in sent
            ]
            assert site["status"] == (
                "none" if not visits else "partial" if site["missing"] else "complete"
            )


def test_the_check_finds_the_leak_of_a_hub_that_printed_exact_sums():
    """The check above is not blind: a hub that knew and printed the true sums gives counts away."""
    rng = random.Random(20261025)
    leaks = 0
    for _ in range(60):
        counts, ks = random_sites(rng)
        records = [
            reasons_record(f"s{i}", "2026-10", c, k)
            for i, (c, k) in enumerate(zip(counts, ks, strict=True))
        ]
        site_tables = [r["summary"]["tables"]["reasons"] for r in records]
        exact = [(s, s) for s in (sum(column) for column in zip(*counts, strict=True))]
        grand = sum(map(sum, counts))
        leaks += bool(recoverable_cells(site_tables, ks, exact, (grand, grand)))
    assert leaks > 10


# --- Real site summaries, received by a hub ------------------------------------------------------


def local(day: date, hour: int = 11) -> datetime:
    return datetime.combine(day, time(hour), TIMEZONE).astimezone(UTC).replace(tzinfo=None)


def submit(app, site, form, answers, day, lang="de"):
    return add_submission(app, form, answers, local(day), lang, site)


# (site slug, name): {reason: visits} in October and November 2026; "sued" sends no November.
VISITS = {
    ("nord", "Treffpunkt Nord"): {"advice": 1, "german": 12, "meet": 30, "papers": 8},
    ("sued", "Treffpunkt Süd"): {"advice": 6, "german": 2, "meet": 25, "papers": 9},
}


def fill_site(app, site, visits, day):
    for reason, count in visits.items():
        for _ in range(count):
            submit(app, site, "visit", {"reason": reason}, day, "ar" if reason == "meet" else "de")
    for rating, count in {3: 3, 4: 8, 5: 10}.items():
        for _ in range(count):
            answers = {"today": str(rating), "helped": ["people"], "come_again": "yes"}
            submit(app, site, "feedback", answers, day)
    comment = {"today": "5", "helped": ["people"], "come_again": "yes", "consent": "yes"}
    feedback = submit(app, site, "feedback", comment | {"comment": ARABIC}, day, "ar")
    answer = Answer.get(Answer.submission == feedback, Answer.field == "comment")
    CommentApproval.create(answer=answer, user_name="cora")
    for _ in range(4):
        intake = {"consent": "yes", "languages": ["de"], "needs": ["housing"]}
        submit(app, site, "intake", intake | {"contact_way": "none"}, day)


def site_record(site, key: str) -> tuple[dict, bytes]:
    """A record as kiosk/reports/store.py writes it, with the real summary; a stand-in PDF."""
    summary = build_summary(site, parse_period(key), 3)
    pdf = b"%PDF-1.7\n% stand-in for " + f"{site.slug} {key}".encode()
    return {
        "record_version": 1,
        "uuid": str(uuid.uuid4()),
        "site": summary["site"],
        "period": summary["period"],
        "created": "2026-12-01T06:00:00+00:00",
        "pdf": f"{key}.pdf",
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "pages": 4,
        "replaces": None,
        "summary": summary,
    }, pdf


@pytest.fixture(scope="module")
def site_reports(tmp_path_factory):
    """Real summaries of two Treffpunkte for October and (only Nord) November 2026."""
    instance = tmp_path_factory.mktemp("sites") / "instance"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_INSTANCE_PATH", str(instance))
        app = create_app({"SECRET_KEY": "test-secret", "TESTING": True})
        prepare_database(app)
        with app.app_context(), db.connection_context():
            reports = []
            for (slug, name), visits in VISITS.items():
                site = Site.create(slug=slug, name=name)
                fill_site(app, site, visits, date(2026, 10, 14))
                reports.append(site_record(site, "2026-10"))
                if slug == "nord":
                    fill_site(app, site, visits, date(2026, 11, 11))
                    reports.append(site_record(site, "2026-11"))
            return reports


@pytest.fixture
def hub_app(instance, site_reports):
    """A hub that received the site reports; a third site (West) has sent nothing."""
    app = create_app({"SECRET_KEY": "test-secret", "TESTING": True, "ROLE": "hub"})
    prepare_database(app)
    with app.app_context(), db.connection_context():
        for (slug, name), _ in VISITS.items():
            add_site(slug, name)
        add_site("west", "Treffpunkt West")
        HubSite.update(created_at=datetime(2026, 9, 1)).execute()
        for report, pdf in site_reports:
            store_report(HubSite.get(HubSite.slug == report["site"]["slug"]), report, pdf)
    add_user(app, "stadthaus", "coordinator")
    return app


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_real_summaries_add_up_as_printed(site_reports):
    combined = combine_summaries([report for report, _ in site_reports if "10" in report["pdf"]])
    # Nord: advice 1 "<3", papers 8 "•"; Süd: advice 6 "•", german 2 "<3" (site protection).
    assert town_row(combined, "reasons", "advice")["text"] == "mind. 4"  # "<3" + "•"
    assert town_row(combined, "reasons", "german")["text"] == "mind. 13"  # 12 + "<3"
    assert town_row(combined, "reasons", "papers")["text"] == "mind. 12"  # "•" + 9
    assert town_row(combined, "reasons", "meet")["text"] == "55"
    assert town_row(combined, "languages", "ar")["text"] == "55"
    visits = next(f for f in combined["key_figures"] if f["key"] == "visit")
    assert visits["cell"]["text"] == "93"
    assert combined["tables"]["reasons"]["total"]["cell"]["text"] == "93"
    assert town_row(combined, "needs", "housing")["text"] == "8"
    assert combined["tables"]["satisfaction"]["mean"]["text"] == "4,4"


def test_the_cli_writes_the_combined_pdf(hub_app, tmp_path):
    target = tmp_path / "stadt.pdf"
    result = hub_app.test_cli_runner().invoke(
        hub_group, ["report", "2026-10", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target)
    assert "Kein Bericht von Treffpunkt West: 2026-10" in result.stderr
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for expected in (
        "GESAMTBERICHT FÜR DAS STADTHAUS WILDESHAUSEN",
        "Oktober 2026",
        "Treffpunkt Nord",
        "Treffpunkt Süd",
        "Treffpunkt West",
        "kein Bericht",
        "Treffpunkte im Vergleich",
        "Sprache am Kiosk",
        "So ist der Bericht zu lesen",
        "mind. 4",
    ):
        assert expected in text, expected
    # West sent nothing, so even the exact sums of Nord and Süd are lower bounds.
    assert "mind. 93" in text
    assert "Menschen treffen mind. 55" in text
    # Never the true sums of hidden parts (7, 14, 17), never a comment.
    assert "Beratung mind. 4" in text and "Hilfe bei Papieren mind. 12" in text
    assert not re.search(r"Beratung (mind\. )?7\b|Deutsch lernen (mind\. )?14\b", text)
    assert ARABIC not in text and "شكراً" not in text


def test_the_cli_explains_what_it_cannot_combine(hub_app):
    runner = hub_app.test_cli_runner()
    for args, message in [
        (["report", "2026-13"], "Bitte einen Zeitraum wie 2026-10"),
        (["report", "2026-10", "--to", "2026-W45"], "verschieden lange Zeiträume"),
        (["report", "2026-11", "--to", "2026-10"], "liegt vor"),
        (["report", "2025-01"], "keine Berichte"),
    ]:
        result = runner.invoke(hub_group, args)
        assert result.exit_code == 1, args
        assert message in result.output, (args, result.output)


def test_the_cli_report_is_for_a_hub_only(app):
    result = app.test_cli_runner().invoke(hub_group, ["report", "2026-10"])
    assert result.exit_code == 1
    assert "kein Hub" in result.output


@pytest.fixture
def staff(hub_app):
    return log_in(hub_app.test_client(), "stadthaus").client


def test_the_hub_previews_the_combined_report_for_the_periods_chosen(staff):
    page = staff.get("/hub/bericht").get_data(as_text=True)
    # The latest period anyone reported is chosen first: November, from Nord only.
    assert '<option selected value="2026-11">November 2026</option>' in page
    assert "Alle Treffpunkte" in page and "Treffpunkt Süd" in page
    assert "mind." in page and ARABIC not in page
    page = staff.get("/hub/bericht?von=2026-10&bis=2026-11").get_data(as_text=True)
    assert "Oktober 2026 bis November 2026" in page
    assert "kein Bericht für November 2026" in page
    for query, message in [
        ("von=kaputt", "Bitte einen Zeitraum wie 2026-10"),
        ("von=2026-10&bis=2026-W45", "verschieden lange Zeiträume"),
    ]:
        response = staff.get(f"/hub/bericht?{query}")
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)


def test_the_hub_downloads_the_combined_pdf_of_two_months(staff):
    response = staff.get("/hub/bericht.pdf?von=2026-10&bis=2026-11")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "Gesamtbericht-2026-10-01_2026-11-30.pdf" in response.headers["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    text = pdf_text(response.data)
    assert "Oktober 2026 bis November 2026" in text
    assert "kein Bericht für November 2026" in text
    assert "Durchschnitt je Monat" in text
    assert "Gesamtbericht" in reader.metadata.title
    assert ARABIC not in text


def test_the_pdf_route_sends_back_to_the_preview_when_it_cannot_build(staff):
    response = staff.get("/hub/bericht.pdf?von=2026-10&bis=2026-W45")
    assert response.status_code == 303
    assert "/hub/bericht?von=2026-10" in response.headers["Location"]
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Der Gesamtbericht konnte nicht erstellt werden" in page


def test_the_combined_pages_are_for_staff_only(hub_app):
    client = hub_app.test_client()
    response = client.get("/hub/bericht")
    assert response.status_code in (302, 303)
    assert "/review/login" in response.headers["Location"]


def test_records_are_not_changed_by_combining(site_reports):
    records = [report for report, _ in site_reports]
    before = copy.deepcopy(records)
    combine_summaries(records)
    assert records == before

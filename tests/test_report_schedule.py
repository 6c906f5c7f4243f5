"""How long a report's period is (REPORT_SCHEDULE "auto", "quarterly"), when the schedule builds
it (REPORT_GRACE_DAYS), what the coordinator's preview and the staff's pages say about it, and
the brute force: no hidden count can be worked back over the periods "auto" publishes."""

import functools
import itertools
import os
from collections import defaultdict
from datetime import date, timedelta

import pytest
from test_reports import database, local

from kiosk.clock import local_today
from kiosk.models import Answer, CommentApproval, Site
from kiosk.reports.awaiting import waiting_comments
from kiosk.reports.disclosure import protect
from kiosk.reports.due import due_periods, due_reports
from kiosk.reports.granularity import (
    Coverage,
    Published,
    auto_periods,
    coverage,
    first_months_hiding_too_much,
    months_of,
    period_note,
    published_cells,
)
from kiosk.reports.periods import date_range, parse_period, period_of
from kiosk.reports.store import build_report
from kiosk.reports.summary import build_summary
from kiosk.sync import SyncConfigError, check_schedule

from factories import add_submission, add_user
from server import log_in

OCTOBER, NOVEMBER = parse_period("2026-10"), parse_period("2026-11")
OCT_NOV = date_range(date(2026, 10, 1), date(2026, 11, 30))
REASONS = ("advice", "german", "meet", "papers", "children", "other")
LANGS = ("de", "ar", "fa", "uk", "ru", "tr")


def visitors(app, per: int, day: date):
    """`per` visits for each reason (each reason in its own language), `per` intakes naming
    housing and work, and `per` ratings of 4: with 1 or 2 nearly everything is "<3"."""
    for reason, lang in zip(REASONS, LANGS, strict=True):
        for _ in range(per):
            add_submission(app, "visit", {"reason": reason}, local(day), lang)
    intake = {"consent": "yes", "languages": ["de"], "needs": ["housing", "work"]}
    for _ in range(per):
        add_submission(app, "intake", intake | {"contact_way": "none"}, local(day))
        add_submission(app, "feedback", {"today": "4", "come_again": "yes"}, local(day))


def comment(app, day: date, text: str = "Danke für die Hilfe"):
    answers = {"today": "4", "helped": ["people"], "come_again": "yes"}
    answers |= {"consent": "yes", "comment": text}
    return add_submission(app, "feedback", answers, local(day))


def small_then_enough(app):
    """October: one of each (nearly all "<3"); November two more: together three of each."""
    with database(app):
        visitors(app, 1, date(2026, 10, 8))
        visitors(app, 2, date(2026, 11, 9))


def report_keys(app, today: date) -> list[str]:
    with database(app):
        return [period.key for period in due_reports(today)]


# --- Published cells --------------------------------------------------------------------------


def test_the_published_cells_are_every_count_cell_of_every_table(app):
    small_then_enough(app)
    with database(app):
        summary = build_summary(Site.get(), OCTOBER, 3)
        cells = published_cells(summary["forms"], summary["tables"])
        measured = coverage(Site.get(), OCTOBER, 3)
    tables = [summary["forms"], *summary["tables"].values()]
    rows = sum(len(t["rows"]) for t in tables)
    totals = sum(1 for t in tables if t.get("total"))
    states = 2 * len(summary["tables"]["needs"]["rows"])  # weitergegeben, erledigt
    assert len(cells) == rows + totals + 1 + states  # + the intakes that named needs
    reasons = summary["tables"]["reasons"]
    assert [row["current"]["text"] for row in reasons["rows"]] == ["\N{EN DASH}"] * 6
    hidden = sum(1 for cell in cells if cell["kind"] != "shown")
    assert (measured.hidden, measured.cells) == (hidden, len(cells))
    assert summary["granularity"]["hidden"] == hidden and not measured.says_enough


# --- Auto: a month where it says enough, else the quarter so far -----------------------------


def test_auto_reports_a_small_month_with_the_next_as_the_quarter_so_far(app):
    small_then_enough(app)
    app.config.update(REPORT_SCHEDULE="auto", REPORT_GRACE_DAYS=0)
    # October alone hides too much: no report on 1 November, it waits for November.
    assert report_keys(app, date(2026, 11, 1)) == []
    assert report_keys(app, date(2026, 12, 1)) == [OCT_NOV.key]
    with database(app):
        assert not coverage(Site.get(), OCTOBER, 3).says_enough
        assert coverage(Site.get(), OCT_NOV, 3).says_enough


def test_kiosk_report_due_says_why_nothing_was_built(app, runner):
    def due(today: str) -> str:
        result = runner.invoke(args=["report", "due", "--today", today])
        assert result.exit_code == 0, result.output
        return result.output

    app.config.update(REPORT_SCHEDULE="auto", REPORT_GRACE_DAYS=7)
    assert "es gibt noch keine Einträge" in due("2026-11-03")
    small_then_enough(app)
    assert "wird ab dem 8. November 2026 erstellt (REPORT_GRACE_DAYS = 7)" in due("2026-11-03")
    waits = due("2026-11-08")
    assert "Oktober 2026 allein würde mehr als ein Viertel der Zahlen verbergen" in waits
    assert not waits.startswith("Bericht ")  # nothing built
    built = due("2026-12-08")
    assert "Bericht 4. Quartal 2026 bis Ende November erstellt" in built
    assert "die fälligen Berichte sind schon erstellt" in due("2026-12-09")


def test_auto_reports_a_month_on_its_own_where_it_says_enough(app):
    with database(app):
        visitors(app, 5, date(2026, 10, 8))
        visitors(app, 5, date(2026, 11, 9))
    app.config.update(REPORT_SCHEDULE="auto", REPORT_GRACE_DAYS=0)
    assert report_keys(app, date(2026, 12, 1)) == ["2026-10", "2026-11"]


def test_auto_closes_the_quarter_with_its_last_month_whatever_it_hides(app):
    with database(app):
        visitors(app, 1, date(2026, 10, 8))
        add_submission(app, "visit", {"reason": "meet"}, local(date(2026, 12, 3)))
    app.config.update(REPORT_SCHEDULE="auto", REPORT_GRACE_DAYS=0)
    # October waits, November (nothing new) too, and December closes the quarter.
    assert report_keys(app, date(2026, 12, 1)) == []
    assert report_keys(app, date(2027, 1, 1)) == ["2026-Q4"]


def test_auto_never_reports_a_month_twice_and_catches_up_after_a_pause(app):
    with database(app):
        visitors(app, 5, date(2026, 7, 8))
        visitors(app, 1, date(2026, 8, 8))
        visitors(app, 2, date(2026, 9, 8))
        visitors(app, 5, date(2026, 10, 8))
        site = Site.get()
    app.config.update(REPORT_SCHEDULE="auto", REPORT_GRACE_DAYS=0)
    # Off from August to December: July alone, August with September, October alone.
    due = report_keys(app, date(2026, 11, 5))
    assert due == ["2026-07", "2026-08-01_2026-09-30", "2026-10"]
    with database(app):
        for key in due:
            build_report(site, period_of(key), today=date(2026, 11, 5))
    assert report_keys(app, date(2026, 11, 5)) == []
    assert period_of("2026-08-01_2026-09-30").label == "August bis September 2026"


def test_the_quarterly_schedule_builds_each_quarter_once_its_grace_days_are_over():
    assert [p.key for p in due_periods(date(2027, 1, 8), "quarterly", date(2026, 8, 2), 7)] == [
        "2026-Q3",
        "2026-Q4",
    ]
    assert [p.key for p in due_periods(date(2027, 1, 7), "quarterly", date(2026, 8, 2), 7)] == [
        "2026-Q3"
    ]


def test_the_schedules_and_grace_days_are_checked():
    base = {"REPORT_HOUR": 6, "NIGHTLY_HOUR": 3, "DIRECTORY_PULL_MINUTES": 60}
    base["DIRECTORY_MAX_BYTES"] = 1024
    for schedule in ("auto", "monthly", "quarterly", "weekly"):
        check_schedule({**base, "REPORT_SCHEDULE": schedule, "REPORT_GRACE_DAYS": 7})
    for wrong in (-1, 31, "7", True):
        with pytest.raises(SyncConfigError, match="REPORT_GRACE_DAYS"):
            check_schedule({**base, "REPORT_SCHEDULE": "auto", "REPORT_GRACE_DAYS": wrong})


def test_kiosk_init_writes_auto_for_a_new_instance(runner, app):
    runner.invoke(args=["init"])
    with open(f"{app.instance_path}/config.py", encoding="utf-8") as config:
        assert 'REPORT_SCHEDULE = "auto"' in config.read()


# --- The cover ------------------------------------------------------------------------------


def test_the_cover_says_why_the_report_covers_the_quarter_so_far(app):
    small_then_enough(app)
    with database(app):
        summary = build_summary(Site.get(), OCT_NOV, 3)
        october = build_summary(Site.get(), OCTOBER, 3)
    together = summary["granularity"]
    assert summary["period"]["label"] == "4. Quartal 2026 bis Ende November"
    assert together["note"] == (
        "Quartal bis Ende November: im Oktober allein wäre mehr als ein Viertel der Zahlen "
        f"verborgen geblieben; in diesem Bericht sind es {together['hidden']} von "
        f"{together['cells']}."
    )
    assert together["waited"] == [{"key": "2026-10", "label": "Oktober 2026"}]
    assert october["granularity"]["note"] == ""  # one month: nothing to explain
    assert summary["sentences"][0].startswith("Im 4. Quartal 2026 bis Ende November gab es 18")


def test_the_cover_names_no_month_when_each_alone_said_enough(app):
    with database(app):
        visitors(app, 5, date(2026, 10, 8))
        visitors(app, 5, date(2026, 11, 8))
        summary = build_summary(Site.get(), parse_period("2026-Q4"), 3)
    assert summary["granularity"]["note"] == "" and summary["granularity"]["waited"] == []


# --- The preview ------------------------------------------------------------------------------


@pytest.fixture
def coordinator(app):
    add_user(app, "cora", "coordinator")
    add_user(app, "vera", "volunteer")
    return log_in(app.test_client(), "cora")


def test_the_preview_says_what_each_choice_hides_and_what_auto_takes(app, coordinator):
    small_then_enough(app)
    with database(app):
        alone = coverage(Site.get(), NOVEMBER, 3)
        so_far = coverage(Site.get(), OCT_NOV, 3)
    html = coordinator.client.get("/review/reports/2026-11/").get_data(as_text=True)
    assert "Monat: November 2026" in html and f"{alone.text}</td>" in html
    assert "4. Quartal 2026 bis Ende November</a>" in html and f"{so_far.text}</td>" in html
    assert "„auto“ erstellt den Bericht 4. Quartal 2026 bis Ende November." in html
    assert "Eingestellt ist: monatlich." in html
    october = coordinator.client.get("/review/reports/2026-10/").get_data(as_text=True)
    assert "„auto“ erstellt noch keinen Bericht" in october and "wie der Monat" in october
    stretch = coordinator.client.get(f"/review/reports/{OCT_NOV.key}/").get_data(as_text=True)
    assert f"In diesem Bericht sind {so_far.hidden} von {so_far.cells} Zahlen verborgen." in stretch
    assert "Quartal bis Ende November: im Oktober allein wäre mehr als ein Viertel" in stretch


def test_the_preview_of_a_month_that_says_enough_shows_auto_taking_it(app, coordinator):
    with database(app):
        visitors(app, 5, date(2026, 10, 8))
    html = coordinator.client.get("/review/reports/2026-10/").get_data(as_text=True)
    assert "„auto“ erstellt den Bericht Oktober 2026: höchstens ein Viertel" in html


def test_a_report_overlapping_a_built_one_is_neither_offered_nor_built(app, coordinator):
    small_then_enough(app)
    with database(app):
        build_report(Site.get(), OCT_NOV, today=date(2026, 12, 1))
    page = coordinator.client.get("/review/reports/2026-11/").get_data(as_text=True)
    assert "Dieser Zeitraum steht schon im Bericht" in page and "/2026-11/build" not in page
    token = coordinator.token("/review/reports/")
    response = coordinator.client.post("/review/reports/2026-11/build", data={"csrf_token": token})
    assert response.status_code == 303
    shown = coordinator.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "überschneidet sich mit schon erstellten Zahlen (4. Quartal 2026 bis Ende" in shown
    assert not os.path.exists(
        os.path.join(app.instance_path, "reports", "mittendrin", "2026-11.pdf")
    )


# --- The previous period and the trend print only what was printed ---------------------------


def test_the_previous_column_stays_empty_where_it_overlaps_a_built_report(app):
    with database(app):
        visitors(app, 5, date(2026, 10, 8))
        visitors(app, 1, date(2026, 11, 8))
        visitors(app, 5, date(2026, 12, 8))
        site = Site.get()
        build_report(site, parse_period("2026-Q4"), today=date(2027, 1, 2))
        # December after the quarter: its previous month lies inside the quarter's report.
        records = [{"period": parse_period("2026-Q4").to_dict(), "summary": {}}]
        december = build_summary(site, parse_period("2026-12"), 3, Published.from_records(records))
        fresh = build_summary(site, parse_period("2026-12"), 3, Published())
    visits_row = next(r for r in december["forms"]["rows"] if r["value"] == "visit")
    assert visits_row["previous"]["text"] == "\N{EN DASH}" and visits_row["change"] is None
    assert december["previous"]["printed"] is False
    assert december["key_figures"][0]["previous"]["kind"] == "withheld"
    assert (
        "weniger als" not in december["sentences"][0] and "mehr als" not in december["sentences"][0]
    )
    fresh_row = next(r for r in fresh["forms"]["rows"] if r["value"] == "visit")
    assert fresh_row["previous"]["text"] == "6" and fresh["previous"]["printed"] is True


def test_published_reads_what_the_records_print():
    records = [
        {
            "period": {"key": "2026-10"},
            "summary": {
                "previous": {"key": "2026-09"},
                "trend": [{"key": "2026-08", "mean": None}, {"key": "2026-09", "mean": {}}],
            },
        },
        {"period": {"key": "2026-11-01_2026-12-31"}, "summary": {"previous": {"key": "x"}}},
        {"period": "damaged"},
    ]
    published = Published.from_records(records)
    assert [p.key for p in published.reports] == ["2026-10", "2026-11-01_2026-12-31"]
    assert {p.key for p in published.printed} == {"2026-09", "2026-10", "2026-11-01_2026-12-31"}
    assert published.printable(parse_period("2026-09")) and published.printable(OCTOBER)
    assert published.printable(parse_period("2026-08"))  # touches nothing printed
    assert not published.printable(parse_period("2026-Q3"))
    assert [p.key for p in published.conflicts(parse_period("2026-Q4"))] == [
        "2026-10",
        "2026-11-01_2026-12-31",
    ]


# --- Grace days -------------------------------------------------------------------------------


def test_the_scheduled_build_waits_the_grace_days_and_a_build_by_hand_does_not(app, coordinator):
    with database(app):
        visitors(app, 5, date(2026, 11, 8))
    app.config.update(REPORT_SCHEDULE="monthly", REPORT_GRACE_DAYS=7)
    assert report_keys(app, date(2026, 12, 7)) == []
    assert report_keys(app, date(2026, 12, 8)) == ["2026-11"]
    app.config["REPORT_GRACE_DAYS"] = 0
    assert report_keys(app, date(2026, 12, 1)) == ["2026-11"]
    with database(app):  # by hand: on the first day after the month
        result = build_report(Site.get(), NOVEMBER, today=date(2026, 12, 1))
    assert result.built


# --- "N Kommentare warten auf Freigabe" ------------------------------------------------------


def german(day: date) -> str:
    months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August"]
    months += ["September", "Oktober", "November", "Dezember"]
    return f"{day.day}. {months[day.month - 1]} {day.year}"


def test_the_eingang_and_versand_pages_name_the_comments_waiting_for_a_report(app, coordinator):
    today = local_today()
    this_month = period_of(f"{today:%Y-%m}")
    with database(app):
        *_, approved = [comment(app, today) for _ in range(3)]
        CommentApproval.create(
            answer=Answer.get(Answer.submission == approved, Answer.field == "comment"),
            user_name="cora",
        )
    until = german(this_month.end + timedelta(days=7))
    waiting = f"2 Kommentare warten auf Freigabe für den Bericht {this_month.label}"
    notice = f"{waiting} \N{EN DASH} bis {until}"
    assert notice in coordinator.client.get("/review/").get_data(as_text=True)
    assert notice in coordinator.client.get("/review/versand/").get_data(as_text=True)
    with database(app):
        for answer in Answer.select().where(Answer.field == "comment"):
            CommentApproval.get_or_create(answer=answer, defaults={"user_name": "cora"})
    assert "warten auf Freigabe" not in coordinator.client.get("/review/").get_data(as_text=True)


def test_the_notice_names_the_report_a_comment_goes_into_and_not_one_being_built(app):
    with database(app):
        comment(app, date(2026, 10, 9))
        site = Site.get()
        waiting = waiting_comments(site, date(2026, 11, 3), "monthly", 7, [])
        assert [(w.text, w.until) for w in waiting] == [
            ("1 Kommentar wartet auf Freigabe für den Bericht Oktober 2026", date(2026, 11, 7))
        ]
        assert waiting_comments(site, date(2026, 11, 8), "monthly", 7, []) == []  # being built
        assert waiting_comments(site, date(2026, 11, 3), "monthly", 7, [OCTOBER]) == []
        # "auto": October waited, so its comment goes into the quarter so far.
        later = waiting_comments(site, date(2026, 11, 20), "auto", 7, [])
        assert [(w.period.label, w.until) for w in later] == [
            ("4. Quartal 2026 bis Ende November", date(2026, 12, 7))
        ]


# --- The brute force: nothing hidden can be worked back over the periods "auto" publishes ----

K = 3
QUARTER = [parse_period(key) for key in ("2026-10", "2026-11", "2026-12")]
# Every run of months: what a report prints, and what a reader might try to work out.
RUNS = [tuple(QUARTER[i:j]) for i in range(3) for j in range(i + 1, 4)]


@functools.cache
def printed(a: int, b: int) -> tuple[tuple[str, ...], int]:
    """A table of two counts and their total as a report prints it, and how many are hidden."""
    protected = protect([a, b], K, total="exact")
    total = f"<{K}" if 0 < a + b < K else str(a + b)
    texts = (*(cell.text for cell in protected.cells), total)
    return texts, sum(1 for text in texts if not text.isdigit())


def cover(period, measure) -> str:
    """The cover's sentence, as build_summary writes it."""
    return period_note(period, first_months_hiding_too_much(period, measure), measure(period))


def publish(world, note=cover) -> tuple:
    """Everything a reader gets from "auto" over one quarter whose months hold `world`'s counts
    (months before it hold none): each report's period, cells, previous column and cover."""
    months = dict(zip(QUARTER, world, strict=True))

    def counts(period):
        inside = [c for m, c in months.items() if period.start <= m.start and m.end <= period.end]
        return sum(a for a, _ in inside), sum(b for _, b in inside)

    def measure(period):
        return Coverage(period, printed(*counts(period))[1], 3)

    reports, done, seen = [], [], set()
    for period in auto_periods(QUARTER, [], measure, earliest=QUARTER[0].start):
        published = Published(tuple(done), frozenset(seen))
        previous = period.previous()
        before = printed(*counts(previous))[0] if published.printable(previous) else None
        reports.append((period.key, printed(*counts(period))[0], before, note(period, measure)))
        done.append(period)
        seen |= {period} | ({previous} if before else set())
    return tuple(reports)


def part_of(world, months: list[int], part: str) -> int:
    pairs = [world[i] for i in months]
    return sum(a if part == "first" else b if part == "second" else a + b for a, b in pairs)


def worked_back(values: range, note=cover, checked_up_to: int = 3) -> list:
    """Every count of 1..K-1 of a run of months that a reader of everything published could
    narrow: a count a report prints as "<K" must keep every value 1..K-1; any other (a month
    inside a longer report, months together) at least K-1 values, as many as "<K" leaves.

    Worlds whose counts pass `checked_up_to` are searched but not checked: at the edge of the
    search they lack neighbours that a real reader could not rule out."""
    readers = defaultdict(list)
    for world in itertools.product(itertools.product(values, values), repeat=3):
        readers[publish(world, note)].append(world)
    found = []
    for seen, worlds in readers.items():
        keys = {report[0] for report in seen}
        checked = [w for w in worlds if max(max(pair) for pair in w) <= checked_up_to]
        for run, part in itertools.product(RUNS, ("first", "second", "total")):
            months = [QUARTER.index(month) for month in run]
            possible = {part_of(world, months, part) for world in worlds}
            if date_range(run[0].start, run[-1].end).key in keys:
                enough = set(range(1, K)) <= possible
            else:
                enough = len(possible) >= K - 1
            if not enough and any(0 < part_of(w, months, part) < K for w in checked):
                found.append((run, part, seen))
    return found


def test_no_hidden_count_can_be_worked_back_over_the_periods_auto_publishes():
    assert worked_back(range(6)) == []


def test_the_brute_force_finds_what_the_hidden_numbers_on_the_cover_would_give_away():
    def telling(period, measure):
        # What the cover does not say: how many cells each month alone would hide.
        return tuple(measure(month).hidden for month in months_of(period))

    assert worked_back(range(4), note=telling, checked_up_to=2)

"""Reports for the Stadthaus: periods, SQL counts, small-cell suppression, the PDF and its pages."""

import itertools
import json
import os
import random
import subprocess
import sys
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pypdf
import pytest
from fontTools.ttLib import TTFont

from kiosk import create_app
from kiosk.cli.reports import report_group
from kiosk.clock import TIMEZONE
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.models import Answer, CommentApproval, Site, Submission
from kiosk.reports import queries
from kiosk.reports.disclosure import Cell, MinCellError, change, min_cell, protect
from kiosk.reports.periods import (
    PeriodError,
    date_range,
    parse_period,
    period_of,
)
from kiosk.reports.summary import build_summary

from factories import add_office, add_submission, add_user
from server import log_in

OCTOBER, SEPTEMBER = parse_period("2026-10"), parse_period("2026-09")
DASH = "\N{EN DASH}"
ARABIC = "شكراً على المساعدة، الموظفون لطيفون جداً."
TIGRINYA = "ስለ ሓገዝኩም የቐንየለይ።"
FONTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static", "fonts")


@contextmanager
def database(app):
    with app.app_context(), db.connection_context():
        yield


def local(day: date, hour: int = 11) -> datetime:
    """A moment in Wildeshausen, as naive UTC like the kiosk stores it."""
    moment = datetime(day.year, day.month, day.day, hour, tzinfo=TIMEZONE)
    return moment.astimezone(UTC).replace(tzinfo=None)


def add(app, form, answers, when, lang="de", status="new") -> Submission:
    submission = add_submission(app, form, answers, when, lang)
    if status != "new":
        Submission.update(status=status).where(Submission.id == submission.id).execute()
    return submission


def visits(app, reason, count, day, lang="de"):
    for _ in range(count):
        add(app, "visit", {"reason": reason}, local(day), lang)


def feedback(app, rating, day, comment=None, lang="de"):
    answers = {"today": str(rating), "helped": ["people"], "come_again": "yes"}
    if comment:
        answers |= {"consent": "yes", "comment": comment}
    return add(app, "feedback", answers, local(day), lang)


def intake(app, needs, day, status="new", lang="de"):
    answers = {"consent": "yes", "languages": ["de"], "needs": needs, "contact_way": "none"}
    return add(app, "intake", answers, local(day), lang, status)


def approve(submission):
    answer = Answer.get(Answer.submission == submission, Answer.field == "comment")
    CommentApproval.create(answer=answer, user_name="cora")


# Known small cells: October's reasons are 1 / 4 / 50 / 60 (advice, german, meet, papers).
KNOWN_REASONS = {"advice": 1, "german": 4, "meet": 50, "papers": 60}


def fill_known_month(app):
    """October 2026 with small cells everywhere; September for the comparison."""
    with database(app):
        for reason, count in KNOWN_REASONS.items():
            visits(app, reason, count, date(2026, 10, 7), lang="ar" if reason == "meet" else "de")
        visits(app, "german", 2, date(2026, 9, 9))
        visits(app, "meet", 40, date(2026, 9, 9))
        visits(app, "papers", 30, date(2026, 9, 9))
        for rating, count in {1: 1, 3: 3, 4: 14, 5: 25}.items():
            for _ in range(count):
                feedback(app, rating, date(2026, 10, 8))
        approve(feedback(app, 5, date(2026, 10, 9), ARABIC, lang="ar"))
        approve(feedback(app, 4, date(2026, 10, 9), TIGRINYA, lang="ti"))
        feedback(app, 5, date(2026, 10, 9), "Not approved: call Amina 0151 2345678")
        for _ in range(6):
            intake(app, ["housing", "work"], date(2026, 10, 12), status="done")
        intake(app, ["health"], date(2026, 10, 12), status="handed_over")
        add_office("Sozialamt, Zimmer 12", ["housing"])


@pytest.fixture
def reports_app(app):
    """The app with the reports blueprint (until create_app registers it)."""
    from kiosk.views.reports import bp

    if "reports" not in app.blueprints:
        app.register_blueprint(bp)
    return app


# --- Periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "label"),
    [
        ("2026-11", "month", date(2026, 11, 1), date(2026, 11, 30), "November 2026"),
        ("2026-W47", "week", date(2026, 11, 16), date(2026, 11, 22), "KW 47/2026"),
        ("2026-Q4", "quarter", date(2026, 10, 1), date(2026, 12, 31), "4. Quartal 2026"),
    ],
)
def test_periods_are_read_and_named(text, kind, start, end, label):
    period = parse_period(text)
    assert (period.kind, period.start, period.end, period.label) == (kind, start, end, label)
    assert period.key == text
    assert period_of(period.key) == period


def test_the_previous_period_has_the_same_kind_and_length():
    assert parse_period("2026-03").previous() == parse_period("2026-02")
    assert parse_period("2026-Q1").previous() == parse_period("2025-Q4")
    assert parse_period("2026-W01").previous().key == "2025-W52"
    days = date_range(date(2026, 11, 1), date(2026, 11, 10))
    assert days.kind == "range"
    assert (days.previous().start, days.previous().end) == (date(2026, 10, 22), date(2026, 10, 31))
    assert date_range(date(2026, 10, 1), date(2026, 10, 31)) == OCTOBER
    assert [p.key for p in OCTOBER.recent(3)] == ["2026-08", "2026-09", "2026-10"]


@pytest.mark.parametrize("text", ["2026-13", "2026-W54", "2026-Q5", "November", ""])
def test_bad_periods_are_refused(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_periods_are_days_in_wildeshausen():
    start, end = OCTOBER.utc_bounds()
    assert start == datetime(2026, 9, 30, 22, 0)  # summer time
    assert end == datetime(2026, 10, 31, 23, 0)  # winter time again


# --- Queries --------------------------------------------------------------------------------------


def test_queries_count_per_period_in_sql(app):
    fill_known_month(app)
    with database(app):
        # 00:30 on 1 November in Wildeshausen is still 31 October in UTC: it belongs to November.
        add(app, "visit", {"reason": "other"}, local(date(2026, 11, 1), hour=0))
        site, periods = Site.get(), [SEPTEMBER, OCTOBER]
        submissions = queries.submission_counts(site, periods)
        answers = queries.answer_counts(site, periods, [("visit", "reason"), ("intake", "needs")])
        comments = queries.approved_comments(site, OCTOBER, 10)

    def total(keep):
        return sum(row[-1] for row in submissions if keep(*row[:-1]))

    reasons = sorted((b, value, n) for b, _, field, value, n in answers if field == "reason")
    october = sorted((1, reason, count) for reason, count in KNOWN_REASONS.items())
    assert reasons == [(0, "german", 2), (0, "meet", 40), (0, "papers", 30), *october]
    assert total(lambda b, form, lang, status: b == 1 and form == "visit") == 115
    assert total(lambda b, form, lang, status: b == 1 and form == "feedback") == 46
    assert total(lambda b, form, lang, status: b == 1 and form == "visit" and lang == "ar") == 50
    assert total(lambda b, form, lang, status: b == 1 and status == "done") == 6
    assert total(lambda b, form, lang, status: b == 1 and status == "handed_over") == 1
    needs = sorted((b, value, n) for b, _, field, value, n in answers if field == "needs")
    assert needs == [(1, "health", 1), (1, "housing", 6), (1, "work", 6)]
    assert comments == [("ar", ARABIC), ("ti", TIGRINYA)]


# --- Suppression ----------------------------------------------------------------------------------


def texts(protected):
    return [cell.text for cell in protected.cells]


def test_small_counts_are_hidden_and_one_more_so_the_total_tells_nothing():
    assert texts(protect([1, 4, 50, 60], 3)) == ["<3", "•", "50", "60"]
    # 3 alone would not do: with a total of 1 + 3, the "<3" could only be 1.
    assert texts(protect([1, 3, 3, 50], 3)) == ["<3", "•", "•", "•"]


def test_zero_stays_zero_and_big_tables_need_nothing_more():
    assert texts(protect([0, 12, 0, 7], 3)) == ["0", "12", "0", "7"]
    assert texts(protect([1, 2, 10, 20], 3)) == ["<3", "<3", "10", "20"]


def test_a_total_below_the_threshold_withholds_the_whole_table():
    protected = protect([1, 1, 0], 3)
    assert protected.withheld and texts(protected) == [DASH, DASH, DASH]


def test_the_mean_counts_as_printed_too():
    ratings = [1, 3, 14, 25, 46]
    assert texts(protect(ratings, 3)) == ["<3", "•", "•", "25", "46"]
    with_mean = protect(ratings, 3, weights=[1, 2, 3, 4, 5])
    assert texts(with_mean) == ["<3", "•", "•", "•", "46"]
    assert with_mean.mean.text == "4,3"


def test_multiple_choice_counts_cannot_be_worked_out_from_the_respondents():
    # Ten intakes name at least ten needs: with 8 shown, the "<3" would have to be 2.
    assert texts(protect([8, 2, 0], 3, total="at_least", respondents=10)) == ["•", "<3", "0"]
    assert texts(protect([8, 2, 5], 3, total="at_least", respondents=10)) == ["8", "<3", "5"]


def test_a_change_is_printed_only_where_both_counts_are_shown():
    assert change(Cell.shown(12), Cell.shown(9)) == "+3"
    assert change(Cell.shown(9), Cell.shown(12)) == "\N{MINUS SIGN}3"
    assert change(Cell.shown(0), Cell.shown(0)) == "±0"
    assert change(Cell.small(3), Cell.shown(12)) is None
    assert change(Cell.shown(12), Cell.hidden()) is None


def test_the_threshold_comes_from_the_config():
    assert min_cell({}) == 3
    assert min_cell({"REPORT_MIN_CELL": 10}) == 10
    for wrong in (2, 11, "5"):
        with pytest.raises(MinCellError):
            min_cell({"REPORT_MIN_CELL": wrong})
    assert texts(protect([4, 9, 30], 5)) == ["<5", "•", "30"]


def attack(cells, k, total, weights=None, mean=None):
    """Every value each "<k" cell can have, for a reader who knows all that is printed."""
    hidden = [i for i, cell in enumerate(cells) if cell.value is None]
    shown = sum(cell.value for cell in cells if cell.value is not None)
    choices = [range(1, k) if cells[i].kind == "small" else range(k, total + 1) for i in hidden]
    possible = {i: set() for i in hidden if cells[i].kind == "small"}
    for values in itertools.product(*choices):
        if shown + sum(values) != total:
            continue
        if mean is not None:
            full = [cell.value for cell in cells]
            for i, value in zip(hidden, values, strict=True):
                full[i] = value
            low, high = mean.weighted_sum_bounds(total)
            if not low <= sum(c * w for c, w in zip(full, weights, strict=True)) <= high:
                continue
        for i, value in zip(hidden, values, strict=True):
            if i in possible:
                possible[i].add(value)
    return possible


def test_no_hidden_count_can_be_worked_out_by_brute_force():
    rng = random.Random(5)
    for _ in range(400):
        k = rng.choice([3, 3, 4])
        counts = [rng.choice([0, 1, 2, 3, 4, 5, 7, 12]) for _ in range(rng.randint(2, 5))]
        weights = list(range(1, len(counts) + 1)) if rng.random() < 0.5 else None
        protected = protect(counts, k, weights=weights)
        if protected.withheld:
            continue
        found = attack(protected.cells, k, sum(counts), weights, protected.mean)
        assert all(values == set(range(1, k)) for values in found.values()), (counts, k)


# --- Summary, sentences ---------------------------------------------------------------------------


def test_the_summary_holds_only_printed_figures(app):
    fill_known_month(app)
    with database(app):
        summary = build_summary(Site.get(), OCTOBER, 3)
    reasons = {row["value"]: row for row in summary["tables"]["reasons"]["rows"]}
    assert reasons["advice"]["current"] == {"value": None, "text": "<3", "kind": "small"}
    assert reasons["german"]["current"]["text"] == "•"
    assert reasons["german"]["change"] is None  # 4 against "<3": no difference is printed
    assert reasons["meet"]["change"] == "+10"
    assert reasons["papers"]["previous"]["text"] == "•"  # September's own secondary suppression
    needs = {row["value"]: row for row in summary["tables"]["needs"]["rows"]}
    assert needs["housing"]["office"] == "Sozialamt, Zimmer 12"
    assert needs["health"]["current"]["text"] == "<3"
    assert "Amina" not in json.dumps(summary, ensure_ascii=False)
    assert summary["sentences"][0].startswith("Im Oktober 2026 gab es 115 Besuche, 43 mehr als")
    assert [c["lang"] for c in summary["comments"]["items"]] == ["ar", "ti"]


def test_a_comment_is_named_with_the_language_chosen_at_the_kiosk(app):
    # Never guessed from its letters (issue 17): Arabic letters after choosing Ukrainian.
    with database(app):
        approve(feedback(app, 4, date(2026, 10, 9), ARABIC, lang="uk"))
        comment = build_summary(Site.get(), OCTOBER, 3)["comments"]["items"][0]
    assert (comment["lang"], comment["dir"]) == ("uk", "ltr")
    assert comment["caption"] == "Kommentar auf Ukrainisch"


def test_the_vendored_fonts_cover_the_comments():
    covered = set()
    for name in os.listdir(FONTS):
        if name.endswith("-400.woff2"):
            covered |= set(TTFont(os.path.join(FONTS, name)).getBestCmap())
    for text in (ARABIC, TIGRINYA, "Дякую", "Spas ji bo alîkariyê", "Çocuklar için"):
        assert all(ord(c) in covered for c in text if not c.isspace()), text


# --- The fetcher ----------------------------------------------------------------------------------


def test_the_fetcher_serves_static_files_and_refuses_everything_else(tmp_path):
    from kiosk.reports.worker import StaticFilesOnly

    static = os.path.realpath(os.path.join(os.path.dirname(FONTS)))
    fetcher = StaticFilesOnly(static, str(tmp_path))
    css = fetcher(f"file://{static}/print/report.css")
    assert b"@page" in css.read()
    font = fetcher(f"file://{static}/fonts/noto-sans-latin-400.woff2").read()
    assert font[:4] == b"\x00\x01\x00\x00"  # served decompressed, from the cache
    assert os.listdir(tmp_path)
    for url in (
        "https://example.org/logo.png",
        "http://127.0.0.1:8080/static/print/report.css",
        "ftp://example.org/x",
        "data:text/css,body{}",
        "file:///etc/passwd",
        f"file://{static}/../kiosk/models.py",
        f"file://example.org{static}/print/report.css",
    ):
        with pytest.raises(ValueError, match="refused"):
            fetcher(url)


def test_a_report_asking_for_a_foreign_url_is_not_rendered():
    from kiosk.reports.worker import write_pdf

    static = os.path.dirname(FONTS)
    with pytest.raises(BaseException, match="Error fetching"):
        write_pdf('<p>x</p><img src="https://example.org/track.png">', static)


# --- Building, storing, the PDF -------------------------------------------------------------------


@pytest.fixture(scope="module")
def october(tmp_path_factory):
    """October's report, built once through the CLI for the tests that read it."""
    instance = tmp_path_factory.mktemp("reports") / "instance"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_INSTANCE_PATH", str(instance))
        app = create_app({"SECRET_KEY": "test-secret", "TESTING": True})
        prepare_database(app)
        fill_known_month(app)
        result = app.test_cli_runner().invoke(report_group, ["build", "--period", "2026-10"])
        assert result.exit_code == 0, result.output
        yield app, instance, result.output.strip().splitlines()[-1]


def record_of(pdf_path: str) -> dict:
    with open(pdf_path.removesuffix(".pdf") + ".json", encoding="utf-8") as record:
        return json.load(record)


def pdf_text(path: str) -> str:
    reader = pypdf.PdfReader(path)
    return "\n".join(page.extract_text(extraction_mode="layout") for page in reader.pages)


def printed_row(text: str, label: str) -> list[str]:
    """The figures printed after a row's label: count, previous, change."""
    line = next(line for line in text.splitlines() if line.strip().startswith(label))
    return line.strip()[len(label) :].split()


def test_build_writes_the_pdf_and_its_record(october):
    _, instance, pdf_path = october
    record = record_of(pdf_path)
    assert pdf_path == str(instance / "reports" / "mittendrin" / "2026-10.pdf")
    assert record["period"]["key"] == "2026-10"
    assert record["site"] == {"slug": "mittendrin", "name": "Treffpunkt Mittendrin"}
    with open(pdf_path, "rb") as pdf:
        import hashlib

        assert hashlib.sha256(pdf.read()).hexdigest() == record["sha256"]
    assert record["pages"] >= 3


def test_the_same_report_is_not_built_twice_unless_asked(october):
    app, _, pdf_path = october
    runner = app.test_cli_runner()
    first = record_of(pdf_path)
    modified = os.path.getmtime(pdf_path)
    again = runner.invoke(report_group, ["build", "--period", "2026-10"])
    assert again.exit_code == 0 and "Exists already" in again.output
    assert record_of(pdf_path)["uuid"] == first["uuid"]
    assert os.path.getmtime(pdf_path) == modified
    rebuilt = runner.invoke(report_group, ["build", "--period", "2026-10", "--rebuild"])
    assert rebuilt.exit_code == 0
    replacement = record_of(pdf_path)
    assert replacement["uuid"] != first["uuid"] and replacement["replaces"] == first["uuid"]
    listed = runner.invoke(report_group, ["list"])
    assert replacement["uuid"] in listed.output and first["uuid"] not in listed.output


def test_the_pdf_is_archival_with_title_author_and_language(october):
    pdf_path = october[2]
    reader = pypdf.PdfReader(pdf_path)
    assert reader.metadata.title == f"Bericht Treffpunkt Mittendrin {DASH} Oktober 2026"
    assert reader.metadata.author == "Treffpunkt Mittendrin"
    assert reader.trailer["/Root"]["/Lang"] == "de"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]  # tagged
    xmp = reader.xmp_metadata.rdf_root.toxml()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="U"' in xmp
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(font.get_object()["/BaseFont"].split("+")[1])
    assert {"Report-Arabic", "Report-Ethiopic"} <= fonts  # the comments' scripts, embedded
    assert all(font.startswith("Report-") for font in fonts), fonts  # vendored fonts only


def test_no_hidden_value_can_be_worked_out_from_the_pdf_text(october):
    pdf_path = october[2]
    text = pdf_text(pdf_path)
    rows = {label: printed_row(text, label) for label in ("Beratung", "Deutsch lernen")}
    assert rows["Beratung"] == ["<3", "0", DASH]
    assert rows["Deutsch lernen"] == ["•", "<3", DASH]  # no change printed next to a hidden count
    assert printed_row(text, "Menschen treffen") == ["50", "40", "+10"]
    assert printed_row(text, "Hilfe bei Papieren") == ["60", "•", DASH]
    assert printed_row(text, "Besuche zusammen") == ["115", "72", "+43"]
    total = int(printed_row(text, "Besuche zusammen")[0])
    shown = sum(
        int(printed_row(text, label)[0])
        for label in ("Menschen treffen", "Hilfe bei Papieren", "Kinderangebot", "Sonstiges")
    )
    # The reader's view: "<3" is 1 or 2, "•" at least 3; both values stay possible for "<3".
    remainder = total - shown
    possible = {small for small in (1, 2) if remainder - small >= 3}
    assert possible == {1, 2}
    assert "Amina" not in text and "0151" not in text
    assert "Sozialamt, Zimmer 12" in text
    assert "Kommentar auf Arabisch" in text and "Kommentar auf Tigrinya" in text


def test_an_unfinished_period_is_not_built(app, runner):
    today = date.today()
    result = runner.invoke(report_group, ["build", "--period", f"{today:%Y-%m}"])
    assert result.exit_code != 0 and "erst danach" in result.output


def test_build_takes_a_range_and_refuses_mixed_options(app, runner):
    mixed = runner.invoke(
        report_group, ["build", "--period", "2026-10", "--from", "2026-10-01", "--to", "2026-10-02"]
    )
    assert mixed.exit_code == 2
    alone = runner.invoke(report_group, ["build", "--from", "2026-10-01"])
    assert alone.exit_code == 2
    unknown = runner.invoke(report_group, ["build", "--period", "2026-10", "--site", "nowhere"])
    assert unknown.exit_code == 1 and "No site" in unknown.output


def test_the_worker_runs_as_its_own_process():
    """The worker script imports nothing of the kiosk (it must start fast and alone)."""
    from kiosk.reports import render

    probe = "import sys; sys.argv = ['w']; import runpy; "
    probe += f"runpy.run_path({render.WORKER!r}, run_name='probe'); "
    probe += "print(sorted(m for m in sys.modules if m == 'kiosk' or m.startswith('kiosk.')))"
    result = subprocess.run(
        [sys.executable, "-P", "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# --- Coordinators' pages --------------------------------------------------------------------------


@pytest.fixture
def staff(reports_app):
    add_user(reports_app, "cora", "coordinator")
    add_user(reports_app, "vera", "volunteer")
    return reports_app


def test_coordinators_preview_the_report_as_html(staff, client):
    fill_known_month(staff)
    log_in(client, "cora")
    assert "Berichte für das Stadthaus" in client.get("/review/reports/").get_data(as_text=True)
    chosen = client.get("/review/reports/preview?period=2026-10")
    assert chosen.status_code == 303 and chosen.headers["Location"].endswith("/2026-10/")
    page = client.get("/review/reports/2026-10/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Besuche zusammen" in html and ">&lt;3<" in html
    assert 'lang="ar" dir="rtl"' in html and ARABIC in html
    assert "Amina" not in html
    assert client.get("/review/reports/2026-13/").status_code == 400


def test_volunteers_may_not_see_reports(staff, client):
    log_in(client, "vera")
    assert client.get("/review/reports/").status_code == 403
    assert client.get("/review/reports/2026-10/").status_code == 403
    assert client.get("/review/reports/2026-10.pdf").status_code == 403


def test_nobody_sees_reports_without_login(staff, client):
    response = client.get("/review/reports/2026-10/")
    assert response.status_code == 302 and "/review/login" in response.headers["Location"]


def test_coordinators_download_the_pdf_built_once(staff, client, instance):
    fill_known_month(staff)
    token = log_in(client, "cora").token("/review/reports/2026-10/")
    assert client.get("/review/reports/2026-10.pdf").status_code == 404  # a GET never builds
    built = client.post("/review/reports/2026-10/build", data={"csrf_token": token})
    assert built.status_code == 303
    first = client.get("/review/reports/2026-10.pdf")
    pdf = first.get_data()
    first.close()  # a file response: closed, or the open file is reported
    assert first.status_code == 200 and pdf.startswith(b"%PDF-")
    assert "Bericht-mittendrin-2026-10.pdf" in first.headers["Content-Disposition"]
    second = client.get("/review/reports/2026-10.pdf")
    assert second.get_data() == pdf
    second.close()
    unfinished = client.get(f"/review/reports/{date.today() + timedelta(days=40):%Y-%m}.pdf")
    assert unfinished.status_code == 404

"""Dates people type: read in one place (kiosk/dates.py), only 2000 to 2099, refused with a German
400 in the staff layout (or a clean usage error in a command), never a 500; a GET never builds a
report's PDF."""

import os
from datetime import date, timedelta
from itertools import product
from urllib.parse import quote

import pytest

from kiosk.cli.reports import report_group
from kiosk.dates import DateInputError, parse_day
from kiosk.reports.periods import PeriodError, parse_period, period_of

from factories import add_user
from server import log_in

# Each of these once answered 500 somewhere in the staff area.
EDGE_DAYS = [
    "0001-01-01",
    "9999-12-31",
    "1999-12-31",
    "2100-01-01",
    "2026-02-30",
    "2026-13-01",
    "99999999999999999999-01-01",
    "2026-11-01\r\nX-Evil: 1",
    "2026-11-01\x00",
    "2026-\u034f11-01",  # a combining grapheme joiner is no mark to drop
    "2026-W47",
    "1" * 300,
]
EDGE_PERIODS = [
    "0001-W01",
    "0001-01",
    "9999-12",
    "9999-Q4",
    "2026-13",
    "2026-00",
    "2026-W54",
    "2025-W53",  # 2025 has 52 ISO weeks
    "1999-12",
    "2100-01",
    "99999999999999999999",
    "0001-01-01_0001-01-31",
    "2026-11-01_9999-12-31",
    "2026-11-15_2026-11-01",
    "2026-11-01_",
    "2026-11\r\nX-Evil: 1",
    "2026-\n11",
    "2026-11-01",
    "",
]
HTMX = {"HX-Request": "true"}


# --- The one reader ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-12-24", date(2026, 12, 24)),
        ("24.12.2026", date(2026, 12, 24)),
        (" 2000-01-01 ", date(2000, 1, 1)),
        ("2099-12-31", date(2099, 12, 31)),
        ("\u0662\u0660\u0662\u0666-\u0661\u0661-\u0660\u0661", date(2026, 11, 1)),  # Arabic-Indic
        ("\u06f2\u06f0\u06f2\u06f6-\u06f1\u06f1-\u06f0\u06f1", date(2026, 11, 1)),  # Persian
        ("\u200f2026-11-01\u200e", date(2026, 11, 1)),  # marks copied from a right-to-left text
        ("\u202e\u20662026-11-01\u2069", date(2026, 11, 1)),
        ("2026\u202e-11-01\r\n", date(2026, 11, 1)),
    ],
)
def test_a_typed_day_is_read_in_any_script(text, day):
    assert parse_day(text) == day


@pytest.mark.parametrize("text", EDGE_DAYS)
def test_a_day_outside_2000_to_2099_or_unreadable_is_refused_in_german(text):
    with pytest.raises(DateInputError, match=r"^Bitte ein Datum"):
        parse_day(text)


@pytest.mark.parametrize("text", EDGE_PERIODS)
def test_a_period_outside_2000_to_2099_or_unreadable_is_refused_in_german(text):
    with pytest.raises(PeriodError) as refused:
        period_of(text)
    assert isinstance(refused.value, DateInputError)
    assert refused.value.args[0].startswith(("Bitte", "Einen Monat", "Die Kalenderwoche", "Der"))


def test_periods_at_the_edges_and_in_other_digits_are_read():
    assert parse_period("\u0662\u0660\u0662\u0666-\u0661\u0661").key == "2026-11"
    assert parse_period("2026-w47").key == "2026-W47"
    assert period_of("2000-01").start == date(2000, 1, 1)
    assert period_of("2099-Q4").end == date(2099, 12, 31)
    assert period_of("2026-W53").key == "2026-W53"  # 2026 has 53 ISO weeks
    assert period_of("2000-01-01_2099-12-31").days == 36525


# --- The staff pages ----------------------------------------------------------------------------


@pytest.fixture
def coordinator(app):
    add_user(app, "cora", "coordinator")
    return log_in(app.test_client(), "cora")


def staff_page_refusing(response, words: str) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 400, (response.status_code, html[:300])
    assert words in html
    return html


def test_the_inbox_refuses_an_edge_date_with_the_field_marked(coordinator):
    client = coordinator.client
    for name, text in product(("since", "until"), EDGE_DAYS):
        page = client.get(f"/review/?{name}={quote(text)}")
        html = staff_page_refusing(page, "Bitte ein Datum")
        assert 'class="staff-bar"' in html and 'aria-invalid="true"' in html
        # htmx swaps the list alone: it keeps its id (the next filter finds it) and says why.
        fragment = client.get(f"/review/?{name}={quote(text)}", headers=HTMX)
        html = staff_page_refusing(fragment, "Ungültiges Datum")
        assert html.lstrip().startswith('<section id="inbox-list"')


def test_the_export_refuses_an_edge_date_and_exports_nothing(coordinator):
    for text in EDGE_DAYS:
        response = coordinator.client.get(
            f"/review/export.csv?until={quote(text)}&since=2026-01-01"
        )
        html = staff_page_refusing(response, "Ungültiges Datum")
        assert response.mimetype == "text/html" and "Bitte ein Datum" in html


def test_the_inbox_and_export_take_dates_at_the_edges(coordinator):
    client = coordinator.client
    assert client.get("/review/?since=2000-01-01&until=2099-12-31").status_code == 200
    export = client.get("/review/export.csv?since=01.01.2000&until=31.12.2099")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    export.close()


def test_a_report_key_outside_the_range_answers_400_in_the_staff_layout(coordinator):
    client = coordinator.client
    token = coordinator.token("/review/reports/")
    for key in EDGE_PERIODS[:-1]:  # an empty key is no URL of its own
        quoted = quote(key, safe="")
        for response in (
            client.get(f"/review/reports/{quoted}/"),
            client.get(f"/review/reports/{quoted}.pdf"),
            client.post(f"/review/reports/{quoted}/build", data={"csrf_token": token}),
            client.post(f"/review/reports/{quoted}/rebuild", data={"csrf_token": token}),
        ):
            html = staff_page_refusing(response, "Ungültiger Zeitraum")
            assert "Alle Berichte" in html


def test_the_period_form_shows_its_message_at_the_field(coordinator):
    for text in EDGE_PERIODS:
        response = coordinator.client.get(f"/review/reports/preview?period={quote(text)}")
        html = staff_page_refusing(response, 'id="period-error"')
        assert "Berichte für das Stadthaus" in html


def test_an_event_day_outside_the_range_is_refused_at_the_field(app):
    add_user(app, "vera", "volunteer")
    auth = log_in(app.test_client(), "vera")
    token = auth.token("/review/wegweiser/termine/neu")
    form = {"csrf_token": token, "starts": "00:30", "ends": "23:00", "t_title_de": "Fest"}
    for day in ("0001-01-01", "9999-12-31"):
        response = auth.client.post("/review/wegweiser/termine/neu", data={**form, "day": day})
        assert response.status_code == 422
        assert "zwischen dem 1. Januar 2000 und dem 31. Dezember 2099" in response.get_data(
            as_text=True
        )


# --- A GET never builds a report ----------------------------------------------------------------


def test_a_missing_pdf_answers_404_with_the_build_button_and_builds_nothing(coordinator, app):
    last_year = f"{date.today().year - 1}-10"
    response = coordinator.client.get(f"/review/reports/{last_year}.pdf")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "gibt es noch nicht" in html
    assert f'action="/review/reports/{last_year}/build"' in html and "PDF jetzt erstellen" in html
    assert not os.path.exists(os.path.join(app.instance_path, "reports"))
    # The preview offers the same button, not a download that would build.
    preview = coordinator.client.get(f"/review/reports/{last_year}/").get_data(as_text=True)
    assert f'action="/review/reports/{last_year}/build"' in preview
    assert f'href="/review/reports/{last_year}.pdf"' not in preview


def test_an_unfinished_period_has_no_pdf_and_no_build_button(coordinator, app):
    later = f"{date.today() + timedelta(days=40):%Y-%m}"
    response = coordinator.client.get(f"/review/reports/{later}.pdf")
    assert response.status_code == 404
    assert "/build" not in response.get_data(as_text=True)
    token = coordinator.token("/review/reports/")
    built = coordinator.client.post(f"/review/reports/{later}/build", data={"csrf_token": token})
    assert built.status_code == 303
    page = coordinator.client.get(built.headers["Location"]).get_data(as_text=True)
    assert "erst danach" in page
    assert not os.path.exists(os.path.join(app.instance_path, "reports", "mittendrin", later))


def test_only_coordinators_may_build(app):
    add_user(app, "vera", "volunteer")
    auth = log_in(app.test_client(), "vera")
    token = auth.token("/review/")
    response = auth.client.post("/review/reports/2025-10/build", data={"csrf_token": token})
    assert response.status_code == 403
    assert auth.client.post("/review/reports/2025-10/build").status_code in (400, 403)


# --- The commands -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        ["build", "--period", "0001-W01"],
        ["build", "--period", "9999-12"],
        ["build", "--period", "2026-13"],
        ["build", "--from", "0001-01-01", "--to", "0001-01-31"],
        ["build", "--from", "2026-11-01", "--to", "9999-12-31"],
        ["build", "--from", "2026-11-15", "--to", "2026-11-01"],
        ["due", "--today", "9999-12-31"],
        ["due", "--today", "0001-01-01"],
        ["due", "--today", "2026-02-30"],
    ],
)
def test_a_command_refuses_an_edge_date_with_a_usage_error(app, arguments):
    result = app.test_cli_runner().invoke(report_group, arguments)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a usage error, not a traceback
    assert "Bitte" in result.output or "Der Zeitraum endet" in result.output


def test_a_command_reads_a_day_as_the_staff_pages_do(app):
    """24.12.2026 and other scripts' digits, as a person types them."""
    for today in ("1.12.2026", "\u0662\u0660\u0662\u0666-\u0661\u0662-\u0660\u0661"):
        result = app.test_cli_runner().invoke(report_group, ["due", "--today", today])
        assert result.exit_code == 0, result.output
        assert "Kein Bericht fällig" in result.output

"""The inbox shows what to do: "Zu tun" per person, the other views in the URL, forms without
review left out (but counted), marks on the rows, and the visitor code found however typed."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from test_review import (
    HTMX,
    INTAKE,
    NAMES,
    Staff,
    database,
    feedback,
    read_csv,
    submit,
    visit,
)

from kiosk import clock
from kiosk.clock import local_today
from kiosk.config import PROJECT_ROOT
from kiosk.formspec import FormSpec
from kiosk.formspec.toml_reader import TomlFormReader
from kiosk.models import Answer, CommentApproval, NeedCase, Site, Submission
from kiosk.reports import queries
from kiosk.reports.periods import month

from factories import add_user

FORMS = Path(PROJECT_ROOT) / "forms"


@pytest.fixture
def users(app):
    return {role: add_user(app, name, role).id for role, name in NAMES.items()}


@pytest.fixture
def staff(app, users):
    return lambda role="volunteer": Staff(app, NAMES[role])


def intake(app, days_ago=0, status="new", assignee=None) -> int:
    submission = submit(app, "intake", INTAKE, days_ago=days_ago)
    with database(app):
        Submission.update(status=status, assigned_to=assignee).where(
            Submission.id == submission
        ).execute()
    return submission


def set_cases(app, submission, **fields):
    """Every case (need) of `submission` set to `fields`."""
    with database(app):
        NeedCase.update(**fields).where(NeedCase.submission == submission).execute()


# --- Zu tun ---------------------------------------------------------------------------------


def test_zu_tun_holds_untaken_new_mine_and_overdue_follow_ups(app, staff, users):
    vera_id, cora_id = users["volunteer"], users["coordinator"]
    untaken = intake(app, days_ago=6)
    veras = intake(app, days_ago=5, status="in_progress", assignee=vera_id)
    veras_done = intake(app, days_ago=4, status="done", assignee=vera_id)
    coras_new = intake(app, days_ago=3, status="new", assignee=cora_id)
    overdue = intake(app, days_ago=2, status="handed_over")
    due_today = intake(app, days_ago=2, status="handed_over")
    closed_late = intake(app, days_ago=1, status="done")
    today = local_today()
    set_cases(app, overdue, status="handed_over", due=today - timedelta(days=1))
    set_cases(app, due_today, status="handed_over", due=today)
    set_cases(app, closed_late, status="done", due=today - timedelta(days=9))
    one_tap = visit(app)

    vera, cora = staff(), staff("coordinator")
    assert vera.listed() == [overdue, veras, untaken]
    assert cora.listed() == [overdue, coras_new, untaken]
    everything = [closed_late, due_today, overdue, coras_new, veras_done, veras, untaken]
    assert vera.listed("ansicht=alle") == everything
    assert one_tap not in vera.listed("ansicht=alle")
    html = vera.html("/review/")
    assert "3 Einträge zu tun" in html
    assert "Wiedervorlage überfällig" in html


def test_overdue_is_measured_by_the_date_in_germany(app, staff, monkeypatch):
    submission = intake(app, status="handed_over")
    set_cases(app, submission, status="in_progress", due=datetime(2026, 12, 1).date())
    vera = staff()
    # 23:30 UTC on 1 December is already 2 December in Wildeshausen: the day is past.
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 12, 1, 23, 30))
    assert vera.listed() == [submission]
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 12, 1, 22, 30))
    assert vera.listed() == []  # 23:30 in Wildeshausen, still 1 December


def test_an_empty_zu_tun_says_so_and_offers_every_entry(app, staff):
    intake(app, status="done")
    html = staff().html("/review/")
    assert "Nichts zu tun." in html
    assert 'href="/review/?ansicht=alle"' in html


# --- Views in the URL -------------------------------------------------------------------------


def test_each_view_is_one_tap_away_and_stays_in_the_url(app, staff):
    new = intake(app, days_ago=2)
    done = intake(app, days_ago=1, status="done")
    vera = staff()
    html = vera.html("/review/")
    for link in ('href="/review/"', 'href="/review/?ansicht=alle"', 'href="/review/?form=intake"',
                 'href="/review/?form=feedback"', 'href="/review/?status=done"'):  # fmt: skip
        assert link in html, link
    assert 'href="/review/?form=visit"' not in html  # a form without review is no view
    assert current_view(html) == "Zu tun"
    assert current_view(vera.html("/review/?ansicht=alle")) == "Alle"
    assert current_view(vera.html("/review/?status=done")) == "Erledigt"
    assert current_view(vera.html("/review/?form=intake")) == "Anmeldung"
    # A bookmark keeps its view, paged or not; the filter form keeps "Alle" once chosen.
    assert vera.listed("ansicht=alle&page=1") == [done, new]
    assert 'name="ansicht" value="alle"' in vera.html("/review/?ansicht=alle")
    # An unknown view is the default one.
    assert vera.listed("ansicht=irgendwas") == [new]
    response = vera.get("/review/?ansicht=alle&lang=de", headers=HTMX)
    assert response.headers["HX-Push-Url"] == "/review/?ansicht=alle&lang=de"
    assert "aria-current" in response.get_data(as_text=True)  # the views swap with the list


def current_view(html: str) -> str:
    start = html.index('aria-current="page">') + len('aria-current="page">')
    return html[start : html.index("<", start)]


def test_the_old_filter_links_keep_what_they_showed(app, staff):
    new = intake(app, days_ago=2)
    done = intake(app, days_ago=1, status="done")
    comment = feedback(app, "Prima")
    vera = staff()
    assert vera.listed("form=intake") == [done, new]
    assert vera.listed("status=done") == [done]
    assert vera.listed("form=intake&status=new&lang=de") == [new]
    assert vera.listed("q=Prima") == [comment]
    # Zu tun with a filter, when the URL asks for both.
    assert vera.listed("ansicht=zu-tun&form=intake") == [new]
    response = vera.post("/review/bulk", {"ids": [new], "bulk-status": "", "back": "ansicht=alle"})
    assert response.headers["Location"] == "/review/?ansicht=alle"


# --- Forms without review -----------------------------------------------------------------------


def test_a_form_without_review_never_fills_the_inbox_but_is_counted(app, staff):
    assert not app.extensions["kiosk_forms"]["visit"].review
    assert app.extensions["kiosk_forms"]["intake"].review
    visits = [visit(app) for _ in range(3)]
    other = feedback(app, "Schön hier")
    vera = staff()
    assert vera.listed() == [other]
    assert vera.listed("ansicht=alle") == [other]
    assert vera.listed("status=new") == [other]
    assert vera.listed("lang=de") == [other]
    assert vera.listed("form=visit") == visits[::-1]  # asked for by name
    with database(app):
        counts = queries.submission_counts(Site.get(), [month(local_today().replace(day=1))])
    assert sum(n for _, form, _, _, n in counts if form == "visit") == 3
    _header, *rows = read_csv(staff("coordinator").get("/review/export.csv"))
    assert len(rows) == 4  # the export holds them too


VISIT_TOML = (FORMS / "visit.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("review = false\nvisitor_code = true", "'visitor_code' needs the form in the inbox"),
        ('review = "nein"', "'review' must be true or false"),
    ],
)
def test_the_review_key_is_checked(tmp_path, change, problem):
    path = tmp_path / "visit.toml"
    reader = TomlFormReader(path)
    text = VISIT_TOML.replace("review = false", change)
    assert reader.read(text) is None
    assert any(problem in str(error) for error in reader.problems), reader.problems


def test_only_a_form_without_review_changes_its_version(app):
    specs = app.extensions["kiosk_forms"]
    assert specs["visit"].to_dict()["review"] is False
    assert "review" not in specs["intake"].to_dict()  # its version stays what it was
    assert FormSpec.from_dict(specs["visit"].to_dict()) == specs["visit"]


# --- Marks --------------------------------------------------------------------------------------


def marks_of(html: str, submission: int) -> str:
    """The row of `submission` in the inbox's HTML."""
    start = html.index(f'href="/review/{submission}"')
    return html[start : html.index("</tr>", start)]


def test_a_very_bad_rating_and_a_comment_waiting_for_approval_are_marked(app, staff):
    bad = submit(app, "feedback", {"today": "1", "consent": "yes", "comment": "Zu laut"})
    good = submit(app, "feedback", {"today": "5"})
    vera = staff()
    html = vera.html("/review/")
    row = marks_of(html, bad)
    assert "Sehr schlecht bewertet" in row and "Kommentar wartet auf Freigabe" in row
    assert row.count("<svg") >= 2  # each with its pictogram beside the words
    assert "bewertet" not in marks_of(html, good) and "Kommentar" not in marks_of(html, good)
    with database(app):
        answer = Answer.get(Answer.submission == bad, Answer.field == "comment")
        CommentApproval.create(answer=answer, user_name="vera")
    row = marks_of(vera.html("/review/"), bad)
    assert "Sehr schlecht bewertet" in row and "Kommentar wartet" not in row


# --- Visitor code -------------------------------------------------------------------------------


def code_of(app, submission) -> str:
    with database(app):
        return Submission.get_by_id(submission).visitor_code


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code,
        lambda code: code.lower(),
        lambda code: code.lower().replace("-", " "),
        lambda code: code.replace("-", ""),
        lambda code: code.replace("-", "\N{EN DASH}"),
        lambda code: code.replace("-", "\N{EM DASH}"),
        lambda code: f"  {code[:2]} - {code[3:]} ",
    ],
    ids=["as-shown", "lower", "space", "no-dash", "en-dash", "em-dash", "spaced"],
)
def test_the_visitor_code_finds_its_submission_however_typed(app, staff, users, typed):
    wanted = intake(app, days_ago=3, status="done", assignee=users["admin"])
    code = code_of(app, wanted)
    newer = feedback(app, f"Meine Nummer war {code}")  # its text holds the code as shown
    vera = staff()
    listed = vera.listed(f"q={typed(code)}")
    assert listed[0] == wanted  # the exact code first, though done, someone else's, older
    assert set(listed) <= {wanted, newer}
    assert "Gesuchte Nummer" in marks_of(vera.html(f"/review/?q={typed(code)}"), wanted)


def test_a_code_no_submission_has_finds_nothing(app, staff):
    code = code_of(app, intake(app))
    other = "A2-22" if code != "A2-22" else "C3-33"
    assert staff().listed(f"q={other}") == []


# --- No 500 on odd input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["ansicht=", "ansicht=%00", "ansicht=alle&ansicht=zu-tun", "form=visit&ansicht=zu-tun"]
)
def test_odd_view_arguments_never_fail(app, staff, query):
    assert staff().get(f"/review/?{query}").status_code == 200

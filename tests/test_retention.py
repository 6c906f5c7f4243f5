"""Löschfristen: `kiosk purge` forgets personal data on time and keeps what the reports count."""

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk import create_app
from kiosk.clock import TIMEZONE
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.maintenance.retention import purge_expired
from kiosk.models import (
    Answer,
    AuditEvent,
    CaseChange,
    CommentApproval,
    Draft,
    FormVersion,
    LoginAttempt,
    NeedCase,
    Note,
    Site,
    StatusChange,
    Submission,
    UserSession,
)
from kiosk.reports.periods import parse_period
from kiosk.reports.summary import build_summary

import pg_support
from factories import add_submission, add_user

# "Today" for every test: the intake form keeps personal answers 180 days, feedback 45.
NOW = datetime(2027, 6, 15, 10, 0)
MARK = "Zyx"  # unique beginnings of every personal text, so the file bytes can be searched


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, instance):
    """The purge on both databases a kiosk or a hub may run on."""
    config = {"SECRET_KEY": "test-secret", "TESTING": True}
    if request.param == "postgresql":
        config["DATABASE_URL"] = pg_support.server().new_database()
    app = create_app(config)
    prepare_database(app)
    return app


@contextmanager
def database(app):
    with app.app_context(), db.connection_context():
        yield


def local(day: date, hour: int = 11, minute: int = 0) -> datetime:
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=TIMEZONE)
    return moment.astimezone(UTC).replace(tzinfo=None)


def add(app, form, answers, when, lang="de") -> Submission:
    return add_submission(app, form, answers, when, lang)


def intake(app, when, marker, status="new", status_at=None, volunteer=None) -> Submission:
    answers = {
        "consent": "yes",
        "name": f"{MARK}name{marker}",
        "languages": ["de", "ar"],
        "needs": ["housing", "other"],
        "needs_other": f"{MARK}other{marker}",
        "contact_way": "phone",
        "contact": f"0151 {marker}",
    }
    submission = add(app, "intake", answers, when, lang="ar")
    Note.create(submission=submission, user_name="cora", text=f"{MARK}note{marker}", at=when)
    if volunteer:
        Submission.update(assigned_to=volunteer).where(Submission.id == submission.id).execute()
    if status != "new":
        StatusChange.create(
            submission=submission, old="new", new=status, user_name="cora", at=status_at
        )
        Submission.update(status=status).where(Submission.id == submission.id).execute()
        # The housing need's case: handed to an office, with an outcome line naming the person.
        case = NeedCase.get(NeedCase.submission == submission, NeedCase.need == "housing")
        outcome = f"{MARK}outcome{marker}"
        before = {"status": "open", "office_key": None, "outcome": "", "assignee": None}
        after = {"status": "done", "office_key": "wohngeld", "outcome": outcome, "assignee": "cora"}
        CaseChange.create(case=case, before=before, after=after, user_name="cora", at=status_at)
        NeedCase.update(
            status="done", office_key="wohngeld", outcome=outcome, assignee=volunteer
        ).where(NeedCase.id == case.id).execute()
    return Submission.get_by_id(submission.id)


def feedback(app, when, marker=None, approved=False) -> Submission:
    answers = {"today": "4", "helped": ["people"], "come_again": "yes"}
    if marker:
        answers |= {"consent": "yes", "comment": f"{MARK}comment{marker}"}
    submission = add(app, "feedback", answers, when, lang="uk")
    if approved:
        answer = Answer.get(Answer.submission == submission, Answer.field == "comment")
        CommentApproval.create(answer=answer, user_name="cora")
    return submission


def personal_values(submission) -> list[str]:
    query = Answer.select().where(Answer.submission == submission.id, Answer.personal)
    return sorted(answer.value for answer in query)


def reloaded(submission) -> Submission:
    return Submission.get_by_id(submission.id)


@pytest.fixture
def cases(app):
    """Submissions of every kind at every age, by name."""
    cora = add_user(app, "cora", "volunteer")
    with database(app):
        made = {
            # Follow-up ended long ago: only the anonymous skeleton stays.
            "old_done": intake(
                app, local(date(2026, 10, 12)), "A1", "done", local(date(2026, 10, 20)), cora
            ),
            # Old, still in follow-up: personal answers go, the notes for the follow-up stay.
            "old_open": intake(app, local(date(2026, 10, 13)), "A2", "in_progress", NOW, cora),
            # Old, but handed over only recently: notes stay until that is 180 days ago.
            "old_handed_recently": intake(
                app, local(date(2026, 11, 2)), "A3", "handed_over", local(date(2027, 5, 2))
            ),
            # Recent: nothing changes.
            "recent_done": intake(
                app, local(date(2027, 6, 1)), "A4", "done", local(date(2027, 6, 2)), cora
            ),
            # Just after local midnight on the 1st: still November after the time is cut.
            "month_edge": intake(app, local(date(2026, 11, 1), 0, 30), "A5"),
            "old_comment": feedback(app, local(date(2026, 10, 9)), "F1", approved=True),
            "old_rating": feedback(app, local(date(2026, 10, 9), 23, 50)),
            "recent_comment": feedback(app, local(date(2027, 6, 10)), "F2", approved=True),
        }
        for reason in ("advice", "german"):
            add(app, "visit", {"reason": reason}, local(date(2026, 10, 7)))
        spec = app.extensions["kiosk_forms"]["visit"]
        version = FormVersion.for_spec(spec)
        Draft.create(form_version=version, lang="de", updated_at=NOW - timedelta(hours=13))
        Draft.create(form_version=version, lang="de", updated_at=NOW - timedelta(hours=1))
        LoginAttempt.create(account="cora", address="10.0.0.9", succeeded=False, at=NOW)
        LoginAttempt.create(
            account="cora", address="10.0.0.9", succeeded=False, at=NOW - timedelta(days=2)
        )
        UserSession.create(token_hash="fresh", user=cora, created_at=NOW, last_seen=NOW)
        UserSession.create(token_hash="revoked", user=cora, revoked=True)
        old = NOW - timedelta(days=3)
        UserSession.create(token_hash="old", user=cora, created_at=old, last_seen=old)
    return made


def test_purge_deletes_personal_data_past_each_forms_retention(app, cases):
    with database(app):
        counts = purge_expired(NOW)
        old_done, old_open = reloaded(cases["old_done"]), reloaded(cases["old_open"])
        assert personal_values(old_done) == []
        assert old_done.answer_map() == {
            "consent": "yes",
            "languages": ["de", "ar"],
            "needs": ["housing", "other"],
            "contact_way": "phone",
        }
        assert (old_done.status, old_done.lang, old_done.assigned_to_id) == ("done", "ar", None)
        assert not old_done.notes.exists() and not old_done.status_changes.exists()
        # Its cases keep state and office for the reports, not the outcome line nor any name.
        case = NeedCase.get(NeedCase.submission == old_done, NeedCase.need == "housing")
        assert (case.status, case.office_key, case.outcome, case.assignee_id) == (
            "done",
            "wohngeld",
            "",
            None,
        )
        [change] = case.changes
        assert change.user_name == "" and change.after == {
            "status": "done",
            "office_key": "wohngeld",
            "outcome": "",
            "assignee": None,
        }
        assert old_done.created_at == local(date(2026, 10, 12), 0)  # the local day's start

        assert personal_values(old_open) == []
        assert [note.text for note in old_open.notes] == [f"{MARK}noteA2"]
        assert old_open.assigned_to.name == "cora" and old_open.status_changes.count() == 1
        kept = NeedCase.get(NeedCase.submission == old_open, NeedCase.need == "housing")
        assert kept.outcome == f"{MARK}outcomeA2" and kept.changes.get().user_name == "cora"

        handed = reloaded(cases["old_handed_recently"])
        assert personal_values(handed) == [] and handed.notes.count() == 1

        recent = reloaded(cases["recent_done"])
        assert personal_values(recent) == ["0151 A4", f"{MARK}nameA4", f"{MARK}otherA4"]
        assert old_done.visitor_code is None and recent.visitor_code  # it leads to a person
        assert recent.notes.count() == 1 and recent.assigned_to.name == "cora"

        assert personal_values(reloaded(cases["old_comment"])) == []
        assert reloaded(cases["old_comment"]).answer_map()["today"] == "4"
        assert personal_values(reloaded(cases["recent_comment"])) == [f"{MARK}commentF2"]
        assert CommentApproval.select().count() == 1

        assert Draft.select().count() == 1
        assert LoginAttempt.select().count() == 1
        assert [session.token_hash for session in UserSession.select()] == ["fresh"]
    assert counts == {
        "personal_answers": 3 * 4 + 1,  # name, other, contact of four intakes; one comment
        "comment_approvals": 1,
        "visitor_codes": 4,  # the thank-you's code of the four old intakes
        "notes": 1,
        "status_changes": 1,
        "assignments": 1,
        "case_details": 1,
        "drafts": 1,
        "login_attempts": 1,
        "sessions": 2,
        "times": 6,  # the old intakes and feedback; visits are kept 365 days
    }


def test_the_audit_log_says_how_many_never_what(app, cases):
    with database(app):
        purge_expired(NOW)
        event = AuditEvent.get(AuditEvent.action == "purge")
    assert event.user_name == "system" and event.target == ""
    assert event.detail.startswith(
        "13 persönliche Antworten, 1 Kommentar-Freigaben, 4 Besuchernummern, 1 Notizen"
    )
    assert MARK not in event.detail and "submission" not in event.detail


def test_a_second_purge_finds_nothing_more(app, cases):
    with database(app):
        purge_expired(NOW)
        again = purge_expired(NOW)
    assert set(again.values()) == {0}


def test_a_dry_run_counts_and_changes_nothing(app, cases):
    with database(app):
        before = table_rows()
        counts = purge_expired(NOW, dry_run=True)
        assert table_rows() == before
    assert counts["personal_answers"] == 13


def table_rows() -> dict[str, list]:
    tables = ("submission", "answer", "note", "status_change", "comment_approval", "audit_event")
    tables += ("need_case", "case_change")
    return {name: db.execute_sql(f"SELECT * FROM {name} ORDER BY 1").fetchall() for name in tables}


@pytest.mark.parametrize("period", ["2026-10", "2026-11", "2026-Q4"])
def test_reports_of_past_periods_count_the_same_after_the_purge(app, cases, period):
    with database(app):
        site, period = Site.get(), parse_period(period)
        before = build_summary(site, period, 1)
        purge_expired(NOW)
        after = build_summary(site, period, 1)
    assert before["forms"]["rows"], "the period must hold submissions for the test to mean anything"
    # Approved comments are free text, personal like any other: they go with their Löschfrist.
    comments_before, comments_after = before.pop("comments"), after.pop("comments")
    assert after == before
    assert comments_after["items"] == []
    if period.key == "2026-10":
        assert [item["text"] for item in comments_before["items"]] == [f"{MARK}commentF1"]


# secure_delete and the WAL are SQLite's; PostgreSQL's VACUUM is its own business.
@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_deleted_text_is_gone_from_the_database_file_and_its_wal(app, cases, instance):
    files = [instance / "kiosk.sqlite3", instance / "kiosk.sqlite3-wal"]

    def file_bytes() -> bytes:
        return b"".join(path.read_bytes() for path in files if path.exists())

    old_intakes = ("A1", "A2", "A3", "A5")
    gone = [f"{MARK}{kind}{n}".encode() for kind in ("name", "other") for n in old_intakes]
    gone += [f"{MARK}noteA1".encode(), f"{MARK}outcomeA1".encode()]
    gone += [f"{MARK}commentF1".encode()]
    assert all(marker in file_bytes() for marker in gone), "the markers must be there before"
    with database(app):
        assert db.execute_sql("PRAGMA secure_delete").fetchone()[0] == 1
        purge_expired(NOW)
    data = file_bytes()
    assert [marker for marker in gone if marker in data] == []
    assert f"{MARK}nameA4".encode() in data  # recent answers stay


def test_kiosk_purge_command(app, runner):
    with database(app):
        comment = feedback(app, datetime.now(UTC).replace(tzinfo=None) - timedelta(days=46), "F3")
    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Probelauf" in result.output and "     1  persönliche Antworten" in result.output
    with database(app):
        assert personal_values(comment) == [f"{MARK}commentF3"]
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Gelöscht:" in result.output and "     1  persönliche Antworten" in result.output
    with database(app):
        assert personal_values(comment) == []
        assert AuditEvent.select().where(AuditEvent.action == "purge").count() == 1

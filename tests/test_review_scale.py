"""The review made fast for 100,000 submissions still does what it did (tests/review_reference.py).

Same results as the old queries for the inbox, the follow-up, the search and the CSV export; the
export streams; the purge counts and changes the same rows as the old one-UPDATE-per-row purge;
the full-text index follows every insert, erasure and purge, down to the bytes of the file; the
migration fills it on a database that already holds submissions, and applies on PostgreSQL.
"""

import dataclasses
import random
import shutil
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import review_reference as old

from kiosk import create_app
from kiosk.clock import TIMEZONE, utc_midnight
from kiosk.db import prepare_database
from kiosk.extensions import db
from kiosk.maintenance.retention import purge_expired
from kiosk.models import (
    Answer,
    AuditEvent,
    CommentApproval,
    Draft,
    FormVersion,
    LoginAttempt,
    NeedCase,
    Note,
    Site,
    StatusChange,
    Submission,
    User,
    UserSession,
)
from kiosk.review import export as export_module
from kiosk.review.case_list import CaseFilters, case_page
from kiosk.review.casework import erase
from kiosk.review.export import audited_export, export_csv
from kiosk.review.inbox import (
    InboxFilters,
    count_matching,
    inbox_page,
    matching,
    page_of,
    search_index_available,
)
from kiosk.visitor.demo import demo_answers
from kiosk.visitor.submissions import store_submission

import pg_support
from factories import add_office, add_user
from server import log_in

NOW = datetime(2027, 6, 15, 10, 0)  # naive UTC, as stored
TEXTS = [
    "100% zufrieden",
    "Alles gut",
    "alles GUT, danke",
    '=HYPERLINK("http://evil.example")',
    "-5 Grad im Flur",
    "Straße zum Amt",
    "ÄRGER mit dem Amt",
    "Дякую за допомогу",
    'Er sagte "hallo" zu mir',
    "a_b und c%d",
    "Zainab",
    "NEAR(a b) AND c OR d*",
    "Fahrradwerkstatt hat geholfen",
    "Kinder 👶 brauchen Platz",
    "Zeile eins\r\nZeile zwei",
    "O'Brien",
    "back\\slash",
]
QUERIES = [
    "zufrieden", "%", "_", "100%", "Zainab", "housing", "gut", "ALLES", "alles gut", "Straße",
    "straße", "ärger", "ÄRGER", "Дякую", '"hallo"', 'sagte "', "a_b", "c%d", "*", "d*",
    "NEAR(a b)", "AND c", "OR", "'", "O'B", "\\", "back\\", "-", "-5", "=HYPER", ":", "(", ")",
    "a", "ab", "abc", "👶", "Kinder 👶", "eins\r\nZeile", "Fahrradwerkstatt", "x" * 300, "é",
]  # fmt: skip


@contextmanager
def database(app):
    with app.app_context(), db.connection_context():
        yield


def local(day: date, hour: int, minute: int = 0) -> datetime:
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=TIMEZONE)
    return moment.astimezone(UTC).replace(tzinfo=None)


def moments(rng: random.Random, count: int) -> list[datetime]:
    """Times of every awkward kind: any minute, local midnights, 22:00 and 23:00 UTC (a midnight
    in summer or winter, or not), and the days the clocks change."""
    made = []
    for _ in range(count):
        day = (NOW - timedelta(days=rng.uniform(0, 420))).date()
        kind = rng.randrange(6)
        if kind == 0:
            made.append(utc_midnight(day))
        elif kind == 1:
            made.append(datetime(day.year, day.month, day.day, rng.choice((22, 23))))
        elif kind == 2:  # the days of the clock changes in 2026 and their neighbours
            day = rng.choice([date(2026, 3, 29), date(2026, 10, 25)]) + timedelta(
                rng.choice((-1, 0, 1))
            )
            made.append(local(day, rng.choice((0, 1, 3, 23)), rng.choice((0, 30, 59))))
        else:
            made.append(
                NOW - timedelta(days=rng.uniform(0, 420), microseconds=rng.randrange(10**6))
            )
    return made


def other_version(spec):
    """A second, newer version of `spec`: another title and one question worded anew."""
    fields = tuple(
        dataclasses.replace(field, label=field.label + " (neu)") if index == 1 else field
        for index, field in enumerate(spec.fields)
    )
    return dataclasses.replace(spec, title=spec.title + " (neu)", fields=fields)


def fill(app, count: int = 260, seed: int = 11) -> list[int]:
    """A mixed dataset: every form (intake in two versions), languages, statuses and their
    history, assignees, notes, approved comments, awkward times and free text. Returns ids."""
    rng = random.Random(seed)
    staff = [add_user(app, name, "volunteer").id for name in ("vera", "=cora", "ute")]
    forms = app.extensions["kiosk_forms"]
    ids = []
    with database(app):
        site = Site.get()
        specs = {slug: [spec] for slug, spec in forms.items()}
        specs["intake"].append(other_version(forms["intake"]))
        for when in moments(rng, count):
            slug = rng.choice(["visit", "visit", "feedback", "intake", "intake"])
            spec = rng.choice(specs[slug])
            answers = demo_answers(spec, rng)
            for field in spec.fields:
                free = field.type in ("text", "textarea") and field.name in answers
                if free and rng.random() < 0.7:
                    answers[field.name] = rng.choice(TEXTS)[: field.max_length or 2000]
            submission = store_submission(
                spec,
                uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                version_id=FormVersion.for_spec(spec).id,
                answers=answers,
                lang=rng.choice(["de", "ar", "uk", "fa"]),
                site=site,
                created_at=when,
            )
            ids.append(submission.id)
            status = rng.choice(["new", "in_progress", "handed_over", "done", "done"])
            if status != "new":
                at = when
                for _ in range(rng.randint(0, 2)):
                    at += timedelta(days=rng.uniform(0, 200))
                    StatusChange.create(
                        submission=submission.id, old="new", new=status, user_name="vera", at=at
                    )
                Submission.update(status=status).where(Submission.id == submission.id).execute()
            if rng.random() < 0.4:
                Submission.update(assigned_to=rng.choice(staff)).where(
                    Submission.id == submission.id
                ).execute()
            if rng.random() < 0.2:
                Note.create(submission=submission.id, user_name="vera", text="Notiz", at=when)
            comment = Answer.get_or_none(
                Answer.submission == submission.id, Answer.field == "comment"
            )
            if comment and rng.random() < 0.5:
                CommentApproval.create(answer=comment, user_name="cora")
        add_office("Stadthaus", ["housing"], phone="04431 88-0", key="stadthaus")
        version = FormVersion.get(FormVersion.slug == "visit")
        Draft.create(form_version=version, lang="de", updated_at=NOW - timedelta(hours=30))
        LoginAttempt.create(account="vera", address="10.0.0.1", succeeded=False, at=NOW)
        UserSession.create(token_hash="x", user=staff[0], created_at=NOW, last_seen=NOW)
    return ids


@pytest.fixture(scope="module")
def filled_instance(tmp_path_factory):
    """An instance holding fill()'s dataset, built once per module (filling is the slow part):
    (its folder, the submission ids). Each test works on a copy of it."""
    path = tmp_path_factory.mktemp("review-scale") / "instance"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIOSK_INSTANCE_PATH", str(path))
        made = create_app({"SECRET_KEY": "test-secret", "TESTING": True})
        prepare_database(made)
        ids = fill(made)  # closes its connections: the database file holds everything
    return path, ids


@pytest.fixture
def app(instance, filled_instance):
    """This module's app: on a copy of the filled instance."""
    shutil.copytree(filled_instance[0], instance)
    app = create_app({"SECRET_KEY": "test-secret", "TESTING": True})
    prepare_database(app)
    return app


@pytest.fixture
def data(app, filled_instance):
    return list(filled_instance[1])


FILTERS = [
    InboxFilters(),
    InboxFilters(form="intake"),
    InboxFilters(form="visit", lang="ar"),
    InboxFilters(status="done"),
    InboxFilters(status="new", lang="uk", form="feedback"),
    InboxFilters(need="housing"),
    InboxFilters(need="work", status="in_progress"),
    InboxFilters(since=date(2026, 10, 25), until=date(2027, 3, 29)),
    InboxFilters(until=date(2026, 3, 29)),
    InboxFilters(text="gut"),
    InboxFilters(text="%", form="feedback"),
    InboxFilters(text="Zainab", need="housing"),
    InboxFilters(form="nonexistent"),
    InboxFilters(lang="xx"),
]


# --- Inbox, follow-up, search ---------------------------------------------------------------


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.describe())
def test_inbox_pages_list_what_the_old_query_listed(app, data, filters):
    with app.test_request_context(), db.connection_context():
        old_ids = [s.id for s in old.inbox_query(filters)]
        assert count_matching(filters) == len(old_ids)
        for number in (1, 2, 3, 99):
            page = inbox_page(filters, number)
            before = page_of(old.inbox_query(filters), number)
            assert (page.number, page.total) == (before.number, before.total)
            assert [row.id for row in page.rows] == [s.id for s in before.rows]
    assert data


TODAY = NOW.date()
CASE_FILTERS = [
    CaseFilters(),
    CaseFilters(status="all"),
    CaseFilters(status="handed_over"),
    CaseFilters(need="housing"),
    CaseFilters(need="work", status="all"),
    CaseFilters(office="stadthaus"),
    CaseFilters(office="none", status="all"),
    CaseFilters(due="overdue"),
    CaseFilters(due="week", status="all"),
    CaseFilters(due="none"),
    CaseFilters(assignee="none"),
]


def give_cases_states(rng: random.Random) -> None:
    """Statuses, offices, Wiedervorlagen around TODAY (many on the same day) and assignees."""
    users = [user.id for user in User.select()]
    for case in NeedCase.select():
        case.status = rng.choice(["open", "in_progress", "handed_over", "done", "not_needed"])
        if rng.random() < 0.5:
            case.office_key, case.office_name = "stadthaus", "Stadthaus"
        if rng.random() < 0.6:
            case.due = TODAY + timedelta(days=rng.randint(-12, 12))
        case.assignee = rng.choice([None, *users])
        case.save()


OPENED = ("open", "in_progress", "handed_over")


def kept(case: NeedCase, filters: CaseFilters) -> bool:
    """Whether `filters` keep `case`, in plain Python."""
    status, due = filters.status, case.due
    office = None if filters.office == "none" else filters.office
    assignee = None if filters.assignee == "none" else filters.assignee
    week_end = TODAY + timedelta(days=6 - TODAY.weekday())
    return all(
        [
            case.status in OPENED if status is None else status in ("all", case.status),
            filters.need in (None, case.need),
            filters.office is None or case.office_key == office,
            filters.due != "overdue" or (due and due < TODAY and case.status in OPENED),
            filters.due != "week" or (due and TODAY <= due <= week_end),
            filters.due != "none" or due is None,
            filters.assignee is None or case.assignee_id == assignee,
        ]
    )


def plain_listing(filters: CaseFilters) -> list[int]:
    """The listing of CaseFilters as plain Python over every case (kiosk/review/case_list.py)."""
    cases = [case for case in NeedCase.select() if kept(case, filters)]
    cases.sort(key=lambda case: (case.created_at, case.id), reverse=True)
    cases.sort(key=lambda case: (case.closed, case.due is None, case.due or TODAY))
    return [case.id for case in cases]


@pytest.mark.parametrize("filters", CASE_FILTERS, ids=repr)
def test_case_pages_list_what_a_plain_sort_lists(app, data, filters):
    with app.test_request_context(), db.connection_context():
        give_cases_states(random.Random(3))
        expected = plain_listing(filters)
        for number in (1, 2, 5):
            page = case_page(filters, number, TODAY)
            assert page.total == len(expected)
            start = (page.number - 1) * page.per_page
            assert [row.case.id for row in page.rows] == expected[start : start + page.per_page]
            for row in page.rows:  # the office a case went to is looked up in the directory
                assert row.contact == ("04431 88-0" if row.case.office_key else "")


def search(text: str) -> set[int]:
    return {row.id for row in matching(InboxFilters(text=text))}


def old_search(text: str) -> set[int]:
    return {s.id for s in old.inbox_query(InboxFilters(text=text))}


def test_search_finds_what_like_found_for_any_input(app, data):
    with app.test_request_context(), db.connection_context():
        assert search_index_available()
        found_any = False
        for text in QUERIES:
            before, now = old_search(text), search(text)
            found_any = found_any or bool(before)
            # The trigram index folds case in every script; LIKE folds only A to Z.
            assert now >= before, text
            if text.isascii():
                assert now == before, text
        assert found_any
        assert search("дякую") == old_search("Дякую") != set()  # LIKE missed this one
        for text in ("\x00", "\x00abc", "gut\x00", 'a"\x00"b', "\ufffd" * 3):  # no error
            search(text)
        assert search("Alles\x00 gut") == old_search("Alles gut")
        assert search("housing") == set()  # a choice's value is no free text


def test_one_or_two_characters_and_unknown_databases_fall_back_to_like(app, data):
    with app.test_request_context(), db.connection_context():
        for text in ("a", "é", "%", "_", "ab", "👶"):
            assert search(text) == old_search(text)
        db.execute_sql("DROP TABLE answer_fts")  # as on an SQLite without FTS5
        assert not search_index_available()
        for text in ("gut", "Straße", "a_b"):
            assert search(text) == old_search(text)


def fts_rows(text: str) -> list[int]:
    """The answers the full-text index itself finds for `text` (its own table, no join)."""
    phrase = '"' + text.replace('"', '""') + '"'
    return [row[0] for row in db.execute_sql("SELECT rowid FROM answer_fts(?)", (phrase,))]


def index_bytes() -> bytes:
    return b"".join(row[0] or b"" for row in db.execute_sql("SELECT block FROM answer_fts_data"))


def test_the_index_follows_inserts_and_changes_and_holds_free_text_only(app, data):
    with database(app):
        indexed = {row[0] for row in db.execute_sql("SELECT id FROM answer_fts_docsize")}
        free = {
            row[0]
            for row in db.execute_sql(
                "SELECT a.id FROM answer a JOIN submission s ON s.id = a.submission_id "
                "JOIN answer_search_field f ON f.form_version_id = s.form_version_id "
                "AND f.field = a.field"
            )
        }
        assert indexed == free and len(free) > 50
        assert (
            not Answer.select()
            .where(Answer.id.in_(list(indexed)), Answer.position.is_null(False))
            .exists()
        )
        answer = Answer.get(Answer.id == min(indexed))
        answer.value = "Ganz neuer Text Qwertz"
        answer.save()
        assert fts_rows("neuer Text Qw") == [answer.id]
        db.execute_sql("INSERT INTO answer_fts (answer_fts) VALUES ('integrity-check')")


# --- Export ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["", "form=intake", "lang=ar&status=done", "need=housing", "q=gut"]
)
def test_export_streams_what_the_old_export_held(app, data, monkeypatch, query):
    monkeypatch.setattr(export_module, "CHUNK", 7)  # many chunks, and a short last one
    add_user(app, "chef", "coordinator")
    client = app.test_client()
    log_in(client, "chef")
    response = client.get(f"/review/export.csv?{query}")
    assert response.status_code == 200 and response.is_streamed
    with database(app):
        [event] = AuditEvent.select().where(AuditEvent.action == "export")  # before the body
    with app.test_request_context(f"/review/?{query}"), db.connection_context():
        from kiosk.views.staff_forms import filter_form, filters_of

        filters = filters_of(filter_form())
        before, count = old.export_csv(old.inbox_query(filters))
    assert response.get_data() == before.encode("utf-8")
    assert event.detail == f"{filters.describe()}; {count} Zeilen" and count > 0
    with database(app):
        assert AuditEvent.select().where(AuditEvent.action == "export").count() == 1


def test_export_in_one_piece_equals_the_stream(app, data):
    with app.test_request_context(), db.connection_context():
        text, count = export_csv(InboxFilters())
        assert (text, count) == old.export_csv(old.inbox_query(InboxFilters()))


def test_an_export_that_delivers_less_than_announced_says_so(app, data, monkeypatch):
    monkeypatch.setattr(export_module, "CHUNK", 7)
    with app.test_request_context(), db.connection_context():
        chunks = audited_export(InboxFilters(form="feedback"))
        count = Submission.select().join(FormVersion).where(FormVersion.slug == "feedback").count()
        newest = Submission.get_by_id(matching(InboxFilters(form="feedback")).first().id)
        erase(newest, "Test")
        assert f"\r\n{newest.id};".encode() not in b"".join(chunks)
        broken = audited_export(InboxFilters())
        next(broken), next(broken)
        broken.close()
        details = [e.detail for e in AuditEvent.select().where(AuditEvent.action == "export")]
    total = len(data) - 1
    assert details == [
        f"form=feedback; {count} Zeilen",
        f"form=feedback; nur {count - 1} von {count} Zeilen",
        f"alle; {total} Zeilen",
        f"alle; nur 7 von {total} Zeilen",
    ]


# --- Erasure and purge leave nothing in the index --------------------------------------------

MARKER = "Qǂǂǂǂ-geheim"  # no other text has a "ǂ"
# Terms are stored prefix-compressed after the term before them; "ǂ-g" is the first term with
# a "ǂ" (the lowest in byte order), so it is stored whole and can be looked for in the bytes.
TERM = "ǂ-g"


def database_bytes(instance) -> bytes:
    return b"".join(path.read_bytes() for path in instance.glob("kiosk.sqlite3*"))


def feedback_with(app, text: str, when: datetime) -> int:
    spec = app.extensions["kiosk_forms"]["feedback"]
    answers = {"today": "4", "helped": ["people"], "come_again": "yes"}
    return store_submission(
        spec,
        uuid=uuid.uuid4(),
        version_id=FormVersion.for_spec(spec).id,
        answers={**answers, "consent": "yes", "comment": text},
        lang="de",
        site=Site.get(),
        created_at=when,
    ).id


def assert_in_index(instance, present: bool):
    assert (fts_rows("ǂǂǂ") != []) is present
    vocabulary = (
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, answer_fts, row)"
    )
    db.execute_sql(vocabulary)
    terms = {row[0] for row in db.execute_sql("SELECT term FROM temp.vocab")}
    assert ("ǂǂǂ" in terms) is present
    assert (TERM.encode() in index_bytes()) is present, "the term in the index's own storage"
    if not present:
        assert TERM.encode() not in database_bytes(instance)
        assert MARKER.encode() not in database_bytes(instance)


def test_an_erased_text_is_gone_from_the_index_and_its_storage(app, data, instance):
    with database(app):
        submission = feedback_with(app, MARKER, NOW)
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        assert_in_index(instance, True)
        assert TERM.encode() in database_bytes(instance)
        erase(Submission.get_by_id(submission), "Besucherin hat gefragt")
        assert_in_index(instance, False)
        assert fts_rows("Alles gut")  # the others' texts are still found


def test_a_purged_text_is_gone_from_the_index_and_its_storage(app, data, instance):
    with database(app):
        feedback_with(app, MARKER, NOW - timedelta(days=46))
        kept = feedback_with(app, "Bleibt noch Zzyzx", NOW - timedelta(days=44))
        assert_in_index(instance, True)
        purge_expired(NOW)
        assert_in_index(instance, False)
        assert [Answer.get_by_id(a).submission_id for a in fts_rows("Zzyzx")] == [kept]


def test_purge_counts_and_changes_what_the_old_purge_did(app, data):
    with database(app):
        with db.atomic() as transaction:
            before = old.purge_counts(NOW)
            expected = old.table_rows()
            transaction.rollback()
        assert before["times"] > 20 and before["personal_answers"] > 20
        assert before["comment_approvals"] and before["notes"] and before["assignments"]
        assert before["visitor_codes"]  # the codes of old intakes lead to people too
        assert purge_expired(NOW, dry_run=True) == before
        assert purge_expired(NOW) == before
        assert old.table_rows() == expected
        assert purge_expired(NOW) == dict.fromkeys(before, 0)
        assert AuditEvent.select().where(AuditEvent.action == "purge").count() == 2


# --- The migration on a database with data, and on PostgreSQL ------------------------------


def app_before_0005(monkeypatch, config=None):
    """An app whose database has every migration but 0005 (the later ones add columns that
    storing a submission now fills, e.g. 0006's visitor code, and do not touch 0005's)."""
    import kiosk.migrations

    names = [name for name in kiosk.migrations.available() if name != "0005_review_search"]
    monkeypatch.setattr(kiosk.migrations, "available", lambda: names)
    app = create_app({"SECRET_KEY": "test-secret", "TESTING": True, **(config or {})})
    prepare_database(app)
    monkeypatch.undo()
    return app


def test_the_migration_fills_the_index_of_an_existing_database(instance, monkeypatch):
    app = app_before_0005(monkeypatch)
    ids = fill(app, count=80)
    with database(app):
        assert not search_index_available()
        before = {text: old_search(text) for text in QUERIES if len(text) >= 3}
    assert "0005_review_search" in prepare_database(app)
    with app.test_request_context(), db.connection_context():
        assert search_index_available()
        for text, found in before.items():
            assert search(text) >= found, text
        assert any(before.values())
        db.execute_sql("INSERT INTO answer_fts (answer_fts) VALUES ('integrity-check')")
    assert ids


def test_the_migration_and_the_review_on_postgresql(instance, monkeypatch):
    url = pg_support.server().new_database()
    app = app_before_0005(monkeypatch, {"DATABASE_URL": url})
    fill(app, count=60)
    assert prepare_database(app) == ["0005_review_search"]
    with app.test_request_context(), db.connection_context():
        indexes = {row[0] for row in db.execute_sql("SELECT indexname FROM pg_indexes")}
        assert {"submission_created_at_id_status_form_version_id_lang",
                "answer_field_submission_id"} <= indexes  # fmt: skip
        assert not search_index_available()
        for filters in FILTERS:
            before = page_of(old.inbox_query(filters), 1)
            page = inbox_page(filters, 1)
            assert [r.id for r in page.rows] == [s.id for s in before.rows], filters
            assert page.total == before.total
        give_cases_states(random.Random(3))
        for filters in CASE_FILTERS:
            page = case_page(filters, 1, TODAY)
            assert [row.case.id for row in page.rows] == plain_listing(filters)[:50], filters
        assert export_csv(InboxFilters()) == old.export_csv(old.inbox_query(InboxFilters()))
        for text in ("gut", "%", "Zainab", "ÄRGER"):
            assert search(text) == old_search(text)

"""Volunteers' review through the Flask test client: every route, role and bad input."""

import csv
import io
import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest

from kiosk.extensions import db
from kiosk.models import (
    ROLES,
    Answer,
    AuditEvent,
    CommentApproval,
    NeedCase,
    Note,
    StatusChange,
    Submission,
    User,
    utcnow,
)

from factories import add_submission, add_user
from server import log_in

NAMES = {"volunteer": "vera", "coordinator": "cora", "admin": "ada"}
LISTED = re.compile(r'href="/review/(\d+)"')
HTMX = {"HX-Request": "true"}
XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<div hx-get="/x">',
    "{{7*7}}",
]
INTAKE = {
    "consent": "yes",
    "name": "Amina",
    "languages": ["ar", "de"],
    "needs": ["housing", "work"],
    "contact_way": "phone",
    "contact": "0151 2345678",
}


@contextmanager
def database(app):
    with app.app_context(), db.connection_context():
        yield


def submit(app, form, answers, lang="de", days_ago=0) -> int:
    """Store a submission as the kiosk does; returns its id."""
    with database(app):
        return add_submission(app, form, answers, utcnow() - timedelta(days=days_ago), lang).id


def feedback(app, comment, **kwargs) -> int:
    answers = {"today": "4", "helped": ["people"], "come_again": "yes", "consent": "yes"}
    return submit(app, "feedback", {**answers, "comment": comment}, **kwargs)


def visit(app, **kwargs) -> int:
    return submit(app, "visit", {"reason": "german"}, **kwargs)


class Staff:
    """A staff member in a browser of their own: logs in, keeps the CSRF token, posts."""

    def __init__(self, app, name):
        self.client = app.test_client()
        auth = log_in(self.client, name)
        # The login starts a fresh session, and with it a fresh CSRF token.
        self.token = auth.token("/review/anliegen")

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def html(self, url, **kwargs) -> str:
        response = self.get(url, **kwargs)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)

    def post(self, url, data=None, htmx=False, **kwargs):
        payload = {"csrf_token": self.token, **(data or {})}
        return self.client.post(url, data=payload, headers=HTMX if htmx else {}, **kwargs)

    def listed(self, query="") -> list[int]:
        """Ids of the submissions the inbox lists for a query string, in order."""
        return [int(n) for n in LISTED.findall(self.html(f"/review/?{query}"))]


@pytest.fixture
def users(app):
    return {role: add_user(app, name, role).id for role, name in NAMES.items()}


@pytest.fixture
def staff(app, users):
    """staff("coordinator") is a logged-in coordinator."""
    return lambda role="volunteer": Staff(app, NAMES[role])


def audit_events(app, action=None):
    with database(app):
        query = AuditEvent.select().order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return [(e.user_name, e.action, e.target, e.detail) for e in query]


# --- Access --------------------------------------------------------------------------------------

PAGES = [
    ("/review/", "volunteer"),
    ("/review/?form=intake&q=x", "volunteer"),
    ("/review/{id}", "volunteer"),
    ("/review/{id}/print", "volunteer"),
    ("/review/anliegen", "volunteer"),
    ("/review/export.csv", "coordinator"),
    ("/review/{id}/erase", "coordinator"),
    ("/review/audit", "admin"),
]
POSTS = [
    "/review/{id}/status",
    "/review/{id}/notes",
    "/review/{id}/assign",
    "/review/bulk",
    "/review/{id}/erase",
]


@pytest.mark.parametrize("path", [path for path, _ in PAGES])
def test_anonymous_visitors_are_sent_to_the_login(app, client, path):
    response = client.get(path.format(id=visit(app)))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/review/login?next=")


@pytest.mark.parametrize("path", POSTS)
def test_anonymous_posts_change_nothing(app, client, auth, path):
    submission = visit(app)
    token = auth.token()
    data = {"csrf_token": token, "status": "done", "text": "x", "ids": submission}
    response = client.post(path.format(id=submission), data=data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/review/login")
    with database(app):
        assert Submission.get_by_id(submission).status == "new"
        assert Note.select().count() == 0


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "lowest"), PAGES)
def test_each_page_for_each_role(app, staff, role, path, lowest):
    response = staff(role).get(path.format(id=visit(app)))
    allowed = ROLES.index(role) >= ROLES.index(lowest)
    assert response.status_code == (200 if allowed else 403)
    assert response.headers["Cache-Control"] == "no-store"
    if not allowed:
        assert "Keine Berechtigung" in response.get_data(as_text=True)


def test_volunteers_may_not_route_or_erase(app, staff):
    submission = visit(app)
    vera = staff("volunteer")
    assert vera.post(f"/review/{submission}/erase", {"reason": "test"}).status_code == 403
    with database(app):
        assert Submission.get_or_none(Submission.id == submission)


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("get", "/review/9999", "volunteer"),
        ("get", "/review/9999/print", "volunteer"),
        ("get", "/review/9999/erase", "coordinator"),
        ("post", "/review/9999/status", "volunteer"),
        ("post", "/review/9999/notes", "volunteer"),
        ("post", "/review/9999/assign", "volunteer"),
        ("post", "/review/answers/9999/approval", "volunteer"),
    ],
)
def test_unknown_ids_are_404(staff, method, path, role):
    member = staff(role)
    response = getattr(member, method)(
        path, **({"data": {"status": "done"}} if method == "post" else {})
    )
    assert response.status_code == 404
    assert "Nicht gefunden" in response.get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(app, staff):
    submission = visit(app)
    vera = staff()
    response = vera.client.post(f"/review/{submission}/status", data={"status": "done"})
    assert response.status_code == 400
    forged = {"status": "done", "csrf_token": "forged"}
    assert vera.client.post(f"/review/{submission}/status", data=forged).status_code == 400
    with database(app):
        assert Submission.get_by_id(submission).status == "new"


# --- Inbox ---------------------------------------------------------------------------------------


def test_inbox_lists_newest_first_with_form_language_status(app, staff):
    old = submit(app, "intake", INTAKE, lang="ar", days_ago=3)
    new = feedback(app, "Danke", lang="uk")
    vera = staff()
    assert vera.listed() == [new, old]
    html = vera.html("/review/")
    for text in ("Anmeldung", "Ihre Meinung", "Arabisch", "Ukrainisch", "Neu", "Wohnung, Arbeit"):
        assert text in html
    assert "Amina" not in html  # personal answers only on the submission's own page
    assert "persönliche Angaben" in html


def test_filters_by_form_language_status_dates_and_need(app, staff):
    intake = submit(app, "intake", INTAKE, lang="ar", days_ago=10)
    other_need = submit(app, "intake", {**INTAKE, "needs": ["health"]}, lang="fa")
    today = feedback(app, "Gut", lang="ar")
    with database(app):
        Submission.update(status="done").where(Submission.id == today).execute()
    vera = staff()
    assert set(vera.listed("form=intake")) == {intake, other_need}
    assert set(vera.listed("lang=ar")) == {intake, today}
    assert vera.listed("status=done") == [today]
    cut = (date.today() - timedelta(days=5)).isoformat()
    assert set(vera.listed(f"since={cut}")) == {other_need, today}
    assert vera.listed(f"until={cut}") == [intake]
    assert vera.listed("need=housing") == [intake]
    assert vera.listed("form=intake&lang=fa&need=health") == [other_need]
    assert vera.get("/review/?since=not-a-date").status_code == 400  # tests/test_dates.py


def test_search_looks_in_free_text_only_and_escapes_wildcards(app, staff):
    percent = feedback(app, "100% zufrieden")
    plain = feedback(app, "Alles gut")
    named = submit(app, "intake", {**INTAKE, "name": "Zainab"})
    vera = staff()
    assert vera.listed("q=zufrieden") == [percent]
    assert vera.listed("q=%25") == [percent]
    assert vera.listed("q=_") == []
    assert vera.listed("q=Zainab") == [named]
    assert vera.listed("q=housing") == []  # a choice's value is no free text
    assert plain in vera.listed("")


def test_filters_swap_only_the_list_and_stay_in_the_url(app, staff):
    visit(app)
    response = staff().get("/review/?form=visit&q=", headers=HTMX)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="inbox-list"')
    assert "<html" not in html
    assert response.headers["HX-Push-Url"] == "/review/?form=visit&q="


def test_paging_fifty_a_page(app, staff):
    with database(app):
        for _ in range(120):
            add_submission(app, "feedback", {"today": "4"}, utcnow())
    vera = staff()
    first, third = vera.listed(), vera.listed("page=3")
    assert len(first) == 50 and len(third) == 20
    assert not set(first) & set(third)
    html = vera.html("/review/?page=3")
    assert "Seite 3 von 3" in html and 'rel="next"' not in html
    assert len(vera.listed("page=99")) == 20  # clamped to the last page


# --- One submission ------------------------------------------------------------------------------


def test_submission_page_shows_every_answer_in_german(app, staff):
    submission = submit(app, "intake", {**INTAKE, "needs": ["other"], "needs_other": "Fahrrad"})
    html = staff().html(f"/review/{submission}")
    for text in (
        "Wie heißen Sie?",
        "Amina",
        "Arabisch, Deutsch",
        "Wobei brauchen Sie sonst Hilfe?",
        'dir="auto" lang="de">Fahrrad<',
        "Anmeldung, Version 1",
        "Deutsch",
    ):
        assert text in html, text


def test_viewing_personal_answers_is_audited(app, staff):
    personal = submit(app, "intake", INTAKE)
    anonymous = visit(app)
    vera = staff()
    vera.html(f"/review/{personal}")
    vera.html(f"/review/{anonymous}")
    assert audit_events(app, "view") == [("vera", "view", f"submission/{personal}", "")]


def test_status_change_and_undo_are_kept_with_who_and_when(app, staff):
    submission = visit(app)
    vera = staff()
    response = vera.post(f"/review/{submission}/status", {"status": "in_progress"}, htmx=True)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="status"')
    assert "Rückgängig: zurück zu „Neu“" in html and "vera" in html
    html = vera.post(f"/review/{submission}/status", {"status": "new"}, htmx=True).get_data(
        as_text=True
    )
    assert "Rückgängig: zurück zu „In Bearbeitung“" in html
    with database(app):
        assert Submission.get_by_id(submission).status == "new"
        changes = StatusChange.select().order_by(StatusChange.id)
        assert [(c.old, c.new, c.user_name) for c in changes] == [
            ("new", "in_progress", "vera"),
            ("in_progress", "new", "vera"),
        ]
    assert [e[3] for e in audit_events(app, "status")] == ["new → in_progress", "in_progress → new"]


def test_status_without_htmx_returns_to_the_page_and_refuses_unknown_values(app, staff):
    submission = visit(app)
    vera = staff()
    response = vera.post(f"/review/{submission}/status", {"status": "handed_over"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/review/{submission}"
    assert vera.post(f"/review/{submission}/status", {"status": "lost"}).status_code == 400


def test_notes_are_appended_newest_last(app, staff):
    submission = visit(app)
    vera, cora = staff(), staff("coordinator")
    vera.post(f"/review/{submission}/notes", {"text": "Erste Notiz"}, htmx=True)
    html = cora.post(f"/review/{submission}/notes", {"text": "Zweite Notiz"}, htmx=True).get_data(
        as_text=True
    )
    assert html.index("Erste Notiz") < html.index("Zweite Notiz")
    assert "cora" in html and "vera" in html
    page = vera.html(f"/review/{submission}")
    assert page.index("Erste Notiz") < page.index("Zweite Notiz")
    empty = vera.post(f"/review/{submission}/notes", {"text": "  "}, htmx=True)
    assert empty.status_code == 422
    assert "Bitte einen Text eingeben." in empty.get_data(as_text=True)
    without_htmx = vera.post(f"/review/{submission}/notes", {"text": ""})
    assert without_htmx.status_code == 422 and "<html" in without_htmx.get_data(as_text=True)
    with database(app):
        assert [n.text for n in Note.select().order_by(Note.id)] == ["Erste Notiz", "Zweite Notiz"]
    assert all("Notiz" not in detail for *_, detail in audit_events(app, "note"))


def test_assignment_to_a_staff_member_and_back(app, staff, users):
    submission = visit(app)
    vera = staff()
    html = vera.post(
        f"/review/{submission}/assign", {"user": users["coordinator"]}, htmx=True
    ).get_data(as_text=True)
    assert "Zurzeit: <strong>cora</strong>" in html
    assert "→ cora" in vera.html("/review/?form=visit")
    vera.post(f"/review/{submission}/assign", {"user": ""})
    with database(app):
        assert Submission.get_by_id(submission).assigned_to is None
        User.update(active=False).where(User.id == users["admin"]).execute()
    assert vera.post(f"/review/{submission}/assign", {"user": "9999"}).status_code == 400
    assert vera.post(f"/review/{submission}/assign", {"user": users["admin"]}).status_code == 400


def test_bulk_status_and_assignment_on_a_selection(app, staff, users):
    first, second, untouched = visit(app), visit(app), visit(app)
    vera = staff()
    response = vera.post(
        "/review/bulk",
        {
            "ids": [first, second],
            "bulk-status": "handed_over",
            "bulk-user": users["volunteer"],
            "back": "form=visit&page=1&evil=1",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/review/?form=visit&page=1"
    with database(app):
        rows = {s.id: (s.status, s.assigned_to_id) for s in Submission.select()}
    assert rows[first] == rows[second] == ("handed_over", users["volunteer"])
    assert rows[untouched] == ("new", None)
    assert "2 Einträge geändert." in vera.html("/review/?form=visit")
    vera.post("/review/bulk", {"ids": [first], "bulk-status": "", "bulk-user": "none"})
    with database(app):
        assert Submission.get_by_id(first).assigned_to_id is None
        assert Submission.get_by_id(first).status == "handed_over"


def test_bulk_without_selection_changes_nothing(app, staff):
    submission = visit(app)
    vera = staff()
    vera.post("/review/bulk", {"bulk-status": "done"})
    assert "Bitte Einträge und eine Änderung auswählen." in vera.html("/review/")
    with database(app):
        assert Submission.get_by_id(submission).status == "new"


def comment_answer(app, submission, field="comment") -> int:
    with database(app):
        return Answer.get(Answer.submission == submission, Answer.field == field).id


def test_a_comment_is_approved_for_the_city_report_and_withdrawn(app, staff):
    submission = feedback(app, "Mehr Deutschkurse am Abend, bitte.")
    answer = comment_answer(app, submission)
    vera = staff()
    assert "Für den Stadtbericht freigeben" in vera.html(f"/review/{submission}")
    html = vera.post(f"/review/answers/{answer}/approval", {"approved": "1"}, htmx=True)
    assert "Für den Stadtbericht freigegeben · vera" in html.get_data(as_text=True)
    with database(app):
        assert CommentApproval.get().answer_id == answer
    vera.post(f"/review/answers/{answer}/approval", {"approved": "0"}, htmx=True)
    with database(app):
        assert CommentApproval.select().count() == 0
    targets = [(e[1], e[3]) for e in audit_events(app) if "approv" in e[1]]
    assert targets == [("approve", f"answer/{answer}"), ("withdraw_approval", f"answer/{answer}")]


def test_only_free_text_comments_can_be_approved(app, staff):
    submission = submit(app, "intake", INTAKE)
    vera = staff()
    for field in ("name", "consent"):  # a name is text, not a comment; consent is no text
        answer = comment_answer(app, submission, field)
        response = vera.post(f"/review/answers/{answer}/approval", {"approved": "1"})
        assert response.status_code == 400
    assert "Für den Stadtbericht" not in vera.html(f"/review/{submission}")


def test_print_page_holds_everything_stored_and_is_audited(app, staff):
    submission = feedback(app, "Danke für alles")
    vera = staff()
    vera.post(f"/review/{submission}/status", {"status": "done"})
    vera.post(f"/review/{submission}/notes", {"text": "Rückruf erledigt"})
    vera.post(f"/review/answers/{comment_answer(app, submission)}/approval", {"approved": "1"})
    response = vera.get(f"/review/{submission}/print")
    html = response.get_data(as_text=True)
    for text in ("Was über Sie gespeichert ist", "Danke für alles", "Rückruf erledigt",
                 "Neu → Erledigt", "freigegeben", "nach 45 Tagen gelöscht"):  # fmt: skip
        assert text in html, text
    assert response.headers["Cache-Control"] == "no-store"
    assert audit_events(app, "print") == [("vera", "print", f"submission/{submission}", "")]


# --- Follow-up and routing -----------------------------------------------------------------------


def test_followup_lists_each_need_with_filters(app, staff):
    housing_and_work = submit(app, "intake", INTAKE)
    health = submit(app, "intake", {**INTAKE, "needs": ["health"]})
    visit(app)
    vera = staff()
    html = vera.html("/review/anliegen")
    assert html.count(f'href="/review/{housing_and_work}"') == 2
    assert "Wohnung" in html and "Arbeit" in html and "Gesundheit" in html
    assert "noch nicht festgelegt" in html
    assert LISTED.findall(vera.html("/review/anliegen?need=health")) == [str(health)]
    with database(app):  # each need has a status of its own now (tests/test_cases.py)
        NeedCase.update(status="done").where(NeedCase.submission == health).execute()
    assert str(health) not in LISTED.findall(vera.html("/review/anliegen"))
    assert str(health) in LISTED.findall(vera.html("/review/anliegen?status=all"))


# --- Export --------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for Excel
    text = body.decode("utf-8")[1:]
    assert "\r\n" in text and text.count("\n") == text.count("\r\n")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_export_opens_in_german_excel_with_the_filter_applied(app, staff):
    submit(app, "intake", INTAKE, lang="ar")
    submit(app, "intake", INTAKE, lang="uk")
    visit(app, lang="ar")
    response = staff("coordinator").get("/review/export.csv?form=intake&lang=ar&page=2")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[:3] == ["Nr.", "Eingang", "Formular"]
    assert "Welche Sprachen sprechen Sie?" in header
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Sprache"] == "Arabisch"
    assert row["Welche Sprachen sprechen Sie?"] == "Arabisch, Deutsch"
    assert row["Wobei brauchen Sie Hilfe?"] == "Wohnung, Arbeit"
    [event] = audit_events(app, "export")
    assert event[0] == "cora"
    assert event[3] == "form=intake, lang=ar; 1 Zeilen"


def test_export_of_several_forms_names_the_form_in_each_header(app, staff):
    submit(app, "intake", INTAKE)
    visit(app)
    header, *rows = read_csv(staff("coordinator").get("/review/export.csv"))
    assert "Anmeldung: Wie heißen Sie?" in header
    assert "Besuch: Warum sind Sie heute hier?" in header
    assert len(rows) == 2


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_export_neutralises_formulas(app, staff, start):
    feedback(app, f'{start}HYPERLINK("http://evil.example")')
    header, row = read_csv(staff("coordinator").get("/review/export.csv?form=feedback"))
    cell = row[header.index("Was möchten Sie uns sagen?")]
    assert cell == f'\'{start}HYPERLINK("http://evil.example")'


# --- Erasure -------------------------------------------------------------------------------------


def database_bytes(instance) -> bytes:
    return b"".join(path.read_bytes() for path in instance.glob("kiosk.sqlite3*"))


def test_erasure_leaves_only_an_audit_line(app, staff, instance):
    marker = "Geheimnis-4711-nur-hier"
    submission = feedback(app, marker)
    cora = staff("coordinator")
    cora.post(f"/review/{submission}/notes", {"text": "Notiz zum Löschen"})
    cora.post(f"/review/{submission}/status", {"status": "done"})
    cora.post(f"/review/answers/{comment_answer(app, submission)}/approval", {"approved": "1"})
    with database(app):
        uuid = Submission.get_by_id(submission).uuid
    assert marker.encode() in database_bytes(instance)
    page = cora.html(f"/review/{submission}/erase")
    assert "endgültig löschen?" in page and marker not in page
    refused = cora.post(f"/review/{submission}/erase", {"reason": " "})
    assert refused.status_code == 422
    response = cora.post(f"/review/{submission}/erase", {"reason": "Besucher hat gefragt"})
    assert response.status_code == 303
    assert "ist gelöscht" in cora.html(response.headers["Location"])
    with database(app):
        for model in (Submission, Answer, Note, StatusChange, CommentApproval):
            assert model.select().count() == 0, model
    [event] = audit_events(app, "erase")
    assert event == (
        "cora",
        "erase",
        f"submission/{submission}",
        f"{uuid}; Grund: Besucher hat gefragt",
    )
    everything = repr(audit_events(app))
    assert marker not in everything and "Notiz zum Löschen" not in everything
    assert marker.encode() not in database_bytes(instance)
    assert cora.get(f"/review/{submission}").status_code == 404


# --- Audit log -----------------------------------------------------------------------------------


def test_audit_log_newest_first_with_a_filter(app, staff):
    submission = submit(app, "intake", INTAKE)
    staff().html(f"/review/{submission}")
    ada = staff("admin")
    html = ada.html("/review/audit")
    rows = re.findall(r'<span class="sentence">(\w+) (meldete sich an|sah)', html)
    assert rows == [("ada", "meldete sich an"), ("vera", "sah"), ("vera", "meldete sich an")]
    assert f'vera sah <a href="/review/{submission}">Anmeldung {submission}</a> an.' in html
    logins = ada.get("/review/audit?action=login", headers=HTMX).get_data(as_text=True)
    assert logins.lstrip().startswith('<section id="audit-list"')
    assert " sah " not in logins and logins.count("meldete sich an") == 2


# --- Bad input -----------------------------------------------------------------------------------


def test_free_text_is_shown_escaped_everywhere(app, staff):
    payload = " ".join(XSS)
    submission = feedback(app, payload)
    named = submit(app, "intake", {**INTAKE, "name": XSS[1]})
    cora = staff("coordinator")
    cora.post(f"/review/{submission}/notes", {"text": XSS[0]})
    pages = [
        cora.html("/review/?q=alert"),
        cora.html("/review/?q=alert", headers=HTMX),
        cora.html(f"/review/{submission}"),
        cora.html(f"/review/{named}"),
        cora.html(f"/review/{submission}/print"),
    ]
    assert set(cora.listed("q=alert")) == {submission, named}
    for html in pages:
        for attack in XSS[:3]:
            assert attack not in html
        assert 'hx-get="/x"' not in html
        assert ">49<" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[2]
    assert "{{7*7}}" in pages[2]
    header, *rows = read_csv(cora.get("/review/export.csv?form=feedback"))
    [row] = rows
    assert row[header.index("Was möchten Sie uns sagen?")] == payload

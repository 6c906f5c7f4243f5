"""Each need is a case: changed, undone, listed and counted in the report (the test client)."""

import json
import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest

from kiosk.clock import local_today, utcnow
from kiosk.extensions import db
from kiosk.models import AuditEvent, CaseChange, DirectoryEntry, NeedCase, Site
from kiosk.reports.periods import parse_period
from kiosk.reports.summary import build_summary
from kiosk.review.cases import newest_change_id

from factories import INTAKE_ANSWERS, add_office, add_submission, add_user
from server import log_in

NAMES = {"volunteer": "vera", "coordinator": "cora", "admin": "ada"}
HTMX = {"HX-Request": "true"}
CASE_LINK = re.compile(r'href="/review/anliegen/(\d+)"')
BASE = "/review/anliegen"


@contextmanager
def database(app):
    with app.app_context(), db.connection_context():
        yield


def intake(app, needs, when=None, **answers) -> int:
    """An intake naming `needs`; returns the submission's id."""
    with database(app):
        answers = {**INTAKE_ANSWERS, "needs": needs, **answers}
        if "other" not in needs:
            answers.pop("needs_other", None)
        return add_submission(app, "intake", answers, when or utcnow()).id


def cases_of(app, submission_id) -> dict[str, int]:
    """{need: case id} of a submission."""
    with database(app):
        query = NeedCase.select().where(NeedCase.submission == submission_id)
        return {case.need: case.id for case in query}


def case(app, case_id) -> NeedCase:
    with database(app):
        return NeedCase.get_by_id(case_id)


def office(app, name, needs, **fields):
    with database(app):
        return add_office(name, needs, **fields).key


class Staff:
    """A staff member in a browser of their own: logs in, keeps the CSRF token, posts."""

    def __init__(self, app, name):
        self.app = app
        self.client = app.test_client()
        self.token = log_in(self.client, name).token(BASE)

    def html(self, url, status=200) -> str:
        response = self.client.get(url)
        assert response.status_code == status, (url, response.status_code)
        return response.get_data(as_text=True)

    def post(self, url, data, htmx=True):
        payload = {"csrf_token": self.token, **data}
        return self.client.post(url, data=payload, headers=HTMX if htmx else {})

    def edit(self, case_id, htmx=True, seen=None, **changes):
        """Post the case's form as the page shows it, with `changes` typed in."""
        with database(self.app):
            current = NeedCase.get_by_id(case_id)
            fields = {
                "status": current.status,
                "office_key": current.office_key or "",
                "handed_over_on": current.handed_over_on or "",
                "due": current.due or "",
                "outcome": current.outcome,
                "assignee": current.assignee_id or "",
                "seen": newest_change_id(case_id) if seen is None else seen,
            }
        fields |= changes
        data = {f"case{case_id}-{name}": value for name, value in fields.items()}
        return self.post(f"{BASE}/{case_id}", data, htmx)

    def listed(self, query="") -> list[int]:
        """Case ids the Anliegen page lists for a query string, in order."""
        return [int(n) for n in CASE_LINK.findall(self.html(f"{BASE}?{query}"))]


@pytest.fixture
def users(app):
    return {role: add_user(app, name, role).id for role, name in NAMES.items()}


@pytest.fixture
def staff(app, users):
    return lambda role="volunteer": Staff(app, NAMES[role])


def changes_of(app, case_id):
    with database(app):
        query = CaseChange.select().where(CaseChange.case == case_id).order_by(CaseChange.id)
        return [(change.before, change.after, change.undoes_id) for change in query]


def audit_lines(app, *actions):
    with database(app):
        query = AuditEvent.select().where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)
        return [(event.user_name, event.action, event.target, event.detail) for event in query]


# --- One case: changed, handed over, undone -------------------------------------------------------


def test_each_need_is_a_case_on_the_submission_page_with_the_visitors_other_text(app, staff):
    submission = intake(app, ["german_course", "other"])
    vera = staff()
    page = vera.html(f"/review/{submission}")
    cases = cases_of(app, submission)
    for case_id in cases.values():
        assert f'id="case-{case_id}"' in page
    assert "Deutschkurs" in page and "Sonstiges" in page
    assert page.count("Fahrrad reparieren") == 2  # the answer, and beside its case
    listing = vera.html(BASE)
    assert sorted(CASE_LINK.findall(listing)) == sorted(str(n) for n in cases.values())
    assert "Fahrrad reparieren" not in listing  # personal: only on the submission's page


def test_a_need_handed_over_names_its_office_from_the_directory_with_contact(app, staff):
    submission = intake(app, ["work", "housing"])
    jobcenter = office(app, "Jobcenter", ["work"], phone="04431 9", street="Am Markt 2")
    office(app, "Wohnungsamt", ["housing"])
    work = cases_of(app, submission)["work"]
    vera = staff()
    form = vera.html(f"{BASE}/{work}")
    offered = form[form.index(f'name="case{work}-office_key"') :]
    assert offered.index("Zuständig laut Wegweiser") < offered.index("Jobcenter")
    assert offered.index("Jobcenter") < offered.index("Weitere Stellen")
    assert offered.index("Weitere Stellen") < offered.index("Wohnungsamt")
    response = vera.edit(work, status="handed_over", office_key=jobcenter, due="2099-01-31")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Gespeichert." in html and "04431 9, Am Markt 2" in html
    assert "an <strong><bdi>Jobcenter</bdi></strong> am" in html
    handed = case(app, work)
    assert (handed.status, handed.office_key, handed.office_name) == (
        "handed_over",
        jobcenter,
        "Jobcenter",
    )
    assert handed.handed_over_on == local_today()  # left empty: today
    assert handed.due == date(2099, 1, 31)
    [(before, after, undoes)] = changes_of(app, work)
    assert before["status"] == "open" and after["office_name"] == "Jobcenter" and undoes is None
    [line] = audit_lines(app, "case")
    assert line[:3] == ("vera", "case", f"submission/{submission}")
    assert line[3].startswith(f"case/{work}: status open → handed_over")
    assert "Jobcenter" not in line[3] and "Markt" not in line[3]
    assert "Jobcenter" in vera.html(f"/review/{submission}")


def test_handing_over_needs_an_office_and_only_one_of_the_directory(app, staff):
    work = cases_of(app, intake(app, ["work"]))["work"]
    vera = staff()
    response = vera.edit(work, status="handed_over")
    assert response.status_code == 422
    assert "Bitte die Stelle wählen" in response.get_data(as_text=True)
    response = vera.edit(work, status="handed_over", office_key="erfunden")
    assert response.status_code == 422
    assert "Bitte nur aus der Liste wählen." in response.get_data(as_text=True)
    assert case(app, work).status == "open" and changes_of(app, work) == []


def test_a_change_is_undone_as_a_change_of_its_own(app, staff):
    key = office(app, "Jobcenter", ["work"])
    work = cases_of(app, intake(app, ["work"]))["work"]
    vera = staff()
    vera.edit(work, status="handed_over", office_key=key, outcome="Termin am Montag")
    [(_, _, _)] = changes_of(app, work)
    with database(app):
        change_id = newest_change_id(work)
    response = vera.post(f"{BASE}/aenderung/{change_id}/rueckgaengig", {})
    assert response.status_code == 200
    assert "Rückgängig gemacht." in response.get_data(as_text=True)
    undone = case(app, work)
    assert (undone.status, undone.office_key, undone.handed_over_on, undone.outcome) == (
        "open",
        None,
        None,
        "",
    )
    first, second = changes_of(app, work)
    assert second == (first[1], first[0], change_id)
    assert [line[1] for line in audit_lines(app, "case", "case_undo")] == ["case", "case_undo"]
    assert "wurde rückgängig gemacht" in vera.html(f"{BASE}/{work}")


def test_an_undo_is_refused_once_the_case_changed_since(app, staff):
    work = cases_of(app, intake(app, ["work"]))["work"]
    vera, cora = staff(), staff("coordinator")
    vera.edit(work, status="in_progress")
    with database(app):
        first = newest_change_id(work)
    cora.edit(work, outcome="Unterlagen fehlen")
    response = vera.post(f"{BASE}/aenderung/{first}/rueckgaengig", {})
    assert response.status_code == 409
    assert "seitdem noch einmal geändert" in response.get_data(as_text=True)
    assert case(app, work).status == "in_progress" and len(changes_of(app, work)) == 2


def test_a_form_read_before_someone_elses_change_does_not_overwrite_it(app, staff):
    work = cases_of(app, intake(app, ["work"]))["work"]
    vera, cora = staff(), staff("coordinator")
    cora.edit(work, outcome="Cora war schneller")
    response = vera.edit(work, seen=0, outcome="Veras Stand")
    assert response.status_code == 409
    assert "inzwischen von jemand anderem geändert" in response.get_data(as_text=True)
    assert case(app, work).outcome == "Cora war schneller"
    # The same values again (a second tap) change nothing and are no conflict.
    assert vera.edit(work, seen=0, outcome="Cora war schneller").status_code == 200


def test_without_htmx_a_change_leads_back_to_where_it_was_made(app, staff):
    submission = intake(app, ["work"])
    work = cases_of(app, submission)["work"]
    vera = staff()
    response = vera.edit(work, htmx=False, status="in_progress")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/review/{submission}#case-{work}"
    response = vera.edit(work, htmx=False, status="bogus")
    assert response.status_code == 422
    assert "<h1>Anliegen „Arbeit“" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"outcome": "x" * 201}, "Höchstens 200 Zeichen"),
        ({"due": "31.02.2026"}, "Diesen Tag gibt es im Kalender nicht"),
        ({"due": "1.1.1900"}, "zwischen dem 1. Januar 2000"),
        ({"due": "morgen"}, "Bitte ein Datum wie 24.12.2026 eingeben."),
        ({"handed_over_on": "1.1.2099", "status": "in_progress"}, "nicht in der Zukunft"),
        ({"status": "bogus"}, "Bitte nur aus der Liste wählen."),
        ({"assignee": "99999"}, "Bitte nur aus der Liste wählen."),
        ({"seen": "abc"}, "Bitte die Seite neu laden."),
    ],
)
def test_bad_input_is_refused_with_a_german_message(app, staff, changes, message):
    work = cases_of(app, intake(app, ["work"]))["work"]
    response = staff().edit(work, **changes)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert changes_of(app, work) == []


def test_missing_things_are_404_and_a_post_without_token_400(app, staff):
    work = cases_of(app, intake(app, ["work"]))["work"]
    vera = staff()
    assert vera.html(f"{BASE}/999999", status=404)
    assert vera.post(f"{BASE}/999999", {}).status_code == 404
    assert vera.post(f"{BASE}/aenderung/999999/rueckgaengig", {}).status_code == 404
    response = vera.client.post(f"{BASE}/{work}", data={f"case{work}-status": "done"})
    assert response.status_code == 400
    assert case(app, work).status == "open"


# --- Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(NAMES))
def test_every_staff_role_works_on_cases(app, staff, role):
    work = cases_of(app, intake(app, ["work"]))["work"]
    member = staff(role)
    assert work in member.listed()
    assert member.edit(work, status="in_progress").status_code == 200


def test_nobody_without_login_sees_or_changes_cases(app, client, users):
    work = cases_of(app, intake(app, ["work"]))["work"]
    for path in (BASE, f"{BASE}/{work}"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/review/login?next=")
    response = client.post(f"{BASE}/{work}", data={f"case{work}-status": "done"})
    assert response.status_code in (302, 400) and case(app, work).status == "open"


def test_the_old_followup_page_leads_to_the_anliegen_page(app, staff):
    response = staff().client.get("/review/followup?need=housing&show=all")
    assert response.status_code == 301
    assert response.headers["Location"] == f"{BASE}?need=housing&status=all"
    assert f'href="{BASE}">Anliegen</a>' in staff().html("/review/")


# --- The list: filters, order, overdue -----------------------------------------------------------


def set_case(app, case_id, **fields):
    with database(app):
        NeedCase.update(**fields).where(NeedCase.id == case_id).execute()


def test_the_list_filters_by_need_office_status_due_and_assignee(app, staff, users):
    today = local_today()
    key = office(app, "Jobcenter", ["work"])
    older = cases_of(app, intake(app, ["work", "housing"], utcnow() - timedelta(days=3)))
    newer = cases_of(app, intake(app, ["work", "health"]))
    set_case(app, older["work"], status="handed_over", office_key=key, office_name="Jobcenter",
             due=today - timedelta(days=2), assignee=users["volunteer"])  # fmt: skip
    set_case(app, newer["work"], status="in_progress", due=end_of_week(today))
    set_case(app, older["housing"], status="done", assignee=users["coordinator"])
    vera = staff()
    # Not closed, by default: the overdue first, then by Wiedervorlage, then the newest.
    assert vera.listed() == [older["work"], newer["work"], newer["health"]]
    assert vera.listed("status=all")[-1] == older["housing"]
    assert vera.listed("status=done") == [older["housing"]]
    assert vera.listed("need=work") == [older["work"], newer["work"]]
    assert vera.listed(f"office={key}") == [older["work"]]
    assert vera.listed("office=none") == [newer["work"], newer["health"]]
    assert vera.listed("due=overdue") == [older["work"]]
    assert vera.listed("due=week") == [newer["work"]]
    assert vera.listed("due=none") == [newer["health"]]
    assert vera.listed("assignee=me") == [older["work"]]
    assert vera.listed(f"assignee={users['coordinator']}&status=all") == [older["housing"]]
    assert vera.listed("assignee=none") == [newer["work"], newer["health"]]
    html = vera.html(f"{BASE}?due=overdue")
    assert "überfällig seit" in html and 'class="is-overdue"' in html


def end_of_week(today: date) -> date:
    return today + timedelta(days=6 - today.weekday())


@pytest.mark.parametrize("query", ["status=bogus", "due=tomorrow", "assignee=x", "office=nope"])
def test_a_filter_not_offered_is_refused(app, staff, query):
    response = staff().client.get(f"{BASE}?{query}")
    assert response.status_code == 400
    assert "Bitte nur aus der Liste wählen." in response.get_data(as_text=True)


def test_the_list_pages_and_answers_htmx_with_the_list_alone(app, staff):
    for _ in range(26):
        intake(app, ["work", "housing"])
    vera = staff()
    first, second = vera.listed(), vera.listed("page=2")
    assert len(first) == 50 and len(second) == 2 and not set(first) & set(second)
    response = vera.client.get(f"{BASE}?need=work", headers=HTMX)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<section") and 'id="case-list"' in html
    assert response.headers["HX-Push-Url"] == f"{BASE}?need=work"


# --- The report counts needs as they stood at the period's end ---------------------------------

OCTOBER = parse_period("2026-10")


def test_the_report_counts_needs_handed_over_and_done_as_of_the_periods_end(app, staff):
    key = office(app, "Jobcenter", ["work"])
    ids = [intake(app, ["work"], datetime(2026, 10, 5, 10)) for _ in range(9)]
    cases = [cases_of(app, submission)["work"] for submission in ids]
    vera = staff()
    for case_id in cases[:7]:
        vera.edit(case_id, status="handed_over", office_key=key)
    for case_id in cases[:3]:
        vera.edit(case_id, status="done")
    with database(app):
        in_october = CaseChange.update(at=datetime(2026, 10, 20, 10))
        in_october.where(CaseChange.case.in_(cases[:6])).execute()
        # The seventh was handed over in November: at October's end it was still open.
        CaseChange.update(at=datetime(2026, 11, 2, 10)).where(CaseChange.case == cases[6]).execute()
        # The third was done only in November (its hand-over was in October).
        done_late = CaseChange.select().where(CaseChange.case == cases[2]).order_by(CaseChange.id)
        CaseChange.update(at=datetime(2026, 11, 3, 10)).where(
            CaseChange.id == done_late[-1].id
        ).execute()
        summary = build_summary(Site.get(), OCTOBER, 3)
    work = next(row for row in summary["tables"]["needs"]["rows"] if row["value"] == "work")
    assert work["current"]["text"] == "9"
    assert work["handed_over"]["text"] == "4"  # cases 3 to 6 (the third was not done yet)
    assert work["done"]["text"] == "<3"  # cases 1 and 2
    json.dumps(summary)


def test_need_states_are_withheld_where_the_need_count_is_not_printed(app):
    with database(app):
        for needs in (["work"], ["work"], ["work"], ["work", "health"], ["work", "health"]):
            answers = {**INTAKE_ANSWERS, "needs": needs}
            add_submission(app, "intake", answers, datetime(2026, 10, 6, 10))
        summary = build_summary(Site.get(), OCTOBER, 3)
    health = next(row for row in summary["tables"]["needs"]["rows"] if row["value"] == "health")
    assert health["current"]["kind"] == "small"
    assert health["handed_over"]["kind"] == health["done"]["kind"] == "withheld"


# --- Demo data -----------------------------------------------------------------------------------


def test_the_demo_gives_cases_realistic_states(app, runner):
    result = runner.invoke(args=["demo", "--count", "300", "--months", "3"])
    assert result.exit_code == 0, result.output
    with database(app):
        statuses = {case.status for case in NeedCase.select()}
        handed = NeedCase.select().where(NeedCase.status == "handed_over")
        overdue = handed.where(NeedCase.due < local_today()).count()
        keys = {case.office_key for case in handed}
        offices = DirectoryEntry.select().where(DirectoryEntry.kind == "office")
        assert {"open", "handed_over", "done"} <= statuses
        assert overdue and keys <= {entry.key for entry in offices}
        assert CaseChange.select().count() >= handed.count()

"""Notes: stored once however often the button is tapped, the box empty after saving, corrected
by their author for NOTE_EDIT_MINUTES, struck through with a reason after that or by anyone
else, their history for coordinators only, and all of it erased with the submission."""

import re
from datetime import timedelta

import pytest
from test_review import INTAKE, NAMES, Staff, audit_events, database, feedback, submit

from kiosk.maintenance.retention import purge_expired
from kiosk.models import Answer, CommentRendering, NeedCase, Note, NoteRevision, Submission, utcnow
from kiosk.review import casework

from factories import FrozenClock, add_user

KEY = re.compile(r'<input id="key" name="key" type="hidden" value="([^"]+)">')
EMPTY_BOX = re.compile(r'<textarea[^>]*name="text"[^>]*>\s*</textarea>')


@pytest.fixture
def users(app):
    return {role: add_user(app, name, role).id for role, name in NAMES.items()}


@pytest.fixture
def staff(app, users):
    return lambda role="volunteer": Staff(app, NAMES[role])


@pytest.fixture
def clock(monkeypatch):
    clock = FrozenClock()
    monkeypatch.setattr(casework, "utcnow", clock)
    return clock


def key_of(html: str) -> str:
    match = KEY.search(html)
    assert match, "the note form has a key"
    return match.group(1)


def notes(app) -> list[Note]:
    with database(app):
        return list(Note.select().order_by(Note.id))


def write(member: Staff, submission: int, text: str) -> str:
    """A note as the page's form sends it; returns the panel."""
    key = key_of(member.html(f"/review/{submission}"))
    response = member.post(f"/review/{submission}/notes", {"text": text, "key": key}, htmx=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def note_id(app) -> int:
    return notes(app)[-1].id


# --- Stored once, box cleared ------------------------------------------------------------------


def test_a_double_tapped_note_is_stored_once(app, staff):
    submission = feedback(app, "Danke")
    vera = staff()
    key = key_of(vera.html(f"/review/{submission}"))
    data = {"text": "Rückruf vereinbart", "key": key}
    first = vera.post(f"/review/{submission}/notes", data, htmx=True)
    second = vera.post(f"/review/{submission}/notes", data, htmx=True)
    assert first.status_code == second.status_code == 200
    for response in (first, second):  # the second answers as if it had stored the note
        html = response.get_data(as_text=True)
        assert html.count('<p class="note-text" dir="auto">Rückruf vereinbart</p>') == 1
    without_htmx = vera.post(f"/review/{submission}/notes", data)
    assert without_htmx.status_code == 303
    assert [note.text for note in notes(app)] == ["Rückruf vereinbart"]
    assert len(audit_events(app, "note")) == 1
    # The same key on another submission is another note.
    other = feedback(app, "Auch gut")
    vera.post(f"/review/{other}/notes", data, htmx=True)
    assert len(notes(app)) == 2


def test_the_box_is_empty_after_saving_with_a_new_key(app, staff):
    submission = feedback(app, "Danke")
    vera = staff()
    key = key_of(vera.html(f"/review/{submission}"))
    response = vera.post(f"/review/{submission}/notes", {"text": "Erledigt", "key": key}, htmx=True)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="notes"')
    assert EMPTY_BOX.search(html)
    new_key = key_of(html)
    assert new_key != key
    vera.post(f"/review/{submission}/notes", {"text": "Noch eine", "key": new_key}, htmx=True)
    assert [note.text for note in notes(app)] == ["Erledigt", "Noch eine"]
    assert key_of(vera.html(f"/review/{submission}")) not in (key, new_key)


def test_a_note_with_a_problem_keeps_its_text_and_key(app, staff):
    submission = feedback(app, "Danke")
    vera = staff()
    key = key_of(vera.html(f"/review/{submission}"))
    long = vera.post(f"/review/{submission}/notes", {"text": "x" * 2001, "key": key}, htmx=True)
    assert long.status_code == 422
    html = long.get_data(as_text=True)
    assert "Höchstens 2000 Zeichen" in html and key_of(html) == key
    forged = vera.post(f"/review/{submission}/notes", {"text": "x", "key": "<script>"}, htmx=True)
    assert forged.status_code == 400
    assert notes(app) == []


# --- Corrections ------------------------------------------------------------------------------


def correct(member: Staff, note: int, text: str):
    return member.post(f"/review/notes/{note}/berichtigen", {f"note-{note}-text": text}, htmx=True)


def strike(member: Staff, note: int, reason: str):
    data = {f"strike-{note}-reason": reason}
    return member.post(f"/review/notes/{note}/durchstreichen", data, htmx=True)


def test_the_author_corrects_a_note_within_the_minutes(app, staff, clock):
    submission = feedback(app, "Danke")
    vera = staff()
    assert "Berichtigen" in write(vera, submission, "Termin am Dienstga")
    clock.advance(minutes=14, seconds=59)
    response = correct(vera, note_id(app), "Termin am Dienstag")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Termin am Dienstag" in html and "berichtigt" in html
    assert "Dienstga" not in html  # the old text is for coordinators
    [note] = notes(app)
    assert (note.text, note.edited_at) == ("Termin am Dienstag", clock.now)
    with database(app):
        assert [(r.text, r.replaced_by) for r in NoteRevision.select()] == [
            ("Termin am Dienstga", "vera")
        ]
    assert [event[1] for event in audit_events(app) if event[1].startswith("note")] == [
        "note",
        "note_edit",
    ]


def test_after_the_minutes_the_author_may_only_strike(app, staff, clock):
    submission = feedback(app, "Danke")
    vera = staff()
    write(vera, submission, "Falsche Nummer notiert")
    clock.advance(minutes=15)
    html = vera.html(f"/review/{submission}")
    assert "Berichtigung speichern" not in html and "Durchstreichen" in html
    refused = correct(vera, note_id(app), "Anders")
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "nur in den ersten 15 Minuten berichtigen" in text
    assert [note.text for note in notes(app)] == ["Falsche Nummer notiert"]
    without_htmx = vera.post(
        f"/review/notes/{note_id(app)}/berichtigen", {f"note-{note_id(app)}-text": "Anders"}
    )
    assert without_htmx.status_code == 409 and "<html" in without_htmx.get_data(as_text=True)


def test_the_minutes_are_a_setting(app, staff, clock):
    app.config["NOTE_EDIT_MINUTES"] = 5
    submission = feedback(app, "Danke")
    vera = staff()
    write(vera, submission, "Kurz")
    clock.advance(minutes=6)
    assert correct(vera, note_id(app), "Länger").status_code == 409


def test_nobody_else_corrects_a_note(app, staff, clock):
    submission = feedback(app, "Danke")
    write(staff(), submission, "Veras Notiz")
    cora = staff("coordinator")
    assert "Berichtigung speichern" not in cora.html(f"/review/{submission}")
    refused = correct(cora, note_id(app), "Coras Fassung")
    assert refused.status_code == 403
    assert "Nur wer die Notiz geschrieben hat" in refused.get_data(as_text=True)
    assert [note.text for note in notes(app)] == ["Veras Notiz"]


def test_a_correction_needs_a_text(app, staff, clock):
    submission = feedback(app, "Danke")
    vera = staff()
    write(vera, submission, "Etwas")
    response = correct(vera, note_id(app), "  ")
    assert response.status_code == 422
    assert "Bitte einen Text eingeben." in response.get_data(as_text=True)
    assert [note.text for note in notes(app)] == ["Etwas"]


# --- Striking through ---------------------------------------------------------------------------


def test_anyone_strikes_a_note_through_with_a_reason(app, staff, clock):
    submission = feedback(app, "Danke")
    write(staff(), submission, "Frau K. ruft zurück")
    cora = staff("coordinator")
    empty = strike(cora, note_id(app), " ")
    assert empty.status_code == 422
    assert "Bitte den Grund angeben." in empty.get_data(as_text=True)
    clock.advance(minutes=1)
    response = strike(cora, note_id(app), "Falsche Anmeldung")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<del>Frau K. ruft zurück</del>" in html
    assert "Durchgestrichen von cora" in html and "Falsche Anmeldung" in html
    again = strike(cora, note_id(app), "Noch ein Grund")  # a double tap changes nothing
    assert again.status_code == 200
    [note] = notes(app)
    assert (note.struck_by, note.strike_reason, note.struck_at) == (
        "cora",
        "Falsche Anmeldung",
        clock.now,
    )
    assert note.text == "Frau K. ruft zurück"
    assert len(audit_events(app, "note_strike")) == 1
    assert "Berichtigung speichern" not in staff().html(f"/review/{submission}")


@pytest.mark.parametrize("path", ["berichtigen", "durchstreichen"])
def test_unknown_notes_are_404_and_anonymous_posts_go_to_the_login(app, staff, auth, path):
    submission = feedback(app, "Danke")
    write(staff(), submission, "Notiz")
    response = staff().post(f"/review/notes/9999/{path}", {"text": "x", "reason": "x"})
    assert response.status_code == 404 and "Nicht gefunden" in response.get_data(as_text=True)
    data = {"csrf_token": auth.token(), f"note-{note_id(app)}-text": "x", "reason": "x"}
    anonymous = auth.client.post(f"/review/notes/{note_id(app)}/{path}", data=data)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/review/login")
    assert [(note.text, note.struck_at) for note in notes(app)] == [("Notiz", None)]


# --- History ------------------------------------------------------------------------------------


def test_the_history_is_for_coordinators_and_admins(app, staff, clock):
    submission = feedback(app, "Danke")
    vera = staff()
    write(vera, submission, "Erste Fassung")
    correct(vera, note_id(app), "Zweite Fassung")
    assert "Erste Fassung" not in vera.html(f"/review/{submission}")
    for role in ("coordinator", "admin"):
        html = staff(role).html(f"/review/{submission}")
        assert "Frühere Fassungen (1)" in html and "Erste Fassung" in html


# --- Erasure --------------------------------------------------------------------------------


def test_erasure_takes_the_history_with_it(app, staff, clock, instance):
    submission = feedback(app, "Danke")
    vera = staff()
    write(vera, submission, "Alte-Fassung-4711")
    correct(vera, note_id(app), "Neue Fassung")
    cora = staff("coordinator")
    assert cora.post(f"/review/{submission}/erase", {"reason": "Gefragt"}).status_code == 303
    with database(app):
        assert NoteRevision.select().count() == 0 and Note.select().count() == 0
    files = b"".join(path.read_bytes() for path in instance.glob("kiosk.sqlite3*"))
    assert b"Alte-Fassung-4711" not in files


def test_the_purge_takes_the_history_with_the_notes(app, staff, clock):
    submission = feedback(app, "Danke")
    vera = staff()
    write(vera, submission, "Vorher")
    correct(vera, note_id(app), "Nachher")
    with database(app):
        old = utcnow() - timedelta(days=60)  # beyond the feedback's 45 days, follow-up ended
        Submission.update(created_at=old, status="done").where(
            Submission.id == submission
        ).execute()
        counts = purge_expired()
        assert counts["notes"] == 1
        assert NoteRevision.select().count() == 0


def test_two_sendings_at_the_same_moment_store_one_note(app, monkeypatch):
    """The second request checked before the first stored: the unique index refuses its insert,
    and it answers with the note the first stored."""
    submission = feedback(app, "Danke")
    with app.test_request_context(), database(app):
        first = casework.add_note(Submission.get_by_id(submission), "Eins", "vera", "k" * 22)
        monkeypatch.setattr(Note, "get_or_none", lambda *conditions: None)
        second = casework.add_note(Submission.get_by_id(submission), "Eins", "vera", "k" * 22)
        assert second.id == first.id
        assert Note.select().count() == 1


# --- The print page ---------------------------------------------------------------------------


def test_the_print_page_shows_notes_as_they_stand_and_the_needs_with_their_offices(
    app, staff, clock
):
    """What is kept about one visitor, on paper: a struck note with its reason, a corrected one
    with its earlier wording (for coordinators, who see the history), and each need's case."""
    submission = submit(app, "intake", INTAKE)
    vera = staff()
    write(vera, submission, "Termin Dienstga")
    correct(vera, note_id(app), "Termin Dienstag")
    write(vera, submission, "Falsche Person")
    clock.advance(minutes=20)
    assert strike(vera, note_id(app), "Verwechselt").status_code == 200
    with database(app):
        NeedCase.update(
            status="handed_over", office_key="jobcenter", office_name="Jobcenter Wildeshausen"
        ).where(NeedCase.submission == submission, NeedCase.need == "work").execute()
        NeedCase.update(outcome="Besichtigung vereinbart").where(
            NeedCase.submission == submission, NeedCase.need == "housing"
        ).execute()
    html = staff("coordinator").html(f"/review/{submission}/print")
    assert "Ihre Anliegen" in html
    assert "Jobcenter Wildeshausen" in html and "Besichtigung vereinbart" in html
    assert '<del class="free-text" dir="auto">Falsche Person</del>' in html
    assert "Grund: <bdi>Verwechselt</bdi>" in html
    assert "Termin Dienstag" in html and "Frühere Fassung" in html and "Termin Dienstga" in html
    assert "Termin Dienstga" not in vera.html(f"/review/{submission}/print")  # no history for her


def test_the_print_page_shows_a_comments_german_rendering(app, staff):
    submission = feedback(app, "Дуже дякую за допомогу", lang="uk")
    with database(app):
        answer = Answer.get(Answer.submission == submission, Answer.field == "comment")
        CommentRendering.create(answer=answer, text="Vielen Dank für die Hilfe", by="olena")
    html = staff().html(f"/review/{submission}/print")
    assert "Дуже дякую за допомогу" in html
    assert "Deutsche Fassung (olena):" in html and "Vielen Dank für die Hilfe" in html

"""The directory as a JSON document: schema, German errors, import, export, shipped entries."""

import copy
import json
import uuid
from datetime import datetime

import pytest
from jsonschema import Draft202012Validator

from kiosk.clock import local_time
from kiosk.directory import builtin
from kiosk.directory.builtin import fill_demo_directory, install_builtin
from kiosk.directory.schema import MAX_ENTRIES, SCHEMA, DirectoryError, validate
from kiosk.directory.texts import state
from kiosk.directory.transfer import (
    entry_from_dict,
    entry_to_dict,
    export_document,
    import_document,
    read_document,
    replace_origin,
)
from kiosk.extensions import db
from kiosk.models import AuditEvent, DirectoryEntry, Event
from kiosk.models.directory import APPOINTMENTS, ENTRY_TEXTS, EVENT_TEXTS, KINDS, WEEKDAYS

NOW = datetime(2026, 12, 3, 11, 0)  # a Thursday, 12:00 in Wildeshausen (naive UTC)
TRANSLATED = ("en", "ar", "fa", "ps", "ku", "uk", "ru", "tr", "ti")
HELPLINE_NUMBERS = {
    "110",
    "112",
    "116 117",
    "116 016",
    "116 111",
    "0800 111 0 111",
    "0800 40 40 020",
}


def office(key, **fields):
    return {"key": key, "kind": "office", "name": key.title(), **fields}


def document(*entries, events=()):
    return {
        "format": "mittendrin-directory",
        "format_version": 1,
        "entries": list(entries),
        "events": list(events),
    }


def event(title="Sprachcafé", starts="2026-12-08T15:00:00", ends="2026-12-08T17:00:00", **more):
    return {
        "texts": {"title": {"de": {"text": title}}},
        "starts_at": starts,
        "ends_at": ends,
        **more,
    }


@pytest.fixture
def ctx(app):
    with app.app_context(), db.connection_context():
        yield app


def message_of(doc, needs=None) -> str:
    with pytest.raises(DirectoryError) as caught:
        validate(doc, needs)
    return caught.value.message


def local_keys():
    query = DirectoryEntry.select().where(DirectoryEntry.origin == "local")
    return sorted(entry.key for entry in query)


# --- The schema itself --------------------------------------------------------------------------


def test_the_schema_is_valid_and_says_what_the_model_says():
    Draft202012Validator.check_schema(SCHEMA)
    entry = SCHEMA["$defs"]["entry"]["properties"]
    assert tuple(entry["kind"]["enum"]) == KINDS
    assert tuple(entry["texts"]["propertyNames"]["enum"]) == ENTRY_TEXTS
    assert tuple(entry["appointment"]["enum"]) == APPOINTMENTS
    assert tuple(entry["hours"]["propertyNames"]["enum"]) == WEEKDAYS
    event_texts = SCHEMA["$defs"]["event"]["properties"]["texts"]["propertyNames"]["enum"]
    assert tuple(event_texts) == EVENT_TEXTS
    model_fields = set(DirectoryEntry._meta.fields) - {"id", "origin", "updated_by", "updated_at"}
    assert set(entry) == model_fields


# --- validate: what it accepts --------------------------------------------------------------------


def test_validate_accepts_the_export_of_the_demo(ctx):
    assert fill_demo_directory(NOW) > 0
    exported = export_document(origins=("local", "hub", "builtin"))
    # as a file would carry it
    checked = validate(json.loads(json.dumps(exported, ensure_ascii=False)))
    assert len(checked["entries"]) == len(exported["entries"]) >= 12
    assert len(checked["events"]) == 3


def test_validate_fills_defaults_and_normalises_hours(ctx):
    checked = validate(
        document(office("jobcenter", hours={"mo": [["14:00", "16:00"], ["09:00", "12:00"]]}))
    )
    entry = checked["entries"][0]
    assert entry["phone"] == "" and entry["languages"] == [] and entry["example"] is False
    assert entry["hours"]["mo"] == [["09:00", "12:00"], ["14:00", "16:00"]]
    assert entry["hours"]["tu"] == []


# --- validate: what it refuses, naming entry and field -------------------------------------------

REFUSALS = [
    pytest.param(
        lambda doc: doc["entries"][2].update(phone=4431850),
        ("Eintrag 3 „jobcenter“", "Feld phone", "Text"),
        id="wrong-type",
    ),
    pytest.param(
        lambda doc: doc["entries"][2].update(needs=["housing", "wohnen"]),
        ("Eintrag 3 „jobcenter“", "Feld needs[1]", "„wohnen“", "Aufnahmebogen"),
        id="unknown-need",
    ),
    pytest.param(
        lambda doc: doc["entries"][2].update(
            hours={"mo": [["09:00", "12:00"], ["11:00", "13:00"]]}
        ),
        ("Eintrag 3 „jobcenter“", "Feld hours.mo[1]", "überschneiden"),
        id="overlapping-hours",
    ),
    pytest.param(
        lambda doc: doc["entries"][2].update(hours={"tu": [["09:00", "25:00"]]}),
        ("Eintrag 3 „jobcenter“", "Feld hours.tu[0][1]", "„25:00“"),
        id="bad-hour",
    ),
    pytest.param(
        lambda doc: doc["entries"][2].update(
            hours={"we": [["08:00", "10:00"], ["24:00", "02:00"]]}
        ),
        ("Eintrag 3 „jobcenter“", "Feld hours.we[1]: Mittwoch: „24:00“ ist keine Uhrzeit."),
        id="day-ends-at-24",
    ),
    pytest.param(
        lambda doc: doc["entries"][2].update(hours={"dienstag": [["09:00", "12:00"]]}),
        ("Eintrag 3 „jobcenter“", "Feld hours", "„dienstag“", "mo, tu"),
        id="bad-weekday",
    ),
    pytest.param(
        lambda doc: doc["entries"][2].update(key="rathaus"),
        ("Eintrag 3 „rathaus“", "Feld key", "schon Eintrag 1"),
        id="duplicate-key",
    ),
    pytest.param(
        lambda doc: doc["entries"][2].update(texts={"summary": {"de": {"text": "x" * 1001}}}),
        ("Eintrag 3 „jobcenter“", "Feld texts.summary.de.text", "1001 Zeichen", "1000"),
        id="oversized-text",
    ),
    pytest.param(
        lambda doc: doc["entries"].extend(office(f"stelle-{n}") for n in range(MAX_ENTRIES)),
        ("Feld entries", f"höchstens {MAX_ENTRIES}"),
        id="oversized-document",
    ),
    pytest.param(
        lambda doc: doc["entries"][1].update(phon="04431 88-0"),
        ("Eintrag 2 „kreishaus“", "Feld phon", "„phone“"),
        id="unknown-field",
    ),
    pytest.param(
        lambda doc: doc["entries"][1].pop("name"),
        ("Eintrag 2 „kreishaus“", "Feld name", "Pflichtfeld"),
        id="missing-name",
    ),
    pytest.param(
        lambda doc: doc["entries"][2].update(languages=["ar", "arabisch"]),
        (
            "Eintrag 3 „jobcenter“",
            "Feld languages[1]",
        ),
        id="bad-language",
    ),
    pytest.param(
        lambda doc: doc["entries"][2].update(texts={"summary": {"ar": {"text": "مرحبا"}}}),
        ("Eintrag 3 „jobcenter“", "Feld texts.summary", "deutschen Text"),
        id="translation-without-german",
    ),
    pytest.param(
        lambda doc: doc["entries"][2].update(
            texts={
                "summary": {"de": {"text": "Hilfe"}, "ar": {"text": "مساعدة", "checked_by": "Amal"}}
            }
        ),
        ("Eintrag 3 „jobcenter“", "Feld texts.summary.ar", "checked_at"),
        id="checked-without-date",
    ),
    pytest.param(
        lambda doc: doc["entries"][2].update(icon="no-such-icon"),
        ("Eintrag 3 „jobcenter“", "Feld icon", "static/icons"),
        id="unknown-icon",
    ),
    pytest.param(
        lambda doc: doc["events"][1].update(ends_at="2026-12-10T14:00:00"),
        ("Termin 2 „Fahrradwerkstatt“", "Feld ends_at", "nach dem Beginn"),
        id="event-ends-before-it-starts",
    ),
    pytest.param(
        lambda doc: doc["events"][0].update(starts_at="am Dienstag"),
        ("Termin 1 „Sprachcafé“", "Feld starts_at"),
        id="event-bad-time",
    ),
    pytest.param(
        lambda doc: doc["events"][0].update(starts_at="0001-01-01T00:30:00"),
        ("Termin 1 „Sprachcafé“", "Feld starts_at", "kein gültiger Zeitpunkt"),
        id="event-at-the-calendars-start",
    ),
    pytest.param(
        lambda doc: doc["events"][0].update(ends_at="9999-12-31T23:59:59"),
        ("Termin 1 „Sprachcafé“", "Feld ends_at", "zwischen 2000 und 2099"),
        id="event-in-year-9999",
    ),
    pytest.param(
        lambda doc: doc.update(format="vcard"),
        ("Feld format", "mittendrin-directory"),
        id="another-format",
    ),
]


@pytest.mark.parametrize(("change", "expected"), REFUSALS)
def test_validate_refuses_and_names_entry_and_field(ctx, change, expected):
    doc = document(
        office("rathaus", needs=["housing"]),
        office("kreishaus", needs=["authorities"]),
        office("jobcenter", needs=["work"], hours={"mo": [["09:00", "12:00"]]}),
        events=[
            event(),
            event("Fahrradwerkstatt", "2026-12-10T15:00:00", "2026-12-10T18:00:00"),
        ],
    )
    validate(copy.deepcopy(doc))  # as it is, it fits
    change(doc)
    message = message_of(doc)
    for part in expected:
        assert part in message, message
    assert message.endswith(".")


def test_need_codes_can_be_given(ctx):
    doc = document(office("jobcenter", needs=["jobs"]))
    assert validate(doc, needs={"jobs"})["entries"][0]["needs"] == ["jobs"]
    assert "„jobs“" in message_of(doc, needs={"work"})


def test_a_second_treffpunkt_and_a_repeated_event_uid_are_refused(ctx):
    own = {"key": "treffpunkt", "kind": "treffpunkt", "name": "Treffpunkt"}
    doc = document(own, {**own, "key": "treffpunkt-2"})
    assert "Eintrag 2 „treffpunkt-2“, Feld kind" in message_of(doc)
    uid = str(uuid.uuid4())
    doc = document(events=[event(uid=uid), event(uid=uid.upper())])
    assert "Termin 2 „Sprachcafé“, Feld uid: Das ist derselbe Termin wie Termin 1" in message_of(
        doc
    )
    doc = document(events=[event(), event(ends="2026-12-08T18:00:00")])
    assert message_of(doc).startswith("Termin 2 „Sprachcafé“: Das ist derselbe Termin")


def test_not_a_document_at_all(ctx):
    assert "JSON-Objekt" in message_of([1, 2, 3])


# --- Reading a file -------------------------------------------------------------------------------


def test_read_document_refuses_too_large_bad_json_and_repeated_names():
    with pytest.raises(DirectoryError, match="zu groß"):
        read_document(b" " * 2000, max_bytes=1000)
    with pytest.raises(DirectoryError, match="Zeile 2"):
        read_document(b'{"format": 1,\n "entries": [}', max_bytes=1000)
    with pytest.raises(DirectoryError, match="„name“ steht zweimal"):
        read_document(b'{"entries": [{"name": "A", "name": "B"}]}', max_bytes=1000)
    with pytest.raises(DirectoryError, match="UTF-8"):
        read_document('{"name": "Bürgerbüro"}'.encode("latin-1"), max_bytes=1000)
    assert read_document('\ufeff{"a": "ä"}'.encode(), max_bytes=1000) == {"a": "ä"}


# --- Import -------------------------------------------------------------------------------------


def test_import_creates_updates_and_leaves_unchanged(ctx):
    doc = document(office("rathaus", phone="04431 88-0"), office("kreishaus"), events=[event()])
    assert import_document(doc, "Amal") == (3, 0)
    held = DirectoryEntry.get(DirectoryEntry.key == "rathaus")
    assert held.origin == "local" and held.updated_by == "Amal" and held.phone == "04431 88-0"
    assert import_document(doc, "Amal") == (0, 0)  # without a UID: known by title and start
    doc["entries"][0]["phone"] = "04431 88-100"
    doc["events"] = []
    assert import_document(doc, "Ben") == (0, 1)
    held = DirectoryEntry.get(DirectoryEntry.key == "rathaus")
    assert held.phone == "04431 88-100" and held.updated_by == "Ben"
    assert DirectoryEntry.get(DirectoryEntry.key == "kreishaus").updated_by == "Amal"


def test_an_import_with_a_bad_fifth_entry_applies_nothing(ctx):
    entries = [office(f"stelle-{n}", needs=["work"]) for n in range(1, 5)]
    bad = office("stelle-5", hours={"mo": [["09:00", "12:00"], ["11:00", "13:00"]]})
    before = local_keys()
    with pytest.raises(DirectoryError) as caught:
        import_document(document(*entries, bad), "Amal")
    assert caught.value.message.startswith("Eintrag 5 „stelle-5“, Feld hours.mo[1]")
    assert local_keys() == before


def test_an_import_failing_while_writing_is_rolled_back(ctx, monkeypatch):
    entries = [office(f"stelle-{n}") for n in range(1, 6)]
    saved = []
    original = DirectoryEntry.save

    def save_until_the_fifth(self, *args, **kwargs):
        saved.append(self.key)
        if len(saved) == 5:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DirectoryEntry, "save", save_until_the_fifth)
    before = local_keys()
    with pytest.raises(RuntimeError):
        import_document(document(*entries), "Amal")
    assert len(saved) == 5  # four were written inside the transaction, then it failed
    monkeypatch.undo()
    assert local_keys() == before


def test_export_then_import_gives_the_same_directory(ctx):
    fill_demo_directory(NOW)
    first = export_document()
    DirectoryEntry.delete().where(DirectoryEntry.origin == "local").execute()
    Event.delete().execute()
    count = len(first["entries"]) + len(first["events"])
    assert import_document(json.loads(json.dumps(first)), "Amal") == (count, 0)
    second = export_document()
    assert {**second, "exported_at": ""} == {**first, "exported_at": ""}
    assert import_document(second, "Amal") == (0, 0)


def test_an_entry_round_trips_through_its_dict(ctx):
    data = validate(
        document(
            office(
                "rathaus",
                texts={
                    "summary": {
                        "de": {"text": "Hilfe"},
                        "ar": {"text": "مساعدة", "source": "Hilfe"},
                    }
                },
                confirmed_by="Amal",
                confirmed_at="2026-12-01T10:30:00+01:00",
                hours={"fr": [["20:00", "02:00"]]},
            )
        )
    )["entries"][0]
    entry = entry_from_dict(data, "local")
    assert entry.id is None  # unsaved
    assert entry.confirmed_at == datetime(2026, 12, 1, 9, 30)
    assert entry_to_dict(entry) == data


def test_importing_an_export_with_all_makes_no_local_copies_of_the_shipped_lines(ctx):
    everything = export_document(origins=("local", "hub", "builtin"))
    assert {entry["phone"] for entry in everything["entries"]} >= HELPLINE_NUMBERS
    assert import_document(everything, "Amal") == (0, 0)
    assert local_keys() == []


# --- replace_origin -------------------------------------------------------------------------------


def test_replace_origin_leaves_local_entries_untouched(ctx):
    import_document(document(office("rathaus", phone="04431 88-0")), "Amal")
    local = DirectoryEntry.get(DirectoryEntry.key == "rathaus")
    first = validate(document(office("rathaus", phone="0000 1"), office("kreishaus")))["entries"]
    assert replace_origin(first, "hub") == 2
    kept = DirectoryEntry.get(DirectoryEntry.key == "kreishaus", DirectoryEntry.origin == "hub")
    second = validate(document(office("kreishaus"), office("jobcenter")))["entries"]
    assert replace_origin(second, "hub") == 2
    hub = DirectoryEntry.select().where(DirectoryEntry.origin == "hub")
    assert sorted(entry.key for entry in hub) == ["jobcenter", "kreishaus"]
    unchanged = DirectoryEntry.get(
        DirectoryEntry.key == "kreishaus", DirectoryEntry.origin == "hub"
    )
    assert (unchanged.id, unchanged.updated_at) == (kept.id, kept.updated_at)
    again = DirectoryEntry.get(DirectoryEntry.key == "rathaus", DirectoryEntry.origin == "local")
    assert entry_to_dict(again) == entry_to_dict(local)
    assert (again.id, again.updated_at, again.updated_by) == (local.id, local.updated_at, "Amal")
    with pytest.raises(ValueError):
        replace_origin(second, "elsewhere")


# --- The shipped help lines ---------------------------------------------------------------------


def test_the_help_lines_are_installed_with_the_database(ctx):
    lines = DirectoryEntry.select().where(DirectoryEntry.origin == "builtin")
    assert {line.phone for line in lines} == HELPLINE_NUMBERS
    for line in lines:
        assert line.kind == "helpline" and not line.example and line.icon
        assert line.hours and isinstance(line.open_on_holidays, bool)
        for lang in TRANSLATED:
            assert state(line.texts, "summary", lang).state == "maschinell", (line.key, lang)
    kummer = DirectoryEntry.get(DirectoryEntry.phone == "116 111")
    assert kummer.hours["mo"] == [["14:00", "20:00"]] and kummer.hours["su"] == []
    assert DirectoryEntry.get(DirectoryEntry.phone == "112").hours["su"] == [["00:00", "24:00"]]


def test_install_builtin_is_idempotent_and_follows_the_shipped_file(ctx, tmp_path, monkeypatch):
    assert install_builtin() == 0
    before = {line.key: (line.id, line.updated_at) for line in DirectoryEntry.select()}
    assert install_builtin() == 0
    assert {line.key: (line.id, line.updated_at) for line in DirectoryEntry.select()} == before

    shipped = json.loads(builtin.HELPLINES_PATH.read_text(encoding="utf-8"))
    shipped["entries"][0]["texts"]["summary"]["de"]["text"] = "Notruf der Polizei."
    removed = shipped["entries"].pop()["key"]
    changed = tmp_path / "helplines.json"
    changed.write_text(json.dumps(shipped, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(builtin, "HELPLINES_PATH", changed)
    assert install_builtin() == len(shipped["entries"])
    police = DirectoryEntry.get(DirectoryEntry.key == shipped["entries"][0]["key"])
    assert police.texts["summary"]["de"]["text"] == "Notruf der Polizei."
    assert state(police.texts, "summary", "ar").state == "veraltet"
    assert not DirectoryEntry.select().where(DirectoryEntry.key == removed).exists()
    assert install_builtin() == 0


# --- The demo -------------------------------------------------------------------------------------


def test_the_demo_directory_covers_every_need_and_is_added_once(ctx):
    made = fill_demo_directory(NOW)
    assert fill_demo_directory(NOW) == 0
    local = DirectoryEntry.select().where(DirectoryEntry.origin == "local").count()
    assert Event.select().count() == 3 and made == local + 3
    needs = {
        option.value for option in ctx.extensions["kiosk_forms"]["intake"].field("needs").options
    }
    offices = DirectoryEntry.select().where(DirectoryEntry.kind == "office")
    assert needs - {"other"} <= {need for entry in offices for need in entry.needs}
    assert all(entry.example for entry in offices)
    own = DirectoryEntry.get(DirectoryEntry.key == "treffpunkt")
    assert own.kind == "treffpunkt" and own.hours and own.name == ctx.config["SITE_NAME"]
    for event in Event.select():
        assert state(event.texts, "place", "ti").state == "maschinell"
        assert event.texts["place"]["ti"]["text"] == ctx.config["SITE_NAME"]
    for entry in offices:
        for lang in TRANSLATED:
            assert state(entry.texts, "summary", lang).state == "maschinell", (entry.key, lang)


def test_the_demo_events_are_the_next_ones_from_now(ctx):
    fill_demo_directory(NOW)
    starts = {
        event.texts["title"]["de"]["text"]: local_time(event.starts_at) for event in Event.select()
    }
    assert {
        name: (moment.strftime("%a %H:%M"), moment.date().isoformat())
        for name, moment in starts.items()
    } == {
        "Sprachcafé": ("Tue 15:00", "2026-12-08"),
        "Fahrradwerkstatt": ("Thu 15:00", "2026-12-03"),  # today, later than now
        "Elterncafé": ("Sat 10:00", "2026-12-05"),
    }
    for event in Event.select():
        for field in ("title", "text"):
            for lang in TRANSLATED:
                assert state(event.texts, field, lang).state == "maschinell"
    # on Monday the past dates are added anew; Tuesday's, still ahead, is not repeated
    assert fill_demo_directory(datetime(2026, 12, 7, 11, 0)) == 2
    assert Event.select().count() == 5


# --- The commands ---------------------------------------------------------------------------------


def test_export_command_writes_the_local_directory(app, runner, tmp_path):
    with app.app_context(), db.connection_context():
        fill_demo_directory(NOW)
    target = tmp_path / "wegweiser.json"
    result = runner.invoke(args=["directory", "export", str(target)])
    assert result.exit_code == 0, result.output
    assert "12 Einträge, 3 Termine" in result.output
    written = json.loads(target.read_text(encoding="utf-8"))
    assert {entry["kind"] for entry in written["entries"]} == {"office", "treffpunkt"}
    result = runner.invoke(args=["directory", "export", "--all", str(target)])
    assert result.exit_code == 0
    written = json.loads(target.read_text(encoding="utf-8"))
    assert {entry["phone"] for entry in written["entries"]} >= HELPLINE_NUMBERS
    with app.app_context(), db.connection_context():
        validate(written)
        assert AuditEvent.select().where(AuditEvent.action == "directory_export").count() == 2


def test_import_command_applies_a_good_file(app, runner, tmp_path):
    source = tmp_path / "wegweiser.json"
    source.write_text(json.dumps(document(office("rathaus"), events=[event()])), encoding="utf-8")
    result = runner.invoke(args=["directory", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "2 neu, 0 geändert, 0 unverändert" in result.output
    with app.app_context(), db.connection_context():
        assert local_keys() == ["rathaus"]
        audit = AuditEvent.get(AuditEvent.action == "directory_import")
        assert (audit.target, audit.user_name) == ("wegweiser.json", "cli")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            json.dumps(document(office("rathaus"), office("kreishaus", needs=["wohnen"]))),
            "Eintrag 2 „kreishaus“, Feld needs[0]: „wohnen“ ist kein Anliegen",
        ),
        (
            '{"format": "mittendrin-directory",\n "entries": [}',
            "Die Datei ist kein gültiges JSON: Zeile 2, Spalte 14 (ein Wert fehlt).",
        ),
        (
            json.dumps(document(office("rathaus"), office("rathaus"))),
            "Eintrag 2 „rathaus“, Feld key",
        ),
    ],
    ids=["unknown-need", "broken-json", "duplicate-key"],
)
def test_import_command_refuses_a_bad_file_and_changes_nothing(
    app, runner, tmp_path, content, expected
):
    source = tmp_path / "wegweiser.json"
    source.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["directory", "import", str(source)])
    assert result.exit_code == 1
    assert "Nicht importiert, nichts geändert: " + expected in result.output
    with app.app_context(), db.connection_context():
        assert local_keys() == []
        assert not AuditEvent.select().where(AuditEvent.action == "directory_import").exists()


def test_import_command_refuses_a_missing_or_oversized_file(app, runner, tmp_path):
    result = runner.invoke(args=["directory", "import", str(tmp_path / "nowhere.json")])
    assert result.exit_code == 1 and "lässt sich nicht lesen" in result.output
    app.config["DIRECTORY_MAX_BYTES"] = 100
    source = tmp_path / "big.json"
    source.write_text(json.dumps(document(*(office(f"stelle-{n}") for n in range(10)))))
    result = runner.invoke(args=["directory", "import", str(source)])
    assert result.exit_code == 1 and "zu groß" in result.output


def test_demo_command_fills_the_directory_once(app, runner):
    assert runner.invoke(args=["demo", "--count", "3"]).exit_code == 0
    with app.app_context(), db.connection_context():
        count = DirectoryEntry.select().count(), Event.select().count()
        assert count[1] >= 3 and DirectoryEntry.get(DirectoryEntry.key == "treffpunkt").example
    assert runner.invoke(args=["demo", "--count", "3"]).exit_code == 0
    with app.app_context(), db.connection_context():
        assert (DirectoryEntry.select().count(), Event.select().count()) == count


def test_the_commands_read_and_write_standard_streams(app, runner, tmp_path):
    content = json.dumps(document(office("rathaus")))
    result = runner.invoke(args=["directory", "import", "-"], input=content)
    assert result.exit_code == 0 and "1 neu" in result.output
    result = runner.invoke(args=["directory", "export", "-"])
    assert result.exit_code == 0
    assert [entry["key"] for entry in json.loads(result.output)["entries"]] == ["rathaus"]
    result = runner.invoke(args=["directory", "export", str(tmp_path / "no" / "such" / "x.json")])
    assert result.exit_code == 1 and "Nicht exportiert" in result.output

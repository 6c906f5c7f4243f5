"""Recordings made on the staff page: takes that wait for a second person, their approval and
removal, and the state of each spoken text's recording in a language.

A take is checked before anything is stored (kiosk/visitor/audio_container.py: Opus in WebM or
Ogg, at most RECORDING_MAX_SECONDS long and RECORDING_MAX_BYTES large), then kept as
`<instance>/audio/takes/<id>.<ext>` with its row (kiosk/models/recordings.py), where no visitor's
page ever finds it. A newer take of the same text replaces one still waiting. Approval copies it
to `<instance>/audio/<lang>/<hash>.<ext>` (`store_recording`), where the speaker button finds
it; from then on it plays. The caller checks who may do what and writes the audit log.

The states a text's recording can be in, as the staff page names them:

    keine                nothing recorded for these words
    wartet auf Freigabe  a take waits for a second Sprachpate or a coordinator
    freigegeben          a recording of exactly these words plays
    neu aufnehmen        an approved recording of an earlier wording exists, kept for reference
                         and no longer played: the words changed (catalog or correction)
"""

import contextlib
import os
from dataclasses import dataclass

from flask import Flask

from ..clock import utcnow
from ..models import Recording
from ..models.base import write_transaction
from ..models.recordings import RECORDING_STATES
from . import audio
from .audio_container import AudioFile, NotAudio, inspect

IMPORTER = "kiosk audio import"  # who recorded and approved an imported recording
STATE_LABELS = {
    "none": "keine",
    "pending": "wartet auf Freigabe",
    "approved": "freigegeben",
    "rerecord": "neu aufnehmen",
}
assert set(RECORDING_STATES) <= set(STATE_LABELS)


@dataclass(frozen=True)
class Wording:
    """A text to record: its hash, what it is whatever its wording, its words in the language."""

    hash: str
    key: str
    text: str


@dataclass(frozen=True)
class TextState:
    """Where one text's recording stands in one language."""

    state: str  # a key of STATE_LABELS
    played: audio.Recording | None  # the file the speaker button plays for these words
    approved: Recording | None  # its row, when it was recorded here (not imported)
    pending: Recording | None  # the take waiting for approval
    outdated: Recording | None  # an approved recording of an earlier wording
    outdated_file: audio.Recording | None  # its file, kept for reference

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def take_path(app: Flask, take: Recording) -> str:
    return os.path.join(audio.audio_folder(app), audio.TAKES_FOLDER, f"{take.id}.{take.ext}")


def checked_take(data: bytes, max_bytes: int, max_seconds: int) -> AudioFile:
    """The recording `data` holds, or NotAudio: 413 too large, 415 not such audio, 422 broken,
    empty or too long."""
    if len(data) > max_bytes:
        raise NotAudio(
            413,
            f"Die Aufnahme ist zu groß ({len(data) // 1024} KiB); erlaubt sind höchstens"
            f" {max_bytes // 1024} KiB. Bitte kürzer aufnehmen.",
        )
    if not data:
        raise NotAudio(422, "Die Aufnahme ist leer.")
    found = inspect(data)
    if found.duration_ms > max_seconds * 1000:
        raise NotAudio(
            422,
            f"Die Aufnahme ist {found.duration_ms / 1000:.0f} Sekunden lang; erlaubt sind"
            f" höchstens {max_seconds} Sekunden.",
        )
    return found


def store_take(app: Flask, lang: str, wording: Wording, data: bytes, by: str):
    """Keep a checked take of `wording` as waiting for approval: (the new row, the ids of the
    takes it replaced). Raises NotAudio for what is refused."""
    limits = app.config["RECORDING_MAX_BYTES"], app.config["RECORDING_MAX_SECONDS"]
    found = checked_take(data, *limits)
    with write_transaction():
        replaced = list(Recording.takes_of(lang, wording.hash, "pending"))
        for old in replaced:
            old.delete_instance()
        take = Recording.create(
            lang=lang,
            text_hash=wording.hash,
            text_key=wording.key,
            text=wording.text,
            ext=found.ext,
            size=len(data),
            duration_ms=found.duration_ms,
            recorded_by=by,
        )
        path = take_path(app, take)
        audio.write_private(path, data)  # a failed write stores no row
    for old in replaced:
        if take_path(app, old) != path:  # SQLite may give the new row a replaced one's id
            remove_file(take_path(app, old))
    return take, [old.id for old in replaced]


def approve_take(app: Flask, take: Recording, by: str) -> None:
    """Make the take the recording that plays for its words; an earlier approved take of the
    same words (whose file it replaces) goes."""
    try:
        with open(take_path(app, take), "rb") as source:
            data = source.read()
    except FileNotFoundError:
        raise NotAudio(422, "Die Datei dieser Aufnahme fehlt. Bitte neu aufnehmen.") from None
    outcome, why = audio.store_recording(app, take.lang, f"{take.text_hash}.{take.ext}", data)
    if outcome == "refused":  # checked when it was taken; only a changed limit gets here
        raise NotAudio(422, why)
    with write_transaction():
        Recording.delete().where(
            Recording.lang == take.lang,
            Recording.text_hash == take.text_hash,
            Recording.state == "approved",
        ).execute()
        take.state, take.approved_by, take.approved_at = "approved", by, utcnow()
        take.save()
    remove_file(take_path(app, take))


def note_import(lang: str, wording: Wording, ext: str, size: int) -> None:
    """A recording `kiosk audio import` stored for a current text: approved as it is (whoever
    may run the command is trusted), and named, so the page says "neu aufnehmen" once the
    text's words change. Its length is not read (the import takes MP3, WAV, … too)."""
    with write_transaction():
        Recording.delete().where(
            Recording.lang == lang,
            Recording.text_hash == wording.hash,
            Recording.state == "approved",
        ).execute()
        Recording.create(
            lang=lang,
            text_hash=wording.hash,
            text_key=wording.key,
            text=wording.text,
            ext=ext,
            size=size,
            duration_ms=0,
            state="approved",
            recorded_by=IMPORTER,
            approved_by=IMPORTER,
            approved_at=utcnow(),
        )


def discard_take(app: Flask, take: Recording) -> None:
    """A take waiting for approval goes, row and file."""
    take.delete_instance()
    remove_file(take_path(app, take))


def remove_played(app: Flask, lang: str, hash_: str) -> bool:
    """The recording that plays for these words in this language goes (file and row, recorded
    here or imported); False when there was none."""
    with write_transaction():
        rows = (
            Recording.delete()
            .where(
                Recording.lang == lang,
                Recording.text_hash == hash_,
                Recording.state == "approved",
            )
            .execute()
        )
    return audio.remove_recording(app, lang, hash_) or rows > 0


def remove_file(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


# --- The state of each text ---------------------------------------------------------------


def text_states(lang: str, wordings: list[Wording]) -> dict[str, TextState]:
    """{hash: its state} for the texts of one language, from one query and the file index."""
    takes = list(Recording.of_language(lang))  # the newest first
    pending, approved, by_key = {}, {}, {}
    for take in takes:
        if take.pending:
            pending.setdefault(take.text_hash, take)
        else:
            approved.setdefault(take.text_hash, take)
            by_key.setdefault(take.text_key, []).append(take)
    states = {}
    for wording in wordings:
        played = audio.find_recording(lang, wording.hash)
        outdated, outdated_file = None, None
        if not played:
            outdated, outdated_file = earlier_wording(lang, wording, by_key.get(wording.key, []))
        states[wording.hash] = TextState(
            state_of(wording.hash in pending, played is not None, outdated is not None),
            played,
            approved.get(wording.hash) if played else None,
            pending.get(wording.hash),
            outdated,
            outdated_file,
        )
    return states


def state_of(waiting: bool, plays: bool, earlier_wording: bool) -> str:
    """A waiting take comes first (someone should listen), then what plays."""
    if waiting:
        return "pending"
    if plays:
        return "approved"
    return "rerecord" if earlier_wording else "none"


def earlier_wording(lang: str, wording: Wording, approved: list[Recording]):
    """(row, file) of the newest approved recording of this text's earlier wording whose file is
    still there, or (None, None)."""
    for take in approved:
        if take.text_hash != wording.hash:
            found = audio.find_recording(lang, take.text_hash)
            if found:
                return take, found
    return None, None

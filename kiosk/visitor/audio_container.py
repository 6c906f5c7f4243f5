"""What a recording made in the browser holds, read from its container: Opus in Ogg, or Opus
(or Vorbis) in WebM, and how long it plays.

Browsers' MediaRecorder writes one of these two ("audio/webm;codecs=opus" in Chromium,
"audio/ogg;codecs=opus" in Firefox). Anything else is refused before it is stored, and so is a
recording longer than the kiosk allows. The length comes from the container itself, never from
the client:

- Ogg: the granule position of the last page, in samples at 48 kHz (Opus's clock), less the
  pre-skip the OpusHead names. Every page is walked, so a cut-off file is refused too.
- WebM (EBML): the larger of the segment's Duration (MediaRecorder usually writes none, since
  it streams) and the time of the last block: its cluster's Timecode plus its own offset, in
  units of the TimecodeScale. Only the few elements needed are read; the others are skipped by
  their size. Segment and Cluster may have an unknown size, as a live recorder writes them.

`inspect(data)` returns what it found, or raises `NotAudio` with the HTTP status and a German
sentence: 415 for what is not such a recording at all, 422 for one that is broken or empty.
"""

import struct
from dataclasses import dataclass

OGG_MAGIC = b"OggS"
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
OPUS_CLOCK = 48_000  # Opus granule positions count samples at 48 kHz, whatever the input rate


class NotAudio(ValueError):
    """Not a recording the kiosk takes; `status` is 415 or 422, the message German."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class AudioFile:
    ext: str  # "ogg" or "webm": the file's extension and container
    codec: str  # "opus" or "vorbis"
    duration_ms: int

    @property
    def mimetype(self) -> str:
        return f"audio/{self.ext}"


def inspect(data: bytes) -> AudioFile:
    """The container, codec and length of `data`, or NotAudio (see the module docstring)."""
    if data[:4] == OGG_MAGIC:
        return inspect_ogg(data)
    if data[:4] == EBML_MAGIC:
        return inspect_webm(data)
    raise NotAudio(415, "Das ist keine Tonaufnahme (erwartet: Opus in WebM oder Ogg).")


def broken(what: str) -> NotAudio:
    return NotAudio(422, f"Die Aufnahme ist beschädigt oder unvollständig ({what}).")


# --- Ogg ------------------------------------------------------------------------------------


def inspect_ogg(data: bytes) -> AudioFile:
    pages = ogg_pages(data)
    _, first_packet = next(pages)
    if first_packet[:8] != b"OpusHead" or len(first_packet) < 19:
        raise NotAudio(415, "Die Ogg-Datei enthält kein Opus (erwartet: Opus in WebM oder Ogg).")
    pre_skip = struct.unpack_from("<H", first_packet, 10)[0]
    granule = max((granule for granule, _ in pages if granule != -1), default=0)
    samples = max(granule - pre_skip, 0)
    if samples == 0:
        raise NotAudio(422, "Die Aufnahme ist leer.")
    return AudioFile("ogg", "opus", samples * 1000 // OPUS_CLOCK)


def ogg_pages(data: bytes):
    """(granule position, body) of each page; every page must be whole."""
    position = 0
    while position < len(data):
        if data[position : position + 4] != OGG_MAGIC or position + 27 > len(data):
            raise broken("Ogg-Seite")
        granule = struct.unpack_from("<q", data, position + 6)[0]
        count = data[position + 26]
        table = data[position + 27 : position + 27 + count]
        start = position + 27 + count
        end = start + sum(table)
        if len(table) < count or end > len(data):
            raise broken("Ogg-Seite abgeschnitten")
        yield granule, data[start:end]
        position = end


# --- WebM -----------------------------------------------------------------------------------

SEGMENT, CLUSTER = 0x18538067, 0x1F43B675
INFO, TRACKS, TRACK_ENTRY, BLOCK_GROUP = 0x1549A966, 0x1654AE6B, 0xAE, 0xA0
DOC_TYPE, TIMECODE_SCALE, DURATION = 0x4282, 0x2AD7B1, 0x4489
CODEC_ID, TIMECODE, SIMPLE_BLOCK, BLOCK = 0x86, 0xE7, 0xA3, 0xA1
MASTERS = {SEGMENT, CLUSTER, INFO, TRACKS, TRACK_ENTRY, BLOCK_GROUP, int.from_bytes(EBML_MAGIC)}
# What a Cluster of unknown size holds; any other element ends it.
IN_CLUSTER = {TIMECODE, SIMPLE_BLOCK, BLOCK_GROUP, 0xA7, 0xAB, 0xEC, 0xBF}
AUDIO_CODECS = {"A_OPUS": "opus", "A_VORBIS": "vorbis"}
DEEPEST = 6


def read_vint(data: bytes, position: int, keep_marker: bool) -> tuple[int | None, int]:
    """An EBML variable-length integer: (value, its length); value None for "unknown size"."""
    if position >= len(data):
        raise broken("EBML-Element abgeschnitten")
    first = data[position]
    length = 9 - first.bit_length() if first else 9
    if length > 8 or position + length > len(data):
        raise broken("EBML-Länge")
    raw = int.from_bytes(data[position : position + length])
    if keep_marker:
        return raw, length
    value = raw & ((1 << (7 * length)) - 1)
    return (None if value == (1 << (7 * length)) - 1 else value), length


class WebmReader:
    """Walks the elements that tell the codec and the length; skips the rest by size."""

    def __init__(self, data: bytes):
        self.data = data
        self.doc_type = ""
        self.codecs: list[str] = []
        self.scale = 1_000_000  # nanoseconds per tick: the default TimecodeScale
        self.duration = 0.0  # ticks, from Info/Duration
        self.cluster_time = 0
        self.last_block = 0  # ticks

    def walk(self, start: int, end: int, parent: int | None, depth=0, open_ended=False) -> int:
        """Read the elements from `start` up to `end`; returns where it stopped: the end, or,
        in a Cluster of unknown size, the first element that cannot be in it."""
        if depth > DEEPEST:
            raise broken("zu tief verschachtelt")
        position = start
        while position < end:
            element, id_length = read_vint(self.data, position, keep_marker=True)
            if open_ended and parent == CLUSTER and element not in IN_CLUSTER:
                return position
            size, size_length = read_vint(self.data, position + id_length, keep_marker=False)
            body = position + id_length + size_length
            if size is None:
                if element not in (SEGMENT, CLUSTER):
                    raise broken("Element ohne Größe")
                position = self.walk(body, len(self.data), element, depth + 1, open_ended=True)
                continue
            stop = body + size
            if stop > len(self.data):
                raise broken("WebM abgeschnitten")
            if element in MASTERS:
                self.walk(body, stop, element, depth + 1)
            else:
                self.leaf(element, self.data[body:stop])
            position = stop
        return position

    def leaf(self, element: int, value: bytes) -> None:
        if element == DOC_TYPE:
            self.doc_type = value.rstrip(b"\x00").decode("ascii", "replace")
        elif element == CODEC_ID:
            self.codecs.append(value.rstrip(b"\x00").decode("ascii", "replace"))
        elif element == TIMECODE_SCALE:
            self.scale = int.from_bytes(value) or self.scale
        elif element == DURATION and len(value) in (4, 8):
            self.duration = struct.unpack(">f" if len(value) == 4 else ">d", value)[0]
        elif element == TIMECODE:
            self.cluster_time = int.from_bytes(value)
        elif element in (SIMPLE_BLOCK, BLOCK):
            _, track_length = read_vint(value, 0, keep_marker=False)
            if len(value) < track_length + 2:
                raise broken("Block")
            offset = struct.unpack_from(">h", value, track_length)[0]
            self.last_block = max(self.last_block, self.cluster_time + offset)


def inspect_webm(data: bytes) -> AudioFile:
    reader = WebmReader(data)
    reader.walk(0, len(data), None)
    if reader.doc_type not in ("webm", "matroska"):
        raise NotAudio(415, "Die Datei ist kein WebM (erwartet: Opus in WebM oder Ogg).")
    codecs = [AUDIO_CODECS.get(codec) for codec in reader.codecs]
    if not codecs or None in codecs:
        raise NotAudio(415, "Die WebM-Datei enthält anderes als Opus- oder Vorbis-Ton.")
    ticks = max(reader.duration, float(reader.last_block))
    duration_ms = int(ticks * reader.scale / 1_000_000)
    if duration_ms <= 0:
        raise NotAudio(422, "Die Aufnahme ist leer.")
    return AudioFile("webm", codecs[0], duration_ms)

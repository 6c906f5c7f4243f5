"""Small valid recordings for tests, built here instead of kept as binary files: Opus silence in
Ogg (as Firefox's MediaRecorder writes it) and in WebM (as Chromium's does).

Each frame is the 20 ms Opus packet for silence (0xF8 0xFF 0xFE), so the files play in a
browser and last exactly `seconds`.
"""

import struct

SILENCE = b"\xf8\xff\xfe"  # one 20 ms Opus frame (CELT, full band, mono), silent
FRAME_MS = 20
SAMPLES_PER_FRAME = 960  # 20 ms at Opus's 48 kHz
PRE_SKIP = 312


def opus_head(pre_skip: int = PRE_SKIP) -> bytes:
    return b"OpusHead" + struct.pack("<BBHIhB", 1, 1, pre_skip, 48000, 0, 0)


# --- Ogg --------------------------------------------------------------------------------------


def _crc_table() -> list[int]:
    table = []
    for index in range(256):
        value = index << 24
        for _ in range(8):
            value = ((value << 1) ^ 0x04C11DB7) if value & 0x80000000 else value << 1
        table.append(value & 0xFFFFFFFF)
    return table


CRC_TABLE = _crc_table()


def ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ CRC_TABLE[((crc >> 24) & 0xFF) ^ byte]
    return crc


def ogg_page(packets: list[bytes], granule: int, sequence: int, flags: int = 0) -> bytes:
    lacing = b""
    for packet in packets:
        lacing += b"\xff" * (len(packet) // 255) + bytes([len(packet) % 255])
    serial = 0x4B494F53
    header = b"OggS" + struct.pack("<BBqIIIB", 0, flags, granule, serial, sequence, 0, len(lacing))
    page = header + lacing + b"".join(packets)
    return page[:22] + struct.pack("<I", ogg_crc(page)) + page[26:]


def ogg_opus(seconds: float = 1.0) -> bytes:
    """`seconds` of silence as Opus in Ogg: OpusHead, OpusTags, then a page per second."""
    frames = round(seconds * 1000 / FRAME_MS)
    tags = b"OpusTags" + struct.pack("<I", 5) + b"tests" + struct.pack("<I", 0)
    pages = [ogg_page([opus_head()], 0, 0, flags=0x02), ogg_page([tags], 0, 1)]
    done = 0
    while done < frames:
        count = min(50, frames - done)
        done += count
        last = done == frames
        granule = PRE_SKIP + done * SAMPLES_PER_FRAME
        pages.append(ogg_page([SILENCE] * count, granule, len(pages), 0x04 if last else 0))
    return b"".join(pages)


# --- WebM -------------------------------------------------------------------------------------

UNKNOWN_SIZE = b"\x01\xff\xff\xff\xff\xff\xff\xff"


def size(length: int) -> bytes:
    return (length | (1 << 56)).to_bytes(8, "big")  # always the 8-byte form: simple, valid


def element(element_id: int, body: bytes) -> bytes:
    return element_id.to_bytes((element_id.bit_length() + 7) // 8, "big") + size(len(body)) + body


def uint(element_id: int, value: int) -> bytes:
    return element(element_id, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def webm(codec: str = "A_OPUS", seconds: float = 1.0, doc_type: str = "webm") -> bytes:
    """`seconds` of silence in WebM as Chromium records it: a Segment and Clusters of unknown
    size, no Duration; a Cluster per second, a SimpleBlock per 20 ms frame."""
    header = element(
        0x1A45DFA3,
        uint(0x4286, 1) + uint(0x42F7, 1) + uint(0x42F2, 4) + uint(0x42F3, 8)
        + element(0x4282, doc_type.encode()) + uint(0x4287, 4) + uint(0x4285, 2),
    )  # fmt: skip
    info = element(0x1549A966, uint(0x2AD7B1, 1_000_000) + element(0x4D80, b"tests"))
    audio = element(0xE1, element(0xB5, struct.pack(">d", 48000.0)) + uint(0x9F, 1))
    entry = (
        uint(0xD7, 1) + uint(0x73C5, 1) + uint(0x83, 2) + element(0x86, codec.encode())
        + element(0x63A2, opus_head()) + audio
    )  # fmt: skip
    tracks = element(0x1654AE6B, element(0xAE, entry))
    clusters = b""
    frames = round(seconds * 1000 / FRAME_MS)
    for start in range(0, frames, 50):
        blocks = b"".join(
            element(0xA3, b"\x81" + struct.pack(">hB", (frame - start) * FRAME_MS, 0x80) + SILENCE)
            for frame in range(start, min(start + 50, frames))
        )
        clusters += b"\x1f\x43\xb6\x75" + UNKNOWN_SIZE + uint(0xE7, start * FRAME_MS) + blocks
    return header + b"\x18\x53\x80\x67" + UNKNOWN_SIZE + info + tracks + clusters

"""Joining MP3 files encoded apart into one, frame by frame, under one Info header.

The episode is encoded as pieces on every core at once, the segment files among them, and
the pieces are then joined without decoding: an MP3 frame stands on its own once the bit
reservoir is empty, and LAME starts every file with an empty one. What joining has to get
right is the Info header (the first, silent frame ffmpeg writes for a CBR file): the frame
count and byte count of the whole, the start delay of the first piece and the end padding
of the last (so that players trim them, as for any LAME file), and its two CRCs. Every piece
after the first keeps its own start delay and end padding in the joined stream, a few tens
of milliseconds of silence at each join: :func:`join` returns where each piece starts so the
chapters and transcripts can count them.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from narrate.errors import AudioError

#: Samples in one MPEG-1 Layer III frame, and the decoder's own delay (a LAME constant).
FRAME_SAMPLES: Final = 1152
DECODER_DELAY: Final = 529

_BITRATES: Final = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_RATES: Final = (44100, 48000, 32000)
#: The Info header's place in the first frame: after the 4-byte frame header and the side
#: information (17 bytes for mono, 32 for stereo).
_SIDE_INFO: Final = {True: 17, False: 32}
_HEADER: Final = 4
#: Offsets from the "Info" tag: flags, frame count, byte count, the 100-byte seek table;
#: then LAME's extension: delay and padding (12 + 12 bits), music length, music CRC, tag CRC.
_FRAMES_AT, _BYTES_AT, _TOC_AT = 8, 12, 16
_DELAYS_AT, _MUSIC_LENGTH_AT, _MUSIC_CRC_AT, _TAG_CRC_AT = 141, 148, 152, 154
#: The tag CRC covers the frame's first 190 bytes (LAME's definition, whatever the channels),
#: zeros counted past the end of a frame shorter than that: at 32 to 48 kbps ffmpeg writes the
#: header in a 56 kbps frame of 182 bytes, just big enough for the tag.
_TAG_CRC_SPAN: Final = 190
_TAG_END: Final = _TAG_CRC_AT + 2


@dataclass(frozen=True)
class InfoFrame:
    """What a file's Info header says: its audio (the frames after the header), and delays."""

    raw: bytes
    tag_at: int
    #: Audio frames, and their bytes, after the Info frame.
    frames: int
    music_bytes: int
    #: CRC-16 of those bytes.
    music_crc: int
    #: Samples the encoder put before the sound, and after it to fill the last frame.
    delay: int
    padding: int


def frame_length(header: bytes) -> int:
    """Bytes in the MPEG-1 Layer III frame starting with ``header`` (4 bytes).

    >>> frame_length(bytes.fromhex("fffb50c0"))  # 64 kbps, 44.1 kHz, no padding
    208
    """
    word = int.from_bytes(header[:4], "big")
    if word >> 21 != 0x7FF or (word >> 19) & 3 != 3 or (word >> 17) & 3 != 1:
        raise AudioError(f"not an MPEG-1 Layer III frame header: {header[:4].hex()}")
    bitrate = _BITRATES[(word >> 12) & 15] * 1000
    rate_index = (word >> 10) & 3
    if not bitrate or rate_index == 3:
        raise AudioError(f"an MP3 frame header with no bitrate or rate: {header[:4].hex()}")
    return 144 * bitrate // _RATES[rate_index] + ((word >> 9) & 1)


def read_info(path: Path) -> InfoFrame:
    """The Info header of an MP3 that ffmpeg's LAME encoder wrote (CBR, no ID3 tag)."""
    with path.open("rb") as source:
        head = source.read(4)
        if len(head) < 4:
            raise AudioError(f"{path.name} is empty, not an MP3")
        raw = head + source.read(frame_length(head) - 4)
    mono = (raw[3] >> 6) == 3
    tag_at = _HEADER + _SIDE_INFO[mono]
    if raw[tag_at : tag_at + 4] not in (b"Info", b"Xing") or len(raw) < tag_at + _TAG_END:
        raise AudioError(f"{path.name} has no Info header to join it by")

    def number(at: int, size: int) -> int:
        return int.from_bytes(raw[tag_at + at : tag_at + at + size], "big")

    size = path.stat().st_size
    if number(_MUSIC_LENGTH_AT, 4) != size:  # the whole file, the Info frame included
        raise AudioError(
            f"{path.name} is {size} bytes, not the {number(_MUSIC_LENGTH_AT, 4)} "
            "its Info header says"
        )
    delays = number(_DELAYS_AT, 3)
    return InfoFrame(
        raw=raw,
        tag_at=tag_at,
        frames=number(_FRAMES_AT, 4),
        music_bytes=size - len(raw),
        music_crc=number(_MUSIC_CRC_AT, 2),
        delay=delays >> 12,
        padding=delays & 0xFFF,
    )


def crc16(data: bytes, crc: int = 0) -> int:
    """CRC-16/ARC, the CRC of LAME's Info tag (bit by bit: only ever run on 190 bytes).

    >>> hex(crc16(b"123456789"))
    '0xbb3d'
    """
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _times(matrix: Sequence[int], vector: int) -> int:
    """GF(2) matrix (a column per bit) times a 16-bit vector."""
    out = 0
    for bit, column in enumerate(matrix):
        if vector >> bit & 1:
            out ^= column
    return out


def _zero_byte_step() -> list[int]:
    """The linear map one zero byte applies to a CRC-16/ARC register."""
    return [crc16(b"\0", 1 << bit) for bit in range(16)]


def crc16_combine(first: int, second: int, second_length: int) -> int:
    """CRC-16/ARC of A + B from the CRCs of A and B and the length of B (as zlib's crc32_combine).

    The CRC has no initial or final XOR, so it is linear: A's CRC is carried through B's
    length of zero bytes (by squaring the one-byte map) and XORed with B's.

    >>> crc16_combine(crc16(b"1234"), crc16(b"56789"), 5) == crc16(b"123456789")
    True
    """
    step, crc, count = _zero_byte_step(), first, second_length
    while count:
        if count & 1:
            crc = _times(step, crc)
        step = [_times(step, column) for column in step]
        count >>= 1
    return crc ^ second


@dataclass(frozen=True)
class Joined:
    """Where each piece starts in the joined file, in samples at the MP3's rate, as a player
    that trims the first piece's start delay decodes it; and the file's decoded length."""

    starts: tuple[int, ...]
    samples: int


def join(pieces: Sequence[Path], destination: Path) -> Joined:
    """Write the MP3 frames of ``pieces``, in order, to ``destination`` under one Info header.

    Each piece must be a CBR MP3 with its Info header and no ID3 tag, all of one bitrate and
    rate, as :func:`narrate.audio.assemble.encode_range` makes them.
    """
    if not pieces:
        raise ValueError("nothing to join")
    infos = [read_info(piece) for piece in pieces]
    first, last = infos[0], infos[-1]
    frames = sum(info.frames for info in infos)
    music = sum(info.music_bytes for info in infos)
    crc = first.music_crc
    for info in infos[1:]:
        crc = crc16_combine(crc, info.music_crc, info.music_bytes)
    header = bytearray(first.raw)
    total_bytes = len(header) + music
    tag = first.tag_at

    def put(at: int, value: int, size: int) -> None:
        header[tag + at : tag + at + size] = value.to_bytes(size, "big")

    put(_FRAMES_AT, frames, 4)
    put(_BYTES_AT, total_bytes, 4)
    # A CBR file's seek table is a straight line: i % of the time is i % of the bytes.
    header[tag + _TOC_AT : tag + _TOC_AT + 100] = bytes(i * 256 // 100 for i in range(100))
    put(_DELAYS_AT, first.delay << 12 | last.padding, 3)
    put(_MUSIC_LENGTH_AT, total_bytes, 4)
    put(_MUSIC_CRC_AT, crc, 2)
    put(_TAG_CRC_AT, 0, 2)
    put(_TAG_CRC_AT, crc16(bytes(header[:_TAG_CRC_SPAN]).ljust(_TAG_CRC_SPAN, b"\0")), 2)

    starts, position = [], 0
    skip = first.delay + DECODER_DELAY
    for info in infos:
        starts.append(position)
        position += info.frames * FRAME_SAMPLES
    with destination.open("wb") as out:
        out.write(header)
        for piece, info in zip(pieces, infos, strict=True):
            with piece.open("rb") as source:
                source.seek(len(info.raw))
                shutil.copyfileobj(source, out, 1 << 20)
    if destination.stat().st_size != total_bytes:
        raise AudioError(
            f"joining the episode's pieces wrote {destination.stat().st_size} bytes, "
            f"not {total_bytes}: a piece changed while it was being joined"
        )
    # A player trims the first piece's delay; the rest keep theirs: each piece's sound
    # starts its own delay after its first frame.
    return Joined(
        starts=tuple(
            start + info.delay + DECODER_DELAY - skip
            for start, info in zip(starts, infos, strict=True)
        ),
        # The encoder's padding counts the decoder's delay too: the last sound ends there.
        samples=position - skip - (last.padding - DECODER_DELAY),
    )

"""A fake Microsoft Edge read-aloud server on 127.0.0.1, speaking edge-tts's websocket protocol.

Use it as a context manager or through the ``fake_edge`` fixture, with the engine pointed at it::

    from tests.fake_edge import FakeEdge

    with FakeEdge() as edge:
        engine = EdgeEngine(endpoint=edge.endpoint)
        ...
        assert edge.texts == ["مرحبا"]

It answers a websocket at :data:`PATH` the way Microsoft's service does, as the real edge-tts
client reads it: the client sends a ``Path:speech.config`` text frame and a ``Path:ssml`` one;
the fake answers ``turn.start``, one ``audio.metadata`` frame per word (a ``WordBoundary`` with
its ``Offset`` and ``Duration`` in 100 ns ticks), binary audio frames (a 2-byte big-endian
header length, the headers, the MP3 bytes), a last binary frame with no ``Content-Type`` and no
body, and ``turn.end``.

The audio is real speech: each word of the SSML's text said by narrate's espeak-ng engine on its
own (its silence trimmed), the words joined with :data:`GAP_MS` of silence after
:data:`LEAD_MS` of it, so that when each word is said is known exactly (:func:`speech`); then
encoded as Microsoft's ``audio-24khz-48kbitrate-mono-mp3``: MPEG-2 layer III frames at 48 kbit/s
CBR, with no ID3 tag and no Xing/LAME header (a stream, as Microsoft sends it). A word's audio
and a text's MP3 are made once per test session.

Faults are scripted per request, first match wins: those queued by :meth:`FakeEdge.fail_next`
(the handshake refused with an HTTP status: 403 with a ``Date`` header, 429 with an optional
``Retry-After``, 503, ...) and :meth:`FakeEdge.answer_next` (``no-audio``: ``turn.end`` without
audio; ``drop``: the connection dropped half-way through the audio; ``hang``: the SSML read and
never answered), one at a time; then the standing :meth:`FakeEdge.set_mode`. Every answer waits
:attr:`FakeEdge.latency` seconds first. The fake records each request (:attr:`FakeEdge.exchanges`:
its text, voice, rate, when it came and was answered) and the most it was answering at once
(:attr:`FakeEdge.max_in_flight`).
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import json
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Literal
from xml.sax.saxutils import unescape

import pytest
from aiohttp import WSMsgType, web

from narrate.engines.espeak import EspeakEngine
from narrate.ffmpeg import run_ffmpeg

PATH = "/consumer/speech/synthesize/readaloud/edge/v1"
SAMPLE_RATE = 24000
#: Microsoft's format: 48 kbit/s, so 6 bytes of MP3 a millisecond.
BYTES_PER_MS = 6
#: Silence before the first word, between two words, and after the last, in milliseconds.
LEAD_MS = 100
GAP_MS = 120
TAIL_MS = 100
TICKS_PER_MS = 10_000
#: Bytes of MP3 in one binary frame (Microsoft's are a few kilobytes).
FRAME_BYTES = 4096
#: A sample quieter than this (of 32767) is silence when a word's audio is trimmed.
SILENCE = 300

Mode = Literal["ok", "no-audio", "drop", "hang"]
MODES: tuple[Mode, ...] = ("ok", "no-audio", "drop", "hang")
#: What the fake does with one request: refuse the handshake with an HTTP status, or a Mode.
Fault = int | Mode

_PUNCTUATION = "\"'«»“”‘’()[]{}<>.,;:!?،؛؟…-–—_/\\*"


@dataclass(frozen=True)
class Word:
    """One word the fake said: its text (as the boundary names it) and when, in ms."""

    text: str
    start_ms: float
    end_ms: float


@dataclass(frozen=True)
class Speech:
    """What the fake answers for one text: the MP3 and when each word is said in it."""

    mp3: bytes
    words: tuple[Word, ...]
    #: The audio's length before encoding, in ms.
    duration_ms: float


def spoken_words(text: str) -> list[str]:
    """The words of ``text`` as the fake says them (and names them in its boundaries):
    whitespace-separated, punctuation stripped, tokens without a letter or digit dropped."""
    words = (token.strip(_PUNCTUATION) for token in text.split())
    return [word for word in words if any(char.isalnum() for char in word)]


@functools.cache
def _espeak() -> EspeakEngine:
    return EspeakEngine()


@functools.cache
def _word_pcm(word: str) -> bytes:
    """espeak-ng's audio for one word (16-bit mono at its own rate), silence trimmed."""
    pcm = bytes(_espeak().synthesize(word).raw_data)
    samples = memoryview(pcm).cast("h")
    loud = [i for i in range(len(samples)) if abs(samples[i]) > SILENCE]
    if not loud:
        return pcm
    return pcm[2 * loud[0] : 2 * (loud[-1] + 1)]


@functools.cache
def speech(text: str) -> Speech:
    """The fake's answer for ``text``: its words said one after another, and when (made once)."""
    rate = _espeak().sample_rate
    lead, gap, tail = (b"\0\0" * (rate * ms // 1000) for ms in (LEAD_MS, GAP_MS, TAIL_MS))
    parts = [lead]
    words: list[Word] = []
    at = len(lead) // 2  # samples so far
    for index, word in enumerate(spoken_words(text)):
        if index:
            parts.append(gap)
            at += len(gap) // 2
        pcm = _word_pcm(word)
        words.append(Word(word, 1000 * at / rate, 1000 * (at + len(pcm) // 2) / rate))
        parts.append(pcm)
        at += len(pcm) // 2
    parts.append(tail)
    at += len(tail) // 2
    mp3 = run_ffmpeg(
        ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
         "-ar", str(SAMPLE_RATE), "-c:a", "libmp3lame", "-b:a", "48k",
         "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3", "pipe:1"],
        stdin=b"".join(parts),
    )  # fmt: skip
    return Speech(mp3, tuple(words), 1000 * at / rate)


def text_frame(path: str, request_id: str, body: str) -> str:
    """A text message as the service sends it: headers, a blank line, a JSON body."""
    return (
        f"X-RequestId:{request_id}\r\nContent-Type:application/json; charset=utf-8\r\n"
        f"Path:{path}\r\n\r\n{body}"
    )


def audio_frame(request_id: str, mp3: bytes) -> bytes:
    """A binary message: the headers' length (2 bytes, big-endian), the headers, the MP3.

    edge-tts reads the headers as the first ``length`` bytes of the message (the 2 length
    bytes included) and the audio from ``length + 2`` on; the headers end in CRLF, the two
    bytes that leaves off. With no MP3 it is the last frame: no ``Content-Type``.
    """
    kind = "Content-Type:audio/mpeg\r\n" if mp3 else ""
    headers = f"X-RequestId:{request_id}\r\n{kind}Path:audio\r\n".encode()
    return len(headers).to_bytes(2, "big") + headers + mp3


def boundary_body(word: Word) -> str:
    """An ``audio.metadata`` body for one word."""
    data = {
        "Offset": round(word.start_ms * TICKS_PER_MS),
        "Duration": round((word.end_ms - word.start_ms) * TICKS_PER_MS),
        "text": {"Text": word.text, "Length": len(word.text), "BoundaryType": "WordBoundary"},
    }
    return json.dumps({"Metadata": [{"Type": "WordBoundary", "Data": data}]}, ensure_ascii=False)


def _headers(frame: str) -> tuple[dict[str, str], str]:
    head, _, body = frame.partition("\r\n\r\n")
    pairs = (line.split(":", 1) for line in head.split("\r\n") if ":" in line)
    return {key: value for key, value in pairs}, body


@dataclass
class Exchange:
    """One request the fake received, and what it did with it."""

    #: ``time.monotonic()`` when the connection came.
    arrived: float
    #: The query string's parameters (``TrustedClientToken``, ``Sec-MS-GEC``, ...).
    query: dict[str, str]
    fault: Fault
    #: The SSML's text, voice and prosody rate; None for a refused handshake.
    text: str | None = None
    voice: str | None = None
    rate: str | None = None
    #: The speech.config's JSON, as the client sent it.
    config: dict[str, object] = field(default_factory=dict)
    #: When the answer was complete (``turn.end`` sent, or the refusal); None otherwise.
    answered: float | None = None
    #: The HTTP status of a refusal, or 101 for a websocket answered in full.
    status: int | None = None


class FakeEdge:
    """A scriptable Microsoft Edge TTS stand-in running in a thread on 127.0.0.1."""

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self._lock = threading.Lock()
        self._exchanges: list[Exchange] = []
        self._script: deque[tuple[Fault, str | None]] = deque()
        self._mode: Mode = "ok"
        self._in_flight = 0
        self._max_in_flight = 0
        self._port = 0
        self._loop = asyncio.new_event_loop()
        self._closing: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        """The websocket URL to pass as ``EdgeEngine(endpoint=...)`` or NARRATE_EDGE_ENDPOINT."""
        return f"ws://127.0.0.1:{self._port}{PATH}"

    @property
    def exchanges(self) -> list[Exchange]:
        """Every request received so far, in the order they came (copies)."""
        with self._lock:
            return [replace(exchange) for exchange in self._exchanges]

    @property
    def texts(self) -> list[str | None]:
        """The texts received so far, in order (None for a refused handshake)."""
        return [exchange.text for exchange in self.exchanges]

    @property
    def in_flight(self) -> int:
        """How many requests are being answered (or hung) right now."""
        with self._lock:
            return self._in_flight

    @property
    def max_in_flight(self) -> int:
        """The most requests that were being answered at the same time."""
        with self._lock:
            return self._max_in_flight

    def fail_next(self, status: int, count: int = 1, *, retry_after: str | None = None) -> None:
        """Refuse the next ``count`` handshakes with HTTP ``status`` (and a ``Date`` header).

        edge-tts answers a 403 by correcting its clock from the ``Date`` and asking once
        more: a 403 it cannot get past takes two refusals.
        """
        with self._lock:
            self._script.extend([(status, retry_after)] * count)

    def answer_next(self, mode: Mode, count: int = 1) -> None:
        """Answer the next ``count`` requests as :meth:`set_mode` ``mode`` would."""
        _check_mode(mode)
        with self._lock:
            self._script.extend([(mode, None)] * count)

    def hang_next(self, count: int = 1) -> None:
        """Read the next ``count`` requests and never answer them (until the client goes)."""
        self.answer_next("hang", count)

    def set_mode(self, mode: Mode | int) -> None:
        """How to answer once the queued faults are used up: a :data:`Mode`, or an HTTP
        status refusing every handshake."""
        if not isinstance(mode, int):
            _check_mode(mode)
        with self._lock:
            self._mode = mode  # type: ignore[assignment]

    def start(self) -> FakeEdge:
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    def close(self) -> None:
        """Stop answering; the port is closed (connections are refused) afterwards.

        Hung and slow requests are let go at once: they wait on an event that closing sets.
        """
        if self._thread is None:
            return
        closing, runner = self._closing, self._runner
        if closing is not None:
            self._loop.call_soon_threadsafe(closing.set)
        if runner is not None:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = None
        self._loop.close()

    def __enter__(self) -> FakeEdge:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def _serve(self) -> None:
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_get(PATH, self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # the asyncio server: its socket has the port chosen
        assert isinstance(server, asyncio.Server)
        self._port = server.sockets[0].getsockname()[1]

    def _arrive(self, request: web.Request) -> tuple[Exchange, Fault, str | None]:
        with self._lock:
            fault: Fault
            retry_after: str | None = None
            if self._script:
                fault, retry_after = self._script.popleft()
            else:
                fault = self._mode
            exchange = Exchange(time.monotonic(), dict(request.query), fault)
            self._exchanges.append(exchange)
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        return exchange, fault, retry_after

    def _leave(self, exchange: Exchange, status: int | None) -> None:
        with self._lock:
            self._in_flight -= 1
            if status is not None:
                exchange.answered = time.monotonic()
                exchange.status = status

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        exchange, fault, retry_after = self._arrive(request)
        if isinstance(fault, int):
            headers = {"Date": email.utils.formatdate(usegmt=True)}
            if retry_after is not None:
                headers["Retry-After"] = retry_after
            # Counted out before the answer goes: the client may ask again at once.
            self._leave(exchange, fault)
            return web.Response(status=fault, text="fake Edge refusal", headers=headers)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        status: int | None = None
        try:
            if await self._read_request(ws, exchange):
                status = await self._answer(ws, request, exchange, fault)
        finally:
            self._leave(exchange, status)
        if status is not None and not ws.closed:
            await self._until_closed(ws)
        return ws

    async def _read_request(self, ws: web.WebSocketResponse, exchange: Exchange) -> bool:
        """Read speech.config and the SSML into ``exchange``; False if the client went."""
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            headers, body = _headers(message.data)
            if headers.get("Path") == "speech.config":
                exchange.config = json.loads(body)
            elif headers.get("Path") == "ssml":
                # edge-tts names the voice in full: "Microsoft Server Speech Text to Speech
                # Voice (ar-SA, HamedNeural)"; recorded by its short name, ar-SA-HamedNeural.
                voice = re.search(r"<voice name='[^'(]*\(([^,']*), ([^)']*)\)'>", body)
                rate = re.search(r"<prosody [^>]*rate='([^']*)'", body)
                text = re.search(r"<prosody [^>]*>(.*)</prosody>", body, re.DOTALL)
                with self._lock:
                    exchange.voice = f"{voice.group(1)}-{voice.group(2)}" if voice else None
                    exchange.rate = rate.group(1) if rate else None
                    exchange.text = unescape(text.group(1)) if text else ""
                return True
        return False

    async def _answer(
        self, ws: web.WebSocketResponse, request: web.Request, exchange: Exchange, fault: Fault
    ) -> int | None:
        """Answer one SSML request; the status to record (None: not answered in full)."""
        assert self._closing is not None
        if fault == "hang":
            await self._until_closed(ws)
            return None
        if self.latency and await self._closed_within(self.latency):
            return None
        request_id = uuid.uuid4().hex
        await ws.send_str(text_frame("turn.start", request_id, '{"context":{}}'))
        if fault == "no-audio":
            await ws.send_str(text_frame("turn.end", request_id, "{}"))
            return 101
        said = await asyncio.get_running_loop().run_in_executor(None, speech, exchange.text or "")
        frames = _frames(request_id, said)
        if fault == "drop":
            for frame in frames[: max(2, len(frames) // 2)]:
                await _send(ws, frame)
            if request.transport is not None:
                request.transport.abort()  # no close frame, no turn.end: the line goes dead
            return None
        for frame in frames:
            await _send(ws, frame)
        await ws.send_bytes(audio_frame(request_id, b""))
        await ws.send_str(text_frame("turn.end", request_id, "{}"))
        return 101

    async def _closed_within(self, seconds: float) -> bool:
        """Wait ``seconds``, or less if the fake closes meanwhile; whether it did."""
        assert self._closing is not None
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def _until_closed(self, ws: web.WebSocketResponse) -> None:
        """Wait for the client to close the websocket (reading what it sends), or the fake to."""
        assert self._closing is not None
        closing = asyncio.ensure_future(self._closing.wait())
        reading = asyncio.ensure_future(_drain(ws))
        await asyncio.wait({closing, reading}, return_when=asyncio.FIRST_COMPLETED)
        for task in (closing, reading):
            task.cancel()
        if not ws.closed:
            await ws.close()


async def _drain(ws: web.WebSocketResponse) -> None:
    async for _ in ws:
        pass


async def _send(ws: web.WebSocketResponse, frame: str | bytes) -> None:
    if isinstance(frame, str):
        await ws.send_str(frame)
    else:
        await ws.send_bytes(frame)


def _frames(request_id: str, said: Speech) -> list[str | bytes]:
    """The metadata and audio messages for ``said``, each boundary just before the audio
    that holds its word's start (as the service sends them, boundaries a little ahead)."""
    frames: list[str | bytes] = []
    pending = deque(said.words)
    for offset in range(0, len(said.mp3), FRAME_BYTES):
        end = offset + FRAME_BYTES
        while pending and pending[0].start_ms * BYTES_PER_MS < end:
            frames.append(
                text_frame("audio.metadata", request_id, boundary_body(pending.popleft()))
            )
        frames.append(audio_frame(request_id, said.mp3[offset:end]))
    frames.extend(text_frame("audio.metadata", request_id, boundary_body(w)) for w in pending)
    return frames


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")


@pytest.fixture
def fake_edge() -> Iterator[FakeEdge]:
    """A running :class:`FakeEdge`, closed after the test."""
    with FakeEdge() as edge:
        yield edge

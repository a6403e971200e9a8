"""A fake Google Translate speech server on 127.0.0.1, speaking gTTS's protocol.

Use it as a context manager or through the ``fake_google`` fixture::

    from tests.fake_google import FakeGoogle

    with FakeGoogle() as google:
        engine = GttsEngine(endpoint=google.endpoint)
        ...
        assert google.requests == ["مرحبا"]

It answers ``POST /_/TranslateWebserverUi/data/batchexecute`` the way Google does:
``)]}'`` and then a ``[["wrb.fr","jQ1olc","[\\"<base64 mp3>\\"]",...]]`` line. The MP3 is
real (encoded by the project's ffmpeg): a 440 Hz tone lasting :data:`BASE_MS` plus
:data:`MS_PER_CHAR` milliseconds per character of the text asked for (:func:`tone_ms`),
mono, 24 kHz, so a test can tell from the audio's length which text it came from.

Faults are scripted per request: ``fail_next(429, 3, retry_after="1")`` (a burst of rate
limiting), ``fail_every(4, 503)`` (intermittent server errors), ``hang_next()`` (a
connection accepted and never answered), ``answer_next("no-audio")`` and ``set_mode(...)``
(a 200 without audio, garbled base64, an answer trickled out a byte at a time, ...), plus
:attr:`FakeGoogle.latency` on every answer. The fake records when each request arrived and
was answered (:attr:`FakeGoogle.exchanges`) and the most it answered at once
(:attr:`FakeGoogle.max_in_flight`), so tests can check a client's rate and concurrency.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import socket
import struct
import tempfile
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Literal

import pytest

from narrate.ffmpeg import run_ffmpeg

PATH = "/_/TranslateWebserverUi/data/batchexecute"
MS_PER_CHAR = 60
BASE_MS = 200  # ffmpeg cannot even detect an MP3 of one or two frames
SAMPLE_RATE = 24000

Mode = Literal["ok", "403", "no-audio", "empty", "garbled", "bad-base64", "hang", "drip"]
MODES: tuple[Mode, ...] = (
    "ok", "403", "no-audio", "empty", "garbled", "bad-base64", "hang", "drip",
)  # fmt: skip


@functools.cache
def _tone_mp3(ms: int) -> bytes:
    frames = SAMPLE_RATE * ms // 1000
    samples = (int(8000 * math.sin(2 * math.pi * 440 * i / SAMPLE_RATE)) for i in range(frames))
    pcm = struct.pack(f"<{frames}h", *samples)
    # Written to a file, not a pipe, so ffmpeg can go back and fill in the LAME header
    # that tells a decoder how much padding to drop: the decoded length is then exact.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "tone.mp3")
        run_ffmpeg(
            ["-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", "pipe:0",
             "-c:a", "libmp3lame", "-b:a", "32k", str(path)],
            stdin=pcm,
        )  # fmt: skip
        return path.read_bytes()


def tone_ms(text: str) -> int:
    """How long the fake's audio for ``text`` lasts, in milliseconds."""
    return BASE_MS + MS_PER_CHAR * len(text)


def tone_mp3(text: str) -> bytes:
    """The real MP3 the fake answers for ``text``: a :func:`tone_ms` tone, made once per length."""
    return _tone_mp3(tone_ms(text))


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def google_body(payload: object) -> bytes:
    """A batchexecute answer whose jQ1olc result is ``payload`` (JSON-encoded, as Google does)."""
    result = None if payload is None else _compact(payload)
    line = _compact(
        [
            ["wrb.fr", "jQ1olc", result, None, None, None, "generic"],
            ["di", 42],
            ["af.httprm", 41, "-4712230519326127781", 17],
        ]
    )
    tail = _compact([["e", 4, None, None, len(line) + 40]])
    return f")]}}'\n\n{len(line)}\n{line}\n{len(tail)}\n{tail}\n".encode()


@dataclass
class Exchange:
    """One request the fake received, and what it did with it."""

    text: str
    params: list[object]
    #: ``time.monotonic()`` when the request had been read, and when the answer went out
    #: (None while it is being answered, and for a hung request, which never is).
    arrived: float
    answered: float | None = None
    #: The HTTP status answered; None for a hung request.
    status: int | None = None


#: What the fake does with one request: an HTTP status with no audio, or a :data:`Mode`.
Fault = int | Mode


class FakeGoogle:
    """A scriptable Google TTS stand-in running in a thread on 127.0.0.1.

    What it answers, first match wins: faults queued by :meth:`fail_next` and
    :meth:`hang_next`, one at a time and in order; then every ``k``-th request set by
    :meth:`fail_every`; then the standing :meth:`set_mode`. Every answer waits
    :attr:`latency` seconds first. It records each request (:attr:`exchanges`), the
    most requests it was answering at once (:attr:`max_in_flight`) and their times.
    """

    def __init__(self, *, latency: float = 0.0, drip_interval: float = 0.5) -> None:
        self.latency = latency
        #: Seconds between two bytes of a ``drip`` answer.
        self.drip_interval = drip_interval
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._exchanges: list[Exchange] = []
        self._script: deque[tuple[Fault, str | None]] = deque()
        # every k-th request from the one numbered `start`: (k, start, status, retry_after)
        self._every: tuple[int, int, int, str | None] | None = None
        self._mode: Mode = "ok"
        self._in_flight = 0
        self._max_in_flight = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        """Base URL to pass as ``GttsEngine(endpoint=...)``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def exchanges(self) -> list[Exchange]:
        """Every request received so far, in the order they arrived (copies)."""
        with self._lock:
            return [replace(exchange) for exchange in self._exchanges]

    @property
    def requests(self) -> list[str]:
        """The texts received so far, in order (failed requests included)."""
        return [exchange.text for exchange in self.exchanges]

    @property
    def params(self) -> list[list[object]]:
        """The full gTTS parameter lists received: ``[text, lang, speed, "null"]``."""
        return [list(exchange.params) for exchange in self.exchanges]

    @property
    def arrivals(self) -> list[float]:
        """When each request arrived (``time.monotonic()``), in order."""
        return [exchange.arrived for exchange in self.exchanges]

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
        """Answer the next ``count`` requests with HTTP ``status`` and no audio.

        ``retry_after`` is sent as the ``Retry-After`` header: seconds ("1") or an HTTP date.
        """
        with self._lock:
            self._script.extend([(status, retry_after)] * count)

    def answer_next(self, mode: Mode, count: int = 1) -> None:
        """Answer the next ``count`` requests as :meth:`set_mode` ``mode`` would."""
        _check_mode(mode)
        with self._lock:
            self._script.extend([(mode, None)] * count)

    def hang_next(self, count: int = 1) -> None:
        """Accept the next ``count`` requests and never answer them (until :meth:`close`)."""
        self.answer_next("hang", count)

    def fail_every(self, k: int, status: int = 503, *, retry_after: str | None = None) -> None:
        """Answer every ``k``-th request from now on (the k-th, the 2k-th, ...) with ``status``.

        ``k=0`` stops it. Requests answered from the :meth:`fail_next` queue count too.
        """
        if k < 0:
            raise ValueError("k must be 0 (off) or positive")
        with self._lock:
            self._every = (k, len(self._exchanges), status, retry_after) if k else None

    def set_mode(self, mode: Mode) -> None:
        """How to answer once the faults queued by :meth:`fail_next` are used up.

        ``ok``: real audio. ``403``: refused. ``no-audio``: 200 with Google's empty
        result. ``empty``: 200 with no jQ1olc line at all. ``garbled``: 200 with valid
        base64 that is not MP3. ``bad-base64``: 200 with a payload that is not base64.
        ``hang``: read the request and never answer it. ``drip``: the headers of a
        good answer at once, then its body one byte every :attr:`drip_interval` seconds
        (each read of the client's socket gets a byte well within its timeout, and the
        whole answer takes hours); its exchange is answered only if the client stays.
        """
        _check_mode(mode)
        with self._lock:
            self._mode = mode

    def start(self) -> FakeGoogle:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop answering; the port is closed (connections are refused) afterwards.

        Hung and slow requests are let go at once: their handlers wait on an event
        that closing sets, so closing takes milliseconds whatever the latency.
        """
        self._closing.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> FakeGoogle:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _arrive(self, body: bytes) -> tuple[Exchange, Fault, str | None]:
        """Record the request in ``body`` and decide how to answer it."""
        form = urllib.parse.parse_qs(body.decode("utf-8"))
        rpc = json.loads(form["f.req"][0])
        params = json.loads(rpc[0][0][1])
        with self._lock:
            exchange = Exchange(params[0], params, time.monotonic())
            self._exchanges.append(exchange)
            number = len(self._exchanges)
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            fault: Fault
            retry_after: str | None = None
            if self._script:
                fault, retry_after = self._script.popleft()
            elif self._every is not None and (number - self._every[1]) % self._every[0] == 0:
                _, _, fault, retry_after = self._every
            else:
                fault = self._mode
        return exchange, fault, retry_after

    def _leave(self, exchange: Exchange, status: int | None) -> None:
        with self._lock:
            self._in_flight -= 1
            if status is not None:
                exchange.answered = time.monotonic()
                exchange.status = status

    @staticmethod
    def _answer(text: str, fault: Fault) -> tuple[int, bytes]:
        """The status and body answering ``text`` with ``fault``."""
        if isinstance(fault, int):
            return fault, b"<html>fake Google error</html>"
        answers: dict[Mode, tuple[int, bytes]] = {
            "403": (403, b"<html>403. That's an error.</html>"),
            "no-audio": (200, google_body(None)),
            "empty": (200, b")]}'\n\n"),
            "garbled": (200, google_body([base64.b64encode(b"not an mp3 " * 40).decode()])),
            "bad-base64": (200, google_body(["@@@not-base64@@@"])),
        }
        if fault == "ok":
            return 200, google_body([base64.b64encode(tone_mp3(text)).decode()])
        return answers[fault]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path.split("?")[0] != PATH:
                    self._send(404, b"not found", None)
                    return
                exchange, fault, retry_after = fake._arrive(body)
                if fault == "hang":
                    fake._closing.wait()
                    fake._leave(exchange, None)
                    self.close_connection = True
                    return
                if fault == "drip":
                    self._drip(exchange)
                    return
                status, answer = fake._answer(exchange.text, fault)
                if fake.latency and fake._closing.wait(fake.latency):
                    fake._leave(exchange, None)
                    return
                # Counted out before the answer is written: the client may send its next
                # request the moment it has read this one, and must not find it counted.
                fake._leave(exchange, status)
                self._send(status, answer, retry_after)

            def _drip(self, exchange: Exchange) -> None:
                status, body = fake._answer(exchange.text, "ok")
                complete = False
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    for offset in range(len(body)):
                        self.wfile.write(body[offset : offset + 1])
                        self.wfile.flush()
                        if fake._closing.wait(fake.drip_interval):
                            break
                    else:
                        complete = True
                except OSError:  # the client gave up
                    pass
                fake._leave(exchange, status if complete else None)
                self.close_connection = True

            def _send(self, status: int, body: bytes, retry_after: str | None) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    if retry_after is not None:
                        self.send_header("Retry-After", retry_after)
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up (timed out) first
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")


@pytest.fixture
def fake_google() -> Iterator[FakeGoogle]:
    """A running :class:`FakeGoogle`, closed after the test."""
    with FakeGoogle() as google:
        yield google


class FlakyGoogle(FakeGoogle):
    """A :class:`FakeGoogle` that can also reset connections: :meth:`reset_next`.

    A reset request is read in full and its connection is then closed abortively (``SO_LINGER``
    0), so the client sees ``ECONNRESET`` where it waits for the answer. Reset requests are not
    in :attr:`exchanges`; :attr:`resets` counts them and :attr:`attempts` counts every request.
    """

    def __init__(self, *, latency: float = 0.0, drip_interval: float = 0.5) -> None:
        self._resets_queued = 0
        self._resets_after = 0
        self._resets_done = 0
        super().__init__(latency=latency, drip_interval=drip_interval)

    def __enter__(self) -> FlakyGoogle:
        self.start()
        return self

    def reset_next(self, count: int = 1, *, after: int = 0) -> None:
        """Reset the connections of ``count`` requests instead of answering them, starting
        once ``after`` more requests have been let through (answered as usual)."""
        with self._lock:
            self._resets_queued += count
            self._resets_after = after

    def heal(self) -> None:
        """Forget every queued fault, stop :meth:`fail_every`, answer ``ok`` from now on.

        The port stays the same, so a client whose cache is keyed by the endpoint (narrate's
        is) can be rerun against the healed server. Requests hung so far stay hung.
        """
        with self._lock:
            self._script.clear()
            self._every = None
            self._mode = "ok"
            self._resets_queued = self._resets_after = 0

    @property
    def resets(self) -> int:
        """How many requests were answered with a reset."""
        with self._lock:
            return self._resets_done

    @property
    def attempts(self) -> int:
        """Every request received: answered, hung or reset."""
        with self._lock:
            return len(self._exchanges) + self._resets_done

    def _take_reset(self) -> bool:
        with self._lock:
            if self._resets_queued <= 0:
                return False
            if self._resets_after > 0:
                self._resets_after -= 1
                return False
            self._resets_queued -= 1
            self._resets_done += 1
            return True

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self
        base = super()._handler_class()

        class Handler(base):  # type: ignore[valid-type,misc]
            def do_POST(self) -> None:
                if not fake._take_reset():
                    super().do_POST()
                    return
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                self.connection.close()

        return Handler

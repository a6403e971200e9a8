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
"""

from __future__ import annotations

import base64
import functools
import json
import math
import struct
import tempfile
import threading
import urllib.parse
from collections import deque
from collections.abc import Iterator
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

Mode = Literal["ok", "403", "no-audio", "empty", "garbled", "bad-base64"]
MODES: tuple[Mode, ...] = ("ok", "403", "no-audio", "empty", "garbled", "bad-base64")


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


class FakeGoogle:
    """A scriptable Google TTS stand-in running in a thread on 127.0.0.1."""

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._requests: list[str] = []
        self._params: list[list[object]] = []
        self._failures: deque[int] = deque()
        self._mode: Mode = "ok"
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        """Base URL to pass as ``GttsEngine(endpoint=...)``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[str]:
        """The texts received so far, in order (failed requests included)."""
        with self._lock:
            return list(self._requests)

    @property
    def params(self) -> list[list[object]]:
        """The full gTTS parameter lists received: ``[text, lang, speed, "null"]``."""
        with self._lock:
            return [list(p) for p in self._params]

    def fail_next(self, status: int, count: int = 1) -> None:
        """Answer the next ``count`` requests with HTTP ``status`` and no audio."""
        with self._lock:
            self._failures.extend([status] * count)

    def set_mode(self, mode: Mode) -> None:
        """How to answer once the failures queued by :meth:`fail_next` are used up.

        ``ok``: real audio. ``403``: refused. ``no-audio``: 200 with Google's empty
        result. ``empty``: 200 with no jQ1olc line at all. ``garbled``: 200 with valid
        base64 that is not MP3. ``bad-base64``: 200 with a payload that is not base64.
        """
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
        with self._lock:
            self._mode = mode

    def start(self) -> FakeGoogle:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop answering; the port is closed (connections are refused) afterwards."""
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

    def _answer(self, body: bytes) -> tuple[int, bytes]:
        """Record the request in ``body`` and decide the status and body of the answer."""
        form = urllib.parse.parse_qs(body.decode("utf-8"))
        rpc = json.loads(form["f.req"][0])
        params = json.loads(rpc[0][0][1])
        with self._lock:
            self._requests.append(params[0])
            self._params.append(params)
            status = self._failures.popleft() if self._failures else None
            mode = self._mode
        if status is not None:
            return status, b"<html>fake Google error</html>"
        text = params[0]
        answers: dict[Mode, tuple[int, bytes]] = {
            "403": (403, b"<html>403. That's an error.</html>"),
            "no-audio": (200, google_body(None)),
            "empty": (200, b")]}'\n\n"),
            "garbled": (200, google_body([base64.b64encode(b"not an mp3 " * 40).decode()])),
            "bad-base64": (200, google_body(["@@@not-base64@@@"])),
        }
        if mode == "ok":
            return 200, google_body([base64.b64encode(tone_mp3(text)).decode()])
        return answers[mode]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path.split("?")[0] != PATH:
                    self._send(404, b"not found")
                    return
                status, answer = fake._answer(body)
                if fake.latency and fake._closing.wait(fake.latency):
                    return
                self._send(status, answer)

            def _send(self, status: int, body: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up (timed out) first
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def fake_google() -> Iterator[FakeGoogle]:
    """A running :class:`FakeGoogle`, closed after the test."""
    with FakeGoogle() as google:
        yield google

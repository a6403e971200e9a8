"""The neural online engine: Microsoft Edge's read-aloud voices, through the edge-tts library.

Each chunk is one run of edge-tts's own client (``edge_tts.Communicate(...).stream()`` with
word boundaries): narrate never speaks the websocket protocol itself, so a change on
Microsoft's side is fixed by upgrading edge-tts. The MP3 it streams is collected in memory,
checked to be whole (the stream reached ``turn.end``), and only then decoded to 24 kHz mono
PCM: a chunk is either complete or an error, never half-spoken audio in the cache.

One engine is shared by the synthesis stage's threads; how it bounds, paces, retries,
times out and cancels its requests is :mod:`narrate.engines.online`'s, shared with gtts.
What is Microsoft's own:

- failures that may pass (from edge-tts's issue history): ``NoAudioReceived`` (it comes in
  waves), a 5xx at the handshake (503 after a few files in a row), a 429 (which cools every
  thread down), a connection reset or dropped mid-stream, a timeout, a name lookup the
  resolver could not answer for now;
- a 403 at the handshake, after edge-tts has corrected its clock from the answer's ``Date``
  and asked once more, means Microsoft changed its token scheme (late 2024, early 2026):
  it fails at once with the fix, ``pip install --upgrade edge-tts``;
- no host reached at all (a name that does not exist, a connection refused) says so and names
  the offline voice (``--engine espeak``).

Word timings come from the ``WordBoundary`` events (100 ns ticks from the start of
Microsoft's audio), each moved by the MP3 decoder's delay (:func:`decoder_delay_ms`) so that
they count from the start of the decoded audio, and named by the words of the chunk sent.

``NARRATE_EDGE_ENDPOINT`` (or ``endpoint=``) sends the requests to another server speaking the
same protocol, such as the fake Edge that the tests run on 127.0.0.1 (see :class:`_WssUrl`).
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import functools
import http
import importlib.metadata
import logging
import math
import os
import random as _random
import re
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

import aiohttp
import edge_tts
import edge_tts.communicate
from edge_tts.constants import TRUSTED_CLIENT_TOKEN
from edge_tts.constants import WSS_URL as MICROSOFT_WSS_URL
from edge_tts.exceptions import (
    NoAudioReceived,
    SkewAdjustmentError,
    UnexpectedResponse,
    UnknownResponse,
    WebSocketError,
)
from pydub import AudioSegment

from narrate.engines.base import PROBE_TIMEOUT, EngineSettings
from narrate.engines.catalogue import catalogue_voices
from narrate.engines.online import (
    Failure,
    InFlight,
    OnlineEngine,
    name_failure,
    retry_after_seconds,
    timed_out_cause,
)
from narrate.errors import EngineError
from narrate.models import TextNeeds, WordTiming

log = logging.getLogger(__name__)

T = TypeVar("T")

ENDPOINT_ENV = "NARRATE_EDGE_ENDPOINT"
DEFAULT_VOICE = "ar-SA-HamedNeural"
PROBE_TEXT = "مرحبا"
#: The name of the constant in ``edge_tts.communicate`` that edge-tts connects to (its copy of
#: ``edge_tts.constants.WSS_URL``, :data:`MICROSOFT_WSS_URL`), read each time it connects.
WSS_URL_CONSTANT = "WSS_URL"
#: What edge-tts asks Microsoft for: 24 kHz mono MP3 at 48 kbit/s, constant bit rate.
OUTPUT_FORMAT = "audio-24khz-48kbitrate-mono-mp3"
SAMPLE_RATE = 24000
TICKS_PER_MS = 10_000

DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 16
#: Request starts per second, all threads together. A chunk of 500 characters takes Microsoft
#: a second or more; four in flight rarely start more than a few a second. 429s were only
#: seen near 500 parallel connections; 503s come after many requests in a row.
DEFAULT_REQUESTS_PER_SECOND = 4.0
DEFAULT_TIMEOUT = 30.0
BACKOFF = 1.0
BACKOFF_CAP = 16.0
RETRY_AFTER_CAP = 60.0

#: The pace ``--rate`` is measured against: edge's ``rate="+0%"`` taken as this many words a
#: minute. An assumption, not a measurement (no network where narrate was written): Arabic news
#: is read at about 110-140 words a minute, and Microsoft's neural voices at their default pace
#: sound like the middle of that. ``--rate 156`` asks for ``+20%``.
NOMINAL_WPM = 130
#: The prosody rates Microsoft's voices take: half to twice their pace.
RATE_PERCENT_RANGE = (-50, 100)

#: Samples a decoder puts before the first sound of an MP3 with no LAME/Info header to say how
#: many to drop: the encoder's delay (LAME's 576) and the decoder's own (528 + 1). Measured
#: with narrate's ffmpeg on a headerless 24 kHz stream: a click at 500 ms decodes at 546 ms.
MP3_STREAM_DELAY_SAMPLES = 576 + 529

FORBIDDEN = (
    "Microsoft refused the connection (HTTP 403): edge-tts is probably out of date "
    "(Microsoft changes its token scheme now and then); "
    "upgrade it with `pip install --upgrade edge-tts`"
)


@dataclass(frozen=True)
class _Boundary:
    """One WordBoundary event: its text, and when it is said in ms of Microsoft's audio."""

    text: str
    start_ms: float
    end_ms: float


@dataclass(frozen=True)
class _Speech:
    """One chunk's answer, complete: the MP3 streamed and its word boundaries."""

    mp3: bytes
    boundaries: tuple[_Boundary, ...]


class _WssUrl:
    """Which server edge-tts connects to, for every thread of the process.

    edge-tts builds its websocket URL when it connects, from the module constant
    ``edge_tts.communicate.WSS_URL`` and the parameters it appends (``&ConnectionId=``,
    ``&Sec-MS-GEC=``, ``&Sec-MS-GEC-Version=``); it takes no URL of its own. So the constant
    is what a request sets, held for as long as the request runs: requests to the same server
    share it, and a request to another server waits until those have ended. A request to
    Microsoft holds Microsoft's URL, so it is never sent to a test's server by mistake.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._url = MICROSOFT_WSS_URL
        self._users = 0

    @contextlib.contextmanager
    def held(self, url: str, timeout: float) -> Iterator[None]:
        """Point edge-tts at ``url`` during the block; TimeoutError if others hold another."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._users == 0 or self._url == url, timeout):
                raise TimeoutError(f"edge-tts is busy with another server than {url}")
            self._url = url
            setattr(edge_tts.communicate, WSS_URL_CONSTANT, url)
            self._users += 1
        try:
            yield
        finally:
            with self._changed:
                self._users -= 1
                if self._users == 0:
                    self._url = MICROSOFT_WSS_URL
                    setattr(edge_tts.communicate, WSS_URL_CONSTANT, MICROSOFT_WSS_URL)
                    self._changed.notify_all()


_WSS_URL = _WssUrl()


class _InFlight(InFlight[_Speech]):
    """One edge-tts run in an event loop of its own, which :meth:`abandon` cancels.

    Cancelling its task closes the websocket at once, so a request given up on (timed out,
    cancelled) stops streaming instead of running to its end unheard.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._abandoned = False
        self._stop: Callable[[], object] | None = None

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` to its end in a new event loop (in the request's thread)."""
        with asyncio.Runner() as runner:
            return runner.run(self._watched(coroutine))

    def abandon(self) -> None:
        with self._lock:
            self._abandoned = True
            stop = self._stop
        if stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has just closed
                stop()

    async def _watched(self, coroutine: Coroutine[Any, Any, T]) -> T:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        assert task is not None
        with self._lock:
            self._stop = functools.partial(loop.call_soon_threadsafe, task.cancel)
            abandoned = self._abandoned
        try:
            if abandoned:
                coroutine.close()
                raise asyncio.CancelledError
            return await coroutine
        finally:
            with self._lock:
                self._stop = None


def _wss_url(value: str | None) -> str | None:
    """``value`` checked as a websocket URL for edge-tts, with a query for it to append to."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("ws", "wss") or not parts.netloc:
        raise EngineError(
            f"the edge endpoint ({ENDPOINT_ENV}) must be a ws(s) URL such as "
            f"ws://127.0.0.1:8765/consumer/speech/synthesize/readaloud/edge/v1, not {value!r}"
        )
    if not isinstance(
        getattr(edge_tts.communicate, WSS_URL_CONSTANT, None), str
    ):  # pragma: no cover
        raise EngineError(
            f"this edge-tts version cannot be pointed at {value} ({ENDPOINT_ENV}): "
            "it has no edge_tts.communicate.WSS_URL"
        )
    # edge-tts appends "&ConnectionId=...": the URL needs a query to append to.
    return value if parts.query else f"{value}?TrustedClientToken={TRUSTED_CLIENT_TOKEN}"


def _host(wss_url: str) -> str:
    """A websocket URL's server, as messages name it."""
    parts = urlsplit(wss_url)
    return f"{parts.scheme}://{parts.netloc}"


def rate_percent(rate_wpm: int | None) -> str:
    """edge's prosody rate for ``rate_wpm`` words a minute, against :data:`NOMINAL_WPM`,
    within what the voices take (:data:`RATE_PERCENT_RANGE`).

    >>> rate_percent(None), rate_percent(130), rate_percent(156), rate_percent(104)
    ('+0%', '+0%', '+20%', '-20%')
    >>> rate_percent(450), rate_percent(40)
    ('+100%', '-50%')
    """
    if rate_wpm is None:
        return "+0%"
    low, high = RATE_PERCENT_RANGE
    wanted = round((rate_wpm / NOMINAL_WPM - 1) * 100)
    percent = min(max(wanted, low), high)
    if percent != wanted:
        log.warning(
            "edge's voices speak at %d%% to %+d%% of their pace: %d words a minute is %+d%%",
            100 + low,
            high,
            rate_wpm,
            percent,
        )
    return f"{percent:+d}%"


def decoder_delay_ms(mp3: bytes) -> float:
    """How much later than Microsoft's timeline the decoded ``mp3`` starts, in ms.

    A decoder plays an MP3's encoder and decoder delay as sound unless the first frame is an
    Info/Xing header with a LAME-style tag saying how much to drop (ffmpeg then drops it).
    Microsoft streams bare frames, so the decoded audio starts
    :data:`MP3_STREAM_DELAY_SAMPLES` late, and its word boundaries must be moved as much.

    >>> round(decoder_delay_ms(bytes(400)), 2)
    46.04
    """
    start = 0
    if mp3[:3] == b"ID3" and len(mp3) >= 10:  # an ID3v2 tag before the first frame
        start = 10 + int.from_bytes(bytes(b & 0x7F for b in mp3[6:10]), "big")
    head = mp3[start : start + 400]  # the first frame: where an Info/Xing header would be
    tagged = (b"Xing" in head or b"Info" in head) and any(
        name in head for name in (b"LAME", b"Lavc", b"Lavf")
    )
    return 0.0 if tagged else 1000 * MP3_STREAM_DELAY_SAMPLES / SAMPLE_RATE


_PUNCTUATION = "\"'«»“”‘’()[]{}<>.,;:!?،؛؟…-–—_/\\*"


def word_timings(
    text: str, boundaries: tuple[_Boundary, ...], shift_ms: float
) -> tuple[WordTiming, ...]:
    """Each word of ``text`` (whitespace-separated, as sent) that a boundary names, and when,
    ``shift_ms`` later than the boundary says.

    Microsoft names a word without its punctuation ("حمص" for "حمص."), and may name a number
    or an abbreviation as written: a boundary goes to one of the next few words with the same
    letters, else to where its text appears next, else to the next word with a letter or
    digit. A word several boundaries fall on spans them all; a word none falls on (a dash) is
    left out.
    """
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
    spans: dict[int, tuple[float, float]] = {}
    cursor = 0  # where in the text the next boundary's word may start
    for boundary in boundaries:
        following = [i for i, (_, end, _) in enumerate(tokens) if end > cursor]
        wanted = boundary.text.strip()
        same = [i for i in following[:4] if tokens[i][2].strip(_PUNCTUATION) == wanted]
        found = text.find(wanted, cursor) if wanted else -1
        if same:
            first = last = same[0]
            cursor = tokens[last][1]
        elif found >= 0:
            covered = [i for i in following if tokens[i][0] < found + len(wanted)]
            covered = [i for i in covered if tokens[i][1] > found]
            first, last = covered[0], covered[-1]
            cursor = found + len(wanted)
        else:
            spoken = [i for i in following if any(c.isalnum() for c in tokens[i][2])]
            if not spoken:
                continue
            first = last = spoken[0]
            cursor = tokens[last][1]
        for index in range(first, last + 1):
            start, end = spans.get(index, (math.inf, -math.inf))
            spans[index] = (min(start, boundary.start_ms), max(end, boundary.end_ms))
    return tuple(
        WordTiming(tokens[i][2], round(start + shift_ms), round(end + shift_ms))
        for i, (start, end) in sorted(spans.items())
    )


@functools.cache
def _edge_tts_version() -> str:
    return importlib.metadata.version("edge-tts")


def edge_voices() -> tuple[str, ...]:
    """Microsoft's Arabic voices, as narrate's voice table lists them."""
    return catalogue_voices("edge")


class EdgeEngine(OnlineEngine):
    """Microsoft's Arabic neural voices (32, two per country), one request per chunk.

    Safe to call from many threads at once; see the module's docstring and
    :mod:`narrate.engines.online`.
    """

    name = "edge"
    about = "Microsoft Edge's Arabic neural voices, through edge-tts"
    service = "Edge TTS"
    owner = "Microsoft"
    reached_as = "the Microsoft Edge voice"
    log = log
    max_concurrency = MAX_CONCURRENCY
    #: Well under edge-tts's own split (4096 bytes of escaped UTF-8: one run, one request), and
    #: short enough that a retry repeats little. Neural voices read plain Arabic: no tashkeel.
    text_needs = TextNeeds(max_chars=500, diacritics=False)
    voice = DEFAULT_VOICE
    sample_rate = SAMPLE_RATE
    concurrency: int = DEFAULT_CONCURRENCY

    def __init__(
        self,
        voice: str = DEFAULT_VOICE,
        *,
        rate: str = "+0%",
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 4,
        backoff: float = BACKOFF,
        backoff_cap: float = BACKOFF_CAP,
        endpoint: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        requests_per_second: float = DEFAULT_REQUESTS_PER_SECOND,
        retry_after_cap: float = RETRY_AFTER_CAP,
        deadline: float | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
    ) -> None:
        """Speak with ``voice`` (one of :func:`edge_voices`) at prosody ``rate`` ("+20%").

        ``endpoint`` (default: ``NARRATE_EDGE_ENDPOINT``, else Microsoft) is the websocket
        URL to connect to; the other settings are :meth:`OnlineEngine.__init__`'s.
        Raises EngineError for an unknown voice or a bad endpoint.
        """
        voices = edge_voices()
        if voice not in voices:
            close = difflib.get_close_matches(voice, voices, n=1, cutoff=0.75)
            hint = f"did you mean {close[0]}? " if close else ""
            raise EngineError(
                f"edge has no voice {voice!r}: {hint}it has Microsoft's {len(voices)} Arabic "
                f"voices, such as {DEFAULT_VOICE} (`narrate voices` lists them)"
            )
        if not re.fullmatch(r"[+-]\d+%", rate):
            raise ValueError(f"an edge rate is a signed percentage such as +20%, not {rate!r}")
        super().__init__(
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            backoff_cap=backoff_cap,
            concurrency=concurrency,
            requests_per_second=requests_per_second,
            retry_after_cap=retry_after_cap,
            deadline=deadline,
            sleep=sleep,
            clock=clock,
            random=random,
        )
        self.voice = voice
        self.rate = rate
        self.endpoint = _wss_url(endpoint or os.environ.get(ENDPOINT_ENV))

    @classmethod
    def from_settings(cls, settings: EngineSettings) -> Self:
        """The voice (default :data:`DEFAULT_VOICE`), ``--rate`` as a prosody rate against
        :data:`NOMINAL_WPM`, the concurrency and the build's deadline."""
        options: dict[str, Any] = {"deadline": settings.deadline}
        if settings.concurrency is not None:
            options["concurrency"] = settings.concurrency
        if settings.rate_wpm is not None:
            options["rate"] = rate_percent(settings.rate_wpm)
            log.info(
                "edge speaks %d words a minute as rate %s (its own pace taken as %d)",
                settings.rate_wpm,
                options["rate"],
                NOMINAL_WPM,
            )
        return cls(settings.voice or DEFAULT_VOICE, **options)

    @property
    def voices(self) -> tuple[str, ...]:
        return edge_voices()

    @property
    def wss_url(self) -> str:
        """The websocket URL edge-tts connects to (before the parameters it appends)."""
        return self.endpoint or MICROSOFT_WSS_URL

    @property
    def host(self) -> str:
        """The server the requests go to."""
        return _host(self.wss_url)

    def describe(self) -> str:
        """Engine, library version and voice, e.g. ``edge-tts 7.3.1 (voice ar-SA-HamedNeural)``."""
        rate = f", rate {self.rate}" if self.rate != "+0%" else ""
        return f"edge-tts {_edge_tts_version()} (voice {self.voice}{rate})"

    def identity(self) -> dict[str, str]:
        """Everything that changes the audio for the same text: voice, rate, format and the
        edge-tts version (a new one may ask Microsoft differently).

        The endpoint is part of it unless it is Microsoft's own, so a fake's audio is never
        served from the synthesis cache as Microsoft's. Timeouts, retries and concurrency
        change how the audio is fetched, not the audio.
        """
        identity = {
            "engine": self.name,
            "library": f"edge-tts {_edge_tts_version()}",
            "voice": self.voice,
            "rate": self.rate,
            "format": OUTPUT_FORMAT,
        }
        if self.wss_url != MICROSOFT_WSS_URL:
            identity["endpoint"] = self.host
        return identity

    def synthesize(self, text: str) -> AudioSegment:
        """Speak one chunk: mono 16-bit audio at 24 kHz (see :meth:`synthesize_timed`)."""
        return self.synthesize_timed(text)[0]

    def synthesize_timed(self, text: str) -> tuple[AudioSegment, tuple[WordTiming, ...]]:
        """Speak one chunk, with when each of its words is said (ms from the audio's start).

        Safe to call from many threads. A chunk with no letter or digit gives empty audio
        without asking Microsoft. Raises ValueError for a chunk longer than
        :attr:`text_needs`, EngineError for every failure to get its whole audio.
        """
        if not self._speakable(text):
            return self._audio(b""), ()
        speech = self._fetch(text, self._request)
        audio = self._decoded(speech.mp3, text)
        return audio, word_timings(text, speech.boundaries, decoder_delay_ms(speech.mp3))

    def probe(self, timeout: float = PROBE_TIMEOUT) -> str:
        """Ask Microsoft for one short word, once; raise EngineUnavailable if no audio comes."""
        self._probe_once(PROBE_TEXT, timeout, self._request)
        return f"Edge TTS answered ({self.voice})"

    def _request(self, text: str, timeout: float) -> _Speech:
        """One edge-tts run, given ``timeout`` seconds in all; raise Failure saying why it
        brought no complete audio, EngineError if the engine is cancelled meanwhile."""
        seconds = max(1, math.ceil(timeout))  # edge-tts's own timeouts: whole seconds, per read
        communicate = edge_tts.Communicate(
            text,
            self.voice,
            rate=self.rate,
            boundary="WordBoundary",
            connect_timeout=seconds,
            receive_timeout=seconds,
        )
        request = _InFlight()
        url = self.wss_url

        def work() -> _Speech:
            with _WSS_URL.held(url, timeout):
                return request.run(self._stream(communicate))

        try:
            return self._await(request, work, text, timeout)
        except (Failure, EngineError):
            raise
        except Exception as exc:  # edge-tts's and aiohttp's, judged here
            raise self._failure(exc, timeout) from exc

    async def _stream(self, communicate: edge_tts.Communicate) -> _Speech:
        """The MP3 and boundaries of one run, or Failure if the stream ended before its end."""
        audio: list[bytes] = []
        boundaries: list[_Boundary] = []
        async for chunk in communicate.stream():
            if chunk["type"] == "audio":
                audio.append(chunk.get("data", b""))
            elif chunk["type"] == "WordBoundary":
                start = chunk.get("offset", 0.0) / TICKS_PER_MS
                end = start + chunk.get("duration", 0.0) / TICKS_PER_MS
                boundaries.append(_Boundary(chunk.get("text", ""), start, end))
        mp3 = b"".join(audio)
        # edge-tts ends quietly when the connection closes before turn.end (no error, half
        # the audio). It counts the bytes of each part that reached turn.end: all of them
        # only if every part did.
        state = communicate.state
        if state["chunk_audio_bytes"] or state["cumulative_audio_bytes"] != len(mp3):
            raise Failure(
                f"the stream from {self.host} broke off before its end "
                f"({len(mp3)} bytes of audio, no turn.end)",
                True,
            )
        return _Speech(mp3, tuple(boundaries))

    def _failure(self, exc: BaseException, timeout: float) -> Failure:
        """What an exception from an edge-tts run means, and whether asking again may help."""
        host = self.host
        if isinstance(exc, aiohttp.ClientResponseError):  # the handshake was refused
            return self._status_failure(exc)
        if isinstance(exc, SkewAdjustmentError):  # a 403 without a usable Date
            return Failure(FORBIDDEN, False, fatal=True)
        if isinstance(exc, NoAudioReceived):
            return Failure(f"{host} sent no audio (edge-tts: NoAudioReceived)", True)
        if isinstance(exc, aiohttp.ClientConnectorError):
            return _connect_failure(exc, host)
        if isinstance(exc, TimeoutError):  # aiohttp's ServerTimeoutError, our URL's wait
            return Failure(timed_out_cause(host, timeout), True, timed_out=True)
        if isinstance(exc, aiohttp.ClientError | WebSocketError | ConnectionError):
            detail = _os_detail(exc) or type(exc).__name__
            return Failure(f"the connection to {host} was dropped ({detail})", True)
        if isinstance(exc, UnexpectedResponse | UnknownResponse):
            return Failure(
                f"{host} answered in a way edge-tts {_edge_tts_version()} does not understand "
                f"({exc}); `pip install --upgrade edge-tts` may help",
                False,
            )
        return Failure(f"the request to {host} failed ({type(exc).__name__}: {exc})", False)

    def _status_failure(self, exc: aiohttp.ClientResponseError) -> Failure:
        status = exc.status
        if status == 403:
            return Failure(FORBIDDEN, False, fatal=True)
        try:
            described = f"HTTP {status} {http.HTTPStatus(status).phrase}"
        except ValueError:
            described = f"HTTP {status}"
        retry = status == 429 or status >= 500
        retry_after = None
        if retry and exc.headers is not None:
            retry_after = retry_after_seconds(exc.headers.get("Retry-After"), time.time())
        if status == 429:
            cause = f"Microsoft is limiting the request rate ({described})"
        elif retry:
            cause = f"Edge TTS had a server error ({described})"
        else:
            cause = f"Edge TTS refused the request ({described})"
        return Failure(cause, retry, retry_after, rate_limited=status == 429)


def _os_detail(exc: BaseException) -> str | None:
    """The operating system's reason behind a connection error, if it says one."""
    for current in (exc, getattr(exc, "os_error", None), exc.__cause__, exc.__context__):
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
    return None


def _connect_failure(exc: aiohttp.ClientConnectorError, host: str) -> Failure:
    """No connection made: a name that does not exist (final), one that could not be looked
    up now, or a host that refused or could not be reached (both may pass)."""
    name = urlsplit(host).hostname or host
    lookup = exc.os_error if isinstance(exc.os_error, socket.gaierror) else None
    if lookup is not None or isinstance(exc, aiohttp.ClientConnectorDNSError):
        code = lookup.errno if lookup is not None else None
        reason = (lookup.strerror if lookup is not None else None) or str(exc.os_error)
        return name_failure(name, code, reason)
    code = exc.os_error.errno
    # asyncio's strerror names the address ("Connect call failed (...)"), not the reason.
    reason = os.strerror(code) if code else (exc.os_error.strerror or "failed")
    return Failure(f"cannot connect to {host} ({reason})", True, unreachable=True)

"""The online engine: Google Translate's speech, through the gTTS library.

Each chunk is one gTTS request, synthesized to memory (never ``gTTS.save()``, which
leaves a truncated file behind when a request fails half-way) and decoded to PCM.

One engine is shared by the synthesis stage's threads (:attr:`GttsEngine.concurrency`
of them), and keeps Google's load bounded however many threads call it:

- at most ``concurrency`` requests are in flight at once (a semaphore);
- one :class:`RateLimiter` spaces the starts of all requests ``1/requests_per_second``
  apart, and after a 429 (or any ``Retry-After``) holds every thread back until a
  shared cool-down time;
- failures that may pass (429, 5xx, timeouts, connection errors, a name lookup the
  resolver could not answer for now: EAI_AGAIN) are retried after a full-jitter
  exponential backoff, never sooner than ``Retry-After`` says; a ``Retry-After`` longer
  than ``retry_after_cap`` (or than the deadline leaves) is not waited out but fails at
  once, in every thread, saying how long Google asked for;
- a 403 means gTTS no longer speaks Google's current protocol, and fails at once with
  the fix; a host name that does not exist (EAI_NONAME: offline, or a mistyped endpoint)
  will not exist a second later either, and fails at once too;
- when Google cannot be reached at all (its name does not resolve, or no connection
  to it can be made), the error says so and names the offline voice (``--engine espeak``);
- each request has a timeout on the wall clock, from sending it to the last byte of
  the answer (a server trickling its answer out cannot stretch it), and the whole build
  may have a deadline (:meth:`GttsEngine.set_deadline`): once it has passed, or a wait
  would pass it, no request starts and ``synthesize`` raises EngineError;
- :meth:`GttsEngine.cancel` (the synthesis stage calls it on Ctrl-C, SIGTERM or a
  failure) stops every thread at once: no request starts, no wait goes on, and the
  requests in flight are let go.

Each request runs in a daemon thread of its own while the calling thread waits for it,
so that the caller can give up on it (its timeout, a cancel) without waiting for the
network. A request given up on after its answer's headers came has its socket shut
down, so it stops reading at once; one given up on before ends when the read it waits in
times out (every read has the request's timeout). Neither holds up the process's exit.

``NARRATE_GTTS_ENDPOINT`` (or ``endpoint=``) sends the requests to another server with
the same protocol, such as the fake Google that the tests run on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import email.utils
import errno
import functools
import importlib.metadata
import logging
import math
import os
import random as _random
import re
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

import requests
from gtts import gTTS
from gtts.tts import gTTSError
from pydub import AudioSegment

from narrate.engines.base import PROBE_TIMEOUT, EngineBase, EngineSettings, Parallel
from narrate.errors import AudioError, EngineError, EngineUnavailable
from narrate.ffmpeg import decode_to_pcm
from narrate.models import TextNeeds

log = logging.getLogger(__name__)

ENDPOINT_ENV = "NARRATE_GTTS_ENDPOINT"
LANG = "ar"
PROBE_TEXT = "مرحبا"
GOOGLE_HOST = "https://translate.google.com"
TLD = "com"  # translate.google.com; for Arabic the other domains give the same voice

DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 16
#: Request starts per second, all threads together. Four requests in flight against
#: Google's usual 0.2-0.4 s answers make 10-20 a second; this keeps them all going
#: without bursts, and a 429 slows everyone down further.
DEFAULT_REQUESTS_PER_SECOND = 12.0
#: The longest narrate waits between two tries of one chunk, with or without Retry-After.
BACKOFF_CAP = 8.0
#: The longest ``Retry-After`` narrate waits out; Google asking for longer fails the build
#: at once (hammering it sooner would not help, and nobody waits hours for a build).
RETRY_AFTER_CAP = 60.0
#: Below this many words a minute, gTTS speaks in its slow mode (its only other pace).
SLOW_BELOW_WPM = 130

#: What ``getaddrinfo`` answers when a name does not exist, or has no address: asking again
#: gets the same answer. Any other lookup failure (EAI_AGAIN: the resolver could not answer
#: now) may pass.
NO_SUCH_NAME = frozenset(
    code
    for code in (
        socket.EAI_NONAME,
        socket.EAI_FAIL,
        getattr(socket, "EAI_NODATA", None),  # glibc's, not POSIX's
        getattr(socket, "EAI_ADDRFAMILY", None),
    )
    if code is not None
)
#: What the error says when Google cannot be reached, after what went wrong.
UNREACHABLE_ADVICE = "check the network connection, or use --engine espeak (the offline voice)"

FORBIDDEN = (
    "Google refused the request (HTTP 403): gTTS is probably out of date; "
    "upgrade it with `pip install --upgrade gTTS`"
)

#: What an HTTP status from Google means, and whether asking again can help.
#: Any other 5xx is a passing server error too; any other status is final.
STATUS_CAUSES: dict[int, tuple[str, bool]] = {
    200: ("Google answered without audio (gTTS may be out of date)", False),
    403: (FORBIDDEN, False),
    429: ("Google is limiting the request rate (HTTP 429 Too Many Requests)", True),
}


class _Failure(Exception):
    """One request that did not bring audio back: why, and whether asking again may help."""

    def __init__(
        self,
        cause: str,
        retry: bool,
        retry_after: float | None = None,
        *,
        timed_out: bool = False,
        unreachable: bool = False,
    ) -> None:
        super().__init__(cause)
        self.cause = cause
        self.retry = retry
        self.timed_out = timed_out
        #: Google's host was not reached at all: its name did not resolve, or no connection.
        self.unreachable = unreachable
        #: Seconds the server asked for with ``Retry-After``, if it did.
        self.retry_after = retry_after


class _InFlight:
    """One gTTS request, run in a daemon thread of its own so that its caller can stop waiting.

    :attr:`finished` is set when the request has ended (then :attr:`done` is True and
    :attr:`data` or :attr:`error` holds the outcome), or by :meth:`GttsEngine.cancel` to
    wake the caller early. A caller that gives up calls :meth:`abandon`: once the answer's
    headers are in, its socket is shut down, so the thread stops reading a body that
    trickles in and ends; before that, the thread ends when a read of its socket times out.
    """

    def __init__(self) -> None:
        self.finished = threading.Event()
        self.done = False
        self.data = b""
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._abandoned = False
        self._answer: Any = None  # the urllib3 response being read

    def start(self, tts: gTTS) -> None:
        thread = threading.Thread(
            target=self._run, args=(tts,), name="narrate-gtts-request", daemon=True
        )
        thread.start()

    def headers_in(self, response: requests.Response, **_: Any) -> None:
        """requests' response hook: the headers are in and the body is about to be read."""
        with self._lock:
            self._answer = response.raw
            abandoned = self._abandoned
        if abandoned:
            _shut(response.raw)

    def abandon(self) -> None:
        """Nobody waits for this request any longer: stop reading its answer."""
        with self._lock:
            self._abandoned = True
            answer = self._answer
        if answer is not None and not self.done:
            _shut(answer)

    def _run(self, tts: gTTS) -> None:
        try:
            self.data = b"".join(tts.stream())
        except BaseException as exc:  # handed to the caller, who judges it
            self.error = exc
        finally:
            self.done = True
            self.finished.set()


def _shut(answer: Any) -> None:
    """Shut down the socket a urllib3 response is read from (urllib3 2.3 and later), so a
    read blocked on it in another thread returns."""
    shutdown = getattr(answer, "shutdown", None)
    if callable(shutdown):
        with contextlib.suppress(ValueError, RuntimeError, OSError):  # already let go
            shutdown()


class _NarrateGTTS(gTTS):  # type: ignore[misc]  # gTTS ships no type hints
    """gTTS sending its requests to ``endpoint`` (if given) instead of translate.google.<tld>,
    and handing each response to ``on_response`` as soon as its headers are in.

    The URL is rewritten, and the hook added, on this instance's own prepared requests, so
    other gTTS users in the process (other threads included) are unaffected, as they would
    not be by patching ``gtts.tts._translate_url``. It relies on the private
    ``_prepare_requests`` that ``stream()`` calls; :func:`_endpoint` checks it exists.
    """

    def __init__(
        self,
        text: str,
        *,
        endpoint: str | None,
        on_response: Callable[..., None],
        **kwargs: Any,
    ) -> None:
        super().__init__(text, **kwargs)
        self.narrate_endpoint = endpoint
        self.narrate_on_response = on_response

    def _prepare_requests(self) -> list[requests.PreparedRequest]:
        prepared: list[requests.PreparedRequest] = super()._prepare_requests()
        for request in prepared:
            if self.narrate_endpoint:
                url = urlsplit(request.url or "")
                query = f"?{url.query}" if url.query else ""
                request.prepare_url(f"{self.narrate_endpoint}{url.path}{query}", None)
            request.register_hook("response", self.narrate_on_response)
        return prepared


def _endpoint(value: str | None) -> str | None:
    """``value`` checked as the base URL of a Google-compatible server, without a final "/"."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EngineError(
            f"the gTTS endpoint ({ENDPOINT_ENV}) must be an http(s) URL "
            f"such as http://127.0.0.1:8765, not {value!r}"
        )
    if not callable(getattr(gTTS, "_prepare_requests", None)):  # pragma: no cover
        raise EngineError(
            f"this gTTS version cannot be pointed at {value} ({ENDPOINT_ENV}): "
            "it has no gTTS._prepare_requests"
        )
    return value.rstrip("/")


def _quote(text: str, limit: int = 30) -> str:
    """A chunk as named in an error message."""
    return f'"{text if len(text) <= limit else text[:limit] + "…"}"'


def _os_reason(exc: BaseException) -> str:
    """The operating system's reason buried in a requests connection error."""
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", str(exc))
    return found.group(1).strip() if found else "connection failed"


E = TypeVar("E", bound=BaseException)


def _buried(exc: BaseException, kind: type[E]) -> E | None:
    """The ``kind`` of error behind a requests connection error, if there is one.

    requests wraps urllib3's error, which wraps the socket's: it is found among their
    ``args``, ``reason``, ``__cause__`` and ``__context__``.
    """
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return current
        pending.extend(current.args)
        pending.extend([getattr(current, "reason", None), current.__cause__, current.__context__])
    return None


def _connection_reset(exc: BaseException) -> ConnectionResetError | None:
    """The reset behind a requests connection error, if it was one. ``RemoteDisconnected``
    (the server closed the connection instead of answering) is a ConnectionResetError too."""
    return _buried(exc, ConnectionResetError)


def _lookup_failure(exc: BaseException | None, host: str) -> _Failure | None:
    """The failure of the name lookup behind a requests connection error, if it was one.

    A name that does not exist (:data:`NO_SUCH_NAME`) is not retried; a lookup that failed
    for now (EAI_AGAIN) is.
    """
    if not isinstance(exc, requests.ConnectionError):
        return None
    lookup = _buried(exc, socket.gaierror)
    if lookup is None:
        return None
    name = urlsplit(host).hostname or host
    reason = lookup.strerror or _os_reason(exc)
    if lookup.errno in NO_SUCH_NAME:
        return _Failure(f"the name {name} does not resolve ({reason})", False, unreachable=True)
    return _Failure(
        f"the name {name} could not be looked up now ({reason})", True, unreachable=True
    )


def _transport_cause(exc: BaseException | None, host: str, timeout: float) -> str:
    """Why a request got no answer at all."""
    if isinstance(exc, requests.Timeout):
        return f"no answer from {host} within {round(timeout, 1):g} s (timed out)"
    if isinstance(exc, requests.ConnectionError):
        reset = _connection_reset(exc)
        if reset is not None and reset.errno == errno.ECONNRESET:
            return f"the connection to {host} was reset ({reset.strerror})"
        if reset is not None:
            return f"{host} closed the connection without answering"
        return f"cannot connect to {host} ({_os_reason(exc)})"
    name = type(exc).__name__ if exc is not None else "no response"
    return f"the request to {host} failed ({name})"


def _unreachable(what_failed: str) -> EngineUnavailable:
    """The error for a Google that cannot be reached: what failed, and what to do instead."""
    return EngineUnavailable(
        f"the Google voice cannot be reached: {what_failed}; {UNREACHABLE_ADVICE}"
    )


def full_jitter(attempt: int, base: float, cap: float, draw: Callable[[], float]) -> float:
    """The wait before try ``attempt + 1``: uniform in [0, min(cap, base * 2**(attempt-1))].

    "Full jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter"): threads that
    failed together spread their retries out instead of failing together again.
    ``draw`` gives a number in [0, 1), as :func:`random.random` does.

    >>> full_jitter(3, 0.5, 8.0, lambda: 0.5)
    1.0
    >>> full_jitter(10, 0.5, 8.0, lambda: 0.5)
    4.0
    """
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 60))  # 2**60 s is forever enough
    return ceiling * draw()


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (0 or more); None if absent or bad.

    The header holds either seconds or an HTTP date (RFC 9110, 10.2.3); ``now`` is the
    current :func:`time.time` for the date form. The wait is not capped here: a wait
    longer than narrate will sit through is the engine's to refuse, not to shorten.

    >>> retry_after_seconds("1", now=0.0)
    1.0
    >>> retry_after_seconds("Thu, 01 Jan 1970 00:00:30 GMT", now=10.0)
    20.0
    >>> retry_after_seconds("3600", now=0.0), retry_after_seconds("soon", now=0.0)
    (3600.0, None)
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    seconds: float
    if text.isdigit():
        seconds = float(text)
    else:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # an HTTP date is always GMT
            return None
        seconds = when.timestamp() - now
    return max(seconds, 0.0)


class RateLimiter:
    """When each request may start, for every thread of one engine.

    Starts are at least ``1 / per_second`` apart (a token bucket holding one token),
    and none happens before the shared cool-down time that :meth:`cool_down` sets.
    Waiting threads hold no lock: they sleep until the time they computed, then look
    again, so a cool-down set meanwhile still holds them back.
    """

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not per_second > 0:
            raise ValueError(f"requests per second must be positive, not {per_second}")
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_start = -math.inf
        self._cool_until = -math.inf

    def cool_down(self, seconds: float) -> None:
        """Start no request, in any thread, for ``seconds`` from now (or longer if already set)."""
        with self._lock:
            self._cool_until = max(self._cool_until, self._clock() + seconds)

    @property
    def cool_until(self) -> float:
        """The clock time before which no request starts (-inf when there is none)."""
        with self._lock:
            return self._cool_until

    def wait_turn(
        self,
        deadline: float | None = None,
        *,
        longest: float | None = None,
        stop: threading.Event | None = None,
    ) -> bool:
        """Wait until this thread may start a request, and take the turn.

        Returns False at once, without waiting, when the turn would come after
        ``deadline`` (a time on the limiter's clock) or more than ``longest`` seconds from
        now, and as soon as it wakes up to find ``stop`` set.
        """
        while True:
            if stop is not None and stop.is_set():
                return False
            with self._lock:
                now = self._clock()
                start = max(now, self._next_start, self._cool_until)
                if start <= now + 1e-9:  # float noise in clock arithmetic is not a wait
                    self._next_start = now + self.interval
                    return True
            if deadline is not None and start > deadline:
                return False
            if longest is not None and start - now > longest:
                return False
            self._sleep(start - now)


@functools.cache
def _gtts_version() -> str:
    return importlib.metadata.version("gTTS")


def _seconds(value: float) -> str:
    return f"{round(max(value, 0.0), 1):g}"


class GttsEngine(EngineBase):
    """Google Translate's Arabic voice, one request per chunk of at most 100 characters.

    Safe to call from many threads at once; see the module's docstring.
    """

    name = "gtts"
    about = "Google Translate's Arabic voice"
    online = True
    # Google's limit; it needs no tashkeel
    text_needs = TextNeeds(max_chars=100, diacritics=False)
    voice = LANG
    sample_rate = 24000
    parallel: Parallel = "threads"  # it waits on the network, not the CPU
    concurrency: int = DEFAULT_CONCURRENCY

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        retries: int = 4,
        backoff: float = 0.5,
        backoff_cap: float = BACKOFF_CAP,
        slow: bool = False,
        endpoint: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        requests_per_second: float = DEFAULT_REQUESTS_PER_SECOND,
        retry_after_cap: float = RETRY_AFTER_CAP,
        deadline: float | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
    ) -> None:
        """Configure requests.

        A failure that may pass is tried again up to ``retries`` more times. Before try
        ``n + 1`` narrate waits a random time up to ``backoff * 2**(n-1)`` seconds, at most
        ``backoff_cap``, and at least what a ``Retry-After`` header asked for; a
        ``Retry-After`` over ``retry_after_cap`` seconds fails the chunk (and every chunk
        after it) at once. ``timeout`` bounds each request, on the wall clock;
        ``deadline`` (a ``clock()`` time, see :meth:`set_deadline`) bounds them all.
        ``concurrency`` is how many threads the synthesis stage should run, and the most
        requests this engine lets be in flight; ``requests_per_second`` the most it
        starts, both across threads. ``sleep`` (by default a wait that :meth:`cancel`
        cuts short), ``clock`` and ``random`` are for tests.
        """
        if timeout <= 0 or retries < 0 or backoff < 0 or backoff_cap < 0 or retry_after_cap < 0:
            raise ValueError(
                "timeout must be positive; retries, backoff and their caps not negative"
            )
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise ValueError(
                f"gtts concurrency must be between 1 and {MAX_CONCURRENCY}, not {concurrency}"
            )
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self.slow = slow
        self.endpoint = _endpoint(endpoint or os.environ.get(ENDPOINT_ENV))
        self.concurrency = concurrency
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._in_flight: set[_InFlight] = set()
        self._sleep = sleep if sleep is not None else self._nap
        self.limiter = RateLimiter(requests_per_second, clock=clock, sleep=self._sleep)
        self._slots = threading.BoundedSemaphore(concurrency)
        self._clock = clock
        self._random = random
        self._deadline: float | None = None
        self._budget = 0.0
        self.set_deadline(deadline)

    @classmethod
    def from_settings(cls, settings: EngineSettings) -> Self:
        """Google's one voice; a rate under :data:`SLOW_BELOW_WPM` asks for its slow pace."""
        if settings.voice is not None and settings.voice != LANG:
            raise EngineError(f"gtts has no voice {settings.voice!r}: it has {LANG} only")
        slow = settings.rate_wpm is not None and settings.rate_wpm < SLOW_BELOW_WPM
        if settings.concurrency is None:
            return cls(slow=slow, deadline=settings.deadline)
        return cls(slow=slow, deadline=settings.deadline, concurrency=settings.concurrency)

    @property
    def host(self) -> str:
        """The server the requests go to."""
        return self.endpoint or GOOGLE_HOST

    def set_deadline(self, deadline: float | None, *, budget: float | None = None) -> None:
        """Start no request after ``deadline``, a time on the engine's clock (``time.monotonic()``).

        ``budget`` is the build's whole allowance in seconds, for the error message; by
        default the time left now. None removes the deadline.
        """
        self._deadline = deadline
        if deadline is not None:
            self._budget = budget if budget is not None else deadline - self._clock()

    def cancel(self) -> None:
        """Stop every thread using this engine, at once and for good.

        No request starts and no wait goes on; the threads waiting for a request in flight
        stop waiting (the request itself ends in its own thread, unheard). Every call of
        :meth:`synthesize`, under way or to come, raises EngineError. Safe to call from any
        thread, and more than once; the synthesis stage calls it when the build stops.
        """
        self._cancelled.set()
        with self._lock:
            for request in self._in_flight:
                request.finished.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` has been called."""
        return self._cancelled.is_set()

    def describe(self) -> str:
        """Engine, library version and voice, e.g. ``gTTS 2.5.4 (lang ar)``."""
        return f"gTTS {_gtts_version()} (lang {LANG}{', slow' if self.slow else ''})"

    def identity(self) -> dict[str, str]:
        """Everything that changes the audio Google sends for the same text.

        The endpoint is part of it unless it is Google's own: audio from a fake or local
        server (the tests', the benchmark's) must never be served from the synthesis
        cache as if Google had spoken it, nor Google's mistaken for a fake's. Timeouts,
        retries and concurrency change how the audio is fetched, not the audio.
        """
        identity = {
            "engine": self.name,
            "library": f"gTTS {_gtts_version()}",
            "lang": LANG,
            "slow": "1" if self.slow else "0",
            "tld": TLD,
        }
        if self.host != GOOGLE_HOST:
            identity["endpoint"] = self.host
        return identity

    def synthesize(self, text: str) -> AudioSegment:
        """Speak one chunk: mono 16-bit audio at 24 kHz. Safe to call from many threads.

        A chunk with no letter or digit (say "؟") has nothing to speak and gives
        empty audio without asking Google. Raises ValueError for a chunk longer than
        :attr:`text_needs`, EngineError for every failure to get its audio.
        """
        if len(text) > self.text_needs.max_chars:
            raise ValueError(
                f"a gTTS chunk holds at most {self.text_needs.max_chars} characters, "
                f"got {len(text)}: split the text with narrate.text.normalise first"
            )
        if not any(char.isalnum() for char in text):
            log.debug("nothing to speak in %r", text)
            return self._audio(b"")
        mp3 = self._fetch(text)
        try:
            pcm = decode_to_pcm(mp3, self.sample_rate, input_format="mp3")
        except AudioError as exc:
            raise EngineError(
                f"Google's audio for {_quote(text)} cannot be decoded: {exc}"
            ) from exc
        if not pcm:
            raise EngineError(f"Google's audio for {_quote(text)} decoded to nothing")
        return self._audio(pcm)

    def probe(self, timeout: float = PROBE_TIMEOUT) -> str:
        """Ask Google for one short word, once; raise EngineUnavailable if no audio comes back."""
        try:
            self._request(PROBE_TEXT, timeout)
        except _Failure as failure:
            premise = "did not answer" if failure.retry or failure.unreachable else "cannot be used"
            raise EngineUnavailable(f"Google TTS {premise}: {failure.cause}") from None
        return "Google TTS answered"

    def _fetch(self, text: str) -> bytes:
        """The MP3 bytes for ``text``, asking again after failures that may pass."""
        attempts = self.retries + 1
        failure: _Failure | None = None
        for attempt in range(1, attempts + 1):
            timeout = self._take_turn(text, failure)
            try:
                return self._request(text, timeout)
            except _Failure as failed:
                failure = failed
            finally:
                self._slots.release()
            if failure.timed_out and timeout < self.timeout:  # cut short by the deadline
                raise self._late(text, failure)
            if failure.cause == FORBIDDEN:  # the same for every chunk: no need to name it
                raise EngineError(FORBIDDEN)
            if failure.unreachable and not failure.retry:  # no such name: every chunk's fate
                raise _unreachable(failure.cause)
            if not failure.retry:
                raise EngineError(f"{failure.cause}; the chunk was {_quote(text)}")
            if failure.retry_after is not None and failure.retry_after > self.retry_after_cap:
                # Waiting it out would hold the build for longer than anyone waits, and
                # asking sooner is what got the chunk refused: stop every thread now.
                self.limiter.cool_down(failure.retry_after)
                raise self._asks_to_wait(failure.retry_after)
            if attempt == attempts:
                tries = "once" if attempts == 1 else f"{attempts} times"
                gave_up = f"Google TTS failed {tries} for {_quote(text)}: {failure.cause}"
                raise _unreachable(gave_up) if failure.unreachable else EngineError(gave_up)
            delay = full_jitter(attempt, self.backoff, self.backoff_cap, self._random)
            if failure.retry_after is not None:
                # The server says when; everyone waits, not just this thread.
                self.limiter.cool_down(failure.retry_after)
                delay = max(delay, failure.retry_after)
            elif failure.cause == STATUS_CAUSES[429][0]:
                # Rate limited without a hint: hold every thread back for this try's
                # full backoff step; the limiter then spreads their restarts out.
                self.limiter.cool_down(min(self.backoff_cap, self.backoff * 2.0 ** (attempt - 1)))
            log.warning(
                "Google TTS attempt %d of %d failed: %s; retrying in %.2f s",
                attempt,
                attempts,
                failure.cause,
                delay,
            )
            self._pause(delay, text, failure)
        raise AssertionError("unreachable")  # pragma: no cover

    def _nap(self, seconds: float) -> None:
        """The default ``sleep``: a wait that :meth:`cancel` ends at once."""
        self._cancelled.wait(seconds)

    def _pause(self, delay: float, text: str, failure: _Failure) -> None:
        """Sleep ``delay`` seconds before a retry, unless that would pass the deadline."""
        if self._deadline is not None and self._clock() + delay > self._deadline:
            if failure.retry_after is not None and failure.retry_after >= delay:
                raise self._asks_to_wait(failure.retry_after, past_deadline=True)
            raise self._late(text, failure, waiting=delay)
        self._sleep(delay)
        self._check_running(text)

    def _check_running(self, text: str) -> None:
        """Raise EngineError if the engine has been cancelled."""
        if self._cancelled.is_set():
            raise EngineError(f"Google TTS was stopped before it spoke {_quote(text)}")

    def _check_cool_down(self) -> None:
        """Raise EngineError if Google asked every thread to wait longer than narrate waits."""
        cooling = self.limiter.cool_until - self._clock()
        if cooling > self.retry_after_cap:
            raise self._asks_to_wait(cooling)

    def _take_turn(self, text: str, failure: _Failure | None) -> float:
        """Wait for a free request slot and the limiter's turn; the timeout for the request.

        The caller must release ``self._slots`` after the request. Raises EngineError,
        holding no slot, when the engine has been cancelled, when the deadline has passed
        or would pass before the turn, or when Google asked for a wait over the cap.
        """
        self._check_running(text)
        if self._deadline is not None and self._clock() >= self._deadline:
            raise self._late(text, failure)
        self._check_cool_down()
        left = None if self._deadline is None else self._deadline - self._clock()
        if not self._slots.acquire(timeout=left):
            raise self._late(text, failure)
        try:
            self._check_running(text)
            if not self.limiter.wait_turn(
                self._deadline, longest=self.retry_after_cap, stop=self._cancelled
            ):
                self._check_running(text)
                self._check_cool_down()
                raise self._late(text, failure)
            self._check_running(text)
            if self._deadline is None:
                return self.timeout
            left = self._deadline - self._clock()
            if left <= 0:
                raise self._late(text, failure)
            return min(self.timeout, left)
        except BaseException:
            self._slots.release()
            raise

    def _asks_to_wait(self, seconds: float, *, past_deadline: bool = False) -> EngineError:
        """The error for a ``Retry-After`` narrate will not sit through."""
        asked = f"Google asks to wait {math.ceil(seconds - 1e-6)} s before the next request"
        if past_deadline:
            asked += f", longer than the build's deadline of {_seconds(self._budget)} s allows"
        return EngineError(f"{asked}; try again later or use --engine espeak")

    def _late(
        self, text: str, failure: _Failure | None, waiting: float | None = None
    ) -> EngineError:
        """The error for a chunk the deadline leaves no time for."""
        budget = _seconds(self._budget)
        if waiting is not None:
            message = (
                f"the build's deadline of {budget} s would pass while waiting "
                f"{_seconds(waiting)} s to ask Google TTS again for {_quote(text)}"
            )
        else:
            message = (
                f"the build's deadline of {budget} s passed before Google TTS spoke {_quote(text)}"
            )
        if failure is not None:
            message += f" (the last try: {failure.cause})"
        return EngineError(message)

    def _request(self, text: str, timeout: float) -> bytes:
        """One gTTS request, given ``timeout`` seconds in all; raise _Failure saying why it
        brought no audio, EngineError if the engine is cancelled meanwhile."""
        options: dict[str, Any] = {
            "lang": LANG,
            "tld": TLD,
            "lang_check": False,  # checking asks Google for its language list first
            "slow": self.slow,
            "timeout": timeout,
            # speech_text has prepared the text; gTTS's English pre-processors must not touch it
            "pre_processor_funcs": [],
        }
        request = _InFlight()
        tts = _NarrateGTTS(text, endpoint=self.endpoint, on_response=request.headers_in, **options)
        with self._lock:  # registered first: a cancel from now on wakes this thread
            self._in_flight.add(request)
        try:
            self._check_running(text)
            request.start(tts)
            # gTTS's own timeout bounds each read of the socket, so an answer trickled out
            # a byte at a time would never time out: the whole request is bounded here.
            request.finished.wait(timeout)
        finally:
            with self._lock:
                self._in_flight.discard(request)
        if not request.done:
            request.abandon()
            self._check_running(text)
            raise _Failure(
                f"no answer from {self.host} within {round(timeout, 1):g} s (timed out)",
                True,
                timed_out=True,
            )
        try:
            if request.error is not None:
                raise request.error
            data = request.data
        except gTTSError as exc:
            if exc.rsp is None:
                # gTTS raises from inside its `except RequestException`: the cause is the context.
                raise self._transport_failure(exc.__context__, timeout) from exc
            raise self._status_failure(exc.rsp) from exc
        except requests.RequestException as exc:  # reading the body, outside gTTS's own try
            raise self._transport_failure(exc, timeout) from exc
        except ValueError as exc:  # bad base64 or UTF-8 in the answer
            raise _Failure(f"Google's answer cannot be read ({exc})", False) from exc
        if not data:
            raise _Failure(STATUS_CAUSES[200][0], False)
        return data

    def _transport_failure(self, exc: BaseException | None, timeout: float) -> _Failure:
        lookup = _lookup_failure(exc, self.host)
        if lookup is not None:
            return lookup
        cause = _transport_cause(exc, self.host, timeout)
        timed_out = isinstance(exc, requests.Timeout)
        # No connection at all (refused, no route): the host is out of reach. A reset or a
        # timeout means it was reached, and failed.
        unreachable = (
            isinstance(exc, requests.ConnectionError)
            and not timed_out
            and _connection_reset(exc) is None
        )
        return _Failure(cause, True, timed_out=timed_out, unreachable=unreachable)

    def _status_failure(self, response: requests.Response) -> _Failure:
        status = response.status_code
        if status in STATUS_CAUSES:
            cause, retry = STATUS_CAUSES[status]
        else:
            described = f"HTTP {status} {response.reason}".strip()
            retry = status >= 500
            cause = (
                f"Google TTS had a server error ({described})"
                if retry
                else f"Google TTS refused the request ({described})"
            )
        retry_after = (
            retry_after_seconds(response.headers.get("Retry-After"), time.time()) if retry else None
        )
        return _Failure(cause, retry, retry_after)

    def _audio(self, pcm: bytes) -> AudioSegment:
        return AudioSegment(data=pcm, sample_width=2, frame_rate=self.sample_rate, channels=1)

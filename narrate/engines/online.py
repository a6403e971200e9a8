"""What every online engine does the same way: bound, pace, retry, time out and cancel requests.

An online engine (gtts, edge) is shared by the synthesis stage's threads and keeps its service's
load bounded however many threads call it. :class:`OnlineEngine` holds that logic once:

- at most ``concurrency`` requests are in flight at once (a semaphore);
- one :class:`RateLimiter` spaces the starts of all requests ``1/requests_per_second``
  apart, and after a 429 (or any ``Retry-After``) holds every thread back until a
  shared cool-down time;
- failures that may pass are retried after a full-jitter exponential backoff
  (:func:`full_jitter`), never sooner than ``Retry-After`` says; a ``Retry-After`` longer
  than ``retry_after_cap`` (or than the deadline leaves) is not waited out but fails at
  once, in every thread, saying how long the service asked for;
- a failure marked ``fatal`` (the service refuses the client itself, e.g. a 403 when the
  library no longer speaks its protocol) fails at once with its message alone; a host name
  that does not exist fails at once too, naming the offline voice;
- each request has a timeout on the wall clock, from sending it to the last byte of the
  answer (a server trickling its answer out cannot stretch it), and the whole build may
  have a deadline (:meth:`OnlineEngine.set_deadline`): once it has passed, or a wait would
  pass it, no request starts and ``synthesize`` raises EngineError;
- :meth:`OnlineEngine.cancel` (the synthesis stage calls it on Ctrl-C, SIGTERM or a
  failure) stops every thread at once: no request starts, no wait goes on, and the
  requests in flight are let go.

Each request runs in a daemon thread of its own (:class:`InFlight`) while the calling
thread waits for it, so that the caller can give up on it (its timeout, a cancel) without
waiting for the network; an engine's :meth:`InFlight.abandon` makes the request stop soon.
An engine supplies the request itself: a function that raises :class:`Failure` saying why
it brought nothing back, and whether asking again may help.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random as _random
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from pydub import AudioSegment

from narrate.engines.base import EngineBase, Parallel
from narrate.errors import AudioError, EngineError, EngineUnavailable
from narrate.ffmpeg import decode_to_pcm

T = TypeVar("T")

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
#: What the error says when a service cannot be reached, after what went wrong.
UNREACHABLE_ADVICE = "check the network connection, or use --engine espeak (the offline voice)"


class Failure(Exception):
    """One request that did not bring audio back: why, and whether asking again may help."""

    def __init__(
        self,
        cause: str,
        retry: bool,
        retry_after: float | None = None,
        *,
        timed_out: bool = False,
        unreachable: bool = False,
        fatal: bool = False,
        rate_limited: bool = False,
    ) -> None:
        super().__init__(cause)
        self.cause = cause
        self.retry = retry
        self.timed_out = timed_out
        #: The service's host was not reached at all: its name did not resolve, or no connection.
        self.unreachable = unreachable
        #: The same for every chunk (the client is refused): the cause is the whole error.
        self.fatal = fatal
        #: The service said too many requests (429): every thread cools down.
        self.rate_limited = rate_limited
        #: Seconds the server asked for with ``Retry-After``, if it did.
        self.retry_after = retry_after


class InFlight(Generic[T]):
    """One request, run in a daemon thread of its own so that its caller can stop waiting.

    :attr:`finished` is set when the request has ended (then :attr:`done` is True and
    :attr:`result` or :attr:`error` holds the outcome), or by :meth:`OnlineEngine.cancel`
    to wake the caller early. A caller that gives up calls :meth:`abandon`, which an
    engine overrides to make the request end soon (shut its socket, cancel its task).
    """

    def __init__(self) -> None:
        self.finished = threading.Event()
        self.done = False
        self.result: T | None = None
        self.error: BaseException | None = None

    def start(self, work: Callable[[], T], name: str) -> None:
        """Run ``work`` in a daemon thread called ``name``: a request never holds up an exit."""
        threading.Thread(target=self._run, args=(work,), name=name, daemon=True).start()

    def abandon(self) -> None:
        """Nobody waits for this request any longer (by default: let it end on its own)."""

    def _run(self, work: Callable[[], T]) -> None:
        try:
            self.result = work()
        except BaseException as exc:  # handed to the caller, who judges it
            self.error = exc
        finally:
            self.done = True
            self.finished.set()


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


def quote(text: str, limit: int = 30) -> str:
    """A chunk as named in an error message."""
    return f'"{text if len(text) <= limit else text[:limit] + "…"}"'


def seconds_text(value: float) -> str:
    """Seconds as an error message says them: one decimal at most, never negative."""
    return f"{round(max(value, 0.0), 1):g}"


def name_failure(name: str, code: int | None, reason: str) -> Failure:
    """A host name that did not resolve: final when it does not exist (:data:`NO_SUCH_NAME`),
    worth another try when the resolver could not answer now."""
    if code in NO_SUCH_NAME:
        return Failure(f"the name {name} does not resolve ({reason})", False, unreachable=True)
    return Failure(f"the name {name} could not be looked up now ({reason})", True, unreachable=True)


def timed_out_cause(host: str, timeout: float) -> str:
    """Why a request that got no (complete) answer in time brought nothing back."""
    return f"no answer from {host} within {round(timeout, 1):g} s (timed out)"


class OnlineEngine(EngineBase):
    """An engine that asks a service over the network, one request per chunk.

    A subclass names its service (:attr:`service`, :attr:`owner`, :attr:`reached_as`), its
    logger and its :attr:`host`, and gets its audio with ``self._fetch(text, request)``,
    where ``request(text, timeout)`` makes one request of at most ``timeout`` seconds
    (through :meth:`_await` for the waiting) and raises :class:`Failure`.
    """

    online = True
    parallel: Parallel = "threads"  # it waits on the network, not the CPU
    concurrency: int = 4
    #: How the messages name the service ("Google TTS") and who runs it ("Google").
    service: ClassVar[str]
    owner: ClassVar[str]
    #: The voice as named when it cannot be reached ("the Google voice").
    reached_as: ClassVar[str]
    #: The engine module's logger: its retries are logged in its name.
    log: ClassVar[logging.Logger]
    #: The most requests an engine of this kind may keep in flight.
    max_concurrency: ClassVar[int] = 16

    def __init__(
        self,
        *,
        timeout: float,
        retries: int,
        backoff: float,
        backoff_cap: float,
        concurrency: int,
        requests_per_second: float,
        retry_after_cap: float,
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
        if not 1 <= concurrency <= self.max_concurrency:
            raise ValueError(
                f"{self.name} concurrency must be between 1 and {self.max_concurrency}, "
                f"not {concurrency}"
            )
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self.concurrency = concurrency
        self._cancelled = threading.Event()
        self._lock = threading.Lock()
        self._in_flight: set[InFlight[Any]] = set()
        self._sleep = sleep if sleep is not None else self._nap
        self.limiter = RateLimiter(requests_per_second, clock=clock, sleep=self._sleep)
        self._slots = threading.BoundedSemaphore(concurrency)
        self._clock = clock
        self._random = random
        self._deadline: float | None = None
        self._budget = 0.0
        self.set_deadline(deadline)

    @property
    def host(self) -> str:  # pragma: no cover - every online engine has one
        """The server the requests go to."""
        raise NotImplementedError

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
        ``synthesize``, under way or to come, raises EngineError. Safe to call from any
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

    def _speakable(self, text: str) -> bool:
        """Whether ``text`` is worth a request: False when it has no letter or digit (no
        request, empty audio); ValueError when it is longer than a chunk may be."""
        if len(text) > self.text_needs.max_chars:
            raise ValueError(
                f"a {self.name} chunk holds at most {self.text_needs.max_chars} characters, "
                f"got {len(text)}: split the text with narrate.text.normalise first"
            )
        if not any(char.isalnum() for char in text):
            self.log.debug("nothing to speak in %r", text)
            return False
        return True

    def _decoded(self, mp3: bytes, text: str) -> AudioSegment:
        """The service's MP3 for ``text`` as mono 16-bit audio at :attr:`sample_rate`;
        EngineError when it cannot be decoded or holds no audio."""
        try:
            pcm = decode_to_pcm(mp3, self.sample_rate, input_format="mp3")
        except AudioError as exc:
            raise EngineError(
                f"{self.owner}'s audio for {quote(text)} cannot be decoded: {exc}"
            ) from exc
        if not pcm:
            raise EngineError(f"{self.owner}'s audio for {quote(text)} decoded to nothing")
        return self._audio(pcm)

    def _audio(self, pcm: bytes) -> AudioSegment:
        return AudioSegment(data=pcm, sample_width=2, frame_rate=self.sample_rate, channels=1)

    def _probe_once(self, text: str, timeout: float, request: Callable[[str, float], T]) -> T:
        """One request for ``text``, no retry; EngineUnavailable saying why if it brings nothing."""
        try:
            return request(text, timeout)
        except Failure as failure:
            premise = "did not answer" if failure.retry or failure.unreachable else "cannot be used"
            raise EngineUnavailable(f"{self.service} {premise}: {failure.cause}") from None

    def _await(self, request: InFlight[T], work: Callable[[], T], text: str, timeout: float) -> T:
        """Run ``work`` as ``request`` and wait ``timeout`` seconds at most for its result.

        Raises Failure (timed out) when it takes longer, EngineError when the engine is
        cancelled meanwhile, and what ``work`` raised otherwise, for the engine to judge.
        """
        with self._lock:  # registered first: a cancel from now on wakes this thread
            self._in_flight.add(request)
        try:
            self._check_running(text)
            request.start(work, f"narrate-{self.name}-request")
            request.finished.wait(timeout)
        finally:
            with self._lock:
                self._in_flight.discard(request)
        if not request.done:
            request.abandon()
            self._check_running(text)
            raise Failure(timed_out_cause(self.host, timeout), True, timed_out=True)
        if request.error is not None:
            raise request.error
        return request.result  # type: ignore[return-value]  # done without error: set

    def _fetch(self, text: str, request: Callable[[str, float], T]) -> T:
        """What ``request`` brings for ``text``, asking again after failures that may pass."""
        attempts = self.retries + 1
        failure: Failure | None = None
        for attempt in range(1, attempts + 1):
            timeout = self._take_turn(text, failure)
            try:
                return request(text, timeout)
            except Failure as failed:
                failure = failed
            finally:
                self._slots.release()
            if failure.timed_out and timeout < self.timeout:  # cut short by the deadline
                raise self._late(text, failure)
            if failure.fatal:  # the same for every chunk: no need to name it
                raise EngineError(failure.cause)
            if failure.unreachable and not failure.retry:  # no such name: every chunk's fate
                raise self._unreachable(failure.cause)
            if not failure.retry:
                raise EngineError(f"{failure.cause}; the chunk was {quote(text)}")
            if failure.retry_after is not None and failure.retry_after > self.retry_after_cap:
                # Waiting it out would hold the build for longer than anyone waits, and
                # asking sooner is what got the chunk refused: stop every thread now.
                self.limiter.cool_down(failure.retry_after)
                raise self._asks_to_wait(failure.retry_after)
            if attempt == attempts:
                tries = "once" if attempts == 1 else f"{attempts} times"
                gave_up = f"{self.service} failed {tries} for {quote(text)}: {failure.cause}"
                raise self._unreachable(gave_up) if failure.unreachable else EngineError(gave_up)
            delay = full_jitter(attempt, self.backoff, self.backoff_cap, self._random)
            if failure.retry_after is not None:
                # The server says when; everyone waits, not just this thread.
                self.limiter.cool_down(failure.retry_after)
                delay = max(delay, failure.retry_after)
            elif failure.rate_limited:
                # Rate limited without a hint: hold every thread back for this try's
                # full backoff step; the limiter then spreads their restarts out.
                self.limiter.cool_down(min(self.backoff_cap, self.backoff * 2.0 ** (attempt - 1)))
            self.log.warning(
                "%s attempt %d of %d failed: %s; retrying in %.2f s",
                self.service,
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

    def _pause(self, delay: float, text: str, failure: Failure) -> None:
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
            raise EngineError(f"{self.service} was stopped before it spoke {quote(text)}")

    def _check_cool_down(self) -> None:
        """Raise EngineError if the service asked every thread to wait longer than narrate waits."""
        cooling = self.limiter.cool_until - self._clock()
        if cooling > self.retry_after_cap:
            raise self._asks_to_wait(cooling)

    def _take_turn(self, text: str, failure: Failure | None) -> float:
        """Wait for a free request slot and the limiter's turn; the timeout for the request.

        The caller must release ``self._slots`` after the request. Raises EngineError,
        holding no slot, when the engine has been cancelled, when the deadline has passed
        or would pass before the turn, or when the service asked for a wait over the cap.
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
        asked = f"{self.owner} asks to wait {math.ceil(seconds - 1e-6)} s before the next request"
        if past_deadline:
            asked += f", longer than the build's deadline of {seconds_text(self._budget)} s allows"
        return EngineError(f"{asked}; try again later or use --engine espeak")

    def _late(
        self, text: str, failure: Failure | None, waiting: float | None = None
    ) -> EngineError:
        """The error for a chunk the deadline leaves no time for."""
        budget = seconds_text(self._budget)
        if waiting is not None:
            message = (
                f"the build's deadline of {budget} s would pass while waiting "
                f"{seconds_text(waiting)} s to ask {self.service} again for {quote(text)}"
            )
        else:
            message = (
                f"the build's deadline of {budget} s passed before {self.service} "
                f"spoke {quote(text)}"
            )
        if failure is not None:
            message += f" (the last try: {failure.cause})"
        return EngineError(message)

    def _unreachable(self, what_failed: str) -> EngineUnavailable:
        """The error for a service that cannot be reached: what failed, and what to do instead."""
        return EngineUnavailable(
            f"{self.reached_as} cannot be reached: {what_failed}; {UNREACHABLE_ADVICE}"
        )


__all__ = [
    "NO_SUCH_NAME",
    "UNREACHABLE_ADVICE",
    "Failure",
    "InFlight",
    "OnlineEngine",
    "RateLimiter",
    "full_jitter",
    "quote",
    "retry_after_seconds",
    "seconds_text",
    "timed_out_cause",
]

"""The online engine: Google Translate's speech, through the gTTS library.

Each chunk is one gTTS request, synthesized to memory (never ``gTTS.save()``, which
leaves a truncated file behind when a request fails half-way) and decoded to PCM.

One engine is shared by the synthesis stage's threads; how it bounds, paces, retries,
times out and cancels its requests is :mod:`narrate.engines.online`'s, shared with the
edge engine. What is Google's own:

- failures that may pass: 429, 5xx, timeouts, connection errors, and a name lookup the
  resolver could not answer for now (EAI_AGAIN); a 429 cools every thread down;
- a 403 means gTTS no longer speaks Google's current protocol, and fails at once with
  the fix; a host name that does not exist (EAI_NONAME: offline, or a mistyped endpoint)
  will not exist a second later either, and fails at once too;
- when Google cannot be reached at all (its name does not resolve, or no connection
  to it can be made), the error says so and names the offline voice (``--engine espeak``);
- gTTS's own timeout bounds each read of the socket, not the request: the engine's
  timeout is on the wall clock. A request given up on after its answer's headers came has
  its socket shut down, so it stops reading at once; one given up on before ends when the
  read it waits in times out (every read has the request's timeout).

``NARRATE_GTTS_ENDPOINT`` (or ``endpoint=``) sends the requests to another server with
the same protocol, such as the fake Google that the tests run on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import importlib.metadata
import logging
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

from narrate.engines.base import PROBE_TIMEOUT, EngineSettings
from narrate.engines.online import (
    Failure,
    InFlight,
    OnlineEngine,
    name_failure,
    retry_after_seconds,
    timed_out_cause,
)
from narrate.errors import EngineError
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


class _InFlight(InFlight[bytes]):
    """One gTTS request that can stop reading its answer when nobody waits for it.

    A caller that gives up calls :meth:`abandon`: once the answer's headers are in, its
    socket is shut down, so the thread stops reading a body that trickles in and ends;
    before that, the thread ends when a read of its socket times out.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._abandoned = False
        self._answer: Any = None  # the urllib3 response being read

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


def _lookup_failure(exc: BaseException | None, host: str) -> Failure | None:
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
    return name_failure(name, lookup.errno, lookup.strerror or _os_reason(exc))


def _transport_cause(exc: BaseException | None, host: str, timeout: float) -> str:
    """Why a request got no answer at all."""
    if isinstance(exc, requests.Timeout):
        return timed_out_cause(host, timeout)
    if isinstance(exc, requests.ConnectionError):
        reset = _connection_reset(exc)
        if reset is not None and reset.errno == errno.ECONNRESET:
            return f"the connection to {host} was reset ({reset.strerror})"
        if reset is not None:
            return f"{host} closed the connection without answering"
        return f"cannot connect to {host} ({_os_reason(exc)})"
    name = type(exc).__name__ if exc is not None else "no response"
    return f"the request to {host} failed ({name})"


@functools.cache
def _gtts_version() -> str:
    return importlib.metadata.version("gTTS")


class GttsEngine(OnlineEngine):
    """Google Translate's Arabic voice, one request per chunk of at most 100 characters.

    Safe to call from many threads at once; see :mod:`narrate.engines.online`.
    """

    name = "gtts"
    about = "Google Translate's Arabic voice"
    service = "Google TTS"
    owner = "Google"
    reached_as = "the Google voice"
    log = log
    max_concurrency = MAX_CONCURRENCY
    # Google's limit; it needs no tashkeel
    text_needs = TextNeeds(max_chars=100, diacritics=False)
    voice = LANG
    sample_rate = 24000
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
        """Configure requests (see :meth:`OnlineEngine.__init__`); ``slow`` asks for Google's
        slow pace, ``endpoint`` for another server than Google's."""
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
        self.slow = slow
        self.endpoint = _endpoint(endpoint or os.environ.get(ENDPOINT_ENV))

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
        if not self._speakable(text):
            return self._audio(b"")
        return self._decoded(self._fetch(text, self._request), text)

    def probe(self, timeout: float = PROBE_TIMEOUT) -> str:
        """Ask Google for one short word, once; raise EngineUnavailable if no audio comes back."""
        self._probe_once(PROBE_TEXT, timeout, self._request)
        return "Google TTS answered"

    def _request(self, text: str, timeout: float) -> bytes:
        """One gTTS request, given ``timeout`` seconds in all; raise Failure saying why it
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
        try:
            # gTTS's own timeout bounds each read of the socket, so an answer trickled out
            # a byte at a time would never time out: the whole request is bounded here.
            data = self._await(request, lambda: b"".join(tts.stream()), text, timeout)
        except gTTSError as exc:
            if exc.rsp is None:
                # gTTS raises from inside its `except RequestException`: the cause is the context.
                raise self._transport_failure(exc.__context__, timeout) from exc
            raise self._status_failure(exc.rsp) from exc
        except requests.RequestException as exc:  # reading the body, outside gTTS's own try
            raise self._transport_failure(exc, timeout) from exc
        except ValueError as exc:  # bad base64 or UTF-8 in the answer
            raise Failure(f"Google's answer cannot be read ({exc})", False) from exc
        if not data:
            raise Failure(STATUS_CAUSES[200][0], False)
        return data

    def _transport_failure(self, exc: BaseException | None, timeout: float) -> Failure:
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
        return Failure(cause, True, timed_out=timed_out, unreachable=unreachable)

    def _status_failure(self, response: requests.Response) -> Failure:
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
        return Failure(cause, retry, retry_after, fatal=status == 403, rate_limited=status == 429)

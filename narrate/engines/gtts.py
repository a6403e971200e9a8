"""The online engine: Google Translate's speech, through the gTTS library.

Each chunk is one gTTS request, synthesized to memory (never ``gTTS.save()``, which
leaves a truncated file behind when a request fails half-way) and decoded to PCM.
Failures Google says are passing (429, 5xx) and network failures are retried with
exponential backoff; a 403 means gTTS no longer speaks Google's current protocol, and
fails at once with the fix.

``NARRATE_GTTS_ENDPOINT`` (or ``endpoint=``) sends the requests to another server with
the same protocol, such as the fake Google that the tests run on 127.0.0.1.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
from gtts import gTTS
from gtts.tts import gTTSError
from pydub import AudioSegment

from narrate.errors import AudioError, EngineError, EngineUnavailable
from narrate.ffmpeg import decode_to_pcm
from narrate.script import TextNeeds

log = logging.getLogger(__name__)

ENDPOINT_ENV = "NARRATE_GTTS_ENDPOINT"
LANG = "ar"
PROBE_TEXT = "مرحبا"
GOOGLE_HOST = "https://translate.google.com"

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

    def __init__(self, cause: str, retry: bool) -> None:
        super().__init__(cause)
        self.cause = cause
        self.retry = retry


class _RedirectedGTTS(gTTS):  # type: ignore[misc]  # gTTS ships no type hints
    """gTTS sending its requests to ``endpoint`` instead of translate.google.<tld>.

    The URL is rewritten on this instance's own prepared requests, so other gTTS
    users in the process (other threads included) are unaffected, as they would not
    be by patching ``gtts.tts._translate_url``. It relies on the private
    ``_prepare_requests`` that ``stream()`` calls; :func:`_endpoint` checks it exists.
    """

    def __init__(self, text: str, *, endpoint: str, **kwargs: Any) -> None:
        super().__init__(text, **kwargs)
        self.narrate_endpoint = endpoint

    def _prepare_requests(self) -> list[requests.PreparedRequest]:
        prepared: list[requests.PreparedRequest] = super()._prepare_requests()
        for request in prepared:
            url = urlsplit(request.url or "")
            query = f"?{url.query}" if url.query else ""
            request.prepare_url(f"{self.narrate_endpoint}{url.path}{query}", None)
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


def _transport_cause(exc: BaseException | None, host: str, timeout: float) -> str:
    """Why a request got no answer at all."""
    if isinstance(exc, requests.Timeout):
        return f"no answer from {host} within {timeout:g} s (timed out)"
    if isinstance(exc, requests.ConnectionError):
        return f"cannot connect to {host} ({_os_reason(exc)})"
    name = type(exc).__name__ if exc is not None else "no response"
    return f"the request to {host} failed ({name})"


class GttsEngine:
    """Google Translate's Arabic voice, one request per chunk of at most 100 characters."""

    name = "gtts"
    text_needs = TextNeeds(max_chars=100, diacritics=False)  # Google's limit; it needs no tashkeel
    sample_rate = 24000

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        retries: int = 4,
        backoff: float = 0.5,
        slow: bool = False,
        endpoint: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Configure requests.

        A failure that may pass is tried again up to ``retries`` more times, after
        waiting ``backoff`` seconds, then twice as long before each further try.
        """
        if timeout <= 0 or retries < 0 or backoff < 0:
            raise ValueError("timeout must be positive, retries and backoff not negative")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.slow = slow
        self.endpoint = _endpoint(endpoint or os.environ.get(ENDPOINT_ENV))
        self._sleep = sleep

    def describe(self) -> str:
        """Engine, library version and voice, e.g. ``gTTS 2.5.4 (lang ar)``."""
        version = importlib.metadata.version("gTTS")
        return f"gTTS {version} (lang {LANG}{', slow' if self.slow else ''})"

    def synthesize(self, text: str) -> AudioSegment:
        """Speak one chunk: mono 16-bit audio at 24 kHz.

        A chunk with no letter or digit (say "؟") has nothing to speak and gives
        empty audio without asking Google. Raises ValueError for a chunk longer than
        :attr:`text_needs`, EngineError for every failure to get its audio.
        """
        if len(text) > self.text_needs.max_chars:
            raise ValueError(
                f"a gTTS chunk holds at most {self.text_needs.max_chars} characters, "
                f"got {len(text)}: split the text with narrate.speech_text first"
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

    def probe(self, timeout: float = 3.0) -> None:
        """Ask Google for one short word, once; raise EngineUnavailable if no audio comes back."""
        try:
            self._request(PROBE_TEXT, timeout)
        except _Failure as failure:
            premise = "did not answer" if failure.retry else "cannot be used"
            raise EngineUnavailable(f"Google TTS {premise}: {failure.cause}") from None

    def _fetch(self, text: str) -> bytes:
        """The MP3 bytes for ``text``, asking again after failures that may pass."""
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._request(text, self.timeout)
            except _Failure as failure:
                if failure.cause == FORBIDDEN:  # the same for every chunk: no need to name it
                    raise EngineError(FORBIDDEN) from None
                if not failure.retry:
                    raise EngineError(f"{failure.cause}; the chunk was {_quote(text)}") from None
                if attempt == attempts:
                    raise EngineError(
                        f"Google TTS failed {attempts} times for {_quote(text)}: {failure.cause}"
                    ) from None
                delay = self.backoff * 2 ** (attempt - 1)
                log.warning(
                    "Google TTS attempt %d of %d failed: %s; retrying in %g s",
                    attempt,
                    attempts,
                    failure.cause,
                    delay,
                )
                self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _request(self, text: str, timeout: float) -> bytes:
        """One gTTS request; raise _Failure saying why it brought no audio."""
        options: dict[str, Any] = {
            "lang": LANG,
            "lang_check": False,  # checking asks Google for its language list first
            "slow": self.slow,
            "timeout": timeout,
            # speech_text has prepared the text; gTTS's English pre-processors must not touch it
            "pre_processor_funcs": [],
        }
        tts = (
            _RedirectedGTTS(text, endpoint=self.endpoint, **options)
            if self.endpoint
            else gTTS(text, **options)
        )
        host = self.endpoint or GOOGLE_HOST
        try:
            data = b"".join(tts.stream())
        except gTTSError as exc:
            if exc.rsp is None:
                # gTTS raises from inside its `except RequestException`: the cause is the context.
                raise _Failure(_transport_cause(exc.__context__, host, timeout), True) from exc
            raise self._status_failure(exc.rsp) from exc
        except requests.RequestException as exc:  # reading the body, outside gTTS's own try
            raise _Failure(_transport_cause(exc, host, timeout), True) from exc
        except ValueError as exc:  # bad base64 or UTF-8 in the answer
            raise _Failure(f"Google's answer cannot be read ({exc})", False) from exc
        if not data:
            raise _Failure(STATUS_CAUSES[200][0], False)
        return data

    @staticmethod
    def _status_failure(response: requests.Response) -> _Failure:
        status = response.status_code
        if status in STATUS_CAUSES:
            return _Failure(*STATUS_CAUSES[status])
        described = f"HTTP {status} {response.reason}".strip()
        if status >= 500:
            return _Failure(f"Google TTS had a server error ({described})", True)
        return _Failure(f"Google TTS refused the request ({described})", False)

    def _audio(self, pcm: bytes) -> AudioSegment:
        return AudioSegment(data=pcm, sample_width=2, frame_rate=self.sample_rate, channels=1)

"""The gTTS engine against a fake Google on 127.0.0.1: real gTTS, real HTTP, real MP3."""

from __future__ import annotations

import email.utils
import importlib.metadata
import itertools
import logging
import random
import re
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import gtts.tts
import pytest
from gtts import gTTS

from narrate import engines
from narrate.engines import Engine, EngineSettings
from narrate.engines.gtts import DEFAULT_CONCURRENCY, ENDPOINT_ENV, SLOW_BELOW_WPM, GttsEngine
from narrate.engines.online import full_jitter, retry_after_seconds
from narrate.errors import EngineError, EngineUnavailable
from narrate.text.normalise import speech_chunks
from tests import fake_google as fake
from tests.fake_google import FakeGoogle, FlakyGoogle, tone_mp3, tone_ms

fake_google = fake.fake_google  # the fixture, under its own name

CHUNK = "في يوم الجمعة، كان التواصل مستمراً مع محافظة حمص."
TOLERANCE_MS = 30  # the tone is encoded to MP3 and decoded back
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")

MakeEngine = Callable[..., GttsEngine]
T = TypeVar("T")

#: A hang guard, in seconds: how long a test waits for something that takes milliseconds to
#: a couple of seconds (ten times the longest) before failing instead of freezing. Tests
#: time nothing against it: the machine may be busy, and slower is not wrong.
HANG_GUARD = 20.0


@pytest.fixture(autouse=True)
def local_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Talk to 127.0.0.1 directly: no proxy, no endpoint from the environment.

    gTTS hands ``urllib.request.getproxies()`` straight to ``Session.send``, which then
    skips requests' NO_PROXY handling, so the proxy variables themselves must go.
    """
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.delenv(ENDPOINT_ENV, raising=False)


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it; records the sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps(clock: FakeClock) -> list[float]:
    return clock.sleeps


@pytest.fixture
def make_engine(clock: FakeClock) -> MakeEngine:
    """An engine on a fake clock: its waits are recorded, not slept.

    Each backoff wait is the top of its jitter range (the random draw is 1.0), so the
    waits are predictable: ``backoff``, then twice that, and so on.
    """

    def make(endpoint: str, **options: object) -> GttsEngine:
        options.setdefault("timeout", 2.0)
        options.setdefault("random", lambda: 1.0)
        return GttsEngine(endpoint=endpoint, sleep=clock.sleep, clock=clock, **options)  # type: ignore[arg-type]

    return make


def real_engine(endpoint: str, **options: object) -> GttsEngine:
    """An engine on the real clock, with short waits, for tests that measure time."""
    options.setdefault("timeout", 2.0)
    options.setdefault("backoff", 0.02)
    return GttsEngine(endpoint=endpoint, **options)  # type: ignore[arg-type]


def speak_all(engine: GttsEngine, chunks: list[str], threads: int = 8) -> list[int]:
    """Synthesize ``chunks`` from ``threads`` threads at once; the audio lengths, in order."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return [len(audio) for audio in pool.map(engine.synthesize, chunks)]


def numbered_chunks(count: int) -> list[str]:
    """``count`` different chunks (their audio lengths differ, so answers cannot be mixed up)."""
    return [f"الفقرة رقم {'ب' * n}" for n in range(1, count + 1)]


@pytest.fixture(scope="module", autouse=True)
def tones() -> None:
    """The fake's MP3s for :func:`numbered_chunks`, made up front (ffmpeg takes ~0.1 s each)
    and in parallel, so that tests timing the engine do not time the fake's encoder."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(tone_mp3, [CHUNK, "مرحبا", *numbered_chunks(16)]))


def guarded(work: Callable[[], T], guard: float = HANG_GUARD) -> T:
    """``work()`` run in a thread of its own: its result, or its exception raised here.

    A hang guard: the test fails if ``work`` has not ended within ``guard`` seconds.
    """
    outcome: list[tuple[bool, object]] = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as exc:  # raised again in the test's thread
            outcome.append((False, exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(guard)
    assert not thread.is_alive(), f"still running after {guard} s (a hang guard)"
    ((ended, value),) = outcome
    if not ended:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]


def wait_until(condition: Callable[[], bool], guard: float = HANG_GUARD) -> None:
    """Wait for ``condition`` to hold; the test fails if it does not within ``guard`` seconds."""
    give_up = time.monotonic() + guard
    while not condition():
        assert time.monotonic() < give_up, f"still waiting after {guard} s (a hang guard)"
        time.sleep(0.01)


class LogWatch(logging.Handler):
    """Sets :attr:`seen` when a record whose message contains ``needle`` is logged."""

    def __init__(self, needle: str) -> None:
        super().__init__(logging.DEBUG)
        self.needle = needle
        self.seen = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.needle in record.getMessage():
            self.seen.set()


def assert_audio_matches(chunks: list[str], lengths: list[int]) -> None:
    for chunk, length in zip(chunks, lengths, strict=True):
        assert abs(length - tone_ms(chunk)) <= TOLERANCE_MS, chunk


@pytest.fixture
def closed_endpoint() -> str:
    """The address of a server that has stopped: connections to it are refused."""
    google = FakeGoogle().start()
    google.close()
    return google.endpoint


def test_speaks_a_chunk(fake_google: FakeGoogle, make_engine: MakeEngine) -> None:
    audio = make_engine(fake_google.endpoint).synthesize(CHUNK)
    assert (audio.channels, audio.sample_width, audio.frame_rate) == (1, 2, 24000)
    assert abs(len(audio) - tone_ms(CHUNK)) <= TOLERANCE_MS
    assert fake_google.requests == [CHUNK]
    assert fake_google.params == [[CHUNK, "ar", None, "null"]]


def test_each_chunk_gets_its_own_audio(fake_google: FakeGoogle, make_engine: MakeEngine) -> None:
    engine = make_engine(fake_google.endpoint)
    text = (
        "بدأت السيطرة التدريجية على رأس السلطة تتراجع في الأيام الأخيرة، وأصبح رئيس الجمهورية "
        "بشار الأسد يواجه عزلة سياسية غير مسبوقة. لم تكن الأزمة أزمة نظام فحسب!! بل لحظة مفصلية "
        "في علاقة الدولة بمواطنيها ؟"
    )
    chunks = speech_chunks(text, engine.text_needs.max_chars)
    assert len(chunks) >= 2
    lengths = [len(engine.synthesize(chunk)) for chunk in chunks]
    assert fake_google.requests == chunks
    for chunk, length in zip(chunks, lengths, strict=True):
        assert abs(length - tone_ms(chunk)) <= TOLERANCE_MS


def test_gtts_preprocessors_leave_the_text_alone(
    fake_google: FakeGoogle, make_engine: MakeEngine
) -> None:
    # gTTS's default pre-processors would add a space after "!" and drop the "." of "Dr."
    chunk = "Dr. Smith!قال"
    make_engine(fake_google.endpoint).synthesize(chunk)
    assert fake_google.requests == [chunk]


def test_slow_speech(fake_google: FakeGoogle, make_engine: MakeEngine) -> None:
    engine = make_engine(fake_google.endpoint, slow=True)
    engine.synthesize("مرحبا")
    assert fake_google.params == [["مرحبا", "ar", True, "null"]]
    assert engine.describe().endswith("(lang ar, slow)")


def test_describe() -> None:
    version = importlib.metadata.version("gTTS")
    assert GttsEngine().describe() == f"gTTS {version} (lang ar)"


def test_is_an_engine() -> None:
    engine: Engine = GttsEngine()
    assert (engine.name, engine.text_needs.max_chars, engine.sample_rate) == ("gtts", 100, 24000)


def test_rate_limit_is_retried_with_growing_waits(
    fake_google: FakeGoogle,
    make_engine: MakeEngine,
    sleeps: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_google.fail_next(429, 2)
    with caplog.at_level(logging.WARNING, logger="narrate.engines.gtts"):
        audio = make_engine(fake_google.endpoint, backoff=0.5).synthesize(CHUNK)
    assert abs(len(audio) - tone_ms(CHUNK)) <= TOLERANCE_MS
    assert fake_google.requests == [CHUNK] * 3
    assert sleeps == [0.5, 1.0]
    assert len(caplog.records) == 2
    assert "HTTP 429" in caplog.records[0].getMessage()


def test_server_error_is_retried(
    fake_google: FakeGoogle, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    fake_google.fail_next(503)
    make_engine(fake_google.endpoint, backoff=0.25).synthesize(CHUNK)
    assert len(fake_google.requests) == 2
    assert sleeps == [0.25]


def test_forbidden_fails_at_once_with_the_fix(
    fake_google: FakeGoogle, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    fake_google.set_mode("403")
    with pytest.raises(EngineError) as caught:
        make_engine(fake_google.endpoint).synthesize(CHUNK)
    assert str(caught.value) == (
        "Google refused the request (HTTP 403): gTTS is probably out of date; "
        "upgrade it with `pip install --upgrade gTTS`"
    )
    assert len(fake_google.requests) == 1
    assert sleeps == []


def test_other_client_errors_are_not_retried(
    fake_google: FakeGoogle, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    fake_google.fail_next(400)
    with pytest.raises(EngineError, match=r"refused the request \(HTTP 400 Bad Request\)"):
        make_engine(fake_google.endpoint).synthesize(CHUNK)
    assert len(fake_google.requests) == 1
    assert sleeps == []


def test_retries_run_out(
    fake_google: FakeGoogle, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    fake_google.fail_next(503, 10)
    with pytest.raises(EngineError) as caught:
        make_engine(fake_google.endpoint, retries=3, backoff=1.0).synthesize(CHUNK)
    message = str(caught.value)
    assert "failed 4 times" in message
    assert "HTTP 503 Service Unavailable" in message
    assert len(fake_google.requests) == 4
    assert sleeps == [1.0, 2.0, 4.0]


@pytest.mark.parametrize("mode", ["no-audio", "empty"])
def test_an_answer_without_audio_fails(
    fake_google: FakeGoogle, make_engine: MakeEngine, mode: str
) -> None:
    fake_google.set_mode(mode)  # type: ignore[arg-type]
    with pytest.raises(EngineError) as caught:
        make_engine(fake_google.endpoint).synthesize(CHUNK)
    assert str(caught.value) == (
        f'Google answered without audio (gTTS may be out of date); the chunk was "{CHUNK[:30]}…"'
    )
    assert len(fake_google.requests) == 1


@pytest.mark.parametrize(
    ("mode", "message"),
    [("garbled", "cannot be decoded: ffmpeg failed"), ("bad-base64", "answer cannot be read")],
)
def test_garbled_audio_fails(
    fake_google: FakeGoogle, make_engine: MakeEngine, mode: str, message: str
) -> None:
    fake_google.set_mode(mode)  # type: ignore[arg-type]
    with pytest.raises(EngineError, match=message):
        make_engine(fake_google.endpoint).synthesize(CHUNK)
    assert len(fake_google.requests) == 1


def test_refused_connection_is_retried_then_fails(
    closed_endpoint: str, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    with pytest.raises(EngineError) as caught:
        make_engine(closed_endpoint, retries=2).synthesize(CHUNK)
    message = str(caught.value)
    assert f"cannot connect to {closed_endpoint} (Connection refused)" in message
    assert "failed 3 times" in message
    assert sleeps == [0.5, 1.0]


def test_a_hung_server_times_out(make_engine: MakeEngine, sleeps: list[float]) -> None:
    with FakeGoogle() as google:
        google.set_mode("hang")
        engine = make_engine(google.endpoint, timeout=0.2, retries=1)
        started = time.monotonic()
        # The server never answers: only the 0.2 s timeout can end each try (a hang guard
        # fails the test if nothing does), and each try waits it out on the wall clock.
        with pytest.raises(EngineError, match=r"no answer from .* within 0\.2 s \(timed out\)"):
            guarded(lambda: engine.synthesize(CHUNK))
        assert time.monotonic() - started >= 2 * 0.2
        assert len(google.requests) == 2
        assert [e.status for e in google.exchanges] == [None, None]  # neither was answered
    assert sleeps == [0.5]


def test_probe(fake_google: FakeGoogle) -> None:
    GttsEngine(endpoint=fake_google.endpoint).probe()
    assert fake_google.requests == ["مرحبا"]


def test_probe_a_closed_port_fails_fast(closed_endpoint: str, sleeps: list[float]) -> None:
    """The refusal ends the probe: no retry, no wait; not the end of its (long) timeout."""
    engine = GttsEngine(endpoint=closed_endpoint, sleep=sleeps.append)
    probe_timeout = 10 * HANG_GUARD  # so ending within the hang guard means not waiting it out
    with pytest.raises(EngineUnavailable, match=r"^Google TTS did not answer: cannot connect"):
        guarded(lambda: engine.probe(timeout=probe_timeout))
    assert sleeps == []


def test_probe_does_not_retry(fake_google: FakeGoogle, sleeps: list[float]) -> None:
    fake_google.fail_next(503, 5)
    engine = GttsEngine(endpoint=fake_google.endpoint, sleep=sleeps.append)
    with pytest.raises(EngineUnavailable, match=r"did not answer: .*HTTP 503"):
        engine.probe()
    assert len(fake_google.requests) == 1
    assert sleeps == []


def test_probe_forbidden(fake_google: FakeGoogle) -> None:
    fake_google.set_mode("403")
    with pytest.raises(EngineUnavailable, match=r"cannot be used: .*upgrade gTTS"):
        GttsEngine(endpoint=fake_google.endpoint).probe()


def test_probe_a_hung_server_times_out() -> None:
    with FakeGoogle() as google:
        google.set_mode("hang")
        engine = GttsEngine(endpoint=google.endpoint)
        started = time.monotonic()
        # The server never answers: only the probe's 0.2 s timeout can end it (a hang guard
        # fails the test if nothing does); the default probe timeout is 3 s.
        with pytest.raises(EngineUnavailable, match=r"within 0\.2 s \(timed out\)"):
            guarded(lambda: engine.probe(timeout=0.2))
        assert time.monotonic() - started >= 0.2
        assert len(google.requests) == 1


def test_a_chunk_over_100_characters_is_refused(
    fake_google: FakeGoogle, make_engine: MakeEngine
) -> None:
    engine = make_engine(fake_google.endpoint)
    with pytest.raises(ValueError, match="at most 100 characters, got 101"):
        engine.synthesize("ب" * 101)
    assert fake_google.requests == []
    engine.synthesize("ب" * 100)
    assert fake_google.requests == ["ب" * 100]


@pytest.mark.parametrize("chunk", ["", "؟", "…!", " ، "])
def test_a_chunk_with_nothing_to_say_is_silent(
    fake_google: FakeGoogle, make_engine: MakeEngine, chunk: str
) -> None:
    audio = make_engine(fake_google.endpoint).synthesize(chunk)
    assert len(audio) == 0
    assert audio.frame_rate == 24000
    assert fake_google.requests == []


def test_endpoint_from_the_environment(
    fake_google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, fake_google.endpoint + "/")
    GttsEngine().synthesize("مرحبا")
    assert fake_google.requests == ["مرحبا"]


@pytest.mark.parametrize("endpoint", ["127.0.0.1:8765", "ftp://127.0.0.1", "http://"])
def test_a_bad_endpoint_is_rejected(endpoint: str) -> None:
    with pytest.raises(EngineError, match=f"must be an http\\(s\\) URL .*{endpoint!r}"):
        GttsEngine(endpoint=endpoint)


def test_the_endpoint_does_not_leak_into_other_gtts_users(
    fake_google: FakeGoogle, make_engine: MakeEngine
) -> None:
    make_engine(fake_google.endpoint).synthesize("مرحبا")
    assert gtts.tts._translate_url(tld="com", path="x") == "https://translate.google.com/x"
    (request,) = gTTS("مرحبا", lang="ar", lang_check=False)._prepare_requests()
    assert request.url == "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"


# --- Many threads, one engine -----------------------------------------------------------------


def test_an_engine_for_threads() -> None:
    engine = GttsEngine()
    assert engine.parallel == "threads"
    assert engine.concurrency == DEFAULT_CONCURRENCY == 4
    assert GttsEngine(concurrency=16).concurrency == 16


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"concurrency": 0}, "between 1 and 16, not 0"),
        ({"concurrency": 17}, "between 1 and 16, not 17"),
        ({"requests_per_second": 0}, "must be positive, not 0"),
        ({"timeout": 0}, "timeout must be positive"),
        ({"backoff_cap": -1}, "not negative"),
    ],
)
def test_bad_settings_are_refused(options: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GttsEngine(**options)  # type: ignore[arg-type]


def test_concurrency_bounds_the_requests_in_flight() -> None:
    chunks = numbered_chunks(16)
    with FakeGoogle(latency=0.15) as google:
        engine = real_engine(google.endpoint, concurrency=3, requests_per_second=100)
        started = time.monotonic()
        lengths = speak_all(engine, chunks, threads=8)
        elapsed = time.monotonic() - started
        assert google.max_in_flight == 3  # never more, and the three slots were really used
    assert_audio_matches(chunks, lengths)
    assert sorted(google.requests) == sorted(chunks)
    assert elapsed >= 16 * 0.15 / 3  # no more than 3 at a time, however many threads ask


def test_one_limiter_spaces_the_requests_of_all_threads() -> None:
    chunks = numbered_chunks(10)
    with FakeGoogle() as google:
        engine = real_engine(google.endpoint, concurrency=8, requests_per_second=10)
        lengths = speak_all(engine, chunks, threads=8)
    assert_audio_matches(chunks, lengths)
    arrivals = google.arrivals
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    # Connecting takes a little longer for some than for others, and on a busy machine one
    # request may be held up on its way out until the next has caught up with it; unlimited,
    # the eight threads' first requests would arrive within milliseconds of each other.
    assert sum(gap < 0.1 - 0.04 for gap in gaps) <= 1, gaps
    assert arrivals[-1] - arrivals[0] >= 9 * 0.1 - 0.05


def test_a_429_burst_with_retry_after_holds_every_thread_back() -> None:
    chunks = numbered_chunks(8)
    with FakeGoogle(latency=0.05) as google:
        google.fail_next(429, 3, retry_after="1")
        engine = real_engine(google.endpoint, concurrency=4, requests_per_second=50)
        started = time.monotonic()
        lengths = speak_all(engine, chunks, threads=8)
        elapsed = time.monotonic() - started
    assert_audio_matches(chunks, lengths)
    exchanges = google.exchanges
    assert [e.status for e in exchanges].count(429) == 3
    first_429 = min(e.answered for e in exchanges if e.status == 429 and e.answered is not None)
    # Requests the client had sent before it read the 429 may still arrive just after it;
    # then nobody starts anything during the second Google asked for.
    arrivals = [e.arrived for e in exchanges]
    assert [t for t in arrivals if first_429 + 0.2 < t < first_429 + 1.0 - 0.01] == []
    assert len([t for t in arrivals if t >= first_429 + 1.0 - 0.01]) >= 3 + 1
    assert elapsed >= 1.0
    assert sorted(e.text for e in exchanges if e.status == 200) == sorted(chunks)


@pytest.mark.parametrize(("status", "waits"), [(429, [0.0, 0.5]), (503, [0.0, 0.001])])
def test_a_429_without_retry_after_still_cools_everyone_down(
    fake_google: FakeGoogle,
    make_engine: MakeEngine,
    sleeps: list[float],
    status: int,
    waits: list[float],
) -> None:
    # The jitter draws 0: the 429's own retry would go at once, but the shared cool-down
    # (the full backoff step) holds it back; after a 503 only the limiter's spacing does.
    fake_google.fail_next(status)
    engine = make_engine(
        fake_google.endpoint, random=lambda: 0.0, backoff=0.5, requests_per_second=1000
    )
    engine.synthesize(CHUNK)
    assert sleeps == pytest.approx(waits)


def test_retry_after_is_honoured_on_server_errors_up_to_the_cap(
    fake_google: FakeGoogle, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    fake_google.fail_next(503, retry_after="2")
    fake_google.fail_next(429, retry_after="5")
    make_engine(fake_google.endpoint, backoff=0.1, retry_after_cap=5).synthesize(CHUNK)
    assert sleeps == [2.0, 5.0]
    assert len(fake_google.requests) == 3


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_a_retry_after_over_the_cap_fails_every_thread_at_once(
    fake_google: FakeGoogle, make_engine: MakeEngine, sleeps: list[float], form: str
) -> None:
    """Waiting hours is not a build; asking again sooner is hammering: say so and stop."""
    when = email.utils.formatdate(time.time() + 7200, usegmt=True)
    fake_google.fail_next(429, retry_after="7200" if form == "seconds" else when)
    engine = make_engine(fake_google.endpoint, retries=4)
    with pytest.raises(EngineError) as caught:
        engine.synthesize(CHUNK)
    # The date has whole seconds, and a moment passes before it is read.
    message = re.sub(r"wait 7(19\d|200) s", "wait 7200 s", str(caught.value))
    assert message == (
        "Google asks to wait 7200 s before the next request; try again later or use --engine espeak"
    )
    assert sleeps == []
    assert len(fake_google.requests) == 1
    # Another thread, or the next chunk, does not ask Google again either.
    with pytest.raises(EngineError, match=r"^Google asks to wait \d+ s before the next request"):
        engine.synthesize("مرحبا")
    assert sleeps == []
    assert len(fake_google.requests) == 1


def test_retry_after_as_an_http_date(
    fake_google: FakeGoogle, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    fake_google.fail_next(429, retry_after=email.utils.formatdate(time.time() + 10, usegmt=True))
    make_engine(fake_google.endpoint, backoff=0.1).synthesize(CHUNK)
    (wait,) = sleeps
    assert 8.5 <= wait <= 10.0  # the date has whole seconds


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("1", 1.0),
        (" 7 ", 7.0),
        ("120", 120.0),  # not cut short: the engine decides what to do with a long wait
        ("Thu, 01 Jan 1970 00:01:40 GMT", 40.0),
        ("Thu, 01 Jan 1970 00:00:30 GMT", 0.0),  # already past
        ("Thu, 01 Jan 1970 01:00:00 GMT", 3540.0),
        ("-5", None),
        ("1.5", None),
        ("tomorrow", None),
        ("Thu, 01 Jan 1970 00:01:40", None),  # no zone: not an HTTP date
        ("", None),
        (None, None),
    ],
)
def test_retry_after_values(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=60.0) == seconds


def test_intermittent_server_errors_do_not_lose_chunks() -> None:
    chunks = numbered_chunks(12)
    with FakeGoogle() as google:
        google.fail_every(3, 503)
        engine = real_engine(google.endpoint, concurrency=4, requests_per_second=200)
        lengths = speak_all(engine, chunks, threads=4)
    assert_audio_matches(chunks, lengths)
    statuses = [e.status for e in google.exchanges]
    assert statuses.count(503) == len(statuses) // 3 >= 4
    assert sorted(e.text for e in google.exchanges if e.status == 200) == sorted(chunks)


def test_a_hung_connection_is_retried_when_the_server_recovers(
    make_engine: MakeEngine, sleeps: list[float]
) -> None:
    with FakeGoogle() as google:
        google.hang_next()
        engine = make_engine(google.endpoint, timeout=0.3, retries=2)
        started = time.monotonic()
        # The hung request never ends on its own: only its timeout lets the retry go (a hang
        # guard fails the test if nothing does), after waiting 0.3 s on the wall clock.
        audio = guarded(lambda: engine.synthesize(CHUNK))
        elapsed = time.monotonic() - started
        assert [(e.text, e.status) for e in google.exchanges] == [(CHUNK, None), (CHUNK, 200)]
        assert google.in_flight == 1  # the hung one, until the server closes
    assert abs(len(audio) - tone_ms(CHUNK)) <= TOLERANCE_MS
    assert elapsed >= 0.3
    assert sleeps == [0.5]  # one backoff on the engine's clock: one retry


def test_closing_the_fake_lets_hung_requests_go_at_once() -> None:
    google = FakeGoogle().start()
    google.set_mode("hang")
    engine = real_engine(google.endpoint, timeout=10.0, retries=0)
    failures: list[EngineError] = []

    def speak() -> None:
        try:
            engine.synthesize(CHUNK)
        except EngineError as exc:
            failures.append(exc)

    client = threading.Thread(target=speak)
    client.start()
    wait_until(lambda: google.in_flight >= 1)
    guarded(google.close)  # closing waits for no hung handler (a hang guard)
    client.join(timeout=HANG_GUARD)
    assert not client.is_alive()
    # The dropped connection is a clear error, not a hang; and the close let the request go,
    # not its 10 s timeout ("no answer ... within 10 s (timed out)" otherwise).
    (failure,) = failures
    assert str(failure).startswith("Google TTS failed once")
    assert str(failure).endswith(f"{google.endpoint} closed the connection without answering")


@pytest.mark.parametrize("mode", ["no-audio", "bad-base64"])
def test_one_bad_answer_is_not_retried(
    fake_google: FakeGoogle, make_engine: MakeEngine, sleeps: list[float], mode: str
) -> None:
    fake_google.answer_next(mode)  # type: ignore[arg-type]
    with pytest.raises(EngineError):
        make_engine(fake_google.endpoint).synthesize(CHUNK)
    assert len(fake_google.requests) == 1
    assert sleeps == []
    make_engine(fake_google.endpoint).synthesize(CHUNK)  # the next answer is audio again


# --- The build's deadline ----------------------------------------------------------------------


def test_a_passed_deadline_starts_no_request(fake_google: FakeGoogle) -> None:
    engine = real_engine(fake_google.endpoint)
    engine.set_deadline(time.monotonic() - 1, budget=120)
    with pytest.raises(EngineError) as caught:
        engine.synthesize(CHUNK)
    assert str(caught.value) == (
        f'the build\'s deadline of 120 s passed before Google TTS spoke "{CHUNK[:30]}…"'
    )
    assert fake_google.requests == []


def test_no_backoff_sleeps_past_the_deadline(
    fake_google: FakeGoogle, make_engine: MakeEngine, clock: FakeClock, sleeps: list[float]
) -> None:
    fake_google.fail_next(503)
    engine = make_engine(fake_google.endpoint, backoff=8.0, deadline=clock() + 5)
    with pytest.raises(EngineError) as caught:
        engine.synthesize(CHUNK)
    assert str(caught.value) == (
        "the build's deadline of 5 s would pass while waiting 8 s to ask Google TTS again "
        f'for "{CHUNK[:30]}…" (the last try: Google TTS had a server error '
        "(HTTP 503 Service Unavailable))"
    )
    assert sleeps == []


def test_the_deadline_stops_retries(
    fake_google: FakeGoogle, make_engine: MakeEngine, clock: FakeClock, sleeps: list[float]
) -> None:
    """On the engine's clock, which moves only by its waits: no wait goes past the deadline,
    and the retries stop there rather than after the hundred allowed."""
    fake_google.set_mode("empty")  # not retried: make every request fail another way
    fake_google.fail_every(1, 503)
    engine = make_engine(fake_google.endpoint, retries=100, backoff=0.05, backoff_cap=0.1)
    engine.set_deadline(clock() + 0.6)
    with pytest.raises(EngineError) as caught:
        engine.synthesize(CHUNK)
    assert sum(sleeps) <= 0.6
    message = str(caught.value)
    assert message.startswith("the build's deadline of 0.6 s ")
    assert message.endswith(
        "(the last try: Google TTS had a server error (HTTP 503 Service Unavailable))"
    )
    assert 3 <= len(fake_google.requests) < 100


def test_the_deadline_cuts_a_hung_request_short(
    fake_google: FakeGoogle, make_engine: MakeEngine, clock: FakeClock
) -> None:
    """The request is given the 0.4 s the deadline leaves (on the engine's clock, which does not
    move while it waits), not its own 30 s timeout; nothing is retried."""
    fake_google.set_mode("hang")
    engine = make_engine(fake_google.endpoint, timeout=30.0, deadline=clock() + 0.4)
    started = time.monotonic()
    with pytest.raises(
        EngineError, match=r"deadline of 0\.4 s passed .*within 0\.4 s \(timed out\)"
    ):
        engine.synthesize(CHUNK)
    assert time.monotonic() - started < 20  # a hang guard: the request's own timeout is 30 s
    assert len(fake_google.requests) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_no_wait_sleeps_past_the_deadline(
    fake_google: FakeGoogle,
    make_engine: MakeEngine,
    clock: FakeClock,
    sleeps: list[float],
    status: int,
) -> None:
    """A Retry-After (on a 429 or a 503) past the build's deadline fails at once."""
    fake_google.fail_next(status, retry_after="30")
    engine = make_engine(fake_google.endpoint, deadline=clock() + 5)
    with pytest.raises(EngineError) as caught:
        engine.synthesize(CHUNK)
    assert str(caught.value) == (
        "Google asks to wait 30 s before the next request, longer than the build's deadline "
        "of 5 s allows; try again later or use --engine espeak"
    )
    assert sleeps == []
    # Every other thread is cooling down for 30 s too: it fails at once, asking nothing.
    with pytest.raises(EngineError, match="deadline of 5 s passed before Google TTS spoke"):
        engine.synthesize("مرحبا")
    assert sleeps == []
    assert len(fake_google.requests) == 1


# --- Jitter -------------------------------------------------------------------------------------


def test_backoff_waits_are_jittered_and_capped(
    fake_google: FakeGoogle, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    fake_google.fail_next(503, 5)
    engine = make_engine(
        fake_google.endpoint,
        retries=5,
        backoff=0.1,
        backoff_cap=0.3,
        random=random.Random(11).random,
        requests_per_second=1e6,
    )
    engine.synthesize(CHUNK)
    draws = random.Random(11)
    ceilings = [0.1, 0.2, 0.3, 0.3, 0.3]
    assert sleeps == pytest.approx([ceiling * draws.random() for ceiling in ceilings])
    assert all(0 <= wait <= ceiling for wait, ceiling in zip(sleeps, ceilings, strict=True))
    assert len(set(sleeps)) == 5  # not one fixed wait


def test_full_jitter_grows_in_expectation_up_to_the_cap() -> None:
    draw = random.Random(7).random
    means = []
    for attempt in range(1, 8):
        waits = [full_jitter(attempt, 0.5, 8.0, draw) for _ in range(3000)]
        ceiling = min(8.0, 0.5 * 2 ** (attempt - 1))
        assert min(waits) >= 0
        assert max(waits) <= ceiling
        assert statistics.mean(waits) == pytest.approx(ceiling / 2, rel=0.06)
        means.append(statistics.mean(waits))
    assert means[:5] == sorted(means[:5])  # 0.25, 0.5, 1, 2, 4 on average; then capped at 8
    assert means[4] < means[5] == pytest.approx(means[6], rel=0.06)


# --- Identity and availability ------------------------------------------------------------------


def test_identity() -> None:
    version = importlib.metadata.version("gTTS")
    assert GttsEngine().identity() == {
        "engine": "gtts",
        "library": f"gTTS {version}",
        "lang": "ar",
        "slow": "0",
        "tld": "com",
    }
    # Google's own address is the default, not a different voice
    assert (
        GttsEngine(endpoint="https://translate.google.com/").identity() == GttsEngine().identity()
    )


def test_identity_changes_with_what_changes_the_audio(fake_google: FakeGoogle) -> None:
    google = GttsEngine().identity()
    assert GttsEngine(slow=True).identity() == {**google, "slow": "1"}
    assert GttsEngine(endpoint=fake_google.endpoint + "/").identity() == {
        **google,
        "endpoint": fake_google.endpoint,
    }
    # how the audio is fetched is not part of it
    fetching = GttsEngine(timeout=1, retries=0, concurrency=9, requests_per_second=1)
    assert fetching.identity() == google


def test_status_when_google_answers(
    fake_google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, fake_google.endpoint)
    assert GttsEngine(endpoint=fake_google.endpoint).probe() == "Google TTS answered"
    assert GttsEngine.status().usable
    fake_google.set_mode("403")
    status = GttsEngine.status()
    assert not status.usable and status.reason is not None
    assert status.reason.startswith(
        "Google TTS cannot be used: Google refused the request (HTTP 403)"
    )


def test_status_when_google_does_not(closed_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, closed_endpoint)
    status = GttsEngine.status()
    assert (status.usable, status.reason) == (
        False,
        f"Google TTS did not answer: cannot connect to {closed_endpoint} (Connection refused)",
    )
    monkeypatch.setenv(ENDPOINT_ENV, "translate.example")
    status = GttsEngine.status()
    assert not status.usable and status.reason is not None
    assert status.reason.startswith(
        "the gTTS endpoint (NARRATE_GTTS_ENDPOINT) must be an http(s) URL"
    )
    assert status.detail == "Google Translate's Arabic voice, online"


# --- Under pressure: trickled answers, resets, cancelling ---------------------------------------


def test_an_answer_trickled_out_times_out_on_the_wall_clock() -> None:
    """gTTS's timeout bounds each read of the socket; a byte every 0.2 s never trips it."""
    with FakeGoogle(drip_interval=0.2) as google:
        google.set_mode("drip")
        engine = real_engine(google.endpoint, timeout=1.0, retries=1, backoff=0.01)
        started = time.monotonic()
        # Trickled out, the answer would take hours: only the engine's wall-clock timeout
        # ends each try (a hang guard fails the test if nothing does), after 1 s.
        with pytest.raises(EngineError) as caught:
            guarded(lambda: engine.synthesize(CHUNK))
        elapsed = time.monotonic() - started
        assert str(caught.value) == (
            f'Google TTS failed 2 times for "{CHUNK[:30]}…": '
            f"no answer from {google.endpoint} within 1 s (timed out)"
        )
        assert elapsed >= 2 * 1.0
        assert google.requests == [CHUNK, CHUNK]
        # The requests given up on stop reading (their sockets are shut down): the fake
        # sees its client go, rather than trickling on for the hours the answer would take.
        wait_until(lambda: google.in_flight == 0)
        assert [e.status for e in google.exchanges] == [None, None]


def test_a_trickled_answer_is_retried_like_a_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with FakeGoogle(drip_interval=0.2) as google:
        google.answer_next("drip")
        engine = real_engine(google.endpoint, timeout=0.6, retries=2, backoff=0.01)
        started = time.monotonic()
        # The first answer would take hours: only the 0.6 s timeout lets the retry go (a
        # hang guard fails the test if nothing does).
        with caplog.at_level(logging.WARNING, logger="narrate.engines.gtts"):
            audio = guarded(lambda: engine.synthesize(CHUNK))
        elapsed = time.monotonic() - started
        assert google.requests == [CHUNK, CHUNK]
    assert abs(len(audio) - tone_ms(CHUNK)) <= TOLERANCE_MS
    assert elapsed >= 0.6
    (warning,) = [record.getMessage() for record in caplog.records]
    assert warning.startswith(
        f"Google TTS attempt 1 of 3 failed: no answer from {google.endpoint} within 0.6 s"
    )


def test_connection_resets_are_retried_and_named(
    make_engine: MakeEngine, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    with FlakyGoogle() as google:
        google.reset_next(2)
        engine = make_engine(google.endpoint, backoff=0.25)
        with caplog.at_level(logging.WARNING, logger="narrate.engines.gtts"):
            audio = engine.synthesize(CHUNK)
        assert (google.resets, google.attempts) == (2, 3)
    assert abs(len(audio) - tone_ms(CHUNK)) <= TOLERANCE_MS
    assert sleeps == [0.25, 0.5]
    reset = f"the connection to {google.endpoint} was reset (Connection reset by peer)"
    assert [record.getMessage() for record in caplog.records] == [
        f"Google TTS attempt 1 of 5 failed: {reset}; retrying in 0.25 s",
        f"Google TTS attempt 2 of 5 failed: {reset}; retrying in 0.50 s",
    ]


def test_resets_that_go_on_fail_with_the_reset_named(
    make_engine: MakeEngine, sleeps: list[float]
) -> None:
    with FlakyGoogle() as google:
        google.reset_next(10)
        with pytest.raises(EngineError) as caught:
            make_engine(google.endpoint, retries=2).synthesize(CHUNK)
        assert google.resets == 3
    assert str(caught.value) == (
        f'Google TTS failed 3 times for "{CHUNK[:30]}…": '
        f"the connection to {google.endpoint} was reset (Connection reset by peer)"
    )


def test_audio_is_synthesized_to_memory_never_saved_by_gtts(
    fake_google: FakeGoogle, make_engine: MakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gTTS.save() leaves a truncated file where a request fails half-way; narrate keeps the
    answer in memory and the synthesis cache writes it atomically."""

    def refuse(self: gTTS, *args: object, **kwargs: object) -> None:
        raise AssertionError("gTTS must not write the audio itself")

    monkeypatch.setattr(gTTS, "save", refuse)
    monkeypatch.setattr(gTTS, "write_to_fp", refuse)
    audio = make_engine(fake_google.endpoint).synthesize(CHUNK)
    assert abs(len(audio) - tone_ms(CHUNK)) <= TOLERANCE_MS


@pytest.mark.parametrize(
    ("rate_wpm", "slow", "speed"),
    [(None, False, None), (80, True, True), (129, True, True), (130, False, None),
     (180, False, None)],
)  # fmt: skip
def test_a_slow_rate_asks_google_for_its_slow_voice(
    fake_google: FakeGoogle,
    monkeypatch: pytest.MonkeyPatch,
    rate_wpm: int | None,
    slow: bool,
    speed: bool | None,
) -> None:
    """Google has two paces: ``--rate`` under 130 words a minute picks the slow one."""
    assert SLOW_BELOW_WPM == 130
    monkeypatch.setenv(ENDPOINT_ENV, fake_google.endpoint)
    engine = engines.make_engine("gtts", EngineSettings(rate_wpm=rate_wpm))
    assert isinstance(engine, GttsEngine)
    assert engine.slow is slow
    assert engine.identity()["slow"] == ("1" if slow else "0")  # another voice in the cache
    engine.synthesize("مرحبا")
    assert fake_google.params == [["مرحبا", "ar", speed, "null"]]


def test_cancel_stops_threads_waiting_on_hung_requests_at_once() -> None:
    chunks = numbered_chunks(6)
    with FakeGoogle() as google:
        google.set_mode("hang")
        engine = real_engine(google.endpoint, timeout=30.0, concurrency=3, requests_per_second=100)
        failures: list[str] = []

        def speak(chunk: str) -> None:
            try:
                engine.synthesize(chunk)
            except EngineError as exc:
                failures.append(str(exc))

        threads = [threading.Thread(target=speak, args=(chunk,)) for chunk in chunks]
        for thread in threads:
            thread.start()
        wait_until(lambda: google.in_flight >= 3)
        engine.cancel()
        # A hang guard, well under the requests' 30 s timeout: only the cancel can end them
        # before it (the hung server answers nothing until it closes, after the test).
        give_up = time.monotonic() + HANG_GUARD
        for thread in threads:
            thread.join(timeout=max(0.0, give_up - time.monotonic()))
        assert not any(thread.is_alive() for thread in threads)
        assert engine.cancelled
        assert len(google.requests) == 3  # those waiting for a slot asked nothing
        assert len(failures) == 6
        assert all(f.startswith("Google TTS was stopped before it spoke") for f in failures)
        # A cancelled engine asks Google nothing more.
        with pytest.raises(EngineError, match="was stopped before it spoke"):
            engine.synthesize(CHUNK)
        assert len(google.requests) == 3


@pytest.mark.parametrize("wait", ["backoff", "retry-after"])
def test_cancel_cuts_a_wait_before_a_retry_short(
    fake_google: FakeGoogle, wait: str, caplog: pytest.LogCaptureFixture
) -> None:
    if wait == "backoff":
        fake_google.fail_next(503)
    else:
        fake_google.fail_next(429, retry_after="30")
    # Both waits are 30 s (the backoff's cap too: by default it is 8 s).
    engine = GttsEngine(
        endpoint=fake_google.endpoint, backoff=30.0, backoff_cap=30.0, random=lambda: 1.0
    )
    failures: list[EngineError] = []

    def speak() -> None:
        try:
            engine.synthesize(CHUNK)
        except EngineError as exc:
            failures.append(exc)

    # The engine logs the retry just before it starts its 30 s wait: cancelled from then on,
    # the thread is in that wait or about to be, and the cancel must end it either way.
    waiting = LogWatch("retrying in 30.00 s")
    gtts_log = logging.getLogger("narrate.engines.gtts")
    with caplog.at_level(logging.WARNING, logger=gtts_log.name):
        gtts_log.addHandler(waiting)
        try:
            thread = threading.Thread(target=speak)
            thread.start()
            assert waiting.seen.wait(HANG_GUARD)
        finally:
            gtts_log.removeHandler(waiting)
        engine.cancel()
        # A hang guard, well under the 30 s wait: only the cancel can end it this soon.
        thread.join(timeout=HANG_GUARD)
    assert not thread.is_alive()
    (failure,) = failures
    assert str(failure) == f'Google TTS was stopped before it spoke "{CHUNK[:30]}…"'
    assert len(fake_google.requests) == 1

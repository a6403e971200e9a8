"""The edge engine against a fake Microsoft Edge on 127.0.0.1: the real edge-tts client, a real
websocket, real speech in real MP3, real word boundaries."""

from __future__ import annotations

import doctest
import importlib.metadata
import itertools
import logging
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import edge_tts.communicate
import numpy as np
import pytest

import narrate.engines.edge
import narrate.engines.online
from narrate import engines
from narrate.engines import Engine, EngineSettings
from narrate.engines.edge import (
    DEFAULT_VOICE,
    ENDPOINT_ENV,
    FORBIDDEN,
    MICROSOFT_WSS_URL,
    NOMINAL_WPM,
    EdgeEngine,
    _Boundary,
    decoder_delay_ms,
    edge_voices,
    word_timings,
)
from narrate.errors import EngineError, EngineUnavailable
from narrate.ffmpeg import decode_to_pcm, run_ffmpeg
from tests import fake_edge as fake
from tests.fake_edge import FakeEdge, speech, spoken_words
from tests.unit.engines.test_gtts_engine import FakeClock, LogWatch, guarded, wait_until

fake_edge = fake.fake_edge  # the fixture, under its own name

CHUNK = "في يوم الجمعة، كان التواصل مستمراً مع محافظة حمص."
QUOTED = f'"{CHUNK[:30]}…"'
#: How far a word timing may be from when the fake said the word: the times are rounded to
#: whole milliseconds, and the resampler and MP3 coding blur an onset by a sample or two.
TIMING_MS = 3
#: The MP3 stream's delay before the first sound (see narrate.engines.edge).
DELAY_MS = 1000 * (576 + 529) / 24000
HANG_GUARD = 20.0
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "ws_proxy", "wss_proxy")

MakeEngine = Callable[..., EdgeEngine]
T = TypeVar("T")


@pytest.fixture(autouse=True)
def local_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Talk to 127.0.0.1 directly (edge-tts's aiohttp session trusts the proxy variables), and
    never to Microsoft: an engine without an endpoint goes to a port nothing listens on."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{_closed_port()}{fake.PATH}")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps(clock: FakeClock) -> list[float]:
    return clock.sleeps


@pytest.fixture
def make_engine(clock: FakeClock) -> MakeEngine:
    """An engine on a fake clock: its waits are recorded, not slept; each backoff wait is the
    top of its jitter range (``backoff``, then twice that, ...)."""

    def make(endpoint: str, **options: object) -> EdgeEngine:
        options.setdefault("timeout", 5.0)
        options.setdefault("random", lambda: 1.0)
        options.setdefault("backoff", 0.5)
        return EdgeEngine(endpoint=endpoint, sleep=clock.sleep, clock=clock, **options)  # type: ignore[arg-type]

    return make


def real_engine(endpoint: str, **options: object) -> EdgeEngine:
    """An engine on the real clock, with short waits."""
    options.setdefault("timeout", 5.0)
    options.setdefault("backoff", 0.02)
    return EdgeEngine(endpoint=endpoint, **options)  # type: ignore[arg-type]


def numbered_chunks(count: int) -> list[str]:
    """``count`` different chunks, each of two words."""
    return [f"الفقرة {'ب' * n}" for n in range(1, count + 1)]


@pytest.fixture(scope="module", autouse=True)
def spoken_up_front() -> None:
    """The fake's speech for the tests' chunks, made before any test times anything."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(speech, [CHUNK, "مرحبا", *numbered_chunks(12)]))


@pytest.fixture
def closed_endpoint() -> str:
    """The address of a server that has stopped: connections to it are refused."""
    edge = FakeEdge().start()
    edge.close()
    return edge.endpoint


def samples(audio_pcm: bytes) -> np.ndarray:
    return np.frombuffer(audio_pcm, dtype="<i2").astype(np.float64)


def loudness(pcm: np.ndarray, start_ms: float, end_ms: float) -> float:
    """RMS in dBFS of ``pcm`` (24 kHz) between two times."""
    window = pcm[int(start_ms * 24) : int(end_ms * 24)]
    rms = float(np.sqrt(np.mean(window**2))) if len(window) else 0.0
    return 20 * np.log10(max(rms, 1e-9) / 32768)


def expected_length_ms(text: str) -> float:
    """The decoded length of the fake's audio: its own, plus the stream's delay."""
    return speech(text).duration_ms + DELAY_MS


def assert_whole(audio_ms: float, text: str) -> None:
    # MP3 pads the end to a whole frame (24 ms at 24 kHz).
    assert 0 <= audio_ms - expected_length_ms(text) <= 30, (audio_ms, expected_length_ms(text))


# --- Speaking ----------------------------------------------------------------------------------


def test_speaks_a_chunk_as_real_speech_of_the_right_length(
    fake_edge: FakeEdge, make_engine: MakeEngine
) -> None:
    audio = make_engine(fake_edge.endpoint).synthesize(CHUNK)
    assert (audio.channels, audio.sample_width, audio.frame_rate) == (1, 2, 24000)
    assert_whole(len(audio), CHUNK)
    # Speech where the fake said each word, silence between the words.
    pcm = samples(bytes(audio.raw_data))
    for word in speech(CHUNK).words:
        assert loudness(pcm, word.start_ms + DELAY_MS, word.end_ms + DELAY_MS) > -40, word
    for before, after in itertools.pairwise(speech(CHUNK).words):
        assert loudness(pcm, before.end_ms + DELAY_MS + 10, after.start_ms + DELAY_MS - 10) < -60
    (exchange,) = fake_edge.exchanges
    assert (exchange.text, exchange.voice, exchange.rate) == (CHUNK, DEFAULT_VOICE, "+0%")
    options = exchange.config["context"]["synthesis"]["audio"]  # type: ignore[index]
    assert options["metadataoptions"]["wordBoundaryEnabled"] == "true"
    assert options["outputFormat"] == "audio-24khz-48kbitrate-mono-mp3"
    # edge-tts's own client spoke: its token and its clock-derived Sec-MS-GEC are there.
    assert {"TrustedClientToken", "ConnectionId", "Sec-MS-GEC", "Sec-MS-GEC-Version"} <= set(
        exchange.query
    )


def test_word_timings_come_from_the_boundaries_the_server_sent(
    fake_edge: FakeEdge, make_engine: MakeEngine
) -> None:
    audio, timings = make_engine(fake_edge.endpoint).synthesize_timed(CHUNK)
    said = speech(CHUNK).words
    # The words are the chunk's own, as sent (punctuation and all), in order.
    assert [timing.word for timing in timings] == CHUNK.split()
    for timing, word in zip(timings, said, strict=True):
        assert abs(timing.start_ms - (word.start_ms + DELAY_MS)) <= TIMING_MS, (timing, word)
        assert abs(timing.end_ms - (word.end_ms + DELAY_MS)) <= TIMING_MS, (timing, word)
    # Spreading the audio over the words by their length would be far off: the times are
    # the boundaries', not a guess.
    total, letters = len(audio), sum(len(w) for w in CHUNK.split())
    spread, at = [], 0.0
    for word in CHUNK.split():
        spread.append(at)
        at += total * len(word) / letters
    assert max(abs(t.start_ms - s) for t, s in zip(timings, spread, strict=True)) > 100


def test_word_timings_count_from_the_start_of_the_decoded_audio(
    fake_edge: FakeEdge, make_engine: MakeEngine
) -> None:
    """Checked on the decoded audio itself: each word starts, loud, right at its timing, after
    the silence the fake put before it."""
    audio, timings = make_engine(fake_edge.endpoint).synthesize_timed(CHUNK)
    pcm = samples(bytes(audio.raw_data))
    for timing in timings:
        assert loudness(pcm, timing.start_ms - 60, timing.start_ms - 5) < -50, timing
        assert loudness(pcm, timing.start_ms, timing.start_ms + 40) > -45, timing
        assert loudness(pcm, timing.end_ms + 5, timing.end_ms + 60) < -50, timing


def _click_at_500_ms(headerless: bool) -> bytes:
    """A 24 kHz MP3 of silence with a click at 500 ms: bare frames, or with a LAME header."""
    pcm = np.zeros(24000, dtype="<i2")
    pcm[12000:12240] = (8000 * np.sin(2 * np.pi * 1000 * np.arange(240) / 24000)).astype("<i2")
    args = ["-f", "s16le", "-ar", "24000", "-ac", "1", "-i", "pipe:0",
            "-c:a", "libmp3lame", "-b:a", "48k", "-id3v2_version", "0"]  # fmt: skip
    if headerless:
        return run_ffmpeg([*args, "-write_xing", "0", "-f", "mp3", "pipe:1"], stdin=pcm.tobytes())
    with tempfile.TemporaryDirectory() as tmp:  # a file, so ffmpeg can fill its LAME header in
        path = Path(tmp, "click.mp3")
        run_ffmpeg([*args, str(path)], stdin=pcm.tobytes())
        return path.read_bytes()


@pytest.mark.parametrize("headerless", [True, False])
def test_the_decoder_delay_is_measured_on_a_real_decode(headerless: bool) -> None:
    mp3 = _click_at_500_ms(headerless)
    decoded = samples(decode_to_pcm(mp3, 24000, input_format="mp3"))
    click_ms = 1000 * int(np.argmax(np.abs(decoded) > 2000)) / 24000
    assert decoder_delay_ms(mp3) == (pytest.approx(DELAY_MS) if headerless else 0.0)
    assert abs(click_ms - (500 + decoder_delay_ms(mp3))) <= 1


def test_each_chunk_gets_its_own_audio_and_timings(
    fake_edge: FakeEdge, make_engine: MakeEngine
) -> None:
    engine = make_engine(fake_edge.endpoint)
    chunks = numbered_chunks(3)
    for chunk in chunks:
        audio, timings = engine.synthesize_timed(chunk)
        assert_whole(len(audio), chunk)
        assert [t.word for t in timings] == chunk.split()
    assert fake_edge.texts == chunks


@pytest.mark.parametrize(
    ("text", "named", "words"),
    [
        # A dash has no boundary: it has no time of its own.
        ("قال 25 شخصا — في حمص.", ["قال", "25", "شخصا", "في", "حمص"],
         ["قال", "25", "شخصا", "في", "حمص."]),
        # A boundary named otherwise than written goes to the next word.
        ("قال 25 شخصا", ["قال", "خمسة وعشرون", "شخصا"], ["قال", "25", "شخصا"]),
        # Two boundaries in one word: the word spans both.
        ("والسلام عليكم", ["و", "السلام", "عليكم"], ["والسلام", "عليكم"]),
        # A short word is not matched inside a longer one before it.
        ("الفيلم في القاعة", ["الفيلم", "في", "القاعة"], ["الفيلم", "في", "القاعة"]),
    ],
)  # fmt: skip
def test_boundaries_are_matched_to_the_words_sent(
    text: str, named: list[str], words: list[str]
) -> None:
    boundaries = tuple(_Boundary(n, 100.0 * i, 100.0 * i + 80) for i, n in enumerate(named))
    timings = word_timings(text, boundaries, shift_ms=10)
    assert [t.word for t in timings] == words
    assert timings[0].start_ms == 10 and timings[-1].end_ms == 100 * (len(named) - 1) + 90
    if len(named) > len(words):  # two boundaries in the first word
        assert (timings[0].start_ms, timings[0].end_ms) == (10, 190)


def test_doctests() -> None:
    for module in (narrate.engines.edge, narrate.engines.online):
        result = doctest.testmod(module)
        assert result.attempted >= 3 and result.failed == 0, module.__name__


@pytest.mark.parametrize("chunk", ["", "؟", "…!", " ، "])
def test_a_chunk_with_nothing_to_say_is_silent(
    fake_edge: FakeEdge, make_engine: MakeEngine, chunk: str
) -> None:
    audio, timings = make_engine(fake_edge.endpoint).synthesize_timed(chunk)
    assert (len(audio), audio.frame_rate, timings) == (0, 24000, ())
    assert fake_edge.exchanges == []


def test_a_chunk_over_500_characters_is_refused(
    fake_edge: FakeEdge, make_engine: MakeEngine
) -> None:
    with pytest.raises(ValueError, match="at most 500 characters, got 501"):
        make_engine(fake_edge.endpoint).synthesize("ب" * 501)
    assert fake_edge.exchanges == []


def test_is_an_engine_for_threads() -> None:
    engine: Engine = EdgeEngine()
    assert (engine.name, engine.online, engine.parallel, engine.concurrency) == (
        "edge", True, "threads", 4,
    )  # fmt: skip
    assert (engine.sample_rate, engine.text_needs.max_chars) == (24000, 500)
    assert engines.engine_class("edge") is EdgeEngine
    assert EdgeEngine(concurrency=16).concurrency == 16
    with pytest.raises(ValueError, match="edge concurrency must be between 1 and 16, not 17"):
        EdgeEngine(concurrency=17)


# --- Failures that pass, and failures that do not -----------------------------------------------


@pytest.mark.parametrize(
    ("fault", "cause"),
    [
        (503, "Edge TTS had a server error (HTTP 503 Service Unavailable)"),
        (502, "Edge TTS had a server error (HTTP 502 Bad Gateway)"),
        ("no-audio", "{host} sent no audio (edge-tts: NoAudioReceived)"),
        ("drop", "the stream from {host} broke off before its end"),
    ],
)
def test_a_passing_failure_is_retried_then_the_whole_audio_comes(
    fake_edge: FakeEdge,
    make_engine: MakeEngine,
    sleeps: list[float],
    caplog: pytest.LogCaptureFixture,
    fault: int | str,
    cause: str,
) -> None:
    if isinstance(fault, int):
        fake_edge.fail_next(fault)
    else:
        fake_edge.answer_next(fault)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="narrate.engines.edge"):
        audio, timings = make_engine(fake_edge.endpoint, backoff=0.25).synthesize_timed(CHUNK)
    assert_whole(len(audio), CHUNK)
    assert len(timings) == len(CHUNK.split())
    assert len(fake_edge.exchanges) == 2
    assert sleeps == [0.25]
    (warning,) = [record.getMessage() for record in caplog.records]
    host = fake_edge.endpoint.split("/consumer")[0]
    assert warning.startswith(f"Edge TTS attempt 1 of 5 failed: {cause.format(host=host)}")
    assert warning.endswith("; retrying in 0.25 s")


def test_a_dropped_stream_never_gives_half_the_audio(
    fake_edge: FakeEdge, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    """edge-tts itself ends quietly when the line goes dead half-way (no error, half the MP3):
    the engine sees the missing turn.end and fails rather than hand on part of a chunk."""
    fake_edge.set_mode("drop")
    with pytest.raises(EngineError) as caught:
        make_engine(fake_edge.endpoint, retries=1).synthesize(CHUNK)
    host = fake_edge.endpoint.split("/consumer")[0]
    assert str(caught.value).startswith(
        f"Edge TTS failed 2 times for {QUOTED}: the stream from {host} broke off before its end ("
    )
    assert str(caught.value).endswith(" bytes of audio, no turn.end)")
    assert len(fake_edge.exchanges) == 2


def test_retries_run_out(fake_edge: FakeEdge, make_engine: MakeEngine, sleeps: list[float]) -> None:
    fake_edge.fail_next(503, 10)
    with pytest.raises(EngineError) as caught:
        make_engine(fake_edge.endpoint, retries=3, backoff=1.0).synthesize(CHUNK)
    assert str(caught.value) == (
        f"Edge TTS failed 4 times for {QUOTED}: "
        "Edge TTS had a server error (HTTP 503 Service Unavailable)"
    )
    assert len(fake_edge.exchanges) == 4
    assert sleeps == [1.0, 2.0, 4.0]


def test_no_audio_that_goes_on_fails_in_one_line(
    fake_edge: FakeEdge, make_engine: MakeEngine
) -> None:
    fake_edge.set_mode("no-audio")
    with pytest.raises(EngineError) as caught:
        make_engine(fake_edge.endpoint, retries=2).synthesize(CHUNK)
    host = fake_edge.endpoint.split("/consumer")[0]
    assert str(caught.value) == (
        f"Edge TTS failed 3 times for {QUOTED}: {host} sent no audio (edge-tts: NoAudioReceived)"
    )
    assert "\n" not in str(caught.value)


def test_a_403_fails_at_once_with_the_fix(
    fake_edge: FakeEdge, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    fake_edge.set_mode(403)
    with pytest.raises(EngineError) as caught:
        make_engine(fake_edge.endpoint).synthesize(CHUNK)
    assert str(caught.value) == FORBIDDEN
    assert FORBIDDEN.endswith("upgrade it with `pip install --upgrade edge-tts`")
    # edge-tts corrects its clock from the 403's Date and asks once more; narrate not at all.
    assert [e.status for e in fake_edge.exchanges] == [403, 403]
    assert sleeps == []


def test_one_403_is_edge_tts_correcting_its_clock(
    fake_edge: FakeEdge, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    fake_edge.fail_next(403)
    audio = make_engine(fake_edge.endpoint).synthesize(CHUNK)
    assert_whole(len(audio), CHUNK)
    assert [e.status for e in fake_edge.exchanges] == [403, 101]
    assert sleeps == []


def test_other_refusals_are_not_retried(
    fake_edge: FakeEdge, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    fake_edge.fail_next(400)
    with pytest.raises(EngineError) as caught:
        make_engine(fake_edge.endpoint).synthesize(CHUNK)
    assert str(caught.value) == (
        f"Edge TTS refused the request (HTTP 400 Bad Request); the chunk was {QUOTED}"
    )
    assert len(fake_edge.exchanges) == 1
    assert sleeps == []


def test_a_429_with_retry_after_is_waited_out(
    fake_edge: FakeEdge, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    fake_edge.fail_next(429, retry_after="5")
    make_engine(fake_edge.endpoint, backoff=0.1).synthesize(CHUNK)
    assert sleeps == [5.0]
    assert [e.status for e in fake_edge.exchanges] == [429, 101]


def test_a_429_without_retry_after_cools_everyone_down(
    fake_edge: FakeEdge, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    """The jitter draws 0: the retry would go at once, but the shared cool-down (the full
    backoff step) holds it back."""
    fake_edge.fail_next(429)
    engine = make_engine(fake_edge.endpoint, random=lambda: 0.0, requests_per_second=1000)
    engine.synthesize(CHUNK)
    assert sleeps == pytest.approx([0.0, 0.5])


def test_a_429_holds_back_the_other_threads_too(fake_edge: FakeEdge) -> None:
    """One slot, two threads: the second takes the slot when the 429's request gives it back,
    and must still wait out the second Microsoft asked for before asking anything."""
    fake_edge.fail_next(429, retry_after="1")
    engine = real_engine(fake_edge.endpoint, concurrency=1, requests_per_second=1000)
    chunks = numbered_chunks(2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        lengths = [len(audio) for audio in pool.map(engine.synthesize, chunks)]
    for chunk, length in zip(chunks, lengths, strict=True):
        assert_whole(length, chunk)
    refused, *later = fake_edge.exchanges
    assert refused.status == 429 and len(later) == 2
    assert all(exchange.arrived - refused.arrived >= 1.0 for exchange in later)


def test_a_retry_after_over_the_cap_fails_every_thread_at_once(
    fake_edge: FakeEdge, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    fake_edge.fail_next(429, retry_after="7200")
    engine = make_engine(fake_edge.endpoint)
    for text in (CHUNK, "مرحبا"):  # the next chunk does not ask Microsoft either
        with pytest.raises(EngineError) as caught:
            engine.synthesize(text)
        assert str(caught.value).startswith("Microsoft asks to wait 7")
        assert str(caught.value).endswith(
            " s before the next request; try again later or use --engine espeak"
        )
    assert len(fake_edge.exchanges) == 1
    assert sleeps == []


# --- Time: timeouts, the deadline, cancelling -------------------------------------------------


def test_a_hung_request_times_out_and_is_retried(
    fake_edge: FakeEdge, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    fake_edge.hang_next()
    engine = make_engine(fake_edge.endpoint, timeout=0.5, retries=2)
    # The hung request never ends on its own: only its timeout lets the retry go (a hang
    # guard fails the test if nothing does).
    audio = guarded(lambda: engine.synthesize(CHUNK))
    assert_whole(len(audio), CHUNK)
    assert [e.status for e in fake_edge.exchanges] == [None, 101]
    assert sleeps == [0.5]
    # The request given up on was closed (its task cancelled): the fake saw its client go.
    wait_until(lambda: fake_edge.in_flight == 0)


def test_a_server_that_never_answers_fails_on_the_wall_clock(
    fake_edge: FakeEdge, make_engine: MakeEngine
) -> None:
    fake_edge.set_mode("hang")
    engine = make_engine(fake_edge.endpoint, timeout=0.4, retries=1)
    started = time.monotonic()
    with pytest.raises(EngineError) as caught:
        guarded(lambda: engine.synthesize(CHUNK))
    host = fake_edge.endpoint.split("/consumer")[0]
    assert str(caught.value) == (
        f"Edge TTS failed 2 times for {QUOTED}: no answer from {host} within 0.4 s (timed out)"
    )
    assert time.monotonic() - started >= 2 * 0.4


def test_a_passed_deadline_starts_no_request(fake_edge: FakeEdge) -> None:
    engine = real_engine(fake_edge.endpoint)
    engine.set_deadline(time.monotonic() - 1, budget=120)
    with pytest.raises(EngineError) as caught:
        engine.synthesize(CHUNK)
    assert (
        str(caught.value) == f"the build's deadline of 120 s passed before Edge TTS spoke {QUOTED}"
    )
    assert fake_edge.exchanges == []


def test_the_deadline_stops_retries(
    fake_edge: FakeEdge, make_engine: MakeEngine, clock: FakeClock, sleeps: list[float]
) -> None:
    fake_edge.fail_next(503, 1000)
    engine = make_engine(
        fake_edge.endpoint, retries=100, backoff=0.05, backoff_cap=0.1, requests_per_second=1000
    )
    engine.set_deadline(clock() + 0.6)
    with pytest.raises(EngineError) as caught:
        engine.synthesize(CHUNK)
    assert sum(sleeps) <= 0.6 + 1e-9  # no wait went past the deadline
    assert str(caught.value).startswith("the build's deadline of 0.6 s ")
    assert str(caught.value).endswith(
        "(the last try: Edge TTS had a server error (HTTP 503 Service Unavailable))"
    )
    assert 3 <= len(fake_edge.exchanges) < 100


def test_the_deadline_from_the_settings_cuts_a_hung_request_short(
    fake_edge: FakeEdge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request gets what the build's deadline leaves (0.5 s), not its own 30 s timeout."""
    fake_edge.set_mode("hang")
    monkeypatch.setenv(ENDPOINT_ENV, fake_edge.endpoint)
    engine = engines.make_engine("edge", EngineSettings(deadline=time.monotonic() + 0.5))
    assert isinstance(engine, EdgeEngine) and engine.timeout == 30
    with pytest.raises(EngineError, match=r"^the build's deadline of 0\.5 s passed before Edge"):
        guarded(lambda: engine.synthesize(CHUNK))
    assert len(fake_edge.exchanges) == 1


def test_cancel_stops_every_thread_at_once(fake_edge: FakeEdge) -> None:
    fake_edge.set_mode("hang")
    engine = real_engine(fake_edge.endpoint, timeout=60.0, concurrency=3, requests_per_second=100)
    failures: list[str] = []

    def speak(chunk: str) -> None:
        try:
            engine.synthesize(chunk)
        except EngineError as exc:
            failures.append(str(exc))

    threads = [threading.Thread(target=speak, args=(c,)) for c in numbered_chunks(6)]
    for thread in threads:
        thread.start()
    wait_until(lambda: len([e for e in fake_edge.exchanges if e.text]) == 3)
    engine.cancel()
    # A hang guard, well under the requests' 60 s timeout: only the cancel can end them.
    give_up = time.monotonic() + HANG_GUARD
    for thread in threads:
        thread.join(timeout=max(0.0, give_up - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads)
    assert len(failures) == 6
    assert all(f.startswith("Edge TTS was stopped before it spoke") for f in failures)
    assert len(fake_edge.exchanges) == 3  # those waiting for a slot asked nothing
    wait_until(lambda: fake_edge.in_flight == 0)  # the websockets in flight were closed
    with pytest.raises(EngineError, match="was stopped before it spoke"):
        engine.synthesize(CHUNK)
    assert len(fake_edge.exchanges) == 3


def test_cancel_cuts_a_wait_before_a_retry_short(fake_edge: FakeEdge) -> None:
    fake_edge.fail_next(503)
    engine = EdgeEngine(
        endpoint=fake_edge.endpoint, backoff=30.0, backoff_cap=30.0, random=lambda: 1.0
    )
    failures: list[EngineError] = []

    def speak() -> None:
        try:
            engine.synthesize(CHUNK)
        except EngineError as exc:
            failures.append(exc)

    waiting = LogWatch("retrying in 30.00 s")
    edge_log = logging.getLogger("narrate.engines.edge")
    edge_log.addHandler(waiting)
    try:
        thread = threading.Thread(target=speak)
        thread.start()
        assert waiting.seen.wait(HANG_GUARD)
    finally:
        edge_log.removeHandler(waiting)
    engine.cancel()
    thread.join(timeout=HANG_GUARD)  # well under the 30 s wait: only the cancel ends it
    assert not thread.is_alive()
    (failure,) = failures
    assert str(failure) == f"Edge TTS was stopped before it spoke {QUOTED}"
    assert len(fake_edge.exchanges) == 1


# --- Many threads, one engine -------------------------------------------------------------------


def test_concurrency_bounds_the_requests_in_flight_across_threads() -> None:
    chunks = numbered_chunks(12)
    with FakeEdge(latency=0.2) as edge:
        engine = real_engine(edge.endpoint, concurrency=3, requests_per_second=100)
        with ThreadPoolExecutor(max_workers=8) as pool:
            lengths = [len(audio) for audio in pool.map(engine.synthesize, chunks)]
        assert edge.max_in_flight == 3  # never more, and the three slots were really used
        assert sorted(t or "" for t in edge.texts) == sorted(chunks)
    for chunk, length in zip(chunks, lengths, strict=True):
        assert_whole(length, chunk)


def test_requests_to_two_servers_never_cross(make_engine: MakeEngine) -> None:
    """edge-tts connects to one module-wide URL: a request to another server waits until the
    requests holding it have ended, and each server hears only its own engine's chunks."""
    with FakeEdge() as first, FakeEdge() as second:
        first.hang_next()
        slow = real_engine(first.endpoint, timeout=1.0, retries=0)
        quick = real_engine(second.endpoint)
        failures: list[EngineError] = []

        def hang() -> None:
            try:
                slow.synthesize(CHUNK)
            except EngineError as exc:
                failures.append(exc)

        thread = threading.Thread(target=hang)
        thread.start()
        wait_until(lambda: first.texts == [CHUNK])
        audio = guarded(lambda: quick.synthesize("مرحبا"))
        thread.join(timeout=HANG_GUARD)
        assert_whole(len(audio), "مرحبا")
        assert (first.texts, second.texts) == ([CHUNK], ["مرحبا"])
        assert len(failures) == 1
    assert edge_tts.communicate.WSS_URL == MICROSOFT_WSS_URL  # put back once nobody holds it


# --- Reaching Microsoft, or not ------------------------------------------------------------------


def test_a_refused_connection_is_retried_then_names_the_offline_voice(
    closed_endpoint: str, make_engine: MakeEngine, sleeps: list[float]
) -> None:
    host = closed_endpoint.split("/consumer")[0]
    with pytest.raises(EngineUnavailable) as caught:
        make_engine(closed_endpoint, retries=2).synthesize(CHUNK)
    assert str(caught.value) == (
        f"the Microsoft Edge voice cannot be reached: Edge TTS failed 3 times for {QUOTED}: "
        f"cannot connect to {host} (Connection refused); "
        "check the network connection, or use --engine espeak (the offline voice)"
    )
    assert sleeps == [0.5, 1.0]


def test_a_name_that_does_not_exist_fails_at_once(
    make_engine: MakeEngine, sleeps: list[float]
) -> None:
    nowhere = "speech.platform.bing.invalid"  # RFC 6761: never exists
    try:
        socket.getaddrinfo(nowhere, 443)
    except socket.gaierror as exc:
        if exc.errno != socket.EAI_NONAME:
            pytest.skip(f"the resolver here answers {exc} for {nowhere}, not EAI_NONAME")
    else:  # pragma: no cover
        pytest.skip(f"the resolver here finds {nowhere}")
    with pytest.raises(EngineUnavailable) as caught:
        make_engine(f"wss://{nowhere}/edge/v1").synthesize(CHUNK)
    assert str(caught.value).startswith(
        f"the Microsoft Edge voice cannot be reached: the name {nowhere} does not resolve ("
    )
    assert str(caught.value).endswith("or use --engine espeak (the offline voice)")
    assert sleeps == []


def test_probe_speaks_one_word(fake_edge: FakeEdge) -> None:
    assert (
        EdgeEngine(endpoint=fake_edge.endpoint).probe() == "Edge TTS answered (ar-SA-HamedNeural)"
    )
    assert fake_edge.texts == ["مرحبا"]


def test_probe_failures(fake_edge: FakeEdge, closed_endpoint: str) -> None:
    host = closed_endpoint.split("/consumer")[0]
    with pytest.raises(EngineUnavailable) as caught:
        EdgeEngine(endpoint=closed_endpoint).probe()
    assert (
        str(caught.value)
        == f"Edge TTS did not answer: cannot connect to {host} (Connection refused)"
    )
    fake_edge.set_mode(403)
    with pytest.raises(EngineUnavailable, match=r"^Edge TTS cannot be used: Microsoft refused"):
        EdgeEngine(endpoint=fake_edge.endpoint).probe()


def test_status(fake_edge: FakeEdge, closed_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, fake_edge.endpoint)
    status = EdgeEngine.status()
    assert (status.usable, status.reason, len(status.voices)) == (True, None, 32)
    monkeypatch.setenv(ENDPOINT_ENV, closed_endpoint)
    status = EdgeEngine.status()
    assert not status.usable and status.reason is not None
    assert status.reason.startswith("Edge TTS did not answer: cannot connect")


def test_the_endpoint_from_the_environment(
    fake_edge: FakeEdge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, fake_edge.endpoint)
    EdgeEngine().synthesize("مرحبا")
    assert fake_edge.texts == ["مرحبا"]
    assert edge_tts.communicate.WSS_URL == MICROSOFT_WSS_URL  # nothing leaks into other users


@pytest.mark.parametrize("endpoint", ["127.0.0.1:8765", "http://127.0.0.1/x", "ws://"])
def test_a_bad_endpoint_is_refused(endpoint: str) -> None:
    with pytest.raises(EngineError, match=f"must be a ws\\(s\\) URL .*{endpoint!r}$"):
        EdgeEngine(endpoint=endpoint)


# --- Voices, rate, identity ----------------------------------------------------------------------


def test_every_arabic_voice_is_offered_and_sent(
    fake_edge: FakeEdge, monkeypatch: pytest.MonkeyPatch
) -> None:
    voices = edge_voices()
    assert len(voices) == 32 and DEFAULT_VOICE in voices
    assert all(v.startswith("ar-") and v.endswith("Neural") for v in voices)
    monkeypatch.setenv(ENDPOINT_ENV, fake_edge.endpoint)
    engine = engines.make_engine("edge", EngineSettings(voice="ar-EG-SalmaNeural"))
    assert engine.voice == "ar-EG-SalmaNeural" and engine.voices == voices
    engine.synthesize("مرحبا")
    assert [e.voice for e in fake_edge.exchanges] == ["ar-EG-SalmaNeural"]


@pytest.mark.parametrize(
    ("voice", "hint"),
    [("ar-SA-Hamed", "did you mean ar-SA-HamedNeural? "), ("en-US-JennyNeural", "")],
)
def test_an_unknown_voice_is_refused_in_one_line(voice: str, hint: str) -> None:
    with pytest.raises(EngineError) as caught:
        engines.make_engine("edge", EngineSettings(voice=voice))
    assert str(caught.value) == (
        f"edge has no voice {voice!r}: {hint}it has Microsoft's 32 Arabic voices, such as "
        "ar-SA-HamedNeural (`narrate voices` lists them)"
    )


@pytest.mark.parametrize(
    ("rate_wpm", "rate"), [(None, "+0%"), (NOMINAL_WPM, "+0%"), (156, "+20%"), (91, "-30%"),
                           (450, "+100%"), (40, "-50%")],
)  # fmt: skip
def test_the_rate_is_a_prosody_rate_against_the_nominal_pace(
    fake_edge: FakeEdge, monkeypatch: pytest.MonkeyPatch, rate_wpm: int | None, rate: str
) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, fake_edge.endpoint)
    engine = engines.make_engine("edge", EngineSettings(rate_wpm=rate_wpm))
    assert isinstance(engine, EdgeEngine)
    assert engine.identity()["rate"] == rate  # another pace, another cache entry
    engine.synthesize("مرحبا")
    assert [e.rate for e in fake_edge.exchanges] == [rate]


def test_identity_holds_the_voice_and_the_edge_tts_version(fake_edge: FakeEdge) -> None:
    version = importlib.metadata.version("edge-tts")
    microsoft = EdgeEngine(endpoint=MICROSOFT_WSS_URL).identity()
    assert microsoft == {
        "engine": "edge",
        "library": f"edge-tts {version}",
        "voice": "ar-SA-HamedNeural",
        "rate": "+0%",
        "format": "audio-24khz-48kbitrate-mono-mp3",
    }
    assert EdgeEngine("ar-EG-SalmaNeural", endpoint=MICROSOFT_WSS_URL).identity() == {
        **microsoft,
        "voice": "ar-EG-SalmaNeural",
    }
    assert EdgeEngine(rate="+20%", endpoint=MICROSOFT_WSS_URL).identity()["rate"] == "+20%"
    # A fake's audio is never cached as Microsoft's.
    assert EdgeEngine(endpoint=fake_edge.endpoint).identity() == {
        **microsoft,
        "endpoint": fake_edge.endpoint.split("/consumer")[0],
    }
    # How the audio is fetched is not part of it.
    fetching = EdgeEngine(endpoint=MICROSOFT_WSS_URL, timeout=1, retries=0, concurrency=9)
    assert fetching.identity() == microsoft
    assert EdgeEngine().describe() == f"edge-tts {version} (voice ar-SA-HamedNeural)"


def test_the_fake_says_each_word_once(fake_edge: FakeEdge) -> None:
    """The fake's own bookkeeping, which the timing tests rely on."""
    said = speech(CHUNK)
    assert (
        [w.text for w in said.words]
        == spoken_words(CHUNK)
        == [w.strip("،.") for w in CHUNK.split()]
    )
    starts = [w.start_ms for w in said.words]
    assert starts == sorted(starts) and said.words[0].start_ms == fake.LEAD_MS


@pytest.fixture(autouse=True)
def _no_leaked_url() -> Iterator[None]:
    """Once a test's requests have all ended (those given up on end in their own threads, in
    moments), edge-tts points at Microsoft again."""
    yield
    wait_until(lambda: edge_tts.communicate.WSS_URL == MICROSOFT_WSS_URL)

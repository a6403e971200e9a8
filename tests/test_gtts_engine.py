"""The gTTS engine against a fake Google on 127.0.0.1: real gTTS, real HTTP, real MP3."""

from __future__ import annotations

import importlib.metadata
import logging
import time
from collections.abc import Callable

import gtts.tts
import pytest
from gtts import gTTS

from narrate.engines import Engine
from narrate.engines.gtts import ENDPOINT_ENV, GttsEngine
from narrate.errors import EngineError, EngineUnavailable
from narrate.speech_text import speech_chunks
from tests import fake_google as fake
from tests.fake_google import FakeGoogle, tone_ms

fake_google = fake.fake_google  # the fixture, under its own name

CHUNK = "في يوم الجمعة، كان التواصل مستمراً مع محافظة حمص."
TOLERANCE_MS = 30  # the tone is encoded to MP3 and decoded back
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")

MakeEngine = Callable[..., GttsEngine]


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


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_engine(sleeps: list[float]) -> MakeEngine:
    """An engine whose backoff waits are recorded instead of slept."""

    def make(endpoint: str, **options: object) -> GttsEngine:
        options.setdefault("timeout", 2.0)
        return GttsEngine(endpoint=endpoint, sleep=sleeps.append, **options)  # type: ignore[arg-type]

    return make


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
    with FakeGoogle(latency=5.0) as google:
        engine = make_engine(google.endpoint, timeout=0.2, retries=1)
        started = time.monotonic()
        with pytest.raises(EngineError, match=r"no answer from .* within 0\.2 s \(timed out\)"):
            engine.synthesize(CHUNK)
        assert time.monotonic() - started < 2.0
        assert len(google.requests) == 2
    assert sleeps == [0.5]


def test_probe(fake_google: FakeGoogle) -> None:
    GttsEngine(endpoint=fake_google.endpoint).probe()
    assert fake_google.requests == ["مرحبا"]


def test_probe_a_closed_port_fails_fast(closed_endpoint: str, sleeps: list[float]) -> None:
    engine = GttsEngine(endpoint=closed_endpoint, sleep=sleeps.append)
    started = time.monotonic()
    with pytest.raises(EngineUnavailable, match=r"^Google TTS did not answer: cannot connect"):
        engine.probe()
    assert time.monotonic() - started < 1.0
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
    with FakeGoogle(latency=5.0) as google:
        started = time.monotonic()
        with pytest.raises(EngineUnavailable, match="timed out"):
            GttsEngine(endpoint=google.endpoint).probe(timeout=0.2)
        assert time.monotonic() - started < 1.0


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

"""The engine protocol: an engine is one module plus one line in the registry, and the choice
between engines (``auto`` included) comes from the registry alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from pydub import AudioSegment

from narrate import engines
from narrate.build.pipeline import BuildRequest, build
from narrate.cache import Cache, cache_info, chunk_key
from narrate.engines import (
    ENGINE_NAMES,
    PCM_S16LE_MONO,
    SPEAKING_ENGINES,
    EngineBase,
    EngineSettings,
    choose_engine,
    engine_text_needs,
    make_engine,
    registry,
)
from narrate.engines.espeak import EspeakEngine
from narrate.engines.gtts import ENDPOINT_ENV, GttsEngine
from narrate.episode.tags import ENGINE_DESC
from narrate.errors import EngineError, EngineUnavailable
from narrate.models import TextNeeds
from narrate.progress import Reporter
from narrate.show import ShowSettings
from tests.conftest import _closed_port
from tests.fake_google import FakeGoogle


class DummyEngine(EngineBase):
    """A whole engine: a name and ``synthesize``; every other member is the default.

    Each chunk is a tone 10 ms per character long, its pitch taken from the text.
    """

    name = "dummy"

    def synthesize(self, text: str) -> AudioSegment:
        frames = self.sample_rate * len(text) // 100
        pitch = 200 + sum(map(ord, text)) % 400
        wave = 8000 * np.sin(2 * np.pi * pitch * np.arange(frames) / self.sample_rate)
        return AudioSegment(
            data=wave.astype("<i2").tobytes(),
            sample_width=2,
            frame_rate=self.sample_rate,
            channels=1,
        )


@pytest.fixture
def dummy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.ENGINES, "dummy", DummyEngine)  # the one line


ARTICLE = """\
اجتماع المجلس البلدي

ناقش المجلس البلدي صباح اليوم خطة تطوير الحدائق العامة في المدينة.

الميزانية

خصص المجلس ميزانية جديدة للحدائق وأقرها بالإجماع.
"""


@pytest.mark.usefixtures("dummy")
def test_a_registered_engine_builds_an_episode(tmp_path: Path) -> None:
    root = tmp_path
    article = root / "council.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    request = BuildRequest(
        article=article,
        output_dir=root / "out",
        show=ShowSettings(title="نشرة", base_url="http://127.0.0.1:8000/"),
        engine="dummy",
        cache_dir=root / "cache",
    )

    result = build(request, Reporter(quiet=True))

    assert (result.engine, result.engine_reason) == ("dummy", "chosen with --engine dummy")
    assert result.mp3.is_file() and result.duration_ms > 1000
    tags = ID3(result.mp3)
    assert tags.getall(f"TXXX:{ENGINE_DESC}")[0].text == ["dummy (voice default)"]
    assert len(tags.getall("CHAP")) == len(result.chapters) >= 2
    # The dummy spoke every chunk, cached under its (default) identity.
    identity = DummyEngine().identity()
    cache = Cache(root / "cache")
    assert cache_info(cache.root).entries >= 3
    heading = cache.load(chunk_key(identity, 22050, "الميزانية."), 22050)
    assert heading is not None and heading == bytes(DummyEngine().synthesize("الميزانية.").raw_data)


def test_the_defaults() -> None:
    engine = DummyEngine()

    assert engine.voices == ("default",) and engine.voice == "default"
    assert (engine.sample_rate, engine.sample_format) == (22050, PCM_S16LE_MONO)
    assert engine.text_needs == TextNeeds(max_chars=500, diacritics=False)
    assert (engine.parallel, engine.concurrency, engine.online) == ("serial", 1, False)
    assert engine.identity() == {
        "engine": "dummy",
        "voice": "default",
        "described": "dummy (voice default)",
    }
    audio, words = engine.synthesize_timed("مرحبا")
    assert len(audio) == 50 and words == ()
    assert engine.probe() is None
    engine.cancel()
    engine.close()
    status = DummyEngine.status()
    assert (status.usable, status.detail, status.voices) == (
        True,
        "dummy (voice default), offline",
        ("default",),
    )


def test_the_default_settings_choose_a_voice_or_refuse_one() -> None:
    assert DummyEngine.from_settings(EngineSettings(voice="default", rate_wpm=150)).voice == (
        "default"
    )
    with pytest.raises(EngineError, match=r"^dummy has no voice 'alto': choose one of default$"):
        DummyEngine.from_settings(EngineSettings(voice="alto"))


@pytest.mark.usefixtures("dummy")
def test_the_registry_is_the_one_list_of_engines() -> None:
    assert SPEAKING_ENGINES == ("gtts", "edge", "piper", "espeak", "mbrola")
    assert ENGINE_NAMES[0] == "auto" and ENGINE_NAMES[1:] == SPEAKING_ENGINES
    assert engine_text_needs("dummy") == DummyEngine.text_needs
    assert engine_text_needs("espeak").diacritics and not engine_text_needs("gtts").diacritics
    assert isinstance(make_engine("dummy"), DummyEngine)
    assert [s.name for s in registry.engine_statuses(check_network=False)][-1] == "dummy"
    with pytest.raises(ValueError, match=r"^unknown engine 'polly': choose one of gtts, edge"):
        make_engine("polly")


def test_every_engine_has_the_whole_protocol() -> None:
    for cls in registry.ENGINES.values():
        assert issubclass(cls, EngineBase)
    gtts = GttsEngine()
    assert (gtts.voices, gtts.voice, gtts.parallel, gtts.online) == (("ar",), "ar", "threads", True)
    espeak = EspeakEngine()
    assert (espeak.voices, espeak.voice, espeak.parallel) == (("ar",), "ar", "processes")
    assert espeak.concurrency >= 1 and espeak.sample_format == PCM_S16LE_MONO
    with pytest.raises(EngineError, match="gtts has no voice 'en'"):
        GttsEngine.from_settings(EngineSettings(voice="en"))


def test_a_named_engine_says_where_its_name_came_from() -> None:
    assert choose_engine("espeak").reason == "chosen with --engine espeak"
    source = 'narrate.toml ([build] engine = "espeak")'
    assert choose_engine("espeak", source=source).reason == f"chosen with {source}"


def test_auto_takes_google_when_it_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeGoogle() as google:
        monkeypatch.setenv(ENDPOINT_ENV, google.endpoint)
        choice = choose_engine("auto", EngineSettings(rate_wpm=100))
    assert isinstance(choice.engine, GttsEngine) and choice.engine.slow
    assert choice.reason == "Google TTS answered"


def test_auto_falls_back_to_espeak_never_to_mbrola(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv(ENDPOINT_ENV, endpoint)

    choice = choose_engine("auto")

    assert isinstance(choice.engine, EspeakEngine)
    assert choice.reason == (
        f"Google TTS did not answer: cannot connect to {endpoint} (Connection refused); "
        "using the offline voice"
    )
    assert "mbrola" not in registry.AUTO_ORDER


def test_auto_with_nothing_that_runs_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken(EngineBase):
        name = "broken"

        def __init__(self) -> None:
            raise EngineUnavailable("the broken engine is broken")

        def synthesize(self, text: str) -> AudioSegment:  # pragma: no cover
            raise AssertionError

    monkeypatch.setitem(registry.ENGINES, "broken", Broken)
    monkeypatch.setattr(registry, "AUTO_ORDER", ("broken", "broken"))
    with pytest.raises(EngineUnavailable, match=r"^the broken engine is broken; the broken"):
        engines.choose_engine("auto")

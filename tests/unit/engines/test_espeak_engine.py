"""The offline espeak-ng engine, speaking real Arabic through the wheel's library."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import espeakng_loader
import pytest

from narrate.engines import Engine, EngineSettings, espeak
from narrate.engines.espeak import EspeakEngine
from narrate.errors import EngineError, EngineUnavailable
from tests.paths import REPO

# 17 words of plain news Arabic.
SENTENCE = (
    "أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية، "
    "وقالت إن التنفيذ سيبدأ الشهر المقبل."
)
SHORT = "مرحبا بكم في نشرة الأخبار."


@pytest.fixture(scope="module")
def engine() -> EspeakEngine:
    return EspeakEngine()


@pytest.fixture
def unloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the process's espeak-ng for one test; monkeypatch puts it back afterwards."""
    monkeypatch.setattr(espeak, "_library", None)


def as_engine(engine: EspeakEngine) -> Engine:
    """Type-checks that EspeakEngine satisfies the Engine protocol."""
    return engine


def test_speaks_arabic_as_mono_16_bit_at_the_library_rate(engine: EspeakEngine) -> None:
    audio = as_engine(engine).synthesize(SENTENCE)

    assert engine.sample_rate == 22050
    assert (audio.channels, audio.sample_width, audio.frame_rate) == (1, 2, 22050)
    assert audio.rms > 1000
    assert audio.max > 10000
    words_per_minute = len(SENTENCE.split()) / (len(audio) / 60_000)
    assert 80 < words_per_minute < 200


def test_silence_at_the_edges_is_short_and_left_alone(engine: EspeakEngine) -> None:
    audio = engine.synthesize(SENTENCE)
    loud = [i for i, ms in enumerate(audio[::10]) if ms.rms > 300]

    assert loud[0] * 10 < 100
    assert (len(audio) - loud[-1] * 10) < 250


def test_blank_text_gives_empty_audio_at_the_rate(engine: EspeakEngine) -> None:
    audio = engine.synthesize(" \n\t ")

    assert len(audio) == 0
    assert (audio.channels, audio.sample_width, audio.frame_rate) == (1, 2, 22050)


def test_markup_is_spoken_as_text_not_ssml(engine: EspeakEngine) -> None:
    # With SSML on, the break alone would add four seconds.
    audio = engine.synthesize('مرحبا <break time="4s"/> بكم')

    assert 1000 < len(audio) < 4000


def test_a_nul_in_the_text_does_not_cut_it_short(engine: EspeakEngine) -> None:
    first_word = engine.synthesize("مرحبا")
    both_words = engine.synthesize("مرحبا\0بكم")

    assert len(both_words) > 1.2 * len(first_word)


def test_a_slower_rate_gives_longer_audio() -> None:
    slow = EspeakEngine(rate_wpm=100).synthesize(SENTENCE)
    fast = EspeakEngine(rate_wpm=300).synthesize(SENTENCE)

    assert len(slow) > 2 * len(fast)
    assert fast.rms > 1000


@pytest.mark.parametrize("rate", [79, 451, 0, -175])
def test_a_rate_out_of_range_is_a_value_error(rate: int) -> None:
    with pytest.raises(ValueError, match=rf"80 to 450 words per minute, not {rate}$"):
        EspeakEngine(rate_wpm=rate)


def test_describe_names_the_library_version_and_voice(engine: EspeakEngine) -> None:
    assert re.fullmatch(r"espeak-ng 1\.5\d(\.\d+)* \(voice ar\)", engine.describe())
    assert EspeakEngine(rate_wpm=150).describe().endswith("(voice ar, 150 wpm)")


def test_engines_share_one_initialized_library(engine: EspeakEngine) -> None:
    other = EspeakEngine(rate_wpm=200)

    assert other._library is engine._library
    assert other.synthesize(SHORT).rms > 1000
    assert engine.synthesize(SHORT).rms > 1000


def test_concurrent_calls_match_serial_ones() -> None:
    # espeak-ng carries its pitch-flutter phase from one call to the next, so
    # repeated calls differ by a few samples: compare lengths, not bytes.
    slow, fast = EspeakEngine(rate_wpm=120), EspeakEngine(rate_wpm=320)
    jobs = [(slow, SENTENCE), (fast, SENTENCE), (slow, SHORT), (fast, SHORT)] * 3
    serial = [e.synthesize(text) for e, text in jobs]

    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(lambda job: job[0].synthesize(job[1]), jobs))

    for alone, together in zip(serial, threaded, strict=True):
        assert abs(len(together) - len(alone)) <= 0.01 * len(alone)
        assert together.rms > 1000


def test_an_unknown_voice_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match=r"^espeak-ng has no voice 'zz-nowhere' \(not found"):
        EspeakEngine(voice="zz-nowhere")


def test_an_unknown_voice_does_not_break_the_others(engine: EspeakEngine) -> None:
    with pytest.raises(EngineError):
        EspeakEngine(voice="zz-nowhere")

    assert engine.synthesize(SHORT).rms > 1000


def test_available_here() -> None:
    status = EspeakEngine.status(check_network=False)
    assert (status.usable, status.reason) == (True, None)
    with pytest.raises(EngineError, match="zz-nowhere"):
        EspeakEngine.from_settings(EngineSettings(voice="zz-nowhere"))


def test_a_missing_library_is_unavailable(
    unloaded: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "libespeak-ng.so"
    monkeypatch.setattr(espeakng_loader, "get_library_path", lambda: str(missing))

    with pytest.raises(EngineUnavailable, match=r"^cannot load the espeak-ng library: ") as info:
        EspeakEngine()
    assert str(missing) in str(info.value)
    assert "\n" not in str(info.value)
    status = EspeakEngine.status(check_network=False)
    assert (status.usable, status.reason) == (False, str(info.value))
    assert espeak._library is None


def test_a_file_that_is_not_a_library_is_unavailable(
    unloaded: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bogus = tmp_path / "libespeak-ng.so"
    bogus.write_bytes(b"not an ELF file")
    monkeypatch.setattr(espeakng_loader, "get_library_path", lambda: str(bogus))

    with pytest.raises(EngineUnavailable, match=r"^cannot load the espeak-ng library: "):
        EspeakEngine()


def test_missing_data_is_unavailable(
    unloaded: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(espeakng_loader, "get_data_path", lambda: str(tmp_path))

    with pytest.raises(EngineUnavailable, match=r"^espeak-ng data is incomplete: no phontab in "):
        EspeakEngine()


def test_loader_without_data_is_unavailable(
    unloaded: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_data() -> str:
        raise RuntimeError("data path not exists at /nowhere/espeak-ng-data")

    monkeypatch.setattr(espeakng_loader, "get_data_path", no_data)

    with pytest.raises(EngineUnavailable, match=r"^espeak-ng data not found: data path not exists"):
        EspeakEngine()


def test_nothing_reaches_stdout(tmp_path: Path) -> None:
    # A fresh process, so initialization is covered too.
    script = textwrap.dedent(
        f"""
        import sys
        from narrate.engines.espeak import EspeakEngine
        from narrate.errors import EngineError
        try:
            EspeakEngine(voice="zz-nowhere")
        except EngineError:
            pass
        audio = EspeakEngine(rate_wpm=200).synthesize({SENTENCE!r})
        sys.exit(0 if len(audio) > 1000 else 3)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script],
        capture_output=True,
        cwd=REPO,
        check=False,
    )

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b""


def test_broken_data_is_unavailable(tmp_path: Path) -> None:
    # A fresh process: a failed initialization leaves espeak-ng's globals unusable.
    (tmp_path / "phontab").write_bytes(b"")
    script = textwrap.dedent(
        f"""
        import espeakng_loader
        espeakng_loader.get_data_path = lambda: {str(tmp_path)!r}
        from narrate.engines.espeak import EspeakEngine
        status = EspeakEngine.status(check_network=False)
        print((status.usable, status.reason))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script],
        capture_output=True,
        cwd=REPO,
        check=False,
        text=True,
    )

    assert proc.returncode == 0, proc.stderr
    expected = (False, f"espeak-ng failed to initialize with its data in {tmp_path}")
    assert proc.stdout == f"{expected}\n"


# --- Phonemes: what espeak-ng would say, without speaking it ---------------------------


def test_phonemes_of_diacritized_arabic() -> None:
    assert espeak.phonemes("مُدُن") == "m'udun"
    assert espeak.phonemes("مُدُن", separator="|") == "m|'u|d|u|n"
    assert espeak.phonemes("مُدُن", ipa=True) == "mˈudun"


def test_phonemes_of_an_undiacritized_word_can_lack_every_vowel() -> None:
    assert espeak.phonemes("شهدت", separator="|") == "S|h|d|t"
    assert espeak.phonemes("شَهِدَتْ", separator="|") == "S|'a|h|i|d|,a|t"


def test_phonemes_cover_every_clause_one_word_each() -> None:
    # TextToPhonemes answers one clause per call: all of them must come back.
    clauses = ["في يوم الجمعة", "كان التواصل مستمرا", "مع محافظة حمص", "التي شهدت حالة"] * 30
    text = "، ".join(clauses) + ". وقال: نعم؛ ثم سكت؟ لا!"

    result = espeak.phonemes(text)

    words = re.findall(r"[\u0621-\u064a]+", text)
    assert len(result.split()) == len(words)
    assert result.split()[-1] == espeak.phonemes("لا")


def test_phonemes_of_latin_words_switch_language() -> None:
    assert espeak.phonemes("AI").startswith("(en)")


def test_phonemes_of_blank_text_are_empty() -> None:
    assert espeak.phonemes("") == ""
    assert espeak.phonemes(" \n\t") == ""


def test_a_nul_does_not_cut_the_phonemes_short() -> None:
    assert len(espeak.phonemes("مرحبا\0بكم").split()) == 2


def test_phonemes_with_an_unknown_voice_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match=r"^espeak-ng has no voice 'zz-nowhere' \(not found"):
        espeak.phonemes("مرحبا", "zz-nowhere")
    with pytest.raises(EngineError, match=r"^espeak-ng has no voice ''"):
        espeak.phonemes("مرحبا", "")
    assert espeak.phonemes("مُدُن") == "m'udun"


@pytest.mark.parametrize("separator", ["a", "1", " ", "||", "\0", "é", "\n"])
def test_phonemes_refuse_a_separator_that_is_not_one_punctuation_mark(separator: str) -> None:
    with pytest.raises(ValueError, match=r"^the phoneme separator must be one ASCII punctuation"):
        espeak.phonemes("مدن", separator=separator)


def test_phonemes_do_not_change_the_voice_or_rate_of_engines(engine: EspeakEngine) -> None:
    slow = EspeakEngine(rate_wpm=100)
    before = len(slow.synthesize(SHORT))

    espeak.phonemes("hello world", "en")

    assert abs(len(slow.synthesize(SHORT)) - before) <= 0.01 * before
    assert engine.synthesize(SHORT).rms > 1000


def test_phonemes_and_speech_from_many_threads() -> None:
    words = ["مُدُن", "شهدت", "النظام", "في"]
    serial = [espeak.phonemes(w) for w in words]
    slow = EspeakEngine(rate_wpm=120)

    def job(i: int) -> str:
        if i % 3 == 0:
            return str(len(slow.synthesize(SHORT)) > 500)
        return espeak.phonemes(words[i % 4])

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(job, range(24)))

    for i, result in enumerate(results):
        assert result == ("True" if i % 3 == 0 else serial[i % 4])

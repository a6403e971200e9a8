"""The MBROLA engine: Debian's espeak-ng and mbrola with the ar2 voice, in a worker process.

Tests marked ``installed`` need the Debian packages (``scripts/install-mbrola``, which
CI runs); they are skipped where the voice is missing, unless NARRATE_REQUIRE_MBROLA is
set (as in CI), when they fail instead. The "not installed" tests run everywhere.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import pickle
import shutil
import signal
import struct
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import espeakng_loader
import pytest
from pydub import AudioSegment

from narrate.engines import Engine, EngineSettings
from narrate.engines import mbrola as mb
from narrate.engines.mbrola import (
    INSTALL_STEPS,
    PHONEME_FIXES,
    MbrolaEngine,
    add_fixes,
    decompile_table,
    find_voice_file,
)
from narrate.errors import EngineError, EngineUnavailable

SENTENCE = "أَعْلَنَتِ الْحُكُومَةُ الْيَوْمَ عَنْ خُطَّةٍ جَدِيدَةٍ لِدَعْمِ الْمُزَارِعِينَ فِي الْمَنَاطِقِ الرِّيفِيَّةِ."
# Every consonant a ر (R) or a غ (Q in espeak-ng 1.51), against a control with ب.
ROLLED = "رَرَرَ رُرُرُ رِرِرِ"
GHAIN = "غَغَغَ غُغُغُ"
CONTROL = "بَبَبَ بُبُبُ بِبِبِ"

INSTALLED = find_voice_file("ar2") is not None and shutil.which("mbrola") is not None
installed = pytest.mark.skipif(
    not INSTALLED and not os.environ.get("NARRATE_REQUIRE_MBROLA"),
    reason="MBROLA's ar2 voice is not installed (run scripts/install-mbrola)",
)


@pytest.fixture(scope="module")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mbrola-data")


@pytest.fixture(scope="module")
def engine(data_root: Path) -> Iterator[MbrolaEngine]:
    with MbrolaEngine(data_root=data_root) as started:
        yield started


@pytest.fixture(scope="module")
def unfixed(data_root: Path) -> Iterator[MbrolaEngine]:
    """The voice as espeak-ng's own table has it: ر and غ unmapped."""
    with MbrolaEngine(data_root=data_root, fixes=()) as started:
        yield started


def as_engine(engine: MbrolaEngine) -> Engine:
    """Type-checks that MbrolaEngine satisfies the Engine protocol."""
    return engine


def system_table() -> Path:
    library = mb._find_library()
    assert library is not None
    data = mb._find_espeak_data(library, "ar2")
    assert data is not None
    return data / "mbrola_ph" / "ar2_phtrans"


# --- installed ------------------------------------------------------------------------------


@installed
def test_speaks_arabic_as_mono_16_bit_at_the_voice_rate(engine: MbrolaEngine) -> None:
    audio = as_engine(engine).synthesize(SENTENCE)

    assert engine.sample_rate == 22050  # ar2's own rate, reported by espeak-ng
    assert (audio.channels, audio.sample_width, audio.frame_rate) == (1, 2, 22050)
    assert audio.rms > 1000
    assert audio.max > 10000
    words_per_minute = len(SENTENCE.split()) / (len(audio) / 60_000)
    assert 60 < words_per_minute < 200


@installed
def test_the_fix_gives_ra_and_ghain_a_voice(engine: MbrolaEngine, unfixed: MbrolaEngine) -> None:
    # Without the mapping mbrola gets "R" and "Q", has no diphones for them and puts silence.
    for text in (ROLLED, GHAIN):
        fixed, silent = engine.synthesize(text), unfixed.synthesize(text)
        # The same timing from espeak-ng: a few ms of jitter, and up to ~30 ms more when the
        # machine is loaded (seen in CI: 697 against 668 ms), so 8% rather than 2%.
        assert close(len(fixed), len(silent), 0.08)
        assert fixed.rms > 3 * silent.rms, text
        assert loud_share(fixed) > 0.5 > 2 * loud_share(silent), text
    # Text without them is spoken the same either way (to espeak-ng's jitter of a few ms).
    same, other = engine.synthesize(CONTROL), unfixed.synthesize(CONTROL)
    assert close(len(same), len(other), 0.08)
    assert close(same.rms, other.rms, 0.1)


def close(a: float, b: float, tolerance: float = 0.02) -> bool:
    """Whether ``a`` and ``b`` differ by at most ``tolerance`` of the larger.

    espeak-ng carries pitch and timing jitter from call to call: the same text comes back
    a few milliseconds longer or shorter.
    """
    return abs(a - b) <= tolerance * max(a, b)


def loud_share(audio: AudioSegment) -> float:
    """The share of 20 ms frames louder than 1/10 of the loudest."""
    frames = [audio[i : i + 20] for i in range(0, len(audio) - 19, 20)]
    peak = max(frame.rms for frame in frames)
    return sum(frame.rms > peak / 10 for frame in frames) / len(frames)


@installed
def test_the_table_is_recompiled_from_the_system_one_plus_the_fixes(
    engine: MbrolaEngine, unfixed: MbrolaEngine
) -> None:
    system = system_table()
    before = hashlib.sha256(system.read_bytes()).hexdigest()
    ours = engine.data_dir / "mbrola_ph" / "ar2_phtrans"

    # Decompiled and compiled again by espeak-ng, the system table comes back byte for byte.
    assert (unfixed.data_dir / "mbrola_ph" / "ar2_phtrans").read_bytes() == system.read_bytes()
    added = decompile_table(ours.read_bytes()).splitlines()
    original = decompile_table(system.read_bytes()).splitlines()
    assert added[: len(original)] == original
    assert added[len(original) :] == ["0 R NULL 0 r", "0 Q NULL 0 G"]  # gH is mapped already
    assert (
        engine.identity()["phoneme_table_sha256"] == hashlib.sha256(ours.read_bytes()).hexdigest()
    )
    assert unfixed.identity()["phoneme_table_sha256"] == before
    # The system's files are untouched; the voice is reached through a link in narrate's copy.
    assert hashlib.sha256(system.read_bytes()).hexdigest() == before
    assert (engine.data_dir / "mbrola" / "ar2").resolve() == find_voice_file("ar2").resolve()  # type: ignore[union-attr]
    assert engine.data_dir.parent == unfixed.data_dir.parent != engine.data_dir


@installed
def test_the_data_copy_is_built_once_and_reused(engine: MbrolaEngine, data_root: Path) -> None:
    table = engine.data_dir / "mbrola_ph" / "ar2_phtrans"
    built = table.stat().st_mtime_ns
    with MbrolaEngine(data_root=data_root) as again:
        assert again.data_dir == engine.data_dir
        assert table.stat().st_mtime_ns == built
        assert close(len(again.synthesize(CONTROL)), len(engine.synthesize(CONTROL)))
    # No half-built directory is left behind.
    assert not [p for p in data_root.iterdir() if p.name.startswith(".")]


@installed
def test_rate_is_in_words_per_minute(data_root: Path) -> None:
    with (
        MbrolaEngine(rate_wpm=120, data_root=data_root) as slow,
        MbrolaEngine(rate_wpm=300, data_root=data_root) as fast,
    ):
        slow_ms, fast_ms = len(slow.synthesize(SENTENCE)), len(fast.synthesize(SENTENCE))
        assert slow.describe().endswith(", 120 wpm)")
        assert slow.identity()["rate_wpm"] == "120"
    assert slow_ms > 1.8 * fast_ms


@installed
def test_identity_names_everything_that_changes_the_audio(engine: MbrolaEngine) -> None:
    identity = engine.identity()

    voice = find_voice_file("ar2")
    assert voice is not None
    assert identity["voice_sha256"] == hashlib.sha256(voice.read_bytes()).hexdigest()
    assert identity["engine"] == "mbrola"
    assert identity["voice"] == "ar2"
    assert identity["rate_wpm"] == "175"  # narrate's default (espeak-ng's own), stated
    assert identity["espeak_ng"] == engine.espeak_version != ""
    assert identity["mbrola"] == engine.mbrola_version != "unknown"
    assert engine.describe() == (
        f"MBROLA {engine.mbrola_version} (voice ar2, espeak-ng {engine.espeak_version})"
    )
    assert engine.parallel == "processes"
    assert engine.text_needs.diacritics


@installed
def test_blank_text_is_empty_audio_without_asking_the_worker(engine: MbrolaEngine) -> None:
    assert len(engine.synthesize(" \n")) == 0


@installed
def test_a_dead_worker_is_an_engine_error_and_is_replaced(data_root: Path) -> None:
    with MbrolaEngine(data_root=data_root) as engine:
        worker = engine._worker
        assert worker is not None
        worker.process.kill()
        worker.process.wait()
        with pytest.raises(EngineError, match=r"^the MBROLA worker stopped \(exit code -9"):
            engine.synthesize(SENTENCE)
        assert engine.synthesize(SENTENCE).rms > 1000  # a new worker
    assert engine._worker is None


@installed
def test_a_worker_that_stops_answering_is_killed_after_the_timeout(data_root: Path) -> None:
    with MbrolaEngine(data_root=data_root, timeout=0.5) as engine:
        worker = engine._worker
        assert worker is not None
        os.kill(worker.process.pid, signal.SIGSTOP)
        with pytest.raises(
            EngineError, match=r"^the MBROLA worker stopped \(no answer within 0.5 s\)$"
        ):
            engine.synthesize(SENTENCE)
        assert worker.process.poll() is not None  # killed, not left behind
        assert engine.synthesize(CONTROL).rms > 1000


@installed
def test_threads_share_one_engine(engine: MbrolaEngine) -> None:
    texts = [SENTENCE, CONTROL, f"{CONTROL} {CONTROL}"] * 3
    with ThreadPoolExecutor(4) as pool:
        lengths = list(pool.map(lambda t: len(engine.synthesize(t)), texts))
    for i, length in enumerate(lengths):
        assert close(length, lengths[i % 3]), texts[i]


@installed
def test_a_pickled_engine_starts_its_own_worker(engine: MbrolaEngine) -> None:
    with pickle.loads(pickle.dumps(engine)) as copy:
        assert copy._worker is not engine._worker
        assert copy.identity() == engine.identity()
        assert close(len(copy.synthesize(CONTROL)), len(engine.synthesize(CONTROL)))


@installed
def test_mbrola_is_usable_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    status = MbrolaEngine.status()
    assert (status.usable, status.reason) == (True, None)
    # By default narrate's copy of the data goes to its folder in the user's cache.
    assert [p.name[:4] for p in (tmp_path / "narrate" / "mbrola").iterdir()] == ["ar2-"]


@installed
def test_a_library_without_mbrola_support_is_unavailable(tmp_path: Path) -> None:
    # The wheel's espeak-ng has neither MBROLA support nor the voice's data.
    wheel = Path(espeakng_loader.get_library_path())
    with pytest.raises(EngineUnavailable, match=r"has no MBROLA voice ar2 .*apt-get install"):
        MbrolaEngine(library=wheel, data_root=tmp_path)


@installed
def test_data_that_cannot_be_built_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(EngineUnavailable, match=r"^cannot build MBROLA data in .*/file"):
        MbrolaEngine(data_root=blocker)


# --- not installed, and the parts that need nothing --------------------------------------


def test_a_missing_voice_file_is_unavailable_with_the_install_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_mbrola(tmp_path, monkeypatch)
    missing = tmp_path / "no" / "ar2"
    with pytest.raises(EngineUnavailable) as raised:
        MbrolaEngine(voice_file=missing, data_root=tmp_path)
    message = str(raised.value)
    assert message.startswith(f"the MBROLA voice file {missing} does not exist: enable Debian's")
    assert "sudo apt-get install mbrola mbrola-ar2 libespeak-ng1 espeak-ng-data" in message
    assert "scripts/install-mbrola" in message
    assert "non-commercial use only" in message
    assert "\n" not in message
    assert not list(tmp_path.glob("ar2-*"))  # nothing was built


def test_a_voice_missing_from_every_data_dir_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_mbrola(tmp_path, monkeypatch)
    monkeypatch.setenv("XDG_DATA_DIRS", f"{tmp_path}/a:{tmp_path}/b")
    assert find_voice_file("ar2") is None
    assert mb.mbrola_voices() == ()
    expected = (
        f"the MBROLA voice ar2 is not installed (not found in {tmp_path}/a/mbrola, "
        f"{tmp_path}/b/mbrola): {INSTALL_STEPS}"
    )
    with pytest.raises(EngineUnavailable) as raised:
        MbrolaEngine()
    assert str(raised.value) == expected
    status = MbrolaEngine.status()
    assert (status.usable, status.reason, status.voices) == (False, expected, ())


def test_voice_files_are_found_where_espeak_ng_looks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_DIRS", f"{tmp_path}/a:{tmp_path}/b")
    nested = tmp_path / "b" / "mbrola" / "ar2" / "ar2"
    nested.parent.mkdir(parents=True)
    nested.write_bytes(b"voice")
    flat = tmp_path / "b" / "mbrola" / "voices" / "ar1"
    flat.parent.mkdir(parents=True)
    flat.write_bytes(b"voice")
    (tmp_path / "b" / "mbrola" / "ar3").write_bytes(b"")  # empty: not a voice

    assert find_voice_file("ar2") == nested
    assert find_voice_file("ar1") == flat
    assert find_voice_file("ar3") is None
    assert mb.mbrola_voices() == ("ar2", "ar1")


def test_without_the_mbrola_program_it_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EngineUnavailable, match=r"^the mbrola program is not installed: enable"):
        MbrolaEngine()


def test_a_missing_library_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_mbrola(tmp_path, monkeypatch)
    voice = tmp_path / "ar2"
    voice.write_bytes(b"voice")
    library = tmp_path / "libespeak-ng.so.1"
    with pytest.raises(
        EngineUnavailable,
        match=rf"^espeak-ng's system library \(libespeak-ng\.so\.1\) is not in {library}: enable",
    ):
        MbrolaEngine(voice_file=voice, library=library)


def test_compiling_needs_a_library_with_mbrola_support(tmp_path: Path) -> None:
    wheel = ctypes.CDLL(str(espeakng_loader.get_library_path()))
    with pytest.raises(EngineUnavailable, match="built without MBROLA support"):
        mb._compile(wheel, tmp_path, tmp_path / "ar2")


@pytest.mark.parametrize("rate", [79, 451])
def test_rate_out_of_range(rate: int) -> None:
    with pytest.raises(ValueError, match=rf"80 to 450 words per minute, not {rate}$"):
        MbrolaEngine(rate_wpm=rate)


@pytest.mark.parametrize(
    "fix", [("R",), ("R", "r", "x"), ("R R", "r"), ("Rxxxx", "r"), ("R", "NULL")]
)
def test_fixes_are_checked(fix: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="a phoneme fix is two names of 1-4 ASCII"):
        MbrolaEngine(fixes=[fix])  # type: ignore[list-item]


@pytest.mark.parametrize("voice", ["", "ar2/../x", "AR2", "mb-ar2"])
def test_voice_names_are_checked(voice: str) -> None:
    with pytest.raises(ValueError, match="not an MBROLA voice name"):
        MbrolaEngine(voice)


def pack(*records: tuple[str, str, int, str, str, int], volume: int = 14) -> bytes:
    """A compiled table as espeak-ng writes it (control, phoneme, next, percent, mbrola x2)."""

    def word(name: str) -> int:
        specials = {"NULL": 0, "VWL": 2, "": 0}
        return specials[name] if name in specials else int.from_bytes(name.encode(), "little")

    out = struct.pack("<i", volume)
    for phoneme, following, percent, first, second, control in records:
        out += struct.pack(
            "<iIiiii", word(phoneme), word(following), word(first), word(second), percent, control
        )
    return out + bytes(24)


def test_decompiling_a_table() -> None:
    table = pack(
        ("a", ":", 50, "a", "a", 0),
        ("dH", "a", 50, "d.", "a.", 1),
        ("?", "NULL", 0, "_", "", 4),
        ("t[", "VWL", 0, "NULL", "", 0),
        volume=20,
    )
    assert decompile_table(table) == (
        "volume 20\n0 a : 50 a a\n1 dH a 50 d. a.\n4 ? NULL 0 _\n0 t[ VWL 0 NULL\n"
    )


@pytest.mark.parametrize(
    "data", [b"", b"\x14\0\0\0", pack(("a", "NULL", 0, "a", "", 0))[:-24], b"\0" * 30]
)
def test_decompiling_rejects_what_is_not_a_table(data: bytes) -> None:
    with pytest.raises(ValueError, match="not an espeak-ng MBROLA table"):
        decompile_table(data)


def test_fixes_are_added_only_where_missing() -> None:
    source = "volume 14\n0 gH NULL 0 G\n1 r a 40 r a\n"
    fixed, added = add_fixes(source, PHONEME_FIXES)
    assert added == ["R", "Q"]
    assert fixed == source + "0 R NULL 0 r\n0 Q NULL 0 G\n"
    assert add_fixes(fixed, PHONEME_FIXES) == (fixed, [])


def fake_mbrola(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ``mbrola`` on PATH, so a test reaches the checks after it wherever it runs."""
    program = tmp_path / "bin" / "mbrola"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\necho 'MBROLA 9.9 - fake'\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(program.parent))


@pytest.mark.parametrize("settings", [EngineSettings(voice="x y"), EngineSettings(rate_wpm=5)])
def test_settings_it_cannot_take_are_an_engine_error(settings: EngineSettings) -> None:
    """As every engine's from_settings: one clear EngineError, not a ValueError (a bug's mark)."""
    with pytest.raises(EngineError, match=r"^mbrola: "):
        MbrolaEngine.from_settings(settings)

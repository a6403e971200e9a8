"""The speech cache: keys, entries on disk, damage detection, atomic writes, info and clear."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import wave
from array import array
from pathlib import Path

import pytest

from narrate import cache as cache_module
from narrate.cache import (
    CACHE_ENV,
    Cache,
    CacheInfo,
    cache_info,
    chunk_key,
    clear_cache,
    open_cache,
    resolve_cache_dir,
    text_key,
)
from narrate.errors import NarrateError
from narrate.text import script

IDENTITY = {
    "engine": "espeak",
    "library": "espeak-ng 1.52.0",
    "data": "espeakng-loader 0.2.4",
    "voice": "ar",
    "rate_wpm": "175",
}
TEXT = "أَعْلَنَتِ الْحُكُومَةُ الْيَوْمَ عَنْ خُطَّةٍ جَدِيدَةٍ."
RATE = 22050


def pcm_ramp(frames: int) -> bytes:
    """Distinct, non-silent 16-bit samples."""
    return array("h", ((i * 37) % 60000 - 30000 for i in range(frames))).tobytes()


@pytest.fixture
def store(tmp_path: Path) -> Cache:
    made = open_cache(tmp_path / "speech")
    assert made is not None and made.writable
    return made


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# -- keys ------------------------------------------------------------------------------------


def test_key_is_stable_hex_and_ignores_the_order_of_the_identity() -> None:
    key = chunk_key(IDENTITY, RATE, TEXT)

    assert len(key) == 64 and int(key, 16) >= 0
    assert chunk_key(dict(reversed(list(IDENTITY.items()))), RATE, TEXT) == key
    assert chunk_key(dict(IDENTITY), RATE, str(TEXT)) == key


@pytest.mark.parametrize("part", sorted(IDENTITY))
def test_key_changes_with_every_part_of_the_engine_identity(part: str) -> None:
    changed = {**IDENTITY, part: IDENTITY[part] + "x"}

    assert chunk_key(changed, RATE, TEXT) != chunk_key(IDENTITY, RATE, TEXT)


def test_key_changes_when_the_identity_gains_a_setting() -> None:
    assert chunk_key({**IDENTITY, "pitch": "50"}, RATE, TEXT) != chunk_key(IDENTITY, RATE, TEXT)


@pytest.mark.parametrize(
    "edited",
    [
        TEXT + " ",  # a trailing space
        TEXT.replace("ٍ", "", 1),  # one diacritic fewer
        TEXT.replace(".", "،"),  # Arabic comma for the full stop
        TEXT[:-1],
    ],
)
def test_key_changes_with_the_exact_text(edited: str) -> None:
    assert chunk_key(IDENTITY, RATE, edited) != chunk_key(IDENTITY, RATE, TEXT)


def test_prepared_text_is_keyed_by_the_text_preparation_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A chunk's key hashes the exact text sent, so preparation changes show there by
    themselves; a cached diacritization is keyed by the input, so it carries the version."""
    script._diacritizer.cache_clear()
    before = text_key("diacritized", script._diacritizer()[1], TEXT)
    monkeypatch.setattr(script, "PREP_VERSION", script.PREP_VERSION + 1)
    script._diacritizer.cache_clear()
    try:
        assert text_key("diacritized", script._diacritizer()[1], TEXT) != before
    finally:
        monkeypatch.undo()
        script._diacritizer.cache_clear()


def test_key_changes_with_the_sample_format() -> None:
    assert chunk_key(IDENTITY, 24000, TEXT) != chunk_key(IDENTITY, RATE, TEXT)


# -- entries ---------------------------------------------------------------------------------


def test_entry_round_trips_and_is_a_playable_wav_in_a_fanout_folder(store: Cache) -> None:
    key = chunk_key(IDENTITY, RATE, TEXT)
    pcm = pcm_ramp(5000)
    store.store(key, pcm, RATE)

    path = store.root / key[:2] / f"{key}.wav"
    assert files_under(store.root) == [f"{key[:2]}/{key}.wav"]
    assert store.load(key, RATE) == pcm
    with wave.open(str(path)) as wav:  # any WAV reader skips narrate's "nrte" chunk
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE)
        assert wav.getnframes() == 5000
        assert wav.readframes(5000) == pcm
    assert oct(path.stat().st_mode & 0o777) == "0o644"


def test_empty_audio_is_an_entry_too(store: Cache) -> None:
    key = chunk_key(IDENTITY, RATE, "")
    store.store(key, b"", RATE)

    assert store.load(key, RATE) == b""


def test_a_missing_entry_is_a_miss(store: Cache) -> None:
    assert store.load(chunk_key(IDENTITY, RATE, TEXT), RATE) is None


def damage_cases() -> dict[str, tuple[int, bytes] | int]:
    """How to damage an entry: (offset, bytes to write there) or a length to truncate it to."""
    header = cache_module._HEADER.size
    return {
        "truncated audio": header + 3000,
        "truncated header": 20,
        "empty file": 0,
        "flipped audio byte": (header + 1234, b"\xff"),
        "flipped checksum byte": (header - 8 - 1, b"\x00"),
        "wrong sample rate": (24, (16000).to_bytes(4, "little")),
        "not a RIFF file": (0, b"ID3\x03"),
    }


@pytest.mark.parametrize("damage", sorted(damage_cases()))
def test_a_damaged_entry_is_a_miss_and_is_deleted(
    store: Cache, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    key = chunk_key(IDENTITY, RATE, TEXT)
    store.store(key, pcm_ramp(4000), RATE)
    path = store.path_for(key)
    how = damage_cases()[damage]
    if isinstance(how, int):
        os.truncate(path, how)
    else:
        offset, data = how
        with path.open("r+b") as f:
            f.seek(offset)
            original = f.read(len(data))
            assert original != data, "the damage must change the file"
            f.seek(offset)
            f.write(data)

    with caplog.at_level(logging.WARNING, logger="narrate.cache"):
        assert store.load(key, RATE) is None
    assert not path.exists()
    assert f"damaged speech cache entry {path}" in caplog.text


def test_an_entry_renamed_to_another_key_is_not_believed(store: Cache) -> None:
    key, other = chunk_key(IDENTITY, RATE, TEXT), chunk_key(IDENTITY, RATE, "نص آخر")
    store.store(key, pcm_ramp(100), RATE)
    store.path_for(other).parent.mkdir(parents=True, exist_ok=True)
    os.replace(store.path_for(key), store.path_for(other))

    assert store.load(other, RATE) is None


def test_a_failed_write_leaves_neither_entry_nor_temporary_file(
    store: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = chunk_key(IDENTITY, RATE, TEXT)

    def disk_full(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        store.store(key, pcm_ramp(3000), RATE)

    assert store.load(key, RATE) is None
    assert files_under(store.root) == []


def test_a_write_replaces_an_entry_whole(store: Cache) -> None:
    key = chunk_key(IDENTITY, RATE, TEXT)
    store.store(key, pcm_ramp(10), RATE)
    store.store(key, pcm_ramp(20), RATE)

    assert store.load(key, RATE) == pcm_ramp(20)
    assert files_under(store.root) == [f"{key[:2]}/{key}.wav"]


# -- where the cache lives, and when it cannot ------------------------------------------------


def test_the_folder_is_the_option_then_the_environment_then_the_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "env"))
    assert resolve_cache_dir(tmp_path / "option") == tmp_path / "option"
    assert resolve_cache_dir() == tmp_path / "env"

    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # platformdirs on Linux
    default = resolve_cache_dir()
    assert default.name == "speech" and "narrate" in default.parts
    if sys.platform == "linux":
        assert default == tmp_path / "xdg" / "narrate" / "speech"


def test_a_cache_that_cannot_be_created_warns_and_is_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    with caplog.at_level(logging.WARNING, logger="narrate.cache"):
        assert open_cache(blocker / "speech") is None
    assert f"cannot create the speech cache {blocker / 'speech'}" in caplog.text
    assert "building without it" in caplog.text


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_cache_is_read_but_not_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "speech"
    Cache(root).store("ab" * 32, pcm_ramp(10), RATE)
    root.chmod(0o555)
    try:
        with caplog.at_level(logging.WARNING, logger="narrate.cache"):
            made = open_cache(root)
        assert made is not None and not made.writable
        assert made.load("ab" * 32, RATE) == pcm_ramp(10)
        assert "new speech will not be cached" in caplog.text
    finally:
        root.chmod(0o755)


def test_a_cache_whose_probe_write_fails_is_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """What a read-only folder looks like to a user who is not root."""

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with caplog.at_level(logging.WARNING, logger="narrate.cache"):
        made = open_cache(tmp_path / "speech")

    assert made is not None and not made.writable
    assert "cannot write to the speech cache" in caplog.text
    assert "(Permission denied): new speech will not be cached" in caplog.text


# -- info and clear --------------------------------------------------------------------------


def test_info_counts_entries_and_bytes_and_clear_removes_them(store: Cache) -> None:
    keys = [chunk_key(IDENTITY, RATE, f"{TEXT} {n}") for n in range(5)]
    for n, key in enumerate(keys):
        store.store(key, pcm_ramp(100 * (n + 1)), RATE)
    header = cache_module._HEADER.size
    # A temporary file a killed build left, and a file narrate did not make.
    (store.root / keys[0][:2] / ".tmp-abc.tmp").write_bytes(b"half")
    (store.root / "notes.txt").write_text("mine")

    info = cache_info(store.root)
    assert info == CacheInfo(
        path=store.root, entries=5, bytes=5 * header + 2 * 100 * (1 + 2 + 3 + 4 + 5)
    )

    assert clear_cache(store.root) == 5
    assert cache_info(store.root) == CacheInfo(path=store.root, entries=0, bytes=0)
    assert files_under(store.root) == ["notes.txt"]
    assert all(store.load(key, RATE) is None for key in keys)


def test_info_and_clear_of_a_cache_never_made(tmp_path: Path) -> None:
    root = tmp_path / "nowhere"

    assert cache_info(root) == CacheInfo(path=root, entries=0, bytes=0)
    assert clear_cache(root) == 0
    assert not root.exists()


def test_info_and_clear_use_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "env-cache"))
    Cache(tmp_path / "env-cache").store("cd" * 32, pcm_ramp(8), RATE)

    assert cache_info().entries == 1
    assert clear_cache() == 1


def test_info_of_an_unreadable_cache_is_a_narrate_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "speech"
    Cache(root).store("ef" * 32, pcm_ramp(8), RATE)

    def unreadable(self: Path) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", unreadable)
    with pytest.raises(NarrateError, match=f"cannot read the speech cache {root}: Permission"):
        cache_info(root)

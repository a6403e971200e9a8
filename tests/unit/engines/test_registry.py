"""``narrate engines``: each engine's status, checked for real (Google is the local fake)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from narrate.engines import espeak
from narrate.engines.gtts import ENDPOINT_ENV, PROBE_TEXT
from narrate.engines.mbrola import INSTALL_STEPS, find_voice_file
from narrate.engines.registry import EngineStatus, engine_status, engine_statuses
from narrate.errors import EngineUnavailable
from tests.conftest import _closed_port
from tests.fake_google import FakeGoogle

MBROLA_INSTALLED = find_voice_file("ar2") is not None and shutil.which("mbrola") is not None


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    with FakeGoogle() as server:
        yield server


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The MBROLA engine builds its data copy in the user's cache: keep it in tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_gtts_is_usable_when_google_answers(
    google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, google.endpoint)

    status = engine_status("gtts")

    assert status.usable
    assert status.reason is None
    assert status.voices == ("ar",)
    assert status.detail.startswith("gTTS ") and status.detail.endswith(" (lang ar), online")
    assert google.requests == [PROBE_TEXT]  # one probe, no retries


def test_gtts_is_unusable_when_nothing_listens(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv(ENDPOINT_ENV, endpoint)

    status = engine_status("gtts", timeout=1.0)

    assert not status.usable
    assert status.reason is not None
    assert status.reason.startswith(f"Google TTS did not answer: cannot connect to {endpoint}")
    assert status.voices == ("ar",)


def test_gtts_refused_is_unusable_with_the_fix(
    google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, google.endpoint)
    google.set_mode("403")

    status = engine_status("gtts")

    assert not status.usable
    assert status.reason is not None
    assert "403" in status.reason and "pip install --upgrade gTTS" in status.reason


def test_gtts_is_not_asked_without_network_checks(
    google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, google.endpoint)

    status = engine_status("gtts", check_network=False)

    assert (status.usable, status.reason) == (False, "not checked: network checks off")
    assert google.requests == []


def test_a_bad_endpoint_is_a_reason_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, "ftp://example")
    status = engine_status("gtts")
    assert not status.usable
    assert status.reason is not None and "must be an http(s) URL" in status.reason


def test_espeak_is_usable_with_its_arabic_voice() -> None:
    status = engine_status("espeak")

    assert status == EngineStatus(
        "espeak",
        True,
        f"espeak-ng {status.detail.split()[1]} (voice ar), offline",
        ("ar",),
        None,
    )
    assert status.detail.split()[1].startswith("1.5")


def test_espeak_lists_voices_by_language() -> None:
    assert espeak.voices("ar") == ("ar",)
    english = espeak.voices("en")
    assert {"en", "en-US"} <= set(english)
    assert espeak.voices("xx") == ()


def test_espeak_unusable_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> espeak._Library:
        raise EngineUnavailable("espeak-ng data not found: gone")

    monkeypatch.setattr(espeak, "_get_library", missing)

    status = engine_status("espeak")

    assert (status.usable, status.voices) == (False, ())
    assert status.reason == "espeak-ng data not found: gone"
    assert status.detail == "espeak-ng from the espeakng-loader wheel, offline"


@pytest.mark.skipif(not MBROLA_INSTALLED, reason="MBROLA's ar2 voice is not installed")
def test_mbrola_is_usable_when_installed() -> None:
    status = engine_status("mbrola")

    assert status.usable, status.reason
    assert status.voices[0] == "ar2"
    assert status.detail.startswith("MBROLA ")
    assert "(voice ar2, espeak-ng 1.5" in status.detail
    assert status.detail.endswith("the voice's licence is non-commercial")


def test_mbrola_unusable_without_its_voice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "nothing"))

    status = engine_status("mbrola")

    assert (status.usable, status.voices) == (False, ())
    assert status.reason is not None and status.reason.endswith(INSTALL_STEPS)
    assert "non-commercial" in status.detail


def test_every_engine_is_listed_in_order_and_none_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, f"http://127.0.0.1:{_closed_port()}")

    statuses = engine_statuses(timeout=1.0)

    assert [s.name for s in statuses] == ["gtts", "edge", "piper", "espeak", "mbrola"]
    # Google and Microsoft do not answer here; no piper voice is installed in the tests' folder.
    assert [s.usable for s in statuses][:4] == [False, False, False, True]
    assert all((s.reason is None) == s.usable for s in statuses)
    assert statuses[3].to_json() == {
        "name": "espeak",
        "usable": True,
        "detail": statuses[3].detail,
        "voices": ["ar"],
        "reason": None,
    }


def test_unknown_engine() -> None:
    with pytest.raises(
        ValueError,
        match=r"^unknown engine 'polly': choose one of gtts, edge, piper, espeak, mbrola$",
    ):
        engine_status("polly")

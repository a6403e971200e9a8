"""The shipped voice table, and how ``auto`` and the licences use it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from narrate.engines import ENGINES, EngineSettings
from narrate.engines.catalogue import catalogue, catalogue_voices, find_voice, voice_entry
from narrate.engines.registry import _auto_settings, voice_engines
from narrate.errors import EngineUnavailable


def test_every_voice_belongs_to_a_registered_engine_and_every_engine_has_voices() -> None:
    engines = {voice.engine for voice in catalogue()}
    assert engines == set(ENGINES)
    names = [(voice.engine, voice.name) for voice in catalogue()]
    assert len(names) == len(set(names)), "a voice is listed twice"


def test_microsofts_arabic_voices_two_per_locale_one_of_each_gender() -> None:
    edge = [voice for voice in catalogue() if voice.engine == "edge"]
    assert len(edge) == 32
    locales = Counter(voice.language for voice in edge)
    assert len(locales) == 16 and set(locales.values()) == {2}
    for locale in locales:
        genders = {voice.gender for voice in edge if voice.language == locale}
        assert genders == {"female", "male"}, locale
    assert all(v.name.startswith(v.language + "-") and v.name.endswith("Neural") for v in edge)
    assert "ar-SA-HamedNeural" in catalogue_voices("edge")


def test_licences_say_what_a_producer_needs() -> None:
    ar2 = find_voice("mbrola", "ar2")
    assert ar2 is not None and ar2.non_commercial and "non-commercial" in ar2.credit
    espeak = find_voice("espeak", "ar")
    assert espeak is not None and espeak.commercial == "yes" and not espeak.credit
    for voice in catalogue():
        assert voice.licence and voice.dialect and voice.dialect_ar, voice
        if voice.non_commercial:
            assert voice.credit, f"{voice.name}: a non-commercial voice must say so where published"


def test_a_voice_file_is_known_by_its_file_name() -> None:
    kareem = voice_entry("piper", "/home/me/voices/ar_JO-kareem-medium.onnx")
    assert kareem is not None and kareem.name == "ar_JO-kareem-medium"
    assert voice_entry("piper", "/home/me/voices/mine.onnx") is None
    assert voice_entry("espeak", "ar") is not None


def test_a_voice_names_its_engines() -> None:
    assert set(voice_engines("ar")) == {"gtts", "espeak"}
    assert voice_engines("ar-EG-SalmaNeural") == ("edge",)
    assert voice_engines("/tmp/some-voice.onnx") == ("piper",)
    assert voice_engines("ar2") == ("mbrola",)


def test_auto_gives_the_shows_piper_voice_to_piper_only() -> None:
    plan = dict(
        _auto_settings(EngineSettings(voice="/voices/ar_JO-kareem-medium.onnx", rate_wpm=140))
    )
    assert list(plan) == ["gtts", "piper", "espeak"]
    gtts, piper, espeak = plan["gtts"], plan["piper"], plan["espeak"]
    assert gtts is not None and gtts.voice is None and gtts.rate_wpm == 140
    assert piper is not None and piper.voice == "/voices/ar_JO-kareem-medium.onnx"
    assert espeak is not None and espeak.voice is None


def test_auto_without_a_voice_does_not_try_piper() -> None:
    plan = dict(_auto_settings(EngineSettings()))
    assert plan["piper"] is None and plan["gtts"] is not None and plan["espeak"] is not None


def test_auto_refuses_a_voice_it_would_never_use() -> None:
    with pytest.raises(EngineUnavailable, match=r"an edge voice: choose --engine edge"):
        _auto_settings(EngineSettings(voice="ar-SA-HamedNeural"))


def test_a_voice_file_of_ones_own_is_non_commercial_when_its_model_card_says_so(
    tmp_path: Path,
) -> None:
    model = tmp_path / "ar_SA-miro-high.onnx"
    model.write_bytes(b"onnx")
    assert voice_entry("piper", str(model)) is None  # no card: nothing known
    (tmp_path / "ar_SA-miro-high.onnx.MODEL_CARD").write_text(
        "# Model card\n\nLicense: CC BY-NC-SA 4.0\nDataset: ...\n", encoding="utf-8"
    )
    entry = voice_entry("piper", str(model))
    assert entry is not None and entry.non_commercial
    assert entry.licence.startswith("CC BY-NC-SA 4.0")
    assert entry.credit == "Voice: ar_SA-miro-high (CC BY-NC-SA 4.0; non-commercial use only)"
    (tmp_path / "ar_SA-miro-high.onnx.MODEL_CARD").write_text("License: MIT\n", encoding="utf-8")
    assert voice_entry("piper", str(model)) is None

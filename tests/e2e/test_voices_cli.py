"""``narrate voices``, ``voices preview``, ``engines``' auto line and ``[build] voice``, as a user
runs them."""

from __future__ import annotations

import json
from pathlib import Path

from mutagen.mp3 import MP3

from narrate.engines.edge import ENDPOINT_ENV
from tests.cli import narrate
from tests.fake_edge import FakeEdge


def test_voices_lists_every_voice_with_its_licence_and_why_not() -> None:
    run = narrate("voices", "--offline", "--json")
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    by_engine: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_engine.setdefault(str(row["engine"]), []).append(row)
    assert set(by_engine) == {"gtts", "edge", "piper", "espeak", "mbrola"}
    assert len(by_engine["edge"]) == 32
    espeak = by_engine["espeak"][0]
    assert (espeak["name"], espeak["usable"], espeak["reason"]) == ("ar", True, None)
    # Online voices are not asked for offline, and say so; piper voices are not installed here.
    assert all(not r["usable"] and "not checked" in str(r["reason"]) for r in by_engine["edge"])
    kareem = next(r for r in by_engine["piper"] if r["name"] == "ar_JO-kareem-medium")
    assert not kareem["usable"] and "narrate voices install ar_JO-kareem-medium" in str(
        kareem["reason"]
    )
    for row in rows:
        assert row["gender"] in ("female", "male") and row["licence"] and row["dialect"]
    ar2 = next(r for r in by_engine["mbrola"] if r["name"] == "ar2")
    assert ar2["commercial"] == "no"

    table = narrate("voices", "--offline", "--engine", "mbrola", "--engine", "espeak")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert any(line.startswith("espeak  ar ") and " yes " in line for line in lines)
    assert any("ar2" in line and "NON-COMMERCIAL" in line for line in lines)
    assert not any(line.startswith("edge") for line in lines)


def test_edge_voices_are_usable_when_microsoft_answers() -> None:
    with FakeEdge() as edge:
        run = narrate("voices", "--engine", "edge", "--json", env={ENDPOINT_ENV: edge.endpoint})
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert len(rows) == 32 and all(row["usable"] for row in rows)


def test_a_preview_speaks_one_sentence_into_an_mp3(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = narrate("voices", "preview", "ar", "--engine", "espeak", "-o", out)
    assert run.returncode == 0, run.stderr
    mp3 = out / "previews" / "espeak-ar.mp3"
    assert f"Wrote {mp3}" in run.stdout
    # The sample sentence went through the build's text preparation: its numbers in words.
    assert "ألفين وخمسة وعشرين" in run.stdout or "أَلْفَيْنِ" in run.stdout
    assert 5 < MP3(mp3).info.length < 30
    assert [p.name for p in (out / "previews").iterdir()] == ["espeak-ar.mp3"]


def test_a_preview_of_an_edge_voice_is_microsofts_speech(tmp_path: Path) -> None:
    target = tmp_path / "salma.mp3"
    with FakeEdge() as edge:
        run = narrate(
            "voices", "preview", "ar-EG-SalmaNeural", "--out", target, "--text", "صباح الخير",
            env={ENDPOINT_ENV: edge.endpoint},
        )  # fmt: skip
        (exchange,) = edge.exchanges
    assert run.returncode == 0, run.stderr
    assert exchange.voice == "ar-EG-SalmaNeural" and exchange.text == "صباح الخير"
    assert 0.3 < MP3(target).info.length < 5


def test_a_preview_needs_a_voice_some_engine_has() -> None:
    run = narrate("voices", "preview", "ar-XX-NobodyNeural")
    assert run.returncode == 2
    assert "no engine has a voice 'ar-XX-NobodyNeural'" in run.stderr
    both = narrate("voices", "preview", "ar")
    assert both.returncode == 2 and "gtts and espeak: choose one with --engine" in both.stderr


def test_engines_says_what_auto_chooses_and_why(tmp_path: Path) -> None:
    run = narrate("engines", "--offline")
    assert run.returncode == 0, run.stderr
    (auto,) = [line for line in run.stdout.splitlines() if line.startswith("auto:")]
    assert auto.startswith("auto: espeak (voice ar): gtts: not asked (network checks off)")
    listed = json.loads(narrate("engines", "--offline", "--json").stdout)
    assert [e["name"] for e in listed if e["auto"]] == ["espeak"]


def test_the_shows_voice_comes_from_narrate_toml(tmp_path: Path) -> None:
    (tmp_path / "narrate.toml").write_text(
        '[show]\ntitle = "نشرة"\n\n[build]\nengine = "auto"\nvoice = "ar_JO-kareem-medium"\n',
        encoding="utf-8",
    )
    run = narrate("engines", "--offline", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    (auto,) = [line for line in run.stdout.splitlines() if line.startswith("auto:")]
    # The show names a piper voice that is not installed: auto says so and takes espeak-ng.
    assert "ar_JO-kareem-medium" in auto and auto.startswith("auto: espeak")

    (tmp_path / "narrate.toml").write_text(
        '[show]\ntitle = "نشرة"\n\n[build]\nvoice = ""\n', encoding="utf-8"
    )
    bad = narrate("engines", "--offline", cwd=tmp_path)
    assert bad.returncode != 0 and "build.voice" in bad.stderr and "line 5" in bad.stderr

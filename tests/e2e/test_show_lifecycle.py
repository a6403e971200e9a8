"""One show over time, through the real command: concurrent builds, list, remove, feed, init.

Every step runs ``narrate`` as a separate process, as a newsroom script would.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import feedparser
import podcastparser

from tests.cli import NARRATE, narrate

ARTICLES = {
    "council": "اجتماع المجلس البلدي\n\nناقش المجلس البلدي خطة الحدائق العامة.\n",
    "weather": "نشرة الطقس\n\nأمطار غزيرة متوقعة على الساحل غدا.\n",
    "market": "أسعار الأسواق\n\nارتفعت أسعار الخضار في الأسواق المحلية.\n",
}


def feed_items(output: Path) -> dict[str, dict[str, object]]:
    with (output / "feed.xml").open("rb") as handle:
        parsed = podcastparser.parse("feed.xml", handle)
    return {str(item["guid"]): item for item in parsed["episodes"]}


def test_builds_at_once_on_one_folder_all_land_and_the_show_can_be_managed(
    tmp_path: Path,
) -> None:
    output = tmp_path / "output"
    paths = []
    for slug, text in ARTICLES.items():
        path = tmp_path / f"{slug}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    env = {**os.environ, "NARRATE_BASE_URL": "https://example.org/show/"}
    builds = [
        subprocess.Popen(
            [str(NARRATE), "build", str(path), "-o", str(output), "--engine", "espeak", "-q"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in paths
    ]
    for process in builds:
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr

    listed = json.loads(narrate("list", "-o", output, "--json").stdout)
    assert sorted(e["slug"] for e in listed) == sorted(ARTICLES)
    items = feed_items(output)
    assert len(items) == 3
    parsed = feedparser.parse(output / "feed.xml")
    assert not parsed.bozo and len(parsed.entries) == 3
    page = (output / "index.html").read_text(encoding="utf-8")
    for slug in ARTICLES:
        assert f'href="{slug}.mp3' in page or f'src="{slug}.mp3' in page
        assert (output / f"{slug}.mp3").is_file()
        assert any((output / slug).glob("01-*.mp3"))

    removed = narrate("remove", "weather", "-o", output)
    assert removed.returncode == 0, removed.stderr
    assert not (output / "weather.mp3").exists() and not (output / "weather").exists()
    assert len(feed_items(output)) == 2
    assert "weather.mp3" not in (output / "index.html").read_text(encoding="utf-8")
    missing = narrate("remove", "weather", "-o", output)
    assert missing.returncode == 1
    assert missing.stderr.strip().startswith("Error: ") and "weather" in missing.stderr

    (output / "feed.xml").unlink()
    (output / "index.html").unlink()
    regenerated = narrate("feed", "-o", output)
    assert regenerated.returncode == 0, regenerated.stderr
    assert len(feed_items(output)) == 2 and (output / "index.html").is_file()
    # The show settings of the last build are kept: the base URL did not fall back to the default.
    assert all(
        str(e["enclosures"][0]["url"]).startswith("https://example.org/show/")
        for e in podcastparser.parse("f", (output / "feed.xml").open("rb"))["episodes"]
    )


def test_init_writes_a_config_that_the_build_follows_and_options_override(
    tmp_path: Path,
) -> None:
    run = subprocess.run(
        [str(NARRATE), "init", "--no-interactive", "--title", "صباح الخير",
         "--author", "غرفة الأخبار", "--owner-email", "news@example.org",
         "--base-url", "https://radio.example.org/", "--category", "News"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "narrate.toml").is_file()
    again = subprocess.run(
        [str(NARRATE), "init", "--no-interactive", "--title", "x"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert again.returncode == 1 and "narrate.toml" in again.stderr  # never overwritten silently

    article = tmp_path / "council.txt"
    article.write_text(ARTICLES["council"], encoding="utf-8")
    build = subprocess.run(
        [str(NARRATE), "build", str(article), "--engine", "espeak", "-q", "--bitrate", "96"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("NARRATE_BASE")},
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    parsed = feedparser.parse(tmp_path / "output" / "feed.xml")
    assert parsed.feed.title == "صباح الخير"
    assert parsed.feed.author_detail.name == "غرفة الأخبار" or "غرفة الأخبار" in str(parsed.feed)
    assert parsed.entries[0].enclosures[0].href.startswith("https://radio.example.org/")
    from mutagen.mp3 import MP3

    # The option won (mutagen works the bitrate out from the file's length: a bit either way).
    assert abs(MP3(tmp_path / "output" / "council.mp3").info.bitrate - 96000) < 100

    broken = tmp_path / "narrate.toml"
    text = broken.read_text(encoding="utf-8")
    assert "bitrate = 64" in text
    broken.write_text(text.replace("bitrate = 64", "bitrate = 65"), encoding="utf-8")
    bad = subprocess.run(
        [str(NARRATE), "build", str(article), "--engine", "espeak", "-q"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode == 1
    (line,) = bad.stderr.strip().splitlines()
    assert line.startswith("Error: ") and "bitrate" in line and "line" in line

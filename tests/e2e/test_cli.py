"""The commands as a producer runs them: real processes, MP3s and feeds, read by real parsers."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import feedparser
import podcastparser
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode

from narrate.progress import Reporter
from tests.cli import NARRATE, narrate
from tests.conftest import BASE_URL, ExampleBuild
from tests.fake_google import FakeGoogle
from tests.media import decode, ffprobe, rms_dbfs
from tests.paths import EXPECTED_PLAN

SHORT_ARTICLE = """عاجل

اجتماع المجلس البلدي

ناقش المجلس البلدي، صباح اليوم، خطة تطوير الحدائق العامة في المدينة.

الميزانية

خصص المجلس ميزانية جديدة للحدائق؟ نعم، وأقرها بالإجماع.
"""


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def short_article(tmp_path: Path) -> Path:
    path = tmp_path / "council-meeting.txt"
    path.write_text(SHORT_ARTICLE, encoding="utf-8")
    return path


def test_auto_engine_falls_back_to_espeak_and_says_why_in_one_line(
    example_build: ExampleBuild,
) -> None:
    engine_lines = [
        line for line in example_build.run.stderr.splitlines() if line.startswith("Engine:")
    ]
    assert len(engine_lines) == 1
    assert engine_lines[0].startswith("Engine: espeak (Google TTS did not answer")
    assert "offline voice" in engine_lines[0]
    assert "Traceback" not in example_build.run.stderr


def test_example_mp3_is_mono_44k_cbr_of_plausible_length(example_build: ExampleBuild) -> None:
    mp3 = MP3(example_build.mp3)
    assert mp3.info.bitrate_mode == BitrateMode.CBR
    assert (mp3.info.channels, mp3.info.sample_rate) == (1, 44100)
    assert abs(mp3.info.bitrate - 64000) < 100
    # ~820 words at espeak's default pace (~110-175 words a minute) with pauses and headings.
    assert 4 * 60 < mp3.info.length < 10 * 60
    probe = ffprobe(example_build.mp3)
    assert abs(float(probe["format"]["duration"]) - mp3.info.length) < 0.1


def test_example_tags_are_read_back(example_build: ExampleBuild, example_article: Path) -> None:
    tags = ID3(example_build.mp3, translate=False)  # as stored: v2.3 frames, not upgraded to v2.4
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]).startswith("من دمشق إلى موسكو")
    assert str(tags["TPE1"]) == str(tags["TALB"]) == "نشرة مسموعة"
    assert str(tags["TLAN"]) == "ara"
    assert str(tags["TCON"]) == "Podcast"
    assert str(tags["TYER"]) == "2026"
    engine_frames = [f for f in tags.getall("TXXX") if "engine" in f.desc.lower()]
    assert len(engine_frames) == 1 and "espeak-ng" in str(engine_frames[0])
    descriptions = tags.getall("COMM")
    assert descriptions and "في يوم الجمعة" in str(descriptions[0])


def test_example_chapters_match_headings_in_ffprobe_and_land_on_speech(
    example_build: ExampleBuild,
) -> None:
    expected = json.loads(EXPECTED_PLAN.read_text("utf-8"))
    # The lead is the introduction; the episode's long title is not repeated as its chapter.
    titles = [s["heading"] or "المقدمة" for s in expected["segments"]]

    tags = ID3(example_build.mp3)
    (toc,) = tags.getall("CTOC")
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    assert toc.child_element_ids == [f"ch{i}" for i in range(len(titles))]
    id3_starts = [chaps[i].start_time for i in toc.child_element_ids]

    probed = ffprobe(example_build.mp3)["chapters"]
    assert [c["tags"]["title"] for c in probed] == titles
    for chapter, id3_start in zip(probed, id3_starts, strict=True):
        assert abs(float(chapter["start_time"]) * 1000 - id3_start) <= 60
    assert float(probed[0]["start_time"]) == 0
    total = float(ffprobe(example_build.mp3)["format"]["duration"])
    assert abs(float(probed[-1]["end_time"]) - total) < 0.1

    # Each heading is spoken right at its chapter start, after the pause ending the segment before.
    rate = 8000
    samples = decode(example_build.mp3, rate)
    for start_ms in id3_starts[1:]:
        at = start_ms * rate // 1000
        assert rms_dbfs(samples, at - rate, at - rate // 10) < -50, (
            f"not quiet before {start_ms} ms"
        )
        assert rms_dbfs(samples, at, at + rate * 6 // 10) > -35, f"no speech at {start_ms} ms"


def test_example_feed_is_read_by_podcastparser_and_feedparser(example_build: ExampleBuild) -> None:
    size = example_build.mp3.stat().st_size
    duration = MP3(example_build.mp3).info.length
    url = BASE_URL + "damascus-to-moscow.mp3"

    with example_build.feed.open("rb") as handle:
        parsed = podcastparser.parse(BASE_URL + "feed.xml", handle)
    assert parsed["title"] == "نشرة مسموعة"
    (episode,) = parsed["episodes"]
    assert episode["title"].startswith("من دمشق إلى موسكو")
    (enclosure,) = episode["enclosures"]
    assert (enclosure["url"], enclosure["file_size"], enclosure["mime_type"]) == (
        url,
        size,
        "audio/mpeg",
    )
    assert abs(episode["total_time"] - duration) <= 1
    assert episode["published"] == 1795163400  # 2026-11-20T08:30:00Z

    feed = feedparser.parse(example_build.feed.read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.language == "ar"
    (entry,) = feed.entries
    assert entry.enclosures[0].href == url
    assert int(entry.enclosures[0].length) == size
    assert tuple(entry.published_parsed)[:6] == (2026, 11, 20, 8, 30, 0)
    assert int(entry.itunes_duration) == round(duration)


def test_second_article_adds_an_item_and_rebuild_keeps_the_guid(
    short_article: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    common = ["--output-dir", output, "--base-url", BASE_URL, "--engine", "espeak", "-q"]
    first = tmp_path / "first-story.txt"
    first.write_text("خبر أول\n\nنص الخبر الأول قصير جدا.\n", encoding="utf-8")
    assert narrate("build", first, *common, "--date", "2026-11-01").returncode == 0
    assert narrate("build", short_article, *common, "--date", "2026-11-02").returncode == 0

    def items() -> dict[str, str]:
        with (output / "feed.xml").open("rb") as handle:
            parsed = podcastparser.parse(BASE_URL + "feed.xml", handle)
        return {e["enclosures"][0]["url"].rsplit("/", 1)[1]: e["guid"] for e in parsed["episodes"]}

    before = items()
    assert set(before) == {"first-story.mp3", "council-meeting.mp3"}
    assert len(set(before.values())) == 2

    first.write_text("خبر أول\n\nنص الخبر الأول بعد التصحيح.\n", encoding="utf-8")
    assert narrate("build", first, *common, "--date", "2026-11-03").returncode == 0
    assert items() == before


def test_gtts_engine_builds_against_a_local_google(short_article: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    with FakeGoogle() as google:
        run = narrate(
            "build", short_article, "--output-dir", output, "--engine", "gtts",
            env={"NARRATE_GTTS_ENDPOINT": google.endpoint},
        )  # fmt: skip
        received = list(google.requests)
    assert run.returncode == 0, run.stderr
    assert "Engine: gtts" in run.stderr
    assert received and all(0 < len(text) <= 100 for text in received)
    spoken = " ".join(received)
    for phrase in ("اجتماع المجلس البلدي", "الميزانية", "خطة تطوير الحدائق"):
        assert phrase in spoken
    assert "عاجل" not in spoken
    engine = [
        f for f in ID3(output / "council-meeting.mp3").getall("TXXX") if "engine" in f.desc.lower()
    ]
    assert "gTTS" in str(engine[0])


def test_auto_engine_uses_google_when_it_answers(short_article: Path, tmp_path: Path) -> None:
    with FakeGoogle() as google:
        run = narrate(
            "build", short_article, "--output-dir", tmp_path / "out",
            env={"NARRATE_GTTS_ENDPOINT": google.endpoint},
        )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Engine: gtts (Google TTS answered)" in run.stderr.splitlines()


def test_the_engine_line_says_where_the_engine_was_chosen(
    short_article: Path, tmp_path: Path
) -> None:
    (tmp_path / "narrate.toml").write_text('[build]\nengine = "espeak"\n', encoding="utf-8")
    common = [short_article, "--cache-dir", tmp_path / "cache"]
    run = narrate("build", *common, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    assert 'Engine: espeak (chosen with narrate.toml ([build] engine = "espeak"))' in lines
    # The file's output folder, and the length as a clock reads it.
    wrote = next(line for line in lines if line.startswith("Wrote "))
    assert re.fullmatch(
        rf"Wrote {re.escape(str(tmp_path / 'output' / 'council-meeting.mp3'))} "
        r"\(\d+:\d\d, 2 chapters, espeak\)",
        wrote,
    ), wrote
    run = narrate("build", *common, "--engine", "espeak", "-o", tmp_path / "out", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Engine: espeak (chosen with --engine espeak)" in run.stderr.splitlines()


BAD_INPUTS = {
    "missing": (None, "not found"),
    "empty": (b"", "is empty"),
    "blank": ("   \n\u00a0\n\t\n".encode(), "only whitespace"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    "undecodable": ("خبر".encode() + b"\xff\xfe\xfa" + b"\x81" * 40, "not utf-8"),
}


@pytest.mark.parametrize("kind", BAD_INPUTS)
def test_bad_input_is_one_error_line_and_output_untouched(
    kind: str, tmp_path: Path, short_article: Path
) -> None:
    output = tmp_path / "out"
    common = ["--output-dir", output, "--engine", "espeak", "-q"]
    assert narrate("build", short_article, *common).returncode == 0
    before = snapshot(output)

    content, word = BAD_INPUTS[kind]
    bad = tmp_path / f"{kind}.txt"
    if content is not None:
        bad.write_bytes(content)
    run = narrate("build", bad, *common)

    assert run.returncode == 1
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), run.stderr
    assert word in lines[0].lower() and bad.name in lines[0]
    assert snapshot(output) == before


def test_a_damaged_store_stops_the_build_before_any_synthesis(
    short_article: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    output.mkdir()
    (output / "narrate.sqlite").write_bytes(b"garbage" * 200)
    before = snapshot(output)
    run = narrate("build", short_article, "--output-dir", output, "--engine", "espeak")
    assert run.returncode == 1
    assert run.stderr.splitlines()[-1].startswith("Error: ") and "narrate.sqlite" in run.stderr
    assert "Traceback" not in run.stderr
    assert snapshot(output) == before


def test_bad_input_creates_no_output_folder(tmp_path: Path) -> None:
    run = narrate("build", tmp_path / "nope.txt", "--output-dir", tmp_path / "out")
    assert run.returncode == 1 and run.stderr.startswith("Error: ")
    assert not (tmp_path / "out").exists()


def test_quiet_prints_nothing_on_success(short_article: Path, tmp_path: Path) -> None:
    run = narrate(
        "build", short_article, "--output-dir", tmp_path / "o", "--engine", "espeak", "-q"
    )
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")
    assert (tmp_path / "o" / "council-meeting.mp3").is_file()


def test_bad_options_are_usage_errors(short_article: Path, tmp_path: Path) -> None:
    for args in (["--bitrate", "65"], ["--slug", "../etc"], ["--rate", "5"], ["--engine", "nope"]):
        run = narrate("build", short_article, "--output-dir", tmp_path / "o", *args)
        assert run.returncode == 2, args
        assert "Error: Invalid value" in run.stderr
    run = narrate("build", short_article, "--output-dir", tmp_path / "o", "--base-url", "ftp://x/")
    assert run.returncode == 2
    assert run.stderr.splitlines()[-1].startswith("Error: ") and "base" in run.stderr.lower()
    assert not (tmp_path / "o").exists()


def test_segments_json_matches_the_expected_plan(example_article: Path) -> None:
    run = narrate("segments", example_article, "--json")
    assert run.returncode == 0, run.stderr
    plan = json.loads(run.stdout)
    expected = json.loads(EXPECTED_PLAN.read_text("utf-8"))
    assert plan["title"] == expected["title"]
    assert [s["heading"] for s in plan["segments"]] == [s["heading"] for s in expected["segments"]]
    for got, want in zip(plan["segments"], expected["segments"], strict=True):
        assert all(isinstance(p, str) and p.strip() == p != "" for p in got["paragraphs"])
        body = "\n".join(got["paragraphs"])
        for phrase in want["contains"]:
            assert phrase in body
    for junk in expected["must_not_appear"]:
        assert junk not in run.stdout


def test_segments_text_lists_headings(short_article: Path) -> None:
    run = narrate("segments", short_article)
    assert run.returncode == 0
    assert run.stdout.splitlines()[0] == "اجتماع المجلس البلدي"
    assert "2. الميزانية" in run.stdout


@pytest.mark.parametrize("command", [[], ["build"], ["segments"]])
def test_every_command_has_help(command: list[str]) -> None:
    run = narrate(*command, "--help")
    assert run.returncode == 0
    assert "Usage: narrate" in run.stdout
    assert len(run.stdout.splitlines()) > 4


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_never_when_quiet() -> None:
    def bar_output(stream: io.StringIO, quiet: bool = False) -> str:
        reporter = Reporter(quiet=quiet, stream=stream)
        with reporter.progress(range(5), 5, "Speaking") as items:
            assert list(items) == [0, 1, 2, 3, 4]
        return stream.getvalue()

    assert "Speaking" in bar_output(_Terminal())
    assert bar_output(io.StringIO()) == ""
    assert bar_output(_Terminal(), quiet=True) == ""


NUMBERS_ARTICLE = """ارتفاع الأسعار

ارتفعت الأسعار 18% في عام 2024، وقال خبير في AI إن الزيادة ستستمر.
"""


def test_segments_speech_shows_what_each_engine_is_sent(tmp_path: Path) -> None:
    article = tmp_path / "prices.txt"
    article.write_text(NUMBERS_ARTICLE, encoding="utf-8")
    run = narrate("segments", article, "--speech", "--json")
    assert run.returncode == 0, run.stderr
    engines = json.loads(run.stdout)["engines"]
    assert set(engines) == {"gtts", "edge", "piper", "espeak", "mbrola"}

    def chunks(plan: dict[str, Any]) -> list[str]:
        out = list(plan["intro"])
        for segment in plan["segments"]:
            out += segment["heading"] + [c for p in segment["paragraphs"] for c in p]
        return out

    google, offline = chunks(engines["gtts"]), chunks(engines["espeak"])
    assert all(0 < len(c) <= 100 for c in google)
    assert all(0 < len(c) <= 500 for c in offline)
    spoken = " ".join(google)
    assert "ثمانية عشر بالمئة" in spoken
    assert "ألفين وأربعة وعشرين" in spoken
    assert "الذكاء الاصطناعي" in spoken  # the built-in lexicon
    assert not any(ch.isdigit() for ch in spoken)
    assert not any("\u064b" <= ch <= "\u0652" for ch in spoken)  # gTTS gets no diacritics
    marks = sum("\u064b" <= ch <= "\u0652" for ch in " ".join(offline))
    assert marks > 40  # espeak-ng gets diacritized text
    # One segment without a heading: the whole article, not its title again.
    assert engines["espeak"]["segments"][0]["chapter"] == "المقال كاملًا"


def test_segments_speech_text_is_readable_and_one_engine_can_be_chosen(short_article: Path) -> None:
    run = narrate("segments", short_article, "--speech", "--engine", "gtts")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("== gtts\n[intro]\n  | نشرة مسموعة.")
    assert "== espeak" not in run.stdout
    assert "  # الميزانية." in run.stdout


def test_a_producer_lexicon_changes_what_is_said(short_article: Path, tmp_path: Path) -> None:
    lexicon = tmp_path / "words.toml"
    lexicon.write_text('[words]\n"المجلس البلدي" = "مجلس المدينة"\n', encoding="utf-8")
    run = narrate("segments", short_article, "--speech", "--engine", "gtts", "--lexicon", lexicon)
    assert run.returncode == 0, run.stderr
    spoken = "\n".join(line for line in run.stdout.splitlines() if line.startswith("  | "))
    assert "مجلس المدينة" in spoken and "المجلس البلدي" not in spoken

    lexicon.write_text('[words]\n"x" = 3\n', encoding="utf-8")
    run = narrate("segments", short_article, "--speech", "--lexicon", lexicon)
    assert run.returncode == 1
    (line,) = run.stderr.splitlines()
    assert line.startswith("Error: ") and "words.toml" in line


def test_standard_input_and_a_forced_format(tmp_path: Path) -> None:
    markdown = (
        "# عنوان الخبر\n\n## القسم الأول\n\nنص **القسم** الأول مع [رابط](https://example.org).\n"
    )
    proc = subprocess.run(
        [NARRATE, "segments", "-", "--json", "--format", "markdown"],
        input=markdown.encode("utf-8"),
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    plan = json.loads(proc.stdout)
    assert plan["title"] == "عنوان الخبر"
    assert plan["segments"] == [
        {"heading": "القسم الأول", "paragraphs": ["نص القسم الأول مع رابط."]}
    ]

    # The same bytes read as plain text keep the Markdown marks: --format really decides.
    as_text = tmp_path / "story.md"
    as_text.write_text(markdown, encoding="utf-8")
    run = narrate("segments", as_text, "--json", "--format", "text")
    assert run.returncode == 0
    assert "**" in run.stdout or "#" in run.stdout

    empty = subprocess.run([NARRATE, "segments", "-"], input=b"", capture_output=True, timeout=60)
    assert empty.returncode == 1
    assert empty.stderr.decode().strip() == "Error: standard input is empty"


def test_the_articles_own_date_dates_the_episode(tmp_path: Path) -> None:
    article = tmp_path / "dated.txt"
    article.write_text(
        "خبر مؤرخ\n\n2025/03/14\n\nنص الخبر المؤرخ قصير، لكنه يكفي.\n", encoding="utf-8"
    )
    output = tmp_path / "out"
    run = narrate("build", article, "--output-dir", output, "--engine", "espeak", "-q")
    assert run.returncode == 0, run.stderr
    entry = feedparser.parse((output / "feed.xml").read_bytes()).entries[0]
    assert tuple(entry.published_parsed)[:3] == (2025, 3, 14)


def test_a_build_without_narrate_toml_warns_once_that_its_feed_only_works_here(
    short_article: Path, tmp_path: Path
) -> None:
    common = [short_article, "--engine", "espeak", "--cache-dir", tmp_path / "cache"]
    run = narrate("build", *common, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("Warning:")]
    assert warnings == [
        "Warning: no narrate.toml: the feed's links point at http://127.0.0.1:8000 and it has "
        "no owner e-mail or description; run narrate init"
    ]
    assert run.stderr.splitlines()[-1] == warnings[0]  # once, after the feed it is about
    (tmp_path / "narrate.toml").write_text(
        '[show]\nbase_url = "https://example.org/p/"\nowner_email = "a@example.org"\n'
        'description = "نشرة"\n',
        encoding="utf-8",
    )
    run = narrate("build", *common, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Warning" not in run.stderr

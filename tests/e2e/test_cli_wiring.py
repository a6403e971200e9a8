"""What the command line promises and nothing else checks: each option reaches what it steers.

Real ``narrate`` processes (a pseudo-terminal, a pipe closed early, the fake Google) and the
build's real path in-process, each test failing if the wiring between them breaks.
"""

from __future__ import annotations

import errno
import json
import os
import pty
import re
import select
import subprocess
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from pydub import AudioSegment

from narrate.audio import assemble as audio
from narrate.audio.produce import Produced
from narrate.audio.produce import produce as real_produce
from narrate.build import pipeline
from narrate.engines import EngineChoice
from narrate.episode.tags import ENGINE_DESC
from narrate.progress import SilentReporter
from narrate.show import ShowSettings
from narrate.text.script import Script
from tests.cli import NARRATE, Run, narrate
from tests.conftest import BASE_URL, ExampleBuild
from tests.fake_google import FakeGoogle
from tests.media import decode
from tests.unit.audio.test_speak import ToneEngine
from tests.unit.engines.test_mbrola_engine import installed

SHORT = """اجتماع المجلس البلدي

ناقش المجلس البلدي، صباح اليوم، خطة تطوير الحدائق العامة في المدينة.

الميزانية

خصص المجلس ميزانية جديدة للحدائق؟ نعم، وأقرها بالإجماع.
"""
SHORT_CHUNKS = 6  # intro (show, title), a paragraph, a heading, two sentences

# Lone marks inside paragraphs (the parser drops lines of marks alone; the speech layer sees
# these), and a sentence longer than gTTS's 100 characters, so it is cut in two.
MARKS = """اجتماع المجلس البلدي

ناقش المجلس البلدي، صباح اليوم، خطة تطوير الحدائق العامة في المدينة. ؟ وحضر الاجتماع عدد \
من السكان الذين طرحوا أسئلة كثيرة عن مواعيد بدء الأعمال وكلفتها وعن الجهة التي ستتولى صيانة \
الحدائق بعد افتتاحها.

؟

وقال رئيس المجلس: "…" ثم غادر القاعة. ( )، !!

الميزانية

خصص المجلس ميزانية جديدة للحدائق؟ نعم، وأقرها بالإجماع. … — . —
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def google_env(google: FakeGoogle) -> dict[str, str]:
    return {"NARRATE_GTTS_ENDPOINT": google.endpoint}


def mp3_info(path: Path) -> Any:
    """mutagen's stream info of an MP3 (length, sample rate, channels, bitrate)."""
    return MP3(path).info  # type: ignore[no-untyped-call]


def id3_frames(path: Path, kind: str) -> list[Any]:
    frames: list[Any] = ID3(path).getall(kind)  # type: ignore[no-untyped-call]
    return frames


def has_letter_or_digit(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def plan_chunks(plan: dict[str, Any]) -> list[str]:
    """Every chunk of one engine's ``segments --speech --json`` plan, in speaking order."""
    out = list(plan["intro"])
    for segment in plan["segments"]:
        out += segment["heading"] + [c for p in segment["paragraphs"] for c in p]
    return out


# -- --quiet ---------------------------------------------------------------------------------


def test_quiet_silences_warnings_too_but_not_without_it(tmp_path: Path) -> None:
    article = write(tmp_path, "council.txt", SHORT)
    runs: dict[bool, Run] = {}
    for quiet in (True, False):
        with FakeGoogle() as google:
            google.fail_next(503, 1)  # one server error: retried, with a warning
            runs[quiet] = narrate(
                "build", article, "-o", tmp_path / f"out-{quiet}", "--engine", "gtts",
                "--cache-dir", tmp_path / f"cache-{quiet}", *(["-q"] if quiet else []),
                env=google_env(google),
            )  # fmt: skip
            statuses = [e.status for e in google.exchanges]
        assert statuses.count(503) == 1 and statuses.count(200) == SHORT_CHUNKS, statuses

    assert (runs[True].returncode, runs[True].stdout, runs[True].stderr) == (0, "", "")
    loud = runs[False]
    assert loud.returncode == 0, loud.stderr
    # In the command's voice, one line each: no logger's "WARNING narrate...: " format.
    assert "WARNING" not in loud.stderr, loud.stderr
    warnings = [line for line in loud.stderr.splitlines() if line.startswith("Warning: Google")]
    assert len(warnings) == 1, loud.stderr
    assert "HTTP 503" in warnings[0] and "retrying" in warnings[0]
    assert "Speech: synthesized" in loud.stderr
    for out in ("out-True", "out-False"):
        assert mp3_info(tmp_path / out / "council.mp3").length > 5


# -- the progress bar on a real terminal -----------------------------------------------------


def on_a_terminal(*args: str | Path) -> tuple[int, str]:
    """Run narrate with stdout and stderr on a pseudo-terminal; its exit code and all it showed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [NARRATE, *map(str, args)], stdin=subprocess.DEVNULL, stdout=follower, stderr=follower
    )
    os.close(follower)
    shown = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 1)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(leader, 65536)
            except OSError as exc:  # EIO: every writer has closed the terminal
                if exc.errno != errno.EIO:
                    raise
                break
            if not data:
                break
            shown += data
    finally:
        os.close(leader)
        returncode = proc.wait(timeout=120)
    return returncode, shown.decode("utf-8")


def test_progress_bar_is_drawn_on_a_terminal_and_not_when_quiet(tmp_path: Path) -> None:
    article = write(tmp_path, "council.txt", SHORT)
    common: list[str | Path] = [
        "build",
        article,
        "--engine",
        "espeak",
        "--cache-dir",
        tmp_path / "cache",
    ]

    returncode, shown = on_a_terminal(*common, "-o", tmp_path / "loud")
    assert returncode == 0, shown
    counts = [
        (int(done), int(total))
        for done, total in re.findall(r"Speaking\s+\[[#-]+\]\s+(\d+)/(\d+)", shown)
    ]
    assert counts, shown
    assert {total for _, total in counts} == {SHORT_CHUNKS}
    assert counts[-1] == (SHORT_CHUNKS, SHORT_CHUNKS)
    assert [done for done, _ in counts] == sorted(done for done, _ in counts)
    assert "Speech: synthesized 6 of 6 chunks" in shown

    # The same build, quiet, every chunk spoken again (--no-cache): not one byte on the terminal.
    returncode, shown = on_a_terminal(*common, "-o", tmp_path / "quiet", "--no-cache", "-q")
    assert (returncode, shown) == (0, "")
    assert (tmp_path / "quiet" / "council.mp3").is_file()


# -- a reader that goes away -----------------------------------------------------------------


@pytest.fixture(scope="module")
def big_article(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 200 KB of Arabic: its speech plan is far more than a pipe holds."""
    paragraphs = [
        f"الفقرة رقم {n}: ناقش المجلس البلدي، صباح اليوم، خطة تطوير الحدائق العامة في المدينة، "
        "وأقرها بالإجماع بعد نقاش طويل."
        for n in range(1, 1101)
    ]
    text = "تقرير طويل عن المجلس\n\n" + "\n\n".join(paragraphs) + "\n"
    path = write(tmp_path_factory.mktemp("big"), "long-report.txt", text)
    assert path.stat().st_size > 200_000
    return path


def first_line_then_close(*args: str | Path) -> tuple[int, bytes, str]:
    """Run narrate, read the first line of its output and close the pipe, like ``| head -1``."""
    proc = subprocess.Popen(
        [NARRATE, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode("utf-8")
    proc.stderr.close()
    return proc.wait(timeout=120), line, stderr


@pytest.mark.parametrize(
    "options",
    [["--speech", "--engine", "gtts"], ["--speech", "--engine", "gtts", "--json"], []],
    ids=["speech", "speech-json", "plain"],
)
def test_a_closed_pipe_ends_segments_quietly(big_article: Path, options: list[str]) -> None:
    full = narrate("segments", big_article, *options)
    assert full.returncode == 0 and len(full.stdout.encode()) > 200_000

    returncode, line, stderr = first_line_then_close("segments", big_article, *options)
    assert line.decode("utf-8") == full.stdout.splitlines(keepends=True)[0]
    assert stderr == ""
    # Click ends with 1 when a write fails with EPIPE (it catches the BrokenPipeError narrate
    # lets through). --speech prints its plan in one write, of which the pipe takes a part:
    # CPython (3.11) returns that short write as done and writes no more, so no EPIPE is ever
    # seen and the exit is 0. Either way: no "Error:", no traceback.
    assert returncode in (0, 1)
    if not options:  # one write a line: the next write after the reader left fails
        assert returncode == 1


def test_a_closed_pipe_before_any_output_is_still_quiet(big_article: Path) -> None:
    proc = subprocess.Popen(
        [NARRATE, "segments", big_article, "--speech", "--engine", "gtts"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # gone before narrate has written a byte: its first write fails
    _, stderr = proc.communicate(timeout=120)
    assert (proc.returncode, stderr.decode("utf-8")) == (1, "")


# -- one gtts build, three checks: what is sent, how many at once, what comes out -------------


#: The show's title in the gtts builds' narrate.toml: spoken in the intro instead of the default.
SHOW_TITLE = "إذاعة المجلس البلدي"


@dataclass(frozen=True)
class GoogleBuild:
    run: Run
    #: The folder it ran in, with its narrate.toml.
    folder: Path
    mp3: Path
    requests: list[str]
    params: list[list[object]]
    statuses: list[int | None]
    max_in_flight: int


def gtts_build(article: Path, folder: Path, *options: str) -> GoogleBuild:
    """A gtts build against the fake Google, in ``folder`` with a narrate.toml naming the show."""
    write(folder, "narrate.toml", f'[show]\ntitle = "{SHOW_TITLE}"\n')
    with FakeGoogle(latency=0.6) as google:
        run = narrate(
            "build", article, "-o", folder / "out", "--cache-dir", folder / "cache",
            "--engine", "gtts", *options,
            env=google_env(google), cwd=folder,
        )  # fmt: skip
        exchanges = google.exchanges
        most = google.max_in_flight
    assert run.returncode == 0, run.stderr
    return GoogleBuild(
        run,
        folder,
        folder / "out" / f"{article.stem}.mp3",
        [e.text for e in exchanges],
        [list(e.params) for e in exchanges],
        [e.status for e in exchanges],
        most,
    )


@pytest.fixture(scope="module")
def marks_article(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("marks"), "council-marks.txt", MARKS)


@pytest.fixture(scope="module")
def default_build(tmp_path_factory: pytest.TempPathFactory, marks_article: Path) -> GoogleBuild:
    return gtts_build(marks_article, tmp_path_factory.mktemp("gtts-default"))


@pytest.fixture(scope="module")
def steered_build(tmp_path_factory: pytest.TempPathFactory, marks_article: Path) -> GoogleBuild:
    folder = tmp_path_factory.mktemp("gtts-steered")
    return gtts_build(marks_article, folder, "--concurrency", "2", "--rate", "100")


def test_segments_speech_lists_exactly_what_a_gtts_build_sends(
    marks_article: Path, default_build: GoogleBuild
) -> None:
    # Run where the build ran: the same narrate.toml, so the same show title in the intro.
    run = narrate("segments", marks_article, "--speech", "--json", cwd=default_build.folder)
    assert run.returncode == 0, run.stderr
    engines = json.loads(run.stdout)["engines"]
    listed = plan_chunks(engines["gtts"])
    assert SHOW_TITLE in engines["gtts"]["intro"][0]
    assert not any("نشرة مسموعة" in chunk for chunk in listed)  # not the default title

    assert len(listed) == len(set(listed)) >= 8  # every chunk different: nothing de-duplicated
    assert any(len(chunk) > 90 for chunk in listed)  # the long sentence, cut near 100
    assert all(status == 200 for status in default_build.statuses)
    assert Counter(default_build.requests) == Counter(listed)

    # Lone marks ("؟", "( )،", "!!", "… — . —") are neither listed for any engine nor sent.
    for name, plan in engines.items():
        assert all(has_letter_or_digit(chunk) for chunk in plan_chunks(plan)), name
    assert all(has_letter_or_digit(text) for text in default_build.requests)


def test_concurrency_and_rate_reach_google(
    default_build: GoogleBuild, steered_build: GoogleBuild
) -> None:
    assert len(default_build.requests) >= 8  # enough to keep four requests waiting at once
    assert default_build.max_in_flight == 4  # gtts's default
    assert steered_build.max_in_flight == 2
    # gTTS's parameters are [text, lang, speed, "null"]: speed True is its slow mode.
    assert {tuple(p[1:]) for p in default_build.params} == {("ar", None, "null")}
    assert {tuple(p[1:]) for p in steered_build.params} == {("ar", True, "null")}


MPEG1_LAYER3_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
MPEG1_RATES = (44100, 48000, 32000)


def mpeg_frames(path: Path) -> list[tuple[int, int, int]]:
    """(kbps, sample rate, channel mode) of every MPEG audio frame in ``path``, read from the
    frame headers themselves; the file must be nothing but an ID3v2 tag and whole frames."""
    data = path.read_bytes()
    assert data[:3] == b"ID3"
    size = 0
    for byte in data[6:10]:
        size = size << 7 | byte
    position = 10 + size + (10 if data[5] & 0x10 else 0)
    frames = []
    while position < len(data):
        header = int.from_bytes(data[position : position + 4], "big")
        assert header >> 21 == 0x7FF, f"lost frame sync at byte {position}"
        assert (header >> 19) & 3 == 3 and (header >> 17) & 3 == 1, "not MPEG-1 Layer III"
        kbps = MPEG1_LAYER3_KBPS[(header >> 12) & 0xF]
        rate = MPEG1_RATES[(header >> 10) & 3]
        padding = (header >> 9) & 1
        frames.append((kbps, rate, (header >> 6) & 3))
        position += 144_000 * kbps // rate + padding
    assert position == len(data)
    return frames


def test_a_gtts_episode_is_44k_mono_cbr_64k(default_build: GoogleBuild) -> None:
    info = mp3_info(default_build.mp3)
    assert (info.sample_rate, info.channels) == (44100, 1)
    assert info.bitrate_mode == BitrateMode.CBR and abs(info.bitrate - 64000) < 100
    frames = mpeg_frames(default_build.mp3)
    assert len(frames) > 400  # more than ten seconds of speech
    assert set(frames) == {(64, 44100, 3)}  # every frame: 64 kbps, 44.1 kHz, mono (mode 3)


# -- MBROLA, end to end ----------------------------------------------------------------------


@installed
def test_mbrola_builds_an_episode_end_to_end(tmp_path: Path) -> None:
    article = write(tmp_path, "council.txt", SHORT)
    out = tmp_path / "out"
    run = narrate("build", article, "-o", out, "--engine", "mbrola", "--cache-dir", tmp_path / "c")
    assert run.returncode == 0, run.stderr
    assert "Engine: mbrola (chosen with --engine mbrola)" in run.stderr.splitlines()
    mp3 = out / "council.mp3"
    info = mp3_info(mp3)
    assert (info.sample_rate, info.channels) == (44100, 1)
    assert 8 < info.length < 40
    (engine,) = [f for f in id3_frames(mp3, "TXXX") if f.desc == ENGINE_DESC]
    assert str(engine).startswith("MBROLA ") and "ar2" in str(engine)
    chapters = sorted(id3_frames(mp3, "CHAP"), key=lambda c: c.start_time)
    titles = [str(c.sub_frames["TIT2"]) for c in chapters]
    assert titles == ["المقدمة", "الميزانية"]
    assert chapters[0].start_time == 0 < chapters[1].start_time < info.length * 1000
    # A non-commercial voice says so in one line, and its licence's credit is published.
    warnings = [line for line in run.stderr.splitlines() if "non-commercial" in line]
    assert len(warnings) == 1 and warnings[0].startswith("Warning: the voice ar2 (mbrola)")
    credit = "MBROLA ar2, © 1996-2008 Faculté Polytechnique de Mons"
    (comment,) = id3_frames(mp3, "COMM")
    assert credit in str(comment)
    feed = ET.parse(out / "feed.xml").getroot()
    (item,) = feed.iter("item")
    assert credit in (item.findtext("description") or "")


# -- assembly: joined once, on the build's own path ------------------------------------------


def expected_frames(script: Script, rate: int, pauses: audio.Pauses) -> int:
    """The tone engine's pieces (40 frames a character) and every pause between them, counted
    from the script here rather than by narrate's own layout."""

    def silence(ms: int) -> int:
        return rate * ms // 1000

    def run_of(chunks: tuple[str, ...]) -> int:
        speech = sum(40 * len(chunk) for chunk in chunks)
        return speech + sum(silence(pauses.after_chunk(chunk)) for chunk in chunks[:-1])

    total = run_of(script.intro) + silence(pauses.after_intro)
    for index, segment in enumerate(script.segments):
        if index:
            total += silence(pauses.between_segments)
        if segment.heading:
            total += run_of(segment.heading) + silence(pauses.after_heading)
        total += sum(run_of(paragraph) for paragraph in segment.paragraphs)
        total += silence(pauses.between_paragraphs) * (len(segment.paragraphs) - 1)
    return total + silence(pauses.between_segments)  # the end, with no outro sound


def test_the_build_lays_the_episode_out_without_joining_audio(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_joining(*_: object, **__: object) -> AudioSegment:
        raise AssertionError("audio joined piece by piece")

    for method in ("__add__", "__radd__", "append", "overlay"):
        monkeypatch.setattr(AudioSegment, method, no_joining)
    with pytest.raises(AssertionError, match="joined"):
        AudioSegment.silent(10) + AudioSegment.silent(10)

    engine = ToneEngine(parallel="threads", concurrency=2)
    choices: list[str] = []

    def choose(name: str, settings: object, *, source: str | None = None) -> EngineChoice:
        choices.append(name)
        return EngineChoice(engine, "a tone for the test")

    scripts: list[Script] = []
    made: list[Produced] = []

    def produce(script: Script, *args: Any, **kwargs: Any) -> Produced:
        scripts.append(script)
        made.append(real_produce(script, *args, **kwargs))
        return made[-1]

    monkeypatch.setattr(pipeline, "choose_engine", choose)
    monkeypatch.setattr("narrate.build.pipeline.produce", produce)

    article = write(tmp_path, "council.txt", SHORT)
    request = pipeline.BuildRequest(
        article=article,
        output_dir=tmp_path / "out",
        show=ShowSettings(title="نشرة مسموعة", base_url=BASE_URL),
        engine="tone",
        use_cache=False,
        intro="none",
        outro="none",
    )
    result = pipeline.build(request, SilentReporter())

    assert choices == ["tone"]
    (script,), (produced,) = scripts, made
    assert sorted(engine.calls) == sorted(script.chunks()) and len(engine.calls) == SHORT_CHUNKS
    frames = expected_frames(script, engine.sample_rate, audio.DEFAULT_PAUSES)
    assert produced.timeline.frames == frames  # to the frame
    pcm_ms = audio.frames_to_ms(frames, engine.sample_rate)
    # The episode MP3 is joined from pieces encoded apart (the intro, each segment, the outro
    # chime): each join keeps the encoder's start delay and end padding, under two MPEG frames
    # of silence. Nothing else is added or lost.
    joins = len(script.segments) + 1
    assert pcm_ms <= result.duration_ms <= pcm_ms + joins * 2 * 1152 * 1000 // 44100
    # ... and the MP3 decodes (gapless, as players do) to that length within one MPEG frame.
    decoded = len(decode(result.mp3, 44100))
    assert abs(decoded - result.duration_ms * 44.1) <= 1152, (decoded, result.duration_ms)
    assert [c.title for c in result.chapters] == ["المقدمة", "الميزانية"]


# -- the example's pace ----------------------------------------------------------------------


def test_the_example_is_spoken_at_a_news_readers_pace(example_build: ExampleBuild) -> None:
    assert "Engine: espeak" in example_build.run.stderr
    cues = json.loads(
        (example_build.output / "damascus-to-moscow" / "transcript.json").read_text("utf-8")
    )["segments"]
    words = sum(len(re.findall(r"\w+", cue["body"])) for cue in cues)
    speaking = sum(cue["endTime"] - cue["startTime"] for cue in cues)
    assert 780 <= words <= 860  # the ~820 words of the article, title and show name
    per_minute = words / (speaking / 60)
    assert 90 <= per_minute <= 170, per_minute
    minutes = mp3_info(example_build.mp3).length / 60
    assert 6 <= minutes <= 10, minutes

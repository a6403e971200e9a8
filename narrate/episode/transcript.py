"""Transcripts of an episode: sentence-level cues as WebVTT, SRT and Podcasting 2.0 JSON.

Input is one :class:`TimedSentence` per spoken sentence, timed from the real audio.
:func:`make_cues` turns each into one cue, or into several when it does not fit in two
lines of 42 characters (the usual subtitle limits): a long sentence is cut at word
boundaries, after punctuation where it can be. Each part starts when its first word is said
when the engine told when each word is said (edge-tts's word boundaries); otherwise the
sentence's time is shared out in proportion to the characters of each part. Either way the
first part starts exactly when the sentence does.

Word times come for the words as spoken (``15`` is said as two words), while a cue shows the
article's words: the two are lined up word by word (:func:`word_times`), and a written word
with no spoken twin (a number, a Latin name) takes the time of the spoken words between its
neighbours. The JSON transcript then carries one segment per word, the Podcasting 2.0 form
for word-level timings; WebVTT and SRT keep whole cues.

Direction: Arabic text needs no markup to render right to left, since players apply the
Unicode bidirectional algorithm and the first strong letter sets the direction. A line
that begins with a Latin word (``Apple تعلن ...``) would come out left to right, so such
a line is given an invisible RIGHT-TO-LEFT MARK (U+200F) in front when its cue holds
Arabic. Nothing visible is added, and no WebVTT cue settings or STYLE block are written.

SRT has no escapes and no declared encoding: files are UTF-8 without a BOM and LF line
ends (what podcast apps and ``srt``/``pysrt`` read); a literal ``-->`` in the text, which
would read as a timing line, becomes ``→``.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

from narrate.atomic import write_if_changed
from narrate.clock import timecode
from narrate.episode.chapterfile import seconds
from narrate.models import TranscriptFile, WordTiming

#: The usual subtitle limits: characters per line and lines per cue.
MAX_LINE: Final = 42
MAX_LINES: Final = 2
#: File name stem inside the episode's folder: ``transcript.vtt`` and so on.
TRANSCRIPT_STEM: Final = "transcript"
#: Version of the Podcasting 2.0 JSON transcript format written.
JSON_VERSION: Final = "1.0.0"

RLM: Final = "\u200f"
#: Punctuation after which a long sentence is best cut, and what each costs (lower is better).
_BREAK_COST: Final[dict[str, float]] = {
    **dict.fromkeys(".!?؟…", 0.0),
    **dict.fromkeys("،؛,;:", 2.0),
    **dict.fromkeys(")]»”\"'", 6.0),
}
_NO_PUNCTUATION_COST: Final = 12.0
#: Each cue more than needed costs this much, so the fewest cues win unless badly balanced.
_CUE_COST: Final = 100.0
_SLACK_COST: Final = 50.0
#: Control characters and the bidi embeddings, overrides and isolates: never in a cue.
_STRIP: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACE: Final = re.compile(r"\s+")


class SentenceLike(Protocol):
    """Anything with a sentence's times and text, such as :class:`TimedSentence`."""

    @property
    def start_ms(self) -> int: ...
    @property
    def end_ms(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def words(self) -> Sequence[WordTiming]: ...


@dataclass(frozen=True)
class Cue:
    """One transcript cue; ``text`` holds its lines separated by ``\\n``."""

    start_ms: int
    end_ms: int
    text: str
    #: Each written word of the cue and when it is said, when the engine told; else empty.
    words: tuple[WordTiming, ...] = ()


def clean_text(text: str) -> str:
    """``text`` on one line: control and bidi-override characters dropped, spaces collapsed.

    >>> clean_text(" قال:\\u202e  «نعم»\\n\\tثم\\x07 مضى ")
    'قال: «نعم» ثم مضى'
    """
    return _SPACE.sub(" ", _STRIP.sub("", text)).strip()


def make_cues(
    sentences: Iterable[SentenceLike], max_line: int = MAX_LINE, max_lines: int = MAX_LINES
) -> list[Cue]:
    """Cues for ``sentences`` (in order, not overlapping), each at most ``max_lines`` lines.

    A line is at most ``max_line`` characters unless one word alone is longer (words are
    never cut). Sentences with no text after cleaning give no cue. Raises ``ValueError``
    when a sentence ends before it starts or starts before the previous one ends.
    """
    if max_line < 1 or max_lines < 1:
        raise ValueError("max_line and max_lines must be positive")
    cues: list[Cue] = []
    previous_end = 0
    for n, sentence in enumerate(sentences, start=1):
        start, end = sentence.start_ms, sentence.end_ms
        if not 0 <= start <= end:
            raise ValueError(f"sentence {n} runs from {start} ms to {end} ms")
        if start < previous_end:
            raise ValueError(f"sentence {n} starts at {start} ms, before sentence {n - 1} ends")
        previous_end = end
        words = clean_text(sentence.text).split()
        if not words:
            continue
        parts = _split(words, max_line, max_lines)
        times = word_times(words, sentence.words, start, end) if sentence.words else None
        bounds = [start]
        done = 0
        if times is not None:
            for part in parts[:-1]:
                done += len(part)
                bounds.append(min(max(times[done][0], bounds[-1]), end))
        else:
            lengths = [len(" ".join(part)) for part in parts]
            total = sum(lengths)
            for length in lengths[:-1]:
                done += length
                bounds.append(start + round((end - start) * done / total))
        bounds.append(end)
        first = 0
        for part, part_start, part_end in zip(parts, bounds, bounds[1:], strict=False):
            lines = _wrap(part, max_line, max_lines)
            said: tuple[WordTiming, ...] = ()
            if times is not None:
                said = tuple(
                    WordTiming(word, min(max(s, part_start), part_end), min(e, part_end))
                    for word, (s, e) in zip(part, times[first : first + len(part)], strict=True)
                )
            first += len(part)
            text = "\n".join(" ".join(line) for line in lines)
            cues.append(Cue(part_start, part_end, text, said))
    return cues


#: Arabic diacritics, tatweel and the dagger alef: how a word is written, not which word it is.
_MARKS: Final = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def _bare(word: str) -> str:
    """``word`` as compared with a spoken word: no marks, no punctuation, one form of alef."""
    word = _MARKS.sub("", word)
    word = "".join(c for c in word if not unicodedata.category(c).startswith(("P", "S")))
    return word.translate(str.maketrans("أإآٱ", "اااا")).casefold()


def word_times(
    written: Sequence[str], spoken: Sequence[WordTiming], start: int, end: int
) -> list[tuple[int, int]]:
    """When each of the ``written`` words is said, from the ``spoken`` words' times.

    The two are lined up as sequences (:class:`difflib.SequenceMatcher` on bare words): a
    written word that is also spoken takes its time; a run of written words with no twin
    takes the time of the spoken words between its neighbours (or, when there are none, the
    gap between them), shared out by characters. Times never go backwards and stay within
    ``start``..``end``.

    >>> said = [WordTiming("قال", 100, 400), WordTiming("خمسة", 500, 900),
    ...         WordTiming("عشر", 950, 1200), WordTiming("رجلا", 1300, 1700)]
    >>> word_times(["قال:", "15", "رجلا"], said, 0, 2000)
    [(100, 400), (500, 1200), (1300, 1700)]
    """
    heard = [w for w in spoken if _bare(w.word)]
    matched: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(
        None, [_bare(w) for w in written], [_bare(w.word) for w in heard], autojunk=False
    )
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            matched[a + k] = b + k
    times: list[tuple[int, int] | None] = [
        (heard[matched[i]].start_ms, heard[matched[i]].end_ms) if i in matched else None
        for i in range(len(written))
    ]
    i = 0
    while i < len(written):
        if times[i] is not None:
            i += 1
            continue
        k = i
        while k < len(written) and times[k] is None:
            k += 1
        low = matched[i - 1] + 1 if i > 0 else 0
        high = matched[k] - 1 if k < len(written) else len(heard) - 1
        if low <= high:
            span = (heard[low].start_ms, heard[high].end_ms)
        else:
            before = times[i - 1]
            after = times[k] if k < len(written) else None
            span = (before[1] if before else start, after[0] if after else end)
        run = written[i:k]
        total = sum(len(w) for w in run) or 1
        done = 0
        for index, word in enumerate(run, start=i):
            first = span[0] + (span[1] - span[0]) * done // total
            done += len(word)
            times[index] = (first, span[0] + (span[1] - span[0]) * done // total)
        i = k
    out: list[tuple[int, int]] = []
    floor = start
    for found in times:
        assert found is not None
        first = min(max(found[0], floor), end)
        last = min(max(found[1], first), end)
        out.append((first, last))
        floor = first
    return out


def _line_count(words: Sequence[str], max_line: int) -> int:
    """Lines needed for ``words`` filled greedily (the fewest possible)."""
    lines, width = 1, -1
    for word in words:
        if width >= 0 and width + 1 + len(word) > max_line:
            lines, width = lines + 1, len(word)
        else:
            width += 1 + len(word)
    return lines


def _spans(words: Sequence[str]) -> Callable[[int, int], int]:
    """A function giving the length of ``" ".join(words[i:j])`` in constant time."""
    ends = [0]
    for word in words:
        ends.append(ends[-1] + len(word))
    return lambda i, j: ends[j] - ends[i] + j - i - 1


def _break_cost(word: str) -> float:
    return _BREAK_COST.get(word[-1], _NO_PUNCTUATION_COST)


def _split(words: list[str], max_line: int, max_lines: int) -> list[list[str]]:
    """Cut ``words`` into parts that each fit in ``max_lines`` lines: fewest parts, then best cuts.

    Dynamic programming over cut points; a part's cost is a fixed price, plus the price of
    the punctuation it ends on (none at the sentence's end), plus how far it falls short
    of a full cue (squared), which keeps parts balanced.
    """
    capacity = max_line * max_lines
    count = len(words)
    span = _spans(words)
    best: list[float] = [0.0] + [float("inf")] * count
    cut: list[int] = [0] * (count + 1)
    for j in range(1, count + 1):
        for i in range(j - 1, -1, -1):
            length = span(i, j)
            lines = 1 if length <= max_line else _line_count(words[i:j], max_line)
            if j - i > 1 and lines > max_lines:
                break  # a longer part (smaller i) cannot fit either
            slack = max(0, capacity - length) / capacity
            cost = best[i] + _CUE_COST + _SLACK_COST * slack * slack
            if j < count:
                cost += _break_cost(words[j - 1])
            if cost < best[j]:
                best[j], cut[j] = cost, i
    parts: list[list[str]] = []
    j = count
    while j > 0:
        parts.append(words[cut[j] : j])
        j = cut[j]
    return parts[::-1]


def _wrap(words: list[str], max_line: int, max_lines: int) -> list[list[str]]:
    """``words`` in as few lines as fit, balanced: the smallest sum of squared line lengths.

    Cuts after punctuation are slightly preferred. Never more than ``max_lines`` lines
    unless single words are wider than a line.
    """
    lines_needed = _line_count(words, max_line)
    if lines_needed == 1:
        return [words]
    count = len(words)
    span = _spans(words)
    inf = float("inf")
    # best[k][j]: cost of words[:j] in k lines.
    best = [[inf] * (count + 1) for _ in range(lines_needed + 1)]
    cut = [[0] * (count + 1) for _ in range(lines_needed + 1)]
    best[0][0] = 0.0
    for k in range(1, lines_needed + 1):
        for j in range(1, count + 1):
            for i in range(j - 1, -1, -1):
                length = span(i, j)
                if length > max_line and j - i > 1:
                    break
                if best[k - 1][i] == inf:
                    continue
                cost = best[k - 1][i] + length * length
                if j < count:
                    cost += _break_cost(words[j - 1])
                if cost < best[k][j]:
                    best[k][j], cut[k][j] = cost, i
    lines: list[list[str]] = []
    j = count
    for k in range(lines_needed, 0, -1):
        lines.append(words[cut[k][j] : j])
        j = cut[k][j]
    return lines[::-1]


# -- formats ---------------------------------------------------------------------------


def _first_strong(text: str) -> str | None:
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("L", "R", "AL"):
            return kind
    return None


def _rtl_lines(cue: Cue) -> list[str]:
    """The cue's lines, each held right to left when the cue is Arabic (or Hebrew)."""
    lines = cue.text.split("\n")
    if not any(unicodedata.bidirectional(c) in ("R", "AL") for c in cue.text):
        return lines
    return [line if _first_strong(line) in ("R", "AL") else RLM + line for line in lines]


def _vtt_escape(line: str) -> str:
    # Escaping '>' too also takes care of '-->', which may not appear in cue text.
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_webvtt(cues: Iterable[Cue]) -> str:
    """A WebVTT file: ``WEBVTT``, then each cue's ``HH:MM:SS.mmm --> HH:MM:SS.mmm`` and lines."""
    blocks = ["WEBVTT\n"]
    for cue in cues:
        timing = f"{timecode(cue.start_ms)} --> {timecode(cue.end_ms)}"
        blocks.append("\n".join([timing, *(_vtt_escape(line) for line in _rtl_lines(cue))]) + "\n")
    return "\n".join(blocks)


def to_srt(cues: Iterable[Cue]) -> str:
    """An SRT file: numbered from 1, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, LF line ends."""
    blocks = []
    for number, cue in enumerate(cues, start=1):
        timing = f"{timecode(cue.start_ms, ',')} --> {timecode(cue.end_ms, ',')}"
        lines = [line.replace("-->", "→") for line in _rtl_lines(cue)]
        blocks.append("\n".join([str(number), timing, *lines]) + "\n")
    return "\n".join(blocks)


def to_json(cues: Iterable[Cue]) -> str:
    """A Podcasting 2.0 JSON transcript: one segment per word where the words' times are
    known (the format's word-level form), else one per cue, its lines joined by a space."""
    segments: list[dict[str, object]] = []
    for cue in cues:
        if cue.words:
            segments.extend(
                {
                    "startTime": seconds(word.start_ms),
                    "endTime": seconds(word.end_ms),
                    "body": word.word,
                }
                for word in cue.words
            )
        else:
            segments.append(
                {
                    "startTime": seconds(cue.start_ms),
                    "endTime": seconds(cue.end_ms),
                    "body": " ".join(_rtl_lines(cue)),
                }
            )
    return json.dumps({"version": JSON_VERSION, "segments": segments}, ensure_ascii=False) + "\n"


#: Each format: file suffix, MIME type (as the feed's ``podcast:transcript type``), writer.
FORMATS: Final = (
    (".vtt", "text/vtt", to_webvtt),
    (".srt", "application/x-subrip", to_srt),
    (".json", "application/json", to_json),
)


def write_transcripts(cues: Sequence[Cue], folder: Path) -> list[TranscriptFile]:
    """Write ``folder/transcript.vtt``, ``.srt`` and ``.json`` atomically, each only if changed.

    Returns them with paths relative to ``folder``'s parent (``<slug>/transcript.vtt``), VTT
    first (Apple reads VTT). Raises :class:`narrate.errors.PublishError` on a write failure.
    """
    written = []
    for suffix, mime, render in FORMATS:
        name = TRANSCRIPT_STEM + suffix
        write_if_changed(folder / name, render(cues).encode("utf-8"))
        written.append(TranscriptFile(path=f"{folder.name}/{name}", mime=mime))
    return written

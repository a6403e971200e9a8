"""Word timings from engine to transcript: kept in the cache, placed in the episode, and used to
cut cues and to time each word of the JSON transcript."""

from __future__ import annotations

import json
from array import array
from pathlib import Path

from pydub import AudioSegment

from narrate.audio.assemble import Assembler, SegmentShape
from narrate.audio.produce import timed_sentences
from narrate.audio.speak import speak
from narrate.cache import Cache
from narrate.engines import EngineBase
from narrate.episode.transcript import make_cues, to_json, word_times
from narrate.models import TimedSentence, WordTiming
from narrate.progress import SilentReporter
from narrate.text.script import Script, SegmentScript, Sentence

RATE = 16000
#: Silence the engine puts before its first word: the assembler trims it, the timings must not
#: then be late by as much.
LEAD_MS = 300
WORD_MS = 250
GAP_MS = 150


class TimedToneEngine(EngineBase):
    """Says each word as a tone of its own after :data:`LEAD_MS` of silence, and tells when."""

    name = "timed-tone"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def identity(self) -> dict[str, str]:
        return {"engine": self.name, "version": "1"}

    @property
    def sample_rate(self) -> int:  # type: ignore[override]
        return RATE

    def synthesize(self, text: str) -> AudioSegment:
        return self.synthesize_timed(text)[0]

    def synthesize_timed(self, text: str) -> tuple[AudioSegment, tuple[WordTiming, ...]]:
        self.calls.append(text)
        samples = array("h", bytes(2 * RATE * LEAD_MS // 1000))
        words = []
        for word in text.split():
            start = len(samples) * 1000 // RATE
            samples.extend(
                int(8000 * ((i // 20) % 2 * 2 - 1)) for i in range(RATE * WORD_MS // 1000)
            )
            words.append(WordTiming(word, start, start + WORD_MS))
            samples.extend(array("h", bytes(2 * RATE * GAP_MS // 1000)))
        audio = AudioSegment(data=samples.tobytes(), sample_width=2, frame_rate=RATE, channels=1)
        return audio, tuple(words)


def test_the_cache_keeps_word_timings_beside_the_audio(tmp_path: Path) -> None:
    engine = TimedToneEngine()
    cache = Cache(tmp_path / "cache")
    chunks = ["قال الوزير اليوم", "ثم غادر القاعة"]
    first: list[tuple[WordTiming, ...]] = []
    speak(chunks, engine, cache, SilentReporter(), 1, words=first)
    assert [len(w) for w in first] == [3, 3]
    assert first[0][1] == WordTiming(
        "الوزير", LEAD_MS + WORD_MS + GAP_MS, LEAD_MS + 2 * WORD_MS + GAP_MS
    )

    again = TimedToneEngine()
    second: list[tuple[WordTiming, ...]] = []
    stats = speak(chunks, again, cache, SilentReporter(), 1, words=second)
    assert again.calls == [] and stats.cached == 2  # all from the cache, timings too
    assert second == first


def _episode(engine: TimedToneEngine, chunks: list[str]) -> tuple[Script, list[TimedSentence]]:
    script = Script(
        intro=(),
        segments=(SegmentScript("الخبر", (), (tuple(chunks),)),),
        sentences=(Sentence(" ".join(chunks), 0, len(chunks)),),
    )
    said: list[tuple[WordTiming, ...]] = []
    line = Assembler((), [SegmentShape("الخبر", (), (tuple(chunks),))], RATE, lambda data: None)
    speak(chunks, engine, None, SilentReporter(), 1, sink=line.add, words=said)
    timeline = line.timeline()
    return script, list(timed_sentences(script, timeline, None, said))


def test_word_times_are_placed_in_the_episode_less_the_trimmed_silence() -> None:
    engine = TimedToneEngine()
    _, sentences = _episode(engine, ["قال الوزير اليوم"])
    (sentence,) = sentences
    words = sentence.words
    assert [w.word for w in words] == ["قال", "الوزير", "اليوم"]
    # The chunk starts at its first sound (the silence before it was trimmed, bar 10 ms kept),
    # so the first word starts with the sentence, not LEAD_MS after it.
    assert abs(words[0].start_ms - sentence.start_ms) <= 15
    assert words[1].start_ms - words[0].start_ms == WORD_MS + GAP_MS
    assert words[-1].end_ms <= sentence.end_ms


def test_long_sentences_are_cut_where_the_word_is_said_not_by_characters() -> None:
    # Short words said slowly, then long words said fast: a split by characters would put the
    # cut far from where the second part's first word is really said.
    text = "ذهب الى هنا ثم عاد " * 3 + "والمحافظات الشمالية والجنوبية والمؤسسات الحكومية"
    written = text.split()
    spoken, at = [], 0
    for word in written:
        length = 600 if len(word) <= 4 else 120
        spoken.append(WordTiming(word, at, at + length))
        at += length + 50
    sentence = TimedSentence(0, at, text, tuple(spoken))
    cues = make_cues([sentence])
    assert len(cues) >= 2
    second_first_word = cues[1].text.split()[0]
    index = sum(len(c.text.split()) for c in cues[:1])
    assert written[index] == second_first_word
    assert cues[1].start_ms == spoken[index].start_ms
    proportional = make_cues([TimedSentence(0, at, text)])
    assert proportional[1].start_ms != cues[1].start_ms
    # Each cue's words carry their own times, and the JSON transcript is word by word.
    assert [w.word for c in cues for w in c.words] == written
    segments = json.loads(to_json(cues))["segments"]
    assert [s["body"] for s in segments] == written
    assert segments[index]["startTime"] == spoken[index].start_ms / 1000


def test_written_words_without_a_spoken_twin_take_the_words_said_for_them() -> None:
    said = [
        WordTiming("بلغ", 0, 300),
        WordTiming("عدد", 350, 600),
        WordTiming("الزوار", 650, 1000),
        WordTiming("ألفين", 1100, 1500),
        WordTiming("وخمسمئة", 1550, 2100),
        WordTiming("زائر", 2200, 2500),
        WordTiming(".", 2500, 2500),
    ]
    times = word_times(["بلغ", "عدد", "الزوار", "2500", "زائر."], said, 0, 3000)
    assert times == [(0, 300), (350, 600), (650, 1000), (1100, 2100), (2200, 2500)]


def test_without_word_timings_the_json_transcript_stays_one_segment_per_cue() -> None:
    cues = make_cues([TimedSentence(0, 2000, "قال الوزير إن الاجتماع انتهى.")])
    segments = json.loads(to_json(cues))["segments"]
    assert len(segments) == 1 and segments[0]["body"] == "قال الوزير إن الاجتماع انتهى."

"""Transcript cues, and WebVTT, SRT and JSON read back by real parsers (webvtt-py, srt)."""

from __future__ import annotations

import html
import io
import itertools
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
import srt
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from narrate.episode.transcript import (
    RLM,
    Cue,
    make_cues,
    to_json,
    to_srt,
    to_webvtt,
    write_transcripts,
)
from narrate.models import TimedSentence, TranscriptFile

LONG = (
    "وأضاف الوزير في مؤتمر صحفي عقده صباح اليوم في العاصمة، أن الحكومة ستعمل على خفض "
    "الأسعار؛ وأن البنك المركزي سيتدخل عند الحاجة: وذلك بعد أسابيع من الاضطراب في الأسواق "
    "المحلية والعالمية."
)
SENTENCES = [
    TimedSentence(0, 2_400, "تراجعت أسعار النفط اليوم."),
    TimedSentence(2_650, 21_000, LONG),
    TimedSentence(21_300, 24_000, "Apple تعلن عن هاتف جديد بسعر ٩٩٩ دولاراً."),
    TimedSentence(3_723_000, 3_725_456, "هل انتهت الأزمة؟"),
]


def words_of(cues: list[Cue]) -> list[str]:
    return " ".join(cue.text for cue in cues).split()


def vtt_captions(text: str) -> list[tuple[float, float, str]]:
    """(start s, end s, text) of each caption, as webvtt-py parses the file."""
    parsed = webvtt.from_buffer(io.StringIO(text))
    return [
        (
            timedelta_seconds(caption.start, "."),
            timedelta_seconds(caption.end, "."),
            html.unescape(caption.text),
        )
        for caption in parsed
    ]


def timedelta_seconds(stamp: str, separator: str) -> float:
    clock, millis = stamp.split(separator)
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return hours * 3600 + minutes * 60 + seconds + int(millis) / 1000


# --- cues ------------------------------------------------------------------------------


def test_short_sentence_is_one_cue_with_its_own_times() -> None:
    assert make_cues(SENTENCES[:1]) == [Cue(0, 2_400, "تراجعت أسعار النفط اليوم.")]


def test_long_sentence_is_split_at_punctuation() -> None:
    cues = make_cues([SENTENCES[1]])
    assert len(cues) == 3  # 190 characters: the fewest cues of two 42-character lines
    assert [cue.text[-1] for cue in cues] == ["،", ":", "."]
    assert words_of(cues) == LONG.split()


def test_split_cues_share_the_time_by_characters() -> None:
    sentence = SENTENCES[1]
    cues = make_cues([sentence])
    assert cues[0].start_ms == sentence.start_ms
    assert cues[-1].end_ms == sentence.end_ms
    duration = sentence.end_ms - sentence.start_ms
    total = sum(len(cue.text) for cue in cues)
    for cue in cues:
        share = (cue.end_ms - cue.start_ms) / duration
        assert share == pytest.approx(len(cue.text) / total, abs=0.002)
    for before, after in itertools.pairwise(cues):
        assert before.end_ms == after.start_ms


def test_lines_are_balanced_and_within_limits() -> None:
    for cue in make_cues(SENTENCES):
        lines = cue.text.split("\n")
        assert 1 <= len(lines) <= 2
        assert all(len(line) <= 42 for line in lines)
        if len(lines) == 2:
            assert abs(len(lines[0]) - len(lines[1])) <= 16


def test_narrow_limits() -> None:
    cues = make_cues([SENTENCES[1]], max_line=20, max_lines=1)
    assert all(len(cue.text) <= 20 and "\n" not in cue.text for cue in cues)
    assert words_of(cues) == LONG.split()


def test_a_word_longer_than_a_line_is_kept_whole() -> None:
    url = "https://example.org/" + "a" * 60
    cues = make_cues([TimedSentence(0, 1000, f"المصدر {url} كما نشر")])
    assert url in cues[0].text.split("\n")
    assert words_of(cues) == ["المصدر", url, "كما", "نشر"]


def test_control_and_bidi_override_characters_are_stripped() -> None:
    text = "قال\u202e الوزير\u2066 «نعم»\u2069\x07\n\tثم\x00 مضى\u202c"
    (cue,) = make_cues([TimedSentence(0, 1000, text)])
    assert cue.text == "قال الوزير «نعم» ثم مضى"


def test_empty_sentences_give_no_cue() -> None:
    blank = TimedSentence(2_500, 2_600, " \u202e\n\x07")
    assert make_cues([*SENTENCES[:1], blank]) == make_cues(SENTENCES[:1])


@pytest.mark.parametrize(
    ("sentences", "message"),
    [
        ([TimedSentence(500, 400, "أ")], "sentence 1 runs from 500 ms to 400 ms"),
        ([TimedSentence(-1, 400, "أ")], "sentence 1 runs from -1 ms to 400 ms"),
        (
            [TimedSentence(0, 1000, "أ"), TimedSentence(900, 2000, "ب")],
            "sentence 2 starts at 900 ms, before sentence 1 ends",
        ),
    ],
)
def test_malformed_times_are_refused(sentences: list[TimedSentence], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_cues(sentences)


ARABIC_WORDS = st.sampled_from(
    ["في", "الحكومة،", "قال", "الاقتصادية", "البنك؛", "المركزي:", "Apple", "٢٠٢٤", "و", "غداً."]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(ARABIC_WORDS, min_size=1, max_size=60), st.integers(0, 20_000)),
        min_size=1,
        max_size=5,
    ),
    st.integers(1, 5_000),
)
def test_cues_keep_words_order_and_times(parts: list[tuple[list[str], int]], gap: int) -> None:
    sentences, start = [], 0
    for words, duration in parts:
        sentences.append(TimedSentence(start, start + duration, " ".join(words)))
        start += duration + gap
    cues = make_cues(sentences)
    assert words_of(cues) == " ".join(s.text for s in sentences).split()
    starts = {s.start_ms for s in sentences}
    assert starts <= {cue.start_ms for cue in cues}  # every sentence starts a cue, exactly
    for cue in cues:
        assert cue.start_ms <= cue.end_ms
        lines = cue.text.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines)
    for before, after in itertools.pairwise(cues):
        assert before.end_ms <= after.start_ms


# --- WebVTT --------------------------------------------------------------------------------


def test_webvtt_round_trips_through_webvtt_py() -> None:
    cues = make_cues(SENTENCES)
    text = to_webvtt(cues)
    assert text.startswith("WEBVTT\n\n")
    got = vtt_captions(text)
    assert [(start, end) for start, end, _ in got] == [
        (cue.start_ms / 1000, cue.end_ms / 1000) for cue in cues
    ]
    assert [body.replace(RLM, "") for _, _, body in got] == [cue.text for cue in cues]


def test_webvtt_timestamps() -> None:
    text = to_webvtt([Cue(3_723_456, 3_725_000, "هل انتهت الأزمة؟")])
    assert "01:02:03.456 --> 01:02:05.000\n" in text


def test_webvtt_escapes_markup_and_arrows() -> None:
    cue = Cue(0, 1000, "قال إن <b>الأسعار</b> & الأجور --> ترتفع")
    text = to_webvtt([cue])
    body = text.split("\n", 3)[3]
    assert "-->" not in body
    assert "<" not in body
    assert "&lt;b&gt;الأسعار&lt;/b&gt; &amp; الأجور --&gt; ترتفع" in body
    (caption,) = vtt_captions(text)
    assert caption[2] == cue.text


def test_rtl_mark_only_before_a_line_that_starts_left_to_right() -> None:
    cues = [
        Cue(0, 1000, "Apple تعلن\nعن هاتف جديد"),
        Cue(1000, 2000, "٢٠٢٤ هاتف\n2024 iPhone"),
        Cue(2000, 3000, "بسعر\n٩٩٩"),
        Cue(3000, 4000, "Breaking news\nfrom Reuters"),
    ]
    lines = [line for line in to_webvtt(cues).split("\n") if line and "-->" not in line]
    assert lines[1:] == [
        RLM + "Apple تعلن",
        "عن هاتف جديد",
        "٢٠٢٤ هاتف",  # digits are weak: the Arabic word after them sets the direction
        RLM + "2024 iPhone",
        "بسعر",
        RLM + "٩٩٩",  # no strong letter at all: the mark gives the line its direction
        "Breaking news",  # a cue with no Arabic is left alone
        "from Reuters",
    ]


# --- SRT and JSON ------------------------------------------------------------------------------


def test_srt_round_trips_through_srt() -> None:
    cues = make_cues(SENTENCES)
    text = to_srt(cues)
    subtitles = list(srt.parse(text))
    assert [s.index for s in subtitles] == list(range(1, len(cues) + 1))
    assert [(s.start, s.end) for s in subtitles] == [
        (timedelta(milliseconds=c.start_ms), timedelta(milliseconds=c.end_ms)) for c in cues
    ]
    assert [s.content.replace(RLM, "") for s in subtitles] == [c.text for c in cues]
    assert "01:02:03,000 --> 01:02:05,456" in text
    assert "\r" not in text


def test_srt_keeps_an_arrow_in_the_text_from_reading_as_a_timing() -> None:
    (subtitle,) = srt.parse(to_srt([Cue(0, 1000, "الأسعار --> ترتفع\nوالأجور <تنخفض>")]))
    assert subtitle.content == "الأسعار → ترتفع\nوالأجور <تنخفض>"


def test_json_transcript() -> None:
    cues = make_cues(SENTENCES)
    text = to_json(cues)
    assert "\\u" not in text
    document = json.loads(text)
    assert document["version"] == "1.0.0"
    segments = document["segments"]
    assert [(s["startTime"], s["endTime"]) for s in segments] == [
        (c.start_ms / 1000, c.end_ms / 1000) for c in cues
    ]
    assert [s["body"].replace(RLM, "") for s in segments] == [
        c.text.replace("\n", " ") for c in cues
    ]
    assert segments[-1] == {"startTime": 3723.0, "endTime": 3725.456, "body": "هل انتهت الأزمة؟"}


# --- files --------------------------------------------------------------------------------


def test_write_transcripts(tmp_path: Path) -> None:
    folder = tmp_path / "central-bank"
    cues = make_cues(SENTENCES)
    files = write_transcripts(cues, folder)
    assert files == [
        TranscriptFile("central-bank/transcript.vtt", "text/vtt"),
        TranscriptFile("central-bank/transcript.srt", "application/x-subrip"),
        TranscriptFile("central-bank/transcript.json", "application/json"),
    ]
    assert (tmp_path / files[0].path).read_text(encoding="utf-8") == to_webvtt(cues)
    assert (tmp_path / files[1].path).read_bytes() == to_srt(cues).encode("utf-8")
    assert json.loads((tmp_path / files[2].path).read_bytes()) == json.loads(to_json(cues))
    assert sorted(p.name for p in folder.iterdir()) == [
        "transcript.json",
        "transcript.srt",
        "transcript.vtt",
    ]
    os.utime(folder / "transcript.vtt", (1_000_000, 1_000_000))
    write_transcripts(cues, folder)
    assert (folder / "transcript.vtt").stat().st_mtime == 1_000_000  # unchanged: not rewritten

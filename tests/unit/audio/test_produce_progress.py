"""Making the audio reports its progress all the way: speaking, then loudness, then encoding."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from narrate.audio.produce import produce
from narrate.progress import Reporter, Task
from narrate.text.script import Script, SegmentScript, Sentence
from tests.unit.audio.test_speak import ToneEngine

T = TypeVar("T")


@dataclass
class Recorded:
    label: str
    length: int
    done: int
    steps: int = 0
    calls: int = 0
    threads: set[str] = field(default_factory=set)


class RecordingTask(Task):
    def __init__(self, record: Recorded) -> None:
        super().__init__(record.length, record.done)
        self.record = record

    def _changed(self) -> None:
        self.record.steps = self.pos - self.record.done
        self.record.calls += 1
        self.record.threads.add(threading.current_thread().name)


class RecordingReporter(Reporter):
    """Keeps every long step it is told of, in order, and how far each went."""

    def __init__(self) -> None:
        super().__init__(quiet=True)
        self.tasks: list[Recorded] = []

    @contextmanager
    def task(
        self, label: str, length: int, *, done: int = 0, show_pos: bool = False
    ) -> Iterator[Task]:
        record = Recorded(label, length, done)
        self.tasks.append(record)
        yield RecordingTask(record)

    @contextmanager
    def progress(self, items: Iterable[T], length: int, label: str) -> Iterator[Iterable[T]]:
        record = Recorded(label, length, 0)
        self.tasks.append(record)

        def counted() -> Iterator[T]:
            for item in items:
                yield item
                record.steps += 1

        yield counted()


def script(segments: int) -> Script:
    parts = tuple(
        SegmentScript(f"قسم {n}", (f"قسم {n}.",), tuple((f"جملة {n} {k}.",) for k in range(4)))
        for n in range(segments)
    )
    sentences = [Sentence("مقدمة.", 0, 1)]
    for part in parts:
        for chunk in (*part.heading, *(c for p in part.paragraphs for c in p)):
            sentences.append(Sentence(chunk, len(sentences), 1))
    return Script(("مقدمة.",), parts, tuple(sentences))


def test_loudness_and_encoding_are_reported_after_speaking(tmp_path: Path) -> None:
    reporter = RecordingReporter()
    produce(script(3), ToneEngine(parallel="serial"), reporter, tmp_path, kbps=64, target=-19.0)
    labels = [t.label for t in reporter.tasks]
    assert labels[:3] == ["Speaking", "Loudness", "Encoding"], labels
    assert set(labels[3:]) <= {"Encoding again"}, labels
    speaking, measuring, *encoding = reporter.tasks
    assert speaking.steps == speaking.length == 16
    # The loudness is measured as the speech is laid out: what is left when speaking ends is
    # what the bar counts, up to the whole episode's 100 ms readings.
    assert measuring.done + measuring.steps >= measuring.length - 5 > 0, measuring
    for round_ in encoding:  # the frames of every piece encoded (and of the piece measured)
        assert round_.steps == round_.length > 0, round_
        assert round_.calls > 3

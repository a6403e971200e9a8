"""The one place progress and notices are shown; ``--quiet`` silences it.

Library code reports through a :class:`Reporter`, never ``print``; only the CLI makes one.

A long step shows a bar on a terminal (never in a pipe or a log): ``Speaking  [###---]  12/57
21%  ETA 00:01:40``. Its estimate of the time left is meant to be honest:

- work found done at the start (chunks from the cache, audio measured while it was spoken)
  is not taken as a measure of pace: the rate is measured from the end of that first burst;
- until a second of real work has been measured it says ``ETA --:--:--``, not a guess;
- the time since the last step counts, so a stalled step makes the estimate grow, and the bar
  is redrawn while nothing moves;
- it is rounded up: ``00:00:00`` only when nothing is left.
"""

from __future__ import annotations

import math
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Final, TextIO, TypeVar

import click

T = TypeVar("T")

#: Steps taken this soon after a bar appears were done already (found in the cache): they
#: move where the pace is measured from instead of making it look fast.
BURST_SECONDS: Final = 0.25
#: How much real work must be measured before an estimate is given.
MEASURE_SECONDS: Final = 1.0
#: How often a bar is redrawn at most, and at least while nothing moves.
REDRAW_SECONDS: Final = 0.1
REFRESH_SECONDS: Final = 1.0
BAR_WIDTH: Final = 30
UNKNOWN_ETA: Final = "--:--:--"


class Eta:
    """The time left for ``length`` steps of work, from the pace of the steps seen so far."""

    def __init__(self, length: int, start: float, done: int = 0) -> None:
        self.length = max(0, length)
        self.start = start
        self.pos = done
        # Where the pace is measured from: the end of the first burst of steps.
        self._base_time = start
        self._base_pos = done

    def update(self, pos: int, now: float) -> None:
        self.pos = pos
        if now - self.start <= BURST_SECONDS:
            self._base_time, self._base_pos = now, pos

    def seconds_left(self, now: float) -> float | None:
        """Seconds until the last step, or None while the pace is not known yet."""
        left = self.length - self.pos
        if left <= 0:
            return 0.0
        measured = now - self._base_time
        work = self.pos - self._base_pos
        if work <= 0 or measured < MEASURE_SECONDS:
            return None
        return left * measured / work

    def text(self, now: float) -> str:
        """``HH:MM:SS`` rounded up (so never ``00:00:00`` while work remains), or unknown.

        >>> eta = Eta(10, start=0.0)
        >>> eta.text(0.5)
        '--:--:--'
        >>> eta.update(5, 10.0); eta.text(10.0)
        '00:00:10'
        >>> eta.update(10, 20.0); eta.text(20.0)
        '00:00:00'
        """
        seconds = self.seconds_left(now)
        if seconds is None:
            return UNKNOWN_ETA
        whole = math.ceil(seconds)
        hours, rest = divmod(whole, 3600)
        return f"{hours:02}:{rest // 60:02}:{rest % 60:02}"


class Task:
    """One long step's progress, advanced from any thread. Shows nothing itself."""

    def __init__(self, length: int, done: int = 0) -> None:
        self.length = length
        self.pos = done
        self._lock = threading.Lock()

    def advance(self, steps: int = 1) -> None:
        with self._lock:
            self.pos += steps
            self._changed()

    def advance_to(self, pos: int) -> None:
        """Move on to ``pos`` steps done (never back)."""
        with self._lock:
            if pos > self.pos:
                self.pos = pos
                self._changed()

    def _changed(self) -> None:
        """Called under the lock after each step."""


class _Bar(Task):
    """A task drawn on a terminal line, redrawn as it advances and while it waits."""

    def __init__(
        self,
        label: str,
        length: int,
        done: int,
        stream: TextIO,
        clock: Callable[[], float],
        show_pos: bool,
        refresh: bool,
    ) -> None:
        super().__init__(length, done)
        self.label = label
        self.stream = stream
        self.clock = clock
        self.show_pos = show_pos
        self.eta = Eta(length, clock(), done)
        self._drawn_at: float | None = None
        self._width = 0
        self._finished = threading.Event()
        self._refresher: threading.Thread | None = None
        if refresh:
            self._refresher = threading.Thread(target=self._refresh, name="progress", daemon=True)

    def start(self) -> None:
        with self._lock:
            self._draw(self.clock())
        if self._refresher is not None:
            self._refresher.start()

    def finish(self, completed: bool) -> None:
        self._finished.set()
        if self._refresher is not None:
            self._refresher.join()
        with self._lock:
            if completed:
                self.pos = max(self.pos, self.length)
            self._draw(self.clock())
            self.stream.write("\n")
            self.stream.flush()

    def _changed(self) -> None:
        now = self.clock()
        self.eta.update(self.pos, now)
        if self._drawn_at is None or now - self._drawn_at >= REDRAW_SECONDS:
            self._draw(now)

    def _refresh(self) -> None:
        while not self._finished.wait(REFRESH_SECONDS):
            with self._lock:
                self._draw(self.clock())

    def line(self, now: float) -> str:
        """The bar as drawn at ``now``."""
        fraction = min(1.0, self.pos / self.length) if self.length > 0 else 1.0
        filled = int(fraction * BAR_WIDTH)
        info = [f"{min(self.pos, self.length)}/{self.length}"] if self.show_pos else []
        info.append(f"{int(fraction * 100):3d}%")
        if self.pos < self.length:
            info.append(f"ETA {self.eta.text(now)}")
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        return f"{self.label}  [{bar}]  {'  '.join(info)}"

    def _draw(self, now: float) -> None:
        line = self.line(now)
        columns = shutil.get_terminal_size((80, 24)).columns
        line = line[: max(10, columns - 1)]
        self.stream.write("\r" + line + " " * max(0, self._width - len(line)))
        self.stream.flush()
        self._width = len(line)
        self._drawn_at = now


class Reporter:
    """Notices to ``stream`` (standard error by default); a progress bar only on a terminal.

    ``clock`` (seconds, monotonic) and ``refresh`` (redraw a bar while it waits, on a thread)
    are there for the tests.
    """

    def __init__(
        self,
        quiet: bool = False,
        stream: TextIO | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        refresh: bool = True,
    ) -> None:
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.refresh = refresh

    def say(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, file=self.stream)

    def _shows_bars(self) -> bool:
        return not self.quiet and self.stream.isatty()

    @contextmanager
    def task(
        self, label: str, length: int, *, done: int = 0, show_pos: bool = False
    ) -> Iterator[Task]:
        """A long step of ``length`` units (``done`` of them done already), advanced with
        :meth:`Task.advance` from any thread; a bar only on a terminal, full when the step
        ends without an error."""
        if not self._shows_bars():
            yield Task(length, done)
            return
        bar = _Bar(label, length, done, self.stream, self.clock, show_pos, self.refresh)
        bar.start()
        completed = False
        try:
            yield bar
            completed = True
        finally:
            bar.finish(completed)

    @contextmanager
    def progress(self, items: Iterable[T], length: int, label: str) -> Iterator[Iterable[T]]:
        """Iterate ``items`` with a bar over ``length`` steps, shown only on a terminal."""
        if not self._shows_bars():
            yield items
            return
        with self.task(label, length, show_pos=True) as task:

            def stepped() -> Iterator[T]:
                for item in items:
                    yield item
                    task.advance()

            yield stepped()


class SilentReporter(Reporter):
    """A reporter that shows nothing (for library callers and tests)."""

    def __init__(self) -> None:
        super().__init__(quiet=True)

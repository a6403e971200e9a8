"""The progress bar on a terminal, on a clock the test moves: an honest estimate of time left."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator

import pytest

from narrate import progress
from narrate.progress import Eta, Reporter


class Terminal(io.StringIO):
    """What a terminal was sent."""

    def isatty(self) -> bool:
        return True


class Clock:
    """Time that passes only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(time, "monotonic", fake)
    monkeypatch.setattr(time, "time", fake)
    # No redrawing from another thread while the test runs: every frame comes from a step.
    monkeypatch.setattr(progress, "REFRESH_SECONDS", 3600.0, raising=False)
    return fake


def frames(shown: str) -> list[tuple[int, int, str | None]]:
    """Each drawing of the bar: steps done, steps in all, and the ETA it showed (if any)."""
    out = []
    for frame in re.split(r"[\r\n]", shown):
        counts = re.search(r"(\d+)/(\d+)", frame)
        if counts:
            eta = re.search(r"(\d\d:\d\d:\d\d|--:--:--)", frame)
            out.append((int(counts[1]), int(counts[2]), eta[1] if eta else None))
    return out


def test_chunks_found_in_the_cache_do_not_make_the_eta_read_zero_from_halfway(
    clock: Clock,
) -> None:
    terminal = Terminal()

    def steps() -> Iterator[None]:
        for _ in range(50):  # from the cache: no time passes
            yield None
        for _ in range(50):  # spoken: a second each
            clock.now += 1.0
            yield None

    with Reporter(stream=terminal).progress(steps(), 100, "Speaking") as bar:
        for _ in bar:
            pass
    drawn = frames(terminal.getvalue())
    assert drawn and drawn[-1][:2] == (100, 100)
    for done, total, eta in drawn:
        if done < total:
            assert eta != "00:00:00", (done, eta)
        if 55 <= done < total:  # a few seconds of real work measured: within a second or two
            assert eta is not None and eta != "--:--:--", (done, eta)
            hours, minutes, seconds = map(int, eta.split(":"))
            assert abs(hours * 3600 + minutes * 60 + seconds - (total - done)) <= 2, (done, eta)


def test_the_estimate_is_unknown_until_measured_grows_when_stalled_and_rounds_up() -> None:
    eta = Eta(100, start=0.0)
    eta.update(40, 0.1)  # a burst at the start: done already, no pace
    assert eta.seconds_left(0.1) is None and eta.text(0.5) == "--:--:--"
    eta.update(50, 10.1)  # 10 steps in 10 s
    assert eta.seconds_left(10.1) == pytest.approx(50.0)
    assert eta.seconds_left(30.1) == pytest.approx(150.0)  # nothing for 20 s: slower than thought
    eta.update(99, 10.2)
    assert eta.text(10.2) == "00:00:01"  # a fraction of a second left is not nothing
    eta.update(100, 10.3)
    assert eta.text(10.3) == "00:00:00"


def test_a_task_draws_its_bar_only_on_a_terminal_and_ends_full(clock: Clock) -> None:
    terminal = Terminal()
    with Reporter(stream=terminal).task("Encoding", 1000) as task:
        for _ in range(4):
            clock.now += 0.5
            task.advance(200)
    last = terminal.getvalue().rstrip("\n").split("\r")[-1]
    assert last.startswith("Encoding  [" + "#" * 30 + "]") and "100%" in last
    assert terminal.getvalue().endswith("\n")
    piped = io.StringIO()
    with Reporter(stream=piped).task("Encoding", 10) as task:
        task.advance(10)
    with Reporter(quiet=True, stream=terminal).task("Encoding", 10) as task:
        task.advance(10)
    assert piped.getvalue() == "" and terminal.getvalue().count("Encoding  [") >= 1

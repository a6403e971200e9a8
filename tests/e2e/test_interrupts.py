"""Ctrl-C at any moment of a build: one ``Error: interrupted`` line and exit status 130.

A terminal's Ctrl-C sends SIGINT to the whole foreground process group: narrate, the fork
server its speech workers come from, the workers, ffmpeg. Each try starts a real
``narrate build`` in a session of its own, waits for one moment of the build's life and sends
SIGINT to the group, as the terminal would. The moments are events wherever there is one to
wait on (narrate's imports under way, a progress line, the fork server or a worker appearing,
speech in the cache, the working folder, the MP3 in place), and random delays where there is
none, dense over the first second (imports, the fork server importing narrate, the
diacritization model loading). Each try is judged by what a producer sees:

- exit status 130, nothing on standard output, and on standard error the progress lines so far
  and then exactly one line, ``Error: interrupted; ...``: no traceback from any process, no
  ``Aborted!``, no other error standing in for the interrupt;
- every process of the build gone;
- the output folder whole: the episode published before is byte for byte the same and in the
  feed (read by three parsers), no temporary file among the published ones, and the new MP3,
  if it was put in place before the interrupt, complete. What an interrupt may leave in the
  private ``.narrate/partial`` folder (a working folder it caught being made, a publish's
  journal it caught being applied) the same command run again must clear, completing the
  episode.

A try whose moment comes only after the build has finished, or that the build outran, may
complete instead (exit 0, its episode in the feed). ``NARRATE_FAULT_SUITE=1`` makes many more
tries; ``NARRATE_FAULT_SEED`` repeats the random ones.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

from tests.cli import NARRATE, Run
from tests.e2e.test_faults import (
    BASE_URL,
    FULL,
    SEED,
    Sandbox,
    check_feed,
    judge,
    leftovers,
    publish_a,
    record,
    sha256,
)
from tests.fake_google import FakeGoogle

INTERRUPTED = "Error: interrupted; run the same command again to carry on"
#: The progress lines a build may have printed before it was interrupted.
PROGRESS = ("Engine: ", "Speech: ", "Loudness: ")
#: Lines a build prints once its episode is made; an interrupt may still land after them, while
#: the feed and page are written, and is then reported below them.
AFTER_THE_EPISODE = ("Wrote ", "Segments: ", "Feed: ", "Page: ", "Note: ", "Warning: ")
#: A hang guard only: no try waits on a time, every wait is for an event.
HANG_GUARD = 120.0
#: How often a waiting try looks again for its event.
POLL = 0.002

#: Ten paragraphs: twelve chunks for espeak, so the speech goes to worker processes.
ARTICLE = "مجلس المدينة\n\n" + "\n\n".join(
    f"الفقرة رقم {n}: ناقش المجلس البلدي خطة تطوير الحدائق العامة في المدينة، وقرر زيادة "
    f"عدد الأشجار في الشوارع الرئيسية، وخصص لها ميزانية جديدة أقرها بالإجماع."
    for n in range(1, 11)
)
SLUG = "council-plan"

#: Random moments in the first second (after narrate's own code has started), per engine.
EARLY_TRIES = 60 if FULL else 12
#: Random moments anywhere in a whole build.
ANYWHERE_TRIES = 30 if FULL else 4


# -- one build, watched ------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """The processes ``pid``'s main thread started (Linux: /proc/<pid>/task/<pid>/children)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


class Build:
    """``narrate build`` in a process group of its own; its standard error read as it comes."""

    def __init__(
        self, sandbox: Sandbox, output: Path, cache: Path, engine: str, env: dict[str, str]
    ) -> None:
        self.output = output
        self.cache = cache
        self.proc = subprocess.Popen(
            [NARRATE, "build", str(sandbox.articles / f"{SLUG}.txt"), "--output-dir", str(output),
             "--engine", engine, "--base-url", BASE_URL, "--date", "2026-11-02"],
            env={**os.environ, "NARRATE_CACHE_DIR": str(cache), **env},
            cwd=sandbox.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )  # fmt: skip
        self.started = time.monotonic()
        self.interrupted_at: float | None = None
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._stdout = b""
        self._readers = [
            threading.Thread(target=self._read_stderr, daemon=True),
            threading.Thread(target=self._read_stdout, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            with self._lock:
                self._lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        self._stdout = self.proc.stdout.read()

    @property
    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)

    def said(self, prefix: str) -> bool:
        return any(line.startswith(prefix) for line in self.lines)

    def has_mapped(self, fragment: str) -> bool:
        """Whether the narrate process has loaded a file whose path holds ``fragment``."""
        try:
            return fragment in Path(f"/proc/{self.proc.pid}/maps").read_text()
        except OSError:
            return False

    def server(self) -> int | None:
        """The fork server's process id, once it runs."""
        for child in _children(self.proc.pid):
            if b"forkserver" in _cmdline(child):
                return child
        return None

    def workers(self) -> list[int]:
        server = self.server()
        return _children(server) if server is not None else []

    def cached(self) -> int:
        return len(list(self.cache.rglob("*.wav")))

    def wait_for(self, event: Callable[[Build], bool]) -> bool:
        """Wait until ``event`` holds; False if the build ended first."""
        deadline = time.monotonic() + HANG_GUARD
        while not event(self):
            if self.proc.poll() is not None:
                return False
            assert time.monotonic() < deadline, f"hang guard: {self.lines}"
            time.sleep(POLL)
        return True

    def interrupt(self) -> bool:
        """Ctrl-C: SIGINT to the whole group. False when the build had already ended."""
        if self.proc.poll() is not None:
            return False
        self.interrupted_at = time.monotonic() - self.started
        os.killpg(self.proc.pid, signal.SIGINT)
        return True

    def finish(self) -> tuple[int, str, str]:
        """Wait for narrate and every process of its group; (status, stdout, stderr)."""
        code = self.proc.wait(timeout=HANG_GUARD)
        for reader in self._readers:  # the pipes close when the last process holding them ends
            reader.join(timeout=HANG_GUARD)
            assert not reader.is_alive(), f"a process of the build still runs: {self.lines}"
        deadline = time.monotonic() + HANG_GUARD
        while _group_alive(self.proc.pid):
            assert time.monotonic() < deadline, "processes of the build are left running"
            time.sleep(POLL)
        return code, self._stdout.decode("utf-8", "replace"), "\n".join(self.lines) + "\n"

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=HANG_GUARD)


# -- the moments ------------------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    """When a try sends SIGINT: as soon as ``event`` holds for the build."""

    name: str
    event: Callable[[Build], bool]
    #: The moment may come after the build's work is done: it may complete instead.
    may_complete: bool = False


def _line(prefix: str) -> Callable[[Build], bool]:
    return lambda build: build.said(prefix)


def _importing(build: Build) -> bool:
    """narrate's own code runs: the CLI's imports have reached numpy (or gone past it)."""
    return build.has_mapped("numpy") or build.said("Engine: ")


def _after(delay: float) -> Callable[[Build], bool]:
    """``delay`` seconds after the start, but not before narrate's own code runs: the
    interpreter's start and ``import narrate`` come before any of its code can answer."""

    def event(build: Build) -> bool:
        return time.monotonic() - build.started >= delay and _importing(build)

    return event


def _cached(count: int) -> Callable[[Build], bool]:
    return lambda build: build.cached() >= count


def _working(build: Build) -> bool:
    partial = build.output / ".narrate" / "partial"
    return partial.is_dir() and any(partial.iterdir())


def _placed(build: Build) -> bool:
    return (build.output / f"{SLUG}.mp3").exists()


def espeak_moments(rng: random.Random) -> list[Moment]:
    events = [
        Moment("narrate's code started (imports under way)", _importing),
        Moment("the Engine: line (fork server starting, model loading)", _line("Engine: ")),
        Moment("the fork server runs (importing narrate)", lambda b: b.server() is not None),
        Moment("a speech worker runs", lambda b: bool(b.workers())),
        Moment("the working folder exists", _working),
        Moment("the first chunk is in the cache", _cached(1)),
        Moment("half the chunks are in the cache", _cached(6)),
        Moment("the Speech: line (encoding)", _line("Speech: ")),
        Moment("the Loudness: line (tagging, moving into place)", _line("Loudness: ")),
        Moment("the MP3 is in place, the feed not yet written", _placed),
        Moment("the Wrote line (the build is done)", _line("Wrote "), may_complete=True),
    ]
    early = sorted(rng.uniform(0.2, 1.0) for _ in range(EARLY_TRIES))
    anywhere = sorted(rng.uniform(0.0, 3.0) for _ in range(ANYWHERE_TRIES))
    return (
        events
        + [Moment(f"{delay:.3f} s after the start", _after(delay)) for delay in early]
        + [Moment(f"{t:.3f} s after the start", _after(t), may_complete=True) for t in anywhere]
    )


# -- judging --------------------------------------------------------------------------------


def _judge_interrupted(code: int, stdout: str, stderr: str, why: str) -> None:
    """Exit status 130 and exactly the one line, after progress lines only."""
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, (stderr, why)
    assert code == 130, (code, stderr, why)
    assert stdout == "", (stdout, why)
    lines = stderr.rstrip("\n").splitlines()
    assert lines and lines[-1] == INTERRUPTED, (stderr, why)
    for line in lines[:-1]:
        expected = line.startswith(PROGRESS + AFTER_THE_EPISODE)
        assert expected, (f"unexpected line {line!r}", stderr, why)


def _private(output: Path) -> list[str]:
    """What is left in the private working folder."""
    partial = output / ".narrate" / "partial"
    return sorted(p.name for p in partial.iterdir()) if partial.is_dir() else []


def _judge_output(output: Path, mp3_a: Path, hash_a: str, why: str) -> bool:
    """The published files are whole; whether the new episode is in the feed."""
    assert sha256(mp3_a) == hash_a, why
    items = check_feed(output)
    assert mp3_a.name in items, why
    assert sorted(p.name for p in output.glob(".*.tmp")) == [], why
    new = output / f"{SLUG}.mp3"
    if new.exists() and new.name not in items:  # put in place just before the interrupt
        assert MP3(new).info.length > 60, ("a partial MP3 is in place", why)
    return new.name in items


def _carry_on(build: Build, sandbox: Sandbox, engine: str, env: dict[str, str], why: str) -> None:
    """Run the same command again: it completes, and clears what the interrupt left."""
    rerun = Build(sandbox, build.output, build.cache, engine, env)
    try:
        code, stdout, stderr = rerun.finish()
    finally:
        rerun.kill()
    assert judge(Run(code, stdout, stderr)) == "completed", (stderr, why)
    assert f"{SLUG}.mp3" in check_feed(build.output), why
    assert leftovers(build.output) == [] and _private(build.output) == [], why


def interrupt_build(
    sandbox: Sandbox,
    base: Path,
    moment: Moment,
    attempt: int,
    *,
    engine: str = "espeak",
    env: dict[str, str] | None = None,
) -> str:
    """One try: a fresh copy of the published output and a fresh cache, SIGINT at ``moment``."""
    output = sandbox.root / f"out-{attempt}"
    shutil.copytree(base, output, symlinks=True)
    mp3_a = output / "first-story.mp3"
    hash_a = sha256(mp3_a)
    build = Build(sandbox, output, sandbox.root / f"cache-{attempt}", engine, env or {})
    try:
        sent = build.wait_for(moment.event) and build.interrupt()
        code, stdout, stderr = build.finish()
    finally:
        build.kill()
    at = f"{build.interrupted_at:.3f} s" if build.interrupted_at is not None else "not sent"
    why = f"{engine}, SIGINT at {moment.name} ({at}; NARRATE_FAULT_SEED={SEED})"
    if sent and not (moment.may_complete and code == 0):
        _judge_interrupted(code, stdout, stderr, why)
        published = _judge_output(output, mp3_a, hash_a, why)
        outcome = "interrupted" + (" (the episode was published first)" if published else "")
        left = _private(output)
        if left:  # the next run of the command clears it
            _carry_on(build, sandbox, engine, env or {}, f"{why}; left {left}")
            kinds = sorted({name.split(".")[0] for name in left})
            outcome += f"; the rerun cleared {'/'.join(kinds)} from .narrate/partial"
    else:  # the build outran the moment, or the moment came when its work was done
        assert judge(Run(code, stdout, stderr)) == "completed", (stderr, why)
        assert _judge_output(output, mp3_a, hash_a, why), why
        outcome = "completed (SIGINT after its work was done)" if sent else "completed first"
    record(f"SIGINT to the group ({engine}) at {moment.name}", outcome, at)
    return outcome


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    box = Sandbox(tmp_path, tmp_path / "out", tmp_path / "cache", tmp_path / "articles")
    box.articles.mkdir()
    return box


@pytest.fixture
def published(sandbox: Sandbox) -> Path:
    """An output folder holding one published episode, kept aside to copy for every try."""
    publish_a(sandbox)
    base = sandbox.root / "published"
    shutil.move(sandbox.output, base)
    sandbox.article(f"{SLUG}.txt", ARTICLE)
    return base


def _summary(engine: str, outcomes: Counter[str]) -> str:
    parts = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
    return f"{engine}: SIGINT at {sum(outcomes.values())} moments: {parts}"


# -- the tests -----------------------------------------------------------------------------


def test_ctrl_c_at_any_moment_of_an_espeak_build(sandbox: Sandbox, published: Path) -> None:
    moments = espeak_moments(random.Random(SEED))
    outcomes: Counter[str] = Counter()
    for attempt, moment in enumerate(moments):
        outcomes[interrupt_build(sandbox, published, moment, attempt)] += 1
    print("\n" + _summary("espeak", outcomes))
    # Every moment before the build's end stopped it (the random ones over a whole build
    # and the last event may come after it).
    stopped = sum(n for outcome, n in outcomes.items() if outcome.startswith("interrupted"))
    assert stopped >= len(moments) - ANYWHERE_TRIES - 1, _summary("espeak", outcomes)

    # "Run the same command again to carry on": a rerun completes, reusing the speech kept.
    half = next(i for i, m in enumerate(moments) if m.name.startswith("half the chunks"))
    rerun = Build(sandbox, sandbox.root / f"out-{half}", sandbox.root / f"cache-{half}",
                  "espeak", {})  # fmt: skip
    try:
        code, _, stderr = rerun.finish()
    finally:
        rerun.kill()
    assert judge(Run(code, "", stderr)) == "completed", stderr
    spoken = re.search(r"synthesized (\d+) of (\d+) chunks \((\d+) from cache", stderr)
    assert spoken is not None and int(spoken.group(3)) >= 6, stderr


def test_ctrl_c_at_any_moment_of_a_gtts_build(sandbox: Sandbox, published: Path) -> None:
    rng = random.Random(SEED + 1)
    outcomes: Counter[str] = Counter()
    with FakeGoogle(latency=0.05) as google:
        env = {"NARRATE_GTTS_ENDPOINT": google.endpoint}
        asked = 0

        def requests_made(count: int) -> Callable[[Build], bool]:
            return lambda build: len(google.requests) - asked >= count

        moments = [
            Moment("narrate's code started (imports under way)", _importing),
            Moment("the Engine: line", _line("Engine: ")),
            Moment("the first request reached Google", requests_made(1)),
            Moment("six requests reached Google", requests_made(6)),
            Moment("the Speech: line (encoding)", _line("Speech: ")),
            Moment("the Wrote line (the build is done)", _line("Wrote "), may_complete=True),
        ] + [
            Moment(f"{delay:.3f} s after the start", _after(delay))
            for delay in sorted(rng.uniform(0.2, 1.0) for _ in range(EARLY_TRIES // 2))
        ]
        for attempt, moment in enumerate(moments):
            asked = len(google.requests)
            outcome = interrupt_build(sandbox, published, moment, attempt, engine="gtts", env=env)
            outcomes[outcome] += 1
    print("\n" + _summary("gtts", outcomes))
    stopped = sum(n for outcome, n in outcomes.items() if outcome.startswith("interrupted"))
    assert stopped >= len(moments) - 1, _summary("gtts", outcomes)

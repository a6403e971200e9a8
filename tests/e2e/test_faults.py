"""Faults during a build: nothing published is ever lost or corrupted (issue 7).

Every test drives the real ``narrate build`` in a subprocess and judges it only by what a
producer can see: the exit status, the one ``Error:`` line, the files in the output folder
and the feed read back by real parsers. Earlier episodes are hashed before and after.

- the process group SIGKILLed at random moments (a thread polls the feed all the while);
- Google failing under gtts (connection resets, a hung request, a 429 storm) through the
  local fake Google; a rerun resumes from the speech cache and asks for less;
- no space left: a small tmpfs mounted as the output folder (skipped when mounting is not
  permitted), filled up to a few bytes of free space;
- the encoder missing, failing, killed, or lying (``NARRATE_FFMPEG`` points at a wrapper);
- the speech cache unwritable, full, or damaged (entries truncated, bit-flipped, swapped).

``scripts/fault-suite`` runs this file and ``test_hostile.py`` with ``NARRATE_FAULT_SUITE=1``
(many more tries, the slow cases) and ``NARRATE_FAULT_REPORT=<file>``, where each test adds
one JSON line per try, and prints the table. ``NARRATE_FAULT_SEED`` repeats a run's kill
points; a failing assertion names the seed.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import feedparser
import podcastparser
import pytest
from mutagen.mp3 import MP3

from tests.cli import NARRATE, Run, narrate
from tests.fake_google import FlakyGoogle
from tests.media import decode

#: Set by scripts/fault-suite: more tries and the slow cases.
FULL = os.environ.get("NARRATE_FAULT_SUITE") == "1"
#: Where each try is recorded as a JSON line (scripts/fault-suite makes the table from it).
REPORT = os.environ.get("NARRATE_FAULT_REPORT")
SEED = int(os.environ.get("NARRATE_FAULT_SEED") or random.randrange(1 << 32))

BASE_URL = "https://podcasts.example.org/show/"

ARTICLE_A = "خبر أول قصير\n\nنص الخبر الأول قصير جدا.\n"
ARTICLE_B = """اجتماع المجلس البلدي

ناقش المجلس البلدي، صباح اليوم، خطة تطوير الحدائق العامة في المدينة، وقرر زيادة عدد الأشجار.

الميزانية

خصص المجلس ميزانية جديدة للحدائق، وأقرها بالإجماع بعد نقاش طويل حول مصادر التمويل.

التنفيذ

يبدأ العمل في الشهر المقبل، ويستمر حتى نهاية العام، بمشاركة شركات محلية.
"""
#: Six short sentences: six gtts requests of at most 100 characters each.
ARTICLE_G = """خبر الطقس

تشهد البلاد اليوم طقسا باردا في الشمال. وتهطل أمطار خفيفة على الساحل.

التوقعات

ترتفع درجات الحرارة قليلا غدا. وتهدأ الرياح في المساء. ويعود الجو صحوا بعد يومين.
"""


# -- recording and judging -----------------------------------------------------------------


def record(fault: str, outcome: str, detail: str = "") -> None:
    """Add one try to the fault-suite report (when scripts/fault-suite asked for one)."""
    if REPORT:
        line = json.dumps({"fault": fault, "outcome": outcome, "detail": detail})
        with open(REPORT, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def judge(run: Run) -> str:
    """``"completed"``, or ``"error: <message>"`` when the build stopped the way it must: exit
    status 1 and exactly one ``Error:`` line (warnings may come before it), no traceback."""
    if run.returncode == 0:
        assert "Traceback" not in run.stderr, run.stderr
        return "completed"
    assert run.returncode == 1, (run.returncode, run.stderr)
    assert "Traceback" not in run.stderr, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, run.stderr
    assert run.stderr.rstrip("\n").splitlines()[-1] == errors[0], run.stderr
    return "error: " + errors[0].removeprefix("Error: ")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """Every file and symlink under ``folder`` (but those under ``skip``): its hash or target."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if any(path == s or s in path.parents for s in skip):
            continue
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = sha256(path)
        elif path.is_dir():
            found[key] = "dir"
    return found


def store_files(output: Path) -> list[Path]:
    """The episode store, whichever form it has (JSON today, SQLite after issue 6)."""
    return [p for name in ("episodes.json", "narrate.sqlite") if (p := output / name).exists()]


def leftovers(output: Path) -> list[str]:
    """Temporary files a build left in the output folder or its private partials."""
    names = [p.name for p in output.glob(".*.tmp")]
    names += [p.name for p in (output / ".narrate" / "partial").glob("*.tmp")]
    return sorted(names)


@dataclass(frozen=True)
class Item:
    title: str
    guid: str
    file_name: str
    length: int


def parse_feed(data: bytes) -> list[Item]:
    """The feed's items; raises when ElementTree, feedparser or podcastparser cannot read it."""
    root = ET.fromstring(data)
    items = [
        Item(
            title=item.findtext("title") or "",
            guid=item.findtext("guid") or "",
            file_name=(item.find("enclosure").get("url") or "").rsplit("/", 1)[-1],  # type: ignore[union-attr]
            length=int(item.find("enclosure").get("length") or -1),  # type: ignore[union-attr]
        )
        for item in root.iter("item")
    ]
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.bozo_exception
    assert len(parsed.entries) == len(items)
    podcast = podcastparser.parse(BASE_URL + "feed.xml", io.BytesIO(data))
    assert len(podcast["episodes"]) == len(items)
    return items


def check_feed(output: Path, *, sizes: bool = True) -> dict[str, Item]:
    """The feed in ``output``, read by three parsers; with ``sizes`` every enclosure must be
    in ``output`` with exactly the length the feed states."""
    items = parse_feed((output / "feed.xml").read_bytes())
    by_file = {item.file_name: item for item in items}
    assert len(by_file) == len(items), "two items share an enclosure"
    if sizes:
        for item in items:
            path = output / item.file_name
            assert path.is_file(), f"the feed lists {item.file_name}, which is missing"
            assert path.stat().st_size == item.length, f"{item.file_name}: size != feed length"
    return by_file


@dataclass
class Sandbox:
    """A folder holding articles, the output folder and the speech cache of one test."""

    root: Path
    output: Path
    cache: Path
    articles: Path

    def article(self, name: str, text: str) -> Path:
        path = self.articles / name
        path.write_text(text, encoding="utf-8")
        return path

    def env(self, **extra: str) -> dict[str, str]:
        return {"NARRATE_CACHE_DIR": str(self.cache), **extra}

    def build(
        self,
        article: Path,
        *args: str | Path,
        engine: str = "espeak",
        env: dict[str, str] | None = None,
    ) -> Run:
        return narrate(
            "build", article, "--output-dir", self.output, "--engine", engine,
            "--base-url", BASE_URL, *args, env=env or self.env(), cwd=self.root,
        )  # fmt: skip


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    box = Sandbox(tmp_path, tmp_path / "out", tmp_path / "cache", tmp_path / "articles")
    box.articles.mkdir()
    return box


@functools.cache
def _published_template() -> Path:
    """An output folder holding one published episode, ``first-story``, built once per run."""
    root = Path(tempfile.mkdtemp(prefix="narrate-published-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    article = root / "first-story.txt"
    article.write_text(ARTICLE_A, encoding="utf-8")
    run = narrate(
        "build", article, "--output-dir", root / "out", "--engine", "espeak", "--base-url",
        BASE_URL, "--date", "2026-11-01", "-q", env={"NARRATE_CACHE_DIR": str(root / "cache")},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return root / "out"


def publish_a(box: Sandbox) -> tuple[Path, str]:
    """Put episode ``first-story`` (published, as a build leaves it) in ``box.output``."""
    shutil.copytree(_published_template(), box.output, symlinks=True)
    box.article("first-story.txt", ARTICLE_A)
    mp3 = box.output / "first-story.mp3"
    return mp3, sha256(mp3)


@pytest.fixture
def published_a(sandbox: Sandbox) -> tuple[Path, str]:
    """Episode ``first-story`` already published in ``sandbox.output``: its MP3 and hash."""
    return publish_a(sandbox)


# -- SIGKILL at random moments ------------------------------------------------------------


@dataclass
class FeedPoller:
    """Reads the feed (and hashes one earlier MP3) over and over from a thread during a build."""

    output: Path
    must_list: str
    mp3: Path
    mp3_hash: str
    polls: int = 0
    problems: list[str] = field(default_factory=list)
    versions: set[bytes] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> FeedPoller:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()
        for data in self.versions:  # the slower parsers, once per distinct version
            try:
                parse_feed(data)
            except Exception as exc:
                self.problems.append(f"feedparser/podcastparser: {exc!r}")

    def _run(self) -> None:
        while not self._stop.is_set():
            self.polls += 1
            try:
                data = (self.output / "feed.xml").read_bytes()
                root = ET.fromstring(data)
                urls = [e.get("url") or "" for e in root.iter("enclosure")]
                if not any(url.endswith("/" + self.must_list) for url in urls):
                    self.problems.append(f"{self.must_list} missing from the feed")
                self.versions.add(data)
                if sha256(self.mp3) != self.mp3_hash:
                    self.problems.append(f"{self.mp3.name} changed")
            except Exception as exc:
                self.problems.append(repr(exc))
            time.sleep(0.002)


def kill_after(args: list[str | Path], delay: float, env: dict[str, str], cwd: Path) -> bool:
    """Start narrate, SIGKILL its whole process group after ``delay`` s; False: it ended first."""
    proc = subprocess.Popen(
        [NARRATE, *map(str, args)],
        env={**os.environ, **env},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        with contextlib.suppress(ProcessLookupError):  # worker processes of the group, if any
            os.killpg(proc.pid, signal.SIGKILL)
        return True


def _stage(output: Path, slug: str, feed_before: bytes) -> str:
    """Where a killed build of ``slug`` stopped, as far as the output folder tells."""
    if (output / "feed.xml").read_bytes() != feed_before:
        return "after the feed was written"
    if (output / f"{slug}.mp3").exists():
        return "after the MP3, before the feed"
    if leftovers(output):
        return "while encoding"
    return "before any output"


KILL_TRIES = 25 if FULL else 1
REBUILD_KILL_TRIES = 15 if FULL else 1


def _restore(base: Path, output: Path) -> None:
    """Put the output folder back as ``base`` holds it (copies keep every byte)."""
    shutil.rmtree(output)
    shutil.copytree(base, output, symlinks=True)


def _killed_build(
    sandbox: Sandbox, article: Path, attempt: int, delay: float, mp3_a: Path, hash_a: str
) -> tuple[str, dict[str, str]]:
    """Kill a build of ``article`` after ``delay`` s while polling the feed; where it stopped."""
    cache = sandbox.root / f"cache-{attempt}"  # a fresh cache: the killed build really speaks
    env = sandbox.env(NARRATE_CACHE_DIR=str(cache))
    feed_before = (sandbox.output / "feed.xml").read_bytes()
    args: list[str | Path] = [
        "build", article, "--output-dir", sandbox.output, "--engine", "espeak",
        "--base-url", BASE_URL, "--date", "2026-11-02", "-q",
    ]  # fmt: skip
    with FeedPoller(sandbox.output, mp3_a.name, mp3_a, hash_a) as poller:
        killed = kill_after(args, delay, env, sandbox.root)
    why = f"killed after {delay:.3f} s (NARRATE_FAULT_SEED={SEED})"
    assert not poller.problems, (poller.problems[:3], why)
    assert poller.polls > 0
    slug = article.stem
    stage = _stage(sandbox.output, slug, feed_before) if killed else "finished before the kill"
    return f"{stage} ({poller.polls} feed reads)", env


def _build_time(sandbox: Sandbox, article: Path) -> float:
    """Seconds a whole build of ``article`` takes here (fresh cache, scratch output folder)."""
    started = time.monotonic()
    run = narrate(
        "build", article, "--output-dir", sandbox.root / "timing-out", "--engine", "espeak",
        "-q", env=sandbox.env(NARRATE_CACHE_DIR=str(sandbox.root / "timing-cache")),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return time.monotonic() - started


def _resumed(run: Run) -> str:
    found = re.search(r"synthesized (\d+) of (\d+) chunks \((\d+) from cache", run.stderr)
    if found is None:
        return "audio reused" if "unchanged" in run.stderr else "?"
    return f"{found.group(3)} of {found.group(2)} chunks from the cache"


def test_sigkill_at_random_moments_loses_nothing_and_the_rerun_completes(
    sandbox: Sandbox, published_a: tuple[Path, str]
) -> None:
    mp3_a, hash_a = published_a
    base = sandbox.root / "published"
    shutil.copytree(sandbox.output, base, symlinks=True)
    article = sandbox.article("council-meeting.txt", ARTICLE_B)
    rng = random.Random(SEED)
    span = _build_time(sandbox, article)
    for attempt in range(KILL_TRIES):
        _restore(base, sandbox.output)
        delay = rng.uniform(0.05, 1.05) * span
        why = f"killed after {delay:.3f} s (NARRATE_FAULT_SEED={SEED})"
        stage, env = _killed_build(sandbox, article, attempt, delay, mp3_a, hash_a)
        assert sha256(mp3_a) == hash_a, why
        assert mp3_a.name in check_feed(sandbox.output), why

        rerun = sandbox.build(article, "--date", "2026-11-02", env=env)
        assert judge(rerun) == "completed", (rerun.stderr, why)
        assert set(check_feed(sandbox.output)) == {mp3_a.name, "council-meeting.mp3"}, why
        assert sha256(mp3_a) == hash_a, why
        stray = leftovers(sandbox.output)
        record(
            "SIGKILL at a random moment of a build, then rerun",
            "no loss; feed valid throughout; rerun completed",
            f"{delay:.2f} s: {stage}; rerun: {_resumed(rerun)}"
            + (f"; temporary files left: {stray}" if stray else ""),
        )


def test_sigkill_during_a_rebuild_of_the_same_episode(sandbox: Sandbox) -> None:
    """The episode being replaced is, at every moment, its old or its new complete self."""
    article = sandbox.article("first-story.txt", ARTICLE_A)
    first = sandbox.build(article, "--date", "2026-11-01", "-q")  # the same article, rebuilt
    assert first.returncode == 0, first.stderr
    mp3_a = sandbox.output / "first-story.mp3"
    hash_a = sha256(mp3_a)
    base = sandbox.root / "published"
    shutil.copytree(sandbox.output, base, symlinks=True)
    guid = check_feed(sandbox.output)[mp3_a.name].guid
    article.write_text(ARTICLE_A + "\nوفي الختام، أضيفت فقرة جديدة إلى الخبر.\n", encoding="utf-8")
    rng = random.Random(SEED + 1)
    span = _build_time(sandbox, article)
    for attempt in range(REBUILD_KILL_TRIES):
        _restore(base, sandbox.output)
        delay = rng.uniform(0.05, 1.05) * span
        why = f"killed after {delay:.3f} s (NARRATE_FAULT_SEED={SEED})"
        cache = sandbox.root / f"cache-{attempt}"
        env = sandbox.env(NARRATE_CACHE_DIR=str(cache))
        args: list[str | Path] = [
            "build", article, "--output-dir", sandbox.output, "--engine", "espeak",
            "--base-url", BASE_URL, "-q",
        ]  # fmt: skip
        killed = kill_after(args, delay, env, sandbox.root)
        items = check_feed(sandbox.output, sizes=False)
        assert items[mp3_a.name].guid == guid, why
        now = sha256(mp3_a)
        if now != hash_a:  # replaced: it must be a whole MP3, not half of one
            assert MP3(mp3_a).info.length > 1.0, why
        consistent = items[mp3_a.name].length == mp3_a.stat().st_size
        rerun = sandbox.build(article, env=env)
        assert judge(rerun) == "completed", (rerun.stderr, why)
        items = check_feed(sandbox.output)
        assert list(items) == [mp3_a.name] and items[mp3_a.name].guid == guid, why
        state = "old MP3" if now == hash_a else "new MP3"
        if not killed:
            state = "finished before the kill"
        record(
            "SIGKILL at a random moment of a rebuild of the same episode, then rerun",
            "old or new MP3, never partial; rerun completed",
            f"{delay:.2f} s: {state}"
            + ("" if consistent else "; feed length stale until the rerun"),
        )


# -- SIGKILL after each step of a rebuild and of a remove ------------------------------------

#: ARTICLE_B edited: its second heading renamed, its third segment gone (two stale segment files).
ARTICLE_B_EDITED = """اجتماع المجلس البلدي

ناقش المجلس البلدي، صباح اليوم، خطة تطوير الحدائق العامة في المدينة، وقرر زيادة عدد الأشجار.

التمويل

خصص المجلس ميزانية جديدة للحدائق، وأقرها بالإجماع بعد نقاش طويل حول مصادر التمويل.
"""

#: The steps before the store commits: a kill there must leave the old episode at once.
BEFORE_COMMIT = ("staged", "before-commit")


def published_state(output: Path) -> dict[str, str]:
    """What the show publishes: every served file (the feed without its build time) by hash,
    and the store's listing. Private files (``.narrate/``, the store and its journal) are left
    out."""
    state: dict[str, str] = {}
    for path in sorted(output.rglob("*")):
        relative = path.relative_to(output)
        if relative.parts[0].startswith((".narrate", "narrate.sqlite")) or not path.is_file():
            continue
        data = path.read_bytes()
        if relative == Path("feed.xml"):
            data = re.sub(rb"<lastBuildDate>[^<]*</lastBuildDate>", b"", data)
        state[str(relative)] = hashlib.sha256(data).hexdigest()
    listed = narrate("list", "-o", output, "--json")
    assert listed.returncode == 0, listed.stderr
    state["(store)"] = listed.stdout
    return state


def _difference(state: dict[str, str], other: dict[str, str]) -> list[str]:
    return sorted(k for k in set(state) | set(other) if state.get(k) != other.get(k))


@dataclass
class StepRun:
    """The published state before and after one whole run, and the steps the run went through."""

    old: dict[str, str]
    new: dict[str, str]
    steps: list[str]


def _steps_of(sandbox: Sandbox, base: Path, args: list[str | Path], env: dict[str, str]) -> StepRun:
    """Run ``narrate *args`` to the end on a copy of ``base``, noting each step it reaches."""
    _restore(base, sandbox.output)
    old = published_state(sandbox.output)
    steps_file = sandbox.root / "steps.txt"
    steps_file.unlink(missing_ok=True)
    run = narrate(*args, env={**env, "NARRATE_FAULT_STEPS": str(steps_file)}, cwd=sandbox.root)
    assert run.returncode == 0, run.stderr
    assert steps_file.exists(), "no step reached: NARRATE_FAULT_STEPS is not honoured"
    steps = steps_file.read_text("utf-8").split()
    assert steps[-1] == "finished" and "committed" in steps, steps
    assert_consistent(sandbox.output)
    return StepRun(old, published_state(sandbox.output), steps)


def assert_consistent(output: Path) -> None:
    """Every file the feed, the store and the chapters link to is there with its length."""
    check_feed(output)
    for episode in json.loads(narrate("list", "-o", output, "--json").stdout):
        assert (output / episode["file_name"]).stat().st_size == episode["file_size"]
        for segment in episode["segments"]:
            assert (output / segment["path"]).stat().st_size == segment["size"], segment
        for linked in [episode["chapters_file"], *(t["path"] for t in episode["transcripts"])]:
            assert (output / linked).is_file(), linked
        chapters = json.loads((output / episode["chapters_file"]).read_text("utf-8"))
        for chapter in chapters["chapters"]:
            if "url" in chapter:
                assert (output / chapter["url"].removeprefix(BASE_URL)).is_file(), chapter
    assert leftovers(output) == []


def _kill_at_each_step(
    sandbox: Sandbox, base: Path, args: list[str | Path], env: dict[str, str], fault: str
) -> tuple[StepRun, list[str]]:
    """Kill ``narrate *args`` after each of its steps in turn; after each kill, judge what is
    published, run ``narrate check`` and judge again. The kinds of steps, for the report."""
    whole = _steps_of(sandbox, base, args, env)
    assert whole.old != whole.new
    kinds: list[str] = []
    for step in whole.steps:
        _restore(base, sandbox.output)
        run = narrate(*args, env={**env, "NARRATE_KILL_AFTER": step}, cwd=sandbox.root)
        assert run.returncode == -signal.SIGKILL, (step, run.returncode, run.stderr)
        committed = step not in BEFORE_COMMIT
        if not committed:  # nothing published has changed
            assert published_state(sandbox.output) == whole.old, step
        checked = narrate("check", "-o", sandbox.output, cwd=sandbox.root)
        assert checked.returncode == 0, (step, checked.stdout, checked.stderr)
        assert "Traceback" not in checked.stderr
        now = published_state(sandbox.output)
        expected = whole.new if committed else whole.old
        assert now == expected, (step, _difference(now, expected))
        assert_consistent(sandbox.output)
        assert not list((sandbox.output / ".narrate" / "partial").glob("*")), step
        kinds.append(step.split(":")[0])
        record(fault, "wholly old or wholly new after narrate check", f"{step}: "
               + ("new" if committed else "old"))  # fmt: skip
    return whole, kinds


@pytest.fixture
def two_episodes(sandbox: Sandbox, published_a: tuple[Path, str]) -> tuple[Path, Path]:
    """``first-story`` and ``council-meeting`` (three segments) published: a copy, and the
    article of the second."""
    article = sandbox.article("council-meeting.txt", ARTICLE_B)
    run = sandbox.build(article, "--date", "2026-11-02", "-q")
    assert run.returncode == 0, run.stderr
    base = sandbox.root / "published"
    shutil.copytree(sandbox.output, base, symlinks=True)
    return base, article


def test_sigkill_after_each_step_of_a_rebuild_leaves_it_wholly_old_or_wholly_new(
    sandbox: Sandbox, two_episodes: tuple[Path, Path]
) -> None:
    base, article = two_episodes
    article.write_text(ARTICLE_B_EDITED, encoding="utf-8")
    args: list[str | Path] = [
        "build", article, "--output-dir", sandbox.output, "--engine", "espeak",
        "--base-url", BASE_URL, "-q",
    ]  # fmt: skip
    whole, kinds = _kill_at_each_step(
        sandbox, base, args, sandbox.env(), "SIGKILL after each step of a rebuild, then check"
    )
    assert {"rename:council-meeting.mp3", "rename:feed.xml", "page-written"} <= set(whole.steps)
    assert len([s for s in whole.steps if s.startswith("delete:council-meeting/")]) == 2
    # The next build finishes what a killed one committed, before anything else.
    _restore(base, sandbox.output)
    killed = narrate(
        *args, env={**sandbox.env(), "NARRATE_KILL_AFTER": "rename:council-meeting.mp3"}
    )
    assert killed.returncode == -signal.SIGKILL
    other = sandbox.build(sandbox.article("weather.txt", ARTICLE_G), "-q")
    assert judge(other) == "completed", other.stderr
    now = published_state(sandbox.output)
    assert {
        k: v for k, v in now.items() if not k.startswith(("weather", "feed", "index", "("))
    } == {k: v for k, v in whole.new.items() if not k.startswith(("feed", "index", "("))}
    assert_consistent(sandbox.output)
    assert len(kinds) == len(whole.steps)


def test_sigkill_after_each_step_of_a_remove_leaves_it_wholly_old_or_wholly_new(
    sandbox: Sandbox, two_episodes: tuple[Path, Path]
) -> None:
    base, _ = two_episodes
    args: list[str | Path] = ["remove", "council-meeting", "-o", sandbox.output]
    whole, _ = _kill_at_each_step(
        sandbox, base, args, sandbox.env(), "SIGKILL after each step of a remove, then check"
    )
    assert "delete:council-meeting.mp3" in whole.steps and "delete:council-meeting" in whole.steps
    assert not any(k.startswith("council-meeting") for k in whole.new)
    # Killed once the store has committed: `narrate remove` again finishes it, files and page.
    _restore(base, sandbox.output)
    killed = narrate(*args, env={**sandbox.env(), "NARRATE_KILL_AFTER": "committed"})
    assert killed.returncode == -signal.SIGKILL
    again = narrate(*args)
    assert again.returncode == 1 and "no episode" in again.stderr, again.stderr
    assert published_state(sandbox.output) == whole.new
    assert_consistent(sandbox.output)


# -- Google failing under gtts ------------------------------------------------------------


@dataclass(frozen=True)
class NetworkFault:
    """A way for the fake Google to misbehave, the build's options, and how it must end."""

    script: Callable[[FlakyGoogle], None]
    options: tuple[str, ...] = ()
    ends: str = "error"  # or "completed"
    #: Run only by scripts/fault-suite (slow, or covered by test_gtts_engine's unit tests).
    full_only: bool = True


#: Requests answered before a storm starts: their chunks must be in the cache afterwards.
ANSWERED_FIRST = 2


def _after_ok(fault: Callable[[FlakyGoogle], None]) -> Callable[[FlakyGoogle], None]:
    """Answer the first :data:`ANSWERED_FIRST` requests, then misbehave as ``fault`` says."""

    def script(google: FlakyGoogle) -> None:
        google.answer_next("ok", ANSWERED_FIRST)
        fault(google)

    return script


NETWORK_FAULTS: dict[str, NetworkFault] = {
    "3 connection resets": NetworkFault(lambda g: g.reset_next(3, after=1), ends="completed"),
    "connection reset storm": NetworkFault(lambda g: g.reset_next(10_000, after=ANSWERED_FIRST)),
    "short 429 burst": NetworkFault(lambda g: g.fail_next(429, 3), ends="completed"),
    "429 storm, Retry-After 1, --deadline 3": NetworkFault(
        _after_ok(lambda g: g.fail_next(429, 10_000, retry_after="1")),
        ("--deadline", "3"),
    ),
    "429 storm, no deadline": NetworkFault(
        _after_ok(lambda g: g.fail_next(429, 10_000)),
    ),
    "hung request, --deadline 2": NetworkFault(
        _after_ok(lambda g: g.hang_next(1)),
        ("--deadline", "2"),
        full_only=False,
    ),
    "hung request past the 10 s timeout": NetworkFault(
        _after_ok(lambda g: g.hang_next(1)), ends="completed"
    ),
    "503 on every 3rd request": NetworkFault(lambda g: g.fail_every(3, 503), ends="completed"),
    "Google answers without audio": NetworkFault(_after_ok(lambda g: g.set_mode("no-audio"))),
    "Google answers garbage audio": NetworkFault(_after_ok(lambda g: g.set_mode("garbled"))),
}


def _gtts_requests_for(sandbox: Sandbox, article: Path) -> int:
    """How many requests a clean gtts build of ``article`` makes (own cache and output)."""
    with FlakyGoogle() as google:
        run = narrate(
            "build", article, "--output-dir", sandbox.root / "clean-out", "--engine", "gtts", "-q",
            env={"NARRATE_GTTS_ENDPOINT": google.endpoint,
                 "NARRATE_CACHE_DIR": str(sandbox.root / "clean-cache")},
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        return google.attempts


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.skipif(f.full_only and not FULL, reason="slow"))
        for name, f in NETWORK_FAULTS.items()
    ],
)
def test_network_faults_end_in_a_whole_episode_or_one_error_and_the_rerun_resumes(
    name: str, sandbox: Sandbox, published_a: tuple[Path, str]
) -> None:
    fault = NETWORK_FAULTS[name]
    mp3_a, hash_a = published_a
    before = snapshot(sandbox.output)
    article = sandbox.article("weather.txt", ARTICLE_G)
    clean = _gtts_requests_for(sandbox, article)

    with FlakyGoogle() as google:
        fault.script(google)
        env = sandbox.env(NARRATE_GTTS_ENDPOINT=google.endpoint)
        started = time.monotonic()
        run = sandbox.build(article, *fault.options, engine="gtts", env=env)
        took = time.monotonic() - started
        first = google.attempts
        outcome = judge(run)
        assert outcome.split(":")[0] == fault.ends, run.stderr
        assert sha256(mp3_a) == hash_a
        assert leftovers(sandbox.output) == []
        if fault.ends == "completed":
            items = check_feed(sandbox.output)
            assert set(items) == {mp3_a.name, "weather.mp3"}
            # The whole episode: as long as the clean build's.
            clean_mp3 = MP3(sandbox.root / "clean-out" / "weather.mp3").info.length
            assert abs(MP3(sandbox.output / "weather.mp3").info.length - clean_mp3) < 0.05
            record(f"gtts: {name}", "completed", f"{first} requests ({clean} clean), {took:.1f} s")
            return
        assert snapshot(sandbox.output) == before, "a failed build changed the output folder"
        check_feed(sandbox.output)

        google.heal()  # the same server (the cache is keyed by the endpoint), healthy again
        rerun = sandbox.build(article, engine="gtts", env=env)
        second = google.attempts - first
    assert judge(rerun) == "completed", rerun.stderr
    assert set(check_feed(sandbox.output)) == {mp3_a.name, "weather.mp3"}
    assert second <= clean - ANSWERED_FIRST, (second, clean)
    record(
        f"gtts: {name}",
        "one Error: line; rerun resumed from the cache",
        f"{outcome.removeprefix('error: ')[:90]} after {took:.1f} s; "
        f"rerun asked {second} of {clean} chunks",
    )


# -- no space left on the output device --------------------------------------------------


@contextlib.contextmanager
def mounted_tmpfs(where: Path, size: str, *options: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` for the block; skips the test when not allowed."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    opts = ",".join([f"size={size}", *options])
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)], capture_output=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def _fill(path: Path, size: int) -> None:
    """A file of ``size`` bytes (tmpfs allocates it whole)."""
    with path.open("wb") as out:
        if size > 0:
            os.posix_fallocate(out.fileno(), 0, size)


#: Bytes left free on the output device when the second episode is built (its MP3 is ~300 kB).
SPACE_LEFT = (
    [0, 4096, 60_000, 150_000, 250_000, 300_000, 320_000, 330_000, 340_000, 360_000, 500_000]
    if FULL
    else [150_000]
)


def test_no_space_left_is_one_error_and_published_episodes_are_untouched(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The output folder is a 4 MB tmpfs, filled to leave a few bytes to a few hundred kB."""
    with mounted_tmpfs(tmp_path / "fs", "4m") as fs:
        sandbox.output = fs / "out"
        publish_a(sandbox)
        base = tmp_path / "published"
        shutil.copytree(sandbox.output, base, symlinks=True)
        before = snapshot(base)
        article = sandbox.article("council-meeting.txt", ARTICLE_B)
        for left in SPACE_LEFT:
            _restore(base, sandbox.output)
            filler = fs / "filler"
            _fill(filler, _free_bytes(fs) - left)
            run = sandbox.build(article, "--date", "2026-11-02", "-q")
            filler.unlink()
            outcome = judge(run)
            now = snapshot(sandbox.output)
            for name, digest in before.items():  # earlier files, byte for byte
                if outcome == "completed" and not name.endswith(".mp3"):
                    continue  # the feed and the store list the new episode now
                assert now.get(name) == digest, (left, name, outcome)
            items = check_feed(sandbox.output)
            new = sorted(set(now) - set(before))
            if outcome == "completed":
                assert set(items) == {"first-story.mp3", "council-meeting.mp3"}
            else:
                assert "space" in outcome.lower(), outcome
                assert set(items) == {"first-story.mp3"}, left
                # At most the new MP3 (not in the feed) and private records may stay behind.
                assert all(n == "council-meeting.mp3" or n.startswith(".narrate") for n in new)
            assert leftovers(sandbox.output) == [], left
            record(
                "no space left on the output device (tmpfs)",
                "completed" if outcome == "completed" else "one Error: line; earlier files intact",
                f"{left} bytes free: {outcome[:80]}" + (f"; new files: {new}" if new else ""),
            )


#: Bytes left free on the output device when an episode is removed.
REMOVE_SPACE_LEFT = list(range(0, 65_536, 2048)) if FULL else [0, 16_384, 61_440]


def test_no_space_left_during_a_remove_leaves_it_wholly_old_or_wholly_new(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Removing needs a little space (the store's journal, the new feed and page): without it,
    one Error: line and the episode still wholly published; with it, wholly gone."""
    with mounted_tmpfs(tmp_path / "fs", "4m") as fs:
        sandbox.output = fs / "out"
        publish_a(sandbox)
        article = sandbox.article("council-meeting.txt", ARTICLE_B)
        assert sandbox.build(article, "--date", "2026-11-02", "-q").returncode == 0
        base = tmp_path / "published"
        shutil.copytree(sandbox.output, base, symlinks=True)
        old = published_state(sandbox.output)
        args: list[str | Path] = ["remove", "council-meeting", "-o", sandbox.output]
        assert narrate(*args).returncode == 0
        new = published_state(sandbox.output)
        for left in REMOVE_SPACE_LEFT:
            _restore(base, sandbox.output)
            filler = fs / "filler"
            _fill(filler, _free_bytes(fs) - left)
            outcome = judge(narrate(*args))
            now = published_state(sandbox.output)
            filler.unlink()
            if outcome == "completed":
                assert now == new, (left, _difference(now, new))
            else:
                assert "space" in outcome.lower(), outcome
                # A full disk is no damaged store: "restore it from a backup" would lose episodes.
                assert "damaged" not in outcome and "backup" not in outcome, outcome
                assert now == old, (left, _difference(now, old))
                again = narrate(*args)
                assert again.returncode == 0, again.stderr
            assert published_state(sandbox.output) == new, left
            assert_consistent(sandbox.output)
            record(
                "no space left during a remove (tmpfs)",
                "wholly old (one Error: line) or wholly removed",
                f"{left} bytes free: {outcome[:70]}",
            )


# -- the encoder missing, failing or lying ---------------------------------------------------


def _real_ffmpeg() -> str:
    import imageio_ffmpeg

    path: str = imageio_ffmpeg.get_ffmpeg_exe()
    return path


#: Wrapper scripts standing in for ffmpeg (``{real}`` is the real one).
ENCODERS: dict[str, str | None] = {
    "missing": None,
    "exits 1": "#!/bin/sh\necho 'simulated encoder failure' >&2\nexit 1\n",
    "killed mid-stream": "#!/bin/sh\nhead -c 20000 >/dev/null\nkill -9 $$\n",
    "not executable": "",
}

QUICK_ENCODERS = ("missing", "exits 1")

TRUNCATING = """#!/bin/sh
"{real}" "$@"; code=$?
for arg; do last=$arg; done
if [ -f "$last" ]; then
  size=$(wc -c <"$last"); truncate -s $((size / 2)) "$last"
fi
exit $code
"""


def _encoder(tmp_path: Path, name: str, script: str | None) -> str:
    path = tmp_path / f"ffmpeg-{name.replace(' ', '-')}"
    if script is None:
        return str(path)  # never created
    path.write_text(script.format(real=_real_ffmpeg()), encoding="utf-8")
    path.chmod(0o755 if script else 0o644)
    return str(path)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            n, marks=pytest.mark.skipif(n not in QUICK_ENCODERS and not FULL, reason="slow")
        )
        for n in ENCODERS
    ],
)
def test_a_missing_or_failing_encoder_is_one_error_and_nothing_is_published(
    name: str, sandbox: Sandbox, published_a: tuple[Path, str], tmp_path: Path
) -> None:
    before = snapshot(sandbox.output)
    encoder = _encoder(tmp_path, name, ENCODERS[name])
    article = sandbox.article("council-meeting.txt", ARTICLE_B)
    run = sandbox.build(article, "-q", env=sandbox.env(NARRATE_FFMPEG=encoder))
    outcome = judge(run)
    assert outcome.startswith("error: ") and "ffmpeg" in outcome, outcome
    assert snapshot(sandbox.output) == before
    assert leftovers(sandbox.output) == []
    check_feed(sandbox.output)
    record(f"encoder {name}", "one Error: line; output untouched", outcome[7:90])


def test_an_encoder_that_truncates_its_output_is_caught(
    sandbox: Sandbox, published_a: tuple[Path, str], tmp_path: Path
) -> None:
    before = snapshot(sandbox.output)
    encoder = _encoder(tmp_path, "truncates", TRUNCATING)
    article = sandbox.article("council-meeting.txt", ARTICLE_B)
    run = sandbox.build(article, "-q", env=sandbox.env(NARRATE_FFMPEG=encoder))
    outcome = judge(run)
    record("encoder exits 0 but truncates the MP3", "BUG: published" if outcome == "completed"
           else "one Error: line", outcome[:90])  # fmt: skip
    assert outcome.startswith("error: "), "a half-length MP3 was published"
    assert snapshot(sandbox.output) == before


# -- the speech cache unwritable, full or damaged -------------------------------------------


def _clean_build(sandbox: Sandbox, article: Path) -> tuple[float, list[int]]:
    """Build ``article`` with ``sandbox.cache`` into a scratch folder: its length and samples."""
    out = sandbox.root / "clean-out"
    run = narrate(
        "build", article, "--output-dir", out, "--engine", "espeak", "--date", "2026-11-02",
        "-q", env=sandbox.env(), cwd=sandbox.root,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    mp3 = out / f"{article.stem}.mp3"
    return MP3(mp3).info.length, list(decode(mp3))


def _damage(entries: list[Path]) -> dict[str, int]:
    """Damage every cache entry one of four ways; how many of each."""
    ways = {"truncated to half": 0, "cut to 20 bytes": 0, "one byte flipped": 0, "swapped": 0}
    names = list(ways)
    for index, entry in enumerate(sorted(entries)):
        way = names[index % len(names)]
        data = entry.read_bytes()
        if way == "truncated to half":
            entry.write_bytes(data[: len(data) // 2])
        elif way == "cut to 20 bytes":
            entry.write_bytes(data[:20])
        elif way == "one byte flipped":
            middle = len(data) // 2
            entry.write_bytes(data[:middle] + bytes([data[middle] ^ 0x10]) + data[middle + 1 :])
        else:  # another entry's whole, valid file under this one's name
            other = sorted(entries)[(index + 1) % len(entries)]
            entry.write_bytes(other.read_bytes() if other != entry else data[:-2])
        ways[way] += 1
    return ways


def test_damaged_cache_entries_are_respoken_never_stitched_in(sandbox: Sandbox) -> None:
    article = sandbox.article("council-meeting.txt", ARTICLE_B)
    length, samples = _clean_build(sandbox, article)
    speech = list(sandbox.cache.rglob("*.wav"))
    texts = list(sandbox.cache.rglob("*.txt"))  # the diacritizer's output, kept per paragraph
    assert speech and texts
    ways = _damage(speech)
    for text in texts:  # a damaged prepared text must be prepared again, too
        text.write_bytes(text.read_bytes()[:-3])

    run = sandbox.build(article, "--date", "2026-11-02")
    assert judge(run) == "completed", run.stderr
    assert "damaged" in run.stderr
    assert "(0 from cache" in run.stderr, run.stderr
    mp3 = sandbox.output / "council-meeting.mp3"
    assert MP3(mp3).info.length == length
    assert list(decode(mp3)) == samples, "the audio differs from the clean build's"
    record(
        "speech cache entries damaged",
        "detected, spoken again; audio identical to a clean build",
        f"{len(speech)} speech entries: "
        + ", ".join(f"{n} {w}" for w, n in ways.items())
        + f"; {len(texts)} prepared texts truncated",
    )


def test_a_misplaced_prepared_text_entry_is_not_spoken(sandbox: Sandbox) -> None:
    article = sandbox.article("council-meeting.txt", ARTICLE_B)
    length, samples = _clean_build(sandbox, article)
    for entry in sandbox.cache.rglob("*.wav"):
        entry.unlink()  # only the prepared texts are left to go wrong
    texts = sorted(sandbox.cache.rglob("*.txt"), key=lambda p: p.stat().st_size)
    shortest, longest = texts[0], texts[-1]
    shortest.write_bytes(longest.read_bytes())  # a valid entry, but another text's

    run = sandbox.build(article, "--date", "2026-11-02")
    assert judge(run) == "completed", run.stderr
    mp3 = sandbox.output / "council-meeting.mp3"
    same = MP3(mp3).info.length == length
    record("prepared-text cache entry swapped for another's", "detected" if same
           else "BUG: the other paragraph is spoken", f"{MP3(mp3).info.length:.2f} s, clean "
           f"{length:.2f} s")  # fmt: skip
    assert same and list(decode(mp3)) == samples


CACHE_PLACES = ["parent is a file", "read-only file system", "full file system"]


@pytest.mark.parametrize(
    "place",
    [
        pytest.param(p, marks=pytest.mark.skipif(p == CACHE_PLACES[-1] and not FULL, reason="slow"))
        for p in CACHE_PLACES
    ],
)
def test_an_unusable_cache_is_a_warning_and_the_build_completes(
    place: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    article = sandbox.article("council-meeting.txt", ARTICLE_B)
    with contextlib.ExitStack() as stack:
        if place == "parent is a file":
            (tmp_path / "blocker").write_text("not a folder")
            cache = tmp_path / "blocker" / "cache"
        elif place == "read-only file system":
            cache = stack.enter_context(mounted_tmpfs(tmp_path / "ro", "1m", "ro"))
        else:
            cache = stack.enter_context(mounted_tmpfs(tmp_path / "full", "48k"))
        run = sandbox.build(article, env=sandbox.env(NARRATE_CACHE_DIR=str(cache)))
        outcome = judge(run)
        assert outcome == "completed", run.stderr
        assert "Warning: " in run.stderr and "cache" in run.stderr
        stored = [p for p in cache.rglob("*.wav")] if cache.is_dir() else []
        if stored:  # whatever did fit is whole: a build from it speaks nothing again
            again = sandbox.build(
                article, "--output-dir", tmp_path / "again",
                env=sandbox.env(NARRATE_CACHE_DIR=str(cache)),
            )  # fmt: skip
            assert judge(again) == "completed" and "damaged" not in again.stderr
    assert "council-meeting.mp3" in check_feed(sandbox.output)
    lines = run.stderr.splitlines()
    warning = next(line for line in lines if line.startswith("Warning: ") and "cache" in line)
    record(f"speech cache: {place}", "warning; build completed", warning.split(": ", 1)[-1][:90])


# -- SIGTERM: what `timeout 60 narrate build ...` in a newsroom script sends ------------------

LONG_ARTICLE = "خبر طويل\n\n" + "\n\n".join(
    f"الفقرة رقم {n}: ناقش المجلس البلدي خطة تطوير الحدائق العامة في المدينة، وقرر زيادة "
    f"عدد الأشجار في الشوارع الرئيسية، وخصص لها ميزانية جديدة أقرها بالإجماع."
    for n in range(1, 41)
)


def test_sigterm_stops_every_process_of_the_build(sandbox: Sandbox) -> None:
    """SIGTERM mid-synthesis ends every process of the build (the output closes when the last
    one ends) before the work is done: waited on as events, not timed against a margin."""
    article = sandbox.article("long-story.txt", LONG_ARTICLE)
    proc = subprocess.Popen(
        [NARRATE, "build", str(article), "--output-dir", str(sandbox.output), "--engine",
         "espeak", "-q", "--jobs", "2"],
        env={**os.environ, **sandbox.env()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120  # a hang guard only
        while not list(sandbox.cache.rglob("*.wav")):  # speaking has begun
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        proc.terminate()
        started = time.monotonic()
        try:
            proc.communicate(timeout=120)  # the output closes when every process has ended
        except subprocess.TimeoutExpired:
            pytest.fail("BUG: worker processes still running (and holding the output)")
        took = time.monotonic() - started
        spoken = len(list(sandbox.cache.rglob("*.wav")))
        outcome = f"all processes gone after {took:.1f} s, {spoken} of 42 chunks spoken"
        record("SIGTERM during synthesis", outcome.split(" after")[0], outcome)
        assert proc.returncode == 143
        # Stopped, not run to the end: the episode was never made, most chunks never spoken.
        assert not (sandbox.output / "long-story.mp3").exists()
        assert spoken < 42, outcome  # the article has 42 distinct chunks
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

"""The speaking stage: cache hits, resume, incremental rebuilds, and parallel synthesis."""

from __future__ import annotations

import math
import multiprocessing
import os
import pickle
import re
import signal
import subprocess
import threading
import time
import tracemalloc
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from pydub import AudioSegment
from pydub.generators import Sine

from narrate.audio import speak as speaking
from narrate.audio.speak import SpeakStats, _batches, _plan, speak, warm_up
from narrate.cache import Cache, cache_info, chunk_key
from narrate.engines import Engine, EngineBase, Parallel
from narrate.engines.espeak import DEFAULT_RATE_WPM, EspeakEngine
from narrate.engines.gtts import DEFAULT_CONCURRENCY
from narrate.errors import EngineError
from narrate.models import TextNeeds
from narrate.progress import Reporter, SilentReporter
from tests.fake_google import FakeGoogle
from tests.paths import REPO

T = TypeVar("T")
NARRATE = REPO / ".venv" / "bin" / "narrate"

PARAGRAPHS = [
    "في يوم الجمعة كان التواصل مستمرا مع محافظة حمص.",
    "لم تعد دمشق وعاصمة النظام محصنة كما كانت.",
    "بدأت السيطرة التدريجية على رأس السلطة تتراجع في الأيام الأخيرة.",
    "حين خرج المواطنون في ربيع ذلك العام مطالبين بحقوقهم.",
    "وسرعان ما تحولت الاحتجاجات إلى مواجهات واسعة.",
    "واقتربت الأحداث من قلب العاصمة.",
    "وتبدلت مواقف الحلفاء في الخارج.",
    "ما كشف عن خلل عميق في النظام لا يمكن تجاهله.",
    "وفي الليلة الأخيرة غادرت الطائرة المطار العسكري.",
    "ولم يعلم أحد من المقربين بموعد الرحيل.",
]


class ToneEngine(EngineBase):
    """A real engine that needs nothing: each text becomes its own tone.

    The pitch comes from the text and the length from its number of characters, so equal
    texts give equal audio, sample for sample, in any process. ``calls`` records what was
    synthesized in this process; ``fail_on`` and ``interrupt_on`` make one text fail;
    ``signal_on`` has the process ``signal_to`` = (pid, signal) sent a signal while that text
    is spoken, which then takes ``stall`` seconds more.
    """

    name = "tone"
    sample_rate = 16000
    text_needs = TextNeeds(max_chars=500, diacritics=False)

    def __init__(
        self,
        *,
        parallel: Parallel = "processes",
        concurrency: int | None = None,
        voice: str = "sine",
        fail_on: str | None = None,
        interrupt_on: str | None = None,
        delay: float = 0.0,
        signal_on: str | None = None,
        signal_to: tuple[int, int] = (0, 0),
        stall: float = 0.0,
    ) -> None:
        self.parallel = parallel
        self._concurrency = concurrency
        self.signal_on = signal_on
        self.signal_to = signal_to
        self.stall = stall
        self.voice = voice
        self.fail_on = fail_on
        self.interrupt_on = interrupt_on
        self.delay = delay
        self.calls: list[str] = []

    @property
    def concurrency(self) -> int:
        return super().concurrency if self._concurrency is None else self._concurrency

    def describe(self) -> str:
        return f"tone ({self.voice})"

    def identity(self) -> dict[str, str]:
        return {"engine": self.name, "voice": self.voice, "version": "1"}

    def synthesize(self, text: str) -> AudioSegment:
        self.calls.append(text)
        if self.delay:
            time.sleep(self.delay)
        if text == self.fail_on:
            raise EngineError(f"the tone engine cannot say {text!r}")
        if text == self.interrupt_on:
            raise KeyboardInterrupt
        if text == self.signal_on:
            os.kill(*self.signal_to)
            time.sleep(self.stall)
        frames = 40 * len(text)
        pitch = 200 + sum(map(ord, text)) % 600
        samples = array(
            "h",
            (
                int(8000 * math.sin(2 * math.pi * pitch * n / self.sample_rate))
                for n in range(frames)
            ),
        )
        return AudioSegment(
            data=samples.tobytes(), sample_width=2, frame_rate=self.sample_rate, channels=1
        )


class CountingReporter(Reporter):
    """Records every progress bar: its length and how many steps were taken."""

    def __init__(self) -> None:
        super().__init__(quiet=True)
        self.bars: list[tuple[str, int, int]] = []

    @contextmanager
    def progress(self, items: Iterable[T], length: int, label: str) -> Iterator[Iterable[T]]:
        steps = 0

        def counted() -> Iterator[T]:
            nonlocal steps
            for item in items:
                steps += 1
                yield item

        try:
            yield counted()
        finally:
            self.bars.append((label, length, steps))


def as_engine(engine: ToneEngine) -> Engine:
    """Type-checks that the test engine satisfies the Engine protocol."""
    return engine


def spoken(
    chunks: list[str],
    engine: Engine,
    cache: Cache | None,
    reporter: Reporter,
    jobs: int | None = None,
) -> tuple[list[AudioSegment], SpeakStats]:
    """Every chunk's audio as the sink is handed it, and the stats."""
    audio: list[AudioSegment] = []
    stats = speak(chunks, engine, cache, reporter, jobs, sink=audio.append)
    return audio, stats


def entries(root: Path) -> int:
    return cache_info(root).entries


def raw(segments: list[AudioSegment]) -> list[bytes]:
    return [bytes(s.raw_data) for s in segments]


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "speech")


# -- cache hits, incremental rebuilds -----------------------------------------------------------


def test_first_build_synthesizes_everything_and_stores_it(cache: Cache) -> None:
    engine = ToneEngine()
    reporter = CountingReporter()

    audio, stats = spoken(PARAGRAPHS, as_engine(engine), cache, reporter, jobs=1)

    assert engine.calls == PARAGRAPHS
    assert stats == SpeakStats(chunks=10, synthesized=10, cached=0, mode="serial", workers=1)
    assert [len(a.raw_data) for a in audio] == [2 * 40 * len(p) for p in PARAGRAPHS]
    assert all(a.frame_rate == 16000 and a.channels == 1 for a in audio)
    assert entries(cache.root) == 10
    assert reporter.bars == [("Speaking", 10, 10)]


def test_an_unchanged_rebuild_synthesizes_nothing(cache: Cache) -> None:
    first, _ = spoken(PARAGRAPHS, ToneEngine(), cache, SilentReporter(), jobs=1)
    engine = ToneEngine()
    reporter = CountingReporter()

    again, stats = spoken(PARAGRAPHS, engine, cache, reporter, jobs=1)

    assert engine.calls == []
    assert stats.synthesized == 0 and stats.cached == 10
    assert stats.summary() == "synthesized 0 of 10 chunks (10 from cache)"
    assert raw(again) == raw(first)
    assert reporter.bars == [("Speaking", 10, 10)]  # cached chunks are steps too


def test_editing_one_paragraph_synthesizes_only_its_chunk(cache: Cache) -> None:
    spoken(PARAGRAPHS, ToneEngine(), cache, SilentReporter(), jobs=1)
    edited = list(PARAGRAPHS)
    edited[4] = "وسرعان ما تحولت الاحتجاجات السلمية إلى مواجهات واسعة."
    engine = ToneEngine()

    audio, stats = spoken(edited, engine, cache, SilentReporter(), jobs=1)

    assert engine.calls == [edited[4]]
    assert stats.summary() == "synthesized 1 of 10 chunks (9 from cache)"
    assert raw(audio) == raw(spoken(edited, ToneEngine(), None, SilentReporter(), jobs=1)[0])


def test_another_voice_misses_the_cache(cache: Cache) -> None:
    spoken(PARAGRAPHS[:3], ToneEngine(), cache, SilentReporter(), jobs=1)
    engine = ToneEngine(voice="square")

    spoken(PARAGRAPHS[:3], engine, cache, SilentReporter(), jobs=1)

    assert engine.calls == PARAGRAPHS[:3]
    assert entries(cache.root) == 6


def test_identical_chunks_are_synthesized_once(cache: Cache) -> None:
    chunks = [PARAGRAPHS[0], PARAGRAPHS[1], PARAGRAPHS[0], PARAGRAPHS[0], PARAGRAPHS[2]]
    engine = ToneEngine()
    reporter = CountingReporter()

    audio, stats = spoken(chunks, engine, cache, reporter, jobs=1)

    assert engine.calls == PARAGRAPHS[:3]
    assert stats.summary() == "synthesized 3 of 5 chunks (0 from cache, 2 repeated)"
    assert raw(audio)[0] == raw(audio)[2] == raw(audio)[3] != raw(audio)[1]
    assert reporter.bars == [("Speaking", 5, 5)]


def test_without_a_cache_everything_is_synthesized_every_time() -> None:
    engine = ToneEngine()
    spoken(PARAGRAPHS[:2], engine, None, SilentReporter(), jobs=1)
    spoken(PARAGRAPHS[:2], engine, None, SilentReporter(), jobs=1)

    assert engine.calls == PARAGRAPHS[:2] * 2


def test_no_chunks_is_no_audio(cache: Cache) -> None:
    handed: list[AudioSegment] = []
    stats = speak([], ToneEngine(), cache, SilentReporter(), sink=handed.append)
    assert (handed, stats) == ([], SpeakStats(chunks=0, synthesized=0, cached=0))


def test_jobs_must_be_positive(cache: Cache) -> None:
    with pytest.raises(ValueError, match="jobs must be at least 1, not 0"):
        spoken(PARAGRAPHS, ToneEngine(), cache, SilentReporter(), jobs=0)


def test_a_damaged_entry_is_spoken_again(cache: Cache) -> None:
    first, _ = spoken(PARAGRAPHS[:3], ToneEngine(), cache, SilentReporter(), jobs=1)
    damaged = cache.path_for(chunk_key(ToneEngine().identity(), 16000, PARAGRAPHS[1]))
    os.truncate(damaged, damaged.stat().st_size - 100)
    engine = ToneEngine()

    again, _ = spoken(PARAGRAPHS[:3], engine, cache, SilentReporter(), jobs=1)

    assert engine.calls == [PARAGRAPHS[1]]
    assert raw(again) == raw(first)
    assert entries(cache.root) == 3


def test_a_cache_that_stops_taking_writes_warns_once_and_the_audio_is_whole(
    cache: Cache, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def disk_full(self: Cache, key: str, pcm: bytes, sample_rate: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Cache, "store", disk_full)
    engine = ToneEngine()

    audio, stats = spoken(PARAGRAPHS, engine, cache, SilentReporter(), jobs=1)

    assert stats.synthesized == 10 and len(audio) == 10
    assert raw(audio) == raw(spoken(PARAGRAPHS, ToneEngine(), None, SilentReporter(), jobs=1)[0])
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert warnings[0].getMessage() == (
        f"cannot write to the speech cache {cache.root} (No space left on device): "
        "new speech will not be cached"
    )


def test_a_read_only_cache_is_used_for_hits_only(cache: Cache) -> None:
    spoken(PARAGRAPHS[:2], ToneEngine(), cache, SilentReporter(), jobs=1)
    read_only = Cache(cache.root, writable=False)
    engine = ToneEngine()

    spoken(PARAGRAPHS[:4], engine, read_only, SilentReporter(), jobs=1)

    assert engine.calls == PARAGRAPHS[2:4]
    assert entries(cache.root) == 2


# -- failures and resume ---------------------------------------------------------------------


def test_a_failure_keeps_what_was_done_and_the_rerun_does_only_the_rest(cache: Cache) -> None:
    failing = ToneEngine(fail_on=PARAGRAPHS[6])

    with pytest.raises(EngineError, match="the tone engine cannot say"):
        spoken(PARAGRAPHS, failing, cache, SilentReporter(), jobs=1)
    assert entries(cache.root) == 6

    engine = ToneEngine()
    audio, stats = spoken(PARAGRAPHS, engine, cache, SilentReporter(), jobs=1)
    assert engine.calls == PARAGRAPHS[6:]
    assert stats.summary() == "synthesized 4 of 10 chunks (6 from cache)"
    assert raw(audio) == raw(spoken(PARAGRAPHS, ToneEngine(), None, SilentReporter(), jobs=1)[0])


def test_ctrl_c_keeps_what_was_done(cache: Cache) -> None:
    with pytest.raises(KeyboardInterrupt):
        spoken(PARAGRAPHS, ToneEngine(interrupt_on=PARAGRAPHS[3]), cache, SilentReporter(), jobs=1)

    engine = ToneEngine()
    spoken(PARAGRAPHS, engine, cache, SilentReporter(), jobs=1)
    assert engine.calls == PARAGRAPHS[3:]


# -- threads (online engines) -----------------------------------------------------------------


class OverlapToneEngine(ToneEngine):
    """Measures how many syntheses run at once; :meth:`meet` makes the first ones wait for
    each other."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(parallel="threads", delay=0.05, **kwargs)  # type: ignore[arg-type]
        self._lock = threading.Lock()
        self._running = 0
        self._calls = 0
        self._together = 0
        self._meeting: threading.Barrier | None = None
        self.most_at_once = 0

    def meet(self, together: int) -> None:
        """Have the first ``together`` calls wait for each other (a barrier) before they go
        on: they only get through if that many are running at once. A hang guard breaks the
        barrier, and the synthesis fails, if they are not all there within 30 s."""
        self._together = together
        self._meeting = threading.Barrier(together)

    def synthesize(self, text: str) -> AudioSegment:
        with self._lock:
            self._running += 1
            self._calls += 1
            meets = self._calls <= self._together
            self.most_at_once = max(self.most_at_once, self._running)
        try:
            if meets and self._meeting is not None:
                self._meeting.wait(timeout=30)  # a hang guard; raises BrokenBarrierError
            return super().synthesize(text)
        finally:
            with self._lock:
                self._running -= 1


def test_an_online_engine_runs_its_own_concurrency_in_threads(cache: Cache) -> None:
    # The first four syntheses wait for each other: run one or three at a time, they would
    # never all arrive, and the barrier's hang guard would fail the build.
    engine = OverlapToneEngine(concurrency=4)
    engine.meet(4)
    reporter = CountingReporter()

    audio, stats = spoken(PARAGRAPHS, engine, cache, reporter)

    assert (stats.mode, stats.workers) == ("threads", 4)
    assert engine.most_at_once == 4  # and never more
    assert sorted(engine.calls) == sorted(PARAGRAPHS)
    assert raw(audio) == raw(spoken(PARAGRAPHS, ToneEngine(), None, SilentReporter(), jobs=1)[0])
    assert entries(cache.root) == 10
    assert reporter.bars == [("Speaking", 10, 10)]


def test_jobs_caps_the_threads(cache: Cache) -> None:
    engine = OverlapToneEngine(concurrency=4)

    _, stats = spoken(PARAGRAPHS, engine, cache, SilentReporter(), jobs=2)

    assert (stats.mode, stats.workers) == ("threads", 2)
    assert engine.most_at_once == 2


def test_a_failing_thread_cancels_the_rest_and_keeps_what_finished(cache: Cache) -> None:
    engine = OverlapToneEngine(concurrency=2, fail_on=PARAGRAPHS[2])

    with pytest.raises(EngineError, match="cannot say"):
        spoken(PARAGRAPHS, engine, cache, SilentReporter())

    # Two at a time: the failure is met long before the last chunks are started.
    assert len(engine.calls) < len(PARAGRAPHS)
    stored = entries(cache.root)
    assert stored == len(engine.calls) - 1
    rerun = ToneEngine()
    spoken(PARAGRAPHS, rerun, cache, SilentReporter(), jobs=1)
    assert len(rerun.calls) == len(PARAGRAPHS) - stored


# -- processes (offline engines) ---------------------------------------------------------------


def test_the_plan_follows_the_engine_and_the_number_of_misses() -> None:
    offline, online = ToneEngine(), ToneEngine(parallel="threads", concurrency=6)

    assert _plan(offline, 40, None)[0] == "processes"
    assert _plan(offline, 40, 3) == ("processes", 3)
    assert _plan(offline, 5, 3) == ("serial", 1)  # too few to pay for workers
    assert _plan(offline, 40, 1) == ("serial", 1)
    assert _plan(online, 40, None) == ("threads", 6)
    assert _plan(online, 3, None) == ("threads", 3)
    assert _plan(online, 40, 1) == ("serial", 1)
    assert _plan(ToneEngine(parallel="threads"), 40, None) == ("serial", 1)


def test_an_engine_that_cannot_be_pickled_is_spoken_in_one_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = ToneEngine()
    engine.fail_on = lambda: None  # type: ignore[assignment]

    assert _plan(engine, 40, 2) == ("serial", 1)
    assert "tone cannot be sent to worker processes" in caplog.text


def test_batches_cover_every_miss_once_in_speaking_order() -> None:
    misses = [(f"k{n}", "x" * (n % 17 + 1)) for n in range(100)]

    batches = _batches(misses, 4)

    flat = [job for batch in batches for job in batch]
    assert sorted(flat) == sorted(misses)
    assert flat == misses  # speaking order: the encoder needs the first chunks first
    assert max(len(b) for b in batches) == 6  # 100 // (4 workers * 4 batches each)
    assert len(_batches(misses[:3], 8)) == 3


def chunks_for_processes() -> list[str]:
    return [f"{p} الجزء {n}" for n in range(2) for p in PARAGRAPHS]


def test_worker_processes_give_the_same_audio_as_one_process(cache: Cache) -> None:
    chunks = chunks_for_processes()
    serial, _ = spoken(chunks, ToneEngine(), None, SilentReporter(), jobs=1)
    engine = ToneEngine()
    reporter = CountingReporter()

    parallel, stats = spoken(chunks, engine, cache, reporter, jobs=2)

    assert (stats.mode, stats.workers) == ("processes", 2)
    assert engine.calls == []  # all of it happened in the workers
    assert raw(parallel) == raw(serial)
    assert entries(cache.root) == 20  # the workers stored what they made
    assert reporter.bars == [("Speaking", 20, 20)]
    assert multiprocessing.active_children() == []


def test_workers_warmed_up_early_do_the_same_work(cache: Cache) -> None:
    chunks = chunks_for_processes()
    warm_up(ToneEngine(parallel="threads"))  # nothing to do for an online engine
    warm_up(ToneEngine(), jobs=2)

    audio, stats = spoken(chunks, ToneEngine(), cache, SilentReporter(), jobs=2)

    assert stats.mode == "processes"
    assert raw(audio) == raw(spoken(chunks, ToneEngine(), None, SilentReporter(), jobs=1)[0])


def test_a_failing_worker_raises_the_engine_error_and_keeps_what_finished(cache: Cache) -> None:
    chunks = chunks_for_processes()
    # The shortest text goes last, so many chunks are done before it fails.
    shortest = min(chunks, key=len)

    with pytest.raises(EngineError, match="the tone engine cannot say"):
        spoken(chunks, ToneEngine(fail_on=shortest), cache, SilentReporter(), jobs=2)

    stored = entries(cache.root)
    assert 0 < stored < 20
    rerun = ToneEngine()
    spoken(chunks, rerun, cache, SilentReporter(), jobs=1)
    assert len(rerun.calls) == 20 - stored
    assert shortest in rerun.calls


def test_ctrl_c_stops_the_workers_promptly_and_keeps_what_finished(cache: Cache) -> None:
    chunks = chunks_for_processes()
    # Ctrl-C comes while the third chunk is spoken (by a worker: in the second batch of two).
    engine = ToneEngine(delay=0.05, signal_on=chunks[2], signal_to=(os.getpid(), signal.SIGINT))

    with pytest.raises(KeyboardInterrupt):
        spoken(chunks, engine, cache, SilentReporter(), jobs=2)

    assert multiprocessing.active_children() == []
    stored = entries(cache.root)
    # The batch under way was finished and stored (workers ignore Ctrl-C); the batches not yet
    # handed to a worker were dropped: at most the window the parent keeps in flight is done.
    assert chunks[2] in cached_texts(cache, chunks)
    # (One more batch if the main thread took batch two's result before the signal's handler.)
    assert 0 < stored <= 2 * (2 + 2 * speaking.WINDOW_PER_WORKER) < 20
    rerun = ToneEngine()
    spoken(chunks, rerun, cache, SilentReporter(), jobs=1)
    assert len(rerun.calls) == 20 - stored


def test_sigterm_ends_the_workers_at_once_and_keeps_what_they_stored(cache: Cache) -> None:
    """As the narrate command does, SIGTERM raises SystemExit; a worker in the middle of a
    chunk (here one that would take a minute) is ended rather than waited for."""

    def terminated(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminated)
    chunks = chunks_for_processes()
    engine = ToneEngine(signal_on=chunks[2], signal_to=(os.getpid(), signal.SIGTERM), stall=60)
    started = time.monotonic()
    try:
        with pytest.raises(SystemExit):
            spoken(chunks, engine, cache, SilentReporter(), jobs=2)
    finally:
        signal.signal(signal.SIGTERM, previous)

    assert time.monotonic() - started < 30  # a hang guard: waiting for the stalled chunk is 60 s
    assert multiprocessing.active_children() == []
    assert chunks[2] not in cached_texts(cache, chunks)  # ended in the middle of it
    stored = entries(cache.root)
    rerun = ToneEngine()
    spoken(chunks, rerun, cache, SilentReporter(), jobs=1)
    assert len(rerun.calls) == 20 - stored


def cached_texts(cache: Cache, chunks: list[str]) -> set[str]:
    """The chunks a :class:`ToneEngine` has stored in ``cache``."""
    identity = ToneEngine().identity()
    return {text for text in chunks if cache.path_for(chunk_key(identity, 16000, text)).exists()}


# -- the real offline engine --------------------------------------------------------------------


@pytest.fixture(scope="module")
def espeak() -> EspeakEngine:
    return EspeakEngine()


def test_espeak_pickles_as_its_settings_and_keys_by_them(espeak: EspeakEngine) -> None:
    copy = pickle.loads(pickle.dumps(espeak))

    assert isinstance(copy, EspeakEngine) and copy.identity() == espeak.identity()
    assert espeak.parallel == "processes"
    identity = espeak.identity()
    assert identity["engine"] == "espeak" and identity["voice"] == "ar"
    assert re.fullmatch(r"espeak-ng \d+\.\d+.*", identity["library"])
    assert re.fullmatch(r"espeakng-loader \d+\.\d+.*", identity["data"])
    assert identity["rate_wpm"] == str(DEFAULT_RATE_WPM) == "250"
    assert (identity["pitch"], identity["range"]) == ("40", "20")  # narrate's, not espeak-ng's
    assert EspeakEngine(rate_wpm=150).identity()["rate_wpm"] == "150"
    assert EspeakEngine(rate_wpm=250).identity() == identity  # the default, said explicitly


def test_espeak_in_worker_processes_sounds_like_espeak_in_one(
    espeak: EspeakEngine, cache: Cache
) -> None:
    chunks = chunks_for_processes()[:10]
    serial, _ = spoken(chunks, espeak, None, SilentReporter(), jobs=1)

    parallel, stats = spoken(chunks, espeak, cache, SilentReporter(), jobs=2)

    assert (stats.mode, stats.synthesized) == ("processes", 10)
    # espeak-ng's output drifts by a few samples from call to call (see espeak.py).
    for one, other in zip(serial, parallel, strict=True):
        assert other.frame_rate == espeak.sample_rate
        assert abs(len(one.raw_data) - len(other.raw_data)) <= 0.01 * len(one.raw_data)
        assert other.rms > 500
    assert entries(cache.root) == 10


# -- whole builds, through the narrate command ------------------------------------------------


def narrate(
    *args: str | Path,
    cache_dir: Path,
    timeout: float = 300,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NARRATE), *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "NARRATE_CACHE_DIR": str(cache_dir), **(env or {})},
        timeout=timeout,
    )


def speech_line(stderr: str) -> tuple[int, int, int]:
    """(synthesized, chunks, from cache) from the build's "Speech: ..." line."""
    found = re.search(
        r"^Speech: synthesized (\d+) of (\d+) chunks \((\d+) from cache", stderr, re.M
    )
    assert found, stderr
    done, total, cached = map(int, found.groups())
    return done, total, cached


ARTICLE = """\
اجتماع المجلس البلدي

ناقش المجلس البلدي صباح اليوم خطة تطوير الحدائق العامة في المدينة.

الميزانية

خصص المجلس ميزانية جديدة للحدائق وأقرها بالإجماع.

التنفيذ

يبدأ العمل في الحدائق الشمالية مطلع الشهر المقبل.
"""


def test_rebuilding_an_unchanged_article_synthesizes_nothing_and_an_edit_only_its_chunk(
    tmp_path: Path,
) -> None:
    article = tmp_path / "council.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    common = ("--engine", "espeak", "--output-dir", tmp_path / "out", "--date", "2026-01-02")
    cache_dir = tmp_path / "cache"

    first = narrate("build", article, *common, cache_dir=cache_dir)
    assert first.returncode == 0, first.stderr
    done, total, cached = speech_line(first.stderr)
    assert (done, cached) == (total, 0) and total >= 6
    mp3 = (tmp_path / "out" / "council.mp3").read_bytes()

    # Unchanged: not even the cache is asked; the MP3 is kept as it is (narrate.build.rebuild).
    again = narrate("build", article, *common, cache_dir=cache_dir)
    assert again.returncode == 0, again.stderr
    assert "Audio unchanged since the last build" in again.stderr
    assert "Speech:" not in again.stderr
    assert (tmp_path / "out" / "council.mp3").read_bytes() == mp3

    article.write_text(ARTICLE.replace("الشهر المقبل", "العام المقبل"), encoding="utf-8")
    edited = narrate("build", article, *common, cache_dir=cache_dir)
    assert edited.returncode == 0, edited.stderr
    assert speech_line(edited.stderr) == (1, total, total - 1)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def long_article(example: Path, copies: int) -> str:
    """The example ``copies`` times over, each copy's paragraphs made distinct from the others."""
    blocks = example.read_text(encoding="utf-8").split("\n\n")
    marks = ["ثانيا", "ثالثا", "رابعا", "خامسا"]
    out = list(blocks)
    for mark in marks[: copies - 1]:
        out.extend(f"{mark}: {block.strip()}" for block in blocks if len(block) > 80)
    return "\n\n".join(out)


def test_a_killed_build_resumes_where_it_stopped_and_leaves_the_last_episode_alone(
    tmp_path: Path, example_article: Path
) -> None:
    output, cache_dir = tmp_path / "out", tmp_path / "cache"
    small = tmp_path / "council.txt"
    small.write_text(ARTICLE, encoding="utf-8")
    assert (
        narrate("build", small, "--engine", "espeak", "-o", output, cache_dir=cache_dir).returncode
        == 0
    )
    before_kill = snapshot(output)
    small_entries = entries(cache_dir)
    article = tmp_path / "long.txt"
    article.write_text(long_article(example_article, 2), encoding="utf-8")

    build = subprocess.Popen(
        [str(NARRATE), "build", str(article), "--engine", "espeak", "-o", str(output)],
        env={**os.environ, "NARRATE_CACHE_DIR": str(cache_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill reaches its workers too
    )
    try:
        deadline = time.monotonic() + 120
        while entries(cache_dir) < small_entries + 4:
            assert build.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.killpg(build.pid, signal.SIGKILL)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
        build.wait(timeout=30)
    done_before = entries(cache_dir) - small_entries
    # Nothing published was touched; the half-made MP3 is only in the scratch folder.
    killed = snapshot(output)
    partial = [name for name in killed if name.startswith(".narrate/partial/")]
    assert len(partial) <= 1
    assert {k: v for k, v in killed.items() if k not in partial} == before_kill

    rerun = narrate("build", article, "--engine", "espeak", "-o", output, cache_dir=cache_dir)

    assert rerun.returncode == 0, rerun.stderr
    done, total, cached = speech_line(rerun.stderr)
    # Every chunk spoken before the kill is reused (a sentence the article says twice is one
    # entry, so chunks from the cache can outnumber the entries).
    assert cached >= done_before and done > 0
    assert entries(cache_dir) - small_entries <= done + cached
    assert done + cached <= total
    after = snapshot(output)
    assert {name: after[name] for name in ("council.mp3",)} == {
        "council.mp3": before_kill["council.mp3"]
    }
    assert "long.mp3" in after
    assert not [name for name in after if name.startswith(".narrate/partial/")]  # cleaned up


class LongToneEngine(ToneEngine):
    """Two seconds of audio for every text (64 KB), made without a Python loop per sample."""

    _tone = Sine(330, sample_rate=16000).to_audio_segment(2000).set_sample_width(2).raw_data

    def synthesize(self, text: str) -> AudioSegment:
        shift = 2 * (sum(map(ord, text)) % 1000)  # equal texts, equal audio
        data = self._tone[shift:] + self._tone[:shift]
        return AudioSegment(data=data, sample_width=2, frame_rate=self.sample_rate, channels=1)


def test_streaming_holds_a_bounded_share_of_the_audio_spoken_or_cached(cache: Cache) -> None:
    chunks = [f"الجملة رقم {n} من النشرة." for n in range(240)]  # 240 × 64 KB: 15 MB of PCM
    total = 0

    def sink(piece: AudioSegment) -> None:
        nonlocal total
        total += len(piece.raw_data)

    peaks = []
    for _ in range(2):  # spoken by two worker processes; then every chunk from the cache
        total = 0
        tracemalloc.start()
        try:
            stats = speak(chunks, LongToneEngine(), cache, SilentReporter(), jobs=2, sink=sink)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert total == 240 * 64000
    assert stats.cached == 240
    # Finished batches and cache hits are handed on and let go, not kept until the end: what
    # is held is at most the window of batches in flight (2 workers x 3 batches x 8 chunks of
    # 64 KB, 3 MB), with room for the copies unpickling makes; keeping everything is 15 MB.
    window = 2 * speaking.WINDOW_PER_WORKER * speaking.MAX_BATCH * 64000
    assert window < total / 4
    assert max(peaks) < 1.5 * window, (peaks, window, total)


# -- stopping an online engine's threads ---------------------------------------------------------


class StoppableToneEngine(OverlapToneEngine):
    """Counts the calls of ``cancel()``, the way the synthesis stage stops an online engine."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.cancels = 0

    def cancel(self) -> None:
        self.cancels += 1


@pytest.mark.parametrize("stop", ["failure", "interrupt"])
def test_a_stopped_thread_pool_cancels_the_engine(cache: Cache, stop: str) -> None:
    fault = {"fail_on": PARAGRAPHS[2]} if stop == "failure" else {"interrupt_on": PARAGRAPHS[2]}
    engine = StoppableToneEngine(concurrency=2, **fault)
    with pytest.raises(EngineError if stop == "failure" else KeyboardInterrupt):
        spoken(PARAGRAPHS, engine, cache, SilentReporter())
    assert engine.cancels == 1


def test_a_finished_thread_pool_leaves_the_engine_alone(cache: Cache) -> None:
    engine = StoppableToneEngine(concurrency=2)
    spoken(PARAGRAPHS, engine, cache, SilentReporter())
    assert engine.cancels == 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_gtts_build_stops_at_once_on_a_signal_and_keeps_what_was_spoken(
    tmp_path: Path, signum: int
) -> None:
    """Google hangs on every request after the first two; the producer presses Ctrl-C (or a
    service manager sends SIGTERM). The build must not sit out the hung requests' timeouts
    and retries, and the two chunks Google did speak must not be asked for again."""
    article = tmp_path / "council.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    cache_dir = tmp_path / "cache"
    args = [str(NARRATE), "build", str(article), "--engine", "gtts", "-o", str(tmp_path / "out")]
    with FakeGoogle() as google:
        google.answer_next("ok", 2)
        google.set_mode("hang")
        env = {
            **os.environ,
            "NARRATE_CACHE_DIR": str(cache_dir),
            "NARRATE_GTTS_ENDPOINT": google.endpoint,
        }
        build = subprocess.Popen(
            args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            # Every thread is waiting on a hung request: the two spoken chunks are stored.
            while entries(cache_dir) < 2 or google.in_flight < DEFAULT_CONCURRENCY:
                assert build.poll() is None, build.communicate()[1]
                assert time.monotonic() < deadline
                time.sleep(0.02)
            build.send_signal(signum)
            started = time.monotonic()
            try:
                _, stderr = build.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                pytest.fail("the build was still running 30 s after the signal")
            took = time.monotonic() - started
        finally:
            if build.poll() is None:
                os.killpg(build.pid, signal.SIGKILL)
                build.wait()
        # A hang guard, not a stopwatch: sitting out a hung request is its 10 s timeout.
        assert took < 8.0, (took, stderr)
        assert "Traceback" not in stderr, stderr
        last = stderr.rstrip("\n").splitlines()[-1]
        if signum == signal.SIGINT:
            assert build.returncode == 130, stderr
            assert last == "Error: interrupted; run the same command again to carry on", stderr
        else:
            assert build.returncode == 128 + signal.SIGTERM, stderr
            assert not [line for line in stderr.splitlines() if line.startswith("Error")]
        spoken = {e.text for e in google.exchanges if e.status == 200}
        assert len(spoken) == 2
        assert entries(cache_dir) == 2

        google.set_mode("ok")
        asked_before = len(google.requests)
        rerun = narrate(
            "build", article, "--engine", "gtts", "-o", tmp_path / "out", cache_dir=cache_dir,
            env={"NARRATE_GTTS_ENDPOINT": google.endpoint},
        )  # fmt: skip
        asked_again = set(google.requests[asked_before:])
    assert rerun.returncode == 0, rerun.stderr
    done, total, cached = speech_line(rerun.stderr)
    assert (cached, done) == (2, total - 2)
    assert spoken.isdisjoint(asked_again)
    assert (tmp_path / "out" / "council.mp3").exists()

"""The speaking stage: every chunk's audio, taken from the cache where it is already there.

Identical chunks are spoken once. What the cache lacks is synthesized one way of three,
chosen from the engine's :attr:`~narrate.engines.Engine.parallel`:

- ``"processes"`` (offline engines, bound to the CPU): a process pool of ``jobs`` workers
  (default: the engine's ``concurrency``, every core this process may use unless it says
  otherwise). Workers start by ``forkserver`` (``spawn``
  where there is none), never by a bare fork, so a C library the parent has already
  initialized (espeak-ng keeps its state in process globals) is never copied half-way into a
  child: each worker builds its own engine from the pickled one. Texts go in small batches.
- ``"threads"`` (online engines, waiting on the network): a thread pool of the engine's
  ``concurrency`` threads; the engine bounds and paces its own requests.
- one at a time (``"serial"``), when the engine says so, there are few misses, ``jobs`` is 1,
  or the engine cannot be pickled.

Whoever makes a chunk (worker process, thread, or this process) stores it in the cache the
moment it is done, so a build stopped at any point (an error, Ctrl-C, a killed process)
resumes where it stopped. On the first failure the work not yet started is cancelled, the
work under way finishes (and is stored), and the engine's error is raised.

An engine run in threads is told to stop (``cancel()``; the gtts engine's really stops, the
default does nothing) when its threads' work is given up: on a failure, on Ctrl-C or on SIGTERM it
stops retrying and waiting at once and lets its requests in flight go, so the build ends in
moments rather than after every thread's retries and timeouts (the interpreter waits for
the pool's threads before it exits). What those requests would have brought is asked for
again by the rerun; what was finished before is in the cache. Worker processes are ended at
once on SIGTERM (each tells the pool its process id as it starts); on Ctrl-C, which they
ignore, they finish the batch under way and store it.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from multiprocessing.queues import Queue
from types import ModuleType
from typing import Any, Literal

from pydub import AudioSegment

from narrate.cache import Cache, chunk_key, text_key
from narrate.engines import Engine
from narrate.engines.base import available_cpus as available_cpus  # produce counts cores too
from narrate.engines.base import ctrl_c_deferred, ctrl_c_held, ignore_ctrl_c
from narrate.errors import EngineError
from narrate.interrupts import INTERRUPTS
from narrate.models import WordTiming
from narrate.progress import Reporter

log = logging.getLogger(__name__)

#: Fewer misses than this are spoken in this process: starting workers would cost more.
MIN_POOL_MISSES = 8
#: Texts sent to a worker process at once: enough to amortize the round trip, few enough that
#: the work spreads evenly and a failure wastes little.
MAX_BATCH = 8
BATCHES_PER_WORKER = 4
#: Batches (processes) or requests (threads) in flight per worker at most.
WINDOW_PER_WORKER = 3

Mode = Literal["serial", "processes", "threads"]
#: (key, text) of a chunk to synthesize.
Job = tuple[str, str]
#: When each word of a chunk is said, if its engine knows (else empty).
Words = tuple[WordTiming, ...]
#: Finished chunks, (key, pcm, words), as they come.
Made = Generator[tuple[str, bytes, Words], None, None]


@dataclass(frozen=True)
class SpeakStats:
    """What one speaking stage did: chunks in the episode, how many were synthesized now and
    how many came from the cache (distinct texts), and how the work ran."""

    chunks: int
    synthesized: int
    cached: int
    mode: Mode = "serial"
    workers: int = 1

    @property
    def repeated(self) -> int:
        """Chunks whose text an earlier chunk already says."""
        return self.chunks - self.synthesized - self.cached

    def summary(self) -> str:
        """For example ``synthesized 3 of 57 chunks (54 from cache)``.

        >>> SpeakStats(chunks=10, synthesized=2, cached=7).summary()
        'synthesized 2 of 10 chunks (7 from cache, 1 repeated)'
        """
        parts = [f"{self.cached} from cache"]
        if self.repeated:
            parts.append(f"{self.repeated} repeated")
        return f"synthesized {self.synthesized} of {self.chunks} chunks ({', '.join(parts)})"


def speak(
    chunks: Sequence[str],
    engine: Engine,
    cache: Cache | None,
    reporter: Reporter,
    jobs: int | None = None,
    sink: Callable[[AudioSegment], object] | None = None,
    words: list[Words] | None = None,
) -> SpeakStats:
    """Speak every chunk, in order, at ``engine.sample_rate``, handing the audio to ``sink``.

    Each chunk's audio goes to ``sink`` in speaking order as soon as it and every chunk
    before it are ready (so encoding can run while later chunks are spoken), and is not kept:
    memory stays flat however long the episode. Without a sink the audio is only spoken and
    cached (a benchmark's or a warm-up's use). Returns what it took.

    ``words``, when given, gets each chunk's word timings (:meth:`Engine.synthesize_timed`;
    empty for an engine that gives none) in the same order, as its audio goes to ``sink``:
    the cache keeps them beside the audio, so a cached chunk has them too.

    ``jobs`` is the most workers (default: the engine's ``concurrency``; threads never
    exceed it); 1 speaks one chunk at a time. Raises the engine's :class:`EngineError` on
    the first failure, after storing every chunk finished before it.
    """
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    rate = engine.sample_rate
    identity = engine.identity()
    keys = [chunk_key(identity, rate, text) for text in chunks]
    texts = dict(zip(keys, chunks, strict=True))  # one per distinct text, in speaking order
    copies = Counter(keys)

    # A cached chunk is read again when its turn comes rather than held from the start:
    # memory stays flat however long the episode (a three-hour rebuild is all hits).
    cached: set[str] = set()
    misses: list[Job] = []
    for key, text in texts.items():
        if cache is not None and cache.load(key, rate) is not None:
            cached.add(key)
        else:
            misses.append((key, text))

    mode, workers = _plan(engine, len(misses), jobs)
    log.debug("%d distinct chunks, %d cached; speaking the rest %s", len(texts), len(cached), mode)
    saver = _Saver(cache)
    made = _synthesize(mode, workers, engine, misses, saver)

    pcm: dict[str, bytes] = {}
    timings: dict[str, Words] = {}
    released = 0
    uses_left = copies.copy()

    def release() -> None:
        """Hand the sink every chunk whose turn has come."""
        nonlocal released
        while released < len(keys):
            key = keys[released]
            data = pcm.get(key)
            if data is None and key not in cached:
                return  # not spoken yet
            if words is not None:
                said = timings.get(key)
                if said is None:
                    said = timings[key] = _load_words(cache, key) if key in cached else ()
                words.append(said)
            if sink is not None:
                if data is None:
                    data = _reread(cache, key, rate, engine, texts[key])
                sink(AudioSegment(data=data, sample_width=2, frame_rate=rate, channels=1))
            uses_left[key] -= 1
            if not uses_left[key]:
                pcm.pop(key, None)
                timings.pop(key, None)
            released += 1

    def steps() -> Iterator[None]:
        for key in cached:  # done already: a step for each of its copies
            for _ in range(copies[key]):
                yield None
        release()
        for key, data, said in made:
            pcm[key] = data
            timings[key] = said
            release()
            for _ in range(copies[key]):
                yield None

    with contextlib.closing(made), reporter.progress(steps(), len(chunks), "Speaking") as bar:
        for _ in bar:
            pass

    stats = SpeakStats(
        chunks=len(chunks),
        synthesized=len(misses),
        cached=len(cached),
        mode=mode,
        workers=workers,
    )
    log.info("%s: %s with %d worker(s)", engine.name, stats.summary(), workers)
    return stats


def warm_up(engine: Engine, jobs: int | None = None) -> None:
    """Start the server worker processes fork from now, while the text is still being prepared.

    It is a fresh interpreter importing narrate, about half a second on its own; started early
    it is ready when synthesis begins. Does nothing for an engine that does not use processes.
    """
    if engine.parallel != "processes" or jobs == 1 or available_cpus() < 2:
        return
    _start_server(engine)


def _plan(engine: Engine, misses: int, jobs: int | None) -> tuple[Mode, int]:
    """How to synthesize ``misses`` chunks with ``engine``, and with how many workers."""
    if jobs == 1 or misses < 2 or engine.parallel == "serial":
        return "serial", 1
    if engine.parallel == "threads":
        workers = min(engine.concurrency, jobs or engine.concurrency, misses)
        return ("threads", workers) if workers > 1 else ("serial", 1)
    workers = min(jobs or engine.concurrency, misses)
    if misses < MIN_POOL_MISSES or workers < 2:
        return "serial", 1
    try:
        pickle.dumps(engine)
    except Exception as exc:
        log.warning(
            "%s cannot be sent to worker processes (%s): speaking in one process",
            engine.name,
            exc,
        )
        return "serial", 1
    return "processes", workers


def _reread(cache: Cache | None, key: str, rate: int, engine: Engine, text: str) -> bytes:
    """A cached chunk read when its turn comes; spoken here if its entry went bad meanwhile."""
    data = cache.load(key, rate) if cache is not None else None
    if data is None:
        log.warning("a cached chunk was damaged during the build: speaking it again")
        data, _ = _speak_one(engine, text)
    return data


def words_key(key: str) -> str:
    """The cache key of the word timings of the chunk whose audio is under ``key``."""
    return text_key("words", {"audio": key}, "")


def _load_words(cache: Cache | None, key: str) -> Words:
    """A cached chunk's word timings; () when it has none (its engine gives none, or the
    entry went missing: the cues then fall back to sharing the sentence's time out)."""
    stored = cache.load_text(words_key(key)) if cache is not None else None
    if not stored:
        return ()
    try:
        return tuple(WordTiming(str(w), int(s), int(e)) for w, s, e in json.loads(stored))
    except (ValueError, TypeError):
        log.warning("discarding damaged word timings in the speech cache")
        return ()


def _synthesize(mode: Mode, workers: int, engine: Engine, misses: list[Job], saver: _Saver) -> Made:
    if mode == "processes":
        return _in_processes(engine, misses, workers, saver)
    if mode == "threads":
        return _in_threads(engine, misses, workers, saver)
    return _in_series(engine, misses, saver)


def _speak_one(engine: Engine, text: str) -> tuple[bytes, Words]:
    """Mono 16-bit PCM of ``text`` at the engine's rate, and its word timings if any."""
    segment, said = engine.synthesize_timed(text)
    rate = engine.sample_rate
    if (segment.channels, segment.sample_width, segment.frame_rate) != (1, 2, rate):
        segment = segment.set_channels(1).set_sample_width(2).set_frame_rate(rate)
    return bytes(segment.raw_data), tuple(said)


def _store(cache: Cache | None, key: str, pcm: bytes, rate: int, said: Words = ()) -> str | None:
    """Store one chunk (its word timings first: cached audio has its timings); what went wrong,
    or None."""
    if cache is None or not cache.writable:
        return None
    try:
        if said:
            rows = [[w.word, w.start_ms, w.end_ms] for w in said]
            cache.store_text(words_key(key), json.dumps(rows, ensure_ascii=False))
        cache.store(key, pcm, rate)
    except OSError as exc:
        return f"cannot write to the speech cache {cache.root} ({exc.strerror or exc})"
    return None


class _Saver:
    """Stores chunks made in this process; after the first failure it warns once and stops."""

    def __init__(self, cache: Cache | None) -> None:
        self.cache = cache if cache is not None and cache.writable else None
        self._lock = threading.Lock()

    def save(self, key: str, pcm: bytes, rate: int, said: Words = ()) -> None:
        problem = _store(self.cache, key, pcm, rate, said)
        if problem is not None:
            self.failed(problem)

    def failed(self, problem: str) -> None:
        with self._lock:
            if self.cache is not None:
                self.cache = None
                log.warning("%s: new speech will not be cached", problem)


def _in_series(engine: Engine, misses: list[Job], saver: _Saver) -> Made:
    for key, text in misses:
        pcm, said = _speak_one(engine, text)
        saver.save(key, pcm, engine.sample_rate, said)
        yield key, pcm, said


def _in_threads(engine: Engine, misses: list[Job], workers: int, saver: _Saver) -> Made:
    def job(key: str, text: str) -> tuple[str, bytes, Words]:
        pcm, said = _speak_one(engine, text)
        saver.save(key, pcm, engine.sample_rate, said)
        return key, pcm, said

    pool = ThreadPoolExecutor(workers, thread_name_prefix="narrate-speak")
    wait_for_all = True
    queue = iter(misses)
    running: set[Future[tuple[str, bytes, Words]]] = set()

    def fill() -> None:
        # A bounded window: finished audio is handed on, never piled up in futures.
        while len(running) < workers * WINDOW_PER_WORKER:
            job_args = next(queue, None)
            if job_args is None:
                return
            running.add(pool.submit(job, *job_args))

    try:
        fill()
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                running.discard(future)
                yield future.result()
            del finished
            fill()
    except BaseException as exc:
        # Stopped (a failure, Ctrl-C, SIGTERM, or the consumer closing this generator): the
        # engine's threads stop retrying and waiting. Interrupted, do not even wait for them.
        wait_for_all = isinstance(exc, Exception)
        engine.cancel()
        raise
    finally:
        pool.shutdown(wait=wait_for_all, cancel_futures=True)


# A worker process's engine and cache, set once by _start_worker.
_worker_engine: Engine | None = None
_worker_cache: Cache | None = None


def _die_with_parent() -> None:
    """Linux: have the kernel kill this worker when the process that started it dies.

    A worker's parent is multiprocessing's fork server, which exits when narrate does (even
    when narrate is killed), so no worker outlives a build.
    """
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _start_worker(engine: Engine, cache: Cache | None, started: Queue[int]) -> None:
    global _worker_engine, _worker_cache
    _die_with_parent()
    # Ctrl-C reaches the whole process group: the parent decides, a worker ends its batch.
    # (Until now SIGINT was blocked, from the fork server: see _start_server.)
    ignore_ctrl_c()
    started.put(os.getpid())  # so that the parent can end this worker at once (SIGTERM)
    _worker_engine = engine
    _worker_cache = cache


#: What a worker hands back for each text: key, pcm, word timings, what went wrong storing it.
Done = tuple[str, bytes, Words, str | None]


def _speak_batch(batch: list[Job]) -> list[Done]:
    """In a worker: speak and store each text."""
    global _worker_cache
    engine = _worker_engine
    if engine is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("speech worker used before it was started")
    done: list[Done] = []
    for key, text in batch:
        pcm, said = _speak_one(engine, text)
        problem = _store(_worker_cache, key, pcm, engine.sample_rate, said)
        if problem is not None:
            _worker_cache = None
        done.append((key, pcm, said, problem))
    return done


def _batches(misses: list[Job], workers: int) -> list[list[Job]]:
    """Small batches in speaking order, so the encoder can start on the first while the rest
    are spoken (longest-first would balance the workers' last batch a little better, but
    would hold back the chunks the encoder needs first)."""
    size = max(1, min(MAX_BATCH, len(misses) // (workers * BATCHES_PER_WORKER)))
    return [misses[i : i + size] for i in range(0, len(misses), size)]


def _start_server(engine: Engine) -> BaseContext:
    """The context worker processes start from, with its fork server running if it has one.

    The server is started here, by narrate, rather than by the pool's first worker:

    - with Ctrl-C held (:func:`~narrate.engines.base.ctrl_c_held`): the server spends its
      first half second importing narrate before it ignores SIGINT itself, and the workers
      it forks spend a while more before they do (:func:`_start_worker`); they inherit the
      block, so a Ctrl-C then cannot kill them with a traceback of their own;
    - with this process's import path. The server is a ``python -c`` process, which puts the
      working directory first on its path, and it imports the preloaded modules before it
      takes this process's ``sys.path`` (Python 3.11 never does): run from a folder that
      holds a ``narrate/`` of its own (a clone, a producer's folder), the workers would get
      that folder instead of the narrate running. It is started with this process's
      ``sys.path`` as its ``PYTHONPATH``, and ``PYTHONSAFEPATH`` so that the working
      directory does not come first (:func:`_import_path_handed_down`).
    """
    context = _context(engine)
    if context.get_start_method() != "forkserver":  # pragma: no cover - no fork server here
        return context
    from multiprocessing import forkserver, resource_tracker

    with ctrl_c_deferred():
        # The resource tracker first: starting it lets go of a SIGINT block on its way out.
        resource_tracker.ensure_running()
        with _import_path_handed_down(), ctrl_c_held():
            forkserver.ensure_running()
    return context


#: The variables a fork server started by :func:`_start_server` gets from this process.
_PATH_VARIABLES = ("PYTHONPATH", "PYTHONSAFEPATH")


@contextlib.contextmanager
def _import_path_handed_down() -> Iterator[None]:
    """While a process is started: this process's ``sys.path`` in the environment it inherits.

    The environment is this process's own (a fork server is started through it), so it is
    changed only for the moment the server takes to start, and put back as it was.
    """
    entries = (entry or os.getcwd() for entry in sys.path)  # "": the working directory
    path = os.pathsep.join(e for e in dict.fromkeys(entries) if os.pathsep not in e)
    saved = {name: os.environ.get(name) for name in _PATH_VARIABLES}
    os.environ.update({"PYTHONPATH": path, "PYTHONSAFEPATH": "1"})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _context(engine: Engine) -> BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The server imports these once and each worker forks from it with them loaded.
    context.set_forkserver_preload([__name__, type(engine).__module__, *_main_imports()])
    return context


def _main_imports() -> list[str]:
    """The modules the parent's ``__main__`` took its names from.

    Each worker runs the parent's main script again (the narrate script: ``from narrate.cli
    import main``, the whole CLI). Preloading "__main__" in the server is meant to spare
    that, but Python before 3.14 drops the script's path on the way (CPython gh-126631), so
    the modules it imports are preloaded instead and the rerun finds them already there.
    """
    main = sys.modules.get("__main__")
    names: set[str] = set()
    for attribute, value in vars(main).items() if main is not None else ():
        if attribute.startswith("__"):  # __loader__, __builtins__ ...: the interpreter's own
            continue
        name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", "")
        if isinstance(name, str) and name and name not in {"__main__", "__mp_main__", "builtins"}:
            names.add(name)
    return sorted(names)


#: How long a build being terminated waits for the ids of workers it has not heard from: a
#: worker reports its id before it takes any batch (the queue's feeder thread may still be
#: carrying it); one still starting has no batch, and ends with the pool or its fork server.
END_WORKERS_WAIT = 0.5
#: How long a terminated build waits for each killed worker to be reaped (a hang guard only).
END_WORKERS_JOIN = 10.0


def _end_workers(started: Queue[int], spawned: int) -> None:
    """Terminate the ``spawned`` workers, each as soon as it has told ``started`` its id.

    The pool starts all its workers with the first batches; each tells its id before it takes
    a batch. Ids not yet read are waited for :data:`END_WORKERS_WAIT` seconds at most: a worker
    that has not told its id by then holds no batch.
    """
    deadline = time.monotonic() + END_WORKERS_WAIT
    for _ in range(spawned):
        try:
            pid = started.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)


def _kill_workers(pool: ProcessPoolExecutor, started: Queue[int], spawned: int) -> None:
    """End every worker of ``pool`` now: what they stored so far stays cached.

    A worker slow to tell its id (a loaded machine) is still one the pool started: it is ended
    through the pool's own record. Nothing is waited for but the killed processes' exit: a
    worker ended while it held a lock of the pool's queues would keep a waiting shutdown
    waiting for ever; the fork server ends with this process.
    """
    _end_workers(started, spawned)
    processes: dict[int, Any] = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.kill()
    for process in list(processes.values()):  # reaped: a killed process ends at once
        with contextlib.suppress(Exception):
            process.join(timeout=END_WORKERS_JOIN)


def _in_processes(engine: Engine, misses: list[Job], workers: int, saver: _Saver) -> Made:
    context = _start_server(engine)
    started: Queue[int] = context.Queue()
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(engine, saver.cache, started),
    )
    batches = iter(_batches(misses, workers))
    pending: deque[Future[list[Done]]] = deque()

    def fill() -> None:
        # A bounded window of batches, taken in speaking order: a finished batch is handed on
        # and let go, so memory does not grow with the episode. A submit may start a worker:
        # Ctrl-C waits until the pool has noted it down, so that the pool waits for it.
        with ctrl_c_deferred():
            while len(pending) < workers * WINDOW_PER_WORKER:
                batch = next(batches, None)
                if batch is None:
                    return
                pending.append(pool.submit(_speak_batch, batch))

    spawned = workers  # until the first window is in: at most this many
    terminated = False
    try:
        fill()
        # Every submit with no idle worker starts one: the first window starts them all.
        spawned = min(workers, len(pending))
        while pending:
            future = pending.popleft()
            try:
                done = future.result()
            except BrokenProcessPool as exc:
                raise EngineError(
                    f"{engine.name}: a speech worker process stopped unexpectedly; "
                    "run with --jobs 1 to see why"
                ) from exc
            del future
            fill()
            for key, pcm, said, problem in done:
                if problem is not None:
                    saver.failed(problem)
                yield key, pcm, said
    except SystemExit:
        terminated = True
        raise
    finally:
        # Terminated (SIGTERM), whether the SystemExit came here or in the code reading these
        # chunks (which then closes this generator): the workers are ended, not waited for.
        if terminated or INTERRUPTS.terminated:
            _kill_workers(pool, started, spawned)
            pool.shutdown(wait=False, cancel_futures=True)
            started.cancel_join_thread()
            started.close()
        else:
            # Batches under way finish and are stored (workers ignore Ctrl-C); the rest is dropped.
            pool.shutdown(wait=True, cancel_futures=True)
            started.close()
            started.join_thread()

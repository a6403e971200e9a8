"""What the build and the speaking stage may ask of a speech engine, and defaults for most of it.

:class:`Engine` is the protocol every caller types against; :class:`EngineBase` gives an
engine everything it need not decide itself, so that a new engine is one module (a subclass
with ``name`` and ``synthesize``) plus one line in :data:`narrate.engines.registry.ENGINES`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import FrameType, TracebackType
from typing import ClassVar, Literal, Protocol, Self

from pydub import AudioSegment

from narrate.errors import EngineError
from narrate.models import TextNeeds, WordTiming

log = logging.getLogger(__name__)

#: How the speaking stage runs many syntheses at once: ``"processes"`` for an engine bound to
#: the CPU (each worker process builds its own copy from the pickled engine, so a model is
#: loaded once per worker), ``"threads"`` for one that waits on the network (one engine
#: shared by every thread, or many asynchronous requests behind one), ``"serial"`` for one
#: that must speak one chunk at a time.
Parallel = Literal["processes", "threads", "serial"]
#: What :meth:`Engine.synthesize` hands back: signed 16-bit little-endian mono PCM.
PCM_S16LE_MONO = "pcm_s16le/mono"
#: How long a probe waits for an online engine's answer, in seconds.
PROBE_TIMEOUT = 3.0


def available_cpus() -> int:
    """The cores this process may run on (its affinity, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS and Windows have no affinity call
        return os.cpu_count() or 1


@contextlib.contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Block SIGINT in this thread for a moment: for starting a helper process.

    A terminal's Ctrl-C goes to every process of the build at once, helpers too. A helper
    started inside this block starts with SIGINT blocked (a child inherits its parent's
    signal mask, through ``exec`` as well), so a Ctrl-C can no longer catch it half-started,
    importing narrate, where it would die with a traceback of its own. The helper ignores
    SIGINT once it is running (:func:`ignore_ctrl_c`); the build decides what Ctrl-C means.
    A Ctrl-C meanwhile is not lost: it waits, and reaches this process when the block ends.
    """
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def ctrl_c_deferred() -> Iterator[None]:
    """Hold a Ctrl-C that comes during the block until the block ends, then take it as usual.

    For bookkeeping that must not be cut in two, such as a pool starting a worker process
    and noting it down: a KeyboardInterrupt between the two would leave a worker the pool
    never waits for. Only the main thread takes signals; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[FrameType | None] = []
    previous = signal.signal(signal.SIGINT, lambda _signum, frame: came.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
        if came:
            if callable(previous):
                previous(signal.SIGINT, came[0])
            elif previous == signal.SIG_DFL:
                signal.raise_signal(signal.SIGINT)


def ignore_ctrl_c() -> None:
    """In a helper process: ignore SIGINT from now on, and let go of the block
    :func:`ctrl_c_held` started it with (a Ctrl-C that came meanwhile is dropped)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@dataclass(frozen=True)
class EngineSettings:
    """A producer's settings, resolved; each engine takes the ones that apply to it."""

    rate_wpm: int | None = None
    #: The most syntheses at once (gtts: requests in flight); None: the engine's default.
    concurrency: int | None = None
    #: A ``time.monotonic()`` instant after which an online engine starts no request.
    deadline: float | None = None
    #: One of the engine's :attr:`Engine.voices`; None: its default voice.
    voice: str | None = None


@dataclass(frozen=True)
class EngineStatus:
    """One engine as found here, as ``narrate engines`` shows it.

    ``detail`` names what would speak (library, version, voice, licence notes);
    ``reason`` says why the engine is not usable, and is None when it is.
    """

    name: str
    usable: bool
    detail: str
    voices: tuple[str, ...]
    reason: str | None

    def to_json(self) -> dict[str, object]:
        """As ``narrate engines --json`` prints it."""
        return {
            "name": self.name,
            "usable": self.usable,
            "detail": self.detail,
            "voices": list(self.voices),
            "reason": self.reason,
        }


class Engine(Protocol):
    """A text-to-speech engine.

    ``synthesize`` turns one prepared chunk of text (at most ``text_needs.max_chars``
    characters) into audio in :attr:`sample_format` at :attr:`sample_rate`. It raises
    :class:`narrate.errors.EngineError` on failure, never anything else.
    """

    #: The engine's name on the command line and in the registry.
    name: ClassVar[str]
    #: What the engine needs of its text: chunk length, and whether narrate diacritizes it.
    text_needs: ClassVar[TextNeeds]
    #: Whether it speaks over the network (``auto`` and ``narrate engines --offline`` ask).
    online: ClassVar[bool]
    #: What the engine is, for ``narrate engines`` when it cannot even start.
    about: ClassVar[str]

    @property
    def voices(self) -> tuple[str, ...]:
        """The voices this engine can speak with here."""
        ...

    @property
    def voice(self) -> str:
        """The voice chosen, one of :attr:`voices`."""
        ...

    @property
    def sample_rate(self) -> int:
        """The engine's native sample rate, in Hz."""
        ...

    @property
    def sample_format(self) -> str:
        """The audio :meth:`synthesize` returns, e.g. ``pcm_s16le/mono``."""
        ...

    @property
    def parallel(self) -> Parallel:
        """How to run many syntheses at once (see :data:`Parallel`)."""
        ...

    @property
    def concurrency(self) -> int:
        """The most syntheses to run at once: threads, or worker processes."""
        ...

    def describe(self) -> str:
        """Engine, library version and voice, as recorded in the MP3's tags."""
        ...

    def identity(self) -> dict[str, str]:
        """Everything that changes the audio for the same text: engine, voice, settings and
        the versions of the engine and its library. Part of the synthesis cache's key."""
        ...

    def synthesize(self, text: str) -> AudioSegment:
        """Speak one chunk of text."""
        ...

    def synthesize_timed(self, text: str) -> tuple[AudioSegment, tuple[WordTiming, ...]]:
        """Speak one chunk, with when each word is said if the engine knows (else ``()``)."""
        ...

    def probe(self, timeout: float = PROBE_TIMEOUT) -> str | None:
        """Check that the engine can speak here now; what was found (for the build's
        "Engine:" line), or None when there is nothing to check. Raises EngineUnavailable."""
        ...

    def cancel(self) -> None:
        """Stop every synthesis under way or to come, at once; safe from any thread."""
        ...

    def close(self) -> None:
        """Let go of what the engine holds (worker processes, connections, models)."""
        ...

    @classmethod
    def from_settings(cls, settings: EngineSettings) -> Self:
        """The engine, started with the settings that apply to it."""
        ...

    @classmethod
    def status(cls, check_network: bool = True, timeout: float = PROBE_TIMEOUT) -> EngineStatus:
        """Whether the engine can run here, found by starting it; never raises EngineError."""
        ...


class EngineBase:
    """Defaults for every member of :class:`Engine` but ``name`` and ``synthesize``.

    One voice (``voice``, ``"default"``), 16-bit mono PCM at ``sample_rate`` (22,050 Hz),
    chunks of 500 characters without diacritics, one synthesis at a time, offline, nothing to
    probe, cancel or close, no word timings, and no settings taken but the voice.
    """

    name: ClassVar[str]
    text_needs: ClassVar[TextNeeds] = TextNeeds(max_chars=500, diacritics=False)
    online: ClassVar[bool] = False
    about: ClassVar[str] = ""
    voice: str = "default"
    sample_rate: int = 22050
    sample_format: str = PCM_S16LE_MONO
    parallel: Parallel = "serial"

    @property
    def voices(self) -> tuple[str, ...]:
        return (self.voice,)

    @property
    def concurrency(self) -> int:
        """Every core for an engine run in processes, else one."""
        return available_cpus() if self.parallel == "processes" else 1

    def describe(self) -> str:
        return f"{self.name} (voice {self.voice})"

    def identity(self) -> dict[str, str]:
        return {"engine": self.name, "voice": self.voice, "described": self.describe()}

    def synthesize(self, text: str) -> AudioSegment:  # pragma: no cover - every engine has one
        raise NotImplementedError

    def synthesize_timed(self, text: str) -> tuple[AudioSegment, tuple[WordTiming, ...]]:
        return self.synthesize(text), ()

    def probe(self, timeout: float = PROBE_TIMEOUT) -> str | None:
        return None

    def cancel(self) -> None:
        return None

    def close(self) -> None:
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @classmethod
    def from_settings(cls, settings: EngineSettings) -> Self:
        """``cls()`` with ``settings.voice`` chosen; an engine with more settings overrides it."""
        engine = cls()
        if settings.voice is not None:
            if settings.voice not in engine.voices:
                engine.close()
                raise EngineError(
                    f"{cls.name} has no voice {settings.voice!r}: "
                    f"choose one of {', '.join(engine.voices)}"
                )
            engine.voice = settings.voice
        if settings.rate_wpm is not None:
            log.info("the %s engine has no speaking rate: the rate is not used", cls.name)
        return engine

    @classmethod
    def status(cls, check_network: bool = True, timeout: float = PROBE_TIMEOUT) -> EngineStatus:
        where = "online" if cls.online else "offline"
        try:
            engine = cls.from_settings(EngineSettings())
        except EngineError as exc:
            return EngineStatus(cls.name, False, f"{cls.about or cls.name}, {where}", (), str(exc))
        with engine:
            detail, voices = f"{engine.describe()}, {where}", engine.voices
            if cls.online and not check_network:
                return EngineStatus(
                    cls.name, False, detail, voices, "not checked: network checks off"
                )
            try:
                engine.probe(timeout)
            except EngineError as exc:
                return EngineStatus(cls.name, False, detail, voices, str(exc))
        return EngineStatus(cls.name, True, detail, voices, None)

"""Speech engines behind one small protocol, and the choice between them."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydub import AudioSegment

from narrate.errors import EngineUnavailable
from narrate.models import TextNeeds


class Engine(Protocol):
    """A text-to-speech engine.

    ``synthesize`` turns one prepared chunk of text (at most ``text_needs.max_chars``
    characters) into mono 16-bit audio at ``sample_rate``. It raises
    :class:`narrate.errors.EngineError` on failure, never anything else.
    """

    name: str
    sample_rate: int
    text_needs: TextNeeds
    #: How to run many syntheses at once: "processes" for an engine bound to the CPU
    #: (each worker process starts its own copy), "threads" for one that waits on the network.
    parallel: Literal["processes", "threads"]

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


ENGINE_NAMES = ("auto", "gtts", "espeak", "mbrola")
#: The engines that speak. ``auto`` tries gtts, then espeak; never mbrola, whose voice's
#: non-commercial licence a producer must choose knowingly.
SPEAKING_ENGINES = ("gtts", "espeak", "mbrola")
#: Where each engine lives; imported only when asked for.
_CLASSES = {
    "gtts": ("narrate.engines.gtts", "GttsEngine"),
    "espeak": ("narrate.engines.espeak", "EspeakEngine"),
    "mbrola": ("narrate.engines.mbrola", "MbrolaEngine"),
}
#: Below this many words a minute, gTTS speaks in its slow mode (its only other pace).
GTTS_SLOW_BELOW_WPM = 130


def engine_class(name: str) -> Any:
    """The class of the engine called ``name``, imported on first use."""
    try:
        module, attribute = _CLASSES[name]
    except KeyError:
        raise ValueError(
            f"unknown engine {name!r}: choose one of {', '.join(SPEAKING_ENGINES)}"
        ) from None
    return getattr(importlib.import_module(module), attribute)


def engine_text_needs(name: str) -> TextNeeds:
    """What the engine called ``name`` needs of its text, without starting it."""
    needs: TextNeeds = engine_class(name).text_needs
    return needs


@dataclass(frozen=True)
class EngineSettings:
    """A producer's settings; each engine takes the ones that apply to it."""

    rate_wpm: int | None = None
    #: gtts: requests in flight at once.
    concurrency: int | None = None
    #: gtts: a ``time.monotonic()`` instant after which no request starts.
    deadline: float | None = None


@dataclass(frozen=True)
class EngineChoice:
    """The engine a build will use for the whole episode, and why it was chosen."""

    engine: Engine
    reason: str


def make_engine(name: str, settings: EngineSettings = EngineSettings()) -> Engine:
    """Start the engine called ``name`` with the settings that apply to it."""
    cls = engine_class(name)
    if name == "gtts":
        slow = settings.rate_wpm is not None and settings.rate_wpm < GTTS_SLOW_BELOW_WPM
        options: dict[str, Any] = {"slow": slow, "deadline": settings.deadline}
        if settings.concurrency is not None:
            options["concurrency"] = settings.concurrency
        engine: Engine = cls(**options)
    else:
        engine = cls(rate_wpm=settings.rate_wpm)
    return engine


def choose_engine(name: str, settings: EngineSettings = EngineSettings()) -> EngineChoice:
    """Make the engine called ``name``; ``auto`` asks Google once and falls back to espeak-ng.

    Raises :class:`EngineUnavailable` when the named engine (for ``auto``: espeak-ng) cannot run.
    """
    if name != "auto":
        return EngineChoice(make_engine(name, settings), f"chosen with --engine {name}")
    from narrate.engines.gtts import GttsEngine

    google = make_engine("gtts", settings)
    assert isinstance(google, GttsEngine)
    try:
        google.probe()
    except EngineUnavailable as offline:
        return EngineChoice(make_engine("espeak", settings), f"{offline}; using the offline voice")
    return EngineChoice(google, "Google TTS answered")

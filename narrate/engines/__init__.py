"""Speech engines behind one small protocol, and the choice between them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pydub import AudioSegment

from narrate.errors import EngineUnavailable
from narrate.script import TextNeeds


class Engine(Protocol):
    """A text-to-speech engine.

    ``synthesize`` turns one prepared chunk of text (at most ``text_needs.max_chars``
    characters) into mono 16-bit audio at ``sample_rate``. It raises
    :class:`narrate.errors.EngineError` on failure, never anything else.
    """

    name: str
    sample_rate: int
    text_needs: TextNeeds

    def describe(self) -> str:
        """Engine, library version and voice, as recorded in the MP3's tags."""
        ...

    def synthesize(self, text: str) -> AudioSegment:
        """Speak one chunk of text."""
        ...


ENGINE_NAMES = ("auto", "gtts", "espeak")
#: The engines that speak, in the order ``auto`` tries them.
SPEAKING_ENGINES = ("gtts", "espeak")


def engine_text_needs(name: str) -> TextNeeds:
    """What the engine called ``name`` needs of its text, without starting it."""
    if name == "gtts":
        from narrate.engines.gtts import GttsEngine

        return GttsEngine.text_needs
    if name == "espeak":
        from narrate.engines.espeak import EspeakEngine

        return EspeakEngine.text_needs
    raise ValueError(f"unknown engine {name!r}: choose one of {', '.join(SPEAKING_ENGINES)}")


@dataclass(frozen=True)
class EngineChoice:
    """The engine a build will use for the whole episode, and why it was chosen."""

    engine: Engine
    reason: str


def _espeak(rate_wpm: int | None) -> Engine:
    from narrate.engines.espeak import EspeakEngine

    return EspeakEngine(rate_wpm=rate_wpm)


def _gtts() -> Engine:
    from narrate.engines.gtts import GttsEngine

    return GttsEngine()


def choose_engine(name: str, *, rate_wpm: int | None = None) -> EngineChoice:
    """Make the engine called ``name``; ``auto`` asks Google once and falls back to espeak-ng.

    Raises :class:`EngineUnavailable` when the named engine (for ``auto``: espeak-ng) cannot run.
    """
    if name == "espeak":
        return EngineChoice(_espeak(rate_wpm), "chosen with --engine espeak")
    if name == "gtts":
        return EngineChoice(_gtts(), "chosen with --engine gtts")
    if name != "auto":
        raise ValueError(f"unknown engine {name!r}: choose one of {', '.join(ENGINE_NAMES)}")

    from narrate.engines.gtts import GttsEngine

    google = GttsEngine()
    try:
        google.probe()
    except EngineUnavailable as offline:
        return EngineChoice(_espeak(rate_wpm), f"{offline}; using the offline voice")
    return EngineChoice(google, "Google TTS answered")

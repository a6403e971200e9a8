"""Speech engines behind one small protocol, and the choice between them."""

from __future__ import annotations

from typing import Protocol

from pydub import AudioSegment


class Engine(Protocol):
    """A text-to-speech engine.

    ``synthesize`` turns one prepared chunk of text (at most ``max_chunk_chars``
    characters) into mono 16-bit audio at ``sample_rate``. It raises
    :class:`narrate.errors.EngineError` on failure, never anything else.
    """

    name: str
    sample_rate: int
    max_chunk_chars: int

    def describe(self) -> str:
        """Engine, library version and voice, as recorded in the MP3's tags."""
        ...

    def synthesize(self, text: str) -> AudioSegment:
        """Speak one chunk of text."""
        ...

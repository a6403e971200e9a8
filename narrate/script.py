"""The episode's words in speaking order, prepared for one engine and cut into its chunks.

Every piece of text an engine speaks (the intro, each heading, each paragraph) goes through
the same steps, in this order: normalise the characters, apply the pronunciation lexicon,
read numbers and symbols as words, add diacritics when the engine needs them, then cut
into chunks the engine accepts. ``narrate segments --speech`` prints exactly this.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from narrate.lexicon import Lexicon
from narrate.models import Article
from narrate.numbers import verbalize
from narrate.speech_text import normalize, prepare, split_chunks

Step = Callable[[str], str]

_FINAL_PUNCTUATION = ".!?؟…:،؛"


@dataclass(frozen=True)
class TextNeeds:
    """What an engine needs of its text: the longest chunk it takes, and whether to diacritize."""

    max_chars: int
    diacritics: bool


@dataclass(frozen=True)
class SegmentScript:
    """One segment's chunks: chapter title, heading (empty for the lead), paragraphs."""

    chapter_title: str
    heading: tuple[str, ...]
    paragraphs: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Script:
    intro: tuple[str, ...]
    segments: tuple[SegmentScript, ...]

    def to_json(self) -> dict[str, object]:
        """The plan as ``narrate segments --speech --json`` prints it."""
        return {
            "intro": list(self.intro),
            "segments": [
                {
                    "chapter": s.chapter_title,
                    "heading": list(s.heading),
                    "paragraphs": [list(p) for p in s.paragraphs],
                }
                for s in self.segments
            ],
        }

    def chunks(self) -> list[str]:
        """Every chunk in speaking order."""
        out = list(self.intro)
        for segment in self.segments:
            out.extend(segment.heading)
            for paragraph in segment.paragraphs:
                out.extend(paragraph)
        return out


@functools.cache
def _diacritizer() -> Step:
    from narrate.diacritize import Diacritizer

    return Diacritizer().diacritize


def text_steps(needs: TextNeeds, lexicon: Lexicon) -> list[Step]:
    """The preparation steps for an engine with ``needs``, in the order they run."""
    steps: list[Step] = [normalize, lexicon.apply, verbalize]
    if needs.diacritics:
        steps.append(_diacritizer())
    return steps


def _sentence(text: str) -> str:
    """End a spoken line with a full stop so engines fall in pitch at its end.

    >>> _sentence("سقوط حلب")
    'سقوط حلب.'
    >>> _sentence("لماذا؟")
    'لماذا؟'
    """
    text = text.strip()
    return text if not text or text[-1] in _FINAL_PUNCTUATION else text + "."


def write_script(
    article: Article, show_title: str, needs: TextNeeds, lexicon: Lexicon | None = None
) -> Script:
    """Prepare and chunk the intro ("<show>. <title>.") and every heading and paragraph."""
    steps = text_steps(needs, lexicon if lexicon is not None else Lexicon.default())

    def chunks(text: str) -> tuple[str, ...]:
        return tuple(split_chunks(prepare(text, steps), needs.max_chars))

    intro = chunks(f"{_sentence(show_title)} {_sentence(article.title)}")
    segments = tuple(
        SegmentScript(
            chapter_title=segment.heading or article.title,
            heading=chunks(_sentence(segment.heading)) if segment.heading else (),
            paragraphs=tuple(c for c in (chunks(p) for p in segment.paragraphs) if c),
        )
        for segment in article.segments
    )
    return Script(intro=intro, segments=segments)

"""The episode's words in speaking order: intro, then each segment's heading and paragraphs.

This is what each engine is sent; ``narrate segments --speech`` (later) shows it to producers.
"""

from __future__ import annotations

from dataclasses import dataclass

from narrate.models import Article
from narrate.speech_text import speech_chunks

_FINAL_PUNCTUATION = ".!?؟…:،؛"


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

    def chunks(self) -> list[str]:
        """Every chunk in speaking order."""
        out = list(self.intro)
        for segment in self.segments:
            out.extend(segment.heading)
            for paragraph in segment.paragraphs:
                out.extend(paragraph)
        return out


def _sentence(text: str) -> str:
    """End a spoken line with a full stop so engines fall in pitch at its end.

    >>> _sentence("سقوط حلب")
    'سقوط حلب.'
    >>> _sentence("لماذا؟")
    'لماذا؟'
    """
    text = text.strip()
    return text if not text or text[-1] in _FINAL_PUNCTUATION else text + "."


def write_script(article: Article, show_title: str, max_chars: int) -> Script:
    """Chunk the intro ("<show>. <title>.") and every heading and paragraph for an engine."""
    intro = tuple(speech_chunks(f"{_sentence(show_title)} {_sentence(article.title)}", max_chars))
    segments = tuple(
        SegmentScript(
            chapter_title=segment.heading or article.title,
            heading=tuple(speech_chunks(_sentence(segment.heading), max_chars))
            if segment.heading
            else (),
            paragraphs=tuple(
                chunks
                for chunks in (tuple(speech_chunks(p, max_chars)) for p in segment.paragraphs)
                if chunks
            ),
        )
        for segment in article.segments
    )
    return Script(intro=intro, segments=segments)

"""The episode's words in speaking order, prepared for one engine and cut into its chunks.

Every piece of text an engine speaks (the intro, each heading, each paragraph) goes through
the same steps, in this order: normalise the characters, apply the pronunciation lexicon,
read numbers and symbols as words, add diacritics when the engine needs them, then cut
into chunks the engine accepts. ``narrate segments --speech`` prints exactly this.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
from collections.abc import Callable
from dataclasses import dataclass

from narrate.cache import Cache, text_key
from narrate.models import Article, Segment, TextNeeds
from narrate.text.diacritize import Diacritizer
from narrate.text.latin import transliterate
from narrate.text.lexicon import Lexicon
from narrate.text.normalise import normalize, prepare, split_chunks, split_sentences
from narrate.text.numbers import verbalize

log = logging.getLogger(__name__)

Step = Callable[[str], str]

#: Bump whenever text preparation changes; part of the key of cached prepared (diacritized) text.
PREP_VERSION = 3

_FINAL_PUNCTUATION = ".!?؟…:،؛"

#: How a segment without a heading is labelled (its chapter, its file, the page): the lead before
#: the first heading is the introduction; an article without headings is one chapter, the whole
#: article. The episode's title is its own label already, so no chapter repeats it.
LEAD_CHAPTER = "المقدمة"
WHOLE_ARTICLE_CHAPTER = "المقال كاملًا"
#: A segment without a heading after the first (no reader makes one): the text continues.
CONTINUED_CHAPTER = "تتمة"


@dataclass(frozen=True)
class SegmentScript:
    """One segment's chunks: chapter title, heading (empty for the lead), paragraphs."""

    chapter_title: str
    heading: tuple[str, ...]
    paragraphs: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Sentence:
    """One sentence as the article writes it, and which chunks speak it."""

    text: str
    #: Index of its first chunk in :meth:`Script.chunks`, and how many chunks it has.
    first: int
    count: int


@dataclass(frozen=True)
class Script:
    intro: tuple[str, ...]
    segments: tuple[SegmentScript, ...]
    #: Every sentence in speaking order (intro, then each heading and paragraph), for transcripts.
    sentences: tuple[Sentence, ...] = ()

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
def _diacritizer() -> tuple[Step, dict[str, str]]:
    """The shared diacritizer's step and what decides its output (model, library version)."""
    diacritizer = Diacritizer()
    try:
        version = importlib.metadata.version("text2tashkeel")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    identity = {"model": diacritizer.model, "text2tashkeel": version, "prep": str(PREP_VERSION)}
    return diacritizer.diacritize, identity


def _remembered(step: Step, kind: str, identity: dict[str, str], cache: Cache) -> Step:
    """``step`` with its results kept in ``cache``, so an unchanged paragraph is never redone."""

    def run(text: str) -> str:
        key = text_key(kind, identity, text)
        done = cache.load_text(key)
        if done is None:
            done = step(text)
            if cache.writable:
                try:
                    cache.store_text(key, done)
                except OSError as exc:
                    log.warning("cannot store prepared text in %s: %s", cache.root, exc)
        return done

    return run


def text_steps(needs: TextNeeds, lexicon: Lexicon, cache: Cache | None = None) -> list[Step]:
    """The preparation steps for an engine with ``needs``, in the order they run.

    Diacritization is the one slow step; with a ``cache`` its output is kept per text.
    """
    # The lexicon first (a producer's reading wins), then numbers (codes leave their letters in
    # Latin), then whatever Latin is left goes to Arabic letters: an Arabic voice reads no other.
    steps: list[Step] = [normalize, lexicon.apply, verbalize, transliterate]
    if needs.diacritics:
        diacritize, identity = _diacritizer()
        steps.append(_remembered(diacritize, "tashkeel", identity, cache) if cache else diacritize)
    return steps


def _speakable(chunk: str) -> bool:
    """Whether ``chunk`` has a letter or digit to say: a lone ``؟`` or ``( )،`` is not sent.

    >>> _speakable("( )،"), _speakable("؟"), _speakable("نعم؟")
    (False, False, True)
    """
    return any(char.isalnum() for char in chunk)


def _sentence(text: str) -> str:
    """End a spoken line with a full stop so engines fall in pitch at its end.

    >>> _sentence("سقوط حلب")
    'سقوط حلب.'
    >>> _sentence("لماذا؟")
    'لماذا؟'
    """
    text = text.strip()
    return text if not text or text[-1] in _FINAL_PUNCTUATION else text + "."


def title_opens_the_text(article: Article) -> bool:
    """Whether the article's first words are its title (a title cut from its first sentence,
    ending in "…"): the intro then names only the show, so no words are said twice.

    >>> from narrate.models import Segment
    >>> lead = Segment(None, ("سميت المدينة باسمها لكثرة الآبار فيها، ولكثرة بساتينها.",))
    >>> title_opens_the_text(Article("سميت المدينة باسمها لكثرة الآبار…", (lead,)))
    True
    >>> title_opens_the_text(Article("مدينة الآبار", (lead,)))
    False
    """
    first = next(
        (text for s in article.segments for text in (s.heading, *s.paragraphs) if text), ""
    )
    head = article.title.rstrip("…. ").strip()
    return bool(head) and article.title.rstrip().endswith("…") and first.startswith(head)


def chapter_title(segment: Segment, index: int, count: int) -> str:
    """The label of segment ``index`` (from 0) of ``count``: its heading, else what it is."""
    if segment.heading:
        return segment.heading
    if index:
        return CONTINUED_CHAPTER
    return LEAD_CHAPTER if count > 1 else WHOLE_ARTICLE_CHAPTER


def write_script(
    article: Article,
    show_title: str,
    needs: TextNeeds,
    lexicon: Lexicon | None = None,
    cache: Cache | None = None,
) -> Script:
    """Prepare and chunk the intro ("<show>. <title>.") and every heading and paragraph."""
    steps = text_steps(needs, lexicon if lexicon is not None else Lexicon.default(), cache)
    sentences: list[Sentence] = []
    spoken = 0  # chunks so far

    def chunks(text: str) -> tuple[str, ...]:
        """``text``'s chunks, sentence by sentence, noting where each sentence starts."""
        nonlocal spoken
        out: list[str] = []
        for sentence in split_sentences(text.strip()):
            prepared = prepare(_sentence(sentence), steps)
            pieces = [p for p in split_chunks(prepared, needs.max_chars) if _speakable(p)]
            if pieces:
                sentences.append(Sentence(sentence, spoken + len(out), len(pieces)))
                out.extend(pieces)
            elif sentences and sentences[-1].first + sentences[-1].count == spoken + len(out):
                # Nothing to say (a lone mark): the text still belongs to the transcript.
                last = sentences[-1]
                sentences[-1] = Sentence(f"{last.text} {sentence}", last.first, last.count)
        spoken += len(out)
        return tuple(out)

    # A title cut from the first sentence is said by the sentence itself, whole, right after.
    title = "" if title_opens_the_text(article) else _sentence(article.title)
    intro = chunks(f"{_sentence(show_title)} {title}")
    segments: list[SegmentScript] = []
    for segment in article.segments:
        heading = chunks(segment.heading) if segment.heading else ()
        paragraphs = tuple(c for c in (chunks(p) for p in segment.paragraphs) if c)
        segments.append(
            SegmentScript(
                chapter_title=chapter_title(segment, len(segments), len(article.segments)),
                heading=heading,
                paragraphs=paragraphs,
            )
        )
    return Script(intro=intro, segments=tuple(segments), sentences=tuple(sentences))

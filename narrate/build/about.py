"""What is said about the episode, whatever its audio: its info, its files' tags, its companions.

:func:`episode_info` says it once, from the article; the episode MP3's tags, each segment
file's tags, the chapters JSON, the transcripts and the feed item are all written from it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from narrate.build import staging
from narrate.build.staging import StagedAudio
from narrate.episode.artwork import Artwork
from narrate.episode.chapterfile import write_chapters_json
from narrate.episode.tags import SegmentTags, write_segment_tags, write_tags
from narrate.episode.transcript import make_cues, write_transcripts
from narrate.layout import CHAPTERS_FILE, Layout
from narrate.models import (
    Article,
    EpisodeAudio,
    EpisodeInfo,
    Segment,
    SegmentFile,
    TranscriptFile,
)
from narrate.publish.publishing import Staged
from narrate.show import FeedValueError, ShowSettings, check_link, clean_text

log = logging.getLogger(__name__)

#: How much of the lead goes into the episode description.
DESCRIPTION_LEAD_CHARS = 400


def episode_info(
    slug: str,
    article: Article,
    show: ShowSettings,
    published: datetime,
    engine: str,
    artwork: Artwork,
    guid: str | None = None,
    *,
    voice_credit: str = "",
) -> EpisodeInfo:
    """The episode as its tags, feed item and companion files tell it (chapters to come).

    ``guid`` is the episode's own when it replaces its earlier version; a new episode gets a
    random one (uuid4), which the store keeps. ``voice_credit``, what the voice's licence asks
    to be said where its speech is published, ends the description (the feed item's, the
    page's and every MP3's ``COMM``/``TDES``).
    """
    return EpisodeInfo(
        slug=slug,
        guid=guid or str(uuid.uuid4()),
        title=article.title,
        show=show.title,
        description="\n\n".join(part for part in (describe(article), voice_credit) if part),
        published=published,
        engine=engine,
        image=artwork.data,
        image_mime=artwork.mime,
        transcript=full_text(article),
        author=article.author or "",
        segment_texts=tuple(segment_text(s, article.title) for s in article.segments),
        link=article_link(article) or "",
        site=source_name(article),
    )


def article_link(article: Article) -> str | None:
    """The article's page as the feed and the tags give it (absolute, ASCII), or None.

    A link that is not an absolute http(s) URL is left out, not a reason to fail the build:
    the episode is still the article's.
    """
    if not article.link:
        return None
    try:
        return check_link(article.link.strip(), "the article's link")
    except FeedValueError as exc:
        log.warning("the episode will not link to its article: %s", exc)
        return None


def source_name(article: Article) -> str:
    """Whom to credit for the article: the site's name, else its page's host, else ""."""
    site = " ".join(clean_text(article.site or "").split())
    if site:
        return site
    parts = urlsplit((article.link or "").strip())
    host = (parts.hostname or "") if parts.scheme.lower() in ("http", "https") else ""
    with contextlib.suppress(UnicodeError):  # a punycoded host, as its readers write it
        host = host.encode("ascii").decode("idna")
    return host.removeprefix("www.")


def credit(article: Article) -> str:
    """The description's last line: who wrote the article and where it was published.

    >>> credit(Article("t", (), author="سلمى حداد", site="صحيفة المثال"))
    'بقلم سلمى حداد — صحيفة المثال'
    >>> credit(Article("t", (), site="صحيفة المثال"))
    'المصدر: صحيفة المثال'
    >>> credit(Article("t", (), link="https://www.news.example/a/1"))
    'المصدر: news.example'
    """
    author = " ".join((article.author or "").split())
    site = source_name(article)
    if author and site and author.casefold() != site.casefold():
        return f"بقلم {author} — {site}"
    if author and not site:
        return f"بقلم {author}"
    return f"المصدر: {site}" if site else ""


def describe(article: Article) -> str:
    """Episode description: the start of the lead, the list of segments, the writer and site."""
    first = next((p for s in article.segments for p in s.paragraphs), "")
    if len(first) > DESCRIPTION_LEAD_CHARS:
        first = first[:DESCRIPTION_LEAD_CHARS].rsplit(" ", 1)[0] + " …"
    parts = [first]
    headings = [s.heading for s in article.segments if s.heading]
    if headings:
        parts.append("في هذه الحلقة:\n" + "\n".join(f"- {h}" for h in headings))
    parts.append(credit(article))
    return "\n\n".join(part for part in parts if part)


def full_text(article: Article) -> str:
    """The article as read in the episode: title, then each heading and its paragraphs."""
    parts = [article.title]
    parts += [segment_text(s, None) for s in article.segments]
    return "\n\n".join(parts)


def segment_text(segment: Segment, fallback_title: str | None) -> str:
    lines = [segment.heading] if segment.heading else []
    if not lines and fallback_title:
        lines = [fallback_title]
    return "\n\n".join([*lines, *segment.paragraphs])


def taggers(info: EpisodeInfo, audio: EpisodeAudio) -> list[Callable[[Path], None]]:
    """What tags the episode MP3, then each segment's MP3 in order."""
    episode = dataclasses.replace(info, chapters=audio.chapters)
    total = len(audio.segments)
    segments = [SegmentTags.of(info, part.number, part.title, total) for part in audio.segments]
    return [
        lambda path: write_tags(path, episode),
        *(lambda path, tags=tags: write_segment_tags(path, tags) for tags in segments),
    ]


def retag(layout: Layout, folder: Path, info: EpisodeInfo, audio: EpisodeAudio) -> StagedAudio:
    """The episode's files in place with their tags brought up to date: tagged copies made in
    ``folder`` for those whose tags change."""
    episode_dir = layout.episode_dir(info.slug)
    main, *tag_segments = taggers(info, audio)
    staged: list[Staged] = []
    segments = []
    for part, tag in zip(audio.segments, tag_segments, strict=True):
        file, copy = staging.retag(layout, folder, episode_dir / part.file.name, tag)
        segments.append(dataclasses.replace(part, file=file))
        if copy is not None:
            staged.append(Staged(copy, f"{info.slug}/{part.file.name}"))
    mp3, copy = staging.retag(layout, folder, layout.episode_mp3(info.slug), main)
    if copy is not None:
        staged.append(Staged(copy, f"{info.slug}.mp3"))
    made = dataclasses.replace(audio, file=mp3, segments=tuple(segments))
    return StagedAudio(made, tuple(staged))


def stage_companions(
    folder: Path, info: EpisodeInfo, audio: EpisodeAudio, base_url: str, artwork: Artwork
) -> tuple[str, list[TranscriptFile], list[Staged]]:
    """The episode's chapters JSON (each chapter linked to its segment file) and transcripts,
    made in ``folder`` to be renamed into ``output/<slug>/``: the chapters file and the
    transcripts as the feed lists them, and the files to rename."""
    made = folder / "companions"
    made.mkdir()
    urls: list[str | None] = [
        base_url + quote(f"{info.slug}/{part.file.name}") for part in audio.segments
    ]
    if len(urls) != len(audio.chapters):
        urls = [None] * len(audio.chapters)
    image_url = base_url + quote(artwork.path.name)
    write_chapters_json(made, audio.chapters, urls, info.title, image_url)
    written = write_transcripts(make_cues(audio.sentences), made)
    transcripts = [TranscriptFile(f"{info.slug}/{Path(t.path).name}", t.mime) for t in written]
    staged = [Staged(made / CHAPTERS_FILE, f"{info.slug}/{CHAPTERS_FILE}")]
    staged += [Staged(made / Path(t.path).name, t.path) for t in transcripts]
    return f"{info.slug}/{CHAPTERS_FILE}", transcripts, staged


def segment_files(slug: str, audio: EpisodeAudio) -> tuple[SegmentFile, ...]:
    """The segment files as the feed lists them."""
    return tuple(
        SegmentFile(
            number=part.number,
            title=part.title,
            path=f"{slug}/{part.file.name}",
            size=part.file.size,
            duration_ms=part.duration_ms,
        )
        for part in audio.segments
    )

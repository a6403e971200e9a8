"""ASCII slugs for file names and URLs: enclosure URLs are never Arabic."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path

from slugify import slugify

MAX_SLUG_LENGTH = 60
#: Namespace for episode guids: uuid5 of this and the slug never changes for the same article.
GUID_NAMESPACE = uuid.UUID("5c0f3f4e-9a53-4b1b-9f3e-2f6d1c1b7e11")

_LATIN_WORD = re.compile(r"[a-z]{2,}")


def make_slug(text: str) -> str:
    """A lowercase ASCII slug, transliterating Arabic; empty when nothing is left.

    >>> make_slug("Damascus to Moscow!")
    'damascus-to-moscow'
    >>> make_slug("١٢ خبر")
    '12-khbr'
    >>> make_slug("../../etc/passwd")
    'etc-passwd'
    """
    result: str = slugify(text, max_length=MAX_SLUG_LENGTH, word_boundary=True)
    return result


def episode_slug(source: Path | None, title: str) -> str:
    """The episode's slug: from the file name when it reads as words, else from the title.

    A producer's ``damascus-to-moscow.txt`` gives ``damascus-to-moscow``; ``مقال.txt`` falls back
    to the transliterated title, and failing that to a short hash of the title.

    >>> episode_slug(Path("news/damascus-to-moscow.txt"), "من دمشق")
    'damascus-to-moscow'
    >>> episode_slug(Path("مقال.txt"), "من دمشق إلى موسكو")
    'mn-dmshq-l-mwskw'
    """
    if source is not None and source.stem.isascii():
        from_name = make_slug(source.stem)
        if _LATIN_WORD.search(from_name):
            return from_name
    from_title = make_slug(title)
    if from_title:
        return from_title
    # surrogatepass: a title that somehow holds a lone surrogate still gets a slug.
    return "episode-" + hashlib.sha256(title.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def episode_guid(slug: str) -> str:
    """A guid that stays the same whenever the same article (slug) is rebuilt."""
    return str(uuid.uuid5(GUID_NAMESPACE, slug))

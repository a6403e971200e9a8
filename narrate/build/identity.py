"""Which episode an article is: its identity, and the slug it is published under.

An episode is its article. The article's identity is its canonical link (the page it declares,
or the address it was fetched from), else its file, resolved (``file:///…``); an article read
from standard input without a link has none. Its source (the file, or the address) is kept too.
The slug is only the episode's handle:

- an article already published (same identity) keeps its episode and its slug, whatever slug
  its file name or title would give now (a better romanisation, an edited title);
- a new article whose slug is taken by another article's episode gets the next free one
  (``-2``, ``-3`` …), and a note says so; ``--slug`` chooses one, and is refused when another
  article has it;
- the episode in the slug's place is the same article when its identity is unknown (published
  by an older narrate without a link, or from standard input) or when it comes from the same
  file with another canonical link (the page moved), if the title is the same or ``--slug``
  names it.

Never is one article's episode silently replaced by another's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from narrate.build.about import article_link
from narrate.errors import ArticleError
from narrate.models import Article
from narrate.publish.store import Origin
from narrate.show import FeedValueError, StoredEpisode, check_link
from narrate.slug import MAX_SLUG_LENGTH


@dataclass(frozen=True)
class Slot:
    """Where a build publishes its article."""

    slug: str
    #: The guid of the episode this build replaces (its own earlier version); None: a new one.
    guid: str | None = None
    #: One line for the producer when the slug is not the one asked for or derived.
    note: str | None = None


def article_origin(source: Path | str, article: Article) -> Origin:
    """The article's identity (its canonical link, else its source) and its source: the
    address it was read from, or its file, resolved (None for standard input)."""
    where: str | None
    if isinstance(source, str):
        try:
            where = check_link(source.strip(), "the article's address")
        except FeedValueError:
            where = None
    elif source == Path("-"):
        where = None
    else:
        where = source.resolve().as_uri()
    return Origin(article_link(article) or where, where)


def choose_slot(
    episodes: Sequence[StoredEpisode],
    origins: Mapping[str, Origin],
    origin: Origin,
    title: str,
    derived: str,
    chosen: str | None,
) -> Slot:
    """The slug ``derived`` (or ``chosen``, the producer's ``--slug``) as the published episodes
    allow it (see the module's rules); ArticleError when ``chosen`` cannot be had."""
    by_slug = {episode.slug: episode for episode in episodes}
    if origin.identity is not None:
        mine = next(
            (slug for slug, known in origins.items() if known.identity == origin.identity), None
        )
        if mine is not None and mine in by_slug:
            if chosen is not None and chosen != mine:
                raise ArticleError(
                    f"this article is already published as {mine!r}; it keeps that slug, "
                    f"since another would publish it twice (to publish it as {chosen!r}, "
                    f"`narrate remove {mine}` first, or build it without --slug)"
                )
            return Slot(mine, by_slug[mine].guid)
    wanted = chosen or derived
    taken = by_slug.get(wanted)
    if taken is None:
        return Slot(wanted)
    known = origins.get(wanted, Origin())
    if same_article(taken, known, origin, title, chosen=chosen is not None):
        return Slot(wanted, taken.guid)
    if chosen is not None:
        raise ArticleError(
            f"the slug {chosen!r} is taken by another article's episode ({taken.title!r}); "
            f"choose another --slug, or `narrate remove {chosen}` first"
        )
    free = _next_free(wanted, by_slug)
    return Slot(
        free,
        note=(
            f"Note: the slug {wanted!r} is taken by another article ({taken.title!r}); "
            f"this one is published as {free!r} (--slug chooses another)"
        ),
    )


def same_article(
    episode: StoredEpisode, known: Origin, origin: Origin, title: str, *, chosen: bool
) -> bool:
    """Whether ``episode`` (from ``known``) is the article being built (from ``origin``)."""
    if known.identity is not None and known.identity == origin.identity:
        return True
    confirmed = chosen or " ".join(episode.title.split()) == " ".join(title.split())
    if known.identity is not None and origin.identity is not None:
        # Two articles, unless the same file now declares another link (the page moved).
        return known.source is not None and known.source == origin.source and confirmed
    # One is unknown: the producer's --slug, or the same title, says it is the same.
    return confirmed


def _next_free(slug: str, taken: Mapping[str, object]) -> str:
    """``slug-2``, ``slug-3`` …: the first not taken, no longer than a slug may be.

    >>> _next_free("news", {"news": 1, "news-2": 1})
    'news-3'
    """
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = slug[: MAX_SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1

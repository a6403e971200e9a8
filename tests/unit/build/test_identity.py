"""An article's identity and the slot (slug) it is published in: never another article's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from narrate.build.identity import Slot, article_origin, choose_slot
from narrate.errors import ArticleError
from narrate.models import Article, Segment
from narrate.publish.store import Origin
from narrate.show import StoredEpisode

DAY1 = Origin("file:///news/day1/article.txt", "file:///news/day1/article.txt")
DAY2 = Origin("file:///news/day2/article.md", "file:///news/day2/article.md")
PAGE = Origin("https://news.example/port?id=1", "file:///news/port.html")
MOVED = Origin("https://news.example/port-2?id=1", "file:///news/port.html")
RESAVED = Origin("https://news.example/weather?id=9", "file:///news/port.html")


def stored(slug: str, title: str) -> StoredEpisode:
    return StoredEpisode(
        slug=slug,
        guid=f"urn:{slug}",
        title=title,
        description="",
        published=datetime(2026, 11, 1, tzinfo=UTC),
        duration_seconds=10,
        file_name=f"{slug}.mp3",
        file_size=100,
        engine="espeak",
    )


SHOW = [stored("article", "اجتماع المجلس"), stored("article-2", "نشرة الطقس")]


def test_the_origin_is_the_canonical_link_else_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    plain = Article("خبر", (Segment(None, ("نص",)),))
    assert article_origin(path, plain) == Origin(path.resolve().as_uri(), path.resolve().as_uri())
    linked = Article("خبر", (), link="https://news.example/a#top")
    assert article_origin(path, linked) == Origin("https://news.example/a", path.resolve().as_uri())
    assert article_origin(Path("-"), plain) == Origin()
    address = "https://news.example/b"
    assert article_origin(address, plain) == Origin(address, address)


@pytest.mark.parametrize(
    ("origin", "title", "derived", "chosen", "slot"),
    [
        # A new article under a free slug, and one under a taken slug: the next free one.
        (DAY2, "نشرة الطقس", "weather", None, Slot("weather")),
        (DAY2, "نشرة الطقس", "article", None, Slot("article-2")),
        # The same article (its identity), edited: its own slot, whatever slug it gives now.
        (DAY1, "عنوان جديد", "unwan-jadid", None, Slot("article", "urn:article")),
        (DAY1, "عنوان جديد", "unwan-jadid", "article", Slot("article", "urn:article")),
        # --slug: a free one, or refused when it is another article's.
        (DAY2, "نشرة الطقس", "article", "weather", Slot("weather")),
    ],
)
def test_a_slot_is_chosen_by_the_article(
    origin: Origin, title: str, derived: str, chosen: str | None, slot: Slot
) -> None:
    show = [stored("article", "اجتماع المجلس")]
    found = choose_slot(show, {"article": DAY1}, origin, title, derived, chosen)
    assert (found.slug, found.guid) == (slot.slug, slot.guid)
    assert (found.note is not None) == (slot.slug == "article-2")


def test_the_note_says_which_slug_was_taken_and_which_was_given() -> None:
    slot = choose_slot(SHOW, {"article": DAY1, "article-2": DAY2}, DAY1, "x", "article", None)
    assert slot == Slot("article", "urn:article")
    third = Origin("file:///news/day3/article.txt", "file:///news/day3/article.txt")
    slot = choose_slot(SHOW, {"article": DAY1, "article-2": DAY2}, third, "ث", "article", None)
    assert slot.slug == "article-3" and slot.guid is None
    assert slot.note is not None and "'article'" in slot.note and "'article-3'" in slot.note


def test_slug_never_takes_another_articles_place_nor_moves_an_article() -> None:
    origins = {"article": DAY1, "article-2": DAY2}
    third = Origin("file:///news/day3/article.txt", "file:///news/day3/article.txt")
    with pytest.raises(ArticleError, match=r"'article' is taken by another article"):
        choose_slot(SHOW, origins, third, "أسعار", "article", "article")
    with pytest.raises(ArticleError, match=r"already published as 'article-2'"):
        choose_slot(SHOW, origins, DAY2, "نشرة الطقس", "article", "weather")


def test_an_episode_of_unknown_origin_is_the_same_article_by_its_title_or_by_slug() -> None:
    """Published by an older narrate without a link, or from standard input."""
    show = [stored("article", "اجتماع المجلس")]
    unknown = {"article": Origin()}
    assert choose_slot(show, unknown, DAY1, "اجتماع  المجلس", "article", None) == Slot(
        "article", "urn:article"
    )
    other = choose_slot(show, unknown, DAY2, "نشرة الطقس", "article", None)
    assert other.slug == "article-2" and other.note
    assert choose_slot(show, unknown, DAY2, "نشرة الطقس", "x", "article") == Slot(
        "article", "urn:article"
    )
    # From standard input (no origin) onto an episode of a known article: only by title.
    assert choose_slot(show, {"article": DAY1}, Origin(), "نشرة", "article", None).slug == (
        "article-2"
    )


def test_a_page_whose_link_moved_is_the_same_article_a_resaved_file_is_not() -> None:
    show = [stored("port", "الميناء يستأنف العمل")]
    origins = {"port": PAGE}
    assert choose_slot(show, origins, MOVED, "الميناء يستأنف العمل", "port", None) == Slot(
        "port", "urn:port"
    )
    assert choose_slot(show, origins, MOVED, "عنوان آخر", "port", "port") == Slot(
        "port", "urn:port"
    )
    resaved = choose_slot(show, origins, RESAVED, "نشرة الطقس", "port", None)
    assert resaved.slug == "port-2" and resaved.guid is None


def test_the_next_free_slug_is_no_longer_than_a_slug() -> None:
    long = "a" * 59 + "b"
    slot = choose_slot([stored(long, "x")], {long: DAY1}, DAY2, "y", long, None)
    assert slot.slug == "a" * 58 + "-2" and len(slot.slug) == 60

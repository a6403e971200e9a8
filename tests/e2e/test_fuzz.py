"""Property tests over the article reader, the text preparation, the feed writer, slugs and the
speech cache (issue 7).

In the suite each property tries ``NARRATE_FUZZ_EXAMPLES`` inputs (25 by default);
``scripts/fuzz`` runs the same properties for minutes and reports how many inputs were tried
and how many crashed. :data:`TRIED` counts the inputs each property was given.
"""

from __future__ import annotations

import atexit
import io
import os
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import podcastparser
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from narrate.cache import Cache
from narrate.errors import ArticleError
from narrate.models import Article, TextNeeds
from narrate.publish.feed import render_feed
from narrate.read.article import FORMATS, detect_format, parse_article, read_article
from narrate.show import ShowSettings, StoredEpisode, clean_text
from narrate.slug import episode_slug, make_slug
from narrate.text.lexicon import Lexicon
from narrate.text.normalise import REMOVED_CHARS, normalize, split_chunks
from narrate.text.script import write_script

EXAMPLES = int(os.environ.get("NARRATE_FUZZ_EXAMPLES", "25"))
#: How many inputs each property has been given in this process.
TRIED: Counter[str] = Counter()

fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# -- strategies: text that looks like what newsrooms paste, and what attackers paste ------

PIECES = [
    "خبر", "عاجل", "المجلس", "البلدي", "ناقش", "الميزانية", "في", "من", "إلى",
    "١٢٣", "18%", "2024", "08:30", "$5", "د.", "أ.",
    "،", "؛", "؟", ".", "!", "…", ":", "«", "»", '"', "(", ")", "-", "—",
    " ", " ", " ", "\n", "\n\n", "\r\n", "\t", "\u00a0", "\u200f", "\u202e", "\u2066",
    "\u0640", "\u064b", "\u0651", "\x00", "\x1b", "\x7f", "\ufeff", "\ufffe", "\ud800",
    "&", "<", ">", "]]>", "&amp;", "<p>", "</p>", "<h2>", "</h2>", "<script>", "<!--", "-->",
    "<!DOCTYPE html>", "<html>", "# ", "## ", "---\n", "title: ", "**", "[رابط](http://x)",
    "اقرأ أيضا", "شارك", "المصدر:", "بقلم", "2025/03/14", "Reuters", "AI", "G20",
]  # fmt: skip

fragments = st.one_of(
    st.sampled_from(PIECES),
    st.text(max_size=6),
    st.text(alphabet=st.characters(min_codepoint=0x600, max_codepoint=0x6FF), max_size=12),
)
articles_text = st.lists(fragments, max_size=80).map("".join)
titles = st.one_of(st.text(max_size=120), articles_text.map(lambda t: t[:200]))


def _check_article(article: Article) -> None:
    assert article.title.strip() == article.title != ""
    for segment in article.segments:
        for paragraph in segment.paragraphs:
            assert paragraph.strip() == paragraph != ""


# -- the article reader ------------------------------------------------------------------


@fuzz
@given(text=articles_text, fmt=st.sampled_from(FORMATS))
def test_the_reader_returns_an_article_or_an_article_error(text: str, fmt: str) -> None:
    TRIED["reader: text in each format"] += 1
    assume("\ud800" not in text or fmt != "html")  # str with a lone surrogate: not from bytes
    try:
        article = parse_article(text, fmt)
    except ArticleError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    _check_article(article)


@fuzz
@given(
    data=st.one_of(
        st.binary(max_size=600),
        articles_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
        articles_text.map(lambda t: t.encode("utf-16", "surrogatepass")),
        articles_text.map(lambda t: t.encode("cp1256", "replace")),
    ),
    suffix=st.sampled_from([".txt", ".md", ".html", ".htm", "", ".bin"]),
)
def test_reading_any_bytes_gives_an_article_or_one_line_error(data: bytes, suffix: str) -> None:
    TRIED["reader: raw bytes from a file"] += 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "article" + suffix)
        path.write_bytes(data)
        try:
            article = read_article(path)
        except ArticleError as exc:
            message = str(exc)
            assert message and "\n" not in message and "Traceback" not in message
            return
    _check_article(article)


@fuzz
@given(name=st.text(max_size=30), head=articles_text)
def test_format_detection_always_answers(name: str, head: str) -> None:
    TRIED["reader: format detection"] += 1
    assert detect_format(name, head) in FORMATS


# -- text preparation --------------------------------------------------------------------


@fuzz
@given(text=articles_text, max_chars=st.integers(min_value=20, max_value=500))
def test_prepared_chunks_fit_the_engine_and_keep_every_word(text: str, max_chars: int) -> None:
    TRIED["text: normalise and chunk"] += 1
    prepared = normalize(text)
    assert not set(prepared) & set(REMOVED_CHARS)
    chunks = split_chunks(prepared, max_chars)
    assert all(0 < len(chunk) <= max_chars for chunk in chunks), chunks
    assert all(chunk.strip() == chunk for chunk in chunks)
    assert "".join("".join(chunks).split()) == "".join(prepared.split())


@fuzz
@given(text=articles_text, show=titles)
def test_a_whole_script_for_gtts_is_chunks_google_accepts(text: str, show: str) -> None:
    TRIED["text: whole script (gtts)"] += 1
    assume(show.strip())
    try:
        article = parse_article(text)
    except ArticleError:
        return
    script = write_script(article, show, TextNeeds(max_chars=100, diacritics=False), LEXICON)
    for chunk in script.chunks():
        assert 0 < len(chunk) <= 100 and chunk.strip() == chunk
        assert not re.search(r"[0-9٠-٩]", chunk), chunk  # numbers are words by now


LEXICON = Lexicon.default()

# -- the feed writer ---------------------------------------------------------------------

slugs = st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}", fullmatch=True)


@st.composite
def episodes(draw: st.DrawFn) -> list[StoredEpisode]:
    count = draw(st.integers(min_value=1, max_value=4))
    chosen = draw(st.lists(slugs, min_size=count, max_size=count, unique=True))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        StoredEpisode(
            slug=slug,
            guid=f"guid-{slug}",
            title=draw(titles.filter(lambda t: bool(t.strip()))),
            description=draw(st.one_of(articles_text, st.text(max_size=5000))),
            published=start + timedelta(minutes=draw(st.integers(0, 10**6))),
            duration_seconds=draw(st.integers(0, 10**5)),
            file_name=f"{slug}.mp3",
            file_size=draw(st.integers(1, 10**9)),
            engine=draw(st.text(max_size=30)),
        )
        for slug in chosen
    ]


@settings(fuzz, max_examples=max(EXAMPLES // 2, 10))
@given(items=episodes(), show=titles.filter(lambda t: bool(t.strip())))
def test_the_feed_always_parses_and_keeps_every_title(
    items: list[StoredEpisode], show: str
) -> None:
    TRIED["feed: render and parse"] += 1
    settings_ = ShowSettings(title=show, base_url="https://podcasts.example.org/a&b/")
    data = render_feed(items, settings_, now=datetime(2026, 11, 20, tzinfo=UTC))
    root = ET.fromstring(data)
    assert root.findtext("channel/title") == clean_text(show)
    found = {i.findtext("guid"): i.findtext("title") for i in root.iter("item")}
    assert found == {e.guid: clean_text(e.title) for e in items}
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.bozo_exception
    assert len(parsed.entries) == len(items)
    podcast = podcastparser.parse("https://podcasts.example.org/feed.xml", io.BytesIO(data))
    assert len(podcast["episodes"]) == len(items)


def test_a_lone_surrogate_in_a_description_is_dropped() -> None:
    """A JSON store can hold "\\ud800"; the feed must drop it, not crash on it (the feed
    writer of commit 69277cc clipped the description, encoding it, before cleaning it)."""
    episode = StoredEpisode(
        slug="a", guid="guid-a", title="خبر", description="نص\ud800",
        published=datetime(2026, 1, 1, tzinfo=UTC), duration_seconds=1, file_name="a.mp3",
        file_size=1, engine="espeak",
    )  # fmt: skip
    show = ShowSettings(title="عرض", base_url="https://podcasts.example.org/")
    data = render_feed([episode], show, now=datetime(2026, 11, 20, tzinfo=UTC))
    assert ET.fromstring(data).findtext("channel/item/description") == "نص"


# -- slugs -------------------------------------------------------------------------------

SLUG = re.compile(r"(?:[a-z0-9]+(?:-[a-z0-9]+)*)?")


@fuzz
@given(text=st.one_of(titles, st.sampled_from(["../..", "/etc/passwd", "..\\x", "~root", "."])))
def test_slugs_are_plain_ascii_names_inside_the_output_folder(text: str) -> None:
    TRIED["slug: make_slug and episode_slug"] += 1
    slug = make_slug(text)
    assert SLUG.fullmatch(slug) and len(slug) <= 60, slug
    file_name = text.replace("/", "_").replace("\x00", "") + ".txt"
    # A title is decoded text: it never holds a lone surrogate (a file name may).
    title = text.encode("utf-8", "replace").decode("utf-8") or "x"
    name = episode_slug(Path("articles", file_name), title)
    assert SLUG.fullmatch(name) and name, name
    output = Path("/srv/output")
    assert (output / f"{name}.mp3").resolve().parent == output


# -- the speech cache --------------------------------------------------------------------

_CACHE_ROOT = Path(tempfile.mkdtemp(prefix="narrate-fuzz-cache-"))
atexit.register(shutil.rmtree, _CACHE_ROOT, ignore_errors=True)


@fuzz
@given(
    pcm=st.binary(min_size=2, max_size=400).filter(lambda b: len(b) % 2 == 0),
    cut=st.integers(min_value=0),
    flip=st.integers(min_value=0),
    bit=st.integers(min_value=0, max_value=7),
)
def test_a_damaged_cache_entry_is_never_returned(pcm: bytes, cut: int, flip: int, bit: int) -> None:
    TRIED["cache: damaged entries"] += 1
    cache = Cache(_CACHE_ROOT)
    key = f"{TRIED['cache: damaged entries']:064x}"
    cache.store(key, pcm, 22050)
    path = cache.path_for(key)
    whole = path.read_bytes()
    assert cache.load(key, 22050) == pcm

    path.write_bytes(whole[: cut % len(whole)])  # truncated anywhere
    assert cache.load(key, 22050) is None
    assert not path.exists()  # and deleted

    at = flip % len(whole)
    path.write_bytes(whole[:at] + bytes([whole[at] ^ (1 << bit)]) + whole[at + 1 :])
    assert cache.load(key, 22050) is None  # any one bit flipped
    assert cache.load(key, 44100) is None  # never at another rate

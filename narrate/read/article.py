r"""Read an article from a file or standard input: size limit, format, decoding, segmentation.

This is the entry point of the reading stage; the work is done in :mod:`narrate.read`:

- the **format** is ``text``, ``markdown`` or ``html``: given by the caller (``--format``), else
  known from the file's extension (:data:`EXTENSIONS`), else sniffed from its first bytes (an
  HTML doctype or many tags is HTML; ``#`` headings or front matter is Markdown; anything else is
  text). A ``.txt`` file that starts like an HTML page is HTML: browsers save pages that way;
- the **size limit** is :data:`MAX_ARTICLE_BYTES` (5 MB) of input, for files and standard input
  alike, checked before anything is decoded, so a wrong file never reaches synthesis. A news
  article is 10-100 kB of text and its page rarely passes 2 MB;
- **decoding** (:mod:`~narrate.read.decoding`): UTF-8 with or without BOM, UTF-16/32 with BOM,
  Arabic Windows-1256, and for HTML the charset the page declares;
- every failure is an :class:`~narrate.errors.ArticleError` whose one-line message names the file
  (or "standard input");
- a **URL** (``http://`` or ``https://``) is fetched (:mod:`~narrate.read.fetch`: a time limit, a
  size limit, few redirects, the header's charset) and read as HTML. Its ``link`` is the page's
  canonical address, its ``site`` the host's name unless the page names itself; a page with less
  than :data:`MIN_PAGE_LETTERS` Arabic letters left (a consent wall, a paywall) is refused.
"""

from __future__ import annotations

import logging
import re
import stat
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from narrate.errors import ArticleError
from narrate.models import Article
from narrate.read.cleaning import JUNK_LINES, READ_ALSO_PREFIXES, normalise_line, strip_invisible
from narrate.read.decoding import byte_order_mark, decode_article
from narrate.read.fetch import FETCH_TIMEOUT, canonical_url, fetch_page, is_url
from narrate.read.plain import parse_text, segment_text

logger = logging.getLogger(__name__)

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "JUNK_LINES",
    "MAX_ARTICLE_BYTES",
    "MIN_PAGE_LETTERS",
    "READ_ALSO_PREFIXES",
    "STDIN",
    "detect_format",
    "normalise_line",
    "parse_article",
    "parse_html",
    "parse_markdown",
    "parse_text",
    "read_article",
    "read_url",
]

#: The article formats, as ``--format`` names them.
FORMATS: tuple[str, ...] = ("text", "markdown", "html")

#: Inputs bigger than this are refused before they are decoded.
MAX_ARTICLE_BYTES = 5_000_000

#: A fetched page with fewer Arabic letters than this in its body (about 230 characters of text:
#: a news brief of three short sentences has more) is a consent wall or a paywall's teaser.
MIN_PAGE_LETTERS = 180

#: The path that means "read standard input".
STDIN = Path("-")

#: File extensions (lower case) and the format each names.
EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}


def segment_markdown(text: str) -> Article | None:
    """:func:`narrate.read.markdown.segment_markdown`, imported when first needed."""
    from narrate.read.markdown import segment_markdown as segment

    return segment(text)


def segment_html(text: str, url: str | None = None) -> Article | None:
    """:func:`narrate.read.html.segment_html`, imported when first needed (BeautifulSoup
    takes a tenth of a second to import; most articles are plain text). ``url``: the address a
    fetched page came from."""
    from narrate.read.html import segment_html as segment

    return segment(text, url)


def parse_markdown(text: str) -> Article:
    """:func:`narrate.read.markdown.parse_markdown`, imported when first needed."""
    from narrate.read.markdown import parse_markdown as parse

    return parse(text)


def parse_html(text: str) -> Article:
    """:func:`narrate.read.html.parse_html`, imported when first needed."""
    from narrate.read.html import parse_html as parse

    return parse(text)


_SEGMENTERS: dict[str, Callable[[str], Article | None]] = {
    "text": segment_text,
    "markdown": segment_markdown,
    "html": segment_html,
}

#: How far into the input the format is sniffed.
SNIFF_CHARS = 8192
#: This many HTML tags in the sniffed start make an unnamed input HTML.
HTML_MIN_TAGS = 5
_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)
_HTML_TAG = re.compile(
    r"</?(?:html|head|body|p|div|span|a|h[1-6]|article|section|main|ul|ol|li|br|meta|title)\b[^<>]*>",
    re.I,
)
_MARKDOWN_SIGNS = re.compile(
    r"\A(?:---|\+\+\+)[ \t]*\n[A-Za-z_][\w-]*\s*[:=]"  # front matter
    r"|^#{1,6}[ \t]+\S"  # an ATX heading
    r"|^\S.*\n={3,}[ \t]*$",  # a setext title (a "---" line is as often a plain-text divider)
    re.M,
)


def detect_format(name: str, head: str) -> str:
    """The format of an input called ``name`` (a file name, or "" for standard input) whose
    text starts with ``head``.

    >>> detect_format("news.md", "")
    'markdown'
    >>> detect_format("saved.txt", "<!DOCTYPE html><html><body>")
    'html'
    >>> detect_format("", "# العنوان\\n\\nالنص.")
    'markdown'
    >>> detect_format("", "<p>نص</p><p>نص</p><p>نص</p>")
    'html'
    >>> detect_format("article", "العنوان\\n\\nالنص.")
    'text'
    """
    head = "\n".join(head[:SNIFF_CHARS].splitlines())
    by_extension = EXTENSIONS.get(Path(name).suffix.lower()) if name else None
    if _HTML_START.match(head):
        return "html" if by_extension in (None, "text", "html") else by_extension
    if by_extension is not None:
        return by_extension
    if len(_HTML_TAG.findall(head)) >= HTML_MIN_TAGS:
        return "html"
    if _MARKDOWN_SIGNS.search(head):
        return "markdown"
    return "text"


def parse_article(text: str, fmt: str = "text") -> Article:
    """Segment an article's text in the given format.

    Raises :class:`ArticleError` when the format is unknown or nothing is left to speak.
    """
    article = _segmenter(fmt)(text)
    if article is None:
        raise ArticleError("the article has no text to speak once page junk is removed")
    return article


def _segmenter(fmt: str) -> Callable[[str], Article | None]:
    try:
        return _SEGMENTERS[fmt]
    except KeyError:
        raise ArticleError(
            f"unknown article format {fmt!r}: choose one of {', '.join(FORMATS)}"
        ) from None


def _megabytes(size: int) -> str:
    """``5_000_000`` -> ``'5 MB'``."""
    return f"{size / 1_000_000:g} MB"


def _read_stdin(name: str) -> bytes:
    """Standard input's bytes, up to one past the size limit."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise ArticleError(f"{name} is not available")
    try:
        data: bytes = stream.read(MAX_ARTICLE_BYTES + 1)
    except OSError as exc:
        raise ArticleError(f"cannot read {name}: {exc.strerror or exc}") from exc
    except ValueError as exc:  # a closed stream
        raise ArticleError(f"cannot read {name}: {exc}") from exc
    if len(data) > MAX_ARTICLE_BYTES:
        raise ArticleError(f"{name} is too large (over {_megabytes(MAX_ARTICLE_BYTES)})")
    return data


def _read_file(path: Path) -> bytes:
    """The file's bytes, refusing missing files, directories, unreadable and oversized files."""
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise ArticleError(f"article not found: {path}") from exc
    except PermissionError as exc:
        raise ArticleError(f"cannot read article {path}: permission denied") from exc
    except OSError as exc:
        raise ArticleError(f"cannot read article {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:  # e.g. a NUL character in the path
        raise ArticleError(f"cannot read article {path!r}: {exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise ArticleError(f"article {path} is a directory, not a file")
    too_large = f"article {path} is too large (over {_megabytes(MAX_ARTICLE_BYTES)})"
    if info.st_size > MAX_ARTICLE_BYTES:
        raise ArticleError(too_large)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_ARTICLE_BYTES + 1)
    except PermissionError as exc:
        raise ArticleError(f"cannot read article {path}: permission denied") from exc
    except IsADirectoryError as exc:
        raise ArticleError(f"article {path} is a directory, not a file") from exc
    except OSError as exc:
        raise ArticleError(f"cannot read article {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_ARTICLE_BYTES:
        raise ArticleError(too_large)
    return data


def _head(data: bytes) -> str:
    """The input's first characters, decoded well enough to sniff its format."""
    marked = byte_order_mark(data)
    codec = marked[0] if marked else "utf-8"
    return data[: 4 * SNIFF_CHARS].decode(codec, errors="replace")


_ARABIC_LETTER = re.compile("[\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f]")


def has_arabic(article: Article) -> bool:
    """Whether any heading or paragraph of ``article`` has an Arabic letter."""
    texts = [article.title]
    for segment in article.segments:
        texts += [segment.heading or "", *segment.paragraphs]
    return any(_ARABIC_LETTER.search(text) for text in texts)


def _arabic_letters(article: Article) -> int:
    """How many Arabic letters the article's headings and paragraphs hold (not its title)."""
    texts = [t for s in article.segments for t in (s.heading or "", *s.paragraphs)]
    return sum(len(_ARABIC_LETTER.findall(text)) for text in texts)


def _site_name(url: str) -> str | None:
    """A site's name from its address, when the page names none: ``www.example.org`` ->
    ``example.org``."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if not host:
        return None
    try:
        return host.encode("ascii").decode("idna") if host.isascii() else host
    except UnicodeError:
        return host


def read_url(url: str, fmt: str | None = None, *, timeout: float = FETCH_TIMEOUT) -> Article:
    """Fetch the page at ``url`` and read its article as HTML (:func:`read_article` on a URL)."""
    if fmt not in (None, "html"):
        _segmenter(fmt)  # an unknown format is named as such
        raise ArticleError(f"{url} is fetched as a web page: --format {fmt} does not apply to it")
    page = fetch_page(url, timeout=timeout)
    name = f"the page at {url}"
    if not page.content_type and detect_format("", page.text) != "html":
        raise ArticleError(f"{url} is not a web page: it sends no Content-Type and is not HTML")
    if not strip_invisible(page.text).strip():
        raise ArticleError(f"{name} is empty")
    try:
        article = segment_html(page.text, page.final_url)
    except ArticleError as exc:
        raise ArticleError(f"{name}: {exc}") from exc
    letters = 0 if article is None else _arabic_letters(article)
    if article is None or letters < MIN_PAGE_LETTERS:
        raise ArticleError(
            f"{name} has too little text to be an article ({letters} Arabic letters; "
            "a consent or paywall page?)"
        )
    article = replace(
        article,
        link=article.link or canonical_url(page.text, page.final_url),
        site=article.site or _site_name(page.final_url),
    )
    logger.debug("read %s: %r, %d segments", page.final_url, article.title, len(article.segments))
    return article


def read_article(
    source: Path | str, fmt: str | None = None, *, timeout: float = FETCH_TIMEOUT
) -> Article:
    """Read, decode and segment the article in ``source`` (``Path("-")``: standard input; an
    ``http(s)://`` address: the web page there, see :func:`read_url`).

    ``fmt`` is one of :data:`FORMATS`, or None to tell the format from the file's extension and
    content. Raises :class:`ArticleError`, with a one-line message naming the file, when it is
    missing, a directory, unreadable, too large, empty, blank, binary or not text in a known
    encoding, or when nothing but page junk is in it. ``timeout`` bounds a URL's fetch, seconds.
    """
    if isinstance(source, str):
        if is_url(source):
            return read_url(source, fmt, timeout=timeout)
        source = Path(source)
    from_stdin = source == STDIN
    name = "standard input" if from_stdin else f"article {source}"
    if fmt is not None:
        _segmenter(fmt)  # an unknown format is refused before anything is read
    data = _read_stdin(name) if from_stdin else _read_file(source)
    if not data:
        raise ArticleError(f"{name} is empty")
    fmt = fmt or detect_format("" if from_stdin else source.name, _head(data))
    text = decode_article(data, name, html=fmt == "html")
    if not strip_invisible(text).strip():
        raise ArticleError(f"{name} contains only whitespace")
    try:
        article = _SEGMENTERS[fmt](text)
    except ArticleError as exc:
        raise ArticleError(f"{name}: {exc}") from exc
    if article is None:
        raise ArticleError(f"{name} has no text to speak once page junk is removed")
    logger.debug("read %s as %s: %r, %d segments", name, fmt, article.title, len(article.segments))
    return article

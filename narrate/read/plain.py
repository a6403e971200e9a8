r"""Plain-text article -> :class:`~narrate.models.Article`: page junk, metadata, title, segments.

Plain text carries no markup, so the reader works from the *shape* of the text, never from one
article's words:

1. **normalise** every line (odd spaces become one space, invisible characters go);
2. **drop page junk** (:mod:`~narrate.read.cleaning`): junk phrases, "read also" links,
   breadcrumbs, short lines repeated back to back, lines without a letter or digit;
3. **read metadata**: byline and date lines near the top give the author and publication date
   (:mod:`~narrate.read.metadata`) and leave the body;
4. **split into blocks**: runs of non-blank lines, also cut after a line that ends a sentence
   (web copy often has no blank lines at all, one paragraph per line);
5. **take the title**: the first short line, or else the first sentence of the first paragraph;
6. **find headings**: a short line with no sentence-final punctuation, followed by body text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from narrate.errors import ArticleError
from narrate.models import Article, Segment
from narrate.read.cleaning import (
    TEASER_MAX_WORDS,
    drop_foreign_lines,
    drop_junk_lines,
    drop_junk_runs,
    drop_repeated_lines,
    fold,
    is_section_label,
    is_short_line,
    normalise_line,
    strip_trailer,
)
from narrate.read.metadata import (
    looks_like_name,
    parse_author_line,
    parse_date_line,
    parse_metadata_line,
    strip_leading_dateline,
    take_metadata_lines,
)

logger = logging.getLogger(__name__)

__all__ = [
    "NOT_HEADING_FINAL",
    "ends_sentence",
    "is_heading_line",
    "parse_text",
    "segment_text",
    "title_from_paragraph",
]

#: Titles may run longer than headings.
TITLE_MAX_WORDS = 24
TITLE_MAX_CHARS = 160
#: A title taken from the first sentence of a paragraph is cut to this many words.
DERIVED_TITLE_WORDS = 12
#: A first sentence this long or shorter is the whole title, and is not spoken again after it.
WHOLE_SENTENCE_TITLE_WORDS = 40
#: A section label above the headline has at most this many words; the headline at least
#: ``HEADLINE_MIN_WORDS``.
LABEL_MAX_WORDS = 2
HEADLINE_MIN_WORDS = 4
#: The first line of a multi-line block is a heading only when it is at most this fraction of the
#: block's longest other line; the first line of a hard-wrapped paragraph is full width.
HEADING_WIDTH_RATIO = 0.6

#: Line endings that close a sentence: the next line starts a new paragraph.
SENTENCE_FINAL = ".!?؟…"
#: Line endings a heading cannot have; a question mark is allowed (a question heading).
NOT_HEADING_FINAL = ".!…،؛:;,—–-"
_SENTENCE_FINAL_MARKS = frozenset(SENTENCE_FINAL)
_NOT_HEADING_FINAL_MARKS = frozenset(NOT_HEADING_FINAL)
#: Closing quotes and brackets are looked through when reading a line's last mark.
_CLOSERS = "\"'»”’)]}›"
#: A sentence ends at one full stop (not "..", which Arabic writers use as a dash), or at a run
#: of ! ? ؟, before a space or the end of the text.
_SENTENCE_END = re.compile(r"(?:(?<!\.)\.(?!\.)|[!?؟]+)[\"'»”’)\]]*(?=\s|$)")

Block = tuple[str, ...]


def last_mark(line: str) -> str:
    """The line's last character, looking through closing quotes and brackets."""
    stripped = line.rstrip(_CLOSERS + " ")
    return stripped[-1] if stripped else ""


def ends_sentence(line: str) -> bool:
    """Whether the line ends with sentence-final punctuation (. ! ? ؟ …).

    >>> ends_sentence("وانتهى الاجتماع.")
    True
    >>> ends_sentence('قال: "انتهى الأمر!"')
    True
    >>> ends_sentence("حلب.. قبل الحرب")
    False
    """
    return last_mark(line) in _SENTENCE_FINAL_MARKS


def split_blocks(lines: Iterable[str]) -> list[Block]:
    """Runs of non-blank lines, each also cut after a line that ends a sentence.

    >>> split_blocks(["أ", "ب.", "ج", "", "", "د"])
    [('أ', 'ب.'), ('ج',), ('د',)]
    """
    blocks: list[Block] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        if current and (not line or ends_sentence(line)):
            blocks.append(tuple(current))
            current = []
    return blocks


def is_heading_line(line: str) -> bool:
    """Whether a line can be a heading: short, has a letter, no sentence-final punctuation.

    A question mark may end it (a question heading); a colon inside it is fine.

    >>> is_heading_line("سقوط حلب")
    True
    >>> is_heading_line("هل انتهت الحرب؟")
    True
    >>> is_heading_line("أولاً: الخلفية")
    True
    >>> is_heading_line("١- البداية")
    True
    >>> is_heading_line("وقال المتحدث:")
    False
    >>> is_heading_line("انتهى الاجتماع.")
    False
    """
    return (
        is_short_line(line)
        and any(c.isalpha() for c in line)
        and last_mark(line) not in _NOT_HEADING_FINAL_MARKS
    )


def _first_line_stands_out(block: Block) -> bool:
    """Whether a block's first line is much shorter than its body (not a hard-wrapped paragraph)."""
    longest_body = max(len(line) for line in block[1:])
    return len(block[0]) <= HEADING_WIDTH_RATIO * longest_body


#: A list item, not a heading: a bullet, or "label: figure" ("المستقلون: 13 مقعدًا").
_LIST_ITEM = re.compile(r"^(?:[-•*·▪◦–]\s|[^:：]{1,40}[:：]\s*[\d٠-٩])")


def is_list_item(line: str) -> bool:
    """Whether a line is an item of a list rather than a heading.

    >>> is_list_item("المستقلون: 13 مقعدًا")
    True
    >>> is_list_item("- زيادة الرواتب")
    True
    >>> is_list_item("أولاً: الخلفية")
    False
    """
    return bool(_LIST_ITEM.match(line))


def opens_with_heading(block: Block) -> bool:
    """Whether the block is a heading line alone, or a heading line over its body."""
    if not is_heading_line(block[0]) or is_list_item(block[0]):
        return False
    return len(block) == 1 or _first_line_stands_out(block)


def headed_blocks(blocks: Sequence[Block]) -> list[bool]:
    """For each block, whether its first line is a heading.

    A heading alone in its block needs body text after it: before another heading, or at the
    end of the article, it is an ordinary paragraph.

    >>> headed_blocks([("القسم",), ("نص.",), ("فرعي",), ("آخر",), ("نص.",), ("النهاية",)])
    [True, False, False, True, False, False]
    """
    opens = [opens_with_heading(block) for block in blocks]
    return [
        opens[i] and (len(block) > 1 or (i + 1 < len(blocks) and not opens[i + 1]))
        for i, block in enumerate(blocks)
    ]


def title_from_paragraph(paragraph: str, max_words: int = DERIVED_TITLE_WORDS) -> str:
    """A title from a paragraph's first sentence, cut to ``max_words`` words.

    >>> title_from_paragraph("سقطت حلب في يومين. وانسحب الجيش.")
    'سقطت حلب في يومين'
    >>> title_from_paragraph("حلب.. مدينة تغيرت، ثم تغير كل شيء من حولها في أيام قليلة جدا.")
    'حلب.. مدينة تغيرت، ثم تغير كل شيء من حولها في أيام قليلة…'
    >>> title_from_paragraph("هل انتهت الحرب؟ لا أحد يعرف.")
    'هل انتهت الحرب؟'
    """
    sentence, start = paragraph, 0
    for match in _SENTENCE_END.finditer(paragraph):
        candidate = paragraph[start : match.end()]
        if any(c.isalnum() for c in candidate):
            sentence = candidate
            break
        start = match.end()
    words = sentence.split()
    if len(words) > max_words:
        cut = " ".join(words[:max_words]).rstrip(NOT_HEADING_FINAL + " ")
        return (cut or " ".join(words[:max_words])) + "…"
    return " ".join(words).rstrip(NOT_HEADING_FINAL + " ") or " ".join(words)


def is_title_line(line: str) -> bool:
    """Whether a line can be a title: like a heading, but it may run longer."""
    return (
        is_short_line(line, TITLE_MAX_WORDS, TITLE_MAX_CHARS)
        and any(c.isalpha() for c in line)
        and last_mark(line) not in _NOT_HEADING_FINAL_MARKS
    )


def split_first_sentence(paragraph: str) -> tuple[str, str] | None:
    """A paragraph's first sentence as a title, and the rest of the paragraph; None when the
    sentence is too long to be a title whole.

    >>> split_first_sentence("سقطت حلب في يومين. وانسحب الجيش.")
    ('سقطت حلب في يومين', 'وانسحب الجيش.')
    >>> split_first_sentence("هل انتهت الحرب؟")
    ('هل انتهت الحرب؟', '')
    """
    end = len(paragraph)
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        if any(c.isalnum() for c in paragraph[start : match.end()]):
            end = match.end()
            break
        start = match.end()
    sentence, rest = paragraph[:end].strip(), paragraph[end:].strip()
    if len(sentence.split()) > WHOLE_SENTENCE_TITLE_WORDS:
        return None
    title = sentence.rstrip(NOT_HEADING_FINAL + " ") or sentence
    return title, rest


def _first_line_is_headline(first: Block) -> bool:
    """Whether the first block opens with a headline line (not a sentence taken as the title)."""
    over_list = len(first) > 1 and is_list_item(first[1])  # a headline over summary bullets
    return is_title_line(first[0]) and (
        len(first) == 1 or over_list or _first_line_stands_out(first)
    )


#: A syndication trailer naming the article: "The post <headline> first appeared on <site>."
_POST_TRAILER = re.compile(
    r"^the post\s+(?P<title>\S.{2,200}?)\s+(?:appeared first|first appeared) on\b", re.IGNORECASE
)


def trailer_headline(lines: Iterable[str]) -> str | None:
    """The headline named by a "The post … first appeared on …" trailer, if the text has one.

    >>> trailer_headline(["نص.", "The post سقوط حلب first appeared on الموقع."])
    'سقوط حلب'
    """
    for line in lines:
        match = _POST_TRAILER.match(line)
        if match is not None and is_title_line(match["title"]):
            return match["title"].strip()
    return None


def take_title(blocks: Sequence[Block]) -> tuple[str, list[Block]]:
    """Split off the title: the first line if it is short and unpunctuated, else the first
    sentence of the first paragraph.

    A title taken from the first sentence leaves the paragraph's other sentences, so the
    sentence is not said twice (once in the intro, then in the lead); a first sentence too long
    to be a title is cut, and stays in the paragraph. An article that is nothing but its title
    keeps that line as its only paragraph, so there is something to speak.
    """
    first, rest = blocks[0], list(blocks[1:])
    if _first_line_is_headline(first):
        body = [first[1:], *rest] if len(first) > 1 else rest
        return _without_site_name(first[0]), body or [first]
    if len(first) > 1 and last_mark(first[0]) in ":؛" and not is_list_item(first[0]):
        # A first line that ends on a colon ("…، ومنها:") is the first sentence: the title.
        split = split_first_sentence(first[0])
        if split is not None and split[0]:
            return split[0], [first[1:], *rest]
    paragraph = " ".join(first)
    split = split_first_sentence(paragraph)
    if split is None:
        return title_from_paragraph(paragraph), list(blocks)
    title, remainder = split
    body = [(remainder,), *rest] if remainder else rest
    return title, body or [first]


#: "Headline | Site": a page's <title> copied with the site's name after a bar.
_SITE_SUFFIX = re.compile(r"\s+[|｜]\s+(?P<site>[^|｜]+)$")
_SITE_MAX_WORDS = 4


def _without_site_name(title: str) -> str:
    """A headline without the site's name after a bar ("الخبر | الموقع").

    >>> _without_site_name("المجلس البلدي يقر خطة التشجير | جريدة المدينة")
    'المجلس البلدي يقر خطة التشجير'
    """
    match = _SITE_SUFFIX.search(title)
    if match is None or len(match["site"].split()) > _SITE_MAX_WORDS:
        return title
    head = title[: match.start()].strip()
    return head if len(head.split()) >= 3 else title


def _is_label_like(line: str) -> bool:
    """A line of one or two words that could be a menu item or a section's name."""
    return len(line.split()) <= LABEL_MAX_WORDS and is_heading_line(line)


def _opens_article(line: str) -> bool:
    """A byline or a date line: what opens the article under its headline."""
    return parse_author_line(line) is not None or parse_metadata_line(line) is not None


def _drop_section_labels(lines: list[str]) -> list[str]:
    """Blank the section labels above the headline ("محليات", "الرئيسية / اقتصاد"): the run of
    known section names and lines of one or two words at the top, when a headline-like line
    follows it; a known section name may stand above a headline of any length ("ثقافة" over a
    two-word headline)."""
    kept = list(lines)
    filled = [i for i, line in enumerate(lines) if line]
    run: list[int] = []
    for i in filled:
        line = lines[i]
        if not (is_section_label(line) or _is_label_like(line)):
            break
        run.append(i)
    following = lines[filled[len(run)]] if len(run) < len(filled) else ""
    headline = bool(following) and is_title_line(following)
    full = headline and len(following.split()) >= HEADLINE_MIN_WORDS
    if full or (headline and run and is_section_label(lines[run[-1]])):
        labels = run
    elif len(run) >= 2 and is_title_line(lines[run[-1]]) and not is_section_label(lines[run[-1]]):
        # The last short line is a short headline under the labels.
        labels = run[:-1] if any(is_section_label(lines[i]) for i in run[:-1]) else []
    else:
        labels = []
    for i in labels:
        logger.debug("dropping section label %r above the headline", lines[i])
        kept[i] = ""
    # A known section name alone on its line near the top, under the headline, is a label too.
    for i in [i for i, line in enumerate(kept) if line][1:TOP_LINES]:
        if is_section_label(kept[i]):
            logger.debug("dropping section label %r near the top", kept[i])
            kept[i] = ""
    return kept


#: Lines near the top searched for a headline the page printed more than once.
TOP_LINES = 12
#: A trailing list of other articles' headlines has at least this many lines.
TRAILING_LIST_MIN = 3


def _is_headline_like(line: str) -> bool:
    return is_title_line(line) and len(line.split()) >= HEADLINE_MIN_WORDS


def _keep_one_headline(lines: list[str], cleaned: list[str]) -> list[str]:
    """``cleaned`` (with repeated lines dropped) with the first copy of a headline that the page
    printed two or more times in a row near the top put back: a headline is not a caption."""
    filled = [i for i, line in enumerate(lines) if line][:TOP_LINES]
    for k, i in enumerate(filled[:-1]):
        line = lines[i]
        if not cleaned[i] and lines[filled[k + 1]] == line and _is_headline_like(line):
            after = next((lines[j] for j in filled[k + 1 :] if lines[j] != line), "")
            if _is_headline_like(after) and not any(c.isdigit() for c in after):
                return cleaned  # a caption printed twice over the headline
            kept = list(cleaned)
            kept[i] = line
            return kept
    return cleaned


#: A photo caption: a name with the photo's source in brackets, "نواف سلام (النهار)".
_CREDITED = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<credit>[^()\d٠-٩]{2,30})\)$")


def _drop_credited_captions(lines: list[str]) -> list[str]:
    """Blank a caption that is a name and its photo's source in brackets. Above the body's first
    paragraph any two to four words count as the name; further down the first must be a common
    given name."""
    kept = list(lines)
    filled = [i for i, line in enumerate(lines) if line]
    body_start = next(
        (k for k, i in enumerate(filled) if not is_short_line(lines[i]) or lines[i][-1] in ".۔"),
        len(filled),
    )
    top = set(filled[: min(body_start, TOP_LINES)])
    for i in filled:
        line = lines[i]
        if not line.endswith(")"):
            continue
        match = _CREDITED.match(line)
        if (
            match is not None
            and len(match["credit"].split()) <= 2
            and looks_like_name(match["name"], known_first=i not in top)
        ):
            logger.debug("dropping a credited caption %r", line)
            kept[i] = ""
    return kept


def _ends_with_date(line: str) -> bool:
    """Whether a line is a label or name with a date after it ("رأي الصحيفة 22 أكتوبر 2025")."""
    words = line.split()
    return any(
        len(words) > count and parse_date_line(" ".join(words[-count:])) is not None
        for count in (1, 2, 3, 4)
    )


#: A sidebar of other articles above the headline has at least this many (label + date,
#: headline) pairs in a row.
SIDEBAR_MIN_PAIRS = 2


def _drop_sidebar_pairs(lines: list[str]) -> list[str]:
    """Blank a sidebar of other articles near the top: pairs of a writer's or column's name with
    a date, then that article's headline, two or more in a row."""
    filled = [i for i, line in enumerate(lines) if line][:TOP_LINES]
    kept = list(lines)
    k = 0
    while k + 1 < len(filled):
        run = k
        while (
            run + 1 < len(filled)
            and _ends_with_date(lines[filled[run]])
            and is_title_line(lines[filled[run + 1]])
            and not _ends_with_date(lines[filled[run + 1]])
        ):
            run += 2
        if (run - k) // 2 >= SIDEBAR_MIN_PAIRS:
            for i in filled[k:run]:
                logger.debug("dropping sidebar line %r above the headline", lines[i])
                kept[i] = ""
            return kept
        k += 1
    return kept


#: A byline of a name and the writer's post: "هدى المنصوري - مديرة التحرير".
_ROLE_BYLINE = re.compile(
    r"^(?P<name>[^\W\d_]+(?:\s+[^\W\d_]+){1,4})\s+[-–—|]\s+"
    r"(?P<role>(?:رئيس|رئيسة|مدير|مديرة|نائب|كاتب|كاتبة|صحفي|صحفية|صحافي|صحافية|محرر|محررة"
    r"|مراسل|مراسلة|محلل|محللة|باحث|باحثة|أستاذ|أستاذة|استاذ|استاذة)(?:\s+[^\W\d_]+){0,3})$"
)


def _role_byline(lines: list[str]) -> tuple[str | None, list[str]]:
    """A "name - post" byline near the top, and the lines without it."""
    for i in [i for i, line in enumerate(lines) if line][:TOP_LINES]:
        match = _ROLE_BYLINE.match(lines[i])
        if match is not None:
            logger.debug("byline %r with the writer's post", match["name"])
            kept = list(lines)
            kept[i] = ""
            return match["name"], kept
    return None, lines


def _keep_one_date(lines: list[str], cleaned: list[str]) -> list[str]:
    """``cleaned`` with the first copy of a date line the page printed twice in a row put back:
    a date is read, not dropped as a caption ("2015 05 14" twice under the headline)."""
    kept = list(cleaned)
    restored: set[str] = set()
    for i, line in enumerate(lines):
        if line and not cleaned[i] and line not in restored and parse_date_line(line) is not None:
            kept[i] = line
            restored.add(line)
    return kept


def _drop_between_headline_copies(lines: list[str]) -> list[str]:
    """When the headline is printed again a few lines below itself, what stands between the
    copies is page furniture (a promoted article, its author, a "more" link, a caption): drop
    it and the first copy."""
    filled = [i for i, line in enumerate(lines) if line][:TOP_LINES]
    first = next((k for k, i in enumerate(filled) if _is_headline_like(lines[i])), None)
    if first is None:
        return lines
    key = fold(lines[filled[first]])
    last = max(k for k, i in enumerate(filled) if fold(lines[i]) == key)
    if last == first:
        return lines
    between = [lines[i] for i in filled[first + 1 : last]]
    paragraphs = [line for line in between if ends_sentence(line) and len(line.split()) >= 8]
    # Between two copies of the headline, at most one teaser (another article's, cleaning's rule).
    if len(paragraphs) > 1 or any(len(line.split()) > TEASER_MAX_WORDS for line in between):
        return lines  # the story's own paragraphs: the headline is printed again inside it
    kept = list(lines)
    for i in filled[first:last]:
        logger.debug("dropping %r printed above the headline's second copy", lines[i])
        kept[i] = ""
    return kept


def _drop_trailing_headlines(lines: list[str]) -> list[str]:
    """Blank a run of other articles' headlines after the story's last sentence ("most read" or
    "more from the site" without its heading): three or more headline-like lines at the end."""
    filled = [i for i, line in enumerate(lines) if line]
    run = 0
    for i in reversed(filled):
        if not _is_headline_like(lines[i]) or is_list_item(lines[i]):
            break
        run += 1
    if run < TRAILING_LIST_MIN or run == len(filled) or not ends_sentence(lines[filled[-run - 1]]):
        return lines
    kept = list(lines)
    for i in filled[-run:]:
        logger.debug("dropping trailing headline %r", lines[i])
        kept[i] = ""
    return kept


def _strip_first_dateline(blocks: list[Block]) -> list[Block]:
    """The blocks with an agency dateline glued to the first paragraph's start removed."""
    for n, block in enumerate(blocks[:3]):
        for m, line in enumerate(block):
            if ends_sentence(line) or not is_heading_line(line):
                stripped = strip_leading_dateline(line)
                if stripped == line:
                    return blocks
                return [*blocks[:n], (*block[:m], stripped, *block[m + 1 :]), *blocks[n + 1 :]]
    return blocks


#: A byline glued to the start of the first paragraph: "- سارة الخطيب - وصل الوفد…",
#: "سارة الخطيب | مراسل الموقع - بغداد: …".
_GLUED_BYLINE = re.compile(
    r"^(?P<dash>[-–—]\s*)?(?P<name>[^\W\d_]+(?:\s+[^\W\d_]+){1,3})\s*"
    r"(?:(?P<sep>[-–—])|\|[^:.!?؟|]{1,60}:)\s+(?=\S)"
)
#: A byline glued after the headline on its line: "الخبر ... بقلم : سارة الخطيب".
_TITLE_BYLINE = re.compile(r"\s*(?:\.{2,}|…|[-–—|])?\s+(?=(?:بقلم|by)\s*:?\s)", re.IGNORECASE)


def _glued_byline(blocks: list[Block]) -> tuple[str | None, list[Block]]:
    """A byline glued to the start of the first paragraph, and the blocks without it."""
    if not blocks:
        return None, blocks
    line = blocks[0][0]
    match = _GLUED_BYLINE.match(line)
    if match is None:
        return None, blocks
    name = match["name"]
    # "- name -" and "name | role:" are bylines by their shape; "name - …" only with a known
    # given name (else it is a dateline or a sentence).
    shaped = bool(match["dash"]) or match["sep"] is None
    if not looks_like_name(name, known_first=not shaped) or parse_metadata_line(name) is not None:
        return None, blocks
    rest = line[match.end() :]
    if len(rest.split()) < 3:
        return None, blocks
    logger.debug("byline %r glued to the first paragraph", name)
    return name, [(rest, *blocks[0][1:]), *blocks[1:]]


def _title_byline(blocks: list[Block]) -> tuple[str | None, list[Block]]:
    """A byline written after the headline on the same line, and the blocks without it."""
    if not blocks:
        return None, blocks
    line = blocks[0][0]
    match = _TITLE_BYLINE.search(line)
    if match is None or match.start() == 0:
        return None, blocks
    author = parse_author_line(line[match.end() :])
    head = line[: match.start()].rstrip(" .…-–—|")
    if author is None or not head:
        return None, blocks
    logger.debug("byline %r after the headline", author)
    return author, [(head, *blocks[0][1:]), *blocks[1:]]


def _bare_byline(body: list[Block]) -> tuple[str | None, list[Block]]:
    """A name alone between the headline and the body ("سارة الخطيب"), and the body without it."""
    if len(body) < 2 and (not body or len(body[0]) < 2):
        return None, body
    first = body[0]
    name = first[0]
    latin_name = name.isascii() and all(w[:1].isupper() for w in name.split())
    if not (looks_like_name(name) or (latin_name and looks_like_name(name, known_first=False))):
        return None, body
    logger.debug("byline name %r under the headline", name)
    return name, ([first[1:], *body[1:]] if len(first) > 1 else body[1:])


def _drop_title_repeats(title: str, body: list[Block]) -> list[Block]:
    """The body without the title printed again as a line of its own."""
    key = fold(title)
    kept: list[Block] = []
    for block in body:
        lines = tuple(line for line in block if fold(line) != key)
        if lines:
            kept.append(lines)
    return kept or body


_BULLET = re.compile(r"^[-•*·▪◦–]\s+")


def _drop_summary_bullets(body: list[Block]) -> list[Block]:
    """The body without the bullets under the headline when they only announce it: a summary
    whose every bullet is said again in the body, or a list of the chapters (short bullets, at
    least half of them printed again as lines of the body). A presenter skips both."""
    if not body or len(body[0]) < 2 or not all(_BULLET.match(line) for line in body[0]):
        return body
    items = [fold(_BULLET.sub("", line)) for line in body[0]]
    rest = [fold(line) for block in body[1:] for line in block]
    if not rest:
        return body
    whole = "\n".join(rest)
    lines = set(rest)
    summary = all(item and item in whole for item in items)
    contents = all(is_short_line(line) and not ends_sentence(line) for line in body[0]) and (
        2 * sum(item in lines for item in items) >= len(items)
    )
    if summary or contents:
        logger.debug("dropping summary bullets %r", body[0])
        return body[1:]
    return body


_QUOTE_OPENERS = "\"'«“‘("


def _split_question_headings(blocks: list[Block]) -> list[Block]:
    """Blocks with a question heading split off the line before it: a paragraph ending on a
    colon ("…أسئلة كثيرة:") then an unquoted short question, then a paragraph. A question in
    quotes after a colon is someone's words, and stays."""
    split: list[Block] = []
    for n, block in enumerate(blocks):
        question = block[-1]
        if (
            len(block) > 1
            and last_mark(block[-2]) in ":："
            and last_mark(question) in "?؟"
            and question[:1] not in _QUOTE_OPENERS
            and is_heading_line(question)
            and n + 1 < len(blocks)
            and not opens_with_heading(blocks[n + 1])
        ):
            logger.debug("question heading %r after a colon", question)
            split.extend((block[:-1], (question,)))
        else:
            split.append(block)
    return split


def build_segments(blocks: Sequence[Block]) -> tuple[Segment, ...]:
    """Group blocks under their headings; blocks before the first heading form the lead."""
    segments: list[Segment] = []
    heading: str | None = None
    paragraphs: list[str] = []
    for block, headed in zip(blocks, headed_blocks(blocks), strict=True):
        body = block
        if headed:
            if paragraphs:
                segments.append(Segment(heading, tuple(paragraphs)))
            heading, paragraphs, body = block[0], [], block[1:]
        if body:
            paragraphs.append(" ".join(body))
    if paragraphs:
        segments.append(Segment(heading, tuple(paragraphs)))
    return tuple(segments)


def segment_text(text: str) -> Article | None:
    """The article in ``text``, or None when nothing but whitespace, page junk and metadata is
    left."""
    lines = [strip_trailer(normalise_line(line)) for line in text.splitlines()]
    trailer_title = trailer_headline(lines)
    lines = drop_junk_lines(drop_junk_runs(lines, _opens_article))
    lines = drop_foreign_lines(lines, keep=lambda line: parse_metadata_line(line) is not None)
    lines = _drop_sidebar_pairs(lines)
    lines = _keep_one_headline(lines, _keep_one_date(lines, drop_repeated_lines(lines)))
    lines, metadata = take_metadata_lines(lines)
    role_author = None
    if metadata.author is None:
        role_author, lines = _role_byline(lines)
    lines = _drop_credited_captions(lines)
    lines = _drop_section_labels(lines)
    lines = _drop_between_headline_copies(lines)
    lines = _drop_trailing_headlines(lines)
    blocks = _strip_first_dateline(split_blocks(lines))
    if not blocks:
        return None
    author = metadata.author or role_author
    if author is None:
        author, blocks = _title_byline(blocks)
    if author is None:
        author, blocks = _glued_byline(blocks)
    if trailer_title is not None and not _first_line_is_headline(blocks[0]):
        # No headline line on the page: the trailer names the article; the lead is all spoken.
        title, body = trailer_title, list(blocks)
    else:
        title, body = take_title(blocks)
    if author is None:
        author, body = _glued_byline(body)
    if author is None:
        author, body = _bare_byline(body)
    body = _split_question_headings(_drop_summary_bullets(_drop_title_repeats(title, body)))
    article = Article(title=title, segments=build_segments(body))
    return replace(article, author=author, published=metadata.published)


def parse_text(text: str) -> Article:
    """Segment a plain-text article into a title, an optional lead and headed segments.

    Raises :class:`ArticleError` when the text holds nothing to speak.
    """
    article = segment_text(text)
    if article is None:
        raise ArticleError("the article has no text to speak once page junk is removed")
    return article

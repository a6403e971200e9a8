r"""Line normalisation and web-page junk, shared by the text, Markdown and HTML readers.

Articles arrive with the page they were copied from: a "breaking" tag, share buttons, "read
also" links, breadcrumbs, a photo caption printed twice, non-breaking spaces and invisible
direction marks. Everything here works on one line (or one paragraph) at a time and from tables,
never from one article's words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from narrate.charset import CONTROL_CHARS, INVISIBLE_CHARS, SPACE_CHARS, TATWEEL, char_class

logger = logging.getLogger(__name__)

__all__ = [
    "BREADCRUMB_HOMES",
    "COPYRIGHT_PREFIXES",
    "JUNK_LINES",
    "READ_ALSO_PREFIXES",
    "drop_junk_lines",
    "drop_repeated_lines",
    "fold",
    "is_breadcrumb",
    "is_junk_line",
    "is_short_line",
    "normalise_line",
]

# --- Tables -------------------------------------------------------------------------------------

#: Web-page furniture that appears as a line of its own: "breaking" tags, share and copy-link
#: buttons, social network names, ad labels. Matched against a whole line after :func:`fold`,
#: so case, hamza on alef, diacritics and surrounding punctuation do not matter.
JUNK_LINES: frozenset[str] = frozenset(
    {
        # breaking / exclusive tags
        "عاجل",
        "عاجل جدا",
        "خبر عاجل",
        "خاص",
        "حصري",
        "حصريا",
        "مباشر",
        "breaking",
        "breaking news",
        "exclusive",
        "live",
        # copy link / share buttons
        "تم نسخ الرابط",
        "نسخ الرابط",
        "انسخ الرابط",
        "تم النسخ",
        "الرابط المختصر",
        "شارك",
        "شاركها",
        "شارك الخبر",
        "شارك المقال",
        "شارك هذا المقال",
        "مشاركة",
        "مشاركة الخبر",
        "شارك على فيسبوك",
        "شارك على تويتر",
        "شارك على إكس",
        "شارك على واتساب",
        "شارك على تيليجرام",
        "شارك عبر فيسبوك",
        "شارك عبر تويتر",
        "شارك عبر واتساب",
        "مشاركة على فيسبوك",
        "مشاركة على تويتر",
        "مشاركة عبر فيسبوك",
        "مشاركة عبر تويتر",
        "مشاركة عبر واتساب",
        "فيسبوك",
        "تويتر",
        "إكس",
        "واتساب",
        "تيليجرام",
        "تلغرام",
        "لينكد إن",
        "طباعة",
        "أرسل لصديق",
        "أرسل إلى صديق",
        "أرسل الخبر لصديق",
        "send to a friend",
        "link copied",
        "copy link",
        "share",
        "share this",
        "share this article",
        "share on facebook",
        "share on twitter",
        "share on whatsapp",
        "facebook",
        "twitter",
        "whatsapp",
        "telegram",
        "linkedin",
        "email",
        "print",
        "tweet",
        # advertising labels
        "إعلان",
        "اعلان",
        "advertisement",
        # follow / subscribe prompts
        "تابعونا",
        "تابعنا",
        "تابعنا على",
        "اشترك في النشرة البريدية",
        "اشترك الآن",
        "follow us",
        "subscribe",
    }
)

#: A line that starts with one of these is a link to another article: the whole line goes.
READ_ALSO_PREFIXES: tuple[str, ...] = (
    "اقرأ أيضا",
    "اقرأ أيضاً",
    "إقرأ أيضا",
    "اقرأ كذلك",
    "اقرأ المزيد",
    "طالع أيضا",
    "شاهد أيضا",
    "شاهد أيضاً",
    "مواضيع ذات صلة",
    "أخبار ذات صلة",
    "read also",
    "read more",
)

#: A line that starts with one of these is a copyright notice: the whole line goes.
COPYRIGHT_PREFIXES: tuple[str, ...] = (
    "جميع الحقوق محفوظة",
    "حقوق النشر محفوظة",
    "جميع حقوق النشر محفوظة",
    "all rights reserved",
    "copyright",
)

#: The first crumb of a breadcrumb trail ("home"); a trail that starts with one needs only two
#: crumbs, and may use "/" or "|" between them.
BREADCRUMB_HOMES: frozenset[str] = frozenset(
    {"الرئيسية", "الصفحة الرئيسية", "الرئيسيه", "home", "homepage", "accueil"}
)
#: Separators that mark a breadcrumb trail on their own when there are two or more of them.
_CRUMB_ARROWS = "»›>→"
#: Separators that mark a trail only after a "home" crumb (a date or a ratio uses "/" too).
_CRUMB_SLASHES = "/|\\"
#: A crumb is a section name: at most this many words.
_CRUMB_MAX_WORDS = 5

#: "3 min read", "قراءة 4 دقائق", "وقت القراءة: 5 دقائق": reading-time badges.
_READING_TIME = re.compile(
    r"^(?:(?:وقت|مدة|زمن)\s+ال?قراءة\s*:?\s*|قراءة\s*:?\s*)?[0-9٠-٩]+\s*"
    r"(?:دقائق|دقيقة|دقيقتان|دقيقتين|د|min|mins|minutes?)(?:\s+(?:قراءة|للقراءة|read))?$",
    re.IGNORECASE,
)

# Regular expressions, not str.translate: they run in C and a 5 MB article is read in well
# under a second.
_DROPPED = re.compile(f"[{char_class(CONTROL_CHARS + INVISIBLE_CHARS)}]+")
_SPACES = re.compile(f"[{char_class(SPACE_CHARS)}]")
_ARABIC_MARKS = re.compile(f"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed{TATWEEL}]")
_LETTER_VARIANTS = (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ٱ", "ا"), ("ى", "ي"))
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")

#: Headings are short: at most this many words and characters.
HEADING_MAX_WORDS = 12
HEADING_MAX_CHARS = 90


# --- Normalising and folding --------------------------------------------------------------------


def strip_invisible(text: str) -> str:
    """``text`` without control and invisible characters (tab and line feed stay)."""
    return _DROPPED.sub("", text)


def normalise_line(line: str) -> str:
    r"""One line with odd spaces made plain, invisible characters removed, runs of spaces collapsed.

    >>> normalise_line("\u200f سقوط\u00a0\u00a0حلب\u202f ")
    'سقوط حلب'
    >>> normalise_line("\ufeffنص\u200bمتصل")
    'نصمتصل'
    """
    return " ".join(_SPACES.sub(" ", _DROPPED.sub("", line)).split())


def fold(line: str) -> str:
    """A line's comparison key: case, diacritics, tatweel, alef forms and edge punctuation ignored.

    >>> fold("إقرأ أيضاً:")
    'اقرا ايضا'
    >>> fold("« Breaking »")
    'breaking'
    """
    folded = _ARABIC_MARKS.sub("", line.casefold())
    for variant, letter in _LETTER_VARIANTS:
        folded = folded.replace(variant, letter)
    return " ".join(_EDGE_PUNCTUATION.sub("", folded).split())


def is_short_line(
    line: str, max_words: int = HEADING_MAX_WORDS, max_chars: int = HEADING_MAX_CHARS
) -> bool:
    """Whether a line is short enough to be a heading (or, with other limits, a title)."""
    return len(line) <= max_chars and len(line.split()) <= max_words


# --- Page junk ----------------------------------------------------------------------------------

_JUNK_KEYS = frozenset(fold(phrase) for phrase in JUNK_LINES)
#: Junk phrases and "read also" prefixes are short; longer lines are looked at this far.
_JUNK_WINDOW = 2 * max(len(phrase) for phrase in (*JUNK_LINES, *READ_ALSO_PREFIXES))
_READ_ALSO_KEYS = tuple(
    dict.fromkeys(fold(prefix) for prefix in (*READ_ALSO_PREFIXES, *COPYRIGHT_PREFIXES))
)
#: Separators between the buttons of a toolbar line: "طباعة | أرسل لصديق".
_TOOLBAR_SEPARATORS = re.compile(r"\s*[|•·]\s*")
_HOME_KEYS = frozenset(fold(home) for home in BREADCRUMB_HOMES)
_CRUMB_SPLIT = {
    sep: re.compile(r"\s*" + re.escape(sep) + r"\s*") for sep in _CRUMB_ARROWS + _CRUMB_SLASHES
}
_BREADCRUMB_MAX_CHARS = 200


def _starts_read_also(key: str) -> bool:
    """Whether a folded line starts with a "read also" phrase followed by a non-letter."""
    return any(
        key.startswith(prefix) and not key[len(prefix) : len(prefix) + 1].isalnum()
        for prefix in _READ_ALSO_KEYS
    )


def is_breadcrumb(line: str) -> bool:
    """Whether a line is a breadcrumb trail: short section names between arrows or slashes.

    >>> is_breadcrumb("الرئيسية » أخبار » سياسة")
    True
    >>> is_breadcrumb("أخبار › العالم العربي › سوريا")
    True
    >>> is_breadcrumb("الرئيسية / اقتصاد")
    True
    >>> is_breadcrumb("حلب / دمشق")
    False
    >>> is_breadcrumb("2024/11/30")
    False
    >>> is_breadcrumb("قال إن الأسعار > التوقعات")
    False
    """
    if len(line) > _BREADCRUMB_MAX_CHARS:
        return False
    for sep, pattern in _CRUMB_SPLIT.items():
        if sep not in line:
            continue
        crumbs = pattern.split(line.strip(" " + sep))
        if len(crumbs) < 2 or not all(
            crumb and any(c.isalpha() for c in crumb) and len(crumb.split()) <= _CRUMB_MAX_WORDS
            for crumb in crumbs
        ):
            continue
        starts_home = fold(crumbs[0]) in _HOME_KEYS
        if starts_home or (sep in _CRUMB_ARROWS and len(crumbs) >= 3):
            return True
    return False


def is_junk_line(line: str) -> bool:
    """Whether a whole line is web-page furniture: a junk phrase, a "read also" link, a
    breadcrumb trail, a reading-time badge, a copyright notice, a row of share buttons, or no
    words at all.

    >>> is_junk_line("عاجل")
    True
    >>> is_junk_line("اقرأ أيضاً: سقوط حلب")
    True
    >>> is_junk_line("* * *")
    True
    >>> is_junk_line("قراءة 3 دقائق")
    True
    >>> is_junk_line("طباعة | أرسل لصديق")
    True
    >>> is_junk_line("جميع الحقوق محفوظة © 2025")
    True
    >>> is_junk_line("عاجل: سقوط حلب")
    False
    """
    if len(line) > _JUNK_WINDOW:
        # Too long for a junk phrase: only a "read also" start, or having no word at all, counts.
        return (
            _starts_read_also(fold(line[:_JUNK_WINDOW]))
            or not any(c.isalnum() for c in line)
            or is_breadcrumb(line)
        )
    key = fold(line)
    return (
        not key
        or key in _JUNK_KEYS
        or _starts_read_also(key)
        or bool(_READING_TIME.match(key))
        or is_breadcrumb(line)
        or _is_toolbar(line)
    )


def _is_toolbar(line: str) -> bool:
    """Whether a line is a row of junk buttons between bars or bullets."""
    parts = [part for part in _TOOLBAR_SEPARATORS.split(line) if part]
    return len(parts) >= 2 and all(fold(part) in _JUNK_KEYS for part in parts)


def drop_junk_lines(lines: Sequence[str]) -> list[str]:
    """Blank every junk line (a blank keeps the paragraphs around it apart)."""
    kept = []
    for line in lines:
        if line and is_junk_line(line):
            logger.debug("dropping page junk line %r", line)
            kept.append("")
        else:
            kept.append(line)
    return kept


def drop_repeated_lines(lines: Sequence[str]) -> list[str]:
    """Blank every copy of a short line printed two or more times in a row.

    A photo caption copied from a page often appears twice (caption and image text). Blank lines
    between the copies do not break the run; any other line does, so a heading that recurs with
    body text between its copies is kept.

    >>> drop_repeated_lines(["العنوان", "", "تعليق", "تعليق", "", "نص."])
    ['العنوان', '', '', '', '', 'نص.']
    """
    kept = list(lines)
    filled = [i for i, line in enumerate(lines) if line]
    keys = [fold(lines[i]) if is_short_line(lines[i]) else None for i in filled]
    start = 0
    while start < len(filled):
        end = start + 1
        while end < len(filled) and keys[end] == keys[start]:
            end += 1
        if end - start >= 2 and keys[start] is not None:
            logger.debug(
                "dropping %d copies of repeated line %r", end - start, lines[filled[start]]
            )
            for i in filled[start:end]:
                kept[i] = ""
        start = end
    return kept

r"""Line normalisation and web-page junk, shared by the text, Markdown and HTML readers.

Articles arrive with the page they were copied from: a "breaking" tag, share buttons, "read
also" links, breadcrumbs, a photo caption printed twice, non-breaking spaces and invisible
direction marks. Everything here works on one line (or one paragraph) at a time and from tables,
never from one article's words.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Sequence

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
        # copy-link and photo furniture
        "الرابط المختصر للخبر",
        "رابط مختصر",
        "news-picture",
        "news picture",
        "صورة أرشيفية",
        "صورة ارشيفية",
        "صورة تعبيرية",
        "أرشيفية",
        "أرشيف",
        "صورة",
        "الصورة",
        "صور",
        "فيديو",
        "شاهد الفيديو",
        "getty images",
        "getty",
        "afp",
        "reuters",
        "epa",
        "رويترز",
        "أ ف ب",
        "أ.ف.ب",
        "فرانس برس",
        "الأناضول",
        # wire trailers and a wire page's buttons
        "انتهى",
        "nnnn",
        "تغريد",
        # "more" links closing a box of other articles
        "المزيد",
        "more",
        # counters and comments
        "التعليقات",
        "تعليقات",
        "أضف تعليق",
        "أضف تعليقك",
        "اترك تعليقا",
        "comments",
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
    "مقالات ذات صلة",
    "ذات صلة",
    "طالع أيضاً",
    "طالع كذلك",
    "شاهد كذلك",
    "قد يعجبك أيضا",
    "قد يهمك أيضا",
    "يهمك أيضا",
    "اقرأ في هذا الملف",
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

#: A line that is only one of these heads a list of other articles' headlines ("most read"):
#: the line and the headlines under it go.
LIST_MARKERS: tuple[str, ...] = (
    "الأكثر قراءة",
    "الأكثر قراءةً",
    "الأكثر مشاهدة",
    "الأكثر تداولا",
    "الأكثر تعليقا",
    "الأكثر شعبية",
    "الأكثر شيوعا",
    "آخر الأخبار",
    "أخبار عاجلة",
    "الأخبار العاجلة",
    "شريط الأخبار",
    "أحدث الأخبار",
    "أخبار متعلقة",
    "المزيد من الأخبار",
    "المزيد من",
    "مواضيع مقترحة",
    "اخترنا لك",
    "اخترنا لكم",
    "مختارات",
    "most read",
    "most popular",
    "trending",
    "related",
    "related articles",
    "related news",
)

#: A line that starts with one of these (and a colon) lists the article's tags; alone on its
#: line, the short lines under it are the tags.
TAG_LABELS: tuple[str, ...] = (
    "الكلمات الدالة",
    "كلمات دالة",
    "الكلمات المفتاحية",
    "كلمات مفتاحية",
    "كلمات دلالية",
    "الوسوم",
    "وسوم",
    "الوسم",
    "الموضوعات",
    "مواضيع",
    "تصنيفات",
    "التصنيفات",
    "tags",
    "keywords",
    "topics",
)

#: Section names a page prints above the headline or in its menu ("محليات", "اخبار السودان").
SECTION_LABELS: frozenset[str] = frozenset(
    {
        "محليات", "محلي", "وطني", "وطنية", "عربي", "عربية", "دولي", "دولية", "عالمي", "العالم",
        "عربي ودولي", "عربي وعالمي", "رياضة", "رياضي", "الرياضة", "اقتصاد", "الاقتصاد",
        "اقتصادي", "مال وأعمال", "سياسة", "السياسة", "سياسي", "ثقافة", "الثقافة", "فن", "فنون",
        "الفن", "منوعات", "صحة", "الصحة", "تكنولوجيا", "علوم", "تقنية", "مقالات", "رأي", "الرأي",
        "آراء", "تحقيقات", "حوارات", "أخبار", "الأخبار", "أخبار محلية", "أخبار عربية",
        "أخبار عالمية", "أخبار دولية", "مجتمع", "المجتمع", "حوادث", "الحوادث", "برلمان",
        "سياحة", "تعليم", "التعليم", "مرأة", "المرأة", "شباب", "ملفات", "تقارير", "بيئة",
        "فيديو", "صور", "بودكاست", "الرئيسية", "العدد الورقي", "كتاب", "أقلام", "ميديا",
        "news", "sport", "sports", "business", "world", "video", "videos", "politics",
        "opinion", "culture", "home", "english", "français",
    }
)  # fmt: skip

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

#: Photo captions and credits: "(الصورة: …)", "تصوير: …", "المصدر: رويترز" under a photo.
_PHOTO_CREDIT = re.compile(
    r"^\(?\s*(?:الصورة|صورة|الصور|تصوير|عدسة|مصدر الصورة|photo|image|credit|photograph)\s*[:\-–(]"
    r"|^\(?\s*(?:getty images|afp|reuters|ap|epa|shutterstock)\b"
    r"|^المصدر\s*:\s*\S+(?:\s+\S+){0,3}$",
    re.IGNORECASE,
)
#: A caption ends with its credit in brackets: "متظاهرون في الساحة (رويترز)".
_CAPTION_CREDIT = re.compile(
    r"\((?:رويترز|أ ف ب|ا ف ب|أ\.ف\.ب|فرانس برس|الأناضول|getty images|getty|afp|reuters|ap|epa"
    r"|أرشيف|أرشيفية|ارشيفية|صورة أرشيفية|إنترنت|الإنترنت|مواقع التواصل|تعبيرية|صورة تعبيرية)\)$",
    re.IGNORECASE,
)
#: Follow-us prompts: "تابعونا على فيسبوك", "للمزيد تابعوا قناتنا على تلغرام".
_FOLLOW = re.compile(
    r"(?:^|\s)(?:تابعونا|تابعوا|تابعنا|تابع|انضموا|انضم|اشتركوا|اشترك|حملوا|حمل|نزلوا|لمتابعة)(?:\s|$)"
)
_PLATFORMS = re.compile(
    r"فيسبوك|فيس بوك|تويتر|إكس|اكس|واتساب|واتس|تلغرام|تيليجرام|تليجرام|يوتيوب|انستغرام|انستجرام"
    r"|إنستغرام|تيك توك|قناتنا|صفحتنا|حسابنا|حساباتنا|تطبيق|نبض|أخبار جوجل|جوجل نيوز|google news"
    r"|facebook|twitter|telegram|whatsapp|youtube|instagram|tiktok",
    re.IGNORECASE,
)
#: A web address alone, or a copy-link button glued to one: "انسخ الرابطhttps://…".
_URL_LINE = re.compile(
    r"^(?:(?:تم\s+)?(?:انسخ|نسخ)\s+الرابط|الرابط(?:\s+المختصر)?|رابط(?:\s+مختصر)?"
    r"|copy\s+link|short\s+link|link)?\s*:?\s*(?:https?://|www\.)\S+$",
    re.IGNORECASE,
)
#: Counters and timestamps with no words: "• 00:00 • 5", "مشاهدات 1,234", "1234 مشاهدة", "10:30",
#: a writer box's "عدد المقالات 200".
_COUNTER = re.compile(
    r"^[\s\d٠-٩,،.:/|•·\-–—()]*"
    r"(?:(?:عدد\s+)?(?:ال)?(?:مشاهدات|مشاهدة|قراءات|قراءة|تعليقات|تعليق|إعجاب|مشاركات|مقالات|مقال|متابعين|متابعون|views?|comments?"
    r"|likes?|shares?|reads?)\s*:?)?[\s\d٠-٩,،.:/|•·\-–—()]*$",
    re.IGNORECASE,
)
#: Wire-service trailers: "//انتهى//", "(النهاية)", editors' initials "ع ن / ح م", "ي ص/ع ع 14:22".
_WIRE_INITIALS = re.compile(
    r"^(?:[\u0621-\u064a]{1,2}\.?\s*){1,4}(?:[/\\]\s*(?:[\u0621-\u064a]{1,2}\.?\s*){1,4})+"
    r"(?:[/\\]?\s*[\d٠-٩]{1,2}:[\d٠-٩]{2})?\s*$"
)
_TRAILER = re.compile(
    r"\s*(?:(?://+\s*انتهى\s*//+|\(\s*(?:انتهى|النهاية)\s*\)|ـ+\s*انتهى\s*ـ+|-\s*انتهى\s*-)"
    # the desk's time and initials, the telex end mark and a tweet button may follow
    r"(?:\s*[\d٠-٩]{1,2}:[\d٠-٩]{2}(?:\s+[\u0621-\u064a]{1,2}\.?){0,4})?(?:\s*NNNN)?(?:\s*تغريد)?"
    r"|\(\s*الصورة\s*:[^)]*\))\s*$",
    re.IGNORECASE,
)
#: A wire desk's time and initials: "22:01 ت م".
_WIRE_TIME_INITIALS = re.compile(r"^[\d٠-٩]{1,2}:[\d٠-٩]{2}\s+(?:[\u0621-\u064a]{1,2}\.?\s*){1,4}$")
#: A stage direction in a transcript, "[تقرير مسجل]", or an image placeholder, "#2#".
_BRACKETED = re.compile(r"^\[[^\[\]]{1,60}\]$|^#[\d٠-٩]{1,3}#$")
#: Boilerplate sentences of the page rather than the story: a site's welcome banner, a print
#: edition note, a syndication trailer ("The post … first appeared on …").
_BOILERPLATE = re.compile(
    r"^(?:مرحبا|مرحباً|اهلا|أهلا|أهلاً)\s+(?:بك|بكم)\s+(?:في|على|الى|إلى)\s+(?:موقع|صفحة|منصة)"
    r"|^(?:صدر|نشر|نُشر|ورد)\s+هذا\s+(?:المقال|الخبر|الموضوع)\s+(?:في|ب)"
    r"|^the post\b.{0,300}\b(?:appeared first|first appeared) on\b",
    re.IGNORECASE,
)
#: A photo caption that says what the picture shows: "جانب من اللقاء", "لقطة من الحفل".
#: A group photo's caption: "الوزير متوسطا أعضاء الوفد" ("يتوسط" is left: it also means
#: "mediates", as in a headline).
_CAPTION_CENTRE = re.compile(r"(?:^|\s)(?:متوسطا|متوسطاً|متوسطةً)(?:\s|$)")
_CAPTION_START = re.compile(r"^(?:جانب|جانبا|جانباً|لقطة|لقطات|مشهد)\s+من\s+")
#: An image file's name, alone or glued to the paragraph after it: "417_3611456_n", "IMG_2031.jpg".
_IMAGE_NAME = re.compile(
    r"^(?:[A-Za-z0-9-]*_[A-Za-z0-9_-]*\d{4,}[A-Za-z0-9_-]*|[\w-]+\.(?:jpe?g|png|gif|webp))"
    r"(?:\.(?:jpe?g|png|gif|webp))?(?![A-Za-z0-9_])",
    re.IGNORECASE,
)
_DATE_FIGURES = re.compile(
    r"[\d٠-٩۰-۹]{1,4}\s*[-/.]\s*[\d٠-٩۰-۹]{1,2}\s*[-/.]\s*[\d٠-٩۰-۹]{1,4}"
    # figures with spaces between them: "2015 05 14", "14 05 2015"
    r"|(?<![\d٠-٩۰-۹])(?:[\d٠-٩۰-۹]{4}\s+[\d٠-٩۰-۹]{2}\s+[\d٠-٩۰-۹]{1,2}"
    r"|[\d٠-٩۰-۹]{1,2}\s+[\d٠-٩۰-۹]{2}\s+[\d٠-٩۰-۹]{4})(?![\d٠-٩۰-۹])"
)
#: Every word of a tag row starts with "#".
_HASHTAG_ROW = re.compile(r"^#\S+(?:\s+#\S+)+$")
_ARABIC = re.compile("[\u0621-\u064a]")
_LATIN = re.compile("[A-Za-z]")

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


@functools.lru_cache(maxsize=4096)
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
_SECTION_KEYS = frozenset(fold(label) for label in SECTION_LABELS)
_TAG_KEYS = tuple(fold(label) for label in TAG_LABELS)
_LIST_KEYS = frozenset(fold(marker) for marker in LIST_MARKERS)
_READ_ALSO_ONLY = frozenset(fold(prefix) for prefix in READ_ALSO_PREFIXES)
#: A line longer than this folds to no marker above (diacritics, tatweel and edge punctuation
#: are all folding takes out).
_RUN_MARKER_MAX_CHARS = 3 * max(len(key) for key in (*_TAG_KEYS, *_LIST_KEYS, *_READ_ALSO_ONLY))


def _starts_read_also(key: str) -> bool:
    """Whether a folded line starts with a "read also" phrase followed by a non-letter."""
    if not key.startswith(_READ_ALSO_KEYS):
        return False
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
            or is_furniture_line(line)
        )
    key = fold(line)
    return (
        not key
        or key in _JUNK_KEYS
        or _is_menu_fragment(line)
        or is_furniture_line(line)
        or _starts_read_also(key)
        or bool(_READING_TIME.match(key))
        or is_breadcrumb(line)
        or _is_toolbar(line)
    )


def _is_menu_fragment(line: str) -> bool:
    """A few words after a bar or an arrow with nothing before it ("| العالم اليوم"): the end of a
    menu or breadcrumb, cut off where the copy began."""
    rest = line.lstrip()
    if rest[:1] not in ("|", "»", "›", ">"):
        return False
    rest = rest.lstrip("|»›> ")
    return 0 < len(rest.split()) <= 4 and not any(c.isdigit() for c in rest)


def is_section_label(line: str) -> bool:
    """Whether a line is a section name a page prints above its headline.

    >>> is_section_label("محليات")
    True
    >>> is_section_label("اخبار السودان")
    True
    >>> is_section_label("سقوط حلب")
    False
    """
    key = fold(line)
    if key in _SECTION_KEYS:
        return True
    words = key.split()
    return len(words) == 2 and words[0] in {"اخبار", "الاخبار"}  # "أخبار السودان"


def is_navigation_line(line: str) -> bool:
    """Whether a line is a site's menu: three or more section names (Arabic or Latin) in a row.

    >>> is_navigation_line("الرئيسية أخبار رياضة اقتصاد فيديو")
    True
    >>> is_navigation_line("U.S. | INTERNATIONAL | MÉXICO")
    True
    >>> is_navigation_line("رياضة | اقتصاد | Videos")
    True
    >>> is_navigation_line("اقتصاد مصر ينمو رغم الأزمة")
    False
    >>> is_navigation_line("City council approves new bike lanes")
    False
    """
    parts = [p for p in _TOOLBAR_SEPARATORS.split(line) if p]
    separated = len(parts) >= 3
    if not separated:
        parts = line.split()
    if len(parts) < 3 or len(line) > _BREADCRUMB_MAX_CHARS or ends_with_sentence_mark(line):
        return False
    sections = [is_section_label(p) for p in parts]
    latin = [bool(_LATIN.search(p)) and not _ARABIC.search(p) for p in parts]
    if not all(s or f for s, f in zip(sections, latin, strict=True)):
        return False
    if sum(sections) >= 2:
        return True
    # Latin words alone: a menu when the items are set apart, or all in capitals ("U.S. WORLD").
    return all(latin) and (separated or all(p.upper() == p for p in parts))


def ends_with_sentence_mark(line: str) -> bool:
    """Whether a line ends with . ! ? ؟ or … (looking through closing quotes and brackets)."""
    stripped = line.rstrip("\"'»”’)]} ")
    return bool(stripped) and stripped[-1] in ".!?؟…"


def _is_follow_line(line: str) -> bool:
    """Whether a line asks the reader to follow the site on a network or get its app."""
    words = line.split()
    if len(words) > 25:
        return False
    head = " ".join(words[:5])
    return bool(_FOLLOW.search(head)) and bool(_PLATFORMS.search(line))


def is_furniture_line(line: str) -> bool:
    """Page furniture that is not a junk phrase: a photo caption or credit, a follow-us prompt,
    a web address, a counter or timestamp, a wire trailer, a row of hashtags, a tag list, a menu.

    >>> is_furniture_line("(الصورة: أرشيفية)")
    True
    >>> is_furniture_line("تابعونا على فيسبوك وتويتر")
    True
    >>> is_furniture_line("انسخ الرابطhttps://example.com/a/1")
    True
    >>> is_furniture_line("• 00:00 • 5")
    True
    >>> is_furniture_line("ع ن / ح م")
    True
    >>> is_furniture_line("الكلمات الدالة: السودان، الخرطوم")
    True
    >>> is_furniture_line("وقال الوزير إن عدد الزوار بلغ 1,234 زائرا.")
    False
    """
    if len(line) > 400:
        return False
    if (
        _PHOTO_CREDIT.match(line)
        or _URL_LINE.match(line)
        or _WIRE_INITIALS.match(line)
        or _HASHTAG_ROW.match(line)
        or _TRAILER.fullmatch(" " + line)
        or _WIRE_TIME_INITIALS.match(line)
        or _BRACKETED.match(line)
        or _BOILERPLATE.match(line)
        or _IMAGE_NAME.fullmatch(line)
    ):
        return True
    if _CAPTION_START.match(line) and len(line.split()) <= 12 and not ends_with_sentence_mark(line):
        return True
    if (
        _CAPTION_CENTRE.search(line)
        and len(line.split()) <= 25
        and not ends_with_sentence_mark(line)
        and not any(mark in line for mark in "،,؛")
    ):
        return True
    if _COUNTER.match(line):
        return _DATE_FIGURES.search(line) is None  # a date line is metadata, read later
    if _CAPTION_CREDIT.search(line.rstrip()) and not ends_with_sentence_mark(
        _CAPTION_CREDIT.sub("", line).rstrip()
    ):
        return True
    key = fold(line)
    if any(
        key.startswith(label) and (len(key) == len(label) or key[len(label)] in " :")
        for label in _TAG_KEYS
    ) and (":" in line or len(key.split()) <= 3):
        return True
    return _is_follow_line(line) or is_navigation_line(line)


def strip_trailer(paragraph: str) -> str:
    """A paragraph without a wire trailer or photo credit glued to its end, or an image file's
    name glued to its start.

    >>> strip_trailer("وانتهى الاجتماع مساء أمس. //انتهى//")
    'وانتهى الاجتماع مساء أمس.'
    >>> strip_trailer("وعاد الهدوء إلى المدينة. (النهاية)")
    'وعاد الهدوء إلى المدينة.'
    >>> strip_trailer("IMG_20240101_1234وعاد الهدوء.")
    'وعاد الهدوء.'
    """
    stripped = _TRAILER.sub("", paragraph)
    if paragraph[:1].isascii() and (name := _IMAGE_NAME.match(stripped)):
        stripped = stripped[name.end() :].lstrip()
    return stripped if stripped.strip() else paragraph


def _is_toolbar(line: str) -> bool:
    """Whether a line is a row of junk buttons between bars or bullets."""
    parts = [part for part in _TOOLBAR_SEPARATORS.split(line) if part]
    return len(parts) >= 2 and all(fold(part) in _JUNK_KEYS for part in parts)


#: A photo's caption beside its credit line describes the picture: this many words at least and
#: at most, and no sentence ending (a short heading is rarely next to a credit; a caption is).
_CAPTION_MIN_WORDS = 5
_CAPTION_MAX_WORDS = 25


def _is_caption_beside(line: str) -> bool:
    words = len(line.split())
    return (
        _CAPTION_MIN_WORDS <= words <= _CAPTION_MAX_WORDS
        and not ends_with_sentence_mark(line)
        and not line.rstrip().endswith((":", "："))
    )


def drop_junk_lines(lines: Sequence[str]) -> list[str]:
    """Blank every junk line (a blank keeps the paragraphs around it apart), and the caption
    beside a photo's credit line: the line right after it, else right before it, when it reads
    as a caption.

    >>> drop_junk_lines(["نص.", "Getty Images", "أطفال ينتظرون توزيع الغذاء في مخيم", "وقال."])
    ['نص.', '', '', 'وقال.']
    """
    kept = []
    for line in lines:
        if line and is_junk_line(line):
            logger.debug("dropping page junk line %r", line)
            kept.append("")
        else:
            kept.append(line)
    for i, line in enumerate(lines):
        if not line or not _PHOTO_CREDIT.match(line):
            continue
        for j in (i + 1, i - 1):
            if 0 <= j < len(lines) and kept[j] and _is_caption_beside(kept[j]):
                logger.debug("dropping the caption %r beside a photo credit", kept[j])
                kept[j] = ""
                break
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


# --- Runs of junk -------------------------------------------------------------------------------

#: A "read also" box: the marker, up to this many headlines, then perhaps one teaser.
_READ_ALSO_MAX_HEADLINES = 3
#: A second or third headline in a "read also" box has at least this many words.
_OTHER_HEADLINE_MIN_WORDS = 4
#: A teaser is short: at most this many words and two sentences.
TEASER_MAX_WORDS = 40
#: A "most read" list or a tag list has at most this many items.
_LIST_MAX_ITEMS = 15
_HEADLINE_MAX_WORDS = 24
_SENTENCE_ENDS = re.compile(r"[.!?؟…](?=\s|$)")


def _is_headline(line: str) -> bool:
    """A line that can be another article's headline: short and without a sentence ending."""
    return is_short_line(line, _HEADLINE_MAX_WORDS, 200) and not ends_with_sentence_mark(line)


#: Headlines of a list glued into one line by the copy: no sentence ends anywhere in it.
_GLUED_LIST_MAX_WORDS = 4 * _HEADLINE_MAX_WORDS
#: A sentence's end, not ".." (which Arabic headlines use as a dash).
_FULL_STOP = re.compile(r"(?:(?<!\.)\.|[!?؟])(?=\s|$)")


def _is_glued_headlines(line: str) -> bool:
    """A list's headlines run together on one line: longer than one headline, yet with no
    sentence ending anywhere (a paragraph of the story has at least one)."""
    return len(line.split()) <= _GLUED_LIST_MAX_WORDS and not _FULL_STOP.search(line)


#: How a paragraph that carries the story on after a box opens ("وقال", "كما"): never a teaser.
_CONTINUES = frozenset(
    fold(word)
    for word in (
        "وقال", "وقالت", "وأضاف", "وأضافت", "وأكد", "وأكدت", "وأوضح", "وأوضحت", "وأشار",
        "وأشارت", "وتابع", "وتابعت", "وذكر", "وذكرت", "وبين", "وشدد", "ولفت", "واعتبر",
        "وأعلن", "وأعلنت", "وعبر", "وكان", "وكانت", "كما", "وفي", "ومن", "وبحسب", "ووفق",
        "وأفاد", "وأفادت", "وتأتي", "ويأتي", "يذكر", "يشار", "وجاء", "وبدوره", "بدوره",
        "من جهته", "من جهتها", "في المقابل", "وفي المقابل", "إلى ذلك", "وإلى ذلك",
    )
)  # fmt: skip


def _is_teaser(line: str) -> bool:
    """Another article's teaser under its headline: short, at most two sentences, ending like a
    sentence or cut off ("…"), and not opening as the story's own next paragraph does."""
    words = line.split()
    if not words or len(words) > TEASER_MAX_WORDS or len(_SENTENCE_ENDS.findall(line)) > 2:
        return False
    if fold(words[0]) in _CONTINUES or fold(" ".join(words[:2])) in _CONTINUES:
        return False
    return ends_with_sentence_mark(line) or line.rstrip().endswith(("…", "..."))


def _run_kind(line: str) -> str | None:
    if len(line) > _RUN_MARKER_MAX_CHARS:
        return None  # longer than any marker, whatever folding takes out
    key = fold(line)
    if key in _READ_ALSO_ONLY:
        return "read-also"
    if key in _LIST_KEYS:
        return "list"
    if key in _TAG_KEYS:
        return "tags"
    return None


def drop_junk_runs(
    lines: Sequence[str], article_starts: Callable[[str], bool] | None = None
) -> list[str]:
    """Blank a "read also" marker alone on its line with the headlines and the teaser that
    follow it, a "most read" heading with its list, and a tag label with the tags under it.

    ``article_starts`` tells the lines that open the article itself (a byline, a date line). A
    list above the story (a breaking-news ticker in the page's header) stops before them, and
    before the line right above them: that is the article's own headline, not an item.

    >>> drop_junk_runs(["نص.", "اقرأ أيضاً:", "عنوان آخر", "ملخص الخبر الآخر.", "تكملة."])
    ['نص.', '', '', '', 'تكملة.']
    >>> drop_junk_runs(["الأكثر قراءة", "خبر أول", "", "خبر ثان", "وقال الوزير إن الطريق فتح."])
    ['', '', '', '', 'وقال الوزير إن الطريق فتح.']
    """
    kept = list(lines)
    filled = [i for i, line in enumerate(lines) if line]
    k = 0
    in_header = True  # no sentence of the story yet
    while k < len(filled):
        kind = _run_kind(lines[filled[k]])
        if kind is None:
            in_header = in_header and not ends_with_sentence_mark(lines[filled[k]])
            k += 1
            continue
        opens = article_starts if in_header and article_starts is not None else None
        logger.debug("dropping %s block at %r", kind, lines[filled[k]])
        kept[filled[k]] = ""
        k += 1
        taken = 0
        while k < len(filled) and taken < _LIST_MAX_ITEMS:
            line = lines[filled[k]]
            if kind == "tags":
                fits = len(line.split()) <= 4 and not ends_with_sentence_mark(line)
            elif kind == "list":
                # A line printed again right after itself is the page's own headline, not an item;
                # so is the line right above the article's byline or date line.
                after = lines[filled[k + 1]] if k + 1 < len(filled) else ""
                repeated = after == line
                if opens is not None and (opens(line) or (after and opens(after))):
                    break
                fits = not repeated and (
                    _is_headline(line) or is_junk_line(line) or _is_glued_headlines(line)
                )
            else:
                # Another headline after the first is a full one: a short line is the story's
                # own next heading.
                fits = (
                    taken < _READ_ALSO_MAX_HEADLINES
                    and _is_headline(line)
                    and (taken == 0 or len(line.split()) >= _OTHER_HEADLINE_MIN_WORDS)
                )
                if not fits and taken == 1 and _is_teaser(line):
                    kept[filled[k]] = ""  # the teaser under the other article's headline
                    k += 1
                    break
            if not fits:
                break
            kept[filled[k]] = ""
            taken += 1
            k += 1
    return kept


def _mostly_arabic_lines(lines: Sequence[str]) -> bool:
    """Whether at least twice as many lines hold Arabic as hold Latin letters alone."""
    arabic_lines = sum(1 for line in lines if _ARABIC.search(line))
    latin_lines = sum(1 for line in lines if _LATIN.search(line) and not _ARABIC.search(line))
    return arabic_lines >= max(2, 2 * latin_lines)


def drop_foreign_lines(lines: Sequence[str], keep: Callable[[str], bool]) -> list[str]:
    """In an Arabic article, blank the lines written in Latin letters alone (a translation
    paragraph, a menu, a credit) unless ``keep`` says they matter (a byline, a date line).

    >>> drop_foreign_lines(["سقط المطر في المدينة.", "It rained.", "2024-11-30"], lambda _: False)
    ['سقط المطر في المدينة.', '', '2024-11-30']

    A short Arabic story under a long English photo caption is Arabic too: most of its lines are.
    """
    text = "\n".join(lines)
    # Counted by what removing them takes away: no string is made per letter.
    arabic = len(text) - len(_ARABIC.sub("", text))
    latin = len(text) - len(_LATIN.sub("", text))
    # Arabic by its letters, or, in a short article under a long English caption, by its lines:
    # most lines are Arabic and the Arabic letters are not swamped.
    if arabic < 2 * latin and not (2 * arabic >= latin and _mostly_arabic_lines(lines)):
        return list(lines)
    return [
        "" if line and _LATIN.search(line) and not _ARABIC.search(line) and not keep(line) else line
        for line in lines
    ]

r"""An article's author and publication date, from byline and date lines or machine-readable values.

News pages print their metadata as lines near the top of the article: ``بقلم: فلان``,
``كتب - فلان``, ``By Jane Doe``, ``الأحد 1 ديسمبر 2024 - 10:30``, ``نشر في 30 تشرين الثاني 2024``,
``2024/11/30``. :func:`take_metadata_lines` reads such lines from the top of an article and removes
them from its body. Month names (Egyptian and Gulf ``يناير``..``ديسمبر``, Levantine and Iraqi
``كانون الثاني``..``كانون الأول``, Maghrebi, English) are data in :data:`MONTHS`.

Time zones: a date with a time zone (``+03:00``, ``GMT+3``, ``بتوقيت مكة المكرمة``) keeps it; a
date without one is taken as **UTC**, and a date without a time as midnight UTC. A Hijri date
printed beside the Gregorian one is recognised and skipped; a Hijri date alone gives no date.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from narrate.charset import ARABIC_INDIC_DIGITS, EASTERN_ARABIC_INDIC_DIGITS
from narrate.months import GREGORIAN_MONTHS
from narrate.read.cleaning import fold, is_section_label

logger = logging.getLogger(__name__)

__all__ = [
    "AUTHOR_PREFIXES",
    "MONTHS",
    "Metadata",
    "parse_author_line",
    "parse_date_line",
    "parse_machine_date",
    "take_metadata_lines",
]

# --- Tables -------------------------------------------------------------------------------------

#: Month names by month number (shared with the number reader): see :mod:`narrate.months`.
MONTHS = GREGORIAN_MONTHS

#: Hijri month names: a Hijri date beside the Gregorian one is skipped, not read.
HIJRI_MONTHS: tuple[str, ...] = (
    "محرم",
    "صفر",
    "ربيع الأول",
    "ربيع الآخر",
    "ربيع الثاني",
    "جمادى الأولى",
    "جمادى الأول",
    "جمادى الآخرة",
    "جمادى الثانية",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذو القعدة",
    "ذي القعدة",
    "ذو الحجة",
    "ذي الحجة",
)

#: Day names, skipped when a date line starts with one.
WEEKDAYS: tuple[str, ...] = (
    "السبت",
    "الأحد",
    "الاثنين",
    "الإثنين",
    "الثلاثاء",
    "الأربعاء",
    "الخميس",
    "الجمعة",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
)

#: Words a date line may carry around its date: "at", "o'clock", "corresponding to", "AD", "AH".
DATE_FILLER_WORDS: tuple[str, ...] = (
    "الساعة",
    "الساعه",
    "الموافق",
    "في",
    "م",
    "هـ",
    "ه",
    "on",
    "at",
)

#: Labels before a publication date.
PUBLISHED_LABELS: tuple[str, ...] = (
    "نشر في",
    "نشر بتاريخ",
    "تاريخ النشر",
    "نشر",
    "بتاريخ",
    "التاريخ",
    "published on",
    "published",
    "posted on",
    "posted",
    "date",
)
#: Labels before a last-update date (used only when no publication date is found).
UPDATED_LABELS: tuple[str, ...] = (
    "آخر تحديث",
    "تم التحديث",
    "محدث",
    "تحديث",
    "updated on",
    "last updated",
    "updated",
)

#: Byline prefixes. Those marked True need a colon or dash before the name ("كتب" also starts
#: ordinary sentences); the others may be followed by the name directly ("بقلم فلان").
AUTHOR_PREFIXES: dict[str, bool] = {
    "بقلم": False,
    "by": False,
    "written by": False,
    "كتب": True,
    "كتبت": True,
    "كتبه": True,
    "كتابة": True,
    "إعداد": True,
    "تقرير": True,
    "الكاتب": True,
    "الكاتبة": True,
    "المحرر": True,
    "حوار": True,
    "حاوره": True,
    "حاورته": True,
    "أجرى الحوار": True,
    "أجرت الحوار": True,
    "تحقيق": True,
    "متابعة": True,
    "تغطية": True,
    "رصد": True,
    "المراسل": True,
    "مراسل": True,
    "مراسلة": True,
    "author": True,
    "reporter": True,
}

#: Time zones named in words: "بتوقيت مكة المكرمة". Folded keys; IANA zone names.
CITY_TIME_ZONES: dict[str, str] = {
    "غرينتش": "UTC",
    "جرينتش": "UTC",
    "غرينيتش": "UTC",
    "مكة المكرمة": "Asia/Riyadh",
    "مكة": "Asia/Riyadh",
    "الرياض": "Asia/Riyadh",
    "القاهرة": "Africa/Cairo",
    "مصر": "Africa/Cairo",
    "دمشق": "Asia/Damascus",
    "بيروت": "Asia/Beirut",
    "القدس": "Asia/Jerusalem",
    "بغداد": "Asia/Baghdad",
    "الدوحة": "Asia/Qatar",
    "أبوظبي": "Asia/Dubai",
    "أبو ظبي": "Asia/Dubai",
    "الإمارات": "Asia/Dubai",
    "دبي": "Asia/Dubai",
    "الكويت": "Asia/Kuwait",
    "المنامة": "Asia/Bahrain",
    "مسقط": "Asia/Muscat",
    "الرباط": "Africa/Casablanca",
    "المغرب": "Africa/Casablanca",
    "تونس": "Africa/Tunis",
    "الجزائر": "Africa/Algiers",
    "طرابلس": "Africa/Tripoli",
    "الخرطوم": "Africa/Khartoum",
}

#: Wire agencies, as a dateline or a photo credit names them ("(رويترز)", "الرياض - واس").
WIRE_AGENCIES: tuple[str, ...] = (
    "رويترز",
    "أ ف ب",
    "أ.ف.ب",
    "فرانس برس",
    "وكالة فرانس برس",
    "أ ب",
    "أ.ب",
    "أسوشيتد برس",
    "د ب أ",
    "د.ب.أ",
    "الأناضول",
    "شينخوا",
    "سبوتنيك",
    "تاس",
    "إفي",
    "واس",
    "وام",
    "قنا",
    "كونا",
    "بنا",
    "العمانية",
    "بترا",
    "سانا",
    "واع",
    "وفا",
    "سبأ",
    "لانا",
    "ومع",
    "واج",
    "تاب",
    "سونا",
    "أ ش أ",
    "وكالات",
    "الوكالات",
    "وكالة الأنباء الألمانية",
    "وكالة الأنباء الفرنسية",
    "reuters",
    "afp",
    "ap",
    "dpa",
    "cnn",
    "bbc",
)

#: Places a dateline names: capitals and large cities of the Arab world and beyond, and
#: countries. A dateline ("عمّان، 14 أكتوبر 2025", "موسكو- (أ ب)") is read, never spoken.
DATELINE_PLACES: tuple[str, ...] = (
    "القاهرة", "الإسكندرية", "الجيزة", "أسوان", "الأقصر", "بورسعيد", "السويس", "المنصورة",
    "الرياض", "جدة", "مكة المكرمة", "المدينة المنورة", "الدمام", "الظهران",
    "دبي", "أبوظبي", "أبو ظبي", "الشارقة", "الدوحة", "الكويت", "المنامة", "مسقط",
    "صنعاء", "عدن", "تعز", "الحديدة", "مأرب",
    "عمان", "عمّان", "إربد", "الزرقاء", "العقبة",
    "دمشق", "حلب", "حمص", "حماة", "اللاذقية", "إدلب", "دير الزور", "الرقة", "درعا",
    "بيروت", "طرابلس", "صيدا", "صور", "بعلبك",
    "بغداد", "البصرة", "الموصل", "أربيل", "السليمانية", "كركوك", "النجف", "كربلاء",
    "القدس", "غزة", "رام الله", "نابلس", "الخليل", "جنين", "بيت لحم", "خان يونس", "رفح",
    "تل أبيب", "حيفا", "يافا", "الناصرة",
    "الخرطوم", "أم درمان", "بورتسودان", "الفاشر",
    "طرابلس الغرب", "بنغازي", "مصراتة",
    "تونس", "صفاقس", "سوسة", "الجزائر", "وهران", "قسنطينة",
    "الرباط", "الدار البيضاء", "مراكش", "فاس", "طنجة", "أغادير",
    "نواكشوط", "مقديشو", "جيبوتي", "موروني",
    "موسكو", "واشنطن", "نيويورك", "لندن", "باريس", "برلين", "روما", "مدريد", "بروكسل",
    "جنيف", "فيينا", "أنقرة", "إسطنبول", "اسطنبول", "طهران", "بكين", "طوكيو", "نيودلهي",
    "كييف", "إسلام آباد", "كابل", "ستوكهولم", "أوسلو", "أثينا", "لاهاي", "أمستردام",
    "مصر", "السعودية", "الإمارات", "قطر", "البحرين", "سلطنة عمان", "اليمن", "الأردن",
    "سوريا", "سورية", "لبنان", "العراق", "فلسطين", "السودان", "ليبيا", "المغرب",
    "موريتانيا", "الصومال", "تركيا", "إيران", "روسيا", "أوكرانيا", "الصين", "فرنسا",
    "ألمانيا", "بريطانيا", "إسرائيل",
)  # fmt: skip

#: Common given names: a line of two to four words starting with one, alone between the
#: headline and the body, is a byline ("محمد علي"). Folded; "عبد" and "أبو" compounds count too.
GIVEN_NAMES: tuple[str, ...] = (
    "محمد", "محمود", "أحمد", "علي", "حسن", "حسين", "خالد", "عمر", "عمرو", "يوسف", "إبراهيم",
    "مصطفى", "طارق", "سامي", "سامر", "سمير", "كريم", "وليد", "هشام", "ماجد", "فادي", "رامي",
    "زياد", "باسل", "بسام", "جمال", "كمال", "نبيل", "عادل", "فيصل", "سعيد", "سعد", "ناصر",
    "منصور", "مروان", "هاني", "وائل", "أيمن", "أسامة", "حمزة", "بلال", "أنس", "ياسر", "ياسين",
    "إسماعيل", "صالح", "فهد", "سلطان", "راشد", "حمد", "جاسم", "ماهر", "مازن", "نادر", "شريف",
    "عماد", "إياد", "جهاد", "رياض", "مراد", "رشيد", "عبد", "أبو", "نور", "مهند", "أمين", "أنور",
    "غسان", "عصام", "حازم", "حاتم", "توفيق", "جورج", "إلياس", "ميشال", "جوزيف", "بطرس", "أنطوان",
    "فاطمة", "مريم", "سارة", "ليلى", "هدى", "منى", "نادية", "رنا", "ريم", "لينا", "دينا", "هبة",
    "سلمى", "نور", "آمنة", "عائشة", "زينب", "خديجة", "رشا", "سمر", "أمل", "هالة", "نهى", "إيمان",
    "ياسمين", "رانيا", "لمى", "ديما", "جنى", "شيماء", "أسماء", "نسرين", "سهى", "وفاء", "دعاء",
    "رحاب", "غادة", "ميساء", "ريهام", "سوسن", "نوال", "هيفاء", "لبنى", "بشرى", "إسراء", "آية",
)  # fmt: skip

#: Top lines of an article searched for byline and date lines.
METADATA_WINDOW = 10
#: A byline name: at most this many words and characters.
AUTHOR_MAX_WORDS = 6
AUTHOR_MAX_CHARS = 60
#: Years outside this range are not publication dates.
MIN_YEAR, MAX_YEAR = 1900, 2200


# --- Metadata -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metadata:
    """What an article says about itself; any field may be missing."""

    title: str | None = None
    author: str | None = None
    published: datetime | None = None

    def or_else(self, other: Metadata) -> Metadata:
        """This metadata, with the fields it lacks taken from ``other``."""
        return Metadata(
            title=self.title or other.title,
            author=self.author or other.author,
            published=self.published or other.published,
        )


# --- Dates --------------------------------------------------------------------------------------

_DIGITS = str.maketrans(ARABIC_INDIC_DIGITS + EASTERN_ARABIC_INDIC_DIGITS, "0123456789" * 2)


def _alternation(names: Iterable[str]) -> str:
    """A regex alternation of folded names, longest first, spaces matching any run of spaces."""
    folded = sorted({fold(name) for name in names}, key=len, reverse=True)
    return "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in folded)


_MONTH_NUMBERS = {fold(name): number for number, names in MONTHS.items() for name in names}
_MONTH = _alternation(_MONTH_NUMBERS)
#: A month may be written twice: "تشرين الثاني/نوفمبر", "نوفمبر (تشرين الثاني)".
_MONTH_PAIR = rf"(?P<mon>{_MONTH})(?:\s*[/(\-]\s*(?:{_MONTH})\)?)?"
_YEAR = r"(?P<y>\d{4})"
_DAY = r"(?P<d>\d{1,2})"
#: Gregorian dates, tried in order; the first that matches is the line's date.
_DATE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(rf"(?<!\d){pattern}(?!\d)")
    for pattern in (
        rf"{_YEAR}[-/.](?P<m>\d{{1,2}})[-/.]{_DAY}",
        rf"{_DAY}[-/.](?P<m>\d{{1,2}})[-/.]{_YEAR}",
        # figures with spaces between them: "2015 05 14", "14 05 2015" (the month in two figures)
        rf"{_YEAR}\s+(?P<m>\d{{2}})\s+{_DAY}",
        rf"{_DAY}\s+(?P<m>\d{{2}})\s+{_YEAR}",
        rf"{_DAY}\s*[,،]?\s*(?:من\s+)?{_MONTH_PAIR}\s*[,،]?\s*{_YEAR}",
        rf"{_MONTH_PAIR}\s+{_DAY}\s*[,،]?\s*{_YEAR}",
    )
)
_TIME = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2}):(?P<min>\d{2})(?::(?P<s>\d{2}))?(?:\.\d+)?"
    r"(?:\s*(?P<half>صباحا|صباح|ص|مساءا|مساء|م|ظهرا|am|pm|a\.m\.|p\.m\.)(?!\w))?"
)
_AFTERNOON = frozenset({"مساءا", "مساء", "م", "pm", "p.m."})
_MORNING = frozenset({"صباحا", "صباح", "ص", "am", "a.m."})
_OFFSET = re.compile(
    r"(?:(?:gmt|utc)\s*(?P<sign>[+-])\s*(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?)"
    r"|(?<![\w:])(?P<sign2>[+-])(?P<oh2>\d{2}):?(?P<om2>\d{2})(?!\d)"
    r"|(?<!\w)(?:gmt|utc|z)(?!\w)"
)
_CITY_ZONES = {fold(city): zone for city, zone in CITY_TIME_ZONES.items()}
_CITY_ZONE = re.compile(rf"(?:بتوقيت|توقيت)\s+(?P<city>{_alternation(CITY_TIME_ZONES)})(?:\S*)")
#: A time with its zone's place in brackets: "الساعة 17:51 (مكة المكرمة)، 14:51 (غرينتش)".
_TIME_IN_ZONE = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2}):(?P<min>\d{2})(?::(?P<s>\d{2}))?(?P<half>)"
    rf"\s*\(\s*(?P<city>{_alternation(CITY_TIME_ZONES)})\s*\)?"
)
#: A last-update label in brackets inside a date line: "8/5/2006 (آخر تحديث) الساعة 17:51".
_BRACKETED_UPDATE = re.compile(rf"\(\s*(?:{_alternation(UPDATED_LABELS)})\s*\)")
_HIJRI = re.compile(
    rf"(?<!\d)\d{{1,2}}\s+(?:{_alternation(HIJRI_MONTHS)})\s+\d{{3,4}}(?!\d)(?:\s*هـ?(?!\w))?"
)
#: A Hijri date in figures beside the Gregorian one: "1446/06/03 هـ", "03-06-1446هـ".
_HIJRI_NUMERIC = re.compile(
    r"(?<!\d)(?:1[34]\d\d[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]1[34]\d\d)(?!\d)"
    r"\s*(?:هـ|ه)?(?!\w)"
)
_WEEKDAY = re.compile(rf"(?<!\w)(?:{_alternation(WEEKDAYS)})(?!\w)")
_FILLER = re.compile(rf"(?<!\w)(?:{_alternation(DATE_FILLER_WORDS)})(?!\w)")
#: An ISO 8601 date and time as one token: "2024-11-30T18:05:00+03:00", "2024-11-30T10:30Z".
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?")
#: English ordinal day suffixes: "8th, January 2024".
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b")
_LEFTOVER = re.compile(r"[\s,،؛;:|\-–—•·/()\[\].]*")
_PUBLISHED_LABEL = re.compile(rf"^(?:{_alternation(PUBLISHED_LABELS)})(?!\w)\s*:?")
_UPDATED_LABEL = re.compile(rf"^(?:{_alternation(UPDATED_LABELS)})(?!\w)\s*:?")


@functools.lru_cache(maxsize=4096)
def _date_key(line: str) -> str:
    """A line folded for date matching: Arabic-Indic digits as ASCII, case and alef forms ignored,
    but inner punctuation kept."""
    folded = fold(f"({line.translate(_DIGITS)})")  # the brackets keep edge punctuation
    return folded


def _zone_named(name: str) -> tzinfo:
    """The IANA zone ``name``, or UTC when this machine has no time-zone database."""
    if name == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        logger.debug("no time-zone data for %s; using UTC", name)
        return UTC


def _find_zone(text: str) -> tuple[tzinfo | None, str]:
    """The time zone written in ``text`` (an offset, GMT/UTC, a city), and the text without it."""
    match = _OFFSET.search(text)
    if match:
        sign = match["sign"] or match["sign2"]
        if sign:
            hours = int(match["oh"] or match["oh2"])
            minutes = int(match["om"] or match["om2"] or 0)
            if hours > 14 or minutes > 59:
                return None, text
            offset = timedelta(hours=hours, minutes=minutes)
            zone: tzinfo = timezone(-offset if sign == "-" else offset)
        else:
            zone = UTC
        return zone, text[: match.start()] + " " + text[match.end() :]
    match = _CITY_ZONE.search(text)
    if match:
        return _zone_named(_CITY_ZONES[fold(match["city"])]), (
            text[: match.start()] + " " + text[match.end() :]
        )
    return None, text


def _month_number(name: str) -> int:
    return _MONTH_NUMBERS[" ".join(name.split())]


def _build_datetime(
    date: re.Match[str], time: re.Match[str] | None, zone: tzinfo | None
) -> datetime | None:
    """The aware datetime from a date match and an optional time match; None if impossible."""
    year, day = int(date["y"]), int(date["d"])
    month = int(date["m"]) if "m" in date.re.groupindex else _month_number(date["mon"])
    hour = minute = second = 0
    if time is not None:
        hour, minute, second = int(time["h"]), int(time["min"]), int(time["s"] or 0)
        half = time["half"]
        if half in _AFTERNOON and hour < 12:
            hour += 12
        elif half in _MORNING and hour == 12:
            hour = 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone or UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class DateLine:
    """A line that is only a date: when it says (None for a Hijri-only date), and whether it is
    a last-update date rather than the publication date."""

    when: datetime | None
    updated: bool = False


def parse_date_line(line: str) -> DateLine | None:
    """The date a line consists of, or None when the line says anything besides a date.

    >>> parse_date_line("الأحد 1 ديسمبر 2024 - 10:30").when
    datetime.datetime(2024, 12, 1, 10, 30, tzinfo=datetime.timezone.utc)
    >>> parse_date_line("نشر في: ٣٠ تشرين الثاني ٢٠٢٤").when.date()
    datetime.date(2024, 11, 30)
    >>> parse_date_line("2024/11/30 08:15 م بتوقيت غرينتش").when.hour
    20
    >>> parse_date_line("2024-11-30T18:05:00+03:00").when.isoformat()
    '2024-11-30T18:05:00+03:00'
    >>> parse_date_line("آخر تحديث: 2024-12-02").updated
    True
    >>> parse_date_line("في 30 نوفمبر 2024 سقطت حلب") is None
    True
    """
    key = _ORDINAL.sub("", _date_key(line))
    updated = False
    label = _PUBLISHED_LABEL.match(key)
    if label is None:
        label = _UPDATED_LABEL.match(key)
        updated = label is not None
    if label is not None:
        key = key[label.end() :]
    iso = _ISO_DATE.fullmatch(key.strip())
    if iso is not None:
        try:
            when = datetime.fromisoformat(iso[0].upper())
        except ValueError:
            return None
        if not MIN_YEAR <= when.year <= MAX_YEAR:
            return None
        return DateLine(when if when.tzinfo else when.replace(tzinfo=UTC), updated)
    key, bracketed_update = _BRACKETED_UPDATE.subn(" ", key)
    updated = updated or bracketed_update > 0
    key, hijri_figures = _HIJRI_NUMERIC.subn(" ", key)
    date = next((m for p in _DATE_PATTERNS if (m := p.search(key))), None)
    rest = key
    if date is not None:
        rest = key[: date.start()] + " " + key[date.end() :]
    else:
        hijri = _HIJRI.search(key)
        if hijri is None and not hijri_figures:
            return None
        if hijri is not None:
            rest = key[: hijri.start()] + " " + key[hijri.end() :]
    zoned = list(_TIME_IN_ZONE.finditer(rest))
    time: re.Match[str] | None
    zone: tzinfo | None
    if zoned:  # the first time with its zone; the same time in other zones is left out
        time = zoned[0]
        zone = _zone_named(_CITY_ZONES[fold(time["city"])])
        rest = _TIME_IN_ZONE.sub(" ", rest)
    else:
        zone, rest = _find_zone(rest)
        time = _TIME.search(rest)
        if time is not None:
            rest = rest[: time.start()] + " " + rest[time.end() :]
    rest = _FILLER.sub(" ", _WEEKDAY.sub(" ", _HIJRI.sub(" ", rest)))
    if _LEFTOVER.fullmatch(rest) is None:
        return None
    if date is None:
        return DateLine(None, updated)
    built = _build_datetime(date, time, zone)
    return None if built is None else DateLine(built, updated)


def parse_machine_date(value: str) -> datetime | None:
    """A date from a machine-readable value (ISO 8601, RFC 2822) or a date line; aware.

    >>> parse_machine_date("2024-11-30T18:05:00+03:00").isoformat()
    '2024-11-30T18:05:00+03:00'
    >>> parse_machine_date("2024-11-30").isoformat()
    '2024-11-30T00:00:00+00:00'
    >>> parse_machine_date("Sat, 30 Nov 2024 10:30:00 GMT").isoformat()
    '2024-11-30T10:30:00+00:00'
    >>> parse_machine_date("soon") is None
    True
    """
    value = value.strip()
    if not value or len(value) > 200:
        return None
    when: datetime | None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            line = parse_date_line(value)
            when = line.when if line else None
    if when is None or not MIN_YEAR <= when.year <= MAX_YEAR:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


# --- Authors ------------------------------------------------------------------------------------

_AGENCY = _alternation(WIRE_AGENCIES)
_PLACE = _alternation(DATELINE_PLACES)
_PLACE_START = re.compile(rf"(?:{_PLACE})(?!\w)\s*[:：,،\-–—]?\s*")
#: A place before a date on a dateline: "عمّان، 14 أكتوبر 2025".
_PLACE_BEFORE_DATE = re.compile(rf"\s*(?:{_PLACE})\s*[,،\-–—:]?\s*")
_AGENCY_KEYS = frozenset(fold(a) for a in WIRE_AGENCIES)
_PLACE_KEYS = frozenset(fold(p) for p in DATELINE_PLACES)
_GIVEN_KEYS = frozenset(fold(n) for n in GIVEN_NAMES)
#: "منذ 3 ساعات", "قبل يومين", "نشر منذ ساعة", "3 hours ago": relative times, which date nothing.
_RELATIVE_TIME = re.compile(
    rf"^(?:(?:{_alternation(PUBLISHED_LABELS + UPDATED_LABELS)})\s*:?\s*)?"
    r"(?:منذ|قبل)\s+(?:\d+\s+|بضع\s+|عد[ةه]\s+)?"
    r"(?:ثاني[ةه]|ثوان|ثواني|دقيق[ةه]|دقيقتين|دقيقتان|دقائق|ساع[ةه]|ساعتين|ساعتان|ساعات|يوم"
    r"|يومين|يومان|ايام|اسبوع|اسبوعين|اسابيع|شهر|شهرين|اشهر|سن[ةه]|سنتين|سنوات|عام|عامين|اعوام)$"
    r"|^\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago$"
    r"|^(?:just now|الان|اليوم|امس|يوم امس)$"
)
#: A dateline's place, an agency or both: "موسكو- (أ ب)", "الرياض - واس", "(رويترز)".
_DATELINE = re.compile(
    rf"^(?:(?P<place>{_PLACE}|[^\W\d_]+(?:\s+[^\W\d_]+){{0,2}})\s*[,،]?\s*[-–—:]*\s*)?"
    rf"\(?\s*(?P<agency>{_AGENCY})\s*\)?$"
)
#: A dateline glued to the start of a paragraph: "موسكو - (أ ب) - ", "(رويترز) - ",
#: "الرياض - واس: ", "القاهرة - ". The text after it is what is said.
_LEADING_DATELINE = re.compile(
    rf"^(?:(?:{_PLACE})(?:\s*[,،]\s*[^\W\d_]+(?:\s+[^\W\d_]+)?)?\s*"
    rf"(?:[-–—]+\s*(?:\(?\s*(?:{_AGENCY})\s*\)?\s*[-–—:]+|\(\s*(?:{_AGENCY})\s*\)\s*[-–—:]*)?"
    rf"|\(\s*(?:{_AGENCY})\s*\)\s*[-–—:]*)"
    rf"|\(\s*(?:{_AGENCY})\s*\)\s*[-–—:]+)\s*"
)

_AUTHOR_KEYS = {
    fold(prefix): needs_separator for prefix, needs_separator in AUTHOR_PREFIXES.items()
}
_MAX_PREFIX_WORDS = max(len(prefix.split()) for prefix in AUTHOR_PREFIXES)
_PREFIX_SEPARATOR = re.compile(r"^\s*[:：\-–—]\s*")
#: A byline name ends at a comma or a spaced dash ("سارة الخطيب، مراسلة", "علي - القاهرة"); a bar
#: or bullet separates items that must each be metadata (see :func:`parse_metadata_line`).
_NAME_END = re.compile(r"\s*(?:[,،؛;(]|\s[-–—]\s)")


def clean_author(name: str) -> str | None:
    """A byline name cut at its first comma, bar or spaced dash; None if it is not a name.

    >>> clean_author("محمد أحمد، مراسل الجزيرة")
    'محمد أحمد'
    >>> clean_author("Jane Doe - Reuters")
    'Jane Doe'
    >>> clean_author("the government said on Monday that the talks would resume") is None
    True
    """
    name = _NAME_END.split(name.strip(), maxsplit=1)[0].strip(" :-–—.")
    words = name.split()
    if not words or len(words) > AUTHOR_MAX_WORDS or len(name) > AUTHOR_MAX_CHARS:
        return None
    if (
        any(c.isdigit() for c in name)
        or name[-1] in "!?؟…"
        or not all(any(c.isalpha() for c in word) for word in words)
    ):
        return None
    if name[0].isascii() and not name[0].isupper():
        return None  # "by the river": a Latin name is capitalised
    return name


def parse_author_line(line: str) -> str | None:
    """The author named by a byline (``بقلم: فلان``, ``كتب - فلان``, ``By Jane Doe``), or None.

    >>> parse_author_line("بقلم: سارة الخطيب")
    'سارة الخطيب'
    >>> parse_author_line("بقلم سارة الخطيب")
    'سارة الخطيب'
    >>> parse_author_line("كتب - محمود علي")
    'محمود علي'
    >>> parse_author_line("By Jane Doe, Reuters")
    'Jane Doe'
    >>> parse_author_line("كتب الوزير رسالة إلى نظيره") is None
    True
    """
    words = line.split()
    for count in range(min(_MAX_PREFIX_WORDS, len(words)), 0, -1):
        # The prefix is the first ``count`` words, its last possibly glued to a colon ("بقلم:").
        head = " ".join(words[:count])
        core = head.rstrip(":：-–—")
        needs_separator = _AUTHOR_KEYS.get(fold(core))
        if needs_separator is None:
            continue
        rest = line.split(None, count)[count] if len(words) > count else ""
        if core != head:
            rest = head[len(core) :] + " " + rest
        separator = _PREFIX_SEPARATOR.match(rest)
        if needs_separator and separator is None:
            return None
        return clean_author(rest[separator.end() :] if separator else rest)
    return None


# --- Datelines, relative times, bare names -----------------------------------------------------

_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_VARIANTS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي"})


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """``text`` lower-cased, without diacritics and with alef forms made plain (as :func:`fold`
    does, but keeping punctuation), and for each folded character its index in ``text``."""
    chars: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        if _MARKS.match(c):
            continue
        chars.append(c.lower().translate(_VARIANTS)[:1] or c)
        where.append(i)
    return "".join(chars), where


def is_relative_time(line: str) -> bool:
    """Whether a line is only a relative time ("منذ 3 ساعات", "قبل يومين"), which dates nothing.

    >>> is_relative_time("منذ 3 ساعات")
    True
    >>> is_relative_time("نُشر قبل يومين")
    True
    >>> is_relative_time("منذ ثلاث سنوات والمدينة تنتظر")
    False
    """
    return bool(_RELATIVE_TIME.match(_date_key(line)))


def is_dateline(line: str) -> bool:
    """Whether a line is a dateline of a place and an agency, or an agency alone.

    >>> is_dateline("موسكو- (أ ب)")
    True
    >>> is_dateline("الرياض - واس")
    True
    >>> is_dateline("(رويترز)")
    True
    >>> is_dateline("الرياض")
    False
    """
    return len(line) <= 60 and bool(_DATELINE.match(fold(f"({line})")))


def parse_place_date(line: str) -> DateLine | None:
    """A dateline of a place and a date ("عمّان، 14 أكتوبر 2025"), or None.

    >>> parse_place_date("عمّان، 14 أكتوبر 2025").when.date()
    datetime.date(2025, 10, 14)
    >>> parse_place_date("القاهرة - عمرو سالم") is None
    True
    """
    folded, where = _fold_with_map(line)
    match = _PLACE_BEFORE_DATE.match(folded)
    if match is None or match.end() >= len(folded):
        return None
    return parse_date_line(line[where[match.end()] :])


def strip_leading_dateline(paragraph: str) -> str:
    """A paragraph without the agency dateline glued to its start; a city that is part of the
    sentence stays.

    >>> strip_leading_dateline("موسكو - (أ ب) - أعلن الكرملين أمس أن المحادثات ستستأنف.")
    'أعلن الكرملين أمس أن المحادثات ستستأنف.'
    >>> strip_leading_dateline("(رويترز) - قالت الشركة إن أرباحها ارتفعت.")
    'قالت الشركة إن أرباحها ارتفعت.'
    >>> strip_leading_dateline("في القاهرة، أعلنت الحكومة خطة جديدة.")
    'في القاهرة، أعلنت الحكومة خطة جديدة.'
    """
    folded, where = _fold_with_map(paragraph)
    match = _LEADING_DATELINE.match(folded)
    if match is None or match.end() >= len(folded) or not folded[: match.end()].strip(" -–—:"):
        return paragraph
    if not re.search(r"[-–—:)]\s*$", folded[: match.end()]):
        return paragraph  # "القاهرة تستضيف": the city is the sentence's subject
    rest = paragraph[where[match.end()] :].lstrip()
    return rest if any(c.isalpha() for c in rest) else paragraph


def looks_like_name(line: str, *, known_first: bool = True) -> bool:
    """Whether a line could be a byline name alone: two to four words, letters only, no
    sentence punctuation; with ``known_first``, its first word must be a common given name (or
    an "عبد"/"أبو" compound).

    >>> looks_like_name("سارة الخطيب")
    True
    >>> looks_like_name("عبد الرحمن يوسف")
    True
    >>> looks_like_name("أسباب العطل")
    False
    >>> looks_like_name("أسباب العطل", known_first=False)
    True
    >>> looks_like_name("محمد صلاح يتألق في الدوري الإنجليزي من جديد")
    False
    """
    words = line.split()
    if not 2 <= len(words) <= 4 or len(line) > AUTHOR_MAX_CHARS:
        return False
    if not all(w.isalpha() for w in words):
        return False
    if not known_first:
        return True
    first = fold(words[0])
    return first in _GIVEN_KEYS or first.startswith(("عبد", "ابو", "ابن"))


def _split_place(name: str) -> str:
    """A byline name without a place written after it with no separator ("محمد علي القاهرة")."""
    words = name.split()
    for count in (2, 1):
        if len(words) - count >= 2 and fold(" ".join(words[-count:])) in _PLACE_KEYS:
            return " ".join(words[:-count])
    return name


# --- Lines near the top -------------------------------------------------------------------------

#: Separators between the items of a combined byline: "بقلم: فلان | 30 نوفمبر 2024".
_ITEM_SEPARATORS = (re.compile(r"\s*[|•·]\s*"), re.compile(r"\s+[-–—]\s+|\s*[-–—]\s*(?=\()"))

#: What one item of a byline or date line is.
_Item = tuple[str | None, DateLine | None, bool]  # author, date, a place or agency


def _without_section(item: str) -> str | None:
    """A date item without the section name printed before or after it ("سياسة 26-09-2025"),
    or None when it has none."""
    words = item.split()
    for count in (2, 1):
        if len(words) > count and is_section_label(" ".join(words[:count])):
            return " ".join(words[count:])
        if len(words) > count and is_section_label(" ".join(words[-count:])):
            return " ".join(words[:-count])
    return None


def _place_byline(item: str) -> str | None:
    """The name in a byline of a place and a name: "الخرطوم: فلان", "* رام الله فلان:"."""
    core = item.strip().lstrip("*•-–— ").rstrip(":： ")
    folded, where = _fold_with_map(core)
    match = _PLACE_START.match(folded)
    if match is None or match.end() >= len(folded):
        return None
    name = core[where[match.end()] :].strip()
    if fold(name) in _PLACE_KEYS or not looks_like_name(name, known_first=False):
        return None
    return name


def _parse_item(item: str) -> _Item | None:
    author = parse_author_line(item)
    if author is not None:
        return _split_place(author), None, False
    date = parse_date_line(item) or parse_place_date(item)
    if date is None and (bare := _without_section(item)) is not None:
        date = parse_date_line(bare)
    if date is not None:
        return None, date, False
    key = _date_key(item)
    for label, updated in ((_PUBLISHED_LABEL, False), (_UPDATED_LABEL, True)):
        found = label.match(key)
        if found and ":" in item and not key[found.end() :].strip(" :|-–—"):
            return None, DateLine(None, updated), False  # the label alone; its date follows
    name = _place_byline(item)
    if name is not None:
        return name, None, False
    if _is_site_credit(item):
        return None, None, True
    if is_relative_time(item):
        return None, DateLine(None), False
    key = fold(item)
    if key in _PLACE_KEYS or key in _AGENCY_KEYS or is_dateline(item):
        return None, None, True
    return None


def _is_site_credit(item: str) -> bool:
    """A site's credit for a follow-up or report: "الموقع/متابعة", "متابعة/الموقع"."""
    parts = [part.strip() for part in item.split("/")]
    if len(parts) != 2 or not all(parts) or len(item.split()) > 5:
        return False
    return any(_AUTHOR_KEYS.get(fold(part)) is not None for part in parts)


def parse_metadata_line(line: str) -> tuple[str | None, list[DateLine]] | None:
    """The author and dates a byline, date line or dateline carries, or None when it is body text.

    A name alone is a byline only beside a place, an agency or a date ("محمد علي - القاهرة").

    >>> parse_metadata_line("بقلم: سارة الخطيب | 30 نوفمبر 2024")[0]
    'سارة الخطيب'
    >>> parse_metadata_line("القاهرة - عمرو سالم")[0]
    'عمرو سالم'
    >>> parse_metadata_line("موسكو- (أ ب)")
    (None, [])
    >>> parse_metadata_line("بقلم: سارة | وقال الوزير إن الوضع مستقر") is None
    True
    """
    whole = _parse_item(line)
    if whole is not None:
        return whole[0], [whole[1]] if whole[1] else []
    for separator in _ITEM_SEPARATORS:
        items = [item for item in separator.split(line) if item.strip()]
        if len(items) < 2:
            continue
        parsed = [_parse_item(item) for item in items]
        unknown = [i for i, p in enumerate(parsed) if p is None]
        if len(unknown) == 1 and len(parsed) > 1:
            name = items[unknown[0]].strip()
            # A site named after its city ("بغداد اليوم - بغداد") is not a writer.
            if (
                looks_like_name(name, known_first=False)
                and fold(name.split()[0]) not in _PLACE_KEYS
            ):
                parsed[unknown[0]] = (name, None, False)
        if all(p is not None for p in parsed):
            authors = [p[0] for p in parsed if p is not None and p[0]]
            dates = [p[1] for p in parsed if p is not None and p[1]]
            return (authors[0] if authors else None), dates
    return None


def _published(dates: Sequence[DateLine]) -> datetime | None:
    """The publication date, else the last-update date."""
    for want_update in (False, True):
        for date in dates:
            if date.updated == want_update and date.when is not None:
                return date.when
    return None


#: The longest date line read anywhere in an article: a Hijri and a Gregorian date with their
#: weekday, times and zones in brackets runs to some 110 characters.
DATE_LINE_MAX_CHARS = 160


def is_date_furniture(line: str) -> bool:
    """Whether a line anywhere in an article is a date label, a relative time or a dateline:
    page furniture that is never spoken ("نشر في: …", "آخر تحديث: …", "منذ ساعتين", "(رويترز)").

    >>> is_date_furniture("نشر في: 27 أكتوبر 2024 - 10:30")
    True
    >>> is_date_furniture("30 نوفمبر 2024")
    False
    """
    if len(line) > DATE_LINE_MAX_CHARS:
        return False  # a paragraph: not worth folding to compare with a label
    if is_relative_time(line) or is_dateline(line):
        return True
    key = _date_key(line)
    labelled = _PUBLISHED_LABEL.match(key) or _UPDATED_LABEL.match(key)
    return labelled is not None and parse_date_line(line) is not None


def take_metadata_lines(
    lines: Sequence[str], window: int = METADATA_WINDOW
) -> tuple[list[str], Metadata]:
    """Read byline, date and dateline lines among the first ``window`` non-blank lines, and
    labelled dates, relative times and datelines anywhere; blank them.

    A name alone on a line (two to four words) next to a metadata line at the top is the byline.

    >>> lines, meta = take_metadata_lines(["العنوان", "كتب: علي حسن", "2024/11/30", "النص."])
    >>> lines, meta.author, meta.published.isoformat()
    (['العنوان', '', '', 'النص.'], 'علي حسن', '2024-11-30T00:00:00+00:00')
    >>> lines, meta = take_metadata_lines(["العنوان", "ليلى حداد", "منذ 3 ساعات", "النص."])
    >>> lines, meta.author, meta.published
    (['العنوان', '', '', 'النص.'], 'ليلى حداد', None)
    """
    kept = list(lines)
    author: str | None = None
    dates: list[DateLine] = []
    later: list[DateLine] = []
    filled = [i for i, line in enumerate(lines) if line]
    top = set(filled[:window])
    found_at: list[int] = []
    for i in filled:
        line = lines[i]
        found = parse_metadata_line(line) if i in top else None
        if found is None:
            if not is_date_furniture(line):
                continue
            date = parse_date_line(line)
            later.extend([date] if date else [])
        else:
            author = author or found[0]
            dates.extend(found[1])
        logger.debug("metadata line %r", line)
        kept[i] = ""
        found_at.append(i)
    if author is None and found_at:
        author = _bare_name(lines, filled[:window], set(found_at), kept)
    return kept, Metadata(author=author, published=_published(dates) or _published(later))


def _bare_name(
    lines: Sequence[str], top: Sequence[int], found: set[int], kept: list[str]
) -> str | None:
    """A name alone on a line next to a metadata line near the top (blanked in ``kept``)."""
    for k, i in enumerate(top):
        if k == 0 or i in found or not looks_like_name(lines[i], known_first=False):
            continue
        after_metadata = top[k - 1] in found
        # Above a date line, a short line may be the headline: only a known given name counts.
        before_metadata = k + 1 < len(top) and top[k + 1] in found and looks_like_name(lines[i])
        if after_metadata or before_metadata:
            logger.debug("byline name %r", lines[i])
            kept[i] = ""
            return lines[i]
    return None

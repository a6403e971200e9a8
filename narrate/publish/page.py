"""The listening page, ``output/index.html``: each episode, its player, chapters, segments, text.

One self-contained HTML file (its style and script inline, no external resource, only relative
URLs but the links to each article's original page), so it works from ``narrate serve``, any
static host, or a folder opened from disk. It is right-to-left Arabic and meant to meet WCAG 2.1
AA: landmarks, one heading hierarchy, a label on every control, a skip link, a visible focus
ring, AA contrast in light and dark schemes, and no motion for readers who ask for less.

Playing needs no script: each ``<audio>`` has native controls and each chapter is a link to the
MP3 with a media fragment (``#t=12.5``). The inline script only enhances: a chapter or transcript
cue seeks the episode's player on the page and starts it, and a polite live region says what is
playing.

Every number the page prints (dates, durations, sizes, the chapters' and segments' list numbers,
and the numbers in the titles, descriptions and transcript) is in one form of digits, the show's
choice (``ShowSettings.digits``): Arabic-Indic (٠١٢٣, the default) or Western (0123). Digits
that belong to a Latin word (``F-16``, ``GPT-4``, ``MP3``) and those in URLs are left as written.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import re
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlsplit

from narrate import __version__
from narrate.atomic import replace
from narrate.clock import duration
from narrate.errors import PublishError
from narrate.layout import FEED_FILE, Layout
from narrate.models import Chapter, SegmentFile
from narrate.months import GREGORIAN_MONTHS
from narrate.show import DIGIT_FORMS, ShowSettings, StoredEpisode, clean_text, newest_first

logger = logging.getLogger(__name__)

TRANSCRIPT_JSON = "transcript.json"
#: How the page names each transcript format it links to.
_TRANSCRIPT_FORMATS = {
    "text/vtt": "WebVTT",
    "application/x-subrip": "SRT",
    "application/json": "JSON",
}

# Besides what the feed drops (show.clean_text), the bidi embedding, override and isolate controls
# (U+202A-E, U+2066-9): one in a title would reorder the text after it. The marks LRM, RLM and ALM
# stay: Arabic text uses them on purpose.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_ARABIC_DIGITS = str.maketrans("0123456789.", "٠١٢٣٤٥٦٧٨٩٫")
# A number in a text (digits of any form, with the separators inside a number), or a Latin
# word with its digits (F-16, COVID-19, mp3), which is left alone.
_NUMBER_OR_WORD = re.compile(r"[A-Za-z0-9٠-٩۰-۹]+(?:[.,٫٬_/:-][A-Za-z0-9٠-٩۰-۹]+)*")
_LATIN_LETTER = re.compile("[A-Za-z]")
_TEXT_TO_ARABIC_INDIC = str.maketrans("0123456789۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩" * 2)
_TEXT_TO_WESTERN = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "0123456789" * 2 + ".,")
# A decimal number (3.5), whose point becomes the Arabic decimal separator; 12.5.2024 keeps its.
_DECIMAL = re.compile(r"[0-9]+\.[0-9]+")


def _clean(text: str) -> str:
    r"""``text`` without the characters above, line ends normalised.

    >>> _clean("خبر\u202e عاجل\r\n")
    'خبر عاجل\n'
    """
    return _BIDI_CONTROLS.sub("", clean_text(text))


def _e(text: str) -> str:
    """Cleaned and escaped for HTML text and double- or single-quoted attributes."""
    return html.escape(_clean(text), quote=True)


def arabic_digits(text: str) -> str:
    """Western digits (and the decimal point) as Arabic-Indic ones.

    >>> arabic_digits("12:05, 3.5")
    '١٢:٠٥, ٣٫٥'
    """
    return text.translate(_ARABIC_DIGITS)


class Digits:
    """The page's one form of digits (one of :data:`narrate.show.DIGIT_FORMS`), for what narrate
    writes and for the numbers in the producer's and the article's text."""

    def __init__(self, form: str = DIGIT_FORMS[0]) -> None:
        if form not in DIGIT_FORMS:
            raise ValueError(f"digits must be one of {', '.join(DIGIT_FORMS)}, not {form!r}")
        self.form = form

    @property
    def arabic_indic(self) -> bool:
        return self.form == "arabic-indic"

    def number(self, text: str) -> str:
        """``text`` narrate wrote (Western digits, ``.`` as the decimal point) in this form."""
        return arabic_digits(text) if self.arabic_indic else text

    def text(self, text: str) -> str:
        """Every number in ``text`` in this form; a Latin word keeps its digits.

        >>> Digits("arabic-indic").text("في 2024 بنسبة 3.5% وطائرة F-16 يوم 12.5.2024")
        'في ٢٠٢٤ بنسبة ٣٫٥% وطائرة F-16 يوم ١٢.٥.٢٠٢٤'
        >>> Digits("western").text("ارتفعت ١٨٪ إلى ٣٫٥ مليون")
        'ارتفعت 18٪ إلى 3.5 مليون'
        """
        table = _TEXT_TO_ARABIC_INDIC if self.arabic_indic else _TEXT_TO_WESTERN

        def convert(found: re.Match[str]) -> str:
            token = found.group()
            if _LATIN_LETTER.search(token):
                return token
            if self.arabic_indic and _DECIMAL.fullmatch(token):
                token = token.replace(".", "٫")
            return token.translate(table)

        return _NUMBER_OR_WORD.sub(convert, text)

    def date(self, value: datetime) -> str:
        """A date as Arabic readers write it, in UTC (the feed's zone).

        >>> from datetime import UTC
        >>> Digits().date(datetime(2026, 11, 25, 23, 30, tzinfo=UTC))
        '٢٥ نوفمبر ٢٠٢٦'
        >>> Digits("western").date(datetime(2026, 11, 25, 23, 30, tzinfo=UTC))
        '25 نوفمبر 2026'
        """
        return self.number(f"{value.day} {GREGORIAN_MONTHS[value.month][0]} {value.year}")

    def clock(self, ms: int) -> str:
        """A time or length as :func:`narrate.clock.duration` writes it.

        >>> Digits().clock(754_000), Digits().clock(3_725_900), Digits("western").clock(5_000)
        ('١٢:٣٤', '١:٠٢:٠٦', '0:05')
        """
        return self.number(duration(ms))

    def megabytes(self, size: int) -> str:
        return self.number(f"{size / 1_000_000:.1f}")


def _iso_duration(seconds: float) -> str:
    return f"PT{max(0, round(seconds))}S"


def _url(path: str) -> str:
    """A path relative to the output folder as a relative URL (ASCII, percent-encoded)."""
    return quote(path, safe="/")


def _seconds(ms: int) -> str:
    """Milliseconds as seconds for a media fragment and ``data-start``: ``12500`` -> ``12.5``."""
    return f"{ms / 1000:.3f}".rstrip("0").rstrip(".")


def _paragraphs(text: str, digits: Digits) -> str:
    """Plain text as paragraphs (blank lines) and line breaks, escaped."""
    cleaned = digits.text(_clean(text))
    blocks = [b.strip() for b in re.split(r"\n\s*\n", cleaned.strip()) if b.strip()]
    return "\n".join(
        "<p>" + "<br>".join(html.escape(line, quote=True) for line in b.splitlines()) + "</p>"
        for b in blocks
    )


def _asset(name: str) -> str:
    return resources.files("narrate").joinpath("data", name).read_text("utf-8")


def _csp_hash(source: str) -> str:
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


# -- transcript --------------------------------------------------------------


def _transcript_path(output_dir: Path, episode: StoredEpisode) -> Path:
    for transcript in episode.transcripts:
        if transcript.mime == "application/json":
            return output_dir / transcript.path
    return Layout(output_dir).episode_dir(episode.slug) / TRANSCRIPT_JSON


def read_transcript(output_dir: Path, episode: StoredEpisode) -> list[tuple[float, str]]:
    """The episode's Podcasting 2.0 JSON transcript as ``(start seconds, text)`` cues.

    Empty when there is none; a broken file is logged and left out, since a page without a
    transcript is better than no page.
    """
    path = _transcript_path(output_dir, episode)
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        logger.warning("transcript %s left off the page: %s", path, exc)
        return []
    segments = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(segments, list):
        logger.warning("transcript %s left off the page: no segment list", path)
        return []
    cues: list[tuple[float, str]] = []
    for segment in segments:
        if not isinstance(segment, dict):
            continue
        start, body = segment.get("startTime"), segment.get("body")
        if isinstance(start, bool) or not isinstance(start, int | float):
            continue
        if isinstance(body, str) and _clean(body).strip():
            cues.append((max(0.0, float(start)), body))
    return cues


# -- the page ----------------------------------------------------------------


def _seek_link(href: str, player: str, seconds: str, text: str, announce: str, hidden: str) -> str:
    """A link that plays ``href`` from ``seconds``: a media fragment without script, a seek with.

    ``text`` is shown; ``hidden`` is read after it by screen readers (the name keeps the visible
    text first, WCAG 2.5.3).
    """
    return (
        f'<a class="seek" href="{href}#t={seconds}" data-player="{player}" '
        f'data-start="{seconds}" data-announce="{_e(announce)}">{text}'
        f'<span class="vh">{_e(hidden)}</span></a>'
    )


def _chapters(episode: StoredEpisode, player: str, mp3: str, heading: str, digits: Digits) -> str:
    items = []
    episode_title = digits.text(_clean(episode.title))
    for number, chapter in enumerate(_sorted_chapters(episode.chapters), start=1):
        start = digits.clock(chapter.start_ms)
        title = digits.text(_clean(chapter.title))
        link = _seek_link(
            mp3,
            player,
            _seconds(chapter.start_ms),
            f'<span class="t">{start}</span> <bdi>{html.escape(title)}</bdi>',
            f"يُشغَّل الآن: «{title}» من «{episode_title}»، ابتداءً من {start}",
            f"، الفصل {digits.number(str(number))} من «{episode_title}»",
        )
        items.append(f"<li>{link}</li>")
    return (
        f'<section class="chapters" aria-labelledby="{heading}">\n'
        f'<h3 id="{heading}">الفصول</h3>\n<ol>\n' + "\n".join(items) + "\n</ol>\n</section>"
    )


def _sorted_chapters(chapters: Sequence[Chapter]) -> list[Chapter]:
    return sorted(chapters, key=lambda c: c.start_ms)


def _segments(episode: StoredEpisode, heading: str, digits: Digits) -> str:
    ordered = sorted(episode.segments, key=lambda s: s.number)
    items = [_segment(episode, s, digits) for s in ordered]
    return (
        f'<section class="segments" aria-labelledby="{heading}">\n'
        f'<h3 id="{heading}">الأجزاء</h3>\n<ol>\n' + "\n".join(items) + "\n</ol>\n</section>"
    )


def _segment(episode: StoredEpisode, segment: SegmentFile, digits: Digits) -> str:
    number = digits.number(str(segment.number))
    title = digits.text(_clean(segment.title))
    label = f"الجزء {number}: {title}، من «{digits.text(_clean(episode.title))}»"
    src = _url(segment.path)
    length = digits.clock(segment.duration_ms)
    return (
        f'<li><p class="segment-title"><bdi>{html.escape(title)}</bdi> '
        f'<span class="meta">(<time datetime="{_iso_duration(segment.duration_ms / 1000)}">'
        f"{length}</time>)</span></p>\n"
        f'<audio controls preload="none" src="{src}" aria-label="{_e(label)}">'
        f'<a href="{src}">استمع إلى الجزء {number}</a></audio></li>'
    )


def _transcript(
    output_dir: Path, episode: StoredEpisode, player: str, mp3: str, heading: str, digits: Digits
) -> str:
    cues = read_transcript(output_dir, episode)
    files = episode.transcripts
    if not cues and not files:
        return ""
    parts = [f'<details class="transcript">\n<summary id="{heading}">النص الكامل</summary>']
    title = digits.text(_clean(episode.title))
    for start, body in cues:
        clock = digits.clock(round(start * 1000))
        link = _seek_link(
            mp3,
            player,
            _seconds(round(start * 1000)),
            f'<span class="t">{clock}</span>',
            f"يُشغَّل الآن: «{title}» ابتداءً من {clock}",
            f"، استمع من هنا في «{title}»",
        )
        text = digits.text(_clean(body).strip())
        parts.append(f'<p class="cue">{link} {html.escape(text)}</p>')
    if files:
        links = "، ".join(
            f'<a href="{_url(t.path)}" type="{_e(t.mime)}">'
            f"{_TRANSCRIPT_FORMATS.get(t.mime, _e(t.mime))}"
            f'<span class="vh"> «{_e(title)}»</span></a>'
            for t in files
        )
        parts.append(f'<p class="files">تنزيل النص: {links}</p>')
    parts.append("</details>")
    return "\n".join(parts)


def _source(episode: StoredEpisode, digits: Digits) -> str:
    """«المصدر: site», linked to the article's own page (the host names a site without a name).

    The visible name comes first in the link's accessible name (WCAG 2.5.3); screen readers hear
    which article it opens. The site's name may be Latin, so it is isolated (``bdi``).
    """
    link = episode.link or ""
    # A name, as the publication spells it (عربي21): its digits are left as written.
    name = episode.site or (urlsplit(link).hostname or link).removeprefix("www.")
    title = digits.text(episode.title)
    return (
        '<p class="meta source">المصدر: '
        f'<a href="{_e(link)}" rel="external noopener noreferrer"><bdi>{_e(name)}</bdi>'
        f'<span class="vh">، المقال الأصلي «{_e(title)}»</span></a></p>'
    )


def _episode(output_dir: Path, episode: StoredEpisode, index: int, digits: Digits) -> str:
    ident = f"e{index}"
    player = f"{ident}-player"
    mp3 = _url(episode.file_name)
    title = digits.text(_clean(episode.title))
    seconds = episode.duration_seconds
    parts = [
        f'<article class="episode" id="{_e(episode.slug)}" aria-labelledby="{ident}-title">',
        f'<h2 id="{ident}-title"><bdi>{html.escape(title)}</bdi></h2>',
        '<p class="meta">'
        f'<time datetime="{episode.published.isoformat()}">{digits.date(episode.published)}</time>'
        f' · المدة <time datetime="{_iso_duration(seconds)}">{digits.clock(seconds * 1000)}</time>'
        "</p>",
    ]
    if episode.description.strip():
        description = _paragraphs(episode.description, digits)
        parts.append(f'<div class="description">\n{description}\n</div>')
    if episode.link:
        parts.append(_source(episode, digits))
    parts.append(
        f'<audio id="{player}" class="episode-player" controls preload="none" src="{mp3}" '
        f'aria-label="{_e(f"الحلقة كاملة: {title}")}">'
        f'<a href="{mp3}">استمع إلى الحلقة</a></audio>'
    )
    parts.append(
        f'<p class="download"><a href="{mp3}" download type="audio/mpeg">تنزيل الحلقة'
        f'<span class="vh"> «{_e(title)}»</span></a> '
        f'<span class="meta">({digits.megabytes(episode.file_size)} ميغابايت)</span></p>'
    )
    if episode.chapters:
        parts.append(_chapters(episode, player, mp3, f"{ident}-chapters", digits))
    if episode.segments:
        parts.append(_segments(episode, f"{ident}-segments", digits))
    transcript = _transcript(output_dir, episode, player, mp3, f"{ident}-transcript", digits)
    if transcript:
        parts.append(transcript)
    parts.append("</article>")
    return "\n".join(parts)


def render_page(output_dir: Path, episodes: Sequence[StoredEpisode], show: ShowSettings) -> str:
    """The whole page as HTML; the same folder contents and arguments give the same text."""
    style, script = _asset("page.css"), _asset("page.js")
    digits = Digits(show.digits)
    title = digits.text(_clean(show.title))
    language = _e(show.language or "ar")
    csp = (
        "default-src 'none'; img-src 'self'; media-src 'self'; "
        f"style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
        "base-uri 'none'; form-action 'none'"
    )
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{language}" dir="rtl" data-digits="{digits.form}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        f"<title>{html.escape(title)}</title>",
    ]
    if show.description.strip():
        description = digits.text(show.description.strip())
        head.append(f'<meta name="description" content="{_e(description)}">')
    head += [
        f'<meta name="generator" content="narrate {__version__}">',
        f'<link rel="alternate" type="application/rss+xml" title="{_e(title)}" href="{FEED_FILE}">',
        f"<style>{style}</style>",
    ]
    cover = Layout(output_dir).find_cover()
    if cover:
        head.append(f'<link rel="icon" href="{cover}">')
    head.append("</head>")
    body = [
        "<body>",
        '<a class="skip" href="#main">انتقل إلى الحلقات</a>',
        '<header class="show">',
    ]
    if cover:
        body.append(f'<img class="cover" src="{cover}" alt="{_e(f"غلاف {title}")}">')
    body.append(f"<h1><bdi>{html.escape(title)}</bdi></h1>")
    if show.author.strip():
        body.append(f'<p class="meta">تقديم <bdi>{_e(digits.text(show.author.strip()))}</bdi></p>')
    if show.description.strip():
        description = _paragraphs(show.description, digits)
        body.append(f'<div class="description">\n{description}\n</div>')
    body += [
        f'<p class="subscribe"><a href="{FEED_FILE}" type="application/rss+xml">'
        "اشترك في البرنامج (RSS)</a></p>",
        "</header>",
        '<main id="main" tabindex="-1">',
    ]
    ordered = newest_first(episodes)
    if ordered:
        body += [_episode(output_dir, e, i, digits) for i, e in enumerate(ordered, start=1)]
    else:
        body.append('<p class="empty">لا حلقات بعد.</p>')
    body += [
        '<p id="now-playing" class="vh" role="status" aria-live="polite"></p>',
        "</main>",
        '<footer class="site">',
        f'<p>صُنعت هذه الصفحة بأداة <span lang="en" dir="ltr">narrate {__version__}</span>.</p>',
        "</footer>",
        f"<script>{script}</script>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(head + body)


def write_page(output_dir: Path, episodes: Sequence[StoredEpisode], show: ShowSettings) -> Path:
    """Write ``output_dir/index.html`` atomically (temporary file, fsync, ``os.replace``)."""
    target = Layout(output_dir).page
    data = render_page(output_dir, episodes, show).encode("utf-8")
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"cannot write {target}: {exc.strerror or exc}") from exc
    replace(target, data, mode=0o644)  # readable by a web server whatever the umask
    return target

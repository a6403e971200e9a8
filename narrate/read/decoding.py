"""An article's bytes -> text: byte-order marks, UTF-8, Arabic Windows-1256, an HTML page's charset.

The order, first match wins:

1. a known binary signature (PNG, PDF, ZIP ...) is refused by name;
2. a byte-order mark decides: UTF-8, UTF-16 or UTF-32;
3. valid UTF-8 is UTF-8 (even when an HTML page declares another charset: a saved page is often
   re-encoded while its ``<meta charset>`` stays, and real Windows-1256 Arabic is never valid
   UTF-8);
4. for HTML, the charset the page declares (``<meta charset>``, ``http-equiv`` Content-Type);
5. Arabic Windows-1256 when the result reads as Arabic and the bytes are not damaged UTF-8;
6. otherwise an error naming the file, the first bad byte and its offset.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata

from narrate.charset import INVISIBLE_CHARS
from narrate.errors import ArticleError

logger = logging.getLogger(__name__)

__all__ = [
    "ARABIC_LEGACY_ENCODING",
    "BINARY_SIGNATURES",
    "BYTE_ORDER_MARKS",
    "WEB_ENCODINGS",
    "declared_charset",
    "decode_article",
    "looks_arabic",
]

#: Leading bytes of files people drop in by mistake, and what to call them in the error.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (.docx, .odt and .epub files are ZIP archives)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"ID3", "an MP3 file"),
    (b"\x7fELF", "a program"),
)

#: Byte-order marks, longest first (a UTF-32 LE mark begins like a UTF-16 LE one).
BYTE_ORDER_MARKS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)

#: The legacy encoding Arabic Windows saves "ANSI" text in; tried only when UTF-8 fails.
ARABIC_LEGACY_ENCODING = "cp1256"

#: Declared charsets read as another, as browsers do (WHATWG Encoding Standard): a page that
#: says ISO-8859-1 is Windows-1252, and a UTF-16 declaration without a byte-order mark is wrong.
CHARSET_ALIASES: dict[str, str] = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "x-user-defined": "cp1252",
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
    "iso-8859-6": "iso8859-6",
    "arabic": "iso8859-6",
    "windows-1256": "cp1256",
    "x-cp1256": "cp1256",
}

#: The encodings of the web (WHATWG Encoding Standard) as Python names: a page's declared charset
#: is honoured only when it is one of these, never a codec such as "rot13" or "unicode_escape".
WEB_ENCODINGS: frozenset[str] = frozenset(
    {
        *(f"cp{n}" for n in range(1250, 1259)),
        *(f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)),
        "utf-8",
        "cp866",
        "cp874",
        "koi8-r",
        "koi8-u",
        "mac-roman",
        "gbk",
        "gb18030",
        "big5",
        "euc_jp",
        "iso2022_jp",
        "shift_jis",
        "euc_kr",
    }
)

#: An HTML page declares its charset within its first bytes (browsers look at 1024; allow more).
CHARSET_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>|&#?\w+;", re.I | re.S)

# Decoding heuristics.
_MAX_CONTROL_SHARE = 0.05  # more C0 control characters than this: binary
_MIN_ARABIC_LETTER_SHARE = 0.8  # legacy decoding must give letters that are mostly Arabic
_MAX_SYMBOL_SHARE = 0.05  # ... and few symbols or unassigned characters


def has_binary_controls(text: str) -> bool:
    """Whether text holds a NUL or more C0 control characters than any text file would."""
    if "\x00" in text:
        return True
    sample = text[:65536]
    # Tab, line and page breaks are text; so are a DOS end-of-file mark and terminal colour codes.
    controls = sum(1 for c in sample if c < " " and c not in "\t\n\r\f\v\x1a\x1b")
    return controls > _MAX_CONTROL_SHARE * len(sample)


def _is_arabic_letter(char: str) -> bool:
    return "ARABIC" in unicodedata.name(char, "")


def looks_arabic(text: str) -> bool:
    """Whether text is mostly Arabic letters, spaces and punctuation (a legacy decoding that fits).

    >>> looks_arabic("سقوط حلب، ثم ماذا؟")
    True
    >>> looks_arabic("caf\u00e9 au lait")
    False
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    arabic = sum(1 for c in letters if _is_arabic_letter(c))
    symbols = sum(
        1
        for c in text
        if unicodedata.category(c)[0] in "SC" and not c.isspace() and c not in INVISIBLE_CHARS
    )
    mostly_arabic = arabic >= _MIN_ARABIC_LETTER_SHARE * len(letters)
    return mostly_arabic and symbols <= _MAX_SYMBOL_SHARE * len(text)


def _mostly_utf8(data: bytes) -> bool:
    """Whether most non-ASCII bytes form valid UTF-8: damaged UTF-8 rather than another encoding."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if c > "\x7f" and c != "\ufffd")
    return good > bad


def binary_kind(data: bytes) -> str | None:
    """What a known binary format is called, if ``data`` starts like one."""
    for signature, kind in BINARY_SIGNATURES:
        if data.startswith(signature):
            return kind
    return None


def byte_order_mark(data: bytes) -> tuple[str, str] | None:
    """The codec and label of the byte-order mark ``data`` starts with, if any."""
    for mark, codec, label in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return codec, label
    return None


def web_codec(label: str) -> str | None:
    """The Python codec for a charset label (its aliases known), if it is a web encoding.

    >>> web_codec("Windows-1256"), web_codec("iso-8859-1"), web_codec("klingon")
    ('cp1256', 'cp1252', None)
    """
    label = label.strip().lower()
    label = CHARSET_ALIASES.get(label, label)
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    if codec not in WEB_ENCODINGS:
        logger.debug("ignoring charset %r: not a web encoding", label)
        return None
    return codec


def declared_charset(data: bytes) -> str | None:
    """The Python codec for the charset an HTML page declares near its start, if known.

    >>> declared_charset(b'<html><head><meta charset="windows-1256">')
    'cp1256'
    >>> declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">')
    'utf-8'
    >>> declared_charset(b'<meta charset="klingon">') is None
    True
    >>> declared_charset(b'<meta charset="rot13">') is None
    True
    """
    match = _META_CHARSET.search(data[:CHARSET_SNIFF_BYTES])
    if match is None:
        return None
    return web_codec(match[1].decode("ascii"))


def decode_article(data: bytes, name: str, *, html: bool = False) -> str:
    """Decode an article's bytes; raise :class:`ArticleError` starting with ``name`` if not text.

    ``name`` says what is being read ("article notes.txt", "standard input"). With ``html``, the
    page's declared charset is honoured for bytes that are not UTF-8.
    """
    kind = binary_kind(data)
    if kind is not None:
        raise ArticleError(f"{name} is a binary file ({kind}), not text")
    marked = byte_order_mark(data)
    if marked is not None:
        codec, label = marked
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise ArticleError(
                f"{name} starts with a {label} byte-order mark but is not valid {label} text"
            ) from exc
        logger.debug("decoded %s as %s", name, label)
    else:
        if has_binary_controls(data.decode("latin-1")):
            raise ArticleError(f"{name} is a binary file, not text")
        text = _decode_unmarked(data, name, html)
    if has_binary_controls(text):
        raise ArticleError(f"{name} is a binary file, not text")
    return text


def _decode_unmarked(data: bytes, name: str, html: bool) -> str:
    """Decode bytes without a byte-order mark: UTF-8, the declared charset, else Windows-1256."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if html:
        declared = declared_charset(data)
        if declared is not None and declared != "utf-8":
            try:
                text = data.decode(declared)
            except UnicodeError:
                logger.info("%s is not valid %s as its page declares", name, declared)
            else:
                logger.info("%s read as %s, the charset its page declares", name, declared)
                return text
    if not _mostly_utf8(data):
        try:
            legacy = data.decode(ARABIC_LEGACY_ENCODING)
        except UnicodeDecodeError:
            legacy = ""
        if looks_arabic(_TAGS.sub(" ", legacy) if html else legacy):
            logger.info("%s is not UTF-8; read it as Arabic Windows-1256", name)
            return legacy
    bad = data[utf8_error.start]
    raise ArticleError(
        f"{name} is not UTF-8 text (byte 0x{bad:02X} at offset {utf8_error.start}): "
        "save it as UTF-8"
    )

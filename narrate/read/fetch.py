"""An article's web page, fetched: ``narrate build URL``.

One GET, with everything a producer's link can go wrong with bounded and named:

- **time**: the whole fetch (connecting, every redirect, the headers, the body) ends within
  ``timeout`` seconds of wall-clock time, not per socket read: a server that trickles a byte at a
  time is cut off when the time is up (a watchdog shuts the socket down). Only the DNS lookup is
  outside the limit (the system resolver takes no timeout);
- **size**: the body is read in pieces and reading stops past ``max_bytes`` (5 MB, as for
  files); a ``Content-Length`` over it is refused before the body is read; a gzip body is capped
  on what it expands to;
- **redirects**: at most :data:`MAX_REDIRECTS`, to http(s) addresses only; a loop is named;
- **what it is**: a status of 400 or more, a body that is not HTML (``Content-Type``), or a page
  from which too little text is left (a consent wall, a paywall) is refused by
  :mod:`narrate.read.article` with one line saying why;
- **charset**: a byte-order mark, then the ``Content-Type`` header's charset, then what the page
  declares (``<meta charset>``), then UTF-8 or Arabic Windows-1256 detection as files get
  (:mod:`narrate.read.decoding`). Valid UTF-8 stays UTF-8 even when a header says otherwise:
  servers often default to ISO-8859-1, and legacy-encoded Arabic is never valid UTF-8;
- **proxies**: the environment's (``https_proxy``, ``no_proxy`` ...), as browsers and ``curl``
  honour them.

The standard library's :mod:`http.client` does the HTTP: it lets the deadline reach every read.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import logging
import re
import socket
import ssl
import threading
import time
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from narrate import __version__
from narrate.errors import ArticleError
from narrate.read.decoding import (
    binary_kind,
    byte_order_mark,
    declared_charset,
    decode_article,
    has_binary_controls,
    web_codec,
)

logger = logging.getLogger(__name__)

__all__ = [
    "FETCH_TIMEOUT",
    "MAX_PAGE_BYTES",
    "MAX_REDIRECTS",
    "USER_AGENT",
    "Page",
    "canonical_url",
    "fetch_page",
    "is_url",
]

#: Seconds the whole fetch may take, redirects and body included.
FETCH_TIMEOUT = 30.0
#: Redirects followed before the fetch is refused.
MAX_REDIRECTS = 5
#: A page's body (as sent, and as it expands if compressed) may be at most this big.
MAX_PAGE_BYTES = 5_000_000
#: How narrate names itself to the sites it reads.
USER_AGENT = f"narrate/{__version__} (Arabic news article to podcast episode; one page per build)"

#: Content types read as an HTML page.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 65536
#: A scheme before ``://`` (two letters at least: ``C://`` is a Windows path).
_URL = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]+://")
_HTTP = re.compile(r"\Ahttps?://", re.I)
#: The page's canonical link is in its head: looked for in this much of the page.
_HEAD_CHARS = 500_000


def is_url(text: str) -> bool:
    """Whether an ARTICLE argument is an address (``scheme://...``) rather than a path.

    >>> is_url("https://example.org/news/1"), is_url("HTTP://example.org")
    (True, True)
    >>> is_url("news/article.txt"), is_url("-"), is_url("C://x.txt")
    (False, False, False)
    >>> is_url("ftp://example.org/a.txt")
    True
    """
    return bool(_URL.match(text))


@dataclass(frozen=True)
class Page:
    """A fetched HTML page."""

    #: The address asked for.
    url: str
    #: The address the page came from, after redirects.
    final_url: str
    #: The page's text, decoded.
    text: str
    #: The ``Content-Type`` header as sent.
    content_type: str
    #: Redirects followed.
    redirects: int = 0


# --- Addresses ----------------------------------------------------------------------------------


def _ascii_url(url: str) -> str:
    """``url`` as ASCII: IDNA host, percent-encoded path and query (Arabic addresses are common).

    >>> _ascii_url("https://example.org/أخبار/1?q=سوريا#أ")
    'https://example.org/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/1?q=%D8%B3%D9%88%D8%B1%D9%8A%D8%A7'
    >>> _ascii_url("https://example.org/a%20b")
    'https://example.org/a%20b'
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as exc:
        raise ArticleError(f"{url!r} is not a valid address: bad host name") from exc
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if parts.username is not None:
        auth = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{auth}@{netloc}"
    safe = "/%:@!$&'()*+,;=-._~"
    path = quote(parts.path, safe=safe) or "/"
    query = quote(parts.query, safe=safe + "?")
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


def _check_url(url: str) -> str:
    """The ASCII form of an http(s) ``url``; any other address is refused by name."""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise ArticleError(f"{url!r} is not a valid address: it holds spaces or control characters")
    if not _HTTP.match(url):
        scheme = url.split(":", 1)[0]
        raise ArticleError(
            f"cannot read {url}: only http:// and https:// addresses are fetched, not {scheme}://"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise ArticleError(f"{url} is not a valid address: {exc}") from exc
    if not parts.hostname:
        raise ArticleError(f"{url} is not a valid address: it names no host")
    return _ascii_url(url)


def _location(value: str) -> str:
    """A ``Location`` header as text: http.client decodes it as Latin-1, servers send UTF-8."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


# --- The exchange -------------------------------------------------------------------------------


class _Timeout(Exception):
    """The fetch's deadline passed."""


@dataclass
class _Answer:
    status: int
    reason: str
    headers: Message
    body: bytes | None


def _proxy_for(scheme: str, host: str) -> str | None:
    """The proxy the environment names for ``scheme`` and ``host``, if any."""
    proxies = urllib.request.getproxies()
    proxy = proxies.get(scheme)
    if proxy is None or urllib.request.proxy_bypass(host):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str, dict[str, str]]:
    """A connection for ``url`` (through the environment's proxy if any), the request target and
    the headers a proxy needs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    extra: dict[str, str] = {}
    proxy = _proxy_for(parts.scheme, host)
    if proxy is None:
        if https:
            context = ssl.create_default_context()
            return (
                http.client.HTTPSConnection(host, port, timeout=timeout, context=context),
                target,
                extra,
            )
        return http.client.HTTPConnection(host, port, timeout=timeout), target, extra
    via = urlsplit(proxy)
    proxy_host, proxy_port = via.hostname or "", via.port or 8080
    if via.username is not None:
        credentials = f"{unquote(via.username)}:{unquote(via.password or '')}"
        extra["Proxy-Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
    if https:
        conn = http.client.HTTPSConnection(
            proxy_host, proxy_port, timeout=timeout, context=ssl.create_default_context()
        )
        conn.set_tunnel(host, port, headers=extra)
        return conn, target, {}
    return http.client.HTTPConnection(proxy_host, proxy_port, timeout=timeout), url, extra


def _shut(conn: http.client.HTTPConnection) -> None:
    """Wake any read blocked on ``conn``'s socket: the deadline has passed."""
    sock = conn.sock
    if sock is not None:
        # The plain socket's shutdown, also for TLS: it wakes the reader without touching the
        # TLS object the reading thread is using.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Timeout
    return left


def _exchange(url: str, deadline: float, max_bytes: int, page_name: str) -> _Answer:
    """One GET of ``url``; the body is read only for a 2xx answer with an HTML type."""
    conn, target, extra = _connection(url, _remaining(deadline))
    watchdog = threading.Timer(_remaining(deadline), _shut, args=(conn,))
    watchdog.daemon = True
    watchdog.start()
    response: http.client.HTTPResponse | None = None
    try:
        conn.request(
            "GET",
            target,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                "Accept-Language": "ar,en;q=0.5",
                "Accept-Encoding": "gzip, deflate",
                "Connection": "close",
                **extra,
            },
        )
        response = conn.getresponse()
        answer = _Answer(response.status, response.reason, response.headers, None)
        if 200 <= response.status < 300 and _is_html(response.headers):
            answer.body = _read_body(response, deadline, max_bytes, page_name)
        return answer
    except (OSError, http.client.HTTPException):
        if time.monotonic() >= deadline:
            raise _Timeout from None
        raise
    finally:
        watchdog.cancel()
        # The response holds the socket open too: both are closed, so that a body left unread
        # (too large, not HTML, an error page) is not sent on by the server.
        if response is not None:
            response.close()
        conn.close()


def _is_html(headers: Message) -> bool:
    """Whether the answer says it is HTML; an answer without a type is sniffed later."""
    return headers.get("Content-Type") is None or headers.get_content_type() in HTML_TYPES


def _read_body(
    response: http.client.HTTPResponse, deadline: float, max_bytes: int, page_name: str
) -> bytes:
    too_large = ArticleError(f"{page_name} is too large (over {max_bytes / 1_000_000:g} MB)")
    length = response.headers.get("Content-Length")
    if length is not None and length.strip().isdigit() and int(length) > max_bytes:
        raise too_large
    encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
    inflate = (
        zlib.decompressobj(zlib.MAX_WBITS | 32)
        if encoding in ("gzip", "x-gzip", "deflate")
        else None
    )
    body = bytearray()
    received = 0
    while True:
        piece = response.read1(_CHUNK)
        _remaining(deadline)
        if not piece:
            break
        received += len(piece)
        if received > max_bytes:
            raise too_large
        if inflate is None:
            body += piece
            continue
        try:
            body += inflate.decompress(piece, max_bytes + 1 - len(body))
        except zlib.error as exc:
            raise ArticleError(f"{page_name} is sent {encoding}-compressed but is damaged") from exc
        if len(body) > max_bytes or inflate.unconsumed_tail:
            raise too_large
    return bytes(body)


def fetch_page(
    url: str,
    *,
    timeout: float = FETCH_TIMEOUT,
    max_bytes: int = MAX_PAGE_BYTES,
    max_redirects: int = MAX_REDIRECTS,
) -> Page:
    """Fetch the HTML page at ``url``, following at most ``max_redirects`` redirects.

    Raises :class:`ArticleError` with one line naming the address and why: not http(s), the
    host not found, the connection refused, the time up, too many redirects or a loop, an HTTP
    error status, not an HTML page, too large, or text in no known encoding.
    """
    start = _check_url(url)
    deadline = time.monotonic() + timeout
    current = start
    seen = {current}
    redirects = 0
    while True:
        host = urlsplit(current).hostname or ""
        try:
            answer = _exchange(current, deadline, max_bytes, f"the page at {url}")
        except _Timeout:
            raise ArticleError(
                f"cannot fetch {url}: no complete answer within {timeout:g} seconds (timed out)"
            ) from None
        except socket.gaierror as exc:
            raise ArticleError(
                f"cannot fetch {url}: the host {host} was not found (DNS lookup failed)"
            ) from exc
        except ConnectionRefusedError as exc:
            raise ArticleError(
                f"cannot fetch {url}: the server {host} refused the connection"
            ) from exc
        except ssl.SSLError as exc:
            reason = getattr(exc, "verify_message", None) or exc.reason or exc
            raise ArticleError(
                f"cannot fetch {url}: the secure connection to {host} failed ({reason})"
            ) from exc
        except http.client.HTTPException as exc:
            raise ArticleError(
                f"cannot fetch {url}: the server's answer is not valid HTTP ({type(exc).__name__})"
            ) from exc
        except OSError as exc:
            raise ArticleError(f"cannot fetch {url}: {exc.strerror or exc}") from exc
        if answer.status in _REDIRECTS and answer.headers.get("Location"):
            location = _location(answer.headers["Location"])
            try:
                target = urljoin(current, location)
            except ValueError as exc:
                raise ArticleError(
                    f"cannot fetch {url}: it redirects to an invalid address ({location}: {exc})"
                ) from None
            if not _HTTP.match(target):
                raise ArticleError(
                    f"cannot fetch {url}: it redirects to {target.split(':', 1)[0]}://, "
                    "not an http(s) address"
                )
            try:
                target = _check_url(target)
            except ArticleError as exc:
                raise ArticleError(
                    f"cannot fetch {url}: it redirects to an invalid address ({exc})"
                ) from None
            redirects += 1
            if target in seen:
                raise ArticleError(f"cannot fetch {url}: its redirects loop back to {target}")
            if redirects > max_redirects:
                raise ArticleError(
                    f"cannot fetch {url}: too many redirects (more than {max_redirects})"
                )
            logger.info("%s redirects to %s", current, target)
            seen.add(target)
            current = target
            continue
        break
    if answer.status >= 400:
        said = f"{answer.status} {answer.reason}".strip()
        raise ArticleError(f"cannot fetch {url}: the server answered {said}")
    if not 200 <= answer.status < 300:
        said = f"{answer.status} {answer.reason}".strip()
        raise ArticleError(f"cannot fetch {url}: the server answered {said}, not a page")
    content_type = answer.headers.get("Content-Type") or ""
    if answer.body is None:
        raise ArticleError(
            f"{url} is not a web page: its Content-Type is {answer.headers.get_content_type()}, "
            "not HTML"
        )
    text = decode_page(answer.body, answer.headers, f"the page at {url}")
    logger.info("fetched %s: %d bytes, %s", current, len(answer.body), content_type or "no type")
    return Page(url, current, text, content_type, redirects)


# --- Charset ------------------------------------------------------------------------------------


def header_charset(headers: Message) -> str | None:
    """The Python codec for the ``Content-Type`` header's charset, if it is a web encoding."""
    if headers.get("Content-Type") is None:
        return None
    label = headers.get_content_charset()
    return web_codec(label) if label else None


def decode_page(data: bytes, headers: Message, name: str) -> str:
    """A fetched page's text: a byte-order mark, else the header's charset, else as a saved page
    is read (its ``<meta charset>``, UTF-8, Arabic Windows-1256)."""
    if not data:
        raise ArticleError(f"{name} is empty")
    kind = binary_kind(data)
    if kind is not None:
        raise ArticleError(f"{name} is {kind}, not a web page")
    codec = None if byte_order_mark(data) else header_charset(headers)
    if codec == "cp1252" and declared_charset(data):
        # ISO-8859-1 is many servers' default, not the page's word: the page's own declaration
        # (an Arabic page's windows-1256) decides.
        codec = None
    if codec is not None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            codec = "utf-8"  # valid UTF-8 is UTF-8 whatever a server's default says
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            logger.info(
                "%s is not valid %s as its header says; reading its own charset", name, codec
            )
        else:
            if has_binary_controls(text):
                raise ArticleError(f"{name} is a binary file, not a web page")
            logger.debug("decoded %s as %s (its Content-Type header)", name, codec)
            return text
    return decode_article(data, name, html=True)


# --- The canonical address ----------------------------------------------------------------------


class _LinkFinder(HTMLParser):
    """``<link rel="canonical">`` and ``og:url`` in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.canonical: str | None = None
        self.og_url: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "").strip() for name, value in attrs}
        if tag == "link" and self.canonical is None:
            if "canonical" in values.get("rel", "").lower().split() and values.get("href"):
                self.canonical = values["href"]
        elif tag == "meta" and self.og_url is None:
            key = (values.get("property") or values.get("name") or "").lower()
            if key == "og:url" and values.get("content"):
                self.og_url = values["content"]


def canonical_url(text: str, final_url: str) -> str:
    """The page's own address: ``<link rel="canonical">``, else ``og:url``, else ``final_url``;
    made absolute against ``final_url``, and only ever an http(s) address.

    >>> canonical_url('<link rel="canonical" href="/news/1">', "https://example.org/x?utm=1")
    'https://example.org/news/1'
    >>> canonical_url('<meta property="og:url" content="javascript:alert(1)">', "http://e.org/a")
    'http://e.org/a'
    """
    finder = _LinkFinder()
    try:
        finder.feed(text[:_HEAD_CHARS])
        finder.close()
    except (AssertionError, ValueError):  # html.parser on broken markup
        pass
    for candidate in (finder.canonical, finder.og_url):
        if not candidate:
            continue
        absolute = urljoin(final_url, candidate)
        if _HTTP.match(absolute) and urlsplit(absolute).hostname:
            try:
                return _ascii_url(absolute)
            except (ArticleError, ValueError):
                continue
    return final_url

"""The server behind ``narrate serve``: the output folder over HTTP, with byte ranges so
browsers and apps can seek (the command itself is :mod:`narrate.cli.serve`).

Only what the folder publishes is served: files with a known type (page, feed, audio, chapters,
transcripts, artwork), never a hidden path (``.narrate/``, temporary files), the episode store, or
anything a ``..``, an encoded ``%2e%2e`` or a symbolic link would reach outside the folder. Every
refusal is a plain 404, so the server says nothing about what exists around the folder.

Ranges follow RFC 9110: one ``bytes=first-last``, ``bytes=first-`` or ``bytes=-suffix`` range is
answered with 206 and ``Content-Range``; a range past the end with 416. Several ranges in one
request, or a range the server cannot read, are ignored and the whole file is sent (the RFC lets a
server do that). ``ETag``/``If-None-Match``, ``Last-Modified``/``If-Modified-Since`` and
``If-Range`` let players revalidate cheaply; ``Cache-Control: no-cache`` makes them revalidate, so
a rebuilt episode or feed is seen at once.

Each request answered is reported in one line (``GET /feed.xml 200``) to the ``log`` callable the
server is given, if any: ``narrate serve`` prints them on standard error.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import tempfile
import threading
from collections.abc import Callable
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from narrate import __version__
from narrate.config import DEFAULT_BASE_URL
from narrate.errors import PublishError
from narrate.layout import CHAPTERS_FILE, FEED_FILE, PAGE_FILE, STORE_FILE

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
INDEX_FILE = PAGE_FILE

#: Served file types, by suffix; a file with any other suffix is not served.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".mp3": "audio/mpeg",
    # chapters.json too: "application/json+chapters" is the feed's type attribute for it, not a
    # registered media type, and generic JSON clients (web players fetching chapters) expect this.
    ".json": "application/json",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
#: Private files of the output folder, never served wherever they are (the episode stores).
PRIVATE_NAMES = frozenset({STORE_FILE, "episodes.json"})  # and the store of early versions

_CHUNK = 256 * 1024
_DIGITS = re.compile(r"[0-9]+")
# What a terminal would act on in a logged path (escape sequences, other controls).
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class RangeNotSatisfiable(Exception):
    """The request's byte range starts past the end of the file (HTTP 416)."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The first and last byte (inclusive) a ``Range`` header asks of a ``size``-byte file.

    None means "send the whole file": no header, another unit, several ranges, or a malformed or
    backwards range (which RFC 9110 says to ignore). Raises :class:`RangeNotSatisfiable` for a
    range that starts past the end, or an empty suffix.

    >>> parse_range("bytes=0-99", 1000), parse_range("bytes=900-", 1000)
    ((0, 99), (900, 999))
    >>> parse_range("bytes=-100", 1000), parse_range("bytes=990-5000", 1000)
    ((900, 999), (990, 999))
    >>> parse_range("bytes=5-2", 1000), parse_range("bytes=0-1,5-6", 1000), parse_range(None, 10)
    (None, None, None)
    """
    if not header:
        return None
    unit, equals, spec = header.partition("=")
    if not equals or unit.strip().lower() != "bytes" or "," in spec:
        return None
    first_text, dash, last_text = spec.strip().partition("-")
    first_text, last_text = first_text.strip(), last_text.strip()
    if not dash or (last_text and not _DIGITS.fullmatch(last_text)):
        return None
    if not first_text:
        if not last_text:
            return None
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - suffix), size - 1
    if not _DIGITS.fullmatch(first_text):
        return None
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last < first and last_text:
        return None
    if first >= size:
        raise RangeNotSatisfiable
    return first, min(last, size - 1)


def _hidden_or_private(parts: tuple[str, ...] | list[str]) -> bool:
    return any(part.startswith(".") or part in PRIVATE_NAMES for part in parts)


class _Redirect(Exception):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def resolve_request(root: Path, target: str) -> Path | None:
    """The file under ``root`` (already resolved) that request ``target`` may see, else None.

    Raises ``_Redirect`` for a folder asked for without its trailing slash.
    """
    path = urlsplit(target).path
    if not path.startswith("/"):
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = [part for part in decoded.split("/") if part not in ("", ".")]
    if ".." in parts or _hidden_or_private(parts):
        return None
    try:
        real = root.joinpath(*parts).resolve(strict=True)
        inside = real.relative_to(root)
    except (OSError, RuntimeError, ValueError):
        return None  # missing, a symlink loop, or outside the folder
    # The real path is checked too: a link inside the folder must not lead to a private file.
    if _hidden_or_private(inside.parts):
        return None
    if real.is_dir():
        if not path.endswith("/"):
            raise _Redirect(path + "/")
        real = real / INDEX_FILE
        if not real.is_file():
            return None
    if not real.is_file() or real.suffix.lower() not in CONTENT_TYPES:
        return None
    return real


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = f"narrate/{__version__}"
    # An idle keep-alive connection is dropped after this many seconds.
    timeout = 30

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per request answered: method, path and status (``GET /feed.xml 200``)."""
        status = code.value if isinstance(code, HTTPStatus) else code
        log = self.server.request_log
        if log is not None:
            method = getattr(self, "command", None) or "-"
            path = getattr(self, "path", None) or "-"
            shown = _CONTROLS.sub(lambda found: f"\\x{ord(found.group()):02x}", path)
            log(f"{method} {shown} {status}")
        self.log_message('"%s" %s %s', self.requestline, str(status), str(size))

    def _serve(self, send_body: bool) -> None:
        try:
            path = resolve_request(self.server.root, self.path)
        except _Redirect as redirect:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", redirect.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        try:
            handle = self._open(path)
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        with handle:
            self._send_file(handle, path.suffix.lower(), send_body)

    def _open(self, path: Path) -> BinaryIO:
        """The file, or for the feed and chapter files made with no base URL configured, a copy
        whose links point at this server as the client reached it (its Host header)."""
        if path.name not in LINKED_FILES:
            return path.open("rb")
        data = path.read_bytes()
        here = self._base_url()
        if here is None or here == DEFAULT_BASE_URL or DEFAULT_BASE_URL.encode() not in data:
            return path.open("rb")
        copy = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller's with-block
        copy.write(data.replace(DEFAULT_BASE_URL.encode(), here.encode()))
        copy.seek(0)
        os.utime(copy.fileno(), ns=(path.stat().st_mtime_ns, path.stat().st_mtime_ns))
        return copy

    def _base_url(self) -> str | None:
        host = self.headers.get("Host", "")
        return f"http://{host}/" if _HOST.fullmatch(host) else None

    def _send_file(self, handle: BinaryIO, suffix: str, send_body: bool) -> None:
        stat = os.fstat(handle.fileno())
        size = stat.st_size
        etag = f'"{size:x}-{stat.st_mtime_ns:x}"'
        last_modified = formatdate(stat.st_mtime, usegmt=True)
        if self._not_modified(etag, int(stat.st_mtime)):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._common_headers(etag, last_modified)
            self.end_headers()
            return
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if wanted and if_range and if_range.strip() not in (etag, last_modified):
            wanted = None  # the file changed since the client's partial copy: send it whole
        try:
            byte_range = parse_range(wanted, size)
        except RangeNotSatisfiable:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self._common_headers(etag, last_modified)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if byte_range is None:
            first, last = 0, size - 1
            self.send_response(HTTPStatus.OK)
        else:
            first, last = byte_range
            self.send_response(HTTPStatus.PARTIAL_CONTENT)
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self._common_headers(etag, last_modified)
        self.send_header("Content-Type", CONTENT_TYPES[suffix])
        self.send_header("Content-Length", str(last - first + 1))
        self.end_headers()
        if send_body:
            self._copy(handle, first, last - first + 1)

    def _common_headers(self, etag: str, last_modified: str) -> None:
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        # Web podcast players fetch chapters and transcripts from other origins.
        self.send_header("Access-Control-Allow-Origin", "*")

    def _not_modified(self, etag: str, mtime: int) -> bool:
        none_match = self.headers.get("If-None-Match")
        if none_match is not None:
            tags = [tag.strip().removeprefix("W/") for tag in none_match.split(",")]
            return "*" in tags or etag in tags
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            return mtime <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False

    def _copy(self, handle: BinaryIO, offset: int, count: int) -> None:
        handle.seek(offset)
        try:
            while count > 0:
                chunk = handle.read(min(_CHUNK, count))
                if not chunk:  # the file shrank while it was sent: end the connection
                    self.close_connection = True
                    return
                self.wfile.write(chunk)
                count -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            # Players drop a range request as soon as they seek elsewhere.
            self.close_connection = True


#: Files whose links are absolute URLs made from the base URL.
LINKED_FILES = frozenset({FEED_FILE, CHAPTERS_FILE})
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(:\d{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?")


def _serialized(log: Callable[[str], None]) -> Callable[[str], None]:
    """``log``, called by one thread at a time: requests are answered on a thread each."""
    lock = threading.Lock()

    def serialized(line: str) -> None:
        with lock:
            log(line)

    return serialized


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], root: Path, log: Callable[[str], None] | None = None
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.root = root
        self.request_log = _serialized(log) if log is not None else None
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("connection from %s failed", client_address, exc_info=True)


class OutputServer:
    """Serves an output folder on ``host:port`` (port 0: any free port) until stopped.

    As a context manager it serves from a background thread: ``with OutputServer(folder, port=0)
    as server: urlopen(server.url + "feed.xml")``. ``log``, if given, is called with one line
    for each request answered (``GET /feed.xml 200``).
    """

    def __init__(
        self,
        output_dir: Path,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if not output_dir.is_dir():
            raise PublishError(
                f"output folder {output_dir} does not exist; build an episode into it first"
            )
        self.output_dir = output_dir
        try:
            self._httpd = _HTTPServer((host, port), output_dir.resolve(), log)
        except OSError as exc:
            raise PublishError(
                f"cannot serve on {host} port {port}: {exc.strerror or exc}"
            ) from exc
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The folder's URL, ending in ``/``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`stop` is called from another (or an exception)."""
        self._httpd.serve_forever()

    def start(self) -> OutputServer:
        """Serve from a background thread; returns at once."""
        # A short poll interval makes stop() quick; an idle poll costs next to nothing.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"narrate-serve-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> OutputServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(
    output_dir: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    on_ready: Callable[[str], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> None:
    """Serve ``output_dir`` in this thread until Ctrl-C; ``on_ready`` gets the URL on start,
    ``log`` a line for each request answered."""
    server = OutputServer(output_dir, host, port, log=log)
    try:
        if on_ready is not None:
            on_ready(server.url)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()

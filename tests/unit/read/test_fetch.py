"""Fetching an article's page: ``narrate build URL``, against a real HTTP server on 127.0.0.1.

Each test registers what the server answers at a path. Tests that need the server to stop
talking (the size cap, the timeout) wait on events the handler sets, with only a generous guard
against a hang.
"""

from __future__ import annotations

import doctest
import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import narrate.read.fetch
from narrate.errors import ArticleError
from narrate.read.article import MIN_PAGE_LETTERS, read_article
from narrate.read.fetch import MAX_REDIRECTS, USER_AGENT, canonical_url, fetch_page, is_url
from tests.paths import REPO

PAGES = REPO / "tests" / "data" / "pages"
STORY = (PAGES / "story.html").read_text(encoding="utf-8")
CONSENT = (PAGES / "consent.html").read_text(encoding="utf-8")
#: Longer than any test's wait: reached only if a fetch hangs.
HANG_GUARD = 60.0

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class PageServer:
    """A threaded HTTP server on 127.0.0.1 answering each path with a registered handler."""

    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def page(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body

        def answer(h: BaseHTTPRequestHandler) -> None:
            h.send_response(status)
            if content_type:
                h.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)

        self.routes[path] = answer
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        def answer(h: BaseHTTPRequestHandler) -> None:
            h.send_response(status)
            h.send_header("Location", location)
            h.send_header("Content-Length", "0")
            h.end_headers()

        self.routes[path] = answer
        return self.url(path)


def _handler_class(state: PageServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers.items())))
            route = state.routes.get(self.path)
            if route is None:
                self.send_error(404, "Not Found")
                return
            route(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return _Handler


@pytest.fixture
def server() -> Iterator[PageServer]:
    state = PageServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(state))
    httpd.daemon_threads = True
    state.server = httpd
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _refused(url: str, **options: float) -> str:
    with pytest.raises(ArticleError) as caught:
        fetch_page(url, **options)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- Addresses ----------------------------------------------------------------------------------


def test_doctests() -> None:
    result = doctest.testmod(narrate.read.fetch)
    assert result.attempted >= 5
    assert result.failed == 0


@pytest.mark.parametrize(
    ("url", "why"),
    [
        (
            "ftp://example.org/news.html",
            "only http:// and https:// addresses are fetched, not ftp://",
        ),
        ("file:///etc/passwd", "not file://"),
        ("http:///news", "names no host"),
        ("http://example.org:99999/", "not a valid address"),
        ("http://example.org/a b", "spaces or control characters"),
    ],
)
def test_addresses_that_are_not_fetched_are_refused_by_name(url: str, why: str) -> None:
    assert why in _refused(url)


def test_is_url_tells_addresses_from_paths() -> None:
    assert is_url("https://example.org/x")
    assert not is_url("article.txt")
    assert not is_url("/tmp/http:/x")


def test_connection_refused_is_named() -> None:
    message = _refused(f"http://127.0.0.1:{_closed_port()}/news")
    assert "refused the connection" in message


def test_a_host_that_is_not_found_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    message = _refused("https://no-such-host.invalid/news")
    assert "no-such-host.invalid was not found (DNS lookup failed)" in message


def test_an_arabic_address_is_sent_percent_encoded(server: PageServer) -> None:
    server.page("/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/1?q=%D8%B3", STORY)
    page = fetch_page(server.url("/أخبار/1?q=س"))
    assert "جسر الوادي" in page.text
    assert page.final_url == server.url("/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/1?q=%D8%B3")


def test_narrate_names_itself(server: PageServer) -> None:
    fetch_page(server.page("/story", STORY))
    headers = server.requests[-1][1]
    assert headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith(f"narrate/{narrate.__version__} ")


def test_the_environments_proxy_is_used(
    server: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.page("http://news.example.invalid/story", STORY)  # a proxy is asked for the full URL
    monkeypatch.setenv("http_proxy", server.base)
    monkeypatch.setenv("no_proxy", "localhost")
    monkeypatch.delenv("NO_PROXY", raising=False)
    page = fetch_page("http://news.example.invalid/story")
    assert "جسر الوادي" in page.text
    assert server.requests[-1][1]["Host"] == "news.example.invalid"


# --- Redirects ----------------------------------------------------------------------------------


def test_a_chain_under_the_cap_is_followed_and_the_final_address_kept(server: PageServer) -> None:
    server.page("/final", STORY)
    for hop in range(MAX_REDIRECTS - 1, 0, -1):
        target = "/final" if hop == MAX_REDIRECTS - 1 else f"/hop{hop + 1}"
        server.redirect(f"/hop{hop}", target, status=301 if hop % 2 else 307)
    page = fetch_page(server.url("/hop1"))
    assert page.final_url == server.url("/final")
    assert page.redirects == MAX_REDIRECTS - 1
    assert [path for path, _ in server.requests] == [
        *(f"/hop{n}" for n in range(1, MAX_REDIRECTS)),
        "/final",
    ]


def test_exactly_the_cap_is_followed(server: PageServer) -> None:
    server.page("/final", STORY)
    for hop in range(1, 4):
        server.redirect(f"/r{hop}", f"/r{hop + 1}" if hop < 3 else "/final")
    assert fetch_page(server.url("/r1"), max_redirects=3).redirects == 3
    with pytest.raises(ArticleError, match=r"too many redirects \(more than 2\)"):
        fetch_page(server.url("/r1"), max_redirects=2)


def test_a_chain_over_the_cap_is_refused_and_says_the_cap(server: PageServer) -> None:
    server.page("/final", STORY)
    for hop in range(1, MAX_REDIRECTS + 2):
        target = "/final" if hop == MAX_REDIRECTS + 1 else f"/hop{hop + 1}"
        server.redirect(f"/hop{hop}", target)
    message = _refused(server.url("/hop1"))
    assert f"too many redirects (more than {MAX_REDIRECTS})" in message
    assert "/final" not in [path for path, _ in server.requests]


def test_a_redirect_loop_is_refused_as_a_loop(server: PageServer) -> None:
    server.redirect("/a", "/b")
    server.redirect("/b", server.url("/a"))
    message = _refused(server.url("/a"))
    assert f"redirects loop back to {server.url('/a')}" in message
    assert len(server.requests) == 2


def test_a_redirect_to_another_scheme_is_refused(server: PageServer) -> None:
    server.redirect("/a", "file:///etc/passwd")
    assert "redirects to file://, not an http(s) address" in _refused(server.url("/a"))


@pytest.mark.parametrize(
    "target", ["http://example.org:abc/", "http://[::1/x", "http://exa mple.org/"]
)
def test_a_redirect_to_an_invalid_address_is_one_clear_refusal(
    server: PageServer, target: str
) -> None:
    server.redirect("/a", target)
    assert "it redirects to an invalid address" in _refused(server.url("/a"))


# --- Status and type ----------------------------------------------------------------------------


def test_a_404_is_refused_naming_the_status(server: PageServer) -> None:
    message = _refused(server.url("/missing"))
    assert message.endswith("the server answered 404 Not Found")


def test_a_server_error_is_refused_naming_the_status(server: PageServer) -> None:
    server.page("/broken", "<p>خطأ</p>", status=503)
    assert "the server answered 503 Service Unavailable" in _refused(server.url("/broken"))


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/pdf", b"%PDF-1.7 ..."),
        ("application/json; charset=utf-8", b'{"title": "\xd8\xae"}'),
        ("image/jpeg", b"\xff\xd8\xff\xe0"),
    ],
)
def test_what_is_not_html_is_refused_naming_its_type(
    server: PageServer, content_type: str, body: bytes
) -> None:
    url = server.page("/file", body, content_type=content_type)
    message = _refused(url)
    assert f"is not a web page: its Content-Type is {content_type.split(';')[0]}" in message


def test_an_untyped_body_is_sniffed(server: PageServer) -> None:
    story = server.page("/story", STORY, content_type="")
    assert read_article(story).title == "افتتاح جسر الوادي الجديد"
    binary = server.page("/binary", b"%PDF-1.7 ...", content_type="")
    with pytest.raises(ArticleError, match="a PDF document, not a web page"):
        read_article(binary)
    text = server.page("/text", "مقال بلا وسوم " * 40, content_type="")
    with pytest.raises(ArticleError, match="sends no Content-Type and is not HTML"):
        read_article(text)


# --- Charset ------------------------------------------------------------------------------------

ARABIC_PAGE = (
    "<html><head>{meta}<title>خبر</title></head><body><article><h1>عنوان الخبر</h1>"
    "<p>" + "نص عربي مكتوب بترميز ويندوز للعربية. " * 12 + "</p></article></body></html>"
)


def test_the_header_charset_wins_over_a_contradicting_meta_tag(server: PageServer) -> None:
    body = ARABIC_PAGE.format(meta='<meta charset="windows-1252">').encode("cp1256")
    url = server.page("/legacy", body, content_type="text/html; charset=windows-1256")
    assert "نص عربي مكتوب" in fetch_page(url).text
    # Without the header, the page's own (wrong) declaration would have been believed.
    untold = server.page("/untold", body, content_type="text/html")
    assert "نص عربي مكتوب" not in fetch_page(untold).text


def test_the_meta_tag_is_used_when_the_header_has_no_charset(server: PageServer) -> None:
    body = ARABIC_PAGE.format(
        meta='<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
    )
    url = server.page("/legacy", body.encode("cp1256"), content_type="text/html")
    text = fetch_page(url).text
    assert "عنوان الخبر" in text
    assert read_article(url).title == "عنوان الخبر"


def test_control_bytes_under_a_utf8_header_are_refused_as_binary(server: PageServer) -> None:
    url = server.page("/blob", b"\x00\x01\x02\x03" * 400, content_type="text/html; charset=utf-8")
    assert "is a binary file, not a web page" in _refused(url)


def test_the_pages_own_charset_wins_over_a_default_latin1_header(server: PageServer) -> None:
    body = ARABIC_PAGE.format(meta='<meta charset="windows-1256">').encode("cp1256")
    url = server.page("/legacy", body, content_type="text/html; charset=ISO-8859-1")
    assert "عنوان الخبر" in fetch_page(url).text


def test_utf8_stays_utf8_when_the_server_defaults_to_latin1(server: PageServer) -> None:
    url = server.page("/story", STORY, content_type="text/html; charset=ISO-8859-1")
    assert "جسر الوادي" in fetch_page(url).text


def test_a_header_charset_the_bytes_do_not_fit_falls_back_to_detection(server: PageServer) -> None:
    body = ARABIC_PAGE.format(meta="").encode("cp1256")
    url = server.page("/legacy", body, content_type="text/html; charset=utf-8")
    assert "نص عربي مكتوب" in fetch_page(url).text


def test_a_gzip_body_is_expanded(server: PageServer) -> None:
    url = server.page("/story", gzip.compress(STORY.encode()), headers={"Content-Encoding": "gzip"})
    assert "جسر الوادي" in fetch_page(url).text
    assert "gzip" in server.requests[-1][1]["Accept-Encoding"]


def test_a_gzip_bomb_is_stopped_at_the_size_cap(server: PageServer) -> None:
    bomb = gzip.compress(b"<p>" + b" " * 20_000_000)
    url = server.page("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    assert "too large (over 1 MB)" in _refused(url, max_bytes=1_000_000)


# --- Size and time ------------------------------------------------------------------------------


@dataclass
class Stream:
    """What a streaming handler did: bytes sent, and whether it stopped."""

    sent: int = 0
    done: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)


def _streaming(
    server: PageServer,
    path: str,
    total: int,
    piece: bytes,
    pause: float = 0.0,
    length: int | None = None,
) -> Stream:
    """A handler that sends ``total`` bytes of ``piece``s (a pause between them), then stops;
    it stops early when the client goes away."""
    stream = Stream()

    def answer(h: BaseHTTPRequestHandler) -> None:
        try:
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            if length is not None:
                h.send_header("Content-Length", str(length))
            h.end_headers()
            h.wfile.flush()
            stream.started.set()
            while stream.sent < total:
                h.wfile.write(piece)
                h.wfile.flush()
                stream.sent += len(piece)
                if pause:
                    time.sleep(pause)
        except OSError:
            pass  # the client hung up: what the test wants
        finally:
            stream.done.set()

    server.routes[path] = answer
    return stream


def test_a_huge_body_is_stopped_early(server: PageServer) -> None:
    total = 200_000_000
    stream = _streaming(server, "/huge", total, b"<p>" + b"x" * 65533)
    message = _refused(server.url("/huge"), max_bytes=500_000)
    assert "is too large (over 0.5 MB)" in message
    assert stream.done.wait(HANG_GUARD), "the server was still sending long after the refusal"
    # The refusal hung up: the server sent the cap plus what the socket buffers held.
    assert stream.sent < total // 10


def test_a_content_length_over_the_cap_is_refused_before_the_body(server: PageServer) -> None:
    total = 200_000_000
    stream = _streaming(server, "/huge", total, b"x" * 65536, length=total)
    assert "too large (over 5 MB)" in _refused(server.url("/huge"))
    assert stream.done.wait(HANG_GUARD)
    assert stream.sent < total // 10


def _timed_fetch(url: str, timeout: float) -> tuple[str, float]:
    """Fetch in a thread (a hang fails the test instead of freezing it): the error, seconds.

    The servers these tests fetch from do not finish within the hang guard on their own: a
    fetch that ends, with "timed out", was ended by its deadline; one that does not fails.
    """
    outcome: list[str] = []
    began = time.monotonic()

    def run() -> None:
        try:
            fetch_page(url, timeout=timeout)
        except ArticleError as exc:
            outcome.append(str(exc))
        else:
            outcome.append("fetched")

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(HANG_GUARD)
    assert not worker.is_alive(), f"the fetch did not end within {HANG_GUARD} s"
    return outcome[0], time.monotonic() - began


def test_a_server_trickling_bytes_forever_is_cut_off_at_the_timeout(server: PageServer) -> None:
    # One byte every 20 ms: every socket read succeeds; only a wall-clock limit stops it.
    stream = _streaming(server, "/slow", 10**9, b"x", pause=0.02)
    message, seconds = _timed_fetch(server.url("/slow"), timeout=1.0)
    assert message.endswith("no complete answer within 1 seconds (timed out)")
    assert stream.started.is_set()
    assert seconds >= 1.0  # the whole second; only the deadline stopped it (see _timed_fetch)
    assert stream.done.wait(HANG_GUARD)


def test_a_server_that_never_answers_is_cut_off_at_the_timeout(server: PageServer) -> None:
    hold = threading.Event()
    server.routes["/silent"] = lambda h: hold.wait(HANG_GUARD)
    try:
        message, seconds = _timed_fetch(server.url("/silent"), timeout=0.5)
    finally:
        hold.set()
    assert "timed out" in message
    assert seconds >= 0.5  # only the deadline stopped it (see _timed_fetch)


def test_trickled_headers_are_cut_off_at_the_timeout(server: PageServer) -> None:
    stop = threading.Event()

    def headers_forever(h: BaseHTTPRequestHandler) -> None:
        try:
            h.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
            # One header line, a byte at a time: no read times out, and the line never ends.
            while not stop.is_set():
                h.wfile.write(b"x")
                h.wfile.flush()
                time.sleep(0.02)
        except OSError:
            pass

    server.routes["/headers"] = headers_forever
    try:
        message, seconds = _timed_fetch(server.url("/headers"), timeout=0.8)
    finally:
        stop.set()
    assert "timed out" in message
    assert seconds >= 0.8  # only the deadline stopped it (see _timed_fetch)


# --- Reading the page ---------------------------------------------------------------------------


def test_the_page_is_read_with_its_canonical_link_made_absolute(server: PageServer) -> None:
    server.page("/story", STORY)
    server.redirect("/s", "/story?utm_source=feed")
    server.page("/story?utm_source=feed", STORY)
    article = read_article(server.url("/s"))
    assert article.title == "افتتاح جسر الوادي الجديد"
    assert article.link == server.url("/news/2025/valley-bridge")
    assert article.site == "صحيفة المدينة"
    assert [s.heading for s in article.segments] == [
        None,
        "طريق أقصر إلى المدارس",
        "كلفة المشروع",
    ]


def test_og_url_then_the_final_address_are_the_link(server: PageServer) -> None:
    bare = STORY.replace('<link rel="canonical" href="/news/2025/valley-bridge">', "")
    og = bare.replace("<head>", '<head><meta property="og:url" content="https://example.org/b">')
    assert read_article(server.page("/og", og)).link == "https://example.org/b"
    server.redirect("/old", "/bare")
    server.page("/bare", bare.replace('<meta property="og:site_name" content="صحيفة المدينة">', ""))
    article = read_article(server.url("/old"))
    assert article.link == server.url("/bare")
    # A page that names no site is credited to its host.
    assert article.site is not None
    assert article.site.startswith("127.0.0.1")


def test_canonical_url_takes_only_http_addresses() -> None:
    page = '<link rel="canonical" href="javascript:x()"><meta property="og:url" content="/a">'
    assert canonical_url(page, "https://e.org/z") == "https://e.org/a"
    assert canonical_url("<p>no head</p>", "https://e.org/z") == "https://e.org/z"
    arabic = '<link rel="alternate canonical" href="https://e.org/أ">'
    assert canonical_url(arabic, "https://e.org/z") == "https://e.org/%D8%A3"


def test_a_consent_page_is_refused_as_too_little_text(server: PageServer) -> None:
    url = server.page("/consent", CONSENT)
    with pytest.raises(ArticleError) as caught:
        read_article(url)
    message = str(caught.value)
    assert message.startswith(f"the page at {url} has too little text to be an article")
    assert "a consent or paywall page?" in message


def test_a_four_sentence_news_brief_is_not_taken_for_a_consent_page(server: PageServer) -> None:
    sentences = (
        "أعلنت وزارة الصحة اليوم افتتاح مستشفى جديد في المدينة الشمالية بسعة مئتي سرير.",
        "وقال الوزير إن المستشفى سيستقبل المرضى ابتداء من الأسبوع المقبل.",
        "ويضم المبنى قسما للطوارئ وآخر لطب الأطفال ومختبرا حديثا.",
        "وكانت أعمال البناء قد بدأت قبل ثلاث سنوات.",
    )
    paragraphs = "".join(f"<p>{s}</p>" for s in sentences)
    page = f"<html><body><article><h1>مستشفى جديد</h1>{paragraphs}</article></body></html>"
    article = read_article(server.page("/brief", page))
    assert article.title == "مستشفى جديد"
    assert article.segments[0].paragraphs == sentences
    # Twice the consent page's text would still be refused.
    assert MIN_PAGE_LETTERS > 2 * 36


def test_a_url_with_another_format_is_refused(server: PageServer) -> None:
    url = server.page("/story", STORY)
    with pytest.raises(ArticleError, match="--format text does not apply"):
        read_article(url, "text")
    assert read_article(url, "html").title == "افتتاح جسر الوادي الجديد"


def test_a_path_given_as_text_is_still_a_file(tmp_path: Path) -> None:
    path = tmp_path / "story.html"
    path.write_text(STORY, encoding="utf-8")
    article = read_article(str(path))
    assert article.title == "افتتاح جسر الوادي الجديد"
    assert article.link is None  # a file is not given the web's address

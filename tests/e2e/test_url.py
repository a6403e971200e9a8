"""``narrate build URL`` and ``narrate segments URL`` as a producer runs them: a real process
fetching from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from mutagen.id3 import ID3

from narrate.slug import episode_slug
from tests.cli import narrate
from tests.conftest import BASE_URL, DATE
from tests.paths import DATA

STORY = (DATA / "pages" / "story.html").read_bytes()
CONSENT = (DATA / "pages" / "consent.html").read_bytes()
HEADLINE = "افتتاح جسر الوادي الجديد"

#: path -> (status, headers, body)
ROUTES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/story": (200, {"Content-Type": "text/html; charset=utf-8"}, STORY),
    "/s": (301, {"Location": "/story"}, b""),
    "/consent": (200, {"Content-Type": "text/html; charset=utf-8"}, CONSENT),
    "/report.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7 ..."),
    "/loop": (302, {"Location": "/loop"}, b""),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, headers, body = ROUTES.get(self.path, (404, {}, b"not here"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    try:
        yield f"http://{host!s}:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_build_url_makes_an_episode_named_from_the_headline_linked_to_the_page(
    site: str, tmp_path: Path
) -> None:
    output = tmp_path / "output"
    run = narrate(
        "build",
        f"{site}/s",
        "--engine",
        "espeak",
        "--output-dir",
        output,
        "--base-url",
        BASE_URL,
        "--date",
        DATE,
    )
    assert run.returncode == 0, run.stderr
    slug = episode_slug(None, HEADLINE)
    assert slug == "iftitah-jisr-al-wadi-al-jadid"
    mp3 = output / f"{slug}.mp3"
    assert mp3.is_file()
    assert f"Wrote {mp3}" in run.stderr
    canonical = f"{site}/news/2025/valley-bridge"
    item = ET.parse(output / "feed.xml").getroot().find("channel/item")
    assert item is not None
    assert item.findtext("title") == HEADLINE
    assert item.findtext("link") == canonical
    # The page's address is the file's official audio source web page (ID3 WOAS).
    assert [frame.url for frame in ID3(mp3).getall("WOAS")] == [canonical]


def test_segments_url_shows_the_page_its_link_and_site(site: str) -> None:
    run = narrate("segments", f"{site}/s", "--json")
    assert run.returncode == 0, run.stderr
    plan = json.loads(run.stdout)
    assert plan["title"] == HEADLINE
    assert plan["link"] == f"{site}/news/2025/valley-bridge"
    assert plan["site"] == "صحيفة المدينة"
    assert plan["author"] == "سلمى الحداد"
    assert [s["heading"] for s in plan["segments"]] == [
        None,
        "طريق أقصر إلى المدارس",
        "كلفة المشروع",
    ]
    text = narrate("segments", f"{site}/story")
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[0] == HEADLINE


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/consent", "has too little text to be an article"),
        ("/missing", "the server answered 404 Not Found"),
        ("/report.pdf", "is not a web page: its Content-Type is application/pdf"),
        ("/loop", "its redirects loop back to"),
    ],
)
def test_a_page_that_is_no_article_is_one_error_line(
    site: str, tmp_path: Path, path: str, why: str
) -> None:
    run = narrate("build", f"{site}{path}", "--engine", "espeak", "--output-dir", tmp_path / "o")
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("Error: ")
    assert why in lines[0]
    assert not (tmp_path / "o" / "feed.xml").exists()


def test_an_address_nobody_answers_is_one_error_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = narrate("segments", f"http://127.0.0.1:{port}/story")
    assert run.returncode == 1
    assert run.stderr.strip() == (
        f"Error: cannot fetch http://127.0.0.1:{port}/story: "
        "the server 127.0.0.1 refused the connection"
    )
    ftp = narrate("segments", "ftp://127.0.0.1/story.html")
    assert ftp.returncode == 1
    assert "only http:// and https:// addresses are fetched" in ftp.stderr
    assert "Traceback" not in ftp.stderr + run.stderr

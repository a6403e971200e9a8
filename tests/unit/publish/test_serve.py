"""`narrate serve` over real HTTP: content types, byte ranges, conditional requests, and no way out
of the output folder."""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrate.cli import cli
from narrate.errors import PublishError
from narrate.publish.page import write_page
from narrate.publish.serve import OutputServer
from tests.cli import NARRATE
from tests.listening import Output, make_output

SECRET = "top secret outside the output folder"


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Output:
    base = tmp_path_factory.mktemp("serve")
    out = make_output(base / "output")
    write_page(out.folder, out.episodes, out.show)
    (out.folder / "feed.xml").write_text("<?xml version='1.0'?><rss version='2.0'/>", "utf-8")
    (out.folder / "newer-news" / "chapters.json").write_text('{"version": "1.2.0"}', "utf-8")
    (out.folder / "newer-news" / "transcript.srt").write_text("1\n", "utf-8")
    (out.folder / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (out.folder / "episodes.json").write_text('{"version": 1}', "utf-8")
    (out.folder / "narrate.sqlite-wal").write_bytes(b"wal")
    (out.folder / "notes.toml").write_text("x = 1", "utf-8")
    (base / "secret.mp3").write_text(SECRET, "utf-8")
    (base / "secret.txt").write_text(SECRET, "utf-8")
    (out.folder / "outside.mp3").symlink_to(base / "secret.mp3")
    (out.folder / "outside").symlink_to(base, target_is_directory=True)
    (out.folder / "lock.mp3").symlink_to(out.folder / ".narrate" / "lock")
    (out.folder / "same.mp3").symlink_to(out.folder / "older-news.mp3")
    return out


@pytest.fixture(scope="module")
def server(output: Output) -> Iterator[OutputServer]:
    with OutputServer(output.folder, port=0) as running:
        yield running


def request(
    server: OutputServer, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    """One request on a fresh connection; the path is sent exactly as given."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def test_port_zero_picks_a_free_port_and_the_url_ends_in_a_slash(server: OutputServer) -> None:
    assert server.port > 0
    assert server.url == f"http://127.0.0.1:{server.port}/"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/newer-news.mp3", "audio/mpeg"),
        ("/newer-news/01-part-1.mp3", "audio/mpeg"),
        ("/newer-news/chapters.json", "application/json"),
        ("/newer-news/transcript.json", "application/json"),
        ("/newer-news/transcript.vtt", "text/vtt; charset=utf-8"),
        ("/newer-news/transcript.srt", "application/x-subrip; charset=utf-8"),
        ("/cover.png", "image/png"),
        ("/cover.jpg", "image/jpeg"),
    ],
)
def test_content_types(output: Output, server: OutputServer, path: str, content_type: str) -> None:
    response, body = request(server, path)
    assert response.status == 200
    assert response.getheader("Content-Type") == content_type
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    name = "index.html" if path == "/" else path.lstrip("/")
    assert body == (output.folder / name).read_bytes()
    assert response.getheader("Content-Length") == str(len(body))
    assert response.getheader("Accept-Ranges") == "bytes"


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, None),
        ("bytes=-100", -100, None),
        ("bytes=1000-1000", 1000, 1000),
        ("bytes=50-999999999", 50, None),
        ("bytes=-999999999", 0, None),
        ("Bytes = 7 - 8", 7, 8),
    ],
)
def test_ranges_send_exactly_the_bytes_asked_for(
    output: Output, server: OutputServer, header: str, first: int, last: int | None
) -> None:
    data = (output.folder / "newer-news.mp3").read_bytes()
    size = len(data)
    start = first % size if first < 0 else first
    end = size - 1 if last is None else last
    response, body = request(server, "/newer-news.mp3", headers={"Range": header})
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes {start}-{end}/{size}"
    assert response.getheader("Content-Length") == str(end - start + 1)
    assert response.getheader("Content-Type") == "audio/mpeg"
    assert body == data[start : end + 1]


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=-0", "bytes=999999999-999999999"])
def test_a_range_past_the_end_is_416(output: Output, server: OutputServer, header: str) -> None:
    size = (output.folder / "newer-news.mp3").stat().st_size
    response, body = request(server, "/newer-news.mp3", headers={"Range": header})
    assert response.status == 416
    assert response.getheader("Content-Range") == f"bytes */{size}"
    assert body == b""


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "bytes=9-2", "items=0-5", "bytes=x-y"])
def test_ranges_it_does_not_serve_get_the_whole_file(
    output: Output, server: OutputServer, header: str
) -> None:
    response, body = request(server, "/newer-news.mp3", headers={"Range": header})
    assert response.status == 200
    assert body == (output.folder / "newer-news.mp3").read_bytes()


def test_head_sends_the_headers_of_get_and_no_body(output: Output, server: OutputServer) -> None:
    size = (output.folder / "older-news.mp3").stat().st_size
    response, body = request(server, "/older-news.mp3", method="HEAD")
    assert (response.status, body) == (200, b"")
    assert response.getheader("Content-Length") == str(size)
    assert response.getheader("Content-Type") == "audio/mpeg"
    ranged, body = request(server, "/older-news.mp3", "HEAD", {"Range": "bytes=10-19"})
    assert (ranged.status, body, ranged.getheader("Content-Length")) == (206, b"", "10")


def test_etag_and_last_modified_revalidate(output: Output, server: OutputServer) -> None:
    first, _ = request(server, "/feed.xml")
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
    assert etag and modified and first.getheader("Cache-Control") == "no-cache"
    again, body = request(server, "/feed.xml", headers={"If-None-Match": etag})
    assert (again.status, body) == (304, b"")
    since, _ = request(server, "/feed.xml", headers={"If-Modified-Since": modified})
    assert since.status == 304
    other, _ = request(server, "/feed.xml", headers={"If-None-Match": '"other"'})
    assert other.status == 200


def test_if_range_with_an_old_etag_sends_the_whole_new_file(server: OutputServer) -> None:
    current, _ = request(server, "/older-news.mp3", "HEAD")
    etag = current.getheader("ETag")
    assert etag
    same, _ = request(server, "/older-news.mp3", "HEAD", {"Range": "bytes=0-9", "If-Range": etag})
    assert same.status == 206
    stale, _ = request(server, "/older-news.mp3", "HEAD", {"Range": "bytes=0-9", "If-Range": '"x"'})
    assert stale.status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/../secret.mp3",
        "/%2e%2e/secret.mp3",
        "/%2E%2E%2Fsecret.mp3",
        "/newer-news/../../secret.mp3",
        "/newer-news/%2e%2e/%2e%2e/secret.mp3",
        "/..%5csecret.mp3",
        "//secret.mp3",
        "http://example.org/../secret.mp3",
        "/outside.mp3",  # a symbolic link to a file outside the folder
        "/outside/secret.mp3",  # through a linked folder
        "/lock.mp3",  # a link inside the folder to a private file
        "/.narrate/lock",
        "/%2enarrate/lock",
        "/narrate.sqlite",
        "/narrate.sqlite-wal",
        "/episodes.json",
        "/notes.toml",
        "/index.html%00.mp3",
        "/etc/passwd",
        "/newer-news/",  # a folder without a page: no listing
        "/%ff.mp3",
    ],
)
def test_nothing_outside_the_published_files_is_served(server: OutputServer, path: str) -> None:
    response, body = request(server, path)
    assert response.status == 404, path
    assert SECRET.encode() not in body and b"private" not in body


def test_a_link_to_a_file_inside_the_folder_is_served(output: Output, server: OutputServer) -> None:
    response, body = request(server, "/same.mp3")
    assert response.status == 200
    assert body == (output.folder / "older-news.mp3").read_bytes()


def test_a_folder_without_its_slash_is_redirected(tmp_path: Path) -> None:
    (tmp_path / "show").mkdir()
    (tmp_path / "show" / "index.html").write_text("<p>show</p>", "utf-8")
    with OutputServer(tmp_path, port=0) as server:
        response, _ = request(server, "/show")
        assert response.status == 301 and response.getheader("Location") == "/show/"
        response, body = request(server, "/show/")
        assert (response.status, body) == (200, b"<p>show</p>")


def test_an_idle_connection_does_not_block_others(output: Output, server: OutputServer) -> None:
    idle = socket.create_connection((server.host, server.port), timeout=5)
    try:
        idle.sendall(b"GET /feed.xml HTTP/1.1\r\n")  # a request that never ends
        results: list[int] = []

        def fetch() -> None:
            response, body = request(server, "/newer-news.mp3", headers={"Range": "bytes=-5000"})
            results.append(len(body) if response.status == 206 else -1)

        threads = [threading.Thread(target=fetch) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        assert results == [5000] * 6
    finally:
        idle.close()


def test_keep_alive_serves_several_requests_on_one_connection(server: OutputServer) -> None:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        for header in ("bytes=0-9", "bytes=10-19", "bytes=-10"):
            connection.request("GET", "/newer-news.mp3", headers={"Range": header})
            response = connection.getresponse()
            assert response.status == 206 and len(response.read()) == 10
    finally:
        connection.close()


def test_a_missing_folder_or_a_busy_port_is_a_clean_error(
    tmp_path: Path, server: OutputServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(PublishError, match="does not exist; build an episode into it first"):
        OutputServer(tmp_path / "missing", port=0)
    with pytest.raises(PublishError, match=rf"^cannot serve on 127\.0\.0\.1 port {server.port}: "):
        OutputServer(tmp_path, port=server.port)
    monkeypatch.chdir(tmp_path)
    for option in ("-o", "--output-dir", "--output"):
        result = CliRunner().invoke(cli, ["serve", option, str(tmp_path / "missing")])
        assert result.exit_code == 1
        assert result.output == (
            f"Error: output folder {tmp_path / 'missing'} does not exist; "
            "build an episode into it first\n"
        )
    # No -o: narrate.toml's output folder, else ./output.
    result = CliRunner().invoke(cli, ["serve"])
    assert result.output == (
        "Error: output folder output does not exist; build an episode into it first\n"
    )
    (tmp_path / "narrate.toml").write_text('[build]\noutput = "public"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.output == (
        f"Error: output folder {tmp_path / 'public'} does not exist; "
        "build an episode into it first\n"
    )


#: How long a step of a live server may take before the test gives up: only a hung server hits
#: it, so it is generous; a busy machine never makes the test fail, it only makes it wait.
PATIENCE = 120.0


class Lines:
    """A process's output, line by line, read in a thread so a wait can end on a deadline."""

    def __init__(self, stream: Iterator[str]) -> None:
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: Iterator[str]) -> None:
        for line in stream:
            self._lines.put(line)
        self._lines.put(None)  # end of output: the process closed it

    def next(self) -> str | None:
        """The next line, or None at the end; fails the test if none comes in time."""
        try:
            return self._lines.get(timeout=PATIENCE)
        except queue.Empty:
            pytest.fail(f"no output within {PATIENCE:g} s")

    def rest(self) -> str:
        """Everything up to the end of output."""
        text = ""
        while (line := self.next()) is not None:
            text += line
        return text


def test_the_command_prints_its_url_serves_and_exits_0_on_ctrl_c(
    output: Output, tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [NARRATE, "serve", "-o", str(output.folder), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        stdout, stderr = Lines(process.stdout), Lines(process.stderr)
        # The "Serving" line is printed once the socket listens: the signal to go on.
        line = stdout.next()
        found = re.fullmatch(
            rf"Serving {re.escape(str(output.folder))} at http://127\.0\.0\.1:(\d+)/ "
            r"\(Ctrl-C stops\)\n",
            line or "",
        )
        assert found, (line, stderr.rest() if process.poll() is not None else "")
        connection = http.client.HTTPConnection("127.0.0.1", int(found.group(1)), timeout=PATIENCE)
        connection.request("GET", "/feed.xml")
        assert connection.getresponse().read() == (output.folder / "feed.xml").read_bytes()
        connection.close()
        process.send_signal(signal.SIGINT)
        # Then the end of its output, and its exit: events, each waited for, not a time guessed.
        rest, errors = stdout.rest(), stderr.rest()
        returncode = process.wait(timeout=PATIENCE)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    assert returncode == 0, errors
    assert rest == "Stopped.\n"
    assert "Traceback" not in errors


def _get(server: OutputServer, path: str, host: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        headers = {"Host": host} if host is not None else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_links_made_without_a_base_url_point_at_the_server_as_it_is_reached(
    tmp_path: Path,
) -> None:
    default = "http://127.0.0.1:8000/"
    feed = (
        f'<rss><enclosure url="{default}ep.mp3"/>'
        f'<podcast:chapters url="{default}ep/chapters.json"/></rss>'
    )
    (tmp_path / "feed.xml").write_text(feed, encoding="utf-8")
    (tmp_path / "ep").mkdir()
    (tmp_path / "ep" / "chapters.json").write_text(f'{{"url": "{default}ep/01-a.mp3"}}')
    with OutputServer(tmp_path, port=0) as server:
        status, body = _get(server, "/feed.xml")
        assert status == 200
        assert f'url="{server.url}ep.mp3"'.encode() in body and default.encode() not in body
        # A podcast app on the network reaches it by the machine's address: the links follow.
        _, body = _get(server, "/feed.xml", host=f"192.168.1.20:{server.port}")
        assert f"http://192.168.1.20:{server.port}/ep.mp3".encode() in body
        _, chapters = _get(server, "/ep/chapters.json", host=f"radio.local:{server.port}")
        assert f"http://radio.local:{server.port}/ep/01-a.mp3".encode() in chapters
        # A Host header that is not a host is never written into the feed.
        _, body = _get(server, "/feed.xml", host='x"><script>')
        assert body == feed.encode()
    (tmp_path / "feed.xml").write_text(feed.replace(default, "https://cdn.example.org/"))
    with OutputServer(tmp_path, port=0) as server:
        _, body = _get(server, "/feed.xml")
        assert b"https://cdn.example.org/ep.mp3" in body  # a configured base URL is left alone


# -- one line per request -----------------------------------------------------------------------


def test_each_request_is_logged_in_one_line_with_method_path_and_status(output: Output) -> None:
    lines: list[str] = []
    with OutputServer(output.folder, port=0, log=lines.append) as server:
        request(server, "/feed.xml")
        request(server, "/older-news.mp3", headers={"Range": "bytes=0-9"})
        request(server, "/feed.xml", method="HEAD")
        request(server, "/missing.mp3")
        request(server, "/older-news")
        with socket.create_connection((server.host, server.port), timeout=10) as raw:
            raw.sendall(b"GET /a%1b\x1b[31mred HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            while raw.recv(65536):
                pass
    assert lines == [
        "GET /feed.xml 200",
        "GET /older-news.mp3 206",
        "HEAD /feed.xml 200",
        "GET /missing.mp3 404",
        "GET /older-news 301",
        "GET /a%1b\\x1b[31mred 404",  # what a terminal would act on is shown escaped
    ]


def test_the_command_logs_requests_to_stderr_unless_quiet(output: Output, tmp_path: Path) -> None:
    for quiet in (False, True):
        process = subprocess.Popen(
            [NARRATE, "serve", "-o", str(output.folder), "--port", "0", *(["-q"] if quiet else [])],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        try:
            assert process.stdout is not None and process.stderr is not None
            stdout, stderr = Lines(process.stdout), Lines(process.stderr)
            found = re.search(r"at http://127\.0\.0\.1:(\d+)/", stdout.next() or "")
            assert found
            port = int(found.group(1))
            for path in ("/feed.xml", "/nothing.mp3"):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
                connection.request("GET", path)
                connection.getresponse().read()
                connection.close()
            if not quiet:  # each line is there once its response is: wait for it, not a time
                assert stderr.next() == "GET /feed.xml 200\n"
                assert stderr.next() == "GET /nothing.mp3 404\n"
            process.send_signal(signal.SIGINT)
            rest, errors = stdout.rest(), stderr.rest()
            assert process.wait(timeout=PATIENCE) == 0, errors
        finally:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
        assert rest == "Stopped.\n"
        assert errors == ""

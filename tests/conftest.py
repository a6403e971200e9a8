"""Fixtures shared by the whole suite. No test may reach the internet."""

from __future__ import annotations

import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli import Run, narrate
from tests.paths import EXAMPLE


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


# gTTS would otherwise try Google: every test (and every narrate process a test starts) is
# pointed at a local port nothing listens on, unless it points gTTS at the fake Google instead.
os.environ["NARRATE_GTTS_ENDPOINT"] = f"http://127.0.0.1:{_closed_port()}"
# The same for Microsoft's voices (edge-tts), and for piper voices to download.
os.environ["NARRATE_EDGE_ENDPOINT"] = f"ws://127.0.0.1:{_closed_port()}/edge/v1"
os.environ["NARRATE_VOICES_URL"] = f"http://127.0.0.1:{_closed_port()}/voices/"
# gTTS hands the system proxies straight to requests, bypassing NO_PROXY: drop them for the tests.
for _name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
    os.environ.pop(_name, None)
# Every build a test runs (in-process or not) uses a throwaway synthesis cache, never the user's.
os.environ["NARRATE_CACHE_DIR"] = tempfile.mkdtemp(prefix="narrate-test-cache-")
# And an empty folder of installed voices, never the user's.
os.environ["NARRATE_DATA_DIR"] = tempfile.mkdtemp(prefix="narrate-test-data-")
for _name in ("NO_PROXY", "no_proxy"):
    os.environ[_name] = ",".join(filter(None, [os.environ.get(_name), "127.0.0.1", "localhost"]))


@pytest.fixture(scope="session")
def example_article() -> Path:
    return EXAMPLE


BASE_URL = "https://podcasts.example.org/narrate/"
DATE = "2026-11-20T08:30:00"


@dataclass(frozen=True)
class ExampleBuild:
    run: Run
    output: Path
    mp3: Path
    feed: Path


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory, example_article: Path) -> ExampleBuild:
    """The README's example, built once with the default (auto) engine and no Google in reach."""
    output = tmp_path_factory.mktemp("example") / "output"
    run = narrate(
        "build", example_article, "--output-dir", output, "--base-url", BASE_URL, "--date", DATE
    )
    assert run.returncode == 0, run.stderr
    return ExampleBuild(run, output, output / "damascus-to-moscow.mp3", output / "feed.xml")

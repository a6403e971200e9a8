"""``narrate build --engine gtts`` without Google: one line saying so, and what to do instead.

Offline, Google's name does not resolve. The build asks no more than once for a name that
does not exist, and ends with one ``Error:`` line saying the Google voice cannot be reached
and naming ``--engine espeak``. A resolver that fails for a while (EAI_AGAIN) is waited out,
and each retry is one short ``Warning:`` line in the command's voice, never a logger's
``WARNING name: ...`` line.

The real gTTS client runs in a real ``narrate`` process. The non-existent name is a real
``.invalid`` name; the temporary failure comes from a ``sitecustomize`` module that makes
``socket.getaddrinfo`` fail with EAI_AGAIN for ``google.test`` a given number of times and then
find it at 127.0.0.1, where the fake Google answers.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.cli import narrate
from tests.fake_google import FakeGoogle

ARTICLE = """خبر الطقس

تشهد البلاد اليوم طقسا باردا في الشمال. وتهطل أمطار خفيفة على الساحل.
"""
NOWHERE = "translate.google.invalid"
FLAKY = "google.test"

SITECUSTOMIZE = """
import os
import socket
import threading

_real = socket.getaddrinfo
_lock = threading.Lock()
_failures = int(os.environ.get("NARRATE_TEST_RESOLVER_FAILURES", "0"))
_lookups = 0


def _getaddrinfo(host, port, *args, **kwargs):
    global _lookups
    if host == "google.test":
        with _lock:
            _lookups += 1
            failing = _lookups <= _failures
        if failing:
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        host = "127.0.0.1"
    return _real(host, port, *args, **kwargs)


socket.getaddrinfo = _getaddrinfo
"""


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "weather.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def _resolves_to_nothing() -> None:
    try:
        socket.getaddrinfo(NOWHERE, 80)
    except socket.gaierror as exc:
        if exc.errno != socket.EAI_NONAME:
            pytest.skip(f"the resolver here answers {exc} for {NOWHERE}, not EAI_NONAME")
    else:  # pragma: no cover
        pytest.skip(f"the resolver here finds {NOWHERE}")


def _flaky_env(tmp_path: Path, failures: int, google: FakeGoogle | None = None) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    port = google.endpoint.rsplit(":", 1)[1] if google is not None else "9"
    return {
        "PYTHONPATH": str(site),
        "NARRATE_TEST_RESOLVER_FAILURES": str(failures),
        "NARRATE_GTTS_ENDPOINT": f"http://{FLAKY}:{port}",
        "NO_PROXY": f"127.0.0.1,localhost,{FLAKY}",
        "no_proxy": f"127.0.0.1,localhost,{FLAKY}",
    }


def _unreachable(line: str, name: str) -> None:
    assert line.startswith("Error: the Google voice cannot be reached"), line
    assert name in line, line
    assert line.endswith("or use --engine espeak (the offline voice)"), line


def test_offline_a_gtts_build_says_google_cannot_be_reached_in_one_line(
    article: Path, tmp_path: Path
) -> None:
    _resolves_to_nothing()
    run = narrate(
        "build", article, "--engine", "gtts", "-o", tmp_path / "out",
        "--cache-dir", tmp_path / "cache", env={"NARRATE_GTTS_ENDPOINT": f"http://{NOWHERE}"},
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    lines = run.stderr.splitlines()
    # No retry, so no warning of one: the engine line, then the error.
    assert lines[:-1] == ["Engine: gtts (chosen with --engine gtts)"], run.stderr
    _unreachable(lines[-1], f"the name {NOWHERE} does not resolve")
    assert not list((tmp_path / "out").glob("*.mp3"))


def test_a_resolver_failing_for_a_while_is_waited_out_with_short_warnings(
    article: Path, tmp_path: Path
) -> None:
    with FakeGoogle() as google:
        run = narrate(
            "build", article, "--engine", "gtts", "-o", tmp_path / "out",
            "--cache-dir", tmp_path / "cache", "--concurrency", "1",
            env=_flaky_env(tmp_path, failures=2, google=google),
        )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert not [line for line in run.stderr.splitlines() if line.startswith("WARNING")]
    warnings = [line for line in run.stderr.splitlines() if "Google TTS attempt" in line]
    assert len(warnings) == 2, run.stderr
    for warning in warnings:
        assert warning.startswith("Warning: Google TTS attempt "), warning
        assert f"the name {FLAKY} could not be looked up now" in warning, warning
        assert "narrate.engines" not in warning and len(warning) < 160, warning
    assert (tmp_path / "out" / "weather.mp3").exists()


def test_a_resolver_failure_that_lasts_ends_in_one_error_line(
    article: Path, tmp_path: Path
) -> None:
    run = narrate(
        "build", article, "--engine", "gtts", "-o", tmp_path / "out",
        "--cache-dir", tmp_path / "cache", env=_flaky_env(tmp_path, failures=1000),
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    lines = run.stderr.splitlines()
    assert lines[0] == "Engine: gtts (chosen with --engine gtts)", run.stderr
    assert lines[1:-1], "the failures were retried, with a warning each"
    for line in lines[1:-1]:
        assert line.startswith("Warning: Google TTS attempt "), run.stderr
    _unreachable(lines[-1], f"the name {FLAKY} could not be looked up now")

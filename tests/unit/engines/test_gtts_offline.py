"""The gtts engine when Google's name does not resolve: offline, or a resolver having trouble.

The real gTTS client code runs every time (requests, urllib3, the socket's name lookup):

- a name that does not exist (``.invalid`` names never do, RFC 6761: the resolver answers
  EAI_NONAME, "Name or service not known") is not asked again: it will not exist in a second
  either. The error says the Google voice cannot be reached and names the offline voice;
- a temporary resolver failure (EAI_AGAIN, "Temporary failure in name resolution") may pass,
  and is retried like any passing failure; when it lasts, the error says the same as above.

The temporary failure is made by the one thing faked here, ``socket.getaddrinfo`` answering
EAI_AGAIN for one name (there is no resolver to break on purpose); the requests that get past
it go to the fake Google on 127.0.0.1. No test needs the internet.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from narrate.engines.gtts import ENDPOINT_ENV, GttsEngine
from narrate.errors import EngineError, EngineUnavailable
from tests import fake_google as fake
from tests.fake_google import FakeGoogle
from tests.unit.engines.test_gtts_engine import FakeClock

fake_google = fake.fake_google  # the fixture, under its own name

CHUNK = "في يوم الجمعة، كان التواصل مستمراً مع محافظة حمص."
#: A name that cannot exist (RFC 6761 reserves .invalid).
NOWHERE = "translate.google.invalid"
#: The name the flaky resolver fails for (RFC 6761 reserves .test), then maps to 127.0.0.1.
FLAKY = "google.test"


@pytest.fixture(autouse=True)
def local_network(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("NO_PROXY", f"127.0.0.1,localhost,{FLAKY}")
    monkeypatch.setenv("no_proxy", f"127.0.0.1,localhost,{FLAKY}")
    monkeypatch.delenv(ENDPOINT_ENV, raising=False)


@pytest.fixture(scope="module")
def nowhere() -> str:
    """The endpoint on a name that does not exist; skipped where the resolver says otherwise."""
    try:
        socket.getaddrinfo(NOWHERE, 80)
    except socket.gaierror as exc:
        if exc.errno != socket.EAI_NONAME:
            pytest.skip(f"the resolver here answers {exc} for {NOWHERE}, not EAI_NONAME")
    else:  # pragma: no cover - a resolver that makes names up
        pytest.skip(f"the resolver here finds {NOWHERE}")
    return f"http://{NOWHERE}"


class FlakyResolver:
    """``socket.getaddrinfo`` failing with EAI_AGAIN for :data:`FLAKY` ``failures`` times, then
    finding it at 127.0.0.1; every other name is looked up as usual."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.lookups = 0
        self._lock = threading.Lock()
        self._real = socket.getaddrinfo

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != FLAKY:
            return self._real(host, port, *args, **kwargs)
        with self._lock:
            self.lookups += 1
            failing = self.lookups <= self.failures
        if failing:
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return self._real("127.0.0.1", port, *args, **kwargs)


@pytest.fixture
def flaky_resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int], FlakyResolver]]:
    def install(failures: int) -> FlakyResolver:
        resolver = FlakyResolver(failures)
        monkeypatch.setattr(socket, "getaddrinfo", resolver)
        return resolver

    yield install


def engine(endpoint: str, sleeps: list[float], **options: Any) -> GttsEngine:
    """The real engine on a fake clock: its waits (the top of each jitter range) are recorded
    in ``sleeps``, not slept."""
    clock = FakeClock()
    clock.sleeps = sleeps
    return GttsEngine(
        endpoint=endpoint, sleep=clock.sleep, clock=clock, random=lambda: 1.0, timeout=5.0,
        **options,
    )  # fmt: skip


def test_a_name_that_does_not_exist_is_not_asked_again(
    nowhere: str, caplog: pytest.LogCaptureFixture
) -> None:
    sleeps: list[float] = []
    with caplog.at_level(logging.WARNING), pytest.raises(EngineUnavailable) as caught:
        engine(nowhere, sleeps).synthesize(CHUNK)
    assert sleeps == []  # no wait for a retry: there was none
    assert caplog.records == []  # and no warning of one
    message = str(caught.value)
    assert message.startswith("the Google voice cannot be reached"), message
    assert f"the name {NOWHERE} does not resolve (Name or service not known)" in message
    assert message.endswith("or use --engine espeak (the offline voice)"), message


def test_many_threads_meeting_a_name_that_does_not_exist_fail_with_it_at_once(
    nowhere: str, caplog: pytest.LogCaptureFixture
) -> None:
    gtts = engine(nowhere, [])
    failures: list[BaseException] = []

    def speak() -> None:
        try:
            gtts.synthesize(CHUNK)
        except EngineError as exc:
            failures.append(exc)

    threads = [threading.Thread(target=speak) for _ in range(4)]
    with caplog.at_level(logging.WARNING):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert caplog.records == []  # no retry, so no warning of one
    assert len(failures) == 4
    assert all(isinstance(f, EngineUnavailable) for f in failures)


def test_the_probe_says_google_did_not_answer(nowhere: str) -> None:
    with pytest.raises(EngineUnavailable) as caught:
        GttsEngine(endpoint=nowhere).probe()
    assert str(caught.value).startswith(
        f"Google TTS did not answer: the name {NOWHERE} does not resolve"
    )


def test_a_temporary_resolver_failure_is_retried(
    fake_google: FakeGoogle,
    flaky_resolver: Callable[[int], FlakyResolver],
    caplog: pytest.LogCaptureFixture,
) -> None:
    resolver = flaky_resolver(2)
    port = fake_google.endpoint.rsplit(":", 1)[1]
    sleeps: list[float] = []
    with caplog.at_level(logging.WARNING, logger="narrate.engines.gtts"):
        audio = engine(f"http://{FLAKY}:{port}", sleeps, backoff=0.5).synthesize(CHUNK)
    assert len(audio) > 0
    assert resolver.lookups == 3
    assert sleeps == [0.5, 1.0]
    assert fake_google.requests == [CHUNK]
    assert [r.getMessage() for r in caplog.records] == [
        f"Google TTS attempt {n} of 5 failed: the name {FLAKY} could not be looked up now "
        f"(Temporary failure in name resolution); retrying in {wait:.2f} s"
        for n, wait in ((1, 0.5), (2, 1.0))
    ]


def test_a_resolver_failure_that_lasts_says_google_cannot_be_reached(
    flaky_resolver: Callable[[int], FlakyResolver],
) -> None:
    resolver = flaky_resolver(1000)
    sleeps: list[float] = []
    with pytest.raises(EngineError) as caught:
        engine(f"http://{FLAKY}", sleeps, retries=2, backoff=0.5).synthesize(CHUNK)
    assert resolver.lookups == 3
    assert sleeps == [0.5, 1.0]
    message = str(caught.value)
    assert message.startswith("the Google voice cannot be reached: Google TTS failed 3 times"), (
        message
    )
    assert f"the name {FLAKY} could not be looked up now" in message
    assert message.endswith("or use --engine espeak (the offline voice)"), message

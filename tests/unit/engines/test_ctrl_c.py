"""Ctrl-C and the helper processes: started with SIGINT held, and a Ctrl-C held back a moment.

:func:`~narrate.engines.base.ctrl_c_held` blocks SIGINT while a helper process is started, so
the helper inherits the block and a Ctrl-C cannot kill it half-started;
:func:`~narrate.engines.base.ignore_ctrl_c` is what the helper does once it runs;
:func:`~narrate.engines.base.ctrl_c_deferred` holds a Ctrl-C that comes during a block of
bookkeeping until the block ends, then takes it as the process's handler would.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from narrate.engines.base import ctrl_c_deferred, ctrl_c_held, ignore_ctrl_c

#: Prints whether SIGINT is blocked in the process, and what it does with one.
REPORT = (
    "import signal; "
    "print(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []), "
    "signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"
)
#: A helper that ignores Ctrl-C as the speech workers do, then sends itself one and goes on.
HELPER = (
    "import os, signal; from narrate.engines.base import ignore_ctrl_c; ignore_ctrl_c(); "
    "os.kill(os.getpid(), signal.SIGINT); " + REPORT.replace("import signal; ", "")
)


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()


def _blocked() -> bool:
    return signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def test_a_process_started_with_ctrl_c_held_starts_with_sigint_blocked() -> None:
    assert _run(REPORT) == "False False"
    with ctrl_c_held():
        assert _blocked()
        started_inside = _run(REPORT)
    assert not _blocked()  # the block is this thread's only for the moment
    assert started_inside == "True False"


def test_the_helper_then_ignores_ctrl_c_and_lets_go_of_the_block() -> None:
    with ctrl_c_held():
        report = _run(HELPER)
    assert report == "False True"  # it survived its own Ctrl-C


def test_ignore_ctrl_c_drops_a_ctrl_c_that_came_while_held() -> None:
    previous = signal.getsignal(signal.SIGINT)
    try:
        with ctrl_c_held():
            signal.raise_signal(signal.SIGINT)  # waits, blocked
            ignore_ctrl_c()  # ignored: the waiting one is dropped
    finally:
        signal.signal(signal.SIGINT, previous)
    assert not _blocked()


def test_a_ctrl_c_during_a_deferred_block_comes_at_its_end() -> None:
    # Other tests may leave their own handler: this one starts from Python's default.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    reached_the_end = False
    try:
        with pytest.raises(KeyboardInterrupt), ctrl_c_deferred():
            signal.raise_signal(signal.SIGINT)
            reached_the_end = True
        assert reached_the_end
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_deferred_block_without_ctrl_c_changes_nothing() -> None:
    before = signal.getsignal(signal.SIGINT)
    with ctrl_c_deferred():
        pass
    assert signal.getsignal(signal.SIGINT) is before

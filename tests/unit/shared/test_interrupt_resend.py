"""A Ctrl-C that lands where Python cannot raise it (a ``__del__``, a weakref callback) is taken
as soon as the main thread is back in ordinary code, with no traceback printed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.paths import REPO

#: Run in a process of its own: it takes SIGINT over, as the narrate command does.
SCRIPT = textwrap.dedent(
    """
    import gc, signal, sys, time
    from narrate.interrupts import Interrupts

    interrupts = Interrupts()
    signal.signal(signal.SIGINT, interrupts.handle)
    sys.unraisablehook = interrupts.unraisable

    class Finalized:
        def __del__(self):
            # The interrupt comes while Python runs a finalizer: raised here, it is dropped.
            interrupts.handle(signal.SIGINT, None)

    def wait_for_the_interrupt():
        deadline = time.monotonic() + 60  # a hang guard only
        while time.monotonic() < deadline:
            time.sleep(0.001)
        print("not interrupted")

    with interrupts.armed():
        try:
            Finalized()
            gc.collect()
            wait_for_the_interrupt()
        except KeyboardInterrupt:
            print("interrupted after the finalizer")
        class Failing:
            def __del__(self):
                raise ValueError("a finalizer that fails")

        # The interrupt comes while the hook reports another finalizer's failure.
        interrupts._unraisablehook = lambda _args: interrupts.handle(signal.SIGINT, None)
        try:
            Failing()
            gc.collect()
            wait_for_the_interrupt()
        except KeyboardInterrupt:
            print("interrupted after the hook")
    """
)


def test_an_interrupt_in_a_finalizer_or_the_hook_is_taken_afterwards() -> None:
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "interrupted after the finalizer",
        "interrupted after the hook",
    ]
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr, run.stderr

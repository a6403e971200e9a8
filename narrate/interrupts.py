"""Ctrl-C as the ``narrate`` command takes it, from the first line of narrate that runs.

:data:`INTERRUPTS` is installed by ``narrate/__init__.py`` before anything heavy is imported
(pydub, numpy, click), when the process is the narrate command itself; the command
(:mod:`narrate.cli.main`) arms it while it runs. A program that imports narrate keeps its own
Ctrl-C. Only the standard library is used here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType


class Interrupts:
    """Ctrl-C (SIGINT) as the narrate command takes it.

    While a command runs (:meth:`armed`), an interrupt stops it: KeyboardInterrupt, as
    Python's own handler raises. Before (the modules being imported, the options parsed) and
    after it (its last line printed, the interpreter ending) an interrupt is noted and nothing
    else: a command about to start then stops before it starts, and one that has finished
    stays finished, with no traceback from an import or an exit handler.

    Python runs the handler wherever the main thread is, in a weakref callback or a
    ``__del__`` too, where an exception is printed ("Exception ignored in ...", a traceback)
    and dropped. :meth:`unraisable` catches that one: the interrupt is sent again, from another
    thread, to be taken as soon as the main thread is back in ordinary code. It is never raised
    inside the hook itself (Python would print that one too, and drop it): one that arrives
    while the hook runs is sent again in turn.
    """

    def __init__(self) -> None:
        #: Whether SIGINT has come, at any moment since the handler was installed.
        self.seen = False
        #: Whether SIGTERM has come: work under way is ended, not waited for.
        self.terminated = False
        self._armed = False
        self._in_hook = False
        #: Set while the hook is not running: a resent interrupt waits for it.
        self._out_of_hook = threading.Event()
        self._out_of_hook.set()
        self._resending = False
        self._unraisablehook = sys.unraisablehook

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.seen = True
        if self._armed:
            if self._in_hook:
                self._send_again()
                return
            raise KeyboardInterrupt

    def unraisable(self, unraisable: sys.UnraisableHookArgs) -> None:
        """``sys.unraisablehook``: an interrupt raised where it cannot propagate is sent again."""
        self._in_hook = True
        self._out_of_hook.clear()
        try:
            if self._armed and isinstance(unraisable.exc_value, KeyboardInterrupt):
                self._send_again()
            else:
                self._unraisablehook(unraisable)
        finally:
            self._in_hook = False
            self._out_of_hook.set()

    def _send_again(self) -> None:
        """SIGINT to this process again, from a helper thread once the hook has returned (the
        handler runs in the main thread only). One at a time: an interrupt that comes while one
        is on its way is that one."""
        if self._resending:
            return
        self._resending = True

        def send() -> None:
            self._out_of_hook.wait()
            self._resending = False
            os.kill(os.getpid(), signal.SIGINT)

        threading.Thread(target=send, name="narrate-interrupt", daemon=True).start()

    def install(self) -> None:
        """Take SIGINT over, unless something else than Python's default already has it."""
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may set a handler (an embedding program's thread)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, self.handle)
            self._unraisablehook = sys.unraisablehook
            sys.unraisablehook = self.unraisable

    @contextlib.contextmanager
    def armed(self) -> Iterator[None]:
        """While the command runs: an interrupt raises KeyboardInterrupt; one noted before
        the command started raises it at once."""
        self._armed = True
        try:
            if self.seen:
                raise KeyboardInterrupt
            yield
        finally:
            self._armed = False


def is_the_narrate_command() -> bool:
    """Whether this process is the ``narrate`` command on its way to :func:`main`: its
    console script, or ``python -m narrate``, is importing this module."""
    script = sys.modules.get("__main__")
    spec = getattr(script, "__spec__", None)
    if spec is not None:
        return bool(spec.name == "narrate.__main__")
    return Path(getattr(script, "__file__", None) or "").name == "narrate"


#: The one record of this process's interrupts.
INTERRUPTS = Interrupts()

"""The ``narrate`` group: its commands, and library errors turned into one ``Error: ...`` line.

Ctrl-C, at any moment of a command, ends it with one line, ``Error: interrupted; ...``, and the
shell's status for SIGINT (130). A terminal's Ctrl-C reaches every process of the command at
once: narrate itself (:class:`_Interrupts`, installed before the command's modules are even
imported), the speech workers and their fork server (started with SIGINT held, then ignoring it:
:mod:`narrate.audio.speak`), ffmpeg. Whatever error the interrupt brings about on its way (a
library turning it into an ImportError, a killed ffmpeg's failure), the error reported is the
interrupt.

Log records (a retried request, a cache that cannot be filled) reach the producer in the same
voice: ``Warning: ...``, one line each; ``--verbose`` shows every record with its logger's name
and tracebacks.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType


class _Interrupts:
    """Ctrl-C (SIGINT) as the narrate command takes it.

    While a command runs (:meth:`armed`), an interrupt stops it: KeyboardInterrupt, as
    Python's own handler raises. Before (the modules being imported, the options parsed) and
    after it (its last line printed, the interpreter ending) an interrupt is noted and nothing
    else: a command about to start then stops before it starts, and one that has finished
    stays finished, with no traceback from an import or an exit handler.

    Python runs the handler wherever the main thread is, in a weakref callback or a
    ``__del__`` too, where an exception is printed ("Exception ignored in ...", a traceback)
    and dropped. :meth:`unraisable` catches that one: the interrupt is sent again, to be taken
    as soon as the main thread is back in ordinary code.
    """

    def __init__(self) -> None:
        #: Whether SIGINT has come, at any moment since the handler was installed.
        self.seen = False
        self._armed = False
        self._unraisablehook = sys.unraisablehook

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.seen = True
        if self._armed:
            raise KeyboardInterrupt

    def unraisable(self, unraisable: sys.UnraisableHookArgs) -> None:
        """``sys.unraisablehook``: an interrupt raised where it cannot propagate is sent again."""
        if self._armed and isinstance(unraisable.exc_value, KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        else:
            self._unraisablehook(unraisable)

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


def _is_the_narrate_command() -> bool:
    """Whether this process is the ``narrate`` command on its way to :func:`main`: its
    console script, or ``python -m narrate``, is importing this module."""
    script = sys.modules.get("__main__")
    spec = getattr(script, "__spec__", None)
    if spec is not None:
        return bool(spec.name == "narrate.__main__")
    return Path(getattr(script, "__file__", None) or "").name == "narrate"


_INTERRUPTS = _Interrupts()
# Installed before the imports below, which take half a second: a Ctrl-C meanwhile ends the
# command with its one line, not with a traceback out of the middle of numpy. Only in the
# narrate command: a program that imports narrate.cli keeps its own Ctrl-C.
if _is_the_narrate_command():
    _INTERRUPTS.install()

import logging  # noqa: E402 - after the handler: see above
from typing import Any  # noqa: E402

import click  # noqa: E402

from narrate import __version__  # noqa: E402
from narrate.cli.build import build_command, segments  # noqa: E402
from narrate.cli.cache import cache  # noqa: E402
from narrate.cli.engines import engines  # noqa: E402
from narrate.cli.serve import serve_command  # noqa: E402
from narrate.cli.show import COMMANDS as SHOW_COMMANDS  # noqa: E402
from narrate.errors import NarrateError  # noqa: E402

INTERRUPTED = "interrupted; run the same command again to carry on"


class Interrupted(click.ClickException):
    """Ctrl-C: one line, and the shell's exit status for SIGINT (128 + 2)."""

    exit_code = 130


class _Group(click.Group):
    """Catches library errors once: one line and exit 1, a traceback only with ``--verbose``.

    After a Ctrl-C every error is the interrupt (exit 130), whatever else it set off.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with _INTERRUPTS.armed():
                return super().invoke(ctx)
        except KeyboardInterrupt:
            # Nothing half-made is published; a build run again reuses the speech kept so far.
            raise Interrupted(INTERRUPTED) from None
        except NarrateError as exc:
            if _INTERRUPTS.seen:  # e.g. an import the interrupt broke, reported as missing
                raise Interrupted(INTERRUPTED) from None
            raise click.ClickException(str(exc)) from exc
        except (
            click.exceptions.ClickException,
            click.exceptions.Exit,
            click.exceptions.Abort,
            BrokenPipeError,  # the reader went away (``| head``): Click ends quietly
        ):
            if _INTERRUPTS.seen:
                raise Interrupted(INTERRUPTED) from None
            raise
        except Exception as exc:
            if _INTERRUPTS.seen:
                raise Interrupted(INTERRUPTED) from None
            if ctx.find_root().params.get("verbose"):
                raise
            raise click.ClickException(
                f"unexpected {type(exc).__name__}: {exc} (run with --verbose for the details)"
            ) from exc


class _Voice(logging.Formatter):
    """A log record as the command says it: ``Warning: ...`` on one line, no logger name, no
    traceback (``--verbose`` shows those)."""

    def format(self, record: logging.LogRecord) -> str:
        if record.levelno >= logging.ERROR:
            label = "Error"
        elif record.levelno >= logging.WARNING:
            label = "Warning"
        else:
            label = record.levelname.capitalize()
        lines = (line.strip() for line in record.getMessage().splitlines())
        return f"{label}: {' '.join(line for line in lines if line)}"


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="narrate")
@click.option("-v", "--verbose", is_flag=True, help="Log each step, and show tracebacks of bugs.")
def cli(verbose: bool) -> None:
    """Turn an Arabic news article into a podcast episode."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s: %(message)s") if verbose else _Voice()
    )
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler])


for _command in (build_command, segments, cache, engines, serve_command, *SHOW_COMMANDS):
    cli.add_command(_command)


def _terminated(signum: int, _frame: object) -> None:
    """SIGTERM (``timeout``, a service manager): stop now, cleaning up as for an error."""
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)
    _INTERRUPTS.install()
    try:
        cli(prog_name="narrate")
    finally:
        # The command has ended and said how: what is left is the interpreter's exit, which
        # gives SIGINT its default action back half-way and would die of a late Ctrl-C.
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)

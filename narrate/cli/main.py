"""The ``narrate`` group: its commands, and library errors turned into one ``Error: ...`` line.

Ctrl-C, at any moment of a command, ends it with one line, ``Error: interrupted; ...``, and the
shell's status for SIGINT (130). A terminal's Ctrl-C reaches every process of the command at
once: narrate itself (:mod:`narrate.interrupts`, installed before the command's modules are even
imported), the speech workers and their fork server (started with SIGINT held, then ignoring it:
:mod:`narrate.audio.speak`), ffmpeg. Whatever error the interrupt brings about on its way (a
library turning it into an ImportError, a killed ffmpeg's failure), the error reported is the
interrupt.

Log records (a retried request, a cache that cannot be filled) reach the producer in the same
voice: ``Warning: ...``, one line each; ``--verbose`` shows every record with its logger's name
and tracebacks.
"""

from __future__ import annotations

import signal
import threading

from narrate.interrupts import INTERRUPTS, is_the_narrate_command

_INTERRUPTS = INTERRUPTS
# Installed before the imports below, which take half a second (narrate/__init__.py has
# installed it already when this is the command): a Ctrl-C meanwhile ends the command with its
# one line, not with a traceback out of the middle of numpy. Only in the narrate command: a
# program that imports narrate.cli keeps its own Ctrl-C.
if is_the_narrate_command():
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
from narrate.cli.voices import voices  # noqa: E402
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


for _command in (build_command, segments, cache, engines, voices, serve_command, *SHOW_COMMANDS):
    cli.add_command(_command)


def _terminated(signum: int, _frame: object) -> None:
    """SIGTERM (``timeout``, a service manager): stop now, cleaning up as for an error."""
    _INTERRUPTS.terminated = True  # wherever the SystemExit lands, workers are not waited for
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

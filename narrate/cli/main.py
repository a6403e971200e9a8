"""The ``narrate`` group: its commands, and library errors turned into one ``Error: ...`` line."""

from __future__ import annotations

import logging
import signal
from typing import Any

import click

from narrate import __version__
from narrate.cli.build import build_command, segments
from narrate.cli.cache import cache
from narrate.cli.engines import engines
from narrate.cli.serve import serve_command
from narrate.cli.show import COMMANDS as SHOW_COMMANDS
from narrate.errors import NarrateError


class Interrupted(click.ClickException):
    """Ctrl-C: one line, and the shell's exit status for SIGINT (128 + 2)."""

    exit_code = 130


class _Group(click.Group):
    """Catches library errors once: one line and exit 1, a traceback only with ``--verbose``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NarrateError as exc:
            raise click.ClickException(str(exc)) from exc
        except KeyboardInterrupt:
            # Nothing half-made is published; a build run again reuses the speech kept so far.
            raise Interrupted("interrupted; run the same command again to carry on") from None
        except (
            click.exceptions.ClickException,
            click.exceptions.Exit,
            click.exceptions.Abort,
            BrokenPipeError,  # the reader went away (``| head``): Click ends quietly
        ):
            raise
        except Exception as exc:
            if ctx.find_root().params.get("verbose"):
                raise
            raise click.ClickException(
                f"unexpected {type(exc).__name__}: {exc} (run with --verbose for the details)"
            ) from exc


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="narrate")
@click.option("-v", "--verbose", is_flag=True, help="Log each step, and show tracebacks of bugs.")
def cli(verbose: bool) -> None:
    """Turn an Arabic news article into a podcast episode."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


for _command in (build_command, segments, cache, engines, serve_command, *SHOW_COMMANDS):
    cli.add_command(_command)


def _terminated(signum: int, _frame: object) -> None:
    """SIGTERM (``timeout``, a service manager): stop now, cleaning up as for an error."""
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)
    cli(prog_name="narrate")

"""The one place progress and notices are shown; ``--quiet`` silences it.

Library code reports through a :class:`Reporter`, never ``print``; only the CLI makes one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO, TypeVar

import click

T = TypeVar("T")


class Reporter:
    """Notices to ``stream`` (standard error by default); a progress bar only on a terminal."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stderr

    def say(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, file=self.stream)

    @contextmanager
    def progress(self, items: Iterable[T], length: int, label: str) -> Iterator[Iterable[T]]:
        """Iterate ``items`` with a bar over ``length`` steps, shown only on a terminal."""
        if self.quiet or not self.stream.isatty():
            yield items
            return
        with click.progressbar(
            items, length=length, label=label, file=self.stream, show_pos=True, show_eta=True
        ) as bar:
            yield bar


class SilentReporter(Reporter):
    """A reporter that shows nothing (for library callers and tests)."""

    def __init__(self) -> None:
        super().__init__(quiet=True)

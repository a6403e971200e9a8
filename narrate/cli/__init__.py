"""Command line: parse options, resolve the settings, call the library, and turn its errors into
one ``Error: ...`` line.

One module a command group: :mod:`~narrate.cli.main` (the group and :func:`main`, the console
script), :mod:`~narrate.cli.build` (``build``, ``segments``), :mod:`~narrate.cli.cache`,
:mod:`~narrate.cli.engines`, :mod:`~narrate.cli.serve`, :mod:`~narrate.cli.show` (``init``,
``list``, ``remove``, ``feed``); :mod:`~narrate.cli.settings` is the one settings resolution they
all use, :mod:`~narrate.cli.options` the options they share.
"""

from __future__ import annotations

from narrate.cli.main import cli, main

__all__ = ["cli", "main"]

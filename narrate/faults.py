"""A test hook for the fault suite: ``NARRATE_KILL_AFTER=<step>`` makes narrate SIGKILL itself
right after that step of a publish, so a test can stop it at each step in turn.

``NARRATE_FAULT_STEPS=<file>`` adds each step reached to that file, one a line, so that a test
learns the steps of a run before it stops runs at each. Inert unless a variable is set. The
steps, in order (``tests/e2e/test_faults.py``):

- ``staged``: a build's files are made and staged, nothing in the output folder changed yet;
- ``before-commit``: the store's change is written but not committed, the feed staged;
- ``committed``: the store is committed (with what is left to do), no file renamed yet;
- ``rename:<path>``: that file (relative to the output folder) was renamed into place;
- ``page-written``: ``index.html`` was written;
- ``delete:<path>``: that file or folder was deleted;
- ``finished``: what was left to do is done and cleared from the store.
"""

from __future__ import annotations

import os
import signal
from typing import Final

#: The environment variable naming the step after which narrate kills itself.
KILL_AFTER: Final = "NARRATE_KILL_AFTER"
#: The environment variable naming a file each step reached is added to.
STEPS: Final = "NARRATE_FAULT_STEPS"


def reached(step: str) -> None:
    """SIGKILL this process if ``$NARRATE_KILL_AFTER`` names ``step``; nothing otherwise."""
    steps = os.environ.get(STEPS)
    if steps:
        with open(steps, "a", encoding="utf-8") as out:
            out.write(step + "\n")
    if os.environ.get(KILL_AFTER) == step:
        os.kill(os.getpid(), signal.SIGKILL)

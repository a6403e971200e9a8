"""Running the real ``narrate`` console script in a subprocess, as a producer would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

NARRATE = str(Path(sys.executable).with_name("narrate"))


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def narrate(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    proc = subprocess.run(
        [NARRATE, *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=600,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)

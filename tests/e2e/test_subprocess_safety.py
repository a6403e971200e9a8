"""Every program narrate runs is run with an argument list, never through a shell (issue 7).

The library's source is read with :mod:`ast` and every call that can start a program is
checked: ``subprocess.run/Popen/call/check_call/check_output`` (however imported) must not
pass ``shell=True`` nor a command that is a string (a literal, an f-string, a ``+`` or ``%``
or ``.format`` of strings, or a ``shlex.join``); ``os.system``, ``os.popen``, the
``os.exec*``/``os.spawn*`` family's shell forms, ``subprocess.getoutput`` and
``getstatusoutput``, ``asyncio.create_subprocess_shell`` and ``pty.spawn`` must not appear
at all. The scanner is tested on bad snippets too, so this test can fail.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import pytest

from tests.paths import REPO

PACKAGE = REPO / "narrate"

#: Calls that always go through a shell (or are a shell), by their dotted name.
FORBIDDEN = {
    "os.system",
    "os.popen",
    "os.spawnlp",
    "os.spawnvp",
    "os.execlp",
    "os.execvp",
    "os.execlpe",
    "os.execvpe",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
    "asyncio.create_subprocess_shell",
    "pty.spawn",
    "commands.getoutput",
}
#: Calls that start a program from their first argument (``args``).
RUNNERS = {
    "subprocess.run",
    "subprocess.Popen",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "asyncio.create_subprocess_exec",
}


@dataclass(frozen=True)
class Finding:
    where: str
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.problem}"


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local names bound by imports, to their dotted origin: ``sp`` -> ``subprocess``."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def _is_string_command(node: ast.expr) -> bool:
    """A command built as one string rather than a list of arguments."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | bytes)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _is_string_command(node.left) or _is_string_command(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in ("format", "join") and isinstance(node.func.value, ast.Constant):
            return True  # "...".format(...), " ".join(...)
        if node.func.attr == "join" and _dotted(node.func.value, {}) == "shlex":
            return True
    return False


def scan(source: str, where: str = "<snippet>") -> list[Finding]:
    """Every shell use in ``source``."""
    tree = ast.parse(source)
    aliases = _aliases(tree)
    found: list[Finding] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func, aliases)
        if name in FORBIDDEN:
            found.append(Finding(where, node.lineno, f"{name}() runs a shell"))
        if name not in RUNNERS:
            continue
        for keyword in node.keywords:
            if keyword.arg == "shell" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                found.append(Finding(where, node.lineno, f"{name}(shell=...)"))
        command = node.args[0] if node.args else None
        command = command or next((k.value for k in node.keywords if k.arg == "args"), None)
        if command is not None and _is_string_command(command):
            found.append(Finding(where, node.lineno, f"{name}() given a string command"))
    return found


def runner_calls(source: str) -> int:
    tree = ast.parse(source)
    aliases = _aliases(tree)
    return sum(
        isinstance(node, ast.Call) and _dotted(node.func, aliases) in RUNNERS
        for node in ast.walk(tree)
    )


def test_narrate_never_runs_a_program_through_a_shell() -> None:
    findings: list[Finding] = []
    runners = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        findings += scan(source, str(path.relative_to(PACKAGE.parent)))
        runners += runner_calls(source)
    assert not findings, "\n".join(map(str, findings))
    assert runners >= 2  # ffmpeg's run and Popen at least: the scan does see them


BAD = {
    "shell=True": "import subprocess\nsubprocess.run(['ls'], shell=True)\n",
    "shell=flag": "import subprocess\nsubprocess.run(['ls'], shell=flag)\n",
    "string": "import subprocess\nsubprocess.run('ffmpeg -i x.wav x.mp3')\n",
    "f-string": "from subprocess import Popen\nPopen(f'ffmpeg -i {src}')\n",
    "concatenation": "import subprocess as sp\nsp.check_output('ffmpeg ' + args)\n",
    "format": "import subprocess\nsubprocess.call('ffmpeg {}'.format(x))\n",
    "args keyword": "import subprocess\nsubprocess.run(args='ls -l')\n",
    "os.system": "import os\nos.system('ls')\n",
    "os.popen": "from os import popen\npopen('ls')\n",
    "getoutput": "import subprocess\nsubprocess.getoutput('ls')\n",
    "shell coroutine": "import asyncio\nasyncio.create_subprocess_shell('ls')\n",
}
GOOD = {
    "list": "import subprocess\nsubprocess.run(['ffmpeg', '-i', src], check=True)\n",
    "shell=False": "import subprocess\nsubprocess.Popen(cmd, shell=False)\n",
    "list variable": "from subprocess import run\nrun([exe, *args], capture_output=True)\n",
}


@pytest.mark.parametrize("name", BAD)
def test_the_scanner_catches(name: str) -> None:
    assert scan(BAD[name]), f"missed: {BAD[name]!r}"


@pytest.mark.parametrize("name", GOOD)
def test_the_scanner_lets_argument_lists_through(name: str) -> None:
    assert scan(GOOD[name]) == []

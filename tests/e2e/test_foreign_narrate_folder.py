"""A build run from a folder that holds a ``narrate/`` of its own speaks with the narrate it runs.

A clone of the repository, or a producer's own folder that happens to be called ``narrate``: the
folder is the working directory, and Python puts the working directory first on the path of a
process started with ``-c`` or ``-m``. The speech workers (the fork server they come from, the
MBROLA engine's helper) must import the package the command itself imported, whatever the
working directory holds; here it holds a folder that is no package, an empty package, and a
package that fails to import.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

from tests.cli import narrate

#: Ten paragraphs: twelve chunks for espeak, enough to go to worker processes.
ARTICLE = "مجلس المدينة\n\n" + "\n\n".join(
    f"الفقرة رقم {n}: ناقش المجلس البلدي خطة تطوير الحدائق العامة في المدينة، وقرر زيادة "
    f"عدد الأشجار في الشوارع الرئيسية، وخصص لها ميزانية جديدة أقرها بالإجماع."
    for n in range(1, 11)
)

BROKEN = 'raise RuntimeError("this folder is not narrate: it must never be imported")\n'

SHAPES = {
    "a folder named narrate": {},
    "an empty package": {"__init__.py": ""},
    "a package that fails to import": {
        "__init__.py": BROKEN,
        "engines/__init__.py": BROKEN,
        "audio/__init__.py": BROKEN,
        "cli/__init__.py": BROKEN,
    },
}


@functools.cache
def _usable(engine: str) -> bool:
    """Whether ``engine`` can speak here (``narrate engines``, run from a neutral folder)."""
    run = narrate("engines", "--offline", "--json")
    assert run.returncode == 0, run.stderr
    return any(e["name"] == engine and e["usable"] for e in json.loads(run.stdout))


def _folder(root: Path, shape: str) -> Path:
    """A working directory holding a ``narrate/`` of the given shape, and the article."""
    folder = root / "work"
    (folder / "narrate").mkdir(parents=True)
    for name, text in SHAPES[shape].items():
        path = folder / "narrate" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "council-plan.txt").write_text(ARTICLE, encoding="utf-8")
    return folder


@pytest.mark.parametrize("engine", ["espeak", "mbrola"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_build_beside_a_foreign_narrate_folder_speaks_with_its_own_package(
    tmp_path: Path, shape: str, engine: str
) -> None:
    if not _usable(engine):
        pytest.skip(f"the {engine} engine cannot speak here")
    folder = _folder(tmp_path, shape)
    run = narrate(
        "-v", "build", "council-plan.txt", "--output-dir", "out", "--engine", engine,
        "--jobs", "2", "--cache-dir", tmp_path / "cache", cwd=folder,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    # The speech went to worker processes, which had to import narrate.
    assert "speaking the rest processes" in run.stderr
    assert "Speech: synthesized 12 of 12 chunks" in run.stderr
    assert MP3(folder / "out" / "council-plan.mp3").info.length > 60

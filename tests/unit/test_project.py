"""The project as a new user meets it: the README's two commands, the package metadata, CI."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

from mutagen.mp3 import MP3

from tests.paths import REPO


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the Quick start needs a sh code block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_exactly_the_demo_and_the_test_command() -> None:
    assert quick_start_commands() == ["scripts/demo", "scripts/test"]
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    assert "scripts/test" in ci


def test_the_demo_command_builds_the_example_episode(tmp_path: Path) -> None:
    out = tmp_path / "output"
    proc = subprocess.run(
        ["bash", str(REPO / "scripts" / "demo"), "--output-dir", str(out), "--date", "2026-11-20"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Wrote" in proc.stderr
    assert MP3(out / "damascus-to-moscow.mp3").info.length > 240
    assert (out / "feed.xml").is_file()


def test_metadata_names_the_console_script_python_and_bounded_dependencies() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["scripts"]["narrate"] == "narrate.cli:main"
    assert project["requires-python"] == ">=3.11"
    deps = project["dependencies"] + project["optional-dependencies"]["test"]
    for dep in deps:
        assert ">=" in dep, f"{dep} needs a lower bound"
    names = {re.split(r"[<>=;\[ ]", d, maxsplit=1)[0].lower() for d in deps}
    needed = {"click", "gtts", "pydub", "mutagen", "espeakng-loader", "imageio-ffmpeg"}
    assert needed <= names
    assert any(d.startswith("audioop-lts") and "python_version >= '3.13'" in d for d in deps)
    assert (REPO / "narrate" / "py.typed").is_file()

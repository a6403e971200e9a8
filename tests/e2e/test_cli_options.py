"""One name for each option across commands: ``-o/--output-dir`` everywhere, the old ``--output``
still accepted but no longer shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrate.cli import cli
from narrate.config import load_config

COMMANDS = ["build", "segments", "serve", "list", "remove", "feed", "init"]
SPELLINGS = ["-o", "--output-dir", "--output"]


@pytest.fixture(autouse=True)
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_command_with_an_output_folder_takes_each_spelling(here: Path, spelling: str) -> None:
    folder = "elsewhere"
    missing = here / "no-article.txt"
    code, output = run("build", str(missing), spelling, folder)
    (line,) = output.splitlines()  # the option is taken: the article is what is missing
    assert code == 1 and line.startswith("Error: ") and "not found" in line and missing.name in line
    code, output = run("serve", spelling, folder)
    assert (code, output) == (
        1,
        f"Error: output folder {folder} does not exist; build an episode into it first\n",
    )
    assert run("list", spelling, folder) == (0, f"No episodes in {folder}\n")
    for command in (["remove", "some-slug"], ["feed"]):
        assert run(*command, spelling, folder) == (
            1,
            f"Error: the output folder {folder} does not exist\n",
        )
    assert run("init", "--no-interactive", spelling, folder) == (0, "Wrote narrate.toml\n")
    assert load_config(here / "narrate.toml").build.output == here / folder


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_output_dir_and_not_the_old_spelling(command: str) -> None:
    code, output = run(command, "--help")
    assert code == 0
    if command == "segments":  # writes nothing
        assert "--output" not in output
        return
    assert "-o, --output-dir DIRECTORY" in output
    assert not re.search(r"--output(?![-\w])", output), output

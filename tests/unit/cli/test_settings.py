"""The one settings resolution: option, then environment, then narrate.toml, then the default,
each value knowing where it came from."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from narrate.cli.main import _Group
from narrate.cli.options import config_option, output_dir_option
from narrate.cli.settings import Settings, resolve_settings

FILE = """\
[show]
title = "من الملف"

[build]
engine = "espeak"
output = "public"
"""


def settings_of(*args: str, env: dict[str, str] | None = None) -> Settings:
    """The settings a command with the build's setting options resolves for ``args``."""
    seen: list[Settings] = []

    @click.group(cls=_Group)
    def group() -> None:
        pass

    @group.command()
    @config_option
    @output_dir_option()
    @click.option("--engine")
    @click.option("--show", "show_title", envvar="NARRATE_SHOW")
    @click.option("--bitrate", type=click.Choice(["64", "96"]))
    def command(**_: object) -> None:
        seen.append(resolve_settings())

    result = CliRunner().invoke(group, ["command", *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (settings,) = seen
    return settings


@pytest.fixture(autouse=True)
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NARRATE_SHOW", raising=False)
    return tmp_path


def test_defaults_without_a_file(here: Path) -> None:
    settings = settings_of()
    assert settings.path is None
    assert settings.show_title.value == "نشرة مسموعة"
    assert settings.show_title.source == "default"
    assert settings.output_dir.value == Path("output")
    assert settings.resolved("build.engine").value == "auto"
    assert settings.engine_source() is None


def test_the_file_over_the_defaults_with_its_lines(here: Path) -> None:
    (here / "narrate.toml").write_text(FILE, encoding="utf-8")
    settings = settings_of()
    assert settings.show_title.value == "من الملف"
    assert settings.show_title.source == "narrate.toml, line 2"
    assert settings.resolved("build.engine").source == "narrate.toml, line 5"
    assert settings.output_dir.value == here / "public"
    assert settings.output_dir.source == "narrate.toml, line 6"
    assert settings.resolved("build.bitrate").source == "default"
    assert settings.engine_source() == 'narrate.toml ([build] engine = "espeak")'


def test_environment_over_the_file_and_option_over_both(here: Path) -> None:
    (here / "narrate.toml").write_text(FILE, encoding="utf-8")
    env = {"NARRATE_SHOW": "من البيئة"}
    settings = settings_of(env=env)
    assert settings.show_title.value == "من البيئة"
    assert settings.show_title.source == "environment NARRATE_SHOW"
    settings = settings_of("--show", "من الخيار", "--engine", "gtts", "-o", "out", env=env)
    assert settings.show_title.value == "من الخيار"
    assert settings.show_title.source == "option --show"
    assert settings.engine_source() == "--engine gtts"
    assert settings.output_dir.value == Path("out")  # as typed, for messages
    assert settings.output_dir.source == "option --output-dir"
    assert settings.build.output == here / "out"  # checked and absolute, for the build


@pytest.mark.parametrize("spelling", ["-o", "--output-dir", "--output"])
def test_every_spelling_of_the_output_folder(here: Path, spelling: str) -> None:
    (here / "narrate.toml").write_text(FILE, encoding="utf-8")
    settings = settings_of(spelling, "elsewhere")
    assert (settings.output_dir.value, settings.output_dir.source) == (
        Path("elsewhere"),
        "option --output-dir",
    )


def test_another_settings_file_by_name(here: Path) -> None:
    (here / "show.toml").write_text(FILE, encoding="utf-8")
    settings = settings_of("--config", "show.toml", "--bitrate", "96")
    assert settings.show_title.source == "show.toml, line 2"
    assert settings.engine_source() == 'show.toml ([build] engine = "espeak")'
    assert (settings.build.bitrate, settings.source("build.bitrate")) == (96, "option --bitrate")


def test_a_refused_value_names_where_it_came_from(here: Path) -> None:
    @click.group(cls=_Group)
    def group() -> None:
        pass

    @group.command()
    @config_option
    @click.option("--base-url", envvar="NARRATE_BASE_URL")
    def command(**_: object) -> None:
        resolve_settings()

    result = CliRunner().invoke(group, ["command", "--base-url", "ftp://x/"])
    assert result.exit_code == 2
    assert "Error: option --base-url must be an absolute http(s) URL" in result.output
    result = CliRunner().invoke(group, ["command"], env={"NARRATE_BASE_URL": "ftp://y/"})
    assert result.exit_code == 2
    assert "Error: environment NARRATE_BASE_URL must be an absolute http(s) URL" in result.output


# -- a feed that only works on this machine ---------------------------------------------------


def local_feed_warnings(*args: str, env: dict[str, str] | None = None) -> list[str]:
    """What a build with ``args`` says of its feed, through a reporter that keeps its lines."""
    import io

    from narrate.cli.settings import warn_if_local_feed
    from narrate.progress import Reporter

    @click.group(cls=_Group)
    def group() -> None:
        pass

    said = io.StringIO()

    @group.command()
    @config_option
    @click.option("--base-url", envvar="NARRATE_BASE_URL")
    def command(**_: object) -> None:
        warn_if_local_feed(resolve_settings(), Reporter(stream=said))

    result = CliRunner().invoke(group, ["command", *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return said.getvalue().splitlines()


def test_without_narrate_toml_the_build_warns_once_and_says_the_fix(here: Path) -> None:
    assert local_feed_warnings() == [
        "Warning: no narrate.toml: the feed's links point at http://127.0.0.1:8000 and it has "
        "no owner e-mail or description; run narrate init"
    ]
    # A base URL from an option or the environment: the links are public, the rest still missing.
    for args, env in (
        (["--base-url", "https://example.org/p/"], None),
        ([], {"NARRATE_BASE_URL": "https://example.org/p/"}),
    ):
        assert local_feed_warnings(*args, env=env) == [
            "Warning: no narrate.toml: the feed has no owner e-mail or description; "
            "run narrate init"
        ]


def test_narrate_toml_silences_the_warning(here: Path) -> None:
    (here / "narrate.toml").write_text(
        '[show]\nbase_url = "https://example.org/p/"\nowner_email = "a@example.org"\n'
        'description = "نشرة"\n',
        encoding="utf-8",
    )
    assert local_feed_warnings() == []
    # A file init wrote, left without a public URL, is a choice (init asked): the feed then
    # follows narrate serve, and the build does not nag about it.
    (here / "narrate.toml").write_text('[show]\ntitle = "محلي"\n', encoding="utf-8")
    assert local_feed_warnings() == []

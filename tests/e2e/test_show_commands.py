"""init, list, remove and feed, run through a Click group like narrate's own."""

from __future__ import annotations

import contextlib
import json
import sys
import types
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from narrate.cli.main import _Group
from narrate.cli.show import COMMANDS
from narrate.config import load_config
from narrate.publish.publishing import publish
from narrate.publish.store import EpisodeStore
from narrate.show import ShowSettings, StoredEpisode

T0 = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)


@click.group(cls=_Group)
def group() -> None:
    """narrate, as far as these commands go."""


for _command in COMMANDS:
    group.add_command(_command)


@pytest.fixture(autouse=True)
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    # The listening page is another module's business; record calls instead.
    module = types.ModuleType("narrate.publish.page")
    module.write_page = lambda output_dir, episodes, show: output_dir / "index.html"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "narrate.publish.page", module)
    return tmp_path


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(group, list(args), input=input, catch_exceptions=False)


def build(out: Path, slug: str, *, days: int = 0, seconds: int = 754, **changes: Any) -> None:
    """What ``narrate build`` leaves: the MP3, its folder, its record, and the episode published."""
    out.mkdir(exist_ok=True)
    (out / f"{slug}.mp3").write_bytes(b"\xff" * 100)
    (out / slug).mkdir()
    (out / slug / "01-part.mp3").write_bytes(b"\xff")
    (out / ".narrate").mkdir(exist_ok=True)
    (out / ".narrate" / f"{slug}.json").write_text("{}")
    show = changes.pop("show", ShowSettings(title="نشرة البناء", base_url="https://example.org/p/"))
    episode = StoredEpisode(
        slug=slug,
        guid=f"urn:narrate:{slug}",
        title=f"عنوان {slug}",
        description="",
        published=T0 + timedelta(days=days),
        duration_seconds=seconds,
        file_name=f"{slug}.mp3",
        file_size=100,
        engine="espeak-ng",
        **changes,
    )
    publish(out, episode, show)


# -- init -------------------------------------------------------------------------------


def cover(path: Path, size: tuple[int, int] = (1400, 1400)) -> Path:
    """A real JPEG of ``size`` (Apple's minimum by default)."""
    from PIL import Image

    Image.new("RGB", size, (20, 90, 140)).save(path, "JPEG")
    return path


def test_init_with_flags_for_scripts(here: Path) -> None:
    cover(here / "cover.jpg")
    result = run(
        "init", "--title", "نشرة الصباح", "--owner-email", "podcast@example.org", "--locked",
        "--category", "News", "--subcategory", "Politics", "--base-url", "https://example.org/p/",
        "--artwork", "cover.jpg", "--engine", "espeak", "--bitrate", "96", "--loudness", "-16",
        "--output", "public", "--digits", "western",
    )  # fmt: skip
    assert result.output == "Wrote narrate.toml\n"
    config = load_config(here / "narrate.toml")
    assert config.show.title == "نشرة الصباح"
    assert config.show.locked is True
    assert config.show.subcategory == "Politics"
    assert config.show.artwork == here / "cover.jpg"
    assert (config.build.engine, config.build.bitrate, config.build.loudness) == (
        "espeak",
        96,
        -16.0,
    )
    assert config.build.output == here / "public"
    assert config.show.digits == "western"


def test_init_refuses_to_overwrite_unless_forced(here: Path) -> None:
    (here / "narrate.toml").write_text("# mine\n")
    result = CliRunner().invoke(group, ["init", "--title", "x"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: narrate.toml already exists; use --force to replace it\n",
    )
    assert (here / "narrate.toml").read_text() == "# mine\n"
    assert run("init", "--title", "جديد", "--force").exit_code == 0
    assert load_config(here / "narrate.toml").show.title == "جديد"


def test_init_bad_flag_is_one_error_line() -> None:
    result = CliRunner().invoke(group, ["init", "--owner-email", "nobody"])
    assert result.exit_code == 1
    assert result.output == "Error: option --owner-email must be an e-mail address, not 'nobody'\n"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda p: cover(p, (600, 600)),
            "is 600×600 px; podcast artwork must be at least 1400×1400",
        ),
        (lambda p: cover(p, (1600, 1400)), "is 1600×1400 px; podcast artwork must be square"),
        (lambda p: p.write_bytes(b"jpg"), "is not an image Pillow can read"),
    ],
    ids=["small", "not square", "not an image"],
)
def test_init_refuses_a_cover_build_would_refuse(
    here: Path, make: Callable[[Path], object], message: str
) -> None:
    make(here / "cover.jpg")
    result = CliRunner().invoke(group, ["init", "--no-interactive", "--artwork", "cover.jpg"])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: cover image ") and message in result.output
    assert result.output.count("\n") == 1
    assert not (here / "narrate.toml").exists()
    # The very check build makes: the same words.
    from narrate.episode.artwork import load_artwork
    from narrate.errors import ArtworkError

    with pytest.raises(ArtworkError) as raised:
        load_artwork(here / "cover.jpg", here / "output", "x")
    assert message in str(raised.value)


def test_init_asks_again_for_a_cover_build_would_refuse(here: Path) -> None:
    cover(here / "small.jpg", (600, 600))
    cover(here / "good.jpg")
    answers = ["نشرة", "", "", "", "", "", "", "n", "", "small.jpg", "good.jpg"]
    result = run("init", "--interactive", input="\n".join(answers) + "\n")
    assert "Error: cover image" in result.output and "600×600" in result.output
    assert result.output.endswith("Wrote narrate.toml\n")
    assert load_config(here / "narrate.toml").show.artwork == here / "good.jpg"


def test_init_asks_when_interactive(here: Path) -> None:
    answers = [
        "نشرة تفاعلية",  # title
        "وصف",  # description
        "",  # author
        "",  # owner name
        "not-an-email",  # owner e-mail: refused, asked again
        "owner@example.org",
        "",  # category: News
        "Tech News",  # subcategory
        "y",  # explicit
        "",  # base URL: narrate serve
        "",  # artwork: none
    ]
    result = run("init", "--interactive", "--engine", "gtts", input="\n".join(answers) + "\n")
    assert "Error: owner_email must be an e-mail address" in result.output
    assert result.output.endswith("Wrote narrate.toml\n")
    config = load_config(here / "narrate.toml")
    assert config.show.title == "نشرة تفاعلية"
    assert config.show.description == "وصف"
    assert config.show.owner_email == "owner@example.org"
    assert (config.show.category, config.show.subcategory) == ("News", "Tech News")
    assert config.show.explicit is True
    assert config.show.artwork is None
    assert config.build.engine == "gtts"  # given as a flag, not asked


# -- list -------------------------------------------------------------------------------


def test_list_text_and_json(here: Path) -> None:
    out = here / "output"
    assert run("list").output == "No episodes in output\n"
    build(out, "morning", seconds=754)
    build(out, "long-evening-show", days=1, seconds=3723)
    assert run("list").output == (
        "long-evening-show  2024-05-02  1:02:03  عنوان long-evening-show\n"
        "morning            2024-05-01    12:34  عنوان morning\n"
    )
    data = json.loads(run("list", "--json").output)
    assert [e["slug"] for e in data] == ["long-evening-show", "morning"]
    assert data[1]["published"] == "2024-05-01T06:30:00+00:00"
    assert data[1]["duration_seconds"] == 754
    assert data[1]["title"] == "عنوان morning"


def test_list_follows_output_and_config(here: Path) -> None:
    build(here / "elsewhere", "a")
    assert "عنوان a" in run("list", "--output", "elsewhere").output
    (here / "narrate.toml").write_text('[build]\noutput = "elsewhere"\n')
    assert "عنوان a" in run("list").output
    assert (
        run("list", "--config", "narrate.toml", "-o", "output").output == "No episodes in output\n"
    )


def test_damaged_store_is_one_error_line(here: Path) -> None:
    (here / "output").mkdir()
    (here / "output" / "narrate.sqlite").write_bytes(b"garbage" * 200)
    result = CliRunner().invoke(group, ["list"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: episode store output/narrate.sqlite is damaged")
    assert result.output.count("\n") == 1


def test_bad_config_is_one_error_line(here: Path) -> None:
    (here / "narrate.toml").write_text('[show]\nexplicit = "no"\n')
    result = CliRunner().invoke(group, ["list"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: narrate.toml, line 2: show.explicit must be true or false (no quotes), "
        "not the text 'no'\n"
    )


# -- remove and feed -----------------------------------------------------------------------


def test_remove_takes_the_files_and_rebuilds_the_feed(here: Path) -> None:
    out = here / "output"
    build(out, "gone")
    build(out, "kept", days=1)
    result = run("remove", "gone")
    assert result.output == "Removed gone (عنوان gone) and its files; rebuilt output/feed.xml\n"
    assert not (out / "gone.mp3").exists() and not (out / "gone").exists()
    assert not (out / ".narrate" / "gone.json").exists()
    assert (out / "kept.mp3").exists() and (out / "kept").is_dir()
    root = ET.fromstring((out / "feed.xml").read_bytes())
    assert [g.text for g in root.iter("guid")] == ["urn:narrate:kept"]
    # No narrate.toml: the channel stays as the last build made it.
    assert root.findtext("channel/title") == "نشرة البناء"


def test_remove_unknown_slug_is_an_error(here: Path) -> None:
    build(here / "output", "a")
    before = (here / "output" / "feed.xml").read_bytes()
    result = CliRunner().invoke(group, ["remove", "b"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: no episode 'b' in output; `narrate list` shows them\n",
    )
    assert (here / "output" / "feed.xml").read_bytes() == before
    result = CliRunner().invoke(group, ["remove", "a", "-o", "missing"])
    assert result.output == "Error: the output folder missing does not exist\n"


def test_feed_regenerates_from_the_store_with_the_file_settings(here: Path) -> None:
    out = here / "output"
    build(out, "a")
    build(out, "b", days=1)
    (out / "feed.xml").unlink()
    assert run("feed").output == "Wrote output/feed.xml (2 episodes)\n"
    root = ET.fromstring((out / "feed.xml").read_bytes())
    assert root.findtext("channel/title") == "نشرة البناء"
    assert [g.text for g in root.iter("guid")] == ["urn:narrate:b", "urn:narrate:a"]

    (out / "cover.jpg").write_bytes(b"jpg")
    (here / "narrate.toml").write_text(
        '[show]\ntitle = "من الملف"\nbase_url = "https://cdn.example.org/"\n'
    )
    run("feed")
    root = ET.fromstring((out / "feed.xml").read_bytes())
    assert root.findtext("channel/title") == "من الملف"
    assert root.find("channel/item/enclosure").attrib["url"] == "https://cdn.example.org/b.mp3"  # type: ignore[union-attr]
    assert root.findtext("channel/image/url") == "https://cdn.example.org/cover.jpg"
    assert EpisodeStore(out).show() == load_config(here / "narrate.toml").show_settings(
        image_file="cover.jpg"
    )


def test_every_command_has_help() -> None:
    for command in COMMANDS:
        assert command.help, command.name
        result = run(command.name or "", "--help")
        assert result.exit_code == 0 and "--" in result.output


# -- settings of the wrong shape -------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ('{"title": ["x"], "base_url": "https://example.org/p/"}', "title must be text"),
        ('{"title": "x", "base_url": "https://example.org/p/", "language": 5}', "language"),
        ('{"title": "x", "base_url": "https://example.org/p/", "description": [1]}', "description"),
        ('{"title": "x", "base_url": "https://example.org/p/", "image_file": [1]}', "image_file"),
        ('{"title": "x", "base_url": "https://example.org/p/", "guid": {"a": 1}}', "guid"),
    ],
)
def test_stored_show_settings_of_the_wrong_shape_are_one_error_line(
    here: Path, stored: str, expected: str
) -> None:
    import sqlite3

    out = here / "output"
    build(out, "a")
    with contextlib.closing(sqlite3.connect(out / "narrate.sqlite")) as db, db:
        db.execute("UPDATE show SET settings = ?", (stored,))
    for command in (["feed"], ["remove", "a"]):
        result = CliRunner().invoke(group, command)
        assert result.exit_code == 1, result.output
        assert result.output.startswith(
            "Error: episode store output/narrate.sqlite: bad show settings: the show's "
        ), result.output
        assert expected in result.output and "unexpected" not in result.output
        assert result.output.count("\n") == 1


@pytest.mark.parametrize(
    "text",
    [
        'show = [{title = "x"}]\n',
        '[[show]]\ntitle = "x"\n',
        '[show]\ntitle = [["x"]]\n',
        "[show]\ntitle = " + "[" * 3000 + "]" * 3000 + "\n",
        "[show]\ntitle = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
        "x = " + "[" * 400 + "]" * 400 + "\n",
    ],
    ids=["array of tables", "double brackets", "nested list", "deep list", "deep table", "top"],
)
def test_a_narrate_toml_of_the_wrong_shape_is_one_error_line(here: Path, text: str) -> None:
    (here / "narrate.toml").write_text(text, "utf-8")
    for command in (["list"], ["feed"]):
        result = CliRunner().invoke(group, command)
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Error: narrate.toml"), result.output
        assert "unexpected" not in result.output and "Recursion" not in result.output
        assert result.output.count("\n") == 1

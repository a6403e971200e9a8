"""narrate.toml: reading, errors that name the key and its line, precedence, and init's template."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from narrate.config import (
    DEFAULT_BASE_URL,
    BuildConfig,
    Config,
    ShowConfig,
    find_config,
    load_config,
    write_config,
)
from narrate.engines import ENGINE_NAMES
from narrate.errors import ConfigError

FULL = """\
# A producer's file, with comments and Arabic.
[show]
title = "نشرة الصباح"
description = \"\"\"أخبار اليوم
في دقائق.\"\"\"
author = "فريق التحرير"
owner_name = "سلمى حداد"
owner_email = "podcast@example.org"
language = "ar"
category = "News"
subcategory = "Daily News"
explicit = false
base_url = "https://example.org/podcast/"
link = "https://example.org/"
artwork = "art/cover.jpg"
locked = true

[build]
intro = "sounds/intro.mp3"
outro = "sounds/outro.mp3"
bed = "sounds/bed.mp3"
engine = "espeak"
bitrate = 96
loudness = -19
output = "public"
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("art/cover.jpg", "sounds/intro.mp3", "sounds/outro.mp3", "sounds/bed.mp3"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    return tmp_path


def write(folder: Path, text: str) -> Path:
    path = folder / "narrate.toml"
    path.write_text(text, "utf-8")
    return path


def test_every_key_is_read(folder: Path) -> None:
    config = load_config(write(folder, FULL))
    assert config.show == ShowConfig(
        title="نشرة الصباح",
        description="أخبار اليوم\nفي دقائق.",
        author="فريق التحرير",
        owner_name="سلمى حداد",
        owner_email="podcast@example.org",
        language="ar",
        category="News",
        subcategory="Daily News",
        explicit=False,
        base_url="https://example.org/podcast/",
        link="https://example.org/",
        artwork=folder / "art" / "cover.jpg",
        locked=True,
    )
    assert config.build == BuildConfig(
        intro=folder / "sounds/intro.mp3",
        outro=folder / "sounds/outro.mp3",
        bed=folder / "sounds/bed.mp3",
        engine="espeak",
        bitrate=96,
        loudness=-19.0,
        output=folder / "public",
    )
    assert isinstance(config.build.loudness, float)
    settings = config.show_settings(image_file="cover.jpg")
    assert settings.artwork_url == "https://example.org/podcast/cover.jpg"
    assert (settings.owner_email, settings.locked, settings.subcategory) == (
        "podcast@example.org",
        True,
        "Daily News",
    )


def test_an_empty_file_gives_the_defaults(folder: Path) -> None:
    config = load_config(write(folder, ""))
    assert config.show == ShowConfig() and config.build == BuildConfig(output=folder / "output")
    assert config.show.base_url == DEFAULT_BASE_URL
    assert config.build.loudness == -19.0
    assert config.show.language == "ar"


# Each bad file, the line the error must name, and what it must say.
BAD: dict[str, tuple[str, int, str]] = {
    "unknown key": (
        '[show]\ntitle = "x"\ntitel = "y"\n',
        3,
        r"unknown key 'titel' in \[show\]; did you mean 'title'\?",
    ),
    "unknown table": (
        '[show]\ntitle = "x"\n\n[bulid]\nengine = "gtts"\n',
        4,
        r"unknown table \[bulid\].*did you mean 'build'",
    ),
    "bool as text": (
        '[show]\n\nexplicit = "yes"\n',
        3,
        "show.explicit must be true or false \\(no quotes\\), not the text 'yes'",
    ),
    "number as text": ('[build]\nloudness = "-19"\n', 2, "build.loudness must be a number of LUFS"),
    "loudness range": (
        "[build]\n# loud\nloudness = 3\n",
        3,
        "build.loudness must be between -30 and -10 LUFS, not 3",
    ),
    "bitrate": ("[build]\nbitrate = 100\n", 2, "build.bitrate must be one of 32, 40"),
    "engine": (
        '[build]\nengine = "polly"\n',
        2,
        "build.engine must be one of auto, gtts, edge, piper, espeak, mbrola",
    ),
    "category": (
        '[show]\ncategory = "news"\n',
        2,
        "show.category must be one of Apple's categories",
    ),
    "subcategory": (
        '[show]\ncategory = "History"\nsubcategory = "Wars"\n',
        3,
        "'Wars' is not a subcategory of 'History'",
    ),
    "email": ('[show]\nowner_email = "nobody"\n', 2, "show.owner_email must be an e-mail address"),
    "locked alone": ("[show]\nlocked = true\n", 2, "show.locked needs an owner_email"),
    "url": (
        '[show]\nbase_url = "example.org/podcast"\n',
        2,
        "show.base_url must be an absolute http",
    ),
    "missing artwork": (
        '[show]\nartwork = "nope.jpg"\n',
        2,
        r"show.artwork names .*nope\.jpg, which is not a file",
    ),
    "empty title": ('[show]\ntitle = "  "\n', 2, "show.title must not be empty"),
    "digits": (
        '[show]\ndigits = "hindi"\n',
        2,
        "show.digits must be one of arabic-indic, western; not the text 'hindi'",
    ),
    "quoted key": ('[show]\n"explicit" = 1\n', 2, "show.explicit must be true or false"),
    "dotted key": ("show.explicit = 1\n", 1, "show.explicit must be true or false"),
    "table as value": ("show = 3\n", 1, "show must be a table"),
    "long description": (
        '[show]\ndescription = "' + "ب" * 2001 + '"\n',
        2,
        "show.description is 4002 bytes",
    ),
    "after multiline string": (
        '[show]\ndescription = """\nexplicit = true\n"""\nexplicit = 2\n',
        5,
        "show.explicit",
    ),
    "syntax": (
        '[show]\ntitle = "x"\nauthor = \n',
        3,
        "not valid TOML: Invalid value \\(column 10\\)",
    ),
    "unclosed string": ('[show]\ntitle = "x\n', 2, "not valid TOML"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_file_names_key_and_line(folder: Path, name: str) -> None:
    text, line, message = BAD[name]
    path = write(folder, text)
    with pytest.raises(ConfigError, match=message) as raised:
        load_config(path, ENGINE_NAMES)  # the registry's names, as every command passes them
    assert str(raised.value).startswith(f"{path}, line {line}: ")
    assert "\n" not in str(raised.value)


def test_unreadable_files(folder: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist; `narrate init` writes one"):
        load_config(folder / "missing.toml")
    path = folder / "narrate.toml"
    path.write_bytes(b'[show]\ntitle = "\xff"\n')
    with pytest.raises(ConfigError, match="is not UTF-8"):
        load_config(path)


def test_find_config_looks_in_the_folder_only(folder: Path) -> None:
    assert find_config(folder) is None
    write(folder, "")
    assert find_config(folder) == folder / "narrate.toml"
    (folder / "sub").mkdir()
    assert find_config(folder / "sub") is None


# -- precedence ----------------------------------------------------------------------


def test_command_line_then_file_then_defaults(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder)
    config = load_config(write(folder, '[show]\ntitle = "من الملف"\n[build]\nengine = "gtts"\n'))
    merged = config.merged(
        {
            "show.title": "من سطر الأوامر",
            "build.engine": None,
            "build.bitrate": "96",
            "build.intro": Path("sounds/intro.mp3"),
        }
    )
    assert merged.show.title == "من سطر الأوامر"  # option over file
    assert merged.build.engine == "gtts"  # None: not given, the file's value stands
    assert merged.build.bitrate == 96  # option over default
    assert merged.build.intro == folder / "sounds/intro.mp3"
    assert merged.build.loudness == -19.0  # default
    assert merged.path == config.path
    assert config.show.title == "من الملف"  # frozen, not changed


def test_bad_options_are_named(folder: Path) -> None:
    with pytest.raises(ConfigError, match=r"^option --loudness must be between"):
        Config().merged({"build.loudness": 5.0})
    with pytest.raises(ConfigError, match=r"^option --subcategory 'Wars' is not a subcategory"):
        Config().merged({"show.subcategory": "Wars"})
    with pytest.raises(ValueError, match=r"no setting called 'show\.colour'"):
        Config().merged({"show.colour": "red"})

    # Where the value came from, when the caller knows better than "option".
    with pytest.raises(ConfigError, match=r"^environment NARRATE_BASE_URL must be an absolute"):
        Config().merged(
            {"show.base_url": "ftp://x/"}, names={"show.base_url": "environment NARRATE_BASE_URL"}
        )


def test_the_line_of_each_key_is_kept_through_a_merge(folder: Path) -> None:
    config = load_config(
        write(folder, '# a comment\n[show]\ntitle = "ع"\n\n[build]\nbitrate = 96\n')
    )
    assert (config.line("show.title"), config.line("build.bitrate")) == (3, 6)
    assert config.line("build.engine") is None  # not in the file: a default
    assert config.line("show") is None
    merged = config.merged({"build.bitrate": "128"})
    assert merged.line("show.title") == 3
    assert Config().line("show.title") is None


# -- init's file ------------------------------------------------------------------------


def test_written_file_reads_back_with_every_value(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder)
    values: dict[str, object] = {
        "show.title": 'نشرة "الصباح" \\ ٣',
        "show.description": "سطر\nوسطر\tمع\x7f",
        "show.owner_email": "podcast@example.org",
        "show.locked": True,
        "show.explicit": True,
        "show.subcategory": "Politics",
        "show.base_url": "https://example.org/podcast/",
        "show.artwork": Path("art/cover.jpg"),
        "show.guid": "917393e3-1b1e-5cef-ace4-edaa54e1f810",
        "show.digits": "western",
        "build.bed": folder / "sounds/bed.mp3",
        "build.loudness": -16,
        "build.bitrate": 96,
        "build.output": Path("public"),
    }
    path = write_config(folder / "narrate.toml", values)
    text = path.read_text("utf-8")
    assert text.startswith("# narrate.toml")
    assert '# link = "https://example.org/"' in text  # unset keys are shown, commented out
    assert 'artwork = "art/cover.jpg"' in text  # relative to the file's folder
    config = load_config(path)
    merged = Config().merged(values)
    assert (config.show, config.build) == (merged.show, merged.build)
    assert config.show.description == "سطر\nوسطر\tمع\x7f"


def test_a_default_base_url_stays_unset(folder: Path) -> None:
    path = write_config(folder / "narrate.toml", {})
    text = path.read_text("utf-8")
    assert '# base_url = "https://example.org/podcast/"' in text
    assert "base_url" not in tomllib.loads(text)["show"]
    assert load_config(path).show.base_url == DEFAULT_BASE_URL


def test_write_refuses_to_replace_unless_forced(folder: Path) -> None:
    path = write(folder, "# mine\n")
    with pytest.raises(ConfigError, match=r"narrate\.toml already exists; use --force"):
        write_config(path, {"show.title": "جديد"})
    assert path.read_text("utf-8") == "# mine\n"
    write_config(path, {"show.title": "جديد"}, force=True)
    assert load_config(path).show.title == "جديد"
    assert sorted(os.listdir(folder)) == ["art", "narrate.toml", "sounds"]  # no temporary file


def test_write_refuses_bad_values_and_writes_nothing(folder: Path) -> None:
    with pytest.raises(ConfigError, match="option --owner-email must be an e-mail address"):
        write_config(folder / "narrate.toml", {"show.owner_email": "x"})
    assert not (folder / "narrate.toml").exists()


@pytest.mark.parametrize(
    "value",
    ["[" * 5000 + "]" * 5000, "{a = " * 5000 + "1" + "}" * 5000],
    ids=["arrays", "inline tables"],
)
def test_values_nested_too_deeply_are_refused_not_a_recursion_error(
    folder: Path, value: str
) -> None:
    path = write(folder, f'[show]\ntitle = "x"\nauthor = {value}\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path, ENGINE_NAMES)
    message = str(raised.value)
    assert message.startswith(f"{path}: not a valid narrate.toml: ")
    assert "nested too deeply" in message and "\n" not in message


def test_digits_default_to_arabic_indic_and_reach_the_show_settings(folder: Path) -> None:
    assert load_config(write(folder, "")).show_settings().digits == "arabic-indic"
    config = load_config(write(folder, '[show]\ndigits = "western"\n'))
    assert config.show.digits == "western"
    assert config.show_settings().digits == "western"
    text = write_config(folder / "init.toml", {}).read_text("utf-8")
    assert 'digits = "arabic-indic"' in text

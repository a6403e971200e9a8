"""Show settings: ``narrate.toml``, its defaults, and the command-line options laid over it.

Precedence, highest first: a command-line option (or its environment variable), then the
file, then the defaults below. The file's line of each key is kept, so a value can say where it
came from. A file that says something narrate cannot use is refused with a
:class:`ConfigError` naming the key and its line::

    [show]
    title = "نشرة الصباح"
    owner_email = "podcast@example.org"
    category = "News"
    subcategory = "Daily News"
    artwork = "art/cover.jpg"     # relative to this file's folder

    [build]
    engine = "espeak"
    loudness = -19.0
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from narrate import atomic
from narrate.errors import ConfigError, NarrateError, PublishError
from narrate.ffmpeg import CBR_KBPS, DEFAULT_KBPS
from narrate.show import APPLE_CATEGORIES, DIGIT_FORMS, MAX_DESCRIPTION_BYTES, ShowSettings

CONFIG_FILE: Final = "narrate.toml"
DEFAULT_TITLE: Final = "نشرة مسموعة"
#: Where ``narrate serve`` answers; the feed's URLs point there when no base URL is set.
DEFAULT_BASE_URL: Final = "http://127.0.0.1:8000/"
#: Integrated loudness for mono spoken word (AES TD1004 allows -20 to -16 stereo).
DEFAULT_LOUDNESS: Final = -19.0
LOUDNESS_RANGE: Final = (-30.0, -10.0)

_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]+")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


@dataclass(frozen=True)
class ShowConfig:
    """The ``[show]`` table: what the feed and the page say about the show."""

    title: str = DEFAULT_TITLE
    description: str = ""
    author: str = ""
    owner_name: str = ""
    owner_email: str = ""
    language: str = "ar"
    category: str = "News"
    subcategory: str | None = None
    explicit: bool = False
    base_url: str = DEFAULT_BASE_URL
    link: str | None = None
    #: The producer's artwork file (made absolute when read from a file).
    artwork: Path | None = None
    #: ``podcast:locked``: ask other platforms not to import the feed (needs ``owner_email``).
    locked: bool = False
    #: ``podcast:guid``, when the show must keep one across a move; default from the feed URL.
    guid: str | None = None
    #: How the listening page prints every number: ``arabic-indic`` (٠١٢٣) or ``western`` (0123).
    digits: str = DIGIT_FORMS[0]


@dataclass(frozen=True)
class BuildConfig:
    """The ``[build]`` table: how episodes are made."""

    intro: Path | None = None
    outro: Path | None = None
    #: A music bed under the speech.
    bed: Path | None = None
    engine: str = "auto"
    #: The engine's voice (``narrate voices`` lists them); with ``auto``, a piper voice to
    #: speak with when Google does not answer. None: each engine's default voice.
    voice: str | None = None
    bitrate: int = DEFAULT_KBPS
    #: Target integrated loudness in LUFS.
    loudness: float = DEFAULT_LOUDNESS
    output: Path = Path("output")


@dataclass(frozen=True)
class Config:
    """Everything ``narrate.toml`` can say; the defaults where it is silent."""

    show: ShowConfig = ShowConfig()
    build: BuildConfig = BuildConfig()
    #: The file read, if any.
    path: Path | None = None
    #: The file's line of each key it sets, as ``(table, key)``; tables as ``(table, "")``.
    lines: Mapping[tuple[str, str], int] = field(default_factory=dict, compare=False, repr=False)

    def line(self, dotted: str) -> int | None:
        """The line of the file that sets ``dotted`` (``"build.engine"``), or None."""
        table, _, key = dotted.partition(".")
        return self.lines.get((table, key)) if key else None

    def merged(
        self, overrides: Mapping[str, object], *, names: Mapping[str, str] | None = None
    ) -> Config:
        """This configuration with command-line values laid over it.

        Keys are ``"show.title"``, ``"build.engine"`` and so on; a None value
        means the option was not given and changes nothing. Values are checked
        as the file's are; relative paths are taken from the current folder.
        A refused value is blamed on ``names[key]`` (say ``"environment NARRATE_SHOW"``),
        by default on ``"option --key"``.
        """

        def blame(dotted: str) -> str:
            key = dotted.partition(".")[2]
            return (names or {}).get(dotted) or "option --" + key.replace("_", "-")

        tables: dict[str, dict[str, object]] = {"show": {}, "build": {}}
        for dotted, value in overrides.items():
            table, _, key = dotted.partition(".")
            if (table, key) not in FIELDS:
                raise ValueError(f"no setting called {dotted!r}")
            if value is None:
                continue
            try:
                tables[table][key] = FIELDS[table, key](value, Path.cwd())
            except ValueError as exc:
                raise ConfigError(f"{blame(dotted)} {exc}") from None
        show = dataclasses.replace(self.show, **tables["show"])  # type: ignore[arg-type]
        build = dataclasses.replace(self.build, **tables["build"])  # type: ignore[arg-type]
        problem = _cross_check(show)
        if problem is not None:
            raise ConfigError(f"{blame('show.' + problem[0])} {problem[1]}")
        return Config(show, build, self.path, self.lines)

    def show_settings(self, *, image_file: str | None = None) -> ShowSettings:
        """The feed's view of the show; ``image_file``: the artwork's name in the output folder."""
        show = self.show
        try:
            return ShowSettings(
                title=show.title,
                base_url=show.base_url,
                description=show.description,
                author=show.author,
                language=show.language,
                link=show.link,
                category=show.category,
                explicit=show.explicit,
                subcategory=show.subcategory,
                image_file=image_file,
                owner_name=show.owner_name,
                owner_email=show.owner_email,
                locked=show.locked,
                guid=show.guid,
                digits=show.digits,
            )
        except NarrateError as exc:
            where = f"{self.path}: " if self.path else ""
            raise ConfigError(f"{where}{exc}") from exc


# -- checking one value --------------------------------------------------------

Check = Callable[[object, Path], object]


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"a {type(value).__name__}"


def _text(
    *, required: bool = False, pattern: re.Pattern[str] | None = None, what: str = ""
) -> Check:
    def check(value: object, base: Path) -> object:
        if not isinstance(value, str):
            raise ValueError(f"must be text in quotes, not {_describe(value)}")
        if required and not value.strip():
            raise ValueError("must not be empty")
        if pattern is not None and value and not pattern.fullmatch(value):
            raise ValueError(f"must be {what}, not {value!r}")
        return value

    return check


def _optional(check: Check) -> Check:
    def optional(value: object, base: Path) -> object:
        result = check(value, base)
        return result if result != "" else None

    return optional


def _description(value: object, base: Path) -> object:
    text = _text()(value, base)
    size = len(str(text).encode("utf-8"))
    if size > MAX_DESCRIPTION_BYTES:
        raise ValueError(f"is {size} bytes; Apple allows {MAX_DESCRIPTION_BYTES}")
    return text


def _url(value: object, base: Path) -> object:
    text = str(_text(required=True)(value, base))
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"must be an absolute http(s) URL without query, not {text!r}")
    return text


def _category(value: object, base: Path) -> object:
    text = _text(required=True)(value, base)
    if text not in APPLE_CATEGORIES:
        raise ValueError(
            f"must be one of Apple's categories ({', '.join(APPLE_CATEGORIES)}), not {text!r}"
        )
    return text


def _guid(value: object, base: Path) -> object:
    text = str(_text(required=True)(value, base))
    try:
        uuid.UUID(text)
    except ValueError:
        raise ValueError(f"must be a UUID, not {text!r}") from None
    return text


def _bool(value: object, base: Path) -> object:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false (no quotes), not {_describe(value)}")
    return value


def _choice(choices: tuple[Any, ...], kind: type) -> Check:
    def check(value: object, base: Path) -> object:
        if isinstance(value, str) and kind is int and value.isdigit():
            value = int(value)  # a command-line choice arrives as text
        if not isinstance(value, kind) or isinstance(value, bool) or value not in choices:
            listed = ", ".join(str(c) for c in choices)
            raise ValueError(f"must be one of {listed}; not {_describe(value)}")
        return value

    return check


def _loudness(value: object, base: Path) -> object:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError(f"must be a number of LUFS such as -19, not {_describe(value)}")
    low, high = LOUDNESS_RANGE
    if not low <= value <= high:
        raise ValueError(f"must be between {low:g} and {high:g} LUFS, not {value:g}")
    return float(value)


def _path(*, must_exist: bool) -> Check:
    def check(value: object, base: Path) -> object:
        if isinstance(value, Path):
            value = str(value)
        text = str(_text(required=True)(value, base))
        path = base / Path(text).expanduser()
        if must_exist and not path.is_file():
            raise ValueError(f"names {path}, which is not a file")
        return path

    return check


FIELDS: Final[dict[tuple[str, str], Check]] = {
    ("show", "title"): _text(required=True),
    ("show", "description"): _description,
    ("show", "author"): _text(),
    ("show", "owner_name"): _text(),
    ("show", "owner_email"): _text(pattern=_EMAIL, what="an e-mail address"),
    ("show", "language"): _text(required=True, pattern=_LANGUAGE, what="a language code like ar"),
    ("show", "category"): _category,
    ("show", "subcategory"): _optional(_text()),
    ("show", "explicit"): _bool,
    ("show", "base_url"): _url,
    ("show", "link"): _optional(_url),
    ("show", "artwork"): _path(must_exist=True),
    ("show", "locked"): _bool,
    ("show", "guid"): _optional(_guid),
    ("show", "digits"): _choice(DIGIT_FORMS, str),
    ("build", "intro"): _path(must_exist=True),
    ("build", "outro"): _path(must_exist=True),
    ("build", "bed"): _path(must_exist=True),
    ("build", "engine"): _text(required=True),
    ("build", "voice"): _optional(_text(required=True)),
    ("build", "bitrate"): _choice(CBR_KBPS, int),
    ("build", "loudness"): _loudness,
    ("build", "output"): _path(must_exist=False),
}
_TABLES: Final = ("show", "build")


def _cross_check(show: ShowConfig) -> tuple[str, str] | None:
    """A problem between two keys of ``[show]``, as (key, message), or None."""
    subs = APPLE_CATEGORIES.get(show.category, ())
    if show.subcategory is not None and show.subcategory not in subs:
        choices = ", ".join(subs) if subs else "none"
        return (
            "subcategory",
            f"{show.subcategory!r} is not a subcategory of {show.category!r}; "
            f"its subcategories are: {choices}",
        )
    if show.locked and not show.owner_email:
        return "locked", "needs an owner_email: platforms write to it to confirm a move"
    return None


# -- reading the file ------------------------------------------------------------

_HEADER = re.compile(r"\[\s*([A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')\s*\]\s*(#.*)?")
_KEY = re.compile(r"(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_.-]+)\s*=")


def _key_lines(text: str) -> dict[tuple[str, str], int]:
    """Line numbers of tables ``(name, "")`` and keys ``(table, key)``; tomllib gives none."""
    lines: dict[tuple[str, str], int] = {}
    table = ""
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        quotes = line.count('"""') + line.count("'''")
        if in_string:
            in_string = quotes % 2 == 0
            continue
        stripped = line.strip()
        header = _HEADER.fullmatch(stripped)
        if header:
            table = header.group(1).strip("\"'")
            lines.setdefault((table, ""), number)
        else:
            match = _KEY.match(stripped)
            if match:
                key = match.group(1).strip("\"'")
                if not table and "." in key:
                    outer, key = key.split(".", 1)
                    lines.setdefault((outer, key), number)
                else:
                    lines.setdefault((table, key), number)
        in_string = quotes % 2 == 1
    return lines


def find_config(start: Path) -> Path | None:
    """``narrate.toml`` in the folder ``start``, if there is one."""
    candidate = start / CONFIG_FILE
    return candidate if candidate.is_file() else None


def load_config(path: Path, engines: Collection[str] | None = None) -> Config:
    """Read and check ``path``; raises :class:`ConfigError` naming the key and its line.

    ``engines`` are the engine names ``[build] engine`` may take (the registry's, which this
    module does not import); None takes any name.
    """
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path} does not exist; `narrate init` writes one") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 (byte {exc.start})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if found:
            problem = message[: found.start()]
            raise ConfigError(
                f"{path}, line {found.group(1)}: not valid TOML: {problem} "
                f"(column {found.group(2)})"
            ) from None
        raise ConfigError(f"{path}: not valid TOML: {message}") from None
    except RecursionError:
        # tomllib reads nested arrays and inline tables by recursion, with no limit of its own.
        raise ConfigError(
            f"{path}: not a valid narrate.toml: arrays or tables nested too deeply "
            "(its settings are plain values in [show] and [build])"
        ) from None
    return _from_data(data, path, _key_lines(text), engines)


def _from_data(
    data: Mapping[str, Any],
    path: Path,
    lines: Mapping[tuple[str, str], int],
    engines: Collection[str] | None = None,
) -> Config:
    def fail(table: str, key: str, problem: str) -> ConfigError:
        number = lines.get((table, key)) or lines.get((table, ""))
        where = f"{path}, line {number}" if number else str(path)
        return ConfigError(f"{where}: {problem}")

    base = path.parent.absolute()
    values: dict[str, dict[str, object]] = {"show": {}, "build": {}}
    for table, content in data.items():
        if table not in _TABLES:
            hint = _did_you_mean(table, _TABLES)
            raise fail(
                table, "", f"unknown table [{table}]; narrate.toml has [show] and [build]{hint}"
            )
        if not isinstance(content, dict):
            raise fail("", table, f"{table} must be a table ([{table}]), not {_describe(content)}")
        for key, value in content.items():
            check = FIELDS.get((table, key))
            if check is None:
                known = [k for t, k in FIELDS if t == table]
                hint = _did_you_mean(key, known)
                raise fail(table, key, f"unknown key {key!r} in [{table}]{hint}")
            try:
                if (table, key) == ("build", "engine") and engines is not None:
                    check = _choice(tuple(engines), str)
                values[table][key] = check(value, base)
            except ValueError as exc:
                raise fail(table, key, f"{table}.{key} {exc}") from None
    values["build"].setdefault("output", base / BuildConfig.output)
    show = ShowConfig(**values["show"])  # type: ignore[arg-type]
    problem = _cross_check(show)
    if problem is not None:
        raise fail("show", problem[0], f"show.{problem[0]} {problem[1]}")
    build = BuildConfig(**values["build"])  # type: ignore[arg-type]
    config = Config(show, build, path, dict(lines))
    config.show_settings()  # anything the feed would still refuse, refused now
    return config


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


# -- writing a file -----------------------------------------------------------------

_TEMPLATE: Final = """\
# narrate.toml: the show's settings. Command-line options override them.
# Paths are relative to this file's folder.

[show]
# The show's name: spoken in the intro, the feed's and the page's title.
{show.title}
# What the show is about (at most 4000 bytes).
{show.description}
# Who makes it, as podcast apps show it.
{show.author}
# The owner, for podcast directories; never shown to listeners.
{show.owner_name}
{show.owner_email}
# The feed's language.
{show.language}
# Apple Podcasts category and subcategory, spelled as Apple does.
{show.category}
{show.subcategory}
# true if episodes contain explicit content.
{show.explicit}
# The public URL of the output folder; the feed's links are built from it.
# Without it they point at `narrate serve` on this machine.
{show.base_url}
# The show's website, if it has one besides the listening page.
{show.link}
# Square JPEG or PNG, 1400 to 3000 pixels.
{show.artwork}
# true asks other podcast platforms not to import the feed (podcast:locked); needs owner_email.
{show.locked}
# The show's podcast:guid, to keep it when the feed moves; default from the feed's URL.
{show.guid}
# How the listening page writes every number (dates, durations, chapter numbers, the text):
# "arabic-indic" (٠١٢٣) or "western" (0123).
{show.digits}

[build]
# Sounds before and after each episode, and a music bed under it.
{build.intro}
{build.outro}
{build.bed}
# auto, gtts, edge, piper, espeak or mbrola. auto: Google's voice when it answers, else the piper
# voice named below if it is installed, else espeak-ng.
{build.engine}
# The engine's voice: `narrate voices` lists every voice, its dialect, gender and licence.
{build.voice}
# Constant MP3 bitrate in kbps.
{build.bitrate}
# Target loudness in LUFS (-19 is usual for mono speech).
{build.loudness}
# Where episodes, the feed and the page are written.
{build.output}
"""


def _toml_value(value: object, base: Path) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Path):
        value = Path(os.path.relpath(value.absolute(), base)).as_posix()
    text = str(value)
    escaped = []
    for char in text:
        if char in ('"', "\\"):
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or char == "\x7f":
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


_EXAMPLES: Final = {
    "subcategory": "Daily News",
    "base_url": "https://example.org/podcast/",
    "link": "https://example.org/",
    "artwork": "cover.jpg",
    "guid": "",
    "intro": "intro.mp3",
    "outro": "outro.mp3",
    "bed": "bed.mp3",
    "voice": "ar_JO-kareem-medium",
}


def render_config(config: Config, base: Path) -> str:
    """``config`` as a commented ``narrate.toml`` in folder ``base``; unset keys commented out."""
    lines: dict[str, str] = {}
    for table, key in FIELDS:
        value = getattr(getattr(config, table), key)
        # An unset base URL stays unset: the feed then follows `narrate serve`.
        unset = value is None or value == "" or (key == "base_url" and value == DEFAULT_BASE_URL)
        example = _EXAMPLES.get(key, "")
        shown = _toml_value(example if unset else value, base)
        lines[f"{table}.{key}"] = f"# {key} = {shown}" if unset else f"{key} = {shown}"
    text = _TEMPLATE
    for name, line in lines.items():
        text = text.replace("{" + name + "}", line)
    return text


def write_config(path: Path, values: Mapping[str, object], *, force: bool = False) -> Path:
    """Write a commented ``narrate.toml`` with ``values`` (dotted keys) over the defaults.

    Refuses to replace an existing file unless ``force``; the file is written
    whole or not at all, and read back through :func:`load_config`.
    """
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; use --force to replace it")
    config = Config().merged(values)
    text = render_config(config, path.parent.absolute())
    try:
        temp = atomic.stage(path, text.encode("utf-8"))
        try:
            load_config(temp)  # what was written reads back
            if force:
                atomic.commit(temp, path)
            else:
                atomic.create(temp, path)  # fails if the file appeared meanwhile
        finally:
            atomic.discard(temp)
    except FileExistsError:
        raise ConfigError(f"{path} already exists; use --force to replace it") from None
    except PublishError as exc:
        raise ConfigError(str(exc)) from exc
    return path

"""The one settings resolution every command uses, and where each value came from.

Precedence, highest first: a command-line option, then its environment variable, then
``narrate.toml`` (``--config``, else the one in the current folder), then the default. Each value
keeps its source, so the engine line and errors can name it: ``"option --engine"``,
``"environment NARRATE_SHOW"``, ``"narrate.toml, line 12"`` or ``"default"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Generic, TypeVar

import click
from click.core import ParameterSource

from narrate.config import (
    CONFIG_FILE,
    DEFAULT_BASE_URL,
    FIELDS,
    BuildConfig,
    Config,
    ShowConfig,
    find_config,
    load_config,
)
from narrate.engines import ENGINE_NAMES
from narrate.errors import ConfigError
from narrate.progress import Reporter
from narrate.show import ShowSettings

T = TypeVar("T")

DEFAULT: Final = "default"

#: The options that give a setting of ``narrate.toml``: parameter name -> the file's key.
OPTION_KEYS: Final[Mapping[str, str]] = {
    "show_title": "show.title",
    "base_url": "show.base_url",
    "artwork": "show.artwork",
    "engine": "build.engine",
    "voice": "build.voice",
    "bitrate": "build.bitrate",
    "loudness": "build.loudness",
    "bed": "build.bed",
    "output_dir": "build.output",
}


@dataclass(frozen=True)
class Resolved(Generic[T]):
    """A setting's value and where it came from."""

    value: T
    #: ``"option --x"``, ``"environment NARRATE_X"``, ``"narrate.toml, line N"`` or ``"default"``.
    source: str


@dataclass(frozen=True)
class Settings:
    """Every setting of a command: the file's with the options laid over it, and their sources."""

    config: Config
    #: Source of each dotted key (``"build.engine"``); a key not listed is the default.
    sources: Mapping[str, str]
    #: The values options gave, as typed (``config`` holds them checked, paths made absolute).
    given: Mapping[str, object] = field(default_factory=dict)

    @property
    def show(self) -> ShowConfig:
        return self.config.show

    @property
    def build(self) -> BuildConfig:
        return self.config.build

    @property
    def path(self) -> Path | None:
        """The settings file read, if any."""
        return self.config.path

    def source(self, dotted: str) -> str:
        return self.sources.get(dotted, DEFAULT)

    def resolved(self, dotted: str) -> Resolved[object]:
        table, _, key = dotted.partition(".")
        return Resolved(getattr(getattr(self.config, table), key), self.source(dotted))

    @property
    def output_dir(self) -> Resolved[Path]:
        """The output folder; as typed when an option gave it, so messages show it so."""
        given = self.given.get("build.output")
        folder = given if isinstance(given, Path) else self.build.output
        return Resolved(folder, self.source("build.output"))

    @property
    def show_title(self) -> Resolved[str]:
        return Resolved(self.show.title, self.source("show.title"))

    def engine_source(self) -> str | None:
        """How the engine was chosen, for the engine line's ``chosen with ...``; None: default."""
        engine = self.resolved("build.engine")
        if engine.source == DEFAULT:
            return None
        if engine.source.startswith("option "):
            return f"{engine.source.removeprefix('option ')} {engine.value}"
        if engine.source.startswith("environment "):
            return f"{engine.source.removeprefix('environment ')}={engine.value}"
        name = self.path.name if self.path is not None else "narrate.toml"
        return f'{name} ([build] engine = "{engine.value}")'

    def show_settings(self, *, image_file: str | None = None) -> ShowSettings:
        return self.config.show_settings(image_file=image_file)


def _option_source(ctx: click.Context, name: str) -> str | None:
    """``"option --x"`` or ``"environment NARRATE_X"`` when parameter ``name`` was given."""
    source = ctx.get_parameter_source(name)
    param = next((p for p in ctx.command.params if p.name == name), None)
    if param is None:
        return None
    if source is ParameterSource.COMMANDLINE:
        long = [opt for opt in param.opts if opt.startswith("--")]
        return f"option {(long or param.opts)[0]}"
    if source is ParameterSource.ENVIRONMENT:
        envvar = param.envvar if isinstance(param.envvar, str) else None
        if envvar is None and isinstance(param.envvar, list | tuple) and param.envvar:
            envvar = str(param.envvar[0])
        return f"environment {envvar}" if envvar else "environment"
    return None


def _file_source(config: Config, dotted: str) -> str | None:
    line = config.line(dotted)
    if config.path is None or line is None:
        return None
    return f"{config.path}, line {line}"


def load_settings_file(config_path: Path | None) -> Config:
    """``--config`` if given, else ``narrate.toml`` in the current folder, else the defaults."""
    path = config_path or find_config(Path())
    return load_config(path, ENGINE_NAMES) if path is not None else Config()


def resolve_settings(ctx: click.Context | None = None) -> Settings:
    """The settings of the command running in ``ctx`` (default: the current one).

    Reads its ``config_path`` parameter (``--config``) and every parameter named in
    :data:`OPTION_KEYS` it has. A value an option or its environment variable gives is checked
    as the file's are; a refused one is a usage error naming where it came from.
    """
    ctx = ctx or click.get_current_context()
    config = load_settings_file(ctx.params.get("config_path"))
    sources: dict[str, str] = {}
    for table, key in FIELDS:
        found = _file_source(config, f"{table}.{key}")
        if found is not None:
            sources[f"{table}.{key}"] = found
    overrides: dict[str, object] = {}
    for name, dotted in OPTION_KEYS.items():
        value = ctx.params.get(name)
        source = _option_source(ctx, name) if value is not None else None
        if source is None:
            continue
        overrides[dotted] = value
        sources[dotted] = source
    try:
        merged = config.merged(overrides, names={key: sources[key] for key in overrides})
    except ConfigError as exc:  # an option's value: a usage error, as Click's own checks are
        raise click.UsageError(str(exc)) from exc
    return Settings(merged, sources, overrides)


def local_feed_warning(settings: Settings) -> str | None:
    """What a build's feed lacks to work beyond this machine, as one warning line with the fix;
    None when a settings file was read (``narrate init`` asked for all of it: what the file
    leaves out is the producer's choice) or nothing is missing.

    Without the file the feed's links point at ``narrate serve`` on this machine (unless
    ``--base-url`` or ``NARRATE_BASE_URL`` says otherwise), and it has no owner e-mail (the
    W3C feed validator and podcast directories ask for one) and no description.
    """
    if settings.path is not None:
        return None
    show = settings.show
    lacks = [
        what
        for what, missing in (
            ("owner e-mail", not show.owner_email),
            ("description", not show.description.strip()),
        )
        if missing
    ]
    local = show.base_url == DEFAULT_BASE_URL
    if not local and not lacks:
        return None
    parts = [f"the feed's links point at {DEFAULT_BASE_URL.rstrip('/')}"] if local else []
    if lacks:
        has = "it has" if local else "the feed has"
        parts.append(f"{has} no {' or '.join(lacks)}")
    return f"Warning: no {CONFIG_FILE}: {' and '.join(parts)}; run narrate init"


def warn_if_local_feed(settings: Settings, reporter: Reporter) -> None:
    """Say :func:`local_feed_warning`'s line, if any, once (``--quiet`` silences it)."""
    warning = local_feed_warning(settings)
    if warning is not None:
        reporter.say(warning)

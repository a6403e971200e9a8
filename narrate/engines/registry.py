"""Every speech engine by name, the choice between them, and which of them can run here.

An engine is one module plus one entry in :data:`ENGINES` (a class, or a three-line loader that
imports its module only when it is asked for): its names on the command line
(:data:`narrate.engines.ENGINE_NAMES`), its settings, ``auto`` (if it is in
:data:`AUTO_ORDER`) and ``narrate engines`` all come from its class (:class:`Engine`).

``narrate engines`` checks each engine by really starting it (:meth:`Engine.status`):
Google is asked for one word, espeak-ng is loaded and its voice selected, and the MBROLA
engine starts its worker (building its phoneme-table fix the first time).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass

from narrate.engines.base import PROBE_TIMEOUT, Engine, EngineSettings, EngineStatus
from narrate.errors import EngineUnavailable
from narrate.models import TextNeeds

logger = logging.getLogger(__name__)

__all__ = [
    "AUTO_ORDER",
    "ENGINES",
    "PROBE_TIMEOUT",
    "EngineChoice",
    "EngineStatus",
    "choose_engine",
    "engine_class",
    "engine_status",
    "engine_statuses",
    "engine_text_needs",
    "make_engine",
]

#: A function that imports an engine's module and returns its class.
Loader = Callable[[], type[Engine]]


class Registry(MutableMapping[str, type[Engine]]):
    """Engine classes by name, each module imported the first time its engine is asked for.

    An engine's module can be costly to import (the gtts engine brings in requests and gTTS,
    a tenth of a second), and a build uses one engine: the others are never loaded. Entries
    are classes or :data:`Loader` functions; setting a class registers it as it is.
    """

    def __init__(self, loaders: dict[str, Loader]) -> None:
        self._entries: dict[str, type[Engine] | Loader] = dict(loaders)

    def __getitem__(self, name: str) -> type[Engine]:
        entry = self._entries[name]
        if isinstance(entry, type):
            return entry
        cls = entry()
        self._entries[name] = cls
        return cls

    def __setitem__(self, name: str, cls: type[Engine]) -> None:
        self._entries[name] = cls

    def __delitem__(self, name: str) -> None:
        del self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def _gtts() -> type[Engine]:
    from narrate.engines.gtts import GttsEngine

    return GttsEngine


def _espeak() -> type[Engine]:
    from narrate.engines.espeak import EspeakEngine

    return EspeakEngine


def _mbrola() -> type[Engine]:
    from narrate.engines.mbrola import MbrolaEngine

    return MbrolaEngine


#: Every speaking engine, in the order ``narrate engines`` lists them.
ENGINES = Registry({"gtts": _gtts, "espeak": _espeak, "mbrola": _mbrola})
#: What ``auto`` tries, in order: the first that starts and answers its probe speaks. Never
#: mbrola, whose voice's non-commercial licence a producer must choose knowingly.
AUTO_ORDER = ("gtts", "espeak")
#: No setting given: each engine's defaults.
DEFAULT_SETTINGS = EngineSettings()


def engine_class(name: str) -> type[Engine]:
    """The class of the engine called ``name``; ValueError for an unknown one."""
    try:
        return ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}") from None


def engine_text_needs(name: str) -> TextNeeds:
    """What the engine called ``name`` needs of its text, without starting it."""
    return engine_class(name).text_needs


@dataclass(frozen=True)
class EngineChoice:
    """The engine a build will use for the whole episode, and why it was chosen."""

    engine: Engine
    reason: str


def make_engine(name: str, settings: EngineSettings = DEFAULT_SETTINGS) -> Engine:
    """Start the engine called ``name`` with the settings that apply to it."""
    return engine_class(name).from_settings(settings)


def choose_engine(
    name: str, settings: EngineSettings = DEFAULT_SETTINGS, *, source: str | None = None
) -> EngineChoice:
    """Make the engine called ``name``; ``auto`` tries :data:`AUTO_ORDER` in turn.

    ``source`` says where the name came from (default: ``--engine <name>``). Raises
    :class:`EngineUnavailable` when the named engine (for ``auto``: every engine it tries)
    cannot run.
    """
    if name != "auto":
        engine = make_engine(name, settings)
        return EngineChoice(engine, f"chosen with {source or f'--engine {name}'}")
    failures: list[str] = []
    for candidate in AUTO_ORDER:
        try:
            engine = make_engine(candidate, settings)
        except EngineUnavailable as unavailable:
            failures.append(str(unavailable))
            continue
        try:
            found = engine.probe()
        except EngineUnavailable as unavailable:
            engine.close()
            failures.append(str(unavailable))
            continue
        if failures:
            where = "online" if engine.online else "offline"
            return EngineChoice(engine, f"{'; '.join(failures)}; using the {where} voice")
        return EngineChoice(engine, found or f"chosen with {source or '--engine auto'}")
    raise EngineUnavailable("; ".join(failures))


def engine_status(
    name: str, check_network: bool = True, timeout: float = PROBE_TIMEOUT
) -> EngineStatus:
    """The status of the engine called ``name``; raises ValueError for an unknown one."""
    status = engine_class(name).status(check_network, timeout)
    logger.debug("engine %s: %s", name, status)
    return status


def engine_statuses(
    check_network: bool = True, timeout: float = PROBE_TIMEOUT
) -> list[EngineStatus]:
    """Every engine's status. Without ``check_network`` no online engine is asked (unusable).

    Never raises for an engine that cannot run: that is what ``reason`` is for.
    """
    return [engine_status(name, check_network, timeout) for name in ENGINES]

"""Speech engines behind one protocol (:mod:`narrate.engines.base`), and the choice between them
(:mod:`narrate.engines.registry`)."""

from __future__ import annotations

from narrate.engines.base import (
    PCM_S16LE_MONO,
    Engine,
    EngineBase,
    EngineSettings,
    EngineStatus,
    Parallel,
)
from narrate.engines.registry import (
    AUTO_ORDER,
    ENGINES,
    EngineChoice,
    choose_engine,
    engine_class,
    engine_text_needs,
    make_engine,
)

__all__ = [
    "AUTO_ORDER",
    "ENGINES",
    "ENGINE_NAMES",
    "PCM_S16LE_MONO",
    "SPEAKING_ENGINES",
    "Engine",
    "EngineBase",
    "EngineChoice",
    "EngineSettings",
    "EngineStatus",
    "Parallel",
    "choose_engine",
    "engine_class",
    "engine_text_needs",
    "make_engine",
]

#: The engines that speak, from the registry.
SPEAKING_ENGINES = tuple(ENGINES)
#: What ``--engine`` and ``[build] engine`` take: ``auto`` (see :data:`AUTO_ORDER`) or an engine.
ENGINE_NAMES = ("auto", *SPEAKING_ENGINES)

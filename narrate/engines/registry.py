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

import dataclasses
import importlib.util
import logging
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass

from narrate.engines.base import PROBE_TIMEOUT, Engine, EngineSettings, EngineStatus
from narrate.engines.catalogue import Voice, catalogue, engines_of, unlisted
from narrate.errors import EngineUnavailable
from narrate.models import TextNeeds

logger = logging.getLogger(__name__)

__all__ = [
    "AUTO_ORDER",
    "ENGINES",
    "PROBE_TIMEOUT",
    "EngineChoice",
    "EngineStatus",
    "VoiceRow",
    "choose_engine",
    "engine_class",
    "engine_status",
    "engine_statuses",
    "engine_text_needs",
    "make_engine",
    "voice_engines",
    "voice_rows",
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


def _edge() -> type[Engine]:
    from narrate.engines.edge import EdgeEngine

    return EdgeEngine


def _piper() -> type[Engine]:
    from narrate.engines.piper import PiperEngine

    return PiperEngine


#: Every speaking engine, in the order ``narrate engines`` lists them.
ENGINES = Registry(
    {"gtts": _gtts, "edge": _edge, "piper": _piper, "espeak": _espeak, "mbrola": _mbrola}
)
#: What ``auto`` tries, in order: the first that starts and answers its probe speaks. piper only
#: when the show names one of its voices (there is no voice to fall back on otherwise). Never
#: mbrola, whose voice's non-commercial licence a producer must choose knowingly, nor edge,
#: whose voices a producer chooses by name.
AUTO_ORDER = ("gtts", "piper", "espeak")
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


def voice_engines(voice: str) -> tuple[str, ...]:
    """The engines that can speak with a voice called ``voice``: those whose table lists it,
    and piper for a voice file (``….onnx``) or a piper voice installed here."""
    engines = list(engines_of(voice))
    if "piper" not in engines and (voice.endswith(".onnx") or "/" in voice or _installed(voice)):
        engines.append("piper")
    return tuple(engines)


def _installed(voice: str) -> bool:
    from narrate.engines.voicefiles import installed_voices

    return voice in installed_voices()


def _auto_settings(settings: EngineSettings) -> list[tuple[str, EngineSettings | None]]:
    """Each engine ``auto`` may try, in order, with the settings it gets (None: not tried).

    The show's voice goes to the engines that have it (a piper voice to piper); the others
    speak with their own default voice. piper is tried only with a voice to speak with.
    """
    voice = settings.voice
    owners = voice_engines(voice) if voice is not None else ()
    if voice is not None and not any(name in owners for name in AUTO_ORDER):
        where = f" (an {owners[0]} voice: choose --engine {owners[0]})" if owners else ""
        raise EngineUnavailable(
            f"with engine auto the voice must be a piper voice (a voice file or the name of an "
            f"installed one), and {voice!r} is not{where}"
        )
    return [
        (
            name,
            None
            if name == "piper" and "piper" not in owners
            else dataclasses.replace(settings, voice=voice if name in owners else None),
        )
        for name in AUTO_ORDER
    ]


def choose_engine(
    name: str,
    settings: EngineSettings = DEFAULT_SETTINGS,
    *,
    source: str | None = None,
    check_network: bool = True,
) -> EngineChoice:
    """Make the engine called ``name``; ``auto`` tries :data:`AUTO_ORDER` in turn.

    ``source`` says where the name came from (default: ``--engine <name>``). Without
    ``check_network`` ``auto`` skips the online engines. Raises :class:`EngineUnavailable`
    when the named engine (for ``auto``: every engine it tries) cannot run.
    """
    if name != "auto":
        engine = make_engine(name, settings)
        return EngineChoice(engine, f"chosen with {source or f'--engine {name}'}")
    failures: list[str] = []
    for candidate, candidate_settings in _auto_settings(settings):
        if candidate_settings is None:
            continue
        if not check_network and engine_class(candidate).online:
            failures.append(f"{candidate}: not asked (network checks off)")
            continue
        try:
            engine = make_engine(candidate, candidate_settings)
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


@dataclass(frozen=True)
class VoiceRow:
    """One voice as ``narrate voices`` lists it: the table's entry and whether it speaks here."""

    voice: Voice
    usable: bool
    #: Why it cannot speak here; None when it can.
    reason: str | None

    def to_json(self) -> dict[str, object]:
        return {**self.voice.to_json(), "usable": self.usable, "reason": self.reason}


def voice_rows(
    engines: Sequence[str] | None = None,
    check_network: bool = True,
    timeout: float = PROBE_TIMEOUT,
) -> list[VoiceRow]:
    """Every voice of every engine (or of ``engines``): the shipped table's, then any other the
    engine finds here, each with whether it can speak here and why not.

    Each engine is checked once, by starting it (:meth:`Engine.status`); an online engine's
    voices are usable when it answers.
    """
    rows: list[VoiceRow] = []
    for name in engines or list(ENGINES):
        status = engine_status(name, check_network, timeout)
        here = set(status.voices)
        listed = [voice for voice in catalogue() if voice.engine == name]
        # piper with its library but no voice installed is unusable only for want of a voice.
        wants_voice = name == "piper" and not here and importlib.util.find_spec("piper") is not None
        for voice in listed:
            if wants_voice:
                rows.append(VoiceRow(voice, False, _missing(name, voice.name)))
            elif not status.usable:
                rows.append(VoiceRow(voice, False, status.reason))
            elif engine_class(name).online or voice.name in here:
                rows.append(VoiceRow(voice, True, None))
            else:
                rows.append(VoiceRow(voice, False, _missing(name, voice.name)))
        known = {voice.name for voice in listed}
        rows.extend(
            VoiceRow(unlisted(name, found), status.usable, status.reason)
            for found in status.voices
            if found not in known
        )
    return rows


def _missing(engine: str, voice: str) -> str:
    if engine == "piper":
        return f"not installed: narrate voices install {voice}"
    if engine == "mbrola":
        return f"not installed: the Debian package mbrola-{voice} (scripts/install-mbrola for ar2)"
    return "not found here"

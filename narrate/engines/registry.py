"""Which speech engines can run here, with their voices, and why not when one cannot.

``narrate engines`` prints this. Each engine is checked by really starting it: Google is
asked for one word, espeak-ng is loaded and its voice selected, and the MBROLA engine
starts its worker (building its phoneme-table fix the first time).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from narrate.errors import EngineError

logger = logging.getLogger(__name__)

#: How long ``gtts`` waits for Google's answer to its probe, in seconds.
PROBE_TIMEOUT = 3.0


@dataclass(frozen=True)
class EngineStatus:
    """One engine as found here.

    ``detail`` names what would speak (library, version, voice, licence notes);
    ``reason`` says why the engine is not usable, and is None when it is.
    """

    name: str
    usable: bool
    detail: str
    voices: tuple[str, ...]
    reason: str | None

    def to_json(self) -> dict[str, object]:
        """As ``narrate engines --json`` prints it."""
        return {
            "name": self.name,
            "usable": self.usable,
            "detail": self.detail,
            "voices": list(self.voices),
            "reason": self.reason,
        }


def _gtts(check_network: bool, timeout: float) -> EngineStatus:
    from narrate.engines.gtts import LANG, GttsEngine

    detail = "Google Translate's Arabic voice, online"
    try:
        engine = GttsEngine()
        detail = f"{engine.describe()}, online"
        if not check_network:
            return EngineStatus("gtts", False, detail, (LANG,), "not checked: network checks off")
        engine.probe(timeout=timeout)
    except EngineError as exc:
        return EngineStatus("gtts", False, detail, (LANG,), str(exc))
    return EngineStatus("gtts", True, detail, (LANG,), None)


def _espeak(check_network: bool, timeout: float) -> EngineStatus:
    from narrate.engines.espeak import DEFAULT_VOICE, EspeakEngine, voices

    detail = "espeak-ng from the espeakng-loader wheel, offline"
    try:
        engine = EspeakEngine()
        found = voices(DEFAULT_VOICE)
    except EngineError as exc:
        return EngineStatus("espeak", False, detail, (), str(exc))
    return EngineStatus("espeak", True, f"{engine.describe()}, offline", found, None)


def _mbrola(check_network: bool, timeout: float) -> EngineStatus:
    from narrate.engines.mbrola import DEFAULT_VOICE, MbrolaEngine, mbrola_voices

    detail = "MBROLA's Arabic voice through Debian's espeak-ng, offline; non-commercial licence"
    found = mbrola_voices()
    voice = DEFAULT_VOICE if DEFAULT_VOICE in found or not found else found[0]
    try:
        with MbrolaEngine(voice) as engine:
            described = engine.describe()
    except EngineError as exc:
        return EngineStatus("mbrola", False, detail, found, str(exc))
    detail = f"{described}, offline; the voice's licence is non-commercial"
    return EngineStatus("mbrola", True, detail, found, None)


#: Every speaking engine, in the order ``narrate engines`` lists them.
CHECKS: dict[str, Callable[[bool, float], EngineStatus]] = {
    "gtts": _gtts,
    "espeak": _espeak,
    "mbrola": _mbrola,
}


def engine_status(
    name: str, check_network: bool = True, timeout: float = PROBE_TIMEOUT
) -> EngineStatus:
    """The status of the engine called ``name``; raises ValueError for an unknown one."""
    try:
        check = CHECKS[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}: choose one of {', '.join(CHECKS)}") from None
    status = check(check_network, timeout)
    logger.debug("engine %s: %s", name, status)
    return status


def engine_statuses(
    check_network: bool = True, timeout: float = PROBE_TIMEOUT
) -> list[EngineStatus]:
    """Every engine's status. Without ``check_network`` Google is not asked (gtts: unusable).

    Never raises for an engine that cannot run: that is what ``reason`` is for.
    """
    return [engine_status(name, check_network, timeout) for name in CHECKS]

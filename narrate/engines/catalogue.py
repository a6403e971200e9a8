"""The voices narrate knows of, whatever is installed here: the table shipped in
``narrate/data/voices.toml``.

It is shipped rather than asked for because Microsoft's voices can only be listed over the
network, and because a voice's licence (may a show that earns money use it? what must it
credit?) is something a producer needs before a build, not after. ``narrate voices`` joins it
with what each engine finds here (:func:`narrate.engines.registry.voice_rows`).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final, Literal

Commercial = Literal["yes", "no", "unclear"]
_COMMERCIAL: Final = ("yes", "no", "unclear")
_GENDERS: Final = ("female", "male")


@dataclass(frozen=True)
class Voice:
    """One voice of one engine, as the shipped table describes it."""

    engine: str
    name: str
    #: BCP 47: ``ar`` for Modern Standard Arabic, ``ar-SA`` for a country's voice.
    language: str
    #: What a listener hears, in English and in Arabic.
    dialect: str
    dialect_ar: str
    gender: str
    #: The licence of the voice itself (not of the engine's code).
    licence: str
    #: Whether episodes made with it may go into a show that earns money.
    commercial: Commercial
    #: What its licence asks to be said where the audio is published ("" for nothing).
    credit: str
    source: str

    @property
    def non_commercial(self) -> bool:
        """Licensed for non-commercial use only."""
        return self.commercial == "no"

    def to_json(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "name": self.name,
            "language": self.language,
            "dialect": self.dialect,
            "dialect_ar": self.dialect_ar,
            "gender": self.gender,
            "licence": self.licence,
            "commercial": self.commercial,
            "credit": self.credit,
            "source": self.source,
        }


def _voice(entry: dict[str, object]) -> Voice:
    fields = {key: str(entry.get(key, "")) for key in Voice.__dataclass_fields__}
    if fields["commercial"] not in _COMMERCIAL or fields["gender"] not in _GENDERS:
        raise ValueError(f"voices.toml: bad entry {entry!r}")
    return Voice(**fields)  # type: ignore[arg-type]


@functools.cache
def catalogue() -> tuple[Voice, ...]:
    """Every voice in the shipped table, in its order (engine by engine)."""
    text = resources.files("narrate").joinpath("data/voices.toml").read_text("utf-8")
    return tuple(_voice(entry) for entry in tomllib.loads(text)["voice"])


def catalogue_voices(engine: str) -> tuple[str, ...]:
    """The names of ``engine``'s voices in the table."""
    return tuple(voice.name for voice in catalogue() if voice.engine == engine)


def find_voice(engine: str, name: str) -> Voice | None:
    """The table's entry for ``engine``'s voice ``name``, or None (a voice file given by path,
    an espeak-ng voice the table does not list)."""
    for voice in catalogue():
        if voice.engine == engine and voice.name == name:
            return voice
    return None


def voice_entry(engine: str, voice: str) -> Voice | None:
    """The table's entry for the voice an engine speaks with: by its name, or for a voice
    file given by path (piper's ``…/ar_JO-kareem-medium.onnx``) by the file's name. A voice file
    the table does not know is described from its model card, when one beside it names a
    non-commercial licence (many community voices are CC BY-NC)."""
    found = find_voice(engine, voice)
    if found is None and voice.endswith(".onnx"):
        stem = voice.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".onnx")
        found = find_voice(engine, stem) or _carded(engine, Path(voice), stem)
    return found


#: A licence that forbids commercial use, as model cards write it.
_NON_COMMERCIAL: Final = re.compile(
    r"\bCC[- ]BY[- ]NC(?:[- ](?:SA|ND))?(?:[- ]\d\.\d)?|\bnon[- ]commercial\b", re.IGNORECASE
)


def _carded(engine: str, model: Path, stem: str) -> Voice | None:
    """A voice file's licence from the model card beside it (``<file>.MODEL_CARD``,
    ``MODEL_CARD`` or ``README.md``), if it names a non-commercial one; else None."""
    for card in (model.with_name(f"{model.name}.MODEL_CARD"),
                 model.with_name(f"{stem}.MODEL_CARD"),
                 model.with_name("MODEL_CARD"),
                 model.with_name("README.md")):  # fmt: skip
        try:
            text = card.read_text("utf-8", "replace")[:20_000]
        except OSError:
            continue
        match = _NON_COMMERCIAL.search(text)
        if match is None:
            return None
        licence = " ".join(match.group(0).split())
        return unlisted(
            engine,
            stem,
            licence=f"{licence} (from {card.name})",
            commercial="no",
            credit=f"Voice: {stem} ({licence}; non-commercial use only)",
            source=str(model),
        )
    return None


def unlisted(
    engine: str,
    name: str,
    *,
    licence: str = "not in narrate's table: read the voice's own licence (its MODEL_CARD)",
    commercial: Commercial = "unclear",
    credit: str = "",
    source: str = "installed here",
) -> Voice:
    """A voice the table does not list (a voice file of one's own): what is known of it, and
    ``?`` for its language, dialect and gender."""
    return Voice(engine, name, "?", "?", "?", "?", licence, commercial, credit, source)


def engines_of(name: str) -> tuple[str, ...]:
    """The engines whose table lists a voice called ``name``."""
    return tuple(voice.engine for voice in catalogue() if voice.name == name)

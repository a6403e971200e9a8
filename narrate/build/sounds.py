"""The sounds a build asks for: the intro and outro (the chime, none, or a file) and a music bed."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from narrate.audio import assemble as audio

CHIME = "chime"
NO_SOUND = "none"


def load_sounds(intro: str, outro: str, bed: Path | None, rate: int) -> audio.Sounds:
    """The intro and outro sounds (:data:`CHIME`, :data:`NO_SOUND` or a sound file) and the
    music bed, at ``rate``."""
    default = audio.Sounds.default(rate)

    def sound(choice: str, what: str, chime: bytes | None) -> tuple[bytes | None, float]:
        if choice == CHIME:
            return chime, -4.0
        if choice == NO_SOUND:
            return None, 0.0
        return audio.load_sound(Path(choice), rate, what), 0.0

    intro_pcm, intro_lu = sound(intro, "intro", default.intro)
    outro_pcm, outro_lu = sound(outro, "outro", default.outro)
    bed_pcm = audio.load_sound(bed, rate, "music bed") if bed else None
    return audio.Sounds(intro_pcm, outro_pcm, bed_pcm, intro_lu=intro_lu, outro_lu=outro_lu)


def sounds_digest(sounds: audio.Sounds) -> dict[str, object]:
    """What of the sounds decides the audio: each one's SHA-256, levels and the bed's shape."""

    def digest(pcm: bytes | None) -> str | None:
        return hashlib.sha256(pcm).hexdigest() if pcm is not None else None

    return {
        "intro": digest(sounds.intro),
        "outro": digest(sounds.outro),
        "bed": digest(sounds.bed),
        "levels": [sounds.intro_lu, sounds.outro_lu],
        "bed_shape": dataclasses.asdict(sounds.bed_shape),
    }

"""piper's neural voices, offline: a VITS model run by onnxruntime, one worker process each.

piper-tts is GPL-3.0-or-later, so it is an optional extra (``pip install 'narrate[piper]'``)
and this is the only module that imports it, inside functions: narrate itself stays MIT, and
``narrate engines`` still works without it.

**Voices.** ``--voice`` is a voice's ``.onnx`` file with its config beside it (``x.onnx`` and
``x.onnx.json``, as rhasspy/piper-voices publishes them), or the name of a voice installed in
the user's voice folder (:mod:`narrate.engines.voicefiles`, ``narrate voices install NAME``).
Without one, the first installed voice whose config says Arabic speaks.

**Arabic.** A voice whose config names the espeak-ng voice ``ar`` goes through piper's own
Arabic path: its bundled libtashkeel model adds the diacritics, then its bundled espeak-ng
turns them into phonemes. narrate's diacritizer is therefore never run for this engine
(``text_needs.diacritics`` is False): the voice was trained on what piper's path makes.

**Processes and threads.** The model is loaded once per worker process, lazily, by the first
synthesis there: the engine pickles as its settings only (see ``__reduce__``). Each
onnxruntime session gets ``cores // workers`` threads with spinning off, so the workers
together use the cores without fighting over them; speaking in the build's own process (one
chunk at a time) it gets every core. On two cores a cold build with two one-thread workers
took 0.82-0.84x the time of one in-process synthesis with two threads plus the MP3 encode
(docs/benchmarks.md, "piper").

**Rate.** piper has no words-a-minute setting, only ``length_scale`` (phoneme durations are
multiplied by it). ``--rate`` is honoured by measuring the voice's own pace first (a fixed
passage spoken at the config's ``length_scale``, the silence at each sentence's ends left out,
as the assembler trims it) and scaling ``length_scale`` by pace / rate; the result is part of
the engine's identity and travels to the workers with its settings.

Output is not repeatable bit for bit: the model draws noise on every call.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import logging
import multiprocessing
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from pydub import AudioSegment

from narrate.digest import unchanged_file_sha256
from narrate.engines.base import (
    PROBE_TIMEOUT,
    EngineBase,
    EngineSettings,
    EngineStatus,
    Parallel,
    available_cpus,
)
from narrate.engines.voicefiles import (
    CONFIG_SUFFIX,
    MODEL_SUFFIX,
    installed_voices,
    is_installed,
    voice_files,
    voice_folder,
)
from narrate.errors import EngineError, EngineUnavailable
from narrate.models import TextNeeds

__all__ = [
    "NOT_INSTALLED",
    "PiperEngine",
    "installed_voices",
    "voice_folder",
    "voice_usable",
]

logger = logging.getLogger(__name__)

NOT_INSTALLED = "piper is not installed: pip install 'narrate[piper]'"
NO_VOICE = (
    "piper has no voice: give --voice PATH (a voice's .onnx file, its .onnx.json beside it) "
    "or install one with `narrate voices install NAME` (e.g. ar_JO-kareem-medium)"
)
#: piper speaks a chunk sentence by sentence, so the length of a chunk barely changes the time
#: (measured on the example: the same within noise from 150 to 600 characters). It decides the
#: memory: onnxruntime keeps what the longest sentence needed, about 3 MB a character with the
#: packaged voice (1.1 GB a worker at 440 characters, 0.9 GB at 290, 0.65 GB at 200). At 300
#: the example's chunks are 48 for its 46 spoken sentences: two are cut, at a comma.
MAX_CHARS = 300
#: ``length_scale`` is kept within these bounds: beyond them the voice slurs or drawls.
MIN_LENGTH_SCALE = 0.5
MAX_LENGTH_SCALE = 2.0
#: What a voice reads to measure its own pace: plain news prose, numbers already in words.
PACE_TEXTS = {
    "ar": (
        "أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية. "
        "وقال وزير الزراعة إن الخطة تشمل قروضا ميسرة وبذورا محسنة وتدريبا على أساليب الري "
        "الحديثة. ويأمل المسؤولون أن تساعد هذه الخطوة على زيادة الإنتاج وتقليل الاعتماد على "
        "الاستيراد خلال السنوات القادمة. ورحب ممثلو المزارعين بالقرار، لكنهم طالبوا بتسريع "
        "صرف المساعدات قبل بداية الموسم الزراعي في الخريف."
    ),
    "": (
        "The government announced a new plan today to support farmers in rural areas. "
        "The minister of agriculture said the plan includes easy loans, better seeds and "
        "training in modern irrigation. Officials hope the step will raise production and "
        "reduce imports over the coming years. Farmers welcomed the decision, but asked for "
        "the aid to be paid before the start of the autumn season."
    ),
}
#: Below this fraction of a sentence's peak (-40 dB) a sample at either end is silence.
_SILENCE = 0.01


def _import_piper() -> Any:
    """piper's package, imported now; EngineUnavailable in one line when it is not installed."""
    try:
        # onnxruntime first: piper needs it, and a broken install of it fails here.
        import onnxruntime  # noqa: F401
        import piper
    except (ImportError, OSError) as exc:
        raise EngineUnavailable(NOT_INSTALLED) from exc
    return piper


@functools.cache
def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout
        return "unknown"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _is_path(voice: str) -> bool:
    """Whether ``--voice`` names a file (``….onnx`` or any path) rather than an installed voice."""
    return voice.endswith(MODEL_SUFFIX) or "/" in voice or os.sep in voice


@dataclass(frozen=True)
class VoiceFiles:
    """A piper voice's two files, and the name it is shown by (the model's file name)."""

    name: str
    model: Path
    config: Path


def find_voice(voice: str) -> VoiceFiles:
    """The files of ``voice``: a ``.onnx`` path, or the name of an installed voice.

    Raises EngineUnavailable, in one line, when either file is missing.
    """
    if _is_path(voice):
        model = Path(voice).expanduser().absolute()
        config = model.with_name(model.name + ".json")
        if not model.is_file():
            raise EngineUnavailable(f"piper voice file {model} not found")
        name = model.name.removesuffix(MODEL_SUFFIX)
    else:
        model, config = voice_files(voice)
        if not model.is_file():
            raise EngineUnavailable(
                f"piper voice {voice!r} is not installed in {model.parent}: install it with "
                f"`narrate voices install {voice}`, or give --voice PATH to a voice's .onnx file"
            )
        name = voice
    if not config.is_file():
        raise EngineUnavailable(
            f"piper voice {model} has no config beside it: {config.name} not found "
            f"(a voice is a {MODEL_SUFFIX} file and its {CONFIG_SUFFIX})"
        )
    if model.stat().st_size == 0:
        raise EngineError(f"piper voice file {model} is empty")
    return VoiceFiles(name, model, config)


@dataclass(frozen=True)
class VoiceConfig:
    """What narrate reads from a voice's config; piper reads the rest itself."""

    raw: dict[str, Any]
    sample_rate: int
    #: The espeak-ng voice piper phonemizes with (``ar``: piper's Arabic path).
    espeak_voice: str
    length_scale: float


def read_config(path: Path) -> VoiceConfig:
    """The voice config at ``path``, checked; EngineError in one line when it is unusable."""
    try:
        raw = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise EngineError(f"cannot read the piper voice config {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise EngineError(f"the piper voice config {path} is not JSON: {exc}") from exc
    try:
        if not isinstance(raw, dict):
            raise TypeError("not an object")
        for key in ("num_symbols", "num_speakers", "phoneme_id_map"):
            if key not in raw:
                raise KeyError(key)
        sample_rate = int(raw["audio"]["sample_rate"])
        espeak_voice = str(raw["espeak"]["voice"])
        length_scale = float((raw.get("inference") or {}).get("length_scale", 1.0))
    except KeyError as exc:
        raise EngineError(f"the piper voice config {path} has no {exc.args[0]!r}") from exc
    except (TypeError, ValueError) as exc:
        raise EngineError(f"the piper voice config {path} is not a voice config: {exc}") from exc
    if sample_rate <= 0 or length_scale <= 0:
        raise EngineError(f"the piper voice config {path} has an impossible rate or length")
    return VoiceConfig(raw, sample_rate, espeak_voice, length_scale)


def voice_usable(voice: str) -> bool:
    """Whether ``voice`` (a ``.onnx`` path or an installed voice's name) can be spoken with,
    found from its files alone: no model is loaded and piper is not imported. For ``auto``."""
    if not _is_path(voice) and not is_installed(voice):
        return False
    try:
        read_config(find_voice(voice).config)
    except EngineError:
        return False
    return True


def default_voice() -> str:
    """The first installed voice whose config says Arabic; EngineUnavailable when none does."""
    names = installed_voices()
    for name in names:
        try:
            if read_config(voice_files(name)[1]).espeak_voice == "ar":
                return name
        except EngineError:
            continue
    found = f" (installed: {', '.join(names)}; none is Arabic)" if names else ""
    raise EngineUnavailable(NO_VOICE + found)


def _session_options(threads: int) -> Any:
    """onnxruntime options for one worker: ``threads`` threads that sleep when idle."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Every sentence is a new input shape: a memory pattern kept per shape grows with the
    # episode (measured: +120 MB a worker over a second pass of the example); without it,
    # the memory stays at what the longest sentence needed.
    options.enable_mem_pattern = False
    # Spinning threads burn a core waiting for the next run: with a worker per core they
    # would take it from the other workers.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


def _session(model: Path, threads: int) -> Any:
    import onnxruntime

    return onnxruntime.InferenceSession(
        str(model), sess_options=_session_options(threads), providers=["CPUExecutionProvider"]
    )


def load_voice(files: VoiceFiles, config: VoiceConfig, threads: int) -> Any:
    """piper's ``PiperVoice`` for ``files`` with ``threads`` onnxruntime threads.

    The session is made here rather than by ``PiperVoice.load``, which gives onnxruntime its
    default options (a thread per core, spinning) in every worker. An Arabic voice gets its
    diacritizer now, with the same options, instead of piper's on the first chunk.
    """
    piper = _import_piper()
    try:
        session = _session(files.model, threads)
    except Exception as exc:  # onnxruntime's own exception types are not importable by name
        raise EngineError(
            f"cannot load the piper voice model {files.model}: {_first_line(exc)}"
        ) from exc
    try:
        voice = piper.PiperVoice(session=session, config=piper.PiperConfig.from_dict(config.raw))
    except (KeyError, TypeError, ValueError) as exc:
        raise EngineError(f"the piper voice config {files.config} is not usable: {exc}") from exc
    if config.espeak_voice == "ar":
        from piper.tashkeel import TASHKEEL_DIR, TashkeelDiacritizer

        diacritizer = TashkeelDiacritizer()
        diacritizer.session = _session(TASHKEEL_DIR / "model.onnx", threads)
        voice.tashkeel_diacritizier = diacritizer  # (sic: piper's spelling)
    return voice


def _speech_seconds(samples: Any, rate: int) -> float:
    """How long a sentence's audio lasts without the silence at its ends."""
    import numpy

    loud = numpy.flatnonzero(numpy.abs(samples) > _SILENCE * float(numpy.abs(samples).max()))
    return float(loud[-1] - loud[0] + 1) / rate if loud.size else 0.0


class PiperEngine(EngineBase):
    """A piper voice, offline. ``synthesize`` returns mono 16-bit audio at the voice's rate."""

    name = "piper"
    about = "piper's neural voices (piper-tts, GPL; pip install 'narrate[piper]')"
    text_needs = TextNeeds(max_chars=MAX_CHARS, diacritics=False)
    #: Bound to the CPU: a worker process each, each with its own model (see ``__reduce__``).
    parallel: Parallel = "processes"

    def __init__(
        self,
        voice: str,
        rate_wpm: int | None = None,
        *,
        length_scale: float | None = None,
        threads: int | None = None,
    ) -> None:
        """Find and check the voice's files; the model is loaded by the first synthesis.

        ``rate_wpm`` (words a minute) sets ``length_scale`` from the voice's measured pace,
        unless ``length_scale`` is given (a worker's copy gets it so). ``threads`` fixes the
        onnxruntime threads (default: see the module notes). Raises EngineUnavailable when
        piper is not installed or the voice is not there, EngineError when its config is bad.
        """
        if rate_wpm is not None and rate_wpm <= 0:
            raise ValueError(
                f"the rate must be a positive number of words a minute, not {rate_wpm}"
            )
        _import_piper()
        self._files = find_voice(voice)
        self._config = read_config(self._files.config)
        self.voice = str(self._files.model) if _is_path(voice) else voice
        self.rate_wpm = rate_wpm
        self.sample_rate = self._config.sample_rate
        self._threads = threads
        self._loaded: Any = None
        self._lock = threading.Lock()
        if length_scale is None:
            length_scale = self._config.length_scale
            if rate_wpm is not None:
                length_scale = self._scale_for(rate_wpm)
        self.length_scale = length_scale

    @classmethod
    def from_settings(cls, settings: EngineSettings) -> Self:
        """The voice of ``settings`` (default: the first installed Arabic voice) and its rate."""
        _import_piper()
        return cls(settings.voice or default_voice(), settings.rate_wpm)

    def __reduce__(self) -> tuple[Any, tuple[str, int | None, float, int | None]]:
        # Only the settings travel: the copy made in a worker loads that worker's own model.
        return (_restore, (self.voice, self.rate_wpm, self.length_scale, self._threads))

    @property
    def voices(self) -> tuple[str, ...]:
        """The voices installed here, and the one chosen (a file of one's own, say)."""
        installed = installed_voices()
        return installed if self.voice in installed else (*installed, self.voice)

    @property
    def espeak_voice(self) -> str:
        """The espeak-ng voice piper phonemizes with; ``ar`` runs piper's Arabic path."""
        return self._config.espeak_voice

    @property
    def threads(self) -> int:
        """onnxruntime threads for this process: its share of the cores in a worker, every
        core when the build speaks in its own process."""
        if self._threads is not None:
            return self._threads
        cpus = available_cpus()
        if multiprocessing.parent_process() is None:
            return cpus
        return max(1, cpus // max(1, self.concurrency))

    def describe(self) -> str:
        """For example ``piper 1.8.0 (voice ar_JO-kareem-medium, espeak ar)``."""
        rate = f", {self.rate_wpm} wpm" if self.rate_wpm is not None else ""
        return (
            f"piper {_version('piper-tts')} (voice {self._files.name}, "
            f"espeak {self.espeak_voice}{rate})"
        )

    def identity(self) -> dict[str, str]:
        """What decides the audio besides the text: the voice's two files (by content, so a
        voice moved or renamed keeps its cache), piper's and onnxruntime's versions (piper
        carries the diacritizer and espeak-ng data it uses), and the length scale."""
        try:
            model = unchanged_file_sha256(self._files.model)
            config = unchanged_file_sha256(self._files.config)
        except OSError as exc:
            raise EngineError(f"cannot read the piper voice {self._files.model}: {exc}") from exc
        return {
            "engine": self.name,
            "library": f"piper-tts {_version('piper-tts')}",
            "onnxruntime": _version("onnxruntime"),
            "voice": self._files.name,
            "model_sha256": model,
            "config_sha256": config,
            "length_scale": f"{self.length_scale:.4f}",
        }

    @classmethod
    def status(cls, check_network: bool = True, timeout: float = PROBE_TIMEOUT) -> EngineStatus:
        """piper as ``narrate engines`` shows it: the voices installed here (listed even when
        none can speak), and why it cannot speak. Loads no model."""
        try:
            _import_piper()
        except EngineUnavailable as exc:
            return EngineStatus(cls.name, False, f"{cls.about}, offline", (), str(exc))
        voices = installed_voices()
        try:
            engine = cls.from_settings(EngineSettings())
        except EngineError as exc:
            detail = f"piper {_version('piper-tts')}, offline"
            return EngineStatus(cls.name, False, detail, voices, str(exc))
        with engine:
            return EngineStatus(cls.name, True, f"{engine.describe()}, offline", voices, None)

    def probe(self, timeout: float = PROBE_TIMEOUT) -> str | None:
        """The voice's files are there and its config reads (checked on starting): nothing more
        is asked, so that ``auto`` does not load a model the workers load again."""
        return f"piper voice {self._files.name}"

    def close(self) -> None:
        with self._lock:
            self._loaded = None

    def piper_voice(self) -> Any:
        """piper's ``PiperVoice`` for this engine, loaded in this process on first use."""
        with self._lock:
            if self._loaded is None:
                self._loaded = load_voice(self._files, self._config, self.threads)
                logger.debug("piper: loaded %s with %d thread(s)", self._files.name, self.threads)
            return self._loaded

    def _syn_config(self, length_scale: float) -> Any:
        from piper import SynthesisConfig

        return SynthesisConfig(length_scale=length_scale)

    def synthesize(self, text: str) -> AudioSegment:
        """Speak one chunk of text; raise EngineError if piper fails."""
        pcm = b""
        if text.strip():
            voice = self.piper_voice()
            try:
                pcm = b"".join(
                    chunk.audio_int16_bytes
                    for chunk in voice.synthesize(
                        text, syn_config=self._syn_config(self.length_scale)
                    )
                )
            except Exception as exc:  # piper's and onnxruntime's errors have no common base
                raise EngineError(f"piper failed to speak a chunk: {_first_line(exc)}") from exc
        return AudioSegment(data=pcm, sample_width=2, frame_rate=self.sample_rate, channels=1)

    def natural_pace(self) -> float:
        """The voice's words a minute at its config's ``length_scale``, measured now: a fixed
        passage spoken sentence by sentence, the silence at each sentence's ends left out."""
        return _natural_pace(self)

    def _scale_for(self, rate_wpm: int) -> float:
        pace = self.natural_pace()
        wanted = self._config.length_scale * pace / rate_wpm
        scale = min(max(wanted, MIN_LENGTH_SCALE), MAX_LENGTH_SCALE)
        if scale != wanted:
            logger.warning(
                "piper: %d words a minute is beyond what %s can do well (it speaks %.0f at its "
                "own pace): using %.0f",
                rate_wpm,
                self._files.name,
                pace,
                pace * self._config.length_scale / scale,
            )
        logger.info(
            "piper: %s speaks %.0f words a minute at its own pace: length scale %.3f for %d",
            self._files.name,
            pace,
            scale,
            rate_wpm,
        )
        return scale


def _natural_pace(engine: PiperEngine) -> float:
    key = (
        unchanged_file_sha256(engine._files.model),
        unchanged_file_sha256(engine._files.config),
    )
    if key not in _PACES:
        text = PACE_TEXTS["ar" if engine.espeak_voice == "ar" else ""]
        voice = engine.piper_voice()
        config = engine._syn_config(engine._config.length_scale)
        try:
            seconds = sum(
                _speech_seconds(chunk.audio_float_array, engine.sample_rate)
                for sentence in text.split(". ")
                for chunk in voice.synthesize(sentence, syn_config=config)
            )
        except Exception as exc:  # as in synthesize
            raise EngineError(f"piper failed to measure its pace: {_first_line(exc)}") from exc
        if seconds <= 0:
            raise EngineError(f"piper voice {engine._files.name} said nothing: cannot set its rate")
        _PACES[key] = len(text.split()) / seconds * 60
    return _PACES[key]


#: Each voice's measured pace, by its files' digests: measured once per process.
_PACES: dict[tuple[str, str], float] = {}


def _restore(
    voice: str, rate_wpm: int | None, length_scale: float, threads: int | None
) -> PiperEngine:
    """A pickled engine rebuilt (in a worker): its settings as they were, no pace measured."""
    return PiperEngine(voice, rate_wpm, length_scale=length_scale, threads=threads)

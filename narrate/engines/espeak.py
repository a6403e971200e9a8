"""Offline Arabic speech: espeak-ng driven through ctypes.

The shared library and its data (Arabic dictionary included) come from the
``espeakng-loader`` wheel, so no system package is needed. espeak-ng keeps its
state in process globals, so the library is loaded and initialized once per
process (lazily, on the first engine) and every call into it is serialized by
one lock; engines with different voices or rates share it safely.

Audio comes back exactly as espeak-ng makes it: no trimming. Without the
``espeakENDPAUSE`` flag (not set here) the silence at each end is short: on the
example article's paragraphs at espeak-ng's default rate (175), 10-45 ms before the first
sound and 10-30 ms after the last (up to about 85 and 55 ms at 80 wpm). The
assembler adds the pauses between chunks.

Output is not bit-for-bit repeatable from call to call: espeak-ng carries its
pitch-flutter phase over between calls, so the same text differs by a few
samples. The same calls in the same order in a fresh process give the same bytes.

Initializing espeak-ng sets the process's ``LC_CTYPE`` locale to ``C.UTF-8``
(the library needs a UTF-8 locale to classify characters).
"""

from __future__ import annotations

import ctypes
import functools
import importlib.metadata
import logging
import string
import sys
import threading
from array import array
from pathlib import Path
from typing import Any, Self

from pydub import AudioSegment

from narrate.engines.base import EngineBase, EngineSettings, Parallel
from narrate.errors import EngineError, EngineUnavailable
from narrate.models import TextNeeds

logger = logging.getLogger(__name__)

# espeakRATE_MINIMUM / espeakRATE_MAXIMUM in speak_lib.h; the library clamps
# below the minimum and accepts a little above the maximum, narrate does neither.
RATE_MIN_WPM = 80
RATE_MAX_WPM = 450

DEFAULT_VOICE = "ar"
#: narrate's defaults for espeak-ng's own voice, chosen by measurement (scripts/intelligibility,
#: docs/benchmarks.md "Intelligibility"). Nominal 250 words a minute says about 135 Arabic
#: words a minute in an episode, pauses included: a news presenter's 130-150 (espeak-ng's own
#: 175 says about 100). A lower, flatter voice than espeak-ng's (pitch 50, range 50, 0-100
#: each) came out best in single runs, though run-to-run noise is as large as the gain.
DEFAULT_RATE_WPM = 250
DEFAULT_PITCH = 40
DEFAULT_RANGE = 20

# Values from espeak-ng's public header, speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # report a failed initialization instead of calling exit()
_POS_CHARACTER = 1
_CHARS_UTF8 = 1  # espeakSSML and espeakPHONEMES stay off: "<" and "[[" are just text
_PARAM_RATE = 1
_PARAM_PITCH = 3
_PARAM_RANGE = 4
_PHONEMES_IPA = 0x02  # phonememode bit 1: IPA instead of espeak-ng's ASCII phoneme names
_EE_OK = 0
_ERROR_NAMES = {-1: "internal error", 1: "buffer full", 2: "not found"}

# int SynthCallback(short *wav, int numsamples, espeak_EVENT *events); events are not used.
_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)

# name -> (restype, argtypes), the subset of speak_lib.h narrate calls.
_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "espeak_Initialize": (
        ctypes.c_int,
        [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int],
    ),
    "espeak_SetSynthCallback": (None, [_SynthCallback]),
    "espeak_SetVoiceByName": (ctypes.c_int, [ctypes.c_char_p]),
    "espeak_SetParameter": (ctypes.c_int, [ctypes.c_int, ctypes.c_int, ctypes.c_int]),
    "espeak_GetParameter": (ctypes.c_int, [ctypes.c_int, ctypes.c_int]),
    "espeak_Synth": (
        ctypes.c_int,
        [
            ctypes.c_char_p,  # text
            ctypes.c_size_t,  # size
            ctypes.c_uint,  # position
            ctypes.c_int,  # position_type
            ctypes.c_uint,  # end_position
            ctypes.c_uint,  # flags
            ctypes.POINTER(ctypes.c_uint),  # unique_identifier
            ctypes.c_void_p,  # user_data
        ],
    ),
    "espeak_Synchronize": (ctypes.c_int, []),
    "espeak_Info": (ctypes.c_char_p, [ctypes.POINTER(ctypes.c_char_p)]),
    # const char *espeak_TextToPhonemes(const void **textptr, int textmode, int phonememode)
    "espeak_TextToPhonemes": (
        ctypes.c_char_p,
        [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int],
    ),
}


def _error_name(code: int) -> str:
    return f"{_ERROR_NAMES.get(code, 'error')}, code {code}"


class _Library:
    """The loaded, initialized espeak-ng library; one per process."""

    def __init__(self, library_path: str, data_path: str) -> None:
        try:
            lib = ctypes.CDLL(library_path)
        except OSError as exc:
            raise EngineUnavailable(f"cannot load the espeak-ng library: {exc}") from exc
        for func_name, (restype, argtypes) in _SIGNATURES.items():
            try:
                func = getattr(lib, func_name)
            except AttributeError as exc:
                raise EngineUnavailable(
                    f"{library_path} is not an espeak-ng library (it lacks {func_name})"
                ) from exc
            func.restype = restype
            func.argtypes = argtypes
        self._lib = lib
        self._lock = threading.Lock()
        self._pcm: list[bytes] = []
        # ctypes does not keep the callback alive; espeak-ng would call freed memory.
        self._callback = _SynthCallback(self._on_audio)

        rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), _INITIALIZE_DONT_EXIT
        )
        if rate <= 0:
            raise EngineUnavailable(f"espeak-ng failed to initialize with its data in {data_path}")
        lib.espeak_SetSynthCallback(self._callback)
        self.sample_rate: int = rate
        self.default_rate_wpm: int = lib.espeak_GetParameter(_PARAM_RATE, 0)
        #: espeak-ng's own pitch and range, what None asks for below.
        self._own = {p: lib.espeak_GetParameter(p, 0) for p in (_PARAM_PITCH, _PARAM_RANGE)}
        version: bytes | None = lib.espeak_Info(None)
        self.version = version.decode("ascii", "replace") if version else "unknown"
        self._voice: str | None = None
        self._rate_wpm: int | None = None
        self._prosody: tuple[int | None, int | None] | None = None
        logger.debug(
            "loaded espeak-ng %s from %s (data %s, %d Hz)",
            self.version,
            library_path,
            data_path,
            rate,
        )

    def _on_audio(self, wav: Any, numsamples: int, events: Any) -> int:
        # wav is NULL at the end of synthesis; numsamples may be 0 mid-stream.
        if wav and numsamples > 0:
            self._pcm.append(ctypes.string_at(wav, numsamples * 2))
        return 0  # continue

    def _select(
        self, voice: str, rate_wpm: int, pitch: int | None = None, pitch_range: int | None = None
    ) -> None:
        """Make ``voice``, ``rate_wpm``, ``pitch`` and ``pitch_range`` current (None: espeak-ng's
        own); the caller holds the lock."""
        if voice != self._voice:
            self._voice = None
            code = self._lib.espeak_SetVoiceByName(voice.encode())
            if code != _EE_OK:
                raise EngineError(f"espeak-ng has no voice {voice!r} ({_error_name(code)})")
            self._voice = voice
            self._rate_wpm = None  # set them again after a voice change, to be sure
            self._prosody = None
        if rate_wpm != self._rate_wpm:
            code = self._lib.espeak_SetParameter(_PARAM_RATE, rate_wpm, 0)
            if code != _EE_OK:
                raise EngineError(f"espeak-ng refused the rate {rate_wpm} ({_error_name(code)})")
            self._rate_wpm = rate_wpm
        if (pitch, pitch_range) != self._prosody:
            self._prosody = None
            for param, value in ((_PARAM_PITCH, pitch), (_PARAM_RANGE, pitch_range)):
                wanted = self._own[param] if value is None else value
                code = self._lib.espeak_SetParameter(param, wanted, 0)
                if code != _EE_OK:
                    raise EngineError(f"espeak-ng refused {wanted} ({_error_name(code)})")
            self._prosody = (pitch, pitch_range)

    def check_voice(
        self, voice: str, rate_wpm: int, pitch: int | None = None, pitch_range: int | None = None
    ) -> None:
        """Raise EngineError unless espeak-ng can select ``voice`` at ``rate_wpm``."""
        with self._lock:
            self._select(voice, rate_wpm, pitch, pitch_range)

    def synthesize(
        self,
        text: str,
        voice: str,
        rate_wpm: int,
        pitch: int | None = None,
        pitch_range: int | None = None,
    ) -> bytes:
        """Speak ``text``; return mono signed 16-bit little-endian PCM at ``sample_rate``.

        ``pitch`` and ``pitch_range`` (0-100) are None for espeak-ng's own.
        """
        data = text.encode("utf-8", "replace") + b"\0"
        with self._lock:
            self._select(voice, rate_wpm, pitch, pitch_range)
            self._pcm = []
            code = self._lib.espeak_Synth(
                data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            if code == _EE_OK:
                code = self._lib.espeak_Synchronize()
            pcm = b"".join(self._pcm)
            self._pcm = []
        if code != _EE_OK:
            raise EngineError(f"espeak-ng failed to speak a chunk ({_error_name(code)})")
        if sys.byteorder == "big":  # pragma: no cover - espeak-ng writes native shorts
            samples = array("h", pcm)
            samples.byteswap()
            pcm = samples.tobytes()
        return pcm

    def phonemes(self, text: str, voice: str, mode: int) -> str:
        """espeak-ng's phonemes for ``text``, clause by clause, joined by spaces."""
        buffer = ctypes.create_string_buffer(text.encode("utf-8", "replace"))
        # espeak-ng advances this pointer past each clause it translates, and sets it
        # to NULL after the last; the returned string lives in a buffer it reuses.
        cursor = ctypes.c_void_p(ctypes.addressof(buffer))
        clauses: list[str] = []
        with self._lock:
            rate = self._rate_wpm if self._rate_wpm is not None else self.default_rate_wpm
            self._select(voice, rate)
            while cursor.value:
                before = cursor.value
                clause: bytes | None = self._lib.espeak_TextToPhonemes(
                    ctypes.byref(cursor), _CHARS_UTF8, mode
                )
                if clause:
                    clauses.append(clause.decode("utf-8", "replace").strip())
                if cursor.value == before:  # not advanced: stop rather than loop forever
                    break
        return " ".join(c for c in clauses if c)


_library: _Library | None = None
_library_lock = threading.Lock()


def _locate() -> tuple[str, str]:
    """Paths of the espeak-ng shared library and of its espeak-ng-data directory."""
    try:
        import espeakng_loader
    except ImportError as exc:
        raise EngineUnavailable(
            "espeak-ng is not installed: reinstall narrate (it needs espeakng-loader)"
        ) from exc
    library_path = str(espeakng_loader.get_library_path())
    try:
        data_path = str(espeakng_loader.get_data_path())
    except RuntimeError as exc:
        raise EngineUnavailable(f"espeak-ng data not found: {exc}") from exc
    if not Path(data_path, "phontab").is_file():
        raise EngineUnavailable(f"espeak-ng data is incomplete: no phontab in {data_path}")
    return library_path, data_path


def _get_library() -> _Library:
    """The process's espeak-ng, loaded and initialized on first use."""
    global _library
    with _library_lock:
        if _library is None:
            _library = _Library(*_locate())
        return _library


class EspeakEngine(EngineBase):
    """espeak-ng's voice, offline; Arabic (``ar``) by default.

    ``synthesize`` returns mono 16-bit audio at :attr:`sample_rate` (22,050 Hz),
    untrimmed (see the module notes on leading and trailing silence). Text that
    is empty or only whitespace gives an empty (0 ms) segment at that rate.
    """

    name = "espeak"
    about = "espeak-ng from the espeakng-loader wheel"
    # espeak-ng takes any length; 500 characters (a paragraph or two) keeps
    # cached chunks small at no measurable cost per call.
    #: espeak-ng reads undiacritized Arabic as consonant clusters: it needs tashkeel.
    text_needs = TextNeeds(max_chars=500, diacritics=True)
    #: Bound to the CPU: a worker process each. An engine pickles as its voice and rate; a
    #: worker unpickling it loads and initializes its own espeak-ng (see ``__reduce__``).
    parallel: Parallel = "processes"

    def __init__(self, voice: str = DEFAULT_VOICE, rate_wpm: int | None = None) -> None:
        """Load espeak-ng if needed and check ``voice``.

        ``rate_wpm`` is espeak-ng's nominal words per minute (80-450); None is narrate's
        :data:`DEFAULT_RATE_WPM` (250, about 135 Arabic words a minute in an episode).
        The voice speaks at :data:`DEFAULT_PITCH` and :data:`DEFAULT_RANGE`. Raises
        ValueError for a rate out of range, EngineUnavailable when espeak-ng
        cannot run here, EngineError for an unknown voice.
        """
        if rate_wpm is not None and not RATE_MIN_WPM <= rate_wpm <= RATE_MAX_WPM:
            raise ValueError(
                f"espeak-ng rate must be {RATE_MIN_WPM} to {RATE_MAX_WPM} words per minute,"
                f" not {rate_wpm}"
            )
        if not voice or "\0" in voice:
            raise EngineError(f"espeak-ng has no voice {voice!r}")
        self.voice = voice
        self.rate_wpm = rate_wpm
        self._library = _get_library()
        self._rate = rate_wpm if rate_wpm is not None else DEFAULT_RATE_WPM
        self.sample_rate: int = self._library.sample_rate
        self._library.check_voice(voice, self._rate, DEFAULT_PITCH, DEFAULT_RANGE)

    @classmethod
    def from_settings(cls, settings: EngineSettings) -> Self:
        """The voice (default ``ar``) and rate of ``settings``."""
        return cls(settings.voice or DEFAULT_VOICE, settings.rate_wpm)

    @property
    def voices(self) -> tuple[str, ...]:
        """espeak-ng's voices for the chosen voice's language (Arabic: ``("ar",)``)."""
        return voices(self.voice.split("-", 1)[0])

    def describe(self) -> str:
        """For example ``espeak-ng 1.52.0 (voice ar)`` or ``... (voice ar, 150 wpm)``."""
        rate = f", {self.rate_wpm} wpm" if self.rate_wpm is not None else ""
        return f"espeak-ng {self._library.version} (voice {self.voice}{rate})"

    def identity(self) -> dict[str, str]:
        """What decides the audio besides the text; the synthesis cache's key includes it.

        The voice data (dictionaries, phoneme tables) ship in the espeakng-loader wheel, so
        its version counts as well as the library's.
        """
        return {
            "engine": self.name,
            "library": f"espeak-ng {self._library.version}",
            "data": f"espeakng-loader {_loader_version()}",
            "voice": self.voice,
            "rate_wpm": str(self._rate),
            "pitch": str(DEFAULT_PITCH),
            "range": str(DEFAULT_RANGE),
        }

    def __reduce__(self) -> tuple[type[EspeakEngine], tuple[str, int | None]]:
        # Only the settings travel: the library handle belongs to this process, and the copy
        # made in another process loads that process's own espeak-ng.
        return (EspeakEngine, (self.voice, self.rate_wpm))

    def synthesize(self, text: str) -> AudioSegment:
        """Speak one chunk of text; raise EngineError if espeak-ng fails."""
        if not text.strip():
            pcm = b""
        else:
            # A NUL would end the C string early.
            text = text.replace("\0", " ")
            pcm = self._library.synthesize(
                text, self.voice, self._rate, DEFAULT_PITCH, DEFAULT_RANGE
            )
        return AudioSegment(data=pcm, sample_width=2, frame_rate=self.sample_rate, channels=1)


@functools.cache
def _loader_version() -> str:
    try:
        return importlib.metadata.version("espeakng-loader")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout
        return "unknown"


def phonemes(
    text: str, voice: str = DEFAULT_VOICE, *, ipa: bool = False, separator: str = ""
) -> str:
    """How espeak-ng would pronounce ``text`` with ``voice``, as phoneme names.

    Words are separated by single spaces, and so are clauses. With ``ipa`` the names
    are IPA characters; otherwise espeak-ng's ASCII names, those of its phoneme
    tables (``a:`` long a, ``H`` for ح, ``A`` for ع, ``'`` before a stressed
    vowel). ``separator``, one ASCII punctuation mark such as ``|``, goes between
    the phonemes of a word. Nothing is spoken. Raises ValueError for another
    separator, EngineUnavailable when espeak-ng cannot run here and EngineError for
    an unknown voice.
    """
    if not voice or "\0" in voice:
        raise EngineError(f"espeak-ng has no voice {voice!r}")
    if separator and not (len(separator) == 1 and separator in string.punctuation):
        raise ValueError(
            f"the phoneme separator must be one ASCII punctuation mark, not {separator!r}"
        )
    if not text.strip():
        return ""
    # phonememode: bit 1 asks for IPA, bits 8-23 hold the separator character.
    mode = (_PHONEMES_IPA if ipa else 0) | (ord(separator) << 8 if separator else 0)
    # A NUL would end the C string early.
    return _get_library().phonemes(text.replace("\0", " "), voice, mode)


class _Voice(ctypes.Structure):
    """espeak_VOICE from speak_lib.h; ``languages`` is (priority byte, NUL-ended name) pairs."""

    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


def _languages(address: int) -> list[str]:
    """The language names of an espeak_VOICE's ``languages`` list (ends with a 0 priority)."""
    names: list[str] = []
    while address and ctypes.string_at(address, 1) != b"\0":
        name = ctypes.string_at(address + 1)  # up to the NUL
        names.append(name.decode("ascii", "replace"))
        address += 2 + len(name)
    return names


def voices(language: str = "ar") -> tuple[str, ...]:
    """The names of espeak-ng's voices for ``language`` (and its dialects), e.g. ``("ar",)``.

    Each name is one :class:`EspeakEngine` accepts: the voice file's name. Raises
    EngineUnavailable when espeak-ng cannot run here.
    """
    library = _get_library()
    list_voices = library._lib.espeak_ListVoices
    list_voices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    list_voices.argtypes = [ctypes.c_void_p]
    found: list[str] = []
    with library._lock:
        table = list_voices(None)  # NULL-terminated; espeak-ng owns it
        index = 0
        while table and table[index]:
            voice = table[index].contents
            index += 1
            if any(
                n == language or n.startswith(f"{language}-") for n in _languages(voice.languages)
            ):
                identifier = (voice.identifier or b"").decode("utf-8", "replace")
                found.append(identifier.rsplit("/", 1)[-1])
    return tuple(found)

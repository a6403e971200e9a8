"""MBROLA's Arabic diphone voice (``mbrola-ar2``), driven through espeak-ng in a worker process.

espeak-ng turns the text into phonemes, lengths and pitch; the ``mbrola`` program turns
those into speech with the voice's recorded diphones. It is far more intelligible than
espeak-ng's own formant voice. The pieces are Debian packages: ``mbrola`` (contrib),
``mbrola-ar2`` (non-free: the voice may be used for non-commercial purposes only), and
``libespeak-ng1`` with ``espeak-ng-data`` (main). The espeak-ng wheel narrate uses for
:mod:`narrate.engines.espeak` is built without MBROLA support, so this engine uses
Debian's library (espeak-ng 1.51) and data.

**The missing ``R``.** espeak-ng's table that maps its Arabic phonemes to the voice's
(``mbrola_ph/ar2_phtrans``) has no entry for ``R``, the phoneme of every ر, nor for ``Q``,
the phoneme of غ; mbrola gets names it has no diphones for and puts silence there.
narrate never edits the system's files: it copies the few data files the voice needs
into its own directory (``mbrola`` in the user's cache folder for narrate), decompiles
the system's table back to espeak-ng's source format, appends the mappings of
:data:`VOICE_FIXES` that are missing, and recompiles it with espeak-ng's own
``espeak_ng_CompileMbrolaVoice``. That directory is built once per set of inputs, in a
temporary directory renamed into place, so concurrent builds cannot see half of one.

**Why a worker process.** espeak-ng keeps its state (data path, voice, output) in process
globals, and narrate may already have loaded the wheel's espeak-ng into this process. The
engine therefore runs Debian's library in a child Python process of its own and talks to
it over pipes: no second copy of espeak-ng's globals in narrate's process, mbrola's
warnings on stderr become log records instead of noise on the terminal, and a crash of
the C code is an :class:`EngineError`, not the end of the build. Each engine has its own
worker; ``parallel = "processes"`` engines are made once per pool process anyway.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import struct
import subprocess
import sys
import sysconfig
import tempfile
import threading
import weakref
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, Self

import platformdirs
from pydub import AudioSegment

from narrate.digest import unchanged_file_sha256
from narrate.engines.base import (
    PROBE_TIMEOUT,
    EngineBase,
    EngineSettings,
    EngineStatus,
    Parallel,
    ctrl_c_held,
    ignore_ctrl_c,
)
from narrate.engines.espeak import RATE_MAX_WPM, RATE_MIN_WPM, _Library
from narrate.errors import EngineError, EngineUnavailable, NarrateError
from narrate.models import TextNeeds

logger = logging.getLogger(__name__)

DEFAULT_VOICE = "ar2"
#: narrate's default rate, espeak-ng's nominal words a minute: espeak-ng's own, kept by
#: measurement (scripts/intelligibility, docs/benchmarks.md "Intelligibility"). It says about
#: 125 Arabic words a minute in an episode, pauses included, a little under a news presenter's
#: 130-150, but every step faster cost intelligibility (180, 185, 190 and 200 were each
#: understood worse). A flatter intonation, which helps espeak-ng's own voice, hurt this one.
DEFAULT_RATE_WPM = 175
#: The MBROLA voices espeak-ng speaks Arabic with (Debian packages mbrola-ar1, mbrola-ar2).
VOICES = ("ar2", "ar1")
#: espeak-ng phoneme -> MBROLA phoneme, added to ar2's table where it lacks them: ر (R)
#: and غ (Q) are otherwise silent. gH is the table's own name for غ, which espeak-ng's
#: Arabic rules do not produce; it is kept for a table that lacks it.
PHONEME_FIXES: tuple[tuple[str, str], ...] = (("R", "r"), ("Q", "G"), ("gH", "G"))
#: The fixes each voice gets by default. ar1 (16 kHz) has diphones for Q: only ر is silent.
VOICE_FIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "ar2": PHONEME_FIXES,
    "ar1": (("R", "r"),),
}

#: The Debian packages this engine needs.
PACKAGES = ("mbrola", "mbrola-ar2", "libespeak-ng1", "espeak-ng-data")
INSTALL_STEPS = (
    "enable Debian's contrib and non-free sections and run "
    f"`sudo apt-get install {' '.join(PACKAGES)}` (narrate's scripts/install-mbrola does both); "
    "the ar2 voice is licensed for non-commercial use only"
)

#: Bumped when the layout of narrate's copy of the data changes, to rebuild it.
_DATA_FORMAT = 1
#: What narrate copies from espeak-ng's data directory (besides the voice's own files);
#: en_dict because espeak-ng switches to English for words in Latin letters.
_DATA_FILES = ("phontab", "phonindex", "phondata", "intonations", "ar_dict", "en_dict")
_MULTIARCH = sysconfig.get_config_var("MULTIARCH") or ""
_LIBRARY_NAME = "libespeak-ng.so.1"
_LIBRARY_DIRS = (
    *([f"/usr/lib/{_MULTIARCH}"] if _MULTIARCH else []),
    "/usr/lib64",
    "/usr/lib",
    "/usr/local/lib",
)
_VOICE_NAME = re.compile(r"[a-z]{2,3}[0-9]{0,2}")
# espeak-ng packs a phoneme name into 4 bytes; "NULL" and "VWL" mean something else there.
_PHONEME_NAME = re.compile(r"(?!NULL$|VWL$)[!-~]{1,4}")

# The MBROLA_TAB records of a compiled table (mbrola.h): six 32-bit ints each.
_RECORD = struct.Struct("<iIiiii")
_NEXT_NAMES = {0: "NULL", 2: "VWL"}  # the special values of next_phoneme

# Frames between the engine and its worker: kind (1 byte), length (4 bytes), payload.
_FRAME = struct.Struct("<cI")
_HELLO, _AUDIO, _ERROR, _SPEAK = b"H", b"A", b"E", b"S"
_STDERR_LINES = 20  # the worker's last stderr lines, quoted when it dies


def _cache_root() -> Path:
    """Where narrate keeps its copies of espeak-ng's data: beside the synthesis cache."""
    return Path(platformdirs.user_cache_dir("narrate", appauthor=False)) / "mbrola"


def _data_dirs() -> list[str]:
    return (os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":")


def find_voice_file(voice: str) -> Path | None:
    """The MBROLA voice file for ``voice``, found where espeak-ng looks for it, or None.

    For each directory of ``$XDG_DATA_DIRS`` (default ``/usr/local/share:/usr/share``):
    ``mbrola/<voice>``, ``mbrola/<voice>/<voice>``, ``mbrola/voices/<voice>``.
    """
    for base in filter(None, _data_dirs()):
        for candidate in (
            Path(base, "mbrola", voice),
            Path(base, "mbrola", voice, voice),
            Path(base, "mbrola", "voices", voice),
        ):
            if candidate.is_file() and candidate.stat().st_size > 0:
                return candidate
    return None


def _find_library() -> Path | None:
    for directory in _LIBRARY_DIRS:
        candidate = Path(directory, _LIBRARY_NAME)
        if candidate.is_file():
            return candidate
    return None


def _find_espeak_data(library: Path, voice: str) -> Path | None:
    """espeak-ng's data directory that has the MBROLA voice definition and table for ``voice``."""
    candidates = [
        library.resolve().parent / "espeak-ng-data",  # Debian: /usr/lib/<multiarch>/
        Path("/usr/share/espeak-ng-data"),
        Path("/usr/local/share/espeak-ng-data"),
    ]
    for data in candidates:
        needed = [data / "phontab", data / "voices" / "mb" / f"mb-{voice}"]
        needed.append(data / "mbrola_ph" / f"{voice}_phtrans")
        if all(path.is_file() for path in needed):
            return data
    return None


@functools.cache
def mbrola_version(program: str) -> str:
    """The version the ``mbrola`` program prints in its banner, e.g. ``3.02b``."""
    try:
        run = subprocess.run([program], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise EngineUnavailable(f"cannot run {program}: {exc}") from exc
    found = re.search(r"MBROLA\s+(\S+)", run.stdout + run.stderr)
    return found.group(1) if found else "unknown"


@dataclass(frozen=True)
class _Setup:
    """Everything the worker needs, found and checked in the engine's process (JSON-able)."""

    voice: str
    rate_wpm: int | None
    voice_file: str
    library: str
    espeak_data: str
    data_root: str
    fixes: tuple[tuple[str, str], ...]


def _locate(
    voice: str,
    voice_file: Path | None,
    library: Path | None,
    data_root: Path | None,
    fixes: Sequence[tuple[str, str]],
    rate_wpm: int | None,
) -> tuple[_Setup, str]:
    """Find the pieces, or raise EngineUnavailable naming the first that is missing."""
    program = shutil.which("mbrola")
    if program is None:
        raise EngineUnavailable(f"the mbrola program is not installed: {INSTALL_STEPS}")
    if voice_file is None:
        voice_file = find_voice_file(voice)
        if voice_file is None:
            dirs = ", ".join(f"{d}/mbrola" for d in _data_dirs() if d)
            raise EngineUnavailable(
                f"the MBROLA voice {voice} is not installed (not found in {dirs}): {INSTALL_STEPS}"
            )
    elif not voice_file.is_file():
        raise EngineUnavailable(
            f"the MBROLA voice file {voice_file} does not exist: {INSTALL_STEPS}"
        )
    library = library or _find_library()
    if library is None or not library.is_file():
        where = library or " or ".join(_LIBRARY_DIRS)
        raise EngineUnavailable(
            f"espeak-ng's system library ({_LIBRARY_NAME}) is not in {where}: {INSTALL_STEPS}"
        )
    espeak_data = _find_espeak_data(library, voice)
    if espeak_data is None:
        raise EngineUnavailable(
            f"espeak-ng's data has no MBROLA voice {voice} (voices/mb/mb-{voice}, "
            f"mbrola_ph/{voice}_phtrans): "
            f"{INSTALL_STEPS}"
        )
    setup = _Setup(
        voice=voice,
        rate_wpm=rate_wpm,
        voice_file=str(voice_file.resolve()),
        library=str(library),
        espeak_data=str(espeak_data),
        data_root=str(data_root or _cache_root()),
        fixes=tuple((str(a), str(b)) for a, b in fixes),
    )
    return setup, program


# --- espeak-ng's compiled MBROLA tables ---------------------------------------------------


def _word(value: int) -> str:
    """A phoneme name packed into an int by espeak-ng: up to 4 characters, low byte first."""
    return (value & 0xFFFFFFFF).to_bytes(4, "little").rstrip(b"\0").decode("ascii", "replace")


def decompile_table(data: bytes) -> str:
    """A compiled MBROLA phoneme table (``mbrola_ph/*_phtrans``) in espeak-ng's source format.

    Compiling the result with ``espeak_ng_CompileMbrolaVoice`` gives ``data`` back. Each
    line reads: control, espeak-ng phoneme, next phoneme (or NULL/VWL), percent, MBROLA
    phoneme(s); the first line sets the volume. Raises ValueError for a malformed table.
    """
    if len(data) < 4 + _RECORD.size or (len(data) - 4) % _RECORD.size:
        raise ValueError(f"not an espeak-ng MBROLA table ({len(data)} bytes)")
    (volume,) = struct.unpack_from("<i", data)
    lines = [f"volume {volume}"]
    for name, following, mbr1, mbr2, percent, control in _RECORD.iter_unpack(data[4:]):
        if name == 0:  # the terminator
            return "\n".join(lines) + "\n"
        fields = [
            str(control),
            _word(name),
            _NEXT_NAMES.get(following) or _word(following),
            str(percent),
            _word(mbr1) if mbr1 else "NULL",
        ]
        if mbr2:
            fields.append(_word(mbr2))
        lines.append(" ".join(fields))
    raise ValueError("not an espeak-ng MBROLA table (no terminating record)")


def add_fixes(source: str, fixes: Sequence[tuple[str, str]]) -> tuple[str, list[str]]:
    """``source`` (a table in source form) with a mapping for each phoneme of ``fixes`` it lacks.

    Returns the new source and the phonemes added.

    >>> add_fixes("volume 14\\n0 r NULL 0 r\\n", [("R", "r"), ("r", "r")])
    ('volume 14\\n0 r NULL 0 r\\n0 R NULL 0 r\\n', ['R'])
    """
    mapped = {line.split()[1] for line in source.splitlines() if line.split()[:1] != ["volume"]}
    added = [phoneme for phoneme, _ in fixes if phoneme not in mapped]
    extra = "".join(f"0 {p} NULL 0 {m}\n" for p, m in fixes if p in added)
    return source + extra, added


def _compile(library: ctypes.CDLL, data_dir: Path, source: Path) -> None:
    """Compile ``source`` into ``data_dir/mbrola_ph/<name>_phtrans`` with espeak-ng's compiler."""
    try:
        compile_voice = library.espeak_ng_CompileMbrolaVoice
    except AttributeError:
        raise EngineUnavailable(
            "this espeak-ng library was built without MBROLA support "
            f"(no espeak_ng_CompileMbrolaVoice): {INSTALL_STEPS}"
        ) from None
    library.espeak_ng_InitializePath.argtypes = [ctypes.c_char_p]
    library.espeak_ng_InitializePath.restype = None
    compile_voice.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    compile_voice.restype = ctypes.c_int
    library.espeak_ng_InitializePath(str(data_dir).encode())
    context = ctypes.c_void_p()
    status = compile_voice(str(source).encode(), None, ctypes.byref(context))
    if context.value:
        library.espeak_ng_ClearErrorContext(ctypes.byref(context))
    if status != 0:
        message = ctypes.create_string_buffer(512)
        library.espeak_ng_GetStatusCodeMessage(status, message, len(message))
        raise EngineError(
            f"espeak-ng could not compile {source}: {message.value.decode(errors='replace')}"
        )


def prepare_data(setup: _Setup, library: ctypes.CDLL) -> tuple[Path, list[str]]:
    """narrate's copy of espeak-ng's data for the voice, with the phoneme fixes compiled in.

    Built once per set of inputs under ``setup.data_root``; returns the directory and the
    phonemes the fixes added (empty when it already existed).
    """
    voice = setup.voice
    system = Path(setup.espeak_data)
    copied = [system / name for name in _DATA_FILES if (system / name).is_file()]
    definition = system / "voices" / "mb" / f"mb-{voice}"
    table = system / "mbrola_ph" / f"{voice}_phtrans"
    key_parts: dict[str, Any] = {
        "format": _DATA_FORMAT,
        "library": str(Path(setup.library).resolve()),
        "voice_file": setup.voice_file,
        "fixes": setup.fixes,
        "files": [
            (str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in [*copied, definition, table]
        ],
    }
    key = hashlib.sha256(json.dumps(key_parts, sort_keys=True).encode()).hexdigest()[:16]
    root = Path(setup.data_root)
    final = root / f"{voice}-{key}"
    if (final / "mbrola_ph" / f"{voice}_phtrans").is_file():
        return final, []

    try:
        root.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix=f".{voice}-{key}-", dir=root))
    except OSError as exc:
        raise EngineError(f"cannot build MBROLA data in {root}: {exc}") from exc
    try:
        for path in copied:
            shutil.copyfile(path, build / path.name)
        (build / "voices" / "mb").mkdir(parents=True)
        shutil.copyfile(definition, build / "voices" / "mb" / definition.name)
        # espeak-ng looks for the voice in <data>/mbrola/<voice> first.
        (build / "mbrola").mkdir()
        (build / "mbrola" / voice).symlink_to(setup.voice_file)
        (build / "mbrola_ph").mkdir()
        try:
            source_text = decompile_table(table.read_bytes())
        except ValueError as exc:
            raise EngineError(f"cannot read {table}: {exc}") from exc
        fixed, added = add_fixes(source_text, setup.fixes)
        source = build / "phsource" / "mbrola" / voice
        source.parent.mkdir(parents=True)
        source.write_text(fixed, encoding="ascii")
        _compile(library, build, source)
        if not (build / "mbrola_ph" / f"{voice}_phtrans").is_file():
            raise EngineError(f"espeak-ng compiled {source} but wrote no {voice}_phtrans")
        try:
            build.rename(final)
        except OSError:
            if not final.is_dir():  # another process finishing first is fine; anything else not
                raise
            added = []
        else:
            logger.info("built %s (added mappings for %s)", final, ", ".join(added) or "nothing")
    except OSError as exc:
        raise EngineError(f"cannot build MBROLA data in {root}: {exc}") from exc
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return final, added


# --- the worker process --------------------------------------------------------------------


class _MbrolaLibrary(_Library):
    """Debian's espeak-ng (built with MBROLA support), initialized on narrate's data copy."""

    def current_sample_rate(self) -> int:
        """The sample rate of the selected voice: an MBROLA voice has its own."""
        get_rate = self._lib.espeak_ng_GetSampleRate
        get_rate.restype = ctypes.c_int
        get_rate.argtypes = []
        rate: int = get_rate()
        return rate


def _write_frame(stream: IO[bytes], kind: bytes, payload: bytes) -> None:
    stream.write(_FRAME.pack(kind, len(payload)) + payload)
    stream.flush()


def _read_exact(stream: IO[bytes], size: int) -> bytes | None:
    """``size`` bytes, or None at the end of the stream."""
    data = b""
    while len(data) < size:
        block = stream.read(size - len(data))
        if not block:
            return None
        data += block
    return data


def _read_frame(stream: IO[bytes]) -> tuple[bytes, bytes] | None:
    header = _read_exact(stream, _FRAME.size)
    if header is None:
        return None
    kind, length = _FRAME.unpack(header)
    payload = _read_exact(stream, length) if length else b""
    if payload is None:
        return None
    return kind, payload


def _serve(setup: _Setup, requests: IO[bytes], replies: IO[bytes]) -> int:
    """The worker: prepare the data, start espeak-ng with the voice, speak until stdin closes."""
    voice = f"mb-{setup.voice}"
    try:
        raw = ctypes.CDLL(setup.library)
        data_dir, added = prepare_data(setup, raw)
        library = _MbrolaLibrary(setup.library, str(data_dir))
        rate = setup.rate_wpm if setup.rate_wpm is not None else DEFAULT_RATE_WPM
        library.check_voice(voice, rate)
        table = data_dir / "mbrola_ph" / f"{setup.voice}_phtrans"
        hello = {
            "sample_rate": library.current_sample_rate(),
            "espeak_version": library.version,
            "rate_wpm": rate,
            "data_dir": str(data_dir),
            "table_sha256": hashlib.sha256(table.read_bytes()).hexdigest(),
            "added": added,
        }
    except (NarrateError, OSError) as exc:
        _write_frame(replies, _ERROR, str(exc).encode())
        return 1
    _write_frame(replies, _HELLO, json.dumps(hello).encode())
    while (frame := _read_frame(requests)) is not None:
        _, payload = frame
        try:
            pcm = library.synthesize(payload.decode("utf-8"), voice, rate)
        except NarrateError as exc:
            _write_frame(replies, _ERROR, str(exc).encode())
        else:
            _write_frame(replies, _AUDIO, pcm)
    return 0


def _worker_main(argv: list[str]) -> int:
    # Ctrl-C in the terminal reaches the whole process group: the engine decides, not us.
    # (Until now SIGINT was blocked: the engine started this process with it held.)
    ignore_ctrl_c()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    raw = json.loads(argv[0])
    raw["fixes"] = tuple(tuple(pair) for pair in raw["fixes"])
    # The pipe to the engine gets its own descriptor; anything the C libraries print to
    # stdout goes to stderr (and the engine's log) instead of into the audio.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    return _serve(_Setup(**raw), sys.stdin.buffer, replies)


class _Worker:
    """The engine's child process and the pipes to it.

    Every wait for it is bounded by ``timeout`` seconds: a worker that does not answer in
    time is killed, and the wait ends as if it had died.
    """

    def __init__(self, setup: _Setup, timeout: float) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        self.timeout = timeout
        self.timed_out = False
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=_STDERR_LINES)
        try:
            # -P: the working directory does not come first on the worker's path (a folder
            # there named narrate would be imported instead of this package). Started with
            # Ctrl-C held: it ignores Ctrl-C once it runs, not half-way through its imports.
            with ctrl_c_held():
                self.process = subprocess.Popen(
                    [sys.executable, "-P", "-m", "narrate.engines.mbrola",
                     json.dumps(asdict(setup))],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=env,
                )  # fmt: skip
        except OSError as exc:
            raise EngineUnavailable(f"cannot start the MBROLA worker: {exc}") from exc
        self._stderr_reader = threading.Thread(
            target=self._drain_stderr, name="mbrola-stderr", daemon=True
        )
        self._stderr_reader.start()
        self._finalizer = weakref.finalize(self, _stop, self.process)
        frame = self._receive()
        if frame is None:
            why = self.failure()
            self.close()
            raise EngineUnavailable(f"the MBROLA worker did not start ({why})")
        kind, payload = frame
        if kind != _HELLO:
            self.close()
            raise EngineUnavailable(payload.decode("utf-8", "replace"))
        self.hello: dict[str, Any] = json.loads(payload)

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in iter(self.process.stderr.readline, b""):
            text = line.decode("utf-8", "replace").rstrip()
            if text:
                self.stderr_tail.append(text)
                logger.debug("mbrola worker: %s", text)

    def _kill(self) -> None:
        self.timed_out = True
        self.process.kill()

    def _receive(self) -> tuple[bytes, bytes] | None:
        assert self.process.stdout is not None
        timer = threading.Timer(self.timeout, self._kill)
        timer.start()
        try:
            return _read_frame(self.process.stdout)
        finally:
            timer.cancel()

    def request(self, text: str) -> tuple[bytes, bytes] | None:
        """Send one chunk; the worker's answer, or None when it has died."""
        assert self.process.stdin is not None
        try:
            _write_frame(self.process.stdin, _SPEAK, text.encode("utf-8", "replace"))
        except OSError:  # BrokenPipeError: it has gone
            return None
        return self._receive()

    def failure(self) -> str:
        """Why the worker stopped, as far as its exit code and stderr tell."""
        if self.timed_out:
            return f"no answer within {self.timeout:g} s"
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "it stopped answering"
        self._stderr_reader.join(timeout=1)
        tail = " | ".join(list(self.stderr_tail)[-3:])
        return f"exit code {code}" + (f": {tail}" if tail else "")

    def close(self) -> None:
        self._finalizer()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End a worker: closing its stdin makes it exit; kill it if it does not."""
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- the engine -----------------------------------------------------------------------------


class MbrolaEngine(EngineBase):
    """MBROLA's Arabic voice (``ar2`` by default) through espeak-ng, offline.

    ``synthesize`` returns mono 16-bit audio at :attr:`sample_rate` (the voice's own:
    22,050 Hz for ar2), untrimmed; empty or blank text gives an empty segment. Call
    :meth:`close` (or use the engine as a context manager) to end its worker process
    early; otherwise it ends when the engine is garbage-collected or the program exits.
    """

    name = "mbrola"
    about = "MBROLA's Arabic voice through Debian's espeak-ng"
    text_needs = TextNeeds(max_chars=500, diacritics=True)  # espeak-ng reads the text
    parallel: Parallel = "processes"

    def __init__(
        self,
        voice: str = DEFAULT_VOICE,
        rate_wpm: int | None = None,
        *,
        voice_file: Path | None = None,
        fixes: Sequence[tuple[str, str]] | None = None,
        data_root: Path | None = None,
        library: Path | None = None,
        timeout: float = 60.0,
    ) -> None:
        """Find MBROLA, the voice and Debian's espeak-ng, and start the worker.

        ``rate_wpm`` is espeak-ng's nominal words per minute (80-450), None for narrate's
        :data:`DEFAULT_RATE_WPM` (175). ``voice_file`` overrides where the MBROLA voice is
        looked for; ``fixes`` are the phoneme mappings to add (see the module notes; None:
        the voice's :data:`VOICE_FIXES`, else ``(("R", "r"),)``); ``data_root`` is where
        narrate's copy of espeak-ng's data goes; ``timeout`` bounds, in seconds, the
        wait for the worker to start and for each chunk. Raises ValueError for a bad
        rate, voice name or fix, EngineUnavailable when a piece is missing (with the
        install steps) or the worker cannot start.
        """
        if rate_wpm is not None and not RATE_MIN_WPM <= rate_wpm <= RATE_MAX_WPM:
            raise ValueError(
                f"the MBROLA rate must be {RATE_MIN_WPM} to {RATE_MAX_WPM} words per minute,"
                f" not {rate_wpm}"
            )
        if not _VOICE_NAME.fullmatch(voice):
            raise ValueError(f"not an MBROLA voice name: {voice!r} (try one of {VOICES})")
        if fixes is None:
            fixes = VOICE_FIXES.get(voice, (("R", "r"),))
        for pair in fixes:
            if len(pair) != 2 or not all(_PHONEME_NAME.fullmatch(name) for name in pair):
                raise ValueError(
                    f"a phoneme fix is two names of 1-4 ASCII letters/marks, not {pair!r}"
                )
        if timeout <= 0:
            raise ValueError("the timeout must be positive")
        self.voice = voice
        self.rate_wpm = rate_wpm
        self._setup, self._program = _locate(voice, voice_file, library, data_root, fixes, rate_wpm)
        self._timeout = timeout
        self._lock = threading.Lock()
        self._worker: _Worker | None = _Worker(self._setup, timeout)
        hello = self._worker.hello
        self.sample_rate: int = int(hello["sample_rate"])
        self.espeak_version: str = str(hello["espeak_version"])
        self.data_dir = Path(hello["data_dir"])
        self._rate = int(hello["rate_wpm"])
        self._table_sha256 = str(hello["table_sha256"])
        self.mbrola_version = mbrola_version(self._program)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # A pickled engine (sent to a pool process) starts its own worker there.
        return _rebuild, (self._setup, self._timeout)

    @classmethod
    def from_settings(cls, settings: EngineSettings) -> Self:
        """The voice (default ``ar2``) and rate of ``settings``; EngineError for ones it lacks."""
        try:
            return cls(settings.voice or DEFAULT_VOICE, settings.rate_wpm)
        except ValueError as exc:
            raise EngineError(f"{cls.name}: {exc}") from None

    @classmethod
    def status(cls, check_network: bool = True, timeout: float = PROBE_TIMEOUT) -> EngineStatus:
        """Usable when its default voice (or another installed one) starts; the licence noted."""
        detail = f"{cls.about}, offline; non-commercial licence"
        found = mbrola_voices()
        voice = DEFAULT_VOICE if DEFAULT_VOICE in found or not found else found[0]
        try:
            with MbrolaEngine(voice) as engine:
                described = engine.describe()
        except EngineError as exc:
            return EngineStatus(cls.name, False, detail, found, str(exc))
        detail = f"{described}, offline; the voice's licence is non-commercial"
        return EngineStatus(cls.name, True, detail, found, None)

    @property
    def voices(self) -> tuple[str, ...]:
        """The Arabic MBROLA voices installed here."""
        return mbrola_voices()

    def describe(self) -> str:
        """For example ``MBROLA 3.02b (voice ar2, espeak-ng 1.51)`` or ``... 150 wpm)``."""
        rate = f", {self.rate_wpm} wpm" if self.rate_wpm is not None else ""
        voice = f"voice {self.voice}, espeak-ng {self.espeak_version}{rate}"
        return f"MBROLA {self.mbrola_version} ({voice})"

    def identity(self) -> dict[str, str]:
        """Engine, voice (and its file's checksum), rate, versions and the phoneme table used."""
        return {
            "engine": self.name,
            "voice": self.voice,
            "voice_sha256": unchanged_file_sha256(Path(self._setup.voice_file)),
            "rate_wpm": str(self._rate),
            "mbrola": self.mbrola_version,
            "espeak_ng": self.espeak_version,
            "phoneme_table_sha256": self._table_sha256,
        }

    def synthesize(self, text: str) -> AudioSegment:
        """Speak one chunk of text; raise EngineError if espeak-ng, mbrola or the worker fails.

        A worker that died is started again for the next chunk.
        """
        if not text.strip():
            return self._audio(b"")
        with self._lock:
            if self._worker is None:
                self._worker = _Worker(self._setup, self._timeout)
            worker = self._worker
            # A NUL would end the C string early.
            answer = worker.request(text.replace("\0", " "))
            if answer is None:
                self._worker = None
                why = worker.failure()
                worker.close()
                raise EngineError(f"the MBROLA worker stopped ({why})")
        kind, payload = answer
        if kind != _AUDIO:
            raise EngineError(payload.decode("utf-8", "replace"))
        if sys.byteorder == "big":  # pragma: no cover - espeak-ng writes native shorts
            raise EngineError("the MBROLA engine supports little-endian machines only")
        return self._audio(payload)

    def close(self) -> None:
        """End the worker process (a later ``synthesize`` starts a new one)."""
        with self._lock:
            if self._worker is not None:
                self._worker.close()
                self._worker = None

    def _audio(self, pcm: bytes) -> AudioSegment:
        return AudioSegment(data=pcm, sample_width=2, frame_rate=self.sample_rate, channels=1)


def _rebuild(setup: _Setup, timeout: float) -> MbrolaEngine:
    return MbrolaEngine(
        setup.voice,
        setup.rate_wpm,
        voice_file=Path(setup.voice_file),
        fixes=setup.fixes,
        data_root=Path(setup.data_root),
        library=Path(setup.library),
        timeout=timeout,
    )


def mbrola_voices() -> tuple[str, ...]:
    """The Arabic MBROLA voices installed here (of :data:`VOICES`), whether or not usable."""
    return tuple(v for v in VOICES if find_voice_file(v) is not None)


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))

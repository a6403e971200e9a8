"""Installing a piper voice from a local server laid out as rhasspy/piper-voices is.

The server (http.server on 127.0.0.1, in a thread) serves a ``voices.json`` in piper-voices'
format and the voice's files, honours ``Range``, and can be told to cut a connection short,
to ignore ``Range`` or to refuse it, so that every path of a resumed download really runs.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from narrate.engines.voicefiles import (
    DEFAULT_BASE_URL,
    install_voice,
    installed_voices,
    voice_folder,
)
from narrate.errors import EngineError

NAME = "ar_JO-kareem-medium"
ROOT = "ar/ar_JO/kareem/medium"
MODEL = f"{ROOT}/{NAME}.onnx"
CONFIG = f"{ROOT}/{NAME}.onnx.json"
CARD = f"{ROOT}/MODEL_CARD"


def _bytes(size: int, seed: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}-{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


FILES = {
    MODEL: _bytes(300_000, 1),
    CONFIG: json.dumps({"audio": {"sample_rate": 22050}, "espeak": {"voice": "ar"}}).encode(),
    CARD: b"# Model card for kareem (medium)\n",
    f"{ROOT}/samples/speaker_0.mp3": b"not fetched",
}


def entry(name: str, files: dict[str, bytes], aliases: list[str] | None = None) -> dict[str, Any]:
    """A voice as piper-voices' voices.json lists it."""
    language, speaker, quality = name.split("-")
    family, region = language.split("_")
    return {
        "key": name,
        "name": speaker,
        "language": {
            "code": language,
            "family": family,
            "region": region,
            "name_native": "العربية",
            "name_english": "Arabic",
            "country_english": "Jordan",
        },
        "quality": quality,
        "num_speakers": 1,
        "speaker_id_map": {},
        "files": {
            path: {"size_bytes": len(data), "md5_digest": hashlib.md5(data).hexdigest()}
            for path, data in files.items()
            if "/samples/" not in path
        },
        "aliases": aliases or [],
    }


@dataclass
class Voices:
    """What the server serves and how it misbehaves; the requests it got."""

    files: dict[str, bytes]
    index: dict[str, Any]
    #: path -> bytes sent before the connection is cut, on that path's first request only.
    cut_after: dict[str, int] = field(default_factory=dict)
    ignore_range: bool = False
    refuse_range: bool = False
    requests: list[tuple[str, str | None]] = field(default_factory=list)

    def asked(self, path: str) -> list[str | None]:
        """The Range headers of the requests for ``path``."""
        return [wanted for got, wanted in self.requests if got == path]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    voices: Voices

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        voices = self.server.voices  # type: ignore[attr-defined]
        path = self.path.lstrip("/")
        wanted = self.headers.get("Range")
        voices.requests.append((path, wanted))
        if path == "voices.json":
            return self.reply(200, json.dumps(voices.index).encode())
        data = voices.files.get(path)
        if data is None:
            return self.reply(404, b"Entry not found")
        start = 0
        if wanted and not voices.ignore_range:
            if voices.refuse_range:
                return self.reply(416, b"")
            start = int(re.fullmatch(r"bytes=(\d+)-", wanted).group(1))  # type: ignore[union-attr]
            if start >= len(data):
                return self.reply(416, b"")
        body = data[start:]
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        cut = voices.cut_after.pop(path, None)
        if cut is not None:  # a dropped connection: part of the body, then nothing
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(body)

    def reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def voices() -> Voices:
    return Voices(dict(FILES), {NAME: entry(NAME, FILES, ["ar-kareem-medium"])})


@pytest.fixture
def server(voices: Voices) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.voices = voices  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_voice_is_installed_with_its_config_and_model_card(
    server: str, voices: Voices, tmp_path: Path
) -> None:
    folder = tmp_path / "voices"
    seen: list[tuple[int, int]] = []
    model = install_voice(
        NAME, base_url=server, folder=folder, progress=lambda d, t: seen.append((d, t))
    )
    assert model == folder / f"{NAME}.onnx"
    assert names(folder) == [f"{NAME}.MODEL_CARD", f"{NAME}.onnx", f"{NAME}.onnx.json"]
    assert model.read_bytes() == FILES[MODEL]
    assert (folder / f"{NAME}.onnx.json").read_bytes() == FILES[CONFIG]
    assert (folder / f"{NAME}.MODEL_CARD").read_bytes() == FILES[CARD]
    assert installed_voices(folder) == (NAME,)
    total = len(FILES[MODEL]) + len(FILES[CONFIG]) + len(FILES[CARD])
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert {path for path, _ in voices.requests} == {"voices.json", MODEL, CONFIG, CARD}
    # Installed again: every file is checked in place, none fetched.
    voices.requests.clear()
    install_voice(NAME, base_url=server.rstrip("/"), folder=folder)
    assert voices.requests == [("voices.json", None)]


def test_an_alias_installs_the_voice_under_its_name(server: str, tmp_path: Path) -> None:
    model = install_voice("ar-kareem-medium", base_url=server, folder=tmp_path)
    assert model == tmp_path / f"{NAME}.onnx"


def test_a_checksum_mismatch_leaves_nothing_in_place(
    server: str, voices: Voices, tmp_path: Path
) -> None:
    listed = voices.index[NAME]["files"]
    listed[MODEL]["md5_digest"] = "0" * 32
    with pytest.raises(EngineError) as caught:
        install_voice(NAME, base_url=server, folder=tmp_path)
    got = hashlib.md5(FILES[MODEL]).hexdigest()
    assert str(caught.value) == (
        f"{MODEL} is damaged: its MD5 is {got}, the list of voices says {'0' * 32}; "
        "nothing was installed"
    )
    assert f"{NAME}.onnx" not in names(tmp_path)
    assert f"{NAME}.onnx.part" not in names(tmp_path)
    assert f"{NAME}.onnx.json" not in names(tmp_path)  # the voice's files go in together
    assert installed_voices(tmp_path) == ()


def test_an_interrupted_download_resumes_where_it_stopped(
    server: str, voices: Voices, tmp_path: Path
) -> None:
    voices.cut_after[MODEL] = 120_000
    with pytest.raises(EngineError) as caught:
        install_voice(NAME, base_url=server, folder=tmp_path)
    assert str(caught.value) == (
        f"the download of {MODEL} stopped at 120000 of 300000 bytes: "
        "run the command again to resume it"
    )
    part = tmp_path / f"{NAME}.onnx.part"
    assert part.stat().st_size == 120_000
    assert f"{NAME}.onnx" not in names(tmp_path) and installed_voices(tmp_path) == ()

    install_voice(NAME, base_url=server, folder=tmp_path)
    assert voices.asked(MODEL) == [None, "bytes=120000-"]
    assert (tmp_path / f"{NAME}.onnx").read_bytes() == FILES[MODEL]
    assert not part.exists()
    assert installed_voices(tmp_path) == (NAME,)


@pytest.mark.parametrize("misbehaviour", ["ignore_range", "refuse_range"])
def test_a_server_that_will_not_resume_gets_a_clean_restart(
    server: str, voices: Voices, tmp_path: Path, misbehaviour: str
) -> None:
    voices.cut_after[MODEL] = 50_000
    with pytest.raises(EngineError, match="stopped at 50000 of 300000 bytes"):
        install_voice(NAME, base_url=server, folder=tmp_path)
    setattr(voices, misbehaviour, True)  # answers a Range with the whole file (200), or 416
    install_voice(NAME, base_url=server, folder=tmp_path)
    assert voices.asked(MODEL)[:2] == [None, "bytes=50000-"]
    assert (tmp_path / f"{NAME}.onnx").read_bytes() == FILES[MODEL]
    assert not (tmp_path / f"{NAME}.onnx.part").exists()


def test_a_part_longer_than_the_file_is_started_again(
    server: str, voices: Voices, tmp_path: Path
) -> None:
    (tmp_path / f"{NAME}.onnx.part").write_bytes(b"x" * 400_000)
    install_voice(NAME, base_url=server, folder=tmp_path)
    assert voices.asked(MODEL) == [None]
    assert (tmp_path / f"{NAME}.onnx").read_bytes() == FILES[MODEL]


def test_a_changed_voice_replaces_the_old_files_in_one_rename(
    server: str, voices: Voices, tmp_path: Path
) -> None:
    install_voice(NAME, base_url=server, folder=tmp_path)
    new = _bytes(250_000, 2)
    voices.files[MODEL] = new
    voices.index[NAME] = entry(NAME, voices.files)
    install_voice(NAME, base_url=server, folder=tmp_path)
    assert (tmp_path / f"{NAME}.onnx").read_bytes() == new


def test_an_unknown_voice_names_the_close_ones(server: str, voices: Voices, tmp_path: Path) -> None:
    for other in ("ar_JO-kareem-low", "en_US-joe-medium"):
        voices.index[other] = entry(other, FILES)
    with pytest.raises(EngineError) as caught:
        install_voice("ar_JO-karim-medium", base_url=server, folder=tmp_path)
    assert str(caught.value) == (
        "piper-voices has no voice 'ar_JO-karim-medium': did you mean ar_JO-kareem-medium, "
        "ar_JO-kareem-low?"
    )
    with pytest.raises(EngineError, match=r"'kareem': did you mean ar_JO-kareem-low, ar_JO-k"):
        install_voice("kareem", base_url=server, folder=tmp_path)
    with pytest.raises(EngineError, match=r"^piper-voices has no voice 'zz'$"):
        install_voice("zz", base_url=server, folder=tmp_path)
    assert names(tmp_path) == []


def test_network_failures_are_one_line(server: str, voices: Voices, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/"
    with pytest.raises(EngineError) as caught:
        install_voice(NAME, base_url=closed, folder=tmp_path, timeout=5)
    message = str(caught.value)
    assert message.startswith(f"cannot fetch the list of piper voices {closed}voices.json: ")
    assert "\n" not in message
    del voices.files[MODEL]
    with pytest.raises(EngineError, match=rf"^cannot download {server}{MODEL}: HTTP 404 "):
        install_voice(NAME, base_url=server, folder=tmp_path)
    assert installed_voices(tmp_path) == ()


def test_the_voice_folder_is_in_narrates_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NARRATE_DATA_DIR", str(tmp_path))
    assert voice_folder() == tmp_path / "voices"
    monkeypatch.delenv("NARRATE_DATA_DIR")
    assert voice_folder().name == "voices" and "narrate" in str(voice_folder())
    assert DEFAULT_BASE_URL == "https://huggingface.co/rhasspy/piper-voices/resolve/main/"

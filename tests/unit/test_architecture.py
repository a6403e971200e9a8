"""The package's shape holds: stages import downwards, no cycles, nothing loaded behind importlib.

The layer contracts themselves live in ``pyproject.toml`` (``[tool.importlinter]``) and run in the
test command as ``lint-imports``; these tests run the same contracts from the suite, so a broken
layer fails ``pytest`` too, and check what import-linter cannot see.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO

PACKAGE = REPO / "narrate"
#: The stage packages, top to bottom, as docs/architecture.md draws them.
STAGES = ("cli", "build", "publish", "episode", "audio", "engines", "text", "read")


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_layer_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_every_stage_is_a_package_named_in_the_contract() -> None:
    config = (REPO / "pyproject.toml").read_text("utf-8")
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file(), stage
        assert f'"{stage}' in config or f" {stage}" in config, f"{stage} is in no layer contract"
    shared = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__"))
    for name in shared:
        assert f'"narrate.{name}"' in config, f"narrate/{name}.py is in no contract"


def _importlib_calls(tree: ast.AST) -> list[ast.Call]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("import_module", "__import__", "spec_from_file_location"):
            found.append(node)
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_loads_narrate_through_importlib(path: Path) -> None:
    tree = ast.parse(path.read_text("utf-8"))
    for call in _importlib_calls(tree):
        argument = call.args[0] if call.args else None
        assert isinstance(argument, ast.Constant) and isinstance(argument.value, str), (
            f"{path.name}:{call.lineno}: a module loaded by a computed name hides an import"
        )
        assert not argument.value.startswith("narrate"), (
            f"{path.name}:{call.lineno}: imports {argument.value} behind importlib; "
            "import it with an import statement so the layer contracts see it"
        )


def test_the_check_finds_an_importlib_import() -> None:
    tree = ast.parse('import importlib\nimportlib.import_module("narrate.publish.page")\n')
    assert len(_importlib_calls(tree)) == 1


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_getattr_probe_of_an_engine(path: Path) -> None:
    """Callers use the engine protocol's members, never ``getattr(engine, ...)``."""
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr")
            and node.args
            and isinstance(node.args[0], ast.Name)
            and "engine" in node.args[0].id.lower()
        ):
            pytest.fail(f"{path.name}:{node.lineno}: probes an engine with {node.func.id}")

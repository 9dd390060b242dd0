"""The code stays lint-clean and typed (STYLE.md): ruff and mypy run as part of the suite."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_ruff_finds_nothing() -> None:
    result = subprocess.run([BIN / "ruff", "check", "."], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_code_is_ruff_formatted() -> None:
    result = subprocess.run([BIN / "ruff", "format", "--check", "."], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_mypy_finds_no_type_errors() -> None:
    result = subprocess.run([BIN / "mypy"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_memory_never_imports_the_layers_above_it() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "memory").rglob("*.py")
        if any(f"{word} {layer}" in path.read_text() for word in ("from", "import") for layer in ("assistant", "tui"))
    ]
    assert offenders == []


def test_packages_below_the_tui_never_import_it() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for package in ("assistant", "memory", "modalities")
        for path in (REPO / package).rglob("*.py")
        if "from tui" in path.read_text() or "import tui" in path.read_text()
    ]
    assert offenders == []

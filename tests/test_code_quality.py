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


def test_no_two_modules_import_each_other_in_a_loop() -> None:
    """Import cycles (type-only imports included) tangle the layers; farm-studio draws none, and this keeps it so."""
    import ast

    modules = {
        ".".join(path.relative_to(REPO).with_suffix("").parts): path
        for package in ("assistant", "memory", "modalities", "tui")
        for path in (REPO / package).rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
        graph[name] = {module for module in imported if module in modules and module != name}

    cycles: list[list[str]] = []

    def visit(module: str, trail: list[str]) -> None:
        for target in sorted(graph[module]):
            if target in trail:
                cycles.append([*trail[trail.index(target) :], target])
            elif len(trail) < 12:
                visit(target, [*trail, target])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == []

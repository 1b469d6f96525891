"""Every benchmark script starts from the documented install (scripts/test.sh, or the `bench` extra):
each module a script imports, also inside functions, is installed."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
OWN = {"_common", "scp_assistant"}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names - OWN - set(sys.stdlib_module_names)


@pytest.mark.parametrize("script", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_bench_script_imports_are_installed(script: Path) -> None:
    missing = sorted(m for m in imported_modules(script) if importlib.util.find_spec(m) is None)
    assert not missing, f"{script.name} needs {missing}: add them to the `bench` extra in pyproject.toml"


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    script = tmp_path / "x.py"
    script.write_text("import os\n\ndef f():\n    from not_installed_pkg.sub import thing\n", encoding="utf-8")
    assert imported_modules(script) == {"not_installed_pkg"}

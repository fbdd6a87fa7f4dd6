"""The package's layers stay as docs/architecture.md draws them.

``lint-imports`` (import-linter, configured in pyproject.toml) checks that each layer imports only
those below it, that no two modules of a package import each other in a circle, that a process
scheduling a run's chunks never loads Mesa, and that the bottom layer loads no library but NumPy.
The check is shown to fail on a copy of the package with one import that runs back up a layer.
Every subpackage says in its docstring what it may import, and no module grows past 600 lines.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "nzsim"
LINT = Path(sys.executable).with_name("lint-imports")


def lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--config", str(cwd / "pyproject.toml"), "--no-cache"], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"})


def test_the_import_contracts_are_kept():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout, result.stdout


@pytest.mark.parametrize(
    "module, line, contract",
    [
        ("catalogue/outcomes.py", "from ..figures import labels", "Layers"),
        ("runs/drain.py", "from ..model import NZModel", "The model stays out of a run's parent"),
        ("scenario/errors.py", "from . import loader", "No import circle"),
    ],
    ids=["an import up a layer", "the model in a run's parent", "a circle inside a package"],
)
def test_the_check_fails_when_an_import_breaks_a_contract(tmp_path, module, line, contract):
    copy = tmp_path / "project"
    shutil.copytree(PACKAGE, copy / "nzsim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    target = copy / "nzsim" / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = lint(copy)
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if " BROKEN" in line]
    assert any(line.startswith(contract) for line in broken), result.stdout


def test_every_layer_says_what_it_may_import():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert "Layer:" in doc, f"{init.relative_to(ROOT)}: its docstring should say its layer and what it may import"


def test_no_module_is_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 600}
    assert not long, f"modules over 600 lines (split them by concern): {long}"

"""Pinned installs (issue 16, item 7): every third-party import of ``nzsim/`` and ``tests/`` is declared in
pyproject.toml and pinned, with hashes, by the lock that ``scripts/setup.sh`` installed this environment
from; and that lock's sha256 is what ``nzsim.version.lock_sha256()`` reports.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from nzsim import version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = ROOT / version.lock_name()
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def lock_pins(path: Path = LOCK) -> dict[str, str]:
    """The lock's pins, ``{canonical name: version}``, each checked to carry at least one sha256."""
    pins: dict[str, str] = {}
    entries = re.split(r"\n(?=[A-Za-z0-9])", path.read_text(encoding="utf-8"))
    for entry in entries:
        match = PIN.match(entry)
        if not match:
            continue
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", entry), f"{match[1]} has no hash in {path.name}"
        pins[canonicalize_name(match[1])] = match[2].rstrip("\\").strip()
    return pins


def third_party_imports(*folders: str) -> dict[str, set[str]]:
    """``{top-level module: files importing it}`` for every module outside the standard library and the
    project: ``import`` statements and the constant names given to ``pytest.importorskip`` and
    ``importlib.import_module``."""
    local = {p.stem for p in ROOT.glob("*.py")} | {p.name for p in ROOT.iterdir() if p.is_dir()}
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            siblings = {p.stem for p in path.parent.glob("*.py")} | {p.name for p in path.parent.iterdir() if p.is_dir()}
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names = [node.module]
                elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                      and node.func.attr in ("importorskip", "import_module") and node.args
                      and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                      and not node.args[0].value.startswith(".")):
                    names = [node.args[0].value]
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in local or top in siblings:
                        continue
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def distributions_of(module: str) -> set[str]:
    return {canonicalize_name(d) for d in importlib.metadata.packages_distributions().get(module, [])}


def declared(*groups: str) -> dict[str, Requirement]:
    """pyproject's requirements: ``"dependencies"``, an optional group's name, or ``"build-system"``."""
    out: dict[str, Requirement] = {}
    for group in groups:
        if group == "dependencies":
            lines = PYPROJECT["project"]["dependencies"]
        elif group == "build-system":
            lines = PYPROJECT["build-system"]["requires"]
        else:
            lines = PYPROJECT["project"]["optional-dependencies"][group]
        for line in lines:
            requirement = Requirement(line)
            out[canonicalize_name(requirement.name)] = requirement
    return out


def test_the_scan_finds_the_imports_it_must():
    """The scanner itself: it sees plain imports, ``from`` imports and ``importorskip`` names, and skips the
    standard library and the project's own modules."""
    found = third_party_imports("nzsim", "tests")
    assert {"numpy", "pandas", "mesa", "scipy", "yaml", "pytest", "distributed", "playwright"} <= set(found)
    assert not {"nzsim", "tests", "json", "helpers", "strategies", "conftest"} & set(found)
    assert "nzsim/validation/calibration.py" in found["scipy"]


def test_there_is_a_lock_with_hashes_for_this_python():
    assert LOCK.is_file(), f"no lock for this Python: {version.lock_name()} (bash scripts/lock.sh makes it)"
    pins = lock_pins()
    assert len(pins) > 20


@pytest.mark.parametrize("folder, groups", [("nzsim", ("dependencies",)), ("tests", ("dependencies", "test"))])
def test_every_import_is_declared_in_pyproject(folder, groups):
    """The package's imports are its dependencies; the tests' are those or the test extra's."""
    names = set(declared(*groups))
    missing = {}
    for module, files in third_party_imports(folder).items():
        dists = distributions_of(module)
        assert dists, f"{module} (imported in {sorted(files)[0]}) is provided by no installed distribution"
        if not dists & names:
            missing[module] = (sorted(dists), sorted(files)[:3])
    assert not missing, f"imported but not declared in pyproject.toml ({', '.join(groups)}): {missing}"


def test_the_lock_covers_every_import():
    pins = lock_pins()
    missing = {module: sorted(distributions_of(module)) for module in third_party_imports("nzsim", "tests")
               if not distributions_of(module) & set(pins)}
    assert not missing, f"imported but not pinned in {LOCK.name}: {missing}"


def test_every_declared_dependency_is_pinned_within_its_range():
    pins = lock_pins()
    for name, requirement in declared("dependencies", "test", "build-system").items():
        assert name in pins, f"{requirement} (pyproject.toml) is not in {LOCK.name}"
        assert requirement.specifier.contains(pins[name], prereleases=True), \
            f"{LOCK.name} pins {name}=={pins[name]}, outside pyproject's {requirement}"
    assert declared("dependencies")["scipy"].specifier.contains("1.15") \
        and not declared("dependencies")["scipy"].specifier.contains("1.14.1"), "scipy's rng= needs >= 1.15"
    for name in ("filelock", "jinja2"):
        assert name in declared("dependencies")


def test_the_lock_is_closed_under_requirements():
    """Everything the declared requirements need, with their extras and this platform's markers, is pinned."""
    pins = lock_pins()
    todo = [(r, set(r.extras)) for r in declared("dependencies", "test").values()]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        requirement, extras = todo.pop()
        key = (canonicalize_name(requirement.name), frozenset(extras))
        if key in seen:
            continue
        seen.add(key)
        assert key[0] in pins, f"{requirement} is needed but not pinned in {LOCK.name}"
        for line in importlib.metadata.requires(requirement.name) or []:
            needed = Requirement(line)
            environments = [dict(default_environment(), extra=e) for e in sorted(extras) or [""]]
            if needed.marker is None or any(needed.marker.evaluate(env) for env in environments):
                todo.append((needed, set(needed.extras)))


def test_every_imported_library_imports_with_what_the_lock_gives():
    """Each library's own imports are there too: Mesa 3.5 imports networkx when ``import mesa`` runs, yet
    declares it only in its ``network`` extra (which pyproject.toml therefore asks for)."""
    modules = sorted(third_party_imports("nzsim", "tests"))
    result = subprocess.run([sys.executable, "-c", "; ".join(f"import {m}" for m in modules)],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "networkx" in lock_pins()


def test_this_environment_is_the_lock():
    """Every pinned distribution is installed at its pinned version (the setup installed from the lock)."""
    wrong = {}
    for name, pinned in lock_pins().items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed != pinned:
            wrong[name] = (pinned, installed)
    assert not wrong, f"installed versions differ from {LOCK.name} (run bash scripts/setup.sh): {wrong}"


def test_lock_sha256_is_the_hash_of_the_lock_installed():
    """``scripts/setup.sh`` recorded the lock it installed; its hash is the current lock file's."""
    expected = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    assert version.lock_sha256() == expected, "the environment was not installed from the current lock"
    assert version.lock_record()["lock"] == version.lock_name()


def test_lock_sha256_reads_the_record_of_the_environment(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    version.lock_record.cache_clear()
    try:
        assert version.lock_sha256() is None  # an environment the setup did not make: no lock
        (tmp_path / version.LOCK_RECORD).write_text("not json")
        version.lock_record.cache_clear()
        assert version.lock_sha256() is None
        (tmp_path / version.LOCK_RECORD).write_text(json.dumps({"lock": "requirements/x.txt", "sha256": "ab" * 32}))
        version.lock_record.cache_clear()
        assert version.lock_sha256() == "ab" * 32
    finally:
        version.lock_record.cache_clear()


def test_every_run_records_the_lock_it_was_made_with(tmp_path):
    """The manifest's versions name the lock file and its sha256, as the environment records them."""
    from nzsim.runs import run_ensemble
    from tests.helpers import small_spec

    run = run_ensemble(small_spec(), 2, seed=0, workers=1, out=tmp_path / "run")
    versions = run.manifest["versions"]
    assert versions["lock_sha256"] == version.lock_sha256() and versions["lock_sha256"] is not None
    assert versions["lock"] == version.lock_record()["lock"]


def test_the_setup_installs_from_the_lock_with_hashes():
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert "--require-hashes" in setup and "--no-deps" in setup and "requirements/lock-" in setup
    assert "nzsim-lock.json" in setup and version.LOCK_RECORD == "nzsim-lock.json"

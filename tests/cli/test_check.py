"""The ``nzsim`` command on the scenario suite, run as a subprocess (``python -m nzsim``).

Each subprocess costs about a second, so the cases are grouped: one ``check`` over every valid
file, one over every invalid case. Every user mistake must end in exit status 2 with exactly
one line per bad file on stderr, naming the file, the field and the expectation, and never a
traceback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nzsim.scenario import load, loads

ROOT = Path(__file__).resolve().parents[2]
CASES = Path("tests/scenarios")  # relative to ROOT, where the commands run
VALID = sorted(p.relative_to(ROOT) for p in (ROOT / CASES / "valid").rglob("*.yaml"))
INVALID = sorted(p.relative_to(ROOT) for p in (ROOT / CASES / "invalid").glob("*.yaml"))


def read_case(path: Path) -> tuple[str, str | None]:
    """The ``# error:`` message of an invalid case and its ``# xfail:`` reason (or None)."""
    head = (ROOT / path).read_bytes().decode("utf-8", errors="replace").splitlines()
    assert head and head[0].startswith("# error: "), path
    reason = head[1].removeprefix("# xfail: ") if len(head) > 1 and head[1].startswith("# xfail: ") else None
    return head[0].removeprefix("# error: "), reason


EXPECTED = {path: read_case(path) for path in INVALID}
KNOWN_GOOD = [p for p in INVALID if EXPECTED[p][1] is None]
KNOWN_BUGS = [p for p in INVALID if EXPECTED[p][1] is not None]
VALID_FILE = CASES / "valid" / "extends_grandchild.yaml"
INVALID_FILE = CASES / "invalid" / "unknown_signal_key.yaml"


def run_nzsim(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nzsim", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def documents(stdout: str) -> list[str]:
    """Split ``check`` output into its YAML documents (separated by ``---`` lines)."""
    return [doc for doc in stdout.split("---\n") if doc.strip()]


@pytest.fixture(autouse=True)
def _run_from_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # in-process loads use the same relative paths


def test_check_valid_files_print_yaml_that_loads_back_equal():
    result = run_nzsim("check", *VALID)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    docs = documents(result.stdout)
    assert len(docs) == len(VALID)
    for path, doc in zip(VALID, docs):
        spec = load(path)
        first = doc.splitlines()[0]
        assert first == f"# {path}: valid; sha256 {spec.sha256}"
        again = loads(doc)
        assert again == spec
        assert again.sha256 == spec.sha256


def test_check_every_invalid_case_one_line_each():
    result = run_nzsim("check", *KNOWN_GOOD)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(KNOWN_GOOD)
    for path, line in zip(KNOWN_GOOD, lines):
        expected = EXPECTED[path][0]
        assert str(path) in line
        assert expected in line
        assert line == f"nzsim check: error: {path}: {expected}"


@pytest.mark.skipif(not KNOWN_BUGS, reason="no invalid case is marked as a known loader bug")
@pytest.mark.xfail(
    strict=True,
    reason="known loader bugs, see the '# xfail:' line of " + ", ".join(p.name for p in KNOWN_BUGS),
)
def test_check_known_bug_cases_one_line_each():
    result = run_nzsim("check", *KNOWN_BUGS)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"nzsim check: error: {p}: {EXPECTED[p][0]}" for p in KNOWN_BUGS]


def test_check_valid_invalid_valid():
    first, bad, last = VALID_FILE, INVALID_FILE, CASES / "valid" / "event_custom.yaml"
    result = run_nzsim("check", first, bad, last)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"nzsim check: error: {bad}: {EXPECTED[bad][0]}"]
    docs = documents(result.stdout)
    assert [loads(doc) for doc in docs] == [load(first), load(last)]



def test_story_invalid_file():
    result = run_nzsim("story", INVALID_FILE, "--seed", "1")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"nzsim story: error: {INVALID_FILE}: {EXPECTED[INVALID_FILE][0]}"]


@pytest.mark.parametrize("seed", ["-1", "abc"])
def test_story_bad_seed(seed):
    result = run_nzsim("story", VALID_FILE, "--seed", seed)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "--seed" in result.stderr.splitlines()[-1]
    assert seed in result.stderr.splitlines()[-1]


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"]], ids=["nzsim", "check"])
def test_help(args):
    result = run_nzsim(*args)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: nzsim")
    assert result.stderr == ""

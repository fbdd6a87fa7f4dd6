"""The README's commands work as written: the main job and every `.venv/bin/nzsim` line.

(The README's test command is what runs this suite, so it is proven by CI itself.)
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
NZSIM_LINES = [line.split("#")[0].strip() for line in README.splitlines() if line.startswith(".venv/bin/nzsim ")]


def results_folder(stdout: str, cwd: Path = ROOT) -> Path:
    match = re.search(r"^results in (.+)$", stdout, re.MULTILINE)
    assert match, stdout
    return cwd / match.group(1).strip()


def test_the_readme_opens_with_the_two_commands():
    blocks = re.findall(r"```\n(.*?)\n```", README, re.DOTALL)
    assert blocks[:2] == ["bash scripts/main.sh", "bash scripts/test.sh"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/test.sh" in ci


def test_the_main_job_runs_an_ensemble_with_summary_and_figures():
    result = subprocess.run(["bash", str(ROOT / "scripts" / "main.sh")], capture_output=True, text=True,
                            timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    folder = results_folder(result.stdout)
    try:
        assert "vilnius-2023: 1,000 replications, root seed 0" in result.stdout
        assert "final_stance" in result.stdout and "trade_coercion" in result.stdout
        for name in ("manifest.json", "outcomes.parquet", "trajectories.parquet", "events.parquet", "summary.csv",
                     "figures/outcomes.png", "figures/trajectories.png", "figures/china_ladder.png"):
            assert (folder / name).is_file(), name
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A fresh folder to run the README's lines in, in order, as a reader would from the project folder: the
    scenarios are there, ``runs/`` starts empty, and a later line can use what an earlier one wrote."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / "scenarios").symlink_to(ROOT / "scenarios")
    return folder


@pytest.mark.parametrize("line", NZSIM_LINES)
def test_every_nzsim_line_in_the_readme_works(line, workdir):
    argv = shlex.split(line)
    assert argv[0] == ".venv/bin/nzsim"
    result = subprocess.run([sys.executable, "-m", "nzsim", *argv[1:], *(["--no-progress"] if argv[1] == "run" else [])],
                            capture_output=True, text=True, timeout=600, cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    if argv[1] in ("run", "compare"):
        assert results_folder(result.stdout, workdir).is_dir()
    if argv[1] == "report":
        assert re.match(r"report written to .+\.html$", result.stdout.strip())


def test_the_readme_has_nzsim_lines_to_check():
    assert {shlex.split(line)[1] for line in NZSIM_LINES} >= {"check", "run", "story", "compare", "report"}

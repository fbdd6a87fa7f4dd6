"""docs/teaching.md works as written: every scenario file and folder it names exists and loads,
and every command it gives is a real nzsim command that runs."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from nzsim.cli import build_parser
from nzsim.scenario import load

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
FILES = sorted(set(re.findall(r"`((?:scenarios|validation)/[\w./-]+\.yaml)`", TEXT)))
COMMANDS = [line.strip() for block in re.findall(r"```\n(.*?)```", TEXT, re.DOTALL) for line in block.splitlines()
            if line.strip()]


def test_the_guide_has_exercises_lesson_plans_and_a_debrief():
    exercises = re.findall(r"^### Exercise \d+", TEXT, re.MULTILINE)
    assert len(exercises) >= 5
    for heading in ("## A 50-minute lesson", "## A longer seminar", "## Discussion questions", "## Debrief"):
        assert heading in TEXT
    for exercise in re.split(r"^### ", TEXT, flags=re.MULTILINE)[1:]:
        if exercise.startswith("Exercise"):
            assert all(f"- {part}:" in exercise for part in ("Change", "Predict", "Look for")), exercise.splitlines()[0]
            assert re.search(r"`(?:scenarios|validation)/[\w./-]+`", exercise), exercise.splitlines()[0]
    # The guide starts with the two commands, then the browser.
    assert COMMANDS[:2] == ["bash scripts/main.sh", "bash scripts/main.sh dashboard"]


@pytest.mark.parametrize("name", FILES)
def test_every_scenario_file_named_exists_and_loads(name):
    load(ROOT / name)


def test_the_classroom_folder_named_holds_bundles_over_a_shared_base():
    folder = ROOT / "scenarios" / "classroom"
    assert "`scenarios/classroom/`" in TEXT and (folder / "base" / "class-base.yaml").is_file()
    bundles = sorted(folder.glob("team-*.yaml"))
    assert 4 <= len(bundles) <= 6
    for path in bundles:
        assert "extends: base/class-base.yaml" in path.read_text()
        load(path)


@pytest.mark.parametrize("line", COMMANDS[1:])
def test_every_command_is_an_nzsim_command(line, tmp_path):
    argv = shlex.split(line)
    assert argv[:2] == ["bash", "scripts/main.sh"], line
    args = argv[2:]
    build_parser().parse_args(args)  # a real subcommand with valid options (exits on a bad one)
    if args[0] == "story":
        result = subprocess.run([sys.executable, "-m", "nzsim", *args], capture_output=True, text=True, cwd=ROOT,
                                timeout=120)
        assert result.returncode == 0, result.stderr
        assert "Outcomes" in result.stdout
    elif args[0] == "classroom":  # as written, on few replications
        result = subprocess.run([sys.executable, "-m", "nzsim", *args, "--reps", "4", "--workers", "1",
                                 "--out", str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT,
                                timeout=300)
        assert result.returncode == 0, result.stderr
        assert "frontier" in result.stdout

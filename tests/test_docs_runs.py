"""docs/runs.md describes the run folder the code writes: every manifest key, file and column group."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import nzsim
from nzsim.runs.runfolder import MANIFEST
from tests.helpers import make_spec

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "runs.md").read_text()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    spec = make_spec(
        context={"voters": 200},
        horizon_weeks=20,
        uncertainties={"china.lift_hazard": {"dist": "uniform", "low": 0.01, "high": 0.05}},
    )
    out = tmp_path_factory.mktemp("runs") / "run"
    run = nzsim.run_ensemble(spec, reps=4, seed=1, workers=1, out=out)
    nzsim.describe_run(run)  # the summary and figures, as nzsim run writes them
    return run


def documented(name: str) -> bool:
    return f"`{name}`" in DOC


def test_every_manifest_key_is_documented(run):
    missing = [key for key in run.manifest if not documented(key)]
    assert not missing, f"docs/runs.md does not describe manifest keys {missing}"
    missing = [key for key in run.manifest["versions"] if not documented(key)]
    assert not missing, f"docs/runs.md does not describe versions keys {missing}"
    missing = [key for key in run.manifest["chunks"][0] if not documented(key)]
    assert not missing, f"docs/runs.md does not describe chunk entry keys {missing}"


def test_every_file_of_a_run_folder_is_documented(run):
    files = [p.relative_to(run.path).as_posix() for p in run.path.rglob("*") if p.is_file()]
    assert MANIFEST in files and "figures/outcomes.png" in files
    missing = [f for f in files if not documented(f)]
    assert not missing, f"docs/runs.md does not describe {missing}"


def test_every_column_group_is_documented(run):
    for column in run.outcomes.columns:
        group = re.sub(r"^(param|lever)\..*", r"\1.<name>", column)
        if group == "lever.<name>":
            group = "lever.<path>"
        assert documented(group) or column in nzsim.catalogue.outcomes.column_types(), column
    for frame in (run.trajectories, run.events):
        for column in frame.columns:
            assert documented(column), column

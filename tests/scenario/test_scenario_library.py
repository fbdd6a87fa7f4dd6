"""The scenario library in ``scenarios/``: every file loads, round-trips, is referenced and runs.

Each file is its own test case, so a broken scenario is named in the test report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import nzsim
from nzsim.scenario import NatoSummit, from_dict, load, loads, merge

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FILES = sorted(SCENARIOS.glob("*.yaml"))
HISTORICAL = ("madrid-2022", "vilnius-2023", "washington-2024", "the-hague-2025")

#: Fields that are the file's own prose, not what the scenario encodes.
PROSE = ("name", "description", "references")


def _ids(paths):
    return [p.stem for p in paths]


def _raw(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


COUNTERFACTUALS = [p for p in FILES if "extends" in _raw(p)]


def test_library_is_not_empty():
    assert len(FILES) >= 10
    assert len(COUNTERFACTUALS) >= 6


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_loads_and_is_named_after_its_file(path):
    spec = load(path)
    assert spec.name == path.stem


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_round_trips_through_canonical_yaml(path):
    spec = load(path)
    again = loads(spec.to_yaml(), name=f"{path.name} (dumped)")
    assert again == spec
    assert again.sha256 == spec.sha256


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_references_are_non_empty_strings(path):
    spec = load(path)
    assert spec.references
    for ref in spec.references:
        assert isinstance(ref, str)
        assert ref.strip()
    assert spec.description.strip()


@pytest.mark.parametrize("path", COUNTERFACTUALS, ids=_ids(COUNTERFACTUALS))
def test_counterfactual_differs_from_its_base(path):
    raw = _raw(path)
    base_path = (path.parent / raw["extends"]).resolve()
    assert base_path.is_file()
    spec, base = load(path), load(base_path)
    mine = {k: v for k, v in spec.dump().items() if k not in PROSE}
    theirs = {k: v for k, v in base.dump().items() if k not in PROSE}
    assert mine != theirs, f"{path.name} encodes nothing different from {base_path.name}"
    assert spec.description.strip() != base.description.strip()
    assert "description" in raw and "references" in raw


@pytest.mark.parametrize("stem", HISTORICAL)
def test_historical_scenario_has_a_summit(stem):
    path = SCENARIOS / f"{stem}.yaml"
    assert path.is_file(), f"missing historical scenario {path.name}"
    raw = _raw(path)
    assert "extends" not in raw
    spec = load(path)
    summits = [e for e in spec.events.values() if isinstance(e, NatoSummit)]
    assert summits, f"{path.name} has no nato_summit event"
    assert spec.horizon_weeks == 52
    assert spec.replications == 1000
    for summit in summits:
        assert spec.start < summit.date


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_one_replication_runs(path):
    spec = load(path)
    small = from_dict(merge(spec.dump(), {"context": {"voters": 500}}), name=path.name)
    assert small.context.voters == 500
    rep = nzsim.replicate(small, seed=0)
    rung = rep.outcomes["china_max_rung"]
    assert isinstance(rung, int)
    assert 0 <= rung <= 5
    assert len(rep.trajectories) == spec.horizon_weeks + 1

"""Robust choices (issue 15, item 4): regret, satisficing and a bootstrap-backed frontier of lever
cells across experiments, checked on numbers worked out by hand, and ``nzsim robust``."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import nzsim
from nzsim.analysis.robustness import dominance, parse_threshold, robustness
from tests.helpers import small_spec


def frame(values: dict[str, list[float]], seeds: int = 2, outcome: str = "final_interoperability") -> pd.DataFrame:
    """Cells x experiments x seeds: ``values[cell][e]`` is experiment e's value under both seeds,
    plus and minus 0.01 (so its mean over the seeds is the value)."""
    rows = []
    for cell, per in values.items():
        for e, v in enumerate(per):
            for s in range(seeds):
                rows.append({"cell": cell, "experiment": e, "seed_index": s, "replication": e * seeds + s,
                             outcome: v + (0.01 if s == 0 else -0.01)})
    return pd.DataFrame(rows)


def test_regret_is_the_shortfall_from_the_best_cell_in_the_same_experiment():
    outcomes = frame({"align": [0.9, 0.2, 0.8, 0.7], "hedge": [0.6, 0.5, 0.6, 0.6]})
    table = robustness(outcomes, outcomes=["final_interoperability"], thresholds=["final_interoperability>=0.6"])
    align, hedge = (table[table["cell"] == c].iloc[0] for c in ("align", "hedge"))
    assert align["direction"] == "max" and align["experiments"] == 4
    assert align["mean"] == pytest.approx(0.65) and hedge["mean"] == pytest.approx(0.575)
    # align: best in experiments 0, 2 and 3, 0.3 short in 1; hedge: 0.3, 0, 0.2 and 0.1 short
    assert align["regret_mean"] == pytest.approx(0.3 / 4) and align["regret_max"] == pytest.approx(0.3)
    assert hedge["regret_mean"] == pytest.approx(0.6 / 4) and hedge["regret_max"] == pytest.approx(0.3)
    assert align["p50"] == pytest.approx(0.75)
    # satisficing: align meets >= 0.6 in 3 of 4 experiments, hedge in 3 of 4 (0.5 falls short)
    assert align["meets final_interoperability>=0.6"] == 0.75 and hedge["meets final_interoperability>=0.6"] == 0.75
    # lower is better for exports lost: the regret runs the other way
    lost = frame({"align": [50.0, 10.0], "hedge": [20.0, 20.0]}, outcome="exports_lost_nzd_m")
    table = robustness(lost, outcomes=["exports_lost_nzd_m"]).set_index("cell")
    assert table.loc["align", "regret_max"] == pytest.approx(30.0) and table.loc["hedge", "regret_max"] == pytest.approx(10.0)


def test_several_thresholds_are_met_together_or_not():
    outcomes = frame({"a": [0.9, 0.2], "b": [0.6, 0.7]}).assign(trade_coercion=[1, 1, 0, 0, 0, 0, 1, 1])
    table = robustness(outcomes, outcomes=["final_interoperability"],
                       thresholds=["final_interoperability>=0.6", "trade_coercion<=0.5"]).set_index("cell")
    # a: experiment 0 meets the first only, experiment 1 the second only; b: 0 meets both, 1 the first only
    assert table.loc["a", "meets all"] == 0.0 and table.loc["b", "meets all"] == 0.5
    assert parse_threshold("china_max_rung>=warning<=0.2") == ("china_max_rung>=warning", "<=", 0.2)
    with pytest.raises(ValueError, match="expected OUTCOME<=VALUE"):
        parse_threshold("trade_coercion=0.3")


def test_a_cell_is_dominated_only_when_most_resamples_agree():
    objectives = {"final_interoperability": "max", "exports_lost_nzd_m": "min"}
    rng = np.random.default_rng(1)
    experiments = 40
    base = rng.uniform(0.3, 0.7, experiments)
    cells = {"better": base + 0.05, "worse": base, "close": base + 0.05 + rng.normal(0, 0.05, experiments)}
    rows = []
    for cell, values in cells.items():
        lost = {"better": 10.0, "worse": 20.0, "close": 10.0}[cell]
        for e in range(experiments):
            rows.append({"cell": cell, "experiment": e, "replication": e, "final_interoperability": values[e],
                         "exports_lost_nzd_m": lost + (0.0 if cell != "close" else rng.normal(0, 1))})
    table = dominance(pd.DataFrame(rows), objectives, resamples=400, seed=3).set_index("cell")
    assert table.loc["worse", "dominated_share"] == 1.0 and not table.loc["worse", "on_frontier"]
    assert "better" in table.loc["worse", "dominated_by"]
    # "close" ties "better" on average: neither beats the other in most resamples
    assert table.loc["better", "on_frontier"] and table.loc["close", "on_frontier"]
    assert 0.0 < table.loc["close", "dominated_share"] < 0.9
    same = dominance(pd.DataFrame(rows), objectives, resamples=400, seed=3)
    assert same.equals(table.reset_index()[same.columns])  # seeded


@pytest.fixture(scope="module")
def levered(tmp_path_factory):
    spec = small_spec(name="robust", context={"voters": 100}, horizon_weeks=7, events={"election": None},
                      levers={"events.vilnius.signals.china_language": ["passing", "strong"]})
    design = nzsim.runs.designs.exploratory_design(spec, "lhs", samples=20, seeds=2, factors=["china.trade_threshold"])
    return nzsim.run_ensemble(spec, seed=2, workers=1, out=tmp_path_factory.mktemp("runs") / "robust", design=design)


def _robust(*argv):
    return subprocess.run([sys.executable, "-m", "nzsim", "robust", *map(str, argv)], capture_output=True, text=True,
                          timeout=180)


def test_nzsim_robust_prints_the_cells_and_writes_its_files(levered):
    result = _robust(levered.path, "--outcomes", "final_interoperability", "--satisfice", "final_interoperability>=0.5",
                     "--frontier", "final_interoperability,trade_coercion", "--resamples", "200")
    assert result.returncode == 0, result.stderr
    table = robustness(levered, ["final_interoperability"], thresholds=["final_interoperability>=0.5"])
    assert pd.read_csv(levered.path / "robustness.csv")["regret_mean"].tolist() == pytest.approx(table["regret_mean"].tolist())
    assert "final_interoperability (higher is better; 20 experiments)" in result.stdout
    for cell in table["cell"]:
        assert f"  {cell}" in result.stdout
    assert "Tradeoff frontier" in result.stdout and (levered.path / "robust_frontier.csv").exists()
    assert (levered.path / "figures" / "robustness.png").stat().st_size > 10_000


@pytest.mark.parametrize("argv, words", [
    (["--satisfice", "trade_coercion=1"], "--satisfice: threshold 'trade_coercion=1': expected OUTCOME<=VALUE"),
    (["--satisfice", "nothing<=1"], "--satisfice nothing<=1: 'nothing' is not an outcome of this run"),
    (["--outcomes", "final_bloc"], "outcome 'final_bloc' has no direction"),
])
def test_nzsim_robust_mistakes_are_one_line_and_exit_2(levered, argv, words):
    result = _robust(levered.path, *argv)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and words in lines[0], result.stderr


def test_the_robustness_figure_has_a_panel_per_outcome_and_one_for_the_thresholds():
    from nzsim import figures

    table = robustness(frame({"align": [0.9, 0.2], "hedge": [0.6, 0.5]}), ["final_interoperability"],
                       thresholds=["final_interoperability>=0.6"])
    fig = figures.build_robustness(table)
    first, last = fig.axes
    assert first.get_title() == "Interoperability at the end (higher is better): regret"
    assert last.get_title().split() == "Experiments in which the cell meets final_interoperability>=0.6".split()
    assert last.get_xlabel() == "share of experiments"


def test_thresholds_line_up_when_an_outcome_has_no_value_in_some_experiment():
    outcomes = frame({"a": [0.9, 0.2, 0.7], "b": [0.6, 0.7, 0.8]}).assign(trade_coercion=[np.nan, np.nan, 0, 0, 1, 1] * 2)
    shares = robustness(outcomes, outcomes=["final_interoperability"],
                        thresholds=["final_interoperability>=0.6", "trade_coercion<=0.5"]).set_index("cell")
    # experiment 0 has no trade coercion value: it meets no threshold on it, and so not all of them
    assert shares.loc["a", "meets trade_coercion<=0.5"] == pytest.approx(1 / 3)
    assert shares.loc["a", "meets all"] == 0.0 and shares.loc["b", "meets all"] == pytest.approx(1 / 3)


def test_nzsim_robust_takes_a_direction_for_an_outcome_without_one(levered):
    result = _robust(levered.path, "--outcomes", "final_stance:max", "--frontier", "final_interoperability,trade_coercion",
                     "--resamples", "100", "--no-figures")
    assert result.returncode == 0, result.stderr
    assert "final_stance (higher is better; 20 experiments)" in result.stdout
    bad = _robust(levered.path, "--outcomes", "final_stance:up")
    assert bad.returncode == 2 and "expected NAME, NAME:max or NAME:min" in bad.stderr

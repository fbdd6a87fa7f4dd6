"""Scenario discovery (issue 15, item 3): PRIM and a decision tree find a box that is known, and
``nzsim discover`` says it in a sentence, with its files, or says in one line what is wrong."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import nzsim
from nzsim.analysis.discovery import discover
from nzsim.runs.designs import exploratory_design
from tests.helpers import small_spec


def planted(n: int = 2000, seed: int = 3) -> pd.DataFrame:
    """Runs where trade measures come exactly when the threshold is below 6 and the China language
    is strong; a third parameter does nothing."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "replication": np.arange(n),
        "param.china.trade_threshold": rng.uniform(0, 20, n),
        "param.china.lift_hazard": rng.uniform(0, 1, n),
        "lever.events.vilnius.signals.china_language": rng.choice(["passing", "strong"], n),
    })
    frame["trade_coercion"] = (frame["param.china.trade_threshold"] < 6) & (
        frame["lever.events.vilnius.signals.china_language"] == "strong")
    return frame


def test_prim_and_the_tree_find_the_box_that_was_planted():
    frame = planted()
    found = discover(frame, "trade_coercion", min_coverage=0.9)
    box = found.box
    assert set(box.limits) == {"param.china.trade_threshold", "lever.events.vilnius.signals.china_language"}
    low, high = box.limits["param.china.trade_threshold"]
    assert low is None and 5.0 < high <= 6.5
    assert box.limits["lever.events.vilnius.signals.china_language"] == (frozenset({"strong"}),)
    assert box.density > 0.9 and box.coverage >= 0.9 and box.outside < 0.02
    truth = frame["trade_coercion"].to_numpy()
    assert found.cases == truth.sum() and found.base_rate == pytest.approx(truth.mean())
    sentence = found.sentence()
    assert "china.trade_threshold is below" in sentence and "the lever events.vilnius.signals.china_language is strong" in sentence
    # the trajectory trades coverage for density, and the box chosen is on it
    t = found.trajectory
    assert t["density"].iloc[0] == pytest.approx(truth.mean()) and t["coverage"].iloc[0] == 1.0
    assert t.at[found.chosen, "coverage"] == pytest.approx(box.coverage)
    # the tree's densest leaf is the same box, found by splitting
    leaf = found.leaves[0]
    assert leaf.density == 1.0 and leaf.limits["lever.events.vilnius.signals.china_language"] == (frozenset({"strong"}),)
    assert leaf.limits["param.china.trade_threshold"][1] == pytest.approx(6.0, abs=0.3)


def test_a_numeric_outcome_needs_a_threshold_and_a_yes_no_one_takes_none():
    frame = planted()
    frame["final_stance"] = frame["param.china.lift_hazard"]
    with pytest.raises(ValueError, match="not a yes/no outcome; give a threshold"):
        discover(frame, "final_stance")
    with pytest.raises(ValueError, match="takes no threshold"):
        discover(frame, "trade_coercion", threshold=0.5)
    found = discover(frame, "final_stance", threshold=0.8)
    assert set(found.box.limits) == {"param.china.lift_hazard"} and found.box.limits["param.china.lift_hazard"][0] >= 0.75
    below = discover(frame, "final_stance", threshold=0.2, below=True)
    assert below.box.limits["param.china.lift_hazard"][1] <= 0.25


@pytest.fixture(scope="module")
def explored(tmp_path_factory):
    spec = small_spec(name="discovered", context={"voters": 100}, horizon_weeks=7, events={"election": None})
    design = exploratory_design(spec, "lhs", samples=60, seeds=2,
                                factors=["china.trade_threshold", "china.lift_hazard", "partner.australia.trust0"])
    return nzsim.run_ensemble(spec, seed=9, workers=1, out=tmp_path_factory.mktemp("runs") / "lhs", design=design)


def _discover(*argv):
    return subprocess.run([sys.executable, "-m", "nzsim", "discover", *map(str, argv)], capture_output=True, text=True,
                          timeout=180)


def test_nzsim_discover_prints_the_box_in_words_and_writes_its_files(explored):
    outcome = "china_max_rung>=rebuke"
    result = _discover(explored.path, "--outcome", outcome)
    assert result.returncode == 0, result.stderr
    found = discover(explored, outcome)
    assert found.sentence() in result.stdout and "Decision tree" in result.stdout
    assert "the densest still holding at least 50% of the runs with it" in result.stdout
    table = pd.read_csv(explored.path / "discovery-china_max_rung__rebuke.csv")
    chosen = table[table["chosen"] == True]  # noqa: E712 - a column of booleans read back from CSV
    assert len(chosen) == 1 and chosen["coverage"].iloc[0] == pytest.approx(found.box.coverage)
    assert (explored.path / "figures" / "discovery-china_max_rung__rebuke.png").stat().st_size > 10_000
    wider = _discover(explored.path, "--outcome", outcome, "--coverage", "0.8", "--no-figures")
    assert "the densest still holding at least 80% of the runs with it" in wider.stdout
    assert discover(explored, outcome, min_coverage=0.8).box.coverage >= 0.8


@pytest.mark.parametrize("argv, words", [
    (["--outcome", "final_stance"], "--outcome: final_stance is not a yes/no outcome; give a threshold"),
    (["--outcome", "trade_coercion", "--threshold", "1"], "--outcome: trade_coercion: a yes/no outcome takes no threshold"),
    (["--outcome", "no_such_thing"], "--outcome: 'no_such_thing' is not an outcome of this run"),
    (["--outcome", "trade_coercion", "--cell", "x"], "--cell: cell 'x': no such lever cell in this run"),
    (["--outcome", "trade_coercion", "--coverage", "2"], "argument --coverage: expected a share between 0 and 1"),
])
def test_nzsim_discover_mistakes_are_one_line_and_exit_2(explored, argv, words):
    result = _discover(explored.path, *argv)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and words in lines[-1], result.stderr
    assert all(not line.startswith("Traceback") for line in lines)


def test_a_run_where_nothing_varies_has_nothing_to_discover(tmp_path):
    run = nzsim.run_ensemble(small_spec(name="plain", context={"voters": 100}, horizon_weeks=7, events={"election": None}),
                             reps=20, seed=1, workers=1, out=tmp_path / "plain")
    result = _discover(run.path, "--outcome", "china_max_rung>=rebuke")
    assert result.returncode == 2 and "no parameter or lever varies in this run" in result.stderr


def test_the_peeling_figure_says_what_it_shows():
    from nzsim import figures

    found = discover(planted(), "trade_coercion")
    fig = figures.build_peeling(found)
    ax = fig.axes[0]
    assert fig.get_suptitle() == "Chance of trade measures"
    assert ax.get_title() == f"PRIM's peeling trade-off: {found.cases:,} of 2,000 runs have it"
    assert ax.get_xlabel().startswith("coverage") and ax.get_ylabel().startswith("density")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    steps = sorted(set(found.trajectory["res_dim"]))
    assert labels[-2:] == [f"the box chosen (step {found.chosen})", f"all runs: {found.base_rate:.0%}"]
    assert labels[:-2] == [f"{k} input{'s' if k != 1 else ''} restricted" for k in steps]

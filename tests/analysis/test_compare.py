"""Comparing runs (nzsim/analysis.py): compare, tradeoff_frontier, variance_split, ladder,
typical_replication and load_run, each on tiny frames worked by hand, then on real runs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import nzsim
from nzsim.catalogue.rungs import RUNG_NAMES
from nzsim import analysis
from nzsim.analysis import (
    COMPARE_COLUMNS,
    VARIANCE_COLUMNS,
    compare,
    estimate,
    ladder,
    load_run,
    tradeoff_frontier,
    typical_replication,
    variance_split,
)
from nzsim.runs.runfolder import RunFolderError
from tests.helpers import small_spec


def frame(seeds, **columns) -> pd.DataFrame:
    return pd.DataFrame({"seed": seeds, **columns})


# --------------------------------------------------------------------------------------
# estimate
# --------------------------------------------------------------------------------------


def test_estimate_by_kind():
    f = pd.DataFrame({
        "final_stance": [0.2, None, 0.4],
        "trade_coercion": [True, False, None],
        "partnership_week": [None, 12, None],
        "china_max_rung": [1, 3, 5],
    })
    stat, x = estimate(f, "final_stance")
    assert stat == "mean" and np.allclose(x, [0.2, np.nan, 0.4], equal_nan=True)
    stat, x = estimate(f, "trade_coercion")
    assert stat == "probability" and np.allclose(x, [1, 0, np.nan], equal_nan=True)
    stat, x = estimate(f, "partnership_week")  # a timing outcome: did it happen at all
    assert stat == "probability" and list(x) == [0, 1, 0]
    stat, x = estimate(f, "china_max_rung>=warning")  # warning is rung 3
    assert stat == "probability" and list(x) == [0, 1, 1]
    stat, x = estimate(f, "china_max_rung>=normal")
    assert list(x) == [1, 1, 1]


@pytest.mark.parametrize(
    "outcome, message",
    [
        ("nope", "no such column"),
        ("seed", "seed is not an outcome"),
        ("china_max_rung", "compare a level instead, e.g. china_max_rung>=warning"),
        ("china_max_rung>=angry", "one of its levels"),
        ("final_stance>=warning", "one of its levels"),
    ],
)
def test_estimate_errors_say_what_was_expected(outcome, message):
    f = pd.DataFrame({"seed": [1], "final_stance": [0.1], "china_max_rung": [2]})
    with pytest.raises(ValueError, match=message.replace(".", r"\.").replace("(", r"\(")):
        estimate(f, outcome)


# --------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------


def test_compare_values_and_differences_by_hand():
    # baseline: stance mean (0.1 + 0.3) / 2 = 0.2, coercion 1 of 4 = 0.25
    # other:    stance mean (0.5 + 0.7) / 2 = 0.6, coercion 3 of 4 = 0.75
    a = frame([1, 2, 3, 4], final_stance=[0.1, 0.3, 0.1, 0.3], trade_coercion=[True, False, False, False])
    b = frame([1, 2, 3, 4], final_stance=[0.5, 0.7, 0.5, 0.7], trade_coercion=[True, True, True, False])
    table = compare({"a": a, "b": b}, outcomes=["final_stance", "trade_coercion"])
    assert list(table.columns) == list(COMPARE_COLUMNS)
    assert list(table["outcome"]) == ["final_stance", "final_stance", "trade_coercion", "trade_coercion"]
    assert list(table["run"]) == ["a", "b", "a", "b"]
    assert list(table["statistic"]) == ["mean", "mean", "probability", "probability"]
    assert table["value"].tolist() == pytest.approx([0.2, 0.6, 0.25, 0.75])
    assert table["difference"].iloc[1] == pytest.approx(0.4)
    assert table["difference"].iloc[3] == pytest.approx(0.5)
    assert table[table["run"] == "a"]["difference"].isna().all()  # the baseline's own rows
    assert (table["baseline"] == "a").all() and list(table["n"]) == [4, 4, 4, 4]
    assert table.attrs["level"] == 0.95
    # every interval holds its estimate
    assert (table["low"] <= table["value"]).all() and (table["value"] <= table["high"]).all()
    other = table[table["run"] == "b"]
    assert ((other["difference_low"] <= other["difference"]) & (other["difference"] <= other["difference_high"])).all()


def test_compare_pairs_runs_that_share_seeds():
    # b is a + 1 replication by replication: paired, every resample differs by exactly 1;
    # resampled independently the difference would spread as widely as a does.
    rng = np.random.default_rng(5)
    x = rng.normal(0, 1, 200)
    a = frame(np.arange(200), final_stance=x)
    b = frame(np.arange(200), final_stance=x + 1)
    c = frame(np.arange(200) + 1000, final_stance=x + 1)  # same values, other seeds: not paired
    table = compare({"a": a, "b": b, "c": c}, outcomes=["final_stance"])
    rows = table.set_index("run")
    assert bool(rows.loc["b", "paired"]) and not bool(rows.loc["c", "paired"]) and not bool(rows.loc["a", "paired"])
    assert rows.loc["b", "difference_low"] == pytest.approx(1.0)
    assert rows.loc["b", "difference_high"] == pytest.approx(1.0)
    spread = rows.loc["c", "difference_high"] - rows.loc["c", "difference_low"]
    # independent: about 2 * 1.96 * sqrt(2 / 200) = 0.39 wide (x's own spread is near 1)
    assert 0.3 < spread < 0.5


@pytest.mark.parametrize("level, z", [(0.95, 1.960), (0.90, 1.645)])
def test_compare_interval_matches_the_normal_approximation(level, z):
    # 400 replications, half with coercion: the interval of the probability is about
    # 0.5 +/- z * sqrt(0.25 / 400) = 0.5 +/- z * 0.025 (0.049 at 95%, 0.041 at 90%).
    a = frame(np.arange(400), trade_coercion=np.arange(400) % 2 == 0)
    table = compare({"a": a, "b": a}, outcomes=["trade_coercion"], resamples=8000, level=level)
    low, high = table.loc[0, ["low", "high"]]
    assert low == pytest.approx(0.5 - z * 0.025, abs=0.005) and high == pytest.approx(0.5 + z * 0.025, abs=0.005)
    assert table.loc[0, "resampled"] == "replication"


def test_compare_resamples_whole_parameter_draws_of_a_nested_run():
    # 10 draws x 10 seeds; the draws differ a lot (sd 1), seeds within a draw little (sd 0.1).
    # The mean's standard error is about 1 / sqrt(10) = 0.32 (draws are what vary), so the 95%
    # interval is about 1.2 wide; resampling the 100 replications one by one would give about
    # 2 * 1.96 * sqrt(1.01 / 100) = 0.39.
    rng = np.random.default_rng(11)
    draw = np.repeat(np.arange(10), 10)
    y = rng.normal(0, 1, 10)[draw] + rng.normal(0, 0.1, 100)
    nested = pd.DataFrame({"seed": np.arange(100), "param_draw": draw, "seed_index": np.tile(np.arange(10), 10),
                           "final_stance": y})
    table = compare({"nested": nested, "shifted": nested.assign(final_stance=y + 1)}, outcomes=["final_stance"])
    rows = table.set_index("run")
    assert (rows["resampled"] == "parameter draw").all()
    width = rows.loc["nested", "high"] - rows.loc["nested", "low"]
    spread = y.reshape(10, 10).mean(axis=1).std(ddof=1) / np.sqrt(10)
    assert width == pytest.approx(2 * 1.96 * spread, rel=0.3) and width > 0.6
    # paired with the same draws, the shift of exactly 1 is exact
    assert rows.loc["shifted", "difference_low"] == pytest.approx(1.0)
    assert rows.loc["shifted", "difference_high"] == pytest.approx(1.0)


def test_compare_is_seeded():
    rng = np.random.default_rng(1)
    a = frame(np.arange(50), final_stance=rng.random(50))
    b = frame(np.arange(50) + 99, final_stance=rng.random(50))
    one = compare({"a": a, "b": b}, outcomes=["final_stance"], seed=3)
    again = compare({"a": a, "b": b}, outcomes=["final_stance"], seed=3)
    other = compare({"a": a, "b": b}, outcomes=["final_stance"], seed=4)
    pd.testing.assert_frame_equal(one, again)
    assert not np.allclose(one["low"], other["low"])


def test_compare_baseline_level_and_labels():
    a = frame([1, 2], final_stance=[0.0, 1.0])
    b = frame([1, 2], final_stance=[1.0, 1.0])
    by_label = compare({"a": a, "b": b}, baseline="b", outcomes=["final_stance"], level=0.5)
    assert (by_label["baseline"] == "b").all() and by_label.attrs["level"] == 0.5
    assert by_label.set_index("run").loc["a", "difference"] == pytest.approx(-0.5)
    by_position = compare({"a": a, "b": b}, baseline=-1, outcomes=["final_stance"])
    assert (by_position["baseline"] == "b").all()
    unnamed = compare([a, b], outcomes=["final_stance"])
    assert list(unnamed["run"]) == ["run 1", "run 2"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"baseline": "zzz"}, "baseline: 'zzz' is not one of the runs"),
        ({"baseline": 5}, "baseline: position 5 is out of range"),
        ({"level": 1.5}, "level: expected a coverage between 0 and 1"),
        ({"resamples": 10}, "resamples: expected at least 100"),
        ({"outcomes": []}, "outcomes: expected at least one"),
        ({"outcomes": ["nope"]}, "run 'a': outcome 'nope': no such column"),
    ],
)
def test_compare_errors(kwargs, message):
    a = frame([1], final_stance=[0.1])
    with pytest.raises(ValueError, match=message):
        compare({"a": a, "b": a}, **kwargs)


def test_compare_needs_runs_and_distinct_labels(tmp_path):
    with pytest.raises(ValueError, match="expected at least one run"):
        compare({})
    cells = pd.DataFrame({"seed": [1, 2], "cell": ["x", "x"], "final_stance": [0.1, 0.2]})
    with pytest.raises(TypeError, match="expected a Run, a run folder's path or an outcomes DataFrame, got int"):
        compare([cells, 42])
    # a str is a run folder's path, opened as load_run opens it (not a sequence of letters)
    with pytest.raises(RunFolderError, match="no such folder|does not exist"):
        compare([cells, str(tmp_path / "not a run")])


def test_compare_of_one_run_is_an_error_not_the_baseline_alone():
    one = frame([1, 2], final_stance=[0.1, 0.2])
    single_cell = one.assign(cell="x")  # one lever cell: still one run
    for runs in ({"a": one}, [one], one, single_cell, {"a": single_cell}):
        with pytest.raises(ValueError, match=r"compare: expected at least two runs to compare, got 1"):
            compare(runs, outcomes=["final_stance"])
    # a run with two lever cells is two runs; so is one run given twice under two labels
    assert len(compare(one.assign(cell=["x", "y"]), outcomes=["final_stance"])) == 2
    assert len(compare({"a": one, "b": one}, outcomes=["final_stance"])) == 2


def test_compare_splits_a_run_with_lever_cells():
    f = pd.DataFrame({
        "seed": [1, 2, 1, 2],
        "cell": ["language=passing"] * 2 + ["language=strong"] * 2,
        "final_stance": [0.1, 0.3, 0.5, 0.7],
    })
    table = compare(f, outcomes=["final_stance"])
    assert list(table["run"]) == ["language=passing", "language=strong"]
    assert table["difference"].iloc[1] == pytest.approx(0.4)
    assert bool(table["paired"].iloc[1])  # cells of one run share their seeds
    two = compare({"first": f, "second": f}, outcomes=["final_stance"])
    assert list(two["run"]) == ["first / language=passing", "first / language=strong",
                                "second / language=passing", "second / language=strong"]


# --------------------------------------------------------------------------------------
# tradeoff_frontier
# --------------------------------------------------------------------------------------


def test_frontier_by_hand():
    # interoperability (max), exports lost (min), probability of coercion (min)
    runs = {
        "hedge": pd.DataFrame({"final_interoperability": [0.5, 0.5], "exports_lost_nzd_m": [0.0, 0.0],
                               "trade_coercion": [False, False]}),
        "align": pd.DataFrame({"final_interoperability": [0.9, 0.9], "exports_lost_nzd_m": [100.0, 0.0],
                               "trade_coercion": [True, False]}),
        # worse than hedge on interoperability and exports, equal on coercion: dominated by hedge
        "muddle": pd.DataFrame({"final_interoperability": [0.4, 0.4], "exports_lost_nzd_m": [10.0, 10.0],
                                "trade_coercion": [False, False]}),
        # identical to hedge: the two do not dominate each other
        "hedge again": pd.DataFrame({"final_interoperability": [0.5, 0.5], "exports_lost_nzd_m": [0.0, 0.0],
                                     "trade_coercion": [False, False]}),
        # worse than align on everything: dominated by align only
        "bluster": pd.DataFrame({"final_interoperability": [0.8, 0.8], "exports_lost_nzd_m": [200.0, 0.0],
                                 "trade_coercion": [True, True]}),
    }
    table = tradeoff_frontier(runs, {"final_interoperability": "max", "exports_lost_nzd_m": "min", "trade_coercion": "min"})
    assert list(table.columns) == ["run", "final_interoperability", "exports_lost_nzd_m", "trade_coercion",
                                   "on_frontier", "dominated_by"]
    assert table["exports_lost_nzd_m"].tolist() == pytest.approx([0.0, 50.0, 10.0, 0.0, 100.0])
    assert table["trade_coercion"].tolist() == pytest.approx([0.0, 0.5, 0.0, 0.0, 1.0])
    assert table["on_frontier"].tolist() == [True, True, False, True, False]
    assert table["dominated_by"].tolist() == ["", "", "hedge; hedge again", "", "align"]


def test_frontier_directions_from_names_and_errors():
    a = pd.DataFrame({"final_interoperability": [0.5], "exports_lost_nzd_m": [0.0], "incumbent_share": [None]})
    b = pd.DataFrame({"final_interoperability": [0.4], "exports_lost_nzd_m": [5.0], "incumbent_share": [0.5]})
    table = tradeoff_frontier({"a": a, "b": b}, ["final_interoperability", "exports_lost_nzd_m"])
    assert table["on_frontier"].tolist() == [True, False]
    # the same runs with directions reversed: b is now better on both
    flipped = tradeoff_frontier({"a": a, "b": b}, {"final_interoperability": "min", "exports_lost_nzd_m": "max"})
    assert flipped["on_frontier"].tolist() == [False, True]
    with pytest.raises(ValueError, match="at least two"):
        tradeoff_frontier({"a": a, "b": b}, ["final_interoperability"])
    with pytest.raises(ValueError, match="no default direction"):
        tradeoff_frontier({"a": a, "b": b}, ["final_interoperability", "final_stance"])
    with pytest.raises(ValueError, match="expected 'max' or 'min'"):
        tradeoff_frontier({"a": a, "b": b}, {"final_interoperability": "up", "exports_lost_nzd_m": "min"})
    with pytest.raises(ValueError, match="run 'a': objective 'incumbent_share' has no values"):
        tradeoff_frontier({"a": a, "b": b}, ["final_interoperability", "incumbent_share"])


# --------------------------------------------------------------------------------------
# variance_split
# --------------------------------------------------------------------------------------


def test_variance_split_balanced_by_hand():
    # draws A: 1, 3 and B: 5, 7. Means 2 and 6, grand mean 4.
    # MSW = ((1-2)^2 + (3-2)^2 + (5-6)^2 + (7-6)^2) / (4 - 2) = 2
    # MSB = (2 * (2-4)^2 + 2 * (6-4)^2) / (2 - 1) = 16; n0 = 2; parameter = (16 - 2) / 2 = 7
    f = pd.DataFrame({"param_draw": [0, 0, 1, 1], "seed_index": [0, 1, 0, 1], "final_stance": [1.0, 3.0, 5.0, 7.0]})
    row = variance_split(f).iloc[0]
    assert list(variance_split(f).columns) == list(VARIANCE_COLUMNS)
    assert row["param_draws"] == 2 and row["seeds_per_draw"] == 2
    assert row["parameter_variance"] == pytest.approx(7.0)
    assert row["chance_variance"] == pytest.approx(2.0)
    assert row["total_variance"] == pytest.approx(9.0)
    assert row["parameter_share"] == pytest.approx(7 / 9) and row["chance_share"] == pytest.approx(2 / 9)


def test_variance_split_unbalanced_and_truncated_by_hand():
    # draws with 3, 2 and 1 values... the last has no within-draw spread but counts:
    # draw 0: 0, 2, 4 (mean 2), draw 1: 1, 3 (mean 2), draw 2: 8 (mean 8); N = 6, K = 3, grand mean 3
    # MSW = (4 + 0 + 4 + 1 + 1 + 0) / (6 - 3) = 10 / 3
    # MSB = (3 * 1 + 2 * 1 + 1 * 25) / 2 = 15; n0 = (6 - (9 + 4 + 1) / 6) / 2 = 11 / 6
    # parameter = (15 - 10/3) / (11/6) = 70 / 11
    f = pd.DataFrame({"param_draw": [0, 0, 0, 1, 1, 2], "final_stance": [0.0, 2.0, 4.0, 1.0, 3.0, 8.0]})
    row = variance_split(f).iloc[0]
    assert row["chance_variance"] == pytest.approx(10 / 3)
    assert row["parameter_variance"] == pytest.approx(70 / 11)
    assert row["seeds_per_draw"] == pytest.approx(2.0)
    # means equal, spread within: MSB = 0 < MSW, so the parameter part is truncated at zero
    same = pd.DataFrame({"param_draw": [0, 0, 1, 1], "final_stance": [0.0, 2.0, 2.0, 0.0]})
    row = variance_split(same).iloc[0]
    assert row["parameter_variance"] == 0.0 and row["parameter_share"] == 0.0 and row["chance_share"] == 1.0
    # nothing varies: shares are undefined
    flat = pd.DataFrame({"param_draw": [0, 0, 1, 1], "final_stance": [1.0] * 4})
    assert np.isnan(variance_split(flat).iloc[0]["parameter_share"])


def test_variance_split_needs_a_nested_design():
    with pytest.raises(ValueError, match="needs a nested design"):
        variance_split(pd.DataFrame({"final_stance": [1.0, 2.0]}))
    with pytest.raises(ValueError, match="at least two parameter draws and a draw with two or more seeds"):
        variance_split(pd.DataFrame({"param_draw": [0, 1], "final_stance": [1.0, 2.0]}))


def test_variance_split_of_an_outcome_with_too_few_values_is_empty_not_an_error():
    # no election: the incumbent's share is missing everywhere; the stance still splits
    f = pd.DataFrame({"param_draw": [0, 0, 1, 1], "final_stance": [1.0, 3.0, 5.0, 7.0],
                      "incumbent_share": [None, None, None, None]})
    table = variance_split(f, ["final_stance", "incumbent_share"]).set_index("outcome")
    assert table.loc["final_stance", "parameter_variance"] == pytest.approx(7.0)
    assert table.loc["incumbent_share", "param_draws"] == 0
    assert table.loc["incumbent_share", VARIANCE_COLUMNS[3:]].isna().all()


# --------------------------------------------------------------------------------------
# typical_replication
# --------------------------------------------------------------------------------------


def test_typical_replication_by_hand():
    # medians: stance 0.3, approval 0.5; IQRs: stance 0.2, approval 0.2
    # distances: r0 |0.1-0.3|/0.2 + |0.5-0.5|/0.2 = 1; r1 0 + 1 = 1... r2 0 + 0 = 0
    f = pd.DataFrame({
        "replication": [0, 1, 2, 3, 4],
        "final_stance": [0.1, 0.3, 0.3, 0.5, 0.3],
        "mean_approval": [0.5, 0.7, 0.5, 0.5, 0.3],
        "coercion_weeks": [0, 0, 0, 0, 0],  # does not vary: left out
    })
    assert int(typical_replication(f)["replication"]) == 2
    assert int(typical_replication(f, ["mean_approval"])["replication"]) == 0  # first of the ties
    with pytest.raises(ValueError, match="no rows"):
        typical_replication(f.iloc[:0])


def test_typical_replication_tells_the_most_common_rung_and_yes_no_outcomes():
    # Rows 1 and 2 sit on every numeric median (stance 0.3, exports 10), but there China
    # reached a warning, as in only 2 of 6 rows: 4 of 6 stopped at a rebuke (rung 2).
    f = pd.DataFrame({
        "replication": [0, 1, 2, 3, 4, 5],
        "final_stance": [0.1, 0.3, 0.3, 0.3, 0.5, 0.4],
        "exports_lost_nzd_m": [10.0, 10.0, 10.0, 10.0, 0.0, 12.0],
        "china_max_rung": [2, 3, 3, 2, 2, 2],
        "china_max_rung_name": ["rebuke", "warning", "warning", "rebuke", "rebuke", "rebuke"],
        "trade_coercion": [False, False, False, True, False, False],
        "incumbent_won": [True, None, None, None, None, True],
    })
    # numbers only: row 1 and 2 are nearest; row 1 comes first
    assert int(typical_replication(f, discrete=())["replication"]) == 1
    # rung 2 (4 rows) -> no coercion (rows 0, 4, 5) -> incumbent won (rows 0 and 5, 2 of 3)
    # -> nearest their centre: stance median 0.25, IQR 0.15; exports median 11, IQR 1:
    #    row 0: 0.15/0.15 + 1/1 = 2, row 5: 0.15/0.15 + 1/1 = 2 -> the earlier, row 0
    row = typical_replication(f)
    assert int(row["replication"]) == 0 and row["china_max_rung_name"] == "rebuke"
    assert row.attrs == {"matching": 2, "of": 6}
    # the rung alone: rows 0, 3, 4, 5; centre stance 0.35 (IQR 0.175), exports 10 (IQR 3)
    #    row 0: 1.43 + 0, row 3: 0.29 + 0, row 4: 0.86 + 3.33, row 5: 0.29 + 0.67 -> row 3
    assert int(typical_replication(f, discrete=["china_max_rung"])["replication"]) == 3
    # a missing value is a value: with no winner in most rows, a row without one is told
    assert typical_replication(f, discrete=["incumbent_won"])["incumbent_won"] is None
    with pytest.raises(ValueError, match="no column"):
        typical_replication(f, discrete=["final_bloc"])


# --------------------------------------------------------------------------------------
# Real runs: load_run, summarise, ladder, variance_split, compare
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    base = small_spec()
    strong = small_spec(events={"vilnius": {"signals": {"china_language": "strong"}}})
    uncertain = small_spec(uncertainties={"election.approval_weight": {"dist": "uniform", "low": 0.0, "high": 0.5}})
    narrow = small_spec(uncertainties={"election.approval_weight": {"dist": "uniform", "low": 0.0399, "high": 0.0401}})
    return {
        "base": nzsim.run_ensemble(base, reps=30, seed=7, workers=1, out=root / "base"),
        "strong": nzsim.run_ensemble(strong, reps=30, seed=7, workers=1, out=root / "strong"),
        "nested": nzsim.run_ensemble(uncertain, seed=7, workers=1, out=root / "nested", design="nested",
                                   param_draws=6, seeds_per_draw=5),
        "fixed": nzsim.run_ensemble(narrow, seed=7, workers=1, out=root / "fixed", design="nested",
                                  param_draws=6, seeds_per_draw=5),
    }


def test_load_run_gives_every_frame_and_the_scenario(runs):
    run = load_run(runs["base"].path)
    assert len(run.outcomes) == 30 and {"replication", "seed", "final_stance"} <= set(run.outcomes.columns)
    assert {"replication", "week", "variable", "value"} <= set(run.trajectories.columns)
    assert {"replication", "week", "description"} <= set(run.events.columns)
    assert run.manifest["root_seed"] == 7
    assert run.scenario.sha256 == small_spec().sha256


def test_load_run_errors_say_what_is_wrong(runs, tmp_path):
    with pytest.raises(RunFolderError, match="not a run folder"):
        load_run(tmp_path)
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    manifest = json.loads((runs["base"].path / "manifest.json").read_text())
    manifest["status"] = "running"
    (unfinished / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RunFolderError, match=r"the run did not finish \(it was stopped part-way, .*--resume .*unfinished"):
        load_run(unfinished)


def test_summarise_takes_a_run(runs):
    pd.testing.assert_frame_equal(analysis.summarise(runs["base"]), analysis.summarise(runs["base"].outcomes))


def test_ladder_of_a_run_has_dates_and_shares_that_sum_to_one(runs):
    table = ladder(runs["strong"])
    assert list(table.columns[:2]) == ["week", "date"]
    assert table["date"].iloc[0] == pd.Timestamp(small_spec().start)
    assert table["date"].iloc[6] == pd.Timestamp(small_spec().start) + pd.Timedelta(weeks=6)
    assert np.allclose(table[list(RUNG_NAMES)].sum(axis=1), 1.0)
    assert len(table) == small_spec().horizon_weeks + 1
    # the same shares as counting the stored rungs by hand in one week
    rungs = runs["strong"].trajectories_of(["china_rung"])
    week = rungs[rungs["week"] == 7]["value"]
    assert table.loc[7, "rebuke"] == pytest.approx((week == 2).mean())


def test_variance_split_of_real_nested_runs(runs):
    with pytest.raises(ValueError, match="this run's design is monte_carlo"):
        variance_split(runs["base"])
    split = variance_split(runs["nested"]).set_index("outcome")
    # blame of Beijing is defined only in runs under measures, which this quiet run never has
    assert split.loc["blame_beijing_share", "param_draws"] == 0
    split = split.drop("blame_beijing_share")
    assert (split["param_draws"] == 6).all() and (split["seeds_per_draw"] == 5).all()
    varying = split[split["total_variance"] > 0]
    assert np.allclose(varying["parameter_share"] + varying["chance_share"], 1.0)
    # how much approval of foreign policy moves votes, drawn from 0 to 0.5, moves the
    # incumbent's share: a good part of its spread is the parameter's; drawn from 0.0399 to
    # 0.0401 (seeds and draws otherwise the same), none of it is, up to the estimator's noise
    # with six draws of five seeds (a share of about 0.1 from chance alone is common there)
    fixed = variance_split(runs["fixed"]).set_index("outcome")
    wide, narrow = split.loc["incumbent_share", "parameter_share"], fixed.loc["incumbent_share", "parameter_share"]
    assert wide > 0.25 and narrow < 0.2 and wide - narrow > 0.15, (wide, narrow)


def test_compare_real_runs_labels_pairing_and_signs(runs):
    table = compare([runs["base"], runs["strong"]])
    # both runs are of scenarios named test-base: the folder tells them apart
    assert list(table["run"].unique()) == ["test-base (base)", "test-base (strong)"]
    rows = table[table["run"] == "test-base (strong)"].set_index("outcome")
    assert rows["paired"].all()  # same root seed: common random numbers
    # strong words raise China's chance of at least a rebuke, never lower it, and the value
    # and difference are the plain shares of the stored rows
    assert rows.loc["china_max_rung>=rebuke", "difference"] >= 0
    strong, base = runs["strong"].outcomes, runs["base"].outcomes
    assert rows.loc["trust_mean", "value"] == pytest.approx(strong["trust_mean"].mean())
    assert rows.loc["china_max_rung>=warning", "difference"] == pytest.approx(
        (strong["china_max_rung"] >= 3).mean() - (base["china_max_rung"] >= 3).mean())
    assert set(analysis.compared_outcomes(runs["base"].outcomes)) == set(table["outcome"])


def test_compare_and_frontier_take_run_folders_by_path(runs):
    base, strong = runs["base"].path, runs["strong"].path
    expected = compare([runs["base"], runs["strong"]], outcomes=["trust_mean", "trade_coercion"], resamples=200)
    for given in ([str(base), strong], [runs["base"], str(strong)]):  # str, Path, or mixed with a Run
        table = compare(given, outcomes=["trust_mean", "trade_coercion"], resamples=200)
        pd.testing.assert_frame_equal(table, expected)
    labelled = compare({"base": str(base), "strong": strong}, outcomes=["trust_mean"], resamples=200)
    assert list(labelled["run"]) == ["base", "strong"]
    with pytest.raises(ValueError, match="expected at least two runs to compare, got 1"):
        compare(str(base))
    objectives = ["final_interoperability", "trust_mean"]
    frontier = tradeoff_frontier({"base": str(base), "strong": strong}, objectives)
    pd.testing.assert_frame_equal(frontier, tradeoff_frontier({"base": runs["base"], "strong": runs["strong"]}, objectives))
    # one run is a frontier of one (nzsim classroom with a single team's bundle)
    alone = tradeoff_frontier(str(base), objectives)
    assert list(alone["run"]) == ["test-base"] and alone["on_frontier"].tolist() == [True]
    assert list(analysis.labelled([base, strong], "runs")[0][1].columns) == list(runs["base"].outcomes.columns)

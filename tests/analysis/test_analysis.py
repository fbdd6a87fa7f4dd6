"""Analysis of ensemble frames (nzsim/analysis.py): each function on tiny hand-made frames whose
answers are worked by hand in comments, then on real rows from ``nzsim.replicate``.

Quantiles are numpy's default "linear" method: the q-quantile of n sorted values sits at
position h = (n - 1) * q and is x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
"""

from __future__ import annotations

from nzsim.catalogue.partners import PARTNERS

import doctest
import math
import time

import numpy as np
import pandas as pd
import pytest

import nzsim
from nzsim import analysis
from nzsim.analysis.summary import outcome_kinds
from nzsim.model.agents.china import Rung
from nzsim.catalogue.outcomes import KINDS
from nzsim.catalogue.rungs import RUNG_NAMES
from nzsim.analysis import (
    SUMMARY_COLUMNS,
    fan_quantiles,
    quantile_name,
    rung_probabilities_by_week,
    summarise,
)
from nzsim.model import reporters
from tests.helpers import make_spec


def ensemble_frames(spec, seeds, cell=None):
    """Outcomes and long trajectories of ``nzsim.replicate(spec, seed)`` for each seed, as the
    ensemble runner stores them."""
    rows, long = [], []
    for i, seed in enumerate(seeds):
        rep = nzsim.replicate(spec, seed)
        rows.append({"replication": i, "seed": seed, **({"cell": cell} if cell else {}), **rep.outcomes})
        frame = rep.trajectories.reset_index().melt(id_vars="week", var_name="variable", value_name="value")
        long.append(frame.assign(replication=i, **({"cell": cell} if cell else {})))
    trajectories = pd.concat(long, ignore_index=True)[["replication", "week", "variable", "value"] + (["cell"] if cell else [])]
    return pd.DataFrame(rows), trajectories


@pytest.fixture(scope="module")
def real():
    """Six small replications: three of the base scenario and three without its election."""
    with_election = ensemble_frames(make_spec(context={"voters": 300}), [1, 2, 3], cell="with election")
    without = ensemble_frames(make_spec(context={"voters": 300}, events={"election": None}), [4, 5, 6], cell="no election")
    outcomes = pd.concat([with_election[0], without[0]], ignore_index=True)
    outcomes["replication"] = range(len(outcomes))
    trajectories = pd.concat([with_election[1], without[1].assign(replication=without[1]["replication"] + 3)], ignore_index=True)
    return outcomes, trajectories


def row(table, outcome, **where):
    """The single summary row for ``outcome`` (and the given group columns)."""
    mask = table["outcome"] == outcome
    for key, value in where.items():
        mask &= table[key] == value
    found = table[mask]
    assert len(found) == 1, f"{len(found)} rows for {outcome} {where}"
    return found.iloc[0]


# --------------------------------------------------------------------------------------
# The outcome kinds (from the catalogue)
# --------------------------------------------------------------------------------------


def test_every_outcome_of_a_real_row_has_a_kind_and_no_kind_is_stale():
    for events in ({}, {"election": None}):  # with and without the election's nullable fields
        outcomes = nzsim.replicate(make_spec(context={"voters": 200}, events=events), seed=3).outcomes
        assert set(outcomes) == set(outcome_kinds())
        assert list(outcomes) == list(outcome_kinds())  # same order, so summaries read like the row
    assert set(outcome_kinds().values()) == set(KINDS)


def test_kinds_agree_with_the_stored_column_types():
    from nzsim.catalogue.outcomes import column_types

    assert list(column_types()) == list(outcome_kinds())
    expected = {"float": "numeric", "float?": "numeric", "int": "numeric", "bool": "binary", "bool?": "binary",
                "str": "categorical", "int?": "timing"}
    for column, stored in column_types().items():
        if column != "china_max_rung":  # an int read as an ordinal
            assert outcome_kinds()[column] == expected[stored], column


def test_kinds_are_the_documented_ones():
    assert outcome_kinds()["china_max_rung"] == "ordinal"
    assert outcome_kinds()["partnership_week"] == "timing"
    assert outcome_kinds()["final_bloc"] == outcome_kinds()["china_max_rung_name"] == "categorical"
    assert {k for k, v in outcome_kinds().items() if v == "binary"} == {
        "partnership_signed", "trade_coercion", "formal_coercion", "diplomatic_freeze", "people_measures",
        "economic_measures", "election_held", "incumbent_won", *(f"stood_by_{k}" for k in PARTNERS),
    }
    assert outcome_kinds()["first_measure_week"] == "timing"
    assert outcome_kinds()["incumbent_share"] == outcome_kinds()["coercion_weeks"] == "numeric"
    assert RUNG_NAMES == tuple(r.words for r in Rung)


# --------------------------------------------------------------------------------------
# summarise
# --------------------------------------------------------------------------------------


def tiny():
    """Four replications with values chosen so every statistic is easy by hand."""
    return pd.DataFrame(
        {
            "replication": [0, 1, 2, 3],
            "seed": [10, 11, 12, 13],
            "param.china.trade_threshold": [3.0, 4.0, 5.0, 6.0],
            "final_stance": [0.9, 0.1, 0.4, 0.2],
            "partnership_signed": [True, False, True, True],
            "partnership_week": [None, 10, None, 20],
            "china_max_rung": [1, 3, 1, 4],
            "china_max_rung_name": ["normal", "warning", "normal", "informal restriction"],
            "trade_coercion": [False, False, False, True],
            "incumbent_share": [0.6, None, 0.4, None],
            "incumbent_won": [True, None, False, None],
            "final_bloc": ["labour", "national", "labour", "labour"],
        }
    )


def test_numeric_statistics_by_hand():
    line = row(summarise(tiny()), "final_stance")
    # sorted 0.1, 0.2, 0.4, 0.9
    assert line["kind"] == "numeric"
    assert line["n"] == 4
    assert line["mean"] == pytest.approx(1.6 / 4)  # 0.4
    assert line["median"] == pytest.approx(0.3)  # (0.2 + 0.4) / 2
    assert line["p05"] == pytest.approx(0.115)  # h = 3 * 0.05 = 0.15: 0.1 + 0.15 * (0.2 - 0.1)
    assert line["p95"] == pytest.approx(0.825)  # h = 3 * 0.95 = 2.85: 0.4 + 0.85 * (0.9 - 0.4)
    assert math.isnan(line["probability"])


def test_numeric_with_nulls_counts_only_values():
    line = row(summarise(tiny()), "incumbent_share")
    # 0.4, 0.6 (two elections): mean 0.5; p05 at h = 0.05: 0.4 + 0.05 * 0.2 = 0.41; p95 0.59
    assert line["n"] == 2
    assert line["mean"] == pytest.approx(0.5)
    assert line["median"] == pytest.approx(0.5)
    assert line["p05"] == pytest.approx(0.41)
    assert line["p95"] == pytest.approx(0.59)


def test_all_null_gives_n_zero_and_nan_statistics():
    frame = tiny().assign(incumbent_share=None, incumbent_won=None)
    table = summarise(frame)
    share, won = row(table, "incumbent_share"), row(table, "incumbent_won")
    assert share["n"] == 0 and won["n"] == 0
    assert all(math.isnan(share[s]) for s in ("mean", "median", "p05", "p95"))
    assert math.isnan(won["probability"])


def test_binary_probability_is_the_share_true_among_non_null():
    table = summarise(tiny())
    assert row(table, "partnership_signed")[["n", "probability"]].tolist() == [4, 0.75]  # 3 of 4
    assert row(table, "trade_coercion")[["n", "probability"]].tolist() == [4, 0.25]  # 1 of 4
    won = row(table, "incumbent_won")  # True, False; two nulls (no election)
    assert won["n"] == 2 and won["probability"] == 0.5
    assert math.isnan(won["mean"])


def test_timing_is_the_share_with_a_week_and_the_week_among_those():
    line = row(summarise(tiny()), "partnership_week")
    # weeks 10 and 20 in two of four runs
    assert line["kind"] == "timing"
    assert line["n"] == 4
    assert line["probability"] == 0.5
    assert line["median"] == pytest.approx(15.0)
    assert line["mean"] == pytest.approx(15.0)
    assert line["p05"] == pytest.approx(10.5)  # h = 0.05: 10 + 0.05 * 10
    assert line["p95"] == pytest.approx(19.5)  # h = 0.95: 10 + 0.95 * 10


def test_highest_rung_gets_one_row_per_rung_and_the_shares_sum_to_one():
    table = summarise(tiny())
    rungs = table[table["kind"] == "ordinal"]
    # rungs 1, 3, 1, 4: normal 2/4, warning 1/4, informal restriction 1/4, the rest 0
    assert rungs["outcome"].tolist() == [f"china_max_rung={r.words}" for r in Rung]
    assert rungs["probability"].tolist() == [0.0, 0.5, 0.0, 0.25, 0.25, 0.0]
    assert (rungs["n"] == 4).all()
    assert rungs["probability"].sum() == pytest.approx(1.0)
    assert row(table, "china_max_rung=warning")["probability"] == 0.25


def test_final_bloc_gets_a_row_per_bloc_and_the_rung_name_is_skipped():
    table = summarise(tiny())
    assert row(table, "final_bloc=labour")["probability"] == 0.75
    assert row(table, "final_bloc=national")["probability"] == 0.25
    assert not table["outcome"].str.startswith("china_max_rung_name").any()


def test_columns_and_row_order_follow_the_frame():
    table = summarise(tiny())
    assert list(table.columns) == list(SUMMARY_COLUMNS)
    assert table["outcome"].tolist() == [
        "final_stance",
        "partnership_signed",
        "partnership_week",
        *[f"china_max_rung={r.words}" for r in Rung],
        "trade_coercion",
        "incumbent_share",
        "incumbent_won",
        "final_bloc=labour",
        "final_bloc=national",
    ]
    # identifiers and sampled parameters are not outcomes
    assert not table["outcome"].isin(["replication", "seed", "param.china.trade_threshold"]).any()
    assert table["n"].dtype == np.int64
    reordered = tiny()[["final_bloc", "final_stance", "replication"]]
    assert summarise(reordered)["outcome"].tolist() == ["final_bloc=labour", "final_bloc=national", "final_stance"]


def test_by_groups_in_order_of_appearance_with_the_same_lines_in_each():
    frame = tiny().assign(cell=["b", "a", "b", "a"])
    table = summarise(frame, by="cell")
    assert list(table.columns) == ["cell", *SUMMARY_COLUMNS]
    assert table["cell"].unique().tolist() == ["b", "a"]
    per_group = table.groupby("cell", sort=False)["outcome"].apply(list)
    assert per_group["a"] == per_group["b"] == summarise(tiny())["outcome"].tolist()
    # cell b: replications 0 and 2: stance 0.9, 0.4 -> mean 0.65; both labour; rungs 1, 1
    assert row(table, "final_stance", cell="b")["mean"] == pytest.approx(0.65)
    assert row(table, "final_bloc=national", cell="b")["probability"] == 0.0
    assert row(table, "china_max_rung=normal", cell="b")["probability"] == 1.0
    # cell a: replications 1 and 3: stance 0.1, 0.2 -> median 0.15; no election held in either
    assert row(table, "final_stance", cell="a")["median"] == pytest.approx(0.15)
    assert row(table, "incumbent_share", cell="a")["n"] == 0
    assert row(table, "partnership_week", cell="a")["probability"] == 1.0  # weeks 10 and 20


def test_by_several_columns():
    frame = tiny().assign(param_draw=[0, 0, 1, 1], seed_index=[0, 1, 0, 1])
    table = summarise(frame, by=["param_draw", "seed_index"])
    assert list(table.columns[:2]) == ["param_draw", "seed_index"]
    assert row(table, "final_stance", param_draw=1, seed_index=0)["mean"] == pytest.approx(0.4)


def test_nullable_dtypes_from_parquet_give_the_same_summary(tmp_path):
    frame = tiny()
    frame.to_parquet(tmp_path / "outcomes.parquet")
    back = pd.read_parquet(tmp_path / "outcomes.parquet", dtype_backend="numpy_nullable")
    assert str(back["incumbent_won"].dtype) == "boolean"
    pd.testing.assert_frame_equal(summarise(back), summarise(frame))


def test_an_empty_frame_gives_every_line_with_n_zero():
    table = summarise(tiny().iloc[:0])
    assert table["outcome"].tolist() == summarise(tiny())["outcome"].tolist()
    assert (table["n"] == 0).all()
    assert table["probability"].isna().all()
    assert summarise(tiny().iloc[:0].assign(cell=pd.Series(dtype=str)), by="cell").empty


def test_extra_kinds_and_errors():
    frame = tiny().assign(custom_score=[1.0, 2.0, 3.0, 4.0])
    assert "custom_score" not in summarise(frame)["outcome"].tolist()
    assert row(summarise(frame, kinds={"custom_score": "numeric"}), "custom_score")["mean"] == 2.5
    with pytest.raises(ValueError, match="unknown outcome kind"):
        summarise(frame, kinds={"custom_score": "continuous"})
    with pytest.raises(ValueError, match="no column"):
        summarise(frame, by="cell")
    with pytest.raises(ValueError, match="trade_coercion: expected True, False or null"):
        summarise(tiny().assign(trade_coercion=["yes", False, False, True]))
    with pytest.raises(ValueError, match="china_max_rung"):
        summarise(tiny().assign(china_max_rung=[1, 3, 1, 9]))


def test_summarise_real_outcomes_has_every_kind_and_outcome(real):
    outcomes, _ = real
    table = summarise(outcomes)
    assert set(table["kind"]) == set(KINDS)
    named = {o.split("=")[0] for o in table["outcome"]}
    assert named == set(outcome_kinds()) - {"china_max_rung_name"}
    assert row(table, "election_held")["probability"] == 0.5  # three of six have an election
    assert row(table, "incumbent_share")["n"] == 3
    assert row(table, "final_stance")["n"] == 6
    rungs = table[table["kind"] == "ordinal"]["probability"]
    assert rungs.sum() == pytest.approx(1.0)
    # each cell: the election column is all true in one and all false in the other
    by_cell = summarise(outcomes, by="cell")
    assert row(by_cell, "election_held", cell="with election")["probability"] == 1.0
    assert row(by_cell, "incumbent_won", cell="no election")["n"] == 0


# --------------------------------------------------------------------------------------
# fan_quantiles
# --------------------------------------------------------------------------------------


def hundred():
    """101 replications: at week 0 the values 0..100, at week 1 twice that, in shuffled order."""
    rng = np.random.default_rng(0)
    values = np.arange(101.0)
    frames = [
        pd.DataFrame({"replication": np.arange(101), "week": 0, "variable": "stance", "value": rng.permutation(values)}),
        pd.DataFrame({"replication": np.arange(101), "week": 1, "variable": "stance", "value": rng.permutation(2 * values)}),
        pd.DataFrame({"replication": np.arange(101), "week": 0, "variable": "approval", "value": 1.0}),
    ]
    return pd.concat(frames, ignore_index=True).sample(frac=1.0, random_state=1)


def test_quantiles_of_zero_to_a_hundred_are_the_percentiles():
    table = fan_quantiles(hundred())
    assert list(table.columns) == ["variable", "week", "q05", "q25", "q50", "q75", "q95"]
    # 101 values 0..100: h = 100 * q lands on a value, so the q-quantile is 100 q
    stance0 = table[(table["variable"] == "stance") & (table["week"] == 0)].iloc[0]
    assert stance0[["q05", "q25", "q50", "q75", "q95"]].tolist() == [5.0, 25.0, 50.0, 75.0, 95.0]
    stance1 = table[(table["variable"] == "stance") & (table["week"] == 1)].iloc[0]
    assert stance1[["q05", "q25", "q50", "q75", "q95"]].tolist() == [10.0, 50.0, 100.0, 150.0, 190.0]
    approval = table[table["variable"] == "approval"].iloc[0]
    assert approval[["q05", "q95"]].tolist() == [1.0, 1.0]
    # variables in order of first appearance in the (shuffled) frame, weeks ascending
    first = pd.unique(hundred()["variable"]).tolist()
    assert table["variable"].drop_duplicates().tolist() == first
    assert table[table["variable"] == "stance"]["week"].tolist() == [0, 1]


def test_quantiles_interpolate_linearly():
    frame = pd.DataFrame({"replication": range(4), "week": 3, "variable": "approval", "value": [3.0, 0.0, 2.0, 1.0]})
    table = fan_quantiles(frame, quantiles=(0.1, 0.25, 0.5, 0.975))
    assert list(table.columns) == ["variable", "week", "q10", "q25", "q50", "q97.5"]
    # sorted 0, 1, 2, 3: h = 3q -> 0.3, 0.75, 1.5, 2.925
    assert table.iloc[0][["q10", "q25", "q50", "q97.5"]].tolist() == pytest.approx([0.3, 0.75, 1.5, 2.925])


def test_quantiles_select_variables_in_order_ignore_nulls_and_keep_groups():
    frame = hundred()
    table = fan_quantiles(frame, variables=["approval", "stance"])
    assert table["variable"].drop_duplicates().tolist() == ["approval", "stance"]
    only = fan_quantiles(frame, variables=["stance"], quantiles=(0.5,))
    assert only["variable"].unique().tolist() == ["stance"] and list(only.columns) == ["variable", "week", "q50"]

    with_null = pd.concat([frame, pd.DataFrame({"replication": [200], "week": [0], "variable": ["stance"], "value": [np.nan]})])
    pd.testing.assert_frame_equal(fan_quantiles(with_null), fan_quantiles(frame))

    two = pd.concat([frame.assign(cell="x"), frame.assign(cell="y", value=frame["value"] + 1000)], ignore_index=True)
    grouped = fan_quantiles(two, variables=["stance"], by="cell")
    assert list(grouped.columns[:3]) == ["cell", "variable", "week"]
    assert grouped["cell"].tolist() == ["x", "x", "y", "y"]
    assert grouped["q50"].tolist() == [50.0, 100.0, 1050.0, 1100.0]


def test_quantile_names_and_errors():
    assert [quantile_name(q) for q in (0.05, 0.5, 0.95, 0.025, 0.0, 1.0)] == ["q05", "q50", "q95", "q2.5", "q00", "q100"]
    with pytest.raises(ValueError, match="not in the trajectories"):
        fan_quantiles(hundred(), variables=["nonsense"])
    with pytest.raises(ValueError, match="twice"):
        fan_quantiles(hundred(), variables=["stance", "stance"])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        fan_quantiles(hundred(), quantiles=(0.5, 1.5))
    with pytest.raises(ValueError, match="repeated"):
        fan_quantiles(hundred(), quantiles=(0.5, 0.5))
    with pytest.raises(ValueError, match="no column"):
        fan_quantiles(hundred().drop(columns="value"))


def test_fan_quantiles_on_a_million_rows_is_fast():
    # 1,000 replications x 53 weeks x 19 variables = 1,007,000 rows
    rng = np.random.default_rng(1)
    variables = list(reporters())[:19]
    reps, weeks = 1000, 53
    n = reps * weeks * len(variables)
    frame = pd.DataFrame(
        {
            "replication": np.repeat(np.arange(reps), weeks * len(variables)),
            "week": np.tile(np.arange(weeks), reps * len(variables)),
            "variable": np.tile(np.repeat(variables, weeks), reps),
            "value": rng.random(n),
        }
    )
    assert len(frame) >= 1_000_000
    began = time.perf_counter()
    table = fan_quantiles(frame)
    elapsed = time.perf_counter() - began
    assert len(table) == weeks * len(variables)
    assert elapsed < 3.0, f"fan_quantiles took {elapsed:.2f} s on {len(frame):,} rows"


def test_runner_dtypes_give_the_same_frames():
    """The runner stores ``variable`` and ``cell`` dictionary-encoded (read back as categoricals,
    with every category even when a filter leaves some unused) and ``week`` as int16."""
    plain = pd.concat([hundred().assign(cell="x"), hundred().assign(cell="y", value=lambda f: f["value"] + 1)], ignore_index=True)
    stored = plain.assign(
        variable=pd.Categorical(plain["variable"], categories=["stance", "approval", "china_rung"]),
        cell=pd.Categorical(plain["cell"], categories=["x", "y", "z"]),
        week=plain["week"].astype("int16"),
    )
    for by in (None, "cell"):
        expected, got = fan_quantiles(plain, by=by), fan_quantiles(stored, by=by)
        assert got["variable"].tolist() == expected["variable"].tolist()
        assert got["week"].tolist() == expected["week"].tolist()
        assert np.allclose(got[["q05", "q50", "q95"]], expected[["q05", "q50", "q95"]])
        if by:
            assert got["cell"].astype(str).tolist() == expected["cell"].tolist()  # no empty group z
    rungs = ladder().assign(variable=lambda f: pd.Categorical(f["variable"]), week=lambda f: f["week"].astype("int16"))
    rungs["cell"] = pd.Categorical(["x"] * len(rungs), categories=["x", "unused"])
    table = rung_probabilities_by_week(rungs, by="cell")
    assert table["cell"].astype(str).tolist() == ["x"] * 3
    assert table["rebuke"].tolist() == [0.0, 0.5, 0.25]


# --------------------------------------------------------------------------------------
# rung_probabilities_by_week
# --------------------------------------------------------------------------------------


def ladder():
    """Four replications over weeks 0-2 (rows listed replication by replication):
    week 0: 1 1 1 1; week 1: 1 2 2 3; week 2: 4 2 1 1."""
    rungs = {0: [1, 1, 4], 1: [1, 2, 2], 2: [1, 2, 1], 3: [1, 3, 1]}
    rows = [(r, w, "china_rung", float(v)) for r, values in rungs.items() for w, v in enumerate(values)]
    rows += [(r, w, "stance", 9.0) for r in rungs for w in range(3)]  # other variables are ignored
    return pd.DataFrame(rows, columns=["replication", "week", "variable", "value"])


def test_rung_shares_match_a_hand_count():
    table = rung_probabilities_by_week(ladder())
    assert list(table.columns) == ["week", *RUNG_NAMES]
    assert table["week"].tolist() == [0, 1, 2]
    expected = pd.DataFrame(
        {
            "week": [0, 1, 2],
            "cordial": [0.0, 0.0, 0.0],
            "normal": [1.0, 0.25, 0.5],  # week 1: one of four; week 2: two of four
            "rebuke": [0.0, 0.5, 0.25],
            "warning": [0.0, 0.25, 0.0],
            "informal restriction": [0.0, 0.0, 0.25],
            "formal coercion": [0.0, 0.0, 0.0],
        }
    )
    pd.testing.assert_frame_equal(table, expected, check_dtype=False)
    assert np.allclose(table[list(RUNG_NAMES)].sum(axis=1), 1.0)


def test_rung_shares_by_group_and_errors():
    frame = pd.concat([ladder().assign(cell="x"), ladder().assign(cell="y", value=lambda f: f["value"].where(f["variable"] != "china_rung", 5.0))])
    table = rung_probabilities_by_week(frame, by="cell")
    assert list(table.columns[:2]) == ["cell", "week"]
    assert table["cell"].tolist() == ["x"] * 3 + ["y"] * 3
    assert table[table["cell"] == "y"]["formal coercion"].tolist() == [1.0, 1.0, 1.0]
    assert table[table["cell"] == "x"]["rebuke"].tolist() == [0.0, 0.5, 0.25]
    with pytest.raises(ValueError, match="not rungs"):
        rung_probabilities_by_week(ladder().assign(value=7.0))
    with pytest.raises(ValueError, match="no china_rung"):
        rung_probabilities_by_week(ladder()[ladder()["variable"] != "china_rung"])


def test_rung_shares_of_real_runs_sum_to_one_and_agree_with_the_highest_rung(real):
    outcomes, trajectories = real
    table = rung_probabilities_by_week(trajectories)
    weeks = trajectories["week"].nunique()
    assert len(table) == weeks
    assert np.allclose(table[list(RUNG_NAMES)].sum(axis=1), 1.0)
    # a rung some run is at in some week is at most the highest rung any run reached
    reached = [i for i, name in enumerate(RUNG_NAMES) if (table[name] > 0).any()]
    assert max(reached) == outcomes["china_max_rung"].max()


def test_docstring_examples_run():
    import importlib
    import pkgutil

    tried = 0
    for info in pkgutil.iter_modules(analysis.__path__):
        module = importlib.import_module(f"{analysis.__name__}.{info.name}")
        failures, count = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert failures == 0, module.__name__
        tried += count
    assert tried >= 8


# --------------------------------------------------------------------------------------
# From a run folder, in batches (bounded memory on large runs)
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A plain run and a run with two lever cells, written by the runner."""
    from nzsim.runs import run_ensemble
    from tests.helpers import small_spec

    folder = tmp_path_factory.mktemp("runs")
    plain = run_ensemble(small_spec(), 24, seed=5, workers=1, chunk_size=5, out=folder / "plain")
    levers = {"events.vilnius.signals.china_language": ["none", "strong"]}
    cells = run_ensemble(small_spec(levers=levers), 12, seed=5, workers=1, chunk_size=5, out=folder / "cells")
    return {"plain": plain, "cells": cells}


@pytest.mark.parametrize("batch_rows", [None, 997])  # one batch; many, with groups and weeks split across them
@pytest.mark.parametrize("case", [
    ("plain", {}),
    ("plain", {"variables": ["approval", "stance"], "quantiles": (0.1, 0.5, 0.9)}),
    ("cells", {"by": "cell"}),
    ("cells", {"by": "cell", "variables": ["china_grievance"]}),
])
def test_quantiles_of_a_run_equal_those_of_its_frame(runs, case, batch_rows, monkeypatch):
    name, args = case
    run = runs[name]
    if batch_rows:
        monkeypatch.setattr(nzsim.runs.runfolder, "TRAJECTORY_BATCH_ROWS", batch_rows)
        assert len(list(run.iter_trajectories())) > 10
    pd.testing.assert_frame_equal(fan_quantiles(run, **args), fan_quantiles(run.trajectories, **args))


@pytest.mark.parametrize("batch_rows", [None, 997])
@pytest.mark.parametrize("name, by", [("plain", None), ("cells", "cell")])
def test_rung_shares_of_a_run_equal_those_of_its_frame(runs, name, by, batch_rows, monkeypatch):
    if batch_rows:
        monkeypatch.setattr(nzsim.runs.runfolder, "TRAJECTORY_BATCH_ROWS", batch_rows)
    run = runs[name]
    pd.testing.assert_frame_equal(rung_probabilities_by_week(run, by=by), rung_probabilities_by_week(run.trajectories, by=by))


def test_a_run_read_in_batches_is_the_whole_run(runs, monkeypatch):
    monkeypatch.setattr(nzsim.runs.runfolder, "TRAJECTORY_BATCH_ROWS", 500)
    run = runs["cells"]
    batches = list(run.iter_trajectories(["stance", "approval"], columns=["cell", "week", "value"]))
    assert all(len(b) <= 500 for b in batches)
    joined = pd.concat(batches, ignore_index=True)
    whole = run.trajectories_of(["stance", "approval"])
    assert list(joined.columns) == ["week", "variable", "value", "cell"]
    assert joined["value"].tolist() == whole["value"].tolist()
    assert run.trajectory_variables == list(reporters())


def test_quantiles_of_a_run_say_what_is_wrong_before_reading_it(runs, monkeypatch):
    def no_reading(*args, **kwargs):
        raise AssertionError("the rows were read before the arguments were checked")

    monkeypatch.setattr(nzsim.runs.runfolder.Run, "iter_trajectories", no_reading)
    run = runs["plain"]
    with pytest.raises(ValueError, match=r"\['nonsense'\] are not in the trajectories; present: \['stance', "):
        fan_quantiles(run, variables=["stance", "nonsense"])  # present: every variable in the file
    with pytest.raises(ValueError, match="twice"):
        fan_quantiles(run, variables=["stance", "stance"])
    with pytest.raises(ValueError, match="probabilities"):
        fan_quantiles(run, quantiles=(0.5, 1.5))
    with pytest.raises(ValueError, match="no column.*cell"):
        fan_quantiles(run, by="cell")


def test_a_missing_group_label_is_a_group_of_its_own_across_batches(runs, tmp_path, monkeypatch):
    """As in the frame functions (dropna=False); the runner never writes one, another tool might."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import shutil

    folder = tmp_path / "run"
    shutil.copytree(runs["cells"].path, folder)
    frame = pd.read_parquet(folder / "trajectories.parquet")
    frame["cell"] = frame["cell"].astype(object).where(frame["replication"] >= 2, None)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / "trajectories.parquet", row_group_size=700)
    monkeypatch.setattr(nzsim.runs.runfolder, "TRAJECTORY_BATCH_ROWS", 300)
    run = nzsim.runs.runfolder.Run.open(folder)
    got = fan_quantiles(run, ["stance"], by="cell")
    assert got["cell"].isna().sum() == got["week"].nunique()  # one group of missing labels
    pd.testing.assert_frame_equal(got, fan_quantiles(run.trajectories, ["stance"], by="cell"))
    pd.testing.assert_frame_equal(rung_probabilities_by_week(run, by="cell"),
                                  rung_probabilities_by_week(run.trajectories, by="cell"))


def test_a_runs_summary_report_and_comparison_never_hold_its_whole_trajectories(runs, tmp_path, monkeypatch):
    """nzsim run's figures, nzsim report and nzsim compare read trajectories in batches only:
    a 20,000-replication run's would take over a gigabyte as one frame (decision 26)."""
    import shutil

    import pyarrow.parquet as pq

    from nzsim.reports import describe_run
    from nzsim.reports import write_comparison, write_html_report
    from nzsim.runs.runfolder import Run

    copies = {}
    for name, run in runs.items():
        shutil.copytree(run.path, tmp_path / name)
        copies[name] = Run.open(tmp_path / name)

    def whole(*args, **kwargs):
        raise AssertionError("a whole run's trajectories were read")

    real_read_parquet, real_read_table = pd.read_parquet, pq.read_table
    monkeypatch.setattr(Run, "trajectories", property(whole))
    monkeypatch.setattr(Run, "trajectories_of", whole)
    monkeypatch.setattr(pd, "read_parquet",
                        lambda path, *a, **k: whole() if "trajectories" in str(path) else real_read_parquet(path, *a, **k))
    monkeypatch.setattr(pq, "read_table",
                        lambda path, *a, **k: whole() if "trajectories" in str(path) else real_read_table(path, *a, **k))
    for run in copies.values():
        describe_run(run)
        assert (run.path / "figures" / "trajectories.png").is_file() and (run.path / "figures" / "china_ladder.png").is_file()
        assert write_html_report(run, tmp_path / f"{run.path.name}.html").is_file()
    write_comparison(copies, tmp_path / "comparison", baseline="plain")
    assert (tmp_path / "comparison" / "figures" / "trajectories.png").is_file()


def test_passes_hold_whole_variables_while_one_fits_then_blocks_of_weeks():
    from nzsim.analysis.trajectories import passes

    names = ["a", "b", "c"]  # 100 replications over 10 weeks: 1,000 rows a variable
    assert passes(names, 100, (0, 9), budget=10_000) == [(names, None)]
    assert passes(names, 100, (0, 9), budget=2_000) == [(["a", "b"], None), (["c"], None)]
    # whole variables (3 passes) or every variable over 3 weeks (4 passes): the fewer
    assert passes(names, 100, (0, 9), budget=1_000) == [(["a"], None), (["b"], None), (["c"], None)]
    # no whole variable fits: every variable over blocks of weeks
    assert passes(names, 100, (0, 9), budget=900) == [(names, (0, 2)), (names, (3, 5)), (names, (6, 8)),
                                                      (names, (9, 9))]
    # not even a week of every variable: some variables a week at a time
    assert passes(names, 100, (0, 1), budget=200) == [(["a", "b"], (0, 0)), (["c"], (0, 0)),
                                                      (["a", "b"], (1, 1)), (["c"], (1, 1))]
    assert passes(names, 100, (0, 1), budget=10) == [([n], (w, w)) for w in range(2) for n in names]
    assert passes(names, 100, None) == [(names, None)]  # no statistics: one pass


@pytest.mark.parametrize("budget", [1 << 22, 500, 40])
def test_a_run_read_in_passes_gives_the_frames_results(runs, monkeypatch, budget):
    """However many passes a run's trajectories take (a few variables, one variable, a block of
    weeks at a time), the quantiles and the ladder are those of the whole frame."""
    import nzsim.analysis.trajectories as trajectories

    monkeypatch.setattr(trajectories, "PASS_ROWS", budget)
    read = []
    real = nzsim.runs.runfolder.Run.iter_trajectories

    def counted(self, variables=None, columns=None, batch_rows=None, weeks=None):
        read.append((list(variables), weeks))
        return real(self, variables, columns, batch_rows, weeks)

    monkeypatch.setattr(nzsim.runs.runfolder.Run, "iter_trajectories", counted)
    for name, by in (("plain", None), ("cells", "cell")):
        run = runs[name]
        read.clear()
        fan_quantiles(run, ["stance", "approval"], by=by)
        weeks = run.trajectory_weeks
        expected = trajectories.passes(["stance", "approval"], run.replications, weeks, budget)
        assert read == expected and len(read) == {1 << 22: 1, 500: -(-(weeks[1] + 1) // (500 // (2 * run.replications))),
                                                  40: 2 * (weeks[1] + 1)}[budget]
        assert run.replications == len(run.outcomes)
        assert run.trajectory_weeks == (int(run.trajectories["week"].min()), int(run.trajectories["week"].max()))
        pd.testing.assert_frame_equal(fan_quantiles(run, ["stance", "approval"], by=by),
                                      fan_quantiles(run.trajectories, ["stance", "approval"], by=by))
        pd.testing.assert_frame_equal(rung_probabilities_by_week(run, by=by),
                                      rung_probabilities_by_week(run.trajectories, by=by))


def test_segment_quantiles_are_pandas_grouped_quantiles_to_the_bit():
    """The kernel a run's fan quantiles are computed with, against pandas' grouped quantile (what a
    frame's are computed with): values of very different sizes, nulls, a key of nulls only."""
    from nzsim.analysis.trajectories import segment_quantiles

    rng = np.random.default_rng(3)
    n = 50_000
    key = rng.integers(0, 200, n)
    value = rng.normal(size=n) * rng.choice([1.0, 1e-3, 1e5], n)
    value[rng.random(n) < 0.02] = np.nan
    value[key == 7] = np.nan
    quantiles = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975, 1.0]
    keys, table = segment_quantiles(key, value, quantiles)
    expected = pd.Series(value).groupby(key).quantile(quantiles).unstack()
    assert np.array_equal(keys, expected.index.to_numpy())
    assert np.array_equal(table, expected.to_numpy(), equal_nan=True) and np.isnan(table[keys == 7]).all()


def test_a_run_written_without_statistics_is_read_in_one_pass_with_the_same_results(runs, tmp_path, monkeypatch):
    """Another tool's file may carry no min/max statistics: the weeks are then read from the rows."""
    import shutil

    import pyarrow.parquet as pq

    folder = tmp_path / "run"
    shutil.copytree(runs["cells"].path, folder)
    table = pq.read_table(folder / "trajectories.parquet")
    pq.write_table(table, folder / "trajectories.parquet", write_statistics=False, row_group_size=500)
    run = nzsim.runs.runfolder.Run.open(folder)
    assert run.trajectory_weeks is None
    pd.testing.assert_frame_equal(fan_quantiles(run, ["stance"], by="cell"),
                                  fan_quantiles(run.trajectories, ["stance"], by="cell"))
    pd.testing.assert_frame_equal(rung_probabilities_by_week(run, by="cell"),
                                  rung_probabilities_by_week(run.trajectories, by="cell"))

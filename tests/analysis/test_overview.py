"""The overview of several runs (nzsim.analysis.overview): each run's mean or probability side by
side, ordered by how much the runs differ, on frames worked by hand and on runs; and its text
(nzsim.reports.overview), the table nzsim run, nzsim compare, nzsim report and notebook 01 show first."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

import nzsim
from nzsim import analysis, reports
from nzsim.analysis import OVERVIEW_COLUMNS, overview
from nzsim.analysis.overviews import spread
from nzsim.reports.overview import format_overview, headings, overview_intro, overview_label, same_in_every
from tests.helpers import small_spec


def frame(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"seed": range(n), **columns})


def test_columns_values_and_order_by_hand():
    a = frame(trade_coercion=[False, False, True, False], final_stance=[0.1, 0.2, 0.3, 0.4],
              exports_lost_nzd_m=[10.0, 10.0, 10.0, 10.0])
    b = frame(trade_coercion=[True, False, True, True], final_stance=[0.15, 0.25, 0.35, 0.45],
              exports_lost_nzd_m=[10.0, 10.0, 10.0, 10.0])
    table = overview({"base": a, "other": b})
    assert list(table.columns) == [*OVERVIEW_COLUMNS, "base", "other", "spread", "beyond_chance"]
    # trade: 0.25 and 0.75, each with variance 0.25 (= 4/3 * 0.25 * 0.75): 0.5 apart in sd 0.5
    # stance: 0.05 apart, pooled sd 0.1291 (the sd of 0.1..0.4): 0.387; exports lost: no difference
    assert list(table["outcome"]) == ["trade_coercion", "final_stance", "exports_lost_nzd_m"]
    assert table["spread"].tolist() == pytest.approx([1.0, 0.05 / np.std([0.1, 0.2, 0.3, 0.4], ddof=1), 0.0])
    row = table.iloc[0]
    assert (row["base"], row["other"], row["statistic"]) == (0.25, 0.75, "probability")
    assert row["title"] == "Chance of trade measures" and row["unit"] == "probability"
    stance = table.iloc[1]
    assert stance["title"] == "NZ's stance at the end" and stance["unit"] == "stance (0 = hedges, 1 = aligns)"
    assert table["beyond_chance"].isna().all() and table.attrs["beyond_chance"] == {o: [] for o in table["outcome"]}
    assert table.attrs["runs"] == ["base", "other"] and "baseline" not in table.attrs


def test_the_values_are_those_compare_reports():
    rng = np.random.default_rng(1)
    runs = {name: frame(final_interoperability=rng.uniform(lo, lo + 0.2, 40), trade_coercion=rng.uniform(0, 1, 40) < p,
                        china_max_rung=rng.integers(0, 6, 40))
            for name, lo, p in (("a", 0.3, 0.2), ("b", 0.35, 0.4), ("c", 0.5, 0.2))}
    table = analysis.compare(runs, resamples=200)
    glance = overview(runs, comparison=table)
    for outcome, rows in table.groupby("outcome"):
        got = glance.set_index("outcome").loc[outcome, ["a", "b", "c"]].to_numpy(dtype=float)
        assert got == pytest.approx(rows["value"].to_numpy())
    assert set(glance["outcome"]) == set(table["outcome"])  # the comparison's outcomes by default
    assert glance.attrs["baseline"] == "a" and glance.attrs["level"] == 0.95


def test_spread_edge_cases():
    assert spread([0.2, 0.5], [0.0, 0.0], [10, 10]) == math.inf  # they differ, and nothing varies within a run
    assert spread([0.2, 0.2], [0.0, 0.0], [10, 10]) == 0.0
    assert math.isnan(spread([0.2, math.nan], [0.01, math.nan], [10, 0]))  # one run with values
    assert math.isnan(spread([0.2, 0.5], [math.nan, math.nan], [1, 1]))  # one replication each: no sd
    # one replication beside constant runs: how much it varies is unknown, so not "no overlap"
    assert math.isnan(spread([0.2, 0.2, 0.5], [0.0, 0.0, math.nan], [10, 10, 1]))
    assert spread([0.2, 0.5, 0.5], [0.0, 0.0, 0.0], [10, 10, 2]) == math.inf
    # pooled by degrees of freedom: (9 * 1 + 1 * 4) / 10
    assert spread([0.0, 2.0], [1.0, 4.0], [10, 2]) == pytest.approx(2.0 / math.sqrt(1.3))
    # the same constant over different counts: means that differ in their last bits are not a difference
    means = [float(np.mean([0.1] * 100)), float(np.mean([0.1] * 99))]
    variances = [float(np.var([0.1] * 100, ddof=1)), float(np.var([0.1] * 99, ddof=1))]
    assert means[0] != means[1] and spread(means, variances, [100, 99]) == 0.0


def test_only_two_or_more_lever_cells_are_set_side_by_side():
    from types import SimpleNamespace

    from nzsim.analysis import cells_to_compare

    def run(cells):
        return SimpleNamespace(cell_column="cell" if cells is not None else None,
                               outcomes=pd.DataFrame({"cell": cells or [0], "x": 0.0}))
    assert cells_to_compare(run([0, 1, 1]))
    assert not cells_to_compare(run([0, 0]))  # one cell: shown as a plain run's summary
    assert not cells_to_compare(run(None))
    # a run without values is left out of the range, and NaN spreads sort last
    table = overview({"a": frame(final_stance=[0.1, 0.2], incumbent_share=[None, None]),
                      "b": frame(final_stance=[0.3, 0.4], incumbent_share=[0.5, 0.6])},
                     ["incumbent_share", "final_stance"])
    assert list(table["outcome"]) == ["final_stance", "incumbent_share"] and math.isnan(table["spread"].iloc[1])


def test_beyond_chance_from_the_comparison():
    n = 40
    base = frame(final_interoperability=np.linspace(0.4, 0.5, n), trust_mean=np.linspace(0.5, 0.6, n))
    moved = frame(final_interoperability=np.linspace(0.4, 0.5, n) + 0.2,  # every replication moved: beyond chance
                  trust_mean=np.linspace(0.5, 0.6, n)[::-1])  # the same values, shuffled: the same mean
    table = analysis.compare({"base": base, "moved": moved}, resamples=200)
    glance = overview({"base": base, "moved": moved}, comparison=table).set_index("outcome")
    assert glance.loc["final_interoperability", "beyond_chance"] == True  # noqa: E712 (pandas' boolean)
    assert glance.loc["trust_mean", "beyond_chance"] == False  # noqa: E712
    assert glance.attrs["beyond_chance"] == {"final_interoperability": ["moved"], "trust_mean": []}
    # intervals from too few replications are no guide: neither beyond nor within chance
    few = {"base": base.head(4), "moved": moved.head(4)}
    glance = overview(few, comparison=analysis.compare(few, resamples=100))
    assert glance["beyond_chance"].isna().all()


def test_mistakes_are_value_errors():
    a, b = frame(final_stance=[0.1, 0.2]), frame(final_stance=[0.3, 0.4])
    with pytest.raises(ValueError, match="a run is labelled 'spread'"):
        overview({"spread": a, "b": b})
    table = analysis.compare({"a": a, "b": b}, resamples=100)
    with pytest.raises(ValueError, match="compares the runs"):
        overview({"a": a, "c": b}, comparison=table)
    with pytest.raises(ValueError, match="no such column"):
        overview({"a": a, "b": b}, ["nope"])


@pytest.fixture(scope="module")
def levers(tmp_path_factory):
    spec = small_spec(name="levers", levers={"events.vilnius.signals.china_language": ["passing", "strong"],
                                            "events.vilnius.signals.attendance": ["leader", "none", "minister"]})
    return nzsim.run_ensemble(spec, reps=6, seed=3, workers=1, out=tmp_path_factory.mktemp("overview") / "levers")


def test_a_run_of_lever_cells_gives_a_column_per_cell(levers):
    table = overview(levers)
    cells = [c["label"] for c in levers.manifest["design"]["cells"]]
    assert table.attrs["runs"] == cells and list(table.columns[4:-2]) == cells
    assert set(table["outcome"]) == set(analysis.compared_outcomes(levers.outcomes))
    summary = analysis.summarise(levers).set_index(["cell", "outcome"])
    row = table.set_index("outcome").loc["final_interoperability"]
    assert [row[c] for c in cells] == pytest.approx([summary.loc[(c, "final_interoperability"), "mean"] for c in cells])
    assert table["spread"].fillna(-1).is_monotonic_decreasing


# --------------------------------------------------------------------------------------
# As text
# --------------------------------------------------------------------------------------


def test_row_labels_carry_the_catalogues_title_and_scale():
    assert overview_label("final_interoperability", "Interoperability at the end",
                          "interoperability (0 = none, 1 = full)", "mean") == "Interoperability at the end (0 = none, 1 = full)"
    assert overview_label("exports_lost_nzd_m", "Exports lost to China over the run", "NZ$ million, total",
                          "mean") == "Exports lost to China over the run (NZ$ million, total)"
    assert overview_label("coercion_weeks", "Weeks under trade measures", "weeks", "mean") == "Weeks under trade measures"
    # shares and chances read in per cent: the values carry the %
    assert overview_label("mean_approval", "Approval of foreign policy, mean", "approval (% of voters)",
                          "mean") == "Approval of foreign policy, mean"
    assert overview_label("trade_coercion", "Chance of trade measures", "probability", "probability") == \
        "Chance of trade measures"


def test_headings_of_lever_cells_and_of_runs():
    assert headings(["a=1, b=x", "a=2, b=y"]) == (["a", "b"], [["1", "x"], ["2", "y"]])
    # a lever with one value among several gets no line of its own: the intro names it
    assert headings(["a=1, b=x, c=k", "a=2, b=x, c=k"]) == (["a"], [["1"], ["2"]])
    assert same_in_every(["a=1, b=x, c=k", "a=2, b=x, c=k"]) == ["b=x", "c=k"]
    assert same_in_every(["a=1, b=x", "a=2, b=y"]) == [] and same_in_every(["run-a", "run-b"]) == []
    table = overview({"a=1, b=x": frame(final_stance=[0.1, 0.2]), "a=2, b=x": frame(final_stance=[0.3, 0.4])})
    assert overview_intro(table, "lever cell").endswith(" The same in every lever cell: b=x.")
    keys, heads = headings(["vilnius-2023", "vilnius-2023-strong-china-language", "run / a=1, b=2"])
    assert keys == [] and heads == [["vilnius-2023"], ["vilnius-2023-", "strong-china-", "language"],
                                    ["run /", "a=1,", "b=2"]]


def test_the_text_of_a_comparison():
    n = 40
    base = frame(final_interoperability=np.linspace(0.4, 0.5, n), trust_mean=np.linspace(0.5, 0.6, n),
                 trade_coercion=np.arange(n) % 5 == 0)
    moved = frame(final_interoperability=np.linspace(0.4, 0.5, n) + 0.2, trust_mean=np.linspace(0.5, 0.6, n)[::-1],
                  trade_coercion=np.arange(n) % 4 == 0)
    runs = {"as it happened": base, "vilnius-2023-strong-china-language": moved}
    glance = overview(runs, comparison=analysis.compare(runs, resamples=200))
    text = format_overview(glance, top=2)
    lines = text.splitlines()
    intro = " ".join(text.split("\n\n")[0].split())
    assert intro.startswith("The outcomes on which the 2 runs differ most come first: each run's mean, or its chance in "
                            "%; * its difference from 'as it happened' excludes zero (95% bootstrap interval;")
    # the headings wrapped onto lines over their columns, the values right-aligned under them
    body = lines[lines.index("") + 1:]
    assert [line.split() for line in body[:3]] == [
        ["vilnius-2023-"], ["strong-china-"], ["outcome", "as", "it", "happened", "language", "spread"]]
    assert body[0].rstrip().endswith("vilnius-2023-") and len(body[0].rstrip()) == len(body[2].split("  spread")[0])
    # the rows in the overview's order, each run's value (* beyond chance), the spread, within chance marked
    assert body[3].split("  ")[1] == "Interoperability at the end (0 = none, 1 = full)"
    assert body[3].split()[-3:] == ["0.450", "0.650*", f"{glance['spread'].iloc[0]:.2f}"]
    assert body[4].startswith("  Chance of trade measures ") and body[4].split()[-5:] == ["20.0%", "25.0%", "0.12",
                                                                                       "within", "chance"]
    assert body[4].rstrip().endswith("within chance") and "*" not in body[4]
    assert lines[-1] == "2 of 3 outcomes shown."
    whole = format_overview(glance, top=None)
    assert "outcomes shown" not in whole and whole.rstrip().splitlines()[-1].startswith("  Partners' trust in NZ")
    assert whole.rstrip().endswith("0.550     0.00  within chance")


def test_the_text_of_lever_cells(levers):
    text = format_overview(overview(levers), what="lever cell")
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("  china_language "))
    assert lines[top].split() == ["china_language", "passing", "passing", "passing", "strong", "strong", "strong"]
    assert lines[top + 1].split() == ["attendance", "leader", "none", "minister", "leader", "none", "minister", "spread"]
    assert len(lines) - top - 2 == 12 + 1 and lines[-1].startswith("12 of ")
    assert "*" not in text and "within chance" not in text  # no intervals for the cells of a run
    # columns line up: each value ends where its heading ends
    ends = [m.end() for m in re.finditer(r"\S+", lines[top + 1])][1:]
    for line in lines[top + 2:top + 14]:
        assert [m.end() for m in re.finditer(r"\S+", line)][-7:] == ends
    # the same rows, formatted the same, as nzsim report shows them and notebook 01 displays them
    shown = reports.overview_table(overview(levers), top=12)
    assert [line[2:].startswith(label) for line, label in zip(lines[top + 2:top + 14], shown.index)] == [True] * 12

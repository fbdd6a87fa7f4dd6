"""Robust choices: how each lever cell does across everything the design varied.

Across the experiments of a run (an exploratory design's experiments, a nested design's parameter
draws, or, in a plain run with levers, each replication, which every cell runs with the same
seed), each cell's outcome is its mean over the experiment's seeds. For each cell and outcome:

- the mean and chosen percentiles of those experiment means;
- its *regret*: in each experiment, how far it falls short of the best cell in that same
  experiment (so a cell that is best everywhere has no regret, and one that is never far behind
  has little, whatever the experiment), summarised by its mean, 90th percentile and maximum
  (minimax regret, Savage 1951);
- with thresholds, *satisficing*: the share of experiments in which it meets each one, and all.

Which way is better is the outcome catalogue's ``direction``; outcomes without one are left out
unless named with a direction. :func:`dominance` backs the tradeoff frontier with the bootstrap:
a cell is dominated only when most paired resamples agree.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..catalogue.outcomes import direction as catalogue_direction
from ..runs.runfolder import Run
from ..seeds import bootstrap_rng
from .comparing import compared_outcomes, estimate

#: The columns of :func:`robustness`'s frame.
ROBUSTNESS_COLUMNS = ("cell", "outcome", "direction", "experiments", "mean", "regret_mean", "regret_p90", "regret_max")

_THRESHOLD = re.compile(r"^\s*(?P<outcome>[^<>=]+?(?:>=[A-Za-z0-9_]+)?)\s*(?P<op><=|>=|<|>)\s*(?P<value>[-+0-9.eE]+)\s*$")
_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


def parse_threshold(text: str) -> tuple[str, str, float]:
    """``"trade_coercion<=0.3"`` as ``("trade_coercion", "<=", 0.3)``; a rung outcome keeps its
    own ``>=``: ``"china_max_rung>=warning<=0.2"``."""
    match = _THRESHOLD.match(text)
    if not match:
        raise ValueError(f"threshold {text!r}: expected OUTCOME<=VALUE or OUTCOME>=VALUE, e.g. trade_coercion<=0.3")
    return match["outcome"].strip(), match["op"], float(match["value"])


def experiment_means(frame: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Experiments x cells: each cell's mean of ``outcome`` (or probability) over each experiment's seeds."""
    group = next((c for c in ("experiment", "param_draw", "replication") if c in frame.columns), None)
    if group is None:
        raise ValueError("outcomes with a replication, experiment or param_draw column are needed")
    _, y = estimate(frame, outcome)
    cell = frame["cell"] if "cell" in frame.columns else pd.Series("", index=frame.index)
    table = pd.DataFrame({"e": frame[group].to_numpy(), "cell": cell.to_numpy(), "y": y}).pivot_table(
        index="e", columns="cell", values="y", aggfunc="mean", sort=False, dropna=False)
    # every experiment and cell, whatever an outcome's missing values: thresholds then line up
    return table.reindex(index=sorted(pd.unique(frame[group])), columns=list(pd.unique(cell)))


def robustness(run: Run | pd.DataFrame, outcomes: Sequence[str] | Mapping[str, str] | None = None,
               percentiles: Sequence[float] = (10, 50, 90),
               thresholds: Sequence[str] = ()) -> pd.DataFrame:
    """Each lever cell's spread, regret and satisficing across the run's experiments.

    Parameters
    ----------
    run : Run or pandas.DataFrame
        A run (or its outcomes) with lever cells, ideally an exploratory or nested design.
    outcomes : sequence of names, or mapping of name to "max" or "min", optional
        Default: every outcome that varies and has a direction in the catalogue.
    percentiles : the percentiles of each cell's experiment means to report (``p10`` ...).
    thresholds : ``"OUTCOME<=VALUE"`` or ``">="``: each adds ``meets <threshold>`` (the share of
        experiments whose mean meets it) and, with several, ``meets all`` to the cell's rows.

    Returns
    -------
    pandas.DataFrame
        One row per cell and outcome: :data:`ROBUSTNESS_COLUMNS`, a ``p<q>`` column per
        percentile, and the satisficing columns (the same on every row of a cell).
    """
    frame = run.outcomes if isinstance(run, Run) else run
    if isinstance(outcomes, Mapping):
        directions = dict(outcomes)
    else:
        names = list(outcomes) if outcomes is not None else compared_outcomes(frame)
        directions = {n: catalogue_direction(n) for n in names}
        if outcomes is None:
            directions = {n: d for n, d in directions.items() if d in ("max", "min")}
        missing = [n for n, d in directions.items() if d not in ("max", "min")]
        if missing:
            raise ValueError(f"outcome {missing[0]!r} has no direction (better higher or lower); "
                             f"give it as {missing[0]}:max or {missing[0]}:min")
    rows = []
    for name, way in directions.items():
        means = experiment_means(frame, name).dropna()
        if means.empty:
            continue
        values = means.to_numpy()
        best = values.max(axis=1, keepdims=True) if way == "max" else values.min(axis=1, keepdims=True)
        regret = np.abs(best - values)
        for j, cell in enumerate(means.columns):
            row = {"cell": cell, "outcome": name, "direction": way, "experiments": len(values),
                   "mean": values[:, j].mean(), "regret_mean": regret[:, j].mean(),
                   "regret_p90": np.percentile(regret[:, j], 90), "regret_max": regret[:, j].max()}
            row.update({f"p{q:g}": np.percentile(values[:, j], q) for q in percentiles})
            rows.append(row)
    table = pd.DataFrame(rows, columns=[*ROBUSTNESS_COLUMNS, *(f"p{q:g}" for q in percentiles)])
    if thresholds:
        shares = satisficing(frame, thresholds)
        table = table.merge(shares, on="cell", how="left")
    return table


def satisficing(frame: pd.DataFrame, thresholds: Sequence[str]) -> pd.DataFrame:
    """Per cell: the share of experiments whose mean meets each threshold, and all of them."""
    met = {}
    for text in thresholds:
        name, op, value = parse_threshold(text)
        means = experiment_means(frame, name)
        met[f"meets {name}{op}{value:g}"] = _OPS[op](means, value) & means.notna()
    shares = pd.DataFrame({k: v.mean() for k, v in met.items()})
    if len(met) > 1:
        joint = np.logical_and.reduce([v.to_numpy() for v in met.values()])
        shares["meets all"] = joint.mean(axis=0)
    return shares.rename_axis("cell").reset_index()


def dominance(run: Run | pd.DataFrame, objectives: Mapping[str, str], resamples: int = 1000, seed: int = 0,
              agreement: float = 0.5) -> pd.DataFrame:
    """The tradeoff frontier of the cells, backed by a paired bootstrap over experiments.

    Each resample draws the experiments with replacement, the same draw for every cell (they ran
    the same experiments and seeds), and scores each cell by its mean of each objective. A cell is
    dominated when, in more than ``agreement`` of the resamples, some other cell is at least as
    good on every objective and better on one (the rule of :func:`nzsim.analysis.dominates`).

    Returns
    -------
    pandas.DataFrame
        One row per cell: its mean of each objective, ``dominated_share`` (the share of resamples in
        which some cell dominated it), ``on_frontier`` and ``dominated_by`` (the cells that did so in
        more than ``agreement`` of the resamples, ``"; "``-separated).
    """
    frame = run.outcomes if isinstance(run, Run) else run
    tables = {name: experiment_means(frame, name) for name in objectives}
    experiments = sorted(set.intersection(*(set(t.dropna().index) for t in tables.values())))
    cells = list(next(iter(tables.values())).columns)
    scores = np.stack([tables[n].loc[experiments, cells].to_numpy() for n in objectives], axis=2)  # E x C x k
    index = bootstrap_rng(seed, 0).integers(0, len(experiments), size=(resamples, len(experiments)))
    means = scores[index].mean(axis=1)  # B x C x k
    names = list(objectives)
    signed = means * np.array([1.0 if objectives[n] == "max" else -1.0 for n in names])  # higher is better
    gain = signed[:, None, :, :] - signed[:, :, None, :]  # [b, i, j]: how much better cell j is than cell i
    beaten = (gain >= 0).all(axis=3) & (gain > 0).any(axis=3)  # dominates(j, i), in every resample at once
    share_by = beaten.mean(axis=0)
    any_share = beaten.any(axis=2).mean(axis=0)
    table = pd.DataFrame(scores.mean(axis=0), columns=names)
    table.insert(0, "cell", cells)
    table["dominated_share"] = any_share
    table["dominated_by"] = ["; ".join(cells[j] for j in range(len(cells)) if share_by[i, j] > agreement)
                             for i in range(len(cells))]
    table["on_frontier"] = table["dominated_by"] == ""
    return table

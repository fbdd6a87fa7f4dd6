"""The overview of several runs (or lever cells): one row per outcome, one column per run, the
outcomes that differ most on top. It is the table ``nzsim run`` (for a run with lever cells),
``nzsim compare``, ``nzsim report`` and notebook 01 show first."""

from __future__ import annotations

import math
import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..catalogue.outcomes import OUTCOMES, describe
from .comparing import compared_outcomes, estimate, guiding_intervals, labelled
from .frames import RunOrPath

#: The columns of :func:`overview`'s frame before the runs' columns; ``spread`` and
#: ``beyond_chance`` follow them.
OVERVIEW_COLUMNS = ("outcome", "title", "unit", "statistic")
_AFTER = ("spread", "beyond_chance")
#: The names a run may not be labelled by in an overview (its other columns).
RESERVED = (*OVERVIEW_COLUMNS, *_AFTER)


def cells_to_compare(run) -> bool:
    """Whether ``run`` (a :class:`~nzsim.runs.Run`) has lever cells to set side by side: two or
    more. (A ``levers:`` block of one value per lever makes one cell, which is shown as a plain
    run's summary.)"""
    column = run.cell_column
    return column is not None and run.outcomes[column].nunique() > 1


def overview(
    runs: Mapping[str, RunOrPath] | Sequence[RunOrPath] | RunOrPath,
    outcomes: Sequence[str] | None = None,
    *,
    comparison: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each run's mean or probability of each outcome side by side, the outcomes that differ most
    across the runs first.

    Parameters
    ----------
    runs : mapping of label to run, sequence of runs, or one run
        As for :func:`compare` (a run with lever cells gives one column per cell). One run
        without cells gives one column, and every spread is NaN.
    outcomes : sequence of str, optional
        As for :func:`compare`; default the outcomes of ``comparison``, else
        :func:`compared_outcomes` of the first run.
    comparison : pandas.DataFrame, optional
        :func:`compare`'s table of the same runs: says which differences are beyond chance.

    Returns
    -------
    pandas.DataFrame
        One row per outcome, with :data:`OVERVIEW_COLUMNS` (``title`` and ``unit`` from the
        outcome catalogue; ``unit`` is what a mean is in, ``"probability"`` for a probability),
        then one column per run (its label) holding its mean or probability (as
        :func:`compare`'s ``value``: a share from 0 to 1, not per cent), then:

        - ``spread``: how much the runs differ, comparably across outcomes of any unit: the
          largest run's value minus the smallest, over the pooled within-run standard deviation
          (each run's replications' standard deviation, pooled by their degrees of freedom),
          so 1.0 means the runs' means lie one typical replication-to-replication swing apart.
          ``inf`` when they differ and no run varies within itself; 0 when none differs; NaN
          with fewer than two runs holding values;
        - ``beyond_chance``: with ``comparison``, whether some run's difference from the
          baseline has an interval that excludes zero (among those that are a guide, see
          :func:`guiding_intervals`); ``<NA>`` when none is a guide, or without ``comparison``.

        Rows are sorted by ``spread``, largest first (NaN last; ties in the outcomes' order).
        ``frame.attrs["beyond_chance"]`` maps each outcome to the runs whose difference is beyond
        chance; with ``comparison``, ``attrs["baseline"]`` and ``attrs["level"]`` hold its
        baseline and coverage, and ``attrs["runs"]`` is the runs' labels.

    Raises
    ------
    ValueError
        As :func:`compare` for the runs and outcomes; also if a run's label is one of the
        frame's other column names, or ``comparison`` compares other runs.

    Examples
    --------
    >>> a = pd.DataFrame({"seed": [1, 2, 3, 4], "trade_coercion": [False, False, True, False],
    ...                   "final_stance": [0.1, 0.2, 0.3, 0.4]})
    >>> b = pd.DataFrame({"seed": [1, 2, 3, 4], "trade_coercion": [True, False, True, True],
    ...                   "final_stance": [0.15, 0.25, 0.35, 0.45]})
    >>> table = overview({"as it happened": a, "strong words": b})
    >>> table[["outcome", "as it happened", "strong words", "spread"]]
              outcome  as it happened  strong words    spread
    0  trade_coercion            0.25          0.75  1.000000
    1    final_stance            0.25          0.30  0.387298
    """
    labelled_runs = labelled(runs, "overview")
    labels = [label for label, _ in labelled_runs]
    clash = sorted(set(labels) & set(RESERVED))
    if clash:
        raise ValueError(f"overview: a run is labelled {clash[0]!r}, a column of the overview; pass a mapping "
                         f"with another label")
    if comparison is not None:
        compared = list(dict.fromkeys(comparison["run"]))
        if set(compared) != set(labels):
            raise ValueError(f"comparison: compares the runs {compared}, not {labels}")
        if outcomes is None:
            outcomes = list(dict.fromkeys(comparison["outcome"]))
    names = list(outcomes) if outcomes is not None else compared_outcomes(labelled_runs[0][1])
    if not names:
        raise ValueError("outcomes: expected at least one outcome")

    beyond: dict[str, list[str]] = {}
    guided: dict[str, bool] = {}
    if comparison is not None:
        guide = guiding_intervals(comparison)
        clear = guide & ((comparison["difference_low"] > 0) | (comparison["difference_high"] < 0))
        for outcome, rows in comparison.groupby("outcome", sort=False):
            beyond[str(outcome)] = [str(run) for run in rows.loc[clear[rows.index], "run"]]
            guided[str(outcome)] = bool(guide[rows.index].any())

    rows = []
    for name in names:
        means, variances, counts, statistic = [], [], [], "mean"
        for label, frame in labelled_runs:
            try:
                statistic, x = estimate(frame, name)
            except ValueError as error:
                raise ValueError(f"run {label!r}: {error}") from None
            x = x[~np.isnan(x)]
            counts.append(len(x))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                means.append(float(np.mean(x)) if len(x) else math.nan)
                variances.append(float(np.var(x, ddof=1)) if len(x) > 1 else math.nan)
        if comparison is None or not guided.get(name, False):
            chance = pd.NA
        else:
            chance = bool(beyond.get(name))
        rows.append((name, _title(name), _unit(name, statistic), statistic, *means,
                     spread(means, variances, counts), chance))
    table = pd.DataFrame(rows, columns=[*OVERVIEW_COLUMNS, *labels, *_AFTER])
    for label in labels:
        table[label] = table[label].astype("float64")
    table["spread"] = table["spread"].astype("float64")
    table["beyond_chance"] = table["beyond_chance"].astype("boolean")
    order = np.argsort(-table["spread"].fillna(-1.0).to_numpy(), kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    table.attrs["runs"] = list(labels)
    table.attrs["beyond_chance"] = {name: beyond.get(name, []) for name in table["outcome"]}
    if comparison is not None:
        table.attrs["baseline"] = str(comparison["baseline"].iloc[0])
        table.attrs["level"] = float(comparison.attrs.get("level", 0.95))
    return table


def spread(means: Sequence[float], variances: Sequence[float], counts: Sequence[int]) -> float:
    """The largest mean minus the smallest, over the pooled standard deviation.

    The pooled variance is ``sum((n_i - 1) s_i^2) / sum(n_i - 1)`` over the runs with at least
    two values (``s_i^2`` each run's sample variance). ``inf`` when the means differ and the
    pooled variance is zero; 0 when they do not differ; NaN with fewer than two means, or no
    run with two values; NaN too when the pooled variance is zero and a run has a single value
    (its own variation is unknown, so "no overlap" cannot be said).
    """
    present = [m for m in means if not math.isnan(m)]
    if len(present) < 2:
        return math.nan
    gap = max(present) - min(present)
    # a gap or a spread within rounding of the values' own size is none: means of equal values
    # computed over different counts can differ in their last bits
    rounding = 1e-12 * max(1.0, max(abs(m) for m in present))
    if gap <= rounding:
        return 0.0
    pairs = [(n - 1, v) for v, n in zip(variances, counts) if n > 1 and not math.isnan(v)]
    freedom = sum(f for f, _ in pairs)
    if freedom == 0:
        return math.nan
    pooled = sum(f * v for f, v in pairs) / freedom
    if pooled > rounding**2:
        return gap / math.sqrt(pooled)
    # Nothing varies within the runs that can say: that the means lie apart with no overlap holds
    # only if every run can say (a run of one value may vary as much as it likes).
    return math.inf if all(n > 1 for m, n in zip(means, counts) if not math.isnan(m)) else math.nan


def _title(name: str) -> str:
    try:
        return describe(name).title
    except KeyError:
        return name.replace("_", " ").capitalize()


def _unit(name: str, statistic: str) -> str:
    if statistic == "probability":
        return "probability"
    column = name.partition(">=")[0]
    return OUTCOMES[column].unit if column in OUTCOMES else ""

"""Comparing runs: each run's mean or probability of each outcome, and its difference from a
baseline run, with seeded bootstrap intervals (paired when the runs share their seeds)."""

from __future__ import annotations

import os
import warnings
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..catalogue.outcomes import OUTCOMES, describe
from ..runs.runfolder import Run
from ..seeds import bootstrap_rng
from .frames import RunOrPath, as_binary, as_float, load_run, require


#: The columns of :func:`compare`'s frame.
COMPARE_COLUMNS = (
    "outcome", "statistic", "run", "baseline", "n", "value", "low", "high",
    "difference", "difference_low", "difference_high", "paired", "resampled",
)


def compared_outcomes(outcomes: pd.DataFrame) -> list[str]:
    """The outcomes :func:`compare` reports by default, those present in ``outcomes``.

    Every numeric and binary outcome of the catalogue, in its order, and in place of an ordinal
    one the chances of the levels it names (``compared_levels``): for China's highest rung, the
    chance that its response reaches at least an official rebuke and at least a warning
    (``china_max_rung>=rebuke``, ``china_max_rung>=warning``).
    """
    names: list[str] = []
    for outcome in OUTCOMES:
        if outcome.name not in outcomes.columns:
            continue
        if outcome.kind in ("numeric", "binary"):
            names.append(outcome.name)
        elif outcome.kind == "ordinal":
            names += [f"{outcome.name}>={level}" for level in outcome.compared_levels]
    return names


def estimate(outcomes: pd.DataFrame, outcome: str) -> tuple[str, np.ndarray]:
    """One outcome as numbers to average: the statistic's name and a float per replication.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        One row per replication.
    outcome : str
        A numeric outcome (averaged: ``"mean"``), a binary one (0 or 1: ``"probability"``), a
        timing outcome (1 if the event happened: ``"probability"``), or
        ``<ordinal>>=<level>`` such as ``china_max_rung>=warning`` (1 if the outcome reached
        that level: ``"probability"``).

    Returns
    -------
    tuple of (str, numpy.ndarray)
        ``"mean"`` or ``"probability"``, and the values, NaN where missing.

    Raises
    ------
    ValueError
        If the outcome is not a column, not a kind that averages, or names an unknown level.
    """
    column, sign, level = outcome.partition(">=")
    if column not in outcomes.columns:
        raise ValueError(f"outcome {outcome!r}: no such column; expected one of {compared_outcomes(outcomes)}")
    known = OUTCOMES.get(column)
    kind = known.kind if known is not None else None
    if sign:
        try:
            asked = describe(outcome)
        except KeyError:
            asked = None
        if asked is None or asked.level is None:
            levels = [label for _, label in known.levels] if known is not None else []
            raise ValueError(
                f"outcome {outcome!r}: expected an ordinal outcome and one of its levels, e.g. "
                f"china_max_rung>=warning (levels: {', '.join(levels) or 'none'})"
            )
        x = as_float(outcomes[column], column).to_numpy()
        return "probability", np.where(np.isnan(x), np.nan, (x >= asked.value).astype(float))
    if kind == "binary":
        return "probability", as_binary(outcomes[column], column).to_numpy()
    if kind == "timing":
        return "probability", outcomes[column].notna().to_numpy(dtype=float)
    if kind is None:
        raise ValueError(f"outcome {outcome!r}: {column} is not an outcome; expected one of {compared_outcomes(outcomes)}")
    if kind == "numeric":
        return "mean", as_float(outcomes[column], column).to_numpy()
    example = known.levels[min(3, len(known.levels) - 1)][1] if known.levels else "a level"
    raise ValueError(
        f"outcome {outcome!r} is {kind}: compare a level instead, e.g. {column}>={example}"
        if kind == "ordinal" else f"outcome {outcome!r} is {kind}, not a number or a yes/no outcome"
    )


def labelled(
    runs: RunOrPath | Mapping[str, RunOrPath] | Sequence[RunOrPath],
    what: str = "runs",
    read: Callable[[Run], pd.DataFrame] | None = None,
) -> list[tuple[str, pd.DataFrame]]:
    """(label, frame) for each run, labelled as :func:`compare` labels them; a run with several
    lever cells gives one per cell.

    A run is a :class:`Run`, the path of a run folder (a str or path, opened with
    :func:`load_run`) or an outcomes frame, given alone, in a list, or in a mapping of label to
    run. ``read`` says which frame of a :class:`Run` to take (default its outcomes; e.g.
    ``lambda run: run.trajectories_of(["china_rung"])``); a frame given instead of a run is
    taken as it is. ``what`` names the caller in errors.
    """
    if isinstance(runs, (Run, pd.DataFrame, str, os.PathLike)):
        items = [(None, runs)]
    elif isinstance(runs, Mapping):
        items = [(str(label), run) for label, run in runs.items()]
    else:
        items = [(None, run) for run in runs]
    if not items:
        raise ValueError(f"{what}: expected at least one run, got none")
    items = [(label, load_run(run) if isinstance(run, (str, os.PathLike)) else run) for label, run in items]
    names = [run.manifest.get("scenario_name") if isinstance(run, Run) else None for _, run in items]
    out: list[tuple[str, pd.DataFrame]] = []
    for i, ((label, run), name) in enumerate(zip(items, names)):
        if isinstance(run, Run):
            frame = read(run) if read is not None else run.outcomes
            if label is None:
                label = name if names.count(name) == 1 else f"{name} ({run.path.name})"
        elif isinstance(run, pd.DataFrame):
            frame = run
            label = label if label is not None else f"run {i + 1}"
        else:
            raise TypeError(
                f"{what}: expected a Run, a run folder's path or an outcomes DataFrame, got {type(run).__name__}"
            )
        if "cell" in frame.columns and frame["cell"].nunique(dropna=False) > 1:
            for cell, rows in frame.groupby("cell", sort=False, dropna=False):
                out.append((str(cell) if len(items) == 1 else f"{label} / {cell}", rows.reset_index(drop=True)))
        else:
            out.append((label, frame))
    labels = [label for label, _ in out]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise ValueError(f"{what}: runs share the label(s) {repeated}; pass a mapping of label to run")
    return out


def _unit_sums(x: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per resampling unit (``codes``: one per row), the sum of each column's values and how many there are."""
    present = ~np.isnan(x)
    n_units = int(codes.max()) + 1 if len(codes) else 0
    sums = np.zeros((n_units, x.shape[1]))
    counts = np.zeros((n_units, x.shape[1]))
    np.add.at(sums, codes, np.where(present, x, 0.0))
    np.add.at(counts, codes, present)
    return sums, counts


def _resampled_means(sums: np.ndarray, counts: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Means over resampled units: ``index`` is B x K unit numbers; returns B x k (NaN where no values)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums[index].sum(axis=1) / counts[index].sum(axis=1)


def compare(
    runs: Mapping[str, RunOrPath] | Sequence[RunOrPath] | RunOrPath,
    baseline: str | int | None = None,
    outcomes: Sequence[str] | None = None,
    *,
    level: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Each run's mean or probability of each outcome, and its difference from a baseline run,
    with seeded bootstrap intervals.

    Parameters
    ----------
    runs : mapping of label to run, sequence of runs, or one run
        The runs to compare, at least two: each a :class:`Run`, a run folder's path (str or
        path, opened with :func:`load_run`) or an outcomes frame. A run is labelled by its key,
        else by its scenario name (or ``run 1``, ``run 2``... for bare frames). A run with lever
        cells counts as one run per cell (labelled by the cell), so ``compare(run)`` compares a
        run's cells.
    baseline : str or int, optional
        The label (or position) of the run the others are measured against; default the first.
    outcomes : sequence of str, optional
        Outcomes to compare (see :func:`estimate`); default :func:`compared_outcomes` of the
        baseline.
    level : float
        Coverage of the intervals (default 0.95: the 2.5th to 97.5th percentile of the
        bootstrap distribution).
    resamples : int
        Bootstrap resamples per run (default 2,000).
    seed : int
        Seed of the resampling: the same seed gives the same intervals.

    Returns
    -------
    pandas.DataFrame
        One row per outcome and run (outcome by outcome, runs in the given order), with
        :data:`COMPARE_COLUMNS`:

        - ``statistic``: ``"mean"`` or ``"probability"``;
        - ``n``: replications with a value;
        - ``value``, ``low``, ``high``: the run's estimate and its percentile bootstrap interval;
        - ``difference``, ``difference_low``, ``difference_high``: the run's estimate minus the
          baseline's, with its interval (NaN on the baseline's own rows);
        - ``resampled``: ``"replication"``, or ``"parameter draw"`` for a nested run, whose
          replications are resampled a whole draw at a time (the M seeds of a draw share its
          parameters, so they are not independent: resampling them one by one would give
          intervals that are too narrow when parameter uncertainty matters);
        - ``paired``: whether the difference was resampled in pairs. Runs made with the same
          root seed give replication ``i`` the same seed (common random numbers), so when a
          run's ``seed`` column equals the baseline's, replication ``i`` of one is paired with
          replication ``i`` of the other and rows are resampled together, which gives the
          difference a narrower, still valid interval. Otherwise the two are resampled
          independently.

        ``table.attrs["level"]`` holds ``level``, and ``table.attrs["units"]`` how many units
        (replications, or parameter draws) each run's resampling drew from: see
        :func:`guiding_intervals`.

    Raises
    ------
    ValueError
        Fewer than two runs, repeated labels, an unknown baseline or outcome, ``level`` outside
        (0, 1) or fewer than 100 resamples.

    Examples
    --------
    >>> a = pd.DataFrame({"seed": [1, 2, 3, 4], "trade_coercion": [False, False, True, False]})
    >>> b = pd.DataFrame({"seed": [1, 2, 3, 4], "trade_coercion": [True, False, True, True]})
    >>> table = compare({"as it happened": a, "strong words": b}, outcomes=["trade_coercion"])
    >>> table[["run", "value", "difference", "paired"]]
                  run  value  difference  paired
    0  as it happened   0.25         NaN   False
    1    strong words   0.75         0.5    True
    """
    if not 0 < level < 1:
        raise ValueError(f"level: expected a coverage between 0 and 1 (e.g. 0.95), got {level}")
    if resamples < 100:
        raise ValueError(f"resamples: expected at least 100, got {resamples}")
    labelled_runs = labelled(runs, "compare")
    if len(labelled_runs) < 2:
        raise ValueError(f"compare: expected at least two runs to compare, got {len(labelled_runs)} (a run with "
                         "lever cells counts as one run per cell)")
    labels = [label for label, _ in labelled_runs]
    if baseline is None:
        base = 0
    elif isinstance(baseline, (int, np.integer)) and not isinstance(baseline, bool):
        if not -len(labels) <= baseline < len(labels):
            raise ValueError(f"baseline: position {baseline} is out of range for {len(labels)} runs")
        base = int(baseline) % len(labels)
    elif baseline in labels:
        base = labels.index(baseline)
    else:
        raise ValueError(f"baseline: {baseline!r} is not one of the runs {labels}")
    names = list(outcomes) if outcomes is not None else compared_outcomes(labelled_runs[base][1])
    if not names:
        raise ValueError("outcomes: expected at least one outcome to compare")

    # Each run's values: n x k, and the statistic of each outcome.
    values, statistics = [], []
    for label, frame in labelled_runs:
        columns = []
        for name in names:
            try:
                statistic, x = estimate(frame, name)
            except ValueError as error:
                raise ValueError(f"run {label!r}: {error}") from None
            columns.append(x)
            if len(statistics) < len(names):
                statistics.append(statistic)
        values.append(np.column_stack(columns) if len(frame) else np.empty((0, len(names))))

    seeds = [frame["seed"].to_numpy() if "seed" in frame.columns else None for _, frame in labelled_runs]
    base_seeds = seeds[base]
    # What is resampled: replications, or whole parameter draws in a nested run (replications
    # of one draw share its parameters, so they are not independent of each other).
    draws = [pd.factorize(frame["param_draw"])[0] if "param_draw" in frame.columns else None for _, frame in labelled_runs]

    def is_paired(i: int) -> bool:
        return (
            i != base and base_seeds is not None and seeds[i] is not None
            and len(seeds[i]) == len(base_seeds) and bool(np.array_equal(seeds[i], base_seeds))
        )

    def units(i: int) -> np.ndarray:
        """The resampling unit of each row of run i (and of the baseline, when paired with it)."""
        for codes in (draws[i], draws[base] if is_paired(i) else None):
            if codes is not None:
                return codes
        return np.arange(len(values[i]))

    # Each run's resampled means (B x k); a paired run also resamples the baseline with the
    # same units. Blocks keep memory small for large runs.
    alpha = (1 - level) / 2
    means: list[np.ndarray] = []
    base_means_paired: dict[int, np.ndarray] = {}
    for i, x in enumerate(values):
        rng = bootstrap_rng(seed, i)
        if len(x) == 0:
            means.append(np.full((resamples, len(names)), np.nan))
            continue
        codes = units(i)
        sums, counts = _unit_sums(x, codes)
        partner = _unit_sums(values[base], codes) if is_paired(i) else None
        k_units = len(sums)
        block = max(1, min(resamples, 4_000_000 // max(1, k_units * len(names))))
        own, theirs = [], []
        for start in range(0, resamples, block):
            index = rng.integers(0, k_units, size=(min(block, resamples - start), k_units))
            own.append(_resampled_means(sums, counts, index))
            if partner is not None:
                theirs.append(_resampled_means(*partner, index))
        means.append(np.concatenate(own))
        if theirs:
            base_means_paired[i] = np.concatenate(theirs)

    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        point = [np.nanmean(x, axis=0) if len(x) else np.full(len(names), np.nan) for x in values]
        counts = [np.sum(~np.isnan(x), axis=0) for x in values]
        for k, name in enumerate(names):
            for i, label in enumerate(labels):
                low, high = np.nanquantile(means[i][:, k], [alpha, 1 - alpha])
                if i == base:
                    diff = diff_low = diff_high = np.nan
                else:
                    other = base_means_paired.get(i, means[base])
                    diff = point[i][k] - point[base][k]
                    diff_low, diff_high = np.nanquantile(means[i][:, k] - other[:, k], [alpha, 1 - alpha])
                unit = "parameter draw" if draws[i] is not None or (is_paired(i) and draws[base] is not None) else "replication"
                rows.append((name, statistics[k], label, labels[base], int(counts[i][k]), point[i][k], low, high,
                             diff, diff_low, diff_high, is_paired(i), unit))
    table = pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))
    for column in ("value", "low", "high", "difference", "difference_low", "difference_high"):
        table[column] = table[column].astype("float64")
    table.attrs["level"] = float(level)
    table.attrs["units"] = {label: int(len(np.unique(units(i)))) if len(values[i]) else 0 for i, label in enumerate(labels)}
    return table


#: Fewer values than this in a run (or its baseline) and a bootstrap interval is no guide.
MIN_INTERVAL_VALUES = 10


def guiding_intervals(table: pd.DataFrame, minimum: int = MIN_INTERVAL_VALUES) -> pd.Series:
    """Which rows of :func:`compare`'s table have a difference interval worth reading.

    A bootstrap interval resampled from a handful of units looks sharp and says nothing: from
    one replication (or one parameter draw of a nested run) every resample is alike and the
    interval has no width whatever chance would do. A row is ``True`` when the run and its
    baseline were each resampled from at least ``minimum`` units (``table.attrs["units"]``;
    without it, values, the ``n`` column) and each has ``minimum`` values of the outcome;
    baseline rows are ``False``. An interval of no width from many units is kept: the outcome
    then differs by the same amount in every replication.
    """
    require(table, ["outcome", "run", "baseline", "n"], "comparison")
    base_n = table[table["run"] == table["baseline"]].set_index("outcome")["n"]
    enough = (table["n"] >= minimum) & (table["outcome"].map(base_n).fillna(0) >= minimum)
    units = table.attrs.get("units")
    if units:
        enough &= table["run"].map(units).fillna(0).ge(minimum) & table["baseline"].map(units).fillna(0).ge(minimum)
    return (table["run"] != table["baseline"]) & enough

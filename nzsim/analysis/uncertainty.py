"""Parameter uncertainty against chance: the variance split of a nested design, and each
parameter draw's mean outcomes."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..runs.runfolder import Run
from .comparing import compared_outcomes, estimate
from .frames import RunLike, keys as _keys, require as _require


#: The columns of :func:`variance_split`'s frame, after the ``by`` columns.
VARIANCE_COLUMNS = (
    "outcome", "param_draws", "seeds_per_draw", "total_variance", "parameter_variance",
    "chance_variance", "parameter_share", "chance_share",
)


def variance_split(
    run: RunLike, outcomes: Sequence[str] | None = None, by: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """How much of each outcome's spread comes from parameter uncertainty and how much from chance.

    For a nested design (``nzsim run --design nested --param-draws K --seeds-per-draw M``):
    K draws of the uncertain parameters, each run under M seeds. A one-way random-effects
    analysis of variance with the parameter draw as the group splits each outcome's variance
    into the part between draws (parameter uncertainty) and the part within a draw (chance:
    the model's own randomness). With ``n_i`` values in draw ``i``, ``N`` in all and mean
    ``m``, the method-of-moments estimates (Searle, Casella and McCulloch 1992, section 3.5)
    are::

        MSW = sum_i sum_j (y_ij - m_i)^2 / (N - K)              (chance variance)
        MSB = sum_i n_i (m_i - m)^2 / (K - 1)
        n0  = (N - sum_i n_i^2 / N) / (K - 1)                   (M when balanced)
        parameter variance = max(0, (MSB - MSW) / n0)

    Parameters
    ----------
    run : Run or pandas.DataFrame
        A nested run, or its outcomes with ``param_draw`` (and ``seed_index``) columns.
    outcomes : sequence of str, optional
        As in :func:`compare` (means of numbers, or 0/1 for yes/no outcomes); default
        :func:`compared_outcomes`.
    by : str or sequence of str, optional
        Columns to split apart first; for a run with lever cells the default is ``"cell"``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then :data:`VARIANCE_COLUMNS`: how many draws (with a value) and
        seeds per draw (mean), the total (parameter + chance) variance, each part, and each
        part's share of the total (NaN when the outcome does not vary). An outcome with too few
        values to split (fewer than two draws with a value, or no draw with two) gets NaN
        statistics: an election outcome in a scenario without an election, say.

    Raises
    ------
    ValueError
        If the run is not a nested design, or has fewer than two draws or no draw with two seeds.

    References
    ----------
    Searle, S. R., Casella, G. and McCulloch, C. E. (1992). *Variance Components*. Wiley.

    Examples
    --------
    >>> frame = pd.DataFrame({"param_draw": [0, 0, 1, 1], "seed_index": [0, 1, 0, 1],
    ...                       "final_stance": [1.0, 3.0, 5.0, 7.0]})
    >>> variance_split(frame)[["outcome", "parameter_variance", "chance_variance", "parameter_share"]]
            outcome  parameter_variance  chance_variance  parameter_share
    0  final_stance                 7.0              2.0         0.777778
    """
    if isinstance(run, Run):
        design = run.manifest.get("design", {}).get("kind", "monte_carlo")
        frame = run.outcomes
        if design != "nested":
            raise ValueError(
                f"{run.path}: variance_split needs a nested design (nzsim run SCENARIO --design nested "
                f"--param-draws K --seeds-per-draw M); this run's design is {design}"
            )
    else:
        frame = run
    if "param_draw" not in frame.columns:
        raise ValueError(
            "variance_split needs a nested design: outcomes with a param_draw column (nzsim run "
            "SCENARIO --design nested --param-draws K --seeds-per-draw M)"
        )
    if by is None and "cell" in frame.columns:
        by = "cell"
    keys = _keys(by)
    _require(frame, keys, "outcomes")
    sizes = frame.groupby([*keys, "param_draw"], sort=False, dropna=False).size()
    if frame["param_draw"].nunique() < 2 or sizes.max() < 2:
        raise ValueError(
            f"variance_split needs at least two parameter draws and a draw with two or more seeds; got "
            f"{frame['param_draw'].nunique()} draw(s) of at most {sizes.max() if len(sizes) else 0} replication(s)"
        )
    names = list(outcomes) if outcomes is not None else compared_outcomes(frame)
    groups = [((), frame)] if not keys else list(frame.groupby(keys, sort=False, dropna=False))
    rows = []
    for key, part in groups:
        draws = part["param_draw"].to_numpy()
        for name in names:
            _, y = estimate(part, name)
            rows.append((*(key if isinstance(key, tuple) else (key,)), name, *_one_way(draws, y)))
    table = pd.DataFrame(rows, columns=[*keys, *VARIANCE_COLUMNS])
    for column in VARIANCE_COLUMNS[2:]:
        table[column] = table[column].astype("float64")
    return table


def by_draw(run: RunLike, outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Each parameter draw of a nested design: its parameter values and its mean outcomes.

    Parameters
    ----------
    run : Run or pandas.DataFrame
        A nested run, or its outcomes (``param_draw`` and ``param.<name>`` columns).
    outcomes : sequence of str, optional
        As in :func:`compare`; default :func:`compared_outcomes`.

    Returns
    -------
    pandas.DataFrame
        One row per draw (and cell, if any), in draw order: ``param_draw``, the
        ``param.<name>`` columns, ``n`` (replications in the draw) and the mean (or
        probability) of each outcome over the draw's seeds.

    Examples
    --------
    >>> frame = pd.DataFrame({"param_draw": [0, 0, 1, 1], "param.a": [0.1, 0.1, 0.9, 0.9],
    ...                       "final_stance": [1.0, 3.0, 5.0, 7.0]})
    >>> by_draw(frame)
       param_draw  param.a  n  final_stance
    0           0      0.1  2           2.0
    1           1      0.9  2           6.0
    """
    frame = run.outcomes if isinstance(run, Run) else run
    if "param_draw" not in frame.columns:
        raise ValueError("by_draw needs a nested design: outcomes with a param_draw column")
    names = list(outcomes) if outcomes is not None else compared_outcomes(frame)
    keys = [c for c in ("cell",) if c in frame.columns] + ["param_draw"]
    params = [c for c in frame.columns if str(c).startswith("param.")]
    values = pd.DataFrame({name: estimate(frame, name)[1] for name in names}, index=frame.index)
    grouped = pd.concat([frame[keys + params], values], axis=1).groupby(keys, sort=False)
    table = grouped[params].first()
    table.insert(len(params), "n", grouped.size())
    table = pd.concat([table, grouped[names].mean()], axis=1)
    return table.reset_index()


def _one_way(groups: np.ndarray, y: np.ndarray) -> tuple:
    """(draws, mean seeds per draw, total, between, within, between share, within share)."""
    keep = ~np.isnan(y)
    codes, y = pd.factorize(groups[keep])[0], y[keep]
    counts = np.bincount(codes) if len(codes) else np.zeros(0, dtype=int)
    k, n = len(counts), len(y)
    if k < 2 or n - k < 1:  # too few values to split (e.g. an election outcome with no election)
        return (k, n / k if k else np.nan, np.nan, np.nan, np.nan, np.nan, np.nan)
    means = np.bincount(codes, weights=y) / counts
    grand = y.mean()
    within = float(np.sum((y - means[codes]) ** 2) / (n - k))
    msb = float(np.sum(counts * (means - grand) ** 2) / (k - 1))
    n0 = (n - np.sum(counts**2) / n) / (k - 1)
    between = max(0.0, (msb - within) / n0)
    total = between + within
    shares = (between / total, within / total) if total > 0 else (np.nan, np.nan)
    return (k, n / k, total, between, within, *shares)

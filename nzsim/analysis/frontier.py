"""The tradeoff (Pareto) frontier: which runs no other run beats on every objective."""

from __future__ import annotations

import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..catalogue.outcomes import objectives as default_directions
from .comparing import estimate, labelled
from .frames import RunOrPath


def tradeoff_frontier(
    runs: Mapping[str, RunOrPath] | Sequence[RunOrPath] | RunOrPath,
    objectives: Mapping[str, str] | Sequence[str],
) -> pd.DataFrame:
    """Which runs (signal bundles) are not dominated on the chosen objectives.

    A run dominates another when it is at least as good on every objective and better on at
    least one; the runs no other run dominates form the tradeoff (Pareto) frontier. Each
    run is scored by its mean (numeric outcomes) or probability (yes/no outcomes and rung
    thresholds such as ``china_max_rung>=warning``), as in :func:`compare`.

    Parameters
    ----------
    runs : mapping of label to run, sequence of runs, or one run
        As in :func:`compare` (runs, run folders' paths or outcomes frames; a run's lever
        cells count as runs). Unlike :func:`compare`, one run is allowed: it is the whole
        frontier, which is the right answer (``nzsim classroom`` with one team's bundle).
    objectives : mapping of str to "max" or "min", or sequence of str
        The outcomes to weigh and which way is better, e.g.
        ``{"final_interoperability": "max", "exports_lost_nzd_m": "min"}``. A bare name takes
        its direction from the catalogue (:func:`nzsim.catalogue.outcomes.direction`).

    Returns
    -------
    pandas.DataFrame
        One row per run, in the given order: ``run``, one column per objective (its mean or
        probability), ``on_frontier`` (bool) and ``dominated_by`` (the labels of the runs
        that dominate it, separated by ``"; "`` since lever-cell labels hold commas; ``""``
        for a run on the frontier). Runs with equal
        scores on every objective do not dominate each other.

    Raises
    ------
    ValueError
        Fewer than two objectives, an unknown direction or outcome, or a run with no value for
        an objective (say, an election outcome where no election was held).

    Examples
    --------
    >>> a = pd.DataFrame({"final_interoperability": [0.6, 0.8], "exports_lost_nzd_m": [0.0, 0.0]})
    >>> b = pd.DataFrame({"final_interoperability": [0.9, 0.9], "exports_lost_nzd_m": [50.0, 30.0]})
    >>> c = pd.DataFrame({"final_interoperability": [0.5, 0.5], "exports_lost_nzd_m": [10.0, 10.0]})
    >>> tradeoff_frontier({"hedge": a, "align": b, "muddle": c},
    ...                   ["final_interoperability", "exports_lost_nzd_m"])
          run  final_interoperability  exports_lost_nzd_m  on_frontier dominated_by
    0   hedge                     0.7                 0.0         True
    1   align                     0.9                40.0         True
    2  muddle                     0.5                10.0        False        hedge
    """
    if isinstance(objectives, Mapping):
        directions = {str(k): str(v) for k, v in objectives.items()}
    else:
        directions = default_directions(objectives)
    if len(directions) < 2:
        raise ValueError(f"objectives: expected at least two to trade off, got {list(directions)}")
    wrong = {k: v for k, v in directions.items() if v not in ("max", "min")}
    if wrong:
        raise ValueError(f"objectives: expected 'max' or 'min' for each, got {wrong}")
    labelled_runs = labelled(runs, "tradeoff_frontier")
    names = list(directions)
    scores = np.empty((len(labelled_runs), len(names)))
    for i, (label, frame) in enumerate(labelled_runs):
        for k, name in enumerate(names):
            try:
                _, x = estimate(frame, name)
            except ValueError as error:
                raise ValueError(f"run {label!r}: {error}") from None
            if np.isnan(x).all():
                raise ValueError(f"run {label!r}: objective {name!r} has no values (it did not happen in this run)")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                scores[i, k] = np.nanmean(x)
    labels = [label for label, _ in labelled_runs]
    rows = [dict(zip(names, row)) for row in scores]
    dominated_by = ["; ".join(labels[j] for j, other in enumerate(rows) if dominates(other, row, directions))
                    for row in rows]
    table = pd.DataFrame(scores, columns=names)
    table.insert(0, "run", labels)
    table["on_frontier"] = [not d for d in dominated_by]
    table["dominated_by"] = dominated_by
    return table


def dominates(a: Mapping[str, float], b: Mapping[str, float], directions: Mapping[str, str]) -> bool:
    """Whether ``a`` is at least as good as ``b`` on every objective and better on one
    (``directions``: objective -> ``"max"`` or ``"min"``): the frontier's one rule."""
    better = [(a[n] - b[n]) * (1 if way == "max" else -1) for n, way in directions.items()]
    return all(d >= 0 for d in better) and any(d > 0 for d in better)

"""The typical replication of an ensemble: the one to tell as a story."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..catalogue.outcomes import OUTCOMES
from ..runs.runfolder import Run
from .frames import RunLike, as_float, require


def typical_outcomes() -> tuple[str, ...]:
    """The outcomes that are kinds of story rather than amounts, in the order
    :func:`typical_replication` matches them (the catalogue's ``typical`` rank): how far China
    went first, then whether it used trade, whether a partnership was signed, and the election."""
    ranked = sorted((o.typical, o.name) for o in OUTCOMES if o.typical is not None)
    return tuple(name for _, name in ranked)


def typical_replication(
    outcomes: RunLike,
    columns: Sequence[str] | None = None,
    *,
    discrete: Sequence[str] | None = None,
) -> pd.Series:
    """The replication closest to the middle of the ensemble: the one to tell as a story.

    Two steps. First the story's kind: for each discrete outcome in ``discrete`` (by default
    :func:`typical_outcomes`: China's highest rung, trade coercion, the partnership, the
    election), in that order, only the replications at that outcome's most common value among
    those still kept are kept. The first outcome therefore takes its most common value over
    the whole ensemble (the rung most replications stop at), and each later one its most common
    value among replications that agree on the earlier ones, so the kept set is never empty.
    A missing value (no election held, so no winner) counts as a value of its own; a tie goes to
    the value seen first.

    Then, among the kept replications, each numeric outcome is measured from their median in
    units of their interquartile range (or standard deviation where that range is zero;
    outcomes that do not vary there are left out), and the replication with the smallest sum
    of these distances is typical. Ties go to the earliest row.

    Parameters
    ----------
    outcomes : Run or pandas.DataFrame
        One row per replication.
    columns : sequence of str, optional
        The numeric outcomes to weigh; default every numeric outcome of the catalogue
        present.
    discrete : sequence of str, optional
        The discrete outcomes to match, most important first; default those of
        :func:`typical_outcomes` present. ``()`` weighs the numeric outcomes only.

    Returns
    -------
    pandas.Series
        That replication's row (``replication``, ``seed``, parameters and outcomes).
        ``row.attrs["matching"]`` holds how many replications shared its discrete outcomes
        (the set it was chosen from) and ``row.attrs["of"]`` how many there were.

    Examples
    --------
    >>> frame = pd.DataFrame({"replication": [0, 1, 2], "final_stance": [0.1, 0.5, 0.9],
    ...                       "mean_approval": [0.2, 0.6, 0.6]})
    >>> int(typical_replication(frame)["replication"])
    1
    >>> frame["china_max_rung"] = [2, 3, 2]  # the middle row's rung is the rarer one
    >>> int(typical_replication(frame)["replication"])
    0
    """
    if isinstance(outcomes, Run):
        outcomes = outcomes.outcomes
    if outcomes.empty:
        raise ValueError("typical_replication: the outcomes frame has no rows")
    if columns is None:
        columns = [o.name for o in OUTCOMES if o.kind == "numeric" and o.name in outcomes.columns]
    if discrete is None:
        discrete = [c for c in typical_outcomes() if c in outcomes.columns]
    require(outcomes, [*columns, *discrete], "outcomes")
    keep = np.ones(len(outcomes), dtype=bool)
    for column in discrete:
        values = outcomes[column].astype("object")
        values = values.where(values.notna(), None)[keep]
        codes, _ = pd.factorize(values, use_na_sentinel=False)  # values in order of first appearance
        mode = int(np.argmax(np.bincount(codes)))  # the first of equally common values
        keep[np.flatnonzero(keep)[codes != mode]] = False
    rows = np.flatnonzero(keep)
    distance = np.zeros(len(rows))
    for column in columns:
        x = as_float(outcomes[column], column).to_numpy()[rows]
        if np.isnan(x).all():
            continue
        q1, median, q3 = np.nanquantile(x, [0.25, 0.5, 0.75])
        scale = (q3 - q1) or np.nanstd(x)
        if scale > 0:
            distance += np.nan_to_num(np.abs(x - median) / scale, nan=0.0)
    row = outcomes.iloc[int(rows[np.argmin(distance)])].copy()
    row.attrs = {"matching": len(rows), "of": len(outcomes)}
    return row

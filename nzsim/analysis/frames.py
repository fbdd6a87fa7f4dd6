"""Shared helpers of the analysis: what counts as a run, column checks, values as numbers.

The ensemble runner stores two kinds of frame (docs/runs.md):

- **outcomes**, one row per replication: ``replication``, ``seed``, optional design columns
  (``cell``, ``param_draw``, ``seed_index``, ``param.<name>``) and the outcome columns of the
  catalogue (:mod:`nzsim.catalogue.outcomes`);
- **trajectories**, long: ``replication``, ``week`` (0 = start), ``variable`` (a weekly variable
  of :mod:`nzsim.catalogue.variables`), ``value``, and optionally ``cell``.
"""

from __future__ import annotations

import os
from typing import Sequence, Union

import numpy as np
import pandas as pd

from ..runs import load_run  # noqa: F401 - re-exported: what the analysis functions open
from ..runs.runfolder import Run

#: What the analysis functions accept as one run: a finished :class:`~nzsim.runfolder.Run`
#: or its outcomes frame.
RunLike = Union[Run, pd.DataFrame]

#: What the comparison functions (:func:`compare`, :func:`tradeoff_frontier`, :func:`labelled`)
#: accept as one run: also the path of a run folder, opened with :func:`load_run`.
RunOrPath = Union[Run, pd.DataFrame, str, os.PathLike]


#: The columns of a long trajectories frame (besides ``replication`` and the ``by`` columns).
TRAJECTORY_COLUMNS = ("week", "variable", "value")




def keys(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} frame has no column(s) {missing}; it has {list(frame.columns)}")


def as_float(values: pd.Series, column: str) -> pd.Series:
    try:
        return pd.to_numeric(values.astype("object").where(values.notna(), np.nan)).astype("float64")
    except (TypeError, ValueError) as error:
        raise ValueError(f"{column}: expected numbers, got {error}") from None


def as_binary(values: pd.Series, column: str) -> pd.Series:
    present = values.notna()
    x = values.astype("object").where(present, None).map({True: 1.0, False: 0.0})
    if (x.notna() != present).any():
        stray = sorted({repr(v) for v in values[present & x.isna()]})
        raise ValueError(f"{column}: expected True, False or null, got {', '.join(stray)}")
    return x.astype("float64")


def level_label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"

"""The summary of an ensemble's outcomes: the table ``nzsim run`` prints and writes to ``summary.csv``.

Quantiles use numpy's default ("linear") method, the one pandas uses too: the ``q``-quantile of
``n`` sorted values ``x[0] <= ... <= x[n-1]`` sits at position ``h = (n - 1) * q`` and is
``x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)])`` (Hyndman and Fan 1996,
definition 7).

References
----------
Hyndman, R. J. and Fan, Y. (1996). Sample quantiles in statistical packages. *The American
Statistician* 50(4), 361-365. https://doi.org/10.1080/00031305.1996.10473566
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..catalogue.outcomes import KINDS, OUTCOMES
from ..runs.runfolder import Run
from .frames import RunLike, as_binary, as_float, keys as _keys, level_label, require


def outcome_kinds() -> dict[str, str]:
    """Each outcome column of the catalogue, in its order, mapped to its kind."""
    return {o.name: o.kind for o in OUTCOMES}


#: The columns of :func:`summarise`'s frame, after the ``by`` columns.
SUMMARY_COLUMNS = ("outcome", "kind", "n", "mean", "median", "p05", "p95", "probability")


def summarise(
    outcomes: RunLike,
    by: str | Sequence[str] | None = None,
    *,
    kinds: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Summarise an ensemble's outcomes, one row per statistic line (per group).

    This is the table ``nzsim run`` prints and writes to ``summary.csv``.

    Parameters
    ----------
    outcomes : Run or pandas.DataFrame
        A finished run (see :func:`load_run`), or its outcomes: one row per replication.
        Columns named in ``kinds`` (by default every outcome of the catalogue, :func:`outcome_kinds`) are summarised; every
        other column (``replication``, ``seed``, ``param.<name>``, ...) is ignored. Nulls
        (None, NaN, ``pd.NA``) count as missing.
    by : str or sequence of str, optional
        Column(s) to group by, e.g. ``"cell"``. Groups come in their order of first appearance
        (or category order for a categorical column). For a run with lever cells the default
        is ``"cell"``.
    kinds : mapping of str to str, optional
        Kinds for further columns, or to override the catalogue's; each one of
        :data:`~nzsim.catalogue.outcomes.KINDS`.

    Returns
    -------
    pandas.DataFrame
        Columns: the ``by`` columns, then :data:`SUMMARY_COLUMNS`:

        - ``outcome``: the column name, or ``<column>=<level>`` for a level of an ordinal or
          categorical outcome (``china_max_rung=warning``, ``final_bloc=national``);
        - ``kind``: the outcome's kind;
        - ``n``: how many replications the line is computed from (non-null values);
        - ``mean``, ``median``, ``p05``, ``p95``: for numeric and timing outcomes (NaN
          otherwise), percentiles by numpy's linear method;
        - ``probability``: for binary outcomes the share true; for each level of an ordinal or
          categorical outcome the share of replications at that level (for
          ``china_max_rung``, the share whose highest rung reached is that rung: the shares sum
          to one; the share reaching trade measures is the binary ``trade_coercion``); for a
          timing outcome the share in which the event happened (NaN for numeric outcomes).

        A timing outcome (``partnership_week``) is null when the event did not happen in the
        run, so it is not missing: its ``n`` counts every replication, ``probability`` is the
        share with a week, and ``mean`` to ``p95`` describe the week among those runs only.
        (A partnership already in place at the start has no week: ``partnership_signed`` says
        whether one was in place at the end.) Columns that only name another in words (``china_max_rung_name``) are skipped.

        Rows are group by group, and within a group in the order of the columns in
        ``outcomes``; a group whose values are all null gets ``n = 0`` and NaN statistics.

    Raises
    ------
    ValueError
        If a ``by`` column is missing, a kind is unknown, or a binary, ordinal or numeric
        column holds a value that is not one.

    Examples
    --------
    >>> frame = pd.DataFrame({"final_stance": [0.1, 0.2, 0.3, 0.4],
    ...                       "trade_coercion": [True, False, False, None]})
    >>> summarise(frame)[["outcome", "kind", "n", "median", "probability"]]
              outcome     kind  n  median  probability
    0    final_stance  numeric  4    0.25          NaN
    1  trade_coercion   binary  3     NaN     0.333333
    """
    if isinstance(outcomes, Run):
        outcomes = outcomes.outcomes
        if by is None and "cell" in outcomes.columns:
            by = "cell"
    keys = _keys(by)
    require(outcomes, keys, "outcomes")
    kinds = {**outcome_kinds(), **(kinds or {})}
    unknown = {name: kind for name, kind in kinds.items() if kind not in KINDS}
    if unknown:
        raise ValueError(f"unknown outcome kind(s) {unknown}; expected one of {KINDS}")
    labels = {o.name for o in OUTCOMES if o.names}  # columns that only name another column
    columns = [
        c for c in outcomes.columns if c in kinds and c not in keys and c not in labels
    ]

    if keys:
        grouper: object = [outcomes[k] for k in keys]
        options = {"sort": False, "observed": True, "dropna": False}
    else:  # one group that exists even when the frame is empty
        grouper = pd.Categorical(np.zeros(len(outcomes), dtype=int), categories=[0])
        options = {"sort": False, "observed": False}
    groups = outcomes.index.to_series().groupby(grouper, **options).size().index

    def group(values: pd.Series):
        return values.groupby(grouper, **options)

    lines: list[pd.DataFrame] = []
    for column in columns:
        kind = kinds[column]
        for outcome, line in _lines(outcomes[column], column, kind, group):
            line = line.reindex(groups)
            line.insert(0, "outcome", outcome)
            line.insert(1, "kind", kind)
            lines.append(line)

    order = pd.RangeIndex(len(groups))
    if lines:
        table = pd.concat(
            [line.assign(_group=order, _line=i) for i, line in enumerate(lines)], ignore_index=False
        )
        table = table.sort_values(["_group", "_line"], kind="stable").drop(columns=["_group", "_line"])
    else:
        table = pd.DataFrame(columns=list(SUMMARY_COLUMNS), index=groups[:0])
    table = table.reindex(columns=list(SUMMARY_COLUMNS))
    table["n"] = table["n"].fillna(0).astype("int64")
    for name in SUMMARY_COLUMNS[3:]:
        table[name] = table[name].astype("float64")
    if keys:
        table = table.reset_index(names=keys)
    return table.reset_index(drop=True)


def _lines(values: pd.Series, column: str, kind: str, group) -> list[tuple[str, pd.DataFrame]]:
    """The summary lines of one outcome column, each a frame indexed by group."""
    if kind == "numeric":
        x = as_float(values, column)
        return [(column, _numeric(group(x)).assign(n=group(x).count()))]
    if kind == "timing":
        x = as_float(values, column)
        g = group(x)
        size = g.size()
        return [(column, _numeric(g).assign(n=size, probability=g.count() / size.where(size > 0)))]
    if kind == "binary":
        x = as_binary(values, column)
        g = group(x)
        return [(column, pd.DataFrame({"n": g.count(), "probability": g.mean()}))]
    if kind == "ordinal":
        x = as_float(values, column)
        known = OUTCOMES.get(column)
        if known is not None and known.levels:
            levels = known.levels
        else:
            levels = tuple((v, level_label(v)) for v in np.sort(x.dropna().unique()))
        stray = set(x.dropna().unique()) - {float(v) for v, _ in levels}
        if stray:
            raise ValueError(f"{column}: values {sorted(stray)} are not among its levels {levels}")
        return _shares(x, [(v, f"{column}={label}") for v, label in levels], group)
    # categorical
    x = values.astype("object").where(values.notna(), None)
    known = tuple(OUTCOMES[column].categories) if column in OUTCOMES else ()
    seen = sorted({str(v) for v in x.dropna()} - set(known))
    x = x.map(lambda v: None if v is None else str(v))
    return _shares(x, [(v, f"{column}={v}") for v in (*known, *seen)], group)


def _numeric(g) -> pd.DataFrame:
    """Mean, median, 5th and 95th percentiles of grouped values (NaN for empty groups)."""
    q = g.quantile([0.05, 0.5, 0.95]).unstack().reindex(columns=[0.05, 0.5, 0.95])
    return pd.DataFrame(
        {"mean": g.mean(), "median": q[0.5], "p05": q[0.05], "p95": q[0.95]}
    )


def _shares(x: pd.Series, levels: list[tuple[object, str]], group) -> list[tuple[str, pd.DataFrame]]:
    """One line per level: the share of non-null values equal to it."""
    n = group(x).count()
    present = x.notna()
    out = []
    for value, outcome in levels:
        hits = group((x == value) & present).sum()
        out.append((outcome, pd.DataFrame({"n": n, "probability": hits / n.where(n > 0)})))
    return out

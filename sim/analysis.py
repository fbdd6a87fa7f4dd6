"""Analysis of ensemble results: tidy frames in, tidy frames out.

The ensemble runner stores two kinds of frame (DESIGN.md section 5):

- **outcomes**, one row per replication: ``replication``, ``seed``, optional design columns
  (``cell``, ``param_draw``, ``seed_index``, ``param.<name>``) and the outcome columns of
  :func:`sim.outcomes.outcome_row`;
- **trajectories**, long: ``replication``, ``week`` (0 = start), ``variable`` (a name in
  :data:`sim.model.REPORTERS`), ``value``, and optionally ``cell``.

Every function here is pure: it returns a new pandas frame, draws nothing and prints nothing.
Drawing is :mod:`sim.plotting`'s job.

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

from types import MappingProxyType
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .agents.china import Rung
from .parameters import PARTNERS

__all__ = [
    "CATEGORY_LEVELS",
    "KINDS",
    "LABEL_COLUMNS",
    "ORDINAL_LEVELS",
    "OUTCOME_KINDS",
    "RUNG_NAMES",
    "SUMMARY_COLUMNS",
    "fan_quantiles",
    "quantile_name",
    "rung_probabilities_by_week",
    "summarise",
]

#: The kinds of outcome, and how :func:`summarise` treats each.
KINDS = ("numeric", "binary", "ordinal", "categorical", "timing")

#: Each outcome column of :func:`sim.outcomes.outcome_row`, in its order, mapped to its kind.
OUTCOME_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "final_stance": "numeric",
        "peak_stance": "numeric",
        "final_interoperability": "numeric",
        "partnership_signed": "binary",
        "partnership_week": "timing",
        "china_max_rung": "ordinal",
        "china_max_rung_name": "categorical",
        "trade_coercion": "binary",
        "coercion_weeks": "numeric",
        "exports_lost_nzd_m": "numeric",
        "final_approval": "numeric",
        "mean_approval": "numeric",
        "final_threat_share": "numeric",
        "peak_threat_share": "numeric",
        **{f"trust_{key}": "numeric" for key in PARTNERS},
        "trust_mean": "numeric",
        "independence_credibility": "numeric",
        "election_held": "binary",
        "incumbent_share": "numeric",
        "incumbent_won": "binary",
        "final_bloc": "categorical",
    }
)

#: Columns that only label another column; :func:`summarise` skips them (the rung's name is
#: summarised through ``china_max_rung``).
LABEL_COLUMNS: Mapping[str, str] = MappingProxyType({"china_max_rung_name": "china_max_rung"})

#: China's rungs in ladder order, as words ("cordial", ..., "formal coercion").
RUNG_NAMES: tuple[str, ...] = tuple(rung.words for rung in Rung)

#: The levels of each ordinal outcome, in order, as (value, label) pairs.
ORDINAL_LEVELS: Mapping[str, tuple[tuple[int, str], ...]] = MappingProxyType(
    {"china_max_rung": tuple((int(rung), rung.words) for rung in Rung)}
)

#: The levels of each categorical outcome known in advance. Every level gets a row in the
#: summary, observed or not, so that groups line up; levels seen but not listed follow, sorted.
CATEGORY_LEVELS: Mapping[str, tuple[str, ...]] = MappingProxyType({"final_bloc": ("labour", "national")})

#: The columns of :func:`summarise`'s frame, after the ``by`` columns.
SUMMARY_COLUMNS = ("outcome", "kind", "n", "mean", "median", "p05", "p95", "probability")

_STATISTICS = ("mean", "median", "p05", "p95")
_TRAJECTORY_COLUMNS = ("week", "variable", "value")


# --------------------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------------------


def summarise(
    outcomes: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    *,
    kinds: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Summarise an ensemble's outcomes, one row per statistic line (per group).

    Parameters
    ----------
    outcomes : pandas.DataFrame
        One row per replication. Columns named in ``kinds`` (by default
        :data:`OUTCOME_KINDS`) are summarised; every other column (``replication``, ``seed``,
        ``param.<name>``, ...) is ignored. Nulls (None, NaN, ``pd.NA``) count as missing.
    by : str or sequence of str, optional
        Column(s) to group by, e.g. ``"cell"``. Groups come in their order of first appearance
        (or category order for a categorical column).
    kinds : mapping of str to str, optional
        Kinds for further columns, or to override :data:`OUTCOME_KINDS`; each one of
        :data:`KINDS`.

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
        whether one was in place at the end.) Columns in :data:`LABEL_COLUMNS` are skipped.

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
    keys = _keys(by)
    _require(outcomes, keys, "outcomes")
    kinds = {**OUTCOME_KINDS, **(kinds or {})}
    unknown = {name: kind for name, kind in kinds.items() if kind not in KINDS}
    if unknown:
        raise ValueError(f"unknown outcome kind(s) {unknown}; expected one of {KINDS}")
    columns = [
        c for c in outcomes.columns if c in kinds and c not in keys and c not in LABEL_COLUMNS
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
        x = _as_float(values, column)
        return [(column, _numeric(group(x)).assign(n=group(x).count()))]
    if kind == "timing":
        x = _as_float(values, column)
        g = group(x)
        size = g.size()
        return [(column, _numeric(g).assign(n=size, probability=g.count() / size.where(size > 0)))]
    if kind == "binary":
        x = _as_binary(values, column)
        g = group(x)
        return [(column, pd.DataFrame({"n": g.count(), "probability": g.mean()}))]
    if kind == "ordinal":
        x = _as_float(values, column)
        if column in ORDINAL_LEVELS:
            levels = ORDINAL_LEVELS[column]
        else:
            levels = tuple((v, _label(v)) for v in np.sort(x.dropna().unique()))
        stray = set(x.dropna().unique()) - {float(v) for v, _ in levels}
        if stray:
            raise ValueError(f"{column}: values {sorted(stray)} are not among its levels {levels}")
        return _shares(x, [(v, f"{column}={label}") for v, label in levels], group)
    # categorical
    x = values.astype("object").where(values.notna(), None)
    known = tuple(CATEGORY_LEVELS.get(column, ()))
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


def _as_float(values: pd.Series, column: str) -> pd.Series:
    try:
        return pd.to_numeric(values.astype("object").where(values.notna(), np.nan)).astype("float64")
    except (TypeError, ValueError) as error:
        raise ValueError(f"{column}: expected numbers, got {error}") from None


def _as_binary(values: pd.Series, column: str) -> pd.Series:
    present = values.notna()
    x = values.astype("object").where(present, None).map({True: 1.0, False: 0.0})
    if (x.notna() != present).any():
        stray = sorted({repr(v) for v in values[present & x.isna()]})
        raise ValueError(f"{column}: expected True, False or null, got {', '.join(stray)}")
    return x.astype("float64")


def _label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --------------------------------------------------------------------------------------
# Trajectories
# --------------------------------------------------------------------------------------


def quantile_name(q: float) -> str:
    """The column name of a quantile: ``0.05 -> "q05"``, ``0.5 -> "q50"``, ``0.025 -> "q2.5"``.

    Parameters
    ----------
    q : float
        A probability in [0, 1].

    Returns
    -------
    str
    """
    percent = round(100 * float(q), 6)
    if percent.is_integer():
        return f"q{int(percent):02d}"
    return f"q{percent:g}"


def fan_quantiles(
    trajectories: pd.DataFrame,
    variables: Sequence[str] | None = None,
    quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Quantiles of each variable across replications, week by week (the bands of a fan chart).

    Parameters
    ----------
    trajectories : pandas.DataFrame
        Long frame with ``week``, ``variable`` and ``value`` (and the ``by`` columns).
    variables : sequence of str, optional
        The variables to keep, in this order; by default all, in order of first appearance.
    quantiles : sequence of float
        Probabilities in [0, 1]; each becomes a column named by :func:`quantile_name`
        (``q05``, ``q25``, ``q50``, ``q75``, ``q95`` by default).
    by : str or sequence of str, optional
        Column(s) to keep apart, e.g. ``"cell"``; otherwise every replication is pooled.

    Returns
    -------
    pandas.DataFrame
        Columns: the ``by`` columns, ``variable``, ``week``, then one per quantile; one row per
        (group,) variable and week, sorted by group (first appearance), variable (as above)
        and week. Null values are ignored; a week whose values are all null has NaN quantiles.

    Raises
    ------
    ValueError
        If a column is missing, a requested variable is absent, or a quantile lies outside
        [0, 1] or two quantiles share a name.

    Examples
    --------
    >>> frame = pd.DataFrame({"replication": [0, 1, 2], "week": 0, "variable": "stance",
    ...                       "value": [0.0, 0.5, 1.0]})
    >>> fan_quantiles(frame, quantiles=(0.25, 0.5))
      variable  week   q25  q50
    0   stance     0  0.25  0.5
    """
    keys = _keys(by)
    _require(trajectories, [*keys, *_TRAJECTORY_COLUMNS], "trajectories")
    quantiles = [float(q) for q in quantiles]
    if not quantiles or any(not 0.0 <= q <= 1.0 for q in quantiles):
        raise ValueError(f"quantiles must be probabilities in [0, 1], got {quantiles}")
    names = [quantile_name(q) for q in quantiles]
    if len(set(names)) != len(names):
        raise ValueError(f"quantiles {quantiles} give repeated column names {names}")

    # Integer codes in the requested order: much faster to group than strings or a Categorical.
    codes, uniques = pd.factorize(trajectories["variable"])
    present = list(uniques)
    if variables is None:
        variables = present
    else:
        variables = list(variables)
        missing = [v for v in variables if v not in set(present)]
        if missing:
            raise ValueError(f"variables {missing} are not in the trajectories; present: {present}")
        if len(set(variables)) != len(variables):
            raise ValueError(f"variables {variables} name a variable twice")
    position = {name: i for i, name in enumerate(variables)}
    lookup = np.array([position.get(name, -1) for name in present] + [-1])  # code -1 (null) -> -1
    order = lookup[codes]
    keep = order >= 0
    frame = trajectories[[*keys, "week", "value"]]
    if not keep.all():
        frame = frame[keep]
    frame = frame.assign(_variable=order[keep])

    grouped = frame.groupby([*keys, "_variable", "week"], sort=False, observed=True, dropna=False)["value"]
    table = grouped.quantile(quantiles).unstack().reindex(columns=quantiles)
    table.columns = names
    table = table.reset_index()
    sort = ["_variable", "week"]
    if keys:  # groups in order of first appearance
        first = frame[keys].drop_duplicates()
        table = table.merge(first.assign(_group=np.arange(len(first))), on=keys, how="left")
        sort = ["_group", *sort]
    table = table.sort_values(sort, kind="stable")
    table.insert(len(keys), "variable", np.asarray(variables, dtype=object)[table["_variable"].to_numpy()])
    table = table.drop(columns=["_group", "_variable"], errors="ignore")
    table[names] = table[names].astype("float64")
    return table.reset_index(drop=True)


def rung_probabilities_by_week(
    trajectories: pd.DataFrame, by: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """The share of replications at each rung of China's ladder, week by week.

    Parameters
    ----------
    trajectories : pandas.DataFrame
        Long frame with ``week``, ``variable`` and ``value``; only rows whose variable is
        ``china_rung`` are used.
    by : str or sequence of str, optional
        Column(s) to keep apart, e.g. ``"cell"``.

    Returns
    -------
    pandas.DataFrame
        Columns: the ``by`` columns, ``week``, then one per rung in ladder order named by
        :data:`RUNG_NAMES` (``cordial``, ``normal``, ``rebuke``, ``warning``,
        ``informal restriction``, ``formal coercion``). Each row is a share of the
        replications with a value that week, so each row sums to one.

    Raises
    ------
    ValueError
        If a column is missing, there are no ``china_rung`` rows, or a value is not a rung.

    Examples
    --------
    >>> frame = pd.DataFrame({"replication": [0, 1, 2, 3], "week": 0,
    ...                       "variable": "china_rung", "value": [1, 1, 1, 3]})
    >>> rung_probabilities_by_week(frame)[["week", "normal", "warning"]]
       week  normal  warning
    0     0    0.75     0.25
    """
    keys = _keys(by)
    _require(trajectories, [*keys, *_TRAJECTORY_COLUMNS], "trajectories")
    frame = trajectories.loc[trajectories["variable"] == "china_rung", [*keys, "week", "value"]]
    frame = frame[frame["value"].notna()]
    if frame.empty:
        raise ValueError("trajectories have no china_rung values")
    rung = frame["value"].to_numpy(dtype="float64")
    valid = np.isin(rung, np.arange(len(RUNG_NAMES)))
    if not valid.all():
        raise ValueError(f"china_rung values {sorted(set(rung[~valid]))} are not rungs 0-{len(RUNG_NAMES) - 1}")
    frame = frame.assign(rung=pd.Categorical.from_codes(rung.astype(int), categories=list(RUNG_NAMES)))
    counts = frame.groupby([*keys, "week", "rung"], sort=False, observed=False, dropna=False).size()
    table = counts.unstack("rung", fill_value=0)
    table = table.div(table.sum(axis=1), axis=0)
    table = table[table.sum(axis=1) > 0]  # combinations of keys and weeks never seen
    table.columns = list(RUNG_NAMES)
    table = table.reset_index()
    sort = ["week"]
    if keys:
        first = frame[keys].drop_duplicates()
        table = table.merge(first.assign(_group=np.arange(len(first))), on=keys, how="left")
        sort = ["_group", "week"]
    table = table.sort_values(sort, kind="stable").drop(columns=["_group"], errors="ignore")
    return table.reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _keys(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} frame has no column(s) {missing}; it has {list(frame.columns)}")

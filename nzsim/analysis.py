"""Analysis of ensemble results: tidy frames in, tidy frames out.

The ensemble runner stores two kinds of frame (DESIGN.md section 5):

- **outcomes**, one row per replication: ``replication``, ``seed``, optional design columns
  (``cell``, ``param_draw``, ``seed_index``, ``param.<name>``) and the outcome columns of
  :func:`nzsim.outcomes.outcome_row`;
- **trajectories**, long: ``replication``, ``week`` (0 = start), ``variable`` (a name in
  :data:`nzsim.model.REPORTERS`), ``value``, and optionally ``cell``.

Every function here is pure: it returns a new pandas frame, draws nothing and prints nothing.
Drawing is :mod:`nzsim.plotting`'s job.

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

import datetime as dt
import os
import warnings
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping, Sequence, Union

import numpy as np
import pandas as pd

from .rungs import Rung
from .parameters import PARTNERS
from .runfolder import Run

__all__ = [
    "CATEGORY_LEVELS",
    "by_draw",
    "COMPARE_COLUMNS",
    "DIRECTIONS",
    "KINDS",
    "LABEL_COLUMNS",
    "ORDINAL_LEVELS",
    "OUTCOME_KINDS",
    "RUNG_NAMES",
    "SUMMARY_COLUMNS",
    "TYPICAL_DISCRETE",
    "VARIANCE_COLUMNS",
    "compare",
    "compared_outcomes",
    "dominates",
    "guiding_intervals",
    "estimate",
    "fan_quantiles",
    "labelled",
    "ladder",
    "load_run",
    "quantile_name",
    "rung_probabilities_by_week",
    "summarise",
    "tradeoff_frontier",
    "typical_replication",
    "variance_split",
]

#: What the analysis functions accept as one run: a finished :class:`~nzsim.runfolder.Run`
#: or its outcomes frame.
RunLike = Union[Run, pd.DataFrame]

#: What the comparison functions (:func:`compare`, :func:`tradeoff_frontier`, :func:`labelled`)
#: accept as one run: also the path of a run folder, opened with :func:`load_run`.
RunOrPath = Union[Run, pd.DataFrame, str, os.PathLike]

#: The kinds of outcome, and how :func:`summarise` treats each.
KINDS = ("numeric", "binary", "ordinal", "categorical", "timing")

#: Each outcome column of :func:`nzsim.outcomes.outcome_row`, in its order, mapped to its kind.
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
        Columns named in ``kinds`` (by default :data:`OUTCOME_KINDS`) are summarised; every
        other column (``replication``, ``seed``, ``param.<name>``, ...) is ignored. Nulls
        (None, NaN, ``pd.NA``) count as missing.
    by : str or sequence of str, optional
        Column(s) to group by, e.g. ``"cell"``. Groups come in their order of first appearance
        (or category order for a categorical column). For a run with lever cells the default
        is ``"cell"``.
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
    if isinstance(outcomes, Run):
        outcomes = outcomes.outcomes
        if by is None and "cell" in outcomes.columns:
            by = "cell"
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


def _quantile_columns(quantiles: Sequence[float]) -> tuple[list[float], list[str]]:
    """The quantiles as floats and their column names, checked."""
    quantiles = [float(q) for q in quantiles]
    if not quantiles or any(not 0.0 <= q <= 1.0 for q in quantiles):
        raise ValueError(f"quantiles must be probabilities in [0, 1], got {quantiles}")
    names = [quantile_name(q) for q in quantiles]
    if len(set(names)) != len(names):
        raise ValueError(f"quantiles {quantiles} give repeated column names {names}")
    return quantiles, names


def _chosen_variables(variables: Sequence[str] | None, present: Sequence[str]) -> list[str]:
    """The variables asked for (all those present, by default), checked against those present."""
    if variables is None:
        return list(present)
    variables = list(variables)
    missing = [v for v in variables if v not in set(present)]
    if missing:
        raise ValueError(f"variables {missing} are not in the trajectories; present: {list(present)}")
    if len(set(variables)) != len(variables):
        raise ValueError(f"variables {variables} name a variable twice")
    return variables


def fan_quantiles(
    trajectories: pd.DataFrame | Run,
    variables: Sequence[str] | None = None,
    quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Quantiles of each variable across replications, week by week (the bands of a fan chart).

    Parameters
    ----------
    trajectories : pandas.DataFrame or Run
        Long frame with ``week``, ``variable`` and ``value`` (and the ``by`` columns), or a
        run, whose trajectories are then read a batch at a time and one variable is held at a
        time in compact form (the same result, in a fraction of the memory: a 20,000-replication
        run's trajectories take over a gigabyte as one frame).
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
    quantiles, names = _quantile_columns(quantiles)  # checked before any row is read
    if isinstance(trajectories, Run):
        variables = _chosen_variables(variables, trajectories.trajectory_variables)
        return _one_variable_at_a_time(
            trajectories, variables, by, lambda frame, name, group: fan_quantiles(frame, [name], quantiles, group)
        )
    keys = _keys(by)
    _require(trajectories, [*keys, *_TRAJECTORY_COLUMNS], "trajectories")

    # Integer codes in the requested order: much faster to group than strings or a Categorical.
    codes, uniques = pd.factorize(trajectories["variable"])
    present = list(uniques)
    variables = _chosen_variables(variables, present)
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
    trajectories: pd.DataFrame | Run, by: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """The share of replications at each rung of China's ladder, week by week.

    Parameters
    ----------
    trajectories : pandas.DataFrame or Run
        Long frame with ``week``, ``variable`` and ``value``; only rows whose variable is
        ``china_rung`` are used. A run's are read a batch at a time, only those rows kept.
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
    if isinstance(trajectories, Run):
        if "china_rung" not in trajectories.trajectory_variables:
            raise ValueError("trajectories have no china_rung values")
        return _one_variable_at_a_time(
            trajectories, ["china_rung"], by, lambda frame, name, group: rung_probabilities_by_week(frame, group)
        )
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


_MISSING = object()  # a missing group label, as a dict key (NaN is not equal to itself)


def _group_key(label: object) -> object:
    if isinstance(label, tuple):
        return tuple(_group_key(x) for x in label)
    return _MISSING if pd.isna(label) else label


def _group_label(key: object) -> object:
    if isinstance(key, tuple):
        return tuple(_group_label(x) for x in key)
    return np.nan if key is _MISSING else key


def _one_variable_at_a_time(
    run: Run,
    variables: Sequence[str],
    by: str | Sequence[str] | None,
    compute: Callable[[pd.DataFrame, str, str | None], pd.DataFrame],
) -> pd.DataFrame:
    """``compute(frame, variable, by)`` on each of the (checked) variables' rows of a run's trajectories, joined.

    One pass reads the run's trajectories a batch at a time and keeps, per variable, three
    compact arrays (the ``by`` group as a code, the week, the value): 14 bytes a row instead of
    a frame's 40 or more. Each variable's frame is then built, computed on and dropped in turn.
    Groups keep their order of first appearance in the file, as in the frame functions.
    """
    keys = _keys(by)
    present = run.trajectory_columns
    missing = [c for c in [*keys, *_TRAJECTORY_COLUMNS] if c not in present]
    if missing:
        raise ValueError(f"trajectories frame has no column(s) {missing}; it has {present}")
    groups: dict[object, int] = {}
    parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    categorical: set[str] = set()  # keys read as categoricals (Parquet dictionaries), returned as such
    for batch in run.iter_trajectories(variables, columns=[*keys, "week", "value"]):
        categorical |= {k for k in keys if isinstance(batch[k].dtype, pd.CategoricalDtype)}
        if keys:
            labels = batch[keys[0]] if len(keys) == 1 else pd.MultiIndex.from_frame(batch[keys])
            local, uniques = pd.factorize(labels, use_na_sentinel=False)  # a missing label is a group too
            code = np.array([groups.setdefault(_group_key(u), len(groups)) for u in uniques], dtype=np.int32)[local]
        else:
            code = np.zeros(len(batch), dtype=np.int32)
        where, names = pd.factorize(batch["variable"].astype(str))  # names in order of first appearance
        week, value = batch["week"].to_numpy(np.int16), batch["value"].to_numpy(np.float64)
        for i, name in enumerate(names):
            rows = where == i
            parts.setdefault(name, []).append((code[rows], week[rows], value[rows]))
    absent = [v for v in variables if v not in parts]  # checked by the callers against the first rows
    if absent:
        raise ValueError(f"variables {absent} have no rows in {run.path / 'trajectories.parquet'}")
    labels = [_group_label(g) for g in groups]
    tables = []
    for name in variables:
        code, week, value = (np.concatenate(a) for a in zip(*parts.pop(name)))
        frame = pd.DataFrame({"_run_group": code, "week": week, "variable": pd.Categorical.from_codes(
            np.zeros(len(code), dtype=np.int8), [name]), "value": value})
        del code, week, value
        table = compute(frame, name, "_run_group" if keys else None)
        del frame
        tables.append(table)
    table = pd.concat(tables, ignore_index=True)
    if not keys:
        return table
    table = table.sort_values("_run_group", kind="stable")  # group, then variable and week as computed
    codes = table.pop("_run_group").to_numpy()
    if len(keys) == 1:
        columns = {keys[0]: [labels[c] for c in codes]}
    else:
        columns = {k: [labels[c][j] for c in codes] for j, k in enumerate(keys)}
    for j, (k, values) in enumerate(columns.items()):
        if k in categorical:
            values = pd.Categorical(values, categories=list(dict.fromkeys(values)))
        table.insert(j, k, values)
    return table.reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Runs: loading, and comparing several
# --------------------------------------------------------------------------------------


def load_run(path: str | Path) -> Run:
    """Open a finished run folder.

    Parameters
    ----------
    path : str or path
        The folder ``nzsim run`` (or :func:`nzsim.run_ensemble`) wrote.

    Returns
    -------
    Run
        With ``.outcomes`` (one row per replication), ``.trajectories`` (long),
        ``.events``, ``.manifest`` (what was run, with which seed, design and code) and
        ``.scenario`` (the scenario as resolved when it ran).

    Raises
    ------
    nzsim.runfolder.RunFolderError
        A ``ValueError`` that says what is wrong: the folder does not exist or is not a run,
        its manifest cannot be read, or the run is unfinished (with the ``nzsim run ...
        --resume`` command that finishes it), or a results file is missing.
    """
    return Run.open(path)


#: Which way each outcome is better, for :func:`tradeoff_frontier` when objectives are given
#: by name only. From the small state's point of view: more interoperability, trust,
#: approval and credibility; fewer exports lost, less coercion.
DIRECTIONS: Mapping[str, str] = MappingProxyType(
    {
        "final_interoperability": "max",
        "partnership_signed": "max",
        "trust_mean": "max",
        **{f"trust_{key}": "max" for key in PARTNERS},
        "final_approval": "max",
        "mean_approval": "max",
        "independence_credibility": "max",
        "incumbent_share": "max",
        "incumbent_won": "max",
        "exports_lost_nzd_m": "min",
        "trade_coercion": "min",
        "coercion_weeks": "min",
        "china_max_rung": "min",
        **{f"china_max_rung>={name}": "min" for name in RUNG_NAMES[1:]},
    }
)

#: The columns of :func:`compare`'s frame.
COMPARE_COLUMNS = (
    "outcome", "statistic", "run", "baseline", "n", "value", "low", "high",
    "difference", "difference_low", "difference_high", "paired", "resampled",
)

#: The columns of :func:`variance_split`'s frame, after the ``by`` columns.
VARIANCE_COLUMNS = (
    "outcome", "param_draws", "seeds_per_draw", "total_variance", "parameter_variance",
    "chance_variance", "parameter_share", "chance_share",
)


def compared_outcomes(outcomes: pd.DataFrame) -> list[str]:
    """The outcomes :func:`compare` reports by default, those present in ``outcomes``.

    Every numeric and binary outcome of :data:`OUTCOME_KINDS`, in its order, with the chance
    that China's response reaches at least an official rebuke and at least a warning
    (``china_max_rung>=rebuke``, ``china_max_rung>=warning``) in place of the ordinal rung.
    """
    names: list[str] = []
    for column, kind in OUTCOME_KINDS.items():
        if column not in outcomes.columns:
            continue
        if kind in ("numeric", "binary"):
            names.append(column)
        elif column == "china_max_rung":
            names += ["china_max_rung>=rebuke", "china_max_rung>=warning"]
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
    column, _, level = outcome.partition(">=")
    if column not in outcomes.columns:
        raise ValueError(f"outcome {outcome!r}: no such column; expected one of {compared_outcomes(outcomes)}")
    kind = OUTCOME_KINDS.get(column)
    if level:
        levels = dict((label, value) for value, label in ORDINAL_LEVELS.get(column, ()))
        if level not in levels:
            raise ValueError(
                f"outcome {outcome!r}: expected an ordinal outcome and one of its levels, e.g. "
                f"china_max_rung>={RUNG_NAMES[3]} (levels: {', '.join(levels) or 'none'})"
            )
        x = _as_float(outcomes[column], column).to_numpy()
        return "probability", np.where(np.isnan(x), np.nan, (x >= levels[level]).astype(float))
    if kind == "binary":
        return "probability", _as_binary(outcomes[column], column).to_numpy()
    if kind == "timing":
        return "probability", outcomes[column].notna().to_numpy(dtype=float)
    if kind is None:
        raise ValueError(f"outcome {outcome!r}: {column} is not an outcome; expected one of {compared_outcomes(outcomes)}")
    if kind == "numeric":
        return "mean", _as_float(outcomes[column], column).to_numpy()
    raise ValueError(
        f"outcome {outcome!r} is {kind}: compare a level instead, e.g. {column}>={RUNG_NAMES[3]}"
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
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
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
    _require(table, ["outcome", "run", "baseline", "n"], "comparison")
    base_n = table[table["run"] == table["baseline"]].set_index("outcome")["n"]
    enough = (table["n"] >= minimum) & (table["outcome"].map(base_n).fillna(0) >= minimum)
    units = table.attrs.get("units")
    if units:
        enough &= table["run"].map(units).fillna(0).ge(minimum) & table["baseline"].map(units).fillna(0).ge(minimum)
    return (table["run"] != table["baseline"]) & enough


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
        its direction from :data:`DIRECTIONS`.

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
        directions = {}
        for name in objectives:
            if name not in DIRECTIONS:
                raise ValueError(
                    f"objective {name!r}: no default direction; pass a mapping such as {{{name!r}: 'max'}}"
                )
            directions[name] = DIRECTIONS[name]
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


#: The outcomes that are kinds of story rather than amounts (ordinal, categorical and yes/no), in
#: the order :func:`typical_replication` matches them: how far China went first, then whether it
#: used trade, whether a partnership was signed, and the election.
TYPICAL_DISCRETE: tuple[str, ...] = (
    "china_max_rung",
    "trade_coercion",
    "partnership_signed",
    "election_held",
    "incumbent_won",
    "final_bloc",
)


def typical_replication(
    outcomes: RunLike,
    columns: Sequence[str] | None = None,
    *,
    discrete: Sequence[str] | None = None,
) -> pd.Series:
    """The replication closest to the middle of the ensemble: the one to tell as a story.

    Two steps. First the story's kind: for each discrete outcome in ``discrete`` (by default
    :data:`TYPICAL_DISCRETE`: China's highest rung, trade coercion, the partnership, the
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
        The numeric outcomes to weigh; default every numeric outcome of :data:`OUTCOME_KINDS`
        present.
    discrete : sequence of str, optional
        The discrete outcomes to match, most important first; default those of
        :data:`TYPICAL_DISCRETE` present. ``()`` weighs the numeric outcomes only.

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
        columns = [c for c, kind in OUTCOME_KINDS.items() if kind == "numeric" and c in outcomes.columns]
    if discrete is None:
        discrete = [c for c in TYPICAL_DISCRETE if c in outcomes.columns]
    _require(outcomes, [*columns, *discrete], "outcomes")
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
        x = _as_float(outcomes[column], column).to_numpy()[rows]
        if np.isnan(x).all():
            continue
        q1, median, q3 = np.nanquantile(x, [0.25, 0.5, 0.75])
        scale = (q3 - q1) or np.nanstd(x)
        if scale > 0:
            distance += np.nan_to_num(np.abs(x - median) / scale, nan=0.0)
    row = outcomes.iloc[int(rows[np.argmin(distance)])].copy()
    row.attrs = {"matching": len(rows), "of": len(outcomes)}
    return row


# --------------------------------------------------------------------------------------
# Designs and ladders
# --------------------------------------------------------------------------------------


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


def ladder(run: Run | pd.DataFrame, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """The probability of each rung of China's response, week by week.

    Parameters
    ----------
    run : Run or pandas.DataFrame
        A finished run (only its ``china_rung`` trajectory is read), or a long trajectories
        frame.
    by : str or sequence of str, optional
        Columns to keep apart; for a run with lever cells the default is ``"cell"``.

    Returns
    -------
    pandas.DataFrame
        As :func:`rung_probabilities_by_week` (the ``by`` columns, ``week``, then one share
        per rung, each row summing to one), with a ``date`` column after ``week`` when the
        run's start date is known.
    """
    start = None
    if isinstance(run, Run):
        start = dt.date.fromisoformat(str(run.manifest["scenario"]["start"]))
        columns = run.trajectory_columns  # the run's rows are read in batches, not all at once
    else:
        columns = list(run.columns)
    if by is None and "cell" in columns:
        by = "cell"
    table = rung_probabilities_by_week(run, by=by)
    if start is not None:
        dates = [start + dt.timedelta(weeks=int(w)) for w in table["week"]]
        table.insert(table.columns.get_loc("week") + 1, "date", pd.to_datetime(dates))
    return table


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

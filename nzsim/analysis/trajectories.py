"""Trajectories across replications: fan-chart quantiles week by week, and China's ladder.

A run's trajectories can be large (a 20,000-replication run's take over a gigabyte as one
frame): given a :class:`~nzsim.runs.runfolder.Run` rather than a frame, these functions read
them a batch at a time and hold one variable at a time in compact form.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from ..catalogue.rungs import RUNG_NAMES
from ..runs.runfolder import Run
from .frames import TRAJECTORY_COLUMNS as _TRAJECTORY_COLUMNS
from .frames import keys as _keys
from .frames import require as _require


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
    if not variables:
        raise ValueError("variables: expected at least one variable, got none")
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
            trajectories, variables, by,
            lambda code, week, value, name, keyed: _quantiles_of(code, week, value, name, keyed, quantiles, names),
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
        return _rungs_counted(trajectories, by)
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


#: At most this many trajectory rows are held at once when a run's trajectories are summarised
#: (about 14 bytes a row while they are read, and a frame's 15 or so while one variable's are
#: computed on): a larger run is read in several passes, a few variables or a block of weeks at a
#: time, so that the memory it takes stops growing with the number of replications.
PASS_ROWS = 1 << 22


def passes(variables: Sequence[str], replications: int, weeks: tuple[int, int] | None,
           budget: int | None = None) -> list[tuple[list[str], tuple[int, int] | None]]:
    """How to read ``variables`` of a run of ``replications`` over ``weeks`` (first, last) in as
    few passes as hold at most about ``budget`` rows each (default :data:`PASS_ROWS`): each pass's
    variables and weeks (None: all weeks). Either some whole variables a pass, or every variable
    over a block of weeks a pass, whichever takes fewer passes; at the least, one variable and one
    week a pass."""
    budget = PASS_ROWS if budget is None else budget
    variables = list(variables)
    if weeks is None or replications <= 0:
        return [(variables, None)]
    first, last = weeks
    span = last - first + 1
    whole = budget // (replications * span)  # whole variables a pass
    block = budget // (replications * len(variables))  # weeks a pass, of every variable
    if whole >= len(variables):
        return [(variables, None)]
    if whole >= 1 and -(-len(variables) // whole) <= -(-span // max(block, 1)):
        return [(variables[i:i + whole], None) for i in range(0, len(variables), whole)]
    if block >= 1:
        return [(variables, (lo, min(lo + block - 1, last))) for lo in range(first, last + 1, block)]
    size = max(1, budget // replications)  # variables a pass, a week at a time
    return [(variables[i:i + size], (week, week)) for week in range(first, last + 1)
            for i in range(0, len(variables), size)]


def segment_quantiles(key: np.ndarray, value: np.ndarray, quantiles: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """The quantiles of ``value`` within each ``key``, interpolated linearly as pandas' grouped
    ``quantile`` does (to the bit), nulls ignored: the keys present, ascending, and an array of
    one row per key and one column per quantile (NaN for a key whose values are all null).

    About 20 bytes a row beside the inputs (a sort order, the sorted keys and values), where
    pandas' grouped quantile took about 100: the quantiles of a run's trajectories are computed
    here, those of a frame by pandas, and the two agree exactly (tests/analysis/test_analysis.py).
    """
    order = np.lexsort((value, key))  # by key, then value; nulls last within a key
    key, value = key[order], value[order]
    del order
    keys, start = np.unique(key, return_index=True)
    del key
    valid = np.add.reduceat((~np.isnan(value)).astype(np.int64), start) if len(start) else start
    table = np.empty((len(keys), len(quantiles)))
    top = np.maximum(valid - 1, 0)
    for j, q in enumerate(quantiles):
        h = q * (valid - 1)
        low = np.clip(np.floor(h), 0, None).astype(np.int64)
        fraction = h - low
        a, b = value[start + np.minimum(low, top)], value[start + np.minimum(low + 1, top)]
        with np.errstate(invalid="ignore"):
            column = np.where(fraction == 0, a, a + (b - a) * fraction)
        column[valid == 0] = np.nan
        table[:, j] = column
    return keys, table


def _quantiles_of(code: np.ndarray, week: np.ndarray, value: np.ndarray, name: str, keyed: bool,
                  quantiles: Sequence[float], names: Sequence[str]) -> pd.DataFrame:
    """:func:`fan_quantiles`' rows for one variable of a run, from its compact arrays
    (:func:`_one_variable_at_a_time`): by group code and week, ascending."""
    first, span = int(week.min()), int(week.max()) - int(week.min()) + 1
    keys, table = segment_quantiles(code.astype(np.int64) * span + (week - first), value, quantiles)
    columns = {"_run_group": (keys // span).astype(np.int32)} if keyed else {}
    columns |= {"variable": np.full(len(keys), name, dtype=object), "week": (keys % span + first).astype(week.dtype)}
    columns |= {label: table[:, j] for j, label in enumerate(names)}
    return pd.DataFrame(columns)


def _week_range(run: Run) -> tuple[int, int]:
    """The first and last week of a run's trajectories, read from its rows (a file written
    without statistics)."""
    first = last = None
    for batch in run.iter_trajectories(["china_rung"], columns=["week"]):
        low, high = int(batch["week"].min()), int(batch["week"].max())
        first, last = (low, high) if first is None else (min(first, low), max(last, high))
    return (0, -1) if first is None else (first, last)


def _rungs_counted(run: Run, by: str | Sequence[str] | None) -> pd.DataFrame:
    """:func:`rung_probabilities_by_week` of a run in one pass that keeps only counts: each batch
    of ``china_rung`` rows is counted by group, week and rung with one ``bincount`` and added up,
    so the memory taken does not grow with the replications. The same shares as the frame's, to
    the bit (the same integer counts, divided alike; tested)."""
    keys = _keys(by)
    _checked_columns(run, keys)
    first, last = run.trajectory_weeks or _week_range(run)
    span, rungs = last - first + 1, len(RUNG_NAMES)
    groups: dict[object, int] = {}
    categorical: set[str] = set()
    counts = np.zeros(0, dtype=np.int64)
    week_type = np.dtype(np.int16)
    for batch in run.iter_trajectories(["china_rung"], columns=[*keys, "week", "value"]):
        code = _coded(batch, keys, groups, categorical)
        week_type = batch["week"].dtype
        week, rung = batch["week"].to_numpy(np.int64), batch["value"].to_numpy(np.float64)
        known = ~np.isnan(rung)
        if not known.all():
            code, week, rung = code[known], week[known], rung[known]
        valid = np.isin(rung, np.arange(rungs))
        if not valid.all():
            raise ValueError(f"china_rung values {sorted(set(rung[~valid]))} are not rungs 0-{rungs - 1}")
        if len(rung) and (week.min() < first or week.max() > last):  # statistics that do not cover the rows
            raise ValueError(f"{run.path / 'trajectories.parquet'}: weeks outside {first}-{last}, its statistics")
        size = len(groups) * span * rungs if keys else span * rungs
        if len(counts) < size:
            counts = np.concatenate([counts, np.zeros(size - len(counts), dtype=np.int64)])
        counts += np.bincount((code * span + (week - first)) * rungs + rung.astype(np.int64), minlength=len(counts))
    counts = counts.reshape(-1, rungs)
    seen = np.flatnonzero(counts.sum(axis=1))
    if not len(seen):
        raise ValueError("trajectories have no china_rung values")
    counts = counts[seen]
    shares = counts / counts.sum(axis=1)[:, None]
    columns = {"_run_group": (seen // span).astype(np.int32)} if keys else {}
    columns["week"] = (seen % span + first).astype(week_type)
    columns |= {name: shares[:, j] for j, name in enumerate(RUNG_NAMES)}
    return _labelled(pd.DataFrame(columns), keys, groups, categorical)


def _one_variable_at_a_time(
    run: Run,
    variables: Sequence[str],
    by: str | Sequence[str] | None,
    compute: Callable[[np.ndarray, np.ndarray, np.ndarray, str, bool], pd.DataFrame],
) -> pd.DataFrame:
    """``compute(code, week, value, variable, keyed)`` on each of the (checked) variables' rows of
    a run's trajectories, joined: ``code`` is the ``by`` group as a code (all 0 without ``by``;
    ``keyed`` says whether there is one), and the frame returned has a ``_run_group`` column of
    codes when ``keyed``.

    The run's trajectories are read a batch at a time, in passes of at most :data:`PASS_ROWS`
    rows (:func:`passes`); a pass keeps, per variable, three compact arrays (the group code, the
    week, the value): 14 bytes a row instead of a frame's 40 or more, computed on and dropped one
    variable at a time. A pass over a block of weeks gives the same rows of the result as a pass
    over all of them: each week's are computed from that week's values alone. Groups keep their
    order of first appearance in the file, as in the frame functions.
    """
    keys = _keys(by)
    _checked_columns(run, keys)
    groups: dict[object, int] = {}
    categorical: set[str] = set()  # keys read as categoricals (Parquet dictionaries), returned as such
    tables: dict[str, list[pd.DataFrame]] = {name: [] for name in variables}
    for names, weeks in passes(variables, run.replications, run.trajectory_weeks):
        parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        for batch in run.iter_trajectories(names, columns=[*keys, "week", "value"], weeks=weeks):
            code = _coded(batch, keys, groups, categorical)
            where, found = pd.factorize(batch["variable"].astype(str))  # names in order of first appearance
            week, value = batch["week"].to_numpy(np.int16), batch["value"].to_numpy(np.float64)
            del batch
            for i, name in enumerate(found):
                rows = where == i
                parts.setdefault(name, []).append((code[rows], week[rows], value[rows]))
        for name in names:
            if name not in parts:
                continue
            code, week, value = (np.concatenate(a) for a in zip(*parts.pop(name)))
            tables[name].append(compute(code, week, value, name, bool(keys)))
            del code, week, value
    absent = [v for v in variables if not tables[v]]  # checked by the callers against the first rows
    if absent:
        raise ValueError(f"variables {absent} have no rows in {run.path / 'trajectories.parquet'}")
    pieces = [piece for name in variables for piece in tables[name]]
    # a pass with nothing to say (a week block of null rungs) adds no rows, nor object columns
    table = pd.concat([piece for piece in pieces if len(piece)] or pieces[:1], ignore_index=True)
    return _labelled(table, keys, groups, categorical)


def _checked_columns(run: Run, keys: Sequence[str]) -> None:
    present = run.trajectory_columns
    missing = [c for c in [*keys, *_TRAJECTORY_COLUMNS] if c not in present]
    if missing:
        raise ValueError(f"trajectories frame has no column(s) {missing}; it has {present}")


def _coded(batch: pd.DataFrame, keys: Sequence[str], groups: dict[object, int], categorical: set[str]) -> np.ndarray:
    """Each row's ``by`` group as a code, the codes numbering the groups in order of first
    appearance across every batch (``groups``; ``categorical`` collects the keys read as categoricals)."""
    categorical |= {k for k in keys if isinstance(batch[k].dtype, pd.CategoricalDtype)}
    if not keys:
        return np.zeros(len(batch), dtype=np.int32)
    labels = batch[keys[0]] if len(keys) == 1 else pd.MultiIndex.from_frame(batch[keys])
    local, uniques = pd.factorize(labels, use_na_sentinel=False)  # a missing label is a group too
    return np.array([groups.setdefault(_group_key(u), len(groups)) for u in uniques], dtype=np.int32)[local]


def _labelled(table: pd.DataFrame, keys: Sequence[str], groups: dict[object, int], categorical: set[str]) -> pd.DataFrame:
    """``table`` with its ``_run_group`` codes turned back into the ``by`` columns, first, in the
    groups' order (stable within a group)."""
    if not keys:
        return table
    labels = [_group_label(g) for g in groups]
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

"""Why, across an ensemble: which events came before an outcome in the runs that had it, and how
often, against the runs that did not.

A yes/no outcome (or a numeric one at or above a threshold) splits a run's replications in two:
those with the outcome and those without. For each kind of event (its actor and its event),
:func:`explain` gives the share of the runs with the outcome in which it happened up to the week
the outcome first came (where the outcome has such a week: trade measures, a freeze, a level of
China's ladder, a timing outcome; else at any time), the share of the runs without the outcome in
which it happened by the same weeks, their difference, and the mean changes over the weeks of
those events in each group (China's rung, Beijing's grievance, approval and the partners' trust:
the numbers of the events table, docs/runs.md). It says what came before an outcome in the
model's runs, not what caused it (docs/explain.md).

"By the same weeks": each run with the outcome is set against the runs without it over the weeks up
to its own outcome's week, and the share is the mean over the runs with it, so that an event that
comes late in every run (an election) is not counted against the runs whose outcome came early.

The outcome's own week counts as before it: a week's events are told together (a summit and the
statement or freeze it brings share a week), so the events of that week include the outcome's own
and what answered it at once (partners standing by New Zealand). ``own_week=False`` counts only
the weeks before.

The events are read a batch at a time, only the columns needed, so a large run's events are never
held whole; the outcome's week, where it comes from the trajectories, is read the same way.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..catalogue.outcomes import OUTCOMES, describe
from ..catalogue.rungs import COERCION_RUNG, Rung
from ..runs import load_run
from ..runs.runfolder import Run
from .comparing import estimate

#: The week an outcome first happened, where its weekly variables say it: the first week in which
#: any of these variables reached its level.
FIRST_WEEK: dict[str, tuple[tuple[str, float], ...]] = {
    "trade_coercion": (("china_rung", COERCION_RUNG),),
    "formal_coercion": (("china_rung", int(Rung.FORMAL_COERCION)),),
    "diplomatic_freeze": (("china_freeze", 1),),
    "people_measures": (("china_people_measures", 1),),
    "economic_measures": (("china_rung", COERCION_RUNG), ("china_people_measures", 1)),
}
#: The weekly variable an ordinal outcome is the highest of: ``china_max_rung>=warning`` first
#: happened in the first week China's rung was a warning or higher.
HIGHEST_OF = {"china_max_rung": "china_rung"}
#: The changes over an event's week whose means are given, from the events table's numbers.
CHANGES = ("rung", "grievance", "approval", "trust")
#: The columns of :func:`explain`'s frame (``cell`` first in a run with lever cells).
EXPLAIN_COLUMNS = (
    "outcome", "actor", "event", "when", "runs_with", "runs_without", "happened_with", "happened_without",
    "share_with", "share_without", "difference",
    *(f"{change}_change_{group}" for change in CHANGES for group in ("with", "without")),
)
#: Rows of events read at a time.
BATCH_ROWS = 1 << 18


def explain(run: Run | str | os.PathLike, outcome: str, threshold: float | None = None, *, own_week: bool = True,
            batch_rows: int | None = None) -> pd.DataFrame:
    """Which events came before ``outcome`` in the runs that had it, and how often, against the
    runs that did not; one row per kind of event (and lever cell), the most telling first.

    Parameters
    ----------
    run : Run or path
        A finished run (or its folder).
    outcome : str
        A yes/no outcome (``trade_coercion``, ``china_max_rung>=warning``, a timing outcome such as
        ``first_measure_week``: whether it happened), or a numeric one with ``threshold``.
    threshold : float, optional
        A numeric outcome's runs "with it": those at or above this value.
    own_week : bool
        Count the events of the week the outcome first came as before it (the default), or only
        those of the weeks before.
    batch_rows : int, optional
        Rows of events read at a time (default :data:`BATCH_ROWS`).

    Returns
    -------
    pandas.DataFrame
        :data:`EXPLAIN_COLUMNS`: the outcome (``name>=threshold`` for a numeric one); each event
        kind (``actor``, ``event``); ``when`` it was counted ("to its week": up to the week the
        outcome first came, that week included; "before its week"; "any time": for an outcome
        without a week); the runs with the outcome (``runs_with``) and without (``runs_without``);
        in how many of those with it the event happened when counted (``happened_with``) and in
        how many of the others at any time (``happened_without``); ``share_with``;
        ``share_without``, the share of the runs without it in which it happened by the same
        weeks (at any time, for an outcome without a week); ``difference``
        (``share_with - share_without``); and the mean change over the weeks of those events,
        in each group, of China's rung, Beijing's grievance, approval and the partners' mean
        trust (NaN for a run made before events had numbers). A run with lever cells has
        ``cell`` first, and each cell's runs are split on their own. Sorted by cell, then
        ``difference``, largest first. Replications whose outcome has no value (no election
        held) are in neither group.

    Raises
    ------
    ValueError
        If the outcome is not an outcome of the run, is neither yes/no nor numeric, or is yes/no
        with a threshold or numeric without one (the message then starts with ``threshold``).
    """
    run = run if isinstance(run, Run) else load_run(run)
    lookup, when = _groups(run, outcome, threshold)
    if when == "before":
        when = "to its week" if own_week else "before its week"
    cells = ["cell"] if "cell" in lookup.columns else []
    keys = [*cells, "has", "actor", "event", "week"]
    happened: pd.Series | None = None  # first occurrences, by week
    sums: pd.DataFrame | None = None  # each change's sum and count, by week
    carry: tuple[tuple, set] = ((), set())
    for batch in _event_batches(run, cells, batch_rows or BATCH_ROWS):
        counted = batch.merge(lookup, on=[*cells, "replication"], how="inner")
        week, first = counted["week"].to_numpy(dtype=float), counted["first_week"].to_numpy()
        counted = counted[~counted["has"].to_numpy() | ((week <= first) if own_week else (week < first))]
        if counted.empty:
            continue
        distinct, carry = _new_in_batch(counted, cells, carry)
        count = distinct.groupby(keys, observed=True).size().astype(float)
        happened = count if happened is None else happened.add(count, fill_value=0)
        changes = pd.DataFrame({f"{c}_change": counted[f"{c}_change"] for c in CHANGES}).astype("float64")
        changes[keys] = counted[keys]
        grouped = changes.groupby(keys, observed=True)
        part = pd.concat([grouped.sum(min_count=1).add_suffix("_sum"), grouped.count().add_suffix("_n")], axis=1)
        sums = part if sums is None else sums.add(part, fill_value=0)
    name = outcome if threshold is None else f"{outcome}>={threshold:g}"
    if happened is None or sums is None:
        return pd.DataFrame(columns=[*cells, *EXPLAIN_COLUMNS])
    return _table(name, when, lookup, cells, happened.rename("n").to_frame().join(sums, how="outer"), own_week)


def _groups(run: Run, outcome: str, threshold: float | None) -> tuple[pd.DataFrame, str]:
    """Each replication with a value of the outcome: its cell, whether it has the outcome
    (``has``) and the first week of the outcome (``first_week``: infinite where it has none or
    the outcome has no week); and when the runs with it are counted ("before" or "any time")."""
    column = outcome.partition(">=")[0]
    names = pq.read_schema(run.path / "outcomes.parquet").names
    if column not in names:
        raise ValueError(f"{outcome!r} is not an outcome of this run (see its summary.csv)")
    cells = ["cell"] if "cell" in names else []
    frame = pq.read_table(run.path / "outcomes.parquet", columns=[*cells, "replication", column]).to_pandas()
    if cells:
        frame["cell"] = frame["cell"].astype(str)
    statistic, y = estimate(frame, outcome)
    if statistic == "probability" and threshold is not None:
        raise ValueError(f"threshold: {outcome} is a yes/no outcome and takes no threshold")
    if statistic == "mean":
        if threshold is None or not math.isfinite(threshold):
            raise ValueError(f"{outcome} is not a yes/no outcome; give a threshold (the runs with it at or above "
                             f"the threshold count as having it)")
        with np.errstate(invalid="ignore"):
            y = np.where(np.isnan(y), np.nan, (y >= threshold).astype(float))
    keep = ~np.isnan(y)
    lookup = frame.loc[keep, [*cells, "replication"]].reset_index(drop=True)
    lookup["has"] = y[keep].astype(bool)
    lookup["first_week"] = np.inf
    weeks, when = _first_weeks(run, frame, outcome, threshold, cells)
    if weeks is not None:
        found = lookup.merge(weeks, on=[*cells, "replication"], how="left")["found"].to_numpy(dtype=float)
        lookup["first_week"] = np.where(lookup["has"] & ~np.isnan(found), found, np.inf)
    return lookup, when


def _first_weeks(run: Run, frame: pd.DataFrame, outcome: str, threshold: float | None,
                 cells: list[str]) -> tuple[pd.DataFrame | None, str]:
    """The first week of the outcome in each replication that had it (column ``found``), or None
    for an outcome without a week."""
    column = outcome.partition(">=")[0]
    known = OUTCOMES.get(column)
    if threshold is not None or known is None:
        return None, "any time"
    if known.kind == "timing":
        weeks = frame[[*cells, "replication"]].copy()
        weeks["found"] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        return weeks, "before"
    if ">=" in outcome and column in HIGHEST_OF:
        levels: tuple[tuple[str, float], ...] = ((HIGHEST_OF[column], float(describe(outcome).value)),)
    elif column in FIRST_WEEK:
        levels = FIRST_WEEK[column]
    else:
        return None, "any time"
    present = set(run.trajectory_variables)
    if not all(variable in present for variable, _ in levels):
        return None, "any time"
    found = []
    for batch in run.iter_trajectories([v for v, _ in levels], columns=[*cells, "replication", "week", "value"]):
        reached = np.zeros(len(batch), dtype=bool)
        for variable, level in levels:
            reached |= (batch["variable"] == variable).to_numpy() & (batch["value"] >= level).to_numpy()
        if reached.any():
            found.append(batch.loc[reached].groupby([*cells, "replication"], observed=True)["week"].min())
    if not found:
        return pd.DataFrame({**{c: pd.Series(dtype=str) for c in cells}, "replication": pd.Series(dtype="int64"),
                             "found": pd.Series(dtype=float)}), "before"
    weeks = pd.concat(found).groupby(level=list(range(len(cells) + 1)), observed=True).min().rename("found")
    weeks = weeks.reset_index()
    if cells:
        weeks["cell"] = weeks["cell"].astype(str)
    weeks["found"] = weeks["found"].astype(float)
    return weeks, "before"


def _event_batches(run: Run, cells: list[str], batch_rows: int) -> Iterator[pd.DataFrame]:
    """The events a batch at a time, only the columns needed, with each event's changes (NaN
    where the events have no numbers: a run made before they had)."""
    source = pq.ParquetFile(run.path / "events.parquet", pre_buffer=False)
    present = set(source.schema_arrow.names)
    numbers = [n for n in ("rung_before", "rung_after", *(f"{c}_change" for c in CHANGES[1:])) if n in present]
    names = [n for n in source.schema_arrow.names if n in {*cells, "replication", "week", "actor", "event", *numbers}]
    for group in range(source.num_row_groups):
        table = source.read_row_group(group, columns=names, use_threads=False)
        for piece in table.to_batches(max_chunksize=batch_rows):
            if not piece.num_rows:
                continue
            batch = piece.to_pandas()
            for name in ("actor", "event", *cells):
                batch[name] = batch[name].astype(str)
            if {"rung_before", "rung_after"} <= present:
                batch["rung_change"] = batch["rung_after"].astype(float) - batch["rung_before"].astype(float)
            for change in CHANGES:
                if f"{change}_change" not in batch.columns:
                    batch[f"{change}_change"] = np.nan
            yield batch


def _new_in_batch(counted: pd.DataFrame, cells: list[str], carry: tuple[tuple, set]) -> tuple[pd.DataFrame, tuple]:
    """The (replication, event kind) pairs of a batch, each once, less those of its first
    replication already counted in the batch before (a replication's events are together, in
    order, but may be cut between batches); and what to carry to the next batch: the batch's last
    replication and its kinds of event."""
    distinct = counted.drop_duplicates([*cells, "replication", "actor", "event"])
    last, seen = carry
    tail = tuple(distinct[[*cells, "replication"]].iloc[-1])
    in_tail = _rows_of(distinct, cells, tail)
    kinds = set(zip(distinct.loc[in_tail, "actor"], distinct.loc[in_tail, "event"]))
    if seen:
        again = _rows_of(distinct, cells, last)
        again[again] = [kind in seen for kind in zip(distinct.loc[again, "actor"], distinct.loc[again, "event"])]
        distinct = distinct[~again]
    return distinct, (tail, (kinds | seen) if tail == last else kinds)


def _rows_of(frame: pd.DataFrame, cells: list[str], key: tuple) -> np.ndarray:
    """Which rows are of the replication ``key`` (its cell, if any, and index)."""
    rows = (frame["replication"] == key[-1]).to_numpy().copy()
    if cells:
        rows &= (frame["cell"] == key[0]).to_numpy()
    return rows


def _table(outcome: str, when: str, lookup: pd.DataFrame, cells: list[str], counts: pd.DataFrame,
           own_week: bool) -> pd.DataFrame:
    """The frame :func:`explain` returns, from the first occurrences (``n``) and the changes'
    sums and counts of each group, cell, kind of event and week."""
    counts = counts.fillna({"n": 0}).reset_index()
    rows = []
    for key, kind in counts.groupby([*cells, "actor", "event"], sort=False, observed=True):
        at = lookup if not cells else lookup[lookup["cell"] == key[0]]
        has = at["has"].to_numpy()
        weeks = at.loc[has, "first_week"].to_numpy()  # the week up to which each run with it counts
        row = dict(zip([*cells, "actor", "event"], key), runs_with=int(has.sum()), runs_without=int((~has).sum()))
        mine, others = kind[kind["has"]], kind[~kind["has"]].sort_values("week")
        row["happened_with"] = int(mine["n"].sum())
        row["happened_without"] = int(others["n"].sum())
        row["share_with"] = row["happened_with"] / row["runs_with"] if row["runs_with"] else math.nan
        # Each run with the outcome against the others' events by its week (all of them, with no run to match).
        upto = np.searchsorted(others["week"].to_numpy(dtype=float), weeks if len(weeks) else [np.inf],
                               side="right" if own_week else "left")

        def by_then(column: str) -> float:
            return float(np.concatenate([[0.0], np.cumsum(others[column].fillna(0).to_numpy())])[upto].sum())

        row["share_without"] = by_then("n") / (len(upto) * row["runs_without"]) if row["runs_without"] else math.nan
        for change in CHANGES:
            total, n = mine[f"{change}_change_sum"].sum(), mine[f"{change}_change_n"].sum()
            row[f"{change}_change_with"] = total / n if n else math.nan
            n = by_then(f"{change}_change_n")
            row[f"{change}_change_without"] = by_then(f"{change}_change_sum") / n if n else math.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    out["difference"] = out["share_with"] - out["share_without"]
    out["outcome"] = outcome
    out["when"] = when
    order = {cell: k for k, cell in enumerate(dict.fromkeys(lookup["cell"]))} if cells else {}
    out["_cell"] = out["cell"].map(order) if cells else 0
    out = out.sort_values(["_cell", "difference", "share_with", "actor", "event"],
                          ascending=[True, False, False, True, True], na_position="last", kind="mergesort")
    return out[[*cells, *EXPLAIN_COLUMNS]].reset_index(drop=True)

"""A finished run's tables for other tools: CSV files, and EMA Workbench's results pair.

- :func:`export_csv`: one CSV per table of the run folder (outcomes, trajectories, events, and an
  exploratory design's experiments) and a copy of ``manifest.json``, streamed a row group at a
  time, so a large ``trajectories.parquet`` never sits whole in memory;
- :func:`ema_results`: the ``(experiments, outcomes)`` pair that EMA Workbench's analysis
  functions (PRIM, CART, feature scoring) take, one row per replication;
- :func:`export_ema`: that pair saved with ``ema_workbench.save_results`` as a ``.tar.gz``.

Each export is written under a temporary name beside its target and renamed into place when
whole. pandas and ema_workbench are imported only inside the functions that need them.
docs/export.md says what each format holds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv
import pyarrow.parquet as pq

from .durable import FILE_MODE, fsync_file, fsync_folder
from .runfolder import EXPERIMENTS, MANIFEST, TABLES, Run

if TYPE_CHECKING:
    import pandas as pd

#: Columns of ``outcomes.parquet`` that say which replication a row is, not what came of it.
DESIGN_COLUMNS = ("replication", "seed", "cell", "experiment", "seed_index", "param_draw")
#: The prefix of a drawn parameter's column, and of a lever's.
PARAM, LEVER = "param.", "lever."
#: The name of the model in the EMA experiments' ``model`` column.
MODEL_NAME = "nzsim"
#: The prefix of a weekly variable's time series among the EMA outcomes (its bare name is often an
#: outcome too: ``trust_nato`` is both the final trust and the weekly series).
WEEKLY = "weekly_"
#: The key of the weeks among the EMA outcomes, as EMA's time-series plots look for it.
TIME = "TIME"
#: The suffix of an export being written (renamed into place when whole).
PARTIAL = ".partial"


def _opened(run: Run | str | os.PathLike) -> Run:
    return run if isinstance(run, Run) else Run.open(run)


def _new_target(path: Path) -> Path:
    """``path`` as a new file or folder: it must not exist, and its folder must."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        raise FileExistsError(f"{path}: already exists; choose a new path")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{path}: its folder {path.parent} does not exist")
    return path


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------


def export_csv(run: Run | str | os.PathLike, out_folder: str | os.PathLike) -> list[Path]:
    """Write each table of a finished run as CSV into a new folder, with a copy of its manifest.

    Returns the files written: ``outcomes.csv``, ``trajectories.csv``, ``events.csv``,
    ``experiments.csv`` (an exploratory design only) and ``manifest.json``.
    """
    run = _opened(run)
    out = _new_target(Path(out_folder))
    names = [*TABLES, *(["experiments"] if (run.path / EXPERIMENTS).is_file() else [])]
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=PARTIAL))
    try:
        for name in names:
            parquet_to_csv(run.path / f"{name}.parquet", tmp / f"{name}.csv")
        shutil.copyfile(run.path / MANIFEST, tmp / MANIFEST)
        os.chmod(tmp / MANIFEST, FILE_MODE)
        fsync_file(tmp / MANIFEST)
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; results are for others to read
        fsync_folder(tmp)
        if out.exists():
            raise FileExistsError(f"{out}: already exists; choose a new path")
        os.rename(tmp, out)
        fsync_folder(out.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / f"{name}.csv" for name in names] + [out / MANIFEST]


def parquet_to_csv(source: Path, target: Path) -> int:
    """Copy a Parquet file to a CSV file (header first, empty cells for nulls), one row group at a
    time; returns the rows written."""
    parquet = pq.ParquetFile(source, pre_buffer=False)
    schema = parquet.schema_arrow
    rows = 0
    with pa.OSFile(str(target), "wb") as sink, pyarrow.csv.CSVWriter(sink, schema) as writer:
        for group in range(parquet.num_row_groups):
            table = parquet.read_row_group(group, use_threads=False)
            if not table.schema.equals(schema):
                table = table.cast(schema)
            for batch in table.to_batches():
                writer.write_batch(batch)
                rows += batch.num_rows
    os.chmod(target, FILE_MODE)
    fsync_file(target)
    return rows


# --------------------------------------------------------------------------------------
# EMA Workbench
# --------------------------------------------------------------------------------------


def ema_workbench():
    """The ``ema_workbench`` module, imported without its warning that ipyparallel is missing."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
        import ema_workbench as ema
    return ema


def ema_results(
    run: Run | str | os.PathLike, with_trajectories: bool | Iterable[str] = False,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A finished run as EMA Workbench's results pair ``(experiments, outcomes)``, one row per
    replication in the order of ``outcomes.parquet``.

    ``experiments`` holds each drawn parameter (its ``param.<name>`` column, named ``<name>``),
    each lever (``lever.<path>``), ``scenario`` (the experiment of an exploratory design, the
    parameter draw of a nested one, else the replication), ``policy`` (the lever cell's label, or
    the scenario's name without lever cells) and ``model`` (``"nzsim"``). ``outcomes`` maps each
    numeric or yes/no outcome column to an array: whole numbers and yes/no as they are, a column
    with nulls as floats with NaN for the nulls (yes/no as 1.0 and 0.0); text columns are left out.
    ``with_trajectories`` (True for every weekly variable, or some variables' names) adds
    ``weekly_<variable>``, a (replications, weeks) array each, and ``TIME``, the weeks.
    """
    import pandas as pd

    run = _opened(run)
    table = pq.read_table(run.path / "outcomes.parquet")
    names = table.column_names
    n = table.num_rows
    columns: dict[str, object] = {}
    for name in names:
        if name.startswith(PARAM):
            columns[name[len(PARAM):]] = _floats(table.column(name))
    for name in names:
        if name.startswith(LEVER):
            column = table.column(name)
            columns[name] = (_floats(column) if pa.types.is_floating(column.type) or pa.types.is_integer(column.type)
                             else pd.Categorical(column.to_pylist()))
    for label in ("scenario", "policy", "model"):
        if label in columns:
            raise ValueError(f"{run.path}: a parameter named {label!r} clashes with EMA's own column of that name")
    key = next(c for c in ("experiment", "param_draw", "replication") if c in names)
    columns["scenario"] = np.asarray(table.column(key).to_pylist(), dtype=np.int64)
    if "cell" in names:
        labels = [c["label"] for c in run.manifest["design"].get("cells") or ()]
        values = table.column("cell").to_pylist()
        columns["policy"] = pd.Categorical(values, categories=[c for c in dict.fromkeys(labels + values) if c])
    else:
        columns["policy"] = pd.Categorical([str(run.manifest.get("scenario_name") or "nzsim")] * n)
    columns["model"] = pd.Categorical([MODEL_NAME] * n)
    experiments = pd.DataFrame(columns, index=pd.RangeIndex(n))

    outcomes: dict[str, np.ndarray] = {}
    for name in names:
        if name in DESIGN_COLUMNS or name.startswith((PARAM, LEVER)):
            continue
        values = _outcome(table.column(name))
        if values is not None:
            outcomes[name] = values
    if with_trajectories:
        weekly = weekly_arrays(run, table, None if with_trajectories is True else list(with_trajectories))
        for name in weekly:
            if name in outcomes:
                raise ValueError(f"{run.path}: the outcome {name!r} clashes with a weekly variable's time series")
        outcomes.update(weekly)
    return experiments, outcomes


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    """A numeric column as float64, NaN for nulls."""
    return column.cast(pa.float64()).to_numpy()


def _outcome(column: pa.ChunkedArray) -> np.ndarray | None:
    """An outcome column as EMA takes it (None for a text column)."""
    kind = column.type
    if not (pa.types.is_boolean(kind) or pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        return None
    if column.null_count:
        return _floats(column)
    if pa.types.is_boolean(kind):
        return np.asarray(column.to_pylist(), dtype=bool)
    return column.to_numpy().astype(np.int64 if pa.types.is_integer(kind) else np.float64, copy=False)


def weekly_arrays(run: Run, outcomes: pa.Table, variables: list[str] | None = None) -> dict[str, np.ndarray]:
    """The weekly variables as (replications, weeks) arrays, rows in the order of ``outcomes``
    (``weekly_<variable>`` each, and ``TIME``: the weeks), filled from the trajectories one row
    group at a time; a week a replication did not record is NaN."""
    known = run.trajectory_variables
    if variables is None:
        variables = known
    for name in variables:
        if name not in known:
            raise ValueError(f"{name!r} is not a weekly variable of this run (it records {', '.join(known)})")
    source = pq.ParquetFile(run.path / "trajectories.parquet", pre_buffer=False)
    span = run.trajectory_weeks or _scanned_weeks(source)
    if span is None or not variables:
        return {}
    first, last = span
    n = outcomes.num_rows
    weeks = np.arange(first, last + 1)
    cells = "cell" in outcomes.column_names and "cell" in source.schema_arrow.names
    labels = list(dict.fromkeys(outcomes.column("cell").to_pylist())) if cells else [None]
    if not cells and "cell" in outcomes.column_names and len(set(outcomes.column("cell").to_pylist())) > 1:
        raise ValueError(f"{run.path}: trajectories.parquet has no cell column to tell the lever cells apart")
    replications = outcomes.column("replication").to_numpy()
    row_of = np.full((len(labels), int(replications.max(initial=-1)) + 1), -1, dtype=np.int64)
    cell_codes = _codes(outcomes.column("cell"), labels) if cells else np.zeros(n, dtype=np.int64)
    row_of[cell_codes, replications] = np.arange(n)
    cube = np.full((len(variables), n, len(weeks)), np.nan)
    wanted = pa.array(variables, pa.string())
    columns = ["replication", "week", "variable", "value", *(["cell"] if cells else [])]
    for group in range(source.num_row_groups):
        table = source.read_row_group(group, columns=columns, use_threads=False)
        code = _codes(table.column("variable"), wanted)
        keep = code >= 0
        if not keep.any():
            continue
        replication = table.column("replication").to_numpy()[keep]
        cell = _codes(table.column("cell"), labels)[keep] if cells else np.zeros(len(replication), dtype=np.int64)
        inside = (cell >= 0) & (replication < row_of.shape[1])
        rows = np.where(inside, row_of[np.where(inside, cell, 0), np.where(inside, replication, 0)], -1)
        if (rows < 0).any():
            raise ValueError(f"{run.path}: trajectories.parquet holds a replication that outcomes.parquet does not")
        week = table.column("week").to_numpy()[keep].astype(np.int64) - first
        cube[code[keep], rows, week] = _floats(table.column("value"))[keep]
    arrays = {f"{WEEKLY}{name}": cube[i] for i, name in enumerate(variables)}
    arrays[TIME] = np.tile(weeks.astype(np.int64), (n, 1))
    return arrays


def _codes(column: pa.ChunkedArray, labels) -> np.ndarray:
    """Each value's position in ``labels`` (-1 where it is not there)."""
    values = column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column
    value_set = labels if isinstance(labels, pa.Array) else pa.array(labels, pa.string())
    return pc.fill_null(pc.index_in(values, value_set=value_set), -1).to_numpy().astype(np.int64)


def _scanned_weeks(source: pq.ParquetFile) -> tuple[int, int] | None:
    """The first and last week of a trajectories file, read from its rows (a file without statistics)."""
    first = last = None
    for group in range(source.num_row_groups):
        week = source.read_row_group(group, columns=["week"], use_threads=False).column("week")
        if len(week):
            low, high = pc.min_max(week).values()
            first = low.as_py() if first is None else min(first, low.as_py())
            last = high.as_py() if last is None else max(last, high.as_py())
    return None if first is None else (int(first), int(last))


def export_ema(
    run: Run | str | os.PathLike, out_path: str | os.PathLike, with_trajectories: bool | Iterable[str] = False,
) -> Path:
    """Save a finished run's :func:`ema_results` pair with ``ema_workbench.save_results`` as a new
    ``.tar.gz``, which ``ema_workbench.load_results`` reads back; returns its path."""
    run = _opened(run)
    out = _new_target(Path(out_path))
    experiments, outcomes = ema_results(run, with_trajectories)
    ema = ema_workbench()
    for name, values in outcomes.items():  # save_results writes each outcome as the class registered for its name
        kind = ema.ScalarOutcome if values.ndim == 1 else ema.ArrayOutcome
        try:
            with warnings.catch_warnings():  # a name that is not a Python identifier: EMA 3.0 warns
                warnings.simplefilter("ignore", DeprecationWarning)
                kind(name)
        except ValueError:
            raise ValueError(f"{name}: ema_workbench already holds an outcome of that name of another kind "
                             f"in this process; export from a fresh one") from None
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=PARTIAL)
    os.close(fd)
    try:
        ema.save_results((experiments, outcomes), tmp)
        os.chmod(tmp, FILE_MODE)
        fsync_file(Path(tmp))
        if out.exists():
            raise FileExistsError(f"{out}: already exists; choose a new path")
        os.replace(tmp, out)
        fsync_folder(out.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise
    return out

"""Ensembles: many replications of a scenario, seeded, chunked, streamed to disk, resumable.

Seeds. One root seed per run. Replication ``i`` gets the ``numpy.random.SeedSequence`` child
``SeedSequence(root, spawn_key=(i,))`` (what ``SeedSequence(root).spawn(n)[i]`` is), turned into
a 63-bit integer seed (:func:`replication_seed`) that is stored with the outcomes, so ``nzsim
story SCENARIO --seed <that integer>`` retells exactly that replication. Which worker runs a
replication, and in which chunk, never changes its seed: the same root seed gives the same
frames whatever the number of workers or the executor.

Designs. ``monte_carlo``: each replication draws its own parameters (from its own seed) and its
own chance. ``nested``: K parameter draws, each run under M seeds (replication ``i`` is draw
``i // M``, seed ``i % M``); draw ``k`` uses ``SeedSequence(root, spawn_key=(PARAM_KEY, k))``.
Levers: a scenario's ``levers:`` block lists alternative values; the runner runs their full
factorial, each cell a labelled sub-run using the same replication seeds (common random
numbers), so cells differ only by their levers.

Executors. Any ``concurrent.futures.Executor``: in-process for one worker, a process pool by
default (W workers: W - 1 processes, and this process computes as the W-th), or a Dask cluster
(``distributed.Client(...).get_executor()``). Workers run chunks of replications and return
Arrow tables, never models; the parent writes each chunk as it finishes (``nzsim.runfolder``) and
keeps only a bounded number of chunks in flight.

Nothing global changes at import or call: no start-method changes (the process pool is given
its own context), no logging set-up.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import itertools
import json
import logging
import math
import multiprocessing
import os
import platform
import sys
import time
import traceback
from collections.abc import Mapping, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyarrow as pa

from . import runfolder
from .outcomes import COLUMN_TYPES, outcome_columns, outcome_row
from .runfolder import Run, RunFolderError
from .scenario import Scenario, ScenarioError, from_dict, load, merge, nested_update
from .uncertainty import sample
from .version import __version__, git_commit

DESIGNS = ("monte_carlo", "nested")
#: First element of the spawn key of a nested design's parameter draws (apart from replications').
PARAM_KEY = 2**32


class EnsembleError(RuntimeError):
    """A run could not be completed; the chunks already finished are kept in the run folder."""

    def __init__(self, message: str, folder: Path | None = None):
        super().__init__(message)
        self.folder = folder


class ReplicationFailed(RuntimeError):
    """A replication raised inside a worker. Carries the replication, its seed and the error."""

    def __init__(self, cell: str, replication: int, seed: int, error: str, details: str = ""):
        super().__init__(cell, replication, seed, error, details)
        self.cell, self.replication, self.seed, self.error, self.details = cell, replication, seed, error, details

    def __str__(self) -> str:
        where = f" of cell {self.cell!r}" if self.cell else ""
        return f"replication {self.replication}{where} (seed {self.seed}) failed: {self.error}"


# --------------------------------------------------------------------------------------
# Seeds and designs
# --------------------------------------------------------------------------------------


def replication_seed(root_seed: int, replication: int) -> int:
    """The integer seed of replication ``replication``: 63 bits of its SeedSequence child's state."""
    child = np.random.SeedSequence(root_seed, spawn_key=(replication,))
    return int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))


def parameter_draw_rng(root_seed: int, draw: int) -> np.random.Generator:
    """The generator of a nested design's parameter draw ``draw``."""
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(PARAM_KEY, draw)))


@dataclass(frozen=True)
class Design:
    """How replications are laid out: plain Monte Carlo, or K parameter draws x M seeds."""

    kind: str = "monte_carlo"
    replications: int = 1000
    param_draws: int | None = None
    seeds_per_draw: int | None = None

    @classmethod
    def nested(cls, param_draws: int, seeds_per_draw: int) -> "Design":
        return cls("nested", param_draws * seeds_per_draw, param_draws, seeds_per_draw)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Cell:
    """One cell of a lever factorial (or the whole run when there are no levers)."""

    index: int
    label: str
    levers: Mapping[str, Any]
    scenario: Mapping[str, Any]  # the cell's scenario, as its canonical dict (picklable)


def lever_label(levers: Mapping[str, Any]) -> str:
    """``china_language=strong, attendance=none`` (last path part, unless two levers share it)."""
    shorts = [path.rsplit(".", 1)[-1] for path in levers]
    parts = []
    for (path, value), short in zip(levers.items(), shorts):
        name = short if shorts.count(short) == 1 else path
        parts.append(f"{name}={value}")
    return ", ".join(parts)


def cells(spec: Scenario, file: str | Path = "<scenario>") -> list[Cell]:
    """The full factorial of the scenario's levers (one cell with no levers)."""
    base = spec.dump()
    levers = base.pop("levers", {}) or {}
    if not levers:
        return [Cell(0, "", {}, base)]
    out = []
    for index, values in enumerate(itertools.product(*levers.values())):
        chosen = dict(zip(levers, values))
        data = base
        for path, value in chosen.items():
            data = merge(data, nested_update(path, value))
        try:
            cell_spec = from_dict(data, name=str(file))
        except ScenarioError as err:
            raise ScenarioError(
                file, f"levers ({lever_label(chosen)})", f"every lever value to give a valid scenario: {err.field}: {err.expected}"
            ) from None
        out.append(Cell(index, lever_label(chosen), chosen, cell_spec.dump()))
    return out


# --------------------------------------------------------------------------------------
# Worker side
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChunkTask:
    """A chunk of replications of one cell: everything a worker needs, all picklable."""

    cell: int
    cell_label: str
    levers: Mapping[str, Any]
    scenario: Mapping[str, Any]
    root_seed: int
    design: Design
    chunk: int
    start: int
    stop: int
    lever_types: Mapping[str, str] = field(default_factory=dict)


#: Per worker process: the scenarios already validated, by their canonical JSON.
_SPECS: dict[str, Scenario] = {}


def scenario_in_worker(data: Mapping[str, Any]) -> Scenario:
    """A scenario sent to a worker as its canonical dict, validated once per worker process."""
    key = json.dumps(data, sort_keys=True, default=str)
    spec = _SPECS.get(key)
    if spec is None:
        spec = _SPECS[key] = from_dict(data)
    return spec


def _arrow_type(kind: str) -> pa.DataType:
    return {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}[kind.rstrip("?")]


def run_chunk(task: ChunkTask) -> dict[str, Any]:
    """Run one chunk; return its three tables and timing. Runs in a worker process.

    Each replication's model is run and reduced to its weekly values, partnership week, election
    and event log; the outcomes of the whole chunk are then computed at once
    (:func:`nzsim.outcomes.outcome_columns`), as is its seeds' list before the first model.
    """
    # The model is imported here, where chunks run, not with this module: a process that only
    # schedules chunks and writes their tables (on an executor it was given) never loads Mesa
    # (decisions 24 and 31).
    from .model import NZModel
    from .replication import election_of, trajectory_array

    t0 = time.perf_counter()
    spec = scenario_in_worker(task.scenario)
    replications = range(task.start, task.stop)
    seeds = [replication_seed(task.root_seed, i) for i in replications]
    names: list[str] = []
    values: list[np.ndarray] = []  # per replication: variables x weeks
    sampled: list[Mapping[str, float]] = []
    partnership_weeks: list[int | None] = []
    elections: list[Mapping[str, object] | None] = []
    events: dict[str, list] = {k: [] for k in ("replication", "week", "date", "actor", "event", "description")}
    for i, seed in zip(replications, seeds):
        try:
            if task.design.kind == "nested":
                draw = i // task.design.seeds_per_draw
                draw_params = sample(spec.uncertainties, parameter_draw_rng(task.root_seed, draw))
                model = NZModel(spec, seed=seed, params=draw_params)
                model.sampled = draw_params
            else:
                model = NZModel(spec, seed=seed)
            model.run_model()
            names, recorded = trajectory_array(model)
        except Exception as err:  # reported with the replication and its seed; the run keeps its chunks
            raise ReplicationFailed(
                task.cell_label, i, seed, f"{type(err).__name__}: {err}", traceback.format_exc()
            ) from None
        values.append(recorded)
        sampled.append(model.sampled)
        partnership_weeks.append(model.government.partnership_week)
        elections.append(election_of(model))
        for e in model.entries:
            events["replication"].append(i)
            events["week"].append(e.week)
            events["date"].append(e.date)
            events["actor"].append(e.actor)
            events["event"].append(e.event)
            events["description"].append(e.description)
    stacked = np.stack(values)  # replications x variables x weeks (a chunk is never empty)
    at_start = spec.context.partnership == "itpp"
    try:
        outcomes = outcome_columns(
            dict(zip(names, stacked.transpose(1, 0, 2))),  # each variable: replications x weeks
            partnership_weeks=partnership_weeks, partnership_at_start=at_start, elections=elections,
        )
    except Exception:  # find the replication whose outcomes cannot be computed, to report it
        for k, (i, seed) in enumerate(zip(replications, seeds)):
            try:
                outcome_row(dict(zip(names, values[k])), partnership_week=partnership_weeks[k],
                            partnership_at_start=at_start, election=elections[k])
            except Exception as err:
                raise ReplicationFailed(
                    task.cell_label, i, seed, f"{type(err).__name__}: {err}", traceback.format_exc()
                ) from None
        raise
    tables = {
        "outcomes": _outcomes_table(list(replications), seeds, sampled, outcomes, spec, task),
        "trajectories": _trajectories_table(list(replications), stacked, names, task),
        "events": _events_table(events, task),
    }
    return {
        "cell": task.cell,
        "chunk": task.chunk,
        "start": task.start,
        "stop": task.stop,
        "tables": tables,
        "seconds": time.perf_counter() - t0,
        "worker": f"{platform.node()}:{os.getpid()}",
    }


def _outcomes_table(replications: list[int], seeds: list[int], sampled: list[Mapping[str, float]],
                    outcomes: Mapping[str, list], spec: Scenario, task: ChunkTask) -> pa.Table:
    count = len(replications)
    fields = [pa.field("replication", pa.int64()), pa.field("seed", pa.int64())]
    columns: list[Any] = [replications, seeds]
    if task.cell_label:
        fields.append(pa.field("cell", pa.string()))
        columns.append([task.cell_label] * count)
        for k, v in task.levers.items():
            as_float = task.lever_types.get(k, "str") == "float"
            fields.append(pa.field(f"lever.{k}", pa.float64() if as_float else pa.string()))
            columns.append([float(v) if as_float else str(v)] * count)
    if task.design.kind == "nested":
        fields += [pa.field("param_draw", pa.int64()), pa.field("seed_index", pa.int64())]
        columns += [[i // task.design.seeds_per_draw for i in replications],
                    [i % task.design.seeds_per_draw for i in replications]]
    for k in sorted(spec.uncertainties):
        fields.append(pa.field(f"param.{k}", pa.float64()))
        columns.append([s.get(k) for s in sampled])
    for k, t in COLUMN_TYPES.items():
        fields.append(pa.field(k, _arrow_type(t), nullable=t.endswith("?")))
        columns.append(outcomes[k])
    schema = pa.schema(fields)
    return pa.Table.from_arrays([pa.array(c, f.type) for c, f in zip(columns, fields)], schema=schema)


def _trajectories_table(reps: list[int], stacked: np.ndarray, names: list[str], task) -> pa.Table:
    """The long table, replication by replication, week by week, variable by variable, from the
    chunk's ``replications x variables x weeks`` values."""
    count, n_vars, weeks = stacked.shape
    replication = np.repeat(np.asarray(reps, dtype=np.int64), weeks * n_vars)
    week = np.tile(np.repeat(np.arange(weeks, dtype=np.int16), n_vars), count)
    codes = np.tile(np.arange(n_vars, dtype=np.int8), weeks * count)
    variable = pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()), pa.array(names, pa.string()))
    value = np.ascontiguousarray(stacked.transpose(0, 2, 1)).ravel()  # weeks before variables
    columns = {"replication": replication, "week": week, "variable": variable, "value": value}
    table = pa.table(columns)
    if task.cell_label:
        table = table.append_column("cell", pa.array([task.cell_label] * table.num_rows, pa.string()).dictionary_encode())
    return table


def _events_table(events: dict[str, list], task) -> pa.Table:
    schema = pa.schema(
        [
            ("replication", pa.int64()),
            ("week", pa.int16()),
            ("date", pa.date32()),
            ("actor", pa.dictionary(pa.int8(), pa.string())),
            ("event", pa.dictionary(pa.int8(), pa.string())),
            ("description", pa.string()),
        ]
    )
    table = pa.Table.from_pydict(events, schema=schema)
    if task.cell_label:
        table = table.append_column("cell", pa.array([task.cell_label] * table.num_rows, pa.string()).dictionary_encode())
    return table


# --------------------------------------------------------------------------------------
# Executors
# --------------------------------------------------------------------------------------


class InlineExecutor(Executor):
    """Runs each submitted call at once, in this process (the one-worker case)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(err)
        return future


@contextlib.contextmanager
def start_method_untouched():
    """Leave ``multiprocessing``'s global start method as it was.

    Starting a process from an explicit context still fixes the global default (CPython
    gh-109263: spawn preparation calls ``get_start_method()``); if it was unset before, unset
    it again, so a caller can still choose one afterwards.
    """
    before = multiprocessing.get_start_method(allow_none=True)
    try:
        yield
    finally:
        if before is None and multiprocessing.get_start_method(allow_none=True) is not None:
            multiprocessing.set_start_method(None, force=True)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool with its own start context (forkserver where available), global state untouched."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


class SchedulerUnreachable(ConnectionError):
    """The Dask scheduler named on the command line could not be reached."""


@contextlib.contextmanager
def dask_executor(address: str | None = None, workers: int = 2, timeout: float = 10.0):
    """A ``concurrent.futures`` executor on a Dask cluster: the scheduler at ``address``, or a
    local cluster of ``workers`` single-threaded worker processes started (and stopped) here."""
    with start_method_untouched():
        client = _dask_client(address, workers, timeout)
        try:
            yield client.get_executor()
        finally:
            cluster = client.cluster  # None for an external scheduler: that cluster is not ours to stop
            client.close()
            if cluster is not None:
                cluster.close()


def _dask_client(address: str | None, workers: int, timeout: float):
    from distributed import Client, LocalCluster

    if address:
        try:
            return Client(address, timeout=f"{timeout}s")
        except (OSError, TimeoutError, ValueError) as err:
            raise SchedulerUnreachable(
                f"cannot reach the Dask scheduler at {address} ({err.__class__.__name__}: {err})"
            ) from None
    # CRITICAL, not ERROR: when a local cluster stops, a worker whose heartbeat meets the closed
    # scheduler logs "Failed to communicate with scheduler during heartbeat" with a traceback
    # (dask/distributed#7192), which is noise here. A chunk that fails still reaches the runner
    # as its future's exception, so nothing the user needs is hidden.
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=logging.CRITICAL,
    )
    return Client(cluster)


def default_chunk_size(replications: int, workers: int) -> int:
    """About eight chunks per worker, between 5 and 100 replications each."""
    return max(5, min(100, math.ceil(replications / max(1, workers * 8))))


#: The smallest chunk a tapering plan makes (a chunk costs a few milliseconds besides its replications).
MIN_TAPERED_CHUNK = 5


def chunk_bounds(replications: int, chunk_size: int, taper_workers: int | None = None) -> list[tuple[int, int]]:
    """Each chunk's ``(start, stop)`` replications, in order.

    Without ``taper_workers``, chunks of ``chunk_size`` (the last may be short). With it, the
    chunks shrink toward the end, as in guided self-scheduling (Polychronopoulos and Kuck 1987):
    each takes at most a ``2 * taper_workers``-th of the replications still unassigned, so the
    workers run out of work at nearly the same moment instead of one idling while another
    finishes a full-sized last chunk. The plan fixes which replications share a chunk, never a
    replication's seed, so the outcomes do not depend on it.
    """
    bounds, start = [], 0
    while start < replications:
        size = chunk_size
        if taper_workers and taper_workers > 1:
            guided = math.ceil((replications - start) / (2 * taper_workers))
            size = min(chunk_size, max(min(MIN_TAPERED_CHUNK, chunk_size), guided))
        stop = min(start + size, replications)
        bounds.append((start, stop))
        start = stop
    return bounds


# --------------------------------------------------------------------------------------
# The runner
# --------------------------------------------------------------------------------------


@dataclass
class _Progress:
    callback: Callable[[int], None] | None = None
    bar: Any = None

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)
        if self.callback is not None:
            self.callback(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _manifest(spec: Scenario, scenario_file, root_seed, design, cell_list, chunk_size, executor_name, workers) -> dict:
    return {
        "format": runfolder.FORMAT,
        "status": "running",
        "scenario_name": spec.name,
        "scenario_file": str(scenario_file) if scenario_file else None,
        "scenario_sha256": spec.sha256,
        "scenario": spec.dump(),
        "root_seed": root_seed,
        "replications": design.replications,
        "design": {
            **design.as_dict(),
            "seeds": "replication i: SeedSequence(root_seed, spawn_key=(i,)), 63-bit integer seed stored per row",
            "cells": [{"index": c.index, "label": c.label, "levers": dict(c.levers)} for c in cell_list],
        },
        "chunk_size": chunk_size,
        "executor": executor_name,
        "workers": workers,
        "versions": {
            "nzsim": __version__,
            "git_commit": git_commit(),
            "python": platform.python_version(),
            "mesa": importlib.metadata.version("mesa"),
            "numpy": np.__version__,
            "pyarrow": pa.__version__,
            "platform": platform.platform(),
        },
        "command": sys.argv if sys.argv and sys.argv[0].endswith(("nzsim", "__main__.py")) else None,
        "started": _now(),
        "finished": None,
        "chunks": [],
        "resumed": [],
    }


def _check_resume(manifest: Mapping, spec: Scenario, root_seed: int, design: Design, folder: Path) -> None:
    if manifest.get("status") == "complete":
        raise RunFolderError(f"{folder}: this run is already complete; nothing to resume")
    if manifest.get("scenario_sha256") != spec.sha256:
        raise RunFolderError(
            f"{folder}: made from a different scenario (sha256 {str(manifest.get('scenario_sha256'))[:16]}, "
            f"this one is {spec.sha256[:16]}); resume with the scenario file it was started with"
        )
    if manifest.get("root_seed") != root_seed:
        raise RunFolderError(
            f"{folder}: started with --seed {manifest.get('root_seed')}, not {root_seed}; resume with the same seed"
        )
    saved = {k: v for k, v in manifest.get("design", {}).items() if k in ("kind", "replications", "param_draws", "seeds_per_draw")}
    if saved != design.as_dict():
        raise RunFolderError(f"{folder}: started with design {saved}, not {design.as_dict()}; resume with the same options")


def run_ensemble(
    scenario: Scenario | str | Path,
    reps: int | None = None,
    seed: int | None = None,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    out: str | Path | None = None,
    design: Design | str | None = None,
    param_draws: int | None = None,
    seeds_per_draw: int | None = None,
    chunk_size: int | None = None,
    resume: bool = False,
    progress: bool | Callable[[int], None] = False,
    describe: bool = True,
    max_in_flight: int | None = None,
    scenario_file: str | Path | None = None,
) -> Run:
    """Run a scenario's replications and return the finished :class:`~nzsim.runfolder.Run`.

    Args:
        scenario: a validated scenario or the path of a scenario file.
        reps: replications (per lever cell); default the scenario's ``replications``.
        seed: the root seed (a whole number >= 0); default 0 (or, with ``resume``, the run's).
        executor: any ``concurrent.futures.Executor`` to run chunks on (not shut down here).
            Default: in-process for ``workers == 1``, else a process pool of ``workers``.
        workers: workers for the default executor (default: CPU count): 1 runs in this process;
            W > 1 starts W - 1 worker processes and this process computes as the W-th.
        out: the run folder; a new folder that must not exist, or with ``resume`` the
            unfinished run to complete. Default ``runs/<scenario>-seed<S>-<UTC time>``.
        design: ``"monte_carlo"`` (default) or ``"nested"`` (with ``param_draws`` and
            ``seeds_per_draw``), or a :class:`Design`. With ``resume``, default the run's.
        chunk_size: replications per chunk, exactly (default: about eight chunks per worker,
            5-100, the last few of each cell smaller so the workers finish together; see
            :func:`chunk_bounds`).
        resume: finish the unfinished run in ``out``; the seed and design default to the run's
            own, and must match it if given.
        progress: show a progress bar on stderr (True) or call ``progress(n)`` as replications finish.
        describe: write the summary table and figures into the folder when done.
        max_in_flight: chunks submitted to the executor but not yet collected (default: four per
            worker on a given executor; two per worker process on our own pool, this process
            computing too; one when chunks run in-process, where the next chunk computes while the
            last is written).
        scenario_file: where ``scenario`` was read from, for the manifest (set when a path is given).

    Raises:
        ValueError: a bad argument (reps < 1, workers < 1, a bad design).
        RunFolderError: the folder exists, cannot be written, or is another run.
        EnsembleError: a replication failed or a worker died; finished chunks are kept and the
            run can be resumed.
    """
    if not isinstance(scenario, Scenario):
        scenario_file = Path(scenario)
        scenario = load(scenario_file)
    spec = scenario
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        raise ValueError(f"workers: expected at least 1, got {workers}")
    workers = workers or os.cpu_count() or 1
    if chunk_size is not None and chunk_size < 1:
        raise ValueError(f"chunk_size: expected at least 1, got {chunk_size}")

    manifest = None
    if resume:
        if out is None:
            raise ValueError("resume: give the run folder to resume")
        manifest = runfolder.read_manifest(Path(out))
        if seed is None:
            seed = manifest.get("root_seed")
        if design is None and reps is None and param_draws is None and seeds_per_draw is None:
            saved = manifest.get("design", {})
            design = Design(saved.get("kind", "monte_carlo"), saved.get("replications", 1),
                            saved.get("param_draws"), saved.get("seeds_per_draw"))
    seed = 0 if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected a whole number >= 0, got {seed!r}")
    seed = int(seed)
    design = _design(spec, reps, design, param_draws, seeds_per_draw)
    cell_list = cells(spec, scenario_file or spec.name)

    if resume:
        folder = Path(out)
    else:
        if out is None:
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
            out = Path("runs") / f"{spec.name}-seed{seed}-{stamp}"
        folder = runfolder.create(Path(out))
    with runfolder.locked(folder):  # no second run writes into this folder meanwhile
        if resume:
            manifest = runfolder.read_manifest(folder)  # again, now that the folder is ours
            _check_resume(manifest, spec, seed, design, folder)
            if chunk_size is not None and chunk_size != manifest["chunk_size"]:
                raise RunFolderError(
                    f"{folder}: started with chunks of {manifest['chunk_size']} replications; a resumed run keeps "
                    f"its chunks (leave out --chunk-size)"
                )
            chunk_size = manifest["chunk_size"]
            # The plan the run started with; a run folder from before plans were recorded (format /1)
            # had fixed-size chunks, and now records them too.
            bounds = [tuple(b) for b in manifest.get("chunk_bounds") or chunk_bounds(design.replications, chunk_size)]
            manifest["chunk_bounds"] = [list(b) for b in bounds]
            runfolder.clear_debris(folder)
            (folder / "chunks").mkdir(exist_ok=True)
            manifest.setdefault("resumed", []).append(
                {"at": _now(), "from_status": manifest.get("status"), "error": manifest.pop("error", None)}
            )
            manifest["status"] = "running"
        else:
            # A chunk size given is kept exactly; the default one tapers at the end of each cell.
            taper = workers if chunk_size is None else None
            chunk_size = chunk_size or default_chunk_size(design.replications, workers)
            bounds = chunk_bounds(design.replications, chunk_size, taper)
            manifest = _manifest(spec, scenario_file, seed, design, cell_list, chunk_size, None, workers)
            manifest["chunk_bounds"] = [list(b) for b in bounds]

        tasks = [
            ChunkTask(cell.index, cell.label, dict(cell.levers), cell.scenario, seed, design, k, start, stop,
                      _lever_types(spec))
            for cell in cell_list
            for k, (start, stop) in enumerate(bounds)
        ]
        done = runfolder.finished_chunks(folder)
        pending = [t for t in tasks if (t.cell, t.chunk) not in done]

        total = design.replications * len(cell_list)
        tracker = _Progress(callback=progress if callable(progress) else None)
        if progress is True:
            from tqdm.auto import tqdm

            already = total - sum(t.stop - t.start for t in pending)
            tracker.bar = tqdm(total=total, initial=already, unit="rep", desc=spec.name, file=sys.stderr, smoothing=0.1)

        consolidator = runfolder.Consolidator(folder, [(t.cell, t.chunk) for t in tasks])
        own_executor = executor is None
        # With its own pool this process is one of the workers (decision 31): W - 1 processes.
        parent_computes = own_executor and workers > 1
        with start_method_untouched():
            if own_executor:
                executor = InlineExecutor() if workers == 1 else process_pool(workers - 1)
            manifest["executor"] = type(executor).__name__
            manifest["parent_computes"] = parent_computes
            runfolder.write_manifest(folder, manifest)
            if isinstance(executor, InlineExecutor):
                window = max_in_flight or 1
            else:
                # Chunks queued on the pool cannot come back to this process: with it computing too, the
                # pool holds one running and one waiting chunk per process, so both finish together.
                window = max_in_flight or (2 * (workers - 1) if parent_computes else 4 * workers)
            try:
                _drain(executor, pending, window, folder, manifest, tracker, consolidator, done, parent_computes,
                       own_executor)
            except ReplicationFailed as err:
                consolidator.abort()
                manifest["status"] = "failed"
                manifest["error"] = {"replication": err.replication, "seed": err.seed, "cell": err.cell,
                                     "error": err.error, "traceback": err.details}
                runfolder.write_manifest(folder, manifest)
                retell = f"; retell it with: nzsim story SCENARIO --seed {err.seed}" if len(cell_list) == 1 and design.kind == "monte_carlo" else ""
                raise EnsembleError(
                    f"{err}; {len(runfolder.finished_chunks(folder))} finished chunk(s) kept in {folder}{retell}", folder
                ) from None
            except BrokenExecutor as err:
                consolidator.abort()
                manifest["status"] = "failed"
                manifest["error"] = {"error": f"a worker process died ({type(err).__name__}: {err})"}
                runfolder.write_manifest(folder, manifest)
                raise EnsembleError(
                    f"a worker process died ({err}); {len(runfolder.finished_chunks(folder))} finished chunk(s) "
                    f"kept in {folder}", folder
                ) from None
            except BaseException:
                consolidator.abort()
                manifest["status"] = "interrupted"
                runfolder.write_manifest(folder, manifest)
                raise
            finally:
                tracker.close()
                if own_executor:
                    executor.shutdown(wait=True, cancel_futures=True)

        try:
            consolidator.advance(runfolder.finished_chunks(folder))
            consolidator.finish()
        except BaseException:
            consolidator.abort()
            raise
        manifest["status"] = "complete"
        manifest["finished"] = _now()
        runfolder.write_manifest(folder, manifest)
        run = Run(folder, manifest)
        if describe:
            describe_run(run)
        return run


def _design(spec: Scenario, reps, design, param_draws, seeds_per_draw) -> Design:
    """Check the design options and turn them into a :class:`Design`."""
    if isinstance(design, Design):
        return design
    design = design or ("nested" if param_draws or seeds_per_draw else "monte_carlo")
    if design not in DESIGNS:
        raise ValueError(f"design: expected one of {', '.join(DESIGNS)}, got {design!r}")
    if design == "nested":
        if not param_draws or not seeds_per_draw or param_draws < 1 or seeds_per_draw < 1:
            raise ValueError("design nested: expected --param-draws K >= 1 and --seeds-per-draw M >= 1")
        if not spec.uncertainties:
            raise ValueError("design nested: the scenario declares no uncertainties, so there are no parameters to draw")
        nested = Design.nested(param_draws, seeds_per_draw)
        if reps is not None and reps != nested.replications:
            raise ValueError(f"reps: a nested design runs K x M = {nested.replications} replications, not {reps}")
        return nested
    n = spec.replications if reps is None else reps
    if isinstance(n, bool) or n < 1:
        raise ValueError(f"reps: expected at least 1 replication, got {n}")
    return Design("monte_carlo", int(n))


def _lever_types(spec: Scenario) -> dict[str, str]:
    """Each lever column's type, from all its values: "float" if every value is a number, else "str"."""
    return {
        path: "float" if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) else "str"
        for path, values in spec.levers.items()
    }


def _drain(executor: Executor, pending: Sequence[ChunkTask], window: int, folder: Path, manifest: dict, tracker,
           consolidator: runfolder.Consolidator, done: set[tuple[int, int]], parent_computes: bool = False,
           own_executor: bool = False) -> None:
    """Run the pending chunks, at most ``window`` in flight on ``executor``, writing each as it finishes.

    With ``parent_computes`` this process runs chunks too, one at a time between keeping the
    executor's window full and collecting what it finished (decision 31). Finished chunks are
    handed, as they are collected (the executor's before this process's own), to one writer
    thread, which writes each chunk's files, appends the finished chunks in order to the final
    files (``done``: the chunks finished before, on a resumed run) and keeps the manifest's list of
    chunks. Writing (mostly pyarrow, which releases the GIL) so overlaps the computing: with chunks
    run in this process, the next chunk computes while the last is written. At most one chunk
    waits to be written. Every chunk collected is written before a failure is raised, and on our
    own pool (``own_executor``) the chunks still running are waited for and kept too, since the
    pool's shutdown waits for them anyway. The progress tracker is updated from this thread.
    """
    in_flight: dict[Future, ChunkTask] = {}
    queue = iter(pending)
    finished_keys = set(done)
    last_manifest = [time.monotonic()]

    def store(task: ChunkTask | None, result: Mapping[str, Any] | None) -> None:
        if task is None:  # chunks a resumed run had: appended while the workers compute
            consolidator.advance(finished_keys)
            return
        runfolder.write_chunk(folder, task.cell, task.chunk, result["tables"])
        finished_keys.add((task.cell, task.chunk))
        consolidator.advance(finished_keys, {(task.cell, task.chunk): result["tables"]})
        manifest["chunks"].append(
            {
                "cell": task.cell,
                "chunk": task.chunk,
                "replications": [task.start, task.stop],
                "seconds": round(result["seconds"], 4),
                "worker": result["worker"],
                "finished": _now(),
            }
        )
        if time.monotonic() - last_manifest[0] > 1.0:  # the chunk files, not this list, drive --resume
            runfolder.write_manifest(folder, manifest)
            last_manifest[0] = time.monotonic()

    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nzsim-writer")
    writes: list[Future] = [writer.submit(store, None, None)]

    def written() -> None:
        """Wait for the writes handed over so far; a write's error is raised here."""
        while writes:
            writes.pop(0).result()

    def hand_over(task: ChunkTask, result: Mapping[str, Any]) -> None:
        written()  # the last chunk is on disk before this one is handed over
        writes.append(writer.submit(store, task, result))
        tracker.update(task.stop - task.start)

    def collect(finished: set[Future]) -> BaseException | None:
        """Hand over the finished chunks, in submission order; the first failure among them."""
        failure = None
        for future in [f for f in in_flight if f in finished]:
            task = in_flight.pop(future)
            try:
                result = future.result()
            except (ReplicationFailed, BrokenExecutor) as err:
                failure = failure or err
                continue
            hand_over(task, result)
        return failure

    def fail(failure: BaseException) -> None:
        """Keep what can be kept, then raise ``failure`` (a write error is chained to it, not raised)."""
        try:
            if own_executor:  # chunks already running on our pool finish whatever we do: keep them
                for future in in_flight:
                    future.cancel()
                collect(set(wait([f for f in in_flight if not f.cancelled()]).done))
            written()
        except Exception as err:  # noqa: BLE001 - the failure is what the caller must see
            raise failure from err
        raise failure

    try:
        while True:
            while len(in_flight) < window:
                task = next(queue, None)
                if task is None:
                    break
                in_flight[executor.submit(run_chunk, task)] = task
            task = next(queue, None) if parent_computes else None
            if task is not None:  # this process's own chunk, while the executor works through its window
                try:
                    result = run_chunk(task)
                except ReplicationFailed as err:
                    fail(collect({f for f in in_flight if f.done()}) or err)
                failure = collect({f for f in in_flight if f.done()})
                hand_over(task, result)
            elif not in_flight:
                written()
                return
            else:
                finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                failure = collect(finished)
            if failure is not None:
                fail(failure)
    finally:
        for future in in_flight:
            future.cancel()
        while True:  # the writer stops before anyone else touches the folder, even on a second Ctrl+C
            try:
                writer.shutdown(wait=True)
                break
            except KeyboardInterrupt:
                continue


def describe_run(run: Run) -> None:
    """Write the run's summary table (``summary.csv``) and figures (``figures/*.png``)."""
    from . import analysis, plotting

    by = run.cell_column
    analysis.summarise(run.outcomes, by=by).to_csv(run.path / "summary.csv", index=False)
    figures = run.path / "figures"
    figures.mkdir(exist_ok=True)
    title = f"{run.manifest['scenario_name']}: {len(run.outcomes):,} replications, seed {run.manifest['root_seed']}"
    plotting.outcome_distributions(run.outcomes, figures / "outcomes.png", by=by, title=title)
    variables = list(plotting.DEFAULT_VARIABLES)
    start = dt.date.fromisoformat(run.manifest["scenario"]["start"])
    # From the run, not a frame: its trajectories are read in batches, so memory stays bounded.
    plotting.fan_charts(run, figures / "trajectories.png", variables=variables, start=start, by=by, title=title)
    plotting.rung_ladder(run, figures / "china_ladder.png", start, by=by, title=title)

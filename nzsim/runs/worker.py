"""The worker side of a run: a chunk of replications in, plain tables out, never a model.

A :class:`ChunkTask` holds everything a worker needs, all picklable (the scenario as its
canonical dict, the root seed, the design, the chunk's replications, any parameter overrides,
and the modules that added catalogue entries, which the worker imports first).
:func:`run_chunk` runs a chunk on the one replication loop (:func:`nzsim.runs.loop.simulate`) and
returns its three Arrow tables for the run folder; :func:`simulate_chunk` returns its outcome
rows and weekly values instead, for validation and calibration, which keep them in memory.

The model is imported where chunks run, not with this module: a process that only schedules
chunks and writes their tables (on an executor it was given) never loads Mesa (decisions 24
and 31).
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from ..catalogue.outcomes import column_types
from ..scenario import Scenario, from_dict
from .designs import Design, chunk_bounds
from .runfolder import EVENT_NUMBERS


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
    #: parameter values that stand in for the table's defaults (a calibration's candidate set)
    overrides: Mapping[str, float] | None = None
    #: modules that added catalogue entries, imported before the scenario is read
    extensions: Sequence[str] = ()
    #: the model class as ``module:qualname`` ("" for :class:`nzsim.model.NZModel`)
    model: str = ""


def monte_carlo_tasks(scenario: Mapping[str, Any], reps: int, root_seed: int, chunk: int,
                      overrides: Mapping[str, float] | None = None) -> list[ChunkTask]:
    """The chunks of ``reps`` replications of one scenario (its canonical dict) under ``root_seed``,
    ``chunk`` at a time, seeded as ``nzsim run`` seeds them: what validation, calibration and the
    dashboard's replications panel run outside a run folder."""
    design = Design("monte_carlo", reps)
    return [ChunkTask(0, "", {}, scenario, root_seed, design, k, start, stop, overrides=overrides)
            for k, (start, stop) in enumerate(chunk_bounds(reps, chunk))]


#: Per worker process: the scenarios already validated, by their canonical JSON.
_SPECS: dict[str, Scenario] = {}


def scenario_in_worker(data: Mapping[str, Any], extensions: Sequence[str] = ()) -> Scenario:
    """A scenario sent to a worker as its canonical dict, validated once per worker process
    (after importing the modules that extend the catalogue, so that it reads the same)."""
    for module in extensions:
        importlib.import_module(module)
    key = json.dumps(data, sort_keys=True, default=str)
    spec = _SPECS.get(key)
    if spec is None:
        spec = _SPECS[key] = from_dict(data)
    return spec


def _arrow_type(kind: str) -> pa.DataType:
    return {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}[kind.rstrip("?")]


def model_class(name: str):
    """The model class a task names as ``module:qualname`` (None, the loop's default, for "")."""
    if not name:
        return None
    module, _, qualname = name.partition(":")
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


def _finished(task: ChunkTask, keep_entries: bool):
    from .loop import simulate  # the model: loaded where chunks run

    spec = scenario_in_worker(task.scenario, task.extensions)
    planned = task.design.planned(spec, task.root_seed, task.start, task.stop)
    return spec, simulate(spec, planned, overrides=task.overrides, label=task.cell_label, keep_entries=keep_entries,
                          model_class=model_class(task.model))


def worker_ready(hold: float = 0.0) -> int:
    """A task that starts a pool's worker ahead of its work: the worker has loaded the model and
    the runner (this module) once it runs; it holds the worker ``hold`` seconds (so that a pool
    given one such task per worker starts them all) and returns the worker's pid."""
    from . import loop  # noqa: F401  (the model, Mesa and the compiled kernels: what a chunk needs first)

    time.sleep(hold)
    return os.getpid()


def run_chunk(task: ChunkTask) -> dict[str, Any]:
    """Run one chunk; return its three tables and timing. Runs in a worker process."""
    t0 = time.perf_counter()
    spec, done = _finished(task, keep_entries=True)
    tables = {
        "outcomes": _outcomes_table(done.replications, done.seeds, done.sampled, done.outcomes, spec, task),
        "trajectories": _trajectories_table(done.replications, done.values, done.variables, task),
        "events": _events_table(_event_columns(done.replications, done.entries), task),
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


@dataclass(frozen=True)
class SimulatedChunk:
    """A chunk's outcome rows (with ``replication``) and some weekly variables, replications x weeks."""

    rows: list[dict[str, Any]]
    weekly: Mapping[str, np.ndarray]


def simulate_chunk(task: ChunkTask, variables: Sequence[str] = ()) -> SimulatedChunk:
    """Run one chunk and keep its outcomes and the named weekly variables in memory."""
    _, done = _finished(task, keep_entries=False)
    rows = [{"replication": i, **row} for i, row in zip(done.replications, done.rows())]
    return SimulatedChunk(rows, {v: done.weekly(v) for v in variables})


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
    elif task.design.exploratory:
        fields += [pa.field("experiment", pa.int64()), pa.field("seed_index", pa.int64())]
        per = task.design.seeds_per_experiment
        columns += [[i // per for i in replications], [i % per for i in replications]]
    for k in task.design.drawn_names(spec):
        fields.append(pa.field(f"param.{k}", pa.float64()))
        columns.append([s.get(k) for s in sampled])
    for k, t in column_types().items():
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


#: The columns of a log entry the events table holds, before its numbers (:data:`EVENT_NUMBERS`).
_EVENT_TEXT = ("week", "date", "actor", "event", "description")


def _event_columns(replications: Sequence[int], entries: Sequence[Sequence[Any]]) -> dict[str, list]:
    """The chunk's event logs as columns: each entry's replication, its text and its numbers."""
    columns: dict[str, list] = {k: [] for k in ("replication", *_EVENT_TEXT, *EVENT_NUMBERS)}
    named = [(name, columns[name]) for name in (*_EVENT_TEXT, *EVENT_NUMBERS)]
    for i, logged in zip(replications, entries):
        columns["replication"].extend([i] * len(logged))
        for e in logged:
            for name, values in named:
                values.append(getattr(e, name))
    return columns


def _events_table(events: dict[str, list], task) -> pa.Table:
    schema = pa.schema(
        [
            ("replication", pa.int64()),
            ("week", pa.int16()),
            ("date", pa.date32()),
            ("actor", pa.dictionary(pa.int8(), pa.string())),
            ("event", pa.dictionary(pa.int8(), pa.string())),
            ("description", pa.string()),
            *EVENT_NUMBERS.items(),
        ]
    )
    table = pa.Table.from_pydict(events, schema=schema)
    if task.cell_label:
        table = table.append_column("cell", pa.array([task.cell_label] * table.num_rows, pa.string()).dictionary_encode())
    return table

"""Runs: replications of a scenario, seeded, chunked, run on any executor, streamed to a run
folder and read back.

Layer: above the model core. It may import :mod:`nzsim.model` (only where replications run:
:mod:`~nzsim.runs.loop`, loaded by workers; a process that only schedules chunks never loads
Mesa), :mod:`nzsim.scenario`, :mod:`nzsim.catalogue`, :mod:`nzsim.seeds` and
:mod:`nzsim.version`.

- :mod:`~nzsim.runs.loop`: the one replication loop (and :func:`replicate`, one replication);
- :mod:`~nzsim.runs.designs`: Monte Carlo and nested designs, and chunk plans;
- :mod:`~nzsim.runs.worker`: a chunk of replications in, tables out;
- :mod:`~nzsim.runs.executors`: in-process, process pool, Dask;
- :mod:`~nzsim.runs.ensemble`, :mod:`~nzsim.runs.drain`, :mod:`~nzsim.runs.manifest`: the runner;
- :mod:`~nzsim.runs.runfolder`: the run folder's files, its lock, and :class:`Run` to read it.
"""

from __future__ import annotations

from .designs import DESIGNS, Design, Planned
from .ensemble import run_ensemble
from .errors import EnsembleError, ReplicationFailed
from .executors import InlineExecutor, SchedulerUnreachable, dask_executor, process_pool
from .runfolder import Run, RunFolderError

__all__ = [
    "DESIGNS", "Design", "EnsembleError", "InlineExecutor", "Planned", "ReplicationFailed", "Run", "RunFolderError",
    "SchedulerUnreachable", "dask_executor", "load_run", "process_pool", "replicate", "run_ensemble",
]


def load_run(path) -> Run:
    """Open a finished run folder (:meth:`Run.open`): a clear error for anything else."""
    return Run.open(path)


def replicate(*args, **kwargs):
    """One replication (:func:`nzsim.runs.loop.replicate`; loads the model)."""
    from .loop import replicate as one

    return one(*args, **kwargs)

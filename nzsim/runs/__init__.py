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

import os

from .designs import DESIGNS, Design, Planned
from .ensemble import explore, run_ensemble
from .errors import EnsembleError, ReplicationFailed
from .executors import InlineExecutor, SchedulerUnreachable, dask_executor, process_pool
from .runfolder import Run, RunFolderError

__all__ = [
    "DESIGNS", "Design", "EnsembleError", "InlineExecutor", "Planned", "ReplicationFailed", "Run", "RunFolderError",
    "SchedulerUnreachable", "dask_executor", "explore", "load_run", "process_pool", "run_ensemble",
]


def load_run(path: str | os.PathLike) -> Run:
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
    nzsim.runs.RunFolderError
        A ``ValueError`` that says what is wrong: the folder does not exist or is not a run,
        its manifest cannot be read, or the run is unfinished (with the ``nzsim run ...
        --resume`` command that finishes it), or a results file is missing.
    """
    return Run.open(path)

"""Ensembles: many replications of a scenario, seeded, chunked, streamed to disk, resumable.

:func:`run_ensemble` lays out the replications (a design over the lever cells of the scenario,
cut into chunks), opens a run folder (a new one, or an unfinished one to resume), drains the
chunks through an executor (:mod:`nzsim.runs.drain`) and consolidates their files. Seeds come
from :mod:`nzsim.seeds`: the same root seed gives the same frames whatever the number of
workers or the executor. Levers (:mod:`nzsim.scenario.levers`): each cell is a labelled sub-run
with the same replication seeds (common random numbers), so cells differ only by their levers.

Executors (:mod:`nzsim.runs.executors`): in-process for one worker, a process pool by default (W
workers: W - 1 processes, and this process computes as the W-th), or any
``concurrent.futures.Executor`` given (a Dask cluster's). Workers run chunks and return Arrow
tables, never models. Nothing global changes at import or call.

What a run folder holds, and how to read it, is :mod:`nzsim.runs.runfolder`; its summary and
figures are written by :func:`nzsim.reports.describe_run`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor, Executor
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .. import catalogue
from ..scenario import Cell, Scenario, cells, lever_types, load
from . import runfolder
from .designs import Design, checked_design, chunk_bounds, default_chunk_size
from .drain import Progress, drain
from .errors import EnsembleError, ReplicationFailed
from .executors import InlineExecutor, process_pool, start_method_untouched
from .manifest import DEFAULT_MODEL, check_resume, new_manifest, now
from .runfolder import Run, RunFolderError
from .worker import ChunkTask


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
    max_in_flight: int | None = None,
    scenario_file: str | Path | None = None,
    model_class: type | None = None,
) -> Run:
    """Run a scenario's replications and return the finished :class:`~nzsim.runs.runfolder.Run`.

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
            ``seeds_per_draw``), or a :class:`~nzsim.runs.designs.Design`. With ``resume``,
            default the run's.
        chunk_size: replications per chunk, exactly (default: about eight chunks per worker,
            5-100, the last few of each cell smaller so the workers finish together; see
            :func:`~nzsim.runs.designs.chunk_bounds`).
        resume: finish the unfinished run in ``out``; the seed and design default to the run's
            own, and must match it if given.
        progress: show a progress bar on stderr (True) or call ``progress(n)`` as replications finish.
        max_in_flight: chunks submitted to the executor but not yet collected (default: four per
            worker on a given executor; two per worker process on our own pool, this process
            computing too; one when chunks run in-process, where the next chunk computes while the
            last is written).
        scenario_file: where ``scenario`` was read from, for the manifest (set when a path is given).
        model_class: the model each replication builds (default :class:`nzsim.model.NZModel`; a
            subclass with more actors, say: docs/architecture.md). Workers import it by name, so a
            class defined in ``__main__`` runs only with ``workers=1``.

    Raises:
        ValueError: a bad argument (reps < 1, workers < 1, a bad design), or catalogue entries
            added in ``__main__`` that worker processes could not see.
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
    extensions = _extensions(executor is not None or workers > 1)
    model = _model_name(model_class, executor is not None or workers > 1)
    if resume:
        seed, design = _resumed_options(out, seed, design, reps, param_draws, seeds_per_draw)
    seed = _checked_seed(0 if seed is None else seed)
    design = checked_design(spec, reps, design, param_draws, seeds_per_draw)
    cell_list = cells(spec, scenario_file or spec.name)

    folder = Path(out) if resume else runfolder.create(Path(out or _default_folder(spec, seed)))
    with runfolder.locked(folder):  # no second run writes into this folder meanwhile
        if resume:
            manifest, bounds = _reopen(folder, spec, seed, design, chunk_size, extensions, model)
        else:
            # A chunk size given is kept exactly; the default one tapers at the end of each cell.
            taper = workers if chunk_size is None else None
            chunk_size = chunk_size or default_chunk_size(design.replications, workers)
            bounds = chunk_bounds(design.replications, chunk_size, taper)
            manifest = new_manifest(spec, scenario_file, seed, design, cell_list, chunk_size, None, workers, extensions,
                                    model)
            manifest["chunk_bounds"] = [list(b) for b in bounds]
        tasks = _tasks(spec, cell_list, seed, design, bounds, extensions, model)
        done = runfolder.finished_chunks(folder)
        pending = [t for t in tasks if (t.cell, t.chunk) not in done]
        tracker = _tracker(progress, spec.name, design.replications * len(cell_list), pending)
        consolidator = runfolder.Consolidator(folder, [(t.cell, t.chunk) for t in tasks])
        _execute(executor, workers, max_in_flight, pending, folder, manifest, tracker, consolidator, done,
                 retellable=len(cell_list) == 1 and design.kind == "monte_carlo")
        try:
            consolidator.advance(runfolder.finished_chunks(folder))
            consolidator.finish()
        except BaseException:
            consolidator.abort()
            raise
        manifest["status"] = "complete"
        manifest["finished"] = now()
        runfolder.write_manifest(folder, manifest)
        return Run(folder, manifest)


def _extensions(in_other_processes: bool) -> tuple[str, ...]:
    """The modules that extend the catalogue, which every worker imports; entries added in
    ``__main__`` (a script, a notebook) cannot reach a worker process."""
    modules = catalogue.extension_modules()
    if in_other_processes and "__main__" in modules:
        raise ValueError(
            "the catalogue has entries added in __main__ (a script or a notebook), which worker processes "
            "cannot import: add them in a module of their own and import it, or run with workers=1"
        )
    return modules


def _model_name(model_class: type | None, in_other_processes: bool) -> str:
    """``module:qualname`` of the model class (what workers import), checked."""
    if model_class is None:
        return DEFAULT_MODEL
    name = f"{model_class.__module__}:{model_class.__qualname__}"
    if in_other_processes and (model_class.__module__ == "__main__" or "<locals>" in model_class.__qualname__):
        raise ValueError(
            f"model_class: {name} cannot be imported by worker processes: define it at the top level of a module "
            f"of its own and import it, or run with workers=1"
        )
    return name


def _checked_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected a whole number >= 0, got {seed!r}")
    return int(seed)


def _default_folder(spec: Scenario, seed: int) -> Path:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{spec.name}-seed{seed}-{stamp}"


def _resumed_options(out, seed, design, reps, param_draws, seeds_per_draw) -> tuple[Any, Any]:
    """The seed and design of a run to resume: the ones given, else the run's own."""
    if out is None:
        raise ValueError("resume: give the run folder to resume")
    manifest = runfolder.read_manifest(Path(out))
    if seed is None:
        seed = manifest.get("root_seed")
    if design is None and reps is None and param_draws is None and seeds_per_draw is None:
        saved = manifest.get("design", {})
        design = Design(saved.get("kind", "monte_carlo"), saved.get("replications", 1),
                        saved.get("param_draws"), saved.get("seeds_per_draw"))
    return seed, design


def _reopen(folder: Path, spec: Scenario, seed: int, design: Design, chunk_size: int | None,
            extensions: Sequence[str], model: str) -> tuple[dict, list[tuple[int, int]]]:
    """The manifest and chunk plan of the unfinished run in ``folder``, checked and marked running."""
    manifest = runfolder.read_manifest(folder)  # again, now that the folder is ours
    check_resume(manifest, spec, seed, design, folder, extensions, model)
    if chunk_size is not None and chunk_size != manifest["chunk_size"]:
        raise RunFolderError(
            f"{folder}: started with chunks of {manifest['chunk_size']} replications; a resumed run keeps "
            f"its chunks (leave out --chunk-size)"
        )
    # The plan the run started with; a run folder from before plans were recorded (format /1)
    # had fixed-size chunks, and now records them too.
    bounds = [tuple(b) for b in manifest.get("chunk_bounds") or chunk_bounds(design.replications, manifest["chunk_size"])]
    manifest["chunk_bounds"] = [list(b) for b in bounds]
    runfolder.clear_debris(folder)
    (folder / "chunks").mkdir(exist_ok=True)
    manifest.setdefault("resumed", []).append(
        {"at": now(), "from_status": manifest.get("status"), "error": manifest.pop("error", None)}
    )
    manifest["status"] = "running"
    return manifest, bounds


def _tasks(spec: Scenario, cell_list: Sequence[Cell], seed: int, design: Design, bounds, extensions,
           model: str) -> list[ChunkTask]:
    types = lever_types(spec)
    return [
        ChunkTask(cell.index, cell.label, dict(cell.levers), cell.scenario, seed, design, k, start, stop, types,
                  extensions=tuple(extensions), model="" if model == DEFAULT_MODEL else model)
        for cell in cell_list
        for k, (start, stop) in enumerate(bounds)
    ]


def _tracker(progress, name: str, total: int, pending: Sequence[ChunkTask]) -> Progress:
    tracker = Progress(callback=progress if callable(progress) else None)
    if progress is True:
        from tqdm.auto import tqdm

        already = total - sum(t.stop - t.start for t in pending)
        tracker.bar = tqdm(total=total, initial=already, unit="rep", desc=name, file=sys.stderr, smoothing=0.1)
    return tracker


def _execute(executor: Executor | None, workers: int, max_in_flight: int | None, pending: Sequence[ChunkTask],
             folder: Path, manifest: dict, tracker: Progress, consolidator: runfolder.Consolidator,
             done: set[tuple[int, int]], retellable: bool) -> None:
    """Drain the pending chunks on ``executor`` (our own, if None); a failure is recorded in the
    manifest and raised as an :class:`EnsembleError` that says what was kept."""
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
            drain(executor, pending, window, folder, manifest, tracker, consolidator, done, parent_computes,
                  own_executor)
        except ReplicationFailed as err:
            _failed(folder, manifest, consolidator, {"replication": err.replication, "seed": err.seed, "cell": err.cell,
                                                     "error": err.error, "traceback": err.details})
            retell = f"; retell it with: nzsim story SCENARIO --seed {err.seed}" if retellable else ""
            raise EnsembleError(
                f"{err}; {len(runfolder.finished_chunks(folder))} finished chunk(s) kept in {folder}{retell}", folder
            ) from None
        except BrokenExecutor as err:
            _failed(folder, manifest, consolidator, {"error": f"a worker process died ({type(err).__name__}: {err})"})
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


def _failed(folder: Path, manifest: dict, consolidator: runfolder.Consolidator, error: dict) -> None:
    consolidator.abort()
    manifest["status"] = "failed"
    manifest["error"] = error
    runfolder.write_manifest(folder, manifest)

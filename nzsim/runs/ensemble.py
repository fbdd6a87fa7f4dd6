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

import contextlib
import datetime as dt
import errno
import os
import sys
import warnings
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor, Executor
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.ipc
import pyarrow.parquet as pq

from .. import catalogue
from ..scenario import Cell, Scenario, cells, lever_types, load
from . import runfolder, verify
from .designs import Design, checked_design, chunk_bounds, default_chunk_size, experiments_table
from .drain import Progress, drain
from ..seeds import replication_seed
from .errors import ChunkRecomputed, EnsembleError, ReplicationFailed
from .executors import InlineExecutor, process_pool, start_method_untouched, stop_pool
from .manifest import DEFAULT_MODEL, check_resume, new_manifest, now
from .runfolder import ManifestLost, Run, RunFolderError
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
            own, and must match it if given. Every chunk found is checked against its seal and
            its seeds; one that fails is named (a :class:`~nzsim.runs.errors.ChunkRecomputed`
            warning) and recomputed. A lost or unreadable manifest is rebuilt from the chunk
            seals and the scenario. A complete run has its files checked and its clean-up
            finished (and, if a file fails, is consolidated or computed again).
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
        EnsembleError: a replication failed, a worker died or the disk is full; finished chunks
            are kept and the run can be resumed.
        KeyboardInterrupt: Ctrl+C (or a signal the ``nzsim`` program turns into one: SIGTERM,
            SIGHUP). The chunks not started are cancelled, our own pool's worker processes are
            ended at once (the chunks they ran are recomputed on resume), the chunks finished are
            kept, and the exception's ``run_folder`` names the folder to resume.
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

    folder = None
    try:
        folder = Path(out) if resume else runfolder.create(Path(out or _default_folder(spec, seed)))
        with runfolder.locked(folder):  # no second run writes into this folder meanwhile
            return _run_in(folder, spec, scenario_file, seed, design, cell_list, resume, workers, chunk_size,
                           extensions, model, executor, max_in_flight, progress)
    except OSError as err:
        problem = None if folder is None else _disk_error(err, folder, scenario_file)
        if problem is None:
            raise
        raise problem from None
    except KeyboardInterrupt as stop:  # the folder to resume, for whoever says how (none: stopped while making it)
        if folder is not None:
            stop.run_folder = folder
        raise


def explore(
    scenario: Scenario | str | Path,
    design: str = "lhs",
    *,
    samples: int | None = None,
    seeds: int = 1,
    factors: Sequence[str] | None = None,
    ranges: dict[str, tuple[float, float]] | None = None,
    levels: int | None = None,
    second_order: bool = False,
    **options: Any,
) -> Run:
    """Build an exploratory design (:func:`nzsim.runs.designs.exploratory_design`) and run it:
    ``nzsim run SCENARIO --design DESIGN --samples N --seeds S --factors ...`` from Python.

    >>> run = nzsim.explore("scenarios/vilnius-2023.yaml", "sobol", samples=64, seeds=4,   # doctest: +SKIP
    ...                     factors=["china.trade_threshold", "china.lift_hazard"], workers=2)
    >>> nzsim.analysis.sensitivity(run)                                                   # doctest: +SKIP

    ``options`` go to :func:`run_ensemble` (``seed``, ``workers``, ``executor``, ``out``, ...).
    Raises :class:`~nzsim.runs.experiments.DesignError` (a ``ValueError`` naming the option at
    fault) for a design that cannot be made.
    """
    from .designs import exploratory_design

    spec = scenario if isinstance(scenario, Scenario) else load(scenario)
    if isinstance(scenario, (str, Path)):
        options.setdefault("scenario_file", scenario)
    chosen = exploratory_design(spec, design, samples=samples, seeds=seeds, factors=factors, ranges=ranges,
                                levels=levels, second_order=second_order)
    return run_ensemble(spec, design=chosen, **options)


def _run_in(folder: Path, spec: Scenario, scenario_file, seed: int, design: Design, cell_list: Sequence[Cell],
            resume: bool, workers: int, chunk_size: int | None, extensions, model: str, executor, max_in_flight,
            progress) -> Run:
    """The run, in a folder this process holds."""
    legacy = False
    if resume:
        manifest, bounds = _reopen(folder, spec, scenario_file, seed, design, chunk_size, extensions, model, cell_list)
        # A folder begun before seals keeps its format (the code that made it can still resume it);
        # its chunks without a seal are checked by their content, and sealed.
        legacy = manifest.get("format") in runfolder.UNSEALED_FORMATS
    else:
        # A chunk size given is kept exactly; the default one tapers at the end of each cell.
        taper = workers if chunk_size is None else None
        chunk_size = chunk_size or default_chunk_size(design.replications, workers)
        bounds = chunk_bounds(design.replications, chunk_size, taper)
        manifest = new_manifest(spec, scenario_file, seed, design, cell_list, chunk_size, None, workers, extensions,
                                model)
        manifest["chunk_bounds"] = [list(b) for b in bounds]
    identity = run_identity(manifest)
    if manifest.get("status") == "complete":  # resumed, and its files are sound: only the clean-up is left
        runfolder.write_manifest(folder, manifest)
        runfolder.remove_chunks(folder)
        return Run(folder, manifest)
    if design.exploratory and not (folder / runfolder.EXPERIMENTS).exists():  # a function of the design and seed
        runfolder.atomic_write_table(folder / runfolder.EXPERIMENTS,
                                     experiments_table(design, seed, cell_list, lever_types(spec)))
    tasks = _tasks(spec, cell_list, seed, design, bounds, extensions, model)
    done = _kept_chunks(folder, manifest, tasks, identity, legacy) if resume else set()
    pending = [t for t in tasks if (t.cell, t.chunk) not in done]
    if (resume and pending and manifest.get("format") != runfolder.FORMAT
            and (not done or _events_without_numbers(folder, done))):
        # A folder an earlier version began, whose events get their numbers from here on: it becomes
        # this format, which that version refuses rather than appending these chunks to its own.
        manifest["format"] = runfolder.FORMAT
    tracker = _tracker(progress, spec.name, design.replications * len(cell_list), pending)
    consolidator = runfolder.Consolidator(folder, [(t.cell, t.chunk) for t in tasks])
    _execute(executor, workers, max_in_flight, pending, folder, manifest, tracker, consolidator, done, identity,
             retellable=len(cell_list) == 1 and design.kind == "monte_carlo")
    try:
        consolidator.advance(runfolder.finished_chunks(folder))
        files = consolidator.finish()
    except BaseException:
        consolidator.abort()
        raise
    # The final files are in and flushed: say so before the chunks go, so that a kill while they
    # are removed leaves a complete run whose resume only finishes removing them.
    manifest["status"] = "complete"
    manifest["finished"] = now()
    manifest["files"] = files
    runfolder.write_manifest(folder, manifest)
    runfolder.remove_chunks(folder)
    return Run(folder, manifest)


def run_identity(manifest: dict) -> dict[str, Any]:
    """What makes a chunk this run's: recorded in each chunk's seal and checked when it is resumed."""
    return {
        "scenario_sha256": manifest.get("scenario_sha256"),
        "root_seed": manifest.get("root_seed"),
        "design": {k: (manifest.get("design") or {}).get(k) for k in ("kind", "replications", "param_draws",
                                                                        "seeds_per_draw")},
        "chunk_bounds": [list(b) for b in manifest.get("chunk_bounds") or []],
        "model": manifest.get("model", DEFAULT_MODEL),
        "extensions": list(manifest.get("extensions") or []),
    }


#: errno values that mean the disk (or the quota) is full, and that the folder cannot be written.
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def _disk_error(err: OSError, folder: Path, scenario_file) -> Exception | None:
    """A full or read-only disk met while writing the run, as the one-line error the user sees
    (None for any other OSError). Finished chunks are never removed on the way out."""
    if err.errno not in _DISK_FULL | _READ_ONLY:
        return None
    where = ""
    if err.filename:
        where = f" ({runfolder.relative_name(Path(folder), Path(err.filename))})"
    why = err.strerror or str(err)
    kept = f"{len(runfolder.finished_chunks(folder))} finished chunk(s) kept"
    if err.errno in _DISK_FULL:
        return EnsembleError(f"{folder}: {why} writing the run{where}; {kept}; free some space", folder)
    scenario = scenario_file or "SCENARIO"
    return RunFolderError(f"{folder}: cannot write there: {why}{where}; {kept}; copy the folder to a writable disk "
                          f"and finish it there with: nzsim run {scenario} --resume COPY")


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
    """The seed and design of a run to resume: the ones given, else the run's own (from its
    manifest, or, if that is lost, its chunk seals)."""
    if out is None:
        raise ValueError("resume: give the run folder to resume")
    try:
        manifest = runfolder.read_manifest(Path(out))
    except ManifestLost as lost:
        manifest = _sealed_run(Path(out), lost)
    if seed is None:
        seed = manifest.get("root_seed")
    if design is None and reps is None and param_draws is None and seeds_per_draw is None:
        saved = manifest.get("design", {})
        design = Design.from_dict(saved)
    return seed, design


def _sealed_run(folder: Path, lost: ManifestLost) -> dict[str, Any]:
    """The run the chunk seals of ``folder`` belong to (the manifest being lost)."""
    seals = runfolder.read_seals(folder)
    if not seals:
        raise RunFolderError(f"{lost}, and no sealed chunk to rebuild it from; start the run again with --out "
                             f"a new folder") from None
    runs = {repr(sorted(seal["run"].items())) for seal in seals}
    if len(runs) > 1:
        raise RunFolderError(f"{lost}, and its chunk seals belong to {len(runs)} different runs; start the run again "
                             f"with --out a new folder") from None
    run = seals[0]["run"]
    return {"root_seed": run.get("root_seed"), "design": run.get("design") or {}}


def _recovered(folder: Path, lost: ManifestLost, spec: Scenario, scenario_file, seed: int, design: Design,
               cell_list: Sequence[Cell], extensions: Sequence[str], model: str) -> dict:
    """A manifest rebuilt from the chunk seals and the scenario, after checking they agree; the
    damaged manifest, if there is one, is kept aside as ``manifest.json.damaged``."""
    seals = runfolder.read_seals(folder)
    _sealed_run(folder, lost)  # one run's seals, at least one
    run = seals[0]["run"]
    if run.get("scenario_sha256") != spec.sha256:
        raise RunFolderError(
            f"{lost}; its chunks were made from a different scenario (sha256 {str(run.get('scenario_sha256'))[:16]}, "
            f"this one is {spec.sha256[:16]}); resume with the scenario file it was started with"
        )
    bounds = [tuple(b) for b in run.get("chunk_bounds") or []]
    manifest = new_manifest(spec, scenario_file, seed, design, cell_list, max(b - a for a, b in bounds), None, None,
                            extensions, model)
    manifest["chunk_bounds"] = [list(b) for b in bounds]
    manifest["started"] = None
    manifest["chunks"] = [{"cell": seal.get("cell"), "chunk": seal.get("chunk"), "replications": seal.get("replications"),
                           "seconds": seal.get("seconds"), "worker": seal.get("worker"), "finished": seal.get("finished")}
                          for seal in seals]
    if run_identity(manifest) != run:  # the seed, design, model or extensions asked for are not the run's
        raise RunFolderError(f"{lost}; its chunks were made with other options (root seed {run.get('root_seed')}, "
                             f"design {run.get('design')}, model {run.get('model')}); resume with the run's own")
    damaged = folder / runfolder.MANIFEST
    kept = None
    if damaged.exists():
        kept = damaged.with_name(runfolder.MANIFEST + ".damaged")
        os.replace(damaged, kept)
    manifest["recovered"] = {"at": now(), "from_seals": len(seals), "damaged_manifest": kept.name if kept else None,
                             "why": str(lost).removeprefix(f"{folder}: ")}
    warnings.warn(f"{folder}: {manifest['recovered']['why']}; rebuilt it from {len(seals)} chunk seal(s) and the "
                  f"scenario", ChunkRecomputed, stacklevel=4)
    return manifest


def _reopen(folder: Path, spec: Scenario, scenario_file, seed: int, design: Design, chunk_size: int | None,
            extensions: Sequence[str], model: str, cell_list: Sequence[Cell]) -> tuple[dict, list[tuple[int, int]]]:
    """The manifest and chunk plan of the run in ``folder``, checked and marked running (or, for a
    complete run whose files are sound, left complete)."""
    try:
        manifest = runfolder.read_manifest(folder)  # again, now that the folder is ours
    except ManifestLost as lost:
        manifest = _recovered(folder, lost, spec, scenario_file, seed, design, cell_list, extensions, model)
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
    entry = {"at": now(), "from_status": manifest.get("status"), "error": manifest.pop("error", None)}
    manifest.setdefault("resumed", []).append(entry)
    if manifest.get("status") == "complete":
        problem = verify.check_files(folder, manifest.get("files"))
        if problem is None:
            return manifest, bounds
        entry["recomputed"] = [problem]
        warnings.warn(f"{folder}: {problem}; making the final files again from the chunks (recomputing any that are "
                      f"gone)", ChunkRecomputed, stacklevel=4)
        manifest.pop("files", None)
        manifest["finished"] = None
    (folder / "chunks").mkdir(exist_ok=True)
    manifest["status"] = "running"
    return manifest, bounds


def _kept_chunks(folder: Path, manifest: dict, tasks: Sequence[ChunkTask], identity: dict, legacy: bool) -> set:
    """The chunks already in ``folder`` that pass their checks; every other one is removed, and
    named (a warning, and the manifest's last ``resumed`` entry) unless it was simply unfinished.

    A sealed chunk is checked against its seal and its seeds (:func:`verify.check_chunk`). A
    chunk without a seal was cut short, unless the folder predates seals (``legacy``): then its
    files are read and their replications and seeds checked, and it is sealed."""
    on_disk = runfolder.finished_chunks(folder) | runfolder.unsealed_chunks(folder)
    entries = {(e.get("cell"), e.get("chunk")): e for e in manifest.get("chunks") or []}
    kept, named = set(), []
    for task in tasks:
        key = (task.cell, task.chunk)
        if key not in on_disk:
            continue
        replications = (task.start, task.stop)
        seeds = [replication_seed(task.root_seed, i) for i in range(task.start, task.stop)]
        if runfolder.seal_path(folder, *key).exists():
            problem = verify.check_chunk(folder, task.cell, task.chunk, identity, replications, seeds)
        elif not legacy:
            runfolder.discard_chunk(folder, *key)
            continue
        else:
            problem = verify.check_content(folder, task.cell, task.chunk, replications, seeds)
            if problem is None:
                old = entries.get(key) or {}
                runfolder.seal_existing(folder, task.cell, task.chunk, {
                    "run": identity, "replications": list(replications), "seconds": old.get("seconds"),
                    "worker": old.get("worker"), "finished": old.get("finished")})
        if problem is None:
            kept.add(key)
            continue
        runfolder.discard_chunk(folder, *key)
        named.append(problem)
        where = f" of cell {task.cell_label!r}" if task.cell_label else ""
        warnings.warn(f"{folder}: {problem}; recomputing chunk {task.chunk}{where} (replications {task.start}-"
                      f"{task.stop - 1})", ChunkRecomputed, stacklevel=4)
    if named:
        manifest["resumed"][-1]["recomputed"] = manifest["resumed"][-1].get("recomputed", []) + named
    # The manifest's list is written at most once a second: a chunk sealed since has its entry in its seal.
    sealed = {(seal.get("cell"), seal.get("chunk")): seal for seal in runfolder.read_seals(folder)}
    manifest["chunks"] = [e for key, e in entries.items() if key in kept] + [
        {k: sealed[key].get(k) for k in ("cell", "chunk", "replications", "seconds", "worker", "finished")}
        for key in sorted(kept - set(entries)) if key in sealed]
    return kept


def _events_without_numbers(folder: Path, kept: set[tuple[int, int]]) -> bool:
    """Whether a chunk kept was written by an earlier version, its events without their numbers
    (:data:`runfolder.EVENT_NUMBERS`): read with them empty, beside chunks of this version's."""
    for cell, index in kept:
        path = runfolder.existing_chunk_file(folder, "events", cell, index)
        if path.suffix == runfolder.CHUNK_SUFFIX:
            with pa.OSFile(str(path)) as source:
                names = pa.ipc.open_file(source).schema.names
        else:
            names = pq.read_schema(path).names
        if not set(runfolder.EVENT_NUMBERS) <= set(names):
            return True
    return False


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
             done: set[tuple[int, int]], identity: dict, retellable: bool) -> None:
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
        stopped = False
        try:
            drain(executor, pending, window, folder, manifest, tracker, consolidator, done, parent_computes,
                  own_executor, identity)
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
        except OSError as err:  # the disk full or read-only: keep the chunks, say so if the manifest can be written
            consolidator.abort()
            manifest["status"] = "interrupted"
            manifest["error"] = {"error": f"{type(err).__name__}: {err}"}
            with contextlib.suppress(OSError):
                runfolder.write_manifest(folder, manifest)
            raise
        except BaseException as err:
            stopped = isinstance(err, KeyboardInterrupt)  # Ctrl+C, SIGTERM, SIGHUP: stop the workers at once
            if stopped and own_executor and not isinstance(executor, InlineExecutor):
                stop_pool(executor)
            consolidator.abort()
            manifest["status"] = "interrupted"
            runfolder.write_manifest(folder, manifest)
            raise
        finally:
            tracker.close()
            if own_executor and not stopped:
                executor.shutdown(wait=True, cancel_futures=True)


def _failed(folder: Path, manifest: dict, consolidator: runfolder.Consolidator, error: dict) -> None:
    consolidator.abort()
    manifest["status"] = "failed"
    manifest["error"] = error
    runfolder.write_manifest(folder, manifest)

"""``nzsim run``: a scenario's replications into a run folder, its summary printed."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import sys
import warnings
from pathlib import Path

from .common import UsageError, positive, say_stopped, seed


def _check_planned(spec, args: argparse.Namespace) -> None:
    """The replications the options plan stay within the scenario layer's limits, as the scenario
    file's own ``replications`` must (:func:`nzsim.scenario.limits.planned_problem`)."""
    from ..scenario.levers import cells
    from ..scenario.limits import MAX_REPLICATIONS, planned_problem

    if getattr(args, "planned_design", None) is not None:
        per_cell, what = args.planned_design.replications, (f"--design {args.design}" if args.design else
                                                            f"{args.scenario}: design")
    elif args.param_draws or args.seeds_per_draw:
        per_cell, what = (args.param_draws or 1) * (args.seeds_per_draw or 1), "--param-draws x --seeds-per-draw"
    elif args.reps is not None:
        per_cell, what = args.reps, "--reps"
    else:
        return
    if per_cell > MAX_REPLICATIONS:
        raise UsageError(f"{what}: at most {MAX_REPLICATIONS:,} replications a cell, got {per_cell:,}")
    if problem := planned_problem(len(cells(spec, args.scenario)), per_cell):
        raise UsageError(f"{what}: {problem}")


def cmd_run(args: argparse.Namespace) -> int:
    """Run a scenario's replications, print the summary table and write a run folder.

    A run with lever cells prints one table first, the cells side by side and the outcomes on
    which they differ most on top, and writes every cell's full summary to summary.txt (--full
    prints it too). The run folder holds manifest.json (scenario, hash, seeds, design, versions,
    timings), outcomes.parquet, trajectories.parquet, events.parquet, summary.csv, summary.txt,
    overview.csv (lever cells only) and figures/. Every
    replication's seed is a SeedSequence child of the root seed, so the same --seed gives the
    same results whatever --workers or --executor. A run that was interrupted (even killed)
    keeps its finished chunks: finish it with --resume DIR, which checks every chunk against the
    checksums and seeds recorded when it was written and recomputes any that fail (naming it),
    rebuilds a lost manifest from the chunks and the scenario, and, for a run already complete,
    checks its files, finishes its clean-up and writes its summary and figures again.
    """
    from ..runs import SchedulerUnreachable, dask_executor, run_ensemble
    from ..runs.errors import ChunkRecomputed
    from ..scenario import load

    if args.resume and args.out:
        raise UsageError("give either --out DIR for a new run or --resume DIR, not both")
    design = {"mc": "monte_carlo", None: None}.get(args.design, args.design)
    if design == "nested" and args.reps is not None:
        raise UsageError("--reps does not apply to --design nested (it runs K x M replications)")
    if design != "nested" and (args.param_draws or args.seeds_per_draw):
        raise UsageError("--param-draws and --seeds-per-draw need --design nested")
    if args.scheduler and args.executor != "dask":
        raise UsageError("--scheduler needs --executor dask")
    spec = load(args.scenario)
    design = _exploratory(spec, design, args)
    args.planned_design = design if not isinstance(design, (str, type(None))) else None
    _check_planned(spec, args)
    workers = args.workers or os.cpu_count() or 1
    options = dict(
        reps=args.reps, seed=args.seed, workers=workers, out=args.resume or args.out, design=design,
        param_draws=args.param_draws, seeds_per_draw=args.seeds_per_draw, chunk_size=args.chunk_size,
        resume=bool(args.resume), progress=not args.no_progress,
    )
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(_said(ChunkRecomputed))
            executor = None
            if args.executor == "dask":
                executor = stack.enter_context(dask_executor(args.scheduler, workers))
            run = run_ensemble(spec, executor=executor, **options, scenario_file=args.scenario)
    except SchedulerUnreachable as err:
        raise UsageError(str(err)) from None
    except ValueError as err:  # bad options, and RunFolderError (a ValueError)
        raise UsageError(str(err)) from None
    except KeyboardInterrupt as stop:  # Ctrl+C, SIGTERM, SIGHUP: the replications kept, and how to resume
        return say_stopped("run", stop, args.scenario, args.resume)
    try:
        return _report(run, args)
    except KeyboardInterrupt as stop:  # while the summary and figures are written: the run is complete, in run.path
        return say_stopped("run", stop, args.scenario, run.path)


#: The options of the exploratory designs, by the design field each sets (for the messages).
EXPLORATORY_OPTIONS = {"samples": "--samples", "seeds": "--seeds", "factors": "--factors", "range": "--range",
                       "levels": "--levels", "design": "--design"}


def _exploratory(spec, design: str | None, args: argparse.Namespace):
    """The exploratory design the options ask for (``--design lhs|sobol|morris|factorial``), checked;
    else ``design`` as it was, with a usage error for an exploratory option given without one."""
    from ..runs.designs import exploratory_design
    from ..runs.experiments import KINDS, DesignError

    given = [o for o, v in (("--samples", args.samples), ("--seeds", args.seeds), ("--factors", args.factors),
                            ("--range", args.range), ("--levels", args.levels), ("--second-order", args.second_order))
             if v not in (None, False, [])]
    if design is None and spec.design is not None and not given:  # the scenario file's design:
        from ..runs.designs import declared_design

        if args.reps is not None:
            raise UsageError(f"--reps does not apply: {args.scenario} declares a {spec.design.kind} design, which "
                             f"sets its own size")
        try:
            return declared_design(spec)
        except DesignError as err:
            raise UsageError(f"{args.scenario}: {err}") from None
    if design not in KINDS:
        if given:
            raise UsageError(f"{given[0]} needs an exploratory design: --design {'|'.join(KINDS)}")
        return design
    if args.reps is not None:
        raise UsageError(f"--reps does not apply to --design {design} (it runs its experiments x --seeds replications)")
    ranges = {}
    for text in args.range or ():
        name, _, bounds = text.partition("=")
        low, _, high = bounds.partition(":")
        try:
            ranges[name.strip()] = (float(low), float(high))
        except ValueError:
            raise UsageError(f"--range {text}: expected NAME=LOW:HIGH, e.g. china.trade_threshold=2:4") from None
    names = None
    if args.factors and args.factors != "assumptions":
        names = [n.strip() for n in args.factors.split(",") if n.strip()]
    try:
        return exploratory_design(spec, design, samples=args.samples, seeds=args.seeds or 1, factors=names,
                                  ranges=ranges, levels=args.levels, second_order=args.second_order)
    except DesignError as err:
        option = EXPLORATORY_OPTIONS.get(err.field, err.field)
        raise UsageError(f"{option}: {str(err).split(': ', 1)[1]}") from None


def _report(run, args: argparse.Namespace) -> int:
    """Write the summary files and figures of a complete run and print what ``nzsim run`` prints."""
    from ..reports import describe_run, format_run
    from ..reports.summary import cell_overview

    overview = cell_overview(run)  # computed once, for the files and for what is printed
    if args.no_figures:
        from ..analysis import summarise

        summary = summarise(run.outcomes, by=run.cell_column)
    else:
        try:
            summary = describe_run(run, overview=overview)  # writes summary.csv and the figures, returns the summary
        except OSError as err:  # the disk full or read-only: the run itself is complete and kept
            if err.errno not in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EROFS, errno.EACCES):
                raise
            print(f"nzsim run: error: {run.path}: {err.strerror or err} writing the summary and figures"
                  f"{f' ({Path(err.filename).name})' if err.filename else ''}; the run itself is complete; make room, "
                  f"then write them with: nzsim run {args.scenario} --resume {run.path}", file=sys.stderr)
            return 1
    sys.stdout.write(format_run(run, summary, full=args.full, written=not args.no_figures, overview=overview))
    sys.stdout.write(f"\nnext: nzsim report {run.path} (one HTML page), or nzsim compare {run.path} OTHER_RUN\n")
    return 0


@contextlib.contextmanager
def _said(category: type[Warning]):
    """Warnings of ``category`` printed as they come, one line each on stderr (a resumed run naming a
    chunk it recomputes), not as Python's ``file:line: Category: message`` with its source line."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", category)
        shown = warnings.showwarning

        def show(message, kind, filename, lineno, file=None, line=None):
            if issubclass(kind, category):
                print(f"nzsim run: {message}", file=sys.stderr)
            else:
                shown(message, kind, filename, lineno, file, line)

        warnings.showwarning = show
        yield


def add_commands(sub) -> None:
    run = sub.add_parser("run", help="run a scenario ensemble", description=cmd_run.__doc__)
    run.add_argument("scenario", metavar="SCENARIO", type=Path, help="scenario YAML file")
    run.add_argument("--reps", type=positive("replications"), help="replications (default: the scenario's)")
    run.add_argument("--seed", type=seed, help="root seed (whole number >= 0; default 0, or the resumed run's)")
    run.add_argument("--workers", type=positive("workers"),
                     help="workers (default: CPU count); with the default process pool, W workers are W - 1 worker "
                          "processes and this command computing too; 1 runs in this process")
    run.add_argument("--out", type=Path, help="new run folder (default: runs/<scenario>-seed<S>-<time>)")
    run.add_argument("--resume", type=Path, metavar="DIR", help="finish the unfinished run in DIR")
    run.add_argument("--executor", choices=("process", "dask"), default="process",
                     help="process pool (default) or a Dask cluster")
    run.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: start a local cluster)")
    run.add_argument("--design", choices=("mc", "monte_carlo", "nested", "lhs", "sobol", "morris", "factorial"),
                     help="plain Monte Carlo (default, or the resumed run's); nested: K parameter draws x M seeds; or "
                          "an exploratory design over parameters (docs/sensitivity.md): a Latin hypercube, Saltelli's "
                          "Sobol scheme, Morris trajectories or a full factorial, each experiment under --seeds seeds")
    run.add_argument("--param-draws", type=positive("parameter draws"), metavar="K")
    run.add_argument("--seeds-per-draw", type=positive("seeds per draw"), metavar="M")
    run.add_argument("--samples", type=positive("samples"), metavar="N",
                     help="exploratory designs: points of a Latin hypercube, base samples of a Sobol design "
                          "(a power of 2; N x (D + 2) experiments), or Morris trajectories (N x (D + 1))")
    run.add_argument("--seeds", type=positive("seeds per experiment"), metavar="S",
                     help="exploratory designs: seeds each experiment runs under (default 1)")
    run.add_argument("--factors", metavar="NAMES",
                     help="exploratory designs: the parameters to vary, comma-separated (default: every parameter "
                          "labelled an assumption that the scenario does not fix)")
    run.add_argument("--range", action="append", metavar="NAME=LOW:HIGH",
                     help="exploratory designs: a factor's range, within its documented one (default: that one); "
                          "a factor with a distribution in the scenario's uncertainties: follows it, truncated to the range")
    run.add_argument("--levels", type=positive("levels"), metavar="L",
                     help="factorial: values per factor (default 2, the ends of its range); morris: grid levels (default 4)")
    run.add_argument("--second-order", action="store_true", help="sobol: also the second-order indices (N x (2D + 2))")
    run.add_argument("--chunk-size", type=positive("replications per chunk"),
                     help="replications per chunk, exactly (default: about eight chunks per worker, 5-100, the last few "
                          "smaller; a resumed run keeps its own)")
    run.add_argument("--no-figures", action="store_true", help="skip the summary files and figures")
    run.add_argument("--full", action="store_true",
                     help="a run with lever cells: print every cell's full summary after the table of the cells")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)


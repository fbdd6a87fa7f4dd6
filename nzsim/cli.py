"""The ``nzsim`` command: a thin layer over the library.

Every user mistake (a bad scenario file, a bad option) ends with one line on stderr and exit
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from . import scenario as scenario_mod
from .parameters import markdown_table
from .ensemble import EnsembleError
from .scenario import ScenarioError
from .version import code_version

EXIT_USAGE = 2


class UsageError(ValueError):
    """A user mistake on the command line: one line on stderr, exit status 2."""


def _whole(minimum: int, what: str = ""):
    """An argparse type: a whole number of at least ``minimum``."""
    label = f" ({what})" if what else ""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}{label}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}{label}, got {value}")
        return value

    return parse


def _positive(what: str):
    return _whole(1, what)


_seed = _whole(0)


def cmd_check(args: argparse.Namespace) -> int:
    """Validate scenario files and print each resolved scenario (after 'extends').

    Prints the canonical YAML of each scenario with its content hash. A bad file is reported
    by name, field and expectation; the others are still checked. Exit status 2 if any failed.
    """
    failed = 0
    for i, path in enumerate(args.scenarios):
        try:
            spec = scenario_mod.load(path)
        except ScenarioError as err:
            print(f"nzsim check: error: {err}", file=sys.stderr)
            failed += 1
            continue
        if args.quiet:
            print(f"ok {path} sha256 {spec.sha256}")
            continue
        if i:
            print("---")
        print(f"# {path}: valid; sha256 {spec.sha256}")
        print(spec.to_yaml(), end="")
    return EXIT_USAGE if failed else 0


def cmd_story(args: argparse.Namespace) -> int:
    """Run one replication and tell its story: dated events in plain English, then the outcomes.

    The same scenario and seed print the same story, byte for byte.
    """
    spec = scenario_mod.load(args.scenario)
    from .replication import replicate  # the model: loaded by the commands that build one
    from .story import tell

    rep = replicate(spec, seed=args.seed)
    sys.stdout.write(tell(spec, rep))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run a scenario's replications, print the summary table and write a run folder.

    The run folder holds manifest.json (scenario, hash, seeds, design, versions, timings),
    outcomes.parquet, trajectories.parquet, events.parquet, summary.csv and figures/. Every
    replication's seed is a SeedSequence child of the root seed, so the same --seed gives the
    same results whatever --workers or --executor. A run that was interrupted (even killed)
    keeps its finished chunks: finish it with --resume DIR.
    """
    from . import analysis
    from .ensemble import SchedulerUnreachable, dask_executor, run_ensemble

    if args.resume and args.out:
        raise UsageError("give either --out DIR for a new run or --resume DIR, not both")
    design = {"nested": "nested", "mc": "monte_carlo", "monte_carlo": "monte_carlo", None: None}[args.design]
    if design == "nested" and args.reps is not None:
        raise UsageError("--reps does not apply to --design nested (it runs K x M replications)")
    if design != "nested" and (args.param_draws or args.seeds_per_draw):
        raise UsageError("--param-draws and --seeds-per-draw need --design nested")
    if args.scheduler and args.executor != "dask":
        raise UsageError("--scheduler needs --executor dask")
    spec = scenario_mod.load(args.scenario)
    workers = args.workers or os.cpu_count() or 1
    options = dict(
        reps=args.reps, seed=args.seed, workers=workers, out=args.resume or args.out, design=design,
        param_draws=args.param_draws, seeds_per_draw=args.seeds_per_draw, chunk_size=args.chunk_size,
        resume=bool(args.resume), progress=not args.no_progress, describe=not args.no_figures,
    )
    try:
        with contextlib.ExitStack() as stack:
            executor = None
            if args.executor == "dask":
                executor = stack.enter_context(dask_executor(args.scheduler, workers))
            run = run_ensemble(spec, executor=executor, **options, scenario_file=args.scenario)
    except SchedulerUnreachable as err:
        raise UsageError(str(err)) from None
    except ValueError as err:  # bad options, and RunFolderError (a ValueError)
        raise UsageError(str(err)) from None
    except KeyboardInterrupt:
        print(f"nzsim run: interrupted; finish it with: nzsim run {args.scenario} "
              f"--resume {args.resume or args.out or 'DIR'}", file=sys.stderr)
        return 130
    summary = analysis.summarise(run.outcomes, by=run.cell_column)
    sys.stdout.write(format_summary(run, summary))
    sys.stdout.write(f"\nnext: nzsim report {run.path} (one HTML page), or nzsim compare {run.path} OTHER_RUN\n")
    return 0


def format_summary(run, summary) -> str:
    """The summary table as text: numeric outcomes with mean, median and 5-95% band; the rest as probabilities."""
    m = run.manifest
    lines = [
        f"{m['scenario_name']}: {len(run.outcomes):,} replications, root seed {m['root_seed']}, "
        f"scenario sha256 {m['scenario_sha256'][:16]}",
        f"results in {run.path}",
    ]
    groups = [(None, summary)] if "cell" not in summary.columns else list(summary.groupby("cell", sort=False))
    for group, frame in groups:
        lines.append("")
        if group is not None:
            lines.append(f"cell: {group}")
        numeric = frame[frame["kind"] == "numeric"]
        if len(numeric):
            width = max(len(o) for o in numeric["outcome"])
            lines.append(f"  {'outcome':<{width}}  {'mean':>10}  {'median':>10}  {'5%-95%':>23}")
            for row in numeric.itertuples():
                if row.n == 0:
                    lines.append(f"  {row.outcome:<{width}}  {'(none)':>10}")
                    continue
                band = f"{_num(row.p05)} to {_num(row.p95)}"
                lines.append(f"  {row.outcome:<{width}}  {_num(row.mean):>10}  {_num(row.median):>10}  {band:>23}")
        other = frame[frame["kind"] != "numeric"]
        if len(other):
            labels = [_probability_label(row) for row in other.itertuples()]
            width = max(len(label) for label in labels)
            lines.append(f"  {'probability of':<{width}}  {'P':>6}")
            for label, row in zip(labels, other.itertuples()):
                shown = "-" if row.n == 0 else f"{row.probability:.3f}"
                lines.append(f"  {label:<{width}}  {shown:>6}")
    return "\n".join(lines) + "\n"


def _probability_label(row) -> str:
    """What a probability row is the probability of, in words a reader can take at face value."""
    if row.kind == "timing":  # e.g. partnership_week: signed at all, and when (median week)
        when = "" if row.probability == 0 or row.median != row.median else f", median week {row.median:.0f}"
        return f"{row.outcome}: happened during the run{when}"
    return row.outcome


def _num(value: float) -> str:
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3f}"


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare finished runs: each run's mean or probability of each outcome, its difference
    from the baseline run with a seeded bootstrap interval, and which runs sit on the tradeoff
    frontier (interoperability, exports lost, China's warnings, approval, partners' trust).

    Runs made with the same --seed share each replication's seed (common random numbers), so
    their differences are resampled in pairs and come out sharper. A run with lever cells
    counts as one run per cell. Prints the table and writes comparison.csv, frontier.csv,
    comparison.json (what was compared, with hashes and seeds) and figures/ into --out.
    """
    from . import analysis, report

    paths = list(args.runs)
    seen: dict[Path, Path] = {}
    for path in paths:  # the same folder twice, however it is written, is a mistake
        if path.resolve() in seen:
            raise UsageError(f"{path}: the same run as {seen[path.resolve()]}, given twice")
        seen[path.resolve()] = path
    if args.baseline is not None and args.baseline.resolve() not in seen:
        paths.insert(0, args.baseline)
    runs_by_path = {}
    for path in paths:
        try:
            runs_by_path[path.resolve()] = analysis.load_run(path)
        except ValueError as err:
            raise UsageError(str(err)) from None
    names = [run.manifest.get("scenario_name") for run in runs_by_path.values()]
    runs, labels = {}, {}
    for (path, run), name in zip(runs_by_path.items(), names):
        label = name if names.count(name) == 1 else f"{name} ({path.name})"
        if label in runs:
            raise UsageError(f"{path}: two runs of scenario {name!r} share the folder name {path.name!r}; "
                             f"rename one folder to tell them apart")
        runs[label], labels[path] = run, label
    cell_runs = sum(max(1, len([c for c in r.manifest["design"]["cells"] if c["label"]])) for r in runs.values())
    if cell_runs < 2:
        raise UsageError("expected at least two runs to compare (or one run with lever cells)")
    baseline = None
    if args.baseline is not None:
        baseline = labels[args.baseline.resolve()]
        cells = [c["label"] for c in runs[baseline].manifest["design"]["cells"] if c["label"]]
        if len(cells) > 1:  # a run with cells: its first cell is the baseline
            baseline = cells[0] if len(runs) == 1 else f"{baseline} / {cells[0]}"
    out = args.out or _new_folder(Path("runs") / f"compare-{_utc_stamp()}")
    outcomes = [o.strip() for o in args.outcomes.split(",") if o.strip()] if args.outcomes else None
    try:
        table, frontier = report.write_comparison(
            runs, out, baseline=baseline, outcomes=outcomes, level=args.level, resamples=args.resamples, seed=args.seed
        )
    except ValueError as err:
        raise UsageError(str(err)) from None
    sys.stdout.write(report.format_comparison(table))
    on = frontier[frontier["on_frontier"]]["run"].tolist()
    off = frontier[~frontier["on_frontier"]]
    lines = ["", f"Tradeoff frontier on {', '.join(report.FRONTIER_OBJECTIVES)}:",
             f"  not dominated: {'; '.join(on)}"]
    lines += [f"  dominated: {row.run} (by {row.dominated_by})" for row in off.itertuples()]
    lines += ["", f"results in {out}"]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write one self-contained HTML report of a finished run: figures embedded, the scenario
    and manifest, the summary table, and the story of a typical replication.

    Default: report.html in the run folder. Open it in any browser; it needs no other file.
    """
    from . import analysis, report

    try:
        run = analysis.load_run(args.run)
    except ValueError as err:
        raise UsageError(str(err)) from None
    out = args.out
    if out is not None and out.is_dir():
        raise UsageError(f"--out {out}: is a folder; expected the path of an .html file")
    try:
        path = report.write_html_report(run, out)
    except ValueError as err:
        raise UsageError(f"{args.run}: {err}") from None
    except OSError as err:
        raise UsageError(f"--out {out or run.path / 'report.html'}: cannot be written ({err.strerror})") from None
    print(f"report written to {path}")
    return 0


def _new_folder(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``... if it exists (two comparisons in the same second)."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def _utc_stamp() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _coverage(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a coverage between 0 and 1 such as 0.95, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a coverage between 0 and 1 such as 0.95, got {value}")
    return value


def cmd_parameters(args: argparse.Namespace) -> int:
    """Print the parameter table (name, default, unit, range, meaning, source) as Markdown.

    This is what docs/parameters.md holds: ``nzsim parameters > docs/parameters.md``.
    """
    sys.stdout.write(markdown_table())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nzsim",
        description=(
            "Simulate New Zealand's foreign-policy tradeoffs between NATO interoperability, "
            "an independent foreign policy and trade with China."
        ),
    )
    parser.add_argument("--version", action="version", version=code_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    check = sub.add_parser("check", help="validate scenario files", description=cmd_check.__doc__)
    check.add_argument("scenarios", nargs="+", metavar="SCENARIO", type=Path, help="scenario YAML file(s)")
    check.add_argument("-q", "--quiet", action="store_true", help="print one line per valid file, not the scenario")
    check.set_defaults(func=cmd_check)

    story = sub.add_parser("story", help="tell the story of one replication", description=cmd_story.__doc__)
    story.add_argument("scenario", metavar="SCENARIO", type=Path, help="scenario YAML file")
    story.add_argument("--seed", type=_seed, default=0, help="replication seed (whole number >= 0; default 0)")
    story.set_defaults(func=cmd_story)

    run = sub.add_parser("run", help="run a scenario ensemble", description=cmd_run.__doc__)
    run.add_argument("scenario", metavar="SCENARIO", type=Path, help="scenario YAML file")
    run.add_argument("--reps", type=_positive("replications"), help="replications (default: the scenario's)")
    run.add_argument("--seed", type=_seed, help="root seed (whole number >= 0; default 0, or the resumed run's)")
    run.add_argument("--workers", type=_positive("workers"),
                     help="workers (default: CPU count); with the default process pool, W workers are W - 1 worker "
                          "processes and this command computing too; 1 runs in this process")
    run.add_argument("--out", type=Path, help="new run folder (default: runs/<scenario>-seed<S>-<time>)")
    run.add_argument("--resume", type=Path, metavar="DIR", help="finish the unfinished run in DIR")
    run.add_argument("--executor", choices=("process", "dask"), default="process",
                     help="process pool (default) or a Dask cluster")
    run.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: start a local cluster)")
    run.add_argument("--design", choices=("mc", "monte_carlo", "nested"),
                     help="plain Monte Carlo (default, or the resumed run's) or nested: K parameter draws x M seeds")
    run.add_argument("--param-draws", type=_positive("parameter draws"), metavar="K")
    run.add_argument("--seeds-per-draw", type=_positive("seeds per draw"), metavar="M")
    run.add_argument("--chunk-size", type=_positive("replications per chunk"),
                     help="replications per chunk, exactly (default: about eight chunks per worker, 5-100, the last few "
                          "smaller; a resumed run keeps its own)")
    run.add_argument("--no-figures", action="store_true", help="skip the summary file and figures")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)

    compare = sub.add_parser("compare", help="compare finished runs", description=cmd_compare.__doc__)
    compare.add_argument("runs", nargs="+", metavar="RUN", type=Path, help="run folders (from nzsim run)")
    compare.add_argument("--baseline", type=Path, metavar="RUN", help="the run the others are measured against (default: the first)")
    compare.add_argument("--out", type=Path, help="new folder for the results (default: runs/compare-<UTC time>)")
    compare.add_argument("--outcomes", metavar="A,B,...",
                         help="outcomes to compare, comma-separated; quote it in the shell when it holds >= "
                              "(e.g. 'trade_coercion,china_max_rung>=warning')")
    compare.add_argument("--level", type=_coverage, default=0.95, help="interval coverage (default 0.95)")
    compare.add_argument("--resamples", type=_whole(100, "bootstrap resamples"), default=2000,
                         help="bootstrap resamples (default 2000)")
    compare.add_argument("--seed", type=_seed, default=0, help="bootstrap seed (default 0)")
    compare.set_defaults(func=cmd_compare)

    report = sub.add_parser("report", help="write an HTML report of a run", description=cmd_report.__doc__)
    report.add_argument("run", metavar="RUN", type=Path, help="run folder (from nzsim run)")
    report.add_argument("--out", type=Path, metavar="FILE", help="where to write the page (default: RUN/report.html)")
    report.set_defaults(func=cmd_report)

    table = sub.add_parser("parameters", help="print the parameter table", description=cmd_parameters.__doc__)
    table.set_defaults(func=cmd_parameters)
    from . import teaching_cli  # dashboard and classroom

    teaching_cli.add_commands(sub)
    from . import validation_cli  # validate and calibrate

    validation_cli.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ScenarioError, UsageError) as err:
        print(f"nzsim {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except EnsembleError as err:
        hint = ""
        if args.command == "run":
            hint = f"; finish the run with: nzsim run {args.scenario} --resume {err.folder}"
        print(f"nzsim {args.command}: error: {err}{hint}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `nzsim check ... | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("nzsim: interrupted", file=sys.stderr)
        return 130

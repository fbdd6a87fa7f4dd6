"""``nzsim compare`` and ``nzsim report``: finished runs compared, and one run as an HTML page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import UsageError, coverage, new_folder, seed, utc_stamp, whole


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare finished runs: each run's mean or probability of each outcome, its difference
    from the baseline run with a seeded bootstrap interval, and which runs sit on the tradeoff
    frontier (interoperability, exports lost, China's warnings, approval, partners' trust).

    Runs made with the same --seed share each replication's seed (common random numbers), so
    their differences are resampled in pairs and come out sharper. A run with lever cells
    counts as one run per cell. Prints one table first, the runs side by side and the outcomes
    that differ most on top, then the frontier; writes overview.csv (every outcome),
    comparison.csv and comparison.txt (each outcome's table of differences and intervals; --full
    prints them too), frontier.csv, comparison.json (what was compared, with hashes and seeds)
    and figures/ into --out.
    """
    from .. import analysis, reports
    from ..analysis.overviews import RESERVED

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
    reserved = set(RESERVED)  # a scenario named like a column of the overview ("outcome") is told by its folder
    for (path, run), name in zip(runs_by_path.items(), names):
        label = name if names.count(name) == 1 and name not in reserved else f"{name} ({path.name})"
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
    out = args.out or new_folder(Path("runs") / f"compare-{utc_stamp()}")
    outcomes = [o.strip() for o in args.outcomes.split(",") if o.strip()] if args.outcomes else None
    try:
        table, frontier = reports.write_comparison(
            runs, out, baseline=baseline, outcomes=outcomes, level=args.level, resamples=args.resamples, seed=args.seed
        )
    except ValueError as err:
        raise UsageError(str(err)) from None
    overview = analysis.overview(runs, comparison=table)
    sys.stdout.write(reports.format_overview(overview, what="run"))
    ending = "" if args.full else "; --full prints them"
    sys.stdout.write(f"Every outcome: {out / 'overview.csv'}; each outcome's differences and intervals: "
                     f"{out / 'comparison.txt'} (and comparison.csv){ending}.\n")
    if args.full:
        sys.stdout.write("\n" + reports.format_comparison(table))
    on = frontier[frontier["on_frontier"]]["run"].tolist()
    off = frontier[~frontier["on_frontier"]]
    lines = ["", f"Tradeoff frontier on {', '.join(reports.frontier_objectives())}:",
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
    from .. import analysis, reports

    try:
        run = analysis.load_run(args.run)
    except ValueError as err:
        raise UsageError(str(err)) from None
    out = args.out
    if out is not None and out.is_dir():
        raise UsageError(f"--out {out}: is a folder; expected the path of an .html file")
    try:
        path = reports.write_html_report(run, out)
    except ValueError as err:
        raise UsageError(f"{args.run}: {err}") from None
    except OSError as err:
        raise UsageError(f"--out {out or run.path / 'report.html'}: cannot be written ({err.strerror})") from None
    print(f"report written to {path}")
    return 0


def add_commands(sub) -> None:
    compare = sub.add_parser("compare", help="compare finished runs", description=cmd_compare.__doc__)
    compare.add_argument("runs", nargs="+", metavar="RUN", type=Path, help="run folders (from nzsim run)")
    compare.add_argument("--baseline", type=Path, metavar="RUN", help="the run the others are measured against (default: the first)")
    compare.add_argument("--out", type=Path, help="new folder for the results (default: runs/compare-<UTC time>)")
    compare.add_argument("--outcomes", metavar="A,B,...",
                         help="outcomes to compare, comma-separated; quote it in the shell when it holds >= "
                              "(e.g. 'trade_coercion,china_max_rung>=warning')")
    compare.add_argument("--level", type=coverage, default=0.95, help="interval coverage (default 0.95)")
    compare.add_argument("--resamples", type=whole(100, "bootstrap resamples"), default=2000,
                         help="bootstrap resamples (default 2000)")
    compare.add_argument("--seed", type=seed, default=0, help="bootstrap seed (default 0)")
    compare.add_argument("--full", action="store_true",
                         help="also print each outcome's table of differences and intervals (as comparison.txt holds)")
    compare.set_defaults(func=cmd_compare)

    report = sub.add_parser("report", help="write an HTML report of a run", description=cmd_report.__doc__)
    report.add_argument("run", metavar="RUN", type=Path, help="run folder (from nzsim run)")
    report.add_argument("--out", type=Path, metavar="FILE", help="where to write the page (default: RUN/report.html)")
    report.set_defaults(func=cmd_report)


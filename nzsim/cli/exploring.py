"""``nzsim sensitivity``, ``nzsim discover`` and ``nzsim robust``: which uncertain parameters move
each outcome of a finished run, under which conditions an outcome happens, and which lever cells
hold up across everything the run varied."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import UsageError, positive, seed


def _outcome_list(text: str | None, run) -> list[str] | None:
    """``--outcomes a,b``, each checked against the run's outcome columns."""
    if not text:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    from ..analysis import compared_outcomes

    known = set(compared_outcomes(run.outcomes)) | set(run.outcomes.columns)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"--outcomes: {unknown[0]!r} is not an outcome of this run (see its summary.csv)")
    return names


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Rank the parameters of a finished run by how much each moves each outcome (global
    sensitivity, SALib's), beside the share of each outcome's variance that is chance.

    A run made with --design sobol gives Sobol first-order (S1) and total (ST) indices; with
    --design morris, Morris's mu* and sigma; any other run whose replications drew parameters
    (uncertainties:, a nested, Latin hypercube or factorial design), the given-data delta index.
    Intervals are 95% bootstrap intervals. Prints each outcome's ranked factors and writes
    sensitivity.csv and figures/sensitivity.png into the run folder. docs/sensitivity.md says
    how to read them.
    """
    from .. import analysis
    from ..reports.exploring import format_sensitivity, write_sensitivity

    try:
        run = analysis.load_run(args.run)
    except ValueError as err:
        raise UsageError(str(err)) from None
    outcomes = _outcome_list(args.outcomes, run)
    try:
        table = analysis.sensitivity(run, outcomes, method=args.method, resamples=args.resamples, seed=args.seed)
    except ValueError as err:
        raise UsageError(str(err)) from None
    print(format_sensitivity(table, top=args.top), end="")
    written = write_sensitivity(run, table, figure=not args.no_figures)
    print("written: " + ", ".join(str(p) for p in written))
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    """Find the conditions under which an outcome happens (scenario discovery): PRIM's box
    (EMA Workbench's) and a decision tree's leaves (scikit-learn's), each as a sentence, over the
    parameters the run drew and its levers.

    The outcome is yes/no (trade_coercion, 'china_max_rung>=warning'), or numeric with --threshold
    (the runs at or above it, or at or below it with --below). PRIM peels the inputs toward the
    runs with the outcome; the box printed is the densest on its trajectory still holding
    --coverage of them (default half). Writes discovery-<outcome>.csv and
    figures/discovery-<outcome>.png (the peeling trade-off) into the run folder.
    """
    from .. import analysis
    from ..analysis.discovery import discover
    from ..reports.exploring import format_discovery, write_discovery

    try:
        run = analysis.load_run(args.run)
    except ValueError as err:
        raise UsageError(str(err)) from None
    known = set(run.outcomes.columns)
    if args.outcome.partition(">=")[0] not in known:
        raise UsageError(f"--outcome: {args.outcome!r} is not an outcome of this run (see its summary.csv)")
    try:
        found = discover(run, args.outcome, args.threshold, below=args.below, cell=args.cell,
                         min_coverage=args.coverage)
    except (ValueError, KeyError) as err:
        message = str(err).strip("'\"")
        option = "--cell" if message.startswith("cell ") else "--outcome"
        raise UsageError(f"{option}: {message}") from None
    print(format_discovery(found), end="")
    written = write_discovery(run, found, figure=not args.no_figures)
    print("written: " + ", ".join(str(p) for p in written))
    return 0


def cmd_robust(args: argparse.Namespace) -> int:
    """How each lever cell of a run does across its experiments (robust choices): each outcome's
    mean and percentiles over the experiments, its regret (how far it falls short of the best cell
    in the same experiment: mean and worst), the share of experiments in which it meets each
    --satisfice threshold, and the tradeoff frontier of the cells, a cell being dominated only when
    another beats it in most paired bootstrap resamples of the experiments.

    Needs a run with lever cells; an exploratory or nested design gives the experiments (a plain
    run's replications, which every cell runs with the same seeds, serve otherwise). Writes
    robustness.csv, robust_frontier.csv and figures/robustness.png into the run folder.
    """
    from .. import analysis
    from ..analysis.robustness import dominance, parse_threshold, robustness
    from ..catalogue.outcomes import objectives
    from ..reports.exploring import format_robustness, write_robustness

    try:
        run = analysis.load_run(args.run)
    except ValueError as err:
        raise UsageError(str(err)) from None
    if "cell" not in run.outcomes.columns:
        raise UsageError(f"{args.run}: the run has one lever cell; robust choices compare several (levers: in the scenario)")
    ways = {}  # NAME:max or NAME:min gives an outcome without a direction in the catalogue its way
    for part in (args.outcomes or "").split(","):
        name, sep, way = part.strip().partition(":")
        if sep and way not in ("max", "min"):
            raise UsageError(f"--outcomes: {part.strip()!r}: expected NAME, NAME:max or NAME:min")
        if sep:
            ways[name] = way
    names = _outcome_list(",".join(p.strip().partition(":")[0] for p in (args.outcomes or "").split(",")) or None, run)
    if names is not None and ways:
        from ..catalogue.outcomes import direction

        outcomes = {n: ways.get(n) or direction(n) for n in names}
    else:
        outcomes = names
    for text in args.satisfice or ():
        try:
            name, _, _ = parse_threshold(text)
        except ValueError as err:
            raise UsageError(f"--satisfice: {err}") from None
        if name.partition(">=")[0] not in run.outcomes.columns:
            raise UsageError(f"--satisfice {text}: {name!r} is not an outcome of this run")
    try:
        table = robustness(run, outcomes, thresholds=args.satisfice or ())
        chosen = objectives(args.frontier.split(",")) if args.frontier else objectives(
            [n for n in ("final_interoperability", "exports_lost_nzd_m", "china_max_rung>=warning")
             if n.partition(">=")[0] in run.outcomes.columns])
        frontier = dominance(run, chosen, resamples=args.resamples, seed=args.seed) if len(chosen) >= 2 else None
    except (ValueError, KeyError) as err:
        raise UsageError(str(err).strip("'\"")) from None
    print(format_robustness(table, frontier), end="")
    written = write_robustness(run, table, frontier, figure=not args.no_figures)
    print("written: " + ", ".join(str(p) for p in written))
    return 0


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}")
    return value


def add_commands(sub) -> None:
    s = sub.add_parser("sensitivity", help="rank the parameters that move each outcome of a run",
                       description=cmd_sensitivity.__doc__)
    s.add_argument("run", metavar="RUN", type=Path, help="run folder (from nzsim run)")
    s.add_argument("--outcomes", metavar="A,B,...", help="outcomes to analyse, comma-separated (default: every one that varies)")
    s.add_argument("--method", choices=("sobol", "morris", "delta"), help="default: the run's design's (else delta)")
    s.add_argument("--top", type=positive("factors shown"), default=10, help="factors printed per outcome (default 10)")
    s.add_argument("--resamples", type=positive("bootstrap resamples"), default=200,
                   help="bootstrap resamples of the intervals (default 200)")
    s.add_argument("--seed", type=seed, default=0, help="bootstrap seed (default 0)")
    s.add_argument("--no-figures", action="store_true", help="skip figures/sensitivity.png")
    s.set_defaults(func=cmd_sensitivity)

    d = sub.add_parser("discover", help="find the conditions under which an outcome happens (PRIM, a decision tree)",
                       description=cmd_discover.__doc__)
    d.add_argument("run", metavar="RUN", type=Path, help="run folder (from nzsim run)")
    d.add_argument("--outcome", required=True, help="a yes/no outcome, or a numeric one with --threshold")
    d.add_argument("--threshold", type=float, help="a numeric outcome's cases: the runs at or above this value")
    d.add_argument("--below", action="store_true", help="with --threshold: the runs at or below it instead")
    d.add_argument("--cell", help="one lever cell's runs only (default: every cell, the levers among the inputs)")
    d.add_argument("--coverage", type=_share, default=0.5,
                   help="the box chosen is the densest still holding this share of the runs with the outcome (default 0.5)")
    d.add_argument("--no-figures", action="store_true", help="skip figures/discovery-<outcome>.png")
    d.set_defaults(func=cmd_discover)

    r = sub.add_parser("robust", help="how each lever cell does across a run's experiments (regret, satisficing)",
                       description=cmd_robust.__doc__)
    r.add_argument("run", metavar="RUN", type=Path, help="run folder (from nzsim run), with lever cells")
    r.add_argument("--outcomes", metavar="A,B,...", help="outcomes to weigh (default: every one with a direction that varies)")
    r.add_argument("--satisfice", action="append", metavar="OUTCOME<=VALUE",
                   help="a threshold each cell should meet (repeatable), e.g. 'trade_coercion<=0.3' or "
                        "'final_interoperability>=0.6' (quote it in the shell)")
    r.add_argument("--frontier", metavar="A,B,...",
                   help="the objectives of the frontier (default: interoperability, exports lost, China's warning)")
    r.add_argument("--resamples", type=positive("bootstrap resamples"), default=1000,
                   help="bootstrap resamples of the frontier (default 1000)")
    r.add_argument("--seed", type=seed, default=0, help="bootstrap seed (default 0)")
    r.add_argument("--no-figures", action="store_true", help="skip figures/robustness.png")
    r.set_defaults(func=cmd_robust)

"""``nzsim sensitivity``: which uncertain parameters move each outcome of a finished run."""

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

"""``nzsim validate`` and ``nzsim calibrate``: thin commands over :mod:`nzsim.validation`.

Exit status: 0 when every target passes (validate) or the run finished (calibrate); 1 when a
target fails; 2 for a user mistake (a bad targets file, a bad option), with one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .common import EXIT_FAILED, EXIT_USAGE, whole

#: The project's targets, as ``nzsim validate`` finds them when run from the project folder.
DEFAULT_TARGETS = Path("validation") / "targets.yaml"


def _load(args):
    from ..validation import TargetsError, load_targets

    if args.targets is None and not DEFAULT_TARGETS.is_file():
        print(f"nzsim {args.command}: error: {DEFAULT_TARGETS}: no such file here; run it from the project folder "
              f"(where validation/targets.yaml is), or give a targets file with --targets FILE", file=sys.stderr)
        return None
    try:
        return load_targets(args.targets or DEFAULT_TARGETS)
    except TargetsError as err:
        print(f"nzsim {args.command}: error: {err}", file=sys.stderr)
        return None


def cmd_validate(args: argparse.Namespace) -> int:
    """Run every validation target and print the scorecard.

    Each scenario the targets name is simulated once (replication i seeded as in `nzsim run`
    with the same --seed) and shared by the targets that use it. For each target the scorecard
    gives the rule, the simulated distribution (median and 90% band, the probability, or the
    mean paired difference), pass or fail, and a Brier score where the target states what
    happened. Targets that name an episode of the coercion library are also scored together, the
    fitting and the held-back episodes apart: their mean Brier score and whether P(economic
    measures) orders the episodes with measures above those without. Exit status 1 if any target
    fails or the fitting episodes miss the Brier bar (0.10) or the ordering, 2 for a bad targets file.
    """
    from ..validation import episode_summary, scorecard_text, shown_path, validate

    targets = _load(args)
    if targets is None:
        return EXIT_USAGE
    card = validate(targets, reps=args.reps, seed=args.seed, workers=args.workers or os.cpu_count() or 1)
    print(f"nzsim validate: {len(card)} targets from {shown_path(targets.file)}, {args.reps} replications per scenario, seed {args.seed}")
    print()
    print(scorecard_text(card))
    if args.csv:
        card.to_csv(args.csv, index=False)
    episodes_met = all(summary.met for summary in episode_summary(card) if summary.use == "fit")
    return 0 if bool(card["passed"].all()) and episodes_met else EXIT_FAILED


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Search the free parameters with a seeded Latin hypercube against the fitting targets.

    Scores the current defaults and --samples parameter sets on every target at --reps
    replications per scenario, reports which sets are consistent with all the fitting targets
    (and how they do on the held-back ones), and writes the evidence and the chosen defaults to
    OUT/calibration.json and OUT/calibration.md (default OUT: validation/).
    """
    from ..validation import calibration

    targets = _load(args)
    if targets is None:
        return EXIT_USAGE
    evidence = calibration.calibrate(targets, samples=args.samples, reps=args.reps, seed=args.seed,
                                     workers=args.workers or os.cpu_count() or 1)
    out = args.out or Path(targets.file).parent
    try:
        js, md = calibration.write(evidence, out)
    except OSError as err:
        print(f"nzsim calibrate: error: cannot write to {out}: {err.strerror or err}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(calibration.summary_text(evidence))
    print(f"\nwrote {js} and {md}")
    return 0


def add_commands(sub) -> None:
    """Add `validate` and `calibrate` to the nzsim command line."""
    v = sub.add_parser("validate", help="score the model against the validation targets", description=cmd_validate.__doc__)
    v.add_argument("--reps", type=whole(1, ""), default=200, help="replications per scenario (default 200)")
    v.add_argument("--seed", type=whole(0, ""), default=0, help="root seed (default 0)")
    v.add_argument("--workers", type=whole(1, ""), help="worker processes (default: CPU count)")
    v.add_argument("--targets", type=Path, metavar="FILE", help="targets file (default validation/targets.yaml)")
    v.add_argument("--csv", type=Path, metavar="FILE", help="also write the scorecard as CSV")
    v.set_defaults(func=cmd_validate)

    c = sub.add_parser("calibrate", help="search the free parameters against the fitting targets", description=cmd_calibrate.__doc__)
    c.add_argument("--samples", type=whole(1, ""), default=48, help="Latin-hypercube parameter sets (default 48)")
    c.add_argument("--reps", type=whole(1, ""), default=30, help="replications per scenario and set (default 30)")
    c.add_argument("--seed", type=whole(0, ""), default=0, help="seed of the design and the replications (default 0)")
    c.add_argument("--workers", type=whole(1, ""), help="worker processes (default: CPU count)")
    c.add_argument("--targets", type=Path, metavar="FILE", help="targets file (default validation/targets.yaml)")
    c.add_argument("--out", type=Path, metavar="DIR", help="where to write calibration.json and .md (default: the targets file's folder)")
    c.set_defaults(func=cmd_calibrate)

"""``nzsim validate`` and ``nzsim calibrate``: thin commands over :mod:`nzsim.validation`.

Exit status: 0 when every target passes (validate) or the run finished (calibrate); 1 when a
target fails; 2 for a user mistake (a bad targets file, a bad option), with one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .common import EXIT_FAILED, EXIT_USAGE, UsageError, new_folder, utc_stamp, whole

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
    calibration.json and calibration.md in a new results folder, runs/calibration-<UTC time>
    (or --out DIR). The project's tracked evidence, validation/calibration.json and .md beside
    the targets file, is replaced only with --update-evidence.
    """
    from ..validation import calibration

    if args.out is not None and args.update_evidence:
        raise UsageError("give either --out DIR or --update-evidence (which writes beside the targets file), not both")
    targets = _load(args)
    if targets is None:
        return EXIT_USAGE
    out, made, where = _destination(args, Path(targets.file).parent)
    try:
        evidence = calibration.calibrate(targets, samples=args.samples, reps=args.reps, seed=args.seed,
                                         workers=args.workers or os.cpu_count() or 1)
    except BaseException:
        for folder in reversed(made):  # nothing was written into the folders made for it
            _remove_if_empty(folder)
        raise
    try:
        js, md = calibration.write(evidence, out)
    except OSError as err:
        raise UsageError(f"{where}: cannot be written ({err.strerror or err})") from None
    sys.stdout.write(calibration.summary_text(evidence))
    print(f"\nwrote {js} and {md}")
    if not args.update_evidence and args.out is None:
        print("(the project's evidence beside the targets file is unchanged; --update-evidence replaces it)")
    return 0


def _destination(args: argparse.Namespace, beside_targets: Path) -> tuple[Path, list[Path], str]:
    """The folder the evidence goes to, made now (so that a bad one is told at once, not after
    hours of simulation); the folders made for it, outermost first; and how an error names it."""
    if args.update_evidence:
        return beside_targets, _prepare(beside_targets, f"--update-evidence: {beside_targets}"), \
            f"--update-evidence: {beside_targets}"
    if args.out is not None:
        return args.out, _prepare(args.out, f"--out {args.out}"), f"--out {args.out}"
    while True:  # a new folder, as `nzsim run` and `nzsim compare` make: never one that exists
        out = new_folder(Path("runs") / f"calibration-{utc_stamp()}")
        where = f"{out} (give another folder with --out DIR)"
        made = _prepare(out, where, new=True)
        if made:
            return out, made, where


def _prepare(out: Path, where: str, new: bool = False) -> list[Path]:
    """Make ``out`` and its missing parents; return those made, outermost first ([] if ``new``
    and another process made ``out`` first)."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{where}: is a file; expected a folder for calibration.json and calibration.md")
    made = [p for p in (out, *out.parents) if not p.exists()][::-1]
    try:
        out.mkdir(parents=True, exist_ok=not new)
    except FileExistsError:
        if new:
            return []
        raise UsageError(f"{where}: cannot be created (a file is in the way)") from None
    except OSError as err:
        raise UsageError(f"{where}: cannot be created ({err.strerror or err})") from None
    if not os.access(out, os.W_OK | os.X_OK):
        for folder in reversed(made):
            _remove_if_empty(folder)
        raise UsageError(f"{where}: cannot be written (permission denied)")
    return made


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


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
    where = c.add_argument_group("where the evidence goes (default: a new folder runs/calibration-<UTC time>)")
    where.add_argument("--out", type=Path, metavar="DIR",
                       help="write calibration.json and calibration.md into DIR instead (made if missing; "
                            "files of those names in it are replaced)")
    where.add_argument("--update-evidence", action="store_true",
                       help="replace the project's tracked evidence: calibration.json and calibration.md beside "
                            "the targets file (validation/ by default)")
    c.set_defaults(func=cmd_calibrate)

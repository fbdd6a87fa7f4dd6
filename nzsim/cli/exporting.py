"""``nzsim export``: a finished run's tables as CSV, or as EMA Workbench's results file."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import UsageError


def _target(args: argparse.Namespace, run) -> Path:
    """Where the export goes: ``--out``, or its default in the run folder; new, in a folder that exists."""
    if args.out is not None:
        out, named = args.out, f"--out {args.out}"
    else:
        name = "export-csv" if args.format == "csv" else f"{run.manifest.get('scenario_name') or 'nzsim'}-ema.tar.gz"
        out = run.path / name
        named = str(out)
    if out.exists() or out.is_symlink():
        hint = "give --out a new path" if args.out is None else "expected a new path"
        raise UsageError(f"{named}: already exists; {hint}")
    if not out.parent.is_dir():
        raise UsageError(f"{named}: the folder {out.parent} does not exist; expected a path in an existing folder")
    if args.format == "ema" and not out.name.endswith(".tar.gz"):
        raise UsageError(f"{named}: expected a file name ending in .tar.gz (EMA Workbench's results file)")
    return out


def cmd_export(args: argparse.Namespace) -> int:
    """Export a finished run for other tools.

    --format csv writes one CSV per table of the run folder (outcomes.csv, trajectories.csv,
    events.csv and, for an exploratory design, experiments.csv) and a copy of manifest.json into
    a new folder (default: RUN/export-csv). --format ema writes EMA Workbench's results pair
    (experiments, outcomes), one row per replication, as the .tar.gz that
    ema_workbench.load_results reads (default: RUN/<scenario>-ema.tar.gz); --with-trajectories
    adds each weekly variable as a (replications x weeks) time series. docs/export.md says what
    each holds.
    """
    from ..analysis import load_run
    from ..runs import export

    if args.with_trajectories and args.format != "ema":
        raise UsageError("--with-trajectories: only with --format ema (the CSV export always holds trajectories.csv)")
    try:
        run = load_run(args.run)
    except ValueError as err:
        raise UsageError(str(err)) from None
    out = _target(args, run)
    named = f"--out {out}" if args.out is not None else str(out)
    try:
        if args.format == "csv":
            written = export.export_csv(run, out)
        else:
            written = [export.export_ema(run, out, with_trajectories=args.with_trajectories)]
    except FileExistsError:  # made by someone else since it was checked
        raise UsageError(f"{named}: already exists; expected a new path") from None
    except ValueError as err:
        raise UsageError(f"{args.run}: {err}") from None
    except OSError as err:
        raise UsageError(f"{named}: cannot be written ({err.strerror or err})") from None
    for path in written:
        print(f"written: {path} ({_size(path.stat().st_size)})")
    if args.format == "ema":
        print(f"load it in Python with: ema_workbench.load_results({str(written[0])!r})")
    return 0


def _size(count: float) -> str:
    if count < 1000:
        return f"{count:,.0f} bytes"
    for unit in ("kB", "MB", "GB"):
        count /= 1000
        if count < 1000 or unit == "GB":
            break
    return f"{count:.1f} {unit}"


def add_commands(sub) -> None:
    s = sub.add_parser("export", help="export a run's tables as CSV or as EMA Workbench results",
                       description=cmd_export.__doc__)
    s.add_argument("run", metavar="RUN", type=Path, help="run folder (from nzsim run)")
    s.add_argument("--format", required=True, choices=("csv", "ema"),
                   help="csv: one CSV per table; ema: EMA Workbench's (experiments, outcomes) .tar.gz")
    s.add_argument("--out", type=Path, metavar="PATH",
                   help="a new folder (csv; default RUN/export-csv) or .tar.gz file (ema; default RUN/<scenario>-ema.tar.gz)")
    s.add_argument("--with-trajectories", action="store_true",
                   help="ema only: add each weekly variable as a replications x weeks time series (large for big runs)")
    s.set_defaults(func=cmd_export)

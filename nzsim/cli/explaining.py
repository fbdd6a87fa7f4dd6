"""``nzsim explain``: which events came before an outcome in the runs of a finished run that had
it, and how often, against the runs that did not (docs/explain.md)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from .common import UsageError, positive

#: The changes over an event's weeks the sentences quote, in words, and how each is written.
_CHANGES = (("rung", "China's rung", lambda x: f"{x:+.1f}"), ("grievance", "Beijing's grievance", lambda x: f"{x:+.2f}"),
            ("approval", "approval", lambda x: f"{100 * x:+.1f} points"),
            ("trust", "partners' trust", lambda x: f"{x:+.3f}"))


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
    return value


def _share(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.0%}"


def _label(outcome: str, threshold: float | None) -> str:
    """The outcome in words: "Trade measures", "China reaches 'warning' or higher"."""
    from ..catalogue.outcomes import describe

    try:
        asked = describe(outcome)
    except KeyError:
        return outcome if threshold is None else f"{outcome} at or above {threshold:g}"
    if threshold is not None:
        return f"{asked.outcome.title} at or above {threshold:g}"
    title = asked.title
    for start in ("Chance of ", "Chance "):
        if title.startswith(start):
            title = title[len(start):]
            break
    return title[:1].upper() + title[1:]


def _line(row) -> str:
    """One event kind as a sentence: how often it came in each group, and what its weeks moved."""
    moved = []
    for change, words, form in _CHANGES:
        value = row[f"{change}_change_with"]
        if value is not None and not math.isnan(value):
            moved.append(f"{words} {form(value)}")
    after = f"; in its weeks, on average: {', '.join(moved)}" if moved else ""
    return (f"  - {row['actor']}: {row['event']}, in {_share(row['share_with'])} of those runs "
            f"(against {_share(row['share_without'])} of the others){after}.")


def format_explanation(frame, outcome: str, threshold: float | None, top: int) -> str:
    """``explain``'s frame as plain sentences, cell by cell: the events most often before the
    outcome first, then those less often before it than in the runs without it."""
    label = _label(outcome, threshold)
    if frame.empty:
        return f"{label}: no event was logged in this run, so there is nothing to set against it.\n"
    lines = []
    groups = frame.groupby("cell", sort=False) if "cell" in frame.columns else [(None, frame)]
    for cell, rows in groups:
        if cell is not None:
            lines.append(f"Cell {cell}:")
        first = rows.iloc[0]
        with_, without = int(first["runs_with"]), int(first["runs_without"])
        total = with_ + without
        if not with_:
            lines.append(f"{label}: in none of the {total:,} runs, so nothing came before it.")
            continue
        lines.append(f"{label}: in {with_:,} of {total:,} runs.")
        when = first["when"]
        if when == "any time":
            lines.append(f"At any time in those runs, against the {without:,} runs without it:")
        else:
            upto = "up to the week it first came (that week included)" if when == "to its week" else \
                "in the weeks before it first came"
            lines.append(f"In those runs, {upto}, against the {without:,} runs without it by the same weeks:")
        more = rows[rows["difference"] > 0].head(top)
        lines += [_line(row) for _, row in more.iterrows()] or ["  - no event came more often."]
        less = rows[rows["difference"] < 0].sort_values("difference", kind="mergesort").head(top)
        if len(less):
            lines.append("Less often in those runs than in the others:")
            lines += [_line(row) for _, row in less.iterrows()]
    lines.append("This is what came before the outcome in the model's runs, not what caused it (docs/explain.md).")
    return "\n".join(lines) + "\n"


def cmd_explain(args: argparse.Namespace) -> int:
    """Say which events came before an outcome in the runs that had it, and how often, against
    the runs that did not.

    The outcome is yes/no (trade_coercion, diplomatic_freeze, 'china_max_rung>=warning', a timing
    outcome such as first_measure_week), or numeric with --threshold (the runs at or above it).
    Where the outcome has a week (the week trade measures, a freeze or a rung first came), an
    event counts in a run with the outcome if it came up to that week, and in the runs without it
    if it came by the same weeks; otherwise at any time. Prints the events that differ most, and
    writes every kind of event to explain.csv in the run folder. It is correlation in the model's
    runs, not causation: docs/explain.md says how to read it.
    """
    from .. import analysis
    from ..analysis.explain import explain
    from ..runs.runfolder import atomic_write_bytes

    try:
        run = analysis.load_run(args.run)
    except ValueError as err:
        raise UsageError(str(err)) from None
    try:
        frame = explain(run, args.outcome, args.threshold)
    except ValueError as err:
        message = str(err)
        if message.startswith("threshold: "):
            raise UsageError(f"--threshold: {message.removeprefix('threshold: ')}") from None
        raise UsageError(f"--outcome: {message.replace('give a threshold', 'give --threshold X')}") from None
    print(format_explanation(frame, args.outcome, args.threshold, args.top), end="")
    path = run.path / "explain.csv"
    atomic_write_bytes(path, frame.to_csv(index=False).encode())
    print(f"written: {path}")
    return 0


def add_commands(sub) -> None:
    e = sub.add_parser("explain", help="which events came before an outcome, in the runs that had it",
                       description=cmd_explain.__doc__)
    e.add_argument("run", metavar="RUN", type=Path, help="run folder (from nzsim run)")
    e.add_argument("--outcome", required=True, help="a yes/no outcome, or a numeric one with --threshold")
    e.add_argument("--threshold", type=_number, help="a numeric outcome's runs with it: those at or above this value")
    e.add_argument("--top", type=positive("events shown"), default=8,
                   help="events printed each way, per cell (default 8)")
    e.set_defaults(func=cmd_explain)

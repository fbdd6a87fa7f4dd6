"""A finished run described: its summary table (``summary.csv``, and as text ``summary.txt``),
for a run with lever cells the overview of the cells (``overview.csv``), and its figures
(``figures/``), as ``nzsim run`` writes them into the run folder; and what it prints: the
summary, or for a run with lever cells the overview first and the summary on request."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .. import analysis, figures
from ..catalogue import variables as catalogue_variables
from ..runs.runfolder import Run, atomic_write_bytes
from .numbers import number
from .overview import TOP, format_overview


def cell_overview(run: Run) -> pd.DataFrame | None:
    """The overview of a run's lever cells (:func:`nzsim.analysis.overview`), for a run with two or
    more of them; else None. :func:`describe_run` and :func:`format_run` take it, so that a caller
    of both computes it once."""
    return analysis.overview(run) if analysis.cells_to_compare(run) else None


def describe_run(run: Run, *, overview: pd.DataFrame | None = None) -> pd.DataFrame:
    """Write the run's summary table (``summary.csv``, and as text ``summary.txt``), for a run
    with two or more lever cells the overview of its cells (``overview.csv``, every outcome:
    ``overview``, or else :func:`cell_overview`), and its figures (``figures/*.png``); return the summary."""
    by = run.cell_column
    summary = analysis.summarise(run.outcomes, by=by)
    atomic_write_bytes(run.path / "summary.csv", summary.to_csv(index=False).encode("utf-8"))  # whole or not at all
    # (no path in the text: a resumed run writes the same bytes as one that was never interrupted)
    atomic_write_bytes(run.path / "summary.txt", format_summary(run, summary, where=False).encode("utf-8"))
    if analysis.cells_to_compare(run):
        overview = cell_overview(run) if overview is None else overview
        atomic_write_bytes(run.path / "overview.csv", overview.to_csv(index=False).encode("utf-8"))
    folder = run.path / "figures"
    folder.mkdir(exist_ok=True)
    title = f"{run.manifest['scenario_name']}: {len(run.outcomes):,} replications, seed {run.manifest['root_seed']}"
    figures.outcome_distributions(run.outcomes, folder / "outcomes.png", by=by, title=title)
    variables = list(catalogue_variables.FAN_CHARTS)
    start = dt.date.fromisoformat(run.manifest["scenario"]["start"])
    # From the run, not a frame: its trajectories are read in batches, so memory stays bounded.
    figures.fan_charts(run, folder / "trajectories.png", variables=variables, start=start, by=by, title=title)
    figures.rung_ladder(run, folder / "china_ladder.png", start, by=by, title=title)
    return summary


def format_run(run: Run, summary: pd.DataFrame, *, full: bool = False, written: bool = True, top: int = TOP,
               overview: pd.DataFrame | None = None) -> str:
    """What ``nzsim run`` prints. A run without lever cells: its summary (:func:`format_summary`).
    A run with lever cells: the overview of its cells (``overview``, or else :func:`cell_overview`;
    the ``top`` outcomes on which they differ most), where the rest is, and with ``full`` every
    cell's summary after it. ``written`` says whether :func:`describe_run` wrote the files."""
    if not analysis.cells_to_compare(run):
        return format_summary(run, summary)
    overview = cell_overview(run) if overview is None else overview
    lines = _heading(run) + [""] + format_overview(overview, top, what="lever cell").splitlines()
    if written:
        lines.append(f"Every outcome: {run.path / 'overview.csv'}; each cell's full summary: "
                     f"{run.path / 'summary.txt'} (and summary.csv){'' if full else '; --full prints it'}.")
    elif not full:
        lines.append("Each cell's full summary: --full prints it (--no-figures wrote no summary files).")
    text = "\n".join(lines) + "\n"
    if full:
        text += "\n" + format_summary(run, summary, heading=False)
    return text


def _heading(run: Run, where: bool = True) -> list[str]:
    m = run.manifest
    lines = [f"{m['scenario_name']}: {len(run.outcomes):,} replications, root seed {m['root_seed']}, "
             f"scenario sha256 {m['scenario_sha256'][:16]}"]
    return lines + [f"results in {run.path}"] if where else lines


def format_summary(run, summary, *, where: bool = True, heading: bool = True) -> str:
    """The summary table as text: numeric outcomes with mean, median and 5-95% band; the rest as
    probabilities; a run with lever cells cell by cell. Headed by what was run and (``where``)
    the run folder's path, unless ``heading`` is false."""
    lines = _heading(run, where) if heading else []
    groups = [(None, summary)] if "cell" not in summary.columns else list(summary.groupby("cell", sort=False))
    for group, frame in groups:
        if lines:
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
                band = f"{number(row.p05)} to {number(row.p95)}"
                lines.append(f"  {row.outcome:<{width}}  {number(row.mean):>10}  {number(row.median):>10}  {band:>23}")
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

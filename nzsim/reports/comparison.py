"""The comparison of several runs, as ``nzsim compare`` writes and prints it: the overview (the
runs side by side, the outcomes that differ most first), the table of differences with bootstrap
intervals, the tradeoff frontier, the figures, and a record of what was compared. The numbers
come from :mod:`nzsim.analysis`, the figures from :mod:`nzsim.figures`."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from .. import analysis, figures
from ..catalogue import outcomes as catalogue_outcomes
from ..catalogue import variables as catalogue_variables
from ..figures import labels
from ..runs.runfolder import Run, atomic_write_bytes
from ..version import code_version
from .numbers import comparison_number
from .overview import format_overview


def frontier_objectives() -> dict[str, str]:
    """The objectives a comparison weighs on its tradeoff frontier, and which way is better
    (the catalogue's ``FRONTIER``)."""
    return catalogue_outcomes.objectives(catalogue_outcomes.FRONTIER)


def format_comparison(table: pd.DataFrame) -> str:
    """The table of :func:`nzsim.analysis.compare` as text, outcome by outcome.

    Each outcome's heading says its unit. Probabilities and shares are shown in per cent and
    their differences in percentage points; a ``*`` marks a difference whose interval excludes
    zero. An interval resampled from fewer than :data:`nzsim.analysis.MIN_INTERVAL_VALUES`
    replications (or parameter draws) per run is marked ``(no guide)`` and never starred (see
    :func:`nzsim.analysis.guiding_intervals`).
    """
    level = table.attrs.get("level", 0.95)
    baseline = str(table["baseline"].iloc[0])
    width = max(len(str(r)) for r in table["run"])
    guide = analysis.guiding_intervals(table)
    lines = [f"Compared with '{baseline}'; {level:.0%} bootstrap intervals; * the difference's interval excludes zero."]
    if not guide[table["run"] != table["baseline"]].all():
        lines.append(f"(no guide): an interval resampled from fewer than {analysis.MIN_INTERVAL_VALUES} replications "
                     "(or parameter draws) per run says nothing about chance, however narrow; run more.")
    for outcome, rows in table.groupby("outcome", sort=False):
        statistic = rows["statistic"].iloc[0]
        percent = labels.in_percent(outcome, statistic)
        lines += ["", f"{labels.outcome_title(outcome)}: {statistic} of {outcome}; {_unit(outcome, percent)}"]
        lines.append(f"  {'run':<{width}}  {'value':>9}  {'interval':>21}  {'difference':>11}  {'interval':>21}")
        for row in rows.itertuples():
            value = comparison_number(row.value, percent)
            interval = f"{comparison_number(row.low, percent)} to {comparison_number(row.high, percent)}"
            if row.run == row.baseline:
                lines.append(f"  {row.run:<{width}}  {value:>9}  {interval:>21}  {'baseline':>11}")
                continue
            diff = comparison_number(row.difference, percent, sign=True, points=True)
            band = f"{comparison_number(row.difference_low, percent, sign=True, points=True)} to " \
                   f"{comparison_number(row.difference_high, percent, sign=True, points=True)}"
            clear = row.difference_low > 0 or row.difference_high < 0
            mark = (" *" if clear else "") if guide[row.Index] else (" (no guide)" if not math.isnan(row.difference) else "")
            lines.append(f"  {row.run:<{width}}  {value:>9}  {interval:>21}  {diff:>11}  {band:>21}{mark}")
    return "\n".join(lines) + "\n"


def _unit(outcome: str, percent: bool) -> str:
    """What an outcome's numbers are in, for the comparison's heading."""
    if percent:
        return "values in %, differences in percentage points (pp)"
    label = catalogue_outcomes.OUTCOMES[outcome].unit if outcome in catalogue_outcomes.OUTCOMES else ""
    return f"in {label}" if label else "in the outcome's own units"


def write_comparison(
    runs: Mapping[str, Run],
    out: str | Path,
    *,
    baseline: str | None = None,
    outcomes: Sequence[str] | None = None,
    objectives: Mapping[str, str] | None = None,
    level: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compare runs and write the results into a new folder ``out``.

    Writes ``overview.csv`` (:func:`nzsim.analysis.overview` of the comparison: every outcome,
    those that differ most first), ``comparison.csv`` (:func:`nzsim.analysis.compare`) and
    ``comparison.txt`` (the same as text, outcome by outcome, as ``nzsim compare --full`` prints
    it, headed by the overview), ``frontier.csv``
    (:func:`nzsim.analysis.tradeoff_frontier` on ``objectives``), ``comparison.json`` (which runs,
    their scenarios' hashes, seeds and code versions, and the bootstrap settings) and
    ``figures/``: ``differences.png``, ``distributions.png`` (cumulative distributions),
    ``frontier.png``, ``trajectories.png`` (median and middle half of each run) and
    ``china_ladder.png``.

    Returns
    -------
    tuple of pandas.DataFrame
        The comparison and the frontier.

    Raises
    ------
    ValueError
        As :func:`nzsim.analysis.compare`; also if ``out`` exists.
    """
    out = Path(out)
    table = analysis.compare(runs, baseline=baseline, outcomes=outcomes, level=level, resamples=resamples, seed=seed)
    usable = dict(objectives) if objectives is not None else frontier_objectives()
    frontier = analysis.tradeoff_frontier(runs, usable)
    overview = analysis.overview(runs, comparison=table)
    try:
        out.mkdir(parents=True)
    except FileExistsError:
        raise ValueError(f"{out}: already exists; choose a new --out folder (nothing is overwritten)") from None
    except OSError as err:
        raise ValueError(f"{out}: cannot be created ({err.strerror})") from None
    try:
        _write_comparison(runs, out, table, overview, frontier, usable, level, resamples, seed)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # the folder is this call's own: a half-written one would block a rerun
        raise
    return table, frontier


def _write_comparison(runs, out: Path, table, overview, frontier, usable, level, resamples, seed) -> None:
    atomic_write_bytes(out / "overview.csv", overview.to_csv(index=False).encode("utf-8"))
    atomic_write_bytes(out / "comparison.csv", table.to_csv(index=False).encode("utf-8"))
    text = format_overview(overview, top=None) + "\n" + format_comparison(table)
    atomic_write_bytes(out / "comparison.txt", text.encode("utf-8"))
    atomic_write_bytes(out / "frontier.csv", frontier.to_csv(index=False).encode("utf-8"))
    record = {
        "made_by": code_version(),
        "made": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "baseline": str(table["baseline"].iloc[0]),
        "bootstrap": {"level": level, "resamples": resamples, "seed": seed},
        "objectives": dict(usable),
        "runs": {
            label: {
                "path": str(Path(run.path).resolve()),
                "scenario_name": run.manifest.get("scenario_name"),
                "scenario_sha256": run.manifest.get("scenario_sha256"),
                "root_seed": run.manifest.get("root_seed"),
                "replications": run.manifest.get("replications"),
                "design": run.manifest.get("design", {}).get("kind"),
                "versions": run.manifest.get("versions"),
            }
            for label, run in runs.items()
        },
    }
    atomic_write_bytes(out / "comparison.json", (json.dumps(record, indent=2, default=str) + "\n").encode())

    folder = out / "figures"
    folder.mkdir()
    figures.comparison(table, folder / "differences.png")
    frames = _with_labels(runs, lambda run: run.outcomes)
    figures.ecdfs(frames, folder / "distributions.png", by="run")
    figures.frontier(frontier, folder / "frontier.png", usable)
    variables = list(catalogue_variables.FAN_CHARTS)
    # Each run's bands and rung shares, computed from the run folder in batches (memory stays
    # bounded however large the runs), then labelled as the comparison labels them.
    quantiles = _with_labels(runs, lambda run: analysis.fan_quantiles(run, variables, by=run.cell_column))
    shares = _with_labels(runs, lambda run: analysis.rung_probabilities_by_week(run, by=run.cell_column))
    starts = {str(run.manifest["scenario"]["start"]) for run in runs.values()}
    start = dt.date.fromisoformat(starts.pop()) if len(starts) == 1 else None  # weeks if runs start apart
    figures.fan_charts(quantiles.drop(columns="cell", errors="ignore"), folder / "trajectories.png",
                        variables=variables, start=start, by="run", title="Week by week: each run's median and middle half")
    figures.rung_ladder(shares.drop(columns="cell", errors="ignore"), folder / "china_ladder.png", start=start, by="run")


def _with_labels(runs: Mapping[str, Run], read) -> pd.DataFrame:
    """One frame of every run (or lever cell), with a ``run`` column holding its comparison label."""
    return pd.concat([frame.assign(run=label) for label, frame in analysis.labelled(runs, "compare", read)],
                     ignore_index=True)

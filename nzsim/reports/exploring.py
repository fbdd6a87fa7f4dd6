"""What a person reads about an exploratory design: the ranked table of a sensitivity analysis,
and the files beside it in the run folder."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from .. import figures
from ..analysis.sensitivity import INDEX_NAMES
from ..runs.runfolder import Run
from .numbers import number

#: What each method's columns are called in the printed table.
METHOD_TITLES = {"sobol": "Sobol indices", "morris": "Morris elementary effects", "delta": "delta (given data)"}


def format_sensitivity(table: pd.DataFrame, top: int = 10) -> str:
    """Each outcome's ``top`` factors, ranked, with their index and 95% interval, one block per
    outcome (and cell), headed by the share of its variance that is chance."""
    if table.empty:
        return "No outcome varied with the parameters: there is nothing to rank.\n"
    lines = []
    keys = ["cell", "outcome"] if "cell" in table.columns else ["outcome"]
    for key, part in table.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        method = str(part["method"].iloc[0])
        chance = float(part["chance_share"].iloc[0])
        said = "chance: not separable (one seed an experiment)" if math.isnan(chance) else \
            f"chance {chance:.0%} of its variance, parameters {1 - chance:.0%}"
        where = f"{key[0]}: " if len(key) == 2 else ""
        lines.append(f"{where}{key[-1]} ({METHOD_TITLES[method]}, {int(part['experiments'].iloc[0]):,} experiments; {said})")
        index = INDEX_NAMES[method]
        second = {"sobol": "S1", "delta": "S1", "morris": "sigma"}[method]
        shown = part.nsmallest(top, "rank")
        width = max(len("factor"), *(len(f) for f in shown["factor"]))
        lines.append(f"  rank  {'factor':<{width}}  {index:>8}  {'95% interval':>18}  {second:>8}")
        for row in shown.itertuples():
            other = row.sigma if method == "morris" else row.first_order
            interval = f"[{number(row.index_low)}, {number(row.index_high)}]"
            lines.append(f"  {row.rank:>4}  {row.factor:<{width}}  {number(row.index):>8}  {interval:>18}  {number(other):>8}")
        if len(part) > len(shown):
            lines.append(f"  ... {len(part) - len(shown)} more factors in sensitivity.csv")
        lines.append("")
    return "\n".join(lines)


def write_sensitivity(run: Run, table: pd.DataFrame, figure: bool = True) -> list[Path]:
    """``sensitivity.csv`` and (with ``figure``) ``figures/sensitivity.png`` (one panel per outcome,
    the first six; the first cell's for a run of several) in the run folder; the paths written."""
    written = [run.path / "sensitivity.csv"]
    table.to_csv(written[0], index=False)
    if figure and not table.empty:
        (run.path / "figures").mkdir(exist_ok=True)
        shown = table[table["cell"] == table["cell"].iloc[0]] if "cell" in table.columns else table
        written.append(figures.sensitivity(shown, run.path / "figures" / "sensitivity.png"))
    return written


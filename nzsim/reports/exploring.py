"""What a person reads about an exploratory design: the ranked table of a sensitivity analysis,
scenario discovery's boxes in sentences, and the files beside them in the run folder."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from .. import figures
from ..analysis.discovery import Box, Discovery
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



def format_discovery(found: Discovery, leaves: int = 3) -> str:
    """PRIM's box and the decision tree's densest leaves, each in a sentence, with the
    trade-off of the box chosen against the others on the peeling trajectory."""
    lines = [f"{found.title}: {found.cases:,} of {found.runs:,} runs ({found.base_rate:.0%}).", "",
             "PRIM (the box chosen: the densest still holding at least half of the runs with it):",
             "  " + found.sentence(), ""]
    t = found.trajectory
    lines.append("  peeling trade-off (step: coverage, density, inputs restricted):")
    steps = sorted({0, found.chosen, len(t) - 1, *range(0, len(t), max(1, len(t) // 6))})
    for i in steps:
        mark = "  <- chosen" if i == found.chosen else ""
        lines.append(f"  {i:>4}: {t.at[i, 'coverage']:.0%}, {t.at[i, 'density']:.0%}, {int(t.at[i, 'res_dim'])}{mark}")
    lines += ["", "Decision tree (its densest leaves):"]
    for leaf in found.leaves[:leaves]:
        lines.append("  " + found.sentence(leaf))
    return "\n".join(lines) + "\n"


def discovery_rows(found: Discovery) -> pd.DataFrame:
    """The boxes as a table: PRIM's every step, then the tree's leaves (method, step, coverage,
    density, mass, outside, runs and the conditions in words)."""
    rows = []

    def row(method: str, step: int, box: Box) -> dict:
        return {"outcome": found.outcome, "method": method, "step": step, "coverage": box.coverage,
                "density": box.density, "mass": box.mass, "outside": box.outside, "runs": box.runs,
                "chosen": method == "prim" and step == found.chosen, "conditions": " and ".join(box.conditions())}

    rows += [row("prim", found.chosen, found.box)]
    rows += [row("tree", i, leaf) for i, leaf in enumerate(found.leaves)]
    table = pd.DataFrame(rows)
    trajectory = found.trajectory.rename_axis("step").reset_index().assign(outcome=found.outcome, method="prim_step")
    return pd.concat([table, trajectory.rename(columns={"res_dim": "inputs_restricted"})], ignore_index=True)


def write_discovery(run: Run, found: Discovery, figure: bool = True) -> list[Path]:
    """``discovery-<outcome>.csv`` and (with ``figure``) ``figures/discovery-<outcome>.png`` in the run folder."""
    stem = "discovery-" + "".join(c if c.isalnum() or c in "_-" else "_" for c in found.outcome)
    written = [run.path / f"{stem}.csv"]
    discovery_rows(found).to_csv(written[0], index=False)
    if figure:
        (run.path / "figures").mkdir(exist_ok=True)
        written.append(figures.peeling(found, run.path / "figures" / f"{stem}.png"))
    return written

"""What a person reads about an exploratory design: the ranked table of a sensitivity analysis,
scenario discovery's boxes in sentences, the lever cells' robustness, and the files beside them in
the run folder."""

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
             f"PRIM (the box chosen: the densest still holding at least {found.min_coverage:.0%} of the runs with it):",
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


def format_robustness(table: pd.DataFrame, frontier: pd.DataFrame | None = None) -> str:
    """Each outcome's cells (spread, regret), the cells' satisficing shares, and the frontier
    with how often the bootstrap found each cell dominated."""
    lines: list[str] = []
    quantiles = [c for c in table.columns if str(c).startswith("p") and str(c)[1:].replace(".", "").isdigit()]
    width = max(len("cell"), *(len(str(c)) for c in table["cell"]))
    for name, part in table.groupby("outcome", sort=False):
        way = "higher" if part["direction"].iloc[0] == "max" else "lower"
        lines.append(f"{name} ({way} is better; {int(part['experiments'].iloc[0]):,} experiments)")
        head = "  ".join(f"{q:>8}" for q in ["mean", *quantiles, "regret", "worst"])
        lines.append(f"  {'cell':<{width}}  {head}")
        for row in part.itertuples(index=False):
            values = [row.mean, *(getattr(row, q) for q in quantiles), row.regret_mean, row.regret_max]
            lines.append(f"  {str(row.cell):<{width}}  " + "  ".join(f"{number(v):>8}" for v in values))
        lines.append("")
    meets = [c for c in table.columns if str(c).startswith("meets ")]
    if meets:
        lines.append("Share of experiments in which each cell meets the thresholds")
        cells = table.drop_duplicates("cell")
        lines.append(f"  {'cell':<{width}}  " + "  ".join(f"{m[len('meets '):]:>{max(8, len(m) - 6)}}" for m in meets))
        for _, row in cells.iterrows():
            lines.append(f"  {str(row['cell']):<{width}}  " + "  ".join(
                f"{row[m]:>{max(8, len(m) - 6)}.0%}" for m in meets))
        lines.append("")
    if frontier is not None:
        lines.append("Tradeoff frontier (a cell is dominated when another beats it in most bootstrap resamples)")
        for _, row in frontier.iterrows():
            state = "on the frontier" if row["on_frontier"] else f"dominated by {row['dominated_by']}"
            lines.append(f"  {str(row['cell']):<{width}}  {state} (dominated in {row['dominated_share']:.0%} of resamples)")
        lines.append("")
    lines.append("regret: how far the cell falls short of the best cell in the same experiment (mean; worst: its largest)")
    return "\n".join(lines) + "\n"


def write_robustness(run: Run, table: pd.DataFrame, frontier: pd.DataFrame | None, figure: bool = True) -> list[Path]:
    """``robustness.csv``, ``robust_frontier.csv`` (with a frontier) and ``figures/robustness.png``."""
    written = [run.path / "robustness.csv"]
    table.to_csv(written[0], index=False)
    if frontier is not None:
        written.append(run.path / "robust_frontier.csv")
        frontier.to_csv(written[-1], index=False)
    if figure and not table.empty:
        (run.path / "figures").mkdir(exist_ok=True)
        written.append(figures.robustness(table, run.path / "figures" / "robustness.png"))
    return written

"""Figures of exploratory designs: a global sensitivity analysis (each outcome's most influential
factors), scenario discovery's peeling trade-off, and the lever cells' regret and satisficing."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..analysis.frames import require
from ..analysis.discovery import Discovery
from ..analysis.sensitivity import INDEX_NAMES
from . import labels
from .style import PALETTE, new_figure, save_png, wrap


#: What each method's index is, for the x axis.
INDEX_LABELS = {"sobol": "share of the outcome's variance (ST: total; S1: alone)",
                "morris": "mean absolute effect of moving across the range (mu*)",
                "delta": "shift of the outcome's distribution (delta; S1: first order)"}


def build_sensitivity(table: pd.DataFrame, outcomes: Sequence[str] | None = None, top: int = 8,
                      *, title: str | None = None) -> Figure:
    """One panel per outcome: its ``top`` factors' index as bars with their 95% intervals (and,
    for Sobol and delta, the first-order index as a dot), the chance share in the panel's title.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`nzsim.analysis.sensitivity.sensitivity`'s frame (one cell's rows).
    outcomes : sequence of str, optional
        The outcomes to draw, in order (default: every one in the table, at most six).
    top : int
        Factors drawn per outcome.

    Raises
    ------
    ValueError
        If the table lacks the columns or is empty.
    """
    require(table, ["outcome", "factor", "rank", "index", "index_low", "index_high", "method"], "sensitivity table")
    if table.empty:
        raise ValueError("the sensitivity table is empty: no outcome varied with the parameters")
    names = list(outcomes) if outcomes is not None else list(dict.fromkeys(table["outcome"]))[:6]
    columns = min(2, len(names))
    rows = math.ceil(len(names) / columns)
    fig = new_figure((6.2 * columns, (0.32 * top + 1.3) * rows + 0.6))
    method = str(table["method"].iloc[0])
    for k, name in enumerate(names):
        part = table[table["outcome"] == name].nsmallest(top, "rank")
        ax = fig.add_subplot(rows, columns, k + 1)
        y = np.arange(len(part))[::-1]
        index = part["index"].to_numpy(dtype=float)
        error = np.vstack([index - part["index_low"].to_numpy(dtype=float),
                           part["index_high"].to_numpy(dtype=float) - index]).clip(min=0)
        ax.barh(y, index, xerr=error, color=PALETTE[0], alpha=0.8, error_kw={"elinewidth": 0.8, "capsize": 2},
                label=INDEX_NAMES[method])
        if part["first_order"].notna().any():
            ax.plot(part["first_order"].to_numpy(dtype=float), y, "o", color=PALETTE[1], markersize=4, label="S1")
        ax.set_yticks(y, [wrap(f, 34) for f in part["factor"]], fontsize=7)
        ax.axvline(0, color="0.5", linewidth=0.6)
        ax.set_xlabel(INDEX_LABELS[method], fontsize=8)
        ax.set_ylabel("factor, most influential on top", fontsize=8)
        chance = float(part["chance_share"].iloc[0]) if "chance_share" in part else math.nan
        said = f"; chance {chance:.0%} of its variance" if not math.isnan(chance) else ""
        ax.set_title(wrap(f"{labels.outcome_title(name)}{said}", 60), fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        if k == 0:
            ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(title or f"What moves each outcome ({method}; bars: 95% intervals)", fontsize=10)
    return fig


def sensitivity(table: pd.DataFrame, path: str | os.PathLike, outcomes: Sequence[str] | None = None, top: int = 8,
                *, title: str | None = None) -> Path:
    """:func:`build_sensitivity`, written as a PNG at ``path``."""
    return save_png(build_sensitivity(table, outcomes, top, title=title), path)


def build_peeling(found: Discovery, *, title: str | None = None) -> Figure:
    """PRIM's peeling trajectory: each step's coverage against its density, coloured by how many
    inputs the box restricts, the box chosen ringed, the share of all runs with the outcome dotted."""
    trajectory = found.trajectory
    fig = new_figure((7.5, 5.0))
    ax = fig.add_subplot()
    dims = trajectory["res_dim"].to_numpy(dtype=int)
    ax.plot(trajectory["coverage"], trajectory["density"], color="0.7", linewidth=0.8, zorder=2)
    for k, count in enumerate(sorted(set(dims))):
        at = dims == count
        ax.scatter(trajectory["coverage"][at], trajectory["density"][at], s=22, zorder=3,
                   color=PALETTE[(k + 2) % len(PALETTE)], label=f"{count} input{'s' if count != 1 else ''} restricted")
    chosen = trajectory.iloc[found.chosen]
    ax.scatter([chosen["coverage"]], [chosen["density"]], s=140, facecolors="none", edgecolors=PALETTE[1],
               linewidths=1.6, zorder=4, label=f"the box chosen (step {found.chosen})")
    ax.axhline(found.base_rate, color="0.4", linestyle=":", linewidth=1, label=f"all runs: {found.base_rate:.0%}")
    ax.set_xlabel("coverage: share of the runs with the outcome inside the box")
    ax.set_ylabel("density: share of the box's runs with the outcome")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(f"PRIM's peeling trade-off: {found.cases:,} of {found.runs:,} runs have it", fontsize=9)
    fig.suptitle(wrap(title or found.title, 70), fontsize=10)
    return fig


def peeling(found: Discovery, path: str | os.PathLike, *, title: str | None = None) -> Path:
    """:func:`build_peeling`, written as a PNG at ``path``."""
    return save_png(build_peeling(found, title=title), path)


def build_robustness(table: pd.DataFrame, outcomes: Sequence[str] | None = None, *, title: str | None = None) -> Figure:
    """One panel per outcome: each lever cell's regret across the experiments (bar: its mean,
    dot: its maximum, in the outcome's units), and, where the table has them, a last panel of the
    share of experiments in which each cell meets every threshold (or the one threshold).

    Raises
    ------
    ValueError
        If the table lacks the columns or is empty.
    """
    require(table, ["cell", "outcome", "regret_mean", "regret_max"], "robustness table")
    if table.empty:
        raise ValueError("the robustness table is empty")
    names = list(outcomes) if outcomes is not None else list(dict.fromkeys(table["outcome"]))[:6]
    meets = [c for c in table.columns if str(c).startswith("meets ")]
    shown = ["meets all"] if "meets all" in meets else meets[:1]
    panels = len(names) + (1 if shown else 0)
    columns = min(2, panels)
    rows = math.ceil(panels / columns)
    cells = list(dict.fromkeys(table["cell"]))
    fig = new_figure((6.2 * columns, (0.34 * len(cells) + 1.4) * rows + 0.6))
    y = np.arange(len(cells))[::-1]
    for k, name in enumerate(names):
        part = table[table["outcome"] == name].set_index("cell").reindex(cells)
        ax = fig.add_subplot(rows, columns, k + 1)
        ax.barh(y, part["regret_mean"], color=PALETTE[0], alpha=0.8, label="mean regret")
        ax.plot(part["regret_max"], y, "o", color=PALETTE[1], markersize=4, label="largest regret")
        ax.set_yticks(y, [wrap(str(c), 36) for c in cells], fontsize=7)
        way = "higher" if part["direction"].iloc[0] == "max" else "lower"
        ax.set_title(wrap(f"{labels.outcome_title(name)} ({way} is better): regret", 60), fontsize=8)
        ax.set_xlabel("short of the best cell in the same experiment", fontsize=8)
        ax.set_ylabel("lever cell", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        if k == 0:
            ax.legend(fontsize=7, loc="lower right")
    if shown:
        share = table.drop_duplicates("cell").set_index("cell").reindex(cells)[shown[0]]
        ax = fig.add_subplot(rows, columns, panels)
        ax.barh(y, share, color=PALETTE[2], alpha=0.8)
        ax.set_yticks(y, [wrap(str(c), 36) for c in cells], fontsize=7)
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of experiments", fontsize=8)
        ax.set_ylabel("lever cell", fontsize=8)
        what = "every threshold" if shown[0] == "meets all" else shown[0][len("meets "):]
        ax.set_title(wrap(f"Experiments in which the cell meets {what}", 60), fontsize=8)
    fig.suptitle(title or "How each lever cell does across the experiments", fontsize=10)
    return fig


def robustness(table: pd.DataFrame, path: str | os.PathLike, outcomes: Sequence[str] | None = None, *,
               title: str | None = None) -> Path:
    """:func:`build_robustness`, written as a PNG at ``path``."""
    return save_png(build_robustness(table, outcomes, title=title), path)

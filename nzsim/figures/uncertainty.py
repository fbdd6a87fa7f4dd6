"""Figures of parameter uncertainty: the variance split of a nested design, and an outcome
against each sampled parameter."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import analysis
from ..analysis.frames import require
from . import labels
from .style import (
    PALETTE, legend_below, new_figure, percent_axis, save_png, share_label,
)


def build_variance_split(table: pd.DataFrame, outcomes: Sequence[str] | None = None, *, title: str | None = None) -> Figure:
    """How much of each outcome's spread is parameter uncertainty and how much is chance.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`nzsim.analysis.variance_split` (without ``by`` columns, or one group).
    outcomes : sequence of str, optional
        The outcomes to draw, top to bottom; by default every outcome that varies.
    title : str, optional
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure
        One horizontal bar per outcome, split into the parameter share (left) and the chance
        share (right), each labelled in per cent; outcomes that never vary are left out.

    Raises
    ------
    ValueError
        If the table lacks the columns, an outcome is not in it, or no outcome varies.
    """
    require(table, ["outcome", "parameter_share", "chance_share"], "variance split")
    rows = table[table["total_variance"] > 0] if "total_variance" in table.columns else table
    if outcomes is not None:
        missing = [o for o in outcomes if o not in set(table["outcome"])]
        if missing:
            raise ValueError(f"outcomes {missing} are not in the variance split")
        rows = rows.set_index("outcome").reindex([o for o in outcomes if o in set(rows["outcome"])]).reset_index()
    if rows.empty:
        raise ValueError("no outcome varies: there is no spread to split")
    names = [labels.outcome_title(o) for o in rows["outcome"]]
    y = np.arange(len(rows))[::-1]
    fig = new_figure((9.5, 0.36 * len(rows) + 1.8))
    ax = fig.add_subplot()
    parameter = rows["parameter_share"].to_numpy(dtype=float)
    chance = rows["chance_share"].to_numpy(dtype=float)
    bars = ax.barh(y, parameter, color=PALETTE[1], label="parameter uncertainty (between parameter draws)")
    ax.bar_label(bars, labels=[share_label(p, blank_zero=True) if p >= 0.06 else "" for p in parameter],
                 label_type="center", fontsize="small")
    bars = ax.barh(y, chance, left=parameter, color=PALETTE[5], label="chance (between seeds, same parameters)")
    ax.bar_label(bars, labels=[share_label(c, blank_zero=True) if c >= 0.06 else "" for c in chance],
                 label_type="center", fontsize="small")
    ax.set_yticks(y, names)
    ax.set_xlim(0, 1)
    percent_axis(ax.xaxis)
    ax.set_xlabel("share of the outcome's variance (%)")
    ax.set_ylabel("outcome")
    ax.set_title("Where the spread of each outcome comes from")
    legend_below(fig, ax.get_legend_handles_labels()[0])
    draws = f"{int(rows['param_draws'].iloc[0])} parameter draws x {rows['seeds_per_draw'].iloc[0]:g} seeds" \
        if {"param_draws", "seeds_per_draw"} <= set(rows.columns) else "a nested design"
    fig.suptitle(title or f"Parameter uncertainty and chance ({draws})", fontsize="x-large", weight="bold")
    return fig


def variance_split(table: pd.DataFrame, path: str | os.PathLike, outcomes: Sequence[str] | None = None, *,
                   title: str | None = None) -> Path:
    """Write :func:`build_variance_split` as a PNG at ``path`` and return the path."""
    return save_png(build_variance_split(table, outcomes, title=title), path)


def build_parameter_effects(
    outcomes: pd.DataFrame, outcome: str, parameters: Sequence[str] | None = None, *, title: str | None = None
) -> Figure:
    """An outcome against each sampled parameter: every replication, and each draw's mean.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        One row per replication with ``param.<name>`` columns (a run with declared
        uncertainties); with ``param_draw`` (a nested design) each draw's mean is drawn too.
    outcome : str
        A numeric or yes/no outcome (as :func:`nzsim.analysis.estimate`).
    parameters : sequence of str, optional
        Parameter names (without ``param.``); by default every sampled parameter.
    title : str, optional
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per parameter: faint points for replications, and dark points for the mean
        of each parameter draw (nested design) or, in a Monte Carlo run, a line through the
        mean in each tenth of the parameter's sampled values (a probability, for a yes/no
        outcome). Dark points that climb or fall mean the parameter matters for the outcome;
        a flat line in a tall cloud means chance dominates.

    Raises
    ------
    ValueError
        If there are no sampled parameters or the outcome is unknown.
    """
    present = [c[len("param."):] for c in outcomes.columns if str(c).startswith("param.")]
    names = present if parameters is None else list(parameters)
    missing = [p for p in names if p not in present]
    if not names or missing:
        raise ValueError(f"parameters {missing or names} were not sampled in this run; sampled: {present}")
    statistic, y = analysis.estimate(outcomes, outcome)
    draws = analysis.by_draw(outcomes, [outcome]) if "param_draw" in outcomes.columns else None
    ncols = min(2, len(names))
    nrows = math.ceil(len(names) / ncols)
    fig = new_figure((5.6 * ncols, 4.0 * nrows + 0.8))
    label = labels.outcome_title(outcome)
    unit = "probability" if statistic == "probability" else labels.outcome_labels(outcome)[1]
    for i, name in enumerate(names):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        x = outcomes[f"param.{name}"].to_numpy(dtype=float)
        ax.scatter(x, y, s=9, color=PALETTE[5], alpha=0.35, linewidth=0, label="one replication")
        if draws is not None:
            ax.scatter(draws[f"param.{name}"], draws[outcome], s=30, color=PALETTE[0], edgecolor="white",
                       linewidth=0.6, label="mean of a parameter draw's seeds", zorder=3)
        else:  # Monte Carlo: each replication its own draw; the mean in each tenth of the values
            keep = ~np.isnan(x) & ~np.isnan(y)
            bins = np.unique(np.quantile(x[keep], np.linspace(0, 1, 11))) if keep.any() else np.array([])
            if len(bins) > 1:
                which = np.clip(np.searchsorted(bins, x[keep], side="right") - 1, 0, len(bins) - 2)
                middles = [x[keep][which == b].mean() for b in range(len(bins) - 1) if (which == b).any()]
                means = [y[keep][which == b].mean() for b in range(len(bins) - 1) if (which == b).any()]
                ax.plot(middles, means, "o-", color=PALETTE[0], markersize=5, linewidth=1.5, zorder=3,
                        label="mean of the replications in each tenth of the parameter's values")
        ax.set_xlabel(f"{name} (sampled value)")
        ax.set_ylabel(unit)
        if labels.in_percent(outcome, statistic):
            percent_axis(ax.yaxis)
        ax.set_title(f"against {name}", fontsize="medium")
        ax.grid(color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
    legend_below(fig, fig.axes[0].get_legend_handles_labels()[0])
    fig.suptitle(title or f"{label}: how much the sampled parameters matter", fontsize="x-large", weight="bold")
    return fig


def parameter_effects(outcomes: pd.DataFrame, path: str | os.PathLike, outcome: str,
                      parameters: Sequence[str] | None = None, *, title: str | None = None) -> Path:
    """Write :func:`build_parameter_effects` as a PNG at ``path`` and return the path."""
    return save_png(build_parameter_effects(outcomes, outcome, parameters, title=title), path)

"""Figures of several runs: each run's differences from the baseline with their intervals, and
the tradeoff frontier on pairs of objectives."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .. import analysis
from ..analysis.frames import require
from ..catalogue import outcomes as catalogue_outcomes
from . import labels
from .style import (
    BOX, PALETTE, legend_below, new_figure, percent_axis, save_png, wrap,
)


def build_comparison(
    table: pd.DataFrame,
    outcomes: Sequence[str] | None = None,
    *,
    title: str | None = None,
) -> Figure:
    """Each run's difference from the baseline, with its interval, one panel per outcome.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`nzsim.analysis.compare`.
    outcomes : sequence of str, optional
        The outcomes to draw, in this order; by default those of the catalogue's comparison panels in
        the table (or the table's first twelve if it has none of them).
    title : str, optional
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure
        In each panel, one row per run other than the baseline: a dot at the difference and a
        line across its interval; a vertical line marks no difference. A filled dot is a
        difference whose interval excludes zero; a hollow one is within what chance allows, or
        its interval is no guide (see :func:`nzsim.analysis.guiding_intervals`).
        Differences of probabilities and shares are in percentage points.

    Raises
    ------
    ValueError
        If the table lacks :func:`~nzsim.analysis.compare`'s columns, an outcome is not in it, or
        it holds only the baseline.
    """
    require(table, list(analysis.COMPARE_COLUMNS), "comparison")
    present = list(pd.unique(table["outcome"]))
    if outcomes is None:
        outcomes = [o for o in catalogue_outcomes.COMPARISON_PANELS if o in present] or present[:12]
    outcomes = list(outcomes)
    missing = [o for o in outcomes if o not in present]
    if missing:
        raise ValueError(f"outcomes {missing} are not in the comparison; present: {present}")
    rows = table[table["run"] != table["baseline"]]
    if rows.empty:
        raise ValueError("the comparison holds only the baseline: nothing to draw")
    rows = rows.assign(_guide=analysis.guiding_intervals(table)[rows.index])
    runs = list(pd.unique(rows["run"]))
    baseline = str(table["baseline"].iloc[0])
    level = table.attrs.get("level")
    interval = f"its {level:.0%} interval" if isinstance(level, float) else "its bootstrap interval"
    ncols = min(3, max(1, len(outcomes)))
    nrows = math.ceil(len(outcomes) / ncols)
    names = [wrap(str(r), 36) for r in runs]  # long lever-cell labels on two or three lines
    longest = max(len(line) for name in names for line in name.split("\n"))
    lines = max(name.count("\n") + 1 for name in names)
    # each panel: about 3.4 inches of plot beside its run labels (about 0.08 inch a character)
    fig = new_figure((max(6.5, (3.8 + 0.08 * longest) * ncols), ((0.2 + 0.16 * lines) * len(runs) + 1.4) * nrows + 1.0))
    y = np.arange(len(runs))[::-1]
    for i, outcome in enumerate(outcomes):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        part = rows[rows["outcome"] == outcome].set_index("run").reindex(runs)
        statistic = str(part["statistic"].dropna().iloc[0]) if part["statistic"].notna().any() else "mean"
        scale = 100.0 if labels.in_percent(outcome, statistic) else 1.0
        d = part["difference"].to_numpy(dtype=float) * scale
        low = part["difference_low"].to_numpy(dtype=float) * scale
        high = part["difference_high"].to_numpy(dtype=float) * scale
        clear = ((low > 0) | (high < 0)) & part["_guide"].fillna(False).to_numpy(dtype=bool)
        ax.axvline(0, color="#555555", linewidth=1)
        if np.isnan(d).all():
            ax.text(0.5, 0.5, f"no values to compare\n(none in '{baseline}' or the runs)", ha="center", va="center",
                    transform=ax.transAxes, color="#555555", bbox=BOX)
        else:
            for yi in y[np.isnan(d)]:  # e.g. the incumbent's share of a run without an election
                ax.text(0.02, yi, "no values", transform=ax.get_yaxis_transform(), va="center", ha="left",
                        color="#555555", fontsize="small")
        ax.hlines(y, low, high, color=PALETTE[0], linewidth=2)
        ax.scatter(d[clear], y[clear], color=PALETTE[0], zorder=3, s=28)
        ax.scatter(d[~clear], y[~clear], facecolor="white", edgecolor=PALETTE[0], zorder=3, s=28, linewidth=1.5)
        ax.set_yticks(y, names)
        ax.set_ylabel("run")
        ax.set_ylim(-0.7, len(runs) - 0.3)
        ax.set_title(labels.outcome_title(outcome), fontsize="medium")
        ax.set_xlabel(wrap(f"difference, {labels.outcome_unit(outcome, statistic)}", 44))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.grid(axis="x", color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
    handles = [
        Line2D([], [], color=PALETTE[0], marker="o", linewidth=2, label=f"difference, with {interval}"),
        Line2D([], [], color=PALETTE[0], marker="o", markerfacecolor="white", linewidth=2,
               label="hollow: the interval includes zero, or comes from under "
                     f"{analysis.MIN_INTERVAL_VALUES} replications a run"),
    ]
    legend_below(fig, handles)
    chars = int(fig.get_figwidth() * 7)  # of the x-large bold title a line holds
    fig.suptitle(title or wrap(f"How each run differs from '{baseline}'", chars), fontsize="x-large", weight="bold")
    return fig


def comparison(
    table: pd.DataFrame,
    path: str | os.PathLike,
    outcomes: Sequence[str] | None = None,
    *,
    title: str | None = None,
) -> Path:
    """Write :func:`build_comparison` as a PNG at ``path`` and return the path."""
    return save_png(build_comparison(table, outcomes, title=title), path)


def build_frontier(
    frame: pd.DataFrame,
    objectives: Mapping[str, str] | Sequence[str] | None = None,
    *,
    title: str | None = None,
) -> Figure:
    """The tradeoff frontier: each run placed on pairs of objectives, the undominated ones filled.

    Parameters
    ----------
    frame : pandas.DataFrame
        The output of :func:`nzsim.analysis.tradeoff_frontier`.
    objectives : mapping of str to "max"/"min", or sequence of str, optional
        The objectives, as given to :func:`~nzsim.analysis.tradeoff_frontier` (for the
        direction of each axis); by default the frame's columns between ``run`` and
        ``on_frontier``, with directions from the catalogue.
    title : str, optional
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per pair of the first objective with each other one (one panel for two
        objectives). Every run is a labelled point: filled in colour if it is on the
        frontier, hollow grey if another run dominates it (as good on every objective and
        better on one). Axis labels say which way is better.

    Raises
    ------
    ValueError
        If the frame lacks the columns, or an objective has no known direction.
    """
    require(frame, ["run", "on_frontier"], "frontier")
    if objectives is None:
        columns = list(frame.columns)
        names = columns[columns.index("run") + 1 : columns.index("on_frontier")]
    else:
        names = list(objectives)
    require(frame, names, "frontier")
    if isinstance(objectives, Mapping):
        directions = dict(objectives)
    else:
        directions = catalogue_outcomes.objectives(names)
    if len(names) < 2:
        raise ValueError(f"expected at least two objectives, got {names}")
    pairs = [(names[0], other) for other in names[1:]]
    ncols = min(2, len(pairs))
    nrows = math.ceil(len(pairs) / ncols)
    fig = new_figure((6.2 * ncols + 2.6, 4.8 * nrows + 0.8))
    on = frame["on_frontier"].to_numpy(dtype=bool)
    numbers = [str(i + 1) for i in range(len(frame))]
    ink = ["#111111" if good else "#777777" for good in on]
    axes = []
    for i, (x_name, y_name) in enumerate(pairs):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        x = frame[x_name].to_numpy(dtype=float)
        y = frame[y_name].to_numpy(dtype=float)
        ax.scatter(x[~on], y[~on], facecolor="white", edgecolor="#888888", s=46, linewidth=1.5, zorder=3)
        ax.scatter(x[on], y[on], color=PALETTE[1], edgecolor="#333333", s=60, linewidth=0.8, zorder=4)
        ax.margins(x=0.15, y=0.15)
        axes.append((ax, x, y))
        for axis, name in ((ax.xaxis, x_name), (ax.yaxis, y_name)):
            (ax.set_xlabel if axis is ax.xaxis else ax.set_ylabel)(wrap(labels.objective_label(name, directions[name]), 48))
            if labels.is_share(name):
                percent_axis(axis)
        ax.grid(color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_title(wrap(f"{labels.outcome_title(y_name)} against {labels.lower_first(labels.outcome_title(x_name))}", 56), fontsize="medium")
    handles = [
        Line2D([], [], linestyle="", marker="o", color=PALETTE[1], markeredgecolor="#333333", markersize=8,
               label="on the frontier: no other run dominates it"),
        Line2D([], [], linestyle="", marker="o", markerfacecolor="white", markeredgecolor="#888888", markersize=8,
               label="dominated: another run is as good on every objective and better on one"),
    ]
    legend_below(fig, handles)
    # the key: each point carries its run's number; the names are listed beside the panels
    key = [Line2D([], [], linestyle="", marker="", label=f"{n}  {wrap(str(run), 30)}".replace("\n", "\n    "))
           for n, run in zip(numbers, frame["run"])]
    legend = fig.legend(handles=key, loc="outside right upper", title="Runs", frameon=False, handlelength=0,
                        handletextpad=0, alignment="left", fontsize="small")
    for text, colour in zip(legend.get_texts(), ink):
        text.set_color(colour)
    fig.suptitle(title or f"Tradeoffs across {len(frame)} runs on {len(names)} objectives", fontsize="x-large", weight="bold")
    fig.canvas.draw()  # lay the panels out, then place the numbers on the panels as drawn
    fig.set_layout_engine("none")  # and keep that layout, so the numbers stay where they were placed
    for ax, x, y in axes:
        _label_points(ax, x, y, numbers, ink)
    return fig


def frontier(
    frame: pd.DataFrame,
    path: str | os.PathLike,
    objectives: Mapping[str, str] | Sequence[str] | None = None,
    *,
    title: str | None = None,
) -> Path:
    """Write :func:`build_frontier` as a PNG at ``path`` and return the path."""
    return save_png(build_frontier(frame, objectives, title=title), path)


def _label_points(ax, x: np.ndarray, y: np.ndarray, labels: list[str], colours: list[str]) -> list:
    """Put each point's label (a short number) beside it, inside the panel, overlapping no other
    label and no point; a label pushed away from its point gets a leader line to it.

    Points that sit on top of each other share one label ("2, 5"). Placement is measured on
    the figure as laid out (call after the layout is fixed): each candidate spot around the
    point, nearest first, is tried until one fits. Returns the annotations.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    pad = 2.0 * fig.dpi / 72  # two points, in pixels
    inside = (frame.x0 + pad, frame.y0 + pad, frame.x1 - pad, frame.y1 - pad)
    at = ax.transData.transform(np.column_stack([x, y]))
    marker = 5.0 * fig.dpi / 72  # a dot's radius, and a little room around it

    # points closer than a dot's width share a label
    clusters: list[list[int]] = []
    for i, p in enumerate(at):
        if not np.isfinite(p).all():
            continue
        for cluster in clusters:
            if np.hypot(*(at[cluster[0]] - p)) < 1.6 * marker:
                cluster.append(i)
                break
        else:
            clusters.append([i])
    dots = [(p[0] - marker, p[1] - marker, p[0] + marker, p[1] + marker) for p in at if np.isfinite(p).all()]
    placed: list[tuple[float, float, float, float]] = []
    notes = []
    angles = np.deg2rad([45, 135, -45, -135, 90, -90, 0, 180, 22, 158, -22, -158, 68, 112, -68, -112])
    for cluster in clusters:
        xi, yi = x[cluster[0]], y[cluster[0]]
        px, py = at[cluster[0]]
        text = ", ".join(labels[i] for i in cluster)
        colour = colours[cluster[0]] if len({colours[i] for i in cluster}) == 1 else "#111111"
        style = {"fontsize": 8, "color": colour, "ha": "center", "va": "center", "weight": "bold", "zorder": 5}
        probe = ax.text(xi, yi, text, **style)
        box = probe.get_window_extent(renderer)
        probe.remove()
        w, h = box.width + 2, box.height + 1
        choice = None
        for radius in (9, 15, 23, 33, 45, 60):
            for angle in angles:
                # centre of the label, in pixels, so that its box clears the dot by ``radius`` points
                r = radius * fig.dpi / 72
                cx = px + np.cos(angle) * (r + w / 2 * abs(np.cos(angle)))
                cy = py + np.sin(angle) * (r + h / 2 * abs(np.sin(angle)))
                candidate = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                if not (inside[0] <= candidate[0] and candidate[2] <= inside[2]
                        and inside[1] <= candidate[1] and candidate[3] <= inside[3]):
                    continue
                if any(_overlap(candidate, other) for other in [*placed, *dots]):
                    continue
                choice = (cx, cy, radius)
                break
            if choice is not None:
                break
        if choice is None:  # nowhere free: the nearest spot inside the panel
            cx = min(max(px + marker + w / 2, inside[0] + w / 2), inside[2] - w / 2)
            cy = min(max(py + marker + h / 2, inside[1] + h / 2), inside[3] - h / 2)
            choice = (cx, cy, 99)
        cx, cy, radius = choice
        scale = 72 / fig.dpi
        # pushed away from its point: a leader line says whose label it is
        leader = {"arrowstyle": "-", "color": colour, "linewidth": 0.7, "shrinkA": 0, "shrinkB": 4} if radius > 9 else None
        note = ax.annotate(text, (xi, yi), xytext=((cx - px) * scale, (cy - py) * scale), textcoords="offset points",
                           arrowprops=leader, **style)
        note.set_in_layout(False)
        placed.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
        notes.append(note)
    return notes


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

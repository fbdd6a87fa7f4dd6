"""Figures of one run's outcomes: histograms with the medians and China's highest rung, and
cumulative distributions of several runs overlaid."""

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
from ..catalogue.rungs import RUNG_NAMES
from . import labels
from .style import (
    BOX, MARK_COLOUR, SHARE_LABEL, group_label, group_patch, group_rows,
    group_styles, legend_below, new_figure, percent_axis, save_png, share_label,
)


def build_outcome_distributions(
    outcomes: pd.DataFrame,
    columns: Sequence[str] | None = None,
    by: str | None = None,
    *,
    title: str | None = None,
    mark: Mapping[str, object] | None = None,
    mark_label: str = "marked",
) -> Figure:
    """Histograms of numeric outcomes and a bar panel of China's highest rung.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        One row per replication (see :func:`nzsim.analysis.summarise`).
    columns : sequence of str, optional
        Numeric outcome columns to draw, one panel each; by default those of
        the catalogue's histograms present in ``outcomes``.
    by : str, optional
        A column to group by (e.g. ``"cell"``): each group is overlaid in its own colour,
        with a legend. Heights are shares of each group's replications, so groups of
        different sizes compare.
    title : str, optional
        The figure's title; by default it says how many replications are drawn.
    mark : mapping of str to value, optional
        One replication's outcomes (e.g. the run a student watched): each panel whose column
        has a value gets a vertical line there, labelled ``mark_label`` (the rung panel too,
        from ``china_max_rung``). The panel's range always takes the line in.
    mark_label : str
        The label of the marked values.

    Returns
    -------
    matplotlib.figure.Figure
        Each histogram marks the median with a dashed line; the bottom panel, when
        ``china_max_rung`` is present, shows the share of replications whose highest rung is
        each rung. An outcome with a ``min_span`` in the catalogue whose values (and marked value) span less
        than its minimum is drawn over that minimum range, centred on them, with a note
        ("all runs within 0.0018"), so a tiny spread does not look like a wide one.

    Raises
    ------
    ValueError
        If a requested column or ``by`` is missing.
    """
    if columns is None:
        columns = [c for c in catalogue_outcomes.HISTOGRAMS if c in outcomes.columns]
    columns = list(columns)
    require(outcomes, [*columns, *([by] if by else [])], "outcomes")
    outcomes = outcomes.reset_index(drop=True)  # runs concatenated keep their own row labels
    groups = group_rows(outcomes, by)
    styles = group_styles(len(groups))
    rung_panel = "china_max_rung" in outcomes.columns

    ncols = min(3, max(1, len(columns)))
    nrows = math.ceil(len(columns) / ncols)
    fig = new_figure((4.4 * ncols, 3.1 * nrows + (3.3 if rung_panel else 0) + 0.6))
    grid = fig.add_gridspec(nrows + int(rung_panel), ncols)

    for i, column in enumerate(columns):
        ax = fig.add_subplot(grid[i // ncols, i % ncols])
        _histogram(ax, column, [(name, outcomes.loc[rows, column]) for name, rows in groups], styles,
                   (mark or {}).get(column))

    if rung_panel:
        ax = fig.add_subplot(grid[nrows, :])
        _rung_bars(ax, outcomes, by, groups, styles)

    for ax, column in zip(fig.axes, [*columns, *(["china_max_rung"] if rung_panel else [])]):
        value = (mark or {}).get(column)
        if value is not None and not pd.isna(value):
            ax.axvline(float(value), color=MARK_COLOUR, linewidth=3 if column != "china_max_rung" else 2)
            ax.annotate(mark_label, xy=(float(value), 0.5), xycoords=("data", "axes fraction"), rotation=90,
                        xytext=(-4, 0), textcoords="offset points", ha="right", va="center",
                        color=MARK_COLOUR, weight="bold", fontsize="small")

    if by is not None:  # one group needs no legend: its medians are written on the panels
        handles = [group_patch(style, group_label(by, name)) for (name, _), style in zip(groups, styles)]
        handles.append(Line2D([], [], color="#333333", linestyle="--", linewidth=1.5, label="median (dashed, in the group's colour)"))
        legend_below(fig, handles)

    n = len(outcomes)
    where = f", by {by}" if by is not None else ""
    fig.suptitle(title or f"Outcomes across {n:,} replications{where}", fontsize="x-large", weight="bold")
    return fig


def outcome_distributions(
    outcomes: pd.DataFrame,
    path: str | os.PathLike,
    columns: Sequence[str] | None = None,
    by: str | None = None,
    *,
    title: str | None = None,
) -> Path:
    """Write :func:`build_outcome_distributions` as a PNG at ``path`` and return the path."""
    return save_png(build_outcome_distributions(outcomes, columns, by, title=title), path)


def _histogram(ax, column: str, series: list[tuple[object, pd.Series]], styles: Sequence[tuple[str, str, str]],
               marked: object = None) -> None:
    panel_title, xlabel = labels.outcome_labels(column)
    ax.set_title(panel_title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(SHARE_LABEL)
    percent_axis(ax.yaxis)

    values = [(name, pd.to_numeric(s, errors="coerce").dropna().to_numpy(dtype=float)) for name, s in series]
    pooled = np.concatenate([v for _, v in values]) if values else np.array([])
    if pooled.size == 0:
        if labels.is_percent(column):
            percent_axis(ax.xaxis)
        ax.text(0.5, 0.5, "no values (e.g. no election held)", ha="center", va="center", transform=ax.transAxes, color="#555555")
        return
    show = (lambda v: f"{v:.0%}") if labels.is_percent(column) else (lambda v: f"{v:,.3g}")
    window = _window(column, pooled, marked)
    edges = _bin_edges([v for _, v in values if v.size], window)
    single = len(values) == 1
    for i, ((name, v), (colour, linestyle, hatch)) in enumerate(zip(values, styles)):
        if v.size == 0:
            continue
        weights = np.full(v.size, 1.0 / v.size)
        if single:
            ax.hist(v, bins=edges, weights=weights, color=colour, alpha=0.85, edgecolor="white", linewidth=0.6)
        else:
            # earlier groups get wider outlines, so identical histograms show as nested colours;
            # past eight groups the outline's line style tells a colour's second use from its first
            width = 1.4 + (1.0 * (len(values) - 1 - i) if len(values) <= 4 else 0.0)
            ax.hist(v, bins=edges, weights=weights, histtype="stepfilled", color=colour, alpha=0.15)
            ax.hist(v, bins=edges, weights=weights, histtype="step", color=colour, linewidth=width, linestyle=linestyle)
        ax.axvline(float(np.median(v)), color="#333333" if single else colour, linestyle="--", linewidth=1.5)
    if pooled.min() == pooled.max():
        half = (edges[1] - edges[0]) / 2
        ax.set_xlim(pooled[0] - 6 * half, pooled[0] + 6 * half)
        ax.set_xticks([pooled[0]], [show(pooled[0])])
        ax.text(0.03, 0.95, f"every run: {show(pooled[0])}", ha="left", va="top", transform=ax.transAxes,
                color="#333333", bbox=BOX)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        if labels.is_percent(column):
            percent_axis(ax.xaxis)
        if window is not None:
            _spread_note(ax, column, pooled, window)
        if single:
            median = float(np.median(values[0][1]))
            ax.annotate(
                f"median {show(median)}", xy=(median, 1.0), xycoords=("data", "axes fraction"), xytext=(4, -4),
                textcoords="offset points", ha="left", va="top", fontsize="small", color="#333333", bbox=BOX,
            )
    ax.set_ylim(0, None)
    ax.margins(y=0.12)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)


def _window(column: str, values: np.ndarray, marked: object) -> tuple[float, float] | None:
    """The x-range of an outcome whose values span less than its ``min_span`` in the catalogue
    (but do vary): that minimum, centred on them and kept inside 0 to 1, widened to take in the
    marked value if it lies outside. None for any other outcome: its histogram fills the panel."""
    span = catalogue_outcomes.OUTCOMES[column].min_span if column in catalogue_outcomes.OUTCOMES else None
    low, high = float(values.min()), float(values.max())
    if span is None or low == high or high - low >= span:
        return None
    if marked is not None and not pd.isna(marked):  # the marked run stays in view
        low, high = min(low, float(marked)), max(high, float(marked))
    left = min(max((low + high - span) / 2, 0.0), 1.0 - span)
    return min(left, low), max(left + span, high)


def _spread_note(ax, column: str, values: np.ndarray, window: tuple[float, float]) -> None:
    """Fix the panel to ``window`` and say how close the runs are, on the side away from them."""
    ax.set_xlim(*window)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    spread = float(values.max() - values.min())
    within = f"{100 * spread:.2g} percentage points" if labels.is_percent(column) else f"{spread:.2g}"
    left_side = (values.min() + values.max()) / 2 > sum(window) / 2 - 1e-12
    ax.text(0.03 if left_side else 0.97, 0.95, f"all runs within\n{within}", ha="left" if left_side else "right",
            va="top", multialignment="left", transform=ax.transAxes, fontsize="small", color="#333333", bbox=BOX)


def _bin_edges(groups: list[np.ndarray], window: tuple[float, float] | None = None) -> np.ndarray:
    """Bin edges shared by every group: about as many bins as numpy's "auto" rule suggests,
    kept between 12 and 36; or, given a ``window`` (see :func:`_window`), bins a 25th of
    its width, so that values close together fill a bin or two of a wide range rather than
    many bins too thin to see.

    Values on a regular grid (weeks, the government's stance steps, shares of a few hundred
    voters) get bins a whole number of grid steps wide, so every bin holds the same number of
    grid points and none falls empty between them (the comb a histogram of gridded values
    otherwise shows).
    """
    pooled = np.concatenate(groups)
    low, high = float(pooled.min()), float(pooled.max())
    if low == high:
        half = max(abs(low) * 0.05, 0.01)
        return np.array([low - half, low + half])
    step = _grid_step(groups, high - low)
    if window is not None:
        width = (window[1] - window[0]) / 25
        if step is not None:
            width = step * max(1, math.ceil(width / step - 1e-9))
        start = low - (step if step is not None else width) / 2  # grid points at bin centres
        return start + width * np.arange(max(1, math.ceil((high - start) / width - 1e-9)) + 1)
    target = min(36, max(12, len(np.histogram_bin_edges(pooled, bins="auto")) - 1))
    if step is not None:
        points = int(round((high - low) / step)) + 1  # grid points from low to high
        width = step * max(1, math.ceil(points / target))
        bins = math.ceil(points * step / width - 1e-9)
        return low - step / 2 + width * np.arange(bins + 1)
    return np.linspace(low, high, target + 1)


def _grid_step(groups: list[np.ndarray], span: float) -> float | None:
    """The step of the regular grid every group's values sit on (a whole multiple of it for
    each group), or None."""
    steps = [_lattice_step(v, span) for v in groups if v.size > 1]
    if steps and all(step is not None for step in steps):
        step = min(steps)
        if all(abs(s / step - round(s / step)) < 1e-6 for s in steps):
            return step
    return None


def _lattice_step(values: np.ndarray, span: float) -> float | None:
    """The step of the regular grid ``values`` sit on, or None if they sit on none."""
    unique = np.unique(values)
    unique = unique[np.r_[True, np.diff(unique) > span * 1e-9]]  # merge float noise
    if unique.size < 2:
        return None
    step = float(np.diff(unique).min())
    k = (unique - unique[0]) / step
    if k[-1] > 100_000:  # too fine to be a grid worth binning by
        return None
    return step if np.allclose(k, np.round(k), atol=1e-6) else None


def _rung_bars(ax, outcomes: pd.DataFrame, by: str | None, groups, styles) -> None:
    table = analysis.summarise(outcomes[[*([by] if by else []), "china_max_rung"]], by=by)
    x = np.arange(len(RUNG_NAMES))
    width = 0.8 / max(1, len(groups))
    for i, ((name, _), (colour, linestyle, hatch)) in enumerate(zip(groups, styles)):
        rows = table if by is None else table[table[by].eq(name) | (table[by].isna() & pd.isna(name))]
        shares = rows["probability"].to_numpy(dtype=float)
        offset = (i - (len(groups) - 1) / 2) * width
        bars = ax.bar(x + offset, shares, width=width * 0.95, color=colour, hatch=hatch or None,
                      edgecolor="white" if hatch else None, linewidth=0 if not hatch else 0.5)
        if len(groups) <= 3:  # label the bars; with several groups only those above zero
            labels = [share_label(s, blank_zero=len(groups) > 1) for s in shares]
            ax.bar_label(bars, labels=labels, padding=2, fontsize="small")
    ax.set_xticks(x, [name.capitalize().replace(" ", "\n") for name in RUNG_NAMES])
    ax.set_title("China's highest rung on the escalation ladder during the run")
    ax.set_xlabel("highest rung reached (trade measures from 'informal restriction')")
    ax.set_ylabel(SHARE_LABEL)
    percent_axis(ax.yaxis)
    ax.set_ylim(0, 1.12)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)


def build_ecdfs(
    outcomes: pd.DataFrame,
    columns: Sequence[str] | None = None,
    by: str = "run",
    *,
    title: str | None = None,
) -> Figure:
    """Empirical cumulative distributions of numeric outcomes, one line per run, overlaid.

    Easier to read than overlaid histograms when several runs are compared: at each value,
    a line gives the share of that run's replications at or below it, so a line further
    right means a run with larger values, and where two lines coincide the runs do not differ.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        One row per replication, with the ``by`` column naming each row's run (as
        :func:`nzsim.analysis` frames concatenated with a ``run`` column).
    columns : sequence of str, optional
        Numeric outcomes, one panel each; by default the catalogue's histograms present.
    by : str
        The column that names the run (default ``"run"``).
    title : str, optional
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If a column or ``by`` is missing.
    """
    if columns is None:
        columns = [c for c in catalogue_outcomes.HISTOGRAMS if c in outcomes.columns]
    columns = list(columns)
    require(outcomes, [*columns, by], "outcomes")
    outcomes = outcomes.reset_index(drop=True)  # runs concatenated keep their own row labels
    groups = group_rows(outcomes, by)
    styles = group_styles(len(groups))
    ncols = min(3, max(1, len(columns)))
    nrows = max(1, math.ceil(len(columns) / ncols))
    fig = new_figure((4.4 * ncols, 3.2 * nrows + 0.6 + 0.25 * math.ceil(len(groups) / 3)))
    for i, column in enumerate(columns):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        panel_title, xlabel = labels.outcome_labels(column)
        for (name, index), (colour, linestyle, _) in zip(groups, styles):
            v = np.sort(pd.to_numeric(outcomes.loc[index, column], errors="coerce").dropna().to_numpy(dtype=float))
            if v.size:
                shares = np.arange(1, v.size + 1) / v.size
                ax.step(np.r_[v[0], v], np.r_[0.0, shares], where="post", color=colour, linestyle=linestyle,
                        linewidth=1.8)
        ax.set_title(panel_title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("replications at or below (%)")
        percent_axis(ax.yaxis)
        if labels.is_percent(column):
            percent_axis(ax.xaxis)
        ax.set_ylim(0, 1.02)
        ax.grid(color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
    handles = [
        Line2D([], [], color=colour, linewidth=2, linestyle=linestyle, label=str(name))
        for (name, _), (colour, linestyle, _) in zip(groups, styles)
    ]
    legend_below(fig, handles)
    fig.suptitle(title or f"Outcome distributions of {len(groups)} runs (cumulative)", fontsize="x-large", weight="bold")
    return fig


def ecdfs(
    outcomes: pd.DataFrame,
    path: str | os.PathLike,
    columns: Sequence[str] | None = None,
    by: str = "run",
    *,
    title: str | None = None,
) -> Path:
    """Write :func:`build_ecdfs` as a PNG at ``path`` and return the path."""
    return save_png(build_ecdfs(outcomes, columns, by, title=title), path)

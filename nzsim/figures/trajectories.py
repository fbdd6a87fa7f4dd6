"""Figures of trajectories: fan charts of the weekly variables, China's escalation ladder week
by week, and the dashboard's live plots of one run."""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from .. import analysis
from ..analysis.frames import require
from ..catalogue import variables as catalogue_variables
from ..catalogue.rungs import RUNG_NAMES
from ..runs.runfolder import Run
from . import labels
from .style import (
    RUNG_COLOURS, group_label, group_patch, group_rows,
    group_styles, legend_below, new_figure, percent_axis, save_png, time_axis, time_values,
)


def build_fan_charts(
    trajectories_or_quantiles: pd.DataFrame | Run,
    variables: Sequence[str] | None = None,
    start: dt.date | None = None,
    *,
    by: str | None = None,
    title: str | None = None,
) -> Figure:
    """Fan charts of trajectories: the median week by week with the middle 50% and 90% of runs.

    Parameters
    ----------
    trajectories_or_quantiles : pandas.DataFrame or Run
        Either the long trajectories (``week``, ``variable``, ``value``), the output of
        :func:`nzsim.analysis.fan_quantiles` (``variable``, ``week``, ``q05`` ... ``q95``), or a
        run, whose trajectories are then read in batches (see :func:`nzsim.analysis.fan_quantiles`).
    variables : sequence of str, optional
        One panel each. By default, from long trajectories those of
        the catalogue's fan charts present (or every variable, if none of those is); from
        quantiles every variable they hold (they were chosen when computing them).
    start : datetime.date, optional
        The scenario's start date: the time axis then shows dates instead of weeks.
    by : str, optional
        A column to keep apart (e.g. ``"cell"``): each group gets its median and middle 50%
        in its own colour (the 90% bands are left out so the groups stay readable).
    title : str, optional
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the frame is neither kind, or lacks ``q50``, a variable or ``by``.
    """
    frame = trajectories_or_quantiles
    n_runs = None
    if isinstance(frame, Run):
        variables = _default_variables(variables, frame.trajectory_variables)
        n_runs = _replications(frame.outcomes, by)
        quantiles = analysis.fan_quantiles(frame, variables, by=by)
    elif "value" in frame.columns:
        present = list(pd.unique(frame["variable"]))
        variables = _default_variables(variables, present)
        if "replication" in frame.columns:
            n_runs = _replications(frame, by)
        quantiles = analysis.fan_quantiles(frame, variables, by=by)
    elif "q50" in frame.columns:
        require(frame, ["variable", "week", *([by] if by else [])], "quantiles")
        present = list(pd.unique(frame["variable"]))
        variables = present if variables is None else list(variables)
        missing = [v for v in variables if v not in present]
        if missing:
            raise ValueError(f"variables {missing} are not in the quantiles; present: {present}")
        quantiles = frame[frame["variable"].isin(variables)]
    else:
        raise ValueError(
            "expected long trajectories (week, variable, value) or fan_quantiles output "
            f"(variable, week, q50, ...); got columns {list(frame.columns)}"
        )

    groups = group_rows(quantiles, by)
    styles = group_styles(len(groups))
    colours = [colour for colour, _, _ in styles]
    ncols = min(3, max(1, len(variables)))
    nrows = max(1, math.ceil(len(variables) / ncols))
    fig = new_figure((4.6 * ncols, 3.3 * nrows + 0.9))
    axes = [fig.add_subplot(nrows, ncols, i + 1) for i in range(len(variables))]

    for ax, variable in zip(axes, variables):
        rows = quantiles[quantiles["variable"] == variable]
        for (name, index), (colour, linestyle, _) in zip(groups, styles):
            part = rows.loc[rows.index.intersection(index)].sort_values("week")
            x = time_values(part["week"].to_numpy(), start)
            if by is None and {"q05", "q95"} <= set(part.columns):
                ax.fill_between(x, part["q05"], part["q95"], color=colour, alpha=0.18, linewidth=0)
            if {"q25", "q75"} <= set(part.columns):
                ax.fill_between(x, part["q25"], part["q75"], color=colour, alpha=0.38 if by is None else 0.22, linewidth=0)
            ax.plot(x, part["q50"], color=colour, linewidth=2.0, linestyle=linestyle)
        panel_title, ylabel = labels.variable_labels(variable)
        known = catalogue_variables.VARIABLES.get(variable)
        ax.set_title(panel_title)
        ax.set_ylabel(ylabel)
        if labels.is_percent(variable):
            percent_axis(ax.yaxis)
        if known is not None and known.whole:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if known is not None and known.from_zero:
            ax.set_ylim(bottom=0)
        time_axis(ax, start)
        ax.grid(color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)

    if by is None:
        handles = [
            Line2D([], [], color=colours[0], linewidth=2.0, label="median"),
            Patch(facecolor=colours[0], alpha=0.38 + 0.18 * (1 - 0.38), label="middle 50% of runs"),
            Patch(facecolor=colours[0], alpha=0.18, label="middle 90% of runs"),
        ]
    else:
        handles = [group_patch(style, group_label(by, name), alpha=0.3) for (name, _), style in zip(groups, styles)]
        handles.append(Line2D([], [], color="#333333", linewidth=2.0, label="line: median, band: middle 50%"))
    legend_below(fig, handles)
    each = f" per {by}" if by is not None else ""
    runs = f" across {n_runs:,} replications{each}" if n_runs is not None else ""
    fig.suptitle(title or f"Week by week{runs}: the median run and the spread around it", fontsize="x-large", weight="bold")
    return fig


def _replications(frame: pd.DataFrame, by: str | None) -> int | None:
    """Replications in the frame, or in each group when every group has as many (else None)."""
    if by is None:
        return int(frame["replication"].nunique())
    # replication numbers restart in each run or cell: count them group by group
    counts = frame.groupby(by, sort=False, observed=True)["replication"].nunique()
    return int(counts.iloc[0]) if counts.nunique() == 1 else None


def fan_charts(
    trajectories_or_quantiles: pd.DataFrame | Run,
    path: str | os.PathLike,
    variables: Sequence[str] | None = None,
    start: dt.date | None = None,
    *,
    by: str | None = None,
    title: str | None = None,
) -> Path:
    """Write :func:`build_fan_charts` as a PNG at ``path`` and return the path."""
    return save_png(build_fan_charts(trajectories_or_quantiles, variables, start, by=by, title=title), path)


def _default_variables(variables: Sequence[str] | None, present: list[str]) -> list[str]:
    if variables is not None:
        return list(variables)
    chosen = [v for v in catalogue_variables.FAN_CHARTS if v in present]
    return chosen or present


def build_rung_ladder(
    trajectories: pd.DataFrame | Run,
    start: dt.date | None = None,
    *,
    by: str | None = None,
    title: str | None = None,
) -> Figure:
    """China's escalation ladder over the run: the share of replications at each rung each week.

    Parameters
    ----------
    trajectories : pandas.DataFrame or Run
        Long trajectories with ``china_rung`` rows, a run, whose are read in batches, or the
        shares themselves (the output of :func:`nzsim.analysis.rung_probabilities_by_week`).
    start : datetime.date, optional
        The scenario's start date: the time axis then shows dates instead of weeks.
    by : str, optional
        A column to keep apart (e.g. ``"cell"``): one panel per group, on shared axes.
    title : str, optional
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure
        Stacked areas, cordial at the bottom and formal coercion on top; the legend lists the
        rungs top to bottom as they are stacked.
    """
    if isinstance(trajectories, pd.DataFrame) and "value" not in trajectories.columns \
            and set(RUNG_NAMES) <= set(trajectories.columns):
        require(trajectories, ["week", *([by] if by else [])], "rung shares")
        table = trajectories
    else:
        table = analysis.rung_probabilities_by_week(trajectories, by=by)
    groups = group_rows(table, by)
    ncols = 1 if len(groups) == 1 else 2
    nrows = math.ceil(len(groups) / ncols)
    fig = new_figure((9.5 if ncols == 1 else 13.0, 4.6 * nrows + 0.5))
    axes = [fig.add_subplot(nrows, ncols, i + 1) for i in range(len(groups))]
    names = list(RUNG_NAMES)
    for ax, (name, index) in zip(axes, groups):
        part = table.loc[index].sort_values("week")
        x = time_values(part["week"].to_numpy(), start)
        ax.stackplot(x, *(part[r].to_numpy() for r in names), colors=RUNG_COLOURS, labels=[r.capitalize() for r in names],
                     step="mid", linewidth=0)
        ax.set_ylim(0, 1)
        ax.set_xlim(x[0], x[-1])
        ax.set_ylabel("replications at the rung (%)")
        percent_axis(ax.yaxis)
        time_axis(ax, start)
        ax.set_title(group_label(by, name) if by is not None else "Share of replications at each rung, week by week")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="outside right center", title="China's rung", frameon=False)
    fig.suptitle(title or "China's escalation ladder over the run", fontsize="x-large", weight="bold")
    return fig


def rung_ladder(
    trajectories: pd.DataFrame | Run,
    path: str | os.PathLike,
    start: dt.date | None = None,
    *,
    by: str | None = None,
    title: str | None = None,
) -> Path:
    """Write :func:`build_rung_ladder` as a PNG at ``path`` and return the path."""
    return save_png(build_rung_ladder(trajectories, start, by=by, title=title), path)


#: Live plot panels: title, then each line's weekly variable and colour (its legend is the
#: variable's words in the catalogue), and the value axis.
LIVE_PLOTS = (
    ("Where New Zealand stands", (("stance", "#0072B2"), ("interoperability", "#009E73"),
                                  ("partner_trust_mean", "#CC79A7")), "share"),
    ("The public", (("approval", "#E69F00"), ("threat_share", "#D55E00"), ("blame_beijing", "#0072B2")), "percent"),
    ("Beijing", (("china_rung", "#5C1A00"),), "rung"),
    ("Who presses the government", (("exporters_pressure", "#E69F00"), ("security_pressure", "#56B4E9")), "index"),
)


def build_live_plots(
    columns: Mapping[str, Sequence[float]], horizon: int, start: dt.date, event_weeks: Sequence[int] = ()
) -> Figure:
    """One run's weeks so far, one panel per group of :data:`LIVE_PLOTS`, on the whole horizon.

    Parameters
    ----------
    columns : mapping of str to sequence of float
        Each reporter of :data:`LIVE_PLOTS`, week 0 first, all of one length.
    horizon : int
        The run's last week: the time axis spans the whole run, so the lines grow into it.
    start : datetime.date
        The scenario's start (week 0), named in the axis label.
    event_weeks : sequence of int
        Weeks of scheduled events, drawn as dotted lines.

    Returns
    -------
    matplotlib.figure.Figure
    """
    weeks = np.arange(len(next(iter(columns.values()))))
    fig = new_figure((7.2, 8.2))
    axes = fig.subplots(len(LIVE_PLOTS), 1, sharex=True)
    for ax, (title, lines, scale) in zip(axes, LIVE_PLOTS):
        for name, colour in lines:
            label = catalogue_variables.VARIABLES[name].words
            drawn = ax.step if scale == "rung" else ax.plot
            kwargs = {"where": "post"} if scale == "rung" else {}
            drawn(weeks, columns[name], label=label, color=colour, linewidth=2, **kwargs)
        ax.set_title(title, loc="left", fontsize="medium", weight="bold")
        if scale in ("share", "percent"):
            ax.set_ylim(-0.02, 1.02)
        if scale == "percent":
            percent_axis(ax.yaxis)
        if scale == "rung":
            ax.set_ylim(-0.3, 5.3)
            ax.set_yticks(range(len(RUNG_NAMES)), list(RUNG_NAMES), fontsize="small")
        if scale == "index":
            ax.set_ylim(0, None)
        for week in event_weeks:
            ax.axvline(week, color="#BBBBBB", linewidth=0.8, linestyle=":")
        ax.grid(axis="y", color="#EEEEEE")
        ax.legend(loc="upper left", fontsize="small", frameon=False)
    axes[-1].set_xlim(0, horizon)
    # two lines: on one, the label was wider than the figure and its end was cut off
    axes[-1].set_xlabel(f"weeks done (0 = the start, {start.day} {start:%b %Y}, as the status line counts them)\n"
                        f"dotted lines: scheduled events")
    return fig

"""Figures of ensemble results: the only module in the package that draws.

Each figure comes in two functions: ``build_<figure>(...)`` returns a
:class:`matplotlib.figure.Figure`, and ``<figure>(..., path)`` builds it, writes a PNG to
``path`` and returns the path. The numbers come from :mod:`nzsim.analysis`; this module only
draws them.

Nothing global changes at import or when a figure is drawn: figures are plain
:class:`~matplotlib.figure.Figure` objects with an Agg canvas attached, never ``pyplot``
figures, and neither the backend nor ``rcParams`` is touched, so a notebook or a dashboard
that imports this module keeps its own settings. Colours are the Okabe-Ito palette, which
stays distinguishable under the common colour-vision deficiencies.

References
----------
Okabe, M. and Ito, K. (2008). Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

import datetime as dt
import math
import os
import textwrap
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import analysis
from .partners import NAMES as PARTNER_NAMES
from .runfolder import Run

__all__ = [
    "in_percent",
    "COMPARE_OUTCOMES",
    "LIVE_PLOTS",
    "MARK_COLOUR",
    "MIN_SPANS",
    "DEFAULT_OUTCOMES",
    "DEFAULT_VARIABLES",
    "OUTCOME_LABELS",
    "PALETTE",
    "RUNG_COLOURS",
    "VARIABLE_LABELS",
    "PROBABILITY_LABELS",
    "build_comparison",
    "build_ecdfs",
    "build_fan_charts",
    "build_frontier",
    "build_live_plots",
    "build_outcome_distributions",
    "build_parameter_effects",
    "build_rung_ladder",
    "build_variance_split",
    "comparison",
    "ecdfs",
    "fan_charts",
    "frontier",
    "outcome_distributions",
    "outcome_title",
    "parameter_effects",
    "rung_ladder",
    "variance_split",
]

#: The Okabe-Ito palette, ordered for groups: blue, orange, bluish green, vermillion, reddish
#: purple, sky blue, yellow, black (yellow late: it is faint on white).
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

#: Colours of China's rungs, cordial to formal coercion: green for warmth, grey for normal,
#: then yellow to dark red as the ladder escalates (light to dark, so the order survives
#: greyscale and colour-vision deficiencies).
RUNG_COLOURS: tuple[str, ...] = ("#009E73", "#D0D0D0", "#F0E442", "#E69F00", "#D55E00", "#5C1A00")

#: The colour of a marked replication (vermillion: apart from the blue of a single histogram).
MARK_COLOUR = "#D55E00"

#: The outcome histograms drawn by default.
DEFAULT_OUTCOMES = (
    "final_stance",
    "final_interoperability",
    "trust_mean",
    "final_approval",
    "final_threat_share",
    "exports_lost_nzd_m",
)

#: The trajectories drawn by default.
DEFAULT_VARIABLES = (
    "stance",
    "interoperability",
    "partner_trust_mean",
    "china_grievance",
    "approval",
    "threat_share",
)

_TRUST = "trust (0 = none, 1 = full)"


def _partner(key: str) -> str:
    name = PARTNER_NAMES[key]
    return name[4:] if name.startswith("the ") else name


#: Trajectory variables (:data:`nzsim.model.REPORTERS`): panel title and value-axis label.
VARIABLE_LABELS: Mapping[str, tuple[str, str]] = {
    "stance": ("NZ's stance on China", "stance (0 = hedges, 1 = aligns)"),
    "interoperability": ("Interoperability with partners", "interoperability (0 = none, 1 = full)"),
    "independence_credibility": ("Credibility of the independent policy", "credibility (0 = none, 1 = full)"),
    "partner_trust_mean": ("Partners' trust in NZ", "mean trust of six partners (0-1)"),
    **{f"trust_{key}": (f"{_partner(key)}'s trust in NZ", _TRUST) for key in PARTNER_NAMES},
    "china_grievance": ("China's grievance", "grievance (index, 0 = none)"),
    "china_rung": ("China's rung on the ladder", "rung (0 = cordial, 5 = formal coercion)"),
    "approval": ("Approval of NZ's foreign policy", "approval (% of voters)"),
    "threat_share": ("Threat perception", "voters who see China as a threat (%)"),
    "exports_lost_week_nzd_m": ("Exports lost to China each week", "NZ$ million a week"),
    "exporters_pressure": ("Exporters' pressure on the government", "pressure (index)"),
    "security_pressure": ("Security establishment's pressure", "pressure (index)"),
    "recession": ("In recession", "in recession (0 = no, 1 = yes)"),
    "us_commitment": ("US commitment to its partners", "commitment (1 = as usual)"),
    "bloc_national": ("National-led government", "National-led (0 = no, 1 = yes)"),
}

#: Outcome columns (:func:`nzsim.outcomes.outcome_row`): panel title and value-axis label.
OUTCOME_LABELS: Mapping[str, tuple[str, str]] = {
    "final_stance": ("NZ's stance at the end", "stance (0 = hedges, 1 = aligns)"),
    "peak_stance": ("NZ's highest stance", "stance (0 = hedges, 1 = aligns)"),
    "final_interoperability": ("Interoperability at the end", "interoperability (0 = none, 1 = full)"),
    "coercion_weeks": ("Weeks under trade measures", "weeks"),
    "exports_lost_nzd_m": ("Exports lost to China over the run", "NZ$ million, total"),
    "final_approval": ("Approval of foreign policy at the end", "approval (% of voters)"),
    "mean_approval": ("Approval of foreign policy, mean", "approval (% of voters), mean over the run"),
    "final_threat_share": ("Threat perception at the end", "voters who see China as a threat (%)"),
    "peak_threat_share": ("Threat perception at its peak", "voters who see China as a threat (%)"),
    **{f"trust_{key}": (f"{_partner(key)}'s trust in NZ at the end", _TRUST) for key in PARTNER_NAMES},
    "trust_mean": ("Partners' trust in NZ at the end", "mean trust of six partners (0 = none, 1 = full)"),
    "independence_credibility": ("Independent policy's credibility, end", "credibility (0 = none, 1 = full)"),
    "incumbent_share": ("Incumbent's vote share at the election", "two-bloc vote share (%)"),
    "partnership_week": ("Week the partnership was signed", "week of the run"),
}

#: Variables that cannot be negative: their value axis starts at zero.
_FROM_ZERO = frozenset({"china_grievance", "exports_lost_week_nzd_m", "exporters_pressure", "security_pressure"})

#: Variables that take whole values: whole-number ticks.
_WHOLE = frozenset({"china_rung", "recession", "bloc_national"})

#: Variables and outcomes that are shares: their value axis reads in per cent.
_PERCENT = frozenset(
    {"approval", "threat_share", "final_approval", "mean_approval", "final_threat_share",
     "peak_threat_share", "incumbent_share"}
)

#: Outcomes on a natural scale from 0 to 1 (shares, trust, stance, interoperability), and the
#: narrowest x-range their histogram gets: a twentieth of the scale (five percentage points). A histogram otherwise fills its
#: panel with whatever spread the runs have, so runs that all end within 0.002 of each other
#: look as spread out as runs across the whole scale. Narrower spreads are drawn in a range this
#: wide, centred on the values (inside 0 to 1), with a note saying how close the runs are.
MIN_SPANS: Mapping[str, float] = {
    name: 0.05
    for name in (
        "final_stance", "peak_stance", "final_interoperability", "final_approval", "mean_approval",
        "final_threat_share", "peak_threat_share", *(f"trust_{key}" for key in PARTNER_NAMES), "trust_mean",
        "independence_credibility", "incumbent_share",
    )
}

_DPI = 150
_BOX = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}
_WEEK_LABEL = "week of the run (0 = start)"
_SHARE_LABEL = "replications (%)"


# --------------------------------------------------------------------------------------
# Outcome distributions
# --------------------------------------------------------------------------------------


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
        :data:`DEFAULT_OUTCOMES` present in ``outcomes``.
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
        each rung. An outcome of :data:`MIN_SPANS` whose values (and marked value) span less
        than its minimum is drawn over that minimum range, centred on them, with a note
        ("all runs within 0.0018"), so a tiny spread does not look like a wide one.

    Raises
    ------
    ValueError
        If a requested column or ``by`` is missing.
    """
    if columns is None:
        columns = [c for c in DEFAULT_OUTCOMES if c in outcomes.columns]
    columns = list(columns)
    analysis._require(outcomes, [*columns, *([by] if by else [])], "outcomes")
    outcomes = outcomes.reset_index(drop=True)  # runs concatenated keep their own row labels
    groups = _groups(outcomes, by)
    styles = _styles(len(groups))
    rung_panel = "china_max_rung" in outcomes.columns

    ncols = min(3, max(1, len(columns)))
    nrows = math.ceil(len(columns) / ncols)
    fig = _figure((4.4 * ncols, 3.1 * nrows + (3.3 if rung_panel else 0) + 0.6))
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
        handles = [_group_patch(style, _group_label(by, name)) for (name, _), style in zip(groups, styles)]
        handles.append(Line2D([], [], color="#333333", linestyle="--", linewidth=1.5, label="median (dashed, in the group's colour)"))
        _legend(fig, handles)

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
    return _save(build_outcome_distributions(outcomes, columns, by, title=title), path)


def _histogram(ax, column: str, series: list[tuple[object, pd.Series]], styles: Sequence[tuple[str, str, str]],
               marked: object = None) -> None:
    panel_title, xlabel = OUTCOME_LABELS.get(column, (column.replace("_", " ").capitalize(), column))
    ax.set_title(panel_title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(_SHARE_LABEL)
    _percent(ax.yaxis)

    values = [(name, pd.to_numeric(s, errors="coerce").dropna().to_numpy(dtype=float)) for name, s in series]
    pooled = np.concatenate([v for _, v in values]) if values else np.array([])
    if pooled.size == 0:
        if column in _PERCENT:
            _percent(ax.xaxis)
        ax.text(0.5, 0.5, "no values (e.g. no election held)", ha="center", va="center", transform=ax.transAxes, color="#555555")
        return
    show = (lambda v: f"{v:.0%}") if column in _PERCENT else (lambda v: f"{v:,.3g}")
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
                color="#333333", bbox=_BOX)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        if column in _PERCENT:
            _percent(ax.xaxis)
        if window is not None:
            _spread_note(ax, column, pooled, window)
        if single:
            median = float(np.median(values[0][1]))
            ax.annotate(
                f"median {show(median)}", xy=(median, 1.0), xycoords=("data", "axes fraction"), xytext=(4, -4),
                textcoords="offset points", ha="left", va="top", fontsize="small", color="#333333", bbox=_BOX,
            )
    ax.set_ylim(0, None)
    ax.margins(y=0.12)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)


def _window(column: str, values: np.ndarray, marked: object) -> tuple[float, float] | None:
    """The x-range of an outcome whose values span less than its :data:`MIN_SPANS` minimum
    (but do vary): that minimum, centred on them and kept inside 0 to 1, widened to take in the
    marked value if it lies outside. None for any other outcome: its histogram fills the panel."""
    span = MIN_SPANS.get(column)
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
    within = f"{100 * spread:.2g} percentage points" if column in _PERCENT else f"{spread:.2g}"
    left_side = (values.min() + values.max()) / 2 > sum(window) / 2 - 1e-12
    ax.text(0.03 if left_side else 0.97, 0.95, f"all runs within\n{within}", ha="left" if left_side else "right",
            va="top", multialignment="left", transform=ax.transAxes, fontsize="small", color="#333333", bbox=_BOX)


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
    x = np.arange(len(analysis.RUNG_NAMES))
    width = 0.8 / max(1, len(groups))
    for i, ((name, _), (colour, linestyle, hatch)) in enumerate(zip(groups, styles)):
        rows = table if by is None else table[table[by].eq(name) | (table[by].isna() & pd.isna(name))]
        shares = rows["probability"].to_numpy(dtype=float)
        offset = (i - (len(groups) - 1) / 2) * width
        bars = ax.bar(x + offset, shares, width=width * 0.95, color=colour, hatch=hatch or None,
                      edgecolor="white" if hatch else None, linewidth=0 if not hatch else 0.5)
        if len(groups) <= 3:  # label the bars; with several groups only those above zero
            labels = [_share_label(s, blank_zero=len(groups) > 1) for s in shares]
            ax.bar_label(bars, labels=labels, padding=2, fontsize="small")
    ax.set_xticks(x, [name.capitalize().replace(" ", "\n") for name in analysis.RUNG_NAMES])
    ax.set_title("China's highest rung on the escalation ladder during the run")
    ax.set_xlabel("highest rung reached (trade measures from 'informal restriction')")
    ax.set_ylabel(_SHARE_LABEL)
    _percent(ax.yaxis)
    ax.set_ylim(0, 1.12)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)


def _share_label(share: float, blank_zero: bool) -> str:
    """``"74%"``; ``"<1%"`` for a share that rounds to zero but is not; ``""`` for none."""
    if np.isnan(share) or (share == 0 and blank_zero):
        return ""
    if 0 < share < 0.01:
        return "<1%"
    if 0.99 < share < 1:
        return ">99%"
    return f"{share:.0%}"


# --------------------------------------------------------------------------------------
# Fan charts
# --------------------------------------------------------------------------------------


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
        :data:`DEFAULT_VARIABLES` present (or every variable, if none of those is); from
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
        analysis._require(frame, ["variable", "week", *([by] if by else [])], "quantiles")
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

    groups = _groups(quantiles, by)
    styles = _styles(len(groups))
    colours = [colour for colour, _, _ in styles]
    ncols = min(3, max(1, len(variables)))
    nrows = max(1, math.ceil(len(variables) / ncols))
    fig = _figure((4.6 * ncols, 3.3 * nrows + 0.9))
    axes = [fig.add_subplot(nrows, ncols, i + 1) for i in range(len(variables))]

    for ax, variable in zip(axes, variables):
        rows = quantiles[quantiles["variable"] == variable]
        for (name, index), (colour, linestyle, _) in zip(groups, styles):
            part = rows.loc[rows.index.intersection(index)].sort_values("week")
            x = _time(part["week"].to_numpy(), start)
            if by is None and {"q05", "q95"} <= set(part.columns):
                ax.fill_between(x, part["q05"], part["q95"], color=colour, alpha=0.18, linewidth=0)
            if {"q25", "q75"} <= set(part.columns):
                ax.fill_between(x, part["q25"], part["q75"], color=colour, alpha=0.38 if by is None else 0.22, linewidth=0)
            ax.plot(x, part["q50"], color=colour, linewidth=2.0, linestyle=linestyle)
        panel_title, ylabel = VARIABLE_LABELS.get(variable, (variable.replace("_", " ").capitalize(), variable))
        ax.set_title(panel_title)
        ax.set_ylabel(ylabel)
        if variable in _PERCENT:
            _percent(ax.yaxis)
        if variable in _WHOLE:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if variable in _FROM_ZERO:
            ax.set_ylim(bottom=0)
        _time_axis(ax, start)
        ax.grid(color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)

    if by is None:
        handles = [
            Line2D([], [], color=colours[0], linewidth=2.0, label="median"),
            Patch(facecolor=colours[0], alpha=0.38 + 0.18 * (1 - 0.38), label="middle 50% of runs"),
            Patch(facecolor=colours[0], alpha=0.18, label="middle 90% of runs"),
        ]
    else:
        handles = [_group_patch(style, _group_label(by, name), alpha=0.3) for (name, _), style in zip(groups, styles)]
        handles.append(Line2D([], [], color="#333333", linewidth=2.0, label="line: median, band: middle 50%"))
    _legend(fig, handles)
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
    return _save(build_fan_charts(trajectories_or_quantiles, variables, start, by=by, title=title), path)


def _default_variables(variables: Sequence[str] | None, present: list[str]) -> list[str]:
    if variables is not None:
        return list(variables)
    chosen = [v for v in DEFAULT_VARIABLES if v in present]
    return chosen or present


# --------------------------------------------------------------------------------------
# China's ladder
# --------------------------------------------------------------------------------------


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
            and set(analysis.RUNG_NAMES) <= set(trajectories.columns):
        analysis._require(trajectories, ["week", *([by] if by else [])], "rung shares")
        table = trajectories
    else:
        table = analysis.rung_probabilities_by_week(trajectories, by=by)
    groups = _groups(table, by)
    ncols = 1 if len(groups) == 1 else 2
    nrows = math.ceil(len(groups) / ncols)
    fig = _figure((9.5 if ncols == 1 else 13.0, 4.6 * nrows + 0.5))
    axes = [fig.add_subplot(nrows, ncols, i + 1) for i in range(len(groups))]
    names = list(analysis.RUNG_NAMES)
    for ax, (name, index) in zip(axes, groups):
        part = table.loc[index].sort_values("week")
        x = _time(part["week"].to_numpy(), start)
        ax.stackplot(x, *(part[r].to_numpy() for r in names), colors=RUNG_COLOURS, labels=[r.capitalize() for r in names],
                     step="mid", linewidth=0)
        ax.set_ylim(0, 1)
        ax.set_xlim(x[0], x[-1])
        ax.set_ylabel("replications at the rung (%)")
        _percent(ax.yaxis)
        _time_axis(ax, start)
        ax.set_title(_group_label(by, name) if by is not None else "Share of replications at each rung, week by week")
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
    return _save(build_rung_ladder(trajectories, start, by=by, title=title), path)


# --------------------------------------------------------------------------------------
# Several runs: distributions, differences, the tradeoff frontier
# --------------------------------------------------------------------------------------

#: The outcomes a comparison figure shows by default (those present), one panel each.
COMPARE_OUTCOMES = (
    "final_interoperability",
    "trust_mean",
    "china_max_rung>=warning",
    "trade_coercion",
    "exports_lost_nzd_m",
    "mean_approval",
    "final_threat_share",
    "incumbent_share",
)

#: Labels of the probabilities :func:`nzsim.analysis.compare` computes: panel title.
PROBABILITY_LABELS: Mapping[str, str] = {
    "trade_coercion": "Chance of trade measures",
    "partnership_signed": "Chance a partnership is in place at the end",
    "election_held": "Chance an election is held",
    "incumbent_won": "Chance the incumbent wins",
    "partnership_week": "Chance a partnership is signed",
    **{f"china_max_rung>={name}": f"Chance China reaches '{name}' or higher" for name in analysis.RUNG_NAMES[1:]},
}


def outcome_title(outcome: str) -> str:
    """A plain title for an outcome or a probability :func:`nzsim.analysis.compare` reports."""
    if outcome in PROBABILITY_LABELS:
        return PROBABILITY_LABELS[outcome]
    return OUTCOME_LABELS.get(outcome, (outcome.replace("_", " ").capitalize(), ""))[0]


def in_percent(outcome: str, statistic: str) -> bool:
    """Whether an outcome's mean or probability is shown in per cent (its differences in points)."""
    return statistic == "probability" or outcome in _PERCENT


def _outcome_unit(outcome: str, statistic: str) -> str:
    if in_percent(outcome, statistic):
        return "percentage points"
    label = OUTCOME_LABELS.get(outcome, ("", ""))[1]
    return label.split(" (")[0] if label.startswith("NZ$") or label == "weeks" else label or outcome


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
        Numeric outcomes, one panel each; by default those of :data:`DEFAULT_OUTCOMES` present.
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
        columns = [c for c in DEFAULT_OUTCOMES if c in outcomes.columns]
    columns = list(columns)
    analysis._require(outcomes, [*columns, by], "outcomes")
    outcomes = outcomes.reset_index(drop=True)  # runs concatenated keep their own row labels
    groups = _groups(outcomes, by)
    styles = _styles(len(groups))
    ncols = min(3, max(1, len(columns)))
    nrows = max(1, math.ceil(len(columns) / ncols))
    fig = _figure((4.4 * ncols, 3.2 * nrows + 0.6 + 0.25 * math.ceil(len(groups) / 3)))
    for i, column in enumerate(columns):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        panel_title, xlabel = OUTCOME_LABELS.get(column, (column.replace("_", " ").capitalize(), column))
        for (name, index), (colour, linestyle, _) in zip(groups, styles):
            v = np.sort(pd.to_numeric(outcomes.loc[index, column], errors="coerce").dropna().to_numpy(dtype=float))
            if v.size:
                shares = np.arange(1, v.size + 1) / v.size
                ax.step(np.r_[v[0], v], np.r_[0.0, shares], where="post", color=colour, linestyle=linestyle,
                        linewidth=1.8)
        ax.set_title(panel_title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("replications at or below (%)")
        _percent(ax.yaxis)
        if column in _PERCENT:
            _percent(ax.xaxis)
        ax.set_ylim(0, 1.02)
        ax.grid(color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
    handles = [
        Line2D([], [], color=colour, linewidth=2, linestyle=linestyle, label=str(name))
        for (name, _), (colour, linestyle, _) in zip(groups, styles)
    ]
    _legend(fig, handles)
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
    return _save(build_ecdfs(outcomes, columns, by, title=title), path)


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
        The outcomes to draw, in this order; by default those of :data:`COMPARE_OUTCOMES` in
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
    analysis._require(table, list(analysis.COMPARE_COLUMNS), "comparison")
    present = list(pd.unique(table["outcome"]))
    if outcomes is None:
        outcomes = [o for o in COMPARE_OUTCOMES if o in present] or present[:12]
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
    names = [_wrap(str(r), 36) for r in runs]  # long lever-cell labels on two or three lines
    longest = max(len(line) for name in names for line in name.split("\n"))
    lines = max(name.count("\n") + 1 for name in names)
    # each panel: about 3.4 inches of plot beside its run labels (about 0.08 inch a character)
    fig = _figure((max(6.5, (3.8 + 0.08 * longest) * ncols), ((0.2 + 0.16 * lines) * len(runs) + 1.4) * nrows + 1.0))
    y = np.arange(len(runs))[::-1]
    for i, outcome in enumerate(outcomes):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        part = rows[rows["outcome"] == outcome].set_index("run").reindex(runs)
        statistic = str(part["statistic"].dropna().iloc[0]) if part["statistic"].notna().any() else "mean"
        scale = 100.0 if in_percent(outcome, statistic) else 1.0
        d = part["difference"].to_numpy(dtype=float) * scale
        low = part["difference_low"].to_numpy(dtype=float) * scale
        high = part["difference_high"].to_numpy(dtype=float) * scale
        clear = ((low > 0) | (high < 0)) & part["_guide"].fillna(False).to_numpy(dtype=bool)
        ax.axvline(0, color="#555555", linewidth=1)
        if np.isnan(d).all():
            ax.text(0.5, 0.5, f"no values to compare\n(none in '{baseline}' or the runs)", ha="center", va="center",
                    transform=ax.transAxes, color="#555555", bbox=_BOX)
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
        ax.set_title(outcome_title(outcome), fontsize="medium")
        ax.set_xlabel(_wrap(f"difference, {_outcome_unit(outcome, statistic)}", 44))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.grid(axis="x", color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
    handles = [
        Line2D([], [], color=PALETTE[0], marker="o", linewidth=2, label=f"difference, with {interval}"),
        Line2D([], [], color=PALETTE[0], marker="o", markerfacecolor="white", linewidth=2,
               label="hollow: the interval includes zero, or comes from under "
                     f"{analysis.MIN_INTERVAL_VALUES} replications a run"),
    ]
    _legend(fig, handles)
    chars = int(fig.get_figwidth() * 7)  # of the x-large bold title a line holds
    fig.suptitle(title or _wrap(f"How each run differs from '{baseline}'", chars), fontsize="x-large", weight="bold")
    return fig


def comparison(
    table: pd.DataFrame,
    path: str | os.PathLike,
    outcomes: Sequence[str] | None = None,
    *,
    title: str | None = None,
) -> Path:
    """Write :func:`build_comparison` as a PNG at ``path`` and return the path."""
    return _save(build_comparison(table, outcomes, title=title), path)


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
        ``on_frontier``, with directions from :data:`nzsim.analysis.DIRECTIONS`.
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
    analysis._require(frame, ["run", "on_frontier"], "frontier")
    if objectives is None:
        columns = list(frame.columns)
        names = columns[columns.index("run") + 1 : columns.index("on_frontier")]
    else:
        names = list(objectives)
    analysis._require(frame, names, "frontier")
    if isinstance(objectives, Mapping):
        directions = dict(objectives)
    else:
        unknown = [n for n in names if n not in analysis.DIRECTIONS]
        if unknown:
            raise ValueError(f"objectives {unknown}: no known direction; pass a mapping such as {{{unknown[0]!r}: 'max'}}")
        directions = {n: analysis.DIRECTIONS[n] for n in names}
    if len(names) < 2:
        raise ValueError(f"expected at least two objectives, got {names}")
    pairs = [(names[0], other) for other in names[1:]]
    ncols = min(2, len(pairs))
    nrows = math.ceil(len(pairs) / ncols)
    fig = _figure((6.2 * ncols + 2.6, 4.8 * nrows + 0.8))
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
            (ax.set_xlabel if axis is ax.xaxis else ax.set_ylabel)(_wrap(_objective_label(name, directions[name]), 48))
            if _is_share(name):
                _percent(axis)
        ax.grid(color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_title(_wrap(f"{outcome_title(y_name)} against {_lower_first(outcome_title(x_name))}", 56), fontsize="medium")
    handles = [
        Line2D([], [], linestyle="", marker="o", color=PALETTE[1], markeredgecolor="#333333", markersize=8,
               label="on the frontier: no other run dominates it"),
        Line2D([], [], linestyle="", marker="o", markerfacecolor="white", markeredgecolor="#888888", markersize=8,
               label="dominated: another run is as good on every objective and better on one"),
    ]
    _legend(fig, handles)
    # the key: each point carries its run's number; the names are listed beside the panels
    key = [Line2D([], [], linestyle="", marker="", label=f"{n}  {_wrap(str(run), 30)}".replace("\n", "\n    "))
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
    return _save(build_frontier(frame, objectives, title=title), path)


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


def _wrap(text: str, width: int) -> str:
    """``text`` on lines of at most ``width`` characters, broken at spaces (lever labels after their commas).

    A bracketed scale such as ``(0 = none, 1 = full)`` is kept whole on a line of its own
    where the text does not fit on one line.
    """
    if len(text) <= width:
        return text
    head, bracket, rest = text.partition(" (")
    if bracket and ")" in rest:
        inside, _, tail = rest.partition(")")
        scale = f"({inside}){tail}"
        if len(scale) <= width:
            return _wrap(head, width) + "\n" + scale
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _is_share(name: str) -> bool:
    return name in _PERCENT or name in PROBABILITY_LABELS or analysis.OUTCOME_KINDS.get(name) == "binary"


def _objective_label(name: str, direction: str) -> str:
    better = "higher is better" if direction == "max" else "lower is better"
    if name in PROBABILITY_LABELS or analysis.OUTCOME_KINDS.get(name) == "binary":
        what = _lower_first(outcome_title(name))
    else:
        what = OUTCOME_LABELS.get(name, ("", name))[1]
        what = what if "mean" in what else f"mean {what}"
    return f"{what}; {better}"


# --------------------------------------------------------------------------------------
# Parameter uncertainty and chance
# --------------------------------------------------------------------------------------


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
    analysis._require(table, ["outcome", "parameter_share", "chance_share"], "variance split")
    rows = table[table["total_variance"] > 0] if "total_variance" in table.columns else table
    if outcomes is not None:
        missing = [o for o in outcomes if o not in set(table["outcome"])]
        if missing:
            raise ValueError(f"outcomes {missing} are not in the variance split")
        rows = rows.set_index("outcome").reindex([o for o in outcomes if o in set(rows["outcome"])]).reset_index()
    if rows.empty:
        raise ValueError("no outcome varies: there is no spread to split")
    names = [outcome_title(o) for o in rows["outcome"]]
    y = np.arange(len(rows))[::-1]
    fig = _figure((9.5, 0.36 * len(rows) + 1.8))
    ax = fig.add_subplot()
    parameter = rows["parameter_share"].to_numpy(dtype=float)
    chance = rows["chance_share"].to_numpy(dtype=float)
    bars = ax.barh(y, parameter, color=PALETTE[1], label="parameter uncertainty (between parameter draws)")
    ax.bar_label(bars, labels=[_share_label(p, blank_zero=True) if p >= 0.06 else "" for p in parameter],
                 label_type="center", fontsize="small")
    bars = ax.barh(y, chance, left=parameter, color=PALETTE[5], label="chance (between seeds, same parameters)")
    ax.bar_label(bars, labels=[_share_label(c, blank_zero=True) if c >= 0.06 else "" for c in chance],
                 label_type="center", fontsize="small")
    ax.set_yticks(y, names)
    ax.set_xlim(0, 1)
    _percent(ax.xaxis)
    ax.set_xlabel("share of the outcome's variance (%)")
    ax.set_ylabel("outcome")
    ax.set_title("Where the spread of each outcome comes from")
    _legend(fig, ax.get_legend_handles_labels()[0])
    draws = f"{int(rows['param_draws'].iloc[0])} parameter draws x {rows['seeds_per_draw'].iloc[0]:g} seeds" \
        if {"param_draws", "seeds_per_draw"} <= set(rows.columns) else "a nested design"
    fig.suptitle(title or f"Parameter uncertainty and chance ({draws})", fontsize="x-large", weight="bold")
    return fig


def variance_split(table: pd.DataFrame, path: str | os.PathLike, outcomes: Sequence[str] | None = None, *,
                   title: str | None = None) -> Path:
    """Write :func:`build_variance_split` as a PNG at ``path`` and return the path."""
    return _save(build_variance_split(table, outcomes, title=title), path)


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
    fig = _figure((5.6 * ncols, 4.0 * nrows + 0.8))
    label = outcome_title(outcome)
    unit = "probability" if statistic == "probability" else OUTCOME_LABELS.get(outcome, ("", outcome))[1]
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
        if in_percent(outcome, statistic):
            _percent(ax.yaxis)
        ax.set_title(f"against {name}", fontsize="medium")
        ax.grid(color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
    _legend(fig, fig.axes[0].get_legend_handles_labels()[0])
    fig.suptitle(title or f"{label}: how much the sampled parameters matter", fontsize="x-large", weight="bold")
    return fig


def parameter_effects(outcomes: pd.DataFrame, path: str | os.PathLike, outcome: str,
                      parameters: Sequence[str] | None = None, *, title: str | None = None) -> Path:
    """Write :func:`build_parameter_effects` as a PNG at ``path`` and return the path."""
    return _save(build_parameter_effects(outcomes, outcome, parameters, title=title), path)


# --------------------------------------------------------------------------------------
# Live plots of one run (the dashboard)
# --------------------------------------------------------------------------------------

#: Live plot panels: title, then (reporter, legend label, colour) lines, and the value axis.
LIVE_PLOTS = (
    ("Where New Zealand stands", (("stance", "stance toward partners (0 hedges, 1 aligns)", "#0072B2"),
                                  ("interoperability", "interoperability with partners", "#009E73"),
                                  ("partner_trust_mean", "partners' trust in NZ", "#CC79A7")), "share"),
    ("The public", (("approval", "approve of the foreign policy", "#E69F00"),
                    ("threat_share", "see China as a threat", "#D55E00")), "percent"),
    ("Beijing", (("china_rung", "China's rung on the escalation ladder", "#5C1A00"),), "rung"),
    ("Who presses the government", (("exporters_pressure", "exporters (for caution on China)", "#E69F00"),
                                    ("security_pressure", "security establishment (for interoperability)",
                                     "#56B4E9")), "index"),
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
    fig = _figure((7.2, 8.2))
    axes = fig.subplots(len(LIVE_PLOTS), 1, sharex=True)
    for ax, (title, lines, scale) in zip(axes, LIVE_PLOTS):
        for name, label, colour in lines:
            drawn = ax.step if scale == "rung" else ax.plot
            kwargs = {"where": "post"} if scale == "rung" else {}
            drawn(weeks, columns[name], label=label, color=colour, linewidth=2, **kwargs)
        ax.set_title(title, loc="left", fontsize="medium", weight="bold")
        if scale in ("share", "percent"):
            ax.set_ylim(-0.02, 1.02)
        if scale == "percent":
            _percent(ax.yaxis)
        if scale == "rung":
            ax.set_ylim(-0.3, 5.3)
            ax.set_yticks(range(len(analysis.RUNG_NAMES)), list(analysis.RUNG_NAMES), fontsize="small")
        if scale == "index":
            ax.set_ylim(0, None)
        for week in event_weeks:
            ax.axvline(week, color="#BBBBBB", linewidth=0.8, linestyle=":")
        ax.grid(axis="y", color="#EEEEEE")
        ax.legend(loc="upper left", fontsize="small", frameon=False)
    axes[-1].set_xlim(0, horizon)
    axes[-1].set_xlabel(f"weeks done (0 = the start, {start.day} {start:%b %Y}, as the status line counts them); "
                        f"dotted lines: scheduled events")
    return fig


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _figure(size: tuple[float, float]) -> Figure:
    """A new figure with its own Agg canvas (no pyplot, no global state)."""
    fig = Figure(figsize=size, dpi=_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: str | os.PathLike) -> Path:
    """Write ``fig`` as a PNG at ``path`` atomically (write beside it, then rename)."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        fig.savefig(partial, format="png", dpi=_DPI, facecolor="white")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _groups(frame: pd.DataFrame, by: str | None) -> list[tuple[object, pd.Index]]:
    """(group name, row index) pairs in order of first appearance; one unnamed group without ``by``."""
    if by is None:
        return [(None, frame.index)]
    analysis._require(frame, [by], "")
    return [(name, part.index) for name, part in frame.groupby(by, sort=False, dropna=False, observed=True)]


def _percent(axis) -> None:
    """Read a 0-1 axis in per cent, with round ticks (2%, 5%, 10%, never a rounded 12.5%)."""
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:.3g}%"))


def _group_label(by: str, name: object) -> str:
    """``"cell = x"``, or just the name when it already says what it is (``"a=1, b=2"``)."""
    text = str(name)
    return text if "=" in text else f"{by} = {text}"


def _legend(fig: Figure, handles: list) -> None:
    """A legend under the panels, in as many columns as fit the figure's width."""
    width = fig.get_figwidth() * 72 / 7  # characters of legend text a row holds, roughly
    longest = max(len(h.get_label()) for h in handles) + 6  # the key and the gap
    ncols = max(1, min(len(handles), int(width // longest), 4))
    fig.legend(handles=handles, loc="outside lower center", ncols=ncols, frameon=False)


#: What tells groups apart once the palette's eight colours are used up: the first eight groups
#: get solid lines and plain fills, the next eight dashed lines and hatched fills, and so on.
_LINESTYLES = ("-", "--", ":", "-.")
_HATCHES = ("", "///", "...", "xxx")


def _styles(n: int) -> list[tuple[str, str, str]]:
    """(colour, line style, hatch) for ``n`` groups, no two alike: Okabe-Ito colours, then the
    same colours again with another line style and hatch for each further round of eight."""
    rounds = len(_LINESTYLES)
    return [(PALETTE[i % len(PALETTE)], _LINESTYLES[(i // len(PALETTE)) % rounds], _HATCHES[(i // len(PALETTE)) % rounds])
            for i in range(n)]


def _group_patch(style: tuple[str, str, str], label: str, alpha: float = 0.6) -> Patch:
    """A legend key for a group: its colour filled, its hatch and its line style on the edge."""
    colour, linestyle, hatch = style
    return Patch(facecolor=_faded(colour, alpha), edgecolor=colour, hatch=hatch or None, linestyle=linestyle,
                 linewidth=1.8, label=label)


def _faded(colour: str, alpha: float) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    return to_rgba(colour, alpha)


def _time(weeks: np.ndarray, start: dt.date | None) -> np.ndarray:
    if start is None:
        return weeks
    return np.datetime64(start, "D") + 7 * weeks.astype("int64").astype("timedelta64[D]")


def _time_axis(ax, start: dt.date | None) -> None:
    if start is None:
        ax.set_xlabel(_WEEK_LABEL)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=7, integer=True))
    else:
        locator = AutoDateLocator(minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        ax.set_xlabel(f"date (week 0 = {start.day} {start:%b %Y})")

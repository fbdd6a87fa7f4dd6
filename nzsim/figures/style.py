"""The look shared by every figure: the Okabe-Ito palette, figures without pyplot, axes in per
cent, legends under the panels, groups told apart by colour, line style and hatch.

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
import os
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..analysis.frames import require


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


DPI = 150


BOX = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}


WEEK_LABEL = "week of the run (0 = start)"


SHARE_LABEL = "replications (%)"


def new_figure(size: tuple[float, float]) -> Figure:
    """A new figure with its own Agg canvas (no pyplot, no global state)."""
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_png(fig: Figure, path: str | os.PathLike) -> Path:
    """Write ``fig`` as a PNG at ``path`` atomically (write beside it, then rename)."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        fig.savefig(partial, format="png", dpi=DPI, facecolor="white")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def group_rows(frame: pd.DataFrame, by: str | None) -> list[tuple[object, pd.Index]]:
    """(group name, row index) pairs in order of first appearance; one unnamed group without ``by``."""
    if by is None:
        return [(None, frame.index)]
    require(frame, [by], "")
    return [(name, part.index) for name, part in frame.groupby(by, sort=False, dropna=False, observed=True)]


def percent_axis(axis) -> None:
    """Read a 0-1 axis in per cent, with round ticks (2%, 5%, 10%, never a rounded 12.5%)."""
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:.3g}%"))


def group_label(by: str, name: object) -> str:
    """``"cell = x"``, or just the name when it already says what it is (``"a=1, b=2"``)."""
    text = str(name)
    return text if "=" in text else f"{by} = {text}"


def legend_below(fig: Figure, handles: list) -> None:
    """A legend under the panels, in as many columns as fit the figure's width."""
    width = fig.get_figwidth() * 72 / 7  # characters of legend text a row holds, roughly
    longest = max(len(h.get_label()) for h in handles) + 6  # the key and the gap
    ncols = max(1, min(len(handles), int(width // longest), 4))
    fig.legend(handles=handles, loc="outside lower center", ncols=ncols, frameon=False)


#: What tells groups apart once the palette's eight colours are used up: the first eight groups
#: get solid lines and plain fills, the next eight dashed lines and hatched fills, and so on.
LINESTYLES = ("-", "--", ":", "-.")


HATCHES = ("", "///", "...", "xxx")


def group_styles(n: int) -> list[tuple[str, str, str]]:
    """(colour, line style, hatch) for ``n`` groups, no two alike: Okabe-Ito colours, then the
    same colours again with another line style and hatch for each further round of eight."""
    rounds = len(LINESTYLES)
    return [(PALETTE[i % len(PALETTE)], LINESTYLES[(i // len(PALETTE)) % rounds], HATCHES[(i // len(PALETTE)) % rounds])
            for i in range(n)]


def group_patch(style: tuple[str, str, str], label: str, alpha: float = 0.6) -> Patch:
    """A legend key for a group: its colour filled, its hatch and its line style on the edge."""
    colour, linestyle, hatch = style
    return Patch(facecolor=faded(colour, alpha), edgecolor=colour, hatch=hatch or None, linestyle=linestyle,
                 linewidth=1.8, label=label)


def faded(colour: str, alpha: float) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    return to_rgba(colour, alpha)


def time_values(weeks: np.ndarray, start: dt.date | None) -> np.ndarray:
    if start is None:
        return weeks
    return np.datetime64(start, "D") + 7 * weeks.astype("int64").astype("timedelta64[D]")


def time_axis(ax, start: dt.date | None) -> None:
    if start is None:
        ax.set_xlabel(WEEK_LABEL)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=7, integer=True))
    else:
        locator = AutoDateLocator(minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        ax.set_xlabel(f"date (week 0 = {start.day} {start:%b %Y})")


def wrap(text: str, width: int) -> str:
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
            return wrap(head, width) + "\n" + scale
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def share_label(share: float, blank_zero: bool) -> str:
    """``"74%"``; ``"<1%"`` for a share that rounds to zero but is not; ``""`` for none."""
    if np.isnan(share) or (share == 0 and blank_zero):
        return ""
    if 0 < share < 0.01:
        return "<1%"
    if 0.99 < share < 1:
        return ">99%"
    return f"{share:.0%}"

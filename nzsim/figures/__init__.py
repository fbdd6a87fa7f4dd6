"""Figures of ensemble results: the only package that draws.

Layer: above analysis. It may import :mod:`nzsim.analysis` (for the numbers it draws),
:mod:`nzsim.runs` (to read a run's trajectories in batches) and :mod:`nzsim.catalogue` (for
titles, units and defaults).

Each figure comes in two functions: ``build_<figure>(...)`` returns a
:class:`matplotlib.figure.Figure`, and ``<figure>(..., path)`` builds it, writes a PNG to
``path`` and returns the path. Nothing global changes (see :mod:`~nzsim.figures.style`).

- :mod:`~nzsim.figures.distributions`: one run's outcome histograms; several runs' cumulative distributions;
- :mod:`~nzsim.figures.trajectories`: fan charts, China's ladder, the dashboard's live plots;
- :mod:`~nzsim.figures.comparing`: differences from a baseline, the tradeoff frontier;
- :mod:`~nzsim.figures.uncertainty`: the variance split and parameter effects;
- :mod:`~nzsim.figures.exploratory`: a global sensitivity analysis (:func:`build_sensitivity`), PRIM's peeling
  trade-off (:func:`build_peeling`), the lever cells' regret (:func:`build_robustness`);
- :mod:`~nzsim.figures.labels`: titles, units and per cent, from the catalogue.
"""

from __future__ import annotations

from .comparing import build_comparison, build_frontier, comparison, frontier
from .distributions import build_ecdfs, build_outcome_distributions, ecdfs, outcome_distributions
from .exploratory import build_peeling, build_robustness, build_sensitivity, peeling, robustness, sensitivity
from .labels import in_percent, outcome_title
from .style import MARK_COLOUR, PALETTE, RUNG_COLOURS
from .trajectories import LIVE_PLOTS, build_fan_charts, build_live_plots, build_rung_ladder, fan_charts, rung_ladder
from .uncertainty import build_parameter_effects, build_variance_split, parameter_effects, variance_split

__all__ = [
    "LIVE_PLOTS", "MARK_COLOUR", "PALETTE", "RUNG_COLOURS", "build_comparison", "build_ecdfs", "build_fan_charts",
    "build_frontier", "build_live_plots", "build_outcome_distributions", "build_parameter_effects", "build_peeling", "build_robustness",
    "build_rung_ladder", "build_sensitivity", "build_variance_split", "comparison", "ecdfs", "fan_charts", "frontier", "in_percent",
    "outcome_distributions", "outcome_title", "parameter_effects", "peeling", "robustness", "rung_ladder", "sensitivity", "variance_split",
]

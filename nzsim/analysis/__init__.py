"""Analysis of ensemble results: tidy frames in, tidy frames out.

Layer: above runs. It may import :mod:`nzsim.runs` (to read run folders), :mod:`nzsim.catalogue`
and :mod:`nzsim.seeds`; it never draws (that is :mod:`nzsim.figures`) and never prints.

Every function here is pure: it returns a new pandas frame, draws nothing and prints nothing.

- :mod:`~nzsim.analysis.summary`: :func:`summarise` (the table ``nzsim run`` prints);
- :mod:`~nzsim.analysis.trajectories`: :func:`fan_quantiles`, :func:`rung_probabilities_by_week`, :func:`ladder`;
- :mod:`~nzsim.analysis.comparing`: :func:`compare`, :func:`estimate`, :func:`labelled`, :func:`guiding_intervals`;
- :mod:`~nzsim.analysis.overviews`: :func:`overview` (the table the commands show first);
- :mod:`~nzsim.analysis.frontier`: :func:`tradeoff_frontier`, :func:`dominates`;
- :mod:`~nzsim.analysis.typical`: :func:`typical_replication`;
- :mod:`~nzsim.analysis.uncertainty`: :func:`variance_split`, :func:`by_draw`;
- :mod:`~nzsim.analysis.sensitivity`: :func:`sensitivity` (Sobol, Morris and delta indices, SALib's);
- :mod:`~nzsim.analysis.discovery`: :func:`discover` (scenario discovery: PRIM's box, a decision tree's leaves);
- :mod:`~nzsim.analysis.robustness`: :func:`robustness` (regret, satisficing), :func:`dominance` (a bootstrap-backed frontier).

What each outcome is (its kind, levels, direction) is the catalogue's
(:mod:`nzsim.catalogue.outcomes`), not this package's.
"""

from __future__ import annotations

from .comparing import COMPARE_COLUMNS, MIN_INTERVAL_VALUES, compare, compared_outcomes, estimate, guiding_intervals, labelled
from .discovery import Box, Discovery, discover
from .frames import RunLike, RunOrPath, load_run
from .frontier import dominates, tradeoff_frontier
from .overviews import OVERVIEW_COLUMNS, cells_to_compare, overview
from .robustness import ROBUSTNESS_COLUMNS, dominance, robustness, satisficing
from .sensitivity import SENSITIVITY_COLUMNS, sensitivity
from .summary import SUMMARY_COLUMNS, outcome_kinds, summarise
from .trajectories import fan_quantiles, ladder, quantile_name, rung_probabilities_by_week
from .typical import typical_outcomes, typical_replication
from .uncertainty import VARIANCE_COLUMNS, by_draw, variance_split

__all__ = [
    "Box", "COMPARE_COLUMNS", "Discovery", "MIN_INTERVAL_VALUES", "OVERVIEW_COLUMNS", "ROBUSTNESS_COLUMNS", "RunLike",
    "RunOrPath", "SENSITIVITY_COLUMNS", "SUMMARY_COLUMNS", "VARIANCE_COLUMNS", "by_draw", "cells_to_compare", "compare",
    "compared_outcomes", "discover", "dominance", "dominates",
    "estimate", "fan_quantiles", "guiding_intervals", "labelled", "ladder", "load_run", "outcome_kinds", "overview",
    "quantile_name", "robustness", "rung_probabilities_by_week", "satisficing", "sensitivity", "summarise", "tradeoff_frontier", "typical_outcomes",
    "typical_replication", "variance_split",
]

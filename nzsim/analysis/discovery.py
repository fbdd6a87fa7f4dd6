"""Scenario discovery: under which parameter values and levers does an outcome happen?

Two methods on the same data, one row per replication: the parameters it drew (``param.<name>``)
and its levers (``lever.<path>``) as the inputs, and a yes/no outcome (or a numeric one beyond a
threshold) as the case of interest:

- PRIM, the patient rule induction method (Friedman and Fisher 1999), as EMA Workbench implements
  it (``ema_workbench.analysis.prim``): it peels the input space, a little at a time, toward a box
  where the outcome is dense. Each step of the peeling trajectory trades coverage (the share of
  all cases inside the box) for density (the share of the box that is cases);
- a decision tree (scikit-learn's ``DecisionTreeClassifier``), whose leaves are boxes too, found
  by splitting rather than peeling: a second opinion on the same question.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..catalogue.outcomes import describe
from ..runs.runfolder import Run
from .comparing import estimate

#: The smallest share of all cases a chosen box must still hold (the rest of the trajectory is shown).
MIN_COVERAGE = 0.5


@dataclass(frozen=True)
class Box:
    """One box: its limits on each input it restricts, and how it does."""

    limits: dict[str, tuple]  # input -> (low, high) for a number, (set of values,) for a lever
    coverage: float  # share of all cases of interest inside the box
    density: float  # share of the box's runs that are cases
    mass: float  # share of all runs inside the box
    outside: float  # share of the runs outside the box that are cases
    runs: int  # runs inside the box

    def conditions(self) -> list[str]:
        """Each limit in words: "china.trade_threshold is below 3.2"."""
        out = []
        for name, limit in self.limits.items():
            label = name[len("param."):] if name.startswith("param.") else (
                f"the lever {name[len('lever.'):]}" if name.startswith("lever.") else name)
            if len(limit) == 1:
                values = sorted(str(v) for v in limit[0])
                out.append(f"{label} is {values[0]}" if len(values) == 1 else f"{label} is one of {', '.join(values)}")
            else:
                low, high = limit
                if low is None:
                    out.append(f"{label} is below {high:.3g}")
                elif high is None:
                    out.append(f"{label} is above {low:.3g}")
                else:
                    out.append(f"{label} is between {low:.3g} and {high:.3g}")
        return out


@dataclass(frozen=True)
class Discovery:
    """What :func:`discover` found: the outcome, the PRIM box chosen and its peeling trajectory,
    and the decision tree's leaves (as boxes), densest first."""

    outcome: str
    title: str
    cases: int
    runs: int
    box: Box
    trajectory: pd.DataFrame  # coverage, density, mass, restricted inputs, per peeling step
    chosen: int  # the step of the trajectory the box is
    leaves: list[Box] = field(default_factory=list)
    min_coverage: float = MIN_COVERAGE  # the box chosen is the densest step holding this share of the cases

    @property
    def base_rate(self) -> float:
        return self.cases / self.runs if self.runs else math.nan

    def sentence(self, box: Box | None = None) -> str:
        """The box in one plain sentence."""
        box = box or self.box
        where = " and ".join(box.conditions()) or "anywhere"
        return (f"{self.title}: {box.density:.0%} of the runs where {where}, against {box.outside:.0%} elsewhere; "
                f"the box holds {box.coverage:.0%} of all runs with it ({box.runs:,} runs, {box.mass:.0%} of all)")


def inputs(frame: pd.DataFrame) -> pd.DataFrame:
    """The inputs of scenario discovery: every drawn parameter and every lever that varies."""
    names = [c for c in frame.columns if str(c).startswith(("param.", "lever.")) and frame[c].nunique() > 1]
    x = frame[names].copy()
    for c in names:
        if not pd.api.types.is_numeric_dtype(x[c]):
            x[c] = x[c].astype(str)
        else:
            x[c] = x[c].astype(float)
    return x


def cases(frame: pd.DataFrame, outcome: str, threshold: float | None = None, below: bool = False) -> np.ndarray:
    """The case of interest per replication: a yes/no outcome as it is, a numeric one beyond
    ``threshold`` (at or above it; at or below it with ``below``); NaN where it has no value."""
    statistic, y = estimate(frame, outcome)
    if statistic == "probability":
        if threshold is not None:
            raise ValueError(f"{outcome}: a yes/no outcome takes no threshold")
        return y
    if threshold is None:
        raise ValueError(f"{outcome} is not a yes/no outcome; give a threshold (--threshold X: runs with it at or "
                         f"above X are the cases, or with --below at or below)")
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(y), np.nan, (y <= threshold) if below else (y >= threshold)).astype(float)


def discover(run: Run | pd.DataFrame, outcome: str, threshold: float | None = None, *, below: bool = False,
             cell: str | None = None, min_coverage: float = MIN_COVERAGE, peel_alpha: float = 0.05,
             mass_min: float = 0.05, tree_depth: int = 3) -> Discovery:
    """The conditions under which ``outcome`` happens, by PRIM and by a decision tree.

    Parameters
    ----------
    run : Run or pandas.DataFrame
        A run whose replications drew parameters or ran several lever cells (or its outcomes).
    outcome : str
        A yes/no outcome (``trade_coercion``, ``china_max_rung>=warning``), or a numeric one with ``threshold``.
    threshold, below : the numeric outcome's cases: at or above ``threshold`` (at or below with ``below``).
    cell : one lever cell's runs only (default: every cell, the levers among the inputs).
    min_coverage : the box chosen is the densest on PRIM's trajectory still holding this share of the cases.
    peel_alpha, mass_min : PRIM's peeling step and smallest box (shares of the runs).
    tree_depth : the decision tree's depth.

    Raises
    ------
    ValueError
        If the outcome is not yes/no and has no threshold, nothing varies, or there are no cases
        (or only cases).
    """
    frame = run.outcomes if isinstance(run, Run) else run
    if cell is not None:
        if "cell" not in frame.columns or cell not in set(frame["cell"]):
            raise ValueError(f"cell {cell!r}: no such lever cell in this run")
        frame = frame[frame["cell"] == cell]
    y = cases(frame, outcome, threshold, below)
    keep = ~np.isnan(y)
    x = inputs(frame[keep].reset_index(drop=True))
    y = y[keep].astype(bool)
    if x.empty or not len(x.columns):
        raise ValueError("no parameter or lever varies in this run: run a design over parameters "
                         "(nzsim run SCENARIO --design lhs --samples 500) or a scenario with levers:")
    if y.all() or not y.any():
        raise ValueError(f"{outcome}: {'every' if y.any() else 'no'} run has it, so there is nothing to tell apart")
    title = describe(outcome).title if threshold is None else (
        f"{describe(outcome).title} {'at most' if below else 'at least'} {threshold:g}")
    trajectory, boxes = _prim(x, y, peel_alpha, mass_min)
    eligible = trajectory[trajectory["coverage"] >= min_coverage]
    chosen = int(eligible["density"].idxmax()) if len(eligible) else 0  # the first of the densest, if several
    return Discovery(outcome, title, int(y.sum()), len(y), boxes[chosen], trajectory, chosen, _tree(x, y, tree_depth),
                     min_coverage)


def _prim(x: pd.DataFrame, y: np.ndarray, peel_alpha: float, mass_min: float) -> tuple[pd.DataFrame, list[Box]]:
    """PRIM's first box: its peeling trajectory and every step's box."""
    with warnings.catch_warnings():
        # ema_workbench warns on import (its optional parallel evaluators) and on pandas' deprecations
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        algorithm = prim.Prim(x, y.astype(int), peel_alpha=peel_alpha, mass_min=mass_min)
        found = algorithm.find_box()
    trajectory = found.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].reset_index(drop=True)
    initial = found.box_lims[0]
    boxes = []
    for lims in found.box_lims:
        limits = {}
        for column in x.columns:
            low, high = lims.at[0, column], lims.at[1, column]
            if isinstance(low, (set, frozenset)):
                if set(low) != set(initial.at[0, column]):
                    limits[column] = (frozenset(low),)
            elif low > initial.at[0, column] or high < initial.at[1, column]:
                limits[column] = (low if low > initial.at[0, column] else None,
                                  high if high < initial.at[1, column] else None)
        boxes.append(_box(x, y, limits))
    return trajectory, boxes


def _inside(x: pd.DataFrame, limits: dict[str, tuple]) -> np.ndarray:
    inside = np.ones(len(x), dtype=bool)
    for column, limit in limits.items():
        if len(limit) == 1:
            inside &= x[column].isin(limit[0]).to_numpy()
        else:
            low, high = limit
            values = x[column].to_numpy(dtype=float)
            if low is not None:
                inside &= values >= low
            if high is not None:
                inside &= values <= high
    return inside


def _box(x: pd.DataFrame, y: np.ndarray, limits: dict[str, tuple]) -> Box:
    inside = _inside(x, limits)
    n_in, n_out = int(inside.sum()), int((~inside).sum())
    cases_in = int(y[inside].sum())
    return Box(limits, cases_in / max(1, int(y.sum())), cases_in / n_in if n_in else math.nan, n_in / len(y),
               float(y[~inside].mean()) if n_out else math.nan, n_in)


def _tree(x: pd.DataFrame, y: np.ndarray, depth: int) -> list[Box]:
    """The decision tree's leaves as boxes, densest first."""
    from sklearn.tree import DecisionTreeClassifier

    numeric = [c for c in x.columns if pd.api.types.is_numeric_dtype(x[c])]
    nominal = [c for c in x.columns if c not in numeric]
    coded = pd.get_dummies(x, columns=nominal, prefix_sep="=") if nominal else x
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=max(5, len(y) // 20), random_state=0)
    tree.fit(coded.to_numpy(dtype=float), y)
    t, names = tree.tree_, list(coded.columns)
    leaves: list[Box] = []

    def walk(node: int, limits: dict[str, tuple]) -> None:
        if t.children_left[node] == -1:
            leaves.append(_box(x, y, limits))
            return
        name, cut = names[t.feature[node]], float(t.threshold[node])
        for child, side in ((t.children_left[node], "low"), (t.children_right[node], "high")):
            here = dict(limits)
            if "=" in name and name.split("=", 1)[0] in nominal:  # a lever's value: <= 0.5 is "not it"
                column, value = name.split("=", 1)
                allowed = set(here.get(column, (frozenset(x[column].unique()),))[0])
                allowed = allowed - {value} if side == "low" else allowed & {value}
                here[column] = (frozenset(allowed),)
            else:
                low, high = here.get(name, (None, None))
                here[name] = (low, min(cut, high) if high is not None else cut) if side == "low" else \
                    (max(cut, low) if low is not None else cut, high)
            walk(child, here)

    walk(0, {})
    return sorted(leaves, key=lambda b: (-(b.density if not math.isnan(b.density) else -1), -b.coverage))

"""Global sensitivity: which uncertain parameters move each outcome, and how much is chance.

Three methods, all SALib's, chosen by the run's design:

- ``sobol`` (a run with ``--design sobol``): Sobol's first-order index ``S1`` (the share of the
  outcome's variance a factor explains alone) and total index ``ST`` (alone and with others),
  with bootstrap confidence intervals (``SALib.analyze.sobol``);
- ``morris`` (``--design morris``): Morris's ``mu_star`` (the mean absolute elementary effect of
  moving a factor across its whole range) and ``sigma`` (their spread: interactions or curvature),
  with ``mu_star``'s interval (``SALib.analyze.morris``);
- ``delta`` (any other run whose replications drew parameters: Monte Carlo with uncertainties,
  nested, Latin hypercube, factorial): Borgonovo's moment-independent ``delta`` and a first-order
  ``S1``, from the given data (``SALib.analyze.delta``).

Sobol and Morris analyse each experiment's mean over its seeds, in the design's order; delta
each experiment's mean too (each replication where the design has one seed per experiment). Beside
the indices, each outcome's ``chance_share``: the share of its variance that lies between the seeds of
one experiment (the model's own randomness) rather than between experiments (the parameters),
from a one-way analysis of variance (:func:`nzsim.analysis.variance_split`'s); NaN where each
experiment has one seed.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..runs.designs import Design
from ..runs.experiments import problem
from ..runs.runfolder import Run
from .comparing import compared_outcomes, estimate
from .uncertainty import _one_way

METHODS = ("sobol", "morris", "delta")

#: The columns of :func:`sensitivity`'s frame (``cell`` first for a run with lever cells).
SENSITIVITY_COLUMNS = (
    "outcome", "method", "factor", "rank", "index", "index_low", "index_high", "first_order", "first_order_low",
    "first_order_high", "sigma", "chance_share", "experiments",
)

#: What ``index`` is for each method.
INDEX_NAMES = {"sobol": "ST", "morris": "mu_star", "delta": "delta"}


def sensitivity(run: Run, outcomes: Sequence[str] | None = None, method: str | None = None,
                resamples: int = 200, seed: int = 0) -> pd.DataFrame:
    """The global sensitivity of each outcome to each factor of ``run``, ranked.

    Parameters
    ----------
    run : Run
        A finished run whose replications drew parameter values (``param.<name>`` columns).
    outcomes : sequence of str, optional
        Numeric or yes/no outcomes (yes/no as 0/1); default every one that varies
        (:func:`compared_outcomes`). An outcome with no value in some experiment (an election
        outcome without an election) is left out.
    method : {"sobol", "morris", "delta"}, optional
        Default: the design's own (sobol, morris), else delta. Sobol and Morris need their design.
    resamples : int
        Bootstrap resamples of the confidence intervals (95%).
    seed : int
        Seed of the bootstrap resamples.

    Returns
    -------
    pandas.DataFrame
        One row per (cell,) outcome and factor, most influential first (``rank`` 1): ``index`` is
        ``ST``, ``mu_star`` or ``delta`` (by ``method``) with its interval; ``first_order`` is
        ``S1`` (sobol, delta; NaN for morris) with its interval; ``sigma`` Morris's spread (NaN
        otherwise); ``chance_share`` and ``experiments`` are the outcome's.

    Raises
    ------
    ValueError
        If the run drew no parameters, or the method needs a design the run does not have.
    """
    design = run.manifest.get("design", {})
    kind = design.get("kind", "monte_carlo")
    method = method or (kind if kind in ("sobol", "morris") else "delta")
    if method not in METHODS:
        raise ValueError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    if method in ("sobol", "morris") and kind != method:
        raise ValueError(f"{run.path}: the {method} method needs a run made with --design {method}; this run's design "
                         f"is {kind} (the delta method reads any run that drew parameters)")
    frame = run.outcomes
    factors = [f[0] for f in design["factors"]] if design.get("factors") else sorted(
        c[len("param."):] for c in frame.columns if str(c).startswith("param.") and frame[c].nunique() > 1)
    if not factors:
        raise ValueError(f"{run.path}: no parameter varies in this run; run a design over parameters "
                         f"(nzsim run SCENARIO --design sobol --samples 256, say) or declare uncertainties:")
    group = "experiment" if "experiment" in frame.columns else ("param_draw" if "param_draw" in frame.columns else None)
    names = list(outcomes) if outcomes is not None else compared_outcomes(frame)
    parts = list(frame.groupby("cell", sort=False)) if "cell" in frame.columns else [(None, frame)]
    rows = []
    for cell, part in parts:
        part = part.sort_values("replication")
        keys = part[group].to_numpy() if group else np.arange(len(part))
        codes, uniques = pd.factorize(keys, sort=True)
        x = part.groupby(codes)[[f"param.{f}" for f in factors]].first().to_numpy(dtype=float)
        for name in names:
            _, y_all = estimate(part, name)
            y = pd.Series(y_all).groupby(codes).mean().to_numpy(dtype=float)
            if np.isnan(y).any() or not np.nanstd(y) > 0:
                continue  # a value missing in some experiment, or an outcome the parameters never move
            chance = _one_way(codes, y_all)[6] if group and np.bincount(codes).max() > 1 else np.nan
            table = _indices(method, factors, x, y, design, resamples, seed, run.manifest.get("root_seed", 0))
            table = table.sort_values("index", ascending=False, kind="stable").reset_index(drop=True)
            table.insert(0, "outcome", name)
            table.insert(1, "method", method)
            table.insert(3, "rank", np.arange(1, len(table) + 1))
            table["chance_share"] = chance
            table["experiments"] = len(y)
            if cell is not None:
                table.insert(0, "cell", cell)
            rows.append(table)
    columns = (["cell"] if len(parts) > 1 or parts[0][0] is not None else []) + list(SENSITIVITY_COLUMNS)
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.concat(rows, ignore_index=True)[columns]


def _indices(method: str, factors: list[str], x: np.ndarray, y: np.ndarray, design: dict, resamples: int,
             seed: int, root_seed: int) -> pd.DataFrame:
    """One row per factor: index, its interval, first order, its interval, sigma.

    SALib is given the factors as ``x0``, ``x1``, ... (its delta method refuses names ending in
    ``_step``, which some parameters' do) and ``seed + 1`` (it takes a seed of 0 for none). Its
    delta method seeds NumPy's global generator; that generator's state is put back after."""
    nan = np.full(len(factors), np.nan)
    names = [f"x{j}" for j in range(len(factors))]
    seed = int(seed) + 1
    state = np.random.get_state()
    try:
        return _salib(method, factors, names, nan, x, y, design, resamples, seed, root_seed)
    finally:
        np.random.set_state(state)


def _salib(method: str, factors: list[str], names: list[str], nan: np.ndarray, x: np.ndarray, y: np.ndarray,
           design: dict, resamples: int, seed: int, root_seed: int) -> pd.DataFrame:
    # SALib's notes on sample sizes and bins, and its deprecations, are recorded and dropped (its delta
    # method resets the filters to "once" itself, so an "ignore" filter would not hold them)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("ignore")
        if method == "sobol":
            from SALib.analyze import sobol

            result = sobol.analyze(problem(names), y, calc_second_order=bool(design.get("second_order")),
                                   num_resamples=resamples, seed=seed)
            index, half = result["ST"], result["ST_conf"]
            first, first_half = result["S1"], result["S1_conf"]
            sigma = nan
        elif method == "morris":
            from SALib.analyze import morris

            unit = Design.from_dict(design).unit_points(root_seed)  # the grid the trajectories step on
            result = morris.analyze(problem(names), np.asarray(unit), y, num_resamples=resamples,
                                    num_levels=int(design.get("levels") or 4), seed=seed)
            index, half = np.asarray(result["mu_star"]), np.asarray(result["mu_star_conf"])
            first, first_half, sigma = nan, nan, np.asarray(result["sigma"])
        else:
            from SALib.analyze import delta

            low, high = x.min(axis=0), x.max(axis=0)
            spec = {"num_vars": len(factors), "names": names,
                    "bounds": [[lo, hi if hi > lo else lo + 1.0] for lo, hi in zip(low, high)]}
            with contextlib.redirect_stdout(io.StringIO()):  # its notes on bins, printed for every factor
                result = delta.analyze(spec, x, y, num_resamples=resamples, seed=seed)  # "raw": the data as drawn
            index, half = np.asarray(result["delta_raw"]), np.asarray(result["delta_raw_conf"])
            first, first_half, sigma = np.asarray(result["S1"]), np.asarray(result["S1_conf"]), nan
    index, half, first, first_half = (np.asarray(v, dtype=float) for v in (index, half, first, first_half))
    return pd.DataFrame({
        "factor": factors, "index": index, "index_low": index - half, "index_high": index + half,
        "first_order": first, "first_order_low": first - first_half, "first_order_high": first + first_half,
        "sigma": np.asarray(sigma, dtype=float),
    })


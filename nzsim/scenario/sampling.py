"""Parameter uncertainty: draw one value per declared distribution, once per replication.

Draws use the replication's own parameter stream, so the same seed gives the same parameters.
Normal draws are clipped to the parameter's plausible range; the other distributions are
validated to lie inside it.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from ..catalogue.parameters import BY_NAME
from .distributions import Beta, Choice, Normal, Triangular, Uniform


def draw(dist, rng: np.random.Generator, low: float = -np.inf, high: float = np.inf) -> float:
    """One draw from a scenario distribution, clipped to ``[low, high]``."""
    if isinstance(dist, Uniform):
        value = rng.uniform(dist.low, dist.high)
    elif isinstance(dist, Normal):
        value = rng.normal(dist.mean, dist.sd)
    elif isinstance(dist, Triangular):
        value = rng.triangular(dist.low, dist.mode, dist.high)
    elif isinstance(dist, Beta):
        value = dist.low + (dist.high - dist.low) * rng.beta(dist.a, dist.b)
    elif isinstance(dist, Choice):
        weights = None
        if dist.weights is not None:
            w = np.asarray(dist.weights, dtype=float)
            with np.errstate(over="ignore"):
                overflows = not np.isfinite(w.sum())
            if overflows:  # weights near the largest float: their sum is infinite
                w = w / w.max()
            weights = w / w.sum()
        value = dist.values[int(rng.choice(len(dist.values), p=weights))]
    else:  # pragma: no cover - the schema admits no other kind
        raise TypeError(f"unknown distribution {dist!r}")
    return float(min(high, max(low, value)))


def sample(uncertainties: Mapping[str, object], rng: np.random.Generator) -> dict[str, float]:
    """One value for every uncertain parameter, drawn in name order.

    Name order, not the file's order, so that two scenarios with the same content hash (which
    ignores key order) draw the same values from the same seed.
    """
    out = {}
    for name in sorted(uncertainties):
        p = BY_NAME[name]
        out[name] = draw(uncertainties[name], rng, p.low, p.high)
    return out

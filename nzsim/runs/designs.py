"""Designs: how a run's replications are laid out, seeded and cut into chunks.

``monte_carlo``: each replication draws its own parameters (from its own seed) and its own
chance. ``nested``: K parameter draws, each run under M seeds (replication ``i`` is draw
``i // M``, seed ``i % M``); draw ``k`` uses its own stream (:func:`nzsim.seeds.parameter_draw_rng`).
Either way replication ``i``'s seed is :func:`nzsim.seeds.replication_seed` of the root seed,
whatever chunk or worker runs it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..scenario import Scenario, sample
from ..seeds import parameter_draw_rng, replication_seed

DESIGNS = ("monte_carlo", "nested")


@dataclass(frozen=True)
class Planned:
    """One replication to run: its index in the run, its seed and, where the design drew them
    (a nested design's parameter draw, a stored replication's values), its parameter values;
    otherwise they are drawn from the seed's own parameter stream."""

    replication: int
    seed: int
    drawn: Mapping[str, float] | None = None


@dataclass(frozen=True)
class Design:
    """How replications are laid out: plain Monte Carlo, or K parameter draws x M seeds."""

    kind: str = "monte_carlo"
    replications: int = 1000
    param_draws: int | None = None
    seeds_per_draw: int | None = None

    @classmethod
    def nested(cls, param_draws: int, seeds_per_draw: int) -> "Design":
        return cls("nested", param_draws * seeds_per_draw, param_draws, seeds_per_draw)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def planned(self, spec: Scenario, root_seed: int, start: int, stop: int) -> list[Planned]:
        """Replications ``start`` to ``stop - 1`` of this design: each one's seed and, in a
        nested design, its parameter draw's values (drawn once per draw)."""
        draws: dict[int, dict[str, float]] = {}
        out = []
        for i in range(start, stop):
            drawn = None
            if self.kind == "nested":
                k = i // self.seeds_per_draw
                if k not in draws:
                    draws[k] = sample(spec.uncertainties, parameter_draw_rng(root_seed, k))
                drawn = draws[k]
            out.append(Planned(i, replication_seed(root_seed, i), drawn))
        return out


def checked_design(spec: Scenario, reps, design, param_draws, seeds_per_draw) -> Design:
    """Check the design options and turn them into a :class:`Design`."""
    if isinstance(design, Design):
        return design
    design = design or ("nested" if param_draws or seeds_per_draw else "monte_carlo")
    if design not in DESIGNS:
        raise ValueError(f"design: expected one of {', '.join(DESIGNS)}, got {design!r}")
    if design == "nested":
        if not param_draws or not seeds_per_draw or param_draws < 1 or seeds_per_draw < 1:
            raise ValueError("design nested: expected --param-draws K >= 1 and --seeds-per-draw M >= 1")
        if not spec.uncertainties:
            raise ValueError("design nested: the scenario declares no uncertainties, so there are no parameters to draw")
        nested = Design.nested(param_draws, seeds_per_draw)
        if reps is not None and reps != nested.replications:
            raise ValueError(f"reps: a nested design runs K x M = {nested.replications} replications, not {reps}")
        return nested
    n = spec.replications if reps is None else reps
    if isinstance(n, bool) or n < 1:
        raise ValueError(f"reps: expected at least 1 replication, got {n}")
    return Design("monte_carlo", int(n))


def default_chunk_size(replications: int, workers: int) -> int:
    """About eight chunks per worker, between 5 and 100 replications each."""
    return max(5, min(100, math.ceil(replications / max(1, workers * 8))))


#: The smallest chunk a tapering plan makes (a chunk costs a few milliseconds besides its replications).
MIN_TAPERED_CHUNK = 5


def chunk_bounds(replications: int, chunk_size: int, taper_workers: int | None = None) -> list[tuple[int, int]]:
    """Each chunk's ``(start, stop)`` replications, in order.

    Without ``taper_workers``, chunks of ``chunk_size`` (the last may be short). With it, the
    chunks shrink toward the end, as in guided self-scheduling (Polychronopoulos and Kuck 1987):
    each takes at most a ``2 * taper_workers``-th of the replications still unassigned, so the
    workers run out of work at nearly the same moment instead of one idling while another
    finishes a full-sized last chunk. The plan fixes which replications share a chunk, never a
    replication's seed, so the outcomes do not depend on it.
    """
    bounds, start = [], 0
    while start < replications:
        size = chunk_size
        if taper_workers and taper_workers > 1:
            guided = math.ceil((replications - start) / (2 * taper_workers))
            size = min(chunk_size, max(min(MIN_TAPERED_CHUNK, chunk_size), guided))
        stop = min(start + size, replications)
        bounds.append((start, stop))
        start = stop
    return bounds

"""Designs: how a run's replications are laid out, seeded and cut into chunks.

``monte_carlo``: each replication draws its own parameters (from its own seed) and its own
chance. ``nested``: K parameter draws, each run under M seeds (replication ``i`` is draw
``i // M``, seed ``i % M``); draw ``k`` uses its own stream (:func:`nzsim.seeds.parameter_draw_rng`).
Exploratory designs (``lhs``, ``sobol``, ``morris``, ``factorial``; :mod:`nzsim.runs.experiments`):
E experiments, each a point of values of the design's factors, each run under S seeds
(replication ``i`` is experiment ``i // S``, seed index ``i % S``). Every design gives replication
``i`` the seed :func:`nzsim.seeds.replication_seed` of the root seed, whatever chunk or worker runs it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..scenario import Scenario, from_dict, sample
from ..scenario.limits import MAX_REPLICATIONS
from ..seeds import parameter_draw_rng, replication_seed
from . import experiments

DESIGNS = ("monte_carlo", "nested", *experiments.KINDS)


@dataclass(frozen=True)
class Planned:
    """One replication to run: its index in the run, its seed and, where the design drew them
    (a nested design's parameter draw, a stored replication's values), its parameter values;
    otherwise they are drawn from the seed's own parameter stream."""

    replication: int
    seed: int
    drawn: Mapping[str, float] | None = None
    fields: Mapping[str, float] | None = None  # an exploratory design's values of scenario fields


@dataclass(frozen=True)
class Design:
    """How replications are laid out: plain Monte Carlo, K parameter draws x M seeds, or an
    exploratory design's experiments x seeds (``factors`` as ``(name, low, high)``)."""

    kind: str = "monte_carlo"
    replications: int = 1000
    param_draws: int | None = None
    seeds_per_draw: int | None = None
    samples: int | None = None
    seeds_per_experiment: int | None = None
    factors: tuple[tuple[str, float, float], ...] | None = None
    levels: int | None = None
    second_order: bool | None = None

    @classmethod
    def nested(cls, param_draws: int, seeds_per_draw: int) -> "Design":
        return cls("nested", param_draws * seeds_per_draw, param_draws, seeds_per_draw)

    @classmethod
    def from_dict(cls, saved: Mapping[str, Any]) -> "Design":
        """The design a manifest recorded (:meth:`as_dict`)."""
        known = {k: v for k, v in saved.items() if k in cls.__dataclass_fields__}
        if known.get("factors") is not None:
            known["factors"] = tuple((str(n), float(lo), float(hi)) for n, lo, hi in known["factors"])
        return cls(**{"kind": "monte_carlo", "replications": 1, **known})

    @property
    def exploratory(self) -> bool:
        return self.kind in experiments.KINDS

    @property
    def experiments(self) -> int:
        """Experiments of an exploratory design (each run under ``seeds`` seeds)."""
        return self.replications // self.seeds_per_experiment if self.exploratory else 0

    @property
    def factor_names(self) -> tuple[str, ...]:
        return tuple(name for name, _, _ in self.factors or ())

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if v is not None}
        if "factors" in out:
            out["factors"] = [list(f) for f in out["factors"]]
        return out

    def drawn_names(self, spec: Scenario) -> list[str]:
        """The parameters whose values each replication records (``param.<name>``)."""
        return sorted(set(spec.uncertainties) | set(self.factor_names))

    def unit_points(self, root_seed: int):
        """An exploratory design's points in the unit cube (experiments x factors)."""
        return experiments.unit_points(self.kind, self.factor_names, self.samples or 0, self.levels or 0,
                                       bool(self.second_order), root_seed)

    def experiment_values(self, spec: Scenario, root_seed: int, first: int = 0, last: int | None = None):
        """The factors' values of experiments ``first`` to ``last - 1`` (default: all)."""
        chosen = [experiments.Factor(*f) for f in self.factors or ()]
        return experiments.values(spec, chosen, self.unit_points(root_seed)[first:last])

    def planned(self, spec: Scenario, root_seed: int, start: int, stop: int) -> list[Planned]:
        """Replications ``start`` to ``stop - 1`` of this design: each one's seed and, in a
        nested design, its parameter draw's values (drawn once per draw); in an exploratory one,
        its experiment's values, with any other declared uncertainty drawn from its own stream."""
        if self.exploratory and start < stop:
            first, last = start // self.seeds_per_experiment, (stop - 1) // self.seeds_per_experiment + 1
            table = self.experiment_values(spec, root_seed, first, last)
            names = self.factor_names
            others = {k: v for k, v in spec.uncertainties.items() if k not in names}
            out = []
            for i in range(start, stop):
                seed = replication_seed(root_seed, i)
                row = dict(zip(names, (float(v) for v in table[i // self.seeds_per_experiment - first])))
                fields = {n: v for n, v in row.items() if experiments.is_field(n)}
                experiment = i // self.seeds_per_experiment  # other uncertainties: once per experiment, so
                drawn = {**sample(others, parameter_draw_rng(root_seed, experiment)),  # its seeds differ by chance alone
                         **{n: v for n, v in row.items() if n not in fields}}
                out.append(Planned(i, seed, drawn, fields or None))
            return out
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


def exploratory_design(spec: Scenario, kind: str, *, samples: int | None = None, seeds: int = 1,
                       factors: Sequence[str] | None = None, ranges: Mapping[str, tuple[float, float]] | None = None,
                       levels: int | None = None, second_order: bool = False) -> Design:
    """An exploratory design (:mod:`nzsim.runs.experiments`) of ``kind`` over ``factors``
    (default: every assumption the scenario does not fix, over its documented range, or the one in
    ``ranges``), each experiment run under ``seeds`` seeds. Raises
    :class:`~nzsim.runs.experiments.DesignError` naming the option at fault."""
    if kind not in experiments.KINDS:
        raise experiments.DesignError("design", f"expected one of {', '.join(experiments.KINDS)}, got {kind!r}")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise experiments.DesignError("seeds", f"expected a whole number of seeds per experiment >= 1, got {seeds!r}")
    chosen = experiments.factors(spec, factors, ranges)
    if kind == "factorial" and samples is not None:
        raise experiments.DesignError("samples", "the factorial design takes --levels, not --samples")
    levels = levels if levels is not None else {"morris": 4, "factorial": 2}.get(kind)
    count = experiments.check_size(kind, len(chosen), samples, levels or 0, second_order)
    if count * seeds > MAX_REPLICATIONS:
        raise experiments.DesignError("seeds", f"{count:,} experiments x {seeds} seeds is {count * seeds:,} "
                                               f"replications a cell; at most {MAX_REPLICATIONS:,} are allowed")
    return Design(kind, count * seeds, samples=samples, seeds_per_experiment=seeds,
                  factors=tuple((f.name, f.low, f.high) for f in chosen), levels=levels,
                  second_order=bool(second_order) if kind == "sobol" else None)


def declared_design(spec: Scenario) -> Design:
    """The exploratory design the scenario declares (``design:``); a
    :class:`~nzsim.runs.experiments.DesignError` names the field at fault as ``design.<field>``."""
    d = spec.design
    ranges = {name: (low, high) for name, (low, high) in d.ranges.items()}
    try:
        return exploratory_design(spec, d.kind, samples=d.samples, seeds=d.seeds, factors=d.factors, ranges=ranges,
                                  levels=d.levels, second_order=d.second_order)
    except experiments.DesignError as err:
        field = {"range": "ranges"}.get(err.field, err.field)
        raise experiments.DesignError(f"design.{field}", str(err).split(": ", 1)[1]) from None


def experiments_table(design: Design, root_seed: int, cell_list, lever_kinds: Mapping[str, str]) -> pa.Table:
    """One row per lever cell and experiment of an exploratory design: the cell and its levers (if
    any), the experiment's number and the values of its factors (``param.<name>``, as in the outcomes)."""
    columns: dict[str, list] = {"experiment": []}
    labelled = any(cell.label for cell in cell_list)
    if labelled:
        columns["cell"] = []
        for name in lever_kinds:
            columns[f"lever.{name}"] = []
    names = design.factor_names
    for name in names:
        columns[f"param.{name}"] = []
    for cell in cell_list:
        values = design.experiment_values(from_dict(cell.scenario) if isinstance(cell.scenario, Mapping) else cell.scenario,
                                          root_seed)
        count = len(values)
        columns["experiment"] += range(count)
        if labelled:
            columns["cell"] += [cell.label] * count
            for name, kind in lever_kinds.items():
                value = cell.levers.get(name)
                columns[f"lever.{name}"] += [float(value) if kind == "float" else str(value)] * count
        for j, name in enumerate(names):
            columns[f"param.{name}"] += values[:, j].tolist()
    return pa.table(columns)


def checked_design(spec: Scenario, reps, design, param_draws, seeds_per_draw) -> Design:
    """Check the design options and turn them into a :class:`Design`."""
    if isinstance(design, Design):
        return design
    if design is None and not (param_draws or seeds_per_draw) and spec.design is not None:  # the file's design:
        if reps is not None:
            raise ValueError(f"reps: the scenario declares a {spec.design.kind} design, which sets its own size")
        return declared_design(spec)
    design = design or ("nested" if param_draws or seeds_per_draw else "monte_carlo")
    if design in experiments.KINDS:
        raise ValueError(f"design {design}: build it with nzsim.runs.exploratory_design(spec, {design!r}, ...) "
                         f"(or nzsim.explore), which takes its samples, seeds and factors")
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

"""Exploratory designs: experiments over what is not known, each run under several seeds.

An exploratory design chooses points in the unit cube, one coordinate per *factor* (a parameter
of the table, or a number of the scenario such as ``events.vilnius.signals.personnel``, over a
range the user gives), and turns each coordinate into the factor's value through the quantile
function of its distribution (:func:`nzsim.scenario.sampling.quantiles`): the scenario's declared
distribution where it has one, else uniform over the range given or, by default, the range
``docs/parameters.md`` documents. Each point is an *experiment*; each experiment runs under
``seeds`` replication seeds, so the spread of an outcome within an experiment is chance and its
spread between experiments the parameters. Lever cells share the experiments and the seeds
(common random numbers), so they differ only by their levers.

The points:

- ``lhs``: a Latin hypercube of ``samples`` points (``scipy.stats.qmc.LatinHypercube``);
- ``sobol``: Saltelli's scheme of SALib (``SALib.sample.sobol``), ``samples x (D + 2)`` points
  (``x (2D + 2)`` with second-order indices), for Sobol indices (``nzsim sensitivity``);
- ``morris``: ``samples`` one-at-a-time trajectories of ``D + 1`` points on a grid of ``levels``
  (``SALib.sample.morris``), for Morris's elementary effects;
- ``factorial``: every combination of ``levels`` evenly spaced probabilities per factor
  (``levels ** D`` points, with the ends of the range at probabilities 0 and 1).

The points are a function of the design and the run's root seed alone
(:func:`nzsim.seeds.experiment_design_seed`), computed once per process and kept, so a worker
that runs any chunk finds the same values, and a resumed run the same experiments.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..catalogue.parameters import BY_NAME, PARAMETERS
from ..scenario import Scenario
from ..scenario.sampling import quantiles
from ..seeds import experiment_design_seed

KINDS = ("lhs", "sobol", "morris", "factorial")

#: The fewest samples each kind can be analysed with (Sobol: SALib's bootstrap needs a few base
#: rows; Morris: two trajectories give a spread of effects; LHS: a given-data method's bins).
MIN_SAMPLES = {"lhs": 10, "sobol": 8, "morris": 2, "factorial": 1}

#: The most experiments one design may make (before seeds and lever cells).
MAX_EXPERIMENTS = 1_000_000


class DesignError(ValueError):
    """A design option that cannot be used: ``field`` names the option, the message says why."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class Factor:
    """One factor of a design: a parameter and the range its values are drawn over."""

    name: str
    low: float
    high: float

    def as_list(self) -> list:
        return [self.name, self.low, self.high]


#: The heads of a scenario field's path that a design may vary (numbers only: the signals of an event, the context).
FIELD_HEADS = ("events.", "context.")


def is_field(name: str) -> bool:
    """Whether a factor is a scenario field (``events.vilnius.signals.personnel``), not a parameter."""
    return name.startswith(FIELD_HEADS)


def field_value(data: Mapping, path: str):
    """The value at a dotted ``path`` of a scenario's canonical mapping (KeyError if there is none)."""
    value = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(path)
        value = value[part]
    return value


def with_fields(data: Mapping, fields: Mapping[str, float]) -> dict:
    """A scenario's canonical mapping with each dotted path of ``fields`` set to its value."""
    from ..scenario import merge, nested_update

    out = dict(data)
    for path, value in fields.items():
        out = merge(out, nested_update(path, value))
    return out


def _check_field(spec: Scenario, name: str, ranges: Mapping[str, tuple[float, float]]) -> Factor:
    """A scenario field as a factor: a number in the scenario, a range given, both ends valid."""
    from ..scenario import ScenarioError, from_dict

    data = spec.dump()
    try:
        current = field_value(data, name)
    except KeyError:
        raise DesignError("factors", f"{name!r} is not a field of the scenario (a path such as "
                                     f"events.<id>.signals.personnel or context.voters)") from None
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        raise DesignError("factors", f"{name!r} is {current!r}, not a number; vary text or yes/no fields with levers:")
    if name not in ranges:
        raise DesignError("range", f"{name} is a scenario field, which has no documented range: give it one "
                                   f"(--range {name}=LOW:HIGH)")
    low, high = (float(v) for v in ranges[name])
    if not low < high:
        raise DesignError("range", f"{name} over [{low:g}, {high:g}]: expected low < high")
    for end in (low, high):
        value = round(end) if isinstance(current, int) else end
        try:
            from_dict(with_fields(data, {name: value}))
        except ScenarioError as err:
            raise DesignError("range", f"{name} = {value:g} makes the scenario invalid ({err.expected})") from None
    return Factor(name, low, high)


def default_factor_names(spec: Scenario) -> list[str]:
    """Every parameter labelled an assumption that the scenario does not fix, in name order."""
    return sorted(p.name for p in PARAMETERS if p.is_assumption and p.name not in spec.parameters
                  and p.low < p.high)


def factors(spec: Scenario, names: Sequence[str] | None = None,
            ranges: Mapping[str, tuple[float, float]] | None = None) -> tuple[Factor, ...]:
    """The factors of a design over ``names`` (default :func:`default_factor_names`), each over
    its range in ``ranges`` or its documented one; checked against the parameter table."""
    ranges = dict(ranges or {})
    chosen = list(names) if names else default_factor_names(spec)
    if not chosen:
        raise DesignError("factors", "no parameter to vary (the scenario fixes every assumption)")
    unknown = [n for n in list(chosen) + list(ranges) if n not in BY_NAME and not is_field(n)]
    if unknown:
        raise DesignError("factors", f"unknown parameter name {unknown[0]!r}; expected a name from docs/parameters.md")
    if len(set(chosen)) != len(chosen):
        raise DesignError("factors", "a parameter is named twice")
    extra = sorted(set(ranges) - set(chosen))
    if extra:
        raise DesignError("range", f"{extra[0]!r} has a range but is not a factor of the design")
    nonfinite = [n for n, (lo, hi) in ranges.items() if not (np.isfinite(float(lo)) and np.isfinite(float(hi)))]
    if nonfinite:
        raise DesignError("range", f"{nonfinite[0]}: expected finite ends, got {list(ranges[nonfinite[0]])}")
    declared = sorted(set(ranges) & set(spec.uncertainties))
    if declared:
        raise DesignError("range", f"{declared[0]} follows the distribution the scenario's uncertainties: declare; "
                                   f"give it no range (or change the distribution)")
    levered = [n for n in chosen if any(n == path or n.startswith(path + ".") or path.startswith(n + ".")
                                        or path == f"parameters.{n}" for path in spec.levers)]
    if levered:
        raise DesignError("factors", f"{levered[0]!r} is a lever of the scenario: a factor would override its cells")
    fixed = [n for n in chosen if n in spec.parameters]
    if fixed:
        raise DesignError("factors", f"{fixed[0]!r} is fixed by the scenario's parameters:, so it cannot vary")
    out = []
    for name in sorted(chosen):
        if is_field(name):
            out.append(_check_field(spec, name, ranges))
            continue
        p = BY_NAME[name]
        low, high = ranges.get(name, (p.low, p.high))
        if not (p.low <= low < high <= p.high):
            raise DesignError("range", f"{name} over [{low:g}, {high:g}]: expected low < high within the "
                                       f"parameter's range [{p.low:g}, {p.high:g}]")
        out.append(Factor(name, float(low), float(high)))
    return tuple(out)


def experiment_count(kind: str, dimensions: int, samples: int, levels: int, second_order: bool) -> int:
    """How many experiments a design of ``kind`` makes."""
    if kind == "lhs":
        return samples
    if kind == "sobol":
        return samples * (2 * dimensions + 2 if second_order else dimensions + 2)
    if kind == "morris":
        return samples * (dimensions + 1)
    if kind == "factorial":
        return levels ** dimensions
    raise DesignError("design", f"expected one of {', '.join(KINDS)}, got {kind!r}")


def check_size(kind: str, dimensions: int, samples: int | None, levels: int, second_order: bool) -> int:
    """Check a design's size options; return its number of experiments."""
    if kind not in KINDS:
        raise DesignError("design", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    if kind == "factorial":
        if levels < 2:
            raise DesignError("levels", f"the factorial design needs at least 2 levels per factor, got {levels}")
    else:
        if samples is None:
            raise DesignError("samples", f"the {kind} design needs --samples N")
        if samples < MIN_SAMPLES[kind]:
            raise DesignError("samples", f"the {kind} design needs at least {MIN_SAMPLES[kind]} samples, got {samples}")
        if kind == "sobol" and samples & (samples - 1):
            raise DesignError("samples", f"the sobol design needs a power of 2 (Sobol' sequences balance at 2^k "
                                         f"points), got {samples}; try {2 ** round(math.log2(samples))}")
        if kind == "morris" and levels < 2:
            raise DesignError("levels", f"the morris design needs a grid of at least 2 levels, got {levels}")
    count = experiment_count(kind, dimensions, samples or 0, levels, second_order)
    if count > MAX_EXPERIMENTS:
        raise DesignError("samples" if kind != "factorial" else "levels",
                          f"the design makes {count:,} experiments; at most {MAX_EXPERIMENTS:,} are allowed")
    return count


def problem(names: Sequence[str]) -> dict:
    """SALib's problem over the unit cube (a design's coordinates are probabilities)."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


@functools.lru_cache(maxsize=4)
def unit_points(kind: str, names: tuple[str, ...], samples: int, levels: int, second_order: bool,
                root_seed: int) -> np.ndarray:
    """The design's points in the unit cube, experiments x factors (kept per process)."""
    d = len(names)
    seed = experiment_design_seed(root_seed)
    if kind == "lhs":
        from scipy.stats import qmc

        points = qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed)).random(samples)
    elif kind == "sobol":
        import warnings

        from SALib.sample import sobol

        with warnings.catch_warnings():  # SALib warns where N is not a power of 2: refused above
            warnings.simplefilter("ignore")
            points = sobol.sample(problem(names), samples, calc_second_order=second_order, seed=seed)
    elif kind == "morris":
        from SALib.sample import morris

        points = morris.sample(problem(names), samples, num_levels=levels, seed=seed)
    elif kind == "factorial":
        grid = np.linspace(0.0, 1.0, levels)
        points = np.array(list(itertools.product(grid, repeat=d)), dtype=float).reshape(-1, d)
    else:
        raise DesignError("design", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    points = np.ascontiguousarray(points, dtype=float)
    points.flags.writeable = False
    return points


def values(spec: Scenario, chosen: Sequence[Factor], unit: np.ndarray) -> np.ndarray:
    """The factors' values at the design's ``unit`` points: each column through the quantile
    function of the scenario's distribution over that parameter, or uniform over its range."""
    out = np.empty_like(unit)
    data = spec.dump() if any(is_field(f.name) for f in chosen) else {}
    for j, factor in enumerate(chosen):
        out[:, j] = quantiles(spec.uncertainties.get(factor.name), unit[:, j], factor.low, factor.high)
        if is_field(factor.name) and isinstance(field_value(data, factor.name), int):  # a count stays whole
            out[:, j] = np.round(out[:, j])
    return out

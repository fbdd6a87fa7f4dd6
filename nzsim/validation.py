"""Validation targets: patterns from the record the model must reproduce, and a scorecard.

Pattern-oriented modelling (Grimm et al. 2005): each target names a scenario, an outcome, a
pass rule over an ensemble, the observed fact and its source, and whether it is used to fit
the free parameters (``use: fit``) or held back (``use: holdout``). Targets live in a YAML
file (``validation/targets.yaml``), validated here into frozen objects; a bad file ends with
one line naming the file, the field and what was expected.

Outcomes:
    * an outcome column (``trade_coercion``, ``incumbent_share``, ``coercion_weeks``, ...);
    * ``china_max_rung>=N`` (a yes/no: China reached rung N or higher);
    * a trajectory statistic: ``{trajectory: threat_share, date: 2022-06-20}`` (its value in the
      week holding that date) or ``{trajectory: stance, change: [from, to]}`` (its change
      between two dates).

Rules (exactly one per target):
    * ``probability: {at_least: p}`` or ``{at_most: p}`` for a yes/no outcome; with
      ``observed_value: true|false`` a Brier score is reported;
    * ``median: [lo, hi]``: the median over replications lies in the interval;
    * ``difference: {baseline: FILE, within: [lo, hi]}``: the mean paired difference (this
      scenario minus the baseline, replication ``i`` of each sharing its seed) lies in the
      interval.

Each scenario is simulated once per validation, and shared by every target that uses it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .ensemble import replication_seed, scenario_in_worker
from .model import NZModel, replication_parameters
from .outcomes import COLUMN_TYPES
from .replication import outcomes_of, trajectory_columns
from .scenario import Scenario, ScenarioError, load

DEFAULT_TARGETS = Path(__file__).resolve().parent.parent / "validation" / "targets.yaml"
_RUNG = re.compile(r"^china_max_rung>=([0-5])$")
TRAJECTORY_VARIABLES = ("stance", "interoperability", "partner_trust_mean", "china_grievance", "china_rung",
                        "approval", "threat_share", "independence_credibility")


class TargetsError(ValueError):
    """A targets file is wrong: ``str(err)`` is one line naming the file, the field and the expectation."""

    def __init__(self, file: str | Path, field: str, expected: str):
        self.file, self.field, self.expected = str(file), field, expected
        super().__init__(f"{file}: {field}: {expected}" if field else f"{file}: {expected}")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


def _date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return dt.date.fromisoformat(value.strip())
    raise ValueError(f"a date as YYYY-MM-DD, got {value!r}")


class Trajectory(_Frozen):
    """A statistic of a weekly trajectory: its value at a date, or its change between two dates."""

    trajectory: Literal[TRAJECTORY_VARIABLES]  # type: ignore[valid-type]
    date: dt.date | None = None
    change: tuple[dt.date, dt.date] | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _d(cls, v):
        return None if v is None else _date(v)

    @field_validator("change", mode="before")
    @classmethod
    def _c(cls, v):
        if v is None:
            return None
        if not isinstance(v, (list, tuple)) or len(v) != 2:
            raise ValueError(f"two dates [from, to], got {v!r}")
        return tuple(_date(x) for x in v)

    @model_validator(mode="after")
    def _one(self):
        if (self.date is None) == (self.change is None):
            raise ValueError("exactly one of 'date' or 'change'")
        return self

    def label(self) -> str:
        if self.date is not None:
            return f"{self.trajectory} on {self.date}"
        return f"change in {self.trajectory} {self.change[0]} to {self.change[1]}"


class Bound(_Frozen):
    at_least: float | None = Field(None, ge=0, le=1)
    at_most: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _one(self):
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("exactly one of 'at_least' or 'at_most'")
        return self


def _interval(v):
    if not isinstance(v, (list, tuple)) or len(v) != 2 or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
        raise ValueError(f"an interval [lo, hi] of two numbers, got {v!r}")
    lo, hi = float(v[0]), float(v[1])
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        raise ValueError(f"an interval [lo, hi] with finite lo <= hi, got {v!r}")
    return (lo, hi)


class Difference(_Frozen):
    baseline: str = Field(min_length=1)
    within: tuple[float, float]

    _w = field_validator("within", mode="before")(classmethod(lambda cls, v: _interval(v)))


class Target(_Frozen):
    """One validation target (see the module docstring)."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)
    pattern: str = Field("", max_length=80)
    scenario: str = Field(min_length=1)
    outcome: Union[str, Trajectory]
    probability: Bound | None = None
    median: tuple[float, float] | None = None
    difference: Difference | None = None
    observed: str = Field(min_length=1)
    observed_value: bool | None = None
    source: str = Field(min_length=1)
    use: Literal["fit", "holdout"]
    note: str = ""

    @field_validator("median", mode="before")
    @classmethod
    def _m(cls, v):
        return None if v is None else _interval(v)

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, v):
        if isinstance(v, str) and not (v in COLUMN_TYPES or _RUNG.match(v)):
            raise ValueError(f"an outcome column, 'china_max_rung>=N' (N 0-5) or {{trajectory: ..}}, got {v!r}")
        return v

    @model_validator(mode="after")
    def _rule(self):
        rules = [r for r in ("probability", "median", "difference") if getattr(self, r) is not None]
        if len(rules) != 1:
            raise ValueError(f"exactly one rule of probability, median or difference, got {rules or 'none'}")
        if self.probability is not None and not self.is_yes_no:
            raise ValueError("a probability rule needs a yes/no outcome (a bool column or china_max_rung>=N)")
        if self.observed_value is not None and self.probability is None:
            raise ValueError("observed_value (for a Brier score) goes with a probability rule only")
        return self

    @property
    def is_yes_no(self) -> bool:
        return isinstance(self.outcome, str) and (bool(_RUNG.match(self.outcome)) or COLUMN_TYPES[self.outcome].startswith("bool"))

    @property
    def rule(self) -> str:
        if self.probability is not None:
            b = self.probability
            return f"P >= {b.at_least:g}" if b.at_least is not None else f"P <= {b.at_most:g}"
        if self.median is not None:
            return f"median in [{self.median[0]:g}, {self.median[1]:g}]"
        d = self.difference
        return f"mean diff vs {Path(d.baseline).stem} in [{d.within[0]:g}, {d.within[1]:g}]"

    @property
    def outcome_label(self) -> str:
        return self.outcome if isinstance(self.outcome, str) else self.outcome.label()

    def scenarios(self) -> list[str]:
        return [self.scenario] + ([self.difference.baseline] if self.difference else [])


class TargetFile(_Frozen):
    targets: tuple[Target, ...] = Field(min_length=1)

    @field_validator("targets")
    @classmethod
    def _unique(cls, targets):
        names = [t.name for t in targets]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"unique target names, got {', '.join(dupes)} twice")
        return targets


@dataclass(frozen=True)
class Targets:
    """The validated targets of a file, with their scenario paths resolved and loaded."""

    file: Path
    targets: tuple[Target, ...]
    paths: Mapping[str, Path]  # scenario text in the file -> resolved path
    specs: Mapping[str, Scenario]  # resolved path (str) -> scenario

    def spec(self, scenario: str) -> Scenario:
        return self.specs[str(self.paths[scenario])]

    def scenario_files(self, use: str | None = None) -> list[str]:
        """The scenario texts the targets use (of one ``use`` if given), each once, in order."""
        out: list[str] = []
        for t in self.targets:
            if use is None or t.use == use:
                out += [s for s in t.scenarios() if s not in out]
        return out


def _resolve(text: str, file: Path) -> Path | None:
    p = Path(text)
    candidates = [p] if p.is_absolute() else [file.parent / p, file.parent.parent / p, Path.cwd() / p]
    return next((c.resolve() for c in candidates if c.is_file()), None)


def shown_path(path: Path) -> str:
    """The path relative to the working directory where it lies below it (portable in printed and written evidence)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_targets(path: str | Path = DEFAULT_TARGETS) -> Targets:
    """Read and validate a targets file; resolve and load every scenario it names.

    Scenario paths are tried relative to the file's folder, its parent (the project root for
    ``validation/targets.yaml``) and the working directory.

    Raises:
        TargetsError: the file is missing or malformed, a scenario is missing or invalid.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        raise TargetsError(file, "", f"a readable targets file ({err.strerror or err})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise TargetsError(file, "", f"valid YAML{where}") from None
    if not isinstance(data, dict):
        raise TargetsError(file, "", "a mapping with a 'targets' list")
    try:
        parsed = TargetFile.model_validate(data)
    except ValidationError as err:
        e = err.errors()[0]
        loc = [x for x in e["loc"] if not (isinstance(x, str) and ("[" in x or x in ("str", "Trajectory", "function-after")))]
        field = ""
        for x in loc:
            field += f"[{x}]" if isinstance(x, int) else (f".{x}" if field else str(x))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "no such field (a typo?)"
        elif e["type"] == "missing":
            msg = "a value (this field is required)"
        raise TargetsError(file, field, msg) from None
    paths: dict[str, Path] = {}
    specs: dict[str, Scenario] = {}
    for i, t in enumerate(parsed.targets):
        for field, text_ in [("scenario", t.scenario)] + ([("difference.baseline", t.difference.baseline)] if t.difference else []):
            found = _resolve(text_, file)
            if found is None:
                raise TargetsError(file, f"targets[{i}].{field}", f"an existing scenario file, got {text_!r}")
            paths[text_] = found
            if str(found) not in specs:
                try:
                    specs[str(found)] = load(found)
                except ScenarioError as err:
                    raise TargetsError(file, f"targets[{i}].{field}", f"a valid scenario ({err})") from None
            spec = specs[str(found)]
            if isinstance(t.outcome, Trajectory):
                for d in [t.outcome.date] if t.outcome.date else list(t.outcome.change):
                    if not spec.start <= d <= spec.start + dt.timedelta(weeks=spec.horizon_weeks):
                        raise TargetsError(file, f"targets[{i}].outcome", f"a date within {spec.name}'s horizon "
                                           f"({spec.start} to {spec.start + dt.timedelta(weeks=spec.horizon_weeks)}), got {d}")
    return Targets(file, parsed.targets, paths, specs)


# --------------------------------------------------------------------------------------
# Simulation: each scenario once, replication i seeded as in an ensemble run
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Simulated:
    """One scenario's replications: the outcome rows and the weekly trajectories needed."""

    outcomes: pd.DataFrame
    trajectories: Mapping[str, np.ndarray]  # variable -> reps x weeks


def run_replications(spec: Scenario, root_seed: int, start: int, stop: int,
                     overrides: Mapping[str, float] | None = None,
                     variables: Sequence[str] = TRAJECTORY_VARIABLES) -> tuple[list[dict], dict[str, np.ndarray]]:
    """Replications ``start..stop-1`` of ``spec``, seeded as :func:`nzsim.ensemble.run_ensemble` seeds them.

    ``overrides`` stand in for the defaults (as new defaults would): the scenario's own
    ``parameters:`` and its ``uncertainties:`` draws still apply on top of them.
    """
    rows, traj = [], {v: [] for v in variables}
    for i in range(start, stop):
        seed = replication_seed(root_seed, i)
        if overrides:
            _, sampled = replication_parameters(spec, seed)
            model = NZModel(spec, seed=seed, params={**overrides, **spec.parameters, **sampled})
        else:
            model = NZModel(spec, seed=seed)
        model.run_model()
        columns = trajectory_columns(model)
        rows.append({"replication": i, **outcomes_of(model, columns)})
        for v in variables:
            traj[v].append(columns[v])
    return rows, {v: np.asarray(a) for v, a in traj.items()}


def _task(args):
    """A chunk of replications; the scenario travels as its canonical dict (picklable)."""
    data, root_seed, start, stop, overrides = args
    return run_replications(scenario_in_worker(data), root_seed, start, stop, overrides)


def simulate_all(specs: Mapping[str, Scenario], reps: int, seed: int, workers: int = 1,
                 overrides_list: Sequence[Mapping[str, float] | None] = (None,)) -> list[dict[str, Simulated]]:
    """Simulate every scenario ``reps`` times under each parameter set of ``overrides_list``.

    Returns one ``{key: Simulated}`` per parameter set. With ``workers > 1`` the chunks run
    on a process pool (global multiprocessing state untouched).
    """
    chunk = max(1, min(reps, 50))
    tasks, keys = [], []
    dumped = {key: spec.dump() for key, spec in specs.items()}
    for k, overrides in enumerate(overrides_list):
        for key, spec in specs.items():
            for start in range(0, reps, chunk):
                tasks.append((dumped[key], seed, start, min(reps, start + chunk), dict(overrides) if overrides else None))
                keys.append((k, key))
    if workers > 1 and len(tasks) > 1:
        from .ensemble import process_pool, start_method_untouched

        with start_method_untouched():
            pool = process_pool(workers)
            try:
                results = list(pool.map(_task, tasks, chunksize=max(1, len(tasks) // (8 * workers))))
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    else:
        results = [_task(t) for t in tasks]
    gathered: list[dict[str, tuple[list, dict]]] = [{} for _ in overrides_list]
    for (k, key), (rows, traj) in zip(keys, results):
        rs, ts = gathered[k].setdefault(key, ([], {v: [] for v in traj}))
        rs += rows
        for v, a in traj.items():
            ts[v].append(a)
    return [
        {key: Simulated(pd.DataFrame(rs), {v: np.concatenate(a) for v, a in ts.items()}) for key, (rs, ts) in g.items()}
        for g in gathered
    ]


# --------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------


def _week(spec: Scenario, date: dt.date) -> int:
    """The trajectory row recorded at the end of the week holding ``date`` (row 0 is the start)."""
    return min(spec.week_of(date), spec.horizon_weeks)


def outcome_values(target: Target, simulated: Simulated, spec: Scenario) -> np.ndarray:
    """The target's outcome, one value per replication (NaN where undefined, e.g. no election)."""
    o = target.outcome
    if isinstance(o, Trajectory):
        series = simulated.trajectories[o.trajectory]
        if o.date is not None:
            return series[:, _week(spec, o.date)].astype(float)
        a, b = (_week(spec, d) for d in o.change)
        return (series[:, b] - series[:, a]).astype(float)
    m = _RUNG.match(o)
    if m:
        return (simulated.outcomes["china_max_rung"].to_numpy() >= int(m.group(1))).astype(float)
    return pd.to_numeric(simulated.outcomes[o], errors="coerce").astype(float).to_numpy()


@dataclass(frozen=True)
class Score:
    target: Target
    simulated: str  # the simulated distribution in words
    value: float  # the statistic the rule tests (probability, median or mean difference)
    low: float  # 5th percentile (nan for probabilities)
    high: float  # 95th percentile
    passed: bool
    brier: float | None
    n: int

    def row(self) -> dict[str, Any]:
        t = self.target
        return {"target": t.name, "use": t.use, "scenario": Path(t.scenario).stem, "outcome": t.outcome_label,
                "rule": t.rule, "observed": t.observed, "simulated": self.simulated, "value": self.value,
                "low": self.low, "high": self.high, "passed": self.passed, "brier": self.brier, "n": self.n}


def score(target: Target, targets: Targets, sims: Mapping[str, Simulated]) -> Score:
    """Score one target against simulated scenarios (keyed by resolved path)."""
    key = str(targets.paths[target.scenario])
    values = outcome_values(target, sims[key], targets.specs[key])
    if target.difference is not None:
        bkey = str(targets.paths[target.difference.baseline])
        base = outcome_values(target, sims[bkey], targets.specs[bkey])
        diff = values - base
        diff = diff[~np.isnan(diff)]
        mean = float(np.mean(diff)) if diff.size else math.nan
        lo, hi = (np.percentile(diff, [5, 95]) if diff.size else (math.nan, math.nan))
        ok = diff.size > 0 and target.difference.within[0] <= mean <= target.difference.within[1]
        return Score(target, f"mean diff {mean:+.3f} (90% {lo:+.3f} to {hi:+.3f})", mean, float(lo), float(hi), ok, None, int(diff.size))
    values = values[~np.isnan(values)]
    if values.size == 0:
        return Score(target, "no values", math.nan, math.nan, math.nan, False, None, 0)
    if target.probability is not None:
        p = float(np.mean(values))
        b = target.probability
        ok = p >= b.at_least if b.at_least is not None else p <= b.at_most
        brier = None
        if target.observed_value is not None:
            o = 1.0 if target.observed_value else 0.0
            brier = (p - o) ** 2  # the ensemble's probability as the forecast of what happened
        return Score(target, f"P = {p:.2f}", p, math.nan, math.nan, ok, brier, int(values.size))
    med = float(np.median(values))
    lo, hi = np.percentile(values, [5, 95])
    ok = target.median[0] <= med <= target.median[1]
    return Score(target, f"median {med:.3f} (90% {lo:.3f} to {hi:.3f})", med, float(lo), float(hi), ok, None, int(values.size))


def validate(targets: Targets, reps: int = 200, seed: int = 0, workers: int = 1,
             overrides: Mapping[str, float] | None = None, use: str | None = None) -> pd.DataFrame:
    """Simulate each scenario the targets use once and score every target: one row per target."""
    chosen = [t for t in targets.targets if use is None or t.use == use]
    files = []
    for t in chosen:
        files += [str(targets.paths[s]) for s in t.scenarios() if str(targets.paths[s]) not in files]
    sims = simulate_all({f: targets.specs[f] for f in files}, reps, seed, workers, [overrides])[0]
    return pd.DataFrame([score(t, targets, sims).row() for t in chosen])


def scorecard_text(card: pd.DataFrame) -> str:
    """The scorecard as a plain-text table, with a closing line of counts."""
    lines = []
    # Each column as wide as its longest entry, so a long rule never runs into the next column.
    width = {c: max([len(c), *(len(str(v)) for v in card[c])]) for c in ("target", "use", "rule", "simulated")}
    header = (f"{'target':<{width['target']}} {'use':<{width['use']}} {'rule':<{width['rule']}} "
              f"{'simulated':<{width['simulated']}} {'result':<6} {'Brier':>5}")
    lines.append(header)
    lines.append("-" * len(header))
    for r in card.itertuples():
        brier = "" if r.brier is None or (isinstance(r.brier, float) and math.isnan(r.brier)) else f"{r.brier:.3f}"
        lines.append(f"{r.target:<{width['target']}} {r.use:<{width['use']}} {r.rule:<{width['rule']}} "
                     f"{r.simulated:<{width['simulated']}} {'pass' if r.passed else 'FAIL':<6} {brier:>5}")
        lines.append(f"    observed: {r.observed}")
    failed = card.loc[~card["passed"], "target"].tolist()
    lines.append("")
    lines.append(f"{int(card['passed'].sum())} of {len(card)} targets pass"
                 + (f"; failed: {', '.join(failed)}" if failed else ""))
    return "\n".join(lines)

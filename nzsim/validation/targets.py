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
      week holding that date), ``{trajectory: stance, change: [from, to]}`` (its change
      between two dates) or ``{trajectory: approval, lowest: [from, to]}`` (its lowest value in
      the weeks from one date to another).

Rules (exactly one per target):
    * ``probability: {at_least: p}`` or ``{at_most: p}`` for a yes/no outcome; with
      ``observed_value: true|false`` a Brier score is reported;
    * ``median: [lo, hi]``: the median over replications lies in the interval;
    * ``band: {contains: x}``: the observed value ``x`` lies in the simulated 90% band (the 5th
      to the 95th percentile over replications): the record is one of the outcomes the model
      thinks likely;
    * ``difference: {baseline: FILE, within: [lo, hi]}``: the mean paired difference (this
      scenario minus the baseline, replication ``i`` of each sharing its seed) lies in the
      interval.

Each scenario is simulated once per validation, and shared by every target that uses it.

A target may name the ``episode`` of the coercion library it belongs to (``validation/episodes/``):
the scorecard then adds, for the fitting and the held-back episodes apart, the mean Brier score of
their probability targets and whether every episode with economic measures (the outcome
``economic_measures`` observed true) was given a higher probability of them than every episode
without (:func:`nzsim.validation.scoring.episode_summary`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..catalogue.outcomes import describe
from ..catalogue.variables import VARIABLES
from ..scenario import Scenario, ScenarioError, load
from ..scenario.errors import expected
from ..scenario.types import Date
from ..scenario.yaml_io import read


class TargetsError(ValueError):
    """A targets file is wrong: ``str(err)`` is one line naming the file, the field and the expectation."""

    def __init__(self, file: str | Path, field: str, expected: str):
        self.file, self.field, self.expected = str(file), field, expected
        super().__init__(f"{file}: {field}: {expected}" if field else f"{file}: {expected}")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)



def _trajectory_name(name: str) -> str:
    if name not in VARIABLES:
        raise ValueError(f"a weekly variable ({', '.join(VARIABLES.names())}), got {name!r}")
    return name


class Trajectory(_Frozen):
    """A statistic of a weekly trajectory: its value at a date, its change between two dates, or
    its lowest value between two dates."""

    trajectory: str
    date: Date | None = None
    change: tuple[Date, Date] | None = None
    lowest: tuple[Date, Date] | None = None

    _t = field_validator("trajectory")(classmethod(lambda cls, v: _trajectory_name(v)))

    @field_validator("change", "lowest", mode="before")
    @classmethod
    def _c(cls, v):
        if v is not None and (not isinstance(v, (list, tuple)) or len(v) != 2):
            raise ValueError(f"two dates [from, to], got {v!r}")
        return v

    @model_validator(mode="after")
    def _one(self):
        given = [k for k in ("date", "change", "lowest") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("exactly one of 'date', 'change' or 'lowest'")
        if self.lowest is not None and self.lowest[0] > self.lowest[1]:
            raise ValueError(f"'lowest': from a date to a later one, got {self.lowest[0]} to {self.lowest[1]}")
        return self

    @property
    def dates(self) -> list[dt.date]:
        """The dates the statistic reads."""
        return [self.date] if self.date is not None else list(self.change or self.lowest)

    def label(self) -> str:
        if self.date is not None:
            return f"{self.trajectory} on {self.date}"
        if self.lowest is not None:
            return f"lowest {self.trajectory} {self.lowest[0]} to {self.lowest[1]}"
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


class Band(_Frozen):
    contains: float

    @field_validator("contains")
    @classmethod
    def _finite(cls, v):
        if not math.isfinite(v):
            raise ValueError(f"a finite number, got {v!r}")
        return v


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
    band: Band | None = None
    difference: Difference | None = None
    observed: str = Field(min_length=1)
    observed_value: bool | None = None
    source: str = Field(min_length=1)
    use: Literal["fit", "holdout"]
    episode: str = Field("", max_length=80, pattern=r"^$|^[a-z0-9][a-z0-9_-]*$")
    note: str = ""

    @field_validator("median", mode="before")
    @classmethod
    def _m(cls, v):
        return None if v is None else _interval(v)

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, v):
        if isinstance(v, str):
            try:
                describe(v)
            except KeyError:
                raise ValueError(f"an outcome column, 'china_max_rung>=N' (N 0-5) or {{trajectory: ..}}, got {v!r}") from None
        return v

    @model_validator(mode="after")
    def _rule(self):
        rules = [r for r in ("probability", "median", "band", "difference") if getattr(self, r) is not None]
        if len(rules) != 1:
            raise ValueError(f"exactly one rule of probability, median, band or difference, got {rules or 'none'}")
        if self.probability is not None and not self.is_yes_no:
            raise ValueError("a probability rule needs a yes/no outcome (a bool column or china_max_rung>=N)")
        if self.observed_value is not None and self.probability is None:
            raise ValueError("observed_value (for a Brier score) goes with a probability rule only")
        return self

    @property
    def is_yes_no(self) -> bool:
        return isinstance(self.outcome, str) and describe(self.outcome).yes_no

    @property
    def rule(self) -> str:
        if self.probability is not None:
            b = self.probability
            return f"P >= {b.at_least:g}" if b.at_least is not None else f"P <= {b.at_most:g}"
        if self.median is not None:
            return f"median in [{self.median[0]:g}, {self.median[1]:g}]"
        if self.band is not None:
            return f"90% band holds {self.band.contains:g}"
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


def load_targets(path: str | Path) -> Targets:
    """Read and validate a targets file; resolve and load every scenario it names.

    Scenario paths are tried relative to the file's folder, its parent (the project root for
    ``validation/targets.yaml``) and the working directory. (The project's targets are
    ``validation/targets.yaml``; ``nzsim validate`` reads them from the project folder.)

    Raises:
        TargetsError: the file is missing or malformed, a scenario is missing or invalid.
    """
    file = Path(path)
    try:  # through the scenario door's YAML reader: safe, no duplicate keys, dates kept as text
        data = read(file, what="a targets file: a YAML mapping with a 'targets' list", noun="file")
    except ScenarioError as err:
        raise TargetsError(file, err.field, err.expected) from None
    try:
        parsed = TargetFile.model_validate(data)
    except ValidationError as err:
        e = err.errors(include_url=False)[0]
        loc = [x for x in e["loc"] if not (isinstance(x, str) and ("[" in x or x in ("str", "Trajectory", "function-after")))]
        field = ""
        for x in loc:
            field += f"[{x}]" if isinstance(x, int) else (f".{x}" if field else str(x))
        raise TargetsError(file, field, expected(e)) from None
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
                for d in t.outcome.dates:
                    if not spec.start <= d <= spec.start + dt.timedelta(weeks=spec.horizon_weeks):
                        raise TargetsError(file, f"targets[{i}].outcome", f"a date within {spec.name}'s horizon "
                                           f"({spec.start} to {spec.start + dt.timedelta(weeks=spec.horizon_weeks)}), got {d}")
    return Targets(file, parsed.targets, paths, specs)

"""The scenario: a validated, resolved, frozen description of a situation and what the
government signals in it. Built by :mod:`nzsim.scenario.loader`; the field reference is
``docs/scenarios.md`` (a test checks every field is documented there).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, Field, PlainValidator, ValidationError, model_validator

from ..catalogue.parameters import BY_NAME
from .context import Context
from .distributions import Distribution
from .errors import FieldError, expected, show
from .events import CoercionShock, EventField
from .limits import MAX_CELLS, MAX_LEVERS, MAX_REPLICATIONS, planned_problem
from .merging import merge, nested_update
from .types import Count, Date, FrozenMap, Frozen, Number, Text


def _check_parameter_name(name: str) -> str:
    if name not in BY_NAME:
        close = difflib.get_close_matches(name, list(BY_NAME), n=3, cutoff=0.6)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else " (see `nzsim parameters`)"
        raise ValueError(f"unknown parameter name '{name}'; expected a name from docs/parameters.md{hint}")
    return name


ParamName = Annotated[str, AfterValidator(_check_parameter_name)]


def _lever_value(value: Any) -> float | bool | str:
    """A lever's value: true or false, text, or a finite number (read as a float)."""
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        number = float(value) if not isinstance(value, int) or abs(value) < 2**1023 else math.inf
        if math.isfinite(number):
            return number
        raise ValueError(f"a finite number, got {show(value)}")
    raise ValueError(f"a number, true or false, or text, got {show(value)}")


#: One value of a lever (one validator, so that a field path never shows pydantic's union members).
LeverValue = Annotated[Any, PlainValidator(_lever_value)]


class ExploratoryDesign(Frozen):
    """An exploratory design the scenario declares (``design:``): what ``nzsim run --design KIND
    --samples N --seeds S --factors ...`` would give on the command line (docs/sensitivity.md)."""

    kind: Literal["lhs", "sobol", "morris", "factorial"]
    samples: Count | None = Field(None, ge=1)
    seeds: Count = Field(1, ge=1)
    factors: tuple[ParamName, ...] | None = None
    ranges: FrozenMap(ParamName, tuple[Number, Number]) = Field(default_factory=dict, validate_default=True)  # type: ignore[valid-type]
    levels: Count | None = Field(None, ge=2)
    second_order: bool = False


class Scenario(Frozen):
    """A validated, resolved scenario (after ``extends``). Build it with :func:`load`."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: Text
    references: tuple[Text, ...] = Field(min_length=1)
    start: Date
    horizon_weeks: Count = Field(52, ge=1, le=520)
    replications: Count = Field(1000, ge=1, le=MAX_REPLICATIONS)
    context: Context
    events: FrozenMap(str, EventField) = Field(default_factory=dict, validate_default=True)  # type: ignore[valid-type]
    parameters: FrozenMap(ParamName, Number) = Field(default_factory=dict, validate_default=True)  # type: ignore[valid-type]
    uncertainties: FrozenMap(ParamName, Distribution) = Field(default_factory=dict, validate_default=True)  # type: ignore[valid-type]
    levers: FrozenMap(str, tuple[LeverValue, ...]) = Field(  # type: ignore[valid-type]
        default_factory=dict, validate_default=True
    )
    design: ExploratoryDesign | None = None

    @property
    def end(self) -> dt.date:
        """The last day of the horizon."""
        return self.start + dt.timedelta(weeks=self.horizon_weeks) - dt.timedelta(days=1)

    def week_of(self, date: dt.date) -> int:
        """The 1-based week in which ``date`` falls."""
        return (date - self.start).days // 7 + 1

    def date_of_week(self, week: int) -> dt.date:
        """The first day of 1-based ``week``."""
        return self.start + dt.timedelta(weeks=week - 1)

    @model_validator(mode="after")
    def _check_cross_fields(self):
        if self.start > dt.date.max - dt.timedelta(weeks=self.horizon_weeks):
            raise FieldError(
                ("start",),
                f"a date at least horizon_weeks ({self.horizon_weeks}) weeks before {dt.date.max.isoformat()}, "
                f"got {self.start.isoformat()}",
            )
        for key, event in self.events.items():
            if not self.start <= event.date <= self.end:
                raise FieldError(
                    ("events", key, "date"),
                    f"a date within the horizon {self.start.isoformat()} to {self.end.isoformat()}, "
                    f"got {event.date.isoformat()}",
                )
            if isinstance(event, CoercionShock):
                for sector in event.sectors:
                    if sector not in self.context.sectors:
                        raise FieldError(
                            ("events", key, "sectors"),
                            f"sector names from context.sectors ({', '.join(self.context.sectors)}), got '{sector}'",
                        )
        for name, value in self.parameters.items():
            p = BY_NAME[name]
            if not p.low <= value <= p.high:
                raise FieldError(("parameters", name), f"a value in [{p.low:g}, {p.high:g}], got {value:g}")
        self._check_levers()
        for name, dist in self.uncertainties.items():
            p = BY_NAME[name]
            lo, hi = dist.bounds()
            if lo < p.low or hi > p.high:
                raise FieldError(
                    ("uncertainties", name),
                    f"a distribution within the parameter's range [{p.low:g}, {p.high:g}], got [{lo:g}, {hi:g}]",
                )
            if name in self.parameters:
                raise FieldError(
                    ("uncertainties", name), "a parameter given either a fixed value or a distribution, not both"
                )
        return self

    def _check_levers(self) -> None:
        """Every lever names a settable field and every one of its values gives a valid scenario."""
        if not self.levers:
            if problem := planned_problem(1, self.replications):  # (MAX_REPLICATIONS is lower today)
                raise FieldError(("replications",), problem)
            return
        if len(self.levers) > MAX_LEVERS:
            raise FieldError(("levers",), f"at most {MAX_LEVERS} levers, got {len(self.levers)}")
        planned = math.prod(len(values) for values in self.levers.values())
        if planned > MAX_CELLS:
            raise FieldError(("levers",), f"a lever table of at most {MAX_CELLS:,} cells (the product of the "
                                          f"levers' numbers of values), got {planned:,}")
        if problem := planned_problem(planned, self.replications):
            raise FieldError(("replications",), problem)
        base = self.model_dump(mode="json", exclude={"levers"})
        for path, values in self.levers.items():
            head = path.split(".", 1)[0]
            if head not in ("events", "context", "parameters") or path.count(".") < 1:
                raise FieldError(
                    ("levers", path),
                    "a path into events.<id>.signals, events.<id>, context or parameters "
                    "(e.g. events.vilnius.signals.china_language)",
                )
            if head == "events":
                parts = path.split(".")
                if parts[1] not in self.events:
                    close = difflib.get_close_matches(parts[1], list(self.events), n=1, cutoff=0.6)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    raise FieldError(("levers", path), f"an event of this scenario, but there is no event "
                                                       f"{show(parts[1])}{hint}")
            self._check_lever_path(path)
            if not values:
                raise FieldError(("levers", path), "at least one value")
            if len(set(map(repr, values))) != len(values):
                raise FieldError(("levers", path), f"distinct values, got {show(list(values))}")
            for value in values:
                try:
                    Scenario.model_validate(merge(base, nested_update(path, value)))
                except ValidationError as err:
                    inner = err.errors(include_url=False)[0]
                    original = (inner.get("ctx") or {}).get("error")
                    what = original.expected if isinstance(original, FieldError) else expected(inner)
                    raise FieldError(("levers", path), f"values that give a valid scenario; {show(value)}: {what}") from None

    def _check_lever_path(self, path: str) -> None:
        """The lever's path names a field of the scenario, or says which name was meant."""
        head, _, rest = path.partition(".")
        if head == "parameters":
            try:
                _check_parameter_name(rest)
            except ValueError as err:
                raise FieldError(("levers", path), str(err)) from None
            return
        node: Any = self
        parts = path.split(".")
        for depth, part in enumerate(parts):
            if isinstance(node, BaseModel):
                names = list(type(node).model_fields)
                if part not in names:
                    close = difflib.get_close_matches(part, names, n=1, cutoff=0.6)
                    hint = f" (did you mean '{close[0]}'?)" if close else f"; expected one of: {', '.join(names)}"
                    where = ".".join(parts[:depth])
                    raise FieldError(("levers", path), f"a path to a field of the scenario, but {where} has no "
                                                       f"field {show(part)}{hint}")
                node = getattr(node, part)
            elif isinstance(node, Mapping) and part in node:
                node = node[part]
            else:
                return  # a new entry of a mapping (a sector): its values are checked below

    def dump(self) -> dict[str, Any]:
        """The canonical, JSON-compatible form (what is hashed and printed); ``design`` only where declared."""
        out = self.model_dump(mode="json")
        if out.get("design") is None:
            out.pop("design", None)
        return out

    def to_yaml(self) -> str:
        """The canonical YAML form; loading it gives an equal scenario."""
        return yaml.safe_dump(self.dump(), sort_keys=False, allow_unicode=True, width=100)

    @property
    def sha256(self) -> str:
        """Content hash of the resolved scenario: canonical JSON with sorted keys, leaving out
        fields at their default, so a field added to the schema later (with a default that keeps
        the old meaning) does not change the hash of an existing scenario."""
        content = self.model_dump(mode="json", exclude_defaults=True)
        blob = json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()

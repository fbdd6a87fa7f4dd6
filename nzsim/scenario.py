"""Scenario files: the schema, the loader and the canonical dump. The single door for YAML.

A scenario file is YAML. It is read, merged with the file it ``extends:`` (if any), and
validated by pydantic into frozen objects before any model sees it. Every user mistake
becomes a :class:`ScenarioError` whose message names the file, the field path and what was
expected; the command line turns that into one line on stderr and exit status 2.

The field reference, with examples, is ``docs/scenarios.md``; a test checks that every field
of the schema is documented there.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import (
    AfterValidator,
    BeforeValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WrapSerializer,
    field_validator,
    model_validator,
)

from .parameters import BY_NAME, PARTNERS


class ScenarioError(ValueError):
    """A scenario file is wrong. ``str(err)`` is the whole message for the user.

    Attributes:
        file: the file at fault.
        field: the dotted field path ("" when the whole file is at fault).
        expected: what was expected there.
        loc: the field path as a tuple (parameter names contain dots, so ``field`` alone is ambiguous).
    """

    def __init__(self, file: str | Path, field: str, expected: str, loc: tuple = ()):
        self.file = str(file)
        self.field = field
        self.loc = loc if loc else (tuple(field.split(".")) if field else ())
        self.expected = expected
        where = f"{self.file}: {field}" if field else self.file
        super().__init__(f"{where}: {expected}")


def _frozen_mapping(value: Mapping) -> Mapping:
    return MappingProxyType(dict(value))


def FrozenMap(key, value):  # noqa: N802 - reads as a type
    """A mapping field that is read-only after validation and dumps as a plain dict."""
    return Annotated[
        Mapping[key, value],
        AfterValidator(_frozen_mapping),
        WrapSerializer(lambda v, nxt: nxt(dict(v))),
    ]


_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date_text(value: Any) -> Any:
    """Dates come as YYYY-MM-DD text (the loader keeps YAML dates as text): never a number, never a time."""
    if isinstance(value, dt.datetime):
        raise ValueError(f"a date as YYYY-MM-DD without a time, got {value.isoformat()!r}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        if not _DATE_TEXT.fullmatch(value.strip()):
            raise ValueError(f"a date as YYYY-MM-DD (no time), got {value!r}")
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as err:
            raise ValueError(f"a real calendar date as YYYY-MM-DD, got {value!r} ({err})") from None
    raise ValueError(f"a date as YYYY-MM-DD, got {_show(value)}")


def _no_bool(expected: str):
    def check(value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"{expected}, got {value}")
        return value

    return BeforeValidator(check)


#: A calendar date given as YYYY-MM-DD.
Date = Annotated[dt.date, BeforeValidator(_date_text)]
#: A number (true/false is not a number here, whatever YAML and pydantic's lax mode think).
Number = Annotated[float, _no_bool("a number")]
#: A whole number.
Count = Annotated[int, _no_bool("an integer")]


class Frozen(BaseModel):
    """Base for every scenario object: immutable, no unknown keys, no NaN or infinity."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, strict=False)


# --------------------------------------------------------------------------------------
# Summit signals
# --------------------------------------------------------------------------------------

Attendance = Literal["none", "minister", "leader"]
ChinaLanguage = Literal["none", "passing", "moderate", "strong"]
Framing = Literal["none", "mild", "strong"]
IP4 = Literal["none", "dialogue", "joint_projects"]
Aukus = Literal["none", "explore", "join"]


class Signals(Frozen):
    """What the government signals: the levers of a scenario. Every field defaults to nothing."""

    attendance: Attendance = "none"
    china_language: ChinaLanguage = "none"
    independence_framing: Framing = "none"
    ukraine_package_nzd_m: Number = Field(0.0, ge=0, le=5000)
    personnel: Count = Field(0, ge=0, le=5000)
    partnership_agreement: bool = False
    ip4_cooperation: IP4 = "none"
    aukus_pillar2: Aukus = "none"
    defence_pledge_pct_gdp: Number = Field(0.0, ge=0, le=5)


# --------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------


class _Event(Frozen):
    date: Date
    label: str = Field("", max_length=200)


class NatoSummit(_Event):
    """A NATO summit (or a leaders' meeting like it) where the government sends its signals."""

    kind: Literal["nato_summit"]
    signals: Signals = Signals()


class PolicyDecision(_Event):
    """A domestic decision with foreign-policy content (a strategy, a briefing, a deployment)."""

    kind: Literal["policy_decision"]
    signals: Signals = Signals()


class BilateralStatement(_Event):
    """A joint or bilateral statement with one partner; that partner weighs it fully, others by half."""

    kind: Literal["bilateral_statement"]
    partner: Literal[PARTNERS]  # type: ignore[valid-type]
    signals: Signals = Signals()


class CoercionShock(_Event):
    """Trade restrictions imposed by Beijing for reasons outside the model."""

    kind: Literal["coercion_shock"]
    sectors: tuple[str, ...] = Field(min_length=1)

    @field_validator("sectors")
    @classmethod
    def _distinct(cls, sectors: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({s for s in sectors if sectors.count(s) > 1})
        if repeated:
            raise ValueError(f"each sector named once, got {', '.join(repeated)} more than once")
        return sectors
    fraction: Number = Field(ge=0, le=1)
    duration_weeks: Count = Field(ge=1, le=520)
    formal: bool = False


class Recession(_Event):
    """The economy enters recession for a number of weeks."""

    kind: Literal["recession"]
    duration_weeks: Count = Field(26, ge=1, le=520)


class USPolicyShift(_Event):
    """The United States changes its commitment to the Indo-Pacific (1 = as in 2022-2025)."""

    kind: Literal["us_policy_shift"]
    commitment: Number = Field(ge=0, le=1)


class Election(_Event):
    """A general election: the incumbent bloc's two-bloc vote share is drawn at this date."""

    kind: Literal["election"]
    incumbent_baseline: Number = Field(ge=0, le=1)


class Custom(_Event):
    """An event whose channel magnitudes are given directly (e.g. an invasion abroad).

    ``china`` is added to Beijing's grievance like a signal's China salience (and may draw a
    statement when positive); ``partners`` changes every partner's trust by ``trust_gain *
    partners``; ``domestic`` raises the salience of foreign policy at home; ``threat_shock``
    moves every voter's threat perception on the logit scale (it fades with a half-life).
    """

    kind: Literal["custom"]
    description: str = Field("", max_length=500)
    china: Number = Field(0.0, ge=-5, le=5)
    partners: Number = Field(0.0, ge=-5, le=5)
    domestic: Number = Field(0.0, ge=-5, le=5)
    threat_shock: Number = Field(0.0, ge=-3, le=3)


Event = Annotated[
    Union[NatoSummit, PolicyDecision, BilateralStatement, CoercionShock, Recession, USPolicyShift, Election, Custom],
    Field(discriminator="kind"),
]
EVENT_KINDS = {cls.model_fields["kind"].annotation.__args__[0]: cls for cls in Event.__origin__.__args__}  # type: ignore[attr-defined]

# --------------------------------------------------------------------------------------
# Context
# --------------------------------------------------------------------------------------


class Sector(Frozen):
    """An export sector: its share of goods exports to China, and when Beijing would target it.

    ``tier`` 1: hit by informal restrictions (substitutable goods); 2: added under formal
    coercion; 0: spared (goods China cannot easily replace).
    """

    share: Number = Field(ge=0, le=1)
    tier: Literal[0, 1, 2]


#: New Zealand's China exports by sector. Shares are of goods exports to China.
NZ_SECTORS: Mapping[str, Sector] = MappingProxyType(
    {
        # dairy ~NZ$5.5bn of ~NZ$19-20bn to China (RNZ 2021; Stats NZ via Scoop 2023)
        "dairy": Sector(share=0.35, tier=0),
        # sheepmeat 30%, beef 24% of their exports go to China (BNZ via Rural News, ~2019)
        "meat": Sector(share=0.17, tier=2),
        # logs: 80-90% to China (Xinhua 2019/2021; WoodWeek)
        "logs_and_wood": Sector(share=0.15, tier=1),
        # rock lobster ~95% to China (RNZ 2021)
        "seafood": Sector(share=0.07, tier=1),
        "horticulture_and_wine": Sector(share=0.08, tier=1),
        "other": Sector(share=0.18, tier=0),
    }
)


class Context(Frozen):
    """The situation at the start of the scenario."""

    governing_bloc: Literal["labour", "national"]
    china_export_share: Number = Field(ge=0, le=1)
    goods_exports_nzd_bn: Number = Field(gt=0, le=1000)
    recession: bool = False
    recession_weeks: Count = Field(26, ge=1, le=520)
    partnership: Literal["ipcp", "itpp"] = "ipcp"
    initial_stance: Number = Field(0.4, ge=0, le=1)
    initial_interoperability: Number = Field(0.5, ge=0, le=1)
    initial_grievance: Number = Field(0.5, ge=0, le=20)
    threat_share: Number = Field(0.37, gt=0, lt=1)
    voters: Count = Field(5000, ge=100, le=1_000_000)
    sectors: FrozenMap(str, Sector) = Field(  # type: ignore[valid-type]
        default_factory=lambda: dict(NZ_SECTORS), validate_default=True
    )

    @field_validator("sectors")
    @classmethod
    def _shares_sum_to_one(cls, sectors: Mapping[str, Sector]) -> Mapping[str, Sector]:
        total = sum(s.share for s in sectors.values())
        if not math.isclose(total, 1.0, abs_tol=1e-3):
            raise ValueError(f"sector shares must sum to 1, got {total:g}")
        return sectors


# --------------------------------------------------------------------------------------
# Uncertainties
# --------------------------------------------------------------------------------------


class _Interval(Frozen):
    """A distribution on [low, high], with low < high."""

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low < self.high:
            raise ValueError(f"low less than high, got low {self.low:g} and high {self.high:g}")
        return self

    def bounds(self) -> tuple[float, float]:
        return self.low, self.high


class Uniform(_Interval):
    dist: Literal["uniform"]
    low: Number
    high: Number


class Normal(Frozen):
    """Normal; a draw outside the parameter's range is clipped to the nearer end (so the ends
    carry the tail's probability). The mean must lie within the range."""

    dist: Literal["normal"]
    mean: Number
    sd: Number = Field(gt=0)

    def bounds(self) -> tuple[float, float]:
        return self.mean, self.mean


class Triangular(Frozen):
    dist: Literal["triangular"]
    low: Number
    mode: Number
    high: Number

    @model_validator(mode="after")
    def _ordered(self):
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError("need low <= mode <= high and low < high")
        return self

    def bounds(self) -> tuple[float, float]:
        return self.low, self.high


class Beta(_Interval):
    """Beta(a, b) stretched onto [low, high] (default [0, 1])."""

    dist: Literal["beta"]
    a: Number = Field(gt=0)
    b: Number = Field(gt=0)
    low: Number = 0.0
    high: Number = 1.0


class Choice(Frozen):
    dist: Literal["choice"]
    values: tuple[Number, ...] = Field(min_length=1)
    weights: tuple[Number, ...] | None = None

    @model_validator(mode="after")
    def _weights(self):
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError("weights must have one entry per value")
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("weights must be non-negative and not all zero")
        return self

    def bounds(self) -> tuple[float, float]:
        return min(self.values), max(self.values)


Distribution = Annotated[Union[Uniform, Normal, Triangular, Beta, Choice], Field(discriminator="dist")]

# --------------------------------------------------------------------------------------
# The scenario
# --------------------------------------------------------------------------------------


def _check_parameter_name(name: str) -> str:
    if name not in BY_NAME:
        close = difflib.get_close_matches(name, list(BY_NAME), n=3, cutoff=0.6)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else " (see `nzsim parameters`)"
        raise ValueError(f"unknown parameter name '{name}'; expected a name from docs/parameters.md{hint}")
    return name


ParamName = Annotated[str, AfterValidator(_check_parameter_name)]


class Scenario(Frozen):
    """A validated, resolved scenario (after ``extends``). Build it with :func:`load`."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = Field(min_length=1)
    references: tuple[str, ...] = Field(min_length=1)
    start: Date
    horizon_weeks: Count = Field(52, ge=1, le=520)
    replications: Count = Field(1000, ge=1, le=10_000_000)
    context: Context
    events: FrozenMap(str, Event) = Field(default_factory=dict, validate_default=True)  # type: ignore[valid-type]
    parameters: FrozenMap(ParamName, Number) = Field(default_factory=dict, validate_default=True)  # type: ignore[valid-type]
    uncertainties: FrozenMap(ParamName, Distribution) = Field(default_factory=dict, validate_default=True)  # type: ignore[valid-type]
    levers: FrozenMap(str, tuple[Union[Number, bool, str], ...]) = Field(  # type: ignore[valid-type]
        default_factory=dict, validate_default=True
    )

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
            raise _FieldError(
                ("start",),
                f"a date at least horizon_weeks ({self.horizon_weeks}) weeks before {dt.date.max.isoformat()}, "
                f"got {self.start.isoformat()}",
            )
        for key, event in self.events.items():
            if not self.start <= event.date <= self.end:
                raise _FieldError(
                    ("events", key, "date"),
                    f"a date within the horizon {self.start.isoformat()} to {self.end.isoformat()}, "
                    f"got {event.date.isoformat()}",
                )
            if isinstance(event, CoercionShock):
                for sector in event.sectors:
                    if sector not in self.context.sectors:
                        raise _FieldError(
                            ("events", key, "sectors"),
                            f"sector names from context.sectors ({', '.join(self.context.sectors)}), got '{sector}'",
                        )
        for name, value in self.parameters.items():
            p = BY_NAME[name]
            if not p.low <= value <= p.high:
                raise _FieldError(("parameters", name), f"a value in [{p.low:g}, {p.high:g}], got {value:g}")
        self._check_levers()
        for name, dist in self.uncertainties.items():
            p = BY_NAME[name]
            lo, hi = dist.bounds()
            if lo < p.low or hi > p.high:
                raise _FieldError(
                    ("uncertainties", name),
                    f"a distribution within the parameter's range [{p.low:g}, {p.high:g}], got [{lo:g}, {hi:g}]",
                )
            if name in self.parameters:
                raise _FieldError(
                    ("uncertainties", name), "a parameter given either a fixed value or a distribution, not both"
                )
        return self

    def _check_levers(self) -> None:
        """Every lever names a settable field and every one of its values gives a valid scenario."""
        if not self.levers:
            return
        base = self.model_dump(mode="json", exclude={"levers"})
        for path, values in self.levers.items():
            head = path.split(".", 1)[0]
            if head not in ("events", "context", "parameters") or path.count(".") < 1:
                raise _FieldError(
                    ("levers", path),
                    "a path into events.<id>.signals, events.<id>, context or parameters "
                    "(e.g. events.vilnius.signals.china_language)",
                )
            if head == "events":
                parts = path.split(".")
                if parts[1] not in self.events:
                    raise _FieldError(("levers", path), f"an event of this scenario, but there is no event '{parts[1]}'")
            if not values:
                raise _FieldError(("levers", path), "at least one value")
            if len(set(map(repr, values))) != len(values):
                raise _FieldError(("levers", path), f"distinct values, got {list(values)}")
            for value in values:
                try:
                    Scenario.model_validate(merge(base, nested_update(path, value)))
                except ValidationError as err:
                    inner = err.errors(include_url=False)[0]
                    original = (inner.get("ctx") or {}).get("error")
                    expected = original.expected if isinstance(original, _FieldError) else _expected(inner)
                    raise _FieldError(("levers", path), f"values that give a valid scenario; {value!r}: {expected}") from None

    def dump(self) -> dict[str, Any]:
        """The canonical, JSON-compatible form (what is hashed and printed)."""
        return self.model_dump(mode="json")

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


class _FieldError(ValueError):
    """Raised inside validators to point at a field path other than the one being validated."""

    def __init__(self, loc: tuple, expected: str):
        self.loc = loc
        self.expected = expected
        super().__init__(expected)


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------

FILE_KEYS = ("extends",)
REQUIRED_IN_EVERY_FILE = ("description", "references")


def load(path: str | Path) -> Scenario:
    """Read, resolve (``extends``) and validate a scenario file.

    Raises:
        ScenarioError: anything wrong with the file, with the file, field and expectation.
    """
    path = Path(path)
    origins: dict[tuple, Path] = {}
    raw = _resolve(path, (), origins)
    return _validate(raw, path, origins)


def loads(text: str, name: str = "<string>") -> Scenario:
    """Validate a scenario given as YAML text (no ``extends``)."""
    raw = _parse(text, name)
    if "extends" in raw:
        raise ScenarioError(name, "extends", "a file on disk to extend from; use load(path)")
    return _validate(raw, name)


def from_dict(data: Mapping[str, Any], name: str = "<dict>") -> Scenario:
    """Validate a scenario given as a mapping (e.g. one built in a notebook)."""
    return _validate(dict(data), name)


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that keeps dates as text (pydantic checks them) and rejects duplicate keys."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "found unhashable key", key_node.start_mark
                ) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse(text: str, file: str | Path) -> dict:
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError(file, "", f"malformed YAML at {where}: {problem}") from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a YAML {type(data).__name__}" if isinstance(data, (list, str)) else repr(data)
        raise ScenarioError(file, "", f"a YAML mapping of scenario fields, got {got}")
    for key in data:
        if not isinstance(key, str):
            raise ScenarioError(file, str(key), "field names that are strings")
    return data


def _read(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(path, "", "an existing scenario file (no such file)") from None
    except IsADirectoryError:
        raise ScenarioError(path, "", "a scenario file, got a directory") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(path, "", f"a readable UTF-8 text file ({err.__class__.__name__})") from None
    return _parse(text, path)


def _resolve(path: Path, chain: tuple[Path, ...], origins: dict[tuple, Path]) -> dict:
    """Return the raw mapping for ``path`` with its ``extends`` chain merged in.

    ``origins`` is filled with the file that set each field path, so an error in an inherited
    value can say which file it came from.
    """
    real = path.resolve()
    if real in chain:
        cycle = " -> ".join(str(p.name) for p in (*chain, real))
        raise ScenarioError(path, "extends", f"a chain of files without a cycle, got {cycle}")
    data = _read(path)
    for key in REQUIRED_IN_EVERY_FILE:
        if key not in data:
            raise ScenarioError(path, key, "a value: every scenario file needs its own description and references")
    parent_ref = data.pop("extends", None)
    if parent_ref is None:
        _record_origins(data, path, (), origins)
        return data
    if not isinstance(parent_ref, str) or not parent_ref:
        raise ScenarioError(path, "extends", "a path to another scenario file, relative to this one")
    parent_path = Path(os.path.normpath(path.parent / parent_ref))
    if not parent_path.is_file():
        raise ScenarioError(path, "extends", f"an existing scenario file, but {parent_path} does not exist")
    parent = _resolve(parent_path, (*chain, real), origins)
    removed = data.get("events")
    if isinstance(removed, Mapping):
        parent_events = parent.get("events") if isinstance(parent.get("events"), Mapping) else {}
        for key, value in removed.items():
            if value is None and key not in parent_events:
                raise ScenarioError(
                    path, f"events.{key}", f"an event of {parent_ref} to remove with null, but it has no event '{key}'"
                )
    _record_origins(data, path, (), origins)
    return merge(parent, data)


def _record_origins(data: Any, path: Path, prefix: tuple, origins: dict[tuple, Path]) -> None:
    """Note ``path`` as the origin of every field path in ``data`` (later files override)."""
    if isinstance(data, Mapping):
        if prefix:
            origins[prefix] = path
        for key, value in data.items():
            _record_origins(value, path, (*prefix, key), origins)
    else:
        origins[prefix] = path


def nested_update(path: str, value: Any) -> dict:
    """The mapping that sets the dotted ``path`` to ``value`` when merged (parameter names keep
    their dots: ``parameters.china.trade_threshold`` sets one parameter)."""
    head, _, rest = path.partition(".")
    if not rest:
        return {head: value}
    if head in ("parameters", "uncertainties"):
        return {head: {rest: value}}
    return {head: nested_update(rest, value)}


def merge(base: Mapping, override: Mapping) -> dict:
    """Deep-merge ``override`` into ``base``: mappings merge key by key, anything else is replaced.

    A ``null`` value under ``events`` removes that event from the base.
    """
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    if "events" in out and isinstance(out["events"], Mapping):
        out["events"] = {k: v for k, v in out["events"].items() if v is not None}
    return out


def _validate(raw: dict, file: str | Path, origins: Mapping[tuple, Path] | None = None) -> Scenario:
    try:
        return Scenario.model_validate(raw)
    except ValidationError as err:
        error = _to_scenario_error(err, file, raw)
    if origins:
        loc = error.loc
        origin = next((origins[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in origins), None)
        if origin is not None and Path(origin) != Path(file):
            where = os.path.relpath(origin, Path(file).parent)
            error = ScenarioError(file, error.field, f"{error.expected} (set in {where})", loc)
    raise error


def _path(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def _clean_loc(loc: tuple) -> tuple:
    """Drop the union tag pydantic inserts after ``events.<id>`` (the kind) and
    ``uncertainties.<name>`` (the distribution), and the ``[key]`` marker of a bad mapping key."""
    parts = [part for part in loc if part != "[key]"]
    if len(parts) >= 3 and parts[0] in ("events", "uncertainties"):
        del parts[2]
    return tuple(parts)


def _expected(error: dict) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    shown = _show(given)
    if kind == "extra_forbidden":
        return f"no such field (got {shown})"
    if kind == "missing":
        return "a value (this field is required)"
    if kind == "finite_number":
        return f"a finite number, got {shown}"
    if kind == "literal_error":
        return f"one of {ctx.get('expected')}, got {shown}"
    if kind in ("union_tag_invalid",):
        return f"'{ctx.get('discriminator', '').strip(chr(39))}' to be one of {ctx.get('expected_tags')}, got {ctx.get('tag')!r}"
    if kind == "union_tag_not_found":
        return f"a '{ctx.get('discriminator', '').strip(chr(39))}' field saying which kind this is"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        words = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "greater than",
            "less_than": "less than",
        }[kind]
        limit = next(iter(ctx.values()))
        return f"a number {words} {limit}, got {shown}"
    if kind in ("too_short",):
        return f"at least {ctx.get('min_length')} item(s), got {shown}"
    if kind == "value_error":
        original = ctx.get("error")
        if isinstance(original, _FieldError):
            return original.expected
        return f"{str(original) if original else error['msg']}"
    if kind.startswith("date"):
        return f"a date as YYYY-MM-DD, got {shown}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        what = "an integer" if kind.startswith("int") else "a number"
        return f"{what}, got {shown}"
    if kind in ("bool_parsing", "bool_type"):
        return f"true or false, got {shown}"
    if kind in ("string_type",):
        return f"text, got {shown}"
    if kind in ("dict_type", "mapping_type", "model_type", "model_attributes_type"):
        return f"a mapping of fields, got {shown}"
    if kind in ("tuple_type", "list_type"):
        return f"a list, got {shown}"
    if kind == "string_pattern_mismatch":
        return f"lower-case letters, digits, '-' or '_' (starting with a letter or digit), got {shown}"
    return f"{error['msg'][0].lower()}{error['msg'][1:]}, got {shown}"


_DISTRIBUTIONS = {"uniform": Uniform, "normal": Normal, "triangular": Triangular, "beta": Beta, "choice": Choice}


def _model_at(loc: tuple, raw: Any) -> tuple[type[BaseModel] | None, str]:
    """The schema class that holds the field at ``loc`` (cleaned), and words for where it is."""
    parent = loc[:-1]

    def raw_at(path):
        node = raw
        for part in path:
            node = node.get(part) if isinstance(node, Mapping) else None
        return node if isinstance(node, Mapping) else {}

    if parent == ():
        return Scenario, " at the top level"
    if parent == ("context",):
        return Context, " in context"
    if len(parent) == 3 and parent[:2] == ("context", "sectors"):
        return Sector, " in a sector"
    if len(parent) == 2 and parent[0] == "events":
        kind = raw_at(parent).get("kind")
        cls = EVENT_KINDS.get(kind)
        return cls, f" in a {kind} event"
    if len(parent) == 3 and parent[0] == "events" and parent[2] == "signals":
        return Signals, " in signals"
    if len(parent) == 2 and parent[0] == "uncertainties":
        dist = raw_at(parent).get("dist")
        return _DISTRIBUTIONS.get(dist), f" in a {dist} distribution"
    return None, ""


def _unknown_field(loc: tuple, raw: Any) -> str:
    """'no such field ...; expected one of ...', with the nearest known name after a typo."""
    key = str(loc[-1]) if loc else "?"
    cls, where = _model_at(loc, raw)
    if cls is None:
        return f"no such field '{key}'"
    names = list(cls.model_fields)
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"no field '{key}'{where}{hint}; expected one of: {', '.join(names)}"


def _show(value: Any) -> str:
    if isinstance(value, (dict, list, tuple)):
        try:
            text = json.dumps(value, default=str)
        except (ValueError, TypeError, RecursionError):  # e.g. a recursive YAML alias
            return f"a {type(value).__name__}"
        return text if len(text) <= 60 else f"a {type(value).__name__}"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return repr(value)


def _to_scenario_error(err: ValidationError, file: str | Path, raw: Any = None) -> ScenarioError:
    error = err.errors(include_url=False)[0]
    ctx = error.get("ctx") or {}
    original = ctx.get("error")
    if isinstance(original, _FieldError):
        return ScenarioError(file, _path(original.loc), original.expected, original.loc)
    loc = _clean_loc(tuple(error["loc"]))
    expected = _unknown_field(loc, raw) if error["type"] == "extra_forbidden" else _expected(error)
    extra = len(err.errors()) - 1
    if extra:
        expected += f" (and {extra} more problem{'s' if extra > 1 else ''} after this one)"
    return ScenarioError(file, _path(loc), expected, loc)


def scenario_files(folder: Path) -> tuple[list[Path], list[str]]:
    """The scenario files directly in ``folder`` (``*.yaml`` and ``*.yml``, as ``nzsim check``
    reads both), and the names of other files that look meant as one (``team-x.yaml.txt``)."""
    files, skipped = [], []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        if path.suffix.lower() in (".yaml", ".yml"):
            files.append(path)
        elif ".yaml" in path.name.lower() or ".yml" in path.name.lower():
            skipped.append(path.name)
    return files, skipped

"""The kinds of scheduled event a scenario can hold, and the catalogue of them.

Each kind is a frozen schema class with a ``kind`` literal; :data:`EVENT_KINDS` maps each kind
to its class. The ``events:`` of a scenario validate through the current catalogue
(:data:`EventField`), so an extension adds a kind with :func:`add_event_kind` (and its rule in
the model with :func:`nzsim.model.events.handles`; see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, Literal, Union

from pydantic import Field, PlainValidator, TypeAdapter, field_validator, model_validator

from ..catalogue.conduct import CONDUCT
from ..catalogue.partners import PARTNERS
from .signals import SignalsField, no_signals
from .types import Count, Date, Frozen, Number


class Event(Frozen):
    """What every event has: a date within the horizon and an optional label. A new kind of
    event subclasses it with a ``kind: Literal["<its kind>"]`` field and is added with
    :func:`add_event_kind`."""

    date: Date
    label: str = Field("", max_length=200)


class NatoSummit(Event):
    """A NATO summit (or a leaders' meeting like it) where the government sends its signals."""

    kind: Literal["nato_summit"]
    signals: SignalsField = Field(default_factory=no_signals)


class PolicyDecision(Event):
    """A domestic decision with foreign-policy content (a strategy, a briefing, a deployment)."""

    kind: Literal["policy_decision"]
    signals: SignalsField = Field(default_factory=no_signals)


class BilateralStatement(Event):
    """A joint or bilateral statement with one partner; that partner weighs it fully, others by half."""

    kind: Literal["bilateral_statement"]
    partner: Literal[PARTNERS]  # type: ignore[valid-type]
    signals: SignalsField = Field(default_factory=no_signals)


class CoercionShock(Event):
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


class Recession(Event):
    """The economy enters recession for a number of weeks."""

    kind: Literal["recession"]
    duration_weeks: Count = Field(26, ge=1, le=520)


class ChinaConduct(Event):
    """Something Beijing does toward New Zealand or the region that New Zealand's voters notice
    (:mod:`nzsim.catalogue.conduct`): it moves their threat perception, partly for good (their
    memory of Beijing's conduct) and partly for a few weeks. ``scale`` multiplies both (1: an
    event of the kind's usual weight); ``partner`` names the partner coerced, when it is one."""

    kind: Literal["china_conduct"]
    conduct: Literal[tuple(CONDUCT)]  # type: ignore[valid-type]
    scale: Number = Field(1.0, ge=0, le=5)
    partner: Literal[PARTNERS] | None = None  # type: ignore[valid-type]
    description: str = Field("", max_length=500)


class USPolicyShift(Event):
    """The United States changes its commitment to the Indo-Pacific (1 = as in 2022-2025)."""

    kind: Literal["us_policy_shift"]
    commitment: Number = Field(ge=0, le=1)


class GeneralElection(Event):
    """A general election: the incumbent bloc's two-bloc vote share is drawn at this date.

    The share starts from ``poll_share``, the incumbent bloc's share of the two-bloc vote in the
    published polls before the run, whose source ``poll_source`` names; the model then adds what
    the run brings (the economy, trade losses, approval, the campaign). ``incumbent_baseline``, the
    older field, gives the starting share without a poll behind it (a value chosen by the
    scenario's author); exactly one of the two is given.
    """

    kind: Literal["election"]
    poll_share: Number | None = Field(None, ge=0, le=1)
    poll_source: str = Field("", max_length=500)
    incumbent_baseline: Number | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _one_baseline(self):
        if (self.poll_share is None) == (self.incumbent_baseline is None):
            raise ValueError("exactly one of poll_share (with poll_source) or incumbent_baseline")
        if self.poll_share is not None and not self.poll_source.strip():
            raise ValueError("poll_source: the polls poll_share comes from (who, when)")
        return self

    @property
    def baseline(self) -> float:
        """The incumbent bloc's two-bloc share before the run: the polls', or the older baseline."""
        return self.poll_share if self.poll_share is not None else self.incumbent_baseline


class Custom(Event):
    """An event whose channel magnitudes are given directly (e.g. an invasion abroad).

    ``china`` is added to Beijing's grievance like a signal's China salience (and may draw a
    statement when positive); ``partners`` changes every partner's trust by ``trust_gain *
    partners``; ``domestic`` raises the salience of foreign policy at home; ``threat_shock``
    moves every voter's threat perception on the logit scale (it fades with a half-life);
    ``threat_memory`` moves it for good (it enters voters' memory, which fades over years).
    """

    kind: Literal["custom"]
    description: str = Field("", max_length=500)
    china: Number = Field(0.0, ge=-5, le=5)
    partners: Number = Field(0.0, ge=-5, le=5)
    domestic: Number = Field(0.0, ge=-5, le=5)
    threat_shock: Number = Field(0.0, ge=-3, le=3)
    threat_memory: Number = Field(0.0, ge=-3, le=3)


_kinds: dict[str, type[Event]] = {}
#: Each event kind's name and schema class, in the order they were added.
EVENT_KINDS: Mapping[str, type[Event]] = MappingProxyType(_kinds)
_adapter: dict[str, Any] = {"kinds": None, "adapter": None}


def kind_of(cls: type[Event]) -> str:
    """The ``kind`` literal of an event class."""
    annotation = cls.model_fields["kind"].annotation
    values = getattr(annotation, "__args__", ())
    if len(values) != 1 or not isinstance(values[0], str):
        raise TypeError(f"{cls.__name__}: an event class needs a field kind: Literal['<its kind>']")
    return values[0]


def add_event_kind(cls: type[Event]) -> type[Event]:
    """Add an event kind (usable as a class decorator)."""
    if not (isinstance(cls, type) and issubclass(cls, Event)):
        raise TypeError(f"an event kind is a subclass of nzsim.scenario.Event, got {cls!r}")
    kind = kind_of(cls)
    if kind in _kinds:
        raise ValueError(f"event kind {kind!r} is already in the catalogue ({_kinds[kind].__name__})")
    _kinds[kind] = cls
    return cls


def remove_event_kind(kind: str) -> type[Event]:
    return _kinds.pop(kind)


def _event_adapter() -> TypeAdapter:
    classes = tuple(_kinds.values())
    if _adapter["kinds"] != classes:
        union = classes[0] if len(classes) == 1 else Union[classes]  # type: ignore[valid-type]
        _adapter.update(kinds=classes, adapter=TypeAdapter(Annotated[union, Field(discriminator="kind")]))
    return _adapter["adapter"]


def _validate(value: Any) -> Event:
    if isinstance(value, Event) and type(value) in _kinds.values():
        return value
    return _event_adapter().validate_python(value)


#: The type of one event in ``events:``: validated as the kind its ``kind`` field names.
EventField = Annotated[Any, PlainValidator(_validate)]

for _cls in (NatoSummit, PolicyDecision, BilateralStatement, CoercionShock, Recession, USPolicyShift,
             GeneralElection, Custom, ChinaConduct):
    add_event_kind(_cls)

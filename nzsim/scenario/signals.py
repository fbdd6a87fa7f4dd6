"""The ``signals:`` of a scenario's events, as a schema built from the signal catalogue.

``Signals`` has one field per signal kind of :mod:`nzsim.catalogue.signals` (its values, or its
range, and its neutral default), so a kind added to the catalogue is a field scenarios can set.
The class is built again when the catalogue changes: :func:`signals_model` is the current one,
and ``nzsim.scenario.Signals`` names it. Events hold their signals in a field of type
:data:`SignalsField`, which validates with the current class, so the event schemas themselves
never need rebuilding.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, create_model

from ..catalogue import SIGNALS, SignalKind
from .types import Count, Frozen, Number


class SignalsBase(Frozen):
    """What the government signals: the levers of a scenario. Every field defaults to nothing."""


def _field(kind: SignalKind) -> tuple[Any, Any]:
    """The schema field of a signal kind: its type and its default (the neutral value)."""
    if kind.kind == "choice":
        return Literal[tuple(kind.values)], kind.neutral
    if kind.kind == "amount":
        return Number, Field(0.0, ge=kind.low, le=kind.high)
    if kind.kind == "count":
        return Count, Field(0, ge=int(kind.low), le=int(kind.high))
    return bool, False


_built: dict[str, Any] = {"version": None, "model": None}


def signals_model() -> type[SignalsBase]:
    """The ``Signals`` schema for the signal catalogue as it is now."""
    if _built["version"] != SIGNALS.version:
        model = create_model(
            "Signals", __base__=SignalsBase, __module__=__name__,
            **{kind.field: _field(kind) for kind in SIGNALS},
        )
        model.__doc__ = SignalsBase.__doc__
        _built.update(version=SIGNALS.version, model=model)
    return _built["model"]


def _validate(value: Any) -> SignalsBase:
    model = signals_model()
    return value if isinstance(value, model) else model.model_validate(value)


#: The type of an event's ``signals`` field: validated by the current ``Signals`` schema.
SignalsField = Annotated[Any, PlainValidator(_validate)]


def no_signals() -> SignalsBase:
    """Signals that say nothing (every field at its neutral value)."""
    return signals_model()()


def __getattr__(name: str):
    if name == "Signals":  # the current class (pickle finds it here by name, too)
        return signals_model()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

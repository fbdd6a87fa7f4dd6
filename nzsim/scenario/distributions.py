"""The distributions a scenario may declare over a parameter (``uncertainties:``)."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from .types import Frozen, Number


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
    """Normal, truncated to the parameter's range (its draws and an exploratory design's values go
    through the truncated normal's quantile function). The mean must lie within the range."""

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

#: Each distribution's name and class.
DISTRIBUTIONS = {"uniform": Uniform, "normal": Normal, "triangular": Triangular, "beta": Beta, "choice": Choice}

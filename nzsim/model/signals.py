"""What a bundle of signals does: levels, channels, the government's own push, and who hears it.

Every signal is first turned into a level in [0, 1] by its catalogue entry
(:mod:`nzsim.catalogue.signals`); each level then feeds the channels (China salience, partner
contribution, domestic salience) through the coefficients ``signal.<name>.<channel>`` of the
parameter table (:func:`channels`). What a bundle says moves the government's own stance
(:func:`alignment_push`). :func:`broadcast` hands the bundle, as a :class:`Heard`, to every
actor on the model's list of listeners, in order; each takes what it listens for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..catalogue.signals import CHANNELS, SIGNALS


def levels(signals: Any) -> dict[str, float]:
    """Each signal of a bundle (a scenario's ``Signals``) as a level in [0, 1], by signal name."""
    return {kind.name: kind.level_of(getattr(signals, kind.field)) for kind in SIGNALS}


def channels(signal_levels: Mapping[str, float], params: Mapping[str, float]) -> dict[str, float]:
    """Sum each signal's level times its channel coefficient: c_k = sum_i beta_{i,k} * level_i."""
    sums = dict.fromkeys(CHANNELS, 0.0)
    for kind in SIGNALS:
        level = signal_levels[kind.name]
        if level:
            for channel in CHANNELS:
                sums[channel] += params[f"signal.{kind.name}.{channel}"] * level
    return sums


def alignment_push(ch: Mapping[str, float], params: Mapping[str, float], at_summit: bool) -> float:
    """How far a bundle moves the government's stance: ``(china + partners - neutral) / signal_scale``.

    At a summit, attending as leader is the neutral act (``neutral`` is what attendance at level 1
    sends down the China and partner channels), so staying away pushes the stance toward
    distance; elsewhere ``neutral`` is 0. Independence framing has negative coefficients, so it
    pushes toward distance too. The result is not clipped; the government clips its stance.
    """
    neutral = 0.0
    if at_summit:
        neutral = params["signal.attendance.china"] + params["signal.attendance.partners"]
    return (ch["china"] + ch["partners"] - neutral) / params["government.signal_scale"]


@dataclass(frozen=True)
class Heard:
    """A bundle of signals as every listener hears it.

    Attributes:
        levels: each signal's level, by name.
        values: each signal's value as the scenario gave it, by name (who acted, for an affront).
        channels: each channel's magnitude.
        push: how far the bundle pushes the government's stance (:func:`alignment_push`).
        at_summit: whether it was sent at a summit (partners judge it against what they expected).
        trigger: what Beijing would name if it answered ("New Zealand's remarks at the Vilnius summit").
        weight: how much a partner weighs it, by partner key (1 for all unless a statement is
            with one partner).
    """

    levels: Mapping[str, float]
    values: Mapping[str, Any]
    channels: Mapping[str, float]
    push: float
    at_summit: bool
    trigger: str
    weight: Callable[[str], float] = lambda key: 1.0


def broadcast(model, signals: Any, trigger: str, at_summit: bool = False,
              weight: Callable[[str], float] | None = None) -> list[str]:
    """Send a bundle of signals to every listener of ``model``, in order; return what they said
    in words (Beijing's answer)."""
    p = model.params
    signal_levels = levels(signals)
    ch = channels(signal_levels, p)
    values = {kind.name: getattr(signals, kind.field) for kind in SIGNALS}
    heard = Heard(signal_levels, values, ch, alignment_push(ch, p, at_summit), at_summit, trigger,
                  weight or (lambda key: 1.0))
    said = [actor.hear(heard) for actor in model.listeners]
    return [text for text in said if text]

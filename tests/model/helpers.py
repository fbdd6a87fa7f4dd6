"""What the model's unit tests share: a small model built with explicit parameters.

Each test builds a model from the small scenario in ``tests/helpers.py`` (``NZModel(spec,
seed=0, params=...)``), sets the state it needs directly and calls one method. Every parameter a
hand computation uses is passed explicitly in ``params`` (even when it equals today's default),
so the expected values do not drift when the parameter table is re-tuned.
"""

from __future__ import annotations

import numpy as np

from nzsim.model import NZModel
from nzsim.model.agents import voters
from tests.helpers import make_spec

#: 0.27 * 70.4bn * 1000 / 52 weeks = 19,008 / 52 = 365.538461... NZ$ million a week to China
WEEKLY_CHINA_NZD_M = 19008 / 52


def build(params=None, **overrides) -> NZModel:
    """A model of make_spec(**overrides) with seed 0 and the given parameter overrides."""
    return NZModel(make_spec(**overrides), seed=0, params=dict(params or {}))


def partner(model: NZModel, key: str):
    return next(p for p in model.partners if p.key == key)


def converse(pub) -> None:
    """One week's conversations of ``pub`` alone: the week's meetings (``Public.meetings``) through
    the voters' kernel, with nothing fading (``voters.talk`` with a memory kept whole)."""
    p = pub.model.params
    met, pairs = pub.meetings()
    voters.talk(pub.memory, pub.ideal, pub.threat_base, np.empty(pub.memory.shape[0]), met, pairs, 1.0,
                pub.threat_shock, p["public.convergence"], p["public.confidence_bound"],
                p["public.perception_convergence"])

"""New Zealand's six security partners: their keys, their names as prose uses them, and their
starting values in the parameter table (trust, expectation, tolerance of hedging, weight on
China language)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

#: The six partners, in the order they are created.
PARTNERS: tuple[str, ...] = ("nato", "united_states", "united_kingdom", "australia", "japan", "south_korea")

#: Each partner's name as prose uses it.
NAMES: Mapping[str, str] = MappingProxyType({
    "nato": "NATO",
    "united_states": "the United States",
    "united_kingdom": "the United Kingdom",
    "australia": "Australia",
    "japan": "Japan",
    "south_korea": "South Korea",
})

#: Each partner's defaults: (initial trust, expectation, tolerance of hedging, weight on China
#: language); the parameters ``partner.<key>.trust0``, ``.expectation``, ``.tolerance`` and
#: ``.china_weight`` (see :mod:`nzsim.catalogue.parameters` for their reasoning).
STARTING_VALUES: Mapping[str, tuple[float, float, float, float]] = MappingProxyType({
    "nato": (0.60, 0.45, 0.55, 0.2),
    "united_states": (0.60, 0.50, 0.40, 0.6),
    "united_kingdom": (0.65, 0.45, 0.50, 0.4),
    "australia": (0.75, 0.50, 0.45, 0.5),
    "japan": (0.60, 0.45, 0.50, 0.5),
    "south_korea": (0.55, 0.40, 0.60, 0.3),
})
#: Each partner's own way of answering New Zealand: (responsiveness, solidarity, US burden); the
#: parameters ``partner.<key>.responsiveness`` (how much of a summit's judgement and of a chance
#: event moves its trust, times the shared ``partner.trust_gain``), ``.solidarity`` (the chance it
#: stands by New Zealand when Beijing coerces it) and ``.us_burden`` (how far its expectation of
#: New Zealand rises per unit the United States' commitment falls).
TRAITS: Mapping[str, tuple[float, float, float]] = MappingProxyType({
    "nato": (0.7, 0.3, 0.1),
    "united_states": (1.0, 0.6, 0.0),
    "united_kingdom": (0.9, 0.5, 0.1),
    "australia": (1.2, 0.8, 0.3),
    "japan": (0.8, 0.5, 0.25),
    "south_korea": (0.6, 0.2, 0.2),
})
assert tuple(NAMES) == PARTNERS == tuple(STARTING_VALUES) == tuple(TRAITS)


def short_name(key: str) -> str:
    """The partner's name without its article, as a title uses it ("United States")."""
    name = NAMES[key]
    return name[4:] if name.startswith("the ") else name

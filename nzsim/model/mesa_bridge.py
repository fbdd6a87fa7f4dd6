"""The one bridge between the project's validated scenarios and what Mesa needs.

Mesa 3.5 carries run settings on ``mesa.experimental.scenarios.Scenario``, an experimental API
that changes in Mesa 4.0. Only this module touches it: if Mesa's API moves, this is the file to
change (see docs/decisions.md).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
from mesa.experimental.scenarios import Scenario as _MesaScenario

from ..scenario import Scenario


class MesaScenario(_MesaScenario):
    """A Mesa scenario that carries the validated scenario and the parameter values of one replication."""

    spec: Scenario | None = None
    params: Mapping[str, float] | None = None


def to_mesa(spec: Scenario, params: Mapping[str, float], rng: np.random.Generator) -> MesaScenario:
    """Wrap a validated scenario, its resolved parameters and the replication's generator for Mesa."""
    return MesaScenario(rng=rng, spec=spec, params=dict(params))

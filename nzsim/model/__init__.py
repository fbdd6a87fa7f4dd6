"""The model core: the weekly rules of New Zealand's foreign-policy tradeoffs, as a Mesa model.

Layer: above the scenario door and the catalogue, below everything that runs or reads models.
It may import :mod:`nzsim.scenario`, :mod:`nzsim.catalogue` and :mod:`nzsim.seeds`.

- :mod:`~nzsim.model.model`: :class:`NZModel`, whose ``step()`` is the list of the week's rules;
- :mod:`~nzsim.model.agents`: one module per actor;
- :mod:`~nzsim.model.events`: what each kind of scheduled event does;
- :mod:`~nzsim.model.signals`: levels, channels and who hears a bundle of signals;
- :mod:`~nzsim.model.mesa_bridge`: the one place that touches Mesa's experimental Scenario API.
"""

from __future__ import annotations

from .model import LogEntry, NZModel, ParameterSet, ScalarDataCollector, replication_parameters, reporters

__all__ = ["LogEntry", "NZModel", "ParameterSet", "ScalarDataCollector", "replication_parameters", "reporters"]

"""The scenario door: scenario files in, frozen validated scenarios out.

Layer: above the catalogue (whose signal kinds and parameters it validates against), below
everything else. It may import :mod:`nzsim.catalogue` only.

- :mod:`~nzsim.scenario.yaml_io`: the one safe YAML reader (scenario files and targets files);
- :mod:`~nzsim.scenario.loader`: :func:`load`, :func:`loads`, :func:`from_dict`, ``extends``;
- :mod:`~nzsim.scenario.schema`, :mod:`~nzsim.scenario.context`, :mod:`~nzsim.scenario.events`,
  :mod:`~nzsim.scenario.signals`, :mod:`~nzsim.scenario.distributions`: the schema;
- :mod:`~nzsim.scenario.errors`: the one-line messages for the user;
- :mod:`~nzsim.scenario.levers`: the factorial of a scenario's levers;
- :mod:`~nzsim.scenario.sampling`: one draw of the declared uncertainties.
"""

from __future__ import annotations

from .context import NZ_SECTORS, Context, Sector
from .distributions import DISTRIBUTIONS, Beta, Choice, Distribution, Normal, Triangular, Uniform
from .errors import ScenarioError
from .events import (
    EVENT_KINDS,
    BilateralStatement,
    ChinaConduct,
    CoercionShock,
    Custom,
    Event,
    GeneralElection,
    NatoSummit,
    PolicyDecision,
    Recession,
    USPolicyShift,
    add_event_kind,
    remove_event_kind,
)
from .levers import Cell, cells, lever_label, lever_types
from .loader import FILE_KEYS, REQUIRED_IN_EVERY_FILE, from_dict, load, loads, scenario_files
from .merging import merge, nested_update
from .sampling import draw, sample
from .schema import ExploratoryDesign, Scenario
from .signals import SignalsBase, signals_model

__all__ = [
    "BilateralStatement", "Beta", "Cell", "ChinaConduct", "Choice", "CoercionShock", "Context", "Custom", "DISTRIBUTIONS",
    "Distribution", "EVENT_KINDS", "Event", "FILE_KEYS", "GeneralElection", "NZ_SECTORS", "NatoSummit", "Normal",
    "ExploratoryDesign", "PolicyDecision", "REQUIRED_IN_EVERY_FILE", "Recession", "Scenario", "ScenarioError", "Sector", "Signals",
    "SignalsBase", "Triangular", "USPolicyShift", "Uniform", "add_event_kind", "cells", "draw", "from_dict",
    "lever_label", "lever_types", "load", "loads", "merge", "nested_update", "remove_event_kind", "sample",
    "scenario_files", "signals_model",
]


def __getattr__(name: str):
    if name == "Signals":  # the schema of the signal catalogue as it is now
        return signals_model()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

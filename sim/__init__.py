"""nzsim: an agent-based model of New Zealand's pull between NATO interoperability, an
independent foreign policy and trade with China.

Quick use::

    >>> import sim
    >>> spec = sim.load("scenarios/vilnius-2023.yaml")          # doctest: +SKIP
    >>> rep = sim.replicate(spec, seed=1)                        # doctest: +SKIP
    >>> print(sim.tell(spec, rep))                               # doctest: +SKIP
    >>> run = sim.run_ensemble(spec, reps=1000, seed=0, workers=2)  # doctest: +SKIP
    >>> run.outcomes.describe()                                  # doctest: +SKIP

Nothing global happens at import, and importing is light: each name below loads its module
(Mesa and the model only for the names that need them) when first used, so the parent process
of an ensemble, which never builds a model itself, does not carry Mesa while its workers run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

#: Each public name and the submodule that defines it.
_WHERE = {
    "Design": "ensemble",
    "run_ensemble": "ensemble",
    "NZModel": "model",
    "Replication": "replication",
    "replicate": "replication",
    "Run": "runfolder",
    "Scenario": "scenario",
    "ScenarioError": "scenario",
    "load": "scenario",
    "tell": "story",
    "__version__": "version",
}

__all__ = sorted(_WHERE, key=str.lower)


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value  # once loaded, an ordinary attribute
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


if TYPE_CHECKING:  # for type checkers and editors
    from .ensemble import Design, run_ensemble
    from .model import NZModel
    from .replication import Replication, replicate
    from .runfolder import Run
    from .scenario import Scenario, ScenarioError, load
    from .story import tell
    from .version import __version__

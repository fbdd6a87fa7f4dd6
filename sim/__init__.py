"""nzsim: an agent-based model of New Zealand's pull between NATO interoperability, an
independent foreign policy and trade with China.

Quick use::

    >>> import sim
    >>> spec = sim.load("scenarios/vilnius-2023.yaml")          # doctest: +SKIP
    >>> rep = sim.replicate(spec, seed=1)                        # doctest: +SKIP
    >>> print(sim.tell(spec, rep))                               # doctest: +SKIP

Nothing global happens at import.
"""

from .model import NZModel
from .replication import Replication, replicate
from .scenario import Scenario, ScenarioError, load
from .story import tell
from .version import __version__

__all__ = ["NZModel", "Replication", "Scenario", "ScenarioError", "__version__", "load", "replicate", "tell"]

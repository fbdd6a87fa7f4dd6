"""nzsim: an agent-based model of New Zealand's pull between NATO interoperability, an
independent foreign policy and trade with China.

Quick use::

    >>> import sim
    >>> spec = sim.load("scenarios/vilnius-2023.yaml")          # doctest: +SKIP
    >>> rep = sim.replicate(spec, seed=1)                        # doctest: +SKIP
    >>> print(sim.tell(spec, rep))                               # doctest: +SKIP
    >>> run = sim.run_ensemble(spec, reps=1000, seed=0, workers=2)  # doctest: +SKIP
    >>> run.outcomes.describe()                                  # doctest: +SKIP

Nothing global happens at import.
"""

from .ensemble import Design, run_ensemble
from .model import NZModel
from .replication import Replication, replicate
from .runfolder import Run
from .scenario import Scenario, ScenarioError, load
from .story import tell
from .version import __version__

__all__ = [
    "Design",
    "NZModel",
    "Replication",
    "Run",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load",
    "replicate",
    "run_ensemble",
    "tell",
]

"""nzsim: an agent-based model of New Zealand's pull between NATO interoperability, an
independent foreign policy and trade with China.

Quick use::

    >>> import nzsim
    >>> spec = nzsim.load("scenarios/vilnius-2023.yaml")          # doctest: +SKIP
    >>> rep = nzsim.replicate(spec, seed=1)                        # doctest: +SKIP
    >>> print(nzsim.tell(spec, rep))                               # doctest: +SKIP
    >>> run = nzsim.run_ensemble(spec, reps=1000, seed=0, workers=2)  # doctest: +SKIP
    >>> nzsim.describe_run(run)                                  # doctest: +SKIP
    >>> run.outcomes.describe()                                  # doctest: +SKIP

The package is in layers, each a subpackage that imports only those below it (docs/architecture.md;
a test checks the directions): :mod:`nzsim.catalogue` and :mod:`nzsim.seeds` at the bottom, then
:mod:`nzsim.scenario`, :mod:`nzsim.model`, :mod:`nzsim.runs`, :mod:`nzsim.analysis`,
:mod:`nzsim.figures`, :mod:`nzsim.reports` and :mod:`nzsim.validation`, :mod:`nzsim.teaching`,
and :mod:`nzsim.cli` on top. This module only names the most used of their names.

Nothing global happens at import, and importing is light: each name below loads its module
(Mesa and the model only for the names that need them) when first used, so the parent process
of an ensemble, which never builds a model itself, does not carry Mesa while its workers run.
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING

__all__ = [
    "Design",
    "NZModel",
    "Replication",
    "Run",
    "Scenario",
    "ScenarioError",
    "__version__",
    "describe_run",
    "explore",
    "load",
    "load_run",
    "replicate",
    "run_ensemble",
    "tell",
]

if TYPE_CHECKING:  # what type checkers and editors see: explicit re-exports
    from .model import NZModel as NZModel
    from .reports.story import tell as tell
    from .reports.summary import describe_run as describe_run
    from .runs import load_run as load_run
    from .runs.designs import Design as Design
    from .runs.ensemble import explore as explore
    from .runs.ensemble import run_ensemble as run_ensemble
    from .runs.loop import Replication as Replication
    from .runs.loop import replicate as replicate
    from .runs.runfolder import Run as Run
    from .scenario import Scenario as Scenario
    from .scenario import ScenarioError as ScenarioError
    from .scenario import load as load
    from .version import __version__ as __version__
else:
    #: Each public name and the submodule that defines it.
    _WHERE = {
        "Design": "runs.designs",
        "run_ensemble": "runs.ensemble",
        "explore": "runs.ensemble",
        "NZModel": "model",
        "Replication": "runs.loop",
        "replicate": "runs.loop",
        "Run": "runs.runfolder",
        "load_run": "runs",
        "Scenario": "scenario",
        "ScenarioError": "scenario",
        "load": "scenario",
        "tell": "reports.story",
        "describe_run": "reports.summary",
        "__version__": "version",
    }

    def __getattr__(name: str):
        """A public name, or a submodule (``nzsim.analysis`` after a plain ``import nzsim``), loaded on first use."""
        if name in _WHERE:
            value = getattr(_importlib.import_module(f".{_WHERE[name]}", __name__), name)
        elif not name.startswith("_"):
            try:
                value = _importlib.import_module(f".{name}", __name__)
            except ModuleNotFoundError as err:
                if err.name != f"{__name__}.{name}":
                    raise  # the submodule exists but something it imports does not
                raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        globals()[name] = value  # once loaded, an ordinary attribute
        return value

    def __dir__() -> list[str]:
        loaded = [name for name, value in globals().items() if type(value) is type(_importlib)
                  and getattr(value, "__name__", "").startswith(f"{__name__}.")]
        return sorted({*__all__, *loaded})

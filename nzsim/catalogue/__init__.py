"""The catalogue of names: signal kinds, weekly variables, end-of-run facts, outcomes and
parameters, each declared once with everything the package knows about it.

Layer: the bottom one. It imports nothing else of ``nzsim`` (NumPy only), and every other layer
reads its names from here: the scenario schema's signals, the model's DataCollector, the run
folder's columns, the summaries, comparisons, figures, story and report, the dashboard's
controls and the validation targets.

An extension adds entries with each catalogue's ``add`` (``signals.add``, ``variables.add``,
``outcomes.add``, ``outcomes.FACTS.add``, ``parameters.add``), or for a while with
:func:`registered`, which takes them out again. Worker processes import the modules that added
entries (:func:`extension_modules`), so put an extension's entries in a module of its own.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

from . import metrics, outcomes, parameters, partners, rungs, signals, variables
from .outcomes import FACTS, OUTCOMES, Fact, Outcome
from .parameters import PARAMETERS, Parameter
from .registry import caller_module
from .signals import SIGNALS, SignalKind
from .variables import VARIABLES, Variable

__all__ = [
    "FACTS", "OUTCOMES", "PARAMETERS", "SIGNALS", "VARIABLES",
    "Fact", "Outcome", "Parameter", "SignalKind", "Variable",
    "extension_modules", "metrics", "outcomes", "parameters", "partners", "registered", "rungs",
    "signals", "variables",
]

_REGISTRIES = (SIGNALS, VARIABLES, FACTS, OUTCOMES, PARAMETERS)


def extension_modules() -> tuple[str, ...]:
    """The modules outside the package that added catalogue entries, sorted: what a worker
    process imports to see the same catalogue as the process that started it."""
    return tuple(sorted(set().union(*(r.extensions() for r in _REGISTRIES))))


def version() -> tuple[int, ...]:
    """A token that changes whenever any catalogue changes."""
    return tuple(r.version for r in _REGISTRIES)


@contextlib.contextmanager
def registered(*entries: SignalKind | Variable | Fact | Outcome | Parameter) -> Iterator[None]:
    """Add the entries for the duration of a ``with`` block, then take them out again.

    >>> from nzsim.catalogue import Variable, registered, VARIABLES
    >>> with registered(Variable(name="us_commitment_doubled", report=lambda m: 2 * m.us_commitment,
    ...                          title="Twice the US commitment", unit="index")):
    ...     "us_commitment_doubled" in VARIABLES
    True
    >>> "us_commitment_doubled" in VARIABLES
    False
    """
    origin = caller_module()
    added: list = []
    try:
        for entry in entries:
            if isinstance(entry, SignalKind):
                signals.add(entry, origin=origin)
            elif isinstance(entry, Variable):
                VARIABLES.add(entry, origin=origin)
            elif isinstance(entry, Fact):
                FACTS.add(entry, origin=origin)
            elif isinstance(entry, Outcome):
                OUTCOMES.add(entry, origin=origin)
            elif isinstance(entry, Parameter):
                parameters.add(entry, origin=origin)
            else:
                raise TypeError(f"not a catalogue entry: {entry!r}")
            added.append(entry)
        yield
    finally:
        for entry in reversed(added):
            if isinstance(entry, SignalKind):
                signals.remove(entry.name)
            elif isinstance(entry, Variable):
                VARIABLES.remove(entry.name)
            elif isinstance(entry, Fact):
                FACTS.remove(entry.name)
            elif isinstance(entry, Outcome):
                OUTCOMES.remove(entry.name)
            else:
                parameters.remove(entry.name)

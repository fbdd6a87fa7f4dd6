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

from . import affronts, conduct, metrics, outcomes, parameters, partners, rungs, signals, variables
from .outcomes import FACTS, OUTCOMES, Fact, Outcome
from .parameters import PARAMETERS, Parameter
from .registry import caller_module
from .signals import SIGNALS, SignalKind
from .variables import VARIABLES, Variable

__all__ = [
    "FACTS", "OUTCOMES", "PARAMETERS", "SIGNALS", "VARIABLES",
    "Fact", "Outcome", "Parameter", "SignalKind", "Variable",
    "affronts", "conduct", "extension_modules", "metrics", "outcomes", "parameters", "partners", "registered", "rungs",
    "signals", "variables",
]

_REGISTRIES = (SIGNALS, VARIABLES, FACTS, OUTCOMES, PARAMETERS)
#: How each kind of entry joins its catalogue and leaves it (a signal kind brings its parameters).
_ADD_AND_REMOVE = {
    SignalKind: (signals.add, signals.remove),
    Variable: (VARIABLES.add, VARIABLES.remove),
    Fact: (FACTS.add, FACTS.remove),
    Outcome: (OUTCOMES.add, OUTCOMES.remove),
    Parameter: (parameters.add, parameters.remove),
}


def extension_modules() -> tuple[str, ...]:
    """The modules outside the package that added catalogue entries, sorted: what a worker
    process imports to see the same catalogue as the process that started it."""
    return tuple(sorted(set().union(*(r.extensions() for r in _REGISTRIES))))


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
            kind = next((k for k in _ADD_AND_REMOVE if isinstance(entry, k)), None)
            if kind is None:
                raise TypeError(f"not a catalogue entry: {entry!r}")
            add, remove = _ADD_AND_REMOVE[kind]
            add(entry, origin=origin)
            added.append((remove, entry.name))
        yield
    finally:
        for remove, name in reversed(added):
            remove(name)

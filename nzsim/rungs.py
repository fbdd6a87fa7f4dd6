"""China's escalation ladder as a plain enum, importable without Mesa.

The run-folder readers and the analysis (:mod:`nzsim.analysis`, :mod:`nzsim.outcomes`) name the rungs
but never build a model; keeping the enum here lets them, and the parent process of an ensemble,
load without importing Mesa and the model (about 40 MB of resident memory in each process).
"""

from __future__ import annotations

from enum import IntEnum


class Rung(IntEnum):
    """China's escalation ladder."""

    CORDIAL = 0
    NORMAL = 1
    REBUKE = 2
    WARNING = 3
    INFORMAL_RESTRICTION = 4
    FORMAL_COERCION = 5

    @property
    def words(self) -> str:
        return self.name.lower().replace("_", " ")

"""China's escalation ladder, a plain enum, and the rung from which its response is trade coercion."""

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


#: Rung from which China's response counts as trade coercion.
COERCION_RUNG = int(Rung.INFORMAL_RESTRICTION)

#: The rungs in ladder order, as words ("cordial", ..., "formal coercion").
RUNG_NAMES: tuple[str, ...] = tuple(rung.words for rung in Rung)

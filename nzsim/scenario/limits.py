"""The limits on what a scenario file may hold, so that no input, however large or hostile, costs
more than a bounded time and memory before it is refused with a one-line message.

Each limit is far above what a real scenario needs (the largest in ``scenarios/`` is 12.5 KB, 6
levels deep, with about 300 values) and is checked where the input is first seen: the bytes as
the file is read, the nesting, aliases, node count and number lengths while PyYAML composes the
document (before any Python object is built), ``extends`` as the chain is followed, and the
levers and replications by the schema. docs/scenarios.md (Limits) lists them for users.
"""

from __future__ import annotations

#: Bytes in one scenario file (or characters in text given to ``loads``).
MAX_BYTES = 1_000_000
#: Levels of nesting of mappings and lists (the top-level mapping is level 1).
MAX_DEPTH = 32
#: Values in one file with every alias expanded where it is used (each key, value and item
#: counts one): what the file means, not what it spells, so "billion laughs" stops here.
MAX_NODES = 100_000
#: Characters in one number (an integer or a float as written).
MAX_NUMBER_CHARS = 100
#: Files in an ``extends`` chain, the file loaded included.
MAX_EXTENDS = 20
#: Characters in the path an ``extends`` names.
MAX_EXTENDS_CHARS = 255
#: Levers in a scenario.
MAX_LEVERS = 20
#: Cells of a lever table (the product of the levers' numbers of values).
MAX_CELLS = 1_000
#: Replications of a scenario (of each of its cells).
MAX_REPLICATIONS = 1_000_000
#: Replications a scenario may plan in all: cells times replications.
MAX_PLANNED = 10_000_000


def planned_problem(cells: int, per_cell: int) -> str | None:
    """What is wrong with planning ``per_cell`` replications in each of ``cells`` lever cells (the
    expectation, as a message says it), or None within :data:`MAX_PLANNED`; the scenario's own
    ``replications`` and ``nzsim run --reps`` are both held to it."""
    total = cells * per_cell
    if total <= MAX_PLANNED:
        return None
    if cells == 1:
        return f"at most {MAX_PLANNED:,} replications, got {total:,}"
    return f"at most {MAX_PLANNED:,} replications in all ({cells:,} lever cells x {per_cell:,}), got {total:,}"

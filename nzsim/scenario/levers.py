"""Levers: a scenario's ``levers:`` block as the full factorial of the alternatives it lists.

Each cell is the scenario with one value of every lever, validated, and labelled by its values
(``china_language=strong, attendance=none``); the runner runs each cell as a labelled sub-run
with the same replication seeds (common random numbers), so cells differ only by their levers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ScenarioError
from .limits import MAX_CELLS
from .loader import from_dict
from .merging import merge, nested_update
from .schema import Scenario


@dataclass(frozen=True)
class Cell:
    """One cell of a lever factorial (or the whole run when there are no levers)."""

    index: int
    label: str
    levers: Mapping[str, Any]
    scenario: Mapping[str, Any]  # the cell's scenario, as its canonical dict (picklable)


def lever_label(levers: Mapping[str, Any]) -> str:
    """``china_language=strong, attendance=none`` (last path part, unless two levers share it)."""
    shorts = [path.rsplit(".", 1)[-1] for path in levers]
    parts = []
    for (path, value), short in zip(levers.items(), shorts):
        name = short if shorts.count(short) == 1 else path
        parts.append(f"{name}={value}")
    return ", ".join(parts)


def cells(spec: Scenario, file: str | Path = "<scenario>") -> list[Cell]:
    """The full factorial of the scenario's levers (one cell with no levers)."""
    base = spec.dump()
    levers = base.pop("levers", {}) or {}
    if not levers:
        return [Cell(0, "", {}, base)]
    planned = math.prod(len(values) for values in levers.values())
    if planned > MAX_CELLS:  # (the schema refuses such a scenario; a guard before the product is built)
        raise ScenarioError(file, "levers", f"a lever table of at most {MAX_CELLS:,} cells, got {planned:,}")
    out = []
    for index, values in enumerate(itertools.product(*levers.values())):
        chosen = dict(zip(levers, values))
        data = base
        for path, value in chosen.items():
            data = merge(data, nested_update(path, value))
        try:
            cell_spec = from_dict(data, name=str(file))
        except ScenarioError as err:
            raise ScenarioError(
                file, f"levers ({lever_label(chosen)})", f"every lever value to give a valid scenario: {err.field}: {err.expected}"
            ) from None
        out.append(Cell(index, lever_label(chosen), chosen, cell_spec.dump()))
    return out


def lever_types(spec: Scenario) -> dict[str, str]:
    """Each lever column's type, from all its values: "float" if every value is a number, else "str"."""
    return {
        path: "float" if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) else "str"
        for path, values in spec.levers.items()
    }

"""One replication: run the model and return a compact record (outcomes, trajectories, events).

This is what an ensemble worker calls; it returns plain data, never the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from .model import LogEntry, NZModel
from .outcomes import outcome_row
from .scenario import Scenario


@dataclass(frozen=True)
class Replication:
    """The record of one replication."""

    seed: int
    sampled: Mapping[str, float]
    outcomes: Mapping[str, object]
    trajectories: pd.DataFrame  # index: week (0 = start); one column per model-level variable
    entries: tuple[LogEntry, ...] = field(repr=False)

    def events(self) -> pd.DataFrame:
        """The event log as a tidy frame: week, date, actor, event, description."""
        return pd.DataFrame(
            [(e.week, e.date, e.actor, e.event, e.description) for e in self.entries],
            columns=["week", "date", "actor", "event", "description"],
        )


def replicate(spec: Scenario, seed: int, params: Mapping[str, float] | None = None) -> Replication:
    """Run one replication of ``spec`` with ``seed`` to the end of its horizon."""
    model = NZModel(spec, seed=seed, params=params)
    model.run_model()  # Mesa's loop: steps while model.running (set false at the horizon)
    return record(model)


def trajectory_array(model: NZModel) -> tuple[list[str], np.ndarray]:
    """The model-level variables the DataCollector recorded: their names, and their values as one
    ``variables x weeks`` array (week 0 first), converted from the recorded lists in one call."""
    recorded = model.datacollector.model_vars
    return list(recorded), np.array(list(recorded.values()), dtype=float)


def trajectory_columns(model: NZModel) -> dict[str, np.ndarray]:
    """The model-level variables the DataCollector recorded, one array per variable (week 0 first)."""
    names, values = trajectory_array(model)
    return dict(zip(names, values))


def election_of(model: NZModel) -> dict[str, object] | None:
    """The election's result, ``{"incumbent_share", "incumbent_won"}``, or None if none was held."""
    if not model.election.held:
        return None
    return {"incumbent_share": model.election.incumbent_share, "incumbent_won": model.election.incumbent_won}


def outcomes_of(model: NZModel, columns: Mapping[str, np.ndarray]) -> dict[str, object]:
    """The outcome row of a finished model."""
    return outcome_row(
        columns,
        partnership_week=model.government.partnership_week,
        partnership_at_start=model.spec.context.partnership == "itpp",
        election=election_of(model),
    )


def record(model: NZModel) -> Replication:
    """The compact record of a finished model."""
    columns = trajectory_columns(model)
    frame = pd.DataFrame(columns)
    frame.index.name = "week"
    outcomes = outcomes_of(model, columns)
    return Replication(
        seed=model.seed,
        sampled=dict(model.sampled),
        outcomes=outcomes,
        trajectories=frame,
        entries=tuple(model.entries),
    )

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


def trajectory_columns(model: NZModel) -> dict[str, np.ndarray]:
    """The model-level variables the DataCollector recorded, one array per variable (week 0 first)."""
    return {name: np.asarray(values, dtype=float) for name, values in model.datacollector.model_vars.items()}


def outcomes_of(model: NZModel, columns: Mapping[str, np.ndarray]) -> dict[str, object]:
    """The outcome row of a finished model."""
    election = None
    if model.election.held:
        election = {"incumbent_share": model.election.incumbent_share, "incumbent_won": model.election.incumbent_won}
    return outcome_row(
        columns,
        partnership_week=model.government.partnership_week,
        partnership_at_start=model.spec.context.partnership == "itpp",
        election=election,
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

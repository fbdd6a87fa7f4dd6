"""The one replication loop: build each planned replication's model, run it to its horizon,
and reduce it to plain data (weekly values, end-of-run facts, the event log, the outcome row).

Everything that runs replications runs them here: the ensemble's workers
(:func:`nzsim.runs.worker.run_chunk`), validation and calibration
(:func:`nzsim.runs.worker.simulate_chunk`), the dashboard's replications panel (through the
workers) and one replication told as a story (:func:`replicate`). A replication is planned as
its index, its seed and, where a design drew them, its parameter values (:class:`Planned`);
parameter overrides are data passed in, layered as :func:`nzsim.model.replication_parameters`
says, never values patched onto a built model.

The outcomes of a batch are reduced together, one NumPy operation along the weeks per outcome
(:func:`nzsim.catalogue.outcomes.outcome_columns`); a replication whose outcomes cannot be
computed is still named, with its seed.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..catalogue.outcomes import FACTS, outcome_columns, outcome_row
from ..model import LogEntry, NZModel, replication_parameters
from ..scenario import Scenario, from_dict
from .designs import Planned
from .errors import ReplicationFailed
from .experiments import field_value, with_fields

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Finished:
    """A batch of finished replications, as plain data.

    Attributes:
        replications, seeds, sampled: each replication's index, seed and drawn parameter values.
        variables: the weekly variables recorded, in order.
        values: replications x variables x weeks (week 0 first).
        facts: each end-of-run fact, one value per replication.
        outcomes: each outcome column, one value per replication.
        entries: each replication's event log, each entry with the numbers of its week
            (:func:`with_numbers`; empty tuples when not kept).
    """

    replications: list[int]
    seeds: list[int]
    sampled: list[Mapping[str, float]]
    variables: list[str]
    values: np.ndarray
    facts: dict[str, list]
    outcomes: dict[str, list]
    entries: list[tuple[LogEntry, ...]] = field(default_factory=list)

    def weekly(self, name: str) -> np.ndarray:
        """One weekly variable, replications x weeks."""
        return self.values[:, self.variables.index(name), :]

    def rows(self) -> list[dict[str, Any]]:
        """Each replication's outcome row."""
        return [{name: values[k] for name, values in self.outcomes.items()} for k in range(len(self.replications))]


def trajectory_array(model: NZModel) -> tuple[list[str], np.ndarray]:
    """The weekly variables the DataCollector recorded: their names, and their values as one
    ``variables x weeks`` array (week 0 first), converted from the recorded lists in one call."""
    recorded = model.datacollector.model_vars
    return list(recorded), np.array(list(recorded.values()), dtype=float)


#: The weekly variables a log entry's numbers are read from (:class:`~nzsim.model.LogEntry`), by the
#: entry's field: China's rung, Beijing's grievance, the approval and the partners' mean trust.
ENTRY_NUMBERS = {"rung": "china_rung", "grievance": "china_grievance", "approval": "approval",
                 "trust": "partner_trust_mean"}


def with_numbers(entries: Sequence[LogEntry], names: Sequence[str], recorded: np.ndarray) -> tuple[LogEntry, ...]:
    """A replication's log entries with the numbers of their weeks, read from its recorded weekly
    values (``variables x weeks``, week 0 first): China's rung at the start of the entry's week
    (the end of the week before) and at its end, and the grievance, approval and trust at its end
    with their change over the week. A number whose variable was not recorded stays None."""
    weeks = recorded.shape[1]
    rows = {number: recorded[names.index(name)] for number, name in ENTRY_NUMBERS.items() if name in names}
    filled = []
    for e in entries:
        if not 0 <= e.week < weeks:
            filled.append(e)
            continue
        before, now = max(e.week - 1, 0), e.week
        numbers: dict[str, Any] = {}
        for number, values in rows.items():
            if number == "rung":
                numbers.update(rung_before=int(values[before]), rung_after=int(values[now]))
            else:
                numbers.update({number: float(values[now]), f"{number}_change": float(values[now] - values[before])})
        filled.append(replace(e, **numbers))
    return tuple(filled)


def facts_of(model: NZModel) -> dict[str, Any]:
    """The end-of-run facts of a finished model (the catalogue's :data:`~nzsim.catalogue.outcomes.FACTS`)."""
    return {fact.name: fact.read(model) for fact in FACTS}


def outcomes_of(model: NZModel) -> dict[str, object]:
    """The outcome row of a model as it stands (final values are this week's)."""
    names, values = trajectory_array(model)
    return outcome_row(dict(zip(names, values)), facts_of(model))


def _as_written(spec: Scenario, values: Mapping[str, float]) -> dict[str, float | int]:
    """A design's values of scenario fields, a whole number where the scenario holds one (a count)."""
    data = spec.dump()
    return {path: int(round(v)) if isinstance(field_value(data, path), int) else v for path, v in values.items()}


def simulate(
    spec: Scenario,
    planned: Sequence[Planned],
    *,
    overrides: Mapping[str, float] | None = None,
    label: str = "",
    keep_entries: bool = True,
    model_class: type[NZModel] | None = None,
) -> Finished:
    """Run the planned replications of ``spec`` to the end of its horizon, one after another.

    Args:
        spec: the scenario.
        planned: the replications (at least one).
        overrides: parameter values that stand in for the table's defaults (as other defaults
            would): the scenario's own ``parameters:`` and its draws still apply over them.
        label: the cell's label, named when a replication fails.
        keep_entries: keep each replication's event log.
        model_class: the model to build (default :class:`~nzsim.model.NZModel`; a subclass with
            more actors, say).

    Raises:
        ReplicationFailed: a replication raised, or its outcomes could not be computed.
    """
    model_class = model_class or NZModel
    names: list[str] = []
    values: list[np.ndarray] = []  # per replication: variables x weeks
    sampled: list[Mapping[str, float]] = []
    facts: dict[str, list] = {fact.name: [] for fact in FACTS}
    entries: list[tuple[LogEntry, ...]] = []
    varied: dict[tuple, Scenario] = {}  # an exploratory design's scenario fields: one scenario per experiment
    for p in planned:
        try:
            here = spec
            if p.fields:
                key = tuple(sorted(p.fields.items()))
                if key not in varied:
                    varied[key] = from_dict(with_fields(spec.dump(), _as_written(spec, p.fields)))
                here = varied[key]
            params = replication_parameters(here, p.seed, overrides=overrides, drawn=p.drawn)
            model = model_class(here, seed=p.seed, params=params)
            model.run_model()  # Mesa's loop: steps while model.running (set false at the horizon)
            names, recorded = trajectory_array(model)
            ending = facts_of(model)
        except Exception as err:  # reported with the replication and its seed
            raise ReplicationFailed(label, p.replication, p.seed, f"{type(err).__name__}: {err}",
                                    traceback.format_exc()) from None
        values.append(recorded)
        sampled.append({**model.sampled, **(p.fields or {})})
        for name, value in ending.items():
            facts[name].append(value)
        entries.append(with_numbers(model.entries, names, recorded) if keep_entries else ())
    stacked = np.stack(values)  # replications x variables x weeks
    try:
        outcomes = outcome_columns(dict(zip(names, stacked.transpose(1, 0, 2))), facts)
    except Exception:  # find the replication whose outcomes cannot be computed, to report it
        for k, p in enumerate(planned):
            try:
                outcome_row(dict(zip(names, values[k])), {name: v[k] for name, v in facts.items()})
            except Exception as err:
                raise ReplicationFailed(label, p.replication, p.seed, f"{type(err).__name__}: {err}",
                                        traceback.format_exc()) from None
        raise
    return Finished([p.replication for p in planned], [p.seed for p in planned], sampled, names, stacked,
                     facts, outcomes, entries)


@dataclass(frozen=True)
class Replication:
    """The record of one replication, as the story tells it."""

    seed: int
    sampled: Mapping[str, float]
    outcomes: Mapping[str, object]
    trajectories: pd.DataFrame  # index: week (0 = start); one column per weekly variable
    entries: tuple[LogEntry, ...] = field(repr=False)

    def events(self) -> pd.DataFrame:
        """The event log as a tidy frame: week, date, actor, event, description, and the numbers
        of each entry's week (China's rung before and after, grievance, approval and trust, each
        with its change: :class:`~nzsim.model.LogEntry`)."""
        import pandas as pd

        columns = [f.name for f in fields(LogEntry) if f.name != "quiet"]
        return pd.DataFrame([tuple(getattr(e, c) for c in columns) for e in self.entries], columns=columns)


def replicate(spec: Scenario, seed: int, params: Mapping[str, float] | None = None,
              model_class: type[NZModel] | None = None) -> Replication:
    """Run one replication of ``spec`` with ``seed`` to the end of its horizon (with ``params``,
    the parameter values to use instead of drawing the scenario's uncertainties)."""
    import pandas as pd

    finished = simulate(spec, [Planned(0, seed, params)], model_class=model_class)
    frame = pd.DataFrame(finished.values[0].T, columns=finished.variables)  # one block of floats, one copy
    frame.index.name = "week"
    return Replication(seed=seed, sampled=dict(finished.sampled[0]), outcomes=finished.rows()[0],
                       trajectories=frame, entries=finished.entries[0])

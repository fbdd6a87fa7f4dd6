"""Outcome metrics: pure functions from a replication's weekly trajectories to one tidy row.

Every function here takes plain sequences or numbers and returns a number, a flag or None; each
is tested against a value computed by hand (tests/test_outcomes.py). Given a replications x weeks
array instead, each returns one value per replication (NumPy reduces along the weeks).
:func:`outcome_columns` so computes a whole chunk's outcomes at once, one NumPy operation per
outcome, from the trajectory columns the model's DataCollector records; :func:`outcome_row` is the
same for one replication.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .rungs import Rung
from .parameters import PARTNERS

#: Rung from which China's response counts as trade coercion.
COERCION_RUNG = int(Rung.INFORMAL_RESTRICTION)

#: The type of every column of the outcome row ("?" marks a column that may be null), so that
#: stored results have one schema whatever a chunk of replications happened to produce.
COLUMN_TYPES: dict[str, str] = {
    "final_stance": "float",
    "peak_stance": "float",
    "final_interoperability": "float",
    "partnership_signed": "bool",
    "partnership_week": "int?",
    "china_max_rung": "int",
    "china_max_rung_name": "str",
    "trade_coercion": "bool",
    "coercion_weeks": "int",
    "exports_lost_nzd_m": "float",
    "final_approval": "float",
    "mean_approval": "float",
    "final_threat_share": "float",
    "peak_threat_share": "float",
    **{f"trust_{key}": "float" for key in PARTNERS},
    "trust_mean": "float",
    "independence_credibility": "float",
    "election_held": "bool",
    "incumbent_share": "float?",
    "incumbent_won": "bool?",
    "final_bloc": "str",
}


def _number(x):
    """A 0-d NumPy result as a plain Python number or flag; an array (one per replication) as it is."""
    return x.item() if np.ndim(x) == 0 else x


def final(values: Sequence[float]) -> float:
    """The last value (of each row, given a replications x weeks array)."""
    return _number(np.asarray(values, dtype=float)[..., -1])


def peak(values: Sequence[float]) -> float:
    """The largest value."""
    return _number(np.asarray(values, dtype=float).max(axis=-1))


def highest_rung(rungs: Sequence[int]) -> int:
    """The highest rung of China's ladder reached."""
    return _number(np.asarray(rungs).max(axis=-1).astype(np.int64))


def weeks_at_or_above(values: Sequence[float], threshold: float) -> int:
    """How many weeks the value was at least ``threshold``."""
    return _number((np.asarray(values) >= threshold).sum(axis=-1))


def trade_coercion(rungs: Sequence[int]) -> bool:
    """Whether China reached an informal trade restriction or formal coercion."""
    return highest_rung(rungs) >= COERCION_RUNG


def total(values: Sequence[float]) -> float:
    """The sum of weekly values (e.g. NZ$ million lost each week)."""
    return _number(np.asarray(values, dtype=float).sum(axis=-1))


def mean(values: Sequence[float]) -> float:
    return _number(np.asarray(values, dtype=float).mean(axis=-1))


def first_week(flags: Sequence[bool]) -> int | None:
    """The first index at which ``flags`` is true, or None."""
    hits = np.flatnonzero(np.asarray(flags, dtype=bool))
    return int(hits[0]) if hits.size else None


def outcome_columns(
    trajectories: Mapping[str, np.ndarray],
    *,
    partnership_weeks: Sequence[int | None],
    partnership_at_start: bool,
    elections: Sequence[Mapping[str, object] | None],
) -> dict[str, list]:
    """The outcomes of several replications at once (DESIGN.md section 2): one list per column, one
    entry per replication, each outcome computed for all of them in one NumPy operation.

    Args:
        trajectories: column name -> a replications x weeks array of weekly values (week 0 first).
        partnership_weeks: for each replication, the week an ITPP was signed in the run, or None.
        partnership_at_start: whether the ITPP was already in place at the start.
        elections: for each replication, ``{"incumbent_share", "incumbent_won"}`` if an election
            was held, else None.
    """
    t = trajectories
    top = highest_rung(t["china_rung"])
    held = [e is not None for e in elections]
    columns: dict[str, object] = {
        "final_stance": final(t["stance"]),
        "peak_stance": peak(t["stance"]),
        "final_interoperability": final(t["interoperability"]),
        "partnership_signed": [partnership_at_start or w is not None for w in partnership_weeks],
        "partnership_week": list(partnership_weeks),
        "china_max_rung": top,
        "china_max_rung_name": [Rung(r).words for r in top.tolist()],
        "trade_coercion": trade_coercion(t["china_rung"]),
        "coercion_weeks": weeks_at_or_above(t["china_rung"], COERCION_RUNG),
        "exports_lost_nzd_m": total(t["exports_lost_week_nzd_m"]),
        "final_approval": final(t["approval"]),
        "mean_approval": mean(t["approval"]),
        "final_threat_share": final(t["threat_share"]),
        "peak_threat_share": peak(t["threat_share"]),
        **{f"trust_{key}": final(t[f"trust_{key}"]) for key in PARTNERS},
        "trust_mean": final(t["partner_trust_mean"]),
        "independence_credibility": final(t["independence_credibility"]),
        "election_held": held,
        "incumbent_share": [None if e is None else float(e["incumbent_share"]) for e in elections],
        "incumbent_won": [None if e is None else bool(e["incumbent_won"]) for e in elections],
        "final_bloc": ["national" if b else "labour" for b in final(t["bloc_national"]).tolist()],
    }
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in columns.items()}


def outcome_row(
    trajectories: Mapping[str, Sequence[float]],
    *,
    partnership_week: int | None,
    partnership_at_start: bool,
    election: Mapping[str, object] | None,
) -> dict[str, object]:
    """One replication's outcomes (DESIGN.md section 2), from weekly trajectories (week 0 first):
    :func:`outcome_columns` for one replication.

    Args:
        trajectories: column name -> weekly values, as recorded by the model.
        partnership_week: the week an ITPP was signed in the run, or None.
        partnership_at_start: whether the ITPP was already in place at the start.
        election: ``{"incumbent_share", "incumbent_won"}`` if an election was held, else None.
    """
    columns = outcome_columns(
        {name: np.asarray(values, dtype=float)[np.newaxis] for name, values in trajectories.items()},
        partnership_weeks=[partnership_week],
        partnership_at_start=partnership_at_start,
        elections=[election],
    )
    return {name: values[0] for name, values in columns.items()}

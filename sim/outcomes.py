"""Outcome metrics: pure functions from a replication's weekly trajectories to one tidy row.

Every function here takes plain sequences or numbers and returns a number, a flag or None; each
is tested against a value computed by hand (tests/test_outcomes.py). :func:`outcome_row`
assembles the row from the trajectory columns the model's DataCollector records.
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


def final(values: Sequence[float]) -> float:
    """The last value."""
    return float(values[-1])


def peak(values: Sequence[float]) -> float:
    """The largest value."""
    return float(np.max(values))


def highest_rung(rungs: Sequence[int]) -> int:
    """The highest rung of China's ladder reached."""
    return int(np.max(rungs))


def weeks_at_or_above(values: Sequence[float], threshold: float) -> int:
    """How many weeks the value was at least ``threshold``."""
    return int(np.sum(np.asarray(values) >= threshold))


def trade_coercion(rungs: Sequence[int]) -> bool:
    """Whether China reached an informal trade restriction or formal coercion."""
    return highest_rung(rungs) >= COERCION_RUNG


def total(values: Sequence[float]) -> float:
    """The sum of weekly values (e.g. NZ$ million lost each week)."""
    return float(np.sum(values))


def mean(values: Sequence[float]) -> float:
    return float(np.mean(values))


def first_week(flags: Sequence[bool]) -> int | None:
    """The first index at which ``flags`` is true, or None."""
    hits = np.flatnonzero(np.asarray(flags, dtype=bool))
    return int(hits[0]) if hits.size else None


def outcome_row(
    trajectories: Mapping[str, Sequence[float]],
    *,
    partnership_week: int | None,
    partnership_at_start: bool,
    election: Mapping[str, object] | None,
) -> dict[str, object]:
    """One replication's outcomes (DESIGN.md section 2), from weekly trajectories (week 0 first).

    Args:
        trajectories: column name -> weekly values, as recorded by the model.
        partnership_week: the week an ITPP was signed in the run, or None.
        partnership_at_start: whether the ITPP was already in place at the start.
        election: ``{"incumbent_share", "incumbent_won"}`` if an election was held, else None.
    """
    t = trajectories
    rungs = t["china_rung"]
    row: dict[str, object] = {
        "final_stance": final(t["stance"]),
        "peak_stance": peak(t["stance"]),
        "final_interoperability": final(t["interoperability"]),
        "partnership_signed": partnership_at_start or partnership_week is not None,
        "partnership_week": partnership_week,
        "china_max_rung": highest_rung(rungs),
        "china_max_rung_name": Rung(highest_rung(rungs)).words,
        "trade_coercion": trade_coercion(rungs),
        "coercion_weeks": weeks_at_or_above(rungs, COERCION_RUNG),
        "exports_lost_nzd_m": total(t["exports_lost_week_nzd_m"]),
        "final_approval": final(t["approval"]),
        "mean_approval": mean(t["approval"]),
        "final_threat_share": final(t["threat_share"]),
        "peak_threat_share": peak(t["threat_share"]),
        **{f"trust_{key}": final(t[f"trust_{key}"]) for key in PARTNERS},
        "trust_mean": final(t["partner_trust_mean"]),
        "independence_credibility": final(t["independence_credibility"]),
        "election_held": election is not None,
        "incumbent_share": None if election is None else float(election["incumbent_share"]),
        "incumbent_won": None if election is None else bool(election["incumbent_won"]),
        "final_bloc": "national" if final(t["bloc_national"]) else "labour",
    }
    return row

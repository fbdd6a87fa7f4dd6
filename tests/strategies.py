"""Hypothesis strategies for valid scenarios: signal bundles, contexts, event sets and seeds.

Every strategy draws only values the schema (``nzsim/scenario/``) accepts, so a failure in a
property is a failure of the model, not of validation. Scenarios are kept small (200-500 voters,
8-30 weeks) so each replication runs in milliseconds.

``make_spec`` and ``BASE`` are re-exported from ``tests.helpers`` for convenience.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from nzsim.catalogue.partners import PARTNERS
from nzsim.catalogue.signals import SIGNALS
from nzsim.scenario import NZ_SECTORS, Scenario, from_dict
from tests.helpers import BASE, make_spec

__all__ = [
    "BASE",
    "SECTORS",
    "contexts",
    "event_sets",
    "make_spec",
    "scenario_dicts",
    "scenarios",
    "seeds",
    "signal_bundles",
]

SECTORS = tuple(NZ_SECTORS)

#: floats that are finite; the schema rejects NaN and infinity.
_finite = {"allow_nan": False, "allow_infinity": False}


def unit(low: float = 0.0, high: float = 1.0) -> st.SearchStrategy[float]:
    return st.floats(low, high, **_finite)


def _signal_values(kind) -> st.SearchStrategy:
    """Every value the scenario schema accepts for a signal kind of the catalogue."""
    if kind.kind == "choice":
        return st.sampled_from(list(kind.values))
    if kind.kind == "amount":
        return unit(kind.low, kind.high)
    if kind.kind == "count":
        return st.integers(int(kind.low), int(kind.high))
    return st.booleans()


def signal_bundles() -> st.SearchStrategy[dict]:
    """A valid ``signals:`` mapping: a value for every signal kind of the catalogue (so a kind
    added there is drawn here too)."""
    return st.fixed_dictionaries({kind.field: _signal_values(kind) for kind in SIGNALS})


def contexts(voters: st.SearchStrategy[int] = st.integers(200, 500)) -> st.SearchStrategy[dict]:
    """A valid ``context:`` mapping over the whole range of the schema (small voter counts)."""
    return st.fixed_dictionaries(
        {
            "governing_bloc": st.sampled_from(["labour", "national"]),
            "china_export_share": unit(),
            "goods_exports_nzd_bn": unit(1.0, 200.0),
            "recession": st.booleans(),
            "recession_weeks": st.integers(1, 60),
            "partnership": st.sampled_from(["ipcp", "itpp"]),
            "initial_stance": unit(),
            "initial_interoperability": unit(),
            "initial_grievance": unit(0.0, 20.0),
            "threat_share": unit(0.02, 0.98),
            "voters": voters,
        }
    )


def seeds() -> st.SearchStrategy[int]:
    """Replication seeds, 0 included (a seed of 0 must not be treated as 'no seed')."""
    return st.one_of(st.just(0), st.integers(0, 2**32 - 1))


@st.composite
def event_sets(draw, start: dt.date, horizon_weeks: int, coercion: bool | None = None) -> dict:
    """An ``events:`` mapping within the horizon: always a NATO summit; optionally a coercion
    shock (forced on or off with ``coercion``), a US policy shift, an election, a recession, a
    bilateral statement and a custom event with channel magnitudes anywhere in the schema's bounds.

    Coercion shocks name distinct sectors (duplicates are a separate, known problem: see
    tests/test_agents.py::test_overlapping_restrictions_never_lose_more_than_a_sector_sells).
    """
    last_day = horizon_weeks * 7 - 1

    def date() -> str:
        return (start + dt.timedelta(days=draw(st.integers(0, last_day)))).isoformat()

    events: dict = {"summit": {"kind": "nato_summit", "date": date(), "signals": draw(signal_bundles())}}
    with_shock = draw(st.booleans()) if coercion is None else coercion
    if with_shock:
        events["shock"] = {
            "kind": "coercion_shock",
            "date": date(),
            "sectors": draw(st.lists(st.sampled_from(SECTORS), min_size=1, max_size=len(SECTORS), unique=True)),
            "fraction": draw(unit()),
            "duration_weeks": draw(st.integers(1, 52)),
            "formal": draw(st.booleans()),
        }
    if draw(st.booleans()):
        events["us_shift"] = {"kind": "us_policy_shift", "date": date(), "commitment": draw(unit())}
    if draw(st.booleans()):
        events["election"] = {"kind": "election", "date": date(), "incumbent_baseline": draw(unit())}
    if draw(st.booleans()):
        events["downturn"] = {"kind": "recession", "date": date(), "duration_weeks": draw(st.integers(1, 52))}
    if draw(st.booleans()):
        events["joint_statement"] = {
            "kind": "bilateral_statement",
            "date": date(),
            "partner": draw(st.sampled_from(PARTNERS)),
            "signals": draw(signal_bundles()),
        }
    if draw(st.booleans()):
        events["crisis"] = {
            "kind": "custom",
            "date": date(),
            "description": "a crisis abroad",
            "china": draw(unit(-5, 5)),
            "partners": draw(unit(-5, 5)),
            "domestic": draw(unit(-5, 5)),
            "threat_shock": draw(unit(-3, 3)),
        }
    return events


@st.composite
def scenario_dicts(draw, coercion: bool | None = None, horizons=st.integers(8, 30)) -> dict:
    """A raw scenario mapping (what ``nzsim.scenario.from_dict`` takes)."""
    start = draw(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)))
    horizon = draw(horizons)
    return {
        "name": "hypothesis",
        "description": "A scenario drawn by hypothesis.",
        "references": ["tests/strategies.py"],
        "start": start.isoformat(),
        "horizon_weeks": horizon,
        "replications": 1,
        "context": draw(contexts()),
        "events": draw(event_sets(start, horizon, coercion=coercion)),
    }


def scenarios(coercion: bool | None = None) -> st.SearchStrategy[Scenario]:
    """A validated scenario."""
    return scenario_dicts(coercion=coercion).map(lambda d: from_dict(d, name="<hypothesis>"))

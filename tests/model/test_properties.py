"""Invariants of whole replications over scenarios drawn by hypothesis (tests/strategies.py).

Each property runs at most 40 small scenarios (200-500 voters, 8-30 weeks) and checks the
trajectories frame, outcome row and event log that ``nzsim.replicate`` returns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings

import nzsim
from nzsim.model import replication_parameters
from nzsim.catalogue.partners import PARTNERS
from tests.helpers import make_spec
from tests.strategies import scenarios, seeds

#: small and quick; database=None so that no .hypothesis folder is written
PROPERTY = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

UNIT_INTERVAL = (
    "stance",
    "interoperability",
    "independence_credibility",
    "partner_trust_mean",
    *(f"trust_{key}" for key in PARTNERS),
    "approval",
    "threat_share",
    "us_commitment",
)


def normal_week_nzd_m(spec) -> float:
    """A normal week's China exports, NZ$ million: share * goods exports (bn) * 1000 / 52."""
    ctx = spec.context
    return ctx.china_export_share * ctx.goods_exports_nzd_bn * 1000 / 52


def loss_ceiling(spec, seed, rep) -> float:
    """A normal week's China exports, grown by every warm gesture Beijing made in the run."""
    params = replication_parameters(spec, seed).values
    warmth = sum(1 for e in rep.entries if e.event == "warmth")
    return normal_week_nzd_m(spec) * (1 + params["china.wedge_trade_boost"] * warmth)


def outside(frame: pd.DataFrame, column: str, ok: pd.Series) -> str:
    bad = frame.loc[~ok, column]
    return f"{column} out of bounds in weeks {list(bad.index[:5])}: {list(bad.values[:5])}"


@PROPERTY
@given(spec=scenarios(), seed=seeds())
def test_every_state_variable_stays_within_its_bounds_every_week(spec, seed):
    rep = nzsim.replicate(spec, seed=seed)
    f = rep.trajectories
    assert list(f.index) == list(range(spec.horizon_weeks + 1))  # week 0 and every week after
    assert not f.isna().any().any()
    for column in UNIT_INTERVAL:
        ok = f[column].between(0.0, 1.0)
        assert ok.all(), outside(f, column, ok)
    for column in ("china_grievance", "exports_lost_week_nzd_m", "exporters_pressure", "security_pressure"):
        ok = f[column] >= 0
        assert ok.all(), outside(f, column, ok)
    ok = f["china_rung"].isin(range(6))
    assert ok.all(), outside(f, "china_rung", ok)
    for column in ("recession", "bloc_national"):
        ok = f[column].isin([0, 1])
        assert ok.all(), outside(f, column, ok)
    if "shock" not in spec.events:
        # Beijing's own measures never overlap (informal on tier-1 sectors, formal on tier-2 ones),
        # so without an exogenous shock a week's loss is at most a (grown) normal week's exports.
        ceiling = loss_ceiling(spec, seed, rep)
        ok = f["exports_lost_week_nzd_m"] <= ceiling * (1 + 1e-12)
        assert ok.all(), outside(f, "exports_lost_week_nzd_m", ok) + f" > {ceiling}"


#: Two exogenous bans on every sector at 80%: the weekly loss is 1.6 normal weeks.
DOUBLE_BAN = make_spec(
    horizon_weeks=8,
    events={
        "vilnius": None,
        "election": None,
        **{
            key: {
                "kind": "coercion_shock",
                "date": "2023-06-12",
                "sectors": ["dairy", "meat", "logs_and_wood", "seafood", "horticulture_and_wine", "other"],
                "fraction": 0.8,
                "duration_weeks": 4,
            }
            for key in ("ban_a", "ban_b")
        },
    },
)


@PROPERTY
@example(spec=DOUBLE_BAN, seed=0)
@given(spec=scenarios(coercion=True), seed=seeds())
def test_weekly_exports_lost_never_exceed_a_normal_week(spec, seed):
    rep = nzsim.replicate(spec, seed=seed)
    lost = rep.trajectories["exports_lost_week_nzd_m"]
    ceiling = loss_ceiling(spec, seed, rep)
    assert (lost >= 0).all()
    assert (lost <= ceiling * (1 + 1e-12)).all(), f"lost {lost.max()} > a normal week {ceiling}"


@settings(PROPERTY, max_examples=25)
@given(spec=scenarios(), seed=seeds())
def test_the_same_seed_gives_the_same_row_trajectories_and_event_log(spec, seed):
    first = nzsim.replicate(spec, seed=seed)
    second = nzsim.replicate(spec, seed=seed)
    assert first.outcomes == second.outcomes
    pd.testing.assert_frame_equal(first.trajectories, second.trajectories, check_exact=True)
    assert first.entries == second.entries
    pd.testing.assert_frame_equal(first.events(), second.events(), check_exact=True)
    assert first.sampled == second.sampled


def reference_keys() -> list[str]:
    return list(nzsim.replicate(make_spec(horizon_weeks=8, events={"election": None}), seed=0).outcomes)


REFERENCE_KEYS = reference_keys()


def test_reference_keys_hold_the_documented_outcomes():
    assert {"final_stance", "exports_lost_nzd_m", "election_held", "incumbent_won", "final_bloc"} <= set(REFERENCE_KEYS)
    assert {f"trust_{key}" for key in PARTNERS} <= set(REFERENCE_KEYS)


@PROPERTY
@given(spec=scenarios(), seed=seeds())
def test_outcome_row_has_the_same_keys_and_consistent_flags(spec, seed):
    rep = nzsim.replicate(spec, seed=seed)
    row = rep.outcomes
    assert list(row) == REFERENCE_KEYS
    has_election = any(e.kind == "election" for e in spec.events.values())
    assert row["election_held"] is has_election
    assert (row["incumbent_share"] is None) is (not has_election)
    assert (row["incumbent_won"] is None) is (not has_election)
    if has_election:
        assert 0.0 <= row["incumbent_share"] <= 1.0
        assert row["incumbent_won"] is (row["incumbent_share"] >= 0.5)
    if spec.context.partnership == "itpp":
        assert row["partnership_signed"] is True
        assert row["partnership_week"] is None
    elif row["partnership_week"] is not None:
        assert 1 <= row["partnership_week"] <= spec.horizon_weeks
        assert row["partnership_signed"] is True
    assert row["final_bloc"] in ("labour", "national")
    assert row["final_bloc"] == ("national" if rep.trajectories["bloc_national"].iloc[-1] else "labour")


@PROPERTY
@given(spec=scenarios(coercion=True), seed=seeds())
def test_exports_lost_is_the_sum_of_the_weekly_column(spec, seed):
    rep = nzsim.replicate(spec, seed=seed)
    weekly = rep.trajectories["exports_lost_week_nzd_m"].to_numpy()
    assert rep.outcomes["exports_lost_nzd_m"] == pytest.approx(float(np.sum(weekly)), rel=1e-12, abs=1e-12)
    assert rep.outcomes["coercion_weeks"] == int(np.sum(rep.trajectories["china_rung"].to_numpy() >= 4))

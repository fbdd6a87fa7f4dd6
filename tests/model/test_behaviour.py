"""Behaviour tests: the model's qualitative claims, each over many seeds with a stated tolerance.

Each test compares two arms that differ in one thing, run under the same seeds (common random
numbers), and asserts that the mean difference has the expected sign with a margin of at least
three standard errors of the paired difference, or a stated absolute margin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nzsim.model.agents.china import Rung
from nzsim.runs.loop import replicate
from tests.helpers import SUMMIT_WEEK, make_spec

SEEDS = range(150)
SMALL = {"voters": 300}


def runs(spec, seeds=SEEDS):
    return [replicate(spec, seed) for seed in seeds]


def paired_gap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean of b - a and its standard error."""
    d = np.asarray(b, float) - np.asarray(a, float)
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))


def summit(**signals):
    return {"vilnius": {"signals": {"attendance": "leader", **signals}}}


# -- 1. Stronger China language raises China's grievance and the chance of a rebuke ---------------


def test_stronger_china_language_raises_grievance_and_rebukes():
    arms = {}
    for words in ("none", "passing", "moderate", "strong"):
        spec = make_spec(context=SMALL, horizon_weeks=12, events={**summit(china_language=words), "election": None})
        reps = runs(spec)
        grievance = np.array([r.trajectories["china_grievance"].iloc[SUMMIT_WEEK] for r in reps])
        statement = np.array(
            [(r.trajectories["china_rung"].iloc[SUMMIT_WEEK:] >= Rung.REBUKE).any() for r in reps], dtype=float
        )
        arms[words] = (grievance, statement)
    order = ["none", "passing", "moderate", "strong"]
    for weaker, stronger in zip(order, order[1:]):
        gap, se = paired_gap(arms[weaker][0], arms[stronger][0])
        assert gap > 3 * se and gap > 0.05, (weaker, stronger, gap, se)
    # P(rebuke or worse) after the summit: strong beats none by at least 25 points.
    p_none, p_strong = arms["none"][1].mean(), arms["strong"][1].mean()
    assert p_strong - p_none >= 0.25, (p_none, p_strong)
    assert p_strong > arms["moderate"][1].mean() - 0.02


# -- 2. Staying away lowers partner trust -----------------------------------------------------------


def test_staying_away_lowers_partner_trust():
    attend = runs(make_spec(context=SMALL, horizon_weeks=26, events=summit(china_language="passing")))
    away = runs(make_spec(context=SMALL, horizon_weeks=26, events=summit(attendance="none", china_language="passing")))
    for column in ["partner_trust_mean", "trust_nato", "trust_australia", "trust_united_states"]:
        after_attend = np.array([r.trajectories[column].iloc[SUMMIT_WEEK] for r in attend])
        after_away = np.array([r.trajectories[column].iloc[SUMMIT_WEEK] for r in away])
        gap, se = paired_gap(after_attend, after_away)
        assert gap < -3 * se and gap < -0.02, (column, gap, se)
    final_gap, se = paired_gap(
        [r.outcomes["trust_mean"] for r in attend], [r.outcomes["trust_mean"] for r in away]
    )
    assert final_gap < -3 * se, (final_gap, se)


# -- 3. A larger China export share makes the government more cautious ---------------------------


def test_larger_china_export_share_makes_government_more_cautious():
    shares = (0.10, 0.27, 0.45)
    mean_stance = {}
    for share in shares:
        reps = runs(make_spec(context={**SMALL, "china_export_share": share}, events={"election": None}))
        mean_stance[share] = np.array([r.trajectories["stance"].iloc[1:].mean() for r in reps])
    for low, high in zip(shares, shares[1:]):
        gap, se = paired_gap(mean_stance[low], mean_stance[high])
        assert gap < -3 * se and gap < -0.03, (low, high, gap, se)


# -- 4. A coercion shock costs exports and moves public threat perception -------------------------


def test_coercion_shock_costs_exports_and_raises_threat_perception():
    shock = {
        "kind": "coercion_shock",
        "date": "2023-08-01",
        "sectors": ["logs_and_wood", "seafood"],
        "fraction": 0.5,
        "duration_weeks": 20,
    }
    no_support = {"partner.market_support": 0.0}  # no partner takes any of the goods China turns away
    calm = runs(make_spec(context=SMALL, events={"election": None}, parameters=no_support))
    hit = runs(make_spec(context=SMALL, events={"election": None, "shock": shock}, parameters=no_support))
    # By hand: China exports a normal week = 0.27 * 70,400 / 52 = NZ$365.5m; logs and wood (0.15)
    # plus seafood (0.07) = 22% of that; half of it lost for 20 weeks = 0.5 * 0.22 * 365.5 * 20 = NZ$804m.
    exogenous_loss = 0.5 * 0.22 * (0.27 * 70_400 / 52) * 20
    lost = np.array([r.outcomes["exports_lost_nzd_m"] for r in hit])
    assert (lost >= exogenous_loss - 1e-6).all()
    assert np.median(lost) == pytest.approx(exogenous_loss, rel=0.05)
    assert all(r.outcomes["trade_coercion"] for r in hit)
    gap, se = paired_gap(
        [r.outcomes["peak_threat_share"] for r in calm], [r.outcomes["peak_threat_share"] for r in hit]
    )
    assert gap > 3 * se and gap > 0.05, (gap, se)
    # Approval suffers while exports are lost.
    gap, se = paired_gap([r.outcomes["mean_approval"] for r in calm], [r.outcomes["mean_approval"] for r in hit])
    assert gap < -3 * se, (gap, se)


# -- 5. An election lost changes the governing bloc -----------------------------------------------


@pytest.mark.parametrize("bloc, other", [("labour", "national"), ("national", "labour")])
def test_election_lost_changes_governing_bloc(bloc, other):
    def election(baseline):
        return make_spec(
            context={**SMALL, "governing_bloc": bloc},
            events={"election": {"incumbent_baseline": baseline}},
        )

    lost = runs(election(0.15), range(40))
    kept = runs(election(0.85), range(40))
    assert all(r.outcomes["incumbent_won"] is False and r.outcomes["final_bloc"] == other for r in lost)
    assert all(r.outcomes["incumbent_won"] is True and r.outcomes["final_bloc"] == bloc for r in kept)
    # Near an even race both results occur, and the bloc changes exactly when the incumbent loses.
    close = pd.DataFrame([r.outcomes for r in runs(election(0.50), range(120))])
    assert 0.1 < close["incumbent_won"].mean() < 0.9
    assert ((close["final_bloc"] == bloc) == close["incumbent_won"]).all()


def test_new_bloc_brings_its_own_weights():
    """A Labour-led government that loses is followed by a National-led one that weighs security
    more and autonomy less (parameter table), so the stance after the election is higher."""
    lost = runs(make_spec(context=SMALL, events={"election": {"incumbent_baseline": 0.15}}), range(80))
    kept = runs(make_spec(context=SMALL, events={"election": {"incumbent_baseline": 0.85}}), range(80))
    after = slice(30, None)
    gap, se = paired_gap(
        [r.trajectories["stance"].iloc[after].mean() for r in kept],
        [r.trajectories["stance"].iloc[after].mean() for r in lost],
    )
    assert gap > 3 * se and gap > 0.03, (gap, se)


# -- Beijing's instruments: the kind of affront, who acts, the target's cost, a concession --------

CHEAP = {"voters": 300, "share_of_china_imports": 0.01,
         "sectors": {"bananas": {"share": 0.1, "tier": 1, "china_replaceability": 0.9},
                     "other": {"share": 0.9, "tier": 0}}}


def _affront(horizon=16, context=CHEAP, **signals):
    event = {"kind": "policy_decision", "date": "2023-06-20", "label": "the act", "signals": signals}
    return make_spec(context=context, horizon_weeks=horizon, events={"vilnius": None, "election": None, "act": event})


def _within(reps, outcome_weeks: int) -> np.ndarray:
    """Whether economic measures (goods or people) came within ``outcome_weeks`` of the act (week 3)."""
    return np.array([((r.trajectories["china_rung"].iloc[:3 + outcome_weeks] >= Rung.INFORMAL_RESTRICTION)
                      | (r.trajectories["china_people_measures"].iloc[:3 + outcome_weeks] >= 1)).any() for r in reps],
                    dtype=float)


def test_one_grave_affront_at_the_highest_level_brings_measures_within_weeks_on_a_cheap_target():
    seeds = range(60)
    head = _within(runs(_affront(sovereignty="head"), seeds), 12)
    minister = _within(runs(_affront(sovereignty="minister"), seeds), 12)
    words = _within(runs(_affront(china_language="strong"), seeds), 12)
    assert head.mean() >= 0.5, head.mean()  # a standoff over territory: measures within twelve weeks
    assert head.mean() - minister.mean() >= 0.3, (head.mean(), minister.mean())  # who acts matters
    assert head.mean() - words.mean() >= 0.3, (head.mean(), words.mean())  # words are not deeds
    # the same act against a large supplier of goods China needs is dearer for China: fewer measures
    dear = {**CHEAP, "share_of_china_imports": 0.1,
            "sectors": {"machinery": {"share": 0.6, "tier": 1, "china_replaceability": 0.2},
                        "other": {"share": 0.4, "tier": 0}}}
    costly = _within(runs(_affront(context=dear, sovereignty="head"), seeds), 12)
    assert head.mean() - costly.mean() >= 0.3, (head.mean(), costly.mean())


def test_a_meeting_with_the_dalai_lama_brings_a_freeze_that_a_concession_ends_within_weeks():
    seeds = range(60)
    meeting = {"kind": "policy_decision", "date": "2023-06-20", "label": "the meeting", "signals": {"tibet": "head"}}
    statement = {"kind": "policy_decision", "date": "2023-09-19", "label": "the statement",
                 "signals": {"concession": "distancing_statement"}}
    base = {"vilnius": None, "election": None, "meeting": meeting}
    kept = runs(make_spec(context=SMALL, horizon_weeks=40, events=base), seeds)
    conceded = runs(make_spec(context=SMALL, horizon_weeks=40, events={**base, "statement": statement}), seeds)
    frozen = np.array([r.outcomes["diplomatic_freeze"] for r in kept], dtype=float)
    assert frozen.mean() >= 0.7, frozen.mean()  # a freeze after most such meetings
    assert np.mean([r.outcomes["economic_measures"] for r in kept]) <= 0.1  # and rarely measures
    # the statement in week 16: eight weeks later the freeze is over in most conceded runs, not in most others
    week = 16 + 8
    still = lambda reps: np.mean([r.trajectories["china_freeze"].iloc[week] for r in reps])  # noqa: E731
    assert still(kept) - still(conceded) >= 0.4, (still(kept), still(conceded))

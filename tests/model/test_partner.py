"""Unit tests of the partners' rules (nzsim/model/agents/partner.py) against values computed by hand.
The way these tests build a model is said in ``tests/model/helpers.py``.
"""

from __future__ import annotations

import pytest

from tests.model.helpers import build, partner


# ======================================================================================
# Partners
# ======================================================================================

PARTNER_PARAMS = {"partner.outside_summit_weight": 0.2, "partner.trust_gain": 0.25, "partner.hedging_cost": 0.30,
                  "partner.expectation_learning": 0.2, "partner.judgement_noise": 0.0, "partner.nato.responsiveness": 1.0}
# (judge_contribution defaults to at_summit=True: judged against the partner's expectation)


def nato(trust=0.6, expectation=0.45, tolerance=0.55, china_weight=0.2):
    m = build(PARTNER_PARAMS)
    p = partner(m, "nato")
    p.trust_in_nz, p.expectation, p.tolerance, p.china_weight = trust, expectation, tolerance, china_weight
    return p


def test_judge_contribution_above_expectation_raises_trust_and_expectation():
    p = nato()
    change = p.judge_contribution(contribution=0.8, china_language=0.25, hedging=0.0)
    # delivered = 0.8 + 0.2 * 0.25 = 0.85; change = 0.25 * (0.85 - 0.45) = 0.1
    # expectation = 0.45 + 0.2 * (0.85 - 0.45) = 0.53
    assert change == pytest.approx(0.1, rel=1e-12)
    assert p.trust_in_nz == pytest.approx(0.7, rel=1e-12)
    assert p.expectation == pytest.approx(0.53, rel=1e-12)


def test_judge_contribution_away_from_a_summit_credits_a_fifth_of_the_contribution_and_keeps_expectation():
    p = nato()
    change = p.judge_contribution(contribution=0.8, china_language=0.25, hedging=0.0, at_summit=False)
    # delivered = 0.8 + 0.2 * 0.25 = 0.85; change = 0.25 * 0.2 * 0.85 = 0.0425 (no hedging)
    assert change == pytest.approx(0.0425, rel=1e-12)
    assert p.trust_in_nz == pytest.approx(0.6425, rel=1e-12)
    assert p.expectation == 0.45  # expectations are learnt at summits only
    change = p.judge_contribution(contribution=0.8, china_language=0.25, hedging=1.0, at_summit=False)
    # 0.0425 - 0.30 * (1.0 - 0.55) = 0.0425 - 0.135 = -0.0925
    assert change == pytest.approx(-0.0925, rel=1e-12)
    assert p.expectation == 0.45  # expectations are learnt at summits only


def test_judge_contribution_hedging_beyond_tolerance_costs_trust():
    p = nato()
    change = p.judge_contribution(contribution=0.45, china_language=0.0, hedging=1.0)
    # delivered = expectation = 0.45, so no gain; cost = 0.30 * (1.0 - 0.55) = 0.135
    assert change == pytest.approx(-0.135, rel=1e-12)
    assert p.trust_in_nz == pytest.approx(0.465, rel=1e-12)
    assert p.expectation == pytest.approx(0.45, rel=1e-12)  # 0.45 + 0.2 * 0


def test_judge_contribution_hedging_within_tolerance_is_free():
    p = nato()
    change = p.judge_contribution(contribution=0.45, china_language=0.0, hedging=0.5)  # 0.5 < 0.55
    assert change == 0.0
    assert p.trust_in_nz == pytest.approx(0.6)


def test_judge_contribution_weight_scales_both_terms():
    p = nato()
    change = p.judge_contribution(contribution=0.85, china_language=0.0, hedging=1.0, weight=0.5)
    # 0.5 * (0.25 * (0.85 - 0.45) - 0.30 * (1.0 - 0.55)) = 0.5 * (0.1 - 0.135) = -0.0175
    # expectation = 0.45 + 0.5 * 0.2 * 0.4 = 0.49
    assert change == pytest.approx(-0.0175, rel=1e-12)
    assert p.trust_in_nz == pytest.approx(0.5825, rel=1e-12)
    assert p.expectation == pytest.approx(0.49, rel=1e-12)


def test_judge_contribution_clips_trust_at_one():
    p = nato(trust=0.95)
    change = p.judge_contribution(contribution=3.0, china_language=0.0, hedging=0.0)
    # 0.95 + 0.25 * (3.0 - 0.45) = 0.95 + 0.6375 -> clipped to 1; the change reported is 0.05
    # expectation = 0.45 + 0.2 * 2.55 = 0.96
    assert p.trust_in_nz == 1.0
    assert change == pytest.approx(0.05, rel=1e-12)
    assert p.expectation == pytest.approx(0.96, rel=1e-12)


def test_judge_contribution_clips_trust_and_expectation_at_zero():
    p = nato(trust=0.05)
    change = p.judge_contribution(contribution=-2.0, china_language=0.0, hedging=0.0)
    # 0.05 + 0.25 * (-2.0 - 0.45) = 0.05 - 0.6125 -> clipped to 0; change -0.05
    # expectation = 0.45 + 0.2 * (-2.45) = -0.04 -> clipped to 0
    assert p.trust_in_nz == 0.0
    assert change == pytest.approx(-0.05, rel=1e-12)
    assert p.expectation == 0.0


def test_credit_changes_trust_by_gain_times_amount_within_bounds():
    m = build(PARTNER_PARAMS)
    p = partner(m, "nato")
    p.trust_in_nz, p.expectation = 0.6, 0.45
    assert p.credit(0.4) == pytest.approx(0.1, rel=1e-12)  # 0.25 * 0.4
    assert p.trust_in_nz == pytest.approx(0.7, rel=1e-12)
    assert p.expectation == 0.45  # a custom event does not move expectations
    assert p.credit(5.0) == pytest.approx(0.3, rel=1e-12)  # 0.7 + 1.25 -> clipped to 1
    assert p.trust_in_nz == 1.0
    p.credit(-5.0)
    assert p.trust_in_nz == 0.0


def test_supported_trust():
    m = build()
    p = partner(m, "nato")
    p.baseline_trust = 0.6
    m.government.stance = 0.8
    # centred on the scenario's initial stance (default 0.4): 0.6 + 0.5 * (0.8 - 0.4) = 0.8
    assert p.supported_trust() == pytest.approx(0.8, rel=1e-12)
    m.government.stance = 0.4
    assert p.supported_trust() == pytest.approx(0.6, rel=1e-12)  # a quiet run keeps its trust
    p.baseline_trust = 0.2
    m.government.stance = 0.0
    assert p.supported_trust() == 0.0  # 0.2 - 0.25 -> clipped
    p.baseline_trust = 0.9
    m.government.stance = 1.0
    assert p.supported_trust() == 1.0  # 0.9 + 0.25 -> clipped


def test_partner_step_drifts_toward_supported_trust():
    m = build({"partner.trust_drift": 0.01})
    p = partner(m, "nato")
    p.baseline_trust, p.trust_in_nz = 0.6, 0.5
    m.government.stance = 0.4  # the initial stance: supported = 0.6 + 0.5 * (0.4 - 0.4) = 0.6
    p.step()
    assert p.trust_in_nz == pytest.approx(0.501, rel=1e-12)  # 0.5 + 0.01 * (0.6 - 0.5)


def test_us_access_weight_is_its_commitment():
    m = build()
    m.us_commitment = 0.25
    for p in m.partners:
        p.trust_in_nz = 0.6
    # (5 * 0.6 * 1 + 0.6 * 0.25) / 6 = (3.0 + 0.15) / 6 = 0.525
    assert m.access() == pytest.approx(0.525, rel=1e-12)
    assert m.mean_trust() == pytest.approx(0.6, rel=1e-12)

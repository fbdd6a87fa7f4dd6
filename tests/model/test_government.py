"""Unit tests of the government's rules (nzsim/model/agents/government.py) against values computed by hand.
The way these tests build a model is said in ``tests/model/helpers.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import nzsim
from nzsim.model.agents.government import softmax
from nzsim.model.signals import levels
from nzsim.scenario import Signals
from tests.helpers import ELECTION_WEEK, make_spec
from tests.model.helpers import build


# ======================================================================================
# Government
# ======================================================================================

GOV_PARAMS = {
    "government.weight_security.labour": 0.8,
    "government.weight_security.national": 1.2,
    "government.weight_autonomy.labour": 0.9,
    "government.weight_autonomy.national": 0.5,
    "government.weight_trade": 1.0,
    "government.weight_approval": 1.0,
    "security.pressure_weight": 1.0,
    "exporters.pressure_weight": 1.0,
    "government.election_horizon_weeks": 13.0,
    "government.election_caution": 1.5,
    "government.recession_caution": 0.5,
}


def test_utility_terms():
    m = build(GOV_PARAMS)
    m.us_commitment = 0.5
    m.exporters.perceived_risk = 0.25
    m.public.mean_ideal = 0.3
    terms = m.government.utility_terms(0.6)
    assert terms["security"] == pytest.approx(0.45, rel=1e-12)  # (0.5 + 0.5 * 0.5) * 0.6
    assert terms["trade"] == pytest.approx(-0.81, rel=1e-12)  # -(0.27 / 0.3) * 0.6 * (1 + 2 * 0.25) = -0.9 * 0.9
    assert terms["approval"] == pytest.approx(-0.36, rel=1e-12)  # -4 * (0.6 - 0.3)^2
    assert terms["autonomy"] == pytest.approx(-0.6, rel=1e-12)


def test_weights_and_utility_with_no_election_ahead_and_no_recession():
    m = build(GOV_PARAMS, events={"election": None})
    m.security.pressure = 0.2
    m.exporters.pressure = 0.5
    w = m.government.weights()
    assert w["security"] == pytest.approx(1.0, rel=1e-12)  # 0.8 + 1.0 * 0.2
    assert w["trade"] == pytest.approx(1.5, rel=1e-12)  # 1.0 * (1 + 0) * (1 + 0) + 1.0 * 0.5
    assert w["approval"] == pytest.approx(1.0, rel=1e-12)
    assert w["autonomy"] == pytest.approx(0.9, rel=1e-12)
    # U(0.6) with the terms of test_utility_terms:
    # 1.0 * 0.45 + 1.5 * (-0.81) + 1.0 * (-0.36) + 0.9 * (-0.6) = 0.45 - 1.215 - 0.36 - 0.54 = -1.665
    m.us_commitment = 0.5
    m.exporters.perceived_risk = 0.25
    m.public.mean_ideal = 0.3
    assert m.government.utility(0.6, w) == pytest.approx(-1.665, rel=1e-12)


def test_national_bloc_weights():
    m = build(GOV_PARAMS, events={"election": None}, context={"governing_bloc": "national"})
    m.security.pressure = 0.0
    m.exporters.pressure = 0.0
    w = m.government.weights()
    assert w["security"] == pytest.approx(1.2)
    assert w["autonomy"] == pytest.approx(0.5)


def test_election_proximity_raises_trade_and_approval_weights():
    m = build(GOV_PARAMS)  # election in week 19
    m.security.pressure = m.exporters.pressure = 0.0
    m.week = ELECTION_WEEK - 13
    # proximity = exp(-13 / 13) = exp(-1) = 0.36787944117144233; near = 1.5 * that = 0.5518191617571635
    assert m.election_proximity() == pytest.approx(0.36787944117144233, rel=1e-12)
    w = m.government.weights()
    assert w["trade"] == pytest.approx(1.5518191617571635, rel=1e-12)  # 1.0 * (1 + 0.5518...)
    assert w["approval"] == pytest.approx(1.5518191617571635, rel=1e-12)
    assert w["security"] == pytest.approx(0.8)  # not raised
    m.week = ELECTION_WEEK  # at the election: near = 1.5 * exp(0) = 1.5
    assert m.government.weights()["trade"] == pytest.approx(2.5, rel=1e-12)
    m.week = ELECTION_WEEK + 1  # no election ahead
    assert m.election_proximity() == 0.0
    assert m.government.weights()["trade"] == pytest.approx(1.0, rel=1e-12)


def test_recession_raises_only_the_trade_weight():
    m = build(GOV_PARAMS, context={"recession": True, "recession_weeks": 26})
    m.security.pressure = m.exporters.pressure = 0.0
    m.week = ELECTION_WEEK - 13
    assert m.recession  # weeks before 1 + 26 = 27
    w = m.government.weights()
    # 1.0 * (1 + 0.5) * (1 + 0.5518191617571635) = 2.3277287426357453
    assert w["trade"] == pytest.approx(2.3277287426357453, rel=1e-12)
    assert w["approval"] == pytest.approx(1.5518191617571635, rel=1e-12)  # recession does not touch it
    m.week = 27
    assert not m.recession


def test_softmax_known_values():
    # exp(0), exp(ln 2), exp(ln 3) = 1, 2, 3 -> 1/6, 2/6, 3/6
    np.testing.assert_allclose(softmax([0.0, math.log(2), math.log(3)], 1.0), [1 / 6, 2 / 6, 3 / 6], rtol=1e-12)
    # temperature 0.5 doubles the gaps: [0, 0.5 ln 2] / 0.5 = [0, ln 2] -> 1/3, 2/3
    np.testing.assert_allclose(softmax([0.0, 0.5 * math.log(2)], 0.5), [1 / 3, 2 / 3], rtol=1e-12)
    np.testing.assert_allclose(softmax([5.0, 5.0, 5.0], 0.02), [1 / 3] * 3, rtol=1e-12)


def test_softmax_is_stable_with_large_utilities():
    p = softmax([1000.0, 1000.0 + 0.02 * math.log(4)], 0.02)  # exp(50000) would overflow
    np.testing.assert_allclose(p, [0.2, 0.8], rtol=1e-9)  # 1 : 4
    p = softmax([1e4, 1e4], 0.001)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p, [0.5, 0.5])
    p = softmax([-1e6, 0.0], 0.001)
    np.testing.assert_allclose(p, [0.0, 1.0])
    u = np.array([3.0, 1.0])
    softmax(u, 1.0)
    np.testing.assert_array_equal(u, [3.0, 1.0])  # the input is not modified


def test_choose_stance_takes_the_only_rising_move_at_low_temperature():
    # only the security term counts: U(s) = 1.0 * (0.5 + 0.5 * 1) * s rises with s
    zero = {k: 0.0 for k in GOV_PARAMS}
    m = build(
        {
            **zero,
            "government.weight_security.labour": 1.0,
            "government.stance_step": 0.02,
            "government.choice_temperature": 0.001,
            "government.election_horizon_weeks": 13.0,
        }
    )
    m.government.stance = 0.4
    m.government.choose_stance()
    # gaps between candidates 0.02 utility / 0.001 = 20 -> P(+step) = 1 / (1 + e^-20 + e^-40) ~ 1
    assert m.government.stance == pytest.approx(0.42, rel=1e-12)
    assert m.government.last_move == 1
    m.government.stance = 1.0
    m.government.choose_stance()  # candidates clip at 1
    assert m.government.stance == 1.0


SIGNAL_PARAMS = {
    "government.framing_credibility": 0.08,
    "government.credibility_cost": 1.0,
    "government.deployment_interop": 0.03,
}


def test_send_signals_pushes_stance_and_moves_credibility_and_interop():
    m = build(SIGNAL_PARAMS)
    gov = m.government
    gov.stance, gov.independence_credibility, gov.interoperability = 0.4, 0.8, 0.5
    lv = levels(Signals(independence_framing="mild", personnel=100))
    # framing 0.5, personnel 100 / (100 + 100) = 0.5, no partnership agreement
    gov.send_signals(lv, push=0.14)
    assert gov.stance == pytest.approx(0.54, rel=1e-12)  # 0.4 + 0.14
    # 0.8 + 0.08 * 0.5 - 1.0 * max(0, 0.14) = 0.8 + 0.04 - 0.14 = 0.70
    assert gov.independence_credibility == pytest.approx(0.70, rel=1e-12)
    assert gov.interoperability == pytest.approx(0.515, rel=1e-12)  # 0.5 + 0.03 * (0.5 + 0)
    assert gov.partnership == "ipcp"
    assert gov.partnership_week is None


def test_send_signals_a_push_toward_distance_costs_no_credibility():
    m = build(SIGNAL_PARAMS)
    gov = m.government
    gov.stance, gov.independence_credibility = 0.4, 0.8
    gov.send_signals(levels(Signals(independence_framing="strong")), push=-0.1)
    assert gov.stance == pytest.approx(0.3, rel=1e-12)
    assert gov.independence_credibility == pytest.approx(0.88, rel=1e-12)  # 0.8 + 0.08 * 1.0 - 1.0 * 0


def test_send_signals_clips_stance_and_charges_credibility_for_the_clipped_change_only():
    m = build(SIGNAL_PARAMS)
    gov = m.government
    gov.stance, gov.independence_credibility = 0.9, 0.8
    gov.send_signals(levels(Signals()), push=0.5)
    assert gov.stance == 1.0  # 0.9 + 0.5 clipped
    assert gov.independence_credibility == pytest.approx(0.7, rel=1e-12)  # 0.8 - 1.0 * (1.0 - 0.9)
    gov.stance, gov.independence_credibility = 0.4, 0.05
    gov.send_signals(levels(Signals()), push=0.2)
    assert gov.independence_credibility == 0.0  # 0.05 - 0.2 clipped
    gov.stance = 0.1
    gov.send_signals(levels(Signals()), push=-0.625)
    assert gov.stance == 0.0  # 0.1 - 0.625 clipped


def test_send_signals_signing_the_itpp_sets_partnership_and_its_week_once():
    m = build(SIGNAL_PARAMS)
    gov = m.government
    gov.interoperability = 0.5
    m.week = 6
    gov.send_signals(levels(Signals(partnership_agreement=True, personnel=100)), push=0.0)
    assert gov.partnership == "itpp"
    assert gov.partnership_week == 6
    assert gov.interoperability == pytest.approx(0.545, rel=1e-12)  # 0.5 + 0.03 * (0.5 + 1.0)
    m.week = 10
    gov.send_signals(levels(Signals(partnership_agreement=True)), push=0.0)
    assert gov.partnership_week == 6  # signing again does not move the date


def test_send_signals_with_the_itpp_already_in_place_records_no_signing_week():
    m = build(SIGNAL_PARAMS, context={"partnership": "itpp"})
    m.week = 6
    m.government.send_signals(levels(Signals(partnership_agreement=True)), push=0.0)
    assert m.government.partnership == "itpp"
    assert m.government.partnership_week is None


def test_summit_in_a_run_signs_the_itpp_in_its_week():
    spec = make_spec(events={"vilnius": {"signals": {"partnership_agreement": True}}, "election": None}, horizon_weeks=8)
    rep = nzsim.replicate(spec, seed=3)
    assert rep.outcomes["partnership_week"] == 6  # 11 Jul 2023 is in week 6
    assert rep.outcomes["partnership_signed"] is True

"""Unit tests of the public's rules (nzsim/model/agents/public.py) against values computed by hand.
The way these tests build a model is said in ``tests/model/helpers.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.model.helpers import build, converse


# ======================================================================================
# Public
# ======================================================================================


@pytest.mark.parametrize("share", [0.37, 0.8])
def test_public_threat_share_at_start_matches_the_scenario(share):
    m = build(context={"voters": 20_000, "threat_share": share})
    # latent ~ N(Phi^-1(share), 1) so P(latent > 0) = share; binomial s.e. <= sqrt(0.25 / 20000) = 0.0035;
    # tolerance 0.015 (over 4 standard errors)
    assert m.public.threat_share == pytest.approx(share, abs=0.015)
    assert np.mean(m.public.threat_base > 0) == pytest.approx(share, abs=0.015)


def test_shock_then_fade_halves_in_one_half_life():
    m = build({"public.threat_half_life_weeks": 7.0})
    pub = m.public
    pub.threat_shock = 0.0
    pub.shock(0.5)
    pub.shock(0.25)
    assert pub.threat_shock == pytest.approx(0.75)  # shocks add
    for _ in range(7):
        pub.fade()
    assert pub.threat_shock == pytest.approx(0.375, rel=1e-12)  # 0.75 * 0.5 ** (7 / 7)
    for _ in range(14):
        pub.fade()
    assert pub.threat_shock == pytest.approx(0.09375, rel=1e-12)  # 0.375 / 4


def test_salience_fades_with_a_four_week_half_life():
    m = build()
    m.public.salience = 0.0
    m.public.notice(0.8)
    for _ in range(4):
        m.public.fade()
    assert m.public.salience == pytest.approx(0.4, rel=1e-12)
    m.public.notice(-5.0)
    assert m.public.salience == 0.0  # floored at zero


def test_a_large_shock_moves_the_threat_share():
    m = build(context={"voters": 1000})
    m.public.shock(50.0)  # every latent N(mu, 1) plus 50 is positive
    m.public.measure()
    assert m.public.threat_share == 1.0
    m.public.shock(-100.0)
    m.public.measure()
    assert m.public.threat_share == 0.0


MIX_PARAMS = {"public.mixing_fraction": 1.0, "public.confidence_bound": 0.25, "public.convergence": 0.3}


def test_conversations_voters_further_apart_than_the_bound_never_move():
    m = build(MIX_PARAMS, context={"voters": 1000})
    pub = m.public
    pub.ideal = np.array([0.0, 1.0] * 500)
    for _ in range(50):  # 50 weeks of 500 random pairs
        converse(pub)
    assert set(np.unique(pub.ideal)) == {0.0, 1.0}
    assert np.sum(pub.ideal == 0.0) == 500


def test_conversations_close_voters_meet_halfway_by_mu():
    m = build(MIX_PARAMS, context={"voters": 100})
    pub = m.public
    pub.n = 2  # one pair a week
    seen = set()
    for _ in range(40):
        pub.ideal = np.array([0.4, 0.5])
        converse(pub)
        seen.add(tuple(np.round(pub.ideal, 12)))
    # either the voter met itself (no move) or 0.4 + 0.3 * 0.1 = 0.43 and 0.5 - 0.03 = 0.47
    assert seen <= {(0.4, 0.5), (0.43, 0.47)}
    assert (0.43, 0.47) in seen


def test_conversations_conserves_the_mean_ideal():
    # Deffuant's rule moves both voters of a pair by the same amount in opposite directions, so the
    # mean ideal is unchanged by any number of encounters.
    m = build(MIX_PARAMS, context={"voters": 100})
    pub = m.public
    pub.ideal = np.linspace(0.4, 0.6, 100)  # everyone within the bound of everyone else; mean 0.5
    for _ in range(5):
        converse(pub)
    assert pub.ideal.mean() == pytest.approx(0.5, abs=1e-12)


def test_measure_approval_by_distance():
    m = build({"public.tolerance": 0.15, "public.independence_weight": 0.0, "public.partisan_weight": 0.0})
    pub = m.public
    pub.salience = 0.0
    m.government.stance = 0.5
    pub.ideal = np.full(pub.n, 0.5)
    pub.ideal[: pub.n // 4] = 0.8  # a quarter are 0.3 away: score -0.3 < -0.15
    pub.measure()
    assert pub.approval == pytest.approx(0.75)
    assert pub.mean_ideal == pytest.approx(0.575)  # 0.75 * 0.5 + 0.25 * 0.8

"""Unit tests of the election (nzsim/model/agents/election.py) against values computed by hand.
The way these tests build a model is said in ``tests/model/helpers.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from nzsim.model import NZModel
from tests.helpers import ELECTION_WEEK, make_spec
from tests.model.helpers import build


# ======================================================================================
# Election
# ======================================================================================

ELECTION_PARAMS = {
    "election.noise": 0.0,
    "election.approval_weight": 0.04,
    "election.economy_weight": 0.08,
    "election.trade_loss_weight": 0.3,
}


def test_election_hold_without_noise_is_exact_and_a_win_keeps_the_bloc():
    m = build(ELECTION_PARAMS)
    m.public.approval = 0.7
    text = m.election.hold(0.52)
    # 0.52 + 0.04 * (0.7 - 0.5) - 0.08 * 0 - 0.3 * 0 = 0.528
    assert m.election.incumbent_share == pytest.approx(0.528, rel=1e-12)
    assert m.election.incumbent_won is True
    assert m.election.held is True
    assert m.election.incumbent_bloc == "labour"
    assert m.government.bloc == "labour"
    assert "re-elected" in text


def test_election_in_recession_loses_and_flips_the_bloc():
    m = build(ELECTION_PARAMS, context={"recession": True})
    m.public.approval = 0.3
    assert m.recession
    text = m.election.hold(0.52)
    # 0.52 + 0.04 * (0.3 - 0.5) - 0.08 * 1 = 0.52 - 0.008 - 0.08 = 0.432
    assert m.election.incumbent_share == pytest.approx(0.432, rel=1e-12)
    assert m.election.incumbent_won is False
    assert m.election.incumbent_bloc == "labour"
    assert m.government.bloc == "national"
    assert "loses" in text


def test_election_trade_losses_count_and_a_national_loss_brings_labour():
    m = build(ELECTION_PARAMS, context={"governing_bloc": "national"})
    m.public.approval = 0.5
    m.exporters.lost_this_week_nzd_m = 0.25 * m.exporters.weekly_china_exports_nzd_m  # loss fraction 0.25
    m.election.hold(0.52)
    # 0.52 + 0 - 0 - 0.3 * 0.25 = 0.445
    assert m.election.incumbent_share == pytest.approx(0.445, rel=1e-12)
    assert m.government.bloc == "labour"


def test_election_exactly_half_keeps_office():
    m = build(ELECTION_PARAMS)
    m.public.approval = 0.5
    m.election.hold(0.5)
    assert m.election.incumbent_share == 0.5
    assert m.election.incumbent_won is True


def test_a_lost_election_in_a_run_flips_the_bloc_from_its_week():
    spec = make_spec(events={"election": {"incumbent_baseline": 0.1}}, horizon_weeks=24, context={"voters": 200})
    rep = NZModel(spec, seed=0, params=ELECTION_PARAMS)
    rep.run_model()
    bloc = rep.datacollector.get_model_vars_dataframe()["bloc_national"].to_numpy()
    # 0.1 + 0.04 * (approval - 0.5) <= 0.12 < 0.5: a sure loss in week 19
    np.testing.assert_array_equal(bloc[:ELECTION_WEEK], 0)
    np.testing.assert_array_equal(bloc[ELECTION_WEEK:], 1)
    assert rep.election.week == ELECTION_WEEK

"""Unit tests of the model's parameters and week (nzsim/model/model.py) against values computed by hand.
The way these tests build a model is said in ``tests/model/helpers.py``.
"""

from __future__ import annotations

import pytest

import nzsim
from nzsim.model import NZModel
from nzsim.model.agents.china import Rung
from tests.helpers import ELECTION_WEEK, make_spec
from tests.model.helpers import build


# ======================================================================================
# The model's parameter mapping
# ======================================================================================


def test_scenario_parameters_reach_the_model():
    m = NZModel(make_spec(parameters={"election.economy_weight": 0.3}), seed=0)
    assert m.params["election.economy_weight"] == 0.3


def test_a_partial_params_override_keeps_the_scenarios_fixed_parameters():
    spec = make_spec(parameters={"election.economy_weight": 0.3})
    m = NZModel(spec, seed=0, params={"election.noise": 0.0})
    assert m.params["election.noise"] == 0.0
    assert m.params["election.economy_weight"] == 0.3  # today: the default 0.08


# ======================================================================================
# Regressions found in review
# ======================================================================================


def test_interest_group_pressures_are_recorded_from_week_zero():
    """Week 0 of the trajectories shows the pressure the groups exert at the start, not zero."""
    rep = nzsim.replicate(make_spec(context={"voters": 200}), seed=0)
    start = rep.trajectories.iloc[0]
    # exporters: risk starts at the normal rung, 1 / 5 = 0.2; 0.27 * (0.5 + 0.2) / 0.3 = 0.63
    assert start["exporters_pressure"] == pytest.approx(0.63, rel=1e-9)
    assert start["security_pressure"] > 0


def test_no_election_caution_once_the_vote_is_held():
    m = build()
    while m.week < ELECTION_WEEK - 1:
        m.step()
    assert m.election_proximity() > 0
    m.advance_calendar()
    assert m.week == ELECTION_WEEK
    # Before the vote in its own week the election is still ahead: exp(0) = 1.
    assert m.election_proximity() == pytest.approx(1.0)
    m.hold_scheduled_events()
    assert m.election.held
    assert m.election_proximity() == 0.0


def test_a_rebuke_does_not_undo_a_recent_warning():
    m = build({"china.statement_salience": 0.01, "china.statement_scale": 0.01})
    m.week = 5
    m.china.grievance = 10.0  # far above both thresholds: a warning for certain
    m.china.receive(1.0, trigger="a test")
    assert m.china._statement == (Rung.WARNING, 5)
    m.week = 6
    m.china.grievance = 0.5 * (m.params["china.rebuke_threshold"] + m.params["china.warning_threshold"])
    m.params["china.statement_scale"] = 1e-3  # between the thresholds: a rebuke for certain
    m.china.receive(1.0, trigger="a test")
    m.china.update_rung()
    assert m.china.rung == Rung.WARNING

"""Unit tests of the exporters' rules (nzsim/model/agents/exporters.py) against values computed by hand.
The way these tests build a model is said in ``tests/model/helpers.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import nzsim
from nzsim.model.agents.china import Restriction, Rung
from tests.helpers import make_spec
from tests.model.helpers import WEEKLY_CHINA_NZD_M, build


# ======================================================================================
# Exporters
# ======================================================================================


def test_exporters_weekly_value():
    m = build()
    ex = m.exporters
    assert ex.weekly_china_exports_nzd_m == pytest.approx(365.53846153846155, rel=1e-12)  # 19008 / 52
    assert ex.weekly_value("logs_and_wood") == pytest.approx(54.830769230769235, rel=1e-12)  # 0.15 * 365.538
    ex.growth = 0.02
    assert ex.weekly_value("dairy") == pytest.approx(0.35 * 1.02 * WEEKLY_CHINA_NZD_M, rel=1e-12)


def test_exporters_losses_pressure_under_a_restriction():
    m = build()
    ex, china = m.exporters, m.china
    china.restrictions = [Restriction(("logs_and_wood", "seafood"), 0.5, False, imposed_week=0)]
    china.rung = Rung.INFORMAL_RESTRICTION
    ex.perceived_risk = 0.0  # set-up already assessed the normal rung; start this test from no risk
    ex.step()
    # 0.5 * (0.15 + 0.07) * 365.538... = 0.11 * 19008 / 52 = 2090.88 / 52 = 40.2092307...
    assert ex.lost_this_week_nzd_m == pytest.approx(2090.88 / 52, rel=1e-12)
    assert m.loss_fraction() == pytest.approx(0.11, rel=1e-12)
    # risk = 0 + 0.3 * (4 / 5 - 0) = 0.24; pressure = 0.27 * (0.5 + 0.24) / 0.3 = 0.666
    assert ex.perceived_risk == pytest.approx(0.24, rel=1e-12)
    assert ex.pressure == pytest.approx(0.666, rel=1e-12)
    ex.step()
    assert ex.lost_total_nzd_m == pytest.approx(2 * 2090.88 / 52, rel=1e-12)
    china.restrictions = []
    ex.step()
    assert ex.lost_this_week_nzd_m == 0.0


@pytest.mark.parametrize("weeks", [1, 2, 3])
def test_an_exogenous_shock_of_n_weeks_costs_exactly_n_weeks_of_exports(weeks):
    spec = make_spec(
        horizon_weeks=10,
        events={
            "vilnius": None,
            "election": None,
            "ban": {
                "kind": "coercion_shock",
                "date": "2023-06-12",  # week 2
                "sectors": ["logs_and_wood"],
                "fraction": 1.0,
                "duration_weeks": weeks,
            },
        },
        # no measures of Beijing's own; no partner takes any of the goods China turns away
        parameters={"china.trade_max_hazard": 0.0, "partner.market_support": 0.0},
    )
    lost = nzsim.replicate(spec, seed=0).trajectories["exports_lost_week_nzd_m"].to_numpy()
    per_week = 0.15 * WEEKLY_CHINA_NZD_M  # 54.83 a week
    expected = np.zeros(11)
    expected[2 : 2 + weeks] = per_week  # weeks 2 .. 2 + n - 1
    np.testing.assert_allclose(lost, expected, rtol=1e-12)


def test_overlapping_restrictions_never_lose_more_than_a_sector_sells():
    spec = make_spec(
        horizon_weeks=6,
        events={
            "vilnius": None,
            "election": None,
            "ban_a": {"kind": "coercion_shock", "date": "2023-06-12", "sectors": ["logs_and_wood"], "fraction": 0.8,
                      "duration_weeks": 3},
            "ban_b": {"kind": "coercion_shock", "date": "2023-06-12", "sectors": ["logs_and_wood"], "fraction": 0.8,
                      "duration_weeks": 3},
        },
        parameters={"china.trade_max_hazard": 0.0},
    )
    lost = nzsim.replicate(spec, seed=0).trajectories["exports_lost_week_nzd_m"].to_numpy()
    # logs sell 0.15 * 365.538 = 54.83 a week; today the two bans count 1.6 * 54.83 = 87.73
    assert lost.max() <= 0.15 * WEEKLY_CHINA_NZD_M + 1e-9

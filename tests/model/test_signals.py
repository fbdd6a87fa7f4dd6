"""Unit tests of signal levels, channels and the stance push (nzsim/model/signals.py) against values computed by hand.
The way these tests build a model is said in ``tests/model/helpers.py``.
"""

from __future__ import annotations

import pytest

from nzsim.model.signals import alignment_push, channels, levels
from nzsim.scenario import Signals


# ======================================================================================
# Signals
# ======================================================================================

EVERYTHING = Signals(
    attendance="minister",
    china_language="moderate",
    independence_framing="strong",
    ukraine_package_nzd_m=50,
    personnel=300,
    partnership_agreement=True,
    ip4_cooperation="dialogue",
    aukus_pillar2="join",
    defence_pledge_pct_gdp=2.5,
)


def test_levels_of_a_hand_made_bundle():
    assert levels(EVERYTHING) == pytest.approx(
        {
            "attendance": 0.5,
            "china_language": 0.6,
            "independence_framing": 1.0,
            "ukraine_package": 0.5,  # 50 / (50 + 50)
            "personnel": 0.75,  # 300 / (300 + 100)
            "partnership_agreement": 1.0,
            "ip4_cooperation": 0.5,
            "aukus_pillar2": 1.0,
            "defence_pledge": 1.0,  # min(1, 2.5 / 1)
            # the affronts and the concession, which this bundle does not set
            "sovereignty": 0.0, "tibet": 0.0, "human_rights": 0.0, "security_alignment": 0.0,
            "technology_exclusion": 0.0, "legal_action": 0.0, "concession": 0.0,
        },
        rel=1e-12,
    )
    # who acts sets an affront's level: a body outside government 0.25, parliament 0.4, a minister
    # 0.7, the head of state or government 1
    assert [levels(Signals(tibet=actor))["tibet"] for actor in ("non_state", "parliament", "minister", "head")] \
        == [0.25, 0.4, 0.7, 1.0]
    assert levels(Signals(concession="distancing_statement"))["concession"] == 0.6
    nothing = levels(Signals())
    assert set(nothing.values()) == {0.0}
    assert levels(Signals(defence_pledge_pct_gdp=0.4))["defence_pledge"] == pytest.approx(0.4)
    assert levels(Signals(china_language="passing"))["china_language"] == 0.25


def coefficient_table(**rows) -> dict[str, float]:
    """Every channel coefficient zero except the rows given: name=(china, partners, domestic)."""
    from nzsim.catalogue.signals import CHANNELS, SIGNALS

    table = {f"signal.{s}.{c}": 0.0 for s in SIGNALS.names() for c in CHANNELS}
    for signal, values in rows.items():
        for c, v in zip(CHANNELS, values):
            table[f"signal.{signal}.{c}"] = v
    return table


def test_channels_sum_level_times_coefficient():
    params = coefficient_table(
        attendance=(0.30, 0.35, 0.20),
        china_language=(1.20, 0.25, 0.25),
        ukraine_package=(0.05, 0.30, 0.10),
        independence_framing=(-0.35, -0.10, 0.30),
    )
    lv = levels(Signals(attendance="leader", china_language="passing", ukraine_package_nzd_m=50))
    ch = channels(lv, params)
    # china    = 0.30 * 1 + 1.20 * 0.25 + 0.05 * 0.5 = 0.3 + 0.3 + 0.025 = 0.625
    # partners = 0.35 * 1 + 0.25 * 0.25 + 0.30 * 0.5 = 0.35 + 0.0625 + 0.15 = 0.5625
    # domestic = 0.20 * 1 + 0.25 * 0.25 + 0.10 * 0.5 = 0.2 + 0.0625 + 0.05 = 0.3125
    # (framing is at level 0, so its coefficients do not count)
    assert ch["china"] == pytest.approx(0.625, rel=1e-12)
    assert ch["partners"] == pytest.approx(0.5625, rel=1e-12)
    assert ch["domestic"] == pytest.approx(0.3125, rel=1e-12)
    lv = levels(Signals(independence_framing="mild"))
    ch = channels(lv, params)
    # 0.5 * (-0.35, -0.10, 0.30)
    assert (ch["china"], ch["partners"], ch["domestic"]) == pytest.approx((-0.175, -0.05, 0.15), rel=1e-12)


def Channels(china: float = 0.0, partners: float = 0.0, domestic: float = 0.0) -> dict[str, float]:  # noqa: N802
    return {"china": china, "partners": partners, "domestic": domestic}


PUSH_PARAMS = {"signal.attendance.china": 0.30, "signal.attendance.partners": 0.35, "government.signal_scale": 8.0}


def test_alignment_push_off_and_at_a_summit():
    ch = Channels(0.625, 0.5625, 0.3)
    # elsewhere: (0.625 + 0.5625) / 8 = 1.1875 / 8 = 0.1484375
    assert alignment_push(ch, PUSH_PARAMS, at_summit=False) == pytest.approx(0.1484375, rel=1e-12)
    # at a summit attending as leader is neutral: (1.1875 - (0.30 + 0.35)) / 8 = 0.5375 / 8 = 0.0671875
    assert alignment_push(ch, PUSH_PARAMS, at_summit=True) == pytest.approx(0.0671875, rel=1e-12)
    # staying away from a summit pushes toward distance: (0 - 0.65) / 8 = -0.08125
    assert alignment_push(Channels(), PUSH_PARAMS, at_summit=True) == pytest.approx(-0.08125, rel=1e-12)


def test_alignment_push_is_not_clipped():
    # (5 + 5) / 8 = 1.25 and (-3 - 2) / 8 = -0.625: the government clips its stance, not this function
    assert alignment_push(Channels(5.0, 5.0, 0.0), PUSH_PARAMS, at_summit=False) == pytest.approx(1.25)
    assert alignment_push(Channels(-3.0, -2.0, 0.0), PUSH_PARAMS, at_summit=False) == pytest.approx(-0.625)

"""Outcome metrics (nzsim/outcomes.py): each pure function on tiny hand-made inputs, and the
outcome row on a hand-made four-week trajectory. Every expected value is worked by hand in a
comment; nothing here runs the model."""

from __future__ import annotations

import pytest

from nzsim import outcomes as oc
from nzsim.agents.china import Rung

# --------------------------------------------------------------------------------------
# The small functions
# --------------------------------------------------------------------------------------


def test_final_is_the_last_value():
    assert oc.final([0.1, 0.9, 0.3]) == 0.3
    assert oc.final([7]) == 7.0
    assert isinstance(oc.final([1, 2]), float)


def test_peak_is_the_largest_value_wherever_it_falls():
    assert oc.peak([0.2, 0.9, 0.1]) == 0.9
    assert oc.peak([0.9, 0.2, 0.1]) == 0.9
    assert oc.peak([-3.0, -1.5, -2.0]) == -1.5  # largest, not largest in magnitude
    assert isinstance(oc.peak([1, 2]), float)


def test_highest_rung():
    assert oc.highest_rung([1, 3, 2, 1]) == 3
    assert oc.highest_rung([0]) == 0
    assert type(oc.highest_rung([1, 5])) is int


def test_weeks_at_or_above_counts_the_threshold_itself():
    # 0.1 < 0.5; 0.5 >= 0.5; 0.5 >= 0.5; 0.9 >= 0.5 -> 3
    assert oc.weeks_at_or_above([0.1, 0.5, 0.5, 0.9], 0.5) == 3
    # nothing reaches 1.0 -> 0
    assert oc.weeks_at_or_above([0.1, 0.5], 1.0) == 0
    # rungs 4 and 5 count at the coercion rung 4 -> weeks 2, 3, 4 -> 3
    assert oc.weeks_at_or_above([1, 3, 4, 5, 4, 2], 4) == 3
    assert type(oc.weeks_at_or_above([1.0], 0.0)) is int


def test_coercion_rung_is_informal_restriction():
    assert oc.COERCION_RUNG == 4 == int(Rung.INFORMAL_RESTRICTION)


@pytest.mark.parametrize(
    ("rungs", "expected"),
    [
        ([1, 2, 3, 2], False),  # a warning (3) is a statement, not coercion
        ([0, 1, 1], False),
        ([1, 4, 1], True),  # informal restriction
        ([1, 5], True),  # formal coercion
    ],
)
def test_trade_coercion(rungs, expected):
    assert oc.trade_coercion(rungs) is expected


def test_total_sums_weekly_values():
    # 1.5 + 2.25 + 0 + 10 = 13.75
    assert oc.total([1.5, 2.25, 0.0, 10.0]) == 13.75
    assert oc.total([]) == 0.0


def test_mean():
    # (1 + 2 + 3 + 6) / 4 = 3
    assert oc.mean([1, 2, 3, 6]) == 3.0
    # (0.25 + 0.75) / 2 = 0.5
    assert oc.mean([0.25, 0.75]) == 0.5


def test_first_week_is_the_first_true_index():
    assert oc.first_week([False, False, True, True]) == 2
    assert oc.first_week([True, False]) == 0
    assert oc.first_week([0, 0, 0, 1]) == 3
    assert type(oc.first_week([False, True])) is int


def test_first_week_is_none_when_never_true():
    assert oc.first_week([False, False, False]) is None
    assert oc.first_week([]) is None


# --------------------------------------------------------------------------------------
# The outcome row
# --------------------------------------------------------------------------------------

PARTNERS = ("nato", "united_states", "united_kingdom", "australia", "japan", "south_korea")


def trajectory() -> dict[str, list[float]]:
    """Four weeks (week 0 first) of every column outcome_row reads."""
    return {
        "stance": [0.40, 0.55, 0.50, 0.45],
        "interoperability": [0.50, 0.52, 0.53, 0.60],
        "china_rung": [1, 2, 4, 3],
        "exports_lost_week_nzd_m": [0.0, 0.0, 100.5, 50.25],
        "approval": [0.6, 0.5, 0.4, 0.3],
        "threat_share": [0.37, 0.58, 0.50, 0.40],
        "trust_nato": [0.60, 0.60, 0.61, 0.61],
        "trust_united_states": [0.60, 0.61, 0.62, 0.62],
        "trust_united_kingdom": [0.65, 0.64, 0.63, 0.63],
        "trust_australia": [0.75, 0.75, 0.74, 0.74],
        "trust_japan": [0.60, 0.62, 0.64, 0.65],
        "trust_south_korea": [0.55, 0.55, 0.56, 0.56],
        "partner_trust_mean": [0.625, 0.628, 0.633, 0.635],
        "independence_credibility": [0.8, 0.75, 0.72, 0.70],
        "bloc_national": [0, 0, 1, 1],
    }


EXPECTED_KEYS = [
    "final_stance",
    "peak_stance",
    "final_interoperability",
    "partnership_signed",
    "partnership_week",
    "china_max_rung",
    "china_max_rung_name",
    "trade_coercion",
    "coercion_weeks",
    "exports_lost_nzd_m",
    "final_approval",
    "mean_approval",
    "final_threat_share",
    "peak_threat_share",
    *(f"trust_{k}" for k in PARTNERS),
    "trust_mean",
    "independence_credibility",
    "election_held",
    "incumbent_share",
    "incumbent_won",
    "final_bloc",
]


def test_outcome_row_every_key_by_hand_with_election_and_partnership_signed_in_run():
    row = oc.outcome_row(
        trajectory(),
        partnership_week=2,
        partnership_at_start=False,
        election={"incumbent_share": 0.47, "incumbent_won": False},
    )
    expected = {
        "final_stance": 0.45,  # last of stance
        "peak_stance": 0.55,  # week 1
        "final_interoperability": 0.60,
        "partnership_signed": True,  # signed in week 2 of the run
        "partnership_week": 2,
        "china_max_rung": 4,  # max(1, 2, 4, 3)
        "china_max_rung_name": "informal restriction",
        "trade_coercion": True,  # 4 >= 4
        "coercion_weeks": 1,  # only week 2 is at rung >= 4
        "exports_lost_nzd_m": 150.75,  # 0 + 0 + 100.5 + 50.25
        "final_approval": 0.3,
        "mean_approval": 0.45,  # (0.6 + 0.5 + 0.4 + 0.3) / 4 = 1.8 / 4
        "final_threat_share": 0.40,
        "peak_threat_share": 0.58,
        "trust_nato": 0.61,
        "trust_united_states": 0.62,
        "trust_united_kingdom": 0.63,
        "trust_australia": 0.74,
        "trust_japan": 0.65,
        "trust_south_korea": 0.56,
        "trust_mean": 0.635,  # the last recorded mean, not recomputed
        "independence_credibility": 0.70,
        "election_held": True,
        "incumbent_share": 0.47,
        "incumbent_won": False,
        "final_bloc": "national",  # bloc_national ends at 1
    }
    assert list(row) == EXPECTED_KEYS
    assert set(row) == set(expected)
    for key, want in expected.items():
        if isinstance(want, float):
            assert row[key] == pytest.approx(want, rel=1e-12), key
        else:
            assert row[key] == want, key
    # exact types for the flags and labels
    assert row["partnership_signed"] is True
    assert row["trade_coercion"] is True
    assert row["election_held"] is True
    assert row["incumbent_won"] is False
    assert type(row["china_max_rung"]) is int
    assert type(row["coercion_weeks"]) is int


def test_outcome_row_without_election_and_partnership_at_start():
    t = trajectory()
    t["china_rung"] = [1, 1, 0, 1]
    t["bloc_national"] = [0, 0, 0, 0]
    t["exports_lost_week_nzd_m"] = [0.0, 0.0, 0.0, 0.0]
    row = oc.outcome_row(t, partnership_week=None, partnership_at_start=True, election=None)
    assert row["partnership_signed"] is True  # the ITPP was already in place
    assert row["partnership_week"] is None  # ... so it was not signed in the run
    assert row["election_held"] is False
    assert row["incumbent_share"] is None
    assert row["incumbent_won"] is None
    assert row["china_max_rung"] == 1
    assert row["china_max_rung_name"] == "normal"
    assert row["trade_coercion"] is False
    assert row["coercion_weeks"] == 0
    assert row["exports_lost_nzd_m"] == 0.0
    assert row["final_bloc"] == "labour"
    assert list(row) == EXPECTED_KEYS


def test_outcome_row_no_partnership_at_all_and_formal_coercion_and_election_won():
    t = trajectory()
    t["china_rung"] = [1, 4, 5, 5]  # weeks 1, 2, 3 at >= 4 -> 3 coercion weeks
    row = oc.outcome_row(
        t, partnership_week=None, partnership_at_start=False, election={"incumbent_share": 0.5, "incumbent_won": True}
    )
    assert row["partnership_signed"] is False
    assert row["partnership_week"] is None
    assert row["china_max_rung"] == 5
    assert row["china_max_rung_name"] == "formal coercion"
    assert row["coercion_weeks"] == 3
    assert row["election_held"] is True
    assert row["incumbent_share"] == 0.5
    assert row["incumbent_won"] is True

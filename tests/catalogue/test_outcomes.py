"""The outcome catalogue (nzsim/catalogue/outcomes.py): the outcome row reduced from a hand-made
four-week trajectory, every value worked by hand in a comment. Nothing here runs the model."""

from __future__ import annotations

import pytest

from nzsim.catalogue import outcomes as oc


def row_of(trajectories, *, partnership_week, partnership_at_start, election, stood_by=("australia", "japan")):
    """The outcome row from weekly values and the four end-of-run facts it reads."""
    return oc.outcome_row(trajectories, {"partnership_week": partnership_week,
                                         "partnership_at_start": partnership_at_start, "election": election,
                                         "stood_by": stood_by})

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
        "china_freeze": [0, 1, 1, 0],
        "china_people_measures": [0, 0, 0, 1],
        "coercion_cost_week_nzd_m": [0.0, 30.0, 130.5, 80.25],
        "approval": [0.6, 0.5, 0.4, 0.3],
        "threat_share": [0.37, 0.58, 0.50, 0.40],
        "blame_beijing": [0.0, 0.6, 0.5, 0.4],
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
    "formal_coercion",
    "diplomatic_freeze",
    "freeze_weeks",
    "people_measures",
    "people_weeks",
    "economic_measures",
    "first_measure_week",
    "measures_weeks",
    "coercion_cost_nzd_m",
    "final_approval",
    "mean_approval",
    "final_threat_share",
    "peak_threat_share",
    "blame_beijing_share",
    "partners_stood_by",
    *(f"stood_by_{k}" for k in PARTNERS),
    *(f"trust_{k}" for k in PARTNERS),
    "trust_mean",
    "independence_credibility",
    "election_held",
    "incumbent_share",
    "incumbent_won",
    "final_bloc",
]


def test_outcome_row_every_key_by_hand_with_election_and_partnership_signed_in_run():
    row = row_of(
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
        "formal_coercion": False,  # max rung 4 < 5
        "diplomatic_freeze": True,  # frozen in weeks 1 and 2
        "freeze_weeks": 2,
        "people_measures": True,  # week 3
        "people_weeks": 1,
        "economic_measures": True,  # goods (week 2) or people (week 3)
        "first_measure_week": 1,  # the freeze of week 1 comes first
        "measures_weeks": 3,  # week 1 (freeze), 2 (freeze, goods), 3 (people)
        "coercion_cost_nzd_m": 240.75,  # 0 + 30 + 130.5 + 80.25
        "final_approval": 0.3,
        "mean_approval": 0.45,  # (0.6 + 0.5 + 0.4 + 0.3) / 4 = 1.8 / 4
        "final_threat_share": 0.40,
        "peak_threat_share": 0.58,
        "blame_beijing_share": 0.5,  # weeks 1-3 under measures: (0.6 + 0.5 + 0.4) / 3
        "partners_stood_by": 2,
        **{f"stood_by_{k}": k in ("australia", "japan") for k in PARTNERS},
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
    t["china_freeze"] = t["china_people_measures"] = [0, 0, 0, 0]
    t["coercion_cost_week_nzd_m"] = [0.0, 0.0, 0.0, 0.0]
    row = row_of(t, partnership_week=None, partnership_at_start=True, election=None, stood_by=())
    assert row["first_measure_week"] is None  # no measure of any kind
    assert row["blame_beijing_share"] is None  # no week under measures
    assert row["partners_stood_by"] == 0 and not any(row[f"stood_by_{k}"] for k in PARTNERS)
    assert (row["economic_measures"], row["diplomatic_freeze"], row["measures_weeks"]) == (False, False, 0)
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
    row = row_of(
        t, partnership_week=None, partnership_at_start=False, election={"incumbent_share": 0.5, "incumbent_won": True}
    )
    assert row["partnership_signed"] is False
    assert row["partnership_week"] is None
    assert row["china_max_rung"] == 5
    assert row["china_max_rung_name"] == "formal coercion"
    assert row["formal_coercion"] is True
    assert row["coercion_weeks"] == 3
    assert row["election_held"] is True
    assert row["incumbent_share"] == 0.5
    assert row["incumbent_won"] is True

"""Unit tests of the model's mechanisms against values computed by hand.

Each test builds a model from the small scenario in ``tests/helpers.py`` (``NZModel(spec,
seed=0, params=...)``), sets the state it needs directly and calls one method. Every parameter a
hand computation uses is passed explicitly in ``params`` (even when it equals today's default),
so the expected values do not drift when the parameter table is re-tuned.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import nzsim
from nzsim.agents.china import Restriction, Rung, logistic
from nzsim.agents.government import softmax
from nzsim.model import NZModel
from nzsim.scenario import Signals
from nzsim.signals import Channels, alignment_push, channels, levels
from tests.helpers import ELECTION_WEEK, make_spec

#: 0.27 * 70.4bn * 1000 / 52 weeks = 19,008 / 52 = 365.538461... NZ$ million a week to China
WEEKLY_CHINA_NZD_M = 19008 / 52


def build(params=None, **overrides) -> NZModel:
    """A model of make_spec(**overrides) with seed 0 and the given parameter overrides."""
    return NZModel(make_spec(**overrides), seed=0, params=dict(params or {}))


def partner(model: NZModel, key: str):
    return next(p for p in model.partners if p.key == key)


# ======================================================================================
# China
# ======================================================================================

CHINA_PARAMS = {
    "china.grievance_half_life_weeks": 8.0,
    "china.structural_grievance": 1.0,
}


def test_decay_grievance_one_week():
    m = build(CHINA_PARAMS)
    m.government.stance = 0.4
    m.china.grievance = 2.0
    m.china.decay_grievance()
    # g* = 1.0 * 0.4 = 0.4; keep = 0.5 ** (1/8) = 0.9170040432046712
    # g = 0.4 + (2.0 - 0.4) * 0.9170040432046712 = 0.4 + 1.4672064691274739 = 1.8672064691274741
    assert m.china.grievance == pytest.approx(1.8672064691274741, rel=1e-12)


def test_decay_grievance_halves_the_excess_in_one_half_life_and_rises_to_a_higher_floor():
    m = build(CHINA_PARAMS)
    m.government.stance = 0.4
    m.china.grievance = 2.0
    for _ in range(8):
        m.china.decay_grievance()
    # excess 1.6 halves in 8 weeks: 0.4 + 0.8 = 1.2
    assert m.china.grievance == pytest.approx(1.2, rel=1e-12)
    # below the structural level grievance rises toward it: 0.9 + (0.1 - 0.9) * 0.5 ** (8/8) = 0.5 after 8 weeks
    m.government.stance = 0.9
    m.china.grievance = 0.1
    for _ in range(8):
        m.china.decay_grievance()
    assert m.china.grievance == pytest.approx(0.5, rel=1e-12)


BAR_PARAMS = {
    "china.trade_threshold": 4.0,
    "china.cost_weight": 2.0,
    "china.substitutability": 0.6,
    "china.example_weight": 2.0,
}


def test_trade_bar():
    m = build(BAR_PARAMS)
    # 4.0 + 2.0 * (1 - 0.6) - 2.0 * 0.27 = 4.0 + 0.8 - 0.54 = 4.26
    assert m.china.trade_bar() == pytest.approx(4.26, rel=1e-12)
    # the accumulated grievance (the record of affronts) lowers it one for one: 4.26 - 1.5 = 2.76
    m.china.accumulated = 1.5
    assert m.china.trade_bar() == pytest.approx(2.76, rel=1e-12)

    m = build(
        {
            "china.trade_threshold": 3.0,
            "china.cost_weight": 1.0,
            "china.substitutability": 0.5,
            "china.example_weight": 4.0,
        },
        context={"china_export_share": 0.5},
    )
    # 3.0 + 1.0 * 0.5 - 4.0 * 0.5 = 1.5: a more dependent NZ makes a better example
    assert m.china.trade_bar() == pytest.approx(1.5, rel=1e-12)


# -- the two timescales: the grievance of the moment and the accumulated record -----------------

RECORD_PARAMS = {
    "china.grievance_per_salience": 1.0,
    "china.accumulation_per_salience": 0.5,
    "china.affront_salience": 0.0,  # every unit of salience counts (the affront level is tested below)
    "china.accumulated_half_life_weeks": 104.0,
    "china.grievance_half_life_weeks": 8.0,
    "china.structural_grievance": 1.0,
    "china.statement_salience": 0.6,
}


def test_a_signal_adds_to_the_record_a_gesture_of_restraint_does_not():
    m = build(RECORD_PARAMS)
    m.china.grievance, m.china.accumulated = 0.5, 0.0
    m.china.receive(1.2, trigger="a test")
    # grievance 0.5 + 1.0 * 1.2 = 1.7; record 0 + 0.5 * 1.2 = 0.6
    assert (m.china.grievance, m.china.accumulated) == (pytest.approx(1.7), pytest.approx(0.6))
    m.china.receive(-0.3, trigger="a visit")
    # the visit eases the moment (1.7 - 0.3 = 1.4), not the record
    assert (m.china.grievance, m.china.accumulated) == (pytest.approx(1.4), pytest.approx(0.6))


def test_the_record_fades_with_its_own_half_life():
    m = build(RECORD_PARAMS)
    m.government.stance = 0.4
    m.china.grievance, m.china.accumulated = 2.0, 2.0
    for _ in range(8):
        m.china.decay_grievance()
    # the grievance's excess over 0.4 halves in 8 weeks (1.2); the record keeps 0.5 ** (8/104)
    assert m.china.grievance == pytest.approx(1.2, rel=1e-12)
    assert m.china.accumulated == pytest.approx(2.0 * 0.5 ** (8 / 104), rel=1e-12)  # 1.8965...
    for _ in range(96):
        m.china.decay_grievance()
    assert m.china.accumulated == pytest.approx(1.0, rel=1e-12)  # halved after 104 weeks


RUN_PARAMS = {
    **RECORD_PARAMS,
    **BAR_PARAMS,
    "china.accumulation_per_salience": 1.0,
    "china.trade_scale": 0.01,  # a sharp bar: the hazard is 1 above it and 0 below it
    "china.trade_max_hazard": 1.0,
    "china.formal_threshold": 20.0,  # no escalation to formal coercion here
    "china.lift_hazard": 1.0,
    "china.lift_fraction": 0.5,
}


def _signals_30_weeks_apart(params: dict, salience: float, n: int) -> list:
    """``n`` signals of one salience thirty weeks apart (weekly decay and trade draws between),
    from a grievance at its structural level 0.4; Beijing's measures at the end."""
    m = build(params)
    m.government.stance = 0.4
    m.china.grievance = 0.4
    for k in range(n):
        if k:
            for _ in range(30):
                m.china.decay_grievance()
                m.china.consider_trade_measures()
        m.china.receive(salience, trigger="a signal")
        m.china.consider_trade_measures()
    return m.china.restrictions


def test_a_run_of_grievances_then_a_trigger_brings_measures_a_single_trigger_does_not():
    """Affronts of 1.2 thirty weeks apart, from a grievance at its structural level 0.4; the bar
    before any record is 4.0 + 0.8 - 0.54 = 4.26, and the record lowers it one for one.

    - one affront: grievance 1.6 against 4.26 - 1.2 = 3.06: no measures;
    - a second, 30 weeks later: the record is 1.2 * 0.5 ** (30/104) + 1.2 = 2.184, the grievance
      0.4 + 1.2 * 0.5 ** (30/8) + 1.2 = 1.689 against 4.26 - 2.184 = 2.08: still none;
    - a third, 30 weeks after that: record 2.184 * 0.5 ** (30/104) + 1.2 = 2.989, bar 1.27,
      grievance about 1.69: measures, although this trigger is no larger than the first.
    """
    assert _signals_30_weeks_apart(RUN_PARAMS, 1.2, 1) == []
    assert _signals_30_weeks_apart(RUN_PARAMS, 1.2, 2) == []
    (measure,) = _signals_30_weeks_apart(RUN_PARAMS, 1.2, 3)
    keep = 0.5 ** (30 / 104)
    assert measure.formal is False and measure.record == pytest.approx((1.2 * keep + 1.2) * keep + 1.2, rel=1e-9)


# -- only affronts enter the record: the salience beyond china.affront_salience --------------------

AFFRONT_PARAMS = {**RUN_PARAMS, "china.accumulation_per_salience": 2.0, "china.affront_salience": 0.6}


def test_only_the_salience_beyond_the_affront_level_adds_to_the_record():
    m = build(AFFRONT_PARAMS)
    m.china.grievance, m.china.accumulated = 0.0, 0.0
    m.china.receive(1.2, trigger="strong language")  # an affront: 2 * (1.2 - 0.6) = 1.2
    assert (m.china.grievance, m.china.accumulated) == (pytest.approx(1.2), pytest.approx(1.2))
    m.china.receive(0.72, trigger="moderate criticism")  # a little: 2 * (0.72 - 0.6) = 0.24
    assert (m.china.grievance, m.china.accumulated) == (pytest.approx(1.92), pytest.approx(1.44))
    m.china.receive(0.4, trigger="a passing mention")  # the moment rises in full, the record not at all
    assert (m.china.grievance, m.china.accumulated) == (pytest.approx(2.32), pytest.approx(1.44))
    m.china.receive(-0.3, trigger="a visit")  # restraint eases the moment, never the record
    assert (m.china.grievance, m.china.accumulated) == (pytest.approx(2.02), pytest.approx(1.44))


def test_a_run_of_moderate_mentions_stays_below_the_bar_a_run_of_affronts_crosses():
    """Bar 4.26 before any record (sharp, RUN_PARAMS). Moderate criticism (0.72) every 30 weeks
    raises the grievance of the moment to about 1.17 each time.

    - If every unit of salience counted (affront level 0, one for one, the previous rule), the
      record would climb toward 0.72 / (1 - 0.5 ** (30/104)) = 3.98 and pass 4.26 - 1.17 = 3.09 at
      the eighth mention: measures after a run of mere criticism.
    - With the affront level 0.6 each adds 2 * 0.12 = 0.24 and the record stays below 1.33: no
      measures after ten.
    - Three strong affronts (1.2) still bring measures: each adds 2 * 0.6 = 1.2, as before.
    """
    every_unit = {**AFFRONT_PARAMS, "china.accumulation_per_salience": 1.0, "china.affront_salience": 0.0}
    assert _signals_30_weeks_apart(every_unit, 0.72, 7) == []
    assert len(_signals_30_weeks_apart(every_unit, 0.72, 8)) == 1
    assert _signals_30_weeks_apart(AFFRONT_PARAMS, 0.72, 10) == []
    assert _signals_30_weeks_apart(AFFRONT_PARAMS, 1.2, 2) == []
    (measure,) = _signals_30_weeks_apart(AFFRONT_PARAMS, 1.2, 3)
    keep = 0.5 ** (30 / 104)
    assert measure.record == pytest.approx((1.2 * keep + 1.2) * keep + 1.2, rel=1e-9)


def test_measures_stay_while_the_record_is_fresh_and_go_once_it_has_faded():
    m = build(RUN_PARAMS)
    china = m.china
    m.government.stance = 0.4
    china.accumulated = 3.0
    china.grievance = 2.0  # 2.0 against a bar of 4.26 - 3.0 = 1.26
    china.consider_trade_measures()
    assert len(china.restrictions) == 1 and china.restrictions[0].record == 3.0
    china.grievance = 0.0  # the grievance of the moment has gone; the record has not
    for _ in range(103):
        china.decay_grievance()
        china.consider_lifting()  # a sure lift hazard, yet the record is above half of 3.0
        assert len(china.restrictions) == 1
    assert china.accumulated == pytest.approx(3.0 * 0.5 ** (103 / 104), rel=1e-12)  # 1.51 > 1.5
    china.decay_grievance()
    china.decay_grievance()  # 105 weeks: 1.49, below half the record at imposition
    china.consider_lifting()
    assert china.restrictions == []


def test_measures_brought_without_a_record_go_once_a_later_affront_has_faded():
    """Measures imposed with no record (the grievance of the moment alone cleared the bar) and
    then a small affront (0.24): the record peaks at 0.24 while they are in force, and they go
    once it has halved, 104 weeks on. Measured against the record at imposition (0), it could
    never fade enough and the measures would stay for ever."""
    m = build(RUN_PARAMS)
    china = m.china
    m.government.stance = 0.4
    china.grievance = 5.0  # above the bar of 4.26 with no record
    china.consider_trade_measures()
    assert len(china.restrictions) == 1 and china.restrictions[0].record == 0.0
    china.grievance = 0.0
    china.accumulated = 0.24  # a later affront
    china.consider_lifting()
    assert china.restrictions[0].record == 0.24 and len(china.restrictions) == 1
    for _ in range(103):
        china.decay_grievance()
        china.consider_lifting()
        assert len(china.restrictions) == 1
    china.decay_grievance()
    china.decay_grievance()  # 105 weeks: below half the peak
    china.consider_lifting()
    assert china.restrictions == []


def test_no_warmth_while_a_record_of_grievances_is_held():
    params = {"china.wedge_threshold": 0.3, "china.wedge_hazard": 1.0, "china.wedge_trade_boost": 0.02}
    m = build(params)
    m.government.stance = 0.3
    m.china.grievance, m.china.accumulated = 0.1, 0.5  # calm now, but 0.1 + 0.5 >= 0.3
    m.china.consider_warmth()
    assert m.exporters.growth == 0.0
    m.china.accumulated = 0.1  # 0.2 < 0.3: a sure warm gesture
    m.china.consider_warmth()
    assert m.exporters.growth == pytest.approx(0.02)


STATEMENT_PARAMS = {
    "china.rebuke_threshold": 0.9,
    "china.warning_threshold": 1.6,
    "china.statement_scale": 0.35,
    "china.statement_salience": 0.6,
}


def draw_statements(m: NZModel, n: int, salience: float = 1.0) -> dict:
    """Frequencies of each answer over n draws from the model's own (seeded) generator."""
    counts = {Rung.WARNING: 0, Rung.REBUKE: 0, None: 0}
    for _ in range(n):
        counts[m.china.choose_statement(salience)] += 1
    return {k: v / n for k, v in counts.items()}


def test_choose_statement_probabilities_at_the_warning_threshold():
    m = build(STATEMENT_PARAMS)
    m.china.grievance = 1.6
    freq = draw_statements(m, 20_000, salience=1.0)
    # salience 1.0 >= 0.6, so noticed = min(1, 1.0 / 0.6) = 1
    # P(warning) = logistic((1.6 - 1.6) / 0.35) = 0.5
    # P(rebuke or warning) = logistic((1.6 - 0.9) / 0.35) = logistic(2) = 0.8807970779778823
    # P(rebuke) = 0.8807970779778823 - 0.5 = 0.3807970779778823; P(none) = 0.1192029220221177
    # tolerance 0.015: more than 4 binomial standard errors (sqrt(0.25 / 20000) = 0.0035)
    assert freq[Rung.WARNING] == pytest.approx(0.5, abs=0.015)
    assert freq[Rung.REBUKE] == pytest.approx(0.3807970779778823, abs=0.015)
    assert freq[None] == pytest.approx(0.1192029220221177, abs=0.015)


def test_choose_statement_a_weak_event_is_noticed_proportionally_less_often():
    m = build(STATEMENT_PARAMS)
    m.china.grievance = 1.6
    freq = draw_statements(m, 20_000, salience=0.3)
    # noticed = 0.3 / 0.6 = 0.5: P(warning) = 0.5 * 0.5 = 0.25;
    # P(rebuke or warning) = 0.5 * 0.8807970779778823 = 0.44039853898894116 -> P(rebuke) = 0.19039853898894116
    # P(none) = 1 - 0.44039853898894116 = 0.5596014610110588; tolerance 0.015 (over 4 s.e. of 0.0035)
    assert freq[Rung.WARNING] == pytest.approx(0.25, abs=0.015)
    assert freq[Rung.REBUKE] == pytest.approx(0.19039853898894116, abs=0.015)
    assert freq[None] == pytest.approx(0.5596014610110588, abs=0.015)


def test_choose_statement_probabilities_at_low_grievance():
    m = build(STATEMENT_PARAMS)
    m.china.grievance = 0.0
    freq = draw_statements(m, 20_000)
    # P(warning) = logistic(-1.6 / 0.35) = logistic(-4.5714) = 0.010237
    # P(rebuke or warning) = logistic(-0.9 / 0.35) = logistic(-2.5714) = 0.071000
    # tolerance 0.006: more than 3 standard errors (sqrt(0.071 * 0.929 / 20000) = 0.0018)
    assert freq[Rung.WARNING] == pytest.approx(0.010237, abs=0.004)
    assert freq[Rung.REBUKE] == pytest.approx(0.071000 - 0.010237, abs=0.006)
    assert freq[None] == pytest.approx(1 - 0.071000, abs=0.006)


def test_logistic_guard_for_very_negative_arguments():
    assert logistic(-60.0) == 0.0
    assert logistic(0.0) == 0.5
    assert logistic(2.0) == pytest.approx(0.8807970779778823, rel=1e-12)


def test_receive_adds_salience_and_a_sure_warning_shocks_the_public():
    m = build({**STATEMENT_PARAMS, "china.grievance_per_salience": 1.0, "public.warning_threat_shock": 0.08})
    m.china.grievance = 9.0
    shock_before = m.public.threat_shock
    m.china.receive(1.0, trigger="a test")
    # 9.0 + 1.0 * 1.0 = 10.0; P(warning) = logistic((10 - 1.6) / 0.35) = 1 - 4e-11
    assert m.china.grievance == pytest.approx(10.0)
    assert m.public.threat_shock == pytest.approx(shock_before + 0.08)
    m.china.update_rung()
    assert m.china.rung is Rung.WARNING


def test_receive_negative_salience_eases_grievance_but_never_below_zero():
    m = build({"china.grievance_per_salience": 1.0})
    m.china.grievance = 0.3
    text = m.china.receive(-1.0, trigger="restraint")
    assert m.china.grievance == 0.0  # max(0, 0.3 - 1.0)
    assert "eases" in text


TRADE_PARAMS = {
    "china.trade_threshold": 4.0,
    "china.formal_threshold": 6.0,
    "china.cost_weight": 2.0,
    "china.substitutability": 0.6,
    "china.example_weight": 2.0,
    "china.trade_scale": 0.6,
    "china.trade_max_hazard": 1.0,
    "china.restriction_fraction": 0.5,
    "china.lift_hazard": 1.0,
    "china.lift_fraction": 0.5,
    "public.coercion_threat_shock": 0.5,
}


def test_trade_measures_go_informal_on_tier_one_then_formal_on_tier_two_and_lift_formal_first():
    m = build(TRADE_PARAMS)
    china = m.china
    china.grievance = 20.0
    shock_before = m.public.threat_shock
    # informal bar 4.26; hazard = 1.0 * logistic((20 - 4.26) / 0.6) = 1 - 4e-12
    china.consider_trade_measures()
    assert [r.sectors for r in china.restrictions] == [("logs_and_wood", "seafood", "horticulture_and_wine")]
    assert china.restrictions[0].formal is False
    assert china.restrictions[0].fraction == 0.5
    assert m.public.threat_shock == pytest.approx(shock_before + 0.5)
    # formal bar 4.26 + (6 - 4) = 6.26; hazard = logistic((20 - 6.26) / 0.6) ~ 1: tier-2 sectors only
    china.consider_trade_measures()
    assert [r.sectors for r in china.restrictions][1] == ("meat",)
    assert china.restrictions[1].formal is True
    china.update_rung()
    assert china.rung is Rung.FORMAL_COERCION
    china.consider_trade_measures()
    assert len(china.restrictions) == 2  # nothing more to escalate to
    # grievance below the bar and a sure lift: the formal measure goes first
    china.grievance = 1.0
    china.consider_lifting()
    assert [r.formal for r in china.restrictions] == [False]
    china.update_rung()
    assert china.rung is Rung.INFORMAL_RESTRICTION
    china.consider_lifting()
    assert china.restrictions == []


# ======================================================================================
# Partners
# ======================================================================================

PARTNER_PARAMS = {"partner.outside_summit_weight": 0.2, "partner.trust_gain": 0.25, "partner.hedging_cost": 0.30, "partner.expectation_learning": 0.2}
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


def test_mix_opinions_voters_further_apart_than_the_bound_never_move():
    m = build(MIX_PARAMS, context={"voters": 1000})
    pub = m.public
    pub.ideal = np.array([0.0, 1.0] * 500)
    for _ in range(50):  # 50 weeks of 500 random pairs
        pub.mix_opinions()
    assert set(np.unique(pub.ideal)) == {0.0, 1.0}
    assert np.sum(pub.ideal == 0.0) == 500


def test_mix_opinions_close_voters_meet_halfway_by_mu():
    m = build(MIX_PARAMS, context={"voters": 100})
    pub = m.public
    pub.n = 2  # one pair a week
    seen = set()
    for _ in range(40):
        pub.ideal = np.array([0.4, 0.5])
        pub.mix_opinions()
        seen.add(tuple(np.round(pub.ideal, 12)))
    # either the voter met itself (no move) or 0.4 + 0.3 * 0.1 = 0.43 and 0.5 - 0.03 = 0.47
    assert seen <= {(0.4, 0.5), (0.43, 0.47)}
    assert (0.43, 0.47) in seen


def test_mix_opinions_conserves_the_mean_ideal():
    # Deffuant's rule moves both voters of a pair by the same amount in opposite directions, so the
    # mean ideal is unchanged by any number of encounters.
    m = build(MIX_PARAMS, context={"voters": 100})
    pub = m.public
    pub.ideal = np.linspace(0.4, 0.6, 100)  # everyone within the bound of everyone else; mean 0.5
    for _ in range(5):
        pub.mix_opinions()
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
        parameters={"china.trade_max_hazard": 0.0},  # no measures of Beijing's own
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
        },
        rel=1e-12,
    )
    nothing = levels(Signals())
    assert set(nothing.values()) == {0.0}
    assert levels(Signals(defence_pledge_pct_gdp=0.4))["defence_pledge"] == pytest.approx(0.4)
    assert levels(Signals(china_language="passing"))["china_language"] == 0.25


def coefficient_table(**rows) -> dict[str, float]:
    """Every channel coefficient zero except the rows given: name=(china, partners, domestic)."""
    from nzsim.parameters import CHANNELS, SIGNALS

    table = {f"signal.{s}.{c}": 0.0 for s in SIGNALS for c in CHANNELS}
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
    assert ch.china == pytest.approx(0.625, rel=1e-12)
    assert ch.partners == pytest.approx(0.5625, rel=1e-12)
    assert ch.domestic == pytest.approx(0.3125, rel=1e-12)
    lv = levels(Signals(independence_framing="mild"))
    ch = channels(lv, params)
    # 0.5 * (-0.35, -0.10, 0.30)
    assert (ch.china, ch.partners, ch.domestic) == pytest.approx((-0.175, -0.05, 0.15), rel=1e-12)


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

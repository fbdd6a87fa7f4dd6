"""Unit tests of Beijing's rules (nzsim/model/agents/china.py) against values computed by hand.
The way these tests build a model is said in ``tests/model/helpers.py``.
"""

from __future__ import annotations

import pytest

from nzsim.model import NZModel
from nzsim.model.agents.china import Rung, logistic
from tests.model.helpers import build


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
    # 4.072 + 2.0 * 0.094 = 4.26 (see test_trade_bar): the bar the tests below were written for
    "china.trade_threshold": 4.072,
    "china.cost_weight": 2.0,
    "china.substitutability": 0.6,
    "china.example_weight": 1.0,
}


def test_trade_bar():
    m = build(BAR_PARAMS)
    # China's cost of punishing NZ: 100 * share_of_china_imports 0.005 * the shares of the sectors
    # it would hit (meat 0.17, logs 0.15, seafood 0.07, horticulture 0.08 = 0.47) * (1 - 0.6)
    # = 0.5 * 0.188 = 0.094; bar 4.072 + 2.0 * 0.094 = 4.26
    assert m.china.cost_to_china() == pytest.approx(0.094, rel=1e-12)
    assert m.china.trade_bar() == pytest.approx(4.26, rel=1e-12)
    # the accumulated grievance (the record of affronts) lowers it one for one: 4.26 - 1.5 = 2.76
    m.china.accumulated = 1.5
    assert m.china.trade_bar() == pytest.approx(2.76, rel=1e-12)
    # with example_weight 2 the record counts twice: 4.26 - 3.0 = 1.26
    m = build({**BAR_PARAMS, "china.example_weight": 2.0})
    m.china.accumulated = 1.5
    assert m.china.trade_bar() == pytest.approx(1.26, rel=1e-12)


def test_china_cost_is_per_target_a_small_substitutable_supplier_is_cheap_an_iron_ore_one_dear():
    bananas = {"bananas": {"share": 0.1, "tier": 1, "china_replaceability": 0.9},
               "other": {"share": 0.9, "tier": 0}}
    iron_ore = {"iron_ore": {"share": 0.56, "tier": 1, "china_replaceability": 0.1},
                "other": {"share": 0.44, "tier": 0}}
    small = build(BAR_PARAMS, context={"share_of_china_imports": 0.01, "sectors": bananas})
    large = build(BAR_PARAMS, context={"share_of_china_imports": 0.058, "sectors": iron_ore})
    # 100 * 0.01 * 0.1 * (1 - 0.9) = 0.01;  100 * 0.058 * 0.56 * (1 - 0.1) = 2.9232
    assert small.china.cost_to_china() == pytest.approx(0.01, rel=1e-12)
    assert large.china.cost_to_china() == pytest.approx(2.9232, rel=1e-12)
    # bars 4.072 + 2 * 0.01 = 4.092 and 4.072 + 2 * 2.9232 = 9.9184: the small supplier is punished sooner
    assert small.china.trade_bar() == pytest.approx(4.092, rel=1e-12)
    assert large.china.trade_bar() == pytest.approx(9.9184, rel=1e-12)
    # spared goods (tier 0) cost China nothing to leave alone, and give it nothing to hit
    spared = build(BAR_PARAMS, context={"share_of_china_imports": 0.058,
                                        "sectors": {"iron_ore": {"share": 1.0, "tier": 0, "china_replaceability": 0.1}}})
    assert spared.china.cost_to_china() == 0.0


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
    before any record is 4.072 + 2.0 * 0.094 = 4.26, and the record lowers it one for one.

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

"""Beijing's typed affronts and its four instruments (nzsim/model/agents/china.py with
nzsim/catalogue/affronts.py), against values computed by hand. The way these tests build a model
is said in ``tests/model/helpers.py``; every parameter a computation uses is passed explicitly.
"""

from __future__ import annotations

import pytest

from nzsim.model.agents.china import FREEZE_COST_WEEKS, Measure, Restriction, Rung
from nzsim.model.signals import broadcast
from nzsim.scenario import Signals
from tests.model.helpers import WEEKLY_CHINA_NZD_M, build

RECORD = {
    "china.grievance_per_salience": 1.0,
    "china.accumulation_per_salience": 2.0,
    "china.affront_salience": 0.0,  # every unit of the record's salience counts
    "china.record_below_head": 0.2,
    "china.symbolic_record_share": 0.25,
    "china.freeze_threshold": 10.0,  # no freeze in these record tests
    "china.freeze_scale": 0.35,
    "signal.tibet.china": 2.2,
    "signal.sovereignty.china": 2.4,
    "signal.china_language.china": 1.2,
}


def _record_after(params, **signals) -> tuple[float, float]:
    m = build(params)
    m.china.grievance, m.china.accumulated = 0.0, 0.0
    broadcast(m, Signals(**signals), trigger="a test")
    return m.china.grievance, m.china.accumulated


def test_who_acts_and_which_interest_set_what_enters_the_record():
    # Tibet at the head's level: salience 2.2 in full for the moment; the record takes the symbolic
    # share 0.25: 2 * 2.2 * 0.25 = 1.1
    assert _record_after(RECORD, tibet="head") == (pytest.approx(2.2), pytest.approx(1.1))
    # a minister: level 0.7, salience 1.54; the record takes 0.2 (below the head) * 0.25 (symbolic):
    # 2 * 1.54 * 0.05 = 0.154
    assert _record_after(RECORD, tibet="minister") == (pytest.approx(1.54), pytest.approx(0.154))
    # sovereignty is not symbolic: at the head's level all of it, 2 * 2.4 = 4.8; a minister's
    # 2 * 2.4 * 0.7 * 0.2 = 0.672
    assert _record_after(RECORD, sovereignty="head") == (pytest.approx(2.4), pytest.approx(4.8))
    assert _record_after(RECORD, sovereignty="minister") == (pytest.approx(1.68), pytest.approx(0.672))
    # an older kind is an act of the government: its salience enters the record in full, as before
    assert _record_after(RECORD, china_language="strong") == (pytest.approx(1.2), pytest.approx(2.4))
    # with the record taking every act in full, the actor still sets the level: 2 * 1.68 = 3.36
    whole = {**RECORD, "china.record_below_head": 1.0}
    assert _record_after(whole, sovereignty="minister") == (pytest.approx(1.68), pytest.approx(3.36))


FREEZE = {**RECORD, "china.freeze_threshold": 1.0, "china.freeze_scale": 0.01}  # a sharp, low bar


def test_an_affront_at_the_highest_level_can_freeze_contact_one_below_it_cannot():
    m = build(FREEZE)
    m.china.grievance = 0.0
    broadcast(m, Signals(tibet="head"), trigger="the Prime Minister's meeting with the Dalai Lama")
    # grievance 2.2 against the bar 1.0 at a scale of 0.01: P = logistic(120), certain
    assert isinstance(m.china.freeze, Measure) and m.china.freeze.imposed_week == 0
    assert any(e.event == "diplomatic freeze" and "suspends high-level contact" in e.description for e in m.entries)
    m.china.update_rung()
    assert m.china.rung == Rung.WARNING  # a freeze is more than words: a warning at least

    below = build(FREEZE)
    below.china.grievance = 5.0
    broadcast(below, Signals(tibet="minister"), trigger="a minister's meeting with the Dalai Lama")
    assert below.china.freeze is None  # far above the bar, but not at the highest level
    # criticism in words at a summit is an act of the government, so it may bring a freeze
    words = build(FREEZE)
    words.china.grievance = 0.5
    broadcast(words, Signals(china_language="strong"), trigger="strong words")
    assert words.china.freeze is not None


LIFT = {
    "china.lift_hazard": 0.0,
    "china.freeze_lift_hazard": 0.0,
    "china.cost_lift_rate": 0.0,
    "china.concession_lift_hazard": 1.0,
    "china.concession_relief": 0.8,
    "china.freeze_threshold": 10.0,
    "china.trade_threshold": 20.0,
    "china.people_threshold": 20.0,
    "signal.concession.china": -1.5,
}


def _measures_in_force(m) -> None:
    m.china.freeze = Measure("freeze", 0)
    m.china.people = Measure("people", 0)
    m.china.restrictions.append(Restriction(("seafood",), 0.5, False, 0))
    m.china.accumulated = 3.0


def _weeks(m, n: int) -> None:
    for _ in range(n):
        m.week += 1
        m.china.consider_lifting()


def test_a_concession_clears_most_of_the_record_and_ends_the_measures_within_weeks():
    m = build(LIFT)
    _measures_in_force(m)
    m.china.grievance = 2.0
    broadcast(m, Signals(concession="apology"), trigger="an apology")
    # level 0.8: grievance 2.0 - 1.5 * 0.8 = 0.8; record 3.0 * (1 - 0.8 * 0.8) = 1.08
    assert (m.china.grievance, m.china.accumulated) == (pytest.approx(0.8), pytest.approx(1.08))
    # each measure is lifted with 1.0 * 0.8 = 0.8 a week: all three gone within eight weeks
    _weeks(m, 8)
    assert (m.china.freeze, m.china.people, m.china.restrictions) == (None, None, [])
    assert sum("after New Zealand's concession" in e.description for e in m.entries) == 3

    kept = build(LIFT)
    _measures_in_force(kept)
    _weeks(kept, 8)  # no concession, every other way out closed: all three stay
    assert kept.china.freeze and kept.china.people and kept.china.restrictions


def test_measures_end_as_their_cost_to_china_mounts():
    costly = {**LIFT, "china.concession_lift_hazard": 0.0, "china.cost_lift_rate": 0.5}
    m = build(costly)
    _measures_in_force(m)
    m.china.china_cost = 2.0  # per cent of China's imports it cannot readily replace
    # the hazard grows 0.5 * 2.0 * years in force: 0.0192 a week after a week, 1.0 after a year
    _weeks(m, 60)
    assert m.china.restrictions == []
    assert m.china.freeze is not None and m.china.people is not None  # freezes and people cost China little
    cheap = build(costly)
    _measures_in_force(cheap)
    cheap.china.china_cost = 0.0
    _weeks(cheap, 60)
    assert cheap.china.restrictions


def test_people_and_freeze_cost_the_target_in_nz_dollars():
    m = build({"china.people_fraction": 0.5, "china.freeze_export_loss": 0.081},
              context={"china_tourism_nzd_bn": 1.7, "china_education_nzd_bn": 1.5})
    # (1.7 + 1.5) bn * 1000 / 52 * 0.5 = 30.769... NZ$m a week; 0.081 * 365.538... = 29.608... NZ$m a week
    assert m.exporters.people_weekly_nzd_m() == pytest.approx(3200 / 52 * 0.5, rel=1e-12)
    assert m.exporters.freeze_weekly_nzd_m() == pytest.approx(0.081 * WEEKLY_CHINA_NZD_M, rel=1e-12)
    m.china.people = Measure("people", 0)
    m.china.freeze = Measure("freeze", 0)
    m.exporters.count_losses()
    assert m.exporters.coercion_cost_this_week_nzd_m == pytest.approx(3200 / 52 * 0.5 + 0.081 * WEEKLY_CHINA_NZD_M)
    assert m.exporters.lost_this_week_nzd_m == 0.0  # no goods are restricted
    m.week = m.china.freeze.imposed_week + FREEZE_COST_WEEKS  # after two years a freeze costs nothing more
    m.exporters.count_losses()
    assert m.exporters.coercion_cost_this_week_nzd_m == pytest.approx(3200 / 52 * 0.5)


def test_restrictions_on_people_follow_the_record_and_keep_the_rung_at_a_warning():
    sharp = {"china.people_threshold": 3.0, "china.example_weight": 1.0, "china.trade_max_hazard": 1.0,
             "china.trade_scale": 0.01, "china.trade_threshold": 20.0}
    m = build(sharp)
    m.china.grievance, m.china.accumulated = 2.0, 0.5
    m.china.consider_people_measures()  # 2.0 against 3.0 - 0.5 = 2.5: none
    assert m.china.people is None
    m.china.accumulated = 1.5
    m.china.consider_people_measures()  # 2.0 against 3.0 - 1.5 = 1.5: imposed
    assert m.china.people is not None
    assert any("stop group tours" in e.description for e in m.entries)
    m.china.update_rung()
    assert m.china.rung == Rung.WARNING

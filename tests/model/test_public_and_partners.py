"""Threat memory, blame and the rally, and partners that differ (nzsim/model/agents/public.py,
partner.py; NZModel.coerced). Values by hand where the rule is arithmetic; ensemble properties
(the partners' first principal component, interoperability's spread) on a fixed seed range."""

from __future__ import annotations

import numpy as np
import pytest

from nzsim.catalogue.partners import PARTNERS
from nzsim.model import NZModel
from nzsim.scenario import ScenarioError
from tests.helpers import make_spec
from tests.model.helpers import build, converse, partner


def test_conduct_moves_memory_by_its_size_in_proportion_to_attention():
    m = build({"public.conduct.partner_coercion.memory": 0.25, "public.conduct.partner_coercion.shock": 0.1,
               "public.conduct_noise": 0.0})
    pub = m.public
    pub.memory[:] = 0.0
    pub.threat_shock = 0.0
    pub.see_conduct("partner_coercion", scale=2.0)
    np.testing.assert_allclose(pub.memory, 0.5 * pub.attention)
    assert pub.threat_shock == pytest.approx(0.2)
    # attention ~ Gamma(2, 1/2) has mean 1: 1000 voters, sd of the mean sqrt(0.5 / 1000) = 0.022
    assert pub.memory.mean() == pytest.approx(0.5, abs=0.1)


def test_china_act_is_partly_remembered():
    m = build({"public.memory_share": 0.3})
    pub = m.public
    pub.memory[:] = 0.0
    pub.threat_shock = 0.0
    pub.see_china_act(0.5)
    assert pub.threat_shock == pytest.approx(0.5)
    np.testing.assert_allclose(pub.memory, 0.15 * pub.attention)


def test_measures_are_remembered_more_than_words():
    """A measure against New Zealand (on goods here) enters memory at public.measure_memory_share,
    a statement at public.memory_share; both give the same shock."""
    m = build({"public.memory_share": 0.3, "public.measure_memory_share": 0.6,
               "public.coercion_threat_shock": 0.5})
    pub = m.public
    pub.memory[:] = 0.0
    pub.threat_shock = 0.0
    m.china.impose_exogenous(("dairy",), 0.5, 10, formal=False, label="a test")
    assert pub.threat_shock == pytest.approx(0.5)
    np.testing.assert_allclose(pub.memory, 0.3 * pub.attention)
    pub.memory[:] = 0.0
    pub.see_china_act(0.5)
    np.testing.assert_allclose(pub.memory, 0.15 * pub.attention)


def test_public_ideal_shift_moves_every_ideal():
    """context.public_ideal_shift moves each voter's starting ideal by the shift (the draws are
    the same with the same seed), clipped to [0, 1]."""
    home = build()
    firmer = build(context={"public_ideal_shift": 0.2})
    inside = (home.public.ideal0 > 0.0) & (home.public.ideal0 < 0.8)
    np.testing.assert_allclose(firmer.public.ideal0[inside], home.public.ideal0[inside] + 0.2)
    assert firmer.public.ideal0.max() <= 1.0
    assert firmer.public.mean_ideal > home.public.mean_ideal + 0.15


def test_memory_lasts_longer_than_a_shock():
    m = build({"public.threat_half_life_weeks": 7.0, "public.memory_half_life_weeks": 78.0})
    pub = m.public
    pub.memory[:] = 1.0
    pub.threat_shock = 1.0
    for _ in range(7):
        pub.fade()
        pub.mix_and_drift()  # what each voter remembers fades with the voters' week
    assert pub.threat_shock == pytest.approx(0.5)
    np.testing.assert_allclose(pub.memory, 0.5 ** (7 / 78))


def test_conversations_share_memory_and_conserve_its_mean():
    m = build({"public.mixing_fraction": 1.0, "public.perception_convergence": 0.3})
    pub = m.public
    pub.memory[:] = 0.0
    pub.memory[: pub.n // 2] = 1.0
    before_mean, before_sd = pub.memory.mean(), pub.memory.std()
    converse(pub)
    assert pub.memory.mean() == pytest.approx(before_mean, abs=1e-12)
    assert pub.memory.std() < before_sd - 0.05


def test_a_conduct_event_moves_the_threat_share():
    quiet = build(context={"voters": 5000})
    busy = build(context={"voters": 5000}, events={"pact": {"kind": "china_conduct", "date": "2023-06-20",
                                                             "conduct": "pacific_security", "scale": 3.0}})
    for m in (quiet, busy):
        for _ in range(4):
            m.step()
    assert busy.public.threat_share > quiet.public.threat_share + 0.05
    assert any(e.event == "conduct" and "Pacific" in e.description for e in busy.entries)


def test_a_conduct_kind_outside_the_catalogue_is_refused():
    with pytest.raises(ScenarioError, match="conduct"):
        make_spec(events={"x": {"kind": "china_conduct", "date": "2023-06-20", "conduct": "invasion"}})


def _coerced_model(params=None, stance=0.4):
    m = build({"public.conduct_noise": 0.0, **(params or {})})
    m.china.impose_exogenous(("logs_and_wood", "seafood"), 0.5, 20, False, "a test dispute")
    m.government.stance = stance
    return m


def test_blame_splits_voters_and_follows_threat():
    low = _coerced_model()
    low.public.measure()
    share = low.public.blame_beijing
    assert 0.05 < share < 0.95
    high = _coerced_model()
    high.public.threat_shock = 2.0
    high.public.measure()
    assert high.public.blame_beijing > share + 0.1


def test_provocation_turns_blame_on_the_government():
    calm = _coerced_model(stance=0.4)
    calm.public.measure()
    provoked = _coerced_model(stance=1.0)
    provoked.public.measure()
    assert provoked.public.blame_beijing < calm.public.blame_beijing - 0.1


def test_no_blame_outside_a_dispute():
    m = build()
    m.public.measure()
    assert m.public.blame_beijing == 0.0


def test_blame_shields_the_government_from_trade_pain():
    def approval(shield):
        m = _coerced_model({"public.blame_shield": shield, "public.rally_weight": 0.0, "public.trade_pain_weight": 5.0})
        m.exporters.count_losses()
        m.public.measure()
        return m.public.approval
    assert approval(1.0) > approval(0.0) + 0.05


def test_a_new_measure_starts_a_rally_that_fades():
    m = build({"public.rally_half_life_weeks": 13.0})
    assert m.public.rally == 0.0
    m.china.impose_exogenous(("seafood",), 0.5, 10, False, "a test dispute")
    assert m.public.rally == 1.0
    for _ in range(13):
        m.public.fade()
    assert m.public.rally == pytest.approx(0.5)


def test_partners_decide_once_per_dispute_and_support_ends_with_it():
    m = build({**{f"partner.{k}.solidarity": 1.0 for k in PARTNERS}, "partner.market_support": 0.05})
    m.china.impose_exogenous(("seafood",), 0.5, 2, False, "a test dispute")
    m.step()
    assert all(p.standing_by for p in m.partners)
    assert m.public.solidarity == 6
    assert m.exporters.partner_support == pytest.approx(0.3)
    assert any(e.event == "solidarity" for e in m.entries)
    for _ in range(3):
        m.step()
    assert not m.china.restrictions and not m.dispute
    assert m.exporters.partner_support == 0.0 and m.public.solidarity == 0
    assert all(p.stood_by and not p.standing_by for p in m.partners)


def test_no_partner_stands_by_without_solidarity():
    m = build({f"partner.{k}.solidarity": 0.0 for k in PARTNERS})
    m.china.impose_exogenous(("seafood",), 0.5, 5, False, "a test dispute")
    m.step()
    assert not any(p.standing_by for p in m.partners)
    assert any("No partner" in e.description for e in m.entries)


def test_partner_support_reduces_lost_exports():
    m = build()
    m.china.impose_exogenous(("seafood",), 0.5, 5, False, "a test dispute")
    m.exporters.count_losses()
    full = m.exporters.lost_this_week_nzd_m
    m.exporters.partner_support = 0.2
    m.exporters.count_losses()
    assert m.exporters.lost_this_week_nzd_m == pytest.approx(0.8 * full)


def test_us_retreat_raises_expectations_by_each_partners_burden():
    m = build({"partner.australia.us_burden": 0.3, "partner.nato.us_burden": 0.1,
               "partner.united_states.us_burden": 0.0})
    before = {p.key: p.expectation for p in m.partners}
    for p in m.partners:
        p.answer_us_shift(1.0, 0.5)
    assert partner(m, "australia").expectation == pytest.approx(before["australia"] + 0.15)
    assert partner(m, "nato").expectation == pytest.approx(before["nato"] + 0.05)
    assert partner(m, "united_states").expectation == pytest.approx(before["united_states"])


def test_chance_events_move_trust_and_interoperability():
    m = build({"partner.event_rate": 1.0, "partner.event_trust": 0.03, "partner.event_interop": 0.006,
               "partner.australia.responsiveness": 1.0})
    au = partner(m, "australia")
    trust, interop = au.trust_in_nz, m.government.interoperability
    said = au.chance_event()
    week, kind, sign = au.occasions[-1]
    assert said and kind in ("training", "exercise", "visit")
    assert au.trust_in_nz == pytest.approx(trust + sign * 0.03)
    moved = 0.0 if kind == "visit" else sign * 0.006
    assert m.government.interoperability == pytest.approx(interop + moved)


def test_partners_are_not_one_factor_and_interoperability_spreads():
    spec = make_spec(context={"voters": 300})
    trust, interop = [], []
    for seed in range(60):
        m = NZModel(spec, seed=seed)
        while m.running:
            m.step()
        trust.append([m.partner[k].trust_in_nz for k in PARTNERS])
        interop.append(m.government.interoperability)
    values = np.linalg.eigvalsh(np.cov(np.array(trust).T))
    assert values[-1] / values.sum() < 0.9  # 1.00 when partners moved in lockstep
    lo, hi = np.percentile(interop, [5, 95])
    assert hi - lo >= 0.01  # 0.002 before chance events


def test_election_polls_need_their_source_and_exclude_the_old_baseline():
    ok = make_spec(events={"election": {"incumbent_baseline": None, "poll_share": 0.47,
                                        "poll_source": "a poll, June 2023"}})
    assert ok.events["election"].baseline == 0.47
    with pytest.raises(ScenarioError, match="poll_source"):
        make_spec(events={"election": {"incumbent_baseline": None, "poll_share": 0.47}})
    with pytest.raises(ScenarioError, match="exactly one"):
        make_spec(events={"election": {"poll_share": 0.47, "poll_source": "a poll"}})


def test_the_story_says_who_blamed_whom_and_who_stood_by():
    import nzsim

    spec = nzsim.load("scenarios/vilnius-2023-coercion-shock.yaml")
    rep = nzsim.replicate(spec, seed=1)
    text = nzsim.tell(spec, rep)
    blame = rep.outcomes["blame_beijing_share"]
    assert f"{blame:.0%} of voters blamed Beijing and {1 - blame:.0%} the government" in text
    stood = [k for k in PARTNERS if rep.outcomes[f"stood_by_{k}"]]
    assert stood  # this seed: three partners
    assert "stand by New Zealand" in text and "stood by New Zealand" in text
